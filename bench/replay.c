/*
 * replay [N ...]: the cost of replaying one ticket's log (rt-desk(5)
 * REPLAY) of N events (default 10 100 1000), against the reference of
 * parsing the same log.yaml without replaying it, in the same run. The
 * log is what a busy ticket holds: mails in and out, status and
 * priority sets, tag edits, spread over two clones' clocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay.h"
#include "ticket.h"
#include "util.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
event(struct sbuf *sb, size_t i)
{
	static const char *const st[] = { "open", "waiting", "open", "resolved" };
	unsigned long long ms = 1764064800000ULL + i * 60000;

	sbuf_addf(sb, "- {id: E%09zu, hlc: %013llu-%zu, at: 2026-11-25T10:%02zu:00Z, by: %s, ",
	    i, ms, i % 3, i % 60, i % 2 ? "anna" : "bob");
	switch (i % 5) {
	case 0:
		sbuf_addf(sb, "ev: mail-in, message-id: '<m%zu@example.com>', file: m%zu.eml, was: %s}\n",
		    i, i, st[(i / 5) % 4]);
		break;
	case 1:
		sbuf_addf(sb, "ev: set, field: status, old: %s, new: %s, seen: %013llu-0}\n",
		    st[(i / 5) % 4], st[(i / 5 + 1) % 4], ms);
		break;
	case 2:
		sbuf_addf(sb, "ev: set, field: tags, old: 'a', new: 'a,t%zu'}\n", i % 7);
		break;
	case 3:
		sbuf_addf(sb, "ev: mail-out, message-id: '<r%zu@example.org>', file: r%zu.eml}\n", i, i);
		break;
	default:
		sbuf_addf(sb, "ev: set, field: priority, old: normal, new: %s}\n",
		    i % 2 ? "high" : "normal");
	}
}

/* Median of 7 rounds of reps runs, in microseconds per run. */
static double
run(const struct sbuf *sb, int do_replay, int reps)
{
	double t[7];

	for (int k = 0; k < 7; k++) {
		double s = now_us();
		for (int r = 0; r < reps; r++) {
			struct evlog log;
			struct kvmap st = KVMAP_INIT;
			if (log_parse(sb->buf, sb->len, "log.yaml", &log) != 0)
				exit(1);
			if (do_replay && replay("K7M2Q9XD", &log, &st, NULL) != 0)
				exit(1);
			kv_free(&st);
			log_free(&log);
		}
		t[k] = (now_us() - s) / reps;
	}
	for (int i = 1; i < 7; i++)
		for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
			double x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return t[3];
}

int
main(int argc, char *argv[])
{
	static const char *const dflt[] = { "10", "100", "1000" };
	const char *const *ns = argc > 1 ? (const char *const *)argv + 1 : dflt;
	int nn = argc > 1 ? argc - 1 : 3;
	double first = 0;

	printf("%6s %12s %12s %8s %14s\n", "events", "parse us", "+replay us", "ratio",
	    "replay/event");
	for (int k = 0; k < nn; k++) {
		size_t n = strtoul(ns[k], NULL, 10);
		struct sbuf sb = SBUF_INIT;
		int reps = n >= 1000 ? 20 : n >= 100 ? 200 : 2000;
		double p, r, per;

		sbuf_addf(&sb, "- {id: E000000000, hlc: 1764064800000-0, at: 2026-11-25T10:00:00Z, "
		    "by: customer@example.com, ev: create, status: new, subject: Printer, "
		    "priority: normal, queue: general, tags: a}\n");
		for (size_t i = 1; i < n; i++)
			event(&sb, i);
		p = run(&sb, 0, reps);
		r = run(&sb, 1, reps);
		per = (r - p) / (double)n;
		if (k == 0)
			first = per;
		printf("%6zu %12.1f %12.1f %8.2f %10.3f us (%.2fx the %s-event log's)\n", n, p, r,
		    r / p, per, first > 0 ? per / first : 0, ns[0]);
		sbuf_free(&sb);
	}
	return 0;
}
