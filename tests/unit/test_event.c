/* Unit tests for machine events: source detection, keys, threads, hostile input. */
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "tap.h"
#include "text.h"
#include "util.h"

static const char *
detect(const char *s)
{
	return event_detect(s, strlen(s));
}

static void
test_detect(void)
{
	is_str(detect("{\"version\":\"4\",\"groupKey\":\"{}:{}\",\"status\":\"firing\","
	    "\"alerts\":[{\"labels\":{\"alertname\":\"X\"}}]}"), "alertmanager", "alertmanager");
	is_str(detect("{\"orgId\":1,\"status\":\"firing\",\"state\":\"alerting\","
	    "\"alerts\":[{\"labels\":{\"alertname\":\"X\"}}]}"), "grafana", "grafana");
	is_str(detect("{\"routing_key\":\"r\",\"dedup_key\":\"d\",\"event_action\":\"resolve\"}"),
	    "pagerduty", "pagerduty events v2");
	is_str(detect("{\"event\":{\"id\":\"E1\",\"event_type\":\"incident.triggered\","
	    "\"resource_type\":\"incident\",\"data\":{\"id\":\"P1\",\"title\":\"t\"}}}"),
	    "pagerduty", "pagerduty webhook v3");
	is_str(detect("[{\"type\":\"message\",\"user\":\"U1\",\"text\":\"hi\",\"ts\":\"1.2\"}]"),
	    "slack", "slack export (top-level array)");
	is_str(detect("{\"type\":\"event_callback\",\"event\":{\"type\":\"message\","
	    "\"channel\":\"C1\",\"user\":\"U1\",\"text\":\"hi\",\"ts\":\"1.2\"}}"),
	    "slack", "slack events api");
	is_str(detect("{\"type\":\"m.room.message\",\"event_id\":\"$e\",\"sender\":\"@a:hs\","
	    "\"content\":{\"body\":\"hi\",\"msgtype\":\"m.text\"}}"), "matrix", "matrix");
	is_str(detect("{\"id\":\"1\",\"content\":\"<p>hi</p>\",\"in_reply_to_id\":null,"
	    "\"account\":{\"acct\":\"a@b.c\"}}"), "mastodon", "mastodon status with nulls");
	is_str(detect("{\"data\":{\"id\":\"9\",\"text\":\"t\",\"author_id\":\"5\"},"
	    "\"includes\":{\"users\":[{\"id\":\"5\",\"username\":\"u\"}]}}"), "twitter", "twitter v2");
	is_str(detect("{\"id_str\":\"9\",\"text\":\"t\",\"user\":{\"screen_name\":\"u\"}}"),
	    "twitter", "twitter v1.1");
	is_str(detect("[1700000000] SERVICE ALERT: h;s;CRITICAL;HARD;1;down\n"), "nagios", "nagios");
	is_str(detect("callid,caller_id_number,destination_number\nc1,+491,100\n"), "phone",
	    "cdr with header");
	is_str(detect("\"\",\"1\",\"2\",\"ctx\",\"\",\"Console/dsp\",\"\",\"Hangup\",\"\","
	    "\"2010-04-02 00:26:32\",\"2010-04-02 00:26:32\",\"2010-04-02 00:26:39\",7,7,"
	    "\"ANSWERED\",\"DOCUMENTATION\",\"1270167992.0\",\"\"\n"), "phone", "asterisk Master.csv");
	is_str(detect("{\"title\":\"disk full\",\"from\":\"cron@h\"}"), "generic", "generic json");
	is_str(detect("title: disk full\nfrom: cron@h\n"), "generic", "generic yaml");
	ok(detect("{\"type\":\"m.typing\",\"content\":{\"user_ids\":[]}}") == NULL,
	    "matrix typing holds no event");
	ok(detect("{\"a\": [1,,]}") == NULL, "junk json is no event");
	ok(detect("") == NULL, "empty is no event");
}

static struct event_list
parse(const char *s, const char *hint)
{
	struct event_list l;

	if (event_parse(s, strlen(s), hint, &l) != 0)
		memset(&l, 0, sizeof(l));
	return l;
}

