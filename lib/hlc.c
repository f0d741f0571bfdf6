/* hlc.c: event ids and the hybrid logical clock of log.yaml */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hlc.h"
#include "util.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
evid_generate(char out[EVID_LEN + 1])
{
	unsigned char b[EVID_LEN];

	if (rt_random(b, sizeof(b)) != 0) {
		struct timespec ts;
		unsigned long long x;
		clock_gettime(CLOCK_REALTIME, &ts);
		x = (unsigned long long)ts.tv_nsec * 6364136223846793005ULL ^ (unsigned long long)ts.tv_sec;
		for (size_t i = 0; i < sizeof(b); i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
			b[i] = (unsigned char)(x >> 56);
	}
	for (size_t i = 0; i < EVID_LEN; i++)
		out[i] = alphabet[b[i] & 31];
	out[EVID_LEN] = '\0';
}

static int
parse_num(const char **p, long long *out)
{
	long long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (long long)1e15)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	*p = s;
	return 0;
}

int
hlc_parse(const char *s, struct hlc *h)
{
	struct hlc r;

	if (s == NULL || parse_num(&s, &r.ms) != 0 || *s++ != '-' || parse_num(&s, &r.n) != 0 ||
	    *s != '\0')
		return -1;
	*h = r;
	return 0;
}

char *
hlc_fmt(const struct hlc *h, char buf[HLC_LEN])
{
	snprintf(buf, HLC_LEN, "%013lld-%lld", h->ms, h->n);
	return buf;
}

int
hlc_cmp(const struct hlc *a, const struct hlc *b)
{
	if (a->ms != b->ms)
		return a->ms < b->ms ? -1 : 1;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return 0;
}

long long
hlc_now_ms(void)
{
	const char *env = getenv("RT_NOW");
	struct timespec ts;

	if (env && *env)
		return (long long)rt_now() * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
hlc_tick(struct hlc *h, long long now_ms)
{
	if (now_ms > h->ms) {
		h->ms = now_ms;
		h->n = 0;
	} else
		h->n++;
}

void
event_hlc(const struct kvmap *ev, struct hlc *h)
{
	time_t t;
	const char *at;

	if (hlc_parse(kv_get(ev, "hlc"), h) == 0)
		return;
	h->ms = h->n = 0;
	if ((at = kv_get(ev, "at")) != NULL && rt_parsetime(at, &t) == 0)
		h->ms = (long long)t * 1000;
}

int
event_order(const struct kvmap *a, const struct kvmap *b)
{
	struct hlc ha, hb;
	const char *ia = kv_get(a, "id"), *ib = kv_get(b, "id");
	int c;

	event_hlc(a, &ha);
	event_hlc(b, &hb);
	if ((c = hlc_cmp(&ha, &hb)) != 0)
		return c;
	return strcmp(ia ? ia : "", ib ? ib : "");
}

int
log_newest_hlc(const char *buf, size_t len, struct hlc *max)
{
	static const char head[] = "- {id: ";
	const char *p = buf, *end = buf + len;
	int untimed = 0;

	max->ms = max->n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
		size_t l = (size_t)(eol - p);
		if (l > 3 && memcmp(p, "- {", 3) == 0 && (l < sizeof(head) - 1 ||
		    memcmp(p, head, sizeof(head) - 1) != 0))
			untimed = 1;
		if (l > sizeof(head) - 1 && memcmp(p, head, sizeof(head) - 1) == 0) {
			const char *q = p + sizeof(head) - 1, *h;
			char val[HLC_LEN];
			size_t k = 0;
			struct hlc cur;
			/* the id is plain base32; then ", hlc: VALUE," */
			while (q < eol && *q != ',')
				q++;
			if (eol - q > 7 && memcmp(q, ", hlc: ", 7) == 0) {
				h = q + 7;
				if (*h == '\'' || *h == '"')
					h++;
				while (h < eol && k < sizeof(val) - 1 && ((*h >= '0' && *h <= '9') ||
				    *h == '-'))
					val[k++] = *h++;
				val[k] = '\0';
				if (hlc_parse(val, &cur) == 0 && hlc_cmp(&cur, max) > 0)
					*max = cur;
			}
		}
		p = eol + 1;
	}
	return untimed;
}

int
event_key_internal(const char *key)
{
	return strcmp(key, "id") == 0 || strcmp(key, "hlc") == 0 || strcmp(key, "seen") == 0 ||
	    strcmp(key, "was") == 0;
}
