/*
 * upgrade.c: format 1 -> format 2 in one deterministic commit.
 *
 * Everything written is a function of HEAD's tree alone (no clock, no
 * random id, no actor in the tree), so two clones that upgrade the same
 * commit get the same tree and later merge cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk.h"
#include "format.h"
#include "guard.h"
#include "head.h"
#include "hlc.h"
#include "id.h"
#include "ticket.h"
#include "upgrade.h"
#include "util.h"
#include "worktree.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* An event id from a hash of the ticket and what names the line. */
static void
stable_id(const char *ticket, const char *what, char out[EVID_LEN + 1])
{
	git_oid oid;
	char *s = xasprintf("%s/%s", ticket, what);

	git_odb_hash(&oid, s, strlen(s), GIT_OBJECT_BLOB);
	free(s);
	for (size_t i = 0; i < EVID_LEN; i++)
		out[i] = alphabet[oid.id[i] & 31];
	out[EVID_LEN] = '\0';
}

static int
add_line(struct sbuf *sb, const struct kvmap *ev)
{
	char *buf;
	size_t len;

	if (event_render(ev, &buf, &len) != 0)
		return EX_DATAERR;
	sbuf_add(sb, buf, len);
	free(buf);
	return 0;
}

/* The log with id and hlc on every event and the snapshot last. */
static int
convert_log(const char *id, const char *logbuf, size_t loglen, const char *tbuf, size_t tlen,
    struct sbuf *out)
{
	struct evlog log = { NULL, 0 };
	struct kvmap t = KVMAP_INIT, snap = KVMAP_INIT;
	struct hlc max = { 0, 0 }, h;
	const char *last_at = NULL;
	char eid[EVID_LEN + 1], clock[HLC_LEN], what[32];
	int rc = 0;

	if (logbuf && (rc = log_parse(logbuf, loglen, id, &log)) != 0)
		goto out;
	if ((rc = ticket_parse(tbuf, tlen, id, &t)) != 0)
		goto out;
	for (size_t i = 0; i < log.n && rc == 0; i++) {
		struct kvmap ev = KVMAP_INIT;
		const struct kvmap *old = &log.ev[i];
		const char *at = kv_get(old, "at");
		snprintf(what, sizeof(what), "%zu", i);
		stable_id(id, what, eid);
		event_hlc(old, &h);
		if (kv_get(old, "hlc") == NULL)
			h.n = (long long)i;	/* the line keeps events of one second in order */
		kv_set(&ev, "id", kv_get(old, "id") ? kv_get(old, "id") : eid);
		kv_set(&ev, "hlc", hlc_fmt(&h, clock));
		for (size_t k = 0; k < old->n; k++)
			if (strcmp(old->v[k].key, "id") && strcmp(old->v[k].key, "hlc"))
				kv_set(&ev, old->v[k].key, old->v[k].val);
		if (hlc_cmp(&h, &max) > 0)
			max = h;
		if (at && (last_at == NULL || strcmp(at, last_at) > 0))
			last_at = at;
		rc = add_line(out, &ev);
		kv_free(&ev);
	}
	if (rc != 0)
		goto out;
	max.n++;
	stable_id(id, "snapshot", eid);
	kv_set(&snap, "id", eid);
	kv_set(&snap, "hlc", hlc_fmt(&max, clock));
	kv_set(&snap, "at", last_at ? last_at : kv_get(&t, "created"));
	kv_set(&snap, "by", "upgrade");
	kv_set(&snap, "ev", "snapshot");
	for (size_t k = 0; k < t.n; k++)
		if (strcmp(t.v[k].key, "id") != 0)
			kv_set(&snap, t.v[k].key, t.v[k].val);
	rc = add_line(out, &snap);
out:
	log_free(&log);
	kv_free(&t);
	kv_free(&snap);
	return rc;
}

static int
blob_text(git_repository *repo, const git_tree *dir, const char *name, char **buf, size_t *len)
{
	const git_tree_entry *e = git_tree_entry_byname(dir, name);
	git_blob *b;

	*buf = NULL;
	*len = 0;
	if (e == NULL || git_blob_lookup(&b, repo, git_tree_entry_id(e)) < 0)
		return -1;
	*len = (size_t)git_blob_rawsize(b);
	*buf = xstrndup(git_blob_rawcontent(b), *len);
	git_blob_free(b);
	return 0;
}

