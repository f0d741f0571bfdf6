/*
 * web_form.c: GET and POST /new, the contact form. A submission opens a
 * ticket on the web channel as a mail would (newticket_create: a mail-in
 * from the requestor) and runs the arrival processing a mail gets
 * (routing, the acknowledgement). Against forgery and bots: a CSRF token
 * (an HMAC of its time under the desk secret, valid for two hours), a
 * honeypot field, limits on every field and on the body, and a rate
 * limit per address and per client kept in .git/rt/web-rate.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "arrival.h"
#include "attach.h"
#include "desk.h"
#include "mailsend.h"
#include "newticket.h"
#include "text.h"
#include "util.h"
#include "web.h"
#include "webcrypt.h"

#define CSRF_TTL (2 * 3600)
/* Field limits in characters, as the form's maxlength counts them. */
#define NAME_MAX_CHARS 100
#define ADDRESS_MAX_BYTES 254	/* an address is ASCII */
#define SUBJECT_MAX_CHARS 200
#define TEXT_MAX_CHARS 20000
#define RATE_MAX_LINES 10000
#define ATTACH_MAX_BYTES (1L << 20)	/* web.attach-max-bytes */
/* A limit as the page's maxlength attribute: the same figure, one owner. */
#define MAXLEN_(n) " maxlength=\"" #n "\""
#define MAXLEN(n) MAXLEN_(n)

struct form {
	char *name, *address, *subject, *text, *trap, *csrf;
	int bad;		/* a field was not valid UTF-8 or had a NUL */
	int toolong;		/* 1 + the index in fields[] of the first too long */
	/* The optional attachment (multipart/form-data only); data in the body. */
	struct outpart file;
	char *filename, *filetype;
	int nfiles;
	size_t file_max;
	int filebig;
};

/* Each field, the text key of its label (what a too long one is called), its limit. */
static const struct { const char *name, *label; size_t off, max; } fields[] = {
	{ "name", "form.name", offsetof(struct form, name), NAME_MAX_CHARS },
	{ "address", "form.address", offsetof(struct form, address), ADDRESS_MAX_BYTES },
	{ "subject", "form.subject", offsetof(struct form, subject), SUBJECT_MAX_CHARS },
	{ "text", "form.text", offsetof(struct form, text), TEXT_MAX_CHARS },
	{ "website", "form.trap", offsetof(struct form, trap), 1000 },
	{ "csrf", NULL, offsetof(struct form, csrf), 64 },
};

/* The CSRF token for time t: "T.HEX". */
static char *
csrf_token(const char *secret, long long t)
{
	unsigned char mac[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], ts[24];
	const void *p[2];
	size_t l[2];

	snprintf(ts, sizeof(ts), "%lld", t);
	p[0] = "csrf:"; l[0] = 5;
	p[1] = ts; l[1] = strlen(ts);
	hmac_sha256(secret, strlen(secret), p, l, 2, mac);
	hex_encode(mac, 16, hex);
	return xasprintf("%s.%s", ts, hex);
}

static int
csrf_ok(const char *secret, const char *tok)
{
	char *end, *want;
	long long t, now = (long long)rt_now();
	int ok;

	if (tok == NULL || strlen(tok) > 64 || strspn(tok, "0123456789") == 0)
		return 0;
	t = strtoll(tok, &end, 10);
	if (*end != '.' || t > now + 60 || now - t > CSRF_TTL)
		return 0;
	want = csrf_token(secret, t);
	ok = ct_equal(tok, strlen(tok), want, strlen(want));
	free(want);
	return ok;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* URL-decodes s[0..n) into a malloc'd string; NULL on a NUL byte or bad UTF-8. */
static char *
urldecode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*o++ = s[i];
		if (o[-1] == '\0') {
			free(out);
			return NULL;
		}
	}
	*o = '\0';
	if (!utf8_valid(out, (size_t)(o - out))) {
		free(out);
		return NULL;
	}
	return out;
}

/* v[0..n) as a string; NULL on a NUL byte or bad UTF-8 (multipart fields). */
static char *
rawvalue(const char *v, size_t n)
{
	if (memchr(v, '\0', n) || !utf8_valid(v, n))
		return NULL;
	return xstrndup(v, n);
}

/*
 * The length a browser's maxlength allows: characters, a line break one
 * (the browser counts it as LF and sends it as CRLF). A limit in bytes
 * would refuse what the form let a writer of German or Japanese type.
 */
static size_t
form_chars(const char *s)
{
	size_t n = utf8_chars(s);

	for (const char *p = s; (p = strstr(p, "\r\n")) != NULL; p += 2)
		n--;
	return n;
}

