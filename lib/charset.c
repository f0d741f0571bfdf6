/* charset.c: charset conversion and RFC 2047 words with iconv(3) */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "text.h"
#include "util.h"

int
charset_known(const char *cs)
{
	iconv_t cd;

	if (cs == NULL || *cs == '\0')
		return 0;
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	return 1;
}

/* Runs cd over the input; an invalid or truncated sequence costs one byte. */
static void
convert(iconv_t cd, const char *s, size_t len, struct sbuf *sb)
{
	char out[4096];
	char *in = (char *)s;
	size_t left = len;

	while (left > 0) {
		char *o = out;
		size_t room = sizeof(out);
		size_t rc = iconv(cd, &in, &left, &o, &room);

		sbuf_add(sb, out, (size_t)(o - out));
		if (rc != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL: skip one byte, mark it, start afresh. */
		utf8_encode(sb, 0xFFFD);
		in++;
		left--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	{
		char *o = out;
		size_t room = sizeof(out);
		iconv(cd, NULL, NULL, &o, &room);
		sbuf_add(sb, out, (size_t)(o - out));
	}
}

/*
 * Text that is valid UTF-8 already (utf8_valid: no NUL, overlong form or
 * surrogate) and declared UTF-8 or, all 7-bit, US-ASCII, comes out of
 * iconv unchanged: most mail is, and iconv's two steps through UCS-4 cost
 * a bulk import a thirtieth of its instructions.
 */
static int
unchanged(const char *s, size_t len, const char *cs)
{
	if (strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0)
		return utf8_valid(s, len);
	if (strcasecmp(cs, "us-ascii") && strcasecmp(cs, "ascii"))
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return utf8_valid(s, len);
}

char *
charset_to_utf8(const char *s, size_t len, const char *cs, size_t *outlen)
{
	struct sbuf sb = SBUF_INIT;
	iconv_t cd;

	if (cs && unchanged(s, len, cs)) {
		if (outlen)
			*outlen = len;
		return xstrndup(s, len);
	}
	if (cs == NULL || *cs == '\0' || (cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return NULL;
	convert(cd, s, len, &sb);
	iconv_close(cd);
	sbuf_add(&sb, "", 0);
	if (outlen)
		*outlen = sb.len;
	return sbuf_detach(&sb);
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static void
b64_decode(const char *s, size_t len, struct sbuf *sb)
{
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)s[i]);
		if (v < 0)
			continue;	/* padding and junk */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sbuf_addc(sb, (char)((acc >> bits) & 0xFF));
		}
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
q_decode(const char *s, size_t len, struct sbuf *sb)
{
	for (size_t i = 0; i < len; i++) {
		int hi = -1, lo = -1;

		if (s[i] == '=' && i + 2 < len) {
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			sbuf_addc(sb, (char)(hi << 4 | lo));
			i += 2;
		} else
			sbuf_addc(sb, s[i] == '_' ? ' ' : s[i]);
	}
}

/*
 * Parses the encoded word at s ("=?cs?E?text?="); on success appends its
 * decoded UTF-8 to sb and returns its length, else 0.
 */
static size_t
decode_word(const char *s, struct sbuf *sb)
{
	const char *cs = s + 2, *q1, *text, *end;
	char *name, *raw, *u;
	struct sbuf bytes = SBUF_INIT;
	size_t n;

	if ((q1 = strchr(cs, '?')) == NULL || q1 == cs || q1[1] == '\0' || q1[2] != '?')
		return 0;
	text = q1 + 3;
	if ((end = strstr(text, "?=")) == NULL)
		return 0;
	for (const char *p = cs; p < end; p++)
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			return 0;
	if (strchr("BbQq", q1[1]) == NULL)
		return 0;
	name = xstrndup(cs, strcspn(cs, "?*"));	/* RFC 2231 "*lang" dropped */
	if (q1[1] == 'B' || q1[1] == 'b')
		b64_decode(text, (size_t)(end - text), &bytes);
	else
		q_decode(text, (size_t)(end - text), &bytes);
	raw = bytes.buf ? bytes.buf : "";
	/* An unknown charset (=?NONE?B?...?=): the bytes, where not UTF-8 U+FFFD. */
	if ((u = charset_to_utf8(raw, bytes.len, name, &n)) == NULL) {
		u = utf8_clean(raw, bytes.len, 0);
		n = strlen(u);
	}
	free(name);
	sbuf_free(&bytes);
	sbuf_add(sb, u, n);
	free(u);
	return (size_t)(end + 2 - s);
}

/*
 * Converts the text sb holds from byte from on, when it is not valid
 * UTF-8, from charset cs (raw 8-bit bytes no encoded word declared).
 */
static void
recode_run(struct sbuf *sb, size_t from, const char *cs)
{
	char *u;
	size_t n;

	if (cs == NULL || sb->len == from ||
	    utf8_valid(sb->buf + from, sb->len - from))
		return;
	if ((u = charset_to_utf8(sb->buf + from, sb->len - from, cs, &n)) == NULL)
		return;
	sb->len = from;
	sbuf_add(sb, u, n);
	free(u);
}

char *
rfc2047_decode_8bit(const char *s, const char *cs8)
{
	struct sbuf sb = SBUF_INIT;
	size_t pending = 0;	/* whitespace after a decoded word, held back */
	size_t run = 0;		/* where the text since the last word starts */
	int after_word = 0;

	while (*s) {
		size_t used = 0;
		if (s[0] == '=' && s[1] == '?') {
			size_t mark;
			recode_run(&sb, run, cs8);
			mark = sb.len;
			if (after_word)
				sb.len -= pending;	/* drop the space between two words */
			if ((used = decode_word(s, &sb)) == 0)
				sb.len = mark;
		}
		if (used) {
			s += used;
			after_word = 1;
			pending = 0;
			run = sb.len;
			continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			pending++;
		} else {
			after_word = 0;
			pending = 0;
		}
		sbuf_addc(&sb, *s++);
	}
	recode_run(&sb, run, cs8);
	sbuf_add(&sb, "", 0);
	return sbuf_detach(&sb);
}

char *
rfc2047_decode(const char *s)
{
	return rfc2047_decode_8bit(s, NULL);
}

/* Length of the encoded word "=?cs?E?text?=" s starts with, else 0. */
static size_t
encoded_word_len(const char *s)
{
	const char *q, *end;

	if (s[0] != '=' || s[1] != '?' || (q = strchr(s + 2, '?')) == NULL ||
	    q == s + 2 || q[1] == '\0' || strchr("BbQq", q[1]) == NULL || q[2] != '?' ||
	    (end = strstr(q + 3, "?=")) == NULL)
		return 0;
	for (const char *p = s; p < end; p++)
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			return 0;
	return (size_t)(end + 2 - s);
}

/* Blanks at the end of sb that follow an encoded word ("?="), else 0. */
static size_t
blanks_after_word(const struct sbuf *sb)
{
	size_t n = 0;

	while (n < sb->len && (sb->buf[sb->len - 1 - n] == ' ' || sb->buf[sb->len - 1 - n] == '\t'))
		n++;
	return n && sb->len - n >= 2 && memcmp(sb->buf + sb->len - n - 2, "?=", 2) == 0 ? n : 0;
}

char *
rfc2047_escape_8bit(const char *s, const char *cs)
{
	struct sbuf sb = SBUF_INIT;

	while (*s) {
		size_t w = encoded_word_len(s), b;

		for (const char *end = s + w; s < end; s++)
			if ((unsigned char)*s >= 0x80)
				sbuf_addf(&sb, "=%02X", (unsigned char)*s);
			else
				sbuf_addc(&sb, *s);
		if (w)
			continue;
		if ((unsigned char)*s < 0x80) {
			sbuf_addc(&sb, *s++);
			continue;
		}
		/* A decoder drops the blanks between two words: they go inside. */
		b = blanks_after_word(&sb);
		sb.len -= b;
		sbuf_addf(&sb, "=?%s?Q?", cs);
		while (b--)
			sbuf_adds(&sb, "=20");
		while ((unsigned char)*s >= 0x80)
			sbuf_addf(&sb, "=%02X", (unsigned char)*s++);
		sbuf_adds(&sb, "?=");
	}
	sbuf_add(&sb, "", 0);
	return sbuf_detach(&sb);
}
