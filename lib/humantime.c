/* humantime.c: times for people, in the desk's zone (see humantime.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calendar.h"
#include "desk.h"
#include "humantime.h"
#include "util.h"

static char *zone;	/* NULL: UTC, or the system's zone when syszone */
static int syszone;	/* TZ unset: the system's zone (/etc/localtime), as every program shows */
static int chosen;	/* human_time_init ran */

/* TZ may also name a zone file by its path (TZ=:/etc/localtime) */
static int
env_zone_valid(const char *tz)
{
	struct stat st;

	if (*tz == '/')
		return stat(tz, &st) == 0 && S_ISREG(st.st_mode);
	return cal_zone_valid(tz);
}

int
human_time_init(struct desk *d, int utc)
{
	const char *tz = utc ? "UTC" : d ? desk_cfg_str(d, "desk.timezone", NULL) : NULL;
	int from_env = 0;

	free(zone);
	zone = NULL;
	syszone = 0;
	chosen = 1;
	if (tz == NULL || *tz == '\0')
		tz = getenv("TZ"), from_env = 1;
	if (tz == NULL) {	/* localtime(3) reads /etc/localtime (UTC without one) */
		syszone = 1;
		return 0;
	}
	if (from_env && tz && *tz == ':')
		tz++;
	if (tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0)
		return 0;
	if (from_env ? !env_zone_valid(tz) : !cal_zone_valid(tz))
		return rt_fail(EX_CONFIG, "%s '%s' is not a time zone (like Europe/Berlin); "
		    "times are shown in UTC", from_env ? "TZ" : "rt.yaml: desk.timezone", tz);
	zone = xstrdup(tz);
	return 0;
}

static void
local(time_t t, struct tm *tm)
{
	if (zone)
		cal_local_tm(zone, t, tm);
	else if (syszone)
		localtime_r(&t, tm);	/* TZ is unset: the system's zone */
	else
		gmtime_r(&t, tm);
}

void
human_time_default(struct desk *d)
{
	if (!chosen && human_time_init(d, 0) != 0)
		rt_warn("%s", rt_errmsg());
}

void
human_tm(time_t t, struct tm *tm)
{
	local(t, tm);
}

char *
human_time(time_t t, char buf[HUMAN_TIMELEN])
{
	struct tm tm;
	long off;

	local(t, &tm);
	off = zone || syszone ? tm.tm_gmtoff : 0;
	strftime(buf, HUMAN_TIMELEN, "%Y-%m-%dT%H:%M:%S", &tm);
	if (off == 0)
		strcat(buf, "Z");
	else
		snprintf(buf + strlen(buf), HUMAN_TIMELEN - strlen(buf), "%c%02ld:%02ld",
		    off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
	return buf;
}

char *
human_time_short(time_t t, char buf[HUMAN_TIMELEN])
{
	struct tm tm;

	local(t, &tm);
	strftime(buf, HUMAN_TIMELEN, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

const char *
human_time_str(const char *s, char buf[HUMAN_TIMELEN])
{
	time_t t;

	if (s == NULL || rt_parsetime(s, &t) != 0)
		return s;
	return human_time(t, buf);
}

const char *
human_time_short_str(const char *s, char buf[HUMAN_TIMELEN])
{
	time_t t;

	if (s == NULL || rt_parsetime(s, &t) != 0)
		return s;
	return human_time_short(t, buf);
}

const char *
human_month(int mon, const char *lang)
{
	static const char *const en[12] = {
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December",
	};
	static const char *const de[12] = {
		"Januar", "Februar", "M\xC3\xA4rz", "April", "Mai", "Juni", "Juli",
		"August", "September", "Oktober", "November", "Dezember",
	};

	if (mon < 0 || mon > 11)
		return "";
	return lang && strcmp(lang, "de") == 0 ? de[mon] : en[mon];
}
