/* topics.c: keyword and phrase counts of subjects (see topics.h) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "topics.h"
#include "util.h"

static const char *const stopwords[] = {
	/* reply and forward prefixes, mail words */
	"re", "aw", "fw", "fwd", "wg", "sv", "antw", "tr", "ref", "betreff", "subject",
	"mail", "email", "e-mail",
	/* English */
	"a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as",
	"at", "be", "been", "before", "being", "but", "by", "can", "can't", "cannot",
	"could", "did", "didn't", "do", "does", "doesn't", "don't", "for", "from",
	"get", "got", "had", "has", "have", "having", "he", "her", "here", "hi",
	"his", "how", "i", "i'm", "if", "in", "into", "is", "isn't", "it", "it's",
	"its", "just", "me", "more", "my", "no", "not", "now", "of", "off", "on",
	"once", "only", "or", "our", "out", "over", "please", "pls", "she", "should",
	"so", "some", "still", "such", "than", "thanks", "that", "the", "their",
	"them", "then", "there", "these", "they", "this", "those", "to", "too",
	"under", "up", "urgent", "us", "very", "via", "was", "wasn't", "we", "were",
	"what", "when", "where", "which", "while", "who", "why", "will", "with",
	"won't", "would", "you", "your",
	/* German */
	"ab", "aber", "alle", "als", "also", "am", "an", "auch", "auf", "aus", "bei",
	"bin", "bis", "bitte", "da", "damit", "dann", "das", "dass", "daß", "dem",
	"den", "denn", "der", "des", "die", "dies", "diese", "dieser", "doch", "dort",
	"du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "er", "es",
	"euch", "für", "geht", "gibt", "habe", "haben", "hat", "hallo", "ich", "ihr",
	"im", "in", "ist", "ja", "jetzt", "kann", "kein", "keine", "können", "man",
	"mehr", "mein", "meine", "meinem", "meinen", "meiner", "mich", "mir", "mit",
	"muss", "möchte", "nach", "nicht", "noch", "nur", "ob", "oder", "ohne",
	"schon", "sehr", "sein", "sich", "sie", "sind", "so", "über", "um", "und",
	"uns", "unser", "unsere", "unter", "vom", "von", "vor", "war", "wäre", "was",
	"wegen", "weil", "wenn", "wer", "werden", "wie", "wieder", "wir", "wird",
	"wo", "würde", "zu", "zum", "zur", "dringend", "danke", "frage",
};

/*
 * The stop words as an open-addressing hash set, filled once on first use
 * (a linear scan was 40 % of rt-report --topics on a big desk).
 */
#define STOP_SLOTS 1024		/* a power of two, over twice the words */

static uint32_t
stop_hash(const char *w)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *w; w++)
		h = (h ^ (unsigned char)*w) * 16777619u;
	return h;
}

static const char *const *
stop_set(void)
{
	static const char *slot[STOP_SLOTS];
	static int built;

	if (!built) {
		for (size_t i = 0; i < LEN(stopwords); i++) {
			uint32_t h = stop_hash(stopwords[i]) & (STOP_SLOTS - 1);
			while (slot[h] && strcmp(slot[h], stopwords[i]) != 0)
				h = (h + 1) & (STOP_SLOTS - 1);
			slot[h] = stopwords[i];
		}
		built = 1;
	}
	return slot;
}

int
topics_is_stopword(const char *w)
{
	const char *const *slot = stop_set();
	uint32_t h = stop_hash(w) & (STOP_SLOTS - 1);

	for (; slot[h]; h = (h + 1) & (STOP_SLOTS - 1))
		if (strcmp(slot[h], w) == 0)
			return 1;
	return 0;
}

static int
is_apostrophe(uint32_t c)
{
	return c == '\'' || c == 0x2019;
}

/* Blanks out bracketed ticket tags such as "[Desk #K7M2Q9XD]". */
static char *
strip_tags(const char *s)
{
	char *copy = xstrdup(s), *p = copy, *open, *close;

	while ((open = strchr(p, '[')) != NULL && (close = strchr(open, ']')) != NULL) {
		if (memchr(open, '#', (size_t)(close - open)))
			memset(open, ' ', (size_t)(close - open + 1));
		p = close + 1;
	}
	return copy;
}

