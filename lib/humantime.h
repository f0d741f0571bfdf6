/*
 * humantime.h: every time a person reads, in one zone: UTC for --utc,
 * else desk.timezone from rt.yaml, else $TZ, else (TZ unset) the system's
 * zone, /etc/localtime, as date(1) and every other program show it.
 * JSON and other output for programs stays RFC 3339 UTC (rt_fmttime).
 */
#ifndef RT_HUMANTIME_H
#define RT_HUMANTIME_H

#include <time.h>

struct desk;

#define HUMAN_TIMELEN 32

/*
 * Chooses the zone (d may be NULL). EX_CONFIG naming rt.yaml when
 * desk.timezone is not a known zone; times are then shown in UTC.
 */
int human_time_init(struct desk *d, int utc);

/* Chooses the desk's zone unless a command chose one already (a warning if invalid). */
void human_time_default(struct desk *d);
/* t broken down in the chosen zone, for dates written in words. */
void human_tm(time_t t, struct tm *tm);

/* The name of month mon (0-11) in lang ("de"; else English). */
const char *human_month(int mon, const char *lang);

/* "2026-11-25T11:00:00+01:00" (RFC 3339 with the zone's offset; Z at UTC). */
char *human_time(time_t t, char buf[HUMAN_TIMELEN]);
/* "2026-11-25 11:00", for table columns. */
char *human_time_short(time_t t, char buf[HUMAN_TIMELEN]);
/*
 * The same for an RFC 3339 string read from the desk (an event's "at");
 * a string that does not parse is returned as it is.
 */
const char *human_time_str(const char *s, char buf[HUMAN_TIMELEN]);
const char *human_time_short_str(const char *s, char buf[HUMAN_TIMELEN]);

#endif
