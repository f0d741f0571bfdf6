/*
 * replay.c: a ticket's state derived from its log (rt-desk(5), REPLAY).
 *
 * Events are applied in (hlc, id) order:
 *   create, snapshot  the fields they carry (a snapshot replaces all)
 *   set               scalars: last writer wins; lists: the additions and
 *                     removals between the event's old and new value are
 *                     applied to the current list, so both sides of a
 *                     merge keep theirs. A scalar set whose old value is
 *                     not the replayed one was written without seeing it:
 *                     the replayed value is recorded as lost. A merged
 *                     ticket stays merged: a later status set loses.
 *   customer mail     (mail-in or event-in, not an agent's, not automatic)
 *                     resumes a waiting and reopens a resolved ticket when
 *                     its writer had not seen that status ("was"); a status
 *                     set to waiting or done that had not seen a customer
 *                     mail before it ("seen" older than the mail) is
 *                     resumed or reopened the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "done.h"
#include "hlc.h"
#include "replay.h"
#include "ticket.h"
#include "util.h"

static const char *const event_keys[] = {
	"id", "hlc", "at", "by", "ev", "message-id", "via", "seen", "was", "digest",
	"merged-from", NULL
};

int
replay_event_key(const char *key)
{
	for (size_t i = 0; event_keys[i]; i++)
		if (strcmp(key, event_keys[i]) == 0)
			return 1;
	return 0;
}

struct rp {
	struct kvmap *state;
	struct kvmap setter;	/* field -> index of the event that set it last */
	const struct evlog *log;
	struct hlc last_mail;	/* the newest customer mail so far */
	int have_mail;
	struct replay_conflicts *lost;
};

static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int
replay_pausing(const char *status)
{
	/* a merged ticket stays merged: its follow-ups belong to the survivor */
	return status && strcmp(status, "merged") != 0 &&
	    (strcmp(status, "waiting") == 0 || status_is_done(status));
}

static int
is_true(const struct kvmap *ev, const char *key)
{
	const char *v = kv_get(ev, key);

	return v && strcmp(v, "true") == 0;
}

int
replay_customer_mail(const struct kvmap *ev)
{
	const char *t = kv_get(ev, "ev");

	return t && (strcmp(t, "mail-in") == 0 || strcmp(t, "event-in") == 0) &&
	    !is_true(ev, "agent") && !is_true(ev, "auto") && kv_get(ev, "merged-from") == NULL;
}

static void
set_field(struct rp *r, const char *field, const char *val, size_t i)
{
	kv_set(r->state, field, val);
	kv_setf(&r->setter, field, "%zu", i);
}

static void
apply_fields(struct rp *r, const struct kvmap *ev, size_t i, int replace)
{
	if (replace) {
		char *id = xstrdup(kv_get(r->state, "id"));
		kv_free(r->state);
		kv_set(r->state, "id", id);
		free(id);
	}
	for (size_t k = 0; k < ev->n; k++)
		if (!replay_event_key(ev->v[k].key) && strcmp(ev->v[k].key, "id") != 0)
			set_field(r, ev->v[k].key, ev->v[k].val, i);
}

static void
add_lost(struct rp *r, const char *field, const char *val, const struct kvmap *by,
    const char *won, const char *won_id)
{
	struct replay_lost *l;

	r->lost->v = xrealloc(r->lost->v, (r->lost->n + 1) * sizeof(*r->lost->v));
	l = &r->lost->v[r->lost->n++];
	l->field = xstrdup(field);
	l->value = xstrdup(val ? val : "");
	l->won = xstrdup(won ? won : "");
	l->won_id = xstrdup(won_id ? won_id : "");
	l->lost_id = xstrdup(by && kv_get(by, "id") ? kv_get(by, "id") : "");
	l->by = xstrdup(by && kv_get(by, "by") ? kv_get(by, "by") : "");
	l->at = xstrdup(by && kv_get(by, "at") ? kv_get(by, "at") : "");
}

/* The replayed value of field (set by its last setter) loses to won. */
static void
record_lost(struct rp *r, const char *field, const char *val, const struct kvmap *won)
{
	const struct kvmap *by = NULL;
	const char *s = kv_get(&r->setter, field);

	if (r->lost == NULL)
		return;
	if (s)
		by = &r->log->ev[strtoul(s, NULL, 10)];
	add_lost(r, field, val, by, kv_get(won, "new"), kv_get(won, "id"));
}

/*
 * Merged sticks: nothing un-merges a ticket (status_change refuses one), so
 * a status set ordered after the merge was written without seeing it; it
 * loses to the merge, which stays the winning write.
 */
static int
merged_sticks(struct rp *r, const struct kvmap *ev, const char *field, const char *new)
{
	const char *cur = kv_get(r->state, "status"), *s = kv_get(&r->setter, "status");

	if (strcmp(field, "status") != 0 || cur == NULL || strcmp(cur, "merged") != 0 ||
	    same(new, "merged"))
		return 0;
	if (r->lost)
		add_lost(r, field, new, ev, cur,
		    s ? kv_get(&r->log->ev[strtoul(s, NULL, 10)], "id") : NULL);
	return 1;
}

