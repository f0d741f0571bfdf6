/*
 * kb.h: the desk's knowledge base, kb/NAME.md: Markdown with a YAML
 * front matter between "---" lines (title, keywords, language).
 *
 *   ---
 *   title: Resetting your password
 *   keywords: [password, login, Passwort]
 *   language: en
 *   ---
 *   Open the login page and ...
 */
#ifndef RT_KB_H
#define RT_KB_H

#include <stddef.h>

struct kb_article {
	char *slug;		/* file name without .md */
	char *file;		/* "kb/NAME.md" */
	char *title;		/* front matter title, else first "# " heading, else slug */
	char *keywords;		/* comma-joined, or NULL */
	char *lang;		/* language, or NULL */
	char *body;		/* Markdown after the front matter */
};

/* Parses an article; EX_DATAERR with "FILE:LINE:COL: ..." for a bad front matter. */
int kb_parse(const char *buf, size_t len, const char *file, const char *slug,
    struct kb_article *a);
/* Loads DESK/kb/SLUG.md; EX_NOINPUT if it does not exist. */
int kb_get(const char *deskroot, const char *slug, struct kb_article *a);
/*
 * Loads every DESK/kb/NAME.md, sorted by slug. Articles that do not parse
 * are skipped with the first error kept in rt_errmsg() and returned.
 */
int kb_load(const char *deskroot, struct kb_article **out, size_t *n);
void kb_free(struct kb_article *a);
void kb_free_all(struct kb_article *a, size_t n);

#endif
