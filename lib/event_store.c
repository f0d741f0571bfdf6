/*
 * event_store.c: storing the events of a machine payload as tickets.
 *
 * Each event is one commit, made under the desk lock like a mail: the
 * cache is brought up to HEAD, then the event's key finds a duplicate,
 * its thread key or the key of the event it answers finds the ticket of
 * a follow-up, or a new ticket is opened. A new ticket's create event
 * carries "message-id: thread:KEY" so that the cache's message-id map
 * finds it by thread key. The whole payload is kept byte-exact in the
 * ticket's msg/ folder (git stores it once however many tickets hold it).
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "change.h"
#include "desk.h"
#include "event.h"
#include "ingest.h"
#include "status.h"
#include "ticket.h"
#include "util.h"

#define MAX_BYTES_DEFAULT (50L << 20)

static int
find(struct desk *d, const char *key, ticket_id out)
{
	ticket_id t;

	if (key == NULL || cache_find_msgid(d, key, t) != 0)
		return -1;
	return cache_resolve(d, t, out) == 0 ? 0 : -1;
}

/*
 * Whether the ticket holds the event under key with this content. A
 * source's own id may come again with other content (an edited message);
 * that is stored as a follow-up under "KEY#DIGEST".
 */
static int
same_content(struct desk *d, const char *id, const char *key, const char *digest)
{
	struct kvmap t = KVMAP_INIT;
	struct evlog log = { NULL, 0 };
	int same = 0;

	if (ticket_load(d, id, &t, &log) != 0)
		return 1;
	for (size_t i = 0; i < log.n && !same; i++) {
		const char *k = kv_get(&log.ev[i], "message-id"), *g = kv_get(&log.ev[i], "digest");
		same = k && strcmp(k, key) == 0 && (g == NULL || strcmp(g, digest) == 0);
	}
	kv_free(&t);
	log_free(&log);
	return same;
}

static void
add_event_in(struct change *c, const struct event *e, const char *file, int multi)
{
	struct kvmap *ev = change_event(c, "event-in");

	kv_set(ev, "file", file);
	kv_set(ev, "source", e->source);
	kv_set(ev, "message-id", e->key);
	kv_set(ev, "digest", e->digest);
	kv_set(ev, "thread", e->thread);
	kv_set(ev, "from", e->from);
	kv_set(ev, "subject", e->subject);
	kv_set(ev, "state", e->state);
	if (multi)
		kv_setf(ev, "part", "%zu", e->part);
	if (e->incident)
		kv_set(ev, "auto", "true");
}

/* A sender as one item of the requestors list. */
static char *
requestor(const struct event *e)
{
	char *s;

	if (strcmp(e->from, "unknown") == 0)
		return NULL;
	s = xstrdup(e->from);
	for (char *p = s; *p; p++)
		if (*p == ',')
			*p = ' ';
	return s;
}

static int
new_ticket(struct desk *d, const struct event *e, const char *path, const char *ext,
    int multi, struct ingest_result *r)
{
	struct change c;
	char *file, *req, *tkey;
	struct kvmap *ev;
	int rc;

	if ((rc = change_create(&c, d, "ingest")) != 0)
		goto out;
	change_init_field(&c, "subject", e->subject);
	req = requestor(e);
	change_init_field(&c, "requestors", req);
	free(req);
	change_init_field(&c, "channel", e->channel);
	if (e->incident)
		change_init_field(&c, "type", "incident");
	change_init_field(&c, "severity", e->severity);
	ev = change_event(&c, "create");
	kv_set(ev, "status", "new");
	tkey = xasprintf("thread:%s", e->thread);
	kv_set(ev, "message-id", tkey);
	free(tkey);
	file = change_add_diskfile(&c, ext, path);
	add_event_in(&c, e, file, multi);
	free(file);
	/* A recovery seen first still opens a ticket, which is resolved at once. */
	if (e->state && strcmp(e->state, "resolved") == 0)
		change_set(&c, "status", "resolved");
	change_trailer(&c, "Event-Id", e->key);
	if ((rc = change_commit(&c, e->subject)) == 0) {
		memcpy(r->id, c.id, sizeof(r->id));
		r->created = 1;
	}
out:
	change_free(&c);
	return rc;
}

static int
follow_up(struct desk *d, const struct event *e, const char *path, const char *ext,
    int multi, const char *id, struct ingest_result *r)
{
	struct change c;
	const char *st;
	char *file;
	int rc, done;

	if ((rc = change_begin(&c, d, id, "ingest")) != 0)
		goto out;
	file = change_add_diskfile(&c, ext, path);
	add_event_in(&c, e, file, multi);
	free(file);
	st = kv_get(&c.ticket, "status");
	done = status_is_done(st);
	if (e->state && strcmp(e->state, "resolved") == 0) {
		if (!done)
			change_set(&c, "status", "resolved");
	} else if (e->state && strcmp(e->state, "acknowledged") == 0) {
		if (st && strcmp(st, "new") == 0)
			change_set(&c, "status", "open");
	} else if (done || (st && strcmp(st, "waiting") == 0))
		/* An alert firing again or an answer reopens, as a customer's mail does. */
		change_set(&c, "status", "open");
	change_trailer(&c, "Event-Id", e->key);
	if ((rc = change_commit(&c, e->subject)) == 0)
		memcpy(r->id, c.id, sizeof(r->id));
out:
	change_free(&c);
	return rc;
}

