/* calendar.c: business-time arithmetic (see calendar.h) */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calendar.h"
#include "util.h"
#include "yamlio.h"

#define MAXIV 8			/* opening intervals per weekday */
#define DAY 86400LL
#define GROW_DAYS 400		/* the table grows by at least this much */
#define MAX_DAYS (100 * 366)	/* cal_add gives up after this */

struct iv {
	int start, end;		/* seconds after local midnight; end <= 86400 */
};

struct span {
	time_t s, e;		/* an opening interval in UTC */
};

struct calendar {
	char *name;
	char *tz;		/* NULL for UTC */
	int always;		/* no hours and no holidays: open around the clock */
	long long daylen;
	struct iv iv[7][MAXIV];	/* per weekday, 0 = Sunday */
	int niv[7];
	long *hol;		/* holiday day numbers, sorted */
	size_t nhol;
	/* The lazily built table: days [day0, day1) as spans with running totals. */
	long day0, day1;
	time_t t0, t1;		/* UTC instants the table covers completely */
	struct span *sp;
	long long *cum;		/* cum[i] = business seconds before sp[i]; cum[n] total */
	size_t n;
};

static const char *const wdays[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int
cfg_fail(const struct ynode *n, const char *cfgname, const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);
	int rc = rt_fail(EX_CONFIG, "%s: %s", ynode_where(n, cfgname), msg);

	free(msg);
	return rc;
}

/* Day number (days since 1970-01-01) of a civil date. */
static long
day_of(int y, int m, int d)
{
	return (long)rt_days_from_civil(y, m, d);
}

static int
parse_date(const char *s, long *out)
{
	int y, m, d, k = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &k) != 3 || s[k] != '\0' ||
	    !rt_date_valid(y, m, d))
		return -1;
	*out = day_of(y, m, d);
	return 0;
}

static int
wday_index(const char *s, size_t len)
{
	for (int i = 0; i < 7; i++)
		if (len == 3 && strncasecmp(s, wdays[i], 3) == 0)
			return i;
	return -1;
}

/* "mon-fri", "sat", "mon,wed,fri", "daily" -> mask of weekdays. */
static int
parse_days(const char *s, int *mask)
{
	char **parts;
	size_t n = str_split(s, ", ", &parts);
	int rc = 0;

	*mask = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *p = parts[i], *dash = strchr(p, '-');
		int a, b;
		if (strcasecmp(p, "daily") == 0) {
			*mask |= 0x7f;
			continue;
		}
		if (dash) {
			a = wday_index(p, (size_t)(dash - p));
			b = wday_index(dash + 1, strlen(dash + 1));
		} else
			a = b = wday_index(p, strlen(p));
		if (a < 0 || b < 0) {
			rc = -1;
			break;
		}
		/* Ranges wrap around the week: "sat-mon". */
		for (int d = a;; d = (d + 1) % 7) {
			*mask |= 1 << d;
			if (d == b)
				break;
		}
	}
	strv_free(parts, n);
	return n ? rc : -1;
}

static int
parse_clock(const char *s, int *out, const char **end)
{
	int h, m, k = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &k) != 2 || k < 4 || h < 0 || m < 0 || m > 59 ||
	    h > 24 || (h == 24 && m != 0))
		return -1;
	*out = h * 3600 + m * 60;
	*end = s + k;
	return 0;
}

static int
cmp_iv(const void *a, const void *b)
{
	return ((const struct iv *)a)->start - ((const struct iv *)b)->start;
}

/* "08:00-12:00, 13:00-18:00" (or a sequence of such) into a weekday's intervals. */
static int
add_ranges(struct calendar *c, int mask, const char *s)
{
	char **parts;
	size_t n = str_split(s, ",", &parts);
	int rc = n ? 0 : -1;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *p = str_trim(parts[i]), *e;
		struct iv iv;
		if (parse_clock(p, &iv.start, &e) || *e++ != '-' || parse_clock(e, &iv.end, &e) ||
		    *e || iv.end <= iv.start) {
			rc = -1;
			break;
		}
		for (int d = 0; d < 7 && rc == 0; d++) {
			if (!(mask & (1 << d)))
				continue;
			if (c->niv[d] == MAXIV)
				rc = -1;
			else
				c->iv[d][c->niv[d]++] = iv;
		}
	}
	strv_free(parts, n);
	return rc;
}

