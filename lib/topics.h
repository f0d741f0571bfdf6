/*
 * topics.h: the most frequent keywords and two-word phrases of subjects.
 *
 * Words are runs of letters and digits (UTF-8; non-ASCII letters such as
 * umlauts are kept, so "Größe" stays one word), case-folded for ASCII,
 * Latin-1 and Cyrillic capitals. Ticket tags ("[Desk #K7M2Q9XD]") are
 * dropped; so are words of one character, numbers, and English and German
 * stop words (reply prefixes such as "re", "aw", "fwd", "wg" among them).
 * A phrase is two kept words that stand next to each other in the subject.
 * Counts are document frequencies: a term counts once per subject.
 */
#ifndef RT_TOPICS_H
#define RT_TOPICS_H

#include <stddef.h>

struct topics;

struct topic {
	const char *term;	/* owned by the topics table */
	int words;		/* 1 keyword, 2 phrase */
	size_t count;		/* subjects holding it */
};

struct topics *topics_new(void);
void topics_add(struct topics *t, const char *subject);
/*
 * The n most frequent terms of the given length (1 or 2), most frequent
 * first, ties in byte order of the term. Returns how many; *out is
 * malloc'd (free it) and points into t.
 */
size_t topics_top(struct topics *t, int words, size_t n, struct topic **out);
void topics_free(struct topics *t);

/* Splits s into folded words (the tokenizer above, stop words kept). */
size_t topics_words(const char *s, char ***out);
int topics_is_stopword(const char *word);

#endif
