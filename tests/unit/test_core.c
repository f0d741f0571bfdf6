/* Unit tests for the desk core: YAML I/O, ids, maps, time, UTF-8, summaries. */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sysexits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <git2.h>

#include "desk.h"
#include "id.h"
#include "kv.h"
#include "mailbox.h"
#include "maildir.h"
#include "sha1.h"
#include "spool.h"
#include "tap.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "yamlio.h"

static void
test_yaml_types_survive(void)
{
	struct kvmap t = KVMAP_INIT, back = KVMAP_INIT;
	const char *tricky[] = { "yes", "no", "null", "~", "007", "1e3", "2026-01-01",
		"- list?", "a: b", "#comment", "'quoted'", "Grüße 😀", "on", "<<", "=" };
	char *buf;
	size_t len;
	int all = 1;

	kv_set(&t, "id", "K7M2Q9XD");
	for (size_t i = 0; i < LEN(tricky); i++) {
		char key[16];
		snprintf(key, sizeof(key), "f%zu", i);
		kv_set(&t, key, tricky[i]);
	}
	ok(ticket_render(&t, &buf, &len) == 0, "ticket with tricky values renders");
	ok(ticket_parse(buf, len, "t", &back) == 0, "and parses back");
	for (size_t i = 0; i < LEN(tricky); i++) {
		char key[16];
		snprintf(key, sizeof(key), "f%zu", i);
		if (!kv_get(&back, key) || strcmp(kv_get(&back, key), tricky[i]) != 0) {
			printf("# %s: got '%s' want '%s'\n", key, kv_get(&back, key), tricky[i]);
			all = 0;
		}
	}
	ok(all, "every value reads back as the same string");
	ok(strstr(buf, "f0: 'yes'") || strstr(buf, "f0: \"yes\""), "yes is quoted");
	free(buf);
	kv_free(&t);
	kv_free(&back);
}

static void
test_yaml_refusals(void)
{
	const char *dup = "a: 1\nb: 2\na: 3\n";
	const char *alias = "a: &x 1\nb: *x\n";
	struct ynode *n;

	n = yaml_load(dup, strlen(dup), "dup.yaml");
	ok(n == NULL, "duplicate keys are refused");
	is_str(rt_errmsg(), "dup.yaml:3:1: duplicate key 'a'", "with file, line and column");
	n = yaml_load(alias, strlen(alias), "alias.yaml");
	ok(n == NULL && strstr(rt_errmsg(), "anchors and aliases"), "aliases are refused");
	{
		struct sbuf sb = SBUF_INIT;
		for (int i = 0; i < 100; i++)
			sbuf_adds(&sb, "[");
		n = yaml_load(sb.buf, sb.len, "deep");
		ok(n == NULL && strstr(rt_errmsg(), "nesting too deep"), "deep nesting is refused");
		sbuf_free(&sb);
	}
	n = yaml_load("", 0, "empty");
	ok(n && n->kind == Y_MAP && n->n == 0, "an empty document is an empty map");
	ynode_free(n);
}

static void
test_event_lines(void)
{
	struct kvmap ev = KVMAP_INIT;
	struct evlog log;
	struct sbuf all = SBUF_INIT;
	char *buf;
	size_t len;

	kv_set(&ev, "at", "2026-11-23T10:00:00Z");
	kv_set(&ev, "ev", "comment");
	kv_set(&ev, "text", "two\nlines: {x}");
	ok(event_render(&ev, &buf, &len) == 0, "an event renders");
	ok(buf[len - 1] == '\n' && memchr(buf, '\n', len - 1) == NULL, "as exactly one line");
	sbuf_add(&all, buf, len);
	sbuf_add(&all, buf, len);
	ok(log_parse(all.buf, all.len, "log", &log) == 0 && log.n == 2,
	    "two appended lines parse as two events");
	is_str(kv_get(&log.ev[1], "text"), "two\nlines: {x}", "multi-line text survives");
	log_free(&log);
	free(buf);
	sbuf_free(&all);
	kv_free(&ev);
}

