/* jsonout.c: the one JSON writer of the commands (see jsonout.h) */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
 * --json on 100k tickets), and records hold the same few keys. Looked up
 * by length and first and last byte, as query.c's slots are.
 */
static int
is_list_n(const char *key, size_t n)
{
	static struct { char key[32]; size_t n; int list; } memo[128];
	size_t h;

	if (n == 0 || n >= sizeof(memo[0].key))
		return is_list(key);
	h = rt_keyhash(key, n) & (LEN(memo) - 1);
	if (memo[h].n != n || memcmp(memo[h].key, key, n) != 0) {
		memcpy(memo[h].key, key, n);
		memo[h].key[n] = '\0';
		memo[h].n = n;
		memo[h].list = is_list(key);
	}
	return memo[h].list;
}

int
jsonout_is_list(const char *key)
{
	return is_list_n(key, strlen(key));
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
 * Is s (n bytes) plain: no quote, backslash or control character? *high:
 * has it a byte past ASCII? avail >= n bytes at s may be read: a
 * record's strings are read 16 bytes at a time, past their ends.
 */
static int
plain(const char *s, size_t n, size_t avail, int *high)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
	    ctl = _mm_set1_epi8(0x1f);
	unsigned bad = 0, hi = 0;

	for (size_t i = 0; i < n; i += 16) {
		char tail[16];
		const char *at = s + i;
		unsigned mask = n - i >= 16 ? 0xffff : (1U << (n - i)) - 1;
		__m128i x;
		if (avail - i < 16) {
			memset(tail, 'a', sizeof(tail));
			memcpy(tail, at, n - i < 16 ? n - i : 16);
			at = tail;
		}
		x = _mm_loadu_si128((const __m128i *)(const void *)at);
		bad |= (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
		    _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x))) & mask;
		hi |= (unsigned)_mm_movemask_epi8(x) & mask;
	}
	*high = hi != 0;
	return bad == 0;
#else
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t h = 0;
	size_t i = 0;

	(void)avail;
	/* eight bytes at a time: any below 0x20, any '"' or '\\' (exact tests), high bits */
	for (; n - i >= 8; i += 8) {
		uint64_t w, q, b;
		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
			return 0;
		h |= w;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			return 0;
		h |= c;
	}
	*high = (h & highs) != 0;
	return 1;
#endif
}

/*
 * Appends s (n bytes, avail readable, see plain) as a JSON string. Plain
 * text (valid UTF-8) is copied as it is, which is what jansson would
 * write; anything else is escaped by jansson. Returns -1 if s is not
 * valid UTF-8 (jansson refuses such a string).
 */
static int
add_string(struct sbuf *sb, const char *s, size_t n, size_t avail)
{
	int high;
	json_t *js;
	size_t need;

	if (!plain(s, n, avail, &high))
		goto escape;
	if (high && !utf8_valid(s, n))
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

/* sbuf_addc without the call: a record's JSON is mostly its punctuation. */
static inline void
add_char(struct sbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		sbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

/* A comma list as an array; items that are not UTF-8 are left out, as jansson does. */
static void
add_list(struct sbuf *sb, const char *val)
{
	size_t kept = 0;

	add_char(sb, '[');
	for (const char *p = val; *p;) {
		size_t k = strcspn(p, ","), at = sb->len;
		if (k > 0) {		/* str_split keeps no empty items */
			if (kept)
				add_char(sb, ',');
			if (add_string(sb, p, k, k) == 0)
				kept++;
			else
				sb->len = at;
		}
		p += k + (p[k] == ',');
	}
	add_char(sb, ']');
}

/* The object of one record, as json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes it. */
static void
rec_json(struct sbuf *sb, const struct rec *r)
{
	const char *p = r->buf, *end = r->buf + r->len;
	int first = 1;

	add_char(sb, '{');
	while (p < end) {
		size_t klen = (size_t)(rec_strend(p, end) - p), vlen, mark = sb->len;
		const char *k = p, *val = k + klen + 1;
		if (val >= end)
			break;
		vlen = (size_t)(rec_strend(val, end) - val);
		p = val + vlen + 1;
		if (!first)
			add_char(sb, ',');
		if (add_string(sb, k, klen, (size_t)(end - k)) != 0)
			goto skip;
		add_char(sb, ':');
		if (is_list_n(k, klen))
			add_list(sb, val);
		else if (add_string(sb, val, vlen, (size_t)(end - val)) != 0)
			goto skip;
		first = 0;
		continue;
skip:
		sb->len = mark;		/* json_object_set_new refuses it */
		sb->buf[sb->len] = '\0';
	}
	add_char(sb, '}');
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
