/* ingest.h: storing one incoming message as a new ticket or a follow-up */
#ifndef RT_INGEST_H
#define RT_INGEST_H

#include <stddef.h>

#include "id.h"

struct desk;
struct txn;
struct mail;

struct ingest_result {
	ticket_id id;		/* the ticket the message is on */
	int created;		/* a new ticket was opened */
	int duplicate;		/* the message was already stored */
	char *quarantined;	/* path in the desk when quarantined */
};

/* The desk's ingest.max-bytes: larger mail is refused (default 50 MB). */
size_t ingest_max_bytes(struct desk *d);

/*
 * Stores the message whose bytes are buf (len bytes: spool_bytes; size
 * bytes received, more than len when over the limit). buf stays unchanged
 * and the caller's: it is parsed and committed as it is, byte for byte.
 * Takes the desk lock for the commit. Returns 0; EX_DATAERR when it is
 * not mail or too large (it is then kept under quarantine/, only its
 * headers when too large, and r->quarantined says where); EX_TEMPFAIL
 * when it cannot be stored now.
 */
enum {
	INGEST_KEEP_DATES = 1,	/* created and events from Date, else the first Received */
	INGEST_ARRIVAL = 2,	/* mark a new ticket pending for arrival.h */
};
int ingest_mail(struct desk *d, const char *buf, size_t len, size_t size, int flags,
    struct ingest_result *r);

/* Commits the bytes under quarantine/ with the reason beside them. */
int quarantine_store(struct desk *d, const char *buf, size_t len, const char *reason,
    char **where);
/* The same, saying what it came in as ("event"): rt-quarantine re-ingests it so. */
int quarantine_store_kind(struct desk *d, const char *buf, size_t len, const char *kind,
    const char *reason, char **where);
/*
 * Commits t as a quarantine change ("quarantine: SUBJECT", Action and Actor
 * trailers) and frees it; the caller holds the desk lock.
 */
int quarantine_txn_commit(struct desk *d, struct txn *t, const char *subject);
/*
 * The same for input too large to keep: the header section of head (len
 * bytes, the input's first), its size and the reason.
 */
int quarantine_summary(struct desk *d, const char *head, size_t len, size_t size,
    const char *reason, char **where);
/*
 * A file that is not mail: quarantine_store, or quarantine_summary over
 * ingest.max-bytes. Kept: EX_DATAERR with quarantine_refused's line and
 * *where set; else a sysexits code (EX_TEMPFAIL: retry).
 */
int quarantine_store_file(struct desk *d, const char *path, const char *reason, char **where);
/* The entry id (rt-quarantine(1)) of where, a quarantined file's path in the desk; malloc'd. */
char *quarantine_id(const char *where);
/*
 * Fails EX_DATAERR with the line for input refused into quarantine at
 * where: the reason and the entry's id, never its path in the desk (for
 * mail the MTA returns this line to the sender in its bounce). whole: all
 * of the input was kept, else only its head.
 */
int quarantine_refused(const char *reason, const char *where, int whole);
/* The reason alone of msg, quarantine_refused's line for where (malloc'd). */
char *quarantine_reason(const char *msg, const char *where);

/* Finds the ticket a message belongs to: subject tag, In-Reply-To, References. */
int ingest_thread(struct desk *d, struct mail *m, ticket_id out);

#endif
