/*
 * event_store.c: storing the events of a machine payload as tickets.
 *
 * Each event is one commit, made under the desk lock like a mail: the
 * cache is brought up to HEAD, then the event's key finds a duplicate,
 * its thread key or the key of the event it answers finds the ticket of
 * a follow-up, or a new ticket is opened. A new ticket's create event
 * carries "message-id: thread:KEY" so that the cache's message-id map
 * finds it by thread key. A payload of one event is kept byte-exact in
 * the ticket's msg/ folder. Of a payload of several, each ticket keeps
 * only its event's own text (its JSON item, CSV record or log line);
 * the payload itself is kept byte-exact once, beside the first event
 * stored, and every event-in names it by its blob id ("payload").
 *
 * Limits (rt.yaml ingest.max-*) are checked before anything is stored;
 * a payload beyond one is refused and only its head is quarantined.
 */
#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounce.h"
#include "cache.h"
#include "change.h"
#include "desk.h"
#include "event.h"
#include "fieldset.h"
#include "id.h"
#include "ingest.h"
#include "spool.h"
#include "status.h"
#include "ticket.h"
#include "util.h"

/* How much of a payload refused for a limit is kept in quarantine/. */
#define QUARANTINE_HEAD 4096

/* What is stored for each event of one payload. */
struct payload {
	const char *buf;	/* the spooled payload, lent to the changes */
	size_t len;
	const char *ext;	/* its format */
	int multi;		/* more than one item: number the parts */
	int split;		/* more than one event: store each event's own text */
	int kept;		/* the payload itself is stored (split only) */
	char hex[GIT_OID_HEXSZ + 1];	/* its blob id */
};

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

/* Stages what the event's ticket keeps of the payload; returns the event's file. */
static char *
add_files(struct change *c, const struct event *e, struct payload *p, int *raw)
{
	*raw = 0;
	if (!p->split || e->text == NULL)
		return change_add_lent(c, p->ext, p->buf, p->len, NULL);
	if (!p->kept) {
		free(change_add_lent(c, p->ext, p->buf, p->len, NULL));
		*raw = 1;
	}
	return change_add_file(c, e->ext, e->text, e->textlen);
}