/* One ticket folder: ticket.yaml out, the converted log in. */
static int
convert_ticket(git_repository *repo, const char *id, const git_oid *dir_id, git_oid *out)
{
	git_tree *dir = NULL;
	git_treebuilder *tb = NULL;
	char *tbuf = NULL, *lbuf = NULL;
	size_t tlen, llen;
	struct sbuf log = SBUF_INIT;
	git_oid blob;
	int rc;

	if ((rc = git_tree_lookup(&dir, repo, dir_id)) < 0)
		return git_fail(rc, id);
	if (blob_text(repo, dir, "ticket.yaml", &tbuf, &tlen) != 0) {
		*out = *dir_id;	/* not a ticket: kept as it is */
		goto done;
	}
	(void)blob_text(repo, dir, "log.yaml", &lbuf, &llen);
	if ((rc = convert_log(id, lbuf, llen, tbuf, tlen, &log)) != 0) {
		rc = rt_fail(EX_DATAERR, "#%s: %s", id, rt_errmsg());
		goto done;
	}
	if ((rc = git_treebuilder_new(&tb, repo, dir)) < 0 ||
	    (rc = git_blob_create_from_buffer(&blob, repo, log.buf ? log.buf : "", log.len)) < 0 ||
	    (rc = git_treebuilder_insert(NULL, tb, "log.yaml", &blob, GIT_FILEMODE_BLOB)) < 0 ||
	    (rc = git_treebuilder_remove(tb, "ticket.yaml")) < 0 ||
	    (rc = git_treebuilder_write(out, tb)) < 0)
		rc = git_fail(rc, id);
done:
	git_treebuilder_free(tb);
	git_tree_free(dir);
	sbuf_free(&log);
	free(tbuf);
	free(lbuf);
	return rc;
}

struct entry {
	char id[ID_LEN + 1];
	git_oid oid;
};

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id);
}

/* Collects tickets/XX/YY/ID, converted. */
static int
collect(git_repository *repo, const git_tree *tickets, struct entry **v, size_t *n)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < git_tree_entrycount(tickets); i++) {
		const git_tree_entry *a = git_tree_entry_byindex(tickets, i);
		git_tree *ta = NULL;
		if (git_tree_entry_type(a) != GIT_OBJECT_TREE ||
		    git_tree_lookup(&ta, repo, git_tree_entry_id(a)) < 0)
			continue;
		for (size_t j = 0; rc == 0 && j < git_tree_entrycount(ta); j++) {
			const git_tree_entry *b = git_tree_entry_byindex(ta, j);
			git_tree *tb = NULL;
			if (git_tree_entry_type(b) != GIT_OBJECT_TREE ||
			    git_tree_lookup(&tb, repo, git_tree_entry_id(b)) < 0)
				continue;
			for (size_t k = 0; rc == 0 && k < git_tree_entrycount(tb); k++) {
				const git_tree_entry *c = git_tree_entry_byindex(tb, k);
				const char *name = git_tree_entry_name(c);
				if (git_tree_entry_type(c) != GIT_OBJECT_TREE || strlen(name) != ID_LEN)
					continue;
				*v = xrealloc(*v, (*n + 1) * sizeof(**v));
				memcpy((*v)[*n].id, name, ID_LEN + 1);
				if ((rc = convert_ticket(repo, name, git_tree_entry_id(c),
				    &(*v)[*n].oid)) == 0)
					(*n)++;
			}
			git_tree_free(tb);
		}
		git_tree_free(ta);
	}
	return rc;
}

/* Builds level lvl (0..3) of tickets/ for v[0..n), all sharing lvl first characters. */
static int
build_level(git_repository *repo, const struct entry *v, size_t n, int lvl, git_oid *out)
{
	git_treebuilder *tb = NULL;
	int rc;

	if ((rc = git_treebuilder_new(&tb, repo, NULL)) < 0)
		return git_fail(rc, "tickets");
	for (size_t i = 0; i < n && rc >= 0;) {
		size_t j = i;
		if (lvl == 3) {
			rc = git_treebuilder_insert(NULL, tb, v[i].id, &v[i].oid, GIT_FILEMODE_TREE);
			i++;
			continue;
		}
		while (j < n && v[j].id[lvl] == v[i].id[lvl])
			j++;
		{
			char name[2] = { v[i].id[lvl], '\0' };
			git_oid sub;
			if ((rc = build_level(repo, v + i, j - i, lvl + 1, &sub)) == 0)
				rc = git_treebuilder_insert(NULL, tb, name, &sub, GIT_FILEMODE_TREE);
		}
		i = j;
	}
	if (rc >= 0)
		rc = git_treebuilder_write(out, tb);
	git_treebuilder_free(tb);
	return rc < 0 ? git_fail(rc, "tickets") : rc;
}

