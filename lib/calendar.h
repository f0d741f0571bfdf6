/*
 * calendar.h: business-time arithmetic over weekly opening hours, a time
 * zone and a list of holidays (the `calendars:` section of rt.yaml).
 *
 *   calendars:
 *     office:
 *       timezone: Europe/Berlin
 *       hours: {mon-fri: "08:00-18:00", sat: "09:00-12:00"}
 *       holidays: [2026-12-24, 2026-12-25]
 *
 * Opening hours are local wall-clock times in the calendar's zone, so a
 * business day keeps its hours across a DST change (08:00-18:00 is 10
 * real hours on either side of it). A calendar without `hours:` is open
 * around the clock except on its holidays; the name "24x7" always exists.
 * Internally each calendar keeps a table of its opening intervals in UTC
 * with running totals, built lazily for the days queried, so both
 * operations below are two binary searches once the table is warm.
 */
#ifndef RT_CALENDAR_H
#define RT_CALENDAR_H

#include <time.h>

struct ynode;
struct calendar;

/*
 * Builds calendar name from its config node (a map, or NULL for a calendar
 * open around the clock in UTC). cfgname names the file in messages.
 * Returns 0, or EX_CONFIG with rt_errmsg() "rt.yaml:LINE:COL: problem".
 */
int calendar_parse(struct calendar **out, const char *name, const struct ynode *n,
    const char *cfgname);
/*
 * Builds calendar name from weekly lines "DAYS HH:MM-HH:MM [HH:MM-HH:MM ...]"
 * (a scalar or a list of them; a range may pass midnight) in zone tz
 * (NULL: UTC): the older `business-hours:` syntax of routing.
 * EX_CONFIG "rt.yaml:L:C: bad business hours '...'" on a bad line.
 */
int calendar_from_lines(struct calendar **out, const char *name, const char *tz,
    const struct ynode *lines, const char *cfgname);
void calendar_free(struct calendar *c);
/* Whether a time zone of this name exists (UTC or a tzdata file). */
int cal_zone_valid(const char *tz);
/* The date YYYY-MM-DD at t in zone tz (NULL: UTC). */
void cal_local_date(const char *tz, time_t t, char out[11]);
/* t as local time in tz (NULL: UTC); tm_gmtoff holds the offset. */
void cal_local_tm(const char *tz, time_t t, struct tm *out);
const char *calendar_name(const struct calendar *c);
const char *calendar_timezone(const struct calendar *c);

/* Business seconds in [a, b); 0 when b <= a. */
long long cal_between(struct calendar *c, time_t a, time_t b);
/*
 * The earliest time at which n business seconds have passed since t
 * (t itself for n <= 0). A due time falling on the end of an opening
 * interval is that end (18:00 Friday, not 08:00 Monday). Returns
 * (time_t)-1 when the calendar has no such time within 100 years.
 */
time_t cal_add(struct calendar *c, time_t t, long long n);
/* 1 when t is within opening hours. */
int cal_is_open(struct calendar *c, time_t t);
/*
 * The length of one business day ("bd" in durations): the `day:` key of
 * the calendar, else its longest daily opening (24h without hours).
 */
long long cal_day_length(const struct calendar *c);

/*
 * Durations of business time: a sum of NUMBER UNIT parts, "30m", "4h",
 * "1h30m", "90s", "2bd" (business days of calendar c, see above; refused
 * when c is NULL). A bare "d" is refused as ambiguous. Returns 0 or -1.
 */
int cal_parse_duration(const char *s, const struct calendar *c, long long *out);
/* Formats seconds as "1h30m", "45m", "20s", "0m", "-15m"; returns buf. */
#define CAL_DURLEN 32
char *cal_fmt_duration(long long secs, char buf[CAL_DURLEN]);

#endif
