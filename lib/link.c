/* link.c: links between tickets and merges, each ONE commit */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "change.h"
#include "desk.h"
#include "head.h"
#include "id.h"
#include "link.h"
#include "status.h"
#include "ticket.h"
#include "txn.h"
#include "util.h"

/* Adds or removes item in the list field key, without a set event. */
static int
list_edit(struct change *c, const char *key, const char *item, int remove)
{
	const char *cur = kv_get(&c->ticket, key);
	char *next;
	int had = kv_list_has(cur ? cur : "", item);

	if (had == !remove)
		return 0;
	next = remove ? kv_list_del(cur, item) : kv_list_add(cur, item);
	kv_set(&c->ticket, key, next);
	free(next);
	c->dirty = 1;
	return 1;
}

static int
field_edit(struct change *c, const char *key, const char *val)
{
	const char *cur = kv_get(&c->ticket, key);

	if ((cur == NULL && val == NULL) || (cur && val && strcmp(cur, val) == 0))
		return 0;
	kv_set(&c->ticket, key, val);
	c->dirty = 1;
	return 1;
}

static void
link_event(struct change *c, int remove, const char *rel, const char *other)
{
	struct kvmap *ev = change_event(c, remove ? "unlink" : "link");

	kv_set(ev, "rel", rel);
	kv_set(ev, "ticket", other);
}

/* Whether anc is id itself or one of its ancestors (by parent fields in HEAD). */
static int
is_ancestor(struct desk *d, const char *anc, const char *id)
{
	ticket_id cur;

	memcpy(cur, id, sizeof(cur));
	for (int depth = 0; depth < 1000; depth++) {
		struct kvmap t = KVMAP_INIT;
		const char *p;
		if (strcmp(cur, anc) == 0)
			return 1;
		if (ticket_load(d, cur, &t, NULL) != 0 || (p = kv_get(&t, "parent")) == NULL ||
		    id_parse(p, cur) != 0) {
			kv_free(&t);
			return 0;
		}
		kv_free(&t);
	}
	return 1;
}

static int
link_locked(struct desk *d, const char *id, enum link_rel rel, const char *other,
    int remove, int *changed)
{
	struct change cs[3];
	size_t n = 0;
	const char *child, *parent;
	int rc, dirty = 0;

	memset(cs, 0, sizeof(cs));
	if (strcmp(id, other) == 0)
		return rt_fail(EX_DATAERR, "a ticket cannot be linked to itself");
	if ((rc = change_begin(&cs[n++], d, id, "link")) != 0 ||
	    (rc = change_begin_also(&cs[n++], &cs[0], other)) != 0)
		goto out;
	if (rel == LINK_REFERS) {
		dirty |= list_edit(&cs[0], "refers", other, remove);
		dirty |= list_edit(&cs[1], "refers", id, remove);
		if (dirty) {
			link_event(&cs[0], remove, "refers", other);
			link_event(&cs[1], remove, "refers", id);
		}
		goto commit;
	}
	/* c: the child's change, p: the parent's */
	struct change *c = rel == LINK_PARENT ? &cs[0] : &cs[1];
	struct change *p = rel == LINK_PARENT ? &cs[1] : &cs[0];
	child = c->id;
	parent = p->id;
	if (remove) {
		const char *cur = kv_get(&c->ticket, "parent");
		if (cur && strcmp(cur, parent) == 0) {
			dirty |= field_edit(c, "parent", NULL);
		}
		dirty |= list_edit(p, "children", child, 1);
	} else {
		const char *old = kv_get(&c->ticket, "parent");
		if (is_ancestor(d, child, parent)) {
			rc = rt_fail(EX_DATAERR, "#%s is #%s or one of its descendants: "
			    "that would make a cycle", parent, child);
			goto out;
		}
		if (old && strcmp(old, parent) != 0) {
			ticket_id oid;
			/* The former parent loses the child in the same commit. */
			if (id_parse(old, oid) == 0 && change_begin_also(&cs[n], &cs[0], oid) == 0) {
				if (list_edit(&cs[n], "children", child, 1))
					link_event(&cs[n], 1, "child", child);
				n++;
			}
		}
		dirty |= field_edit(c, "parent", parent);
		dirty |= list_edit(p, "children", child, 0);
	}
	if (dirty) {
		link_event(c, remove, "parent", parent);
		link_event(p, remove, "child", child);
	}
commit:
	if (dirty) {
		char *summary = xasprintf("%s %s #%s", remove ? "unlink" : "link",
		    rel == LINK_PARENT ? "parent" : rel == LINK_CHILD ? "child" : "refers", other);
		rc = change_commit_all(cs, n, summary);
		free(summary);
		*changed = rc == 0;
	}
out:
	for (size_t i = 0; i < 3; i++)
		if (cs[i].d)
			change_free(&cs[i]);
	return rc;
}

