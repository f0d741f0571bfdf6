/* test_text.c: the one text module: UTF-8 and folding */
#include <stdlib.h>
#include <string.h>

#include "bm25.h"
#include "tap.h"
#include "text.h"
#include "topics.h"
#include "util.h"

static uint32_t
decode1(const char *s, size_t *n)
{
	uint32_t cp;

	*n = utf8_decode(s, strlen(s), &cp);
	return cp;
}

static char *
lowered(const char *s, int ascii)
{
	char *c = xstrdup(s);

	text_lower_utf8(c, strlen(c), ascii);
	return c;
}

static char *
first_bm25(const char *s)
{
	char *t = bm25_term(s);

	return t ? t : xstrdup("");
}

int
main(void)
{
	size_t n;
	char *s, buf[2];
	struct sbuf sb = SBUF_INIT;

	ok(decode1("\xc3\xa4", &n) == 0xE4 && n == 2, "decodes a two-byte character");
	ok(decode1("\xf0\x9f\x98\x80", &n) == 0x1F600 && n == 4, "decodes a four-byte character");
	ok(decode1("\xc0\xaf", &n) == 0xFFFD && n == 1, "an overlong form is one bad byte");
	ok(decode1("\xed\xa0\x80", &n) == 0xFFFD && n == 1, "a surrogate is one bad byte");
	ok(decode1("\xe2\x82", &n) == 0xFFFD && n == 1, "a cut sequence is one bad byte");
	ok(utf8_decode("\xc3\xa4", 1, &(uint32_t){0}) == 1, "decoding stops at len");

	utf8_encode(&sb, 0x20AC);
	utf8_encode(&sb, 0);
	utf8_encode(&sb, 0xD800);
	is_str(sb.buf, "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd", "encodes; NUL and surrogates become U+FFFD");
	sbuf_free(&sb);

	ok(utf8_valid("gr\xc3\xbc\xc3\x9f", 6) && !utf8_valid("a\0b", 3) &&
	    !utf8_valid("\xff", 1), "validation refuses NUL and bad bytes");
	s = utf8_clean(" a\tb\r\n\xff\xc2\x85 ", 10, 1);
	is_str(s, "a b  \xef\xbf\xbd", "one line: controls and NEL become spaces, bad bytes U+FFFD");
	free(s);
	s = utf8_clean("a\tb\r\nc", 6, 0);
	is_str(s, "a\tb\nc", "several lines keep TAB and LF, drop CR");
	free(s);

	ok(utf8_chars("Gr\xc3\xb6\xc3\x9f" "e") == 5, "characters, not bytes");
	ok(utf8_prefix("\xc3\xa4\xc3\xb6\xc3\xbc", 2) == 4, "the first two characters take four bytes");
	s = xstrdup("ab\xc3\xa4");
	utf8_truncate(s, 3);
	is_str(s, "ab", "truncation never cuts a character");
	free(s);
	ok(utf8_char_start("a\xc3\xa4", 2) == 1 && utf8_char_end("a\xc3\xa4" "b", 4, 2) == 3,
	    "character boundaries around a byte offset");

	ok(text_lower('Q') == 'q' && text_lower(0xC4) == 0xE4 && text_lower(0xD7) == 0xD7 &&
	    text_lower(0x416) == 0x436 && text_lower(0x401) == 0x451, "case: ASCII, Latin-1, Cyrillic");
	s = lowered("\xc3\x84RGER \xd0\x96", 1);
	is_str(s, "\xc3\xa4rger \xd0\xb6", "lowering in place keeps the length");
	free(s);
	s = lowered("\\W\xc3\x9c", 0);
	is_str(s, "\\W\xc3\xbc", "ascii 0 leaves ASCII (regex classes) alone");
	free(s);
	s = lowered("\xff\xc3", 1);
	is_str(s, "\xff\xc3", "bad bytes stay as they are");
	free(s);

	ok(text_is_wordchar('a') && text_is_wordchar(0xE4) && !text_is_wordchar('-') &&
	    !text_is_wordchar(0x2014) && !text_is_wordchar(0x1F600) && !text_is_wordchar(0xFFFD),
	    "word characters");
	is_str(text_fold_ascii(0xE4, buf), "ae", "umlauts spelled out: ae");
	is_str(text_fold_ascii(0xDF, buf), "ss", "sharp s: ss");
	is_str(text_fold_ascii(0x1E9E, buf), "ss", "capital sharp s: ss");
	is_str(text_fold_ascii(0xE9, buf), "e", "accents dropped");
	ok(text_fold_ascii(0x436, buf) == NULL, "no ASCII spelling for Cyrillic");

	/* the two word splitters share the rules, each with its own folding */
	s = first_bm25("GR\xc3\x96\xc3\x9f" "E");
	is_str(s, "groess", "bm25: Latin to ASCII (and stemmed)");
	free(s);
	s = first_bm25("\xd0\x96\xd0\x90\xd0\x91\xd0\x90");
	is_str(s, "\xd0\xb6\xd0\xb0\xd0\xb1\xd0\xb0", "bm25: Cyrillic capitals lowered too");
	free(s);
	char **w;
	n = topics_words("GR\xc3\x9c\xc3\x9f" "E \xd0\x96\xd0\x90", &w);
	ok(n == 2 && strcmp(w[0], "gr\xc3\xbc\xc3\x9f" "e") == 0 && strcmp(w[1], "\xd0\xb6\xd0\xb0") == 0,
	    "topics: lowered, umlauts kept for display");
	strv_free(w, n);
	{
		int same = 1;
		for (uint32_t c = 0; c < 128; c++)
			same &= text_ascii_word[c] ==
			    (text_is_wordchar(c) ? (char)text_lower(c) : 0);
		ok(same, "the ASCII word table is text_is_wordchar and text_lower");
	}
	return tap_done();
}
