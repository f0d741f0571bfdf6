/* ticket.h: ticket.yaml (state) and log.yaml (append-only events) */
#ifndef RT_TICKET_H
#define RT_TICKET_H

#include <stddef.h>

#include "kv.h"

struct desk;

/* Keys of ticket.yaml in the order they are written; others follow. */
extern const char *const ticket_keys[];
/* Keys whose value is a list (comma-joined in memory, a sequence in YAML). */
extern const char *const ticket_list_keys[];
int ticket_is_list(const char *key);

int ticket_parse(const char *buf, size_t len, const char *name, struct kvmap *t);
int ticket_render(const struct kvmap *t, char **buf, size_t *len);

/* An event log: one flow mapping per line, so git's union merge keeps both sides. */
struct evlog {
	struct kvmap *ev;
	size_t n;
};
int log_parse(const char *buf, size_t len, const char *name, struct evlog *log);
/*
 * log_parse, keeping a copy of the result for the process (ticket_load);
 * log_parse_again takes the kept events when buf is the kept log with
 * lines appended and parses only those (the cache after a change).
 * Both, and event_render, may be called from any thread (ticket.c).
 */
int log_parse_keep(const char *buf, size_t len, const char *name, struct evlog *log);
int log_parse_again(const char *buf, size_t len, const char *name, struct evlog *log);
/* One line "- {at: ..., by: ..., ev: ...}\n", written by libyaml. */
int event_render(const struct kvmap *ev, char **buf, size_t *len);
/* Sorts events by (hlc, id) (hlc.h: event_order), stable for events without. */
void log_sort(struct evlog *log);
void log_free(struct evlog *log);

/*
 * The one error for an id that names no ticket (EX_NOINPUT): whoever
 * prints it puts "#ID: " before it, as every command does.
 */
int ticket_missing(void);

/*
 * Loads a ticket from HEAD (EX_NOINPUT if there is none). log may be NULL.
 * Format 1 reads ticket.yaml; format 2 replays log.yaml (replay.h).
 */
int ticket_load(struct desk *d, const char *id, struct kvmap *t, struct evlog *log);

/*
 * Format 2: writes the derived state to the work tree's ticket.yaml (an
 * ignored file, for people who cat it; not fsynced). Errors only return
 * -1: nothing may fail for it.
 */
int ticket_render_worktree(struct desk *d, const char *id, const struct kvmap *t);
/*
 * As ticket_render_worktree, the file compared and rendered here and
 * written by the work-tree thread (worktree_queue_by), after the files
 * queued before it; the caller drains the queue before the desk lock
 * goes (desk_unlock does).
 */
int ticket_render_worktree_queued(struct desk *d, const char *id, const struct kvmap *t);
/* 1 when ticket_render_worktree would write: the work tree's copy is not t's. */
int ticket_worktree_owed(struct desk *d, const char *id, const struct kvmap *t);

/* Derives the cache record of a ticket: its state plus figures from its log. */
void summary_build(const struct kvmap *t, const struct evlog *log, struct kvmap *rec);

#endif