static void
add_event_in(struct change *c, const struct event *e, struct payload *p, int *raw)
{
	struct kvmap *ev = change_event(c, "event-in");
	char *file = add_files(c, e, p, raw);

	kv_set(ev, "file", file);
	kv_set(ev, "source", e->source);
	kv_set(ev, "message-id", e->key);
	kv_set(ev, "digest", e->digest);
	kv_set(ev, "thread", e->thread);
	kv_set(ev, "from", e->from);
	kv_set(ev, "subject", e->subject);
	kv_set(ev, "state", e->state);
	if (p->multi)
		kv_setf(ev, "part", "%zu", e->part);
	if (p->split && *p->hex)
		kv_set(ev, "payload", p->hex);
	if (e->incident)
		kv_set(ev, "auto", "true");
	free(file);
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

const char *
event_priority(struct desk *d, const char *severity)
{
	const struct ynode *m = desk_cfg(d, "events.priority"), *v;

	if (severity == NULL || m == NULL || m->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		v = m->items[i];
		if (strcasecmp(m->keys[i], severity) == 0)
			return v->kind == Y_SCALAR && priority_rank(v->value) >= 0 ? v->value : NULL;
	}
	return NULL;
}

/*
 * An event's status, through the one status change (workflow check,
 * on: set:, hooks and cascades after the commit). A status the workflow
 * refuses is left as it is: the event is stored all the same.
 */
static void
set_status(struct change *c, const char *to)
{
	status_change(c, to, &(struct status_opts){ .via = "ingest" });
}

/* Commits an event's change with its Event-Id; the ticket and the kept payload on success. */
static int
commit_event(struct change *c, const struct event *e, struct payload *p, int raw,
    struct ingest_result *r)
{
	int rc;

	change_trailer(c, "Event-Id", e->key);
	if ((rc = change_commit(c, e->subject)) == 0) {
		memcpy(r->id, c->id, sizeof(r->id));
		p->kept |= raw;
	}
	return rc;
}

static int
new_ticket(struct desk *d, const struct event *e, struct payload *p, struct ingest_result *r)
{
	struct change c;
	char *req, *tkey;
	const char *prio;
	struct kvmap *ev;
	int rc, raw;

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
	if ((prio = event_priority(d, e->severity)) != NULL)
		change_init_field(&c, "priority", prio);
	ev = change_event(&c, "create");
	kv_set(ev, "status", "new");
	tkey = xasprintf("thread:%s", e->thread);
	kv_set(ev, "message-id", tkey);
	free(tkey);
	add_event_in(&c, e, p, &raw);
	/* A recovery seen first still opens a ticket, which is resolved at once. */
	if (e->state && strcmp(e->state, "resolved") == 0)
		set_status(&c, "resolved");
	if ((rc = commit_event(&c, e, p, raw, r)) == 0)
		r->created = 1;
out:
	change_free(&c);
	return rc;
}

static int
follow_up(struct desk *d, const struct event *e, struct payload *p, const char *id,
    struct ingest_result *r)
{
	struct change c;
	const char *st;
	int rc, done, raw;

	if ((rc = change_begin(&c, d, id, "ingest")) != 0)
		goto out;
	add_event_in(&c, e, p, &raw);
	st = kv_get(&c.ticket, "status");
	done = status_is_done(st);
	if (e->state && strcmp(e->state, "resolved") == 0) {
		if (!done)
			set_status(&c, "resolved");
	} else if (e->state && strcmp(e->state, "acknowledged") == 0) {
		if (st && strcmp(st, "new") == 0)
			set_status(&c, "open");
	} else if (done || (st && strcmp(st, "waiting") == 0))
		/* An alert firing again or an answer reopens, as a customer's mail does. */
		set_status(&c, "open");
	rc = commit_event(&c, e, p, raw, r);
out:
	change_free(&c);
	return rc;
}

/* The newest ticket that mailed an address (its last-out). */
struct mailed {
	const char *address;
	ticket_id id;
	char last[RT_TIMELEN + 16];
};

static int
newest_mailed(const struct rec *r, void *arg)
{
	struct mailed *m = arg;
	const char *reqs = rec_get(r, "requestors"), *lo = rec_get(r, "last-out");
	const char *id = rec_get(r, "id");
	char **items;
	size_t n;
	int has = 0;

	if (reqs == NULL || lo == NULL || id == NULL || strcmp(lo, m->last) <= 0 ||
	    strlen(lo) >= sizeof(m->last) || strlen(id) >= sizeof(m->id))
		return 0;
	n = kv_list_split(reqs, &items);
	for (size_t i = 0; i < n && !has; i++) {
		const char *lt = strrchr(items[i], '<');
		size_t len = strlen(m->address);
		has = lt ? strncasecmp(lt + 1, m->address, len) == 0 && lt[1 + len] == '>' :
		    strcasecmp(items[i], m->address) == 0;
	}
	strv_free(items, n);
	if (has) {
		strcpy(m->last, lo);
		strcpy(m->id, id);
	}
	return 0;
}

/*
 * The ticket a delivery report is about, as for a bounce by mail: the
 * desk's mail it names, else the tag in that mail's subject, else the
 * newest ticket whose requestor the desk last mailed at that address.
 */
static int
report_ticket(struct desk *d, const struct event *e, ticket_id out)
{
	struct mailed m;
	ticket_id t;

	if (e->refers && bounce_ours(d, e->refers, out))
		return 0;
	if (id_from_subject(e->subject, t) == 0 && cache_resolve(d, t, out) == 0)
		return 0;
	memset(&m, 0, sizeof(m));
	m.address = e->address;
	cache_foreach(d, newest_mailed, &m);
	if (*m.id == '\0')
		return rt_fail(EX_DATAERR, "a %s report on mail the desk did not send (%s)",
		    e->report, e->address);
	memcpy(out, m.id, sizeof(m.id));
	return 0;
}

/*
 * A mail provider's bounce or complaint: kept on the ticket as a bounce
 * by mail is (ingest.c), a "bounce" event that reopens nothing and marks
 * the address bouncing when delivery failed for good or it complained.
 */
static int
store_report(struct desk *d, const struct event *e, struct payload *p, const char *id,
    struct ingest_result *r)
{
	struct change c;
	struct kvmap *ev;
	char *file;
	int rc, raw;

	if ((rc = change_begin(&c, d, id, "ingest")) != 0)
		goto out;
	file = add_files(&c, e, p, &raw);
	ev = change_event(&c, "bounce");
	kv_set(ev, "file", file);
	kv_set(ev, "message-id", e->key);
	kv_set(ev, "digest", e->digest);
	kv_set(ev, "kind", strcmp(e->report, "complaint") == 0 ? "arf" : "dsn");
	kv_set(ev, "source", e->source);
	kv_set(ev, "refers", e->refers);
	kv_set(ev, "from", e->from);
	kv_set(ev, "subject", e->subject);
	kv_set(ev, "address", e->address);
	kv_set(ev, "action", e->action);
	if (strcmp(e->report, "complaint") == 0 || strcmp(e->action, "failed") == 0)
		kv_set(ev, "bouncing", "true");
	if (p->multi)
		kv_setf(ev, "part", "%zu", e->part);
	if (p->split && *p->hex)
		kv_set(ev, "payload", p->hex);
	free(file);
	rc = commit_event(&c, e, p, raw, r);
out:
	change_free(&c);
	return rc;
}

static int
store_one(struct desk *d, const struct event *in, struct payload *p, struct ingest_result *r)
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
	else if (e->report && find(d, e->key, id) == 0) {
		memcpy(r->id, id, sizeof(r->id));
		r->duplicate = 1;
	} else if (e->report) {
		if ((rc = report_ticket(d, e, id)) == 0)
			rc = store_report(d, e, p, id, r);
	} else if (find(d, e->key, id) == 0 && e->digest &&
	    !same_content(d, id, e->key, e->digest)) {
		variant = xasprintf("%s#%.12s", e->key, e->digest);
		e->key = variant;
		if (find(d, variant, id) == 0) {
			memcpy(r->id, id, sizeof(r->id));
			r->duplicate = 1;
		} else
			rc = follow_up(d, e, p, id, r);
	} else if (find(d, e->key, id) == 0) {
		memcpy(r->id, id, sizeof(r->id));
		r->duplicate = 1;
	} else if (find(d, tkey, id) == 0 || find(d, e->thread, id) == 0 ||
	    find(d, e->ref, id) == 0)
		rc = follow_up(d, e, p, id, r);
	else
		rc = new_ticket(d, e, p, r);
	desk_unlock(d);
	status_after(d, NULL, NULL);	/* stored: exec: and cascades may fail */
out:
	free(variant);
	free(tkey);
	return rc;
}

