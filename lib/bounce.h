/*
 * bounce.h: recognising what comes back for mail the desk sent: delivery
 * status notifications (RFC 3464, and the older mailer-daemon bounces of
 * Exim and others), abuse reports (ARF, RFC 5965) and auto-replies.
 */
#ifndef RT_BOUNCE_H
#define RT_BOUNCE_H

#include <stddef.h>

#include "id.h"

struct desk;
struct kvmap;
struct mail;

struct bounce {
	const char *kind;	/* "dsn", "arf", "auto-reply"; NULL: not one */
	char *refers;		/* Message-Id of the desk's mail it returns, or NULL */
	ticket_id id;		/* the ticket that mail is on (when refers) */
	char *address;		/* the recipient that failed or complained, or NULL */
	char *action;		/* DSN Action: "failed", "delayed", ...; or NULL */
};

/*
 * Classifies the message (raw bytes buf/len, parsed m) and, for one of
 * the kinds above, finds the desk's own mail it refers to: a Message-Id
 * in the returned headers, In-Reply-To or References, looked up in the
 * cache and checked to be a mail-out. Returns 1 when b->refers is set.
 */
int bounce_find(struct desk *d, struct mail *m, const char *buf, size_t len,
    struct bounce *b);
void bounce_free(struct bounce *b);

/* 1 when msgid is a mail the desk sent; out: the ticket it is on. */
int bounce_ours(struct desk *d, const char *msgid, ticket_id out);

/* 1 when the ticket's log records a failed delivery to (or complaint of) addr. */
int bounce_is_bouncing(const struct kvmap *evs, size_t n, const char *addr);

#endif