static void
test_ids(void)
{
	ticket_id a, b;

	id_generate(a);
	ok(strlen(a) == ID_LEN && strspn(a, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") == ID_LEN,
	    "generated ids use Crockford base32");
	id_generate(b);
	ok(strcmp(a, b) != 0, "two ids differ");
	ok(id_parse("#k7m2-q9xd", a) == 0, "lower case, # and dashes parse");
	is_str(a, "K7M2Q9XD", "normalised");
	ok(id_parse("K7M2Q9XO", a) == 0 && a[7] == '0', "O reads as 0");
	ok(id_parse("K7M2Q9X", a) != 0 && id_parse("K7M2Q9XDD", a) != 0, "wrong lengths refused");
	ok(id_from_subject("Re: [Desk #K7M2Q9XD] printer", a) == 0, "tag found in subject");
	ok(id_from_subject("Re: invoice #K7M2Q9XD", a) != 0, "a bare #ID outside a tag is not");
	ok(id_from_subject("[Desk #K7M2Q9XDX]", a) != 0, "nine characters are not an id");
	{
		char *p;
		id_set_format(1);
		p = ticket_path("K7M2Q9XD", "ticket.yaml");
		is_str(p, "tickets/K7/M2/K7M2Q9XD/ticket.yaml", "format 1: ticket path shards by id");
		free(p);
		id_set_format(2);
		p = ticket_path("K7M2Q9XD", "log.yaml");
		is_str(p, "tickets/K/7/M/K7M2Q9XD/log.yaml", "format 2: 32 entries per tree");
		free(p);
		ok(id_levels() == 3, "format 2: three levels");
	}
}

static void
test_time_and_text(void)
{
	time_t t;
	char buf[RT_TIMELEN], *c;

	ok(rt_parsetime("2026-11-23T10:05:00Z", &t) == 0 && t == 1795428300, "RFC 3339 UTC");
	ok(rt_parsetime("2026-11-23T11:05:00+01:00", &t) == 0 && t == 1795428300, "with offset");
	ok(rt_parsetime("2026-11-23", &t) == 0, "date only");
	ok(rt_parsetime("2026-13-01", &t) != 0 && rt_parsetime("yesterday", &t) != 0,
	    "nonsense refused");
	ok(rt_parsetime("2026-11-31", &t) != 0, "31 November refused, not 1 December");
	ok(rt_parsetime("2026-02-30T10:00:00Z", &t) != 0, "30 February refused");
	ok(rt_parsetime("2026-02-29", &t) != 0 && rt_parsetime("2028-02-29", &t) == 0,
	    "29 February only in leap years");
	ok(rt_parsetime("2100-02-29", &t) != 0 && rt_parsetime("2000-02-29", &t) == 0,
	    "century leap years");
	ok(rt_parsetime("2026-11-23T25:00:00Z", &t) != 0, "hour 25 refused");
	ok(rt_parsetime("2026-12-31T23:59:59Z", &t) == 0 && rt_parsetime("2026-04-30", &t) == 0,
	    "last days of months accepted");
	is_str(rt_fmttime(1795428300, buf), "2026-11-23T10:05:00Z", "formatted back");
	c = utf8_clean("a\xff" "b\r\nStatus: x\x1b", 15, 1);
	is_str(c, "a\xEF\xBF\xBD" "b  Status: x", "invalid bytes and controls cleaned");
	ok(utf8_valid(c, strlen(c)), "result is valid UTF-8");
	free(c);
}

/* rt_days_from_civil and rt_parsetime agree with timegm(3) on every day of 0001-9999. */
static void
test_days_from_civil(void)
{
	int bad = 0, badparse = 0;
	char s[64];

	for (int y = 1; y <= 9999; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; rt_date_valid(y, m, d); d++) {
				struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
				time_t want = timegm(&tm), got;
				bad += rt_days_from_civil(y, m, d) * 86400 != (long long)want;
				if (d % 7 == y % 7) {
					snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d-01:30",
					    y, m, d, d % 24, m * 4, y % 61);
					tm.tm_hour = d % 24 + 1, tm.tm_min = m * 4 + 30, tm.tm_sec = y % 61;
					want = timegm(&tm);
					badparse += rt_parsetime(s, &got) != 0 || got != want;
				}
			}
	if (bad || badparse)
		printf("# %d days, %d parsed times differ\n", bad, badparse);
	ok(bad == 0, "days from civil: 0001-01-01 to 9999-12-31 as timegm");
	ok(badparse == 0, "rt_parsetime with offsets and leap seconds as timegm");
	ok(rt_days_from_civil(1970, 1, 1) == 0 && rt_days_from_civil(1969, 12, 31) == -1,
	    "day 0 and the day before");
}