int
link_tickets(struct desk *d, const char *id, enum link_rel rel, const char *other,
    int remove, int *changed)
{
	int rc;

	*changed = 0;
	if ((rc = desk_lock(d)) != 0)
		return rc;
	rc = link_locked(d, id, rel, other, remove, changed);
	desk_unlock(d);
	return rc;
}

/*
 * Copies dup's conversation (mail, replies, notes, machine events: their
 * files under the same names and their events with merged-from) to the
 * change of into. With only_new, what into already holds is skipped
 * (events without a file too): the follow-ups that reached dup after
 * the merge. Returns the number of events copied.
 */
static size_t
copy_conversation(struct desk *d, const char *dup, const char *into, struct evlog *log,
    struct change *to, int only_new)
{
	size_t copied = 0;

	log_sort(log);
	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *type = kv_get(ev, "ev"), *file = kv_get(ev, "file");
		char *buf, *src, *dst;
		size_t len;
		if (type == NULL || (strcmp(type, "mail-in") && strcmp(type, "mail-out") &&
		    strcmp(type, "comment") && strcmp(type, "event-in")))
			continue;
		if (only_new && (file == NULL || kv_get(ev, "merged-from")))
			continue;
		if (file) {
			if (strstr(file, "..") || file[0] == '/')
				continue;
			src = ticket_path(dup, file);
			dst = ticket_path(into, file);
			if (only_new && desk_read_head(d, dst, &buf, &len) == 0) {
				free(buf);
				free(src);
				free(dst);
				continue;
			}
			if (desk_read_head(d, src, &buf, &len) == 0) {
				txn_put(to->txn, dst, buf, len);
				free(buf);
			}
			free(src);
			free(dst);
		}
		/* The event keeps its time and author: the conversation reads in order. */
		to->events = xrealloc(to->events, (to->nevents + 1) * sizeof(*to->events));
		memset(&to->events[to->nevents], 0, sizeof(struct kvmap));
		kv_copy(&to->events[to->nevents], ev);
		kv_set(&to->events[to->nevents], "merged-from", dup);
		to->nevents++;
		copied++;
	}
	return copied;
}

/* A link between DUP and INTO would point INTO at itself: the merge ends it. */
static void
unlink_merged(struct change *dup, struct change *into)
{
	const char *p;

	if ((p = kv_get(&into->ticket, "parent")) && strcmp(p, dup->id) == 0) {
		field_edit(into, "parent", NULL);
		list_edit(dup, "children", into->id, 1);
		link_event(into, 1, "parent", dup->id);
	}
	if ((p = kv_get(&dup->ticket, "parent")) && strcmp(p, into->id) == 0) {
		field_edit(dup, "parent", NULL);
		list_edit(into, "children", dup->id, 1);
		link_event(into, 1, "child", dup->id);
	}
	if (list_edit(into, "refers", dup->id, 1)) {
		list_edit(dup, "refers", into->id, 1);
		link_event(into, 1, "refers", dup->id);
	}
}

static size_t
list_len(const char *list)
{
	char **v;
	size_t n = kv_list_split(list, &v);

	strv_free(v, n);
	return n;
}

/* The change of ticket id in cs[0..*n), begun as one more if need be; NULL if none. */
static struct change *
change_of(struct change *cs, size_t *n, size_t cap, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(cs[i].id, id) == 0)
			return &cs[i];
	if (*n == cap)
		return NULL;
	if (change_begin_also(&cs[*n], &cs[0], id) != 0) {
		change_free(&cs[*n]);
		memset(&cs[*n], 0, sizeof(cs[*n]));
		return NULL;
	}
	return &cs[(*n)++];
}

