/*
 * summary.c: the cache record of a ticket. It holds the ticket's state
 * and the figures that sweeps and reports need from its log, so they
 * never read the log of every ticket:
 *
 *   updated         time of the last event
 *   msgs-in/out     mails received / sent (auto replies included)
 *   first-in        first customer mail or event
 *   first-response  first mail sent by a person (auto replies excluded)
 *   last-in         last customer mail; last-out: last reply by a person
 *   mail-timeline   "TIME in;TIME out;..." every such mail and reply, so
 *                   the next-response clock of a past time is its own
 *   resolved-at     when it last became resolved or closed (empty if reopened)
 *   reopens         times it went from resolved or closed back to work
 *   timeline        "TIME STATUS;TIME STATUS" for SLA pauses and backlog
 *   rating          last satisfaction score; rated-at
 *   surveyed-at     first satisfaction survey sent (mail-out, template survey)
 *   esc-steps       escalation steps done, esc-level the highest level
 *   set-by-hand     fields whose latest set event was not rt-route's (no
 *                   "via: route"): rt-route leaves them alone
 *   untagged-by-hand  tags such a set event took away: rt-route does not
 *                   add them back
 */
#include <stdlib.h>
#include <string.h>

#include "done.h"
#include "kv.h"
#include "ticket.h"
#include "util.h"

struct acc {
	struct sbuf timeline;
	struct sbuf mails;	/* mail-timeline */
	const char *status;
	long msgs_in, msgs_out, reopens;
	int esc_level;
};

static void
status_entered(struct acc *a, struct kvmap *rec, const char *at, const char *status)
{
	if (a->status && strcmp(a->status, status) == 0)
		return;
	if (status_is_done(a->status) && !status_is_done(status))
		a->reopens++;
	if (status_is_done(status) && !status_is_done(a->status))
		kv_set(rec, "resolved-at", at);
	else if (!status_is_done(status))
		kv_set(rec, "resolved-at", NULL);
	if (strcmp(status, "closed") == 0)
		kv_set(rec, "closed-at", at);
	if (a->timeline.len)
		sbuf_addc(&a->timeline, ';');
	sbuf_addf(&a->timeline, "%s %s", at, status);
	a->status = status;
}

static void
mail_entered(struct acc *a, const char *at, const char *dir)
{
	if (a->mails.len)
		sbuf_addc(&a->mails, ';');
	sbuf_addf(&a->mails, "%s %s", at, dir);
}

static void
mail_event(struct acc *a, struct kvmap *rec, const struct kvmap *ev, const char *at)
{
	const char *type = kv_get(ev, "ev");
	const char *autoflag = kv_get(ev, "auto");
	int is_auto = autoflag && strcmp(autoflag, "true") == 0;

	if (kv_get(ev, "agent") && strcmp(kv_get(ev, "agent"), "true") == 0) {
		/*
		 * An agent's mail to the desk is not the customer's; one sent to
		 * the customer too (the desk in Cc, mailcmd.h) is an answer.
		 */
		if (kv_get(ev, "to") == NULL)
			return;
	} else if (strcmp(type, "mail-in") == 0 || strcmp(type, "event-in") == 0) {
		a->msgs_in++;
		if (kv_get(rec, "first-in") == NULL)
			kv_set(rec, "first-in", at);
		/*
		 * An automatic mail (an out-of-office reply, a list's post) on a
		 * ticket asks nothing of the agents: it starts no next-response
		 * clock, as it reopens nothing (replay_customer_mail).
		 */
		if (!is_auto || strcmp(type, "event-in") == 0) {
			kv_set(rec, "last-in", at);
			mail_entered(a, at, "in");
		}
		return;
	}
	a->msgs_out++;
	if (kv_get(ev, "template") && strcmp(kv_get(ev, "template"), "survey") == 0 &&
	    kv_get(rec, "surveyed-at") == NULL)
		kv_set(rec, "surveyed-at", at);
	if (is_auto)
		return;
	if (kv_get(rec, "first-response") == NULL)
		kv_set(rec, "first-response", at);
	kv_set(rec, "last-out", at);
	mail_entered(a, at, "out");
}