static int
check_overlaps(struct calendar *c)
{
	for (int d = 0; d < 7; d++) {
		qsort(c->iv[d], (size_t)c->niv[d], sizeof(struct iv), cmp_iv);
		for (int i = 1; i < c->niv[d]; i++)
			if (c->iv[d][i].start < c->iv[d][i - 1].end)
				return -1;
	}
	return 0;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static int
valid_zone(const char *tz)
{
	const char *dir = getenv("TZDIR");
	struct stat st;
	char *path;
	int ok;

	if (strcmp(tz, "UTC") == 0)
		return 1;
	if (*tz == '/' || strstr(tz, ".."))
		return 0;
	for (const char *p = tz; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return ok;
}

/* The one time-zone switch: TZ=tz (NULL: UTC) until tz_leave(saved). */
static char *
tz_enter(const char *tz)
{
	char *saved = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;

	setenv("TZ", tz ? tz : "UTC", 1);
	tzset();
	return saved;
}

static void
tz_leave(char *saved)
{
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
}

static int
parse_hours(struct calendar *c, const struct ynode *h, const char *cfgname)
{
	if (h->kind != Y_MAP)
		return cfg_fail(h, cfgname, "%s must map days to hours, as in {mon-fri: \"08:00-18:00\"}",
		    "hours");
	for (size_t i = 0; i < h->n; i++) {
		const struct ynode *v = h->items[i];
		int mask;
		if (parse_days(h->keys[i], &mask) != 0)
			return cfg_fail(v, cfgname, "'%s' is not a day or day range (mon-fri, sat, daily)",
			    h->keys[i]);
		if (v->kind == Y_SCALAR) {
			if (add_ranges(c, mask, v->value) != 0)
				return cfg_fail(v, cfgname, "'%s' is not a list of HH:MM-HH:MM ranges",
				    v->value);
		} else if (v->kind == Y_SEQ) {
			for (size_t j = 0; j < v->n; j++)
				if (v->items[j]->kind != Y_SCALAR ||
				    add_ranges(c, mask, v->items[j]->value) != 0)
					return cfg_fail(v->items[j], cfgname,
					    "%s is not a HH:MM-HH:MM range", "item");
		} else
			return cfg_fail(v, cfgname, "hours of '%s' must be HH:MM-HH:MM ranges",
			    h->keys[i]);
	}
	if (check_overlaps(c) != 0)
		return cfg_fail(h, cfgname, "%s overlap on one day", "opening hours");
	for (int d = 0; d < 7; d++)
		if (c->niv[d])
			return 0;
	return cfg_fail(h, cfgname, "%s has no opening hours at all", "calendar");
}

/* The longest daily opening: one business day ("bd") by default. */
static long long
longest_day(const struct calendar *c)
{
	long long max = 0;

	for (int d = 0; d < 7; d++) {
		long long len = 0;
		for (int i = 0; i < c->niv[d]; i++)
			len += c->iv[d][i].end - c->iv[d][i].start;
		if (len > max)
			max = len;
	}
	return max;
}

int
calendar_parse(struct calendar **out, const char *name, const struct ynode *n,
    const char *cfgname)
{
	struct calendar *c = xcalloc(1, sizeof(*c));
	const struct ynode *v;
	int rc = 0;

	c->name = xstrdup(name);
	*out = c;
	if (n != NULL && yscalar_is_null(n))
		n = NULL;
	if (n && n->kind != Y_MAP)
		return cfg_fail(n, cfgname, "calendar '%s' must be a mapping", name);
	if (n && (v = ymap_get(n, "timezone")) != NULL && !yscalar_is_null(v)) {
		if (v->kind != Y_SCALAR || !valid_zone(v->value))
			return cfg_fail(v, cfgname, "unknown time zone '%s'",
			    v->kind == Y_SCALAR ? v->value : "?");
		if (strcmp(v->value, "UTC") != 0)
			c->tz = xstrdup(v->value);
	}
	if (n && (v = ymap_get(n, "hours")) != NULL && !yscalar_is_null(v)) {
		if ((rc = parse_hours(c, v, cfgname)) != 0)
			return rc;
	} else {
		for (int d = 0; d < 7; d++) {
			c->iv[d][0].start = 0;
			c->iv[d][0].end = (int)DAY;
			c->niv[d] = 1;
		}
		c->always = 1;
	}
	if (n && (v = ymap_get(n, "holidays")) != NULL && !yscalar_is_null(v)) {
		if (v->kind != Y_SEQ)
			return cfg_fail(v, cfgname, "%s must be a list of YYYY-MM-DD dates", "holidays");
		c->hol = xcalloc(v->n + 1, sizeof(*c->hol));
		for (size_t i = 0; i < v->n; i++) {
			if (v->items[i]->kind != Y_SCALAR || parse_date(v->items[i]->value, &c->hol[i]))
				return cfg_fail(v->items[i], cfgname, "'%s' is not a date (YYYY-MM-DD)",
				    v->items[i]->kind == Y_SCALAR ? v->items[i]->value : "?");
			c->nhol++;
		}
		qsort(c->hol, c->nhol, sizeof(*c->hol), cmp_long);
		if (c->nhol)
			c->always = 0;
	}
	c->daylen = longest_day(c);
	if (n && (v = ymap_get(n, "day")) != NULL && !yscalar_is_null(v)) {
		long long len;
		if (v->kind != Y_SCALAR || cal_parse_duration(v->value, NULL, &len) || len <= 0 ||
		    len > DAY)
			return cfg_fail(v, cfgname, "'%s' is not a business-day length (like 8h)",
			    v->kind == Y_SCALAR ? v->value : "?");
		c->daylen = len;
	}
	return 0;
}

/* "DAYS HH:MM-HH:MM ...": a range past midnight ends on the next day. */
static int
add_line(struct calendar *c, const char *line)
{
	char **tok;
	size_t n = str_split(line, " \t", &tok);
	int mask, rc = n < 2 || parse_days(tok[0], &mask) != 0 ? -1 : 0;

	for (size_t i = 1; i < n && rc == 0; i++) {
		const char *e;
		int from, to;
		if (parse_clock(tok[i], &from, &e) || *e++ != '-' || parse_clock(e, &to, &e) ||
		    *e || from == to) {
			rc = -1;
			break;
		}
		if (to > from) {
			rc = add_ranges(c, mask, tok[i]);
			continue;
		}
		/* 22:00-02:00: until midnight, then from midnight on the next day. */
		const char *dash = strchr(tok[i], '-');
		char *late = xasprintf("%.*s-24:00", (int)(dash - tok[i]), tok[i]);
		char *early = xasprintf("00:00-%s", dash + 1);
		int next = ((mask << 1) | (mask >> 6)) & 0x7f;
		rc = add_ranges(c, mask, late) || (to > 0 && add_ranges(c, next, early)) ? -1 : 0;
		free(late);
		free(early);
	}
	strv_free(tok, n);
	return rc;
}

int
calendar_from_lines(struct calendar **out, const char *name, const char *tz,
    const struct ynode *lines, const char *cfgname)
{
	struct calendar *c = xcalloc(1, sizeof(*c));
	const struct ynode *const *items = &lines;
	size_t n = 1;

	c->name = xstrdup(name);
	c->tz = tz && strcmp(tz, "UTC") ? xstrdup(tz) : NULL;
	*out = c;
	if (lines->kind == Y_SEQ) {
		items = (const struct ynode *const *)lines->items;
		n = lines->n;
	} else if (lines->kind != Y_SCALAR || yscalar_is_null(lines))
		return cfg_fail(lines, cfgname, "business hours must be text such as "
		    "'mon-fri 08:00-18:00' or a list of them%s", "");
	for (size_t i = 0; i < n; i++) {
		if (items[i]->kind != Y_SCALAR)
			return cfg_fail(items[i], cfgname, "business hours must be text%s", "");
		if (add_line(c, items[i]->value) != 0)
			return cfg_fail(items[i], cfgname, "bad business hours '%s' (want e.g. "
			    "'mon-fri 08:00-18:00')", items[i]->value);
	}
	if (check_overlaps(c) != 0)
		return cfg_fail(lines, cfgname, "%s overlap on one day", "business hours");
	c->daylen = longest_day(c);
	return 0;
}

int
cal_zone_valid(const char *tz)
{
	return valid_zone(tz);
}

/*
 * Local time without a time-zone switch per call. A switch (tz_enter and
 * back) makes glibc read the zone file twice, so a listing in
 * desk.timezone read it twice a row. Each zone's offsets are learnt once
 * per window of days in one switch: sampled every ZONE_STEP, each change
 * found to the second; a time is then UTC broken down at the offset of
 * its span. A zone whose local time is not UTC plus an offset (right/
 * zones count leap seconds) keeps the switch per call.
 */
#define ZONE_STEP (6 * 3600)	/* no zone changes its offset twice within it */
#define ZONE_DAYS 64		/* the first window; it doubles as it grows */
#define ZONE_FAR (2 * 366 * DAY)	/* a time further out starts a new window */
#define ZONE_MAX 8		/* zones cached; more switch per call */
#define ZONE_LIMIT ((time_t)1 << 40)	/* times beyond: switch per call */

struct zspan {
	time_t from;		/* this offset from here to the next span */
	long off;
	int isdst;
	const char *abbr;	/* interned */
};

struct zone {
	char *tz;		/* NULL: UTC */
	int direct;		/* switch per call */
	time_t lo, hi;		/* the spans cover [lo, hi) */
	struct zspan *sp;
	size_t n;
};

static struct zone zones[ZONE_MAX];
static size_t nzones;
static pthread_mutex_t zone_mu = PTHREAD_MUTEX_INITIALIZER;

/* Zone abbreviations ("CET") as tm_zone, kept for the process; NULL when full. */
static const char *
zone_abbr(const char *s)
{
	static char *pool[64];
	static size_t n;

	s = s ? s : "";
	for (size_t i = 0; i < n; i++)
		if (strcmp(pool[i], s) == 0)
			return pool[i];
	return n < LEN(pool) ? (pool[n++] = xstrdup(s)) : NULL;
}

static int
same_offset(const struct tm *a, const struct tm *b)
{
	return a->tm_gmtoff == b->tm_gmtoff && a->tm_isdst == b->tm_isdst &&
	    strcmp(a->tm_zone ? a->tm_zone : "", b->tm_zone ? b->tm_zone : "") == 0;
}

/* Whether local time lt of t is UTC at its offset. */
static int
plain_offset(time_t t, const struct tm *lt)
{
	time_t u = t + lt->tm_gmtoff;
	struct tm g;

	gmtime_r(&u, &g);
	return g.tm_sec == lt->tm_sec && g.tm_min == lt->tm_min && g.tm_hour == lt->tm_hour &&
	    g.tm_mday == lt->tm_mday && g.tm_mon == lt->tm_mon && g.tm_year == lt->tm_year;
}

static int
zone_push(struct zone *z, size_t *cap, time_t from, time_t t, const struct tm *lt)
{
	const char *abbr = zone_abbr(lt->tm_zone);

	if (abbr == NULL || !plain_offset(t, lt))
		return -1;
	if (z->n == *cap) {
		*cap *= 2;
		z->sp = xrealloc(z->sp, *cap * sizeof(*z->sp));
	}
	z->sp[z->n++] = (struct zspan){ from, lt->tm_gmtoff, lt->tm_isdst, abbr };
	return 0;
}

/* The spans of z over [lo, hi) (whole days), learnt in one switch; direct if it cannot be. */
static void
zone_learn(struct zone *z, time_t lo, time_t hi)
{
	char *saved = tz_enter(z->tz);
	size_t cap = 16;
	struct tm at, now;
	time_t a = lo;
	int rc;

	free(z->sp);
	z->sp = xmalloc(cap * sizeof(*z->sp));
	z->n = 0;
	localtime_r(&lo, &at);
	rc = zone_push(z, &cap, lo, lo, &at);
	for (time_t t = lo + ZONE_STEP; rc == 0 && t <= hi; t += ZONE_STEP) {
		localtime_r(&t, &now);
		/* each change in (a, t]: the first second at another offset */
		while (rc == 0 && !same_offset(&at, &now)) {
			time_t x = a, y = t;
			struct tm m;
			while (y - x > 1) {
				time_t mid = x + (y - x) / 2;
				localtime_r(&mid, &m);
				if (same_offset(&at, &m))
					x = mid;
				else
					y = mid;
			}
			localtime_r(&y, &at);
			a = y;
			rc = zone_push(z, &cap, y, y, &at);
		}
		a = t;
		at = now;
		if (rc == 0 && !plain_offset(t, &now))
			rc = -1;
	}
	tz_leave(saved);
	z->lo = lo;
	z->hi = hi;
	if (rc != 0) {
		z->direct = 1;
		free(z->sp);
		z->sp = NULL;
		z->n = 0;
	}
}

/* Makes z's window cover t: grown (doubling) when near, else a new one. */
static void
zone_cover(struct zone *z, time_t t)
{
	time_t day = (t >= 0 ? t / DAY : (t - DAY + 1) / DAY) * DAY, lo, hi;

	if (z->sp && t >= z->lo && t < z->hi)
		return;
	if (z->sp == NULL || t < z->lo - ZONE_FAR || t >= z->hi + ZONE_FAR) {
		lo = day - ZONE_DAYS / 2 * DAY;
		hi = day + ZONE_DAYS / 2 * DAY;
	} else {
		time_t w = z->hi - z->lo;
		lo = t < z->lo ? (day < z->lo - w ? day : z->lo - w) : z->lo;
		hi = t >= z->hi ? (day + DAY > z->hi + w ? day + DAY : z->hi + w) : z->hi;
	}
	zone_learn(z, lo, hi);
}

static struct zone *
zone_find(const char *tz)
{
	for (size_t i = 0; i < nzones; i++)
		if (tz ? zones[i].tz && strcmp(zones[i].tz, tz) == 0 : zones[i].tz == NULL)
			return &zones[i];
	if (nzones == ZONE_MAX)
		return NULL;
	zones[nzones].tz = tz ? xstrdup(tz) : NULL;
	return &zones[nzones++];
}

void
cal_local_tm(const char *tz, time_t t, struct tm *out)
{
	struct zone *z;

	pthread_mutex_lock(&zone_mu);
	z = t > -ZONE_LIMIT && t < ZONE_LIMIT ? zone_find(tz) : NULL;
	if (z && !z->direct)
		zone_cover(z, t);
	if (z && !z->direct) {
		size_t lo = 0, hi = z->n;
		/* the last span from t or before (the first is from lo <= t) */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (z->sp[mid].from <= t)
				lo = mid;
			else
				hi = mid;
		}
		time_t u = t + z->sp[lo].off;
		gmtime_r(&u, out);
		out->tm_gmtoff = z->sp[lo].off;
		out->tm_isdst = z->sp[lo].isdst;
		out->tm_zone = z->sp[lo].abbr;
	} else {
		char *saved = tz_enter(tz);
		localtime_r(&t, out);
		tz_leave(saved);
	}
	pthread_mutex_unlock(&zone_mu);
}

void
cal_local_date(const char *tz, time_t t, char out[11])
{
	struct tm tm;

	cal_local_tm(tz, t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void
calendar_free(struct calendar *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->tz);
	free(c->hol);
	free(c->sp);
	free(c->cum);
	free(c);
}

const char *
calendar_name(const struct calendar *c)
{
	return c->name;
}

const char *
calendar_timezone(const struct calendar *c)
{
	return c->tz ? c->tz : "UTC";
}

long long
cal_day_length(const struct calendar *c)
{
	return c->daylen;
}

static int
is_holiday(const struct calendar *c, long day)
{
	return c->nhol && bsearch(&day, c->hol, c->nhol, sizeof(long), cmp_long) != NULL;
}

/* UTC of a local time of day (seconds, may be 86400) on day number `day`. */
static time_t
local_to_utc(long day, int secs)
{
	time_t noon = (time_t)day * DAY + DAY / 2;
	struct tm tm;

	gmtime_r(&noon, &tm);
	tm.tm_hour = secs / 3600;
	tm.tm_min = secs % 3600 / 60;
	tm.tm_sec = secs % 60;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* (Re)builds the table for days [d0, d1) in the calendar's zone. */
static void
build(struct calendar *c, long d0, long d1)
{
	char *saved = tz_enter(c->tz);
	size_t cap = (size_t)(d1 - d0) * 2 + 4, n = 0;

	free(c->sp);
	free(c->cum);
	c->sp = xmalloc(cap * sizeof(*c->sp));
	for (long day = d0; day < d1; day++) {
		time_t noon = (time_t)day * DAY + DAY / 2;
		struct tm tm;
		int wd;
		gmtime_r(&noon, &tm);
		wd = tm.tm_wday;
		if (is_holiday(c, day))
			continue;
		for (int i = 0; i < c->niv[wd]; i++) {
			struct span s = { local_to_utc(day, c->iv[wd][i].start),
			    local_to_utc(day, c->iv[wd][i].end) };
			if (s.e <= s.s)
				continue;
			/* Back-to-back intervals (24:00 then 00:00) are merged. */
			if (n && c->sp[n - 1].e >= s.s) {
				if (s.e > c->sp[n - 1].e)
					c->sp[n - 1].e = s.e;
				continue;
			}
			if (n == cap) {
				cap *= 2;
				c->sp = xrealloc(c->sp, cap * sizeof(*c->sp));
			}
			c->sp[n++] = s;
		}
	}
	c->t0 = local_to_utc(d0, 0);
	c->t1 = local_to_utc(d1, 0);
	tz_leave(saved);
	c->n = n;
	c->cum = xmalloc((n + 1) * sizeof(*c->cum));
	c->cum[0] = 0;
	for (size_t i = 0; i < n; i++)
		c->cum[i + 1] = c->cum[i] + (long long)(c->sp[i].e - c->sp[i].s);
	c->day0 = d0;
	c->day1 = d1;
}

/* Makes the table cover t, growing it by whole chunks. */
static void
cover(struct calendar *c, time_t t)
{
	long day = (long)(t >= 0 ? t / DAY : (t - DAY + 1) / DAY);
	long d0 = c->day0, d1 = c->day1;

	if (c->sp && t >= c->t0 && t < c->t1)
		return;
	if (c->sp == NULL) {
		d0 = day - GROW_DAYS / 2;
		d1 = day + GROW_DAYS / 2;
	}
	if (day - 2 < d0)
		d0 = day - 2 - GROW_DAYS;
	if (day + 2 >= d1)
		d1 = day + 3 + GROW_DAYS;
	build(c, d0, d1);
}

/* Business seconds from the start of the table to t. */
static long long
cum_at(const struct calendar *c, time_t t)
{
	size_t lo = 0, hi = c->n;

	/* The last span starting at or before t. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->sp[mid].s <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	lo--;
	if (t >= c->sp[lo].e)
		return c->cum[lo + 1];
	return c->cum[lo] + (long long)(t - c->sp[lo].s);
}

long long
cal_between(struct calendar *c, time_t a, time_t b)
{
	if (b <= a)
		return 0;
	if (c->always)
		return (long long)(b - a);
	cover(c, a);
	cover(c, b);
	return cum_at(c, b) - cum_at(c, a);
}

time_t
cal_add(struct calendar *c, time_t t, long long n)
{
	long long target;
	size_t lo, hi;

	if (n <= 0)
		return t;
	if (c->always)
		return t + (time_t)n;
	cover(c, t);
	target = cum_at(c, t) + n;
	while (c->cum[c->n] < target) {
		if (c->day1 - c->day0 > MAX_DAYS)
			return (time_t)-1;
		build(c, c->day0, c->day1 + GROW_DAYS * 2);
		target = cum_at(c, t) + n;
	}
	/* The first span whose end total reaches the target. */
	lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->cum[mid + 1] >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return c->sp[lo].s + (time_t)(target - c->cum[lo]);
}

int
cal_is_open(struct calendar *c, time_t t)
{
	return cal_between(c, t, t + 1) == 1;
}

int
cal_parse_duration(const char *s, const struct calendar *c, long long *out)
{
	long long total = 0;
	int parts = 0;

	while (isspace((unsigned char)*s))
		s++;
	while (*s) {
		char *end;
		long long v, unit;
		if (!isdigit((unsigned char)*s))
			return -1;
		v = strtoll(s, &end, 10);
		s = end;
		if (strncmp(s, "bd", 2) == 0) {
			if (c == NULL)
				return -1;
			unit = c->daylen, s += 2;
		} else if (*s == 'h')
			unit = 3600, s++;
		else if (*s == 'm')
			unit = 60, s++;
		else if (*s == 's')
			unit = 1, s++;
		else
			return -1;
		if (v > 100000000LL)
			return -1;
		total += v * unit;
		parts++;
		while (isspace((unsigned char)*s))
			s++;
	}
	if (parts == 0)
		return -1;
	*out = total;
	return 0;
}

char *
cal_fmt_duration(long long secs, char buf[CAL_DURLEN])
{
	const char *sign = secs < 0 ? "-" : "";
	long long a = secs < 0 ? -secs : secs;
	long long h = a / 3600, m = a % 3600 / 60, s = a % 60;

	if (h && m)
		snprintf(buf, CAL_DURLEN, "%s%lldh%02lldm", sign, h, m);
	else if (h)
		snprintf(buf, CAL_DURLEN, "%s%lldh", sign, h);
	else if (m || s == 0)
		snprintf(buf, CAL_DURLEN, "%s%lldm", sign, m);
	else
		snprintf(buf, CAL_DURLEN, "%s%llds", sign, s);
	return buf;
}