static void
set_field(struct form *f, size_t i, const char *v, size_t n, int raw)
{
	char **slot = (char **)((char *)f + fields[i].off), *s;

	if (*slot && (slot != &f->trap || **slot))
		return;		/* the first of a repeated field counts; any filled trap */
	free(*slot);
	*slot = NULL;
	if ((s = raw ? rawvalue(v, n) : urldecode(v, n)) == NULL) {
		f->bad = 1;
		return;
	}
	if (form_chars(s) > fields[i].max && !f->toolong)
		f->toolong = (int)i + 1;
	*slot = s;
}

static void
form_parse(const char *body, size_t len, struct form *f)
{
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (eq)
			for (size_t i = 0; i < LEN(fields); i++)
				if ((size_t)(eq - p) == strlen(fields[i].name) &&
				    memcmp(p, fields[i].name, (size_t)(eq - p)) == 0)
					set_field(f, i, eq + 1, (size_t)(stop - eq - 1), 0);
		p = stop + 1;
	}
}

/*
 * One part of a multipart form: a field, or the attachment. A file input
 * left empty is sent with an empty name and no bytes and counts as none;
 * the file's name is reduced to a safe base name as rt-show --save does.
 */
static int
form_part(const struct web_part *p, void *arg)
{
	struct form *f = arg;

	if (strcmp(p->name, "attachment") == 0) {
		if ((p->filename == NULL || *p->filename == '\0') && p->len == 0)
			return 0;
		if (++f->nfiles > 1)
			return 0;
		if (p->len > f->file_max)
			f->filebig = 1;
		f->filename = attach_safe_name(p->filename, 1);
		f->filetype = p->type ? xstrdup(p->type) : NULL;
		f->file.filename = f->filename;
		f->file.type = f->filetype;
		f->file.data = p->data;
		f->file.len = p->len;
		return 0;
	}
	for (size_t i = 0; i < LEN(fields); i++)
		if (strcmp(p->name, fields[i].name) == 0)
			set_field(f, i, p->data, p->len, 1);
	return 0;
}

static void
form_free(struct form *f)
{
	free(f->name);
	free(f->address);
	free(f->subject);
	free(f->text);
	free(f->trap);
	free(f->csrf);
	free(f->filename);
	free(f->filetype);
}

/* The form page, with the values given so far and an error, if any. */
static void
form_page(struct web_resp *w, int status, const char *lang, const char *script,
    const char *secret, const struct form *f, const char *error)
{
	char *tok = csrf_token(secret, (long long)rt_now());
	struct sbuf *b = &w->body;
	char label[64];

	web_page_begin(w, status, lang, web_text(lang, "form.title"));
	if (error) {
		sbuf_adds(b, "<p class=\"error\" role=\"alert\">");
		html_escape(b, error);
		sbuf_adds(b, "</p>\n");
	} else {
		sbuf_adds(b, "<p>");
		html_escape(b, web_text(lang, "form.intro"));
		sbuf_adds(b, "</p>\n");
	}
	sbuf_adds(b, "<form method=\"post\" action=\"");
	html_escape(b, script);
	sbuf_adds(b, "/new\" accept-charset=\"utf-8\" enctype=\"multipart/form-data\">\n");
	sbuf_adds(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(b, tok);
	sbuf_adds(b, "\">\n");
#define LABELED(key, field, type, val, extra) do { \
	snprintf(label, sizeof(label), "%s", web_text(lang, key)); \
	sbuf_addf(b, "<label for=\"%s\">", field); html_escape(b, label); \
	sbuf_adds(b, "</label>\n"); \
	if (strcmp(type, "textarea") == 0) { \
		sbuf_addf(b, "<textarea id=\"%s\" name=\"%s\"%s>", field, field, extra); \
		html_escape(b, (val) ? (val) : ""); sbuf_adds(b, "</textarea>\n"); \
	} else { \
		sbuf_addf(b, "<input id=\"%s\" name=\"%s\" type=\"%s\"%s value=\"", field, field, \
		    type, extra); \
		html_escape(b, (val) ? (val) : ""); sbuf_adds(b, "\">\n"); \
	} } while (0)
	LABELED("form.name", "name", "text", f ? f->name : NULL,
	    MAXLEN(NAME_MAX_CHARS) " autocomplete=\"name\"");
	LABELED("form.address", "address", "email", f ? f->address : NULL,
	    MAXLEN(ADDRESS_MAX_BYTES) " required autocomplete=\"email\"");
	LABELED("form.subject", "subject", "text", f ? f->subject : NULL,
	    MAXLEN(SUBJECT_MAX_CHARS) " required");
	LABELED("form.text", "text", "textarea", f ? f->text : NULL,
	    MAXLEN(TEXT_MAX_CHARS) " required");
	sbuf_adds(b, "<label for=\"attachment\">");
	html_escape(b, web_text(lang, "form.attachment"));
	sbuf_adds(b, "</label>\n<input id=\"attachment\" name=\"attachment\" type=\"file\">\n");
	/*
	 * A browser never fills a file input in again: the person is told
	 * that the file they chose is not kept, so it is not lost unnoticed
	 * when they send the form again (one too large is the error itself).
	 */
	if (f && f->nfiles && !f->filebig) {
		char *again = xasprintf(web_text(lang, "form.file.again"), f->filename);
		sbuf_adds(b, "<p class=\"error\" id=\"attachment-again\">");
		html_escape(b, again);
		sbuf_adds(b, "</p>\n");
		free(again);
	}
	sbuf_adds(b, "<div class=\"trap\" aria-hidden=\"true\">\n");
	LABELED("form.trap", "website", "text", NULL, " tabindex=\"-1\" autocomplete=\"off\"");
	sbuf_adds(b, "</div>\n");
#undef LABELED
	sbuf_adds(b, "<button type=\"submit\">");
	html_escape(b, web_text(lang, "form.send"));
	sbuf_adds(b, "</button>\n</form>\n");
	web_page_end(w);
	free(tok);
}