/* name in root with text, or its text with line added when missing. */
static int
ensure_line(git_repository *repo, git_treebuilder *root, const git_tree *tree, const char *name,
    const char *line)
{
	char *buf;
	size_t len;
	struct sbuf sb = SBUF_INIT;
	git_oid blob;
	int rc;

	if (blob_text(repo, tree, name, &buf, &len) == 0) {
		sbuf_add(&sb, buf, len);
		free(buf);
	}
	if (sb.buf == NULL || strstr(sb.buf, line) == NULL) {
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			sbuf_addc(&sb, '\n');
		sbuf_adds(&sb, line);
	}
	rc = git_blob_create_from_buffer(&blob, repo, sb.buf, sb.len);
	if (rc == 0)
		rc = git_treebuilder_insert(NULL, root, name, &blob, GIT_FILEMODE_BLOB);
	sbuf_free(&sb);
	return rc;
}

static int
format_tree(git_repository *repo, git_treebuilder *root)
{
	git_treebuilder *rt = NULL;
	git_oid blob, tree;
	char fmt[16];
	int rc;

	snprintf(fmt, sizeof(fmt), "%d\n", DESK_FORMAT);
	if ((rc = git_treebuilder_new(&rt, repo, NULL)) == 0 &&
	    (rc = git_blob_create_from_buffer(&blob, repo, fmt, strlen(fmt))) == 0 &&
	    (rc = git_treebuilder_insert(NULL, rt, "format", &blob, GIT_FILEMODE_BLOB)) == 0 &&
	    (rc = git_treebuilder_write(&tree, rt)) == 0)
		rc = git_treebuilder_insert(NULL, root, ".rt", &tree, GIT_FILEMODE_TREE);
	git_treebuilder_free(rt);
	return rc;
}

/* HEAD's tree converted; *v (sorted) the tickets moved. */
static int
convert_tree(struct desk *d, git_tree *root, git_oid *out, struct entry **vp, size_t *np)
{
	git_repository *repo = d->repo;
	git_treebuilder *tb = NULL;
	const git_tree_entry *te = git_tree_entry_byname(root, "tickets");
	git_tree *tickets = NULL;
	struct entry *v = NULL;
	size_t n = 0;
	git_oid tid;
	int rc = 0;

	if (te && git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    (rc = git_tree_lookup(&tickets, repo, git_tree_entry_id(te))) < 0)
		return git_fail(rc, "tickets");
	if (tickets && (rc = collect(repo, tickets, &v, &n)) != 0)
		goto out;
	qsort(v, n, sizeof(*v), cmp_entry);
	if ((rc = git_treebuilder_new(&tb, repo, root)) < 0) {
		rc = git_fail(rc, "cannot build the tree");
		goto out;
	}
	if (n > 0) {
		if ((rc = build_level(repo, v, n, 0, &tid)) != 0)
			goto out;
		rc = git_treebuilder_insert(NULL, tb, "tickets", &tid, GIT_FILEMODE_TREE);
	}
	if (rc >= 0)
		rc = format_tree(repo, tb);
	if (rc >= 0)
		rc = ensure_line(repo, tb, root, ".gitignore", FORMAT_GITIGNORE);
	if (rc >= 0)
		rc = ensure_line(repo, tb, root, ".gitattributes",
		    "# Event logs are append-only, one event per line: both sides of a merge are kept.\n"
		    "log.yaml merge=union\n");
	if (rc >= 0)
		rc = git_treebuilder_write(out, tb);
	if (rc < 0)
		rc = git_fail(rc, "cannot build the tree");
out:
	git_treebuilder_free(tb);
	git_tree_free(tickets);
	*vp = v;
	*np = n;
	return rc;
}

static int
commit_and_move(struct desk *d, git_commit *head, const git_oid *tree_id, git_oid *out)
{
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_reference *ref = NULL, *hr = NULL;
	const git_commit *parents[1] = { head };
	const char *name = "HEAD";
	char *msg = xasprintf("upgrade: desk format %d\n\nAction: upgrade\n", DESK_FORMAT);
	int rc;

	if ((rc = git_signature_now(&sig, d->actor_name ? d->actor_name : "rt",
	    d->actor_email ? d->actor_email : "rt@localhost")) < 0 ||
	    (rc = git_tree_lookup(&tree, d->repo, tree_id)) < 0 ||
	    (rc = git_commit_create(out, d->repo, NULL, sig, sig, NULL, msg, tree, 1, parents)) < 0 ||
	    (rc = git_reference_lookup(&hr, d->repo, "HEAD")) < 0)
		goto out;
	if (git_reference_type(hr) == GIT_REFERENCE_SYMBOLIC)
		name = git_reference_symbolic_target(hr);
	rc = git_reference_create_matching(&ref, d->repo, name, out, 1, git_commit_id(head),
	    "rt: upgrade to desk format 2");
	desk_head_moved(d, NULL);
out:
	free(msg);
	git_reference_free(ref);
	git_reference_free(hr);
	git_tree_free(tree);
	git_signature_free(sig);
	return rc < 0 ? git_fail(rc, "cannot commit the upgrade") : 0;
}

