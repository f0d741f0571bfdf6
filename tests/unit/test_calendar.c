/* test_calendar.c: business-time arithmetic, hand-computed cases */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "tap.h"
#include "util.h"
#include "yamlio.h"

static const char office_yaml[] =
"timezone: Europe/Berlin\n"
"hours: {mon-fri: \"08:00-18:00\", sat: \"09:00-12:00\"}\n"
"holidays: [2026-12-24, 2026-12-25, 2026-12-26, 2027-01-01]\n";

static time_t
T(const char *s)
{
	time_t t;

	if (rt_parsetime(s, &t) != 0) {
		printf("# bad time %s\n", s);
		exit(1);
	}
	return t;
}

static const char *
fmt(time_t t)
{
	static char buf[RT_TIMELEN];

	return rt_fmttime(t, buf);
}

static struct calendar *
make(const char *name, const char *yaml)
{
	struct ynode *n = yaml_load(yaml, strlen(yaml), "rt.yaml");
	struct calendar *c = NULL;
	int rc = n ? calendar_parse(&c, name, n, "rt.yaml") : -1;

	if (rc != 0) {
		printf("# %s\n", rt_errmsg());
		exit(1);
	}
	ynode_free(n);
	return c;
}

static int
parse_err(const char *yaml, const char *want)
{
	struct ynode *n = yaml_load(yaml, strlen(yaml), "rt.yaml");
	struct calendar *c = NULL;
	int rc = calendar_parse(&c, "x", n, "rt.yaml");
	int good = rc == EX_CONFIG && strstr(rt_errmsg(), want) != NULL;

	if (!good)
		printf("# rc %d: %s\n", rc, rt_errmsg());
	calendar_free(c);
	ynode_free(n);
	return good;
}

/*
 * cal_local_tm serves offsets it learnt once per window (calendar.c):
 * every field as localtime_r has it under TZ, on a sweep over 80 years,
 * at each second around each change, and at times far apart.
 */
static int
tm_same(const struct tm *a, const struct tm *b)
{
	return a->tm_sec == b->tm_sec && a->tm_min == b->tm_min && a->tm_hour == b->tm_hour &&
	    a->tm_mday == b->tm_mday && a->tm_mon == b->tm_mon && a->tm_year == b->tm_year &&
	    a->tm_wday == b->tm_wday && a->tm_yday == b->tm_yday && a->tm_isdst == b->tm_isdst &&
	    a->tm_gmtoff == b->tm_gmtoff && strcmp(a->tm_zone, b->tm_zone) == 0;
}

static int
local_agrees(const char *tz, time_t t)
{
	struct tm want, got;

	localtime_r(&t, &want);
	cal_local_tm(tz, t, &got);
	if (tm_same(&want, &got))
		return 1;
	printf("# %s at %lld: %+ld %s, want %+ld %s\n", tz, (long long)t, got.tm_gmtoff,
	    got.tm_zone, want.tm_gmtoff, want.tm_zone);
	return 0;
}

static void
test_local_tm(void)
{
	static const char *const zones[] = { "Europe/Berlin", "America/St_Johns",
		"Australia/Lord_Howe", "Pacific/Apia", "Africa/Casablanca", "Europe/Dublin" };
	time_t from = T("1965-01-01T00:00:00Z"), to = T("2045-01-01T00:00:00Z");
	unsigned long long r = 42;

	for (size_t i = 0; i < LEN(zones); i++) {
		int bad = 0, changes = 0;
		struct tm prev, now;
		time_t p = from;
		setenv("TZ", zones[i], 1);
		tzset();
		localtime_r(&p, &prev);
		for (time_t t = from; t < to && bad < 5; t += 86413) {
			bad += !local_agrees(zones[i], t);
			localtime_r(&t, &now);
			if (now.tm_gmtoff != prev.tm_gmtoff || now.tm_isdst != prev.tm_isdst) {
				time_t x = p, y = t;	/* the change, to the second */
				while (y - x > 1) {
					time_t mid = x + (y - x) / 2;
					struct tm m;
					localtime_r(&mid, &m);
					if (m.tm_gmtoff == prev.tm_gmtoff && m.tm_isdst == prev.tm_isdst)
						x = mid;
					else
						y = mid;
				}
				for (time_t u = y - 2; u <= y + 1; u++)
					bad += !local_agrees(zones[i], u);
				changes++;
			}
			prev = now;
			p = t;
		}
		for (int k = 0; k < 500 && bad < 5; k++) {	/* back and forth */
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			bad += !local_agrees(zones[i], from + (time_t)((r >> 11) % (unsigned long long)(to - from)));
		}
		char name[128];
		snprintf(name, sizeof(name), "%s: cal_local_tm as localtime_r, around %d changes",
		    zones[i], changes);
		ok(bad == 0 && changes > 0, name);
	}
	setenv("TZ", "UTC", 1);
	tzset();
}

