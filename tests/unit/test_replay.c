/* test_replay: the replay rules of desk format 2 (lib/replay.c, rt-desk(5)) */
#include <stdlib.h>
#include <string.h>

#include "hlc.h"
#include "replay.h"
#include "ticket.h"
#include "util.h"

#include "tap.h"

#define ID "K7M2Q9XD"

/* Builds a log from event lines "KEY=VAL|KEY=VAL...". */
static void
mklog(struct evlog *log, const char *const *lines)
{
	memset(log, 0, sizeof(*log));
	for (size_t i = 0; lines[i]; i++) {
		char *dup = xstrdup(lines[i]), *save = NULL;
		log->ev = xrealloc(log->ev, (log->n + 1) * sizeof(*log->ev));
		memset(&log->ev[log->n], 0, sizeof(struct kvmap));
		for (char *kv = strtok_r(dup, "|", &save); kv; kv = strtok_r(NULL, "|", &save)) {
			char *eq = strchr(kv, '=');
			*eq = '\0';
			kv_set(&log->ev[log->n], kv, eq + 1);
		}
		log->n++;
		free(dup);
	}
}

static char *
state_of(const char *const *lines, struct replay_conflicts *lost)
{
	struct evlog log;
	struct kvmap t = KVMAP_INIT;
	char *buf = NULL;
	size_t len;

	mklog(&log, lines);
	if (replay(ID, &log, &t, lost) == 0)
		ticket_render(&t, &buf, &len);
	kv_free(&t);
	log_free(&log);
	return buf ? buf : xstrdup("(error)");
}

static const char *
field(const char *const *lines, const char *key, struct replay_conflicts *lost)
{
	static char out[256];
	struct evlog log;
	struct kvmap t = KVMAP_INIT;

	mklog(&log, lines);
	out[0] = '\0';
	if (replay(ID, &log, &t, lost) == 0 && kv_get(&t, key))
		snprintf(out, sizeof(out), "%s", kv_get(&t, key));
	kv_free(&t);
	log_free(&log);
	return out;
}

#define CREATE "id=AAAAAAAAAA|hlc=1764064800000-0|at=2026-11-25T10:00:00Z|ev=create|status=new|" \
    "subject=Printer|priority=normal|queue=general|tags=a"

static void
test_hlc(void)
{
	struct hlc a, b;
	char buf[HLC_LEN];

	ok(hlc_parse("1764064800000-10", &a) == 0 && hlc_parse("1764064800000-9", &b) == 0,
	    "clocks parse");
	ok(hlc_cmp(&a, &b) > 0, "counters compare as numbers, not text");
	ok(hlc_parse("17640-", &a) != 0 && hlc_parse("x-1", &a) != 0 && hlc_parse("1-1x", &a) != 0,
	    "broken clocks refused");
	a.ms = 1000, a.n = 4;
	hlc_tick(&a, 999);
	is_str(hlc_fmt(&a, buf), "0000000001000-5", "a clock behind the log ticks the counter");
	hlc_tick(&a, 2000);
	is_str(hlc_fmt(&a, buf), "0000000002000-0", "a later wall clock restarts the counter");
	{
		const char *log = "- {id: AAAAAAAAAA, hlc: 1764064800000-3, at: x, ev: set}\n"
		    "- {id: BBBBBBBBBB, hlc: '1764064800000-12', ev: mail-in, subject: 'hlc: 9999999999999-0'}\n"
		    "  hlc: 9999999999999-9\n";
		log_newest_hlc(log, strlen(log), &a);
		is_str(hlc_fmt(&a, buf), "1764064800000-12", "the newest clock is read from line starts only");
	}
}

