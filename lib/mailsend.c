/*
 * mailsend.c: composing and sending mail through libmailutils.
 *
 * The message is built as a mu_message_t (header fields, a body stream
 * written through the mailutils quoted-printable encoder) and rendered to
 * bytes; mail_send() turns the stored bytes back into a message and hands
 * it to a mailutils mailer (sendmail://, smtp://, prog://).
 *
 * Mailutils 3.15 behaviours this code works around (measured):
 *  - mu_rfc2047_encode() splits long input into several encoded words
 *    joined by a fold, cuts UTF-8 characters in half between words and
 *    loses text (a long Q-encoded string comes back truncated).  Text is
 *    therefore encoded in chunks short enough for one word each.  Its Q
 *    encoding leaves "," "<" "(" and quotes literal, which ends a display
 *    name early (mailutils' own parser splits "=?UTF-8?Q?Doe,_J..?=" in
 *    two), so names are B-encoded.
 *  - The quoted-printable encoder writes no soft line breaks and leaves
 *    white space at the end of lines; both are added here afterwards.
 *  - mu_parse822_quote_string() appends to *quoted when it is not NULL.
 *  - mu_mailer_send_message() writes the message to any mailbox named in
 *    an Fcc header, and the SMTP mailer rewrites the header when a Bcc
 *    field is present; neither field may be rendered or sent.
 *  - The SMTP mailer sends to the first explicit recipient only and
 *    resets the session after a refused command, so the server's reply
 *    is lost (see smtp_transaction()).
 *  - The sendmail mailer passes recipients as program arguments, so an
 *    address starting with "-" would be an option; such are refused.
 *  - Mailutils' own SMTP transcript (debug level "mailer.prot") leaks its
 *    debug stream on every connection, so it is not used.
 *  - The sendmail mailer reports the program's exit status only in a
 *    debug message, which is captured from the diagnostic stream.
 *  - mu_message_destroy() frees nothing for a message without an owner;
 *    such messages are released with mu_message_unref().
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <mailutils/mailutils.h>
#include <mailutils/smtp.h>
#include <mailutils/sys/mailer.h>

#include "charset.h"
#include "mailsend.h"
#include "text.h"
#include "util.h"

#define FOLD_AT		78	/* longest header line wanted */
#define QP_LINE		76	/* RFC 2045 encoded line length */
/* Never in quoted-printable ("=" is "=3D") nor base64 output. */
#define BOUNDARY	"=_rt_mixed"

#define WORD_TEXT	60	/* most encoded text in an RFC 2047 word */

/* ---------------------------------------------------------------- */
/* Header value formatting                                          */
/* ---------------------------------------------------------------- */

static int
needs_encoding(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return 1;
	return strstr(s, "=?") != NULL;	/* would be decoded by readers */
}

/*
 * Appends item to a header value, after sep, folding the line first when
 * it would grow longer than FOLD_AT.  *col is the current line length.
 */
static void
fold_append(struct sbuf *sb, size_t *col, const char *sep, const char *item)
{
	size_t n = strlen(item), s = strlen(sep);

	if (sb->len > 0) {
		if (*col + s + n > FOLD_AT) {
			while (s > 0 && sep[s - 1] == ' ')
				s--;
			sbuf_add(sb, sep, s);
			sbuf_adds(sb, "\n ");
			*col = 1;
		} else {
			sbuf_adds(sb, sep);
			*col += s;
		}
	}
	sbuf_adds(sb, item);
	*col += n;
}

/*
 * Length of the n bytes at s once encoded: 'B' is base64; 'Q' is what
 * the mailutils Q encoder writes (printable ASCII but "=?_" as is, space
 * as "_", anything else as =XX).
 */
static size_t
enc_cost(int enc, const unsigned char *s, size_t n)
{
	size_t c = 0;

	if (enc == 'B')
		return 4 * ((n + 2) / 3);
	for (size_t i = 0; i < n; i++)
		c += (s[i] >= ' ' && s[i] <= '~' && s[i] != '=' && s[i] != '?' &&
		    s[i] != '_') ? 1 : 3;
	return c;
}

/*
 * Encoded text allowed in the first word appended at *col after sep, so
 * that it ends the line in time (or is folded onto the next one anyway).
 */
static size_t
first_budget(const struct sbuf *sb, size_t col, const char *sep)
{
	size_t used = col + (sb->len > 0 ? strlen(sep) : 0) + 12;

	if (used + WORD_TEXT <= FOLD_AT)
		return WORD_TEXT;
	if (used + 12 <= FOLD_AT)
		return FOLD_AT - used;
	return sb->len > 0 ? WORD_TEXT : 12;	/* folded, or no choice */
}

/*
 * Appends text (valid UTF-8, one line) after sep as RFC 2047 words of
 * encoding enc ('Q' for text, 'B' for display names, where the Q
 * encoder's literal "," or "<" would end the phrase), each word holding
 * whole characters and short enough for mailutils to keep it whole.
 */
