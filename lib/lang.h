/*
 * lang.h: the language of a customer's text when the mail names none
 * (no Content-Language), for templates, suggestions and notifications.
 */
#ifndef RT_LANG_H
#define RT_LANG_H

struct lang_guess {
	const char *lang;	/* "de", "en", or NULL when unsure */
	int de, en;		/* stop words of each language counted */
};

/*
 * Counts the German and the English stop words (der, und, nicht, bitte;
 * the, and, not, please ...) among the first LANG_MAX_WORDS words of
 * subject and text (either may be NULL), skipping quoted lines ("> ").
 * The language with at least 2 and more hits than the other wins; else
 * the guess is NULL. Returns g->lang.
 */
#define LANG_MAX_WORDS 2000
const char *lang_detect(const char *subject, const char *text, struct lang_guess *g);

#endif
