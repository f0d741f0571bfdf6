/*
 * web_status.c: GET /status/TOKEN, a requestor's own tickets: state,
 * last update in the desk's time zone and the public conversation (the
 * requestor's mail and the desk's replies to them; never internal
 * notes, fields or other people's mail). The token is an HMAC of the
 * address under the desk secret: it cannot be guessed or enumerated,
 * and a token that is wrong, revoked or has no ticket shows the same
 * page. Revoked tokens are listed in .git/rt/web-revoked.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "desk.h"
#include "head.h"
#include "humantime.h"
#include "id.h"
#include "kv.h"
#include "mail.h"
#include "mailbox.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "web.h"
#include "webcrypt.h"

#define TOKEN_HEX 32
#define STATUS_MAX_TICKETS 50

static void
token_of(const char *secret, const char *address, char out[TOKEN_HEX + 1])
{
	unsigned char mac[SHA256_LEN];
	char *low = str_lower(xstrdup(address));
	const void *p[] = { "status:", low };
	size_t l[] = { 7, strlen(low) };

	hmac_sha256(secret, strlen(secret), p, l, 2, mac);
	hex_encode(mac, TOKEN_HEX / 2, out);
	free(low);
}

/*
 * The token is of the bare address, as the page matches requestors: a
 * "Name <addr>" given by hand must not make a token (or a revocation)
 * of something no requestor is.
 */
int
web_status_token(struct desk *d, const char *address, char out[TOKEN_HEX + 1])
{
	char *secret, *a = mailbox_addr(address);
	int rc = 0;

	for (const char *p = a; *p && rc == 0; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>,;\"", *p))
			rc = 1;
	if (rc != 0 || *a == '\0') {
		char *shown = utf8_clean(address, strlen(address), 1);
		rc = rt_fail(EX_USAGE, "'%s' is not a mail address", shown);
		free(shown);
	} else if ((rc = web_secret(d, &secret)) == 0) {
		token_of(secret, a, out);
		free(secret);
	}
	free(a);
	return rc;
}

char *
web_status_url(struct desk *d, const char *address)
{
	const char *base = desk_cfg_str(d, "web.base-url", NULL);
	char tok[TOKEN_HEX + 1];

	if (base == NULL || *base == '\0' || address == NULL || *address == '\0' ||
	    web_status_token(d, address, tok) != 0)
		return NULL;
	return xasprintf("%.*s/status/%s", (int)(strlen(base) - (base[strlen(base) - 1] == '/')),
	    base, tok);
}

static char *
revoked_path(struct desk *d)
{
	return xasprintf("%s/web-revoked", d->rtdir);
}

