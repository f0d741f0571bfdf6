/*
 * hlc.h: event ids and the hybrid logical clock of log.yaml (format 2).
 *
 * Every event carries id (EVID_LEN random base32 characters) and hlc,
 * "<13-digit unix milliseconds>-<counter>", compared as two numbers. A
 * new event's clock is the later of now and the newest clock in that
 * ticket's log, plus one tick, so every clone orders a ticket's events
 * the same way whatever order log.yaml holds them in, and an event is
 * always after the events its writer knew.
 */
#ifndef RT_HLC_H
#define RT_HLC_H

#include <stddef.h>

#include "kv.h"

#define EVID_LEN 10
#define HLC_LEN 48

struct hlc {
	long long ms;	/* wall clock, unix milliseconds */
	long long n;	/* counter within one millisecond */
};

/* A fresh random event id. */
void evid_generate(char out[EVID_LEN + 1]);
/* Parses "1764064800000-3"; 0 if it is a clock. */
int hlc_parse(const char *s, struct hlc *h);
char *hlc_fmt(const struct hlc *h, char buf[HLC_LEN]);
int hlc_cmp(const struct hlc *a, const struct hlc *b);
/* Now in milliseconds; $RT_NOW pins it (to a whole second). */
long long hlc_now_ms(void);
/* Advances h past both itself and now_ms: max(now, h) plus one tick. */
void hlc_tick(struct hlc *h, long long now_ms);
/*
 * The clock an event is ordered by: its hlc, else (an event written
 * before format 2) its at with counter 0.
 */
void event_hlc(const struct kvmap *ev, struct hlc *h);
/*
 * THE order of a ticket's events: by (hlc, id). Negative, zero or
 * positive like strcmp; zero only for the same event.
 */
int event_order(const struct kvmap *a, const struct kvmap *b);
/*
 * The newest clock in a log.yaml's text, without parsing it: each event
 * is one line "- {id: ..., hlc: ..., ...}" (only a line's start is read,
 * so nothing inside a value can move the clock). {0, 0} if none. Returns
 * 1 when some event has no id first (written by hand or before format
 * 2): then only a parse finds its clock (event_hlc).
 */
int log_newest_hlc(const char *buf, size_t len, struct hlc *max);

/* Keys of an event that order and merge it (id, hlc, seen, was), not shown. */
int event_key_internal(const char *key);

#endif