static void
test_rules(void)
{
	struct replay_conflicts lost;

	{
		const char *l[] = { CREATE, NULL };
		char *s = state_of(l, NULL);
		ok(strstr(s, "subject: Printer") && strstr(s, "status: new") && strstr(s, "id: " ID),
		    "create carries the initial fields");
		free(s);
	}
	{
		/* two clones set priority without seeing each other: the later clock wins */
		const char *l[] = {
			"id=CCCCCCCCCC|hlc=1764064800000-5|ev=set|field=priority|old=normal|new=urgent|by=bob",
			CREATE,
			"id=BBBBBBBBBB|hlc=1764064800000-4|ev=set|field=priority|old=normal|new=high|by=anna",
			NULL };
		is_str(field(l, "priority", &lost), "urgent", "scalars: last writer by (hlc, id) wins");
		ok(lost.n == 1 && strcmp(lost.v[0].value, "high") == 0 &&
		    strcmp(lost.v[0].by, "anna") == 0 && strcmp(lost.v[0].won, "urgent") == 0,
		    "the concurrent loser is reported");
		replay_conflicts_free(&lost);
	}
	{
		const char *l[] = { CREATE,
			"id=BBBBBBBBBB|hlc=1764064800000-4|ev=set|field=priority|old=normal|new=high",
			"id=CCCCCCCCCC|hlc=1764064800000-5|ev=set|field=priority|old=high|new=low",
			NULL };
		is_str(field(l, "priority", &lost), "low", "a set that saw the last one");
		ok(lost.n == 0, "is no conflict");
		replay_conflicts_free(&lost);
	}
	{
		/* same clock: the event id decides */
		const char *l[] = { CREATE,
			"id=ZZZZZZZZZZ|hlc=1764064800000-4|ev=set|field=owner|new=zed",
			"id=BBBBBBBBBB|hlc=1764064800000-4|ev=set|field=owner|new=bea",
			NULL };
		is_str(field(l, "owner", NULL), "zed", "equal clocks: the greater event id wins");
	}
	{
		const char *l[] = { CREATE,
			"id=BBBBBBBBBB|hlc=1764064800000-4|ev=set|field=tags|old=a|new=a,b",
			"id=CCCCCCCCCC|hlc=1764064800000-5|ev=set|field=tags|old=a|new=c",
			NULL };
		is_str(field(l, "tags", &lost), "b,c", "lists merge additions and removals of both sides");
		ok(lost.n == 0, "list merges lose nothing");
		replay_conflicts_free(&lost);
	}
	{
		/* clone A pauses (seen: before the mail), clone B gets the customer's mail */
		const char *l[] = { CREATE,
			"id=MMMMMMMMMM|hlc=1764064800000-4|ev=mail-in|was=new",
			"id=SSSSSSSSSS|hlc=1764064800000-6|ev=set|field=status|old=new|new=waiting|seen=1764064800000-0",
			NULL };
		is_str(field(l, "status", NULL), "open", "a pause that had not seen the mail resumes");
	}
	{
		const char *l[] = { CREATE,
			"id=SSSSSSSSSS|hlc=1764064800000-4|ev=set|field=status|old=new|new=resolved|seen=1764064800000-0",
			"id=MMMMMMMMMM|hlc=1764064800000-6|ev=mail-in|was=new",
			NULL };
		is_str(field(l, "status", NULL), "open", "a mail whose writer had not seen the resolve reopens");
	}
	{
		const char *l[] = { CREATE,
			"id=MMMMMMMMMM|hlc=1764064800000-4|ev=mail-in|was=new",
			"id=SSSSSSSSSS|hlc=1764064800000-6|ev=set|field=status|old=new|new=waiting|seen=1764064800000-4",
			"id=NNNNNNNNNN|hlc=1764064800000-7|ev=mail-in|was=waiting|auto=true",
			NULL };
		is_str(field(l, "status", NULL), "waiting",
		    "a pause that saw the mail holds; an automatic mail resumes nothing");
	}
	{
		const char *l[] = { CREATE,
			"id=BBBBBBBBBB|hlc=1764064800000-4|ev=set|field=priority|old=normal|new=high",
			"id=PPPPPPPPPP|hlc=1764064800000-5|ev=snapshot|subject=Other|priority=low|status=open",
			NULL };
		char *s = state_of(l, NULL);
		ok(strstr(s, "priority: low") && !strstr(s, "tags:") && strstr(s, "subject: Other"),
		    "a snapshot replaces the state");
		free(s);
	}
	{
		/* clone A merges the ticket away; clone B, not seeing it, resolves it later */
		const char *l[] = { CREATE,
			"id=MGMGMGMGMG|hlc=1764064800000-4|ev=set|field=merged-into|new=K7M2Q9XE",
			"id=MSMSMSMSMS|hlc=1764064800000-4|ev=set|field=status|old=new|new=merged|by=anna",
			"id=RRRRRRRRRR|hlc=1764064800000-6|ev=set|field=status|old=new|new=resolved|by=bob",
			"id=PRPRPRPRPR|hlc=1764064800000-7|ev=set|field=priority|old=normal|new=high|by=bob",
			NULL };
		is_str(field(l, "status", &lost), "merged", "merged sticks against a later concurrent status set");
		ok(lost.n == 1 && strcmp(lost.v[0].value, "resolved") == 0 &&
		    strcmp(lost.v[0].by, "bob") == 0 && strcmp(lost.v[0].won, "merged") == 0 &&
		    strcmp(lost.v[0].won_id, "MSMSMSMSMS") == 0, "the status set is reported as lost to the merge");
		replay_conflicts_free(&lost);
		is_str(field(l, "priority", NULL), "high", "other fields of a merged ticket still set");
		is_str(field(l, "merged-into", NULL), "K7M2Q9XE", "merged-into kept");
	}
	{
		const char *l[] = { "id=BBBBBBBBBB|hlc=1764064800000-4|ev=set|field=priority|new=high", NULL };
		is_str(field(l, "priority", NULL), "", "a log without create is no ticket");
	}
}

