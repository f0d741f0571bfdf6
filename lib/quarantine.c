/* quarantine.c: listing, showing and re-ingesting quarantined input */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "desk.h"
#include "event.h"
#include "head.h"
#include "ingest.h"
#include "quarantine.h"
#include "text.h"
#include "txn.h"
#include "util.h"
#include "yamlio.h"

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A header section opening with fields every mail system writes. */
static int
looks_like_mail(const char *buf, size_t len)
{
	static const char *const fields[] = {
		"From ", "From:", "Return-Path:", "Received:", "Message-Id:", "Message-ID:",
		"Date:", "Subject:", "Delivered-To:", "To:", "MIME-Version:",
	};

	for (size_t k = 0; k < LEN(fields); k++)
		if (len >= strlen(fields[k]) && strncasecmp(buf, fields[k], strlen(fields[k])) == 0)
			return 1;
	return 0;
}

/*
 * Without a kind in the .yaml: what opens like mail is mail; what the
 * event parser understands is an event payload, and so is what the event
 * path refused (its reasons say "event"); anything else came in as mail.
 */
static const char *
guess_kind(const char *buf, size_t len, const char *reason)
{
	struct event_list l;

	if (looks_like_mail(buf, len))
		return "mail";
	if (event_parse(buf, len, NULL, &l) == 0) {
		event_list_free(&l);
		return "event";
	}
	if (reason && (str_starts(reason, "not an event") || str_starts(reason, "no event") ||
	    str_starts(reason, "event ")))
		return "event";
	return "mail";
}

static void
entry_from_meta(struct desk *d, git_tree *tree, struct qentry *e, const struct ynode *y,
    const char *dir)
{
	const char *file = ymap_str(y, "file"), *kind = ymap_str(y, "kind"), *k;
	long long size;

	e->received = dup_or_null(ymap_str(y, "received"));
	e->reason = ymap_str(y, "reason") ? utf8_clean(ymap_str(y, "reason"),
	    strlen(ymap_str(y, "reason")), 1) : NULL;
	e->source = dup_or_null(ymap_str(y, "source"));
	e->partial = dup_or_null(ymap_str(y, "kept"));
	/* The event path says so in the reason: "...; kept: the first N of M bytes". */
	if (e->partial == NULL && e->reason && (k = strstr(e->reason, "kept: the first ")))
		e->partial = xstrdup(k + 6);
	e->size = ymap_get(y, "size") && ynode_int(ymap_get(y, "size"), &size) == 0 ? size : -1;
	/* The kept file lies beside the .yaml; a name with a slash is not ours. */
	if (file && *file && !strchr(file, '/') && strcmp(file, "..") != 0)
		e->kept = xasprintf("%s/%s", dir, file);
	if (kind && (strcmp(kind, "mail") == 0 || strcmp(kind, "event") == 0))
		e->kind = xstrdup(kind);
	else if (e->source)
		e->kind = xstrdup("event");
	if (e->kept && (e->kind == NULL || e->size < 0)) {
		char *buf;
		size_t len;
		if (tree_read(d->repo, tree, e->kept, &buf, &len) == 0) {
			if (e->size < 0)
				e->size = (long long)len;
			if (e->kind == NULL)
				e->kind = xstrdup(guess_kind(buf, len, e->reason));
			free(buf);
		}
	}
	if (e->kind == NULL)
		e->kind = xstrdup("?");
}

static void
add_entry(struct desk *d, git_tree *root, struct qlist *l, const char *dir, const char *name)
{
	struct qentry *e;
	struct ynode *y;
	char *buf;
	size_t len, nl = strlen(name);

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->id = xstrndup(name, nl - 5);
	e->meta = xasprintf("%s/%s", dir, name);
	e->size = -1;
	if (tree_read(d->repo, root, e->meta, &buf, &len) != 0) {
		e->kind = xstrdup("?");
		return;
	}
	if ((y = yaml_load(buf, len, e->meta)) != NULL && y->kind == Y_MAP)
		entry_from_meta(d, root, e, y, dir);
	else {
		e->reason = xasprintf("(unreadable %s)", e->meta);
		e->kind = xstrdup("?");
	}
	ynode_free(y);
	free(buf);
}

static int
subtree(git_repository *repo, git_tree *tree, const char *path, git_tree **out)
{
	git_tree_entry *te = NULL;
	int rc;

	*out = NULL;
	if (git_tree_entry_bypath(&te, tree, path) < 0)
		return -1;
	rc = git_tree_entry_type(te) == GIT_OBJECT_TREE ?
	    git_tree_lookup(out, repo, git_tree_entry_id(te)) : -1;
	git_tree_entry_free(te);
	return rc < 0 ? -1 : 0;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct qentry *)a)->id, ((const struct qentry *)b)->id);
}

