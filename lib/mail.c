/*
 * mail.c: parsing stored mail with GNU Mailutils' libmailutils.
 *
 * All RFC 5322 / MIME / RFC 2047 / RFC 2231 / address work is done by
 * libmailutils; this file only prepares the bytes so that libmailutils
 * accepts them (line ends, a missing header/body separator) and cleans
 * what comes back (valid UTF-8, one line, no control characters).
 *
 * Mailutils behaviours this code works around (measured on 3.15):
 *  - mu_stream_to_message() rejects CRLF input with MU_ERR_INVALID_EMAIL,
 *    and any line in the header block that has no colon and is not a
 *    continuation line (leaking a buffer when it does); we convert CRLF
 *    to LF and end the header block before the first such line.  A line
 *    of dashes also ends the header block there (MH drafts).
 *  - Without an mbox "From " line the envelope sender is made up from the
 *    From header or the current user's address, so it is only used when
 *    the input really had a From_ line.
 *  - mu_address_create() appends the local host name to addresses without
 *    a domain ("MAILER-DAEMON" -> "MAILER-DAEMON@host"); a hint with a NULL
 *    domain avoids that.  It also rejects raw 8-bit bytes, so runs of such
 *    bytes are given to it as RFC 2047 encoded words and decoded back.
 *  - Its ICONV filter writes past its buffer on some input, so charsets
 *    and RFC 2047 words are converted by lib/charset.c with iconv(3).
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mailutils/mailutils.h>

#include "charset.h"
#include "entities.h"
#include "id.h"
#include "mail.h"
#include "mailbox.h"
#include "mailcmd.h"
#include "text.h"
#include "util.h"

#define TEXT_MAX	(1024 * 1024)	/* bytes of mail->text at most */
#define SUBJECT_RAW_MAX	(64 * 1024)	/* bytes of the raw Subject decoded at most */
#define FALLBACK_CS	"WINDOWS-1252"	/* undeclared 8-bit bytes */

struct mail_priv {
	char *buf;		/* normalised bytes the stream reads from */
	size_t len;
	mu_stream_t stream;
	mu_message_t msg;
	mu_header_t hdr;
	int envelope;		/* input started with an mbox From_ line */
	char *hdr_cs;		/* charset of undeclared 8-bit header bytes */
};

struct walk {
	struct mail *m;
	size_t cap;		/* allocated entries of m->parts */
	mu_message_t plain;	/* first inline text/plain part (borrowed) */
	char *plain_cs;
	mu_message_t html;	/* first inline text/html part (borrowed) */
	char *html_cs;
};

/* ---------------------------------------------------------------- */
/* Small string helpers                                             */
/* ---------------------------------------------------------------- */

static int
has_8bit(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* Cleans s to one line of valid UTF-8; NULL when nothing is left. */
static char *
clean_or_null(const char *s)
{
	char *c;

	if (s == NULL)
		return NULL;
	c = utf8_clean(s, strlen(s), 1);
	if (*c == '\0') {
		free(c);
		return NULL;
	}
	return c;
}

/* ---------------------------------------------------------------- */
/* Charset conversion through the mailutils filter chain            */
/* ---------------------------------------------------------------- */

/* Opens a stream over raw that undoes transfer encoding cte (may be NULL). */
static int
open_decoder(mu_stream_t raw, const char *cte, mu_stream_t *out)
{
	char *argv[2] = { (char *)cte, NULL };

	if (cte == NULL)
		return mu_streamref_create(out, raw);
	return mu_filter_chain_create(out, raw, MU_FILTER_DECODE,
	    MU_STREAM_READ, 1, argv);
}

/* Appends up to max bytes read from s to sb; stops quietly on errors. */
static void
slurp(mu_stream_t s, size_t max, struct sbuf *sb)
{
	char tmp[8192];
	size_t n;

	while (sb->len < max) {
		size_t want = max - sb->len;

		if (want > sizeof(tmp))
			want = sizeof(tmp);
		if (mu_stream_read(s, tmp, want, &n) != 0 || n == 0)
			break;
		sbuf_add(sb, tmp, n);
	}
}

/* Converts len bytes at s from charset cs to UTF-8; NULL if cs is unknown. */
static char *
recode(const char *s, size_t len, const char *cs, size_t *outlen)
{
	return charset_to_utf8(s, len, cs, outlen);
}

/*
 * Decodes a raw header value: RFC 2047 words are decoded (raw 8-bit
 * bytes inside one are in its charset; a word naming an unknown charset
 * stays as it is), undeclared 8-bit bytes outside them are taken as cs
 * (the message's charset, else windows-1252) unless they are UTF-8
 * already; the result is one line of valid UTF-8 (never NULL).
 */
static char *
hdr_decode(const char *raw, const char *cs)
{
	char *dec = rfc2047_decode_8bit(raw, cs ? cs : FALLBACK_CS), *out;

	out = utf8_clean(dec, strlen(dec), 1);
	free(dec);
	return out;
}

/* Whether cs needs no conversion to UTF-8. */
static int
is_utf8_cs(const char *cs)
{
	return strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
	    strcasecmp(cs, "us-ascii") == 0;
}

/*
 * The parameter name of a structured field value (RFC 2045, 2183, 2231;
 * RFC 2047 words inside quotes too), decoded to one line of UTF-8, or
 * NULL.  *pvalue, if not NULL, receives the lower-cased field value
 * ("attachment").  Mailutils is asked for no conversion (which leaks on
 * unknown charsets, see charset_known()); the recoding is done here.
 */
static char *
hdr_param(const char *raw, const char *name, char **pvalue)
{
	mu_assoc_t params = NULL;
	struct mu_mime_param *p;
	char *value = NULL, *out = NULL;

	if (pvalue)
		*pvalue = NULL;
	if (mu_mime_header_parse(raw, NULL, &value, &params) != 0)
		return NULL;
	if ((p = mu_assoc_get(params, name)) != NULL && p->value) {
		char *r = NULL;

		if (p->cset && !is_utf8_cs(p->cset) && charset_known(p->cset))
			r = recode(p->value, strlen(p->value), p->cset, NULL);
		out = clean_or_null(r ? r : p->value);
		free(r);
	}
	if (pvalue && value)
		*pvalue = str_lower(value);
	else
		free(value);
	mu_assoc_destroy(&params);
	return out;
}

/* ---------------------------------------------------------------- */
/* Input preparation                                                */
/* ---------------------------------------------------------------- */

/* Length of the line at p (without its LF). */
static size_t
line_len(const char *p, size_t left)
{
	const char *nl = memchr(p, '\n', left);

	return nl ? (size_t)(nl - p) : left;
}

static int
is_blank_line(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* A header field start: printable non-colon name, optional WSP, colon. */
static int
is_field_line(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] > ' ' && p[i] < 0x7F && p[i] != ':')
		i++;
	if (i == 0)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':';
}

static int
is_from_line(const char *p, size_t n)
{
	return n >= 5 && memcmp(p, "From ", 5) == 0;
}

/* Does the line at p (n bytes) start with the field name (any case)? */
static int
field_is(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && strncasecmp(p, name, k) == 0 && p[k] == ':';
}

/*
 * libmailutils' MIME parameter parser (mu_mime_header_parse) reads past
 * the end of its copy when a lone backslash is followed by white space
 * ("a=x\ "). In the parsing copy such a backslash in a Content-Type or
 * Content-Disposition field (in MIME parts too, folded or not) becomes a
 * space; the stored mail is untouched.
 */
static void
tame_mime_params(char *buf, size_t len)
{
	int in = 0;

	for (size_t i = 0; i < len;) {
		size_t n = line_len(buf + i, len - i);

		if (n == 0 || (buf[i] != ' ' && buf[i] != '\t'))
			in = field_is(buf + i, n, "Content-Type") ||
			    field_is(buf + i, n, "Content-Disposition");
		for (size_t j = i; in && j < i + n; j++) {
			if (buf[j] != '\\')
				continue;
			if (j + 1 < i + n && buf[j + 1] == '\\')
				j++;	/* an escaped backslash */
			else if (j + 1 == i + n || buf[j + 1] == ' ' || buf[j + 1] == '\t')
				buf[j] = ' ';
		}
		i += n + (i + n < len);
	}
}