static int
add_encoded(struct sbuf *sb, size_t *col, const char *sep, const char *text,
    int enc)
{
	const unsigned char *p = (const unsigned char *)text;
	const char *encname = enc == 'B' ? "B" : "Q";
	size_t budget = first_budget(sb, *col, sep);

	while (*p) {
		size_t n = 0;
		char *chunk, *word = NULL;
		int rc;

		while (p[n]) {
			size_t k = utf8_prefix((const char *)p + n, 1);

			if (n > 0 && enc_cost(enc, p, n + k) > budget)
				break;
			n += k;
		}
		chunk = xstrndup((const char *)p, n);
		rc = mu_rfc2047_encode("UTF-8", encname, chunk, &word);
		free(chunk);
		if (rc != 0)
			return rt_fail(EX_SOFTWARE,
			    "RFC 2047 encoding failed: %s", mu_strerror(rc));
		fold_append(sb, col, sep, word);
		free(word);
		sep = " ";
		budget = WORD_TEXT;
		p += n;
	}
	return 0;
}

/* Appends unstructured text, folding at spaces; encoded if needed. */
static int
add_text(struct sbuf *sb, size_t *col, const char *text)
{
	const char *s = text;

	if (needs_encoding(text))
		return add_encoded(sb, col, " ", text, 'Q');
	while (*s) {
		size_t w = strcspn(s + 1, " ") + 1;

		if (*s == ' ' && *col + w > FOLD_AT && *col > 1) {
			sbuf_addc(sb, '\n');
			*col = 0;
		}
		sbuf_add(sb, s, w);
		*col += w;
		s += w;
	}
	return 0;
}

/* One line of valid UTF-8 without controls: safe in a header field. */
static char *
clean1(const char *s)
{
	return utf8_clean(s ? s : "", s ? strlen(s) : 0, 1);
}

/*
 * Appends "Display Name <email>" (or "email") after sep, the name
 * encoded or quoted as needed.
 */
static int
add_mailbox(struct sbuf *sb, size_t *col, const char *sep, const char *name,
    const char *email)
{
	char *n = clean1(name), *q = NULL, *e;
	int rc = 0;

	if (*n == '\0') {
		fold_append(sb, col, sep, email);
		free(n);
		return 0;
	}
	if (needs_encoding(n))
		rc = add_encoded(sb, col, sep, n, 'B');
	else if ((rc = mu_parse822_quote_string(&q, n)) != 0)
		rc = rt_fail(EX_SOFTWARE, "quoting a name: %s",
		    mu_strerror(rc));
	else
		fold_append(sb, col, sep, q);	/* q must start NULL */
	free(q);
	free(n);
	if (rc)
		return rc;
	e = xasprintf("<%s>", email);
	fold_append(sb, col, " ", e);
	free(e);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Addresses                                                        */
/* ---------------------------------------------------------------- */

/*
 * mu_address_create() rejects 8-bit bytes, so runs of them (UTF-8 in
 * display names) are given to it as RFC 2047 encoded words, which it
 * keeps as text; names are decoded again after parsing.  The hint keeps
 * it from appending the local host name to addresses without a domain.
 */
static int
addr_parse(const char *s, mu_address_t *a)
{
	struct mu_address hint = MU_ADDRESS_HINT_INITIALIZER;
	char *u = clean1(s), *e = rfc2047_escape_8bit(u, "UTF-8");
	int rc;

	*a = NULL;
	rc = mu_address_create_hint(a, e, &hint, MU_ADDR_HINT_DOMAIN);
	free(e);
	free(u);
	return rc;
}

/* The display name of mailbox i of a, decoded; NULL if none. */
static char *
addr_name(mu_address_t a, size_t i)
{
	const char *p = NULL;
	char *d = NULL, *c;

	if (mu_address_sget_personal(a, i, &p) != 0 || p == NULL)
		return NULL;
	d = rfc2047_decode(p);
	c = clean1(d ? d : p);
	free(d);
	return c;
}

/* Whether email is a plain addr-spec usable on the wire. */
static int
email_ok(const char *e)
{
	const char *at;

	if (e == NULL || *e == '\0' || *e == '-')
		return 0;
	at = strrchr(e, '@');
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7F ||
		    *p == '<' || *p == '>' ||
		    /* a space only in a quoted local part: "doe, john"@x */
		    (*p == ' ' && !(*e == '"' && at && p < at && at[-1] == '"')))
			return 0;
	return at && at != e && at[1] != '\0';
}

/*
 * Formats every mailbox of the address list s into sb (", " separated,
 * folded).  *domain, if not NULL, receives the domain of the first one.
 */
static int
add_addresses(struct sbuf *sb, size_t *col, const char *what, const char *s,
    char **domain)
{
	mu_address_t a;
	size_t n = 0;
	int rc;

	if ((rc = addr_parse(s, &a)) != 0 || mu_address_get_count(a, &n) != 0 ||
	    n == 0) {
		mu_address_destroy(&a);
		return rt_fail(EX_DATAERR, "invalid %s address \"%s\": %s",
		    what, s, rc ? mu_strerror(rc) : "empty");
	}
	for (size_t i = 1; i <= n && rc == 0; i++) {
		const char *email = NULL;
		char *name;

		if (mu_address_sget_email(a, i, &email) != 0 || email == NULL)
			continue;	/* group name */
		if (!email_ok(email)) {
			rc = rt_fail(EX_DATAERR, "invalid %s address \"%s\"",
			    what, s);
			break;
		}
		name = addr_name(a, i);
		rc = add_mailbox(sb, col, ", ", name, email);
		free(name);
		if (domain && *domain == NULL)
			*domain = str_lower(xstrdup(strrchr(email, '@') + 1));
	}
	mu_address_destroy(&a);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Message building                                                 */
/* ---------------------------------------------------------------- */

static const char *const reserved[] = {
	"From", "To", "Cc", "Bcc", "Fcc", "Subject", "Date", "Message-Id",
	"In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "Content-Language", "Return-Path",
};

static int
field_name_ok(const char *name)
{
	if (name == NULL || *name == '\0')
		return 0;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p >= 0x7F || *p == ':')
			return 0;
	for (size_t i = 0; i < LEN(reserved); i++)
		if (strcasecmp(name, reserved[i]) == 0)
			return 0;
	return 1;
}

