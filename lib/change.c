/* change.c: one change to one ticket, committed as one git commit */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "change.h"
#include "replay.h"
#include "desk.h"
#include "head.h"
#include "ticket.h"
#include "txn.h"
#include "util.h"

static void
change_init(struct change *c, struct desk *d, const char *action)
{
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->action = xstrdup(action);
	c->txn = txn_begin(d);
}

int
change_begin(struct change *c, struct desk *d, const char *id, const char *action)
{
	int rc;

	change_init(c, d, action);
	memcpy(c->id, id, sizeof(c->id));
	if ((rc = ticket_load(d, id, &c->ticket, NULL)) != 0)
		return rc;
	kv_copy(&c->base, &c->ticket);
	return 0;
}

int
change_begin_loaded(struct change *c, struct desk *d, const char *id, const char *action,
    const struct kvmap *state, const struct evlog *log)
{
	struct hlc h;

	change_init(c, d, action);
	memcpy(c->id, id, sizeof(c->id));
	kv_copy(&c->ticket, state);
	kv_copy(&c->base, state);
	/* the next clock is after every event of the log (next_clock, not read again) */
	c->clock.ms = c->clock.n = 0;
	for (size_t i = 0; i < log->n; i++) {
		event_hlc(&log->ev[i], &h);
		if (hlc_cmp(&h, &c->clock) > 0)
			c->clock = h;
	}
	c->clock_known = 1;
	return 0;
}

/* A fresh id that no ticket of this desk has. */
static int
new_id(struct desk *d, ticket_id out)
{
	for (int tries = 0; tries < 100; tries++) {
		struct kvmap rec = KVMAP_INIT;
		char *path;
		char *buf;
		size_t len;
		int taken;

		id_generate(out);
		taken = cache_get(d, out, &rec) == 0;
		kv_free(&rec);
		if (taken)
			continue;
		path = ticket_path(out, "log.yaml");
		taken = desk_read_head(d, path, &buf, &len) == 0;
		if (taken)
			free(buf);
		free(path);
		if (!taken)
			return 0;
	}
	return rt_fail(EX_SOFTWARE, "cannot find a free ticket id");
}

int
change_create(struct change *c, struct desk *d, const char *action)
{
	char now[RT_TIMELEN];
	int rc;

	change_init(c, d, action);
	if ((rc = new_id(d, c->id)) != 0)
		return rc;
	c->created = 1;
	c->dirty = 1;
	kv_set(&c->ticket, "id", c->id);
	kv_set(&c->ticket, "status", "new");
	kv_set(&c->ticket, "queue", desk_cfg_str(d, "desk.default-queue", "general"));
	kv_set(&c->ticket, "priority", "normal");
	kv_set(&c->ticket, "created", rt_fmttime(rt_now(), now));
	return 0;
}

void
change_init_field(struct change *c, const char *key, const char *val)
{
	kv_set(&c->ticket, key, val);
	c->dirty = 1;
}

/* The newest clock of a log with events written by hand (hlc.h). */
static void
newest_parsed(const char *buf, size_t len, const char *name, struct hlc *max)
{
	struct evlog log = { NULL, 0 };
	struct hlc h;

	if (log_parse(buf, len, name, &log) == 0)
		for (size_t i = 0; i < log.n; i++) {
			event_hlc(&log.ev[i], &h);
			if (hlc_cmp(&h, max) > 0)
				*max = h;
		}
	log_free(&log);
}

/* The next event's clock: after now and after every event of the ticket's log. */
static const char *
next_clock(struct change *c, char buf[HLC_LEN])
{
	if (!c->clock_known) {
		char *path = ticket_path(c->id, "log.yaml"), *log;
		size_t len;
		if (!c->created && desk_read_head(c->d, path, &log, &len) == 0) {
			if (log_newest_hlc(log, len, &c->clock))
				newest_parsed(log, len, path, &c->clock);
			free(log);
		}
		free(path);
		c->clock_known = 1;
	}
	hlc_tick(&c->clock, hlc_now_ms());
	return hlc_fmt(&c->clock, buf);
}