static int
store_one(struct desk *d, const struct event *in, const char *path, const char *ext,
    int multi, struct ingest_result *r)
{
	char *tkey = xasprintf("thread:%s", in->thread), *variant = NULL;
	struct event e1 = *in, *e = &e1;
	ticket_id id;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = desk_lock(d)) != 0)
		goto out;
	if ((rc = cache_sync(d)) != 0)
		;
	else if (find(d, e->key, id) == 0 && e->digest &&
	    !same_content(d, id, e->key, e->digest)) {
		variant = xasprintf("%s#%.12s", e->key, e->digest);
		e->key = variant;
		if (find(d, variant, id) == 0) {
			memcpy(r->id, id, sizeof(r->id));
			r->duplicate = 1;
		} else
			rc = follow_up(d, e, path, ext, multi, id, r);
	} else if (find(d, e->key, id) == 0) {
		memcpy(r->id, id, sizeof(r->id));
		r->duplicate = 1;
	} else if (find(d, tkey, id) == 0 || find(d, e->thread, id) == 0 ||
	    find(d, e->ref, id) == 0)
		rc = follow_up(d, e, path, ext, multi, id, r);
	else
		rc = new_ticket(d, e, path, ext, multi, r);
	desk_unlock(d);
out:
	free(variant);
	free(tkey);
	return rc;
}

static int
quarantine(struct desk *d, const char *path, const char *reason, char **where)
{
	char *w = NULL;
	int rc = quarantine_store(d, path, reason, &w);

	if (rc == 0)
		rc = rt_fail(EX_DATAERR, "%s (kept as %s)", reason, w);
	if (where)
		*where = w;
	else
		free(w);
	return rc;
}

/* Worst outcome wins: an event to retry beats a rejected one. */
static int
worse(int a, int b)
{
	if (a == EX_TEMPFAIL || b == EX_TEMPFAIL)
		return EX_TEMPFAIL;
	return a ? a : b;
}

int
ingest_events(struct desk *d, const char *path, size_t size, const char *source_hint,
    event_fn fn, void *arg, char **quarantined)
{
	long max = (long)desk_cfg_int(d, "ingest.max-bytes", MAX_BYTES_DEFAULT);
	struct event_list l;
	struct ingest_result r;
	char *buf = NULL, *reason = NULL, *err = NULL;
	size_t len;
	int rc, status = 0;

	if (quarantined)
		*quarantined = NULL;
	if ((long)size > max) {
		reason = xasprintf("event payload too large (%zu bytes, limit %ld)", size, max);
		rc = quarantine(d, path, reason, quarantined);
		free(reason);
		return rc;
	}
	if (read_file(path, &buf, &len) < 0)
		return rt_fail(EX_TEMPFAIL, "cannot read spooled event '%s'", path);
	rc = event_parse(buf, len, source_hint, &l);
	free(buf);
	if (rc == EX_DATAERR) {
		rc = quarantine(d, path, err = xstrdup(rt_errmsg()), quarantined);
		free(err);
		return rc;
	}
	if (rc != 0)
		return rc;
	if (l.n == 0) {
		reason = l.skipped ? xasprintf("no event in the payload (%zu item%s not understood)",
		    l.skipped, l.skipped == 1 ? "" : "s") : xstrdup("no event in the payload");
		rc = quarantine(d, path, reason, quarantined);
		free(reason);
		event_list_free(&l);
		return rc;
	}
	for (size_t i = 0; i < l.n; i++) {
		rc = store_one(d, &l.v[i], path, l.format, l.n > 1 || l.skipped > 0, &r);
		if (rc == 0 && fn)
			fn(&r, arg);
		if (rc != 0 && err == NULL)
			err = xstrdup(rt_errmsg());
		status = worse(status, rc);
	}
	event_list_free(&l);
	if (err) {
		rt_fail(status, "%s", err);
		free(err);
	}
	return status;
}

static void
keep_last(const struct ingest_result *r, void *arg)
{
	memcpy(arg, r, sizeof(*r));
}

int
ingest_event(struct desk *d, const char *path, size_t size, const char *source_hint,
    struct ingest_result *r)
{
	memset(r, 0, sizeof(*r));
	return ingest_events(d, path, size, source_hint, keep_last, r, &r->quarantined);
}
