/* kv.c: ordered string maps and serialized record views */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "util.h"

/* The first bytes compared inline: a record's 40 keys rarely share them. */
static struct kv *
kv_find(const struct kvmap *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].key[0] == key[0] && strcmp(m->v[i].key, key) == 0)
			return &m->v[i];
	return NULL;
}

const char *
kv_get(const struct kvmap *m, const char *key)
{
	struct kv *p = kv_find(m, key);

	return p ? p->val : NULL;
}

/* Appends a pair whose key the map does not hold. */
static void
kv_push(struct kvmap *m, const char *key, const char *val)
{
	if (m->n == m->cap)
		m->v = xrealloc(m->v, (m->cap = m->cap ? m->cap * 2 : 16) * sizeof(*m->v));
	m->v[m->n].key = xstrdup(key);
	m->v[m->n].val = xstrdup(val);
	m->n++;
}

void
kv_set(struct kvmap *m, const char *key, const char *val)
{
	struct kv *p = kv_find(m, key);

	if (val == NULL || *val == '\0') {
		if (p == NULL)
			return;
		free(p->key);
		free(p->val);
		memmove(p, p + 1, (size_t)(m->v + m->n - (p + 1)) * sizeof(*p));
		m->n--;
		return;
	}
	if (p) {
		char *copy = xstrdup(val);
		free(p->val);
		p->val = copy;
		return;
	}
	kv_push(m, key, val);
}

void
kv_setf(struct kvmap *m, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	kv_set(m, key, s);
	free(s);
}

void
kv_copy(struct kvmap *dst, const struct kvmap *src)
{
	if (dst->n == 0 && src->n) {	/* src's keys are distinct: no lookups */
		if (dst->cap < src->n)
			dst->v = xrealloc(dst->v, (dst->cap = src->n) * sizeof(*dst->v));
		for (size_t i = 0; i < src->n; i++) {
			dst->v[i].key = xstrdup(src->v[i].key);
			dst->v[i].val = xstrdup(src->v[i].val);
		}
		dst->n = src->n;
		return;
	}
	for (size_t i = 0; i < src->n; i++)
		kv_set(dst, src->v[i].key, src->v[i].val);
}

void
kv_free(struct kvmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].val);
	}
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

long long
kv_int(const struct kvmap *m, const char *key, long long dflt)
{
	const char *s = kv_get(m, key);
	char *end;
	long long v;

	if (s == NULL)
		return dflt;
	v = strtoll(s, &end, 10);
	return *end ? dflt : v;
}

size_t
kv_list_item_len(const char *list)
{
	int quote = 0;
	size_t k = 0;

	for (; list[k] && (quote || list[k] != ','); k++) {
		if (list[k] == '\\' && quote && list[k + 1])
			k++;
		else if (list[k] == '"')
			quote = !quote;
	}
	return k;
}

size_t
kv_list_split(const char *list, char ***out)
{
	size_t n = 0, cap = 4;
	char **v = xmalloc(cap * sizeof(*v));

	for (const char *p = list ? list : ""; *p;) {
		size_t k = kv_list_item_len(p);
		if (k > 0) {
			if (n == cap)
				v = xrealloc(v, (cap *= 2) * sizeof(*v));
			v[n++] = xstrndup(p, k);
		}
		p += k;
		if (*p)
			p++;
	}
	*out = v;
	return n;
}

int
kv_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	if (list == NULL)
		return 0;
	for (const char *p = list; *p;) {
		size_t k = kv_list_item_len(p);
		if (k == n && strncmp(p, item, n) == 0)
			return 1;
		p += k;
		if (*p)
			p++;
	}
	return 0;
}

char *
kv_list_add(const char *list, const char *item)
{
	if (list == NULL || *list == '\0')
		return xstrdup(item);
	if (kv_list_has(list, item))
		return xstrdup(list);
	return xasprintf("%s,%s", list, item);
}

char *
kv_list_del(const char *list, const char *item)
{
	struct sbuf sb = SBUF_INIT;
	char **v;
	size_t n = kv_list_split(list, &v);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i], item) == 0)
			continue;
		if (sb.len)
			sbuf_addc(&sb, ',');
		sbuf_adds(&sb, v[i]);
	}
	strv_free(v, n);
	return sbuf_detach(&sb);
}

/*
 * Eight bytes at a time: a record holds some 40 short strings, and a
 * strlen call for each was a third of a sorted listing of 100k tickets.
 */
const char *
rec_get(const struct rec *r, const char *key)
{
	const char *p = r->buf, *end = r->buf + r->len;

	while (p < end) {
		const char *k = p, *v = k + strlen(k) + 1;
		if (v >= end)
			return NULL;
		if (strcmp(k, key) == 0)
			return v;
		p = v + strlen(v) + 1;
	}
	return NULL;
}

/*
 * A record is a serialized map (kv_serialize): its keys are distinct, so
 * into an empty map they are appended without a lookup each (a kv_set
 * per key compared every key with all before it: 40 keys, 800 strcmp).
 */
void
rec_to_kvmap(const struct rec *r, struct kvmap *m)
{
	const char *p = r->buf, *end = r->buf + r->len;
	int append = m->n == 0;

	while (p < end) {
		const char *k = p, *v = k + strlen(k) + 1;
		if (v >= end)
			return;
		p = v + strlen(v) + 1;
		if (!append) {
			kv_set(m, k, v);
			continue;
		}
		if (*v == '\0')	/* as kv_set: an empty value is no key */
			continue;
		kv_push(m, k, v);
	}
}

char *
kv_serialize(const struct kvmap *m, size_t *len)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < m->n; i++) {
		sbuf_add(&sb, m->v[i].key, strlen(m->v[i].key) + 1);
		sbuf_add(&sb, m->v[i].val, strlen(m->v[i].val) + 1);
	}
	*len = sb.len;
	return sbuf_detach(&sb);
}
