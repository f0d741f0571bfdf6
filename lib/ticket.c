/* ticket.c: ticket.yaml (state) and log.yaml (append-only events) */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desk.h"
#include "head.h"
#include "hlc.h"
#include "id.h"
#include "logflow.h"
#include "replay.h"
#include "ticket.h"
#include "util.h"
#include "worktree.h"
#include "yamlio.h"

const char *const ticket_keys[] = {
	"id", "subject", "status", "queue", "priority", "severity", "type",
	"owner", "team", "requestors", "cc", "customer", "channel", "language",
	"tags", "due", "created", "parent", "children", "refers", "merged-into",
	"merged", NULL
};

const char *const ticket_list_keys[] = {
	"requestors", "cc", "tags", "children", "refers", "merged", "watchers", NULL
};

int
ticket_is_list(const char *key)
{
	for (size_t i = 0; ticket_list_keys[i]; i++)
		if (strcmp(key, ticket_list_keys[i]) == 0)
			return 1;
	return 0;
}

/* Whether s leaves a double quote open. */
static int
quote_open(const char *s)
{
	int quote = 0;

	for (; *s; s++) {
		if (*s == '\\' && quote && s[1])
			s++;
		else if (*s == '"')
			quote = !quote;
	}
	return quote;
}

/* Joins a sequence of scalars with ','; commas inside items become spaces
 * unless they are inside double quotes (kv.h). */
static int
join_seq(const struct ynode *seq, const char *name, struct sbuf *sb)
{
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->items[i];
		if (it->kind != Y_SCALAR)
			return rt_fail(EX_DATAERR, "%s: list items must be plain values",
			    ynode_where(it, name));
		if (yscalar_is_null(it) || it->value[0] == '\0')
			continue;
		if (sb->len)
			sbuf_addc(sb, ',');
		/* an item with balanced quotes keeps its quoted commas (kv.h) */
		int whole = kv_list_item_len(it->value) == strlen(it->value) &&
		    !quote_open(it->value);
		for (const char *p = it->value; *p; p++)
			sbuf_addc(sb, *p == ',' && !whole ? ' ' : *p);
	}
	return 0;
}

int
ticket_parse(const char *buf, size_t len, const char *name, struct kvmap *t)
{
	struct ynode *root = yaml_load(buf, len, name);
	int rc = 0;

	if (root == NULL)
		return EX_DATAERR;
	if (root->kind != Y_MAP) {
		rc = rt_fail(EX_DATAERR, "%s: a ticket must be a mapping", ynode_where(root, name));
		goto out;
	}
	for (size_t i = 0; i < root->n && rc == 0; i++) {
		const struct ynode *v = root->items[i];
		struct sbuf sb = SBUF_INIT;
		if (v->kind == Y_SEQ)
			rc = join_seq(v, name, &sb);
		else if (v->kind == Y_MAP)
			rc = rt_fail(EX_DATAERR, "%s: nested mappings are not supported",
			    ynode_where(v, name));
		else if (!yscalar_is_null(v))
			sbuf_adds(&sb, v->value);
		if (rc == 0)
			kv_set(t, root->keys[i], sb.buf);
		sbuf_free(&sb);
	}
out:
	ynode_free(root);
	return rc;
}

static int
emit_value(struct yemit *e, const char *key, const char *val)
{
	char **v;
	size_t n;
	int rc = 0;

	if (!ticket_is_list(key))
		return yemit_kv(e, key, val);
	rc |= yemit_key(e, key);
	rc |= yemit_seq_start(e, 1);
	n = kv_list_split(val, &v);
	for (size_t i = 0; i < n; i++)
		rc |= yemit_str(e, v[i]);
	strv_free(v, n);
	rc |= yemit_seq_end(e);
	return rc ? -1 : 0;
}

static int
is_known(const char *key)
{
	for (size_t i = 0; ticket_keys[i]; i++)
		if (strcmp(key, ticket_keys[i]) == 0)
			return 1;
	return 0;
}

int
ticket_render(const struct kvmap *t, char **buf, size_t *len)
{
	struct yemit *e = yemit_new();
	int rc = 0;

	if (e == NULL)
		return EX_OSERR;
	rc |= yemit_map_start(e, 0);
	for (size_t i = 0; ticket_keys[i]; i++) {
		const char *v = kv_get(t, ticket_keys[i]);
		if (v)
			rc |= emit_value(e, ticket_keys[i], v);
	}
	for (size_t i = 0; i < t->n; i++)
		if (!is_known(t->v[i].key))
			rc |= emit_value(e, t->v[i].key, t->v[i].val);
	rc |= yemit_map_end(e);
	*buf = rc ? NULL : yemit_finish(e, len);
	yemit_free(e);
	return *buf ? 0 : EX_DATAERR;
}