/*
 * Copies the input with LF line ends (CRLF -> LF; lone CR -> LF when the
 * input has no LF at all), NUL bytes of the header block as spaces,
 * without a leading byte order mark or leading blank lines.
 */
static char *
normalise(const char *in, size_t len, size_t *outlen)
{
	int has_lf = memchr(in, '\n', len) != NULL;
	char *out = xmalloc(len + 1);
	size_t o = 0, skip = 0;

	if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0) {
		in += 3;	/* a UTF-8 byte order mark */
		len -= 3;
	}
	for (size_t i = 0; i < len; i++) {
		/* the bytes up to the next CR at once: most mail has none or CRLF */
		const char *cr = memchr(in + i, '\r', len - i);
		size_t n = cr ? (size_t)(cr - (in + i)) : len - i;

		memcpy(out + o, in + i, n);
		o += n;
		if ((i += n) == len)
			break;
		if (i + 1 < len && in[i + 1] == '\n')
			continue;
		out[o++] = has_lf ? '\r' : '\n';
	}
	out[o] = '\0';
	/* Drop leading lines made of white space only. */
	while (skip < o) {
		size_t n = line_len(out + skip, o - skip);

		if (!is_blank_line(out + skip, n))
			break;
		skip += n + (skip + n < o);
	}
	memmove(out, out + skip, o - skip + 1);
	/*
	 * A NUL in the header block (or the From_ line) makes libmailutils
	 * read past its copy of the line ("From \0x@y": a heap over-read):
	 * header bytes reach it only as spaces. The stored mail is untouched.
	 */
	for (size_t i = 0; i < o - skip && !(out[i] == '\n' && i + 1 < o - skip && out[i + 1] == '\n'); i++)
		if (out[i] == '\0')
			out[i] = ' ';
	tame_mime_params(out, o - skip);
	*outlen = o - skip;
	return out;
}

/*
 * mu_stream_to_message() refuses a header block with a line that has no
 * colon (up to a NUL) and is not a continuation, and then leaks its line
 * buffer.  Returns the offset of the first such line, or (size_t)-1.
 */
static size_t
bad_header_line(const char *p, size_t len)
{
	size_t off = 0;

	if (is_from_line(p, line_len(p, len)))
		off = line_len(p, len) + 1;
	while (off < len) {
		size_t n = line_len(p + off, len - off);

		if (n == 0)
			return (size_t)-1;	/* separator */
		if (p[off] != ' ' && p[off] != '\t' &&
		    memchr(p + off, ':', strnlen(p + off, n)) == NULL)
			return off;
		off += n + 1;
	}
	return (size_t)-1;
}

/* Inserts an empty line at offset off of pr->buf. */
static void
insert_separator(struct mail_priv *pr, size_t off)
{
	char *nb = xmalloc(pr->len + 2);

	memcpy(nb, pr->buf, off);
	nb[off] = '\n';
	memcpy(nb + off + 1, pr->buf + off, pr->len - off + 1);
	free(pr->buf);
	pr->buf = nb;
	pr->len++;
}

static void
priv_close(struct mail_priv *pr)
{
	if (pr->msg)
		mu_message_destroy(&pr->msg, mu_message_get_owner(pr->msg));
	if (pr->stream)
		mu_stream_destroy(&pr->stream);
	pr->hdr = NULL;
}

static int
priv_open(struct mail_priv *pr)
{
	int rc;

	rc = mu_static_memory_stream_create(&pr->stream, pr->buf, pr->len);
	if (rc)
		return rc;
	rc = mu_stream_to_message(pr->stream, &pr->msg);
	if (rc == 0)
		rc = mu_message_get_header(pr->msg, &pr->hdr);
	if (rc)
		priv_close(pr);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Header field helpers                                             */
/* ---------------------------------------------------------------- */

static char *
hdr_raw_n(mu_header_t hdr, const char *name, int n)
{
	char *v = NULL;

	if (mu_header_aget_value_unfold_n(hdr, name, n, &v) != 0)
		return NULL;
	return v;
}

static int
hdr_has(mu_header_t hdr, const char *name)
{
	return mu_header_sget_value(hdr, name, NULL) == 0;
}

/* Lower-cased, trimmed first word of a header value, or NULL. */
static char *
hdr_token(mu_header_t hdr, const char *name)
{
	char *raw = hdr_raw_n(hdr, name, 1), *t, *c;
	size_t n;

	if (raw == NULL)
		return NULL;
	t = raw + strspn(raw, " \t");
	n = strcspn(t, " \t;,(");
	c = xstrndup(t, n);
	free(raw);
	return str_lower(c);
}

/* ---------------------------------------------------------------- */
/* Message ids                                                      */
/* ---------------------------------------------------------------- */

/* Copy of s[0..n) without white space, cleaned; NULL when empty. */
static char *
msgid_clean(const char *s, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	char *c;

	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]) && s[i] != '<' && s[i] != '>')
			sbuf_addc(&sb, s[i]);
	if (sb.len == 0) {
		sbuf_free(&sb);
		return NULL;
	}
	c = clean_or_null(sb.buf);
	sbuf_free(&sb);
	return c;
}

static void
strv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* Ids given without <...>: the bare words up to a comment, "id@host (x)". */
static size_t
bare_ids(const char *s, size_t max, char ***v)
{
	size_t n = 0;

	while (n < max && *s != '\0' && *s != '(') {
		size_t k;
		char *id;

		s += strspn(s, " \t,");
		k = strcspn(s, " \t,(");
		if (k == 0)
			break;
		if ((id = msgid_clean(s, k)) != NULL)
			strv_push(v, &n, id);
		s += k;
	}
	return n;
}

/*
 * Splits a msg-id list: the <...> tokens, or the white-space separated
 * words when there are none.  At most max ids.
 */
static size_t
msgids_parse(const char *s, size_t max, char ***out)
{
	char **v = NULL;
	size_t n = 0;
	const char *p = s;

	while (n < max && (p = strchr(p, '<')) != NULL) {
		const char *e = strchr(p + 1, '>');
		char *id;

		if (e == NULL)
			e = p + strlen(p);
		if ((id = msgid_clean(p + 1, (size_t)(e - p - 1))) != NULL)
			strv_push(&v, &n, id);
		p = *e ? e + 1 : e;
	}
	if (v == NULL)
		n = bare_ids(s, max, &v);
	*out = v;
	return n;
}

static char *
msgid_first(mu_header_t hdr, const char *name)
{
	char *raw = hdr_raw_n(hdr, name, 1), **v, *id = NULL;
	size_t n;

	if (raw == NULL)
		return NULL;
	n = msgids_parse(raw, 1, &v);
	if (n > 0)
		id = v[0];
	free(v);
	free(raw);
	return id;
}

/* ---------------------------------------------------------------- */
/* Addresses                                                        */
/* ---------------------------------------------------------------- */

/*
 * mu_address_create() rejects 8-bit bytes: hand each run of them over as
 * an RFC 2047 encoded word (which it keeps as text) and decode it after.
 */
static char *
escape_8bit(const char *s, const char *cs8)
{
	return rfc2047_escape_8bit(s, utf8_valid(s, strlen(s)) ? "UTF-8" :
	    cs8 ? cs8 : FALLBACK_CS);
}

/* Lower-cases the domain part of an address in place. */
static char *
lower_domain(char *email)
{
	char *at = strrchr(email, '@');

	if (at)
		str_lower(at + 1);
	return email;
}