static void
test_keys(void)
{
	struct event_list l;

	l = parse("{\"status\":\"resolved\",\"groupKey\":\"g\",\"alerts\":["
	    "{\"status\":\"resolved\",\"fingerprint\":\"ab12\",\"labels\":{\"alertname\":\"Disk\","
	    "\"severity\":\"Critical\"},\"annotations\":{\"summary\":\"full\"}},"
	    "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Cpu\"}}]}", NULL);
	ok(l.n == 2, "one event per alert");
	if (l.n == 2) {
		is_str(l.v[0].thread, "alertmanager:ab12", "thread is the fingerprint");
		is_str(l.v[0].subject, "Disk: full", "alert subject");
		is_str(l.v[0].state, "resolved", "resolved alert");
		is_str(l.v[0].severity, "critical", "severity lower-cased");
		is_str(l.v[0].channel, "monitoring", "monitoring channel");
		ok(l.v[0].incident, "alert is an incident");
		ok(str_starts(l.v[1].thread, "alertmanager:labels:"), "no fingerprint: labels digest");
		is_str(l.v[1].state, "firing", "firing alert");
		ok(l.v[0].part == 1 && l.v[1].part == 1, "both from the first item");
	}
	event_list_free(&l);

	l = parse("{\"type\":\"message\",\"channel\":\"C1\",\"user\":\"U1\",\"text\":\"re\","
	    "\"ts\":\"2.0\",\"thread_ts\":\"1.0\"}", NULL);
	ok(l.n == 1, "slack reply");
	if (l.n == 1) {
		is_str(l.v[0].key, "slack:C1:2.0", "slack key: channel and ts");
		is_str(l.v[0].thread, "slack:C1:1.0", "slack thread: thread_ts");
		is_str(l.v[0].ref, "slack:C1:1.0", "slack reply refers to the starter");
		is_str(l.v[0].from, "slack:U1", "slack sender");
		ok(l.v[0].digest != NULL, "own id: content digest kept");
	}
	event_list_free(&l);

	l = parse("{\"id\":7,\"content\":\"<p>a &amp; b<br>c</p>\",\"in_reply_to_id\":\"6\","
	    "\"account\":{\"acct\":\"ann\",\"url\":\"https://social.example/@ann\"}}", NULL);
	ok(l.n == 1, "mastodon status");
	if (l.n == 1) {
		is_str(l.v[0].subject, "a & b c", "html stripped");
		is_str(l.v[0].from, "@ann@social.example", "local account gets the instance");
		is_str(l.v[0].key, "mastodon:7", "integer id");
		is_str(l.v[0].ref, "mastodon:6", "in_reply_to_id");
	}
	event_list_free(&l);

	l = parse("{\"text\":\"\\ud83d\\ude00\",\"ts\":\"1\"}", "slack");
	ok(l.n == 1 && strcmp(l.v[0].subject, "\xf0\x9f\x98\x80") == 0, "surrogate pair decoded");
	event_list_free(&l);

	l = parse("{\"text\":\"hi\"}\n{\"text\":\"ho\"}\n\n", NULL);
	ok(l.n == 2 && strcmp(l.format, "jsonl") == 0, "json lines");
	event_list_free(&l);
}

static void
test_hostile(void)
{
	struct event_list l;
	size_t n = 300000;
	char *big = xmalloc(n + 32), *deep = xmalloc(n + 1);
	int rc;

	strcpy(big, "{\"title\":\"");
	memset(big + 10, 'x', n);
	strcpy(big + 10 + n, "\"}");
	l = parse(big, NULL);
	ok(l.n == 1 && strlen(l.v[0].subject) == EVENT_SUBJECT_MAX, "giant subject capped");
	event_list_free(&l);

	memset(deep, '[', n);
	deep[n] = '\0';
	rc = event_parse(deep, n, NULL, &l);
	ok(rc == EX_DATAERR, "deep nesting refused");

	rc = event_parse("{\"text\":\"a\0b\"}", 14, NULL, &l);
	ok(rc == EX_DATAERR, "NUL byte refused");
	rc = event_parse("{\"text\":\"caf\xe9\"}", 14, NULL, &l);
	ok(rc == EX_DATAERR, "invalid UTF-8 in JSON refused");
	l = parse("[1700000000] HOST ALERT: h\xff;DOWN;HARD;1;x\xfe\n", NULL);
	ok(l.n == 1 && utf8_valid(l.v[0].subject, strlen(l.v[0].subject)), "log line cleaned");
	event_list_free(&l);
	ok(event_parse("{}", 2, "nosuch", &l) == EX_USAGE, "unknown source hint");
	free(big);
	free(deep);
}

