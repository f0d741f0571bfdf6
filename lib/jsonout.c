/* jsonout.c: the one JSON writer of the commands (see jsonout.h) */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jsonout.h"
#include "text.h"
#include "ticket.h"

/* Record keys whose values are lists besides ticket.yaml's: the sweep's escalation steps. */
static const char *const extra_lists[] = { "esc-steps", NULL };

static int
is_list(const char *key)
{
	if (ticket_is_list(key))
		return 1;
	for (size_t i = 0; extra_lists[i]; i++)
		if (strcmp(key, extra_lists[i]) == 0)
			return 1;
	return 0;
}

/*
 * is_list for a key of n bytes (NUL-terminated). A listing asks it for
 * every key of every record, so the list keys are put in a table by
 * rt_keyhash (as query.c's slots are): a key whose slot holds none is no
 * list without a compare, which is most keys; a slot that two list keys
 * share asks is_list.
 */
enum { LIST_SLOTS = 256, LIST_SHARED = 255 };
static const char *list_name[LIST_SLOTS];
static unsigned char list_slot[LIST_SLOTS];	/* 0: none; an index in list_name; LIST_SHARED */

static void
list_slots_init(void)
{
	static const char *const *const sets[] = { ticket_list_keys, extra_lists };
	static int ready;
	unsigned char k = 0;

	if (ready)
		return;
	for (size_t s = 0; s < LEN(sets); s++)
		for (size_t i = 0; sets[s][i]; i++) {
			const char *name = sets[s][i];
			size_t h = rt_keyhash(name, strlen(name)) & (LIST_SLOTS - 1);
			list_name[++k] = name;
			list_slot[h] = list_slot[h] ? LIST_SHARED : k;
		}
	ready = 1;
}

static inline int
is_list_n(const char *key, size_t n)
{
	unsigned char at;

	if (n == 0)
		return 0;
	at = list_slot[rt_keyhash(key, n) & (LIST_SLOTS - 1)];
	if (at == 0)
		return 0;
	if (at == LIST_SHARED)
		return is_list(key);
	return strncmp(list_name[at], key, n) == 0 && list_name[at][n] == '\0';
}

int
jsonout_is_list(const char *key)
{
	list_slots_init();
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
 * A record's JSON is written at a cursor o into an sbuf that has room
 * for all of it (reserve), so no byte is checked for room. Strings are
 * copied while they are checked, in one pass: 16 bytes at a time with
 * SSE2 (8 with the portable words), each block stored whole and then
 * tested for a quote, a backslash, a control byte (NUL, the end of a
 * record's string, is one) and bytes past ASCII. A string with none of
 * the first three is written as it is, which is what jansson would write
 * if it is valid UTF-8; anything else is left to jansson.
 */
enum { STR_PLAIN, STR_HIGH, STR_ESCAPE };

/*
 * Makes room at o for the JSON of the rest of a record, lim bytes, if
 * none needs escaping: a string of n bytes and its NUL become at most
 * 3n + 3 (a list's commas become '","'), and a block's store may reach
 * 16 bytes past a string's end. Returns the cursor (sb may move).
 */
static inline char *
reserve(struct sbuf *sb, char *o, size_t lim)
{
	size_t len = (size_t)(o - sb->buf), need = 3 * lim + 64;

	if (len + need > sb->cap) {
		sb->len = len;
		sbuf_grow(sb, need);
		o = sb->buf + len;
	}
	return o;
}

#if defined(__SSE2__) && !defined(RT_JSONOUT_PORTABLE)
/*
 * Copies the string at s to o (room: see reserve): its bytes up to its
 * NUL, or lim bytes, whichever come first; no byte past s + lim is read.
 * Returns its length; *how: STR_PLAIN, STR_HIGH (plain, with bytes past
 * ASCII) or STR_ESCAPE (the copy is partial).
 */
static inline size_t
copy_str(char *o, const char *s, size_t lim, int *how)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
	    ctl = _mm_set1_epi8(0x1f), zero = _mm_setzero_si128();
	unsigned hi = 0;

	for (size_t i = 0;; i += 16) {
		__m128i x;
		unsigned stop, first;
		if (lim - i >= 16)
			x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		else {		/* the last bytes, then NULs */
			char tail[16] = { 0 };
			memcpy(tail, s + i, lim - i);
			x = _mm_loadu_si128((const __m128i *)(const void *)tail);
		}
		_mm_storeu_si128((__m128i *)(void *)(o + i), x);
		stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
		    _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x)));
		if (stop == 0) {
			hi |= (unsigned)_mm_movemask_epi8(x);
			continue;
		}
		first = (unsigned)__builtin_ctz(stop);
		if (((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, zero)) >> first & 1) == 0) {
			*how = STR_ESCAPE;
			return (size_t)(rec_strend(s + i + first, s + lim) - s);
		}
		hi |= (unsigned)_mm_movemask_epi8(x) & ((1U << first) - 1);
		*how = hi ? STR_HIGH : STR_PLAIN;
		return i + first;
	}
}
#else
/* The same, eight bytes at a time in portable C. */
static inline size_t
copy_str(char *o, const char *s, size_t lim, int *how)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t n = (size_t)(rec_strend(s, s + lim) - s), i = 0;
	uint64_t h = 0;

	/* any below 0x20, any '"' or '\\' (exact tests), high bits */
	for (; n - i >= 8; i += 8) {
		uint64_t w, q, b;
		memcpy(&w, s + i, 8);
		memcpy(o + i, &w, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs) {
			*how = STR_ESCAPE;
			return n;
		}
		h |= w;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\') {
			*how = STR_ESCAPE;
			return n;
		}
		o[i] = (char)c;
		h |= c;
	}
	*how = h & highs ? STR_HIGH : STR_PLAIN;
	return n;
}
#endif