/* Appends one address, growing v geometrically (cap: its allocated size). */
static void
addr_push(struct mail_addr **v, size_t *n, size_t *cap, char *email, char *name)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].email = email;
	(*v)[*n].name = name;
	(*n)++;
}

static int
addr_create(mu_address_t *a, const char *s)
{
	struct mu_address hint = MU_ADDRESS_HINT_INITIALIZER;

	*a = NULL;
	return mu_address_create_hint(a, s, &hint, MU_ADDR_HINT_DOMAIN);
}

/*
 * Appends the mailboxes of a (parsed from an escaped value if esc).
 * Walks the list itself: mu_address_sget_email(a, i) counts from the
 * head each time, which made 100,000 addresses take minutes.
 */
static void
addr_collect(mu_address_t a, int esc, const char *cs, struct mail_addr **v,
    size_t *n, size_t *cap)
{
	for (mu_address_t p = a; p; p = p->next) {
		char *e, *name = NULL;

		if (p->email == NULL)
			continue;	/* a group name */
		e = esc ? hdr_decode(p->email, cs) :
		    utf8_clean(p->email, strlen(p->email), 1);
		lower_domain(e);
		if (p->personal != NULL) {
			name = hdr_decode(p->personal, cs);
			if (*name == '\0') {
				free(name);
				name = NULL;
			}
		}
		addr_push(v, n, cap, e, name);
	}
}

/* A salvaged address: one word with an '@' inside, nothing that quotes. */
static int
plain_addr(const char *b, const char *e)
{
	const char *at = memchr(b, '@', (size_t)(e - b));

	if (at == NULL || at == b || at + 1 == e)
		return 0;
	for (const char *p = b; p < e; p++)
		if ((unsigned char)*p <= ' ' || strchr("\"<>(),;\\", *p))
			return 0;
	return 1;
}

/*
 * What a mail client still finds in an item mailutils refuses, such as an
 * unterminated quote ("Jane Doe <jane@example.com>): the address in the
 * last <...>, or else the one word with an '@', and the text before it,
 * without its quotes, as the name.  Never an address that is not one word
 * with an '@'.
 */
static int
addr_salvage(mu_address_t *a, const char *item)
{
	const char *lt = strrchr(item, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *b = NULL, *e = NULL, *p;
	char *addr, *name, *s;
	size_t nb, ne;
	int rc;

	*a = NULL;
	if (lt && gt) {
		b = lt + 1;
		e = gt;
	} else {
		for (p = item; *p; p = e) {
			b = p + strspn(p, " \t\"<>(),;");
			e = b + strcspn(b, " \t\"<>(),;");
			if (memchr(b, '@', (size_t)(e - b)))
				break;
		}
	}
	if (b == NULL || !plain_addr(b, e))
		return -1;
	for (nb = 0; item[nb] == '"' || isspace((unsigned char)item[nb]); nb++)
		;
	for (ne = (size_t)(b - item) - (lt && gt); ne > nb &&
	    (item[ne - 1] == '"' || isspace((unsigned char)item[ne - 1])); ne--)
		;
	name = xstrndup(item + nb, ne > nb ? ne - nb : 0);
	addr = xstrndup(b, (size_t)(e - b));
	s = mailbox_format(name, addr);
	rc = addr_create(a, s);
	free(s);
	free(addr);
	free(name);
	return rc;
}

/*
 * One item of a list mailutils refused as a whole: what it parses, or
 * else what addr_salvage finds; a word without '@' (the rest of a name
 * whose quote was blanked) is no address here.
 */
static int
item_parse(mu_address_t *a, const char *item)
{
	if (addr_create(a, item) == 0) {
		mu_address_t p = *a;

		while (p && (p->email == NULL || strchr(p->email, '@')))
			p = p->next;
		if (p == NULL)
			return 0;
		mu_address_destroy(a);
	}
	return addr_salvage(a, item);
}

/*
 * Blanks the opening character of each quote or comment that never ends,
 * so that it is text and the commas after it split the list again (as
 * the item split in addrs_parse scans); returns how many it blanked.
 */
static size_t
blank_unclosed(char *s)
{
	size_t *open = NULL, nopen = 0, cap = 0, qat = 0, n;
	int quote = 0;

	for (char *p = s; *p; p++) {
		if (*p == '\\' && p[1] && (quote || nopen))
			p++;
		else if (*p == '"' && !nopen) {
			qat = (size_t)(p - s);
			quote = !quote;
		} else if (!quote && *p == '(') {
			if (nopen == cap)
				open = xrealloc(open, (cap = cap ? 2 * cap : 8) * sizeof(*open));
			open[nopen++] = (size_t)(p - s);
		} else if (!quote && *p == ')' && nopen)
			nopen--;
	}
	if (quote)
		s[qat] = ' ';
	for (size_t i = 0; i < nopen; i++)
		s[open[i]] = ' ';
	n = quote ? 1 : nopen;
	free(open);
	return n;
}

/*
 * Parses an address list header value.  An empty list (for instance
 * "undisclosed-recipients:;") gives no addresses; a list mailutils
 * cannot parse as a whole is parsed item by item, keeping what parses.
 */
static void
addrs_parse(const char *value, const char *cs, struct mail_addr **v, size_t *n)
{
	int esc = has_8bit(value);
	char *s = esc ? escape_8bit(value, cs) : xstrdup(value);
	size_t cap = *n;	/* v holds at least *n entries */
	mu_address_t a;
	int rc;

	rc = addr_create(&a, s);
	if (rc == 0) {
		addr_collect(a, esc, cs, v, n, &cap);
		mu_address_destroy(&a);
	} else if (rc != MU_ERR_EMPTY_ADDRESS) {
		/*
		 * item by item: commas outside quotes and comments; a quote or
		 * comment left open (hostile or broken) does not swallow the
		 * addresses after it. Each pass blanks at least one character;
		 * the bound keeps hostile nesting linear.
		 */
		int quote = 0, depth = 0, pass = 0;
		char *item = s;

		while (blank_unclosed(s) > 0)
			if (++pass == 8) {	/* then no quote or comment is left */
				for (char *p = s; (p = strpbrk(p, "\"()\\")) != NULL; )
					*p++ = ' ';
				break;
			}
		for (char *p = s;; p++) {
			if (*p == '\\' && p[1] && (quote || depth))
				p++;
			else if (*p == '"' && !depth)
				quote = !quote;
			else if (!quote && *p == '(')
				depth++;
			else if (!quote && *p == ')' && depth)
				depth--;
			else if (*p == '\0' || (*p == ',' && !quote && !depth)) {
				int end = *p == '\0';
				*p = '\0';
				if (item_parse(&a, item) == 0) {
					addr_collect(a, esc, cs, v, n, &cap);
					mu_address_destroy(&a);
				}
				if (end)
					break;
				item = p + 1;
			}
		}
	}
	free(s);
}

/* All addresses of every occurrence of header name. */
static void
addrs_header(mu_header_t hdr, const char *name, const char *cs,
    struct mail_addr **v, size_t *n)
{
	char *raw;

	for (int i = 1; (raw = hdr_raw_n(hdr, name, i)) != NULL; i++) {
		addrs_parse(raw, cs, v, n);
		free(raw);
	}
}

static void
addrs_free(struct mail_addr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].email);
		free(v[i].name);
	}
	free(v);
}

/* The email of the first address in a header value, or NULL. */
static char *
addr_first_email(const char *raw)
{
	struct mail_addr *v = NULL;
	size_t n = 0;
	char *e = NULL;

	addrs_parse(raw, NULL, &v, &n);
	if (n > 0) {
		e = v[0].email;
		v[0].email = NULL;
	}
	addrs_free(v, n);
	return e;
}

const char *
mail_reply_address(const struct mail *m)
{
	for (size_t i = 0; i < m->nreply_to; i++)
		if (m->reply_to[i].email && *m->reply_to[i].email)
			return m->reply_to[i].email;
	return m->from.email;
}