struct kvmap *
change_event(struct change *c, const char *type)
{
	char now[RT_TIMELEN], id[EVID_LEN + 1], clock[HLC_LEN];
	struct kvmap *ev;

	c->events = xrealloc(c->events, (c->nevents + 1) * sizeof(*c->events));
	ev = &c->events[c->nevents++];
	memset(ev, 0, sizeof(*ev));
	evid_generate(id);
	kv_set(ev, "id", id);
	kv_set(ev, "hlc", next_clock(c, clock));
	kv_set(ev, "at", rt_fmttime(rt_now(), now));
	kv_set(ev, "by", desk_actor_short(c->d));
	kv_set(ev, "ev", type);
	return ev;
}

void
change_set(struct change *c, const char *key, const char *val)
{
	const char *old = kv_get(&c->ticket, key);
	struct kvmap *ev;
	char *oldcopy;

	if (val && *val == '\0')
		val = NULL;
	if ((old == NULL && val == NULL) || (old && val && strcmp(old, val) == 0))
		return;
	oldcopy = old ? xstrdup(old) : NULL;
	kv_set(&c->ticket, key, val);
	c->dirty = 1;
	ev = change_event(c, "set");
	kv_set(ev, "field", key);
	kv_set(ev, "old", oldcopy);
	kv_set(ev, "new", val);
	free(oldcopy);
}

static char *
file_name(const char *ext, const git_oid *oid)
{
	char stamp[RT_TIMELEN], hex[GIT_OID_HEXSZ + 1], compact[17];
	size_t k = 0;

	rt_fmttime(rt_now(), stamp);
	for (const char *p = stamp; *p && k < sizeof(compact) - 1; p++)
		if (*p != '-' && *p != ':')
			compact[k++] = *p;
	compact[k] = '\0';
	git_oid_tostr(hex, sizeof(hex), oid);
	return xasprintf("msg/%s-%.10s.%s", compact, hex, ext);
}

/* Names the file by its blob id and stages it, copied or lent (with that id). */
static char *
add_named(struct change *c, const char *ext, const void *buf, size_t len, git_oid *id,
    int lent)
{
	git_oid oid;
	char *name, *path;

	git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB);
	if (id)
		git_oid_cpy(id, &oid);
	name = file_name(ext, &oid);
	path = ticket_path(c->id, name);
	if (lent)
		txn_put_lent(c->txn, path, buf, len, &oid);
	else
		txn_put(c->txn, path, buf, len);
	free(path);
	return name;
}

char *
change_add_file(struct change *c, const char *ext, const void *buf, size_t len)
{
	return add_named(c, ext, buf, len, NULL, 0);
}

char *
change_add_lent(struct change *c, const char *ext, const void *buf, size_t len, git_oid *id)
{
	return add_named(c, ext, buf, len, id, 1);
}

void
change_trailer(struct change *c, const char *key, const char *val)
{
	if (val)
		kv_set(&c->trailers, key, val);
}

void
change_author(struct change *c, const char *name, const char *email)
{
	txn_author(c->txn, name, email);
}

char *
change_set_summary(const struct change *c)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < c->nevents; i++) {
		const char *f = kv_get(&c->events[i], "field"), *v = kv_get(&c->events[i], "new");
		if (strcmp(kv_get(&c->events[i], "ev"), "set") != 0 || f == NULL)
			continue;
		sbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "", f, v ? v : "");
	}
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

static int
is_type(const struct kvmap *ev, const char *type)
{
	const char *t = kv_get(ev, "ev");

	return t && strcmp(t, type) == 0;
}

/* The state before this change's set events: they are undone from the last. */
static void
state_before_sets(const struct change *c, struct kvmap *t)
{
	kv_copy(t, &c->ticket);
	for (size_t i = c->nevents; i-- > 0;) {
		const struct kvmap *ev = &c->events[i];
		if (is_type(ev, "set") && kv_get(ev, "field"))
			kv_set(t, kv_get(ev, "field"), kv_get(ev, "old"));
	}
}

/* A new ticket's create event carries its initial fields (replay.h). */
static void
init_create_event(struct change *c)
{
	struct kvmap init = KVMAP_INIT, *create = NULL;

	for (size_t i = 0; i < c->nevents && create == NULL; i++)
		if (is_type(&c->events[i], "create"))
			create = &c->events[i];
	if (create == NULL) {
		create = change_event(c, "create");
		/* first in the ticket's order: before this change's other events */
		kv_set(create, "hlc", kv_get(&c->events[0], "hlc"));
		kv_set(create, "id", "0000000000");
	}
	state_before_sets(c, &init);
	for (size_t i = 0; i < init.n; i++)
		if (strcmp(init.v[i].key, "id") != 0 && !replay_event_key(init.v[i].key))
			kv_set(create, init.v[i].key, init.v[i].val);
	kv_free(&init);
}

