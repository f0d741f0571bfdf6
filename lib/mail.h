/* mail.h: parsing stored mail with libmailutils (never by hand) */
#ifndef RT_MAIL_H
#define RT_MAIL_H

#include <stddef.h>
#include <time.h>

#define MAIL_MAX_DEPTH 16	/* MIME nesting walked; deeper parts are listed, not decoded */
#define MAIL_MAX_PARTS 1000	/* parts listed at most */
#define MAIL_SUBJECT_MAX 998	/* characters of mail->subject at most: an RFC 5322 line */

struct mail_part {
	char *type;		/* "text/plain", lower case, no parameters */
	char *filename;		/* decoded attachment name, UTF-8, untrusted data; NULL if none */
	size_t size;		/* encoded size in bytes */
	int depth;		/* 1 = top-level part */
	int attachment;		/* Content-Disposition attachment, or a named non-text part */
	void *msg;		/* the part's mu_message_t, valid until mail_free */
};

struct mail_addr {
	char *email;		/* lower-cased domain, as given local part; "" for <> */
	char *name;		/* decoded display name, one line, may be NULL */
};

struct mail {
	char *message_id;	/* without <>, one line; NULL if missing */
	char *in_reply_to;	/* first msg-id of In-Reply-To, without <> */
	char **references;	/* msg-ids of References, oldest first, without <> */
	size_t nreferences;
	char *subject;		/* RFC 2047 decoded, UTF-8, one line of at most
				 * MAIL_SUBJECT_MAX characters; "" if missing */
	struct mail_addr from;	/* email NULL when no parsable From */
	struct mail_addr *to, *cc, *reply_to;
	size_t nto, ncc, nreply_to;
	char *sender;		/* envelope sender from Return-Path or mbox From_ line, or NULL */
	time_t date;		/* Date header, 0 if missing or unparsable */
	char *content_language;	/* first language tag, lower case, or NULL */
	int auto_submitted;	/* RFC 3834 and list heuristics: never auto-reply */
	int spam;		/* a spam filter's header says spam: never acknowledge */
	char *text;		/* best plain-text body, decoded to UTF-8, valid UTF-8;
				 * without a mail-command "Secret:" line (mailcmd.h) */
	char *cmd_secret;	/* the value of that line, or NULL; never store or print */
	struct mail_part *parts;
	size_t nparts;
	int truncated;		/* nesting or part limits were hit */
	void *priv;		/* mu_message_t and its stream */
};

/*
 * Parses the message stored in the file at path. Returns 0, or
 * EX_DATAERR when the bytes are not a mail message at all (no header
 * fields), with rt_errmsg() saying why; EX_IOERR / EX_NOINPUT on I/O.
 */
int mail_parse_file(const char *path, struct mail **out);
int mail_parse_buf(const char *buf, size_t len, struct mail **out);
void mail_free(struct mail *m);
/* Part i's size with its transfer encoding undone: what --save writes. */
size_t mail_part_size(const struct mail *m, size_t i);
/* Part i's body, transfer encoding decoded, bytes as sent (malloc'd). */
int mail_part_body(const struct mail *m, size_t i, char **buf, size_t *len);

/* Raw (undecoded, unfolded) value of the first header field name, or NULL. malloc'd. */
char *mail_header_raw(struct mail *m, const char *name);
/* The same for the nth (1-based) field of that name, top down. */
char *mail_header_raw_n(struct mail *m, const char *name, int n);
/* The same for the nth (1-based) field of that name, top down. */
char *mail_header_raw_n(struct mail *m, const char *name, int n);
/* RFC 2047 decoded, cleaned to one line of valid UTF-8; NULL if absent. malloc'd. */
char *mail_header(struct mail *m, const char *name);
/*
 * Where an answer goes: the first Reply-To address that is not empty
 * ("Name" <> is no address), else From's; NULL when there is neither.
 */
const char *mail_reply_address(const struct mail *m);
/* An RFC 5322 date (or a looser one) as UTC seconds; 0 if it is none. */
time_t mail_date_parse(const char *s);

#endif