/*
 * The last items event_render made, with the events they came from: the
 * cache reads each commit's log right after the change appended them
 * (log_parse_again), and a log that is (or ends in) these bytes is
 * the events themselves, without libyaml (170k instructions a new
 * ticket). Only events whose every value reads back as itself: none
 * that a plain scalar would make null.
 *
 * These items and the kept log below are the process's: memo_mu guards
 * both, taken by event_render, log_parse_again and log_parse_keep. Today
 * only the main thread calls them (the cache's reading threads use
 * log_parse, which shares nothing), so the lock is never contended.
 */
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;
#define RENDERED_MAX 16
static struct {
	char *buf;
	size_t len;
	struct kvmap ev;
} rendered[RENDERED_MAX];
static size_t rendered_next;

static int
reads_back(const struct kvmap *ev)
{
	for (size_t i = 0; i < ev->n; i++) {
		const char *v = ev->v[i].val;
		if (v == NULL || v[0] == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0)
			return 0;
		for (size_t j = 0; j < i; j++)
			if (strcmp(ev->v[j].key, ev->v[i].key) == 0)
				return 0;
	}
	return 1;
}

static void
rendered_keep(const char *buf, size_t len, const struct kvmap *ev)
{
	size_t i = rendered_next++ % RENDERED_MAX;

	free(rendered[i].buf);
	kv_free(&rendered[i].ev);
	rendered[i].buf = NULL;
	/* one whole item of a plain block sequence, as log_parse_keep keeps */
	if (!reads_back(ev) || len < 2 || memcmp(buf, "- ", 2) != 0 || buf[len - 1] != '\n' ||
	    memmem(buf, len, "\n---", 4) || memmem(buf, len, "\n...", 4))
		return;
	rendered[i].buf = xmalloc(len);
	memcpy(rendered[i].buf, buf, len);
	rendered[i].len = len;
	kv_copy(&rendered[i].ev, ev);
}

/* 0 and the events if buf is a run of kept items, else -1. */
static int
rendered_log(const char *buf, size_t len, struct evlog *log)
{
	size_t at[RENDERED_MAX], n = 0;

	for (size_t p = 0; p < len;) {
		size_t i;
		for (i = 0; i < RENDERED_MAX; i++)
			if (rendered[i].buf && rendered[i].len <= len - p &&
			    memcmp(buf + p, rendered[i].buf, rendered[i].len) == 0)
				break;
		if (i == RENDERED_MAX || n == RENDERED_MAX)
			return -1;
		at[n++] = i;
		p += rendered[i].len;
	}
	memset(log, 0, sizeof(*log));
	log->ev = xcalloc(n + 1, sizeof(*log->ev));
	for (size_t k = 0; k < n; k++)
		kv_copy(&log->ev[k], &rendered[at[k]].ev);
	log->n = n;
	return n ? 0 : -1;
}

int
event_render(const struct kvmap *ev, char **buf, size_t *len)
{
	struct yemit *e = yemit_new();
	int rc = 0;

	if (e == NULL)
		return EX_OSERR;
	rc |= yemit_seq_start(e, 0);
	rc |= yemit_map_start(e, 1);
	for (size_t i = 0; i < ev->n; i++)
		rc |= yemit_kv(e, ev->v[i].key, ev->v[i].val);
	rc |= yemit_map_end(e);
	rc |= yemit_seq_end(e);
	*buf = rc ? NULL : yemit_finish(e, len);
	yemit_free(e);
	if (*buf) {
		pthread_mutex_lock(&memo_mu);
		rendered_keep(*buf, *len, ev);
		pthread_mutex_unlock(&memo_mu);
	}
	return *buf ? 0 : EX_DATAERR;
}

int
log_parse(const char *buf, size_t len, const char *name, struct evlog *log)
{
	struct ynode *root;
	int rc = 0;

	memset(log, 0, sizeof(*log));
	if (logflow_parse(buf, len, log) == 0)
		return 0;	/* the common shape, without libyaml */
	if ((root = yaml_load(buf, len, name)) == NULL)
		return EX_DATAERR;
	if (root->kind == Y_MAP && root->n == 0)
		goto out;	/* empty file */
	if (root->kind != Y_SEQ) {
		rc = rt_fail(EX_DATAERR, "%s: a log must be a list", ynode_where(root, name));
		goto out;
	}
	log->ev = xcalloc(root->n, sizeof(*log->ev));
	for (size_t i = 0; i < root->n; i++) {
		const struct ynode *m = root->items[i];
		if (m->kind != Y_MAP) {
			rc = rt_fail(EX_DATAERR, "%s: an event must be a mapping",
			    ynode_where(m, name));
			goto out;
		}
		for (size_t j = 0; j < m->n; j++)
			if (m->items[j]->kind == Y_SCALAR && !yscalar_is_null(m->items[j]))
				kv_set(&log->ev[log->n], m->keys[j], m->items[j]->value);
		log->n++;
	}
out:
	ynode_free(root);
	return rc;
}