static int
set_field(mu_header_t hdr, const char *name, const char *value)
{
	int rc = mu_header_append(hdr, name, value);

	if (rc)
		return rt_fail(EX_SOFTWARE, "setting %s: %s", name,
		    mu_strerror(rc));
	return 0;
}

/* Sets name to the folded mailbox list of the n address strings v. */
static int
set_addresses(mu_header_t hdr, const char *name, const char *const *v, size_t n,
    char **domain)
{
	struct sbuf sb = SBUF_INIT;
	size_t col = strlen(name) + 2;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = add_addresses(&sb, &col, name, v[i], domain);
	if (rc == 0 && sb.len > 0)
		rc = set_field(hdr, name, sb.buf);
	sbuf_free(&sb);
	return rc;
}

static int
set_text(mu_header_t hdr, const char *name, const char *value)
{
	struct sbuf sb = SBUF_INIT;
	size_t col = strlen(name) + 2;
	char *v = clean1(value);
	int rc;

	rc = add_text(&sb, &col, v);
	if (rc == 0)
		rc = set_field(hdr, name, sb.buf ? sb.buf : "");
	free(v);
	sbuf_free(&sb);
	return rc;
}

/* A msg-id without <>, white space or controls; NULL if nothing left. */
static char *
clean_id(const char *id)
{
	char *c = clean1(id), *w = c;

	for (char *r = c; *r; r++)
		if (*r != '<' && *r != '>' && *r != ' ')
			*w++ = *r;
	*w = '\0';
	if (*c == '\0') {
		free(c);
		return NULL;
	}
	return c;
}

static char *
make_msgid(const char *domain)
{
	unsigned char rnd[8];
	char hex[sizeof(rnd) * 2 + 1];

	if (getentropy(rnd, sizeof(rnd)) != 0) {
		/* Not expected on Linux >= 3.17; still unique enough. */
		unsigned long x = (unsigned long)getpid() * 2654435761UL ^
		    (unsigned long)clock();

		memcpy(rnd, &x, sizeof(rnd) < sizeof(x) ? sizeof(rnd) :
		    sizeof(x));
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	return xasprintf("rt.%lld.%s@%s", (long long)rt_now(), hex,
	    domain ? domain : "localhost");
}

static int
set_ids(mu_header_t hdr, const struct outmail *m, const char *domain,
    char **idp)
{
	struct sbuf sb = SBUF_INIT;
	size_t col = strlen(MU_HEADER_REFERENCES) + 2;
	char *id, *v;
	int rc;

	id = m->message_id ? clean_id(m->message_id) : NULL;
	if (id == NULL)
		id = make_msgid(domain);
	v = xasprintf("<%s>", id);
	rc = set_field(hdr, MU_HEADER_MESSAGE_ID, v);
	free(v);
	if (rc == 0 && m->in_reply_to && (v = clean_id(m->in_reply_to))) {
		char *t = xasprintf("<%s>", v);

		rc = set_field(hdr, MU_HEADER_IN_REPLY_TO, t);
		free(t);
		free(v);
	}
	for (size_t i = 0; rc == 0 && i < m->nreferences; i++) {
		char *r = clean_id(m->references[i]), *t;

		if (r == NULL)
			continue;
		t = xasprintf("<%s>", r);
		fold_append(&sb, &col, " ", t);
		free(t);
		free(r);
	}
	if (rc == 0 && sb.len > 0)
		rc = set_field(hdr, MU_HEADER_REFERENCES, sb.buf);
	sbuf_free(&sb);
	if (rc == 0)
		*idp = id;
	else
		free(id);
	return rc;
}

static int
set_date(mu_header_t hdr)
{
	char buf[64];
	time_t t = rt_now();
	struct tm tm;

	gmtime_r(&t, &tm);
	if (mu_strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000",
	    &tm) == 0)
		return rt_fail(EX_SOFTWARE, "formatting the date failed");
	return set_field(hdr, MU_HEADER_DATE, buf);
}

static int
set_extra(mu_header_t hdr, const struct outmail *m)
{
	int rc = 0;

	if (m->nextra > 0 && m->extra == NULL)
		return rt_fail(EX_DATAERR, "extra headers missing");
	for (size_t i = 0; rc == 0 && i < m->nextra; i++) {
		const char *name = m->extra[2 * i];
		const char *value = m->extra[2 * i + 1];

		if (!field_name_ok(name))
			return rt_fail(EX_DATAERR,
			    "header field name \"%s\" not allowed",
			    name ? name : "(null)");
		rc = set_text(hdr, name, value);
	}
	return rc;
}