/* The newest customer mail the writer knows: the log at HEAD and this change. */
static void
newest_mail(struct change *c, struct hlc *max)
{
	char *path = ticket_path(c->id, "log.yaml"), *buf;
	struct evlog log = { NULL, 0 };
	struct hlc h;
	size_t len;

	max->ms = max->n = 0;
	if (!c->created && desk_read_head(c->d, path, &buf, &len) == 0) {
		if (log_parse_again(buf, len, path, &log) != 0)
			log_free(&log);
		free(buf);
	}
	free(path);
	for (size_t i = 0; i < log.n + c->nevents; i++) {
		const struct kvmap *ev = i < log.n ? &log.ev[i] : &c->events[i - log.n];
		if (!replay_customer_mail(ev))
			continue;
		event_hlc(ev, &h);
		if (hlc_cmp(&h, max) > 0)
			*max = h;
	}
	log_free(&log);
}

/*
 * What the replay needs beyond the events themselves (format 2): a
 * customer mail says which status its writer saw, a pause which mail it
 * had seen; and a field this change altered without a set event (links,
 * merges) gets one, so the replay of the log equals the state.
 */
static void
stamp_events(struct change *c)
{
	struct kvmap expect = KVMAP_INIT;
	struct hlc seen;
	char buf[HLC_LEN];
	int have_seen = 0;

	for (size_t i = 0; i < c->nevents; i++) {
		struct kvmap *ev = &c->events[i];
		const char *f = kv_get(ev, "field"), *v = kv_get(ev, "new");
		if (replay_customer_mail(ev) && !c->created && !kv_get(ev, "was"))
			kv_set(ev, "was", kv_get(&c->base, "status") ? kv_get(&c->base, "status") : "new");
		if (is_type(ev, "set") && f && strcmp(f, "status") == 0 && replay_pausing(v)) {
			if (!have_seen)
				newest_mail(c, &seen), have_seen = 1;
			kv_set(ev, "seen", hlc_fmt(&seen, buf));
		}
	}
	if (c->created)
		return;
	/* what the replay will make of the loaded state and this change's sets */
	kv_copy(&expect, &c->base);
	for (size_t i = 0; i < c->nevents; i++)
		if (is_type(&c->events[i], "set") && kv_get(&c->events[i], "field"))
			kv_set(&expect, kv_get(&c->events[i], "field"), kv_get(&c->events[i], "new"));
	/* every key of either, each once: the state's then the expected's */
	for (size_t i = 0; i < c->ticket.n + expect.n; i++) {
		const char *k = i < c->ticket.n ? c->ticket.v[i].key : expect.v[i - c->ticket.n].key;
		const char *want = kv_get(&c->ticket, k), *got = kv_get(&expect, k);
		struct kvmap *ev;
		if (strcmp(k, "id") == 0 || strcmp(want ? want : "", got ? got : "") == 0 ||
		    (i >= c->ticket.n && want))
			continue;
		ev = change_event(c, "set");
		kv_set(ev, "field", k);
		kv_set(ev, "old", got);
		kv_set(ev, "new", want);
		kv_set(ev, "via", c->action);
	}
	kv_free(&expect);
}

/* The change's events, appended to the ticket's log.yaml. */
static int
append_events(struct change *c)
{
	char *buf, *path = ticket_path(c->id, "log.yaml");
	size_t len;
	int rc;

	for (size_t i = 0; i < c->nevents; i++) {
		if ((rc = event_render(&c->events[i], &buf, &len)) != 0) {
			free(path);
			return rc;
		}
		txn_append(c->txn, path, buf, len);
		free(buf);
	}
	free(path);
	return 0;
}

/* Format 2: only log.yaml is committed; ticket.yaml is derived (replay.h). */
static int
stage_log(struct change *c)
{
	if (c->created)
		init_create_event(c);
	stamp_events(c);
	return append_events(c);
}

static int
stage_yaml(struct change *c)
{
	char *buf, *path;
	size_t len;
	int rc;

	if (id_format() >= 2)
		return stage_log(c);
	if (c->dirty) {
		if ((rc = ticket_render(&c->ticket, &buf, &len)) != 0)
			return rc;
		path = ticket_path(c->id, "ticket.yaml");
		txn_put(c->txn, path, buf, len);
		free(path);
		free(buf);
	}
	return append_events(c);
}

