/* text.c: UTF-8 decoding, validation, cleaning and folding (see text.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s, or 0 if invalid. */
static size_t
utf8_seqlen(const unsigned char *s, size_t left)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint64_t high = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;

	for (size_t i = 0; i < len;) {
		uint64_t w;
		/* eight ASCII bytes, none NUL, at a time: most text is such */
		if (len - i >= 8 && (memcpy(&w, p + i, 8), ((w | (w - ones)) & high) == 0)) {
			i += 8;
			continue;
		}
		size_t n = utf8_seqlen(p + i, len - i);
		if (n == 0 || (n == 1 && p[i] == 0))
			return 0;
		i += n;
	}
	return 1;
}

/* U+0080..U+009F and U+2028/2029 are line breaks or controls in YAML and JSON. */
static int
is_unsafe_cp(const unsigned char *p, size_t n)
{
	if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0)
		return 1;
	if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
		return 1;
	if (n == 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return 1;	/* BOM */
	return 0;
}

char *
utf8_clean(const char *s, size_t len, int oneline)
{
	const unsigned char *p = (const unsigned char *)s;
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < len;) {
		size_t n, j = i;
		/* a run of what stays as it is, copied at once: most text is ASCII */
		while (j < len && ((p[j] >= 0x20 && p[j] < 0x7F) ||
		    (!oneline && (p[j] == '\n' || p[j] == '\t'))))
			j++;
		if (j > i) {
			sbuf_add(&sb, p + i, j - i);
			i = j;
			continue;
		}
		n = utf8_seqlen(p + i, len - i);
		if (n == 0) {
			sbuf_add(&sb, "\xEF\xBF\xBD", 3);
			i++;
			continue;
		}
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7F)) {
			if (!oneline && (p[i] == '\n' || p[i] == '\t'))
				sbuf_addc(&sb, (char)p[i]);
			else if (!oneline && p[i] == '\r')
				;
			else
				sbuf_addc(&sb, ' ');
		} else if (is_unsafe_cp(p + i, n)) {
			sbuf_addc(&sb, ' ');
		} else {
			sbuf_add(&sb, p + i, n);
		}
		i += n;
	}
	if (oneline) {
		char *t = sbuf_detach(&sb), *r = xstrdup(str_trim(t));
		free(t);
		return r;
	}
	return sbuf_detach(&sb);
}

int
text_is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Bytes at p[0..len) a terminal shows as they are: printable ASCII (and newline, tab). */
static size_t
term_plain_ascii(const unsigned char *p, size_t len, int multiline)
{
	size_t j = 0;

	while (j < len && ((p[j] >= 0x20 && p[j] < 0x7F) ||
	    (multiline && (p[j] == '\n' || p[j] == '\t'))))
		j++;
	return j;
}

/*
 * The escape the character at p (n bytes of valid UTF-8, or n == 0: an
 * invalid byte) needs on a terminal into esc, or 0 when it shows as it is.
 */
static int
term_escape(const unsigned char *p, size_t n, char esc[8])
{
	uint32_t cp;

	if (n == 0 || (n == 1 && (p[0] < 0x20 || p[0] == 0x7F)))
		return snprintf(esc, 8, "\\x%02X", p[0]);
	if (n == 1)
		return 0;
	utf8_decode((const char *)p, n, &cp);
	if ((cp >= 0x80 && cp <= 0x9F) || text_is_bidi_control(cp))
		return snprintf(esc, 8, "\\u%04X", (unsigned)cp);
	return 0;
}

int
text_term_plain(const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	for (size_t i = 0; i < len;) {
		size_t n = term_plain_ascii(p + i, len - i, multiline);
		if (n) {
			i += n;
			continue;
		}
		n = utf8_seqlen(p + i, len - i);
		if (term_escape(p + i, n, esc))
			return 0;
		i += n;
	}
	return 1;
}

void
text_term_add(struct sbuf *sb, const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	for (size_t i = 0; i < len;) {
		size_t n = term_plain_ascii(p + i, len - i, multiline);
		int e;
		if (n) {
			sbuf_add(sb, p + i, n);
			i += n;
			continue;
		}
		n = utf8_seqlen(p + i, len - i);
		if ((e = term_escape(p + i, n, esc)) > 0)
			sbuf_add(sb, esc, (size_t)e);
		else
			sbuf_add(sb, p + i, n);
		i += n ? n : 1;
	}
}