static int
set_language(mu_header_t hdr, const char *lang)
{
	char *l = clean1(lang);
	int rc = 0;

	for (const char *p = l; *p; p++)
		if (!(*p == '-' || *p == ',' || *p == ' ' ||
		    (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' &&
		    (*p | 0x20) <= 'z'))) {
			free(l);
			return rt_fail(EX_DATAERR, "invalid language \"%s\"",
			    lang);
		}
	if (*l)
		rc = set_field(hdr, "Content-Language", l);
	free(l);
	return rc;
}

static int
set_header(mu_header_t hdr, const struct outmail *m, char **idp)
{
	char *domain = NULL;
	int rc;

	if (m->from == NULL)
		return rt_fail(EX_DATAERR, "no From address");
	rc = set_addresses(hdr, MU_HEADER_FROM, &m->from, 1, &domain);
	if (rc == 0 && m->nto)
		rc = set_addresses(hdr, MU_HEADER_TO, m->to, m->nto, NULL);
	if (rc == 0 && m->ncc)
		rc = set_addresses(hdr, MU_HEADER_CC, m->cc, m->ncc, NULL);
	if (rc == 0)
		rc = set_text(hdr, MU_HEADER_SUBJECT, m->subject);
	if (rc == 0)
		rc = set_date(hdr);
	if (rc == 0)
		rc = set_ids(hdr, m, domain, idp);
	if (rc == 0)
		rc = set_field(hdr, MU_HEADER_MIME_VERSION, "1.0");
	if (rc == 0 && m->nparts)
		rc = set_field(hdr, MU_HEADER_CONTENT_TYPE,
		    "multipart/mixed; boundary=\"" BOUNDARY "\"");
	if (rc == 0 && m->nparts == 0)
		rc = set_field(hdr, MU_HEADER_CONTENT_TYPE,
		    "text/plain; charset=utf-8");
	if (rc == 0 && m->nparts == 0)
		rc = set_field(hdr, MU_HEADER_CONTENT_TRANSFER_ENCODING,
		    "quoted-printable");
	if (rc == 0 && m->language)
		rc = set_language(hdr, m->language);
	if (rc == 0)
		rc = set_extra(hdr, m);
	free(domain);
	return rc;
}

/* Reads all of s into sb. */
static int
slurp(mu_stream_t s, struct sbuf *sb)
{
	char tmp[8192];
	size_t n;
	int rc;

	while ((rc = mu_stream_read(s, tmp, sizeof(tmp), &n)) == 0 && n > 0)
		sbuf_add(sb, tmp, n);
	return rc;
}

/*
 * Finishes the mailutils quoted-printable output: white space at a line
 * end is encoded and lines longer than QP_LINE get soft breaks (never
 * inside an =XX escape).
 */
static void
qp_finish(const char *in, size_t len, struct sbuf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(in + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (in + i)) : len - i;
		const char *l = in + i;
		char last = n > 0 ? l[n - 1] : '\0';
		int ws = last == ' ' || last == '\t';

		if (ws)
			n--;
		while (n + (ws ? 3 : 0) > QP_LINE) {
			/* a line of 74 or 75 and a final blank: "=20" alone after the break */
			size_t b = QP_LINE - 1 < n ? QP_LINE - 1 : n;

			if (l[b - 1] == '=')
				b -= 1;
			else if (l[b - 2] == '=')
				b -= 2;
			sbuf_add(out, l, b);
			sbuf_adds(out, "=\n");
			l += b;
			n -= b;
		}
		sbuf_add(out, l, n);
		if (ws)
			sbuf_adds(out, last == ' ' ? "=20" : "=09");
		if (nl)
			sbuf_addc(out, '\n');
		i += (size_t)(l - (in + i)) + n + (ws ? 1 : 0) + (nl ? 1 : 0);
	}
}

/* Appends text, quoted-printable encoded, to out. */
static int
qp_text(const char *text, struct sbuf *out)
{
	char *clean = utf8_clean(text ? text : "", text ? strlen(text) : 0, 0);
	struct sbuf enc = SBUF_INIT;
	mu_stream_t mem = NULL, qp = NULL;
	size_t n = strlen(clean);
	int rc;

	if (n > 0 && clean[n - 1] != '\n') {
		clean = xrealloc(clean, n + 2);
		clean[n++] = '\n';
		clean[n] = '\0';
	}
	rc = mu_static_memory_stream_create(&mem, clean, n);
	if (rc == 0)
		rc = mu_filter_create(&qp, mem, "quoted-printable",
		    MU_FILTER_ENCODE, MU_STREAM_READ);
	if (rc == 0)
		rc = slurp(qp, &enc);
	if (rc == 0)
		qp_finish(enc.buf ? enc.buf : "", enc.len, out);
	mu_stream_destroy(&qp);
	mu_stream_destroy(&mem);
	sbuf_free(&enc);
	free(clean);
	return rc;
}

/* Appends data base64-encoded in lines of 76 characters. */
static void
base64_lines(const unsigned char *d, size_t len, struct sbuf *out)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < len ? (unsigned)d[i + 1] << 8 : 0) |
		    (i + 2 < len ? d[i + 2] : 0);
		sbuf_addc(out, a[v >> 18 & 63]);
		sbuf_addc(out, a[v >> 12 & 63]);
		sbuf_addc(out, i + 1 < len ? a[v >> 6 & 63] : '=');
		sbuf_addc(out, i + 2 < len ? a[v & 63] : '=');
		if ((i / 3 + 1) % 19 == 0 || i + 3 >= len)
			sbuf_addc(out, '\n');
	}
}

