/* logflow.c: the common shape of log.yaml read without libyaml (see logflow.h) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logflow.h"
#include "ticket.h"
#include "util.h"

#define MAXKEYS 64		/* per event; more: libyaml */

/* A plain word as the emitter writes one: starts with a letter or digit. */
static int
plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_' || c == '.' || c == '@' || c == '/' || c == '+';
}

static int
plain_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * The length of one UTF-8 character at p that libyaml reads as a plain
 * printable character (not a line break such as U+0085 or U+2028, not a
 * byte-order mark, no overlong or surrogate form); 0 otherwise.
 */
static size_t
utf8_char(const unsigned char *p, const unsigned char *end)
{
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] < 0x7f ? 1 : 0;
	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	if (n == 0 || p[0] > 0xf4 || (size_t)(end - p) < n)
		return 0;
	cp = p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp < 0xa0 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* A single-quoted scalar at *pp (after the quote) into sb; advances past the closing quote. */
static int
quoted(const char **pp, const char *end, struct sbuf *sb)
{
	const unsigned char *p = (const unsigned char *)*pp, *e = (const unsigned char *)end;

	while (p < e) {
		size_t n;
		if (*p == '\'') {
			if (p + 1 < e && p[1] == '\'') {
				sbuf_addc(sb, '\'');
				p += 2;
				continue;
			}
			*pp = (const char *)p + 1;
			return 0;
		}
		if ((n = utf8_char(p, e)) == 0)
			return -1;
		sbuf_add(sb, p, n);
		p += n;
	}
	return -1;
}

/* One line "- {k: v, ...}" (without its newline) into ev. */
static int
event_line(const char *p, const char *end, struct kvmap *ev)
{
	struct sbuf key = SBUF_INIT, val = SBUF_INIT;
	char *keys[MAXKEYS];
	size_t nkeys = 0;
	int rc = -1;

	if (end - p < 4 || memcmp(p, "- {", 3) != 0 || end[-1] != '}')
		return -1;
	p += 3;
	end--;
	while (p < end) {
		const char *k = p;
		int null = 0;
		while (p < end && plain_char((unsigned char)*p))
			p++;
		if (p == k || !plain_start((unsigned char)*k) || end - p < 2 || p[0] != ':' ||
		    p[1] != ' ' || nkeys == MAXKEYS)
			goto out;
		sbuf_reset(&key);
		sbuf_add(&key, k, (size_t)(p - k));
		for (size_t i = 0; i < nkeys; i++)
			if (strcmp(keys[i], key.buf) == 0)
				goto out;	/* libyaml's loader refuses it */
		p += 2;
		sbuf_reset(&val);
		if (p < end && *p == '\'') {
			p++;
			if (quoted(&p, end, &val) != 0)
				goto out;
		} else {
			const char *v = p;
			while (p < end && plain_char((unsigned char)*p))
				p++;
			if (p == v || !plain_start((unsigned char)*v))
				goto out;
			sbuf_add(&val, v, (size_t)(p - v));
			null = strcasecmp(val.buf, "null") == 0;
		}
		if (p < end && (end - p < 3 || p[0] != ',' || p[1] != ' '))
			goto out;
		if (p < end)
			p += 2;
		keys[nkeys++] = xstrdup(key.buf);
		if (!null)
			kv_set(ev, key.buf, val.buf ? val.buf : "");
	}
	rc = nkeys ? 0 : -1;
out:
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	sbuf_free(&key);
	sbuf_free(&val);
	return rc;
}

int
logflow_parse(const char *buf, size_t len, struct evlog *log)
{
	const char *p = buf, *end = buf + len;
	struct evlog out = { NULL, 0 };
	size_t lines = 0;

	if (len == 0 || buf[len - 1] != '\n')
		return -1;
	for (const char *q = buf; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
		lines++;
	out.ev = xcalloc(lines, sizeof(*out.ev));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (event_line(p, nl, &out.ev[out.n]) != 0) {
			out.n++;
			log_free(&out);
			return -1;
		}
		out.n++;
		p = nl + 1;
	}
	*log = out;
	return 0;
}
