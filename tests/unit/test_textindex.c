/* test_textindex.c: the words the cache's text index stores and searches */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
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
	return tap_done();
}
