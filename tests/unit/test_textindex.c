/* test_textindex.c: the words the cache's text index stores and searches */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "text.h"
#include "textindex.h"
#include "util.h"

static char *
joined(const char *text)
{
	struct sbuf sb = SBUF_INIT;
	char **w;
	size_t n = textindex_words(text, &w);

	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s", i ? " " : "", w[i]);
	strv_free(w, n);
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

static void
is_words(const char *text, const char *want, const char *name)
{
	char *got = joined(text);

	is_str(got, want, name);
	free(got);
}

/*
 * The tokenizer's rule, one code point at a time through text.h: word
 * characters lower-cased and folded, words of 2-40 bytes (and two
 * letters), each once, sorted. The fast paths must give exactly this.
 */
static char *
joined_by_rule(const char *text)
{
	struct sbuf w = SBUF_INIT, all = SBUF_INIT;
	char **v = NULL, fold[2];
	size_t n = 0, len = strlen(text);

	for (size_t i = 0; i <= len;) {
		uint32_t cp = 0;
		const char *a;
		size_t k = i < len ? utf8_decode(text + i, len - i, &cp) : 1;
		i += k;
		if (i <= len && text_is_wordchar(cp)) {
			cp = text_lower(cp);
			if (cp < 0x80)
				sbuf_addc(&w, (char)cp);
			else if ((a = text_fold_ascii(cp, fold)) != NULL)
				sbuf_adds(&w, a);
			else
				utf8_encode(&w, cp);
			continue;
		}
		if (w.len >= 2 && w.len <= TEXTINDEX_MAXWORD && utf8_chars(w.buf) >= 2) {
			size_t j = 0;
			while (j < n && strcmp(v[j], w.buf) != 0)
				j++;
			if (j == n) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = xstrdup(w.buf);
			}
		}
		sbuf_reset(&w);
	}
	for (size_t i = 0; i < n; i++)		/* insertion sort: small n */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&all, "%s%s", i ? " " : "", v[i]);
	strv_free(v, n);
	sbuf_free(&w);
	return all.buf ? sbuf_detach(&all) : xstrdup("");
}

/* Random hostile text: ASCII, UTF-8 letters, broken and overlong sequences, long runs. */
static void
hostile_text(struct sbuf *sb, uint32_t *x)
{
	static const char *const piece[] = {
		"a", "Z", "0", "9", " ", ".", "-", "_", "\n", "\t", "@", "\x7f", "\x01",
		"\xc3\xa4", "\xc3\x84", "\xc3\x9f", "\xc5\x92", "\xe1\xba\x9e", "\xd0\x9f",
		"\xd0\xb8", "\xc3\x97", "\xc2\xa0", "\xe2\x80\x94", "\xf0\x9f\x94\xa5",
		"\xe4\xb8\xad", "\xef\xbf\xbd", "\xc3", "\x80", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xff", "\xe2\x82", "aaaaaaaaaaaaaaaaaaaa", "Ab", "xY9",
	};

	sbuf_reset(sb);
	for (int i = (int)(*x % 200); i >= 0; i--) {
		*x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
		sbuf_adds(sb, piece[*x % LEN(piece)]);
	}
}

int
main(void)
{
	is_words("Printer on FIRE, printer!", "fire on printer", "lower-cased, sorted, each once");
	is_words("Grüße aus Köln, Straße", "aus gruesse koeln strasse", "umlauts and sharp s folded");
	is_words("Café déjà vu", "cafe deja vu", "accents dropped");
	is_words("a b c 42 x1", "42 x1", "one-letter words left out");
	is_words("Привет мир", "мир привет", "Cyrillic kept, lower-cased");
	is_words("re: [Test #ABCD1234] 🔥 ok", "abcd1234 ok re test", "punctuation and emoji split words");
	is_words("", "", "no text, no words");
	is_words("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b2", "b2", "words past 40 bytes left out");
	{
		/* 300 distinct words, each three times: the set grows past its first size */
		struct sbuf sb = SBUF_INIT;
		char **w;
		size_t n, sorted = 1;
		for (int r = 0; r < 3; r++)
			for (int i = 299; i >= 0; i--)
				sbuf_addf(&sb, "w%03d ", i);
		n = textindex_words(sb.buf, &w);
		for (size_t i = 1; i < n; i++)
			sorted &= strcmp(w[i - 1], w[i]) < 0;
		ok(n == 300 && sorted && strcmp(w[0], "w000") == 0 && strcmp(w[299], "w299") == 0,
		    "many repeated words: each once, sorted");
		strv_free(w, n);
		sbuf_free(&sb);
	}
	{
		struct sbuf sb = SBUF_INIT;
		uint32_t x = 88172645u;
		int same = 1;
		for (int r = 0; r < 3000 && same; r++) {
			hostile_text(&sb, &x);
			char *got = joined(sb.buf ? sb.buf : ""), *want = joined_by_rule(sb.buf ? sb.buf : "");
			if (strcmp(got, want) != 0) {
				same = 0;
				is_str(got, want, "hostile text %d", r);
			}
			free(got);
			free(want);
		}
		ok(same, "3,000 hostile UTF-8 texts: the words the code-point rule gives");
		sbuf_free(&sb);
	}
	return tap_done();
}