static int
quarantine(struct desk *d, const char *buf, size_t len, const char *reason, char **where)
{
	char *w = NULL;
	int rc = quarantine_store_kind(d, buf, len, "event", reason, &w);

	if (rc == 0)
		rc = quarantine_refused(reason, w, 1);
	if (where)
		*where = w;
	else
		free(w);
	return rc;
}

/*
 * Quarantines a payload refused for a limit: only its head, with its
 * size and blob id in the reason, so the refusal costs little storage.
 * spooled: buf is all that was spooled of it (len bytes), else its head.
 */
static int
quarantine_head(struct desk *d, int spooled, size_t size, const char *buf, size_t len,
    const char *why, char **where)
{
	char hex[GIT_OID_HEXSZ + 1] = "", *reason;
	git_oid oid;
	int rc;

	if (buf == NULL)
		len = 0;
	/* A payload refused while it was read was never kept whole: no blob id. */
	if (spooled && git_odb_hash(&oid, buf ? buf : "", len, GIT_OBJECT_BLOB) == 0)
		git_oid_tostr(hex, sizeof(hex), &oid);
	if (len > QUARANTINE_HEAD)
		len = QUARANTINE_HEAD;
	reason = xasprintf("%s; kept: the first %zu of %zu bytes%s%s%s", why, len, size,
	    *hex ? " (blob " : "", hex, *hex ? ")" : "");
	rc = quarantine(d, buf ? buf : "", len, reason, where);
	free(reason);
	return rc;
}

