/* bounce.c: what comes back for mail the desk sent (bounce.h) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "cache.h"
#include "id.h"
#include "kv.h"
#include "mail.h"
#include "ticket.h"
#include "util.h"

/*
 * The value of "Name:" at the start of a line of buf after off, unfolded
 * (a returned header may carry "Message-ID:" with the id on the next,
 * indented line, as Amazon WorkMail and Exchange write it) and trimmed;
 * malloc'd.
 */
static char *
field_after(const char *buf, size_t len, size_t off, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = off; i + n < len; i++) {
		if ((i == 0 || buf[i - 1] == '\n') && strncasecmp(buf + i, name, n) == 0) {
			struct sbuf sb = SBUF_INIT;
			const char *v = buf + i + n, *end = buf + len;
			char *s;
			for (;;) {
				const char *eol = memchr(v, '\n', (size_t)(end - v));
				size_t vlen = eol ? (size_t)(eol - v) : (size_t)(end - v);
				if (vlen && v[vlen - 1] == '\r')
					vlen--;
				sbuf_add(&sb, v, vlen);
				if (eol == NULL || eol + 1 >= end || (eol[1] != ' ' && eol[1] != '\t'))
					break;
				sbuf_addc(&sb, ' ');
				v = eol + 1;
			}
			s = xstrdup(str_trim(sb.buf ? sb.buf : ""));
			sbuf_free(&sb);
			return s;
		}
	}
	return NULL;
}

/* Offset of the body: after the first blank line. */
static size_t
body_offset(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (buf[i] == '\n' && (buf[i + 1] == '\n' ||
		    (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')))
			return i + 1;
	return len;
}

static const char *
classify(struct mail *m)
{
	char *ct = mail_header_raw(m, "Content-Type"), *as = mail_header_raw(m, "Auto-Submitted");
	const char *kind = NULL, *local = m->from.email ? m->from.email : "";

	if (ct && strcasestr(ct, "multipart/report") && strcasestr(ct, "feedback-report"))
		kind = "arf";
	else if (ct && strcasestr(ct, "multipart/report") && strcasestr(ct, "delivery-status"))
		kind = "dsn";
	else if ((m->sender && *m->sender == '\0') || (m->from.email && *m->from.email == '\0') ||
	    strncasecmp(local, "mailer-daemon@", 14) == 0 || strncasecmp(local, "postmaster@", 11) == 0)
		/* Exim, qmail, Exchange: a bounce without a report; DragonFly's "From: MAILER-DAEMON <>" */
		kind = "dsn";
	else if ((as && strncasecmp(str_trim(as), "auto-replied", 12) == 0) || m->auto_submitted)
		kind = "auto-reply";
	free(ct);
	free(as);
	return kind;
}

/* Is msgid a mail the desk sent? Sets b->id to its ticket. */
static int
ours(struct desk *d, const char *msgid, struct bounce *b)
{
	struct kvmap t = KVMAP_INIT;
	struct evlog log = { 0 };
	ticket_id found;
	int yes = 0;

	if (cache_find_msgid(d, msgid, found) != 0 || ticket_load(d, found, &t, &log) != 0)
		return 0;
	for (size_t i = 0; i < log.n && !yes; i++) {
		const char *ev = kv_get(&log.ev[i], "ev"), *mid = kv_get(&log.ev[i], "message-id");
		yes = ev && mid && strcmp(ev, "mail-out") == 0 && strcmp(mid, msgid) == 0;
	}
	if (yes)
		cache_resolve(d, found, b->id) == 0 || (memcpy(b->id, found, sizeof(b->id)), 0);
	kv_free(&t);
	log_free(&log);
	return yes;
}

int
bounce_ours(struct desk *d, const char *msgid, ticket_id out)
{
	struct bounce b;

	memset(&b, 0, sizeof(b));
	if (!ours(d, msgid, &b))
		return 0;
	memcpy(out, b.id, sizeof(b.id));
	return 1;
}

/* "<a@b>" or "a@b" -> "a@b"; malloc'd. */
static char *
bare_id(const char *s)
{
	const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	return lt && gt ? xstrndup(lt + 1, (size_t)(gt - lt - 1)) : xstrdup(s);
}

/* Message-Ids in the returned headers or message: every "Message-Id:" line of the body. */
static int
find_returned(struct desk *d, const char *buf, size_t len, struct bounce *b)
{
	for (size_t off = body_offset(buf, len); off < len;) {
		char *v = field_after(buf, len, off, "Message-Id:"), *id;
		const char *at;
		if (v == NULL)
			return 0;
		id = bare_id(v);
		at = strcasestr(buf + off, "Message-Id:");
		off = at ? (size_t)(at - buf) + 11 : len;
		free(v);
		if (*id && ours(d, id, b)) {
			b->refers = id;
			return 1;
		}
		free(id);
	}
	return 0;
}

/* The ticket tag in a returned Subject: (Postfix returns no Message-Id without one). */
static int
find_returned_tag(struct desk *d, const char *buf, size_t len, struct bounce *b)
{
	ticket_id tag;

	for (size_t off = body_offset(buf, len); off < len;) {
		char *v = field_after(buf, len, off, "Subject:");
		const char *at;
		int found;
		if (v == NULL)
			return 0;
		at = strcasestr(buf + off, "\nSubject:");
		off = at ? (size_t)(at - buf) + 9 : len;
		found = id_from_subject(v, tag) == 0 && cache_resolve(d, tag, b->id) == 0;
		free(v);
		if (found) {
			b->refers = xasprintf("tag #%s", b->id);
			return 1;
		}
	}
	return 0;
}

int
bounce_find(struct desk *d, struct mail *m, const char *buf, size_t len, struct bounce *b)
{
	char *rcpt;

	memset(b, 0, sizeof(*b));
	if ((b->kind = classify(m)) == NULL)
		return 0;
	if (m->in_reply_to && ours(d, m->in_reply_to, b))
		b->refers = xstrdup(m->in_reply_to);
	for (size_t i = m->nreferences; b->refers == NULL && i-- > 0;)
		if (ours(d, m->references[i], b))
			b->refers = xstrdup(m->references[i]);
	if (b->refers == NULL && strcmp(b->kind, "auto-reply") != 0 &&
	    !find_returned(d, buf, len, b))
		find_returned_tag(d, buf, len, b);
	if (b->refers == NULL) {
		b->kind = NULL;
		return 0;
	}
	if (strcmp(b->kind, "auto-reply") == 0)
		return 1;
	b->action = field_after(buf, len, 0, "Action:");
	rcpt = field_after(buf, len, 0, strcmp(b->kind, "arf") == 0 ? "Original-Rcpt-To:" :
	    "Final-Recipient:");
	if (rcpt) {
		char *semi = strchr(rcpt, ';'), *a = semi ? semi + 1 : rcpt;
		while (isspace((unsigned char)*a))
			a++;
		b->address = bare_id(a);
		str_lower(b->address);
		free(rcpt);
	}
	return 1;
}

void
bounce_free(struct bounce *b)
{
	free(b->refers);
	free(b->address);
	free(b->action);
	memset(b, 0, sizeof(*b));
}

int
bounce_is_bouncing(const struct kvmap *evs, size_t n, const char *addr)
{
	for (size_t i = n; addr && i-- > 0;) {
		const char *ev = kv_get(&evs[i], "ev"), *a = kv_get(&evs[i], "address");
		if (ev && a && strcmp(ev, "bounce") == 0 && strcasecmp(a, addr) == 0 &&
		    kv_get(&evs[i], "bouncing"))
			return 1;
	}
	return 0;
}
