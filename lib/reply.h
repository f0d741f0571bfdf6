/*
 * reply.h: answering a ticket by mail: choosing and rendering a template
 * (or free text), loop protection for automatic replies (RFC 3834),
 * sending through lib/mailsend.h and recording the sent bytes and a
 * "mail-out" event in one commit. See rt-reply(1).
 */
#ifndef RT_REPLY_H
#define RT_REPLY_H

#include <stddef.h>
#include <stdio.h>

struct desk;

struct reply_opts {
	const char *tmpl;	/* template name, "auto", "kb:SLUG"; NULL: free text */
	const char *text;	/* free-text body when tmpl is NULL */
	const char **cc;	/* extra Cc addresses */
	size_t ncc;
	int quote;		/* quote the customer's last message */
	const char *status;	/* status to set with the reply, or NULL */
	int force_auto;		/* treat as an automatic reply (--auto) */
	int dry_run;		/* write the message to dry_out, send and record nothing */
	FILE *dry_out;
};

struct reply_result {
	int sent;		/* a message went out (or was printed with dry_run) */
	char *skipped;		/* why nothing was sent (loop protection, threshold) */
	char *msgid;		/* Message-Id sent */
	char *used;		/* template or article used */
	char *warning;		/* a recipient bounced earlier mail (bounce.h), or NULL */
};

/*
 * Answers ticket id. Takes the desk lock unless dry_run. Returns 0 (also
 * when loop protection or the auto threshold skipped the ticket: then
 * r->skipped says why), EX_DATAERR for a template error (unknown
 * variable: nothing sent), EX_CONFIG, EX_NOINPUT (no such template),
 * EX_TEMPFAIL / EX_UNAVAILABLE when the mailer failed (nothing recorded).
 */
int reply_ticket(struct desk *d, const char *id, const struct reply_opts *o,
    struct reply_result *r);
void reply_result_free(struct reply_result *r);

struct suggestion {
	char *name;		/* template name or "kb:SLUG" */
	char *title;
	double score;
};

/* Ranks templates with Keywords and kb/ articles for the ticket, best first. */
int reply_suggest(struct desk *d, const char *id, struct suggestion **out, size_t *n);
void suggestions_free(struct suggestion *s, size_t n);

/* reply.auto-threshold (default 6.0); EX_CONFIG when it is not a number. */
int reply_threshold(struct desk *d, double *out);

/* The names --template accepts for ticket id (NULL: desk defaults), for completion. */
int reply_names(struct desk *d, const char *id, char ***out, size_t *n);

/*
 * The text rt-reply opens in $EDITOR for ticket id: room for the answer,
 * the customer's last message quoted (attribution in the ticket's
 * language and the desk's zone), then REPLY_CUT and the ticket's context
 * (fields, recipients with their names, the latest messages and notes)
 * as "#" lines.
 */
#define REPLY_CUT "# ------------------------ >8 ------------------------"
int reply_draft(struct desk *d, const char *id, char **out);
/*
 * The answer in an edited draft: what is above REPLY_CUT (all of it if
 * the line is gone). NULL when only blank lines, quoted lines and the
 * attribution are left: nothing was written.
 */
char *reply_draft_answer(const char *edited);


#endif