/* An escalation step done by two clones is listed once; the log keeps both. */
static void
test_view(void)
{
	const char *l[] = { CREATE,
		"id=E2E2E2E2E2|hlc=1764064800000-6|ev=escalate|step=first-response:breach|level=1|by=b",
		"id=E1E1E1E1E1|hlc=1764064800000-5|ev=escalate|step=first-response:breach|level=1|by=a",
		"id=E3E3E3E3E3|hlc=1764064800000-7|ev=escalate|step=resolve:warn|level=1|by=a",
		"id=SSSSSSSSSS|hlc=1764064800000-8|ev=set|field=priority|old=normal|new=high",
		NULL };
	struct evlog log;

	mklog(&log, l);
	replay_view(&log);
	ok(log.n == 4, "a step escalated twice is one event in the view");
	ok(log.n == 4 && strcmp(kv_get(&log.ev[1], "id"), "E1E1E1E1E1") == 0 &&
	    strcmp(kv_get(&log.ev[2], "id"), "E3E3E3E3E3") == 0 &&
	    strcmp(kv_get(&log.ev[3], "id"), "SSSSSSSSSS") == 0,
	    "the first by event order is kept, other steps and events stay");
	log_free(&log);
}

/* A log parsed again with lines appended gives what a full parse gives. */
static void
test_parse_again(void)
{
	const char *a = "- {id: AAAAAAAAAA, hlc: '1764064800000-0', ev: create, status: new}\n"
	    "- {id: BBBBBBBBBB, hlc: '1764064800000-1', ev: set, field: tags, old: '', new: x}\n";
	const char *more = "- {id: CCCCCCCCCC, hlc: '1764064800000-2', ev: mail-in, subject: 'a: b'}\n";
	char *ab = xasprintf("%s%s", a, more), *bad = xasprintf("%s- {ev: [\n", a);
	struct evlog k, full, again;
	char *s1 = NULL, *s2 = NULL;
	size_t l1, l2;
	int same = 1;

	ok(log_parse_keep(a, strlen(a), "a", &k) == 0 && k.n == 2, "a log is parsed and kept");
	ok(log_parse_again(ab, strlen(ab), "ab", &again) == 0 && log_parse(ab, strlen(ab), "ab", &full) == 0 &&
	    again.n == 3 && full.n == 3, "appended lines: the kept events and the new ones");
	for (size_t i = 0; i < 3 && same; i++) {
		event_render(&again.ev[i], &s1, &l1);
		event_render(&full.ev[i], &s2, &l2);
		same = l1 == l2 && memcmp(s1, s2, l1) == 0;
		free(s1);
		free(s2);
	}
	ok(same, "the same events as a full parse");
	log_free(&again);
	log_free(&full);
	ok(log_parse_again(a, strlen(a), "a", &again) == 0 && again.n == 2, "the kept log itself");
	log_free(&again);
	ok(log_parse_again(bad, strlen(bad), "bad", &again) != 0, "a broken appended line is an error");
	log_free(&again);
	ok(log_parse_again(more, strlen(more), "other", &again) == 0 && again.n == 1 &&
	    strcmp(kv_get(&again.ev[0], "id"), "CCCCCCCCCC") == 0, "another log is parsed in full");
	log_free(&again);
	log_free(&k);
	free(ab);
	free(bad);
}

/* Random events replayed in shuffled file orders give one state. */
static void
test_property(void)
{
	static const char *const fields[] = { "priority", "owner", "status", "tags", "cc", "queue" };
	static const char *const vals[] = { "a", "b", "c", "a,b", "b,c", "waiting", "resolved", "" };
	int same = 1;

	srand(42);
	for (int round = 0; round < 200 && same; round++) {
		char *lines[40], *first = NULL;
		int n = 1 + rand() % 30;
		lines[0] = xstrdup(CREATE);
		for (int i = 1; i <= n; i++) {
			int kind = rand() % 5;
			char id[EVID_LEN + 1];
			evid_generate(id);
			if (kind == 0)
				lines[i] = xasprintf("id=%s|hlc=1764064800%03d-%d|ev=mail-in|was=%s", id,
				    rand() % 5, rand() % 3, vals[rand() % 8]);
			else
				lines[i] = xasprintf("id=%s|hlc=1764064800%03d-%d|ev=set|field=%s|old=%s|new=%s|seen=1764064800%03d-0",
				    id, rand() % 5, rand() % 3, fields[rand() % 6], vals[rand() % 8],
				    vals[rand() % 8], rand() % 5);
		}
		lines[n + 1] = NULL;
		for (int shuffle = 0; shuffle < 5 && same; shuffle++) {
			struct replay_conflicts lost;
			char *s;
			for (int i = n; i > 0; i--) {
				int j = rand() % (i + 1);
				char *t = lines[i];
				lines[i] = lines[j];
				lines[j] = t;
			}
			char *state = state_of((const char *const *)lines, &lost);
			s = xasprintf("%s\nlost %zu", state, lost.n);
			free(state);
			replay_conflicts_free(&lost);
			if (first == NULL)
				first = s;
			else {
				same = strcmp(first, s) == 0;
				free(s);
			}
		}
		free(first);
		for (int i = 0; i <= n; i++)
			free(lines[i]);
	}
	ok(same, "200 random logs, each in 5 file orders: one state and one set of losers");
}

int
main(void)
{
	test_hlc();
	test_rules();
	test_view();
	test_parse_again();
	test_property();
	return tap_done();
}
