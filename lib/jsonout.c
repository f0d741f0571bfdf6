/* jsonout.c: the one JSON writer of the commands (see jsonout.h) */
#include <stdint.h>
#include <string.h>

#include "jsonout.h"
#include "text.h"
#include "ticket.h"

static int
is_list(const char *key)
{
	return ticket_is_list(key) || strcmp(key, "esc-steps") == 0;
}

/*
 * The answer of is_list per key, remembered: a listing asks it for every
 * key of every record (eight string compares each, a quarter of rt-ls
 * --json on 100k tickets), and records hold the same few keys.
 */
int
jsonout_is_list(const char *key)
{
	static struct { char key[32]; int list; } memo[128];
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t n = 0;

	for (; key[n]; n++)
		h = (h ^ (unsigned char)key[n]) * 16777619u;
	if (n >= sizeof(memo[0].key))
		return is_list(key);
	h &= LEN(memo) - 1;
	if (strcmp(memo[h].key, key) != 0) {
		memcpy(memo[h].key, key, n + 1);
		memo[h].list = is_list(key);
	}
	return memo[h].list;
}

int
jsonout_doc(FILE *fp, json_t *doc, int layout)
{
	size_t flags = layout == JSONOUT_LINE ? JSON_COMPACT | JSON_ENSURE_ASCII :
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER;
	int rc = json_dumpf(doc, fp, flags);

	fputc('\n', fp);
	json_decref(doc);
	return rc != 0 || ferror(fp) ? EX_IOERR : 0;
}

static json_t *
list_json(const char *val)
{
	json_t *a = json_array();
	char **items;
	size_t n = str_split(val, ",", &items);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	strv_free(items, n);
	return a;
}

json_t *
jsonout_ticket(const struct kvmap *t)
{
	json_t *o = json_object();

	for (size_t i = 0; i < t->n; i++)
		json_object_set_new(o, t->v[i].key, jsonout_is_list(t->v[i].key) ?
		    list_json(t->v[i].val) : json_string(t->v[i].val));
	return o;
}

/*
 * Appends s (n bytes) as a JSON string. Plain text (no quote, backslash
 * or control character, valid UTF-8) is copied as it is, which is what
 * jansson would write; anything else is escaped by jansson. Returns -1 if
 * s is not valid UTF-8 (jansson refuses such a string).
 */
static int
add_string(struct sbuf *sb, const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t high = 0;
	int ascii;
	json_t *js;
	size_t need, i = 0;

	/* eight bytes at a time: any below 0x20, any '"' or '\\' (exact tests), high bits */
	for (; n - i >= 8; i += 8) {
		uint64_t w, q, b;
		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
			goto escape;
		high |= w;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			goto escape;
		high |= c;
	}
	ascii = (high & highs) == 0;
	if (!ascii && !utf8_valid(s, n))
		return -1;
	sbuf_grow(sb, n + 2);
	sb->buf[sb->len++] = '"';
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len++] = '"';
	sb->buf[sb->len] = '\0';
	return 0;
escape:
	if ((js = json_stringn(s, n)) == NULL)
		return -1;
	need = json_dumpb(js, NULL, 0, JSON_ENCODE_ANY);
	sbuf_grow(sb, need);
	sb->len += json_dumpb(js, sb->buf + sb->len, need, JSON_ENCODE_ANY);
	sb->buf[sb->len] = '\0';
	json_decref(js);
	return 0;
}

/* A comma list as an array; items that are not UTF-8 are left out, as jansson does. */
static void
add_list(struct sbuf *sb, const char *val)
{
	size_t kept = 0;

	sbuf_addc(sb, '[');
	for (const char *p = val; *p;) {
		size_t k = strcspn(p, ","), at = sb->len;
		if (k > 0) {		/* str_split keeps no empty items */
			if (kept)
				sbuf_addc(sb, ',');
			if (add_string(sb, p, k) == 0)
				kept++;
			else
				sb->len = at;
		}
		p += k + (p[k] == ',');
	}
	sbuf_addc(sb, ']');
}

/* The object of one record, as json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes it. */
static void
rec_json(struct sbuf *sb, const struct rec *r)
{
	const char *p = r->buf, *end = r->buf + r->len;
	int first = 1;

	sbuf_addc(sb, '{');
	while (p < end) {
		size_t klen = (size_t)(rec_strend(p, end) - p), vlen, mark = sb->len;
		const char *k = p, *val = k + klen + 1;
		if (val >= end)
			break;
		vlen = (size_t)(rec_strend(val, end) - val);
		p = val + vlen + 1;
		if (!first)
			sbuf_addc(sb, ',');
		if (add_string(sb, k, klen) != 0)
			goto skip;
		sbuf_addc(sb, ':');
		if (jsonout_is_list(k))
			add_list(sb, val);
		else if (add_string(sb, val, vlen) != 0)
			goto skip;
		first = 0;
		continue;
skip:
		sb->len = mark;		/* json_object_set_new refuses it */
		sb->buf[sb->len] = '\0';
	}
	sbuf_addc(sb, '}');
}

void
jsonout_list_begin(struct jsonout_list *l, FILE *fp)
{
	memset(l, 0, sizeof(*l));
	l->fp = fp;
}

void
jsonout_list_rec(struct jsonout_list *l, const struct rec *r)
{
	sbuf_reset(&l->buf);
	sbuf_adds(&l->buf, l->n++ ? ",\n" : "[\n");
	rec_json(&l->buf, r);
	fwrite(l->buf.buf, 1, l->buf.len, l->fp);
}

void
jsonout_list_end(struct jsonout_list *l)
{
	fputs(l->n ? "\n]\n" : "[]\n", l->fp);
	sbuf_free(&l->buf);
}