static size_t
cfg_size(struct desk *d, const char *key, long long dflt)
{
	long long v = desk_cfg_int(d, key, dflt);

	return v > 0 ? (size_t)v : (size_t)dflt;
}

/* The limits of rt.yaml's ingest: section, defaults for what it lacks. */
void
event_limits_load(struct desk *d, struct event_limits *lim, size_t *max_bytes)
{
	*max_bytes = cfg_size(d, "ingest.max-payload-bytes", EVENT_MAX_PAYLOAD_BYTES);
	lim->max_events = cfg_size(d, "ingest.max-events", EVENT_MAX_EVENTS);
	lim->max_depth = cfg_size(d, "ingest.max-json-depth", EVENT_MAX_DEPTH);
	lim->max_csv_fields = cfg_size(d, "ingest.max-csv-fields", EVENT_MAX_CSV_FIELDS);
	lim->max_line_bytes = cfg_size(d, "ingest.max-line-bytes", EVENT_MAX_LINE_BYTES);
}

static int
too_large(size_t size, size_t max)
{
	return rt_fail(EX_DATAERR, "event payload too large (%zu bytes, limit %zu: "
	    "ingest.max-payload-bytes)", size, max);
}

/*
 * Refuses a payload with nothing stored: over a limit, unparsable or
 * without events. spooled: buf is all that was spooled (quarantine_head).
 */
static int
refuse(struct desk *d, int spooled, size_t size, const char *buf, size_t len,
    const struct event_list *l, int over, char **quarantined)
{
	char *reason;
	int rc;

	if (over) {
		reason = xstrdup(rt_errmsg());
		rc = quarantine_head(d, spooled, size, buf, len, reason, quarantined);
	} else if (l && l->skipped) {
		reason = xasprintf("no event in the payload (%zu item%s not understood)",
		    l->skipped, l->skipped == 1 ? "" : "s");
		rc = quarantine(d, buf, len, reason, quarantined);
	} else {
		reason = xstrdup(l ? "no event in the payload" : rt_errmsg());
		rc = quarantine(d, buf, len, reason, quarantined);
	}
	free(reason);
	return rc;
}

/* Stores the events of the payload spooled and held in buf. */
static int
ingest_payload(struct desk *d, const char *buf, size_t len,
    const char *source_hint, const struct event_limits *lim, event_fn fn, void *arg,
    char **quarantined)
{
	struct event_list l;
	struct ingest_result r;
	struct payload p = { buf, len, NULL, 0, 0, 0, "" };
	char *err = NULL;
	int rc, status = 0;
	size_t stored = 0;
	git_oid oid;

	rc = event_parse_limited(buf, len, source_hint, lim, &l);
	if (rc == EX_DATAERR || (rc == 0 && l.n == 0))
		rc = refuse(d, 1, len, buf, len, rc ? NULL : &l, l.over_limit, quarantined);
	if (rc != 0 || l.n == 0) {
		event_list_free(&l);
		return rc;
	}
	p.ext = l.format;
	p.multi = l.n > 1 || l.skipped > 0;
	p.split = l.n > 1;
	if (git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB) == 0)
		git_oid_tostr(p.hex, sizeof(p.hex), &oid);
	for (size_t i = 0; i < l.n; i++) {
		rc = store_one(d, &l.v[i], &p, &r);
		if (rc == 0 && fn)
			fn(&r, arg);
		stored += rc == 0;
		if (rc != 0 && err == NULL)
			err = xstrdup(rt_errmsg());
		status = rt_worse(status, rc);
	}
	event_list_free(&l);
	/* Only reports on no mail of the desk were refused: kept in the payload or quarantine. */
	if (status == EX_DATAERR && stored > 0)
		status = 0;
	else if (status == EX_DATAERR) {
		status = quarantine(d, buf, len, err, quarantined);
		free(err);
		return status;
	}
	if (err) {
		rt_fail(status, "%s", err);
		free(err);
	}
	return status;
}

