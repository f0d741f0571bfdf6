/*
 * bm25.h: ranking short documents (templates, knowledge-base articles)
 * against a ticket's text with Okapi BM25 (k1 = 1.2, b = 0.75).
 *
 * Words are runs of letters and digits in UTF-8 text, lower-cased and
 * folded: ä -> ae, ö -> oe, ü -> ue, ß -> ss, other Latin accents
 * dropped (é -> e). English and German stop words are skipped, and a
 * light suffix stripper makes plurals meet singulars (warranties ->
 * warranty, Lieferungen -> lieferung, Pakete -> paket).
 */
#ifndef RT_BM25_H
#define RT_BM25_H

#include <stddef.h>

/* Splits text into folded, stemmed words without stop words. */
size_t bm25_words(const char *text, char ***out);
/* Folds and stems one word; returns malloc'd text or NULL for a stop word. */
char *bm25_term(const char *word);

struct bm25;
struct bm25 *bm25_new(void);
/* Adds a document; returns its index. */
size_t bm25_add(struct bm25 *b, const char *text);
size_t bm25_count(const struct bm25 *b);
/* Scores every document against query; scores[] has bm25_count entries. */
void bm25_score(const struct bm25 *b, const char *query, double *scores);
void bm25_free(struct bm25 *b);

#endif
