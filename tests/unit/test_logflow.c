/*
 * test_logflow: the log read from libyaml's events (lib/logflow.c) is
 * what log_parse's node tree gives for every log it takes, and it leaves
 * to the tree every log the tree refuses or reads differently.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "logflow.h"
#include "ticket.h"
#include "util.h"
#include "yamlio.h"

#include "tap.h"

/* log_parse's node-tree path, as the reference. */
static int
ref_parse(const char *buf, size_t len, struct evlog *log)
{
	struct ynode *root = yaml_load(buf, len, "test");
	int rc = 0;

	memset(log, 0, sizeof(*log));
	if (root == NULL || root->kind != Y_SEQ) {
		ynode_free(root);
		return -1;
	}
	log->ev = xcalloc(root->n + 1, sizeof(*log->ev));
	for (size_t i = 0; i < root->n; i++) {
		const struct ynode *m = root->items[i];
		if (m->kind != Y_MAP) {
			rc = -1;
			break;
		}
		for (size_t j = 0; j < m->n; j++)
			if (m->items[j]->kind == Y_SCALAR && !yscalar_is_null(m->items[j]))
				kv_set(&log->ev[log->n], m->keys[j], m->items[j]->value);
		log->n++;
	}
	ynode_free(root);
	return rc;
}

static int
same_log(const struct evlog *a, const struct evlog *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		if (a->ev[i].n != b->ev[i].n)
			return 0;
		for (size_t j = 0; j < a->ev[i].n; j++)
			if (strcmp(a->ev[i].v[j].key, b->ev[i].v[j].key) ||
			    strcmp(a->ev[i].v[j].val, b->ev[i].v[j].val))
				return 0;
	}
	return 1;
}

/* 1: accepted and equal to libyaml, 0: declined, -1: accepted but different. */
static int
check(const char *buf, size_t len)
{
	struct evlog fast, ref;
	int rc;

	if (logflow_parse(buf, len, &fast) != 0)
		return 0;
	rc = ref_parse(buf, len, &ref) == 0 && same_log(&fast, &ref) ? 1 : -1;
	if (rc < 0)
		printf("# differs: %.*s", (int)len, buf);
	log_free(&fast);
	log_free(&ref);
	return rc;
}

static uint32_t seed = 12345;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

/* Pieces values are made of: words, marks, quotes, breaks, other scripts, controls. */
static const char *const pieces[] = {
	"a", "Z", "9", "0", "-", "_", ".", "@", "/", "+", " ", "  ", ":", ": ", ",", ", ",
	"'", "''", "\"", "#", " #", "{", "}", "[", "]", "!", "&", "*", "?", "|", ">", "%",
	"`", "~", "\\", "\t", "\n", "\r", "null", "Null", "true", "no", "~", "é", "中",
	"\xf0\x9f\x98\x80", "\xc2\x85", "\xe2\x80\xa8", "\xef\xbb\xbf", "\xc2\xa0", "\x7f",
	"\x01", "2026-11-03T23:02:43Z", "msg/00000000T000000Z-0000000000.eml",
	"user27@customer27.example", "backup problem", "1793746963000-0",
};