/*
 * The last log parsed by log_parse_keep, kept per process (memo_mu): a change
 * parses the ticket's log at HEAD, then the cache indexes that log plus
 * the lines the change appended. Only a plain log (a block sequence, one
 * document) is kept, so the lines after it are new items of the same list.
 */
static struct {
	char *buf;
	size_t len;
	struct evlog log;
} kept;

static void
log_copy(struct evlog *dst, const struct evlog *src, size_t extra)
{
	dst->ev = xcalloc(src->n + extra + 1, sizeof(*dst->ev));
	dst->n = src->n;
	for (size_t i = 0; i < src->n; i++)
		kv_copy(&dst->ev[i], &src->ev[i]);
}

/* Whether buf is the kept log with whole "- " items after it. */
static int
extends_kept(const char *buf, size_t len)
{
	return kept.buf && len >= kept.len && memcmp(buf, kept.buf, kept.len) == 0 &&
	    (len == kept.len || (len - kept.len >= 2 && memcmp(buf + kept.len, "- ", 2) == 0));
}

static int
parse_from_kept(const char *buf, size_t len, const char *name, struct evlog *log)
{
	struct evlog tail = { NULL, 0 };

	if (!extends_kept(buf, len) ||
	    (len > kept.len && rendered_log(buf + kept.len, len - kept.len, &tail) != 0 &&
	    log_parse(buf + kept.len, len - kept.len, name, &tail) != 0)) {
		log_free(&tail);
		if (rendered_log(buf, len, log) == 0)
			return 0;
		return log_parse(buf, len, name, log);	/* its errors name the right line */
	}
	log_copy(log, &kept.log, tail.n);
	if (tail.n)
		memcpy(log->ev + log->n, tail.ev, tail.n * sizeof(*tail.ev));
	log->n += tail.n;
	free(tail.ev);
	return 0;
}

static int
parse_keep_locked(const char *buf, size_t len, const char *name, struct evlog *log)
{
	int rc = parse_from_kept(buf, len, name, log);

	if (rc != 0 || (kept.buf && kept.len == len && memcmp(kept.buf, buf, len) == 0))
		return rc;
	free(kept.buf);
	log_free(&kept.log);
	kept.buf = NULL;
	kept.len = 0;
	if (len < 2 || memcmp(buf, "- ", 2) != 0 || buf[len - 1] != '\n' ||
	    memmem(buf, len, "\n---", 4) || memmem(buf, len, "\n...", 4))
		return 0;
	kept.buf = xmalloc(len);
	memcpy(kept.buf, buf, len);
	kept.len = len;
	log_copy(&kept.log, log, 0);
	return 0;
}

static int
parse_kept(const char *buf, size_t len, const char *name, struct evlog *log, int keep)
{
	int rc;

	pthread_mutex_lock(&memo_mu);
	rc = (keep ? parse_keep_locked : parse_from_kept)(buf, len, name, log);
	pthread_mutex_unlock(&memo_mu);
	return rc;
}

int
log_parse_again(const char *buf, size_t len, const char *name, struct evlog *log)
{
	return parse_kept(buf, len, name, log, 0);
}

int
log_parse_keep(const char *buf, size_t len, const char *name, struct evlog *log)
{
	return parse_kept(buf, len, name, log, 1);
}

void
log_sort(struct evlog *log)
{
	/* Insertion sort: stable, and linear for a log that is already in order. */
	for (size_t i = 1; i < log->n; i++) {
		struct kvmap cur = log->ev[i];
		size_t j = i;
		while (j > 0 && event_order(&cur, &log->ev[j - 1]) < 0) {
			log->ev[j] = log->ev[j - 1];
			j--;
		}
		log->ev[j] = cur;
	}
}

void
log_free(struct evlog *log)
{
	for (size_t i = 0; i < log->n; i++)
		kv_free(&log->ev[i]);
	free(log->ev);
	log->ev = NULL;
	log->n = 0;
}

/* Format 2: the state is the replay of the log (replay.h). */
static int
load_replayed(struct desk *d, const char *id, struct kvmap *t, struct evlog *log)
{
	char *path = ticket_path(id, "log.yaml"), *buf;
	struct evlog own = { NULL, 0 };
	size_t len;
	int rc;

	if (log == NULL)
		log = &own;
	memset(log, 0, sizeof(*log));
	if (desk_read_head(d, path, &buf, &len) != 0) {
		free(path);
		return ticket_missing();
	}
	if ((rc = log_parse_keep(buf, len, path, log)) == 0)
		rc = replay(id, log, t, NULL);
	free(buf);
	free(path);
	log_free(&own);
	return rc;
}

int
ticket_missing(void)
{
	return rt_fail(EX_NOINPUT, "no such ticket");
}

