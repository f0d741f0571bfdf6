/* mailsend.h: composing and sending mail through libmailutils' mailer */
#ifndef RT_MAILSEND_H
#define RT_MAILSEND_H

#include <stddef.h>

/* A file sent along with the text (multipart/mixed, base64). */
struct outpart {
	const char *filename;		/* UTF-8, from outside: written RFC 2231-encoded */
	const char *type;		/* "type/subtype"; anything else is application/octet-stream */
	const char *data;
	size_t len;
};

struct outmail {
	const char *from;		/* "Name <addr>" or "addr"; display name may be UTF-8 */
	const char **to;		/* addresses, each "Name <addr>" or "addr" */
	size_t nto;
	const char **cc;
	size_t ncc;
	const char *subject;		/* UTF-8; RFC 2047-encoded when not ASCII */
	const char *body;		/* UTF-8 text; sent as text/plain; charset=utf-8 */
	const char *message_id;		/* without <>; generated when NULL */
	const char *in_reply_to;	/* without <> or NULL */
	const char **references;	/* without <> */
	size_t nreferences;
	const char **extra;		/* extra "Name: value" header pairs: name, value, name, value... */
	size_t nextra;			/* number of pairs */
	const char *language;		/* Content-Language, or NULL */
	const struct outpart *parts;	/* attachments after the text: multipart/mixed */
	size_t nparts;
};

/*
 * Renders m as an RFC 5322 message with CRLF-free LF line ends as stored
 * on disk. Every header value coming from data is cleaned so that it can
 * never start a new header line. Returns 0 and a malloc'd buffer, or an
 * error code (EX_DATAERR for an invalid address) with rt_errmsg().
 * *msgid receives the Message-Id used (malloc'd, without <>), if not NULL.
 */
int outmail_render(const struct outmail *m, char **buf, size_t *len, char **msgid);

/*
 * Sends the rendered bytes through the mailer URL ("sendmail:///path",
 * "smtp://host:port", "prog:///path"), with explicit envelope sender and
 * recipients. Returns 0, EX_TEMPFAIL for a temporary failure (connection
 * refused, 4xx), EX_UNAVAILABLE for a permanent one (5xx), EX_CONFIG for
 * a bad URL; rt_errmsg() names the server's reply.
 */
int mail_send(const char *url, const char *buf, size_t len,
    const char *env_from, const char **rcpts, size_t nrcpts);

#endif