/* Writes path of tree into the work tree (not fsynced: the commit is). */
static void
put_file(struct desk *d, git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	char *full = xasprintf("%s/%s", d->root, path), *slash;

	if (git_tree_entry_bypath(&e, tree, path) == 0 &&
	    git_blob_lookup(&b, d->repo, git_tree_entry_id(e)) == 0) {
		if ((slash = strrchr(full, '/')) != NULL) {
			*slash = '\0';
			mkdir_p(full, 0777);
			*slash = '/';
		}
		write_file_atomic(full, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), 0);
	}
	git_blob_free(b);
	git_tree_entry_free(e);
	free(full);
}

/*
 * The work tree follows by renaming each ticket folder (a checkout would
 * rewrite every file), then the index is rebuilt from HEAD. What a folder
 * lacks is repaired by rt-gc like any pending path.
 */
static int
move_worktree(struct desk *d, const struct entry *v, size_t n, const git_oid *commit_id)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	int rc;

	if ((rc = git_commit_lookup(&c, d->repo, commit_id)) < 0 ||
	    (rc = git_commit_tree(&tree, c)) < 0) {
		git_commit_free(c);
		return git_fail(rc, "cannot read the upgrade");
	}
	for (size_t i = 0; i < n; i++) {
		char *old = xasprintf("%s/tickets/%.2s/%.2s/%s", d->root, v[i].id, v[i].id + 2,
		    v[i].id);
		char *rel = ticket_dir(v[i].id), *new = xasprintf("%s/%s", d->root, rel);
		char *parent = xstrdup(new), *p, *log = xasprintf("%s/log.yaml", rel);
		char *ty = xasprintf("%s/ticket.yaml", new);
		*strrchr(parent, '/') = '\0';
		mkdir_p(parent, 0777);
		if (rename(old, new) == 0)
			unlink(ty);
		put_file(d, tree, log);
		/* the emptied tickets/XX/YY and tickets/XX */
		for (int k = 0; k < 2 && (p = strrchr(old, '/')) != NULL; k++) {
			*p = '\0';
			if (rmdir(old) != 0)
				break;
		}
		free(old);
		free(rel);
		free(new);
		free(parent);
		free(log);
		free(ty);
	}
	put_file(d, tree, FORMAT_FILE);
	put_file(d, tree, ".gitignore");
	put_file(d, tree, ".gitattributes");
	git_tree_free(tree);
	git_commit_free(c);
	guard_index_writer(d);
	rc = worktree_sync(d, 1);
	guard_index_done(d);
	return rc;
}

/* Everything written to the object store reaches the disk. */
static int
sync_objects(struct desk *d)
{
	char *dir = xasprintf("%sobjects", d->gitdir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || syncfs(fd) != 0)
		rc = rt_fail(EX_TEMPFAIL, "cannot sync '%s': %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int
upgrade_desk(struct desk *d, int *upgraded)
{
	git_commit *head = NULL;
	git_tree *root = NULL;
	git_oid tree_id, commit_id;
	struct entry *v = NULL;
	char *buf;
	size_t len, n = 0;
	int rc;

	*upgraded = 0;
	if ((rc = desk_head(d, &head)) != 0 || head == NULL)
		return rc;
	if (desk_read_head(d, FORMAT_FILE, &buf, &len) == 0) {
		free(buf);	/* format 2 or later already */
		goto out;
	}
	if ((rc = git_commit_tree(&root, head)) < 0) {
		rc = git_fail(rc, "cannot read HEAD tree");
		goto out;
	}
	/*
	 * Tens of thousands of new objects: written without a fsync each,
	 * then made durable by one syncfs before the branch moves to them.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	rc = convert_tree(d, root, &tree_id, &v, &n);
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, d->durable);
	if (rc != 0)
		goto out;
	if (d->durable && (rc = sync_objects(d)) != 0)
		goto out;
	if ((rc = commit_and_move(d, head, &tree_id, &commit_id)) != 0)
		goto out;
	id_set_format(DESK_FORMAT);
	*upgraded = 1;
	rc = move_worktree(d, v, n, &commit_id);
out:
	free(v);
	git_tree_free(root);
	git_commit_free(head);
	return rc;
}
