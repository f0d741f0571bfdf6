/* bm25.c: folded words and Okapi BM25 over a small set of documents */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bm25.h"
#include "text.h"
#include "util.h"

#define K1 1.2
#define B 0.75

/* English and German stop words, already folded. Sorted for bsearch. */
static const char *const stop[] = {
	"a", "aber", "about", "all", "als", "also", "am", "an", "and", "any", "are",
	"as", "at", "auch", "auf", "aus", "be", "been", "bei", "best", "bin", "bis",
	"bitte", "but", "by", "can", "could", "da", "dank", "danke", "das", "dass",
	"dear", "dem", "den", "der", "des", "did", "die", "dies", "diese", "dieser",
	"do", "does", "du", "ein", "eine", "einem", "einen", "einer", "es", "for",
	"frau", "freundlichen", "from", "fuer", "geehrte", "geehrter", "gibt",
	"gruesse", "gruessen", "gruss", "guten", "habe", "haben", "had", "hallo",
	"has", "hat", "have", "he", "hello", "her", "here", "herr", "hi", "his",
	"how", "i", "ich", "if", "ihr", "ihre", "ihren", "im", "in", "into", "is",
	"ist", "it", "its", "ja", "just", "kann", "kind", "koennen", "liebe",
	"lieber", "me", "mein", "meine", "meinen", "mfg", "mich", "mir", "mit",
	"my", "nach", "nicht", "no", "noch", "not", "nur", "oder", "of", "on",
	"or", "our", "please", "re", "regards", "sehr", "sie", "sind", "so",
	"tag", "thank", "thanks", "that", "the", "their", "them", "there",
	"these", "they", "this", "to", "und", "uns", "unser", "unsere", "vielen",
	"von", "vor", "war", "was", "we", "were", "what", "when", "where", "which",
	"who", "why", "wie", "will", "wir", "wird", "with", "would", "you",
	"your", "zu", "zum", "zur",
};

static int
cmp_stop(const void *k, const void *e)
{
	return strcmp(k, *(char *const *)e);
}

static int
is_stop(const char *w)
{
	return bsearch(w, stop, LEN(stop), sizeof(stop[0]), cmp_stop) != NULL;
}

static int
ends(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* The S-stemmer (Harman 1991), then German -en / -e endings. */
static void
stem(char *w)
{
	size_t n = strlen(w);

	if (n >= 4) {
		if (ends(w, n, "ies") && !ends(w, n, "eies") && !ends(w, n, "aies")) {
			strcpy(w + n - 3, "y");
			n -= 2;
		} else if (ends(w, n, "es") && !ends(w, n, "aes") && !ends(w, n, "ees") &&
		    !ends(w, n, "oes")) {
			w[--n] = '\0';
		} else if (ends(w, n, "s") && !ends(w, n, "us") && !ends(w, n, "ss") &&
		    !ends(w, n, "is")) {
			w[--n] = '\0';
		}
	}
	if (n >= 6 && ends(w, n, "en"))
		w[n -= 2] = '\0';
	else if (n >= 5 && ends(w, n, "e"))
		w[--n] = '\0';
}

size_t
bm25_words(const char *text, char ***out)
{
	const char *p = text, *end = text + strlen(text);
	struct sbuf w = SBUF_INIT;
	char **v = NULL;
	size_t n = 0;

	for (;;) {
		uint32_t c = 0;
		size_t k = p < end ? utf8_decode(p, (size_t)(end - p), &c) : 0;
		char buf[2];
		if (k && text_is_wordchar(c)) {
			/* ASCII spelling where there is one: "Grüße" -> "gruesse" */
			const char *f = text_fold_ascii(text_lower(c), buf);
			if (f)
				sbuf_adds(&w, f);
			else
				utf8_encode(&w, text_lower(c));
		} else if (w.len) {
			if (w.len >= 2 && !is_stop(w.buf)) {
				stem(w.buf);
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = xstrdup(w.buf);
			}
			sbuf_reset(&w);
		}
		if (k == 0)
			break;
		p += k;
	}
	sbuf_free(&w);
	*out = v;
	return n;
}

char *
bm25_term(const char *word)
{
	char **one;
	char *t;
	size_t n = bm25_words(word, &one);

	if (n == 0) {
		free(one);
		return NULL;
	}
	t = one[0];
	for (size_t i = 1; i < n; i++)
		free(one[i]);
	free(one);
	return t;
}

struct doc {
	char **terms;		/* sorted, unique */
	unsigned *tf;
	size_t nterms, len;
};

struct bm25 {
	struct doc *docs;
	size_t n;
	size_t total;
};

struct bm25 *
bm25_new(void)
{
	return xcalloc(1, sizeof(struct bm25));
}

static int
cmp_term(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
bm25_add(struct bm25 *b, const char *text)
{
	char **w;
	size_t n = bm25_words(text, &w);
	struct doc *d;

	b->docs = xrealloc(b->docs, (b->n + 1) * sizeof(*b->docs));
	d = &b->docs[b->n];
	memset(d, 0, sizeof(*d));
	d->len = n;
	b->total += n;
	if (n)
		qsort(w, n, sizeof(*w), cmp_term);
	for (size_t i = 0; i < n; i++) {
		if (d->nterms && strcmp(d->terms[d->nterms - 1], w[i]) == 0) {
			d->tf[d->nterms - 1]++;
			free(w[i]);
			continue;
		}
		d->terms = xrealloc(d->terms, (d->nterms + 1) * sizeof(*d->terms));
		d->tf = xrealloc(d->tf, (d->nterms + 1) * sizeof(*d->tf));
		d->terms[d->nterms] = w[i];
		d->tf[d->nterms++] = 1;
	}
	free(w);
	return b->n++;
}

size_t
bm25_count(const struct bm25 *b)
{
	return b->n;
}

static unsigned
doc_tf(const struct doc *d, const char *term)
{
	char **hit = d->nterms ? bsearch(&term, d->terms, d->nterms, sizeof(*d->terms),
	    cmp_term) : NULL;

	return hit ? d->tf[hit - d->terms] : 0;
}

void
bm25_score(const struct bm25 *b, const char *query, double *scores)
{
	char **q;
	size_t nq = bm25_words(query, &q);
	double avg = b->n ? (double)b->total / (double)b->n : 0;

	for (size_t i = 0; i < b->n; i++)
		scores[i] = 0;
	if (nq)
		qsort(q, nq, sizeof(*q), cmp_term);
	for (size_t k = 0; k < nq; k++) {
		size_t df = 0;
		if (k > 0 && strcmp(q[k], q[k - 1]) == 0)
			continue;	/* each query word counts once */
		for (size_t i = 0; i < b->n; i++)
			if (doc_tf(&b->docs[i], q[k]))
				df++;
		if (df == 0)
			continue;
		double idf = log(1.0 + ((double)b->n - (double)df + 0.5) / ((double)df + 0.5));
		for (size_t i = 0; i < b->n; i++) {
			unsigned tf = doc_tf(&b->docs[i], q[k]);
			if (tf == 0)
				continue;
			double norm = 1.0 - B + B * (avg > 0 ? (double)b->docs[i].len / avg : 1.0);
			scores[i] += idf * ((double)tf * (K1 + 1.0)) / ((double)tf + K1 * norm);
		}
	}
	strv_free(q, nq);
}

void
bm25_free(struct bm25 *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++) {
		strv_free(b->docs[i].terms, b->docs[i].nterms);
		free(b->docs[i].tf);
	}
	free(b->docs);
	free(b);
}