int
main(void)
{
	struct calendar *c = make("office", office_yaml);
	char buf[CAL_DURLEN];
	long long d;

	setenv("TZ", "UTC", 1);
	/* Monday 2026-11-23, CET = UTC+1: 09:00-10:00 local. */
	ok(cal_between(c, T("2026-11-23T08:00:00Z"), T("2026-11-23T09:00:00Z")) == 3600,
	    "one office hour on a Monday");
	ok(cal_between(c, T("2026-11-23T06:00:00Z"), T("2026-11-23T08:00:00Z")) == 3600,
	    "time before opening does not count");
	ok(cal_between(c, T("2026-11-22T08:00:00Z"), T("2026-11-22T20:00:00Z")) == 0,
	    "nothing on a Sunday");
	ok(cal_between(c, T("2026-11-23T09:00:00Z"), T("2026-11-23T08:00:00Z")) == 0,
	    "reversed range is zero");
	/* Friday 17:00 local + 2h: 1h Friday, 1h Saturday from 09:00. */
	is_str(fmt(cal_add(c, T("2026-11-27T16:00:00Z"), 7200)), "2026-11-28T09:00:00Z",
	    "Friday evening into Saturday morning");
	/* + 5h: 1h Friday, 3h Saturday, Monday 08:00 + 1h. */
	is_str(fmt(cal_add(c, T("2026-11-27T16:00:00Z"), 5 * 3600)), "2026-11-30T08:00:00Z",
	    "across the weekend");
	ok(cal_between(c, T("2026-11-27T16:00:00Z"), T("2026-11-30T08:00:00Z")) == 5 * 3600,
	    "between agrees with add across the weekend");
	/* Wednesday 2026-12-23 17:00 local + 2h: Thu-Sat holidays, Sunday closed. */
	is_str(fmt(cal_add(c, T("2026-12-23T16:00:00Z"), 7200)), "2026-12-28T08:00:00Z",
	    "across Christmas holidays");
	ok(cal_between(c, T("2026-12-23T11:00:00Z"), T("2026-12-28T11:00:00Z")) == 10 * 3600,
	    "Wednesday noon to Monday noon over holidays is 10h");
	/* New Year's Day 2027 is a Friday holiday; Saturday 2027-01-02 is open 09-12. */
	is_str(fmt(cal_add(c, T("2026-12-31T16:00:00Z"), 2 * 3600)), "2027-01-02T09:00:00Z",
	    "New Year's Day skipped");
	/* Ending exactly at closing time stays on that day. */
	is_str(fmt(cal_add(c, T("2026-11-23T07:00:00Z"), 10 * 3600)), "2026-11-23T17:00:00Z",
	    "due at closing time, not next morning");
	/* Starting on a Sunday: Monday 08:30 local. */
	is_str(fmt(cal_add(c, T("2026-11-22T11:00:00Z"), 1800)), "2026-11-23T07:30:00Z",
	    "start outside hours");
	ok(cal_add(c, T("2026-11-22T11:00:00Z"), 0) == T("2026-11-22T11:00:00Z"),
	    "adding nothing keeps the time");
	/* Autumn DST (2026-10-25): Saturday 11:00 CEST + 2h = Monday 09:00 CET. */
	is_str(fmt(cal_add(c, T("2026-10-24T09:00:00Z"), 7200)), "2026-10-26T08:00:00Z",
	    "autumn DST change: hours stay local");
	ok(cal_between(c, T("2026-10-24T09:00:00Z"), T("2026-10-26T08:00:00Z")) == 7200,
	    "autumn DST between");
	/* Spring DST (2026-03-29): Saturday 11:00 CET + 2h = Monday 09:00 CEST. */
	is_str(fmt(cal_add(c, T("2026-03-28T10:00:00Z"), 7200)), "2026-03-30T07:00:00Z",
	    "spring DST change: hours stay local");
	ok(cal_is_open(c, T("2026-03-30T06:00:00Z")) && !cal_is_open(c, T("2026-03-30T05:59:00Z")),
	    "opening at 08:00 CEST is 06:00Z after spring change");
	/* Far away from the first query: the table grows. */
	ok(cal_between(c, T("2030-06-03T06:00:00Z"), T("2030-06-03T16:00:00Z")) == 10 * 3600,
	    "a Monday in 2030 (CEST) has 10 office hours");
	ok(cal_between(c, T("2020-01-06T07:00:00Z"), T("2020-01-06T17:00:00Z")) == 10 * 3600,
	    "a Monday in 2020 (CET) has 10 office hours");
	ok(cal_between(c, T("2026-11-23T07:00:00Z"), T("2026-11-30T07:00:00Z")) == 53 * 3600,
	    "one week is 5 x 10h + 3h");
	ok(cal_day_length(c) == 36000, "business day is the longest opening");
	ok(cal_parse_duration("2bd", c, &d) == 0 && d == 72000, "2bd is twice 10h");
	calendar_free(c);

	/* Open every hour except a holiday, across the spring change: a 23-hour day. */
	c = make("allday", "timezone: Europe/Berlin\nhours: {daily: \"00:00-24:00\"}\n"
	    "holidays: [2026-03-30]\n");
	ok(cal_between(c, T("2026-03-28T23:00:00Z"), T("2026-03-29T22:00:00Z")) == 23 * 3600,
	    "the spring DST day has 23 hours");
	ok(cal_between(c, T("2026-03-28T23:00:00Z"), T("2026-03-31T00:00:00Z")) == 25 * 3600,
	    "the holiday does not count");
	is_str(fmt(cal_add(c, T("2026-03-29T21:00:00Z"), 7200)), "2026-03-30T23:00:00Z",
	    "1h before the holiday, 1h after it");
	calendar_free(c);

	c = make("24x7", "{}");
	ok(cal_between(c, 1000, 5000) == 4000, "24x7 counts wall time");
	ok(cal_add(c, 1000, 60) == 1060, "24x7 adds wall time");
	ok(cal_parse_duration("2bd", c, &d) == 0 && d == 2 * 86400, "24x7 business day is 24h");
	calendar_free(c);

	ok(cal_parse_duration("1h30m", NULL, &d) == 0 && d == 5400, "1h30m");
	ok(cal_parse_duration("90s", NULL, &d) == 0 && d == 90, "90s");
	ok(cal_parse_duration("2d", NULL, &d) == -1, "bare d refused");
	ok(cal_parse_duration("2bd", NULL, &d) == -1, "bd needs a calendar");
	ok(cal_parse_duration("", NULL, &d) == -1, "empty refused");
	ok(cal_parse_duration("h", NULL, &d) == -1, "unit without number refused");
	is_str(cal_fmt_duration(5400, buf), "1h30m", "format 1h30m");
	is_str(cal_fmt_duration(-900, buf), "-15m", "format negative");
	is_str(cal_fmt_duration(45, buf), "45s", "format seconds");
	is_str(cal_fmt_duration(0, buf), "0m", "format zero");
	is_str(cal_fmt_duration(7200, buf), "2h", "format hours");

	ok(parse_err("timezone: Mars/Olympus\n", "rt.yaml:1:11: unknown time zone 'Mars/Olympus'"),
	    "unknown time zone refused with position");
	ok(parse_err("hours: {mon: \"08:00-12:00, 11:00-13:00\"}\n", "overlap"),
	    "overlapping hours refused");
	ok(parse_err("hours: {funday: \"08:00-12:00\"}\n", "'funday' is not a day"),
	    "bad day refused");
	ok(parse_err("hours: {mon: \"18:00-08:00\"}\n", "not a list of HH:MM-HH:MM"),
	    "range across midnight refused");
	ok(parse_err("holidays: [2026-13-01]\n", "is not a date"), "bad holiday refused");
	ok(parse_err("holidays: [2026-12-24, 2026-02-30]\n",
	    "rt.yaml:1:24: '2026-02-30' is not a date"),
	    "impossible holiday refused with its position, not taken as 2 March");
	ok(parse_err("timezone: ../../etc/passwd\n", "unknown time zone"), "path as zone refused");
	test_local_tm();
	return tap_done();
}