int
ticket_load(struct desk *d, const char *id, struct kvmap *t, struct evlog *log)
{
	char *path, *buf;
	size_t len;
	int rc;

	if (id_format() >= 2)
		return load_replayed(d, id, t, log);
	path = ticket_path(id, "ticket.yaml");
	if ((rc = desk_read_head(d, path, &buf, &len)) != 0) {
		free(path);
		return ticket_missing();
	}
	rc = ticket_parse(buf, len, path, t);
	free(buf);
	free(path);
	if (rc != 0 || log == NULL)
		return rc;
	path = ticket_path(id, "log.yaml");
	if (desk_read_head(d, path, &buf, &len) == 0) {
		rc = log_parse(buf, len, path, log);
		free(buf);
		log_sort(log);
	} else
		memset(log, 0, sizeof(*log));
	free(path);
	return rc;
}

/*
 * The derived file is written aside as .git/rt/tmp/part.ticket.PID, not
 * next to itself: what a killed process leaves is then a part.* file,
 * which rt-gc removes, and never litters the work tree.
 */
static pthread_mutex_t derived_mu = PTHREAD_MUTEX_INITIALIZER;	/* one temporary a process */

static int
write_derived(struct desk *d, const char *path, const char *buf, size_t len)
{
	char *dir = xasprintf("%s/tmp", d->rtdir);
	char *tmp = xasprintf("%s/part.ticket.%ld", dir, rt_pid());
	int fd, rc = -1;

	pthread_mutex_lock(&derived_mu);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666)) < 0 &&
	    errno == ENOENT && mkdir_p(dir, 0777) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd >= 0) {
		rc = write_all(fd, buf, len);
		if (close(fd) < 0 || rc < 0 || rename(tmp, path) < 0) {
			/* a folder gone since: nothing to mirror into */
			rc = rc == 0 && errno == ENOENT && access(tmp, F_OK) == 0 ? 0 : -1;
			unlink(tmp);
		}
	}
	pthread_mutex_unlock(&derived_mu);
	free(tmp);
	free(dir);
	return rc < 0 ? -1 : 0;
}

/*
 * The path of id's ticket.yaml in the work tree when it is not t rendered
 * (*buf, *len: the rendering), else NULL: equal, or its folder not checked
 * out (nothing to mirror into).
 */
static char *
worktree_owed(struct desk *d, const char *id, const struct kvmap *t, char **buf, size_t *len)
{
	char *rel = ticket_path(id, "ticket.yaml"), *path = xasprintf("%s/%s", d->root, rel);
	char *old = NULL, *slash = strrchr(path, '/');
	size_t oldlen = 0;
	int have, made, owed = 0;
	struct stat st;

	*buf = NULL;
	free(rel);
	/* a folder this process made has no ticket.yaml it did not write */
	*slash = '\0';
	made = dir_known(path) == 2;
	*slash = '/';
	have = !made && read_file(path, &old, &oldlen) == 0;
	/* no folder in the work tree (not checked out): nothing to mirror into */
	if (!have && !made && errno == ENOENT) {
		*slash = '\0';
		int there = stat(path, &st) == 0;
		*slash = '/';
		if (!there)
			goto out;
	}
	/* unchanged files are not rewritten: a rebuild touches only what moved */
	if (ticket_render(t, buf, len) == 0)
		owed = !have || oldlen != *len || memcmp(old, *buf, *len) != 0;
out:
	free(old);
	if (!owed) {
		free(*buf);
		*buf = NULL;
		free(path);
		path = NULL;
	}
	return path;
}

int
ticket_render_worktree(struct desk *d, const char *id, const struct kvmap *t)
{
	char *buf, *path;
	size_t len;
	int rc = 0;

	if ((path = worktree_owed(d, id, t, &buf, &len)) != NULL)
		rc = write_derived(d, path, buf, len);
	free(buf);
	free(path);
	return rc;
}

/* The work-tree thread's writer of a ticket.yaml: nothing may fail for it. */
static int
derived_job(const char *full, const char *buf, size_t len, void *arg)
{
	(void)write_derived(arg, full, buf, len);
	return 0;
}

int
ticket_render_worktree_queued(struct desk *d, const char *id, const struct kvmap *t)
{
	char *buf, *path;
	size_t len;

	if ((path = worktree_owed(d, id, t, &buf, &len)) != NULL)
		worktree_queue_by(path, buf, len, derived_job, d);	/* buf is the queue's */
	else
		free(buf);
	free(path);
	return 0;
}

int
ticket_worktree_owed(struct desk *d, const char *id, const struct kvmap *t)
{
	char *buf, *path = worktree_owed(d, id, t, &buf, &(size_t){ 0 });
	int owed = path != NULL;

	free(buf);
	free(path);
	return owed;
}