/* The live ticket (merges followed) a list item of dup names, if any but dup's and into's. */
static int
linked(struct desk *d, const char *item, const struct change *dup, const struct change *into,
    ticket_id out)
{
	ticket_id id;

	return id_parse(item, id) == 0 && cache_resolve(d, id, out) == 0 &&
	    strcmp(out, dup->id) != 0 && strcmp(out, into->id) != 0;
}

/*
 * DUP's links to other tickets move to INTO (unlink_merged has ended those
 * between the two), each ticket changed one more change of the commit:
 * DUP's children become INTO's; what DUP refers to INTO refers to, and
 * refers back to INTO; DUP's parent becomes INTO's when INTO has none.
 * A link that would make INTO its own
 * ancestor, and DUP's parent when INTO has one, end instead: no list
 * keeps a merged id.
 */
static void
carry_links(struct desk *d, struct change *cs, size_t *n, size_t cap)
{
	struct change *dup = &cs[0], *into = &cs[1], *o;
	const char *p;
	ticket_id id;
	char **v;
	size_t nv;

	nv = kv_list_split(kv_get(&dup->ticket, "children"), &v);
	for (size_t i = 0; i < nv; i++)
		if (linked(d, v[i], dup, into, id) && (o = change_of(cs, n, cap, id)) != NULL) {
			list_edit(dup, "children", v[i], 1);
			link_event(dup, 1, "child", v[i]);
			if (is_ancestor(d, o->id, into->id)) {
				field_edit(o, "parent", NULL);
				link_event(o, 1, "parent", dup->id);
				continue;
			}
			field_edit(o, "parent", into->id);
			link_event(o, 0, "parent", into->id);
			list_edit(into, "children", o->id, 0);
			link_event(into, 0, "child", o->id);
		}
	strv_free(v, nv);
	nv = kv_list_split(kv_get(&dup->ticket, "refers"), &v);
	for (size_t i = 0; i < nv; i++)
		if (linked(d, v[i], dup, into, id) && (o = change_of(cs, n, cap, id)) != NULL) {
			list_edit(dup, "refers", v[i], 1);
			link_event(dup, 1, "refers", v[i]);
			list_edit(o, "refers", dup->id, 1);
			if (list_edit(o, "refers", into->id, 0))
				link_event(o, 0, "refers", into->id);
			if (list_edit(into, "refers", o->id, 0))
				link_event(into, 0, "refers", o->id);
		}
	strv_free(v, nv);
	if ((p = kv_get(&dup->ticket, "parent")) && linked(d, p, dup, into, id) &&
	    (o = change_of(cs, n, cap, id)) != NULL) {
		field_edit(dup, "parent", NULL);
		link_event(dup, 1, "parent", o->id);
		list_edit(o, "children", dup->id, 1);
		if (kv_get(&into->ticket, "parent") || is_ancestor(d, into->id, o->id))
			link_event(o, 1, "child", dup->id);
		else {
			list_edit(o, "children", into->id, 0);
			link_event(o, 0, "child", into->id);
			field_edit(into, "parent", o->id);
			link_event(into, 0, "parent", o->id);
		}
	}
}

/* DUP's requestors, cc, tags and watchers join INTO's (each list once). */
static void
join_lists(struct change *dup, struct change *into)
{
	static const char *const keys[] = { "requestors", "cc", "tags", "watchers" };
	char **v;
	size_t nv;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		nv = kv_list_split(kv_get(&dup->ticket, keys[k]), &v);
		for (size_t i = 0; i < nv; i++)
			list_edit(into, keys[k], v[i], 0);
		strv_free(v, nv);
	}
}

/*
 * DUP already merged into INTO: what an older rt-merge did not carry
 * (links, tags, watchers) is carried now, in one commit, or nothing is
 * done when nothing is left. The conversation, status and merge events
 * stay as the first merge made them.
 */
static int
merge_finish(struct change *cs, size_t n, size_t cap, const char *into)
{
	int dirty = 0;
	char *summary;
	int rc;

	carry_links(cs[0].d, cs, &n, cap);
	join_lists(&cs[0], &cs[1]);
	for (size_t i = 0; i < n; i++)
		dirty |= cs[i].dirty || cs[i].nevents;
	if (!dirty)
		return 0;
	summary = xasprintf("into #%s, what an older merge left", into);
	rc = change_commit_all(cs, n, summary);
	free(summary);
	return rc;
}