size_t
topics_words(const char *s, char ***out)
{
	char *copy = strip_tags(s);
	const char *p = copy, *end = copy + strlen(copy);
	struct sbuf w = SBUF_INIT;
	char **v = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		uint32_t c = 0;
		if (p < end)
			p += utf8_decode(p, (size_t)(end - p), &c);
		int in = c && text_is_wordchar(c);
		/* An apostrophe between letters stays: "don't", "geht's". */
		if (c && is_apostrophe(c) && w.len && p < end &&
		    text_is_wordchar((unsigned char)*p < 0x80 ? (unsigned char)*p : 0xc0)) {
			sbuf_addc(&w, '\'');
			continue;
		}
		if (in) {
			utf8_encode(&w, text_lower(c));
			continue;
		}
		if (w.len) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = sbuf_detach(&w);
		}
		if (c == 0)
			break;
	}
	sbuf_free(&w);
	free(copy);
	*out = v;
	return n;
}

/* A word worth counting: two characters or more, not a number, not a stop word. */
static int
keep_word(const char *w)
{
	size_t chars = 0;
	int digits = 1;

	for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
		if ((*p & 0xc0) != 0x80)
			chars++;
		if (!(*p >= '0' && *p <= '9') && *p != '\'')
			digits = 0;
	}
	return chars >= 2 && !digits && !topics_is_stopword(w);
}

struct slot {
	char *term;
	size_t count;
	int words;
};

struct topics {
	struct slot *tab;
	size_t cap, used;
};

struct topics *
topics_new(void)
{
	struct topics *t = xcalloc(1, sizeof(*t));

	t->cap = 1024;
	t->tab = xcalloc(t->cap, sizeof(*t->tab));
	return t;
}

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct slot *
lookup(struct topics *t, const char *term)
{
	size_t i = (size_t)hash(term) & (t->cap - 1);

	while (t->tab[i].term && strcmp(t->tab[i].term, term) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->tab[i];
}

static void
grow(struct topics *t)
{
	struct slot *old = t->tab;
	size_t oldcap = t->cap;

	t->cap *= 2;
	t->tab = xcalloc(t->cap, sizeof(*t->tab));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].term)
			*lookup(t, old[i].term) = old[i];
	free(old);
}

static void
count(struct topics *t, const char *term, int words)
{
	struct slot *s;

	if ((t->used + 1) * 10 > t->cap * 7)
		grow(t);
	s = lookup(t, term);
	if (s->term == NULL) {
		s->term = xstrdup(term);
		s->words = words;
		t->used++;
	}
	s->count++;
}

static int
seen(char **terms, size_t n, const char *term)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(terms[i], term) == 0)
			return 1;
	return 0;
}

void
topics_add(struct topics *t, const char *subject)
{
	char **w, **terms;
	size_t n = topics_words(subject ? subject : "", &w), nt = 0;
	const char *prev = NULL;

	terms = xmalloc((2 * n + 1) * sizeof(*terms));
	for (size_t i = 0; i < n; i++) {
		if (!keep_word(w[i])) {
			prev = NULL;
			continue;
		}
		if (!seen(terms, nt, w[i])) {
			terms[nt++] = xstrdup(w[i]);
			count(t, w[i], 1);
		}
		if (prev) {
			char *bi = xasprintf("%s %s", prev, w[i]);
			if (!seen(terms, nt, bi)) {
				terms[nt++] = bi;
				count(t, bi, 2);
			} else
				free(bi);
		}
		prev = w[i];
	}
	strv_free(terms, nt);
	strv_free(w, n);
}

static int
cmp_topic(const void *a, const void *b)
{
	const struct topic *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->term, y->term);
}

size_t
topics_top(struct topics *t, int words, size_t n, struct topic **out)
{
	struct topic *v = xmalloc((t->used + 1) * sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < t->cap; i++)
		if (t->tab[i].term && t->tab[i].words == words) {
			v[k].term = t->tab[i].term;
			v[k].words = words;
			v[k].count = t->tab[i].count;
			k++;
		}
	qsort(v, k, sizeof(*v), cmp_topic);
	*out = v;
	return k < n ? k : n;
}

void
topics_free(struct topics *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->tab[i].term);
	free(t->tab);
	free(t);
}
