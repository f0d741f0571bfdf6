/* status.c: the one way to change a ticket's status (see status.h) */
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "desk.h"
#include "id.h"
#include "status.h"
#include "ticket.h"
#include "util.h"
#include "workflow.h"

#define CASCADE_MAX 16

/* What a change will need after its commit; a note once it landed. */
struct pending {
	char *from;
	struct status_opts opts;
};

static struct status_note *queue;
static size_t nqueue;

static struct {
	status_hook_fn *fn;
	void *arg;
} hooks[8];
static size_t nhooks;

int
status_check(struct desk *d, const struct kvmap *t, const char *to)
{
	const char *from = kv_get(t, "status"), *into = kv_get(t, "merged-into");
	struct kvmap after = KVMAP_INIT;
	int rc;

	if (from && strcmp(from, to) == 0)
		return 0;
	if ((from && strcmp(from, "merged") == 0) || into)
		return rt_fail(EX_DATAERR, "ticket is merged into #%s", into ? into : "?");
	kv_copy(&after, t);
	kv_set(&after, "status", to);
	rc = workflow_check(d, &after, from, to);
	kv_free(&after);
	return rc;
}

/* The "by" of the last status event of c: who changed it. */
static const char *
status_actor(const struct change *c)
{
	for (size_t i = c->nevents; i-- > 0;) {
		const char *f = kv_get(&c->events[i], "field");
		if (strcmp(kv_get(&c->events[i], "ev"), "set") == 0 && f &&
		    strcmp(f, "status") == 0)
			return kv_get(&c->events[i], "by");
	}
	return desk_actor_short(c->d);
}

static void
on_commit(struct change *c, int committed)
{
	struct pending *p = c->on_commit_arg;
	const char *to = kv_get(&c->ticket, "status");
	struct status_note *n;

	c->on_commit_arg = NULL;
	if (committed && to && !(p->from && strcmp(p->from, to) == 0)) {
		queue = xrealloc(queue, (nqueue + 1) * sizeof(*queue));
		n = &queue[nqueue++];
		memset(n, 0, sizeof(*n));
		n->d = c->d;
		memcpy(n->id, c->id, sizeof(n->id));
		n->from = p->from, p->from = NULL;
		n->to = xstrdup(to);
		n->actor = xstrdup(status_actor(c));
		n->via = xstrdup(p->opts.via ? p->opts.via : "");
		n->depth = p->opts.depth;
		n->opts = p->opts;
		n->opts.via = n->via;
		kv_copy(&n->ticket, &c->ticket);
	}
	free(p->from);
	free(p);
}

int
status_change(struct change *c, const char *to, const struct status_opts *o)
{
	static const struct status_opts none;
	const char *from = kv_get(&c->ticket, "status");
	struct pending *p;
	int rc;

	if (o == NULL)
		o = &none;
	if (from && strcmp(from, to) == 0)
		return 0;
	if (!o->force && (rc = status_check(c->d, o->state ? o->state : &c->ticket, to)) != 0)
		return rc;
	if (c->on_commit != on_commit) {
		p = xcalloc(1, sizeof(*p));
		p->from = from ? xstrdup(from) : NULL;
		c->on_commit = on_commit;
		c->on_commit_arg = p;
	} else
		p = c->on_commit_arg;
	p->opts = *o;
	p->opts.state = NULL;
	change_set(c, "status", to);
	return workflow_apply(c->d, c, to);
}

void
status_hook_add(status_hook_fn *fn, void *arg)
{
	if (nhooks < LEN(hooks)) {
		hooks[nhooks].fn = fn;
		hooks[nhooks++].arg = arg;
	}
}

void
status_hook_clear(void)
{
	nhooks = 0;
}

static int
warn_of(status_warn_fn *warn, void *arg, const char *id, int rc, int first)
{
	if (warn)
		warn(arg, id, rc, rt_errmsg());
	return first ? first : rc;
}