static void
precommit(struct change *c)
{
	if (c->d && c->d->precommit)
		c->d->precommit(c);
}

static void
postcommit(struct change *c, int rc)
{
	if (c->d && c->d->postcommit)
		c->d->postcommit(c, rc);
}

static void
committed(struct change *c)
{
	void (*fn)(struct change *, int) = c->on_commit;

	c->on_commit = NULL;
	if (fn)
		fn(c, 1);
}

int
change_commit(struct change *c, const char *summary)
{
	struct kvmap tr = KVMAP_INIT;
	char *subject, *actor;
	int rc;

	if (c->d->plan)
		c->d->plan(c, c->d->plan_arg);
	if (c->d->dry_run)
		return 0;
	actor = desk_actor(c->d);
	precommit(c);
	if ((rc = stage_yaml(c)) != 0)
		goto out;
	kv_set(&tr, "Ticket", c->id);
	kv_set(&tr, "Action", c->action);
	kv_set(&tr, "Actor", actor);
	kv_copy(&tr, &c->trailers);
	subject = xasprintf("%s: #%s %s", c->action, c->id, summary ? summary : "");
	rc = txn_commit(c->txn, subject, &tr, NULL);
	free(subject);
	postcommit(c, rc);
	if (rc == 0 && c->d->cache)
		rc = cache_sync(c->d);
	if (rc == 0)
		committed(c);
out:
	kv_free(&tr);
	free(actor);
	return rc;
}

void
change_free(struct change *c)
{
	postcommit(c, -1);
	if (c->on_commit) {
		void (*fn)(struct change *, int) = c->on_commit;
		c->on_commit = NULL;
		fn(c, 0);
	}
	for (size_t i = 0; i < c->nevents; i++)
		kv_free(&c->events[i]);
	free(c->events);
	kv_free(&c->ticket);
	kv_free(&c->base);
	kv_free(&c->trailers);
	if (!c->txn_borrowed)
		txn_free(c->txn);
	free(c->action);
	memset(c, 0, sizeof(*c));
}

int
change_begin_also(struct change *c, struct change *first, const char *id)
{
	int rc = change_begin(c, first->d, id, first->action);

	txn_free(c->txn);
	c->txn = first->txn;
	c->txn_borrowed = 1;
	return rc;
}

int
change_commit_all(struct change *cs, size_t n, const char *summary)
{
	struct kvmap tr = KVMAP_INIT;
	struct sbuf also = SBUF_INIT;
	char *subject, *actor;
	int rc = 0;

	for (size_t i = 0; i < n && cs[0].d->plan; i++)
		cs[0].d->plan(&cs[i], cs[0].d->plan_arg);
	if (cs[0].d->dry_run)
		return 0;
	actor = desk_actor(cs[0].d);
	for (size_t i = 0; i < n; i++)
		precommit(&cs[i]);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (cs[i].txn != cs[0].txn)
			rc = rt_fail(EX_SOFTWARE, "#%s is not in the commit of #%s", cs[i].id,
			    cs[0].id);
		else
			rc = stage_yaml(&cs[i]);
	}
	if (rc != 0)
		goto out;
	for (size_t i = 1; i < n; i++)
		sbuf_addf(&also, "%s%s", also.len ? " " : "", cs[i].id);
	kv_set(&tr, "Ticket", cs[0].id);
	kv_set(&tr, "Also", also.buf);
	kv_set(&tr, "Action", cs[0].action);
	kv_set(&tr, "Actor", actor);
	kv_copy(&tr, &cs[0].trailers);
	subject = xasprintf("%s: #%s %s", cs[0].action, cs[0].id, summary ? summary : "");
	rc = txn_commit(cs[0].txn, subject, &tr, NULL);
	free(subject);
	for (size_t i = 0; i < n; i++)
		postcommit(&cs[i], rc);
	if (rc == 0 && cs[0].d->cache)
		rc = cache_sync(cs[0].d);
	for (size_t i = 0; i < n && rc == 0; i++)
		committed(&cs[i]);
out:
	sbuf_free(&also);
	kv_free(&tr);
	free(actor);
	return rc;
}
