/*
 * event.h: machine events (chat, social, phone logs, monitoring alerts)
 * as tickets. A payload (JSON, JSON Lines, YAML, CSV or a Nagios log)
 * may hold several events; each is stored as its own event-in on the
 * ticket of its thread. A payload of one event is kept byte-exact in
 * msg/; of several, each ticket keeps only its event's own text, and
 * the payload is kept byte-exact once, on the first ticket stored.
 */
#ifndef RT_EVENT_H
#define RT_EVENT_H

#include <stddef.h>

#include "ingest.h"

struct desk;

/* One event found in a payload; all strings are clean one-line UTF-8. */
struct event {
	const char *source;	/* "alertmanager", "slack", ... (static) */
	const char *channel;	/* "monitoring", "chat", "social", "phone", "event" */
	char *key;		/* unique per event: the dedupe key (message-id) */
	char *digest;		/* content digest when key is the source's own id */
	char *thread;		/* the conversation or alert it belongs to */
	char *ref;		/* key of the event it answers, or NULL */
	char *subject;		/* at most EVENT_SUBJECT_MAX characters */
	char *from;		/* sender: "slack:U123", "@user@host", a number */
	const char *state;	/* "firing", "acknowledged", "resolved" or NULL */
	char *severity;		/* from the alert, or NULL */
	int incident;		/* a monitoring alert: the ticket is an incident */
	size_t part;		/* 1-based place in the payload */
	char *text;		/* the event's own text (its item, row or line) */
	size_t textlen;
	const char *ext;	/* format of text: "json", "csv" or "log" */
	/* A mail provider's report on mail the desk sent (ses, sendgrid): */
	const char *report;	/* "bounce" or "complaint"; NULL for any other event */
	char *address;		/* the recipient it is about */
	char *refers;		/* Message-Id of the desk's mail (no <>), or NULL */
	const char *action;	/* "failed" (permanent) or "delayed" (transient) */
};

struct event_list {
	struct event *v;
	size_t n;
	size_t skipped;		/* items of the payload that are no event */
	const char *format;	/* file extension: "json", "jsonl", "yaml", "csv", "log" */
	int over_limit;		/* refused for a limit of event_limits */
};

/*
 * Bounds on what one payload may cost; each is a key of rt.yaml under
 * ingest: (see rt-ingest(1)). Checked while parsing, before anything
 * is stored, so memory stays bounded by the payload's size.
 */
struct event_limits {
	size_t max_events;	/* ingest.max-events: events in one payload */
	size_t max_depth;	/* ingest.max-json-depth: nesting of JSON values */
	size_t max_csv_fields;	/* ingest.max-csv-fields: fields of one CSV record */
	size_t max_line_bytes;	/* ingest.max-line-bytes: one CSV record or log line */
};

#define EVENT_MAX_PAYLOAD_BYTES (4L << 20)	/* ingest.max-payload-bytes */
#define EVENT_MAX_EVENTS 1000
#define EVENT_MAX_DEPTH 64
#define EVENT_MAX_CSV_FIELDS 256
#define EVENT_MAX_LINE_BYTES 65536

extern const struct event_limits event_limits_default;

#define EVENT_SUBJECT_MAX 200

/* The source names --source accepts, NULL-terminated. */
extern const char *const event_sources[];

/*
 * Finds the events in a payload. hint is a source name or NULL to detect
 * the source from the payload's shape. Returns 0 (the list may be empty
 * when nothing in the payload is an event) or EX_DATAERR with the reason
 * in rt_errmsg() when the payload cannot be parsed; EX_USAGE for an
 * unknown hint.
 */
int event_parse(const char *buf, size_t len, const char *hint, struct event_list *out);
/*
 * Same within lim (NULL: the defaults): a payload beyond a limit is
 * EX_DATAERR with the limit named in rt_errmsg() and out->over_limit set.
 */
int event_parse_limited(const char *buf, size_t len, const char *hint,
    const struct event_limits *lim, struct event_list *out);
void event_list_free(struct event_list *l);

/* The source of a payload by its shape: a name of event_sources[], or NULL. */
const char *event_detect(const char *buf, size_t len);

/* The limits set in the desk's rt.yaml; *max_bytes: ingest.max-payload-bytes. */
void event_limits_load(struct desk *d, struct event_limits *lim, size_t *max_bytes);

/*
 * The priority rt.yaml's events.priority gives an alert's severity
 * ({critical: urgent, warning: high}), or NULL: none given, or not one
 * of the priorities (then the ticket keeps the default).
 */
const char *event_priority(struct desk *d, const char *severity);

/* Called once per event stored (or found already stored) with its ticket. */
typedef void (*event_fn)(const struct ingest_result *r, void *arg);

/*
 * Stores every event of the payload spooled at path (size bytes); calls
 * fn for each. Takes the desk lock per event. Returns 0; EX_DATAERR when
 * the payload holds no event or cannot be parsed (it is then kept under
 * quarantine/ and *quarantined, if not NULL, says where); EX_TEMPFAIL
 * when it cannot be stored now.
 */
int ingest_events(struct desk *d, const char *path, size_t size, const char *source_hint,
    event_fn fn, void *arg, char **quarantined);
/*
 * Same for a payload the caller spooled and holds in buf (len bytes of
 * size received); buf stays the caller's and unchanged, and is what the
 * desk keeps, byte for byte.
 */
int ingest_events_buf(struct desk *d, const char *buf, size_t len, size_t size,
    const char *source_hint, event_fn fn, void *arg, char **quarantined);

/*
 * Same for a payload read from fd (a pipe or a file): at most
 * ingest.max-payload-bytes are held and spooled; a longer payload is
 * read to its end, not kept, and refused with its head quarantined.
 * Empty input is quarantined as not an event (EX_DATAERR).
 */
int ingest_events_fd(struct desk *d, int fd, const char *source_hint, event_fn fn, void *arg,
    char **quarantined);

/* Same for a caller that wants one result: r describes the last event. */
int ingest_event(struct desk *d, const char *path, size_t size, const char *source_hint,
    struct ingest_result *r);

#endif