static int
merge_locked(struct desk *d, const char *dup, const char *into)
{
	struct change *cs = NULL;
	struct evlog log;
	struct kvmap dt = KVMAP_INIT;
	const char *st;
	ticket_id was;
	size_t n = 2, cap = 3;
	int rc, again = 0;

	memset(&log, 0, sizeof(log));
	if (strcmp(dup, into) == 0)
		return rt_fail(EX_DATAERR, "cannot merge a ticket into itself");
	if ((rc = ticket_load(d, dup, &dt, &log)) != 0)
		goto out;
	/* dup, into, its parent, children and refers: every change of the commit */
	cap += list_len(kv_get(&dt, "children")) + list_len(kv_get(&dt, "refers"));
	cs = xcalloc(cap, sizeof(*cs));
	if ((st = kv_get(&dt, "merged-into")) != NULL) {
		/* merged into INTO already (merges followed): finish it, else refuse */
		if (id_parse(st, was) != 0 || cache_resolve(d, was, was) != 0 ||
		    strcmp(was, into) != 0) {
			rc = rt_fail(EX_DATAERR, "#%s is already merged into #%s", dup, st);
			goto out;
		}
		again = 1;
	}
	if ((rc = change_begin(&cs[0], d, dup, "merge")) != 0 ||
	    (rc = change_begin_also(&cs[1], &cs[0], into)) != 0)
		goto out;
	if (kv_get(&cs[1].ticket, "merged-into")) {
		rc = rt_fail(EX_DATAERR, "#%s is itself merged into #%s", into,
		    kv_get(&cs[1].ticket, "merged-into"));
		goto out;
	}
	if (again) {
		rc = merge_finish(cs, n, cap, into);
		goto out;
	}
	unlink_merged(&cs[0], &cs[1]);
	carry_links(d, cs, &n, cap);
	copy_conversation(d, dup, into, &log, &cs[1], 0);
	list_edit(&cs[1], "merged", dup, 0);
	join_lists(&cs[0], &cs[1]);
	kv_set(change_event(&cs[1], "merge"), "from", dup);
	field_edit(&cs[0], "merged-into", into);
	if ((rc = status_change(&cs[0], "merged",
	    &(struct status_opts){ .via = "merge", .force = 1 })) != 0)
		goto out;
	kv_set(change_event(&cs[0], "merge"), "into", into);
	{
		char *summary = xasprintf("into #%s", into);
		rc = change_commit_all(cs, n, summary);
		free(summary);
	}
out:
	for (size_t i = 0; cs && i < cap; i++)
		if (cs[i].d)
			change_free(&cs[i]);
	free(cs);
	kv_free(&dt);
	log_free(&log);
	return rc;
}

int
merge_tickets(struct desk *d, const char *dup, const char *into)
{
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return rc;
	rc = merge_locked(d, dup, into);
	desk_unlock(d);
	if (rc == 0)
		rc = status_after(d, NULL, NULL);
	return rc;
}

int
merge_follow_ups(struct desk *d, const char *dup, size_t *moved)
{
	struct change c;
	struct evlog log;
	struct kvmap dt = KVMAP_INIT;
	const char *into;
	int rc;

	*moved = 0;
	memset(&c, 0, sizeof(c));
	memset(&log, 0, sizeof(log));
	if ((rc = desk_lock(d)) != 0)
		return rc;
	if ((rc = ticket_load(d, dup, &dt, &log)) != 0 ||
	    (into = kv_get(&dt, "merged-into")) == NULL)
		goto out;
	if ((rc = change_begin(&c, d, into, "merge")) != 0)
		goto out;
	if ((*moved = copy_conversation(d, dup, into, &log, &c, 1)) > 0) {
		char *summary = xasprintf("follow-ups of #%s", dup);
		change_trailer(&c, "Also", dup);
		rc = change_commit(&c, summary);
		free(summary);
	}
out:
	if (c.d)
		change_free(&c);
	kv_free(&dt);
	log_free(&log);
	desk_unlock(d);
	if (rc == 0 && *moved)
		rc = status_after(d, NULL, NULL);
	return rc;
}