int
quarantine_list(struct desk *d, struct qlist *out)
{
	git_commit *head = NULL;
	git_tree *root = NULL, *q = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = desk_head(d, &head)) != 0 || head == NULL)
		return rc;
	if (git_commit_tree(&root, head) < 0) {
		git_commit_free(head);
		return git_fail(-1, "cannot read HEAD's tree");
	}
	if (subtree(d->repo, root, "quarantine", &q) == 0) {
		for (size_t i = 0; i < git_tree_entrycount(q); i++) {
			const git_tree_entry *m = git_tree_entry_byindex(q, i);
			git_tree *mt = NULL;
			char *dir;
			if (git_tree_entry_type(m) != GIT_OBJECT_TREE)
				continue;
			dir = xasprintf("quarantine/%s", git_tree_entry_name(m));
			if (subtree(d->repo, root, dir, &mt) == 0) {
				for (size_t k = 0; k < git_tree_entrycount(mt); k++) {
					const char *n = git_tree_entry_name(git_tree_entry_byindex(mt, k));
					size_t nl = strlen(n);
					if (nl > 5 && strcmp(n + nl - 5, ".yaml") == 0)
						add_entry(d, root, out, dir, n);
				}
			}
			git_tree_free(mt);
			free(dir);
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), by_id);
	git_tree_free(q);
	git_tree_free(root);
	git_commit_free(head);
	return 0;
}

void
qlist_free(struct qlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct qentry *e = &l->v[i];
		free(e->id), free(e->meta), free(e->kept), free(e->received);
		free(e->reason), free(e->kind), free(e->source), free(e->partial);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
quarantine_find(const struct qlist *l, const char *id, const struct qentry **out)
{
	size_t n = 0, idl = strlen(id);

	*out = NULL;
	if (idl == 0)
		return rt_fail(EX_USAGE, "an empty quarantine id");
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].id, id) == 0) {
			*out = &l->v[i];
			return 0;
		}
		if (strncmp(l->v[i].id, id, idl) == 0) {
			*out = &l->v[i];
			n++;
		}
	}
	if (n == 1)
		return 0;
	*out = NULL;
	if (n > 1)
		return rt_fail(EX_USAGE, "'%s' names %zu quarantine entries; give more of the id", id, n);
	return rt_fail(EX_NOINPUT, "no quarantine entry '%s'", id);
}

int
quarantine_read(struct desk *d, const struct qentry *e, char **buf, size_t *len)
{
	if (e->kept == NULL)
		return rt_fail(EX_NOINPUT, "%s names no kept file", e->meta);
	return desk_read_head(d, e->kept, buf, len);
}

/* Removes the entry's .yaml and kept file in one commit. */
static int
remove_entry(struct desk *d, const struct qentry *e, const char *why)
{
	struct txn *t;
	char *subject;
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return rc;
	t = txn_begin(d);
	txn_remove(t, e->meta);
	if (e->kept)
		txn_remove(t, e->kept);
	subject = xasprintf("%s %s", e->id, why);
	rc = quarantine_txn_commit(d, t, subject);
	free(subject);
	desk_unlock(d);
	return rc;
}

static void
stored_one(const struct ingest_result *r, void *arg)
{
	struct qreingest *o = arg;

	memcpy(o->id, r->id, sizeof(o->id));
	o->stored++;
}

int
quarantine_reingest(struct desk *d, const struct qentry *e, struct qreingest *o)
{
	const char *kind = o->kind ? o->kind : e->kind;
	char *buf = NULL, *where = NULL, *why, *err;
	size_t len;
	int rc;

	o->stored = 0;
	o->requarantined = NULL;
	if (e->partial)
		return rt_fail(EX_DATAERR, "%s: only part of the input was kept (%s); it cannot be re-ingested",
		    e->id, e->partial);
	if ((rc = quarantine_read(d, e, &buf, &len)) != 0)
		return rc;
	if (strcmp(kind, "mail") != 0 && strcmp(kind, "event") != 0)
		kind = guess_kind(buf, len, e->reason);
	/* the bytes stay in quarantine/ until they are stored: no spool */
	if (strcmp(kind, "mail") == 0) {
		struct ingest_result r;
		memset(&r, 0, sizeof(r));
		rc = ingest_mail(d, buf, len, len, 0, &r);
		if (rc == 0) {
			memcpy(o->id, r.id, sizeof(o->id));
			o->stored = 1;
		}
		where = r.quarantined;
	} else
		rc = ingest_events_buf(d, buf, len, len, o->source ? o->source : e->source,
		    stored_one, o, &where);
	free(buf);
	if (rc == 0) {
		/* Stored (a retry after 75 is safe: ingest dedupes). */
		why = xasprintf("re-ingested as #%s", o->id);
		rc = remove_entry(d, e, why);
		free(why);
	} else if (rc == EX_DATAERR && where) {
		/* Refused again: the new entry holds today's reason. */
		o->requarantined = quarantine_id(where);
		err = xstrdup(rt_errmsg());
		if (strcmp(o->requarantined, e->id) != 0)
			remove_entry(d, e, "refused again, superseded");
		rt_fail(EX_DATAERR, "%s", err);
		free(err);
	}
	free(where);
	return rc;
}