/*
 * The desk cannot store the form now (503): the form again with what the
 * person wrote, so sending it again is one click, not typing it anew.
 */
static void
form_retry(struct web_resp *w, const char *lang, const char *script, const char *secret,
    const struct form *f)
{
	char secs[16];

	form_page(w, 503, lang, script, secret, f, web_text(lang, "retry.text"));
	snprintf(secs, sizeof(secs), "%d", WEB_RETRY_AFTER);
	web_add_header(w, "Retry-After", secs);
}

/* One line, no control characters, nothing that would break "Name <addr>". */
static char *
clean_name(const char *s)
{
	char *c = utf8_clean(s, strlen(s), 1);

	for (char *p = c; *p; p++)
		if (strchr("\"\\<>,;:()@[]", *p) || (unsigned char)*p < 0x20)
			*p = ' ';
	char *t = str_trim(c);

	if (t != c)
		memmove(c, t, strlen(t) + 1);
	return c;
}

static int
address_ok(const char *a)
{
	const char *at = a ? strchr(a, '@') : NULL;
	size_t n = a ? strlen(a) : 0;

	return at && at != a && at[1] && strchr(at + 1, '@') == NULL && n <= ADDRESS_MAX_BYTES &&
	    strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    ".!#$%&'*+/=?^_`{|}~-@") == n && strchr(at, '.') && a[0] != '.' && at[-1] != '.';
}

static int
one_line(const char *s)
{
	return s && strpbrk(s, "\r\n") == NULL;
}

static int
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

/*
 * The error text for the first field that is wrong, or NULL; one too long
 * is named by its label, with its limit (buf holds that text).
 */
static const char *
form_error(const char *lang, const struct form *f, char *buf, size_t size)
{
	if (f->bad)
		return web_text(lang, "form.error.bytes");
	if (f->toolong) {
		size_t i = (size_t)f->toolong - 1;
		snprintf(buf, size, web_text(lang, "form.error.long"),
		    fields[i].label ? web_text(lang, fields[i].label) : fields[i].name,
		    fields[i].max);
		return buf;
	}
	if (f->nfiles > 1)
		return web_text(lang, "form.error.files");
	if (f->name && !one_line(f->name))
		return web_text(lang, "form.error.name");
	if (!address_ok(f->address))
		return web_text(lang, "form.error.address");
	if (blank(f->subject) || !one_line(f->subject))
		return web_text(lang, "form.error.subject");
	if (blank(f->text))
		return web_text(lang, "form.error.text");
	return NULL;
}

/*
 * The rate limit: at most web.rate-limit.per-address submissions of one
 * address and per-client of one client address in web.rate-limit.period
 * seconds. The file holds "TIME KEY" lines, KEY an HMAC of what it counts
 * (no address is kept in the clear); it is locked while a submission is
 * checked, stored and counted.
 */
struct rate {
	int fd;
	char *lines;
	size_t len;
	long long period, max_addr, max_client;
	char kaddr[33], kclient[33];
};