/* One child of a cascade: its own commit, through status_change. */
static int
cascade_one(struct desk *d, const char *id, const char *to, const struct status_opts *o)
{
	struct change c;
	char *summary;
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return rc;
	if ((rc = change_begin(&c, d, id, "set")) == 0 &&
	    (rc = status_change(&c, to, o)) == 0 && c.dirty) {
		summary = change_set_summary(&c);
		rc = change_commit(&c, summary);
		free(summary);
	}
	change_free(&c);
	desk_unlock(d);
	return rc;
}

static int
cascade(const struct status_note *n, status_warn_fn *warn, void *arg)
{
	struct status_opts sub = n->opts;
	const char *children = kv_get(&n->ticket, "children");
	char **kids;
	size_t nkids;
	int first = 0, rc;

	if (children == NULL || !status_is_done(n->to) || strcmp(n->to, "merged") == 0 ||
	    !(n->opts.cascade || workflow_cascade(n->d, &n->ticket)))
		return 0;
	if (n->depth >= CASCADE_MAX) {
		rt_fail(EX_DATAERR, "cascade deeper than %d levels stopped", CASCADE_MAX);
		return warn_of(warn, arg, n->id, EX_DATAERR, 0);
	}
	sub.depth = n->depth + 1;
	sub.via = "cascade";
	nkids = str_split(children, ",", &kids);
	for (size_t i = 0; i < nkids; i++) {
		struct kvmap t = KVMAP_INIT;
		ticket_id kid;
		if (id_parse(kids[i], kid) != 0 || ticket_load(n->d, kid, &t, NULL) != 0) {
			rt_fail(EX_DATAERR, "child '%s' not found", kids[i]);
			first = warn_of(warn, arg, kids[i], EX_DATAERR, first);
		} else if (!status_is_done(kv_get(&t, "status")) &&
		    (rc = cascade_one(n->d, kid, n->to, &sub)) != 0)
			first = warn_of(warn, arg, kid, rc, first);
		kv_free(&t);
	}
	strv_free(kids, nkids);
	return first;
}

static void
note_free(struct status_note *n)
{
	free(n->from);
	free(n->to);
	free(n->actor);
	free(n->via);
	kv_free(&n->ticket);
}

/* Takes the oldest note of d off the queue; 0 when there is none. */
static int
next_note(struct desk *d, struct status_note *out)
{
	for (size_t i = 0; i < nqueue; i++)
		if (queue[i].d == d) {
			*out = queue[i];
			memmove(&queue[i], &queue[i + 1], (nqueue - i - 1) * sizeof(*queue));
			if (--nqueue == 0) {
				free(queue);
				queue = NULL;
			}
			return 1;
		}
	return 0;
}

int
status_after(struct desk *d, status_warn_fn *warn, void *arg)
{
	struct status_note n;
	int first = 0, rc;

	while (next_note(d, &n)) {
		for (size_t i = 0; i < nhooks; i++)
			hooks[i].fn(&n, hooks[i].arg);
		if (!n.opts.noexec && (rc = workflow_exec(d, &n.ticket, n.id, n.to)) != 0)
			first = warn_of(warn, arg, n.id, rc, first);
		if ((rc = cascade(&n, warn, arg)) != 0 && first == 0)
			first = rc;
		note_free(&n);
	}
	return first;
}

int
status_recascade(struct desk *d, const char *id, status_warn_fn *warn, void *arg)
{
	struct status_note n;
	int rc;

	memset(&n, 0, sizeof(n));
	if ((rc = ticket_load(d, id, &n.ticket, NULL)) != 0) {
		kv_free(&n.ticket);
		return rc;
	}
	n.d = d;
	memcpy(n.id, id, sizeof(n.id));
	n.to = kv_get(&n.ticket, "status") ? xstrdup(kv_get(&n.ticket, "status")) : NULL;
	n.via = xstrdup("sync");
	n.opts.via = n.via;
	n.opts.noexec = 1;
	if (n.to && (rc = cascade(&n, warn, arg)) == 0)
		rc = status_after(d, warn, arg);
	note_free(&n);
	return rc;
}