/* ---------------------------------------------------------------- */
/* Date                                                             */
/* ---------------------------------------------------------------- */

static time_t
date_parse(const char *s)
{
	struct tm tm;
	struct mu_timezone tz;
	const char *p = s;
	time_t t = 0, zero = 0;

	p += strspn(p, " \t");
	if (mu_parse822_date_time(&p, p + strlen(p), &tm, &tz) == 0)
		return mu_datetime_to_utc(&tm, &tz);
	/*
	 * Looser formats.  Relative to the epoch, anything without a full
	 * date ("12:00", "monday") lands in 1970 and is refused.
	 */
	if (mu_parse_date(s, &t, &zero) == 0 && t > 366 * 86400)
		return t;
	return 0;
}

time_t
mail_date_parse(const char *s)
{
	return s ? date_parse(s) : 0;
}

/* ---------------------------------------------------------------- */
/* MIME walk                                                        */
/* ---------------------------------------------------------------- */

struct ctinfo {
	char *type;		/* "text/plain" */
	char *charset;		/* NULL if none */
	char *name;		/* Content-Type name parameter, decoded */
};

/* An RFC 2045 token: printable ASCII without space and tspecials. */
static int
is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7F || strchr("()<>@,;:\\\"/[]?=", *p))
			return 0;
	return 1;
}

static void
ctinfo_get(mu_header_t hdr, struct ctinfo *ci)
{
	char *raw = hdr_raw_n(hdr, MU_HEADER_CONTENT_TYPE, 1);
	mu_content_type_t ct = NULL;
	struct mu_mime_param *p;

	memset(ci, 0, sizeof(*ci));
	if (raw && mu_content_type_parse_ext(raw, NULL,
	    MU_CONTENT_TYPE_RELAXED | MU_CONTENT_TYPE_PARAM, &ct) == 0) {
		/*
		 * A type that is not token/token (mailutils' relaxed parser
		 * takes "image/png\033[2J") is invalid, and read as none:
		 * text/plain, as RFC 2045 5.2 recommends.
		 */
		if (is_token(ct->type) && is_token(ct->subtype)) {
			ci->type = xasprintf("%s/%s", ct->type, ct->subtype);
			str_lower(ci->type);
		}
		if (ct->param && (p = mu_assoc_get(ct->param, "charset")) &&
		    p->value)
			ci->charset = clean_or_null(p->value);
		mu_content_type_destroy(&ct);
	}
	if (raw)
		ci->name = hdr_param(raw, "name", NULL);
	if (ci->type == NULL)
		ci->type = xstrdup("text/plain");	/* RFC 2045 5.2 */
	free(raw);
}

static void
ctinfo_free(struct ctinfo *ci)
{
	free(ci->type);
	free(ci->charset);
	free(ci->name);
}

static struct mail_part *
part_new(struct walk *w, int depth)
{
	struct mail *m = w->m;
	struct mail_part *p;

	if (m->nparts == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		m->parts = xrealloc(m->parts, w->cap * sizeof(*m->parts));
	}
	p = &m->parts[m->nparts++];
	memset(p, 0, sizeof(*p));
	p->depth = depth < 1 ? 1 : depth;
	return p;
}

static size_t
body_size(mu_message_t msg)
{
	mu_body_t body;
	size_t size = 0;

	if (mu_message_get_body(msg, &body) == 0)
		mu_body_size(body, &size);
	return size;
}

/*
 * Lists msg as one leaf part; remembers inline text parts for the body.
 * A multipart without parts (no boundary, or none found) is read as
 * text/plain, as mutt does: its bytes are all there is to show.
 */
static void
leaf(struct walk *w, mu_message_t msg, int depth, int no_parts)
{
	mu_header_t hdr;
	struct ctinfo ci;
	struct mail_part *p;
	char *disp = NULL, *raw, *fname = NULL;
	int is_att;

	if (mu_message_get_header(msg, &hdr) != 0)
		return;
	ctinfo_get(hdr, &ci);
	if (no_parts && strncmp(ci.type, "multipart/", 10) == 0) {
		free(ci.type);
		ci.type = xstrdup("text/plain");
	}
	raw = hdr_raw_n(hdr, MU_HEADER_CONTENT_DISPOSITION, 1);
	if (raw) {
		fname = hdr_param(raw, "filename", &disp);
		free(raw);
	}
	if (fname == NULL && ci.name) {
		fname = ci.name;
		ci.name = NULL;
	}
	/*
	 * Anything but text is an attachment, named or not: a part with
	 * neither a filename nor a disposition (a forwarded message/rfc822,
	 * an image some mailers send bare) was listed nowhere, as mutt
	 * lists every part.
	 */
	is_att = (disp && strcmp(disp, "attachment") == 0) ||
	    strncmp(ci.type, "text/", 5) != 0;

	p = part_new(w, depth);
	p->type = ci.type;
	ci.type = NULL;
	p->filename = fname;
	p->size = body_size(msg);
	p->attachment = is_att;
	p->msg = msg;

	if (!is_att && w->plain == NULL && strcmp(p->type, "text/plain") == 0) {
		w->plain = msg;
		w->plain_cs = ci.charset;
		ci.charset = NULL;
	} else if (!is_att && w->html == NULL &&
	    strcmp(p->type, "text/html") == 0) {
		w->html = msg;
		w->html_cs = ci.charset;
		ci.charset = NULL;
	}
	free(disp);
	ctinfo_free(&ci);
}

static void
walk(struct walk *w, mu_message_t msg, int depth)
{
	int multi = 0;
	size_t n = 0;

	if (w->m->nparts >= MAIL_MAX_PARTS) {
		w->m->truncated = 1;
		return;
	}
	if (mu_message_is_multipart(msg, &multi) != 0 || !multi ||
	    mu_message_get_num_parts(msg, &n) != 0 || n == 0) {
		leaf(w, msg, depth, 1);
		return;
	}
	if (depth >= MAIL_MAX_DEPTH) {
		/* Too deep: list the container, decode nothing below it. */
		leaf(w, msg, depth, 0);
		w->m->truncated = 1;
		return;
	}
	for (size_t i = 1; i <= n; i++) {
		mu_message_t part;

		if (w->m->nparts >= MAIL_MAX_PARTS) {
			w->m->truncated = 1;
			return;
		}
		if (mu_message_get_part(msg, i, &part) != 0)
			continue;
		walk(w, part, depth + 1);
	}
}

/* ---------------------------------------------------------------- */
/* Body text                                                        */
/* ---------------------------------------------------------------- */

static int
is_ascii_cs(const char *cs)
{
	return cs == NULL || strcasecmp(cs, "us-ascii") == 0 ||
	    strcasecmp(cs, "ascii") == 0;
}

/* Opens the body of msg with its transfer encoding undone. */
static int
body_decoder(mu_message_t msg, mu_stream_t *dec)
{
	mu_header_t hdr;
	mu_body_t body;
	mu_stream_t raw;
	char *cte;
	int rc;

	if ((rc = mu_message_get_header(msg, &hdr)) != 0 ||
	    (rc = mu_message_get_body(msg, &body)) != 0 ||
	    (rc = mu_body_get_streamref(body, &raw)) != 0)
		return rc;
	/* An unknown transfer encoding leaves the bytes as they are. */
	cte = hdr_token(hdr, MU_HEADER_CONTENT_TRANSFER_ENCODING);
	if (cte == NULL || (rc = open_decoder(raw, cte, dec)) != 0)
		rc = open_decoder(raw, NULL, dec);
	mu_stream_destroy(&raw);	/* dec holds its own reference */
	free(cte);
	return rc;
}

/*
 * Whether text declared UTF-8 is single-byte text in fact (Latin-1 sent
 * as UTF-8, as Netscape did): not valid UTF-8, and not one valid
 * multi-byte sequence in it.
 */
static int
mislabelled_utf8(const char *s, size_t len)
{
	if (utf8_valid(s, len))
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n > 1)
			return 0;
		i += n;
	}
	return 1;
}