static void
rate_key(const char *secret, const char *what, const char *v, char out[33])
{
	unsigned char mac[SHA256_LEN];
	char *low = str_lower(xstrdup(v));
	const void *p[] = { what, ":", low };
	size_t l[] = { strlen(what), 1, strlen(low) };

	hmac_sha256(secret, strlen(secret), p, l, 3, mac);
	hex_encode(mac, 16, out);
	free(low);
}

static int
rate_open(struct desk *d, struct rate *rt, const char *secret, const char *addr,
    const char *client)
{
	char *path = xasprintf("%s/web-rate", d->rtdir);
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	ssize_t n;

	memset(rt, 0, sizeof(*rt));
	rt->period = desk_cfg_int(d, "web.rate-limit.period", 3600);
	rt->max_addr = desk_cfg_int(d, "web.rate-limit.per-address", 5);
	rt->max_client = desk_cfg_int(d, "web.rate-limit.per-client", 20);
	rate_key(secret, "address", addr, rt->kaddr);
	rate_key(secret, "client", client, rt->kclient);
	rt->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	free(path);
	if (rt->fd < 0 || flock(rt->fd, LOCK_EX) != 0)
		return rt_fail(EX_TEMPFAIL, "cannot lock the rate-limit file: %s", strerror(errno));
	while ((n = read(rt->fd, buf, sizeof(buf))) > 0)
		sbuf_add(&sb, buf, (size_t)n);
	rt->len = sb.len;
	rt->lines = sb.buf ? sbuf_detach(&sb) : xstrdup("");
	return 0;
}

/* Seconds until another submission is allowed; 0 now. */
static long long
rate_wait(const struct rate *rt)
{
	long long now = (long long)rt_now(), naddr = 0, nclient = 0, oldest = now;
	char key[64];
	long long t;

	for (const char *p = rt->lines; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		if (sscanf(p, "%lld %63s", &t, key) != 2 || now - t >= rt->period)
			continue;
		if (strcmp(key, rt->kaddr) == 0 || strcmp(key, rt->kclient) == 0)
			oldest = t < oldest ? t : oldest;
		naddr += strcmp(key, rt->kaddr) == 0;
		nclient += strcmp(key, rt->kclient) == 0;
	}
	if (naddr < rt->max_addr && nclient < rt->max_client)
		return 0;
	return oldest + rt->period - now > 0 ? oldest + rt->period - now : 1;
}

/* Counts the submission: the lines still in the period, and two new ones. */
static void
rate_count(struct rate *rt)
{
	struct sbuf sb = SBUF_INIT;
	long long now = (long long)rt_now(), t;
	size_t kept = 0;

	for (const char *p = rt->lines; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		size_t n = strcspn(p, "\n");
		if (sscanf(p, "%lld", &t) == 1 && now - t < rt->period && kept++ < RATE_MAX_LINES) {
			sbuf_add(&sb, p, n);
			sbuf_addc(&sb, '\n');
		}
	}
	sbuf_addf(&sb, "%lld %s\n%lld %s\n", now, rt->kaddr, now, rt->kclient);
	/* A lost count lets one more through; the ticket is stored all the same. */
	if (ftruncate(rt->fd, 0) == 0 && lseek(rt->fd, 0, SEEK_SET) == 0 &&
	    write(rt->fd, sb.buf, sb.len) != (ssize_t)sb.len) {
		/* nothing more to do */
	}
	sbuf_free(&sb);
}

static void
rate_close(struct rate *rt)
{
	if (rt->fd >= 0)
		close(rt->fd);
	free(rt->lines);
}

static void
confirm(struct desk *d, struct web_resp *w, const char *lang, const char *script,
    const char *id, const char *address)
{
	char tok[33];
	struct sbuf *b = &w->body;

	web_page_begin(w, 200, lang, web_text(lang, "form.sent.title"));
	sbuf_adds(b, "<p>");
	html_escape(b, web_text(lang, "form.sent.text"));
	sbuf_adds(b, " <strong id=\"ticket\">#");
	html_escape(b, id);
	sbuf_adds(b, "</strong>.</p>\n");
	if (address && web_status_token(d, address, tok) == 0) {
		sbuf_adds(b, "<p><a id=\"status\" href=\"");
		html_escape(b, script);
		sbuf_addf(b, "/status/%s\">", tok);
		html_escape(b, web_text(lang, "form.sent.status"));
		sbuf_adds(b, "</a></p>\n");
	}
	web_page_end(w);
}

