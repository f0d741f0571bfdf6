/*
 * escalate.h: the escalation matrix (rt.yaml escalation:) and the steps a
 * sweep applies. See rt-escalate(1) for the configuration.
 *
 * A step is named by a key such as "first-response:warn",
 * "resolution:breach", "resolution:200%", "next-response:breach@CYCLE"
 * (CYCLE: the customer mail that started the clock, 20261123T100500Z),
 * "critical:immediate", "security:immediate", "phrase:NAME",
 * "reopens:more-than-N" or "rating:at-most-N@RATEDAT". A step is done
 * when the ticket's log holds an `escalate {step}` event for its key (the
 * cache record's esc-steps); each step is applied at most once.
 */
#ifndef RT_ESCALATE_H
#define RT_ESCALATE_H

#include <git2.h>
#include <stddef.h>
#include <time.h>

#include "id.h"
#include "sla.h"
#include "util.h"

struct desk;
struct esc;

struct esc_step {
	ticket_id id;
	char *step;		/* the step key */
	int level;		/* escalation level; 0 for a security step without one */
	int security;		/* notify escalation.security */
	char *reason;		/* one line, for the event and the notification */
	char **superseded;	/* lower steps of the same clock, recorded as done */
	size_t nsuperseded;
	const void *target;	/* the level (private) */
};

struct esc_steps {
	struct esc_step *v;
	size_t n;
};
void esc_steps_free(struct esc_steps *s);

/* Compiles escalation: of the desk. Returns 0 or EX_CONFIG (rt.yaml:L:C: ...). */
int esc_load(struct esc **out, struct desk *d, struct sla *sla);
void esc_free(struct esc *e);
/* True when some trigger reads customer mail for phrases. */
int esc_has_phrases(const struct esc *e);

/*
 * The steps due for one ticket as of now, from its record alone; appended
 * to out. Resolved, closed and merged tickets only get rating and reopen
 * steps.
 */
void esc_plan(struct esc *e, const struct sla_ticket *t, time_t now, struct esc_steps *out);
/* True when the ticket has customer mail in (since, now] worth a phrase check. */
int esc_phrase_candidate(const struct esc *e, const struct sla_ticket *t, time_t since,
    time_t now);
/*
 * Reads the ticket's customer mails that arrived in (since, now] and adds
 * a step for each phrase trigger that matches and is not done yet.
 */
int esc_plan_phrases(struct esc *e, struct desk *d, const struct sla_ticket *t, time_t since,
    time_t now, struct esc_steps *out);
/*
 * The same for the mail that is not in the tree seen (the watermark
 * commit's), whatever its time.
 */
int esc_plan_phrases_unseen(struct esc *e, struct desk *d, const struct sla_ticket *t,
    git_tree *seen, time_t now, struct esc_steps *out);

/*
 * Applies one step: commits the escalate event (and moves the ticket to
 * the level's queue/owner when the level is above its current one),
 * stores the notification in the ticket with a `notify` event, then
 * sends it. Crash semantics: a journal line in .git/rt/escalate-journal
 * is written before the commit and removed after the send, and
 * esc_retry() resends what a crash or a mail failure left; so a
 * notification is never lost, and is sent twice only when the process
 * dies between the send and the journal update. With dry, nothing is
 * changed or sent and line ends in " (dry run)". Describes what was
 * done in line (one line, no \n).
 * Returns 0, EX_TEMPFAIL when the mail could not be sent (it is retried
 * by the next sweep), or another code when nothing was committed.
 */
int esc_apply(struct esc *e, struct desk *d, struct esc_step *s, time_t now, int dry,
    struct sbuf *line);
/* Resends notifications left in the journal; prints one line each to out. */
int esc_retry(struct esc *e, struct desk *d, FILE *out);

/*
 * The phrase watermark of this clone: the commit whose mail was checked
 * (.git/rt/escalate-checked). A commit, not a time: mail that another
 * clone stored earlier and a sync brought in later is still new here.
 * esc_watermark_get gives 0 and the commit, or -1 when there is none
 * (the first sweep, or a format that held a time: look back one day).
 */
int esc_watermark_get(struct desk *d, git_oid *out);
int esc_watermark_set(struct desk *d, const git_oid *commit);
/*
 * The tickets whose files changed from commit mark to HEAD (malloc'd
 * ids): the only ones that can have mail the watermark has not seen.
 */
int esc_changed_since(struct desk *d, const git_oid *mark, char ***ids, size_t *n);

/*
 * Whether this clone sends: escalation.sweeper names the one clone
 * (its rt.clone name, see rt-sync(1)) that sweeps; other clones only
 * report what is due. 1 when it is unset or names this clone; else 0
 * with why set ("escalation.sweeper is 'X', this clone is 'Y'").
 */
int esc_is_sweeper(const struct esc *e, struct desk *d, struct sbuf *why);

#endif