/* A part's type when it is a plain "type/subtype" token pair, else octet-stream. */
static const char *
part_type(const char *t)
{
	static const char tok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789!#$&^_.+-";
	size_t a = t ? strspn(t, tok) : 0;

	if (a == 0 || t[a] != '/' || strspn(t + a + 1, tok) == 0 ||
	    t[a + 1 + strspn(t + a + 1, tok)] != '\0' || strlen(t) > 100)
		return "application/octet-stream";
	return t;
}

/* The multipart/mixed body: the text, then each part as an attachment. */
static int
multipart(const struct outmail *m, struct sbuf *out)
{
	int rc;

	sbuf_adds(out, "This is a MIME message.\n\n--" BOUNDARY "\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n");
	if ((rc = qp_text(m->body, out)) != 0)
		return rc;
	for (size_t i = 0; i < m->nparts; i++) {
		const struct outpart *p = &m->parts[i];
		char *name = utf8_clean(p->filename ? p->filename : "", p->filename ?
		    strlen(p->filename) : 0, 1);

		sbuf_addf(out, "\n--" BOUNDARY "\nContent-Type: %s\n"
		    "Content-Disposition: attachment", part_type(p->type));
		if (*name) {	/* RFC 2231: every byte but attr-char is %XX */
			sbuf_adds(out, ";\n filename*=utf-8''");
			for (const unsigned char *c = (const unsigned char *)name; *c; c++)
				if (isalnum(*c) || strchr("!#$&+-.^_`|~", *c))
					sbuf_addc(out, (char)*c);
				else
					sbuf_addf(out, "%%%02X", *c);
		}
		free(name);
		sbuf_adds(out, "\nContent-Transfer-Encoding: base64\n\n");
		base64_lines((const unsigned char *)p->data, p->len, out);
	}
	sbuf_adds(out, "\n--" BOUNDARY "--\n");
	return 0;
}

/* Writes the body of msg: the text quoted-printable, or the multipart. */
static int
set_body(mu_message_t msg, const struct outmail *m)
{
	struct sbuf fin = SBUF_INIT;
	mu_stream_t bs = NULL;
	mu_body_t body;
	int rc;

	rc = m->nparts ? multipart(m, &fin) : qp_text(m->body, &fin);
	if (rc == 0 && (rc = mu_message_get_body(msg, &body)) == 0 &&
	    (rc = mu_body_get_streamref(body, &bs)) == 0 && fin.len > 0)
		rc = mu_stream_write(bs, fin.buf, fin.len, NULL);
	mu_stream_destroy(&bs);
	sbuf_free(&fin);
	if (rc)
		return rt_fail(EX_SOFTWARE, "encoding the body: %s",
		    mu_strerror(rc));
	return 0;
}

int
outmail_render(const struct outmail *m, char **buf, size_t *len, char **msgid)
{
	mu_message_t msg;
	mu_header_t hdr;
	mu_stream_t s = NULL;
	struct sbuf sb = SBUF_INIT;
	char *id = NULL;
	int rc;

	*buf = NULL;
	*len = 0;
	if (msgid)
		*msgid = NULL;
	if ((rc = mu_message_create(&msg, NULL)) != 0)
		return rt_fail(EX_SOFTWARE, "mu_message_create: %s",
		    mu_strerror(rc));
	if ((rc = mu_message_get_header(msg, &hdr)) != 0)
		rc = rt_fail(EX_SOFTWARE, "mu_message_get_header: %s",
		    mu_strerror(rc));
	if (rc == 0)
		rc = set_header(hdr, m, &id);
	if (rc == 0)
		rc = set_body(msg, m);
	if (rc == 0 && ((rc = mu_message_get_streamref(msg, &s)) != 0 ||
	    (rc = slurp(s, &sb)) != 0))
		rc = rt_fail(EX_SOFTWARE, "rendering the message: %s",
		    mu_strerror(rc));
	mu_stream_destroy(&s);
	mu_message_unref(msg);	/* no owner: destroy() frees nothing */
	if (rc) {
		sbuf_free(&sb);
		free(id);
		return rc;
	}
	*len = sb.len;
	*buf = sbuf_detach(&sb);
	if (msgid)
		*msgid = id;
	else
		free(id);
	return 0;
}

#ifdef RT_MAILER_MODULE	/* the send part: rt-mailer.so, loaded by mailsend_load.c */
/* ---------------------------------------------------------------- */
/* Sending                                                          */
/* ---------------------------------------------------------------- */

static void
register_mailers(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	mu_registrar_record(mu_sendmail_record);
	mu_registrar_record(mu_smtp_record);
	mu_registrar_record(mu_prog_record);
}

/*
 * Captures what mailutils writes to its diagnostic stream while a send
 * is in progress: mailer debug messages (the sendmail child's exit
 * status) and diagnostics that would otherwise go to stderr.  mu_strerr
 * must be a log stream for mailutils' debug output.
 */
struct capture {
	mu_stream_t saved_err;
	mu_stream_t mem;
	mu_stream_t log;
	mu_debug_level_t saved_level;
	int have_level;
};

