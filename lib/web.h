/*
 * web.h: rt-web, the desk over HTTP through CGI (RFC 3875): one request
 * read from the environment and standard input within hard limits,
 * routed to the webhook intake, the contact form or the status page,
 * and one answer built in memory for the command to write.
 *
 * Nothing of the request is trusted: the path, query, headers and body
 * are checked for length and characters before use, HTML is escaped on
 * output, and header values never carry a line break.
 */
#ifndef RT_WEB_H
#define RT_WEB_H

#include <stddef.h>

#include "util.h"

struct desk;

#define WEB_PATH_MAX 256	/* PATH_INFO longer than this is 414 */
#define WEB_HEADER_MAX 1024	/* a request header value used at all */
#define WEB_FORM_MAX_BYTES (64L << 10)	/* web.form-max-bytes */
#define WEB_RETRY_AFTER 60	/* seconds, with every 503 */

struct web_req {
	const char *method;	/* REQUEST_METHOD */
	const char *path;	/* PATH_INFO, "" when none */
	const char *query;	/* QUERY_STRING, "" when none */
	const char *ctype;	/* CONTENT_TYPE, "" when none */
	const char *client;	/* REMOTE_ADDR, "" when none */
	const char *script;	/* SCRIPT_NAME: links point below it */
	long long length;	/* CONTENT_LENGTH; -1 missing, -2 not a number */
	int fd;			/* the body */
};

struct web_resp {
	int status;
	const char *type;	/* Content-Type */
	struct sbuf head;	/* more header lines, each ending in CRLF */
	struct sbuf body;
	struct sbuf log;	/* lines for the server's error log (internal reasons) */
};

/* The request CGI describes in the environment; the body is fd 0. */
void web_req_env(struct web_req *r);
/*
 * An HTTP request header (HTTP_NAME in the environment), or NULL when
 * absent or longer than WEB_HEADER_MAX.
 */
const char *web_header(const char *cgi_name);

void web_resp_init(struct web_resp *w);
void web_resp_free(struct web_resp *w);
/* Adds "name: value" to the answer; CR and LF in value become spaces. */
void web_add_header(struct web_resp *w, const char *name, const char *value);
/* A plain-text answer of one line (the reason is never HTML). */
void web_plain(struct web_resp *w, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 503 with Retry-After: the sender keeps what it sent and tries again. */
void web_retry(struct web_resp *w, const char *why);
/* Notes rt_errmsg() (paths and all) for the server's error log only. */
void web_log_error(struct web_resp *w, const char *what);
/* The whole CGI answer: Status, headers, blank line, body. malloc'd. */
char *web_resp_render(const struct web_resp *w, size_t *len);
const char *web_reason(int status);

/*
 * Reads the body: exactly CONTENT_LENGTH bytes, refused unread beyond
 * max. Returns 0, or the HTTP status to answer: 411 no length, 413 over
 * max, 400 shorter than announced, 503 a read error.
 */
int web_read_body(const struct web_req *r, size_t max, char **buf, size_t *len);

/* One part of a multipart/form-data body (web_multipart.c). */
struct web_part {
	char *name;		/* the form field */
	char *filename;		/* as sent (hostile), or NULL for a plain field */
	char *type;		/* Content-Type, or NULL */
	const char *data;	/* in the body buffer */
	size_t len;
};
/*
 * Calls fn for each part of a multipart/form-data body, stopping at the
 * first non-zero answer, which it returns. Returns 0, or 400 when the
 * body is not multipart/form-data of ctype's boundary, with *why the
 * web_text key saying so: "form.error.cut" when the body ends before a
 * part or the close delimiter does, "form.error.broken" otherwise.
 */
int web_multipart(const char *ctype, const char *body, size_t len,
    int (*fn)(const struct web_part *, void *), void *arg, const char **why);
/* Appends s with &, <, >, " and ' escaped; invalid UTF-8 becomes U+FFFD. */
void html_escape(struct sbuf *sb, const char *s);

/* Pages: one layout and one set of texts, English and German (web_page.c). */
/* "de" or "en": the client's Accept-Language, else desk.language. */
const char *web_lang(struct desk *d);
/* The text of key in lang (English when there is no translation). */
const char *web_text(const char *lang, const char *key);
/* Starts an HTML answer (headers: CSP, no caching, nosniff) with its heading. */
void web_page_begin(struct web_resp *w, int status, const char *lang, const char *title);
void web_page_end(struct web_resp *w);
/* A page with a heading and one paragraph of plain text. */
void web_page_message(struct web_resp *w, int status, const char *lang, const char *title,
    const char *text);

/* A desk secret (web.secret-file, created on first use), for tokens. */
int web_secret(struct desk *d, char **secret);

/*
 * Answers the request against the desk at deskpath (NULL: $RT_DESK):
 * the one entry point of rt-web.
 */
void web_serve(const char *deskpath, const struct web_req *r, struct web_resp *w);

/* The routes (web_hook.c, web_form.c, web_status.c). */
void web_hook(struct desk *d, const struct web_req *r, const char *name, struct web_resp *w);
void web_form(struct desk *d, const struct web_req *r, struct web_resp *w);
void web_status_page(struct desk *d, const struct web_req *r, const char *token,
    struct web_resp *w);

/* A requestor's status token (32 hex digits) for address; EX_* on error. */
int web_status_token(struct desk *d, const char *address, char out[33]);
/*
 * The status page of address under web.base-url (malloc'd), for mail
 * templates; NULL when the desk sets no web.base-url or has no secret.
 */
char *web_status_url(struct desk *d, const char *address);
/* Revokes (on) or restores (off) a requestor's token. */
int web_status_revoke(struct desk *d, const char *address, int on);

#endif
