/* web.c: reading a CGI request within limits, routing it, writing the answer */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desk.h"
#include "text.h"
#include "util.h"
#include "web.h"
#include "webcrypt.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

void
web_req_env(struct web_req *r)
{
	const char *cl = getenv("CONTENT_LENGTH");
	char *end;

	memset(r, 0, sizeof(*r));
	r->method = env("REQUEST_METHOD");
	r->path = env("PATH_INFO");
	r->query = env("QUERY_STRING");
	r->ctype = env("CONTENT_TYPE");
	r->client = env("REMOTE_ADDR");
	r->script = env("SCRIPT_NAME");
	r->fd = 0;
	r->length = -1;
	if (cl && *cl) {
		errno = 0;
		long long n = strtoll(cl, &end, 10);
		r->length = (*end || errno || n < 0 || strspn(cl, "0123456789") != strlen(cl)) ? -2 : n;
	}
}

const char *
web_header(const char *cgi_name)
{
	const char *v = getenv(cgi_name);

	return v && strlen(v) <= WEB_HEADER_MAX ? v : NULL;
}

void
web_resp_init(struct web_resp *w)
{
	memset(w, 0, sizeof(*w));
	w->status = 200;
	w->type = "text/plain; charset=utf-8";
}

void
web_resp_free(struct web_resp *w)
{
	sbuf_free(&w->head);
	sbuf_free(&w->body);
	sbuf_free(&w->log);
}

void
web_log_error(struct web_resp *w, const char *what)
{
	sbuf_addf(&w->log, "%s: %s\n", what, rt_errmsg());
}

void
web_add_header(struct web_resp *w, const char *name, const char *value)
{
	sbuf_adds(&w->head, name);
	sbuf_adds(&w->head, ": ");
	for (const char *p = value; *p; p++)
		sbuf_addc(&w->head, *p == '\r' || *p == '\n' ? ' ' : *p);
	sbuf_adds(&w->head, "\r\n");
}

void
web_plain(struct web_resp *w, int status, const char *fmt, ...)
{
	va_list ap;
	char *s, *clean;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	w->status = status;
	w->type = "text/plain; charset=utf-8";
	sbuf_reset(&w->body);
	clean = utf8_clean(s, strlen(s), 1);
	sbuf_adds(&w->body, clean);
	free(clean);
	sbuf_addc(&w->body, '\n');
	free(s);
}

void
web_retry(struct web_resp *w, const char *why)
{
	char secs[16];

	web_plain(w, 503, "not stored, retry later: %s", why);
	snprintf(secs, sizeof(secs), "%d", WEB_RETRY_AFTER);
	web_add_header(w, "Retry-After", secs);
}

const char *
web_reason(int status)
{
	static const struct { int code; const char *text; } reasons[] = {
		{ 200, "OK" }, { 202, "Accepted" }, { 301, "Moved Permanently" }, { 303, "See Other" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 411, "Length Required" },
		{ 413, "Content Too Large" }, { 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
	};

	for (size_t i = 0; i < LEN(reasons); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "Unknown";
}

char *
web_resp_render(const struct web_resp *w, size_t *len)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb, "Status: %d %s\r\n", w->status, web_reason(w->status));
	sbuf_addf(&sb, "Content-Type: %s\r\n", w->type);
	sbuf_addf(&sb, "Content-Length: %zu\r\n", w->body.len);
	sbuf_adds(&sb, "X-Content-Type-Options: nosniff\r\n");
	if (w->head.len)
		sbuf_add(&sb, w->head.buf, w->head.len);
	sbuf_adds(&sb, "\r\n");
	if (w->body.len)
		sbuf_add(&sb, w->body.buf, w->body.len);
	*len = sb.len;
	return sbuf_detach(&sb);
}