static void
test_summary(void)
{
	const char *logtext =
	    "- {at: '2026-11-23T10:00:00Z', by: x, ev: create, status: new}\n"
	    "- {at: '2026-11-23T10:00:00Z', by: x, ev: mail-in, message-id: a}\n"
	    "- {at: '2026-11-23T10:01:00Z', by: x, ev: mail-out, auto: 'true'}\n"
	    "- {at: '2026-11-23T11:00:00Z', by: x, ev: mail-out}\n"
	    "- {at: '2026-11-23T12:00:00Z', by: x, ev: set, field: status, old: new, new: resolved}\n"
	    "- {at: '2026-11-23T13:00:00Z', by: x, ev: set, field: status, old: resolved, new: open}\n"
	    "- {at: '2026-11-23T09:30:00Z', by: x, ev: escalate, step: 'first:warn', level: '2'}\n";
	struct kvmap t = KVMAP_INIT, rec = KVMAP_INIT;
	struct evlog log;

	kv_set(&t, "status", "open");
	kv_set(&t, "created", "2026-11-23T10:00:00Z");
	log_parse(logtext, strlen(logtext), "log", &log);
	log_sort(&log);
	is_str(kv_get(&log.ev[0], "ev"), "escalate", "events are ordered by time");
	summary_build(&t, &log, &rec);
	is_str(kv_get(&rec, "first-response"), "2026-11-23T11:00:00Z",
	    "first response ignores automatic replies");
	is_str(kv_get(&rec, "reopens"), "1", "a reopen is counted");
	ok(kv_get(&rec, "resolved-at") == NULL, "a reopened ticket is not resolved");
	is_str(kv_get(&rec, "timeline"),
	    "2026-11-23T10:00:00Z new;2026-11-23T12:00:00Z resolved;2026-11-23T13:00:00Z open",
	    "status timeline");
	is_str(kv_get(&rec, "esc-steps"), "first:warn", "escalation steps");
	is_str(kv_get(&rec, "esc-level"), "2", "escalation level");
	is_str(kv_get(&rec, "updated"), "2026-11-23T13:00:00Z", "updated is the last event");
	log_free(&log);
	kv_free(&t);
	kv_free(&rec);
}

static void
test_kv(void)
{
	struct kvmap m = KVMAP_INIT, back = KVMAP_INIT;
	char *ser, *l;
	size_t len;

	kv_set(&m, "a", "1");
	kv_set(&m, "b", "2");
	kv_set(&m, "a", "3");
	ok(m.n == 2 && strcmp(m.v[0].key, "a") == 0, "set keeps the key's place");
	kv_set(&m, "b", NULL);
	ok(m.n == 1, "NULL removes");
	kv_set(&m, "tags", "x,y");
	ser = kv_serialize(&m, &len);
	{
		struct rec r = { ser, len };
		is_str(rec_get(&r, "tags"), "x,y", "record view finds a key");
		ok(rec_get(&r, "nope") == NULL, "and not a missing one");
		rec_to_kvmap(&r, &back);
		ok(back.n == 2, "record copies back");
	}
	l = kv_list_add("x,y", "z");
	is_str(l, "x,y,z", "list add");
	free(l);
	l = kv_list_del("x,y,z", "y");
	is_str(l, "x,z", "list delete");
	free(l);
	ok(kv_list_has("ab,c", "c") && !kv_list_has("ab,c", "a"), "list membership is exact");
	{
		char **v;
		size_t n = kv_list_split("\"doe, john\"@x.org,a@b,\"q\\\", r\"@c", &v);
		ok(n == 3, "a quoted comma does not split a list item");
		if (n == 3) {
			is_str(v[0], "\"doe, john\"@x.org", "quoted local part kept whole");
			is_str(v[2], "\"q\\\", r\"@c", "an escaped quote does not end the quotes");
		}
		strv_free(v, n);
		ok(kv_list_has("\"doe, john\"@x.org,a@b", "\"doe, john\"@x.org") &&
		    !kv_list_has("\"doe, john\"@x.org", "john\"@x.org"), "membership of a quoted item");
	}
	free(ser);
	kv_free(&m);
	kv_free(&back);
}