static void
capture_begin(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->have_level = mu_debug_category_level("mailer", 6,
	    &c->saved_level) == 0;
	if (mu_memory_stream_create(&c->mem, MU_STREAM_RDWR) != 0) {
		c->mem = NULL;
		return;
	}
	if (mu_log_stream_create(&c->log, c->mem) != 0) {
		mu_stream_destroy(&c->mem);
		c->log = NULL;
		return;
	}
	/*
	 * Not MU_DEBUG_PROT: that makes the SMTP mailer call mu_smtp_trace(),
	 * which leaks its debug stream in 3.15 (_mu_smtp_trace_enable() never
	 * drops its reference).
	 */
	mu_debug_enable_category("mailer", 6,
	    MU_DEBUG_LEVEL_UPTO(MU_DEBUG_TRACE0));
	c->saved_err = mu_strerr;
	mu_strerr = c->log;
}

/* Ends the capture; returns what was written (malloc'd, may be ""). */
static char *
capture_end(struct capture *c)
{
	struct sbuf sb = SBUF_INIT;

	if (c->mem == NULL)
		return xstrdup("");
	mu_strerr = c->saved_err;
	if (c->have_level && c->saved_level)
		mu_debug_enable_category("mailer", 6, c->saved_level);
	else
		mu_debug_disable_category("mailer", 6);
	mu_stream_flush(c->log);
	mu_stream_destroy(&c->log);
	if (mu_stream_seek(c->mem, 0, MU_SEEK_SET, NULL) == 0)
		slurp(c->mem, &sb);
	mu_stream_destroy(&c->mem);
	return sbuf_detach(&sb);
}

/* ---------------------------------------------------------------- */
/* SMTP session access                                              */
/* ---------------------------------------------------------------- */

/* Whether ml speaks SMTP. */
static int
is_smtp(mu_mailer_t ml)
{
	mu_url_t u;
	const char *scheme;

	return mu_mailer_get_url(ml, &u) == 0 &&
	    mu_url_sget_scheme(u, &scheme) == 0 &&
	    (strcmp(scheme, "smtp") == 0 || strcmp(scheme, "smtps") == 0);
}

/*
 * The mu_smtp_t session of an SMTP mailer, or NULL.  Mailutils 3.15 has
 * no accessor; its private struct _smtp_mailer (libproto/mailer/smtp.c)
 * starts with a back pointer to the mailer and the session, and the back
 * pointer is checked before the session is trusted.
 */
struct smtp_mailer_head {
	mu_mailer_t mailer;
	mu_smtp_t smtp;
};

static mu_smtp_t
mailer_smtp(mu_mailer_t ml)
{
	struct smtp_mailer_head *h;

	if (!is_smtp(ml) || (h = ml->data) == NULL || h->mailer != ml)
		return NULL;
	return h->smtp;
}

/* The last reply of session smtp as "S: 550 text\n", or NULL. */
static char *
smtp_last_reply(mu_smtp_t smtp)
{
	const char *r = NULL;
	char code[4];

	if (smtp == NULL || mu_smtp_replcode(smtp, code) != 0 ||
	    mu_smtp_sget_reply(smtp, &r) != 0 || r == NULL)
		return NULL;
	return xasprintf("S: %.3s %s\n", code, r);
}

