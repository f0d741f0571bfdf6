/*
 * web_multipart.c: multipart/form-data bodies (RFC 7578) as browsers post
 * a form with a file. Only what a form needs: each part's field name, its
 * file name and type, and its bytes, which stay in the caller's buffer.
 * Anything malformed (no boundary, a part without its end, headers too
 * long) refuses the whole body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "web.h"

#define BOUNDARY_MAX 70		/* RFC 2046 */
#define PART_HEAD_MAX 1024

/* The boundary parameter of ctype into out; 0 when there is none. */
static int
boundary_of(const char *ctype, char out[BOUNDARY_MAX + 1])
{
	const char *p = strcasestr(ctype, "boundary="), *e;

	if (p == NULL)
		return 0;
	p += 9;
	if (*p == '"')
		e = strchr(++p, '"');
	else
		e = p + strcspn(p, "; \t");
	if (e == NULL || e == p || e - p > BOUNDARY_MAX)
		return 0;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 1;
}

/* The value of param (name="..." or filename="...") in a header line, or NULL. */
static char *
param(const char *line, size_t n, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl + 2 <= n; i++) {
		if ((i > 0 && line[i - 1] != ' ' && line[i - 1] != ';' && line[i - 1] != '\t') ||
		    strncasecmp(line + i, name, nl) != 0 || line[i + nl] != '=')
			continue;
		const char *v = line + i + nl + 1, *end = line + n;
		struct sbuf sb = SBUF_INIT;
		if (*v != '"') {
			size_t k = 0;
			while (v + k < end && v[k] != ';' && v[k] != ' ')
				k++;
			sbuf_add(&sb, v, k);
		} else
			for (v++; v < end && *v != '"'; v++) {
				if (*v == '\\' && v + 1 < end)
					v++;
				sbuf_addc(&sb, *v);
			}
		return sb.buf ? sbuf_detach(&sb) : xstrdup("");
	}
	return NULL;
}

/* Reads one part's header block at [p, end) into part. */
static int
part_head(const char *p, const char *end, struct web_part *part)
{
	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (n > 20 && strncasecmp(p, "Content-Disposition:", 20) == 0) {
			free(part->name);
			free(part->filename);
			part->name = param(p, n, "name");
			part->filename = param(p, n, "filename");
		} else if (n > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
			free(part->type);
			char *t = xstrndup(p + 13, n - 13);
			part->type = xstrdup(str_trim(t));
			free(t);
		}
		p += n + 2;
	}
	return part->name ? 0 : -1;
}

static void
part_clear(struct web_part *part)
{
	free(part->name);
	free(part->filename);
	free(part->type);
	memset(part, 0, sizeof(*part));
}

int
web_multipart(const char *ctype, const char *body, size_t len,
    int (*fn)(const struct web_part *, void *), void *arg, const char **why)
{
	char b[BOUNDARY_MAX + 1], delim[BOUNDARY_MAX + 5];
	const char *p = body, *end = body + len;
	struct web_part part = { 0 };
	size_t dl;

	*why = "form.error.broken";
	if (!boundary_of(ctype, b))
		return 400;
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	/* The first delimiter may open the body without its CRLF. */
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
		p = body + dl - 2;
	else if ((p = memmem(body, len, delim, dl)) != NULL)
		p += dl;
	else
		return 400;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;	/* the close delimiter */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			*why = end - p < 2 ? "form.error.cut" : *why;
			return 400;
		}
		p += 2;
		const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hend == NULL || hend - p > PART_HEAD_MAX) {
			*why = hend == NULL && end - p <= PART_HEAD_MAX ? "form.error.cut" : *why;
			return 400;
		}
		part_clear(&part);
		if (part_head(p, hend + 2, &part) != 0) {
			part_clear(&part);
			return 400;
		}
		p = hend + 4;
		const char *next = memmem(p, (size_t)(end - p), delim, dl);
		if (next == NULL) {	/* a part without its end: cut off */
			part_clear(&part);
			*why = "form.error.cut";
			return 400;
		}
		part.data = p;
		part.len = (size_t)(next - p);
		int st = fn(&part, arg);
		part_clear(&part);
		if (st != 0)
			return st;
		p = next + dl;
	}
}