/* Half of the values only of printable pieces (the first 32), so many are read fast. */
static char *
random_value(void)
{
	struct sbuf sb = SBUF_INIT;
	uint32_t n = rnd(6), range = rnd(2) ? 32 : LEN(pieces);

	for (uint32_t i = 0; i < n; i++)
		sbuf_adds(&sb, pieces[rnd(range)]);
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

static const char *const keys[] = {
	"id", "hlc", "at", "by", "ev", "subject", "status", "file", "message-id", "new", "old",
	"field", "x_y", "k.2",
};

static void
random_logs(void)
{
	int accepted = 0, declined = 0, differ = 0;

	for (int round = 0; round < 10000; round++) {
		struct sbuf log = SBUF_INIT;
		uint32_t nev = 1 + rnd(4);
		for (uint32_t e = 0; e < nev; e++) {
			struct kvmap ev = KVMAP_INIT;
			char *line;
			size_t len;
			uint32_t nk = 1 + rnd(6);
			for (uint32_t k = 0; k < nk; k++) {
				char *v = random_value();
				kv_set(&ev, keys[rnd(LEN(keys))], *v ? v : "x");
				free(v);
			}
			if (event_render(&ev, &line, &len) == 0) {
				sbuf_add(&log, line, len);
				free(line);
			}
			kv_free(&ev);
		}
		if (log.len) {
			int r = check(log.buf, log.len);
			accepted += r == 1;
			declined += r == 0;
			differ += r < 0;
		}
		sbuf_free(&log);
	}
	printf("# %d accepted, %d declined, %d read differently\n", accepted, declined, differ);
	ok(differ == 0, "10000 rendered logs: none read differently from the tree");
	ok(accepted > 5000, "rendered logs are read from the events");
}

/*
 * The cache reads a log it just rendered from the events that made it
 * (log_parse_again): the same events the tree reads, nulls, empty values
 * and all (none skipped here, unlike random_logs).
 */
static void
rendered_again(void)
{
	int differ = 0;

	for (int round = 0; round < 5000; round++) {
		struct sbuf log = SBUF_INIT;
		struct evlog ref, again;
		uint32_t nev = 1 + rnd(4);
		for (uint32_t e = 0; e < nev; e++) {
			struct kvmap ev = KVMAP_INIT;
			char *line;
			size_t len;
			for (uint32_t k = 0, nk = 1 + rnd(6); k < nk; k++) {
				char *v = rnd(8) ? random_value() : xstrdup(rnd(2) ? "null" : "~");
				kv_set(&ev, keys[rnd(LEN(keys))], v);
				free(v);
			}
			if (event_render(&ev, &line, &len) == 0) {
				sbuf_add(&log, line, len);
				free(line);
			}
			kv_free(&ev);
		}
		if (log.len && ref_parse(log.buf, log.len, &ref) == 0) {
			if (log_parse_again(log.buf, log.len, "test", &again) != 0 || !same_log(&ref, &again))
				differ++;
			log_free(&again);
		}
		log_free(&ref);
		sbuf_free(&log);
	}
	ok(differ == 0, "5000 logs read again right after rendering: the events the tree reads");
}

/*
 * The rendered items and the kept log are shared by the process: threads
 * that render and read logs at once each get their own events back.
 */
static void *
render_loop(void *arg)
{
	long t = (long)arg, wrong = 0;

	for (int i = 0; i < 3000; i++) {
		struct kvmap ev = KVMAP_INIT;
		struct evlog log = { NULL, 0 };
		char id[32], *line;
		size_t len;
		snprintf(id, sizeof(id), "t%ld-%d", t, i);
		kv_set(&ev, "id", id);
		kv_set(&ev, "ev", "comment");
		if (event_render(&ev, &line, &len) != 0)
			wrong++;
		else {
			if (log_parse_again(line, len, "test", &log) != 0 || log.n != 1 ||
			    strcmp(kv_get(&log.ev[0], "id") ? kv_get(&log.ev[0], "id") : "", id) != 0)
				wrong++;
			log_free(&log);
			if (i % 7 == 0 && log_parse_keep(line, len, "test", &log) == 0)
				log_free(&log);
			free(line);
		}
		kv_free(&ev);
	}
	return (void *)wrong;
}

static void
rendered_threads(void)
{
	pthread_t th[4];
	long wrong = 0;
	int started = 0;

	for (long t = 0; t < 4; t++)
		started += pthread_create(&th[t], NULL, render_loop, (void *)t) == 0;
	for (int t = 0; t < started; t++) {
		void *w;
		pthread_join(th[t], &w);
		wrong += (long)w;
	}
	ok(started == 4 && wrong == 0, "4 threads rendering and reading logs: each its own events");
}

static void
one(const char *text, int want, const char *name)
{
	ok(check(text, strlen(text)) == want, name);
}

int
main(void)
{
	struct evlog log;
	const char *s = "- {id: 'X1', by: bench, ev: set, old: null, new: 'it''s: \xc3\xa9', "
	    "n: 27}\n- {id: Y, ev: mail-in, file: msg/a.eml}\n";

	ok(logflow_parse(s, strlen(s), &log) == 0 && log.n == 2, "two events read");
	if (log.n == 2) {
		is_str(kv_get(&log.ev[0], "new"), "it's: \xc3\xa9", "quotes doubled, UTF-8 kept");
		ok(kv_get(&log.ev[0], "old") == NULL, "a plain null is no value");
		is_str(kv_get(&log.ev[0], "n"), "27", "a number stays its text");
		is_str(kv_get(&log.ev[1], "file"), "msg/a.eml", "a plain path");
		log_free(&log);
	}
	one(s, 1, "the same as the tree");
	one("- {a: ''}\n", 1, "an empty quoted value is no value");
	one("- {a: \"b\\tc\"}\n", 1, "double quotes and escapes");
	one("- {a: 'b\n  c'}\n", 1, "a quoted value over two lines");
	one("- {a: ~, b: Null, c: x}\n", 1, "tilde and null are no value");
	one("- {a: b c}\n", 1, "a plain value with a space");
	one("- {a: b}\n- {c: d}", 1, "no final newline");
	one("---\n- {a: b}\n", 1, "a document marker");
	one("- a: b\n  c: d\n", 1, "a block mapping");
	one("- {a: b, a: c}\n", 0, "a key twice goes to the tree (which refuses it)");
	one("- {a: [b, c], d: e}\n", 0, "a nested value goes to the tree (which skips it)");
	one("- {a: &x b}\n", 0, "an anchor goes to the tree (which refuses it)");
	one("- {a: *x}\n", 0, "an alias goes to the tree");
	one("{a: b}\n", 0, "a mapping at the top goes to the tree (which refuses it)");
	one("- {a: b}\n---\n- {a: c}\n", 0, "two documents go to the tree");
	one("- {a: 'b}\n", 0, "broken YAML goes to the tree");
	one("", 0, "an empty log goes to the tree");
	one("- x\n", 0, "an event that is not a mapping goes to the tree");
	random_logs();
	rendered_again();
	rendered_threads();
	return tap_done();
}