/*
 * The string at o is not plain (how): appends it as jansson writes it,
 * and returns the cursor after it with room for the rest (rest bytes) of
 * the record; NULL if s is not valid UTF-8 (jansson refuses such a
 * string).
 */
static __attribute__((noinline)) char *
add_escaped(struct sbuf *sb, char *o, const char *s, size_t n, int how, size_t rest)
{
	json_t *js;
	size_t need;

	if (how == STR_HIGH || (js = json_stringn(s, n)) == NULL)
		return NULL;
	sb->len = (size_t)(o - sb->buf);
	need = json_dumpb(js, NULL, 0, JSON_ENCODE_ANY);
	sbuf_grow(sb, need);
	sb->len += json_dumpb(js, sb->buf + sb->len, need, JSON_ENCODE_ANY);
	json_decref(js);
	return reserve(sb, sb->buf + sb->len, rest);
}

/*
 * Writes the string at s (to its NUL or lim bytes, see copy_str) at o as
 * a JSON string and sets *n to its length; rest: the bytes of the record
 * from s on. Returns the cursor after it, or NULL if it is not valid
 * UTF-8 (nothing written; sb may have moved: the caller goes back to a
 * length, not a pointer).
 */
static inline __attribute__((always_inline)) char *
put_string(struct sbuf *sb, char *o, const char *s, size_t lim, size_t rest, size_t *n)
{
	int how;

	*o = '"';
	*n = copy_str(o + 1, s, lim, &how);
	if (how == STR_PLAIN || (how == STR_HIGH && utf8_valid(s, *n))) {
		o += *n + 1;
		*o++ = '"';
		return o;
	}
	return add_escaped(sb, o, s, *n, how, rest);
}

/*
 * A comma list (n bytes of a record whose end is at rec_end) as an
 * array; items that are not UTF-8 are left out, as jansson does.
 */
static char *
put_list(struct sbuf *sb, char *o, const char *val, size_t n, const char *rec_end)
{
	const char *end = val + n;
	size_t kept = 0;

	*o++ = '[';
	for (const char *p = val; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t k = comma ? (size_t)(comma - p) : (size_t)(end - p), len;
		if (k > 0) {		/* str_split keeps no empty items */
			size_t at = (size_t)(o - sb->buf);
			char *next;
			if (kept)
				*o++ = ',';
			if ((next = put_string(sb, o, p, k, (size_t)(rec_end - p), &len)) != NULL) {
				o = next;
				kept++;
			} else
				o = sb->buf + at;
		}
		p += k + 1;
	}
	*o++ = ']';
	return o;
}

/* The object of one record, as json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes it. */
static void
rec_json(struct sbuf *sb, const struct rec *r)
{
	const char *p = r->buf, *end = r->buf + r->len;
	char *o = reserve(sb, sb->buf + sb->len, r->len);
	int first = 1;

	*o++ = '{';
	while (p < end) {
		size_t klen, vlen, mark = (size_t)(o - sb->buf);
		const char *k = p, *val;
		char *next;
		if (!first)
			*o++ = ',';
		next = put_string(sb, o, k, (size_t)(end - k), (size_t)(end - k), &klen);
		if ((val = k + klen + 1) >= end) {
			o = sb->buf + mark;
			break;
		}
		if (next == NULL)
			vlen = (size_t)(rec_strend(val, end) - val);
		else {
			o = next;
			*o++ = ':';
			if (is_list_n(k, klen)) {
				vlen = (size_t)(rec_strend(val, end) - val);
				next = put_list(sb, o, val, vlen, end);
			} else
				next = put_string(sb, o, val, (size_t)(end - val), (size_t)(end - val), &vlen);
		}
		p = val + vlen + 1;
		if (next == NULL) {
			o = sb->buf + mark;	/* json_object_set_new refuses it */
			continue;
		}
		o = next;
		first = 0;
	}
	*o++ = '}';
	sb->len = (size_t)(o - sb->buf);
	sb->buf[sb->len] = '\0';
}

void
jsonout_list_begin(struct jsonout_list *l, FILE *fp)
{
	memset(l, 0, sizeof(*l));
	l->fp = fp;
	list_slots_init();
}

/* Records are written to fp this many bytes at a time, not one by one. */
enum { LIST_FLUSH = 64 * 1024 };

static void
list_flush(struct jsonout_list *l)
{
	fwrite(l->buf.buf, 1, l->buf.len, l->fp);
	l->buf.len = 0;
}

void
jsonout_list_rec(struct jsonout_list *l, const struct rec *r)
{
	sbuf_adds(&l->buf, l->n++ ? ",\n" : "[\n");
	rec_json(&l->buf, r);
	if (l->buf.len >= LIST_FLUSH)
		list_flush(l);
}

void
jsonout_list_end(struct jsonout_list *l)
{
	sbuf_adds(&l->buf, l->n ? "\n]\n" : "[]\n");
	list_flush(l);
	sbuf_free(&l->buf);
}
