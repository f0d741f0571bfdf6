/* change.h: one change to one ticket, committed as one git commit */
#ifndef RT_CHANGE_H
#define RT_CHANGE_H

#include <stddef.h>

#include "hlc.h"
#include "id.h"
#include "kv.h"

struct desk;
struct txn;

struct change {
	struct desk *d;
	ticket_id id;
	char *action;		/* "ingest", "set", "reply", ... */
	struct kvmap ticket;	/* the state; written when dirty */
	struct kvmap base;	/* the state as loaded (format 2: what the log says) */
	int dirty;
	int created;		/* a new ticket */
	struct kvmap *events;	/* appended to log.yaml */
	size_t nevents;
	struct kvmap trailers;	/* extra trailers (Message-Id, ...) */
	struct hlc clock;	/* the last event's clock (hlc.h) */
	int clock_known;	/* clock holds the newest of the ticket's log */
	struct txn *txn;
	int txn_borrowed;	/* txn is another change's (change_begin_also) */
	/*
	 * Called once: by change_commit after the commit landed (committed 1),
	 * or by change_free when it did not (committed 0). lib/status.c uses
	 * it to learn which status changes really happened.
	 */
	void (*on_commit)(struct change *c, int committed);
	void *on_commit_arg;
};

/* Starts a change of an existing ticket (state loaded from HEAD). */
int change_begin(struct change *c, struct desk *d, const char *id, const char *action);
/*
 * Starts a change of a ticket the caller loaded under the desk lock it
 * still holds (ticket_load's state and log, unchanged since): neither is
 * read from HEAD again.
 */
struct evlog;
int change_begin_loaded(struct change *c, struct desk *d, const char *id, const char *action,
    const struct kvmap *state, const struct evlog *log);
/* Starts a new ticket with a fresh id, status "new" and created = now. */
int change_create(struct change *c, struct desk *d, const char *action);
/* Sets a field; records a "set" event when the value changes. NULL clears. */
void change_set(struct change *c, const char *key, const char *val);
/* Sets a field without an event (initial values of a new ticket). */
void change_init_field(struct change *c, const char *key, const char *val);
/* Appends an event with id, hlc, at, by and ev filled in; add more keys to it. */
struct kvmap *change_event(struct change *c, const char *type);
/*
 * Stores a file in the ticket's msg/ folder, named by time and content
 * hash ("msg/20261123T100500Z-3f2a9c1b7d.eml"), so two clones never pick
 * the same name. Returns the name relative to the ticket folder.
 */
char *change_add_file(struct change *c, const char *ext, const void *buf, size_t len);
/*
 * Same, for bytes that arrived from outside (a mail, an event payload):
 * they are lent to the commit (txn_put_lent), so the caller keeps them
 * unchanged until change_commit returns. The file's blob id goes to *id
 * when id is not NULL.
 */
struct git_oid;
char *change_add_lent(struct change *c, const char *ext, const void *buf, size_t len,
    struct git_oid *id);
void change_trailer(struct change *c, const char *key, const char *val);
/* The commit's author, when not the committer (the desk's actor). */
void change_author(struct change *c, const char *name, const char *email);
/* "FIELD=VALUE ..." of the set events so far: a commit summary. */
char *change_set_summary(const struct change *c);
/* Commits with subject "ACTION: #ID summary"; updates the cache. */
int change_commit(struct change *c, const char *summary);
void change_free(struct change *c);

/*
 * Several tickets in one commit (rt-link, rt-merge). first is begun as
 * usual; each other ticket with change_begin_also, which shares first's
 * txn, so files added to any of them land in the one commit. Then
 * change_commit_all(cs, n, summary) commits cs[0..n) (cs[0] the first)
 * as "ACTION: #ID summary" of cs[0], with trailers Ticket (cs[0]), Also
 * (the other ids), Action, Actor and cs[0]'s own trailers. The caller
 * * holds the desk lock and change_frees every change.
 */
int change_begin_also(struct change *c, struct change *first, const char *id);
int change_commit_all(struct change *cs, size_t n, const char *summary);

#endif
