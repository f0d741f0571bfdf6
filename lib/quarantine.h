/*
 * quarantine.h: reading the desk's quarantine (input that was not stored:
 * quarantine/YYYY-MM/STAMP-HASH.yaml beside the kept bytes) and feeding
 * an entry back through the path rt-ingest uses.
 *
 * The .yaml keys are read defensively: reason, received and file are
 * expected; size, kept (only part of the input was kept), kind (mail or
 * event) and source are used when present.
 */
#ifndef RT_QUARANTINE_H
#define RT_QUARANTINE_H

#include <stddef.h>

#include "id.h"

struct desk;

struct qentry {
	char *id;		/* "20261125T100000Z-3f2a9c1b7d": the .yaml's base name */
	char *meta;		/* quarantine/2026-11/ID.yaml */
	char *kept;		/* the kept input's path in the desk, or NULL */
	char *received;		/* RFC 3339 UTC as written, or NULL */
	char *reason;		/* one line, or NULL */
	char *kind;		/* "mail" or "event" (from the .yaml, else from the bytes) */
	char *source;		/* the events' --source, or NULL */
	char *partial;		/* what part was kept ("headers only"), or NULL when all was */
	long long size;		/* bytes received (size:), else the kept file's size; -1 unknown */
};

struct qlist {
	struct qentry *v;
	size_t n;
};

/* Every entry in HEAD, oldest first. */
int quarantine_list(struct desk *d, struct qlist *out);
void qlist_free(struct qlist *l);

/* The entry whose id is id or starts with it (unique); EX_NOINPUT / EX_USAGE. */
int quarantine_find(const struct qlist *l, const char *id, const struct qentry **out);

/* The kept bytes (malloc'd). */
int quarantine_read(struct desk *d, const struct qentry *e, char **buf, size_t *len);

struct qreingest {
	const char *kind;	/* "mail", "event" or NULL for the entry's */
	const char *source;	/* overrides the entry's source */
	ticket_id id;		/* out: the (last) ticket stored */
	size_t stored;		/* out: tickets stored (events may be several) */
	char *requarantined;	/* out: the new entry's id when it failed again */
};

/*
 * Feeds the entry's bytes back through ingest_mail or ingest_events. When
 * they are stored, the entry is removed in the next commit. When they are
 * refused again, the ingest path has quarantined them anew, and the old
 * entry is removed (the new one holds today's reason): EX_DATAERR.
 * EX_DATAERR too, before anything, when only part of the input was kept.
 */
int quarantine_reingest(struct desk *d, const struct qentry *e, struct qreingest *o);

#endif
