/* Unit tests for the agent tools: safe attachment names, safe text, times for people. */
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "humantime.h"
#include "text.h"
#include "tap.h"
#include "util.h"

static void
name_is(const char *in, const char *want)
{
	char *got = attach_safe_name(in, 3);

	is_str(got, want, "a safe attachment name");
	free(got);
}

static void
test_safe_names(void)
{
	char longname[600];

	name_is("report.pdf", "report.pdf");
	name_is("../../etc/passwd", "passwd");
	name_is("/abs/evil.sh", "evil.sh");
	name_is("C:\\Users\\x\\evil.exe", "evil.exe");
	name_is("..", "attachment-3");
	name_is("", "attachment-3");
	name_is(NULL, "attachment-3");
	name_is("dir/", "attachment-3");
	name_is(".bashrc", "bashrc");
	name_is("-rf", "rf");
	name_is("a\033[31mb\007.txt", "a [31mb .txt");
	name_is("Grüße.txt", "Grüße.txt");
	name_is("invoice\xe2\x80\xae" "fdp.exe", "invoicefdp.exe");
	name_is("\xe2\x81\xa7" "a.txt\xe2\x81\xa9", "a.txt");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	{
		char *got = attach_safe_name(longname, 1);
		ok(strlen(got) <= 200, "a long name is cut to 200 bytes");
		free(got);
	}
}

static void
safe_is(const char *in, size_t len, const char *want)
{
	char *got = text_term(in, len, 1);

	is_str(got, want, "text safe for a terminal");
	ok(text_term_plain(in, len, 1) == (strcmp(got, in) == 0 && strlen(in) == len),
	    "text_term_plain says whether anything is escaped");
	free(got);
}

static void
test_safe_text(void)
{
	safe_is("plain\ttext\n", 11, "plain\ttext\n");
	safe_is("\033[2J\r\a", 6, "\\x1B[2J\\x0D\\x07");
	safe_is("a\0b", 3, "a\\x00b");
	safe_is("\x7f", 1, "\\x7F");
	safe_is("\xc2\x9b" "31m", 5, "\\u009B31m");
	safe_is("\xff\xfe", 2, "\\xFF\\xFE");
	safe_is("\xc3\xa4\xe2\x82\xac", 5, "\xc3\xa4\xe2\x82\xac");
	safe_is("\xc3", 1, "\\xC3");
	/* bidi overrides and isolates reorder what a terminal shows: escaped */
	safe_is("invoice\xe2\x80\xae" "fdp.exe", 17, "invoice\\u202Efdp.exe");
	safe_is("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9", 9, "\\u202A\\u2066\\u2069");
	/* marks and other letters of right-to-left text stay */
	safe_is("\xe2\x80\x8f\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 11,
	    "\xe2\x80\x8f\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
	{
		char *one = text_term("a\tb\nc\r", 6, 0);
		struct sbuf tmp = SBUF_INIT;
		const char *same = "plain text", *got;

		is_str(one, "a\\x09b\\x0Ac\\x0D", "one line: tab and newline escaped too");
		free(one);
		ok(text_term_str(same, 0, &tmp) == same, "plain text is not copied");
		got = text_term_str("x\033]0;t\007", 0, &tmp);
		is_str(got, "x\\x1B]0;t\\x07", "text_term_str escapes into the scratch buffer");
		is_str(text_term_str(NULL, 0, &tmp), "", "NULL is empty");
		sbuf_free(&tmp);
	}
}

static void
test_human_time(void)
{
	char buf[HUMAN_TIMELEN];
	time_t t;

	setenv("TZ", "UTC", 1);
	ok(human_time_init(NULL, 0) == 0, "UTC from TZ");
	rt_parsetime("2026-03-29T00:30:00Z", &t);
	ok(strcmp(human_time(t, buf), "2026-03-29T00:30:00Z") == 0, "UTC keeps Z");
	setenv("TZ", "Europe/Berlin", 1);
	ok(human_time_init(NULL, 0) == 0, "Europe/Berlin from TZ");
	is_str(human_time(t, buf), "2026-03-29T01:30:00+01:00", "winter time");
	is_str(human_time(t + 3600, buf), "2026-03-29T03:30:00+02:00", "summer time, an hour later");
	is_str(human_time_short(t + 3600, buf), "2026-03-29 03:30", "short form");
	is_str(human_time_str("2026-11-25T10:00:00Z", buf), "2026-11-25T11:00:00+01:00",
	    "an RFC 3339 string");
	ok(strcmp(human_time_str("not a time", buf), "not a time") == 0, "junk passes through");
	setenv("TZ", "America/St_Johns", 1);
	ok(human_time_init(NULL, 0) == 0, "America/St_Johns from TZ");
	is_str(human_time(t, buf), "2026-03-28T22:00:00-02:30", "half-hour offsets");
	ok(human_time_init(NULL, 1) == 0 && strcmp(human_time(t, buf), "2026-03-29T00:30:00Z") == 0,
	    "--utc wins over TZ");
	setenv("TZ", "Mars/Olympus", 1);
	ok(human_time_init(NULL, 0) == EX_CONFIG && strcmp(human_time(t, buf), "2026-03-29T00:30:00Z") == 0,
	    "an unknown zone: an error, and UTC");
	setenv("TZ", "UTC", 1);
}

int
main(void)
{
	test_safe_names();
	test_safe_text();
	test_human_time();
	return tap_done();
}