/* Who set field last: rt-route (via: route) or anyone else; tags taken away by hand. */
static void
set_by(struct kvmap *rec, const struct kvmap *ev, const char *field)
{
	const char *via = kv_get(ev, "via");
	int hand = via == NULL || strcmp(via, "route") != 0;
	char *l = (hand ? kv_list_add : kv_list_del)(kv_get(rec, "set-by-hand"), field);

	kv_set(rec, "set-by-hand", l);
	free(l);
	if (hand && strcmp(field, "tags") == 0 && kv_get(ev, "old")) {
		char **v;
		size_t n = kv_list_split(kv_get(ev, "old"), &v);
		for (size_t i = 0; i < n; i++)
			if (!kv_list_has(kv_get(ev, "new"), v[i])) {
				l = kv_list_add(kv_get(rec, "untagged-by-hand"), v[i]);
				kv_set(rec, "untagged-by-hand", l);
				free(l);
			}
		strv_free(v, n);
	}
}

static void
other_event(struct acc *a, struct kvmap *rec, const struct kvmap *ev, const char *at)
{
	const char *type = kv_get(ev, "ev");

	if (strcmp(type, "set") == 0) {
		const char *field = kv_get(ev, "field"), *val = kv_get(ev, "new");
		if (field && strcmp(field, "status") == 0 && val)
			status_entered(a, rec, at, val);
		if (field)
			set_by(rec, ev, field);
	} else if (strcmp(type, "create") == 0) {
		const char *st = kv_get(ev, "status");
		status_entered(a, rec, at, st ? st : "new");
	} else if (strcmp(type, "rating") == 0) {
		kv_set(rec, "rating", kv_get(ev, "score"));
		kv_set(rec, "rated-at", at);
	} else if (strcmp(type, "escalate") == 0) {
		const char *step = kv_get(ev, "step");
		long lvl = kv_int(ev, "level", 0);
		if (step) {
			char *l = kv_list_add(kv_get(rec, "esc-steps"), step);
			kv_set(rec, "esc-steps", l);
			free(l);
		}
		if (lvl > a->esc_level)
			a->esc_level = (int)lvl;
	}
}

void
summary_build(const struct kvmap *t, const struct evlog *log, struct kvmap *rec)
{
	struct acc a;
	const char *updated = kv_get(t, "created");

	memset(&a, 0, sizeof(a));
	kv_copy(rec, t);
	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *type = kv_get(ev, "ev"), *at = kv_get(ev, "at");
		if (type == NULL || at == NULL)
			continue;
		if (updated == NULL || strcmp(at, updated) > 0)
			updated = at;
		if (strcmp(type, "mail-in") == 0 || strcmp(type, "mail-out") == 0 ||
		    strcmp(type, "event-in") == 0)
			mail_event(&a, rec, ev, at);
		else
			other_event(&a, rec, ev, at);
	}
	if (a.status == NULL && kv_get(t, "status") && kv_get(t, "created")) {
		sbuf_addf(&a.timeline, "%s %s", kv_get(t, "created"), kv_get(t, "status"));
		if (status_is_done(kv_get(t, "status")))
			kv_set(rec, "resolved-at", kv_get(t, "created"));
	}
	kv_set(rec, "updated", updated);
	kv_set(rec, "timeline", a.timeline.buf);
	kv_set(rec, "mail-timeline", a.mails.buf);
	kv_setf(rec, "msgs-in", "%ld", a.msgs_in);
	kv_setf(rec, "msgs-out", "%ld", a.msgs_out);
	kv_setf(rec, "reopens", "%ld", a.reopens);
	if (a.esc_level)
		kv_setf(rec, "esc-level", "%d", a.esc_level);
	sbuf_free(&a.timeline);
	sbuf_free(&a.mails);
}
