/*
 * web_hook.c: POST /hook/NAME, a webhook payload stored as
 * `rt-ingest --event --source SOURCE` stores it (ingest_events: same
 * mapping, threading, dedupe and quarantine). The answer says what a
 * sender retries on: 200 stored (or already stored), 422 not an event
 * (kept in quarantine), 413 too large (its head kept in quarantine),
 * 401 not authenticated (nothing kept), 503 with Retry-After whenever
 * the desk cannot store it now (nothing half-stored).
 *
 * rt.yaml:
 *   web:
 *     hooks:
 *       NAME: {source: alertmanager, secret-file: rt/hook-secret,
 *              signature: token | github | slack}
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk.h"
#include "event.h"
#include "ingest.h"
#include "spool.h"
#include "txn.h"
#include "util.h"
#include "web.h"
#include "webcrypt.h"
#include "yamlio.h"

/* Of a payload over the limit, only this much is read (and quarantined). */
#define HOOK_HEAD 4096
/* A Slack request older or newer than this is a replay. */
#define SLACK_SKEW 300

struct hook {
	const char *name;
	const char *source;	/* the events' source, or NULL to detect it */
	const char *signature;	/* "token", "github" or "slack" */
	char *secret;
};

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* Decodes standard base64 (padding optional); NULL when it is not. */
static char *
b64decode(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 1), *o = out;
	unsigned bits = 0;
	int nbits = 0, v;

	for (; *s && *s != '='; s++) {
		if ((v = b64val((unsigned char)*s)) < 0) {
			free(out);
			return NULL;
		}
		bits = (bits << 6) | (unsigned)v;
		if ((nbits += 6) >= 8) {
			nbits -= 8;
			*o++ = (char)(bits >> nbits);
			bits &= (1u << nbits) - 1;
		}
	}
	*o = '\0';
	return out;
}

/* The token a sender presents: Bearer, Basic (the password) or X-RT-Token. */
static char *
presented_token(void)
{
	const char *a = web_header("HTTP_AUTHORIZATION"), *t = web_header("HTTP_X_RT_TOKEN");
	char *dec, *colon, *pw;

	if (a && strncasecmp(a, "Bearer ", 7) == 0)
		return xstrdup(a + 7 + strspn(a + 7, " "));
	if (a && strncasecmp(a, "Basic ", 6) == 0 && (dec = b64decode(a + 6 + strspn(a + 6, " ")))) {
		pw = (colon = strchr(dec, ':')) ? xstrdup(colon + 1) : NULL;
		free(dec);
		return pw;
	}
	return t ? xstrdup(t) : NULL;
}

static int
token_ok(const struct hook *h)
{
	char *t = presented_token();
	int ok = t && ct_equal(t, strlen(t), h->secret, strlen(h->secret));

	free(t);
	return ok;
}

/* A hex HMAC-SHA-256 of the parts, compared in constant time with sig. */
static int
hmac_ok(const struct hook *h, const char *sig, const void *const *p, const size_t *l, size_t n)
{
	unsigned char mac[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];

	hmac_sha256(h->secret, strlen(h->secret), p, l, n, mac);
	hex_encode(mac, sizeof(mac), hex);
	return sig && ct_equal(sig, strlen(sig), hex, strlen(hex));
}

/* GitHub style: X-Hub-Signature-256: sha256=HEX of the body. */
static int
github_ok(const struct hook *h, const char *body, size_t len)
{
	const char *sig = web_header("HTTP_X_HUB_SIGNATURE_256");
	const void *p[] = { body };
	size_t l[] = { len };

	if (sig == NULL || !str_starts(sig, "sha256="))
		return 0;
	return hmac_ok(h, sig + 7, p, l, 1);
}

/* Slack: X-Slack-Signature: v0=HEX of "v0:TIMESTAMP:BODY", a fresh timestamp. */
static int
slack_ok(const struct hook *h, const char *body, size_t len)
{
	const char *sig = web_header("HTTP_X_SLACK_SIGNATURE");
	const char *ts = web_header("HTTP_X_SLACK_REQUEST_TIMESTAMP");
	char *end;
	long long t;

	if (sig == NULL || ts == NULL || !str_starts(sig, "v0=") || !*ts ||
	    strspn(ts, "0123456789") != strlen(ts) || strlen(ts) > 12)
		return 0;
	t = strtoll(ts, &end, 10);
	if (llabs(t - (long long)rt_now()) > SLACK_SKEW)
		return 0;
	const void *p[] = { "v0:", ts, ":", body };
	size_t l[] = { 3, strlen(ts), 1, len };
	return hmac_ok(h, sig + 3, p, l, 4);
}

