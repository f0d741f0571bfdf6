/*
 * notify.h: the one notification engine: agent notifications (new
 * ticket, customer reply, assignment, @mention, watchers), customer
 * status mails, and escalation's notices all go through its journal.
 *
 * A notification is rendered and stored in the ticket (a `notify` event
 * with the mail file) in the same commit as the change that causes it.
 * Before that commit a line is added to the journal .git/rt/notify-journal:
 *
 *	ID \t KEY \t FILE \t RCPT,RCPT \t ENVFROM \t MAILER
 *
 * (MAILER "desk" or "escalation": which rt.yaml mailer sends it). After
 * the commit the stored bytes are sent and the line is removed. A line
 * whose FILE is not in the ticket at HEAD is a commit that never landed
 * and is dropped; a committed one is resent by the next writing command
 * and by rt-escalate's sweep. Sending and removing happen under a lock
 * on the journal, after checking the line is still there, so two
 * processes never send one line twice. The one duplicate window left:
 * a crash between the send and the removal.
 */
#ifndef RT_NOTIFY_H
#define RT_NOTIFY_H

#include <stddef.h>
#include <stdio.h>

struct desk;
struct change;

/* Journal lines (see above). The caller holds the desk lock for add. */
char *notify_jline(const char *id, const char *key, const char *file, const char *rcpts,
    const char *env_from, const char *mailer);
int notify_journal_add(struct desk *d, const char *jline);
int notify_journal_del(struct desk *d, const char *jline);
/*
 * Sends buf for journal line jline through mailer unless the line is gone
 * (sent by another process), then removes it. 0 when sent or already
 * gone; the mailer's code otherwise (the line stays for a retry).
 */
int notify_send_line(struct desk *d, const char *jline, const char *mailer, const char *buf,
    size_t len);
/* The mailer URL for a journal MAILER field; NULL when none is configured. */
const char *notify_mailer(struct desk *d, const char *which);
/*
 * Resends every committed line of the journal and drops uncommitted ones;
 * one line per resent notification to out (when not NULL). Returns 0 or
 * the first send failure's code (those lines stay).
 */
int notify_retry(struct desk *d, FILE *out);

/*
 * desk_open hooks these into every change of a desk (desk.h): change_commit
 * calls the first before it stages (desk locked), which adds the
 * notifications the change causes to it, with their journal lines; and
 * the second after the commit with its result (0: queue them for
 * desk_close to send, else drop their journal lines).
 */
void notify_precommit(struct change *c);
void notify_postcommit(struct change *c, int rc);
/* Sends what this process queued; desk_close() calls it after the unlock. */
void notify_flush(void);

/* "anna,bob": the agents named as @NAME in text, or NULL. */
char *notify_mentions(struct desk *d, const char *text, size_t len);

#endif