int
web_read_body(const struct web_req *r, size_t max, char **buf, size_t *len)
{
	size_t want, got = 0;
	ssize_t n;

	*buf = NULL;
	*len = 0;
	if (r->length < 0)
		return 411;
	if ((unsigned long long)r->length > max)
		return 413;
	want = (size_t)r->length;
	*buf = xmalloc(want + 1);
	while (got < want) {
		if ((n = read(r->fd, *buf + got, want - got)) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(*buf);
			*buf = NULL;
			return 503;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	(*buf)[got] = '\0';
	if (got < want) {
		free(*buf);
		*buf = NULL;
		return 400;
	}
	*len = got;
	return 0;
}

void
html_escape(struct sbuf *sb, const char *s)
{
	char *clean = utf8_clean(s, strlen(s), 0);

	for (const char *p = clean; *p; p++) {
		switch (*p) {
		case '&': sbuf_adds(sb, "&amp;"); break;
		case '<': sbuf_adds(sb, "&lt;"); break;
		case '>': sbuf_adds(sb, "&gt;"); break;
		case '"': sbuf_adds(sb, "&quot;"); break;
		case '\'': sbuf_adds(sb, "&#39;"); break;
		default: sbuf_addc(sb, *p);
		}
	}
	free(clean);
}

/* Creates the secret file with 32 random bytes as hex, unless it exists. */
static int
make_secret(const char *path)
{
	unsigned char rnd[32];
	char hex[2 * sizeof(rnd) + 2];
	int fd;

	if (getentropy(rnd, sizeof(rnd)) != 0)
		return rt_fail(EX_OSERR, "no randomness for the web secret: %s", strerror(errno));
	hex_encode(rnd, sizeof(rnd), hex);
	strcat(hex, "\n");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
		return errno == EEXIST ? 0 :
		    rt_fail(EX_TEMPFAIL, "cannot create '%s': %s", path, strerror(errno));
	if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return rt_fail(EX_TEMPFAIL, "cannot write '%s'", path);
	}
	close(fd);
	return 0;
}

int
web_secret(struct desk *d, char **secret)
{
	const char *name = desk_cfg_str(d, "web.secret-file", "rt/web-secret");
	char *path = name[0] == '/' ? xstrdup(name) : xasprintf("%s%s", d->gitdir, name);
	size_t len;
	int rc = 0;

	*secret = NULL;
	if (access(path, F_OK) != 0)
		rc = make_secret(path);
	if (rc == 0 && read_file(path, secret, &len) != 0)
		rc = rt_fail(EX_TEMPFAIL, "cannot read the web secret '%s'", name);
	if (rc == 0) {
		(*secret)[strcspn(*secret, "\r\n")] = '\0';
		if (strlen(*secret) < 16) {
			free(*secret);
			*secret = NULL;
			rc = rt_fail(EX_CONFIG, "the web secret '%s' is shorter than 16 characters",
			    name);
		}
	}
	free(path);
	return rc;
}

/* One path segment after prefix: letters, digits, '-', '_', '.', at most max. */
static const char *
segment(const char *path, const char *prefix, size_t max)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	size_t n;

	if (!str_starts(path, prefix))
		return NULL;
	path += strlen(prefix);
	n = strlen(path);
	return n && n <= max && strspn(path, ok) == n && path[0] != '.' ? path : NULL;
}

static int
method_is(const struct web_req *r, const char *allow, struct web_resp *w)
{
	char *copy = xstrdup(allow), *save, *m;
	int ok = 0;

	for (m = strtok_r(copy, ", ", &save); m && !ok; m = strtok_r(NULL, ", ", &save))
		ok = strcmp(r->method, m) == 0 || (strcmp(m, "GET") == 0 && strcmp(r->method, "HEAD") == 0);
	free(copy);
	if (!ok) {
		web_plain(w, 405, "method %s not allowed here", r->method);
		web_add_header(w, "Allow", allow);
	}
	return ok;
}

/*
 * The program's own address (/rt in the README's example, PATH_INFO
 * empty): its pages are below it, so a browser is sent to the address
 * with a slash, the query kept, as a web server does for a folder. A
 * SCRIPT_NAME that is no plain path (or a query with other bytes) is not
 * echoed into the Location: not found, as before.
 */
static int
redirect_slash(const struct web_req *r, struct web_resp *w)
{
	static const char path_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._~!$&'()*+,;=:@/%";
	size_t n = strlen(r->script);
	char *to;

	if ((n && (r->script[0] != '/' || r->script[1] == '/' || r->script[n - 1] == '/')) ||
	    strspn(r->script, path_ok) != n)
		return 0;
	for (const char *q = r->query; *q; q++)
		if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f || *q == '#')
			return 0;
	if (!method_is(r, "GET", w))
		return 1;
	to = xasprintf("%s/%s%s", r->script, *r->query ? "?" : "", r->query);
	web_plain(w, 301, "moved to %s", to);
	web_add_header(w, "Location", to);
	free(to);
	return 1;
}

static void
route(struct desk *d, const struct web_req *r, struct web_resp *w)
{
	const char *arg;

	if (strcmp(r->path, "/") == 0) {	/* the site's /rt/: the contact form */
		if (method_is(r, "GET", w))
			web_form(d, r, w);
	} else if ((arg = segment(r->path, "/hook/", 64)) != NULL) {
		if (method_is(r, "POST", w))
			web_hook(d, r, arg, w);
	} else if (strcmp(r->path, "/new") == 0) {
		if (method_is(r, "GET, POST", w))
			web_form(d, r, w);
	} else if ((arg = segment(r->path, "/status/", 64)) != NULL) {
		if (method_is(r, "GET", w))
			web_status_page(d, r, arg, w);
	} else
		web_page_message(w, 404, web_lang(d), web_text(web_lang(d), "notfound.title"),
		    web_text(web_lang(d), "notfound.text"));
}

void
web_serve(const char *deskpath, const struct web_req *r, struct web_resp *w)
{
	struct desk *d;

	if (strlen(r->path) > WEB_PATH_MAX) {
		web_plain(w, 414, "path too long");
		return;
	}
	if (r->path[0] == '\0' && redirect_slash(r, w))
		return;	/* no desk needed */
	if (desk_open(&d, deskpath, DESK_DURABLE) != 0) {
		web_log_error(w, "desk");
		web_retry(w, "the desk cannot be opened now");
		return;
	}
	route(d, r, w);
	desk_close(d);
}