char *
text_term(const char *s, size_t len, int multiline)
{
	struct sbuf sb = SBUF_INIT;

	text_term_add(&sb, s, len, multiline);
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

const char *
text_term_str(const char *s, int multiline, struct sbuf *scratch)
{
	size_t len = s ? strlen(s) : 0;

	if (s == NULL || text_term_plain(s, len, multiline))
		return s ? s : "";
	sbuf_reset(scratch);
	text_term_add(scratch, s, len, multiline);
	return scratch->buf;
}

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = utf8_seqlen(p, len);

	switch (n) {
	case 1:
		*cp = p[0];
		break;
	case 2:
		*cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		break;
	case 3:
		*cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
		    (p[2] & 0x3F);
		break;
	case 4:
		*cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
		    ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
		break;
	default:
		*cp = 0xFFFD;
		n = 1;
	}
	return n;
}

/* Writes the UTF-8 form of cp to out; returns its length. */
static size_t
encode(char out[4], uint32_t cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void
utf8_encode(struct sbuf *sb, uint32_t cp)
{
	char buf[4];

	sbuf_add(sb, buf, encode(buf, cp));
}

static int
is_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (!is_cont(*s))
			n++;
	return n;
}

size_t
utf8_prefix(const char *s, size_t max)
{
	size_t i = 0;

	for (size_t chars = 0; s[i] && chars < max; chars++)
		for (i++; is_cont(s[i]); i++)
			;
	return i;
}

void
utf8_truncate(char *s, size_t max)
{
	if (strlen(s) > max)
		s[utf8_char_start(s, max)] = '\0';
}

size_t
utf8_char_start(const char *s, size_t off)
{
	while (off > 0 && is_cont(s[off]))
		off--;
	return off;
}

size_t
utf8_char_end(const char *s, size_t len, size_t end)
{
	while (end < len && is_cont(s[end]))
		end++;
	return end;
}

uint32_t
text_lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 32;		/* Ä -> ä, Ö -> ö, Ü -> ü, ... */
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 32;		/* А..Я -> а..я */
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 80;		/* Ѐ..Џ -> ѐ..џ */
	return cp;
}

void
text_lower_utf8(char *s, size_t len, int ascii)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp, lo;
		size_t n;
		char buf[4];
		if ((unsigned char)s[i] < 0x80) {
			if (ascii && s[i] >= 'A' && s[i] <= 'Z')
				s[i] = (char)(s[i] + 32);
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		/* text_lower's pairs are always of the same length */
		if ((lo = text_lower(cp)) != cp && encode(buf, lo) == n)
			memcpy(s + i, buf, n);
		i += n;
	}
}

int
text_is_wordchar(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z');
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || cp == 0xFFFD)
		return 0;		/* Latin-1 punctuation and signs */
	if (cp >= 0x2000 && cp <= 0x2BFF)
		return 0;		/* punctuation, symbols, arrows, dingbats */
	if ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp >= 0x1F000)
		return 0;		/* CJK punctuation, selectors, emoji */
	return 1;
}

#define WL(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : \
    ((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') ? (c) : 0)
#define WL4(c) WL(c), WL((c) + 1), WL((c) + 2), WL((c) + 3)
#define WL16(c) WL4(c), WL4((c) + 4), WL4((c) + 8), WL4((c) + 12)
const char text_ascii_word[128] = {
	WL16(0), WL16(16), WL16(32), WL16(48), WL16(64), WL16(80), WL16(96), WL16(112),
};

const char *
text_fold_ascii(uint32_t cp, char buf[2])
{
	static const char *const latin1[33] = {
		/* U+00DF */ "ss",
		/* U+00E0 */ "a", "a", "a", "a", "ae", "a", "ae", "c",
		"e", "e", "e", "e", "i", "i", "i", "i",
		/* U+00F0 */ "d", "n", "o", "o", "o", "o", "oe", NULL,
		"o", "u", "u", "u", "ue", "y", "th", "y",
	};

	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
		buf[0] = (char)cp;
		buf[1] = '\0';
		return buf;
	}
	if (cp >= 0xDF && cp <= 0xFF)
		return latin1[cp - 0xDF];
	if (cp == 0x152 || cp == 0x153)
		return "oe";
	if (cp == 0x1E9E)
		return "ss";
	return NULL;
}