int
ingest_events_buf(struct desk *d, const char *buf, size_t len, size_t size,
    const char *source_hint, event_fn fn, void *arg, char **quarantined)
{
	struct event_limits lim;
	size_t max;

	if (quarantined)
		*quarantined = NULL;
	event_limits_load(d, &lim, &max);
	if (size > max) {
		too_large(size, max);
		return refuse(d, 1, size, buf, len, NULL, 1, quarantined);
	}
	return ingest_payload(d, buf, len, source_hint, &lim, fn, arg, quarantined);
}

int
ingest_events(struct desk *d, const char *path, size_t size, const char *source_hint,
    event_fn fn, void *arg, char **quarantined)
{
	char *buf;
	size_t len;
	int rc;

	if (quarantined)
		*quarantined = NULL;
	if (read_file(path, &buf, &len) < 0)
		return rt_fail(EX_TEMPFAIL, "cannot read spooled event '%s'", path);
	rc = ingest_events_buf(d, buf, len, size, source_hint, fn, arg, quarantined);
	free(buf);
	return rc;
}

/* Reads fd to its end; at most max + 1 bytes are kept in *buf. */
static int
read_bounded(int fd, size_t max, char **buf, size_t *kept, size_t *size)
{
	char drain[65536];
	size_t cap = 0;
	ssize_t r;

	*buf = NULL;
	*kept = *size = 0;
	for (;;) {
		if (*kept == cap && cap <= max) {
			cap = cap ? 2 * cap : 65536;
			if (cap > max + 1)
				cap = max + 1;
			*buf = xrealloc(*buf, cap);
		}
		char *to = *kept < cap ? *buf + *kept : drain;
		size_t room = *kept < cap ? cap - *kept : sizeof(drain);
		if ((r = read(fd, to, room)) < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(*buf);
			*buf = NULL;
			/* a folder is no payload, now or later; other read errors may pass */
			return rt_fail(e == EISDIR ? EX_NOINPUT : EX_TEMPFAIL,
			    "cannot read the event payload: %s", strerror(e));
		}
		if (r == 0)
			return 0;
		if (to != drain)
			*kept += (size_t)r;
		*size += (size_t)r;
	}
}

int
ingest_events_fd(struct desk *d, int fd, const char *source_hint, event_fn fn, void *arg,
    char **quarantined)
{
	struct event_limits lim;
	char *buf, *spool;
	size_t max, kept, size;
	int rc;

	if (quarantined)
		*quarantined = NULL;
	event_limits_load(d, &lim, &max);
	if ((rc = read_bounded(fd, max, &buf, &kept, &size)) != 0)
		return rc;
	if (size == 0)	/* not an event, as empty mail is not mail (mail_parse) */
		rc = quarantine(d, "", 0, "not an event: empty input", quarantined);
	else if (size > max) {
		too_large(size, max);
		rc = refuse(d, 0, size, buf, kept, NULL, 1, quarantined);
	} else if ((rc = spool_buf(d, buf, size, &spool)) == 0) {
		rc = ingest_payload(d, buf, size, source_hint, &lim, fn, arg, quarantined);
		unlink(spool);
		free(spool);
	}
	free(buf);
	return rc;
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