/* FIPS 180-4 vectors, and lengths around the padding's two-block edge */
static void
test_sha1(void)
{
	static const struct { const char *in, *hex; } v[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		    "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	char hex[41], big[1000];
	unsigned char sum[20];

	for (size_t i = 0; i < LEN(v); i++) {
		sha1(v[i].in, strlen(v[i].in), sum);
		for (int j = 0; j < 20; j++)
			snprintf(hex + 2 * j, 3, "%02x", sum[j]);
		is_str(hex, v[i].hex, "sha1 of a FIPS 180 vector");
	}
	memset(big, 'a', sizeof(big));
	sha1(big, sizeof(big), sum);
	for (int j = 0; j < 20; j++)
		snprintf(hex + 2 * j, 3, "%02x", sum[j]);
	is_str(hex, "291e9a6c66994949b57ba5e650361e98fc36b1ba", "sha1 of 1000 a");
}

/*
 * The pack checksum agrees with libgit2's object hash (SHA1DC) on every
 * length across the 64-byte blocks and on a buffer larger than a pack of
 * one mail: a blob's hash is SHA-1 of "blob LEN\0" and its bytes.
 */
static void
test_sha1_agrees_with_libgit2(void)
{
	size_t big = 3 * 65536 + 17, bad = 0;
	unsigned char *data = malloc(big), *buf = malloc(big + 32), sum[20];
	uint32_t x = 2463534242u;
	git_oid oid;

	for (size_t i = 0; i < big; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	for (size_t len = 0; len <= big; len = len < 300 ? len + 1 : len * 3 + 1) {
		size_t len2 = len > big ? big : len;
		int h = snprintf((char *)buf, 32, "blob %zu", len2) + 1;

		memcpy(buf + h, data, len2);
		sha1(buf, h + len2, sum);
		if (git_odb_hash(&oid, data, len2, GIT_OBJECT_BLOB) != 0 ||
		    memcmp(oid.id, sum, 20) != 0)
			bad++;
		if (len2 == big)
			break;
	}
	ok(bad == 0, "sha1 equals libgit2's object hash at every length up to 196 KiB");
	free(data);
	free(buf);
}

/* mkdir_p remembers what it made; a remembered folder removed since is made again. */
static void
test_mkdir_known(void)
{
	char tmpl[] = "/tmp/rt-unit-mkdir.XXXXXX", *base = mkdtemp(tmpl);
	char *deep, *sib, *cmd;
	struct stat st;
	unsigned char a[40], b[40];

	if (!ok(base != NULL, "a scratch folder"))
		return;
	deep = xasprintf("%s/t/A/B/C/ID1/msg", base);
	sib = xasprintf("%s/t/A/B/D/ID2/msg", base);
	ok(mkdir_p(deep, 0777) == 0 && stat(deep, &st) == 0, "mkdir_p makes every level");
	ok(dir_known(deep) == 2, "and knows it made the deepest");
	ok(mkdir_p(sib, 0777) == 0 && stat(sib, &st) == 0 && dir_known(sib) == 2,
	    "a sibling is made down from the level it knows");
	cmd = xasprintf("rm -rf '%s/t/A'", base);
	ok(system(cmd) == 0, "the folders go behind its back");
	ok(mkdir_p(deep, 0777) == 0 && stat(deep, &st) == 0, "and are made again");
	free(cmd);
	cmd = xasprintf("rm -rf '%s'", base);
	(void)system(cmd);
	free(cmd);
	free(deep);
	free(sib);
	ok(rt_pid() == (long)getpid(), "rt_pid is the pid");
	ok(rt_random(a, sizeof(a)) == 0 && rt_random(b, sizeof(b)) == 0 &&
	    memcmp(a, b, sizeof(a)) != 0, "rt_random gives new bytes each call");
}

/*
 * The folder memory is bounded: full, it forgets the deepest folders (a
 * batch's tickets) and keeps the fan-out above them; what it forgot is
 * made again when missing.
 */
static void
test_mkdir_full(void)
{
	char tmpl[] = "/tmp/rt-unit-mkfull.XXXXXX", *base = mkdtemp(tmpl);
	char *fan, *deep, *p, *cmd;
	struct stat st;
	int known = 1;

	if (!ok(base != NULL, "a scratch folder"))
		return;
	dir_forget_all();
	fan = xasprintf("%s/t/A/B/D", base);
	deep = xasprintf("%s/t/A/B/C/ID0/msg", base);
	ok(mkdir_p(fan, 0777) == 0 && mkdir_p(deep, 0777) == 0, "a fan-out folder and a ticket's");
	for (int i = 1; i <= 70000 && known; i++) {
		p = xasprintf("%s/t/A/B/C/ID%d/msg", base, i);
		dir_note(p);	/* as a batch's new tickets */
		free(p);
		known = dir_known(fan) != 0;
	}
	ok(known, "70,000 tickets later the fan-out folder is still known");
	cmd = xasprintf("rm -rf '%s/t/A/B/C/ID0'", base);
	ok(system(cmd) == 0 && mkdir_p(deep, 0777) == 0 && stat(deep, &st) == 0,
	    "a ticket folder removed behind its back is made again");
	free(cmd);
	cmd = xasprintf("rm -rf '%s'", base);
	(void)system(cmd);
	free(cmd);
	free(fan);
	free(deep);
	dir_forget_all();
}

/* A spool's bytes as spool_bytes hands them to ingest: exactly those written. */
static int
spool_holds(struct spool *s, const char *want, size_t len)
{
	const char *buf;
	size_t n;

	return spool_bytes(s, &buf, &n) == 0 && n == len && memcmp(buf, want, len) == 0;
}

/*
 * A held spool keeps its bytes in memory only (no file, no memfd); past
 * SPOOL_HELD_MAX they move to a spool file, and spool_bytes reads them
 * back once, byte for byte; spool_discard removes the file.
 */
static void
test_spool_bytes(void)
{
	static const char odd[] = "From: a@x\r\nSubject: \x00\xe9\xff\r\n\r\nno final newline";
	char tmpl[] = "/tmp/rt-unit-spool.XXXXXX", *base = mkdtemp(tmpl), *big, *cmd;
	size_t bign = SPOOL_HELD_MAX + 4097;
	struct desk d = { 0 };
	struct spool a, b, c;
	struct stat st;

	if (!ok(base != NULL, "a scratch folder"))
		return;
	d.rtdir = base;
	ok(spool_begin_held(&d, &a, 0) == 0 && a.held && a.path == NULL, "a held spool has no file");
	ok(spool_write(&a, odd, 10) == 0 && spool_write(&a, odd + 10, sizeof(odd) - 11) == 0 &&
	    spool_end(&a) == 0 && a.path == NULL, "and gets none at its end");
	ok(spool_holds(&a, odd, sizeof(odd) - 1), "its bytes, NUL, CR and 8-bit bytes as written");
	ok(spool_begin_held(&d, &b, 0) == 0 && spool_write(&b, "short\n", 6) == 0 &&
	    spool_end(&b) == 0 && spool_holds(&b, "short\n", 6) && spool_holds(&a, odd, sizeof(odd) - 1),
	    "two held spools at once keep their own bytes");
	spool_discard(&a);
	spool_discard(&b);
	ok(spool_begin_held(&d, &c, 3) == 0 && spool_write(&c, "abcdef", 6) == 0 &&
	    spool_end(&c) == 0 && c.size == 6 && spool_holds(&c, "abcd", 4),
	    "over the limit: limit + 1 bytes kept, all counted");
	spool_discard(&c);
	big = xmalloc(bign);
	for (size_t i = 0; i < bign; i++)
		big[i] = (char)(i * 7 + i / 251);
	ok(spool_begin_held(&d, &c, 0) == 0 && spool_write(&c, big, 4096) == 0 &&
	    spool_write(&c, big + 4096, bign - 4096) == 0 && !c.held && c.path &&
	    spool_end(&c) == 0 && stat(c.path, &st) == 0 && (size_t)st.st_size == bign,
	    "past SPOOL_HELD_MAX the bytes move to a spool file");
	ok(strstr(c.path, "/tmp/spool.") != NULL, "named spool.* once complete (rt-gc's)");
	ok(spool_holds(&c, big, bign), "read back once, byte for byte");
	cmd = xstrdup(c.path);
	spool_discard(&c);
	ok(stat(cmd, &st) != 0, "spool_discard removes the file");
	free(cmd);
	free(big);
	cmd = xasprintf("rm -rf '%s'", base);
	(void)system(cmd);
	free(cmd);
}

/* What maildir_read hands its callback, one "name:what;" an entry. */
static int
seen_entry(const char *file, struct spool *s, int rc, void *arg)
{
	const char *name = strrchr(file, '/'), *buf;
	size_t len;
	char *got = s == NULL ? xstrdup(rc == 0 ? "skip" : "err") :
	    spool_bytes(s, &buf, &len) == 0 ? xstrndup(buf, len) : xstrdup("unread");

	while (name > file && name[-1] != '/')
		name--;
	sbuf_addf(arg, "%s:%s;", name, got);
	free(got);
	return s && strcmp(name, "new/c") == 0 ? EX_DATAERR : 0;
}

static void
put(const char *base, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", base, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	if (fd >= 0 && write(fd, text, strlen(text)) < 0)
		ok(0, "writing %s", p);
	if (fd >= 0)
		close(fd);
	free(p);
}

/* cur/ then new/, each sorted; dot files unseen; what is no file skipped, not read. */
static void
test_maildir_read(void)
{
	char tmpl[] = "/tmp/rt-unit-maildir.XXXXXX", *base = mkdtemp(tmpl), *p, *cmd;
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (!ok(base != NULL, "a scratch Maildir"))
		return;
	rc = maildir_read(NULL, base, 0, seen_entry, &sb);
	ok(rc == EX_NOINPUT && sb.len == 0, "no cur/ nor new/: EX_NOINPUT, nothing called");
	p = xasprintf("%s/cur", base), mkdir(p, 0777), free(p);
	p = xasprintf("%s/new", base), mkdir(p, 0777), free(p);
	p = xasprintf("%s/new/sub", base), mkdir(p, 0777), free(p);
	p = xasprintf("%s/new/fifo", base), mkfifo(p, 0666), free(p);
	put(base, "cur/b", "two"), put(base, "cur/a", "one"), put(base, "cur/.x", "no");
	put(base, "new/c", "three");
	rc = maildir_read(NULL, base, 0, seen_entry, &sb);
	is_str(sb.buf ? sb.buf : "", "cur/a:one;cur/b:two;new/c:three;new/fifo:skip;new/sub:skip;",
	    "entries in order, the FIFO and the folder skipped unread");
	ok(rc == EX_DATAERR, "the worst outcome is returned");
	ok(rt_worse(EX_DATAERR, EX_TEMPFAIL) == EX_TEMPFAIL && rt_worse(0, EX_DATAERR) == EX_DATAERR &&
	    rt_worse(0, 0) == 0, "a retry beats any other outcome");
	sbuf_free(&sb);
	cmd = xasprintf("rm -rf '%s'", base);
	(void)system(cmd);
	free(cmd);
}

/* mailbox_addr owns the trim its callers used to repeat. */
static void
test_mailbox_addr(void)
{
	const char *in[] = { "Bob <bob@x>", "\"B <b>\" < bob@x >", " bob@x\t", "<>", "  ", "a <b" };
	const char *want[] = { "bob@x", "bob@x", "bob@x", "", "", "a <b" };

	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++) {
		char *a = mailbox_addr(in[i]), *name = xasprintf("mailbox_addr(\"%s\")", in[i]);
		is_str(a, want[i], name);
		free(name);
		free(a);
	}
}

/* Shown names are quoted only where RFC 5322 needs it; headers always. */
static void
test_mailbox_display(void)
{
	const char *name[] = { "John Doe", "Doe, John", "John Q. Public", "Say \"hi\"", "J\xc3\xbcrgen M\xc3\xbcller",
	    " lead", "two  spaces", "O'Brien-Smith", "a@b", "" };
	const char *want[] = { "John Doe <j@x>", "\"Doe, John\" <j@x>", "\"John Q. Public\" <j@x>",
	    "\"Say \\\"hi\\\"\" <j@x>", "J\xc3\xbcrgen M\xc3\xbcller <j@x>", "\" lead\" <j@x>",
	    "\"two  spaces\" <j@x>", "O'Brien-Smith <j@x>", "\"a@b\" <j@x>", "j@x" };

	for (size_t i = 0; i < sizeof(name) / sizeof(*name); i++) {
		char *a = mailbox_display(name[i], "j@x"), *what = xasprintf("mailbox_display(\"%s\")", name[i]);
		is_str(a, want[i], what);
		free(what);
		free(a);
	}
	char *h = mailbox_format("John Doe", "j@x");
	is_str(h, "\"John Doe\" <j@x>", "mailbox_format quotes every name");
	free(h);
}

int
main(void)
{
	test_sha1();
	test_sha1_agrees_with_libgit2();
	test_yaml_types_survive();
	test_yaml_refusals();
	test_event_lines();
	test_ids();
	test_time_and_text();
	test_days_from_civil();
	test_summary();
	test_kv();
	test_mkdir_known();
	test_mkdir_full();
	test_spool_bytes();
	test_maildir_read();
	test_mailbox_addr();
	test_mailbox_display();
	return tap_done();
}
