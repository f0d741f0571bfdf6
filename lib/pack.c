/* pack.c: packing loose objects with libgit2's packbuilder */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "desk.h"
#include "pack.h"
#include "util.h"

typedef int (*loose_fn)(const git_oid *oid, const char *path, void *arg);

/* Calls fn for each loose object file objects/XX/YYYY... */
static int
each_loose(struct desk *d, loose_fn fn, void *arg)
{
	char *objdir = xasprintf("%sobjects", d->gitdir);
	int rc = 0;

	for (int i = 0; i < 256 && rc == 0; i++) {
		char *sub = xasprintf("%s/%02x", objdir, i);
		DIR *dp = opendir(sub);
		struct dirent *de;
		while (dp && rc == 0 && (de = readdir(dp)) != NULL) {
			char hex[GIT_OID_HEXSZ + 1], *path;
			git_oid oid;
			if (strlen(de->d_name) != GIT_OID_HEXSZ - 2)
				continue;
			snprintf(hex, 3, "%02x", i);
			memcpy(hex + 2, de->d_name, GIT_OID_HEXSZ - 2);
			hex[GIT_OID_HEXSZ] = '\0';
			if (git_oid_fromstr(&oid, hex) < 0)
				continue;
			path = xasprintf("%s/%s", sub, de->d_name);
			rc = fn(&oid, path, arg);
			free(path);
		}
		if (dp)
			closedir(dp);
		free(sub);
	}
	free(objdir);
	return rc;
}

static int
count_one(const git_oid *oid, const char *path, void *arg)
{
	(void)oid;
	(void)path;
	(*(size_t *)arg)++;
	return 0;
}

size_t
pack_count_loose(struct desk *d)
{
	size_t n = 0;

	each_loose(d, count_one, &n);
	return n;
}

struct oidset {
	git_oid *v;
	size_t n;
	git_packbuilder *pb;
};

static int
insert_one(const git_oid *oid, const char *path, void *arg)
{
	struct oidset *set = arg;

	(void)path;
	if (git_packbuilder_insert(set->pb, oid, NULL) < 0)
		return -1;
	set->v = xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	git_oid_cpy(&set->v[set->n++], oid);
	return 0;
}

static int
cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static int
remove_one(const git_oid *oid, const char *path, void *arg)
{
	struct oidset *set = arg;

	/* Only objects the new pack holds are removed; newer ones stay loose. */
	if (bsearch(oid, set->v, set->n, sizeof(*set->v), cmp_oid))
		unlink(path);
	return 0;
}

int
pack_loose(struct desk *d, size_t *packed)
{
	struct oidset set = { NULL, 0, NULL };
	int rc = 0;

	*packed = 0;
	if ((rc = git_packbuilder_new(&set.pb, d->repo)) < 0)
		return git_fail(rc, "cannot start pack");
	if (each_loose(d, insert_one, &set) != 0) {
		rc = git_fail(-1, "cannot add object to pack");
		goto out;
	}
	if (set.n == 0)
		goto out;
	/* The pack and its index are fsynced (DESK_DURABLE) before loose files go. */
	if ((rc = git_packbuilder_write(set.pb, NULL, 0, NULL, NULL)) < 0) {
		rc = git_fail(rc, "cannot write pack");
		goto out;
	}
	*packed = set.n;
	qsort(set.v, set.n, sizeof(*set.v), cmp_oid);
	each_loose(d, remove_one, &set);
out:
	git_packbuilder_free(set.pb);
	free(set.v);
	return rc;
}