static int
revoked(struct desk *d, const char *token)
{
	char *path = revoked_path(d), *buf;
	size_t len;
	int found = 0;

	if (read_file(path, &buf, &len) == 0) {
		for (char *p = buf; *p && !found; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
			found = strncmp(p, token, TOKEN_HEX) == 0 &&
			    (p[TOKEN_HEX] == '\n' || p[TOKEN_HEX] == '\0');
		free(buf);
	}
	free(path);
	return found;
}

int
web_status_revoke(struct desk *d, const char *address, int on)
{
	char tok[TOKEN_HEX + 1], *path = revoked_path(d), *buf = NULL;
	struct sbuf sb = SBUF_INIT;
	size_t len = 0;
	int rc;

	if ((rc = web_status_token(d, address, tok)) != 0)
		goto out;
	if (read_file(path, &buf, &len) != 0)
		buf = xstrdup("");
	for (char *p = buf; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
		if (strncmp(p, tok, TOKEN_HEX) != 0) {
			sbuf_add(&sb, p, strcspn(p, "\n"));
			sbuf_addc(&sb, '\n');
		}
	if (on)
		sbuf_addf(&sb, "%s\n", tok);
	if (write_file_atomic(path, sb.buf ? sb.buf : "", sb.len, 1) != 0)
		rc = rt_fail(EX_TEMPFAIL, "cannot write '%s'", path);
out:
	free(buf);
	free(path);
	sbuf_free(&sb);
	return rc;
}

struct match {
	const char *secret, *token;
	char *address;		/* the requestor the token belongs to, once found */
	char **ids;
	size_t n;
};

static int
collect(const struct rec *r, void *arg)
{
	struct match *m = arg;
	const char *reqs = rec_get(r, "requestors"), *id = rec_get(r, "id");
	const char *st = rec_get(r, "status");
	char **items, tok[TOKEN_HEX + 1];
	size_t n;
	int hit = 0;

	if (reqs == NULL || id == NULL || (st && strcmp(st, "merged") == 0))
		return 0;
	n = kv_list_split(reqs, &items);
	for (size_t i = 0; i < n && !hit; i++) {
		char *a = mailbox_addr(items[i]);
		token_of(m->secret, a, tok);
		if (ct_equal(tok, TOKEN_HEX, m->token, strlen(m->token))) {
			hit = 1;
			if (m->address == NULL)
				m->address = xstrdup(a);
		}
		free(a);
	}
	strv_free(items, n);
	if (hit && m->n < STATUS_MAX_TICKETS) {
		m->ids = xrealloc(m->ids, (m->n + 1) * sizeof(*m->ids));
		m->ids[m->n++] = xstrdup(id);
	}
	return 0;
}

static const char *
state_label(const char *lang, const char *status)
{
	static const char *const known[] = { "new", "open", "waiting", "resolved", "closed" };
	char key[32];

	for (size_t i = 0; i < LEN(known); i++)
		if (status && strcmp(status, known[i]) == 0) {
			snprintf(key, sizeof(key), "state.%s", known[i]);
			return web_text(lang, key);
		}
	return web_text(lang, "state.other");
}

/* Whether an address list ("a@b, Name <c@d>") holds address. */
static int
list_has_address(const char *list, const char *address)
{
	char **items;
	size_t n = list ? kv_list_split(list, &items) : 0;
	int has = 0;

	for (size_t i = 0; i < n; i++) {
		char *a = mailbox_addr(items[i]);
		has |= strcasecmp(a, address) == 0;
		free(a);
	}
	if (n)
		strv_free(items, n);
	return has;
}

/* The text of a stored message, or NULL. */
static char *
message_text(struct desk *d, const char *id, const char *file)
{
	char *path = ticket_path(id, file), *buf, *text = NULL;
	struct mail *m;
	size_t len;

	if (desk_read_head(d, path, &buf, &len) == 0) {
		if (mail_parse_buf(buf, len, &m) == 0) {
			text = m->text ? xstrdup(m->text) : NULL;
			mail_free(m);
		}
		free(buf);
	}
	free(path);
	return text;
}

static void
conversation(struct desk *d, struct sbuf *b, const char *lang, const char *id,
    const struct evlog *log, const char *address)
{
	char when[HUMAN_TIMELEN];

	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *type = kv_get(ev, "ev"), *file = kv_get(ev, "file");
		/* an agent's mail to the desk is no mail of the customer's (mailcmd.h) */
		int agent = kv_get(ev, "agent") && strcmp(kv_get(ev, "agent"), "true") == 0;
		int in = type && strcmp(type, "mail-in") == 0 && !agent;
		int out = type && (strcmp(type, "mail-out") == 0 || agent) &&
		    (list_has_address(kv_get(ev, "to"), address) ||
		    list_has_address(kv_get(ev, "cc"), address));
		char *text;

		if ((!in && !out) || file == NULL || (text = message_text(d, id, file)) == NULL)
			continue;
		sbuf_adds(b, "<h3>");
		html_escape(b, web_text(lang, in ? "status.you" : "status.us"));
		sbuf_adds(b, ", ");
		html_escape(b, human_time_short_str(kv_get(ev, "at") ? kv_get(ev, "at") : "", when));
		sbuf_adds(b, "</h3>\n<div class=\"msg\">");
		html_escape(b, text);
		sbuf_adds(b, "</div>\n");
		free(text);
	}
}

static void
ticket_section(struct desk *d, struct sbuf *b, const char *lang, const char *id,
    const char *address)
{
	struct kvmap t = KVMAP_INIT, rec = KVMAP_INIT;
	struct evlog log = { NULL, 0 };
	char when[HUMAN_TIMELEN];
	const char *updated;

	if (ticket_load(d, id, &t, &log) != 0)
		return;
	summary_build(&t, &log, &rec);
	updated = kv_get(&rec, "updated") ? kv_get(&rec, "updated") : kv_get(&t, "created");
	sbuf_adds(b, "<section>\n<h2>");
	html_escape(b, kv_get(&t, "subject") ? kv_get(&t, "subject") : "");
	sbuf_addf(b, " <small>#%s</small></h2>\n<dl>\n<dt>", id);
	html_escape(b, web_text(lang, "status.state"));
	sbuf_adds(b, "</dt><dd class=\"state\">");
	html_escape(b, state_label(lang, kv_get(&t, "status")));
	sbuf_adds(b, "</dd>\n<dt>");
	html_escape(b, web_text(lang, "status.updated"));
	sbuf_adds(b, "</dt><dd>");
	html_escape(b, human_time_short_str(updated ? updated : "", when));
	sbuf_adds(b, "</dd>\n</dl>\n");
	conversation(d, b, lang, id, &log, address);
	sbuf_adds(b, "</section>\n");
	kv_free(&t);
	kv_free(&rec);
	log_free(&log);
}

void
web_status_page(struct desk *d, const struct web_req *r, const char *token,
    struct web_resp *w)
{
	const char *lang = web_lang(d);
	struct match m = { 0 };
	char *secret = NULL;

	(void)r;
	if (strlen(token) != TOKEN_HEX || strspn(token, "0123456789abcdef") != TOKEN_HEX ||
	    revoked(d, token)) {
		web_page_message(w, 404, lang, web_text(lang, "status.title"),
		    web_text(lang, "status.none"));
		return;
	}
	if (web_secret(d, &secret) != 0 || cache_sync(d) != 0) {
		web_log_error(w, "status");
		web_page_message(w, 503, lang, web_text(lang, "retry.title"),
		    web_text(lang, "retry.text"));
		web_add_header(w, "Retry-After", "60");
		free(secret);
		return;
	}
	m.secret = secret;
	m.token = token;
	cache_foreach(d, collect, &m);
	if (m.n == 0)
		web_page_message(w, 404, lang, web_text(lang, "status.title"),
		    web_text(lang, "status.none"));
	else {
		human_time_init(d, 0);
		web_page_begin(w, 200, lang, web_text(lang, "status.title"));
		for (size_t i = m.n; i-- > 0;)	/* newest first */
			ticket_section(d, &w->body, lang, m.ids[i], m.address);
		web_page_end(w);
	}
	strv_free(m.ids, m.n);
	free(m.address);
	free(secret);
}