/*
 * Decoded body of a text part as valid UTF-8, at most TEXT_MAX bytes read.
 * Undeclared (or "ASCII") 8-bit text is taken as windows-1252 unless it
 * is UTF-8, and so is text declared UTF-8 without one UTF-8 sequence in
 * it; an unknown charset gets transfer decoding only.
 */
static char *
text_decode(mu_message_t msg, const char *cs)
{
	mu_stream_t dec;
	struct sbuf sb = SBUF_INIT;
	int declared = !is_ascii_cs(cs);
	char *out;

	if (body_decoder(msg, &dec) == 0) {
		slurp(dec, TEXT_MAX, &sb);
		mu_stream_destroy(&dec);
	}
	if (sb.len > 0 && (declared || !utf8_valid(sb.buf, sb.len))) {
		size_t n;
		const char *from = declared ? cs : FALLBACK_CS;
		char *r;

		if (declared && is_utf8_cs(cs) && mislabelled_utf8(sb.buf, sb.len))
			from = FALLBACK_CS;
		/* An unknown charset gets transfer decoding only. */
		r = recode(sb.buf, sb.len, from, &n);

		if (r) {
			sbuf_reset(&sb);
			sbuf_add(&sb, r, n);
			free(r);
		}
	}
	out = utf8_clean(sb.buf ? sb.buf : "", sb.len, 0);
	sbuf_free(&sb);
	return out;
}

/* Length of the tag name at s (after '<' and an optional '/'). */
static size_t
tag_name(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]))
		n++;
	return n;
}

static int
tag_is(const char *s, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp(s, name, n) == 0;
}

static int
tag_breaks(const char *s, size_t n)
{
	static const char *const block[] = {
		"p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3",
		"h4", "h5", "h6", "blockquote", "pre", "hr", "title",
	};

	for (size_t i = 0; i < LEN(block); i++)
		if (tag_is(s, n, block[i]))
			return 1;
	return 0;
}

/* Skips past "</name ...>" (case-insensitive) or to the end. */
static const char *
skip_element(const char *p, const char *name)
{
	size_t n = strlen(name);

	for (; *p; p++)
		if (p[0] == '<' && p[1] == '/' &&
		    strncasecmp(p + 2, name, n) == 0) {
			const char *gt = strchr(p, '>');
			return gt ? gt + 1 : p + strlen(p);
		}
	return p;
}

/* Marks around a blockquote's text, for tidy_text to quote its lines. */
#define QUOTE_IN '\x01'
#define QUOTE_OUT '\x02'

/* html_to_text's state: the open link, whose address follows its text. */
struct html {
	struct sbuf sb;
	char *href;		/* of the open <a>, decoded; NULL when none or not shown */
	size_t text_at;		/* where its text starts in sb */
};

/* The decoded value of attribute name in the tag from p to gt; malloc'd, or NULL. */
static char *
tag_attr(const char *p, const char *gt, const char *name)
{
	size_t n = strlen(name);

	for (const char *a = p; a + n < gt; a++) {
		const char *v, *e;
		struct sbuf sb = SBUF_INIT;
		if (!isspace((unsigned char)a[-1]) || strncasecmp(a, name, n) != 0)
			continue;
		v = a + n + strspn(a + n, " \t\r\n");
		if (*v != '=')
			continue;
		v++;
		v += strspn(v, " \t\r\n");
		if (*v == '"' || *v == '\'') {
			e = memchr(v + 1, *v, (size_t)(gt - v - 1));
			v++;
		} else
			e = v + strcspn(v, " \t\r\n>");
		if (e == NULL || e > gt)
			e = gt;
		while (v < e) {
			uint32_t cp;
			size_t k = *v == '&' ? html_entity(v + 1, &cp) : 0;
			if (k && v + 1 + k <= e) {
				utf8_encode(&sb, cp);
				v += 1 + k;
			} else
				sbuf_addc(&sb, *v++);
		}
		return sbuf_detach(&sb);
	}
	return NULL;
}

/*
 * A link's address is shown after its text, "text <https://...>", as
 * mail clients write the text part of an HTML mail: the screenshot or
 * the page a customer links to is what the agent must open. Not when
 * the text says it already, nor for mailto:, cid: or page anchors.
 */
static void
link_open(struct html *h, const char *p, const char *gt)
{
	char *href = tag_attr(p, gt, "href");

	free(h->href);
	h->href = NULL;
	if (href && (str_starts(href, "http://") || str_starts(href, "https://") ||
	    str_starts(href, "ftp://")) && !strpbrk(href, " \t\r\n<>")) {
		h->href = href;
		h->text_at = h->sb.len;
	} else
		free(href);
}

static void
link_close(struct html *h)
{
	char *text, *bare;
	size_t n;

	if (h->href == NULL)
		return;
	/* the address without "https://" and a last "/", as link texts give it */
	bare = xstrdup(h->href + strcspn(h->href, ":") + 3);
	if ((n = strlen(bare)) > 0 && bare[n - 1] == '/')
		bare[n - 1] = '\0';
	text = xstrndup(h->sb.buf ? h->sb.buf + h->text_at : "", h->sb.len - h->text_at);
	if (*bare && strstr(text, bare) == NULL)
		sbuf_addf(&h->sb, " <%s>", h->href);
	free(text);
	free(bare);
	free(h->href);
	h->href = NULL;
}

/* Handles the markup at p ('<'); returns the position after it. */
static const char *
html_tag(const char *p, struct html *h)
{
	struct sbuf *sb = &h->sb;
	const char *name, *gt;
	size_t n;
	int close;

	if (strncmp(p, "<!--", 4) == 0) {
		const char *e = strstr(p + 4, "-->");
		return e ? e + 3 : p + strlen(p);
	}
	close = p[1] == '/';
	name = p + 1 + close;
	n = tag_name(name);
	gt = strchr(p, '>');
	gt = gt ? gt + 1 : p + strlen(p);
	if (n == 0 && !close && p[1] != '!' && p[1] != '?') {
		sbuf_addc(sb, '<');	/* a lone "<" in text */
		return p + 1;
	}
	if (!close && (tag_is(name, n, "script") || tag_is(name, n, "style")))
		return skip_element(gt, tag_is(name, n, "script") ? "script" :
		    "style");
	if (tag_is(name, n, "a")) {
		if (close)
			link_close(h);
		else
			link_open(h, name + n, gt - 1);
	} else if (tag_is(name, n, "blockquote")) {
		/* quoted as the text part of a reply quotes: "> " */
		sbuf_adds(sb, "\n\n");
		sbuf_addc(sb, close ? QUOTE_OUT : QUOTE_IN);
		sbuf_adds(sb, "\n\n");
	} else if (tag_is(name, n, "br"))
		sbuf_addc(sb, '\n');
	else if (tag_breaks(name, n))
		sbuf_adds(sb, "\n\n");
	else if (tag_is(name, n, "td") || tag_is(name, n, "th"))
		sbuf_addc(sb, ' ');
	return gt;
}

static void
quote_marks(struct sbuf *sb, int depth, int text)
{
	for (int i = 0; i < depth; i++)
		sbuf_addc(sb, '>');
	if (depth > 0 && text)
		sbuf_addc(sb, ' ');
}

/*
 * Collapses blanks, trims lines and keeps at most one empty line; the
 * lines between QUOTE_IN and QUOTE_OUT get "> " for each level, an
 * empty line inside a quote ">".
 */
