/*
 * route_hours.c: weekly business hours for rt-route's "hours: in|out".
 *
 * A stop-gap until the SLA calendar (calendars:) has its own library:
 *
 *   business-hours:
 *     timezone: Europe/Berlin          # default: desk.timezone, else UTC
 *     hours: [mon-fri 08:00-18:00, sat 09:00-12:00]
 *
 * or simply "business-hours: mon-fri 08:00-18:00". The week is a bitmap
 * of minutes; the zone's offset from UTC is found with localtime_r under
 * a temporary TZ and cached per quarter hour, since zones change their
 * offset only on quarter hours.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "desk.h"
#include "route.h"
#include "util.h"
#include "yamlio.h"

static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int
day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 && strncasecmp(s, days[i], 3) == 0)
			return i;
	return -1;
}

static void
set_minute(struct route_hours *h, int m)
{
	m %= 7 * 1440;
	h->week[m / 8] |= (unsigned char)(1u << (m % 8));
}

/* "HH:MM" -> minutes; 24:00 allowed. */
static int
parse_hm(const char *s, size_t n)
{
	if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int hh = (s[0] - '0') * 10 + s[1] - '0', mm = (s[3] - '0') * 10 + s[4] - '0';
	if (mm > 59 || hh > 24 || (hh == 24 && mm != 0))
		return -1;
	return hh * 60 + mm;
}

/* Day set "mon-fri", "mon,wed,fri", "sat"; bit i for day i. */
static int
parse_days(const char *s, unsigned *set)
{
	char **v;
	size_t n = str_split(s, ",", &v);
	int rc = 0;

	*set = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *dash = strchr(v[i], '-');
		int a, b;
		if (dash) {
			a = day_index(v[i], (size_t)(dash - v[i]));
			b = day_index(dash + 1, strlen(dash + 1));
		} else
			a = b = day_index(v[i], strlen(v[i]));
		if (a < 0 || b < 0) {
			rc = -1;
			break;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*set |= 1u << d;
			if (d == b)
				break;
		}
	}
	strv_free(v, n);
	return n == 0 ? -1 : rc;
}

/* One line: DAYS HH:MM-HH:MM [HH:MM-HH:MM ...]; a range may pass midnight. */
static int
parse_line(struct route_hours *h, const char *line)
{
	char **tok;
	size_t n = str_split(line, " \t", &tok);
	unsigned set;
	int rc = -1;

	if (n < 2 || parse_days(tok[0], &set) != 0)
		goto out;
	for (size_t i = 1; i < n; i++) {
		const char *dash = strchr(tok[i], '-');
		int from, to;
		if (dash == NULL)
			goto out;
		from = parse_hm(tok[i], (size_t)(dash - tok[i]));
		to = parse_hm(dash + 1, strlen(dash + 1));
		if (from < 0 || to < 0 || from == to)
			goto out;
		if (to < from)
			to += 1440;
		for (int d = 0; d < 7; d++)
			if (set & (1u << d))
				for (int m = from; m < to; m++)
					set_minute(h, d * 1440 + m);
	}
	rc = 0;
out:
	strv_free(tok, n);
	return rc;
}

int
route_tz_valid(const char *tz)
{
	const char *dir = getenv("TZDIR");
	struct stat st;
	char *path;
	int ok;

	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "GMT") == 0)
		return 0;
	if (*tz == '\0' || tz[0] == '/' || strstr(tz, ".."))
		return -1;
	path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return ok ? 0 : -1;
}

static int
hours_lines(struct desk *d, struct route_hours *h, const struct ynode *n)
{
	if (n->kind == Y_SCALAR && !yscalar_is_null(n)) {
		if (parse_line(h, n->value) != 0)
			return rt_fail(EX_CONFIG, "%s: bad business hours '%s' (want e.g. "
			    "'mon-fri 08:00-18:00')", desk_cfg_where(d, n), n->value);
		return 0;
	}
	if (n->kind == Y_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			if (n->items[i]->kind != Y_SCALAR)
				return rt_fail(EX_CONFIG, "%s: business hours must be text",
				    desk_cfg_where(d, n->items[i]));
			if (hours_lines(d, h, n->items[i]) != 0)
				return EX_CONFIG;
		}
		return 0;
	}
	return rt_fail(EX_CONFIG, "%s: business hours must be text such as "
	    "'mon-fri 08:00-18:00' or a list of them", desk_cfg_where(d, n));
}

int
route_hours_parse(struct desk *d, const struct ynode *n, const char *deftz,
    struct route_hours *h)
{
	const struct ynode *hours = n, *tz = NULL;

	memset(h, 0, sizeof(*h));
	h->bucket = LONG_MIN;
	if (n->kind == Y_MAP) {
		hours = NULL;
		for (size_t i = 0; i < n->n; i++) {
			if (strcmp(n->keys[i], "timezone") == 0)
				tz = n->items[i];
			else if (strcmp(n->keys[i], "hours") == 0)
				hours = n->items[i];
			else
				return rt_fail(EX_CONFIG, "%s: unknown key '%s' in business-hours "
				    "(timezone, hours)", desk_cfg_where(d, n->items[i]), n->keys[i]);
		}
		if (hours == NULL)
			return rt_fail(EX_CONFIG, "%s: business-hours has no hours",
			    desk_cfg_where(d, n));
	}
	if (hours_lines(d, h, hours) != 0)
		return EX_CONFIG;
	if (tz && (tz->kind != Y_SCALAR || route_tz_valid(tz->value) != 0))
		return rt_fail(EX_CONFIG, "%s: unknown time zone '%s'", desk_cfg_where(d, tz),
		    tz->kind == Y_SCALAR ? tz->value : "");
	h->tz = xstrdup(tz ? tz->value : deftz && route_tz_valid(deftz) == 0 ? deftz : "UTC");
	return 0;
}

long
route_tz_offset(struct route_hours *h, time_t t)
{
	long bucket = (long)(t / 900);
	char *saved;
	struct tm tm;

	if (h->bucket == bucket)
		return h->off;
	if (h->tz == NULL || strcmp(h->tz, "UTC") == 0 || strcmp(h->tz, "GMT") == 0) {
		h->off = 0;
	} else {
		saved = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
		setenv("TZ", h->tz, 1);
		tzset();
		localtime_r(&t, &tm);
		h->off = tm.tm_gmtoff;
		if (saved)
			setenv("TZ", saved, 1);
		else
			unsetenv("TZ");
		tzset();
		free(saved);
	}
	h->bucket = bucket;
	return h->off;
}

int
route_hours_in(struct route_hours *h, time_t t)
{
	time_t local = t + route_tz_offset(h, t);
	struct tm tm;
	int m;

	gmtime_r(&local, &tm);
	m = tm.tm_wday * 1440 + tm.tm_hour * 60 + tm.tm_min;
	return (h->week[m / 8] >> (m % 8)) & 1;
}

void
route_hours_free(struct route_hours *h)
{
	free(h->tz);
	h->tz = NULL;
}
