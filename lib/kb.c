/* kb.c: knowledge-base articles with a YAML front matter */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "template.h"
#include "text.h"
#include "util.h"
#include "yamlio.h"

void
kb_free(struct kb_article *a)
{
	free(a->slug);
	free(a->file);
	free(a->title);
	free(a->keywords);
	free(a->lang);
	free(a->body);
	memset(a, 0, sizeof(*a));
}

void
kb_free_all(struct kb_article *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kb_free(&a[i]);
	free(a);
}

/* Finds the line "---" (or "...") closing the front matter. */
static const char *
fm_end(const char *p, const char *end, const char **after)
{
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0)) {
			*after = eol ? eol + 1 : end;
			return p;
		}
		p = eol ? eol + 1 : end;
	}
	return NULL;
}

static char *
join_keywords(const struct ynode *n)
{
	struct sbuf sb = SBUF_INIT;

	if (n == NULL || yscalar_is_null(n))
		return NULL;
	if (n->kind == Y_SCALAR)
		return *n->value ? xstrdup(n->value) : NULL;
	if (n->kind != Y_SEQ)
		return NULL;
	for (size_t i = 0; i < n->n; i++) {
		if (n->items[i]->kind != Y_SCALAR || yscalar_is_null(n->items[i]))
			continue;
		if (sb.len)
			sbuf_adds(&sb, ", ");
		sbuf_adds(&sb, n->items[i]->value);
	}
	return sb.buf ? sbuf_detach(&sb) : NULL;
}

int
kb_parse(const char *buf, size_t len, const char *file, const char *slug,
    struct kb_article *a)
{
	const char *end = buf + len, *body = buf;
	struct ynode *fm = NULL;

	memset(a, 0, sizeof(*a));
	if (!utf8_valid(buf, len) || memchr(buf, '\0', len))
		return rt_fail(EX_DATAERR, "%s: not UTF-8 text", file);
	if (len >= 4 && (memcmp(buf, "---\n", 4) == 0 || memcmp(buf, "---\r\n", 5) == 0)) {
		const char *start = memchr(buf, '\n', len) + 1, *after;
		const char *close = fm_end(start, end, &after);
		if (close == NULL)
			return rt_fail(EX_DATAERR, "%s:1: front matter has no closing '---'", file);
		/* Keep line numbers right: load from the start with the first line blanked. */
		size_t flen = (size_t)(close - buf);
		char *copy = xstrndup(buf, flen);
		memset(copy, ' ', 3);
		fm = yaml_load(copy, flen, file);
		free(copy);
		if (fm == NULL)
			return EX_DATAERR;
		if (fm->kind != Y_MAP) {
			int rc = rt_fail(EX_DATAERR, "%s: front matter must be a mapping",
			    ynode_where(fm, file));
			ynode_free(fm);
			return rc;
		}
		body = after;
	}
	a->slug = xstrdup(slug);
	a->file = xstrdup(file);
	if (fm) {
		const char *t = ymap_str(fm, "title"), *l = ymap_str(fm, "language");
		a->title = t && *t ? utf8_clean(t, strlen(t), 1) : NULL;
		a->lang = l && *l ? xstrdup(l) : NULL;
		a->keywords = join_keywords(ymap_get(fm, "keywords"));
		ynode_free(fm);
	}
	a->body = xstrndup(body, (size_t)(end - body));
	if (a->title == NULL) {
		for (const char *p = a->body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (p[0] == '#' && p[1] == ' ') {
				a->title = xstrndup(p + 2, strcspn(p + 2, "\r\n"));
				break;
			}
		if (a->title == NULL)
			a->title = xstrdup(slug);
	}
	return 0;
}

int
kb_get(const char *deskroot, const char *slug, struct kb_article *a)
{
	char *path, *file, *buf;
	size_t len;
	int rc;

	memset(a, 0, sizeof(*a));
	if (!tmpl_name_ok(slug))
		return rt_fail(EX_USAGE, "'%s' is not an article name", slug);
	path = xasprintf("%s/kb/%s.md", deskroot, slug);
	file = xasprintf("kb/%s.md", slug);
	if (read_file(path, &buf, &len) < 0)
		rc = rt_fail(EX_NOINPUT, "no article '%s': %s", file, strerror(errno));
	else {
		rc = kb_parse(buf, len, file, slug, a);
		free(buf);
	}
	free(path);
	free(file);
	return rc;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
kb_load(const char *deskroot, struct kb_article **out, size_t *nout)
{
	char *dir = xasprintf("%s/kb", deskroot);
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	free(dir);
	if (dp == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l <= 3 || strcmp(de->d_name + l - 3, ".md") != 0)
			continue;
		char *slug = xstrndup(de->d_name, l - 3);
		if (!tmpl_name_ok(slug)) {
			free(slug);
			continue;
		}
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = slug;
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		struct kb_article a;
		int r = kb_get(deskroot, names[i], &a);
		if (r != 0) {
			if (rc == 0)
				rc = r;
			continue;
		}
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[(*nout)++] = a;
	}
	strv_free(names, n);
	return rc;
}