/* A list set: its additions and removals, applied to the current list. */
static void
set_list(struct rp *r, const char *field, const char *old, const char *new, size_t i)
{
	char **o, **n, *cur = xstrdup(kv_get(r->state, field) ? kv_get(r->state, field) : "");
	size_t no = kv_list_split(old ? old : "", &o), nn = kv_list_split(new ? new : "", &n);

	for (size_t k = 0; k < no; k++)
		if (!kv_list_has(new ? new : "", o[k])) {
			char *next = kv_list_del(cur, o[k]);
			free(cur);
			cur = next;
		}
	for (size_t k = 0; k < nn; k++)
		if (!kv_list_has(old ? old : "", n[k]) && !kv_list_has(cur, n[k])) {
			char *next = kv_list_add(cur, n[k]);
			free(cur);
			cur = next;
		}
	set_field(r, field, cur, i);
	free(cur);
	strv_free(o, no);
	strv_free(n, nn);
}

static void
resume(struct rp *r, size_t i)
{
	set_field(r, "status", "open", i);
}

static void
apply_set(struct rp *r, const struct kvmap *ev, size_t i)
{
	const char *field = kv_get(ev, "field"), *old = kv_get(ev, "old"), *new = kv_get(ev, "new");
	const char *cur;
	struct hlc seen;

	if (field == NULL || strcmp(field, "id") == 0)
		return;
	if (ticket_is_list(field)) {
		set_list(r, field, old, new, i);
		return;
	}
	if (merged_sticks(r, ev, field, new))
		return;
	cur = kv_get(r->state, field);
	if (!same(old, cur) && !same(new, cur))
		record_lost(r, field, cur, ev);
	set_field(r, field, new, i);
	/* a pause that had not seen the customer's last mail does not hold */
	if (strcmp(field, "status") == 0 && replay_pausing(new) && r->have_mail &&
	    hlc_parse(kv_get(ev, "seen"), &seen) == 0 && hlc_cmp(&seen, &r->last_mail) < 0)
		resume(r, i);
}

static void
apply_mail(struct rp *r, const struct kvmap *ev, size_t i)
{
	const char *was = kv_get(ev, "was"), *cur = kv_get(r->state, "status");

	event_hlc(ev, &r->last_mail);
	r->have_mail = 1;
	/* its writer saw another status: the pause came from elsewhere */
	if (was && replay_pausing(cur) && !same(was, cur))
		resume(r, i);
}

/* ticket.yaml's order (ticket_keys), then other fields as they came. */
static void
order_fields(struct kvmap *t)
{
	struct kvmap o = KVMAP_INIT;

	for (size_t i = 0; ticket_keys[i]; i++)
		kv_set(&o, ticket_keys[i], kv_get(t, ticket_keys[i]));
	for (size_t i = 0; i < t->n; i++)
		if (kv_get(&o, t->v[i].key) == NULL)
			kv_set(&o, t->v[i].key, t->v[i].val);
	kv_free(t);
	*t = o;
}

int
replay(const char *id, struct evlog *log, struct kvmap *state, struct replay_conflicts *lost)
{
	struct rp r;
	int created = 0;

	memset(&r, 0, sizeof(r));
	r.state = state;
	r.log = log;
	r.lost = lost;
	if (lost)
		memset(lost, 0, sizeof(*lost));
	log_sort(log);
	kv_set(state, "id", id);
	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *t = kv_get(ev, "ev");
		if (t == NULL)
			continue;
		if (strcmp(t, "create") == 0 && !created) {
			apply_fields(&r, ev, i, 0);
			created = 1;
		} else if (strcmp(t, "snapshot") == 0) {
			apply_fields(&r, ev, i, 1);
			created = 1;
		} else if (strcmp(t, "set") == 0)
			apply_set(&r, ev, i);
		else if (replay_customer_mail(ev))
			apply_mail(&r, ev, i);
	}
	kv_free(&r.setter);
	order_fields(state);
	if (!created)
		return rt_fail(EX_DATAERR, "#%s: the log has no create event", id);
	return 0;
}

/* An escalate event for a step an earlier one already recorded. */
static int
escalated_before(const struct evlog *log, size_t upto, const struct kvmap *ev)
{
	const char *t = kv_get(ev, "ev"), *step = kv_get(ev, "step");

	if (t == NULL || strcmp(t, "escalate") != 0 || step == NULL)
		return 0;
	for (size_t i = 0; i < upto; i++)
		if (same(kv_get(&log->ev[i], "ev"), "escalate") &&
		    same(kv_get(&log->ev[i], "step"), step))
			return 1;
	return 0;
}

void
replay_view(struct evlog *log)
{
	size_t w = 0;

	log_sort(log);
	for (size_t i = 0; i < log->n; i++) {
		if (escalated_before(log, w, &log->ev[i])) {
			kv_free(&log->ev[i]);
			continue;
		}
		log->ev[w++] = log->ev[i];
	}
	log->n = w;
}

int
replay_conflicts(const char *id, struct evlog *log, struct replay_conflicts *out)
{
	struct kvmap t = KVMAP_INIT;
	int rc = replay(id, log, &t, out);

	kv_free(&t);
	return rc;
}

void
replay_conflicts_free(struct replay_conflicts *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct replay_lost *l = &c->v[i];
		free(l->field);
		free(l->value);
		free(l->won);
		free(l->won_id);
		free(l->lost_id);
		free(l->by);
		free(l->at);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
