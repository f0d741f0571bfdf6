/*
 * lang.c: the language of a text from its stop words (see lang.h).
 *
 * Simple and explainable on purpose: a word counts only when it is
 * frequent in one language and not a word of the other (so no "in",
 * "was", "will", "also", "hat" or "am").
 */
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "text.h"
#include "util.h"

static const char *const de_words[] = {
	"aber", "auch", "auf", "bei", "bitte", "bis", "dank", "danke", "dass",
	"dem", "den", "der", "des", "die", "diese", "dieser", "doch", "eine",
	"einem", "einen", "einer", "geehrte", "geehrter", "gern", "gerne",
	"grüße", "gruß", "hallo", "haben", "habe", "ich", "ihnen", "ihr",
	"ihre", "ist", "kann", "keine", "können", "leider", "mein", "meine",
	"mich", "mir", "mit", "nach", "nicht", "noch", "nur", "oder", "schon",
	"sehr", "seit", "sich", "sie", "sind", "uns", "und", "unser", "vielen",
	"von", "vom", "wenn", "wie", "wir", "wird", "zu", "zum", "zur", "über",
	"für", "freundlichen",
};

static const char *const en_words[] = {
	"about", "and", "any", "are", "be", "been", "but", "can", "could",
	"dear", "did", "do", "does", "for", "from", "get", "has", "have",
	"hello", "hi", "how", "is", "it", "its", "my", "not", "of", "on", "our",
	"please", "regards", "thank", "thanks", "that", "the", "there", "they",
	"this", "to", "we", "were", "what", "when", "which", "with", "would",
	"you", "your",
};

/*
 * Both lists in one small hash table, filled at first use: a word is
 * looked up once, not searched in each list (6 % of a bulk import).
 */
#define LANG_DE 1
#define LANG_EN 2
#define TABLE_SIZE 512	/* a power of two, at least twice the words */
_Static_assert(2 * (LEN(de_words) + LEN(en_words)) <= TABLE_SIZE, "lang.c: TABLE_SIZE too small");

static struct {
	const char *word;
	int langs;
} table[TABLE_SIZE];
static size_t longest;	/* bytes of the longest listed word: a longer one is none */

static size_t
slot_of(const char *w)
{
	size_t h = 2166136261u, i;

	for (const char *p = w; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = h & (TABLE_SIZE - 1); table[i].word &&
	    (table[i].word[0] != w[0] || strcmp(table[i].word, w) != 0);)
		i = (i + 1) & (TABLE_SIZE - 1);
	return i;
}

static void
table_add(const char *const *v, size_t n, int lang)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = slot_of(v[i]);
		table[k].word = v[i];
		table[k].langs |= lang;
		if (strlen(v[i]) > longest)
			longest = strlen(v[i]);
	}
}

/* LANG_DE and LANG_EN bits of the lists that hold w, of len bytes. */
static int
listed(const char *w, size_t len)
{
	static int built;

	if (!built) {
		table_add(de_words, LEN(de_words), LANG_DE);
		table_add(en_words, LEN(en_words), LANG_EN);
		built = 1;
	}
	return len > longest ? 0 : table[slot_of(w)].langs;
}

/* The code point at s + i and its length; ASCII without a call. */
static size_t
next_cp(const char *s, size_t len, size_t i, uint32_t *cp)
{
	if ((unsigned char)s[i] < 0x80) {
		*cp = (unsigned char)s[i];
		return 1;
	}
	return utf8_decode(s + i, len - i, cp);
}

static int
is_wordchar(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= '0' && cp <= '9');
	return text_is_wordchar(cp);
}

static int
is_ascii_wordchar(unsigned char c)
{
	return c < 0x80 && text_ascii_word[c];
}

/* Counts the stop words of s into g; *words counts the words seen. */
static void
count(const char *s, struct lang_guess *g, int *words)
{
	size_t len = strlen(s), i = 0;
	int bol = 1, quoted = 0;

	while (i < len && *words < LANG_MAX_WORDS) {
		uint32_t cp;
		size_t start = i, k;
		int ascii = 1;

		if (bol)
			quoted = s[i] == '>';
		bol = s[i] == '\n';
		if ((unsigned char)s[i] < 0x80 && !text_ascii_word[(unsigned char)s[i]]) {
			i++;	/* ASCII space and punctuation without a decode: most bytes */
			continue;
		}
		k = next_cp(s, len, i, &cp);
		if (!is_wordchar(cp)) {
			i += k;
			continue;
		}
		while (i < len && is_ascii_wordchar((unsigned char)s[i]))
			i++;
		while (i < len && (k = next_cp(s, len, i, &cp)) && is_wordchar(cp)) {
			ascii &= k == 1;
			i += k;
		}
		if (quoted || i - start > 24)
			continue;
		char w[25];
		if (ascii) {
			for (size_t j = start; j < i; j++)
				w[j - start] = text_ascii_word[(unsigned char)s[j]];
		} else {
			memcpy(w, s + start, i - start);
			text_lower_utf8(w, i - start, 1);
		}
		w[i - start] = '\0';
		(*words)++;
		int langs = listed(w, i - start);
		g->de += (langs & LANG_DE) != 0;
		g->en += (langs & LANG_EN) != 0;
	}
}

const char *
lang_detect(const char *subject, const char *text, struct lang_guess *g)
{
	struct lang_guess tmp;
	int words = 0;

	if (g == NULL)
		g = &tmp;
	memset(g, 0, sizeof(*g));
	if (subject)
		count(subject, g, &words);
	if (text)
		count(text, g, &words);
	if (g->de >= 2 && g->de > g->en)
		g->lang = "de";
	else if (g->en >= 2 && g->en > g->de)
		g->lang = "en";
	return g->lang;
}