static char *
tidy_text(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	int nl = 2, space = 0, depth = 0, line_depth = 0, blank = 0;

	for (; *s; s++) {
		if (*s == QUOTE_IN || *s == QUOTE_OUT) {
			depth += *s == QUOTE_IN ? 1 : depth > 0 ? -1 : 0;
		} else if (*s == '\n') {
			space = 0;
			if (nl == 1)
				blank = 1;	/* written before the next text, quoted as both sides are */
			nl++;
		} else if (*s == ' ' || *s == '\t') {
			space = 1;
		} else {
			if (nl > 0 && sb.len > 0) {
				sbuf_addc(&sb, '\n');
				if (blank) {
					quote_marks(&sb, depth < line_depth ? depth : line_depth, 0);
					sbuf_addc(&sb, '\n');
				}
			}
			if (nl > 0) {
				quote_marks(&sb, depth, 1);
				line_depth = depth;
			} else if (space)
				sbuf_addc(&sb, ' ');
			space = 0;
			nl = 0;
			blank = 0;
			sbuf_addc(&sb, *s);
		}
	}
	if (sb.len > 0)
		sbuf_addc(&sb, '\n');
	return sbuf_detach(&sb);
}

/* Crude HTML to text: drops markup, scripts and styles, decodes entities. */
static char *
html_to_text(const char *html)
{
	struct html h = { SBUF_INIT, NULL, 0 };
	const char *p = html;
	char *out;

	while (*p) {
		if (*p == '<') {
			p = html_tag(p, &h);
		} else if (*p == '&') {
			uint32_t cp;
			size_t n = html_entity(p + 1, &cp);

			if (n == 0)
				sbuf_addc(&h.sb, '&');
			else if (cp == 0xA0)	/* &nbsp;: a blank like any other */
				sbuf_addc(&h.sb, ' ');
			else
				utf8_encode(&h.sb, cp);
			p += 1 + n;
		} else if (*p == '\n' || *p == '\r' || *p == '\t' ||
		    *p == QUOTE_IN || *p == QUOTE_OUT) {
			sbuf_addc(&h.sb, ' ');
			p++;
		} else {
			sbuf_addc(&h.sb, *p++);
		}
	}
	free(h.href);
	out = tidy_text(h.sb.buf ? h.sb.buf : "");
	sbuf_free(&h.sb);
	return out;
}

static char *
best_text(struct walk *w)
{
	char *t, *c;

	if (w->plain)
		c = text_decode(w->plain, w->plain_cs);	/* clean already */
	else if (w->html) {
		char *h = text_decode(w->html, w->html_cs);

		t = html_to_text(h);
		free(h);
		c = utf8_clean(t, strlen(t), 0);
		free(t);
	} else
		return xstrdup("");
	utf8_truncate(c, TEXT_MAX);
	return c;
}

/* ---------------------------------------------------------------- */
/* Classification                                                   */
/* ---------------------------------------------------------------- */

static int
is_robot_address(const char *email)
{
	const char *at;
	size_t n;

	if (email == NULL)
		return 0;
	if (*email == '\0')
		return 1;	/* null sender, <> */
	at = strrchr(email, '@');
	n = at ? (size_t)(at - email) : strlen(email);
	return (n == 13 && strncasecmp(email, "mailer-daemon", n) == 0) ||
	    (n == 10 && strncasecmp(email, "postmaster", n) == 0);
}

/*
 * Whether the subject of a mail that answers one (In-Reply-To,
 * References or a ticket tag) is labelled as an out-of-office reply
 * before its first colon, as iCloud, Exchange and Outlook rules write
 * it without any RFC 3834 field ("Auto reply: ...", "Automatic reply:
 * ...", "Abwesenheitsnotiz: ..."). A new mail so labelled is a person's
 * ("Out of office: how do I set it up?").
 */
