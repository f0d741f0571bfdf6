/*
 * template.h: reply templates (a small header, a blank line, a body) and
 * the variable syntax used in them; see rt-templates(5).
 *
 *   Subject: We received your request: {{ticket.subject}}
 *   Auto: reply
 *   Status: waiting
 *   Keywords: warranty, guarantee, Garantie
 *
 *   Hello {{requestor.name|there}},
 *   ...
 *
 * In subject and body, {{name}} is replaced by the variable's value,
 * {{name|text}} by the value or, when it is empty, by text. Spaces
 * inside the braces are ignored. \{{ writes a literal "{{". Naming a
 * variable that does not exist is an error naming file, line and name.
 */
#ifndef RT_TEMPLATE_H
#define RT_TEMPLATE_H

#include <stddef.h>

enum tmpl_auto {
	TMPL_MANUAL = 0,	/* a person's answer */
	TMPL_AUTO_REPLY,	/* automatic reply to the customer's mail (auto-replied) */
	TMPL_AUTO_NOTIFY,	/* automatic notification (auto-generated) */
};

struct tmpl {
	char *name;		/* "ack" */
	char *file;		/* path for messages: "templates/de/ack.tmpl" */
	char *lang;		/* language folder it came from, or NULL */
	char *subject;		/* raw (unexpanded) Subject header, or NULL */
	unsigned subject_line;
	char *status;		/* Status: to set with the reply, or NULL */
	enum tmpl_auto autokind;
	int quote;		/* Quote: yes -> quote the customer's last message */
	char *keywords;		/* Keywords: for --suggest, or NULL */
	char *body;		/* raw body */
	unsigned body_line;	/* line number of the body's first line */
};

/* Variables: names to values; an empty value is still a known variable. */
struct tvars;
struct tvars *tvars_new(void);
void tvars_set(struct tvars *v, const char *name, const char *val);
/* NULL when the variable does not exist. */
const char *tvars_get(const struct tvars *v, const char *name);
size_t tvars_count(const struct tvars *v);
const char *tvars_name(const struct tvars *v, size_t i);
void tvars_free(struct tvars *v);

/* Parses template text; file names the template in messages. EX_DATAERR on error. */
int tmpl_parse(const char *buf, size_t len, const char *file, struct tmpl *t);
int tmpl_load(const char *path, const char *display, struct tmpl *t);
void tmpl_free(struct tmpl *t);

/*
 * Expands text whose first line is line `line` of file. On an unknown
 * variable or a syntax error returns EX_DATAERR with rt_errmsg()
 * "FILE:LINE: unknown variable 'NAME'".
 */
int tmpl_expand(const char *text, const struct tvars *v, const char *file,
    unsigned line, char **out);
/* Expands subject (NULL if the template has none) and body. */
int tmpl_render(const struct tmpl *t, const struct tvars *v, char **subject, char **body);

/* A template or folder name is safe: [A-Za-z0-9_.-]+, not starting with '.'. */
int tmpl_name_ok(const char *name);

/*
 * Finds template name for a ticket in queue (may be NULL) and the
 * languages langs[] in order of preference. Looks, for each language,
 * in DESK/templates/QUEUE/LANG/NAME.tmpl, DESK/templates/LANG/NAME.tmpl
 * and SHARE/templates/LANG/NAME.tmpl; then in the language-neutral
 * DESK/templates/QUEUE/NAME.tmpl and DESK/templates/NAME.tmpl.
 * Returns 0 with the loaded template, EX_NOINPUT if none exists.
 */
int tmpl_find(const char *deskroot, const char *sharedir, const char *queue,
    const char *const *langs, size_t nlangs, const char *name, struct tmpl *t);

/*
 * Lists the names of the templates available for queue and langs (each
 * name once, sorted), loading the template each name resolves to.
 */
int tmpl_list(const char *deskroot, const char *sharedir, const char *queue,
    const char *const *langs, size_t nlangs, struct tmpl **out, size_t *n);

#endif