static void
submit(struct desk *d, const struct web_req *r, struct web_resp *w, const char *lang,
    const char *secret)
{
	size_t max = (size_t)desk_cfg_int(d, "web.form-max-bytes", WEB_FORM_MAX_BYTES), len;
	size_t amax = (size_t)desk_cfg_int(d, "web.attach-max-bytes", ATTACH_MAX_BYTES);
	int multi = str_casestarts(r->ctype, "multipart/form-data");
	struct newticket nt = { 0 };
	struct form f;
	struct rate rt;
	const char *err, *why;
	char *body, *name, *req, secs[24], errbuf[256];
	ticket_id id;
	long long wait;
	int st, rc;

	if (!multi && !str_casestarts(r->ctype, "application/x-www-form-urlencoded")) {
		web_plain(w, 415, "send the form as application/x-www-form-urlencoded or "
		    "multipart/form-data");
		return;
	}
	/* A multipart body may carry the file besides the fields (and some framing). */
	if ((st = web_read_body(r, multi ? max + amax + 4096 : max, &body, &len)) != 0) {
		if (st == 503)
			web_page_message(w, 503, lang, web_text(lang, "retry.title"),
			    web_text(lang, "retry.text"));
		else	/* 413 too long, 400 cut short (web_read_body), 411 no length */
			web_page_message(w, st, lang, web_text(lang, "form.error.title"),
			    web_text(lang, st == 413 ? "form.error.size" : st == 400 ?
			    "form.error.cut" : "form.error.broken"));
		return;
	}
	memset(&f, 0, sizeof(f));
	f.file_max = amax;
	if (!multi)
		form_parse(body, len, &f);
	else if (web_multipart(r->ctype, body, len, form_part, &f, &why) != 0) {
		web_page_message(w, 400, lang, web_text(lang, "form.error.title"),
		    web_text(lang, why));
		goto out;
	}
	if (!csrf_ok(secret, f.csrf)) {
		form_page(w, 403, lang, r->script, secret, &f, web_text(lang, "form.error.expired"));
		goto out;
	}
	if (f.trap && *f.trap) {	/* a bot: thanked, nothing stored */
		web_page_message(w, 200, lang, web_text(lang, "form.sent.title"), "");
		goto out;
	}
	if ((err = form_error(lang, &f, errbuf, sizeof(errbuf))) != NULL) {
		form_page(w, 400, lang, r->script, secret, &f, err);
		goto out;
	}
	if (f.filebig) {
		form_page(w, 413, lang, r->script, secret, &f, web_text(lang, "form.error.big"));
		goto out;
	}
	if (rate_open(d, &rt, secret, f.address, r->client) != 0) {
		web_log_error(w, "rate limit");
		rate_close(&rt);
		form_retry(w, lang, r->script, secret, &f);
		goto out;
	}
	if ((wait = rate_wait(&rt)) > 0) {
		rate_close(&rt);
		web_page_message(w, 429, lang, web_text(lang, "form.busy.title"),
		    web_text(lang, "form.busy.text"));
		snprintf(secs, sizeof(secs), "%lld", wait);
		web_add_header(w, "Retry-After", secs);
		goto out;
	}
	name = clean_name(f.name ? f.name : "");
	req = *name ? xasprintf("%s <%s>", name, f.address) : xstrdup(f.address);
	nt.requestor = req;
	nt.channel = "web";
	nt.subject = f.subject;
	nt.text = f.text;
	nt.arrival = arrival_configured(d);
	nt.file = f.nfiles ? &f.file : NULL;	/* rt-route --pending finishes a failed one */
	rc = newticket_create(d, &nt, 0, id, NULL);
	if (rc == 0)
		rate_count(&rt);
	rate_close(&rt);
	free(name);
	free(req);
	if (rc == EX_DATAERR || rc == EX_USAGE) {
		form_page(w, 400, lang, r->script, secret, &f, web_text(lang, "form.error.address"));
		goto out;
	}
	if (rc != 0) {
		web_log_error(w, "new ticket");
		form_retry(w, lang, r->script, secret, &f);
		goto out;
	}
	/* Stored: the acknowledgement and routing never change the answer. */
	if (nt.arrival && arrival_run(d, id) != 0)
		web_log_error(w, id);
	confirm(d, w, lang, r->script, id, f.address);
out:
	form_free(&f);
	free(body);
}

void
web_form(struct desk *d, const struct web_req *r, struct web_resp *w)
{
	const char *lang = web_lang(d);
	char *secret;

	if (web_secret(d, &secret) != 0) {
		web_log_error(w, "secret");
		web_page_message(w, 503, lang, web_text(lang, "retry.title"), web_text(lang, "retry.text"));
		web_add_header(w, "Retry-After", "60");
		return;
	}
	if (strcmp(r->method, "POST") == 0)
		submit(d, r, w, lang, secret);
	else
		form_page(w, 200, lang, r->script, secret, NULL, NULL);
	free(secret);
}