static int
ooo_subject(const struct mail *m)
{
	static const char *const labels[] = {
		"auto reply", "auto-reply", "autoreply", "auto response",
		"auto-response", "autoresponse", "automatic reply",
		"out of office", "out of office autoreply", "out of office reply",
		"out of the office", "automatische antwort", "abwesenheitsnotiz",
		"r\xc3\xa9ponse automatique", "respuesta autom\xc3\xa1tica",
		"risposta automatica", "automatisch antwoord", "autosvar",
		"automatisk svar",
	};
	const char *s = m->subject + strspn(m->subject, " \t"), *colon = strchr(s, ':');
	ticket_id tag;
	size_t n;

	if (colon == NULL || !(m->in_reply_to || m->nreferences ||
	    id_from_subject(m->subject, tag) == 0))
		return 0;
	for (n = (size_t)(colon - s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
		;
	for (size_t i = 0; i < LEN(labels); i++)
		if (strlen(labels[i]) == n && strncasecmp(s, labels[i], n) == 0)
			return 1;
	return 0;
}

/* X-Auto-Response-Suppress: All, which Exchange puts on its own automatic replies. */
static int
suppresses_all(mu_header_t hdr)
{
	char *raw = hdr_raw_n(hdr, "X-Auto-Response-Suppress", 1), *save = NULL;
	int yes = 0;

	for (char *w = raw ? strtok_r(raw, " \t,", &save) : NULL; w && !yes;
	    w = strtok_r(NULL, " \t,", &save))
		yes = strcasecmp(w, "all") == 0;
	free(raw);
	return yes;
}

static int
detect_auto(struct mail *m, mu_header_t hdr)
{
	static const char *const present[] = {
		"List-Id", "List-Unsubscribe", "List-Post", "Mailing-List",
		"X-Loop", "X-Autoreply", "X-Autorespond", "X-Autogenerated",
	};
	char *v;
	int yes = 0;

	if ((v = hdr_token(hdr, "Auto-Submitted")) != NULL) {
		yes = strcmp(v, "no") != 0;
		free(v);
	}
	/* auto_reply: cPanel's, Exim's and many web forms' autoresponders */
	if (!yes && (v = hdr_token(hdr, "Precedence")) != NULL) {
		yes = strcmp(v, "bulk") == 0 || strcmp(v, "list") == 0 ||
		    strcmp(v, "junk") == 0 || strcmp(v, "auto_reply") == 0;
		free(v);
	}
	for (size_t i = 0; !yes && i < LEN(present); i++)
		yes = hdr_has(hdr, present[i]);
	if (!yes)
		yes = suppresses_all(hdr) || ooo_subject(m);
	/* a report (RFC 6522: DSN, MDN, ARF, TLS-RPT) is never answered */
	if (!yes && (v = hdr_token(hdr, MU_HEADER_CONTENT_TYPE)) != NULL) {
		yes = strcmp(v, "multipart/report") == 0;
		free(v);
	}
	if (!yes)
		yes = is_robot_address(m->from.email) ||
		    is_robot_address(m->sender);
	return yes;
}

/* SpamAssassin's default required_score: what a bare score is measured by. */
#define SPAM_REQUIRED 5.0

/* X-Spam-Score's number or X-Spam-Level's stars; -1 when neither says one. */
static double
spam_score(mu_header_t hdr)
{
	char *raw, *p, *end;
	double score = -1;

	if ((raw = hdr_raw_n(hdr, "X-Spam-Score", 1)) != NULL) {
		p = raw + strspn(raw, " \t");
		score = strtod(p, &end);
		if (end == p)
			score = -1;
	} else if ((raw = hdr_raw_n(hdr, "X-Spam-Level", 1)) != NULL) {
		p = raw + strspn(raw, " \t");
		score = (double)strspn(p, "*");
	}
	free(raw);
	return score;
}

/*
 * A spam filter's verdict. A yes from any of SpamAssassin's X-Spam-Flag
 * and X-Spam-Status, rspamd's X-Spam or the "spam, score=..." form of
 * X-Spam-Score marks the mail: the filter measured it by its own
 * required score. Only a mail no header gives a verdict for is measured
 * by its bare score (X-Spam-Score: 7.3, X-Spam-Level: *******) against
 * SpamAssassin's default, 5. The mail is kept; only the acknowledgement,
 * which would go to a forged sender, is not sent.
 */
static int
detect_spam(mu_header_t hdr)
{
	static const char *const flag[] = {
		"X-Spam-Flag", "X-Spam-Status", "X-Spam", "X-Spam-Score"
	};
	char *v;
	int yes = 0, said = 0;

	for (size_t i = 0; !yes && i < LEN(flag); i++)
		if ((v = hdr_token(hdr, flag[i])) != NULL) {
			yes = strcmp(v, "yes") == 0 || strcmp(v, "spam") == 0;
			said |= strcmp(v, "no") == 0 || strcmp(v, "ham") == 0;
			free(v);
		}
	return yes || (!said && spam_score(hdr) >= SPAM_REQUIRED);
}

/* ---------------------------------------------------------------- */
/* Field extraction                                                 */
/* ---------------------------------------------------------------- */

static char *
envelope_sender(struct mail_priv *pr)
{
	mu_envelope_t env;
	const char *s;
	char *c;
	size_t n;

	if (!pr->envelope || mu_message_get_envelope(pr->msg, &env) != 0 ||
	    mu_envelope_sget_sender(env, &s) != 0 || s == NULL)
		return NULL;
	c = utf8_clean(s, strlen(s), 1);
	n = strlen(c);
	if (n >= 2 && c[0] == '<' && c[n - 1] == '>') {
		memmove(c, c + 1, n - 2);
		c[n - 2] = '\0';
	}
	return lower_domain(c);
}

static char *
return_path(mu_header_t hdr)
{
	char *raw = hdr_raw_n(hdr, "Return-Path", 1), *e;

	if (raw == NULL)
		return NULL;
	e = addr_first_email(raw);
	if (e == NULL) {
		char *t = str_trim(raw);

		if (strcmp(t, "<>") == 0)
			e = xstrdup("");
	}
	free(raw);
	return e;
}

static char *
first_language(mu_header_t hdr)
{
	char *raw = hdr_raw_n(hdr, "Content-Language", 1), *t, *c;
	size_t n;

	if (raw == NULL)
		return NULL;
	t = raw + strspn(raw, " \t,");
	n = strcspn(t, " \t,;");
	c = xstrndup(t, n);
	free(raw);
	t = clean_or_null(c);
	free(c);
	return t ? str_lower(t) : NULL;
}

/*
 * The charset of header bytes no encoded word declares: the message's
 * own (Content-Type charset), as mail readers take it, when iconv knows
 * it and it is not UTF-8 or ASCII; else NULL (windows-1252).
 */
static char *
header_charset(mu_header_t hdr)
{
	char *raw = hdr_raw_n(hdr, MU_HEADER_CONTENT_TYPE, 1), *cs;

	if (raw == NULL)
		return NULL;
	cs = hdr_param(raw, "charset", NULL);
	free(raw);
	if (cs && (is_ascii_cs(cs) || is_utf8_cs(cs) || !charset_known(cs))) {
		free(cs);
		cs = NULL;
	}
	return cs;
}

/*
 * The Subject, decoded and cut to MAIL_SUBJECT_MAX characters: a mail
 * may carry megabytes of it (ingest.max-bytes is 50 MB), which the
 * ticket's field, its log and its commit message would each hold again.
 * The raw value is cut first, well beyond what that many characters take
 * encoded, so decoding costs no more than that either. "" when missing.
 */
static char *
subject_decode(mu_header_t hdr, const char *cs)
{
	char *raw = hdr_raw_n(hdr, MU_HEADER_SUBJECT, 1), *v;
	size_t n;

	if (raw == NULL)
		return xstrdup("");
	if (strlen(raw) > SUBJECT_RAW_MAX)
		raw[SUBJECT_RAW_MAX] = '\0';
	v = hdr_decode(raw, cs);
	free(raw);
	if (v[n = utf8_prefix(v, MAIL_SUBJECT_MAX)] != '\0') {
		v[n] = '\0';
		str_trim(v);
	}
	return v;
}

static int parse_buf(const char *buf, size_t len, int nested, struct mail **out);

#define ATTACHED_MAX_DEPTH 3	/* a forward of a forward of a forward is read, no deeper */

/*
 * A message attached to this one (message/rfc822: a mail forwarded as
 * an attachment, Outlook's and Thunderbird's way) as a reader sees it
 * below the text: its header fields, then its own text.
 */
/*
 * Outlook forwards a message with an empty line inside its header, just
 * before Content-Type (Request Tracker keeps such a mail as a test): its
 * MIME fields then read as the body, base64 and boundaries shown as
 * text. An empty line followed by Content-Type, in a header that has
 * none, is taken out.
 */
static void
outlook_blank_line(char *buf, size_t *len)
{
	size_t end, skip;

	for (end = 0; end < *len; end++)
		if (buf[end] == '\n' && (end == 0 || buf[end - 1] == '\n' ||
		    (buf[end - 1] == '\r' && end >= 2 && buf[end - 2] == '\n')))
			break;
	if (end == 0 || end >= *len || end + 1 + 13 > *len ||
	    strncasecmp(buf + end + 1, "Content-Type:", 13) != 0)
		return;
	for (size_t i = 0; i < end; i++)
		if ((i == 0 || buf[i - 1] == '\n') && strncasecmp(buf + i, "Content-Type:", 13) == 0)
			return;
	skip = buf[end - 1] == '\r' ? 2 : 1;	/* the empty line's own line end */
	memmove(buf + end + 1 - skip, buf + end + 1, *len - end - 1);
	*len -= skip;
	buf[*len] = '\0';
}

static void
add_attached(struct sbuf *sb, const struct mail *m, size_t i, int nested)
{
	static const char *const fields[] = { "From", "Date", "Subject", "To", "Cc" };
	struct mail *a;
	char *buf;
	size_t len;

	if (mail_part_body(m, i, &buf, &len) != 0)
		return;
	outlook_blank_line(buf, &len);
	if (parse_buf(buf, len, nested + 1, &a) == 0) {
		if (sb->len)
			sbuf_addc(sb, '\n');
		sbuf_adds(sb, "-------- Attached message --------\n");
		for (size_t k = 0; k < LEN(fields); k++) {
			char *v = mail_header(a, fields[k]);
			if (v && *v)
				sbuf_addf(sb, "%s: %s\n", fields[k], v);
			free(v);
		}
		sbuf_addc(sb, '\n');
		sbuf_adds(sb, a->text);
		mail_free(a);
	}
	free(buf);
}

/*
 * The text of m's attached messages after its own text. Not of a report
 * (a bounce, an abuse report, a read receipt): the message it returns is
 * the desk's own or the complained-of mail, not the sender's words.
 */
static char *
with_attached(struct mail *m, mu_header_t hdr, char *text, int nested)
{
	struct sbuf sb = SBUF_INIT;
	char *ct;
	int report, any = 0;

	for (size_t i = 0; i < m->nparts && !any; i++)
		any = strcmp(m->parts[i].type, "message/rfc822") == 0;
	if (!any || nested >= ATTACHED_MAX_DEPTH)
		return text;
	ct = hdr_token(hdr, MU_HEADER_CONTENT_TYPE);
	report = ct && strcmp(ct, "multipart/report") == 0;
	free(ct);
	if (report)
		return text;
	sbuf_adds(&sb, text);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	if (sb.len)
		sbuf_addc(&sb, '\n');
	for (size_t i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].type, "message/rfc822") == 0)
			add_attached(&sb, m, i, nested);
	free(text);
	text = sbuf_detach(&sb);
	utf8_truncate(text, TEXT_MAX);
	return text;
}

