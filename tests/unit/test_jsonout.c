/*
 * test_jsonout.c: the streamed record list writes what json_dumps wrote.
 * test_jsonout_portable.c runs the same against the writer without SSE2.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "kv.h"
#include "tap.h"
#include "util.h"

/* The old way: a jansson tree per record, dumped compact in key order. */
static char *
tree_dump(const struct kvmap *m)
{
	json_t *o = json_object();
	char *s;

	for (size_t i = 0; i < m->n; i++) {
		json_t *v;
		if (jsonout_is_list(m->v[i].key)) {
			char **items;
			size_t n = str_split(m->v[i].val, ",", &items);
			v = json_array();
			for (size_t k = 0; k < n; k++)
				json_array_append_new(v, json_string(items[k]));
			strv_free(items, n);
		} else
			v = json_string(m->v[i].val);
		json_object_set_new(o, m->v[i].key, v);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static char *
streamed(const struct kvmap *m)
{
	struct jsonout_list l;
	struct rec r;
	char *buf = NULL, *s;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	r.buf = kv_serialize(m, &r.len);
	jsonout_list_begin(&l, fp);
	jsonout_list_rec(&l, &r);
	jsonout_list_end(&l);
	fclose(fp);
	free((char *)r.buf);
	/* "[\n" + object + "\n]\n" */
	s = xstrndup(buf + 2, len - 5);
	free(buf);
	return s;
}

static void
same(const char *name, const char *const *kv)
{
	struct kvmap m = KVMAP_INIT;
	char *a, *b;

	for (size_t i = 0; kv[i]; i += 2)
		kv_set(&m, kv[i], kv[i + 1]);
	a = tree_dump(&m);
	b = streamed(&m);
	is_str(b, a, name);
	free(a);
	free(b);
	kv_free(&m);
}

/*
 * Values made of pieces that need escaping or checking, at every place in
 * and across the eight-byte words the writer reads: as json_dumps wrote?
 */
static int
pieces_same(int tries)
{
	static const char *const piece[] = { "a", "bcdefgh", "\"", "\\", "\x01", "\x1f", " ",
		"\x7f", "\xc3\xa9", "\xe2\x80\xa8", "\xff", "\x80", "\xf0\x9f\x98\x80", "/" };
	unsigned long x = 7;
	int bad = 0;

	for (int t = 0; t < tries; t++) {
		char val[200] = "", *a, *b;
		struct kvmap m = KVMAP_INIT;
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		for (unsigned n = (unsigned)(x >> 59); n > 0; n--) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			/* mostly plain bytes, so that whole words of them come up */
			const char *pc = (x >> 40) % 3 ? "a" : piece[(x >> 33) % (sizeof(piece) / sizeof(*piece))];
			strcat(val, pc);
		}
		kv_set(&m, "subject", val);
		kv_set(&m, "id", "X");
		a = tree_dump(&m);
		b = streamed(&m);
		if (strcmp(a, b) != 0 && bad++ < 3)
			printf("#   got:  '%s'\n#   want: '%s'\n", b, a);
		free(a);
		free(b);
		kv_free(&m);
	}
	return bad == 0;
}

/* m as a record (kv_serialize) in a buffer of exactly its size, streamed */
static char *
streamed_kv(const char *const *kv)
{
	struct kvmap m = KVMAP_INIT;
	char *s;

	for (size_t i = 0; kv[i]; i += 2)
		kv_set(&m, kv[i], kv[i + 1]);
	s = streamed(&m);
	kv_free(&m);
	return s;
}

/*
 * Each piece that needs escaping or checking (and two that need
 * neither), at every offset of plain values of every length up to 50:
 * across and at the ends of the 16-byte blocks the writer copies and
 * tests (and the 8-byte words of the portable one), as the last value of
 * a record (its blocks reach the end of the buffer) or followed by more,
 * as a key and as a list item: as json_dumps wrote?
 */
static int
offsets_same(void)
{
	static const char *const piece[] = { "\"", "\\", "\x01", "\x1f", "\t", "\x7f",
		"\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x98\x80", "\xef\xbf\xbd",
		"\xff", "\x80", "\xc3", "\xe2\x80", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "/", "~", NULL };
	int bad = 0, cases = 0;

	for (size_t pc = 0; piece[pc]; pc++) {
		size_t plen = strlen(piece[pc]);
		for (size_t len = plen; len <= 50; len++)
			for (size_t off = 0; off + plen <= len; off++) {
				char val[64], list[80];
				memset(val, 'a', len);
				memcpy(val + off, piece[pc], plen);
				val[len] = '\0';
				snprintf(list, sizeof(list), "x,%s,y", val);
				const char *const *kvs[] = {
					(const char *const[]){ "id", "X", "subject", val, NULL },
					(const char *const[]){ "subject", val, "id", "X", NULL },
					(const char *const[]){ val, "v", "id", "X", NULL },
					(const char *const[]){ "id", "X", "tags", list, NULL },
					(const char *const[]){ "tags", val, "id", "X", NULL },
				};
				for (size_t k = 0; k < sizeof(kvs) / sizeof(*kvs); k++) {
					struct kvmap m = KVMAP_INIT;
					char *a, *b;
					for (size_t i = 0; kvs[k][i]; i += 2)
						kv_set(&m, kvs[k][i], kvs[k][i + 1]);
					a = tree_dump(&m);
					b = streamed(&m);
					cases++;
					if (strcmp(a, b) != 0 && bad++ < 3)
						printf("#   piece %zu at %zu of %zu, case %zu\n#   got:  '%s'\n"
						    "#   want: '%s'\n", pc, off, len, k, b, a);
					free(a);
					free(b);
					kv_free(&m);
				}
			}
	}
	printf("# %d values\n", cases);
	return bad == 0;
}

/* Which keys are lists, said without jsonout_is_list (tree_dump asks it). */
static void
lists(void)
{
	char *s;

	s = streamed_kv((const char *const[]){ "requestors", "a,b", "cc", "c", "tags", "t",
	    "children", "K1,K2", "refers", "R", "merged", "M", "watchers", "w,x",
	    "esc-steps", "1,2", NULL });
	is_str(s, "{\"requestors\":[\"a\",\"b\"],\"cc\":[\"c\"],\"tags\":[\"t\"],"
	    "\"children\":[\"K1\",\"K2\"],\"refers\":[\"R\"],\"merged\":[\"M\"],"
	    "\"watchers\":[\"w\",\"x\"],\"esc-steps\":[\"1\",\"2\"]}", "the list keys are arrays");
	free(s);
	/* the same length, first and last byte as a list key (rt_keyhash) */
	s = streamed_kv((const char *const[]){ "rangetests", "a,b", "tbgs", "c,d", "cc", "e,f",
	    "ccc", "g,h", "c", "i", "mergedx", "j,k", "", "l,m", "esc-stepz", "n,o", NULL });
	is_str(s, "{\"rangetests\":\"a,b\",\"tbgs\":\"c,d\",\"cc\":[\"e\",\"f\"],"
	    "\"ccc\":\"g,h\",\"c\":\"i\",\"mergedx\":\"j,k\",\"\":\"l,m\",\"esc-stepz\":\"n,o\"}",
	    "keys that only hash like list keys are strings");
	free(s);
	ok(jsonout_is_list("tags") && jsonout_is_list("esc-steps") && !jsonout_is_list("tbgs") &&
	    !jsonout_is_list("") && !jsonout_is_list("subject"), "jsonout_is_list");
}

/* Strings longer than the writer's buffer (64 KiB a flush): it grows as they need. */
static void
long_values(void)
{
	static char big[70000];
	struct kvmap m = KVMAP_INIT;
	char *a, *b;

	/* plain bytes, an escape, UTF-8 and commas across many blocks */
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = "abc\"d\xc3\xa9,e\x01"[i % 10];
	big[sizeof(big) - 1] = '\0';
	kv_set(&m, "subject", big);
	kv_set(&m, "tags", big);
	kv_set(&m, big, "v");
	a = tree_dump(&m);
	b = streamed(&m);
	ok(strcmp(a, b) == 0, "values of 70000 bytes");
	free(a);
	free(b);
	kv_free(&m);
	memset(big, '"', sizeof(big) - 1);	/* each byte becomes two */
	kv_set(&m, "subject", big);
	kv_set(&m, "tags", big);
	a = tree_dump(&m);
	b = streamed(&m);
	ok(strcmp(a, b) == 0, "a value of 70000 quotes");
	free(a);
	free(b);
	kv_free(&m);
}

/* Many records in one list: written in pieces, the same bytes. */
static void
many_records(void)
{
	struct jsonout_list l;
	struct sbuf want = SBUF_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	jsonout_list_begin(&l, fp);
	for (int i = 0; i < 3000; i++) {
		struct kvmap m = KVMAP_INIT;
		struct rec r;
		char id[16], subj[64], *a;
		snprintf(id, sizeof(id), "K%05d", i);
		snprintf(subj, sizeof(subj), "subject \"%d\" with %s", i, i % 7 ? "text" : "\x02");
		kv_set(&m, "id", id);
		kv_set(&m, "subject", subj);
		kv_set(&m, "tags", i % 3 ? "a,b" : "");
		r.buf = kv_serialize(&m, &r.len);
		jsonout_list_rec(&l, &r);
		a = tree_dump(&m);
		sbuf_adds(&want, i ? ",\n" : "[\n");
		sbuf_adds(&want, a);
		free(a);
		free((char *)r.buf);
		kv_free(&m);
	}
	jsonout_list_end(&l);
	sbuf_adds(&want, "\n]\n");
	fclose(fp);
	ok(len == want.len && memcmp(buf, want.buf, len) == 0, "3000 records in one list");
	free(buf);
	sbuf_free(&want);
}

int
main(void)
{
	struct jsonout_list l;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	jsonout_list_begin(&l, fp);
	jsonout_list_end(&l);
	fclose(fp);
	is_str(buf, "[]\n", "an empty list");
	free(buf);

	same("plain values and lists", (const char *const[]){ "id", "K7M2Q9XD",
	    "subject", "Gr\xc3\xbc\xc3\x9f" "e", "tags", "a,b", "cc", "", NULL });
	same("quotes, backslashes and controls are escaped by jansson",
	    (const char *const[]){ "subject", "say \"hi\" \\ now\t\x01", "tags", "x\"y,z", NULL });
	same("U+2028 and U+FFFD pass as they are",
	    (const char *const[]){ "subject", "a\xe2\x80\xa8" "b\xef\xbf\xbd", NULL });
	same("a value that is not UTF-8 is left out, as jansson does",
	    (const char *const[]){ "id", "X", "subject", "bad \xff byte", "queue", "q", NULL });
	same("a list item that is not UTF-8 is left out",
	    (const char *const[]){ "tags", "ok,\xc3,fine", NULL });
	same("empty list items are dropped, as str_split drops them",
	    (const char *const[]){ "tags", ",a,,b,", "cc", ",", NULL });
	same("a key that is not UTF-8 is left out",
	    (const char *const[]){ "k\xff", "v", "id", "Y", NULL });
	ok(pieces_same(20000), "quotes, controls, UTF-8 and bad bytes anywhere in 20000 values");
	ok(offsets_same(), "each piece at every offset of values up to 50 bytes");
	lists();
	long_values();
	many_records();
	return tap_done();
}
