/*
 * newticket.h: opening a ticket by hand (rt-new): a phone call, a visit,
 * a letter. The agent's account of the request is stored as the
 * customer's first message (a mail-in event with a rendered .eml), so
 * rt-show shows it, rt-reply answers it and the first-response clock runs
 * from creation like for any mail.
 */
#ifndef RT_NEWTICKET_H
#define RT_NEWTICKET_H

#include <stddef.h>

#include "id.h"

struct desk;
struct assign;
struct outpart;

struct newticket {
	const char *requestor;	/* "Name <addr>" or "addr" */
	const char *channel;	/* phone, walk-in, mail, ... */
	const char *subject;
	const char *text;	/* the request as taken down; must not be blank */
	const struct assign *as;	/* optional fields, checked as rt-set checks them */
	size_t nas;
	int arrival;		/* mark it pending for arrival.h, as rt-ingest does */
	const struct outpart *file;	/* an attachment to the first message, or NULL */
};

/*
 * Validates nt (EX_USAGE for a bad field or channel, EX_DATAERR for a bad
 * address, a blank text or a bad value) and, unless dry_run, creates the
 * ticket under the desk lock and puts its id in out. With preview not
 * NULL, *preview receives what is (or would be) stored: the fields, a
 * blank line and the message. The desk is untouched on error and on a
 * dry run.
 */
int newticket_create(struct desk *d, const struct newticket *nt, int dry_run,
    ticket_id out, char **preview);

#endif