/* The hook NAME of rt.yaml; 0, 404 (none) or 503 (no usable secret). */
static int
hook_load(struct desk *d, const char *name, struct hook *h, struct web_resp *w)
{
	const struct ynode *hooks = desk_cfg(d, "web.hooks"), *cfg;
	const char *file, *inline_secret;
	size_t len;

	memset(h, 0, sizeof(*h));
	h->name = name;
	if ((cfg = ymap_get(hooks, name)) == NULL || cfg->kind != Y_MAP)
		return 404;
	h->source = ymap_str(cfg, "source");
	if (h->source == NULL)
		for (size_t i = 0; event_sources[i]; i++)
			if (strcmp(event_sources[i], name) == 0)
				h->source = event_sources[i];
	h->signature = ymap_str(cfg, "signature");
	if (h->signature == NULL)
		h->signature = "token";
	if (strcmp(h->signature, "token") && strcmp(h->signature, "github") &&
	    strcmp(h->signature, "slack")) {
		sbuf_addf(&w->log, "web.hooks.%s.signature '%s' is not token, github or slack\n",
		    name, h->signature);
		return 503;
	}
	file = ymap_str(cfg, "secret-file");
	inline_secret = ymap_str(cfg, "secret");
	if (file && *file) {
		char *path = file[0] == '/' ? xstrdup(file) : xasprintf("%s%s", d->gitdir, file);
		if (read_file(path, &h->secret, &len) == 0)
			h->secret[strcspn(h->secret, "\r\n")] = '\0';
		free(path);
	} else if (inline_secret)
		h->secret = xstrdup(inline_secret);
	if (h->secret == NULL || strlen(h->secret) < 8) {
		sbuf_addf(&w->log, "web.hooks.%s: no secret of 8 characters or more "
		    "(secret-file or secret)\n", name);
		free(h->secret);
		h->secret = NULL;
		return 503;
	}
	return 0;
}

static void
list_ticket(const struct ingest_result *r, void *arg)
{
	struct sbuf *sb = arg;

	sbuf_addf(sb, "%s %s\n", r->id, r->duplicate ? "duplicate" : r->created ? "created" :
	    "stored");
}

/*
 * Spools the payload's bytes (len of size bytes announced), ingests them
 * and answers; the spool goes once they are stored.
 */
static void
store(struct desk *d, const struct hook *h, const char *buf, size_t len, size_t size,
    int over, struct web_resp *w)
{
	struct sbuf ids = SBUF_INIT;
	char *where = NULL, *spool;
	int rc;

	if (spool_buf(d, buf, len, &spool) != 0) {
		web_log_error(w, h->name);
		web_retry(w, "the desk cannot store it now");
		return;
	}
	txn_batch_begin(d);
	rc = ingest_events_buf(d, buf, len, size, h->source, list_ticket, &ids, &where);
	if (txn_batch_end(d) != 0)
		rc = EX_TEMPFAIL;
	if (rc == 0) {
		w->status = 200;
		sbuf_reset(&w->body);
		sbuf_add(&w->body, ids.buf ? ids.buf : "", ids.len);
	} else if (rc == EX_DATAERR && where) {
		/* The whole reason (web_plain keeps it one line); the entry's id stays inside. */
		char *why = quarantine_reason(rt_errmsg(), where);
		web_plain(w, over ? 413 : 422, "not stored: %s (kept in quarantine)", why);
		free(why);
	} else {
		web_log_error(w, h->name);
		web_retry(w, "the desk cannot store it now");
	}
	free(where);
	sbuf_free(&ids);
	unlink(spool);
	free(spool);
}

/* Over the limit: its head goes to quarantine through the ingest path. */
static void
too_large(struct desk *d, const struct web_req *r, const struct hook *h, struct web_resp *w)
{
	char head[HOOK_HEAD];
	size_t want = (size_t)r->length < sizeof(head) ? (size_t)r->length : sizeof(head), got = 0;
	ssize_t n;

	while (got < want && (n = read(r->fd, head + got, want - got)) > 0)
		got += (size_t)n;
	store(d, h, head, got, (size_t)r->length, 1, w);
}

void
web_hook(struct desk *d, const struct web_req *r, const char *name, struct web_resp *w)
{
	struct event_limits lim;
	struct hook h;
	size_t max, len;
	char *body = NULL;
	int st;

	if ((st = hook_load(d, name, &h, w)) == 404) {
		web_plain(w, 404, "no hook '%s' on this desk", name);
		return;
	} else if (st != 0) {
		web_retry(w, "this hook is not set up completely");
		return;
	}
	event_limits_load(d, &lim, &max);
	if (strcmp(h.signature, "token") == 0) {
		if (!token_ok(&h)) {
			web_plain(w, 401, "wrong or missing secret, nothing stored");
			web_add_header(w, "WWW-Authenticate", "Bearer");
			goto out;
		}
		if (r->length > (long long)max) {
			too_large(d, r, &h, w);
			goto out;
		}
	}
	if ((st = web_read_body(r, max, &body, &len)) != 0) {
		if (st == 503)
			web_retry(w, "the body could not be read");
		else
			web_plain(w, st, st == 411 ? "Content-Length required" : st == 413 ?
			    "body too large (limit %zu bytes), nothing stored" :
			    "body shorter than its Content-Length, nothing stored", max);
		goto out;
	}
	if ((strcmp(h.signature, "github") == 0 && !github_ok(&h, body, len)) ||
	    (strcmp(h.signature, "slack") == 0 && !slack_ok(&h, body, len))) {
		web_plain(w, 401, "wrong or missing signature, nothing stored");
		goto out;
	}
	if (len == 0) {
		web_plain(w, 400, "empty body, nothing stored");
		goto out;
	}
	store(d, &h, body, len, len, 0, w);
out:
	free(body);
	free(h.secret);
}