static void
extract(struct mail *m, struct mail_priv *pr, int nested)
{
	mu_header_t hdr = pr->hdr;
	struct mail_addr *v = NULL;
	size_t n = 0;
	char *raw;
	struct walk w;

	m->message_id = msgid_first(hdr, MU_HEADER_MESSAGE_ID);
	m->in_reply_to = msgid_first(hdr, MU_HEADER_IN_REPLY_TO);
	if ((raw = hdr_raw_n(hdr, MU_HEADER_REFERENCES, 1)) != NULL) {
		m->nreferences = msgids_parse(raw, SIZE_MAX, &m->references);
		free(raw);
	}
	pr->hdr_cs = header_charset(hdr);
	m->subject = subject_decode(hdr, pr->hdr_cs);
	if ((raw = hdr_raw_n(hdr, MU_HEADER_FROM, 1)) != NULL) {
		addrs_parse(raw, pr->hdr_cs, &v, &n);
		free(raw);
		if (n > 0) {
			m->from = v[0];
			v[0].email = v[0].name = NULL;
		}
		addrs_free(v, n);
	}
	addrs_header(hdr, MU_HEADER_TO, pr->hdr_cs, &m->to, &m->nto);
	addrs_header(hdr, MU_HEADER_CC, pr->hdr_cs, &m->cc, &m->ncc);
	addrs_header(hdr, MU_HEADER_REPLY_TO, pr->hdr_cs, &m->reply_to,
	    &m->nreply_to);
	m->sender = envelope_sender(pr);
	if (m->sender == NULL)
		m->sender = return_path(hdr);
	if ((raw = hdr_raw_n(hdr, MU_HEADER_DATE, 1)) != NULL) {
		m->date = date_parse(raw);
		free(raw);
	}
	m->content_language = first_language(hdr);
	m->auto_submitted = detect_auto(m, hdr);
	m->spam = detect_spam(hdr);

	memset(&w, 0, sizeof(w));
	w.m = m;
	walk(&w, pr->msg, 0);
	m->text = best_text(&w);
	m->cmd_secret = mailcmd_take_secret(m->text);
	m->text = with_attached(m, hdr, m->text, nested);
	free(w.plain_cs);
	free(w.html_cs);
}

/* ---------------------------------------------------------------- */
/* Public API                                                       */
/* ---------------------------------------------------------------- */

static int
has_core_header(mu_header_t hdr)
{
	static const char *const core[] = {
		MU_HEADER_FROM, MU_HEADER_TO, MU_HEADER_SUBJECT, MU_HEADER_DATE,
		MU_HEADER_MESSAGE_ID,
	};

	for (size_t i = 0; i < LEN(core); i++)
		if (hdr_has(hdr, core[i]))
			return 1;
	return 0;
}

/* Opens the message in pr->buf, repairing a missing separator. */
static int
open_message(struct mail_priv *pr)
{
	size_t nf = 0, bad;
	int rc;

	/* A text line among the header fields ends the header block. */
	if ((bad = bad_header_line(pr->buf, pr->len)) != (size_t)-1)
		insert_separator(pr, bad);
	if ((rc = priv_open(pr)) != 0)
		return rt_fail(EX_DATAERR, "not a mail message: %s",
		    mu_strerror(rc));
	if (mu_header_get_field_count(pr->hdr, &nf) != 0 || nf == 0)
		return rt_fail(EX_DATAERR,
		    "not a mail message: no header fields");
	if (!has_core_header(pr->hdr))
		return rt_fail(EX_DATAERR, "not a mail message: none of From, "
		    "To, Subject, Date or Message-Id is present");
	return 0;
}

int
mail_parse_buf(const char *buf, size_t len, struct mail **out)
{
	return parse_buf(buf, len, 0, out);
}

/* nested: how many attached messages deep buf is (add_attached). */
static int
parse_buf(const char *buf, size_t len, int nested, struct mail **out)
{
	struct mail_priv *pr;
	struct mail *m;
	size_t first;
	int rc;

	*out = NULL;
	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	pr = xcalloc(1, sizeof(*pr));
	pr->buf = normalise(buf, len, &pr->len);
	if (pr->len == 0) {
		free(pr->buf);
		free(pr);
		return rt_fail(EX_DATAERR, "not a mail message: empty input");
	}
	first = line_len(pr->buf, pr->len);
	while (is_from_line(pr->buf, first) && is_blank_line(pr->buf + 5, first - 5)) {
		/* "From " with no sender: libmailutils reads past it; drop it */
		size_t skip = first + (first < pr->len);
		memmove(pr->buf, pr->buf + skip, pr->len - skip + 1);
		pr->len -= skip;
		first = line_len(pr->buf, pr->len);
	}
	pr->envelope = is_from_line(pr->buf, first);
	if (!pr->envelope && !is_field_line(pr->buf, first)) {
		free(pr->buf);
		free(pr);
		return rt_fail(EX_DATAERR, "not a mail message: the first line "
		    "is not a header field");
	}
	if ((rc = open_message(pr)) != 0) {
		priv_close(pr);
		free(pr->buf);
		free(pr);
		return rc;
	}
	m = xcalloc(1, sizeof(*m));
	m->priv = pr;
	extract(m, pr, nested);
	*out = m;
	return 0;
}

int
mail_parse_file(const char *path, struct mail **out)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (read_file(path, &buf, &len) != 0)
		return rt_fail(errno == ENOENT ? EX_NOINPUT : EX_IOERR,
		    "%s: %s", path, strerror(errno));
	rc = mail_parse_buf(buf, len, out);
	free(buf);
	return rc;
}

void
mail_free(struct mail *m)
{
	struct mail_priv *pr;

	if (m == NULL)
		return;
	free(m->message_id);
	free(m->in_reply_to);
	strv_free(m->references, m->nreferences);
	free(m->subject);
	free(m->from.email);
	free(m->from.name);
	addrs_free(m->to, m->nto);
	addrs_free(m->cc, m->ncc);
	addrs_free(m->reply_to, m->nreply_to);
	free(m->sender);
	free(m->content_language);
	free(m->text);
	if (m->cmd_secret)
		explicit_bzero(m->cmd_secret, strlen(m->cmd_secret));
	free(m->cmd_secret);
	for (size_t i = 0; i < m->nparts; i++) {
		free(m->parts[i].type);
		free(m->parts[i].filename);
	}
	free(m->parts);
	if ((pr = m->priv) != NULL) {
		priv_close(pr);
		free(pr->hdr_cs);
		free(pr->buf);
		free(pr);
	}
	free(m);
}

char *
mail_header_raw_n(struct mail *m, const char *name, int n)
{
	struct mail_priv *pr = m ? m->priv : NULL;

	if (pr == NULL || pr->hdr == NULL || name == NULL || n < 1)
		return NULL;
	return hdr_raw_n(pr->hdr, name, n);
}

char *
mail_header_raw(struct mail *m, const char *name)
{
	return mail_header_raw_n(m, name, 1);
}

char *
mail_header(struct mail *m, const char *name)
{
	char *raw = mail_header_raw(m, name), *v;

	if (raw == NULL)
		return NULL;
	v = hdr_decode(raw, ((struct mail_priv *)m->priv)->hdr_cs);
	free(raw);
	return v;
}

size_t
mail_part_size(const struct mail *m, size_t i)
{
	char tmp[8192];
	mu_stream_t dec;
	size_t n, size = 0;

	if (i >= m->nparts || m->parts[i].msg == NULL || body_decoder(m->parts[i].msg, &dec) != 0)
		return i < m->nparts ? m->parts[i].size : 0;
	while (mu_stream_read(dec, tmp, sizeof(tmp), &n) == 0 && n > 0)
		size += n;
	mu_stream_destroy(&dec);
	return size;
}

int
mail_part_body(const struct mail *m, size_t i, char **buf, size_t *len)
{
	struct sbuf sb = SBUF_INIT;
	mu_stream_t dec;
	int rc;

	if (i >= m->nparts || m->parts[i].msg == NULL)
		return rt_fail(EX_NOINPUT, "no part %zu", i + 1);
	if ((rc = body_decoder(m->parts[i].msg, &dec)) != 0)
		return rt_fail(EX_DATAERR, "cannot decode part %zu: %s", i + 1, mu_strerror(rc));
	slurp(dec, SIZE_MAX, &sb);
	mu_stream_destroy(&dec);
	*len = sb.len;
	*buf = sb.buf ? sbuf_detach(&sb) : xstrdup("");
	return 0;
}
