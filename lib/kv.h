/* kv.h: ordered string maps (tickets, events) and read-only record views */
#ifndef RT_KV_H
#define RT_KV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct kv {
	char *key;
	char *val;
};

/* An ordered map of owned strings. List values are joined with ','. */
struct kvmap {
	struct kv *v;
	size_t n, cap;
};
#define KVMAP_INIT { NULL, 0, 0 }

const char *kv_get(const struct kvmap *m, const char *key);
/* Sets key to val (copied), keeping its place; a NULL or "" val removes it. */
void kv_set(struct kvmap *m, const char *key, const char *val);
void kv_setf(struct kvmap *m, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kv_copy(struct kvmap *dst, const struct kvmap *src);
void kv_free(struct kvmap *m);
long long kv_int(const struct kvmap *m, const char *key, long long dflt);

/*
 * List values: comma-separated, no empty items. A comma inside double
 * quotes belongs to its item, as in mail address lists, so that
 * "doe, john"@example.org stays one item.
 */
/* The length of the item at list (up to its separating comma or the end). */
size_t kv_list_item_len(const char *list);
/* Splits a list into malloc'd items; returns their number (str_split style). */
size_t kv_list_split(const char *list, char ***out);
int kv_list_has(const char *list, const char *item);
/* Returns a new malloc'd list with item added (once) or removed. */
char *kv_list_add(const char *list, const char *item);
char *kv_list_del(const char *list, const char *item);

/*
 * A serialized map: "key\0value\0key\0value\0". Views point into memory
 * owned elsewhere (an LMDB page); lookups scan.
 */
struct rec {
	const char *buf;
	size_t len;
};
const char *rec_get(const struct rec *r, const char *key);
/* The NUL ending the string at p, or end if there is none before it. */
static inline const char *
rec_strend(const char *p, const char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; end - p >= 8; p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		w = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
		if (w)	/* the lowest flagged byte is the first NUL */
			return p + __builtin_ctzll(w) / 8;
	}
#endif
	return p + strnlen(p, (size_t)(end - p));
}
void rec_to_kvmap(const struct rec *r, struct kvmap *m);
/* Serializes m; returns malloc'd buffer and its length. */
char *kv_serialize(const struct kvmap *m, size_t *len);

#endif
