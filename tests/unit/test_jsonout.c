/* test_jsonout.c: the streamed record list writes what json_dumps wrote */
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
	return tap_done();
}