/* Each limit at its value and one past it; a refusal keeps no events. */
static int
lim_parse(const char *s, const struct event_limits *lim, struct event_list *l)
{
	return event_parse_limited(s, strlen(s), NULL, lim, l);
}

static void
test_limits(void)
{
	struct event_limits lim = { 2, 3, 3, 20 };
	struct event_list l;
	const char *csv_open = "callid,caller_id_number\nq1,+491\nq2,\"+492\n";
	int rc;

	rc = lim_parse("[{\"title\":\"a\"},{\"title\":\"b\"}]", &lim, &l);
	ok(rc == 0 && l.n == 2, "max-events: at the limit");
	if (rc == 0 && l.n == 2)
		is_str(l.v[1].text, "{\"title\":\"b\"}\n", "an item's own text");
	event_list_free(&l);
	rc = lim_parse("[{\"title\":\"a\"},{\"title\":\"b\"},{\"title\":\"c\"}]", &lim, &l);
	ok(rc == EX_DATAERR && l.over_limit && l.n == 0, "max-events: one past refused");
	rc = lim_parse("{\"title\":\"a\",\"x\":[[1]]}", &lim, &l);
	ok(rc == 0 && l.n == 1, "max-depth: at the limit");
	event_list_free(&l);
	rc = lim_parse("{\"title\":\"a\",\"x\":[[[1]]]}", &lim, &l);
	ok(rc == EX_DATAERR && l.over_limit, "max-depth: one past refused");
	rc = lim_parse("src,dst,x\n+1,2,3\n", &lim, &l);
	ok(rc == 0 && l.n == 1, "max-csv-fields: at the limit");
	if (rc == 0 && l.n == 1)
		is_str(l.v[0].text, "src,dst,x\n+1,2,3\n", "a record's own text has the header");
	event_list_free(&l);
	rc = lim_parse("src,dst,x\n+1,2,3,4\n", &lim, &l);
	ok(rc == EX_DATAERR && l.over_limit, "max-csv-fields: one past refused");
	rc = lim_parse("src,dst\n+1234567890123456789\n", &lim, &l);
	ok(rc == 0 && l.n == 1, "max-line-bytes: at the limit");
	event_list_free(&l);
	rc = lim_parse("src,dst\n+12345678901234567890\n", &lim, &l);
	ok(rc == EX_DATAERR && l.over_limit, "max-line-bytes: one past refused");
	/* N alerts of a big group never cost N copies of the group. */
	{
		struct sbuf sb = SBUF_INIT;
		size_t biggest = 0;
		sbuf_adds(&sb, "{\"status\":\"firing\",\"groupKey\":\"g\"");
		for (int i = 0; i < 5000; i++)
			sbuf_addf(&sb, ",\"k%d\":\"%0200d\"", i, i);
		sbuf_adds(&sb, ",\"commonAnnotations\":{\"big\":\"");
		for (int i = 0; i < 100000; i++)
			sbuf_addc(&sb, 'x');
		sbuf_adds(&sb, "\"},\"alerts\":[{\"fingerprint\":\"a\"},{\"fingerprint\":\"b\"}]}");
		rc = event_parse(sb.buf, sb.len, NULL, &l);
		ok(rc == 0 && l.n == 2, "alerts of a big group");
		for (size_t i = 0; i < l.n; i++)
			biggest = l.v[i].textlen > biggest ? l.v[i].textlen : biggest;
		ok(biggest > 0 && biggest < 6000, "each alert's text repeats at most 4 KiB of its group");
		if (l.n == 2)
			ok(strstr(l.v[1].text, "\"fingerprint\":\"b\"") &&
			    !strstr(l.v[1].text, "\"fingerprint\":\"a\""), "only its own alert");
		event_list_free(&l);
		sbuf_free(&sb);
	}
	/* Events found before an open quote are freed (LSan checks). */
	rc = event_parse(csv_open, strlen(csv_open), NULL, &l);
	ok(rc == EX_DATAERR && !l.over_limit && l.n == 0, "open quote after a record");
}

int
main(void)
{
	git_libgit2_init();
	test_detect();
	test_keys();
	test_hostile();
	test_limits();
	git_libgit2_shutdown();
	return tap_done();
}
