/* leftover.c: what killed processes leave in a desk, for rt-gc */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "desk.h"
#include "event.h"
#include "ingest.h"
#include "leftover.h"
#include "mail.h"
#include "util.h"

static int
old_enough(const char *path, long age, struct stat *st)
{
	return lstat(path, st) == 0 && S_ISREG(st->st_mode) &&
	    time(NULL) - st->st_mtime >= age;
}

/*
 * pack-X.idx without pack-X.pack or the reverse, which nothing can read:
 * libgit2's indexer links the index in before the pack, rt's own writer
 * renames the pack first, and rt-gc removes an old pack's index first, so
 * a process killed between the two leaves one of them. Every writer puts
 * both in place before a ref names what they hold.
 */
static int
half_pack(const char *dir, const char *name)
{
	size_t len = strlen(name);
	char *other;
	int half;

	if (!str_starts(name, "pack-"))
		return 0;
	if (len > 4 && strcmp(name + len - 4, ".idx") == 0)
		other = xasprintf("%s/%.*s.pack", dir, (int)(len - 4), name);
	else if (len > 5 && strcmp(name + len - 5, ".pack") == 0)
		other = xasprintf("%s/%.*s.idx", dir, (int)(len - 5), name);
	else
		return 0;
	half = access(other, F_OK) != 0;
	free(other);
	return half;
}

/* Removes dir/tmp_* older than age; recurses into the ?? fan-out and pack/. */
static size_t
clean_tmp(const char *dir, long age, int top)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	struct stat st;
	size_t n = 0;

	if (dp == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		const char *s = de->d_name;
		char *p;
		if (s[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, s);
		/* pack_git2_*: libgit2's indexer (a pack per commit, pack.c) */
		if ((str_starts(s, "tmp_") || str_starts(s, "pack_git2_") ||
		    (!top && half_pack(dir, s))) &&
		    old_enough(p, age, &st) && unlink(p) == 0)
			n++;
		else if (top && (strcmp(s, "pack") == 0 || (strlen(s) == 2 &&
		    strspn(s, "0123456789abcdef") == 2)))
			n += clean_tmp(p, age, 0);
		free(p);
	}
	closedir(dp);
	return n;
}

size_t
leftover_objects(struct desk *d, long age)
{
	char *objects = xasprintf("%sobjects", d->gitdir);
	size_t n = clean_tmp(objects, age, 1);

	free(objects);
	return n;
}

static void
ignore_event(const struct ingest_result *r, void *arg)
{
	(void)r;
	(void)arg;
}

/* Stores one spool file again: mail if it parses as mail, else events. */
static int
reingest(struct desk *d, const char *path, size_t size)
{
	struct ingest_result r;
	struct mail *m = NULL;
	char *where = NULL, *buf;
	size_t len;
	int rc;

	if (read_file(path, &buf, &len) < 0)
		return rt_fail(EX_TEMPFAIL, "cannot read '%s': %s", path, strerror(errno));
	if (mail_parse_buf(buf, len, &m) == 0) {
		mail_free(m);
		rc = ingest_mail(d, buf, len, size, 0, &r);
		free(r.quarantined);
	} else
		rc = ingest_events_buf(d, buf, len, size, NULL, ignore_event, NULL, &where);
	free(where);
	free(buf);
	/* Quarantined (65) is stored too: the bytes are in the desk. */
	return rc == EX_DATAERR ? 0 : rc;
}

int
leftover_spools(struct desk *d, long age, size_t *stored, size_t *kept)
{
	char *dir = xasprintf("%s/tmp", d->rtdir);
	struct dirent **v;
	struct stat st;
	int n = scandir(dir, &v, NULL, alphasort), status = 0;

	*stored = *kept = 0;
	for (int i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, v[i]->d_name);
		/* A part.* file was killed while spooling: the sender still has it. */
		if (str_starts(v[i]->d_name, "part.") && old_enough(p, age, &st))
			unlink(p);
		else if (str_starts(v[i]->d_name, "spool.") && old_enough(p, age, &st)) {
			int rc = st.st_size == 0 ? 0 : reingest(d, p, (size_t)st.st_size);
			if (rc == 0 && unlink(p) == 0)
				(*stored)++;
			else {
				(*kept)++;
				status = rc ? rc : EX_TEMPFAIL;
			}
		}
		free(p);
		free(v[i]);
	}
	if (n >= 0)
		free(v);
	free(dir);
	return status;
}
