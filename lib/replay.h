/*
 * replay.h: a ticket's state as the deterministic replay of its log
 * (desk format 2, rt-desk(5) REPLAY). Every clone that holds the same
 * events computes the same state, whatever order log.yaml lists them in.
 */
#ifndef RT_REPLAY_H
#define RT_REPLAY_H

#include <stddef.h>

#include "kv.h"

struct evlog;

/*
 * A value that lost to a concurrent write of the same field: the event
 * lost_id (by, at) had set field to value; the event won_id, whose writer
 * had not seen that, set it to won.
 */
struct replay_lost {
	char *field, *value, *won;
	char *lost_id, *by, *at;	/* the losing write */
	char *won_id;			/* the winning set event */
};

struct replay_conflicts {
	struct replay_lost *v;
	size_t n;
};

/*
 * Replays log (sorted by event_order first; the log is sorted in place)
 * into state, which gets id and every field. lost (may be NULL) gets the
 * values that lost to concurrent writes. Returns 0, or EX_DATAERR when
 * the log holds no create or snapshot event (not a ticket).
 */
int replay(const char *id, struct evlog *log, struct kvmap *state,
    struct replay_conflicts *lost);
/* The conflicts of a ticket's log, for rt-show --log and rt-sync. */
int replay_conflicts(const char *id, struct evlog *log, struct replay_conflicts *out);
void replay_conflicts_free(struct replay_conflicts *c);

/*
 * The log as a reader sees it (rt-show): sorted by event_order, and an
 * escalation step done by two clones before they synced listed once (the
 * first by that order); the file keeps both lines.
 */
void replay_view(struct evlog *log);

/*
 * Keys of a create or snapshot event that describe the event, not the
 * ticket; every other key of such an event is an initial field.
 */
int replay_event_key(const char *key);

/* Whether a customer's mail resumes or reopens a ticket in this status. */
int replay_pausing(const char *status);
/* A customer's mail or event (not an agent's, not automatic, not merged in). */
int replay_customer_mail(const struct kvmap *ev);

#endif