/* The last SMTP error reply line ("S: 550 ...") in t, or NULL. */
static char *
smtp_reply(const char *t, int *code)
{
	const char *p = t, *best = NULL;

	while (*p) {
		if (strncmp(p, "S: ", 3) == 0 && (p[3] == '4' || p[3] == '5') &&
		    p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9')
			best = p + 3;
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	if (best == NULL)
		return NULL;
	*code = (best[0] - '0') * 100 + (best[1] - '0') * 10 + (best[2] - '0');
	return utf8_clean(best, strcspn(best, "\r\n"), 1);
}

/* The exit status of a sendmail/prog child from the debug trace, or -1. */
static int
prog_status(const char *t)
{
	const char *p, *last = NULL;

	for (p = t; (p = strstr(p, " exited with: ")) != NULL; p++)
		last = p;
	return last ? atoi(last + 14) : -1;
}

static int
is_transient(int rc)
{
	switch (rc) {
	case ECONNREFUSED: case ETIMEDOUT: case EHOSTUNREACH: case ENETUNREACH:
	case ECONNRESET: case ECONNABORTED: case EPIPE: case EAGAIN: case EINTR:
	case ENETDOWN: case EHOSTDOWN: case EIO:
	case MU_ERR_GETHOSTBYNAME: case MU_ERR_TIMEOUT: case MU_ERR_CONN_CLOSED:
	case MU_ERR_PROCESS_SIGNALED: case MU_ERR_BADREPLY: case MU_ERR_READ:
	case MU_ERR_WRITE: case MU_ERR_TLS:
		return 1;
	}
	return 0;
}

/*
 * Maps a mailer failure to a sysexits code with a message; diag is the
 * server's reply ("S: 550 ...") or the captured diagnostic output.
 */
static int
send_error(const char *url, const char *what, int rc, const char *diag)
{
	int code = 0, st;
	char *reply;

	if ((reply = smtp_reply(diag, &code)) != NULL) {
		int ex = code >= 500 ? EX_UNAVAILABLE : EX_TEMPFAIL;

		rt_fail(ex, "%s: %s: server replied: %s", url, what, reply);
		free(reply);
		return ex;
	}
	if (rc == MU_ERR_PROCESS_EXITED && (st = prog_status(diag)) >= 0)
		return rt_fail(st == EX_TEMPFAIL ? EX_TEMPFAIL : EX_UNAVAILABLE,
		    "%s: %s: mailer program exited with status %d", url, what,
		    st);
	if (rc == ENOENT || rc == EACCES || rc == MU_ERR_NOENT ||
	    rc == MU_ERR_MAILER_BAD_URL || rc == MU_ERR_URL_MISS_PARTS ||
	    rc == MU_ERR_TCP_NO_HOST || rc == MU_ERR_TCP_NO_PORT ||
	    rc == MU_ERR_PROCESS_NOEXEC)
		return rt_fail(EX_CONFIG, "%s: %s: %s", url, what,
		    mu_strerror(rc));
	if (rc == MU_ERR_MAILER_BAD_FROM || rc == MU_ERR_MAILER_BAD_TO ||
	    rc == MU_ERR_MAILER_NO_RCPT_TO || rc == MU_ERR_INVALID_EMAIL)
		return rt_fail(EX_DATAERR, "%s: %s: %s", url, what,
		    mu_strerror(rc));
	if (is_transient(rc) || rc == MU_ERR_REPLY ||
	    rc == MU_ERR_PROCESS_EXITED)
		return rt_fail(EX_TEMPFAIL, "%s: %s: %s", url, what,
		    mu_strerror(rc));
	return rt_fail(EX_UNAVAILABLE, "%s: %s: %s", url, what,
	    mu_strerror(rc));
}

/* One envelope address: a single mailbox with a usable email. */
static int
envelope_addr(const char *s, int null_ok, mu_address_t *a)
{
	const char *email = NULL;
	size_t n = 0;

	*a = NULL;
	if (s == NULL)
		return rt_fail(EX_DATAERR, "missing envelope address");
	if (null_ok && (*s == '\0' || strcmp(s, "<>") == 0))
		return addr_parse("<>", a) == 0 ? 0 :
		    rt_fail(EX_SOFTWARE, "cannot make the null sender");
	if (addr_parse(s, a) != 0 || mu_address_get_count(*a, &n) != 0 ||
	    n != 1 || mu_address_sget_email(*a, 1, &email) != 0 ||
	    !email_ok(email)) {
		mu_address_destroy(a);
		return rt_fail(EX_DATAERR, "invalid envelope address \"%s\"",
		    s);
	}
	return 0;
}

static int
envelope(const char *env_from, const char **rcpts, size_t nrcpts,
    mu_address_t *from, mu_address_t *to)
{
	int rc;

	*to = NULL;
	if (nrcpts == 0)
		return rt_fail(EX_DATAERR, "no recipients");
	if ((rc = envelope_addr(env_from, 1, from)) != 0)
		return rc;
	for (size_t i = 0; i < nrcpts; i++) {
		mu_address_t a;

		if ((rc = envelope_addr(rcpts[i], 0, &a)) != 0)
			break;
		if (*to == NULL)
			*to = a;
		else {
			rc = mu_address_union(to, a);
			mu_address_destroy(&a);
			if (rc) {
				rc = rt_fail(EX_SOFTWARE, "address list: %s",
				    mu_strerror(rc));
				break;
			}
		}
	}
	if (rc) {
		mu_address_destroy(from);
		mu_address_destroy(to);
	}
	return rc;
}

/*
 * Whether buf starts with a header block mu_stream_to_message() takes:
 * LF line ends, every line up to the empty one a field (it has a colon)
 * or a continuation.  Checked first because mailutils leaks a buffer
 * when it refuses a message.
 */
static int
header_ok(const char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0 || buf[0] == ' ' || buf[0] == '\t')
		return 0;
	while (off < len) {
		const char *l = buf + off, *nl = memchr(l, '\n', len - off);
		size_t n = nl ? (size_t)(nl - l) : len - off;

		if (n == 0)
			return 1;
		if (l[0] != ' ' && l[0] != '\t' &&
		    memchr(l, ':', strnlen(l, n)) == NULL)
			return 0;
		if (memchr(l, '\r', n) != NULL)
			return 0;
		off += n + 1;
	}
	return 1;
}

/* The stored message as a mu_message_t over a memory stream. */
static int
load_message(const char *buf, size_t len, mu_stream_t *s, mu_message_t *msg)
{
	mu_header_t hdr;
	int rc;

	*msg = NULL;
	if (buf == NULL || !header_ok(buf, len))
		return rt_fail(EX_DATAERR, "not a sendable message: no header "
		    "block with LF line ends");
	if ((rc = mu_static_memory_stream_create(s, buf, len)) != 0)
		return rt_fail(EX_SOFTWARE, "memory stream: %s",
		    mu_strerror(rc));
	if ((rc = mu_stream_to_message(*s, msg)) != 0 ||
	    (rc = mu_message_get_header(*msg, &hdr)) != 0) {
		rc = rt_fail(EX_DATAERR, "not a sendable message: %s",
		    mu_strerror(rc));
	} else if (mu_header_sget_value(hdr, MU_HEADER_FCC, NULL) == 0 ||
	    mu_header_sget_value(hdr, MU_HEADER_BCC, NULL) == 0) {
		rc = rt_fail(EX_DATAERR, "refusing to send a message with a "
		    "Bcc or Fcc header field");
	}
	if (rc) {
		if (*msg)
			mu_message_destroy(msg, mu_message_get_owner(*msg));
		mu_stream_destroy(s);
	}
	return rc;
}

/*
 * One SMTP transaction for all recipients on the session the mailer has
 * opened (connected, EHLO, STARTTLS and AUTH as its URL says).  The
 * mailer's own mu_mailer_send_message() cannot be used here: with an
 * explicit recipient list it sends to the first address only (it copies
 * the list with mu_address_dup(), which copies one address), and after
 * a refused command it resets the session, losing the server's reply.
 * All or nothing: a refused recipient aborts the transaction.  On a
 * failure *reply gets the reply and *what the step.
 */
static int
smtp_transaction(mu_smtp_t smtp, mu_message_t msg, mu_address_t from,
    mu_address_t to, char **what, char **reply)
{
	const char *email = NULL;
	mu_stream_t s = NULL;
	size_t n = 0;
	int rc;

	if ((rc = mu_address_sget_email(from, 1, &email)) != 0 ||
	    (rc = mu_smtp_mail_basic(smtp, email ? email : "", NULL)) != 0) {
		*what = xstrdup("MAIL FROM");
		goto fail;
	}
	if ((rc = mu_address_get_count(to, &n)) != 0)
		goto fail;
	for (size_t i = 1; i <= n; i++) {
		if ((rc = mu_address_sget_email(to, i, &email)) != 0 ||
		    (rc = mu_smtp_rcpt_basic(smtp, email, NULL)) != 0) {
			*what = xasprintf("RCPT TO <%s>", email ? email : "?");
			goto fail;
		}
	}
	if ((rc = mu_message_get_streamref(msg, &s)) != 0 ||
	    (rc = mu_smtp_send_stream(smtp, s)) != 0 ||
	    (rc = mu_smtp_dot(smtp)) != 0) {
		*what = xstrdup("DATA");
		goto fail;
	}
	mu_stream_destroy(&s);
	return 0;
fail:
	mu_stream_destroy(&s);
	if (rc == MU_ERR_REPLY) {
		*reply = smtp_last_reply(smtp);
		mu_smtp_rset(smtp);
	}
	return rc;
}

/*
 * Without the SMTP session (an unexpected mailutils layout): one
 * mu_mailer_send_message() per recipient, the only way it reaches all.
 */
static int
send_each(mu_mailer_t ml, mu_message_t msg, mu_address_t from,
    mu_address_t to, char **what)
{
	size_t n = 0;
	int rc;

	if ((rc = mu_address_get_count(to, &n)) != 0)
		return rc;
	for (size_t i = 1; i <= n && rc == 0; i++) {
		mu_address_t one = NULL;
		const char *email = "?";

		if ((rc = mu_address_get_nth(to, i, &one)) != 0)
			break;
		if ((rc = mu_mailer_send_message(ml, msg, from, one)) != 0) {
			mu_address_sget_email(one, 1, &email);
			*what = xasprintf("send to %s (%zu of %zu recipients "
			    "already have it)", email, i - 1, n);
		}
		mu_address_destroy(&one);
	}
	return rc;
}

static int
deliver(const char *url, mu_message_t msg, mu_address_t from, mu_address_t to)
{
	struct capture cap;
	struct sigaction ign, old;
	mu_mailer_t ml = NULL;
	mu_smtp_t smtp;
	char *what = NULL, *t, *reply = NULL;
	int rc, ret = 0;

	register_mailers();
	if ((rc = mu_mailer_create(&ml, url)) != 0)
		return rt_fail(EX_CONFIG, "%s: bad mailer URL: %s", url,
		    mu_strerror(rc));
	/* A mailer program that exits early must not kill us with SIGPIPE. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	capture_begin(&cap);
	if ((rc = mu_mailer_open(ml, 0)) != 0) {
		what = xstrdup("connect");
		reply = smtp_last_reply(mailer_smtp(ml));
	} else {
		if (!is_smtp(ml))
			rc = mu_mailer_send_message(ml, msg, from, to);
		else if ((smtp = mailer_smtp(ml)) != NULL)
			rc = smtp_transaction(smtp, msg, from, to, &what, &reply);
		else
			rc = send_each(ml, msg, from, to, &what);
		mu_mailer_close(ml);
	}
	mu_mailer_destroy(&ml);
	t = capture_end(&cap);
	sigaction(SIGPIPE, &old, NULL);
	if (rc)
		ret = send_error(url, what ? what : "send", rc, reply ? reply : t);
	free(reply);
	free(what);
	free(t);
	return ret;
}

int
mail_send(const char *url, const char *buf, size_t len,
    const char *env_from, const char **rcpts, size_t nrcpts)
{
	mu_address_t from = NULL, to = NULL;
	mu_message_t msg = NULL;
	mu_stream_t s = NULL;
	int rc;

	if (url == NULL || *url == '\0')
		return rt_fail(EX_CONFIG, "no mailer URL");
	if ((rc = envelope(env_from, rcpts, nrcpts, &from, &to)) != 0)
		return rc;
	if ((rc = load_message(buf, len, &s, &msg)) == 0) {
		rc = deliver(url, msg, from, to);
		mu_message_destroy(&msg, mu_message_get_owner(msg));
		mu_stream_destroy(&s);
	}
	mu_address_destroy(&from);
	mu_address_destroy(&to);
	return rc;
}
#endif /* RT_MAILER_MODULE */
