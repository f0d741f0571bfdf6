/* template.c: reply templates and their {{variable}} syntax */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "template.h"
#include "text.h"
#include "util.h"

struct tvars {
	char **name, **val;
	size_t n, cap;
};

struct tvars *
tvars_new(void)
{
	return xcalloc(1, sizeof(struct tvars));
}

static ssize_t
tvars_find(const struct tvars *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0)
			return (ssize_t)i;
	return -1;
}

void
tvars_set(struct tvars *v, const char *name, const char *val)
{
	ssize_t i = tvars_find(v, name);

	if (val == NULL)
		val = "";
	if (i >= 0) {
		char *copy = xstrdup(val);
		free(v->val[i]);
		v->val[i] = copy;
		return;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 32;
		v->name = xrealloc(v->name, v->cap * sizeof(*v->name));
		v->val = xrealloc(v->val, v->cap * sizeof(*v->val));
	}
	v->name[v->n] = xstrdup(name);
	v->val[v->n++] = xstrdup(val);
}

const char *
tvars_get(const struct tvars *v, const char *name)
{
	ssize_t i = tvars_find(v, name);

	return i >= 0 ? v->val[i] : NULL;
}

size_t
tvars_count(const struct tvars *v)
{
	return v->n;
}

const char *
tvars_name(const struct tvars *v, size_t i)
{
	return i < v->n ? v->name[i] : NULL;
}

void
tvars_free(struct tvars *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->name[i]);
		free(v->val[i]);
	}
	free(v->name);
	free(v->val);
	free(v);
}

static int
var_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

/*
 * "{{?name}}" at the start of a line keeps the rest of the line only when
 * name has a value, so an optional footer leaves no empty line behind;
 * "{{!name}}" only when it has none ("Hello," for a sender without a name).
 */
static int
line_cond(const char **pp, const struct tvars *v, const char *file, unsigned *line)
{
	const char *n0 = *pp + 3, *q = n0, *val;
	int keep_if_set = (*pp)[2] == '?';

	while (var_char((unsigned char)*q))
		q++;
	if (q == n0 || q[0] != '}' || q[1] != '}')
		return rt_fail(EX_DATAERR, "%s:%u: bad line condition, want '{{%cname}}'",
		    file, *line, (*pp)[2]);
	char *name = xstrndup(n0, (size_t)(q - n0));
	if ((val = tvars_get(v, name)) == NULL) {
		int rc = rt_fail(EX_DATAERR, "%s:%u: unknown variable '%s'", file, *line, name);
		free(name);
		return rc;
	}
	free(name);
	*pp = q + 2;
	if ((*val != '\0') != keep_if_set) {
		*pp += strcspn(*pp, "\n");
		if (**pp == '\n')
			(*pp)++, (*line)++;
	}
	return 0;
}

int
tmpl_expand(const char *text, const struct tvars *v, const char *file, unsigned line,
    char **out)
{
	struct sbuf sb = SBUF_INIT;
	const char *p = text;

	while (*p) {
		if ((p == text || p[-1] == '\n') &&
		    (strncmp(p, "{{?", 3) == 0 || strncmp(p, "{{!", 3) == 0)) {
			int rc = line_cond(&p, v, file, &line);
			if (rc != 0) {
				sbuf_free(&sb);
				return rc;
			}
			continue;
		}
		if (p[0] == '\\' && p[1] == '{' && p[2] == '{') {
			sbuf_adds(&sb, "{{");
			p += 3;
			continue;
		}
		if (p[0] != '{' || p[1] != '{') {
			if (*p == '\n')
				line++;
			sbuf_addc(&sb, *p++);
			continue;
		}
		const char *q = p + 2, *end = strstr(q, "}}"), *nl = strchr(q, '\n');
		if (end == NULL || (nl && nl < end)) {
			sbuf_free(&sb);
			return rt_fail(EX_DATAERR, "%s:%u: unterminated '{{'", file, line);
		}
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		const char *n0 = q;
		while (q < end && var_char((unsigned char)*q))
			q++;
		char *name = xstrndup(n0, (size_t)(q - n0));
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		const char *fb = NULL;
		size_t fblen = 0;
		if (q < end && *q == '|') {
			fb = q + 1;
			fblen = (size_t)(end - fb);
			while (fblen && (*fb == ' ' || *fb == '\t'))
				fb++, fblen--;
			while (fblen && (fb[fblen - 1] == ' ' || fb[fblen - 1] == '\t'))
				fblen--;
		} else if (q != end || *name == '\0') {
			char *bad = xstrndup(p, (size_t)(end + 2 - p));
			int rc = rt_fail(EX_DATAERR, "%s:%u: bad variable reference '%s'", file,
			    line, bad);
			free(bad), free(name);
			sbuf_free(&sb);
			return rc;
		}
		const char *val = tvars_get(v, name);
		if (val == NULL) {
			int rc = rt_fail(EX_DATAERR, "%s:%u: unknown variable '%s'", file, line, name);
			free(name);
			sbuf_free(&sb);
			return rc;
		}
		free(name);
		if (*val)
			sbuf_adds(&sb, val);
		else if (fb)
			sbuf_add(&sb, fb, fblen);
		p = end + 2;
	}
	*out = sb.buf ? sbuf_detach(&sb) : xstrdup("");
	return 0;
}

void
tmpl_free(struct tmpl *t)
{
	free(t->name);
	free(t->file);
	free(t->lang);
	free(t->subject);
	free(t->status);
	free(t->keywords);
	free(t->body);
	memset(t, 0, sizeof(*t));
}

static int
header_fail(struct tmpl *t, const char *file, unsigned line, const char *what)
{
	int rc = rt_fail(EX_DATAERR, "%s:%u: %s", file, line, what);

	tmpl_free(t);
	return rc;
}

int
tmpl_parse(const char *buf, size_t len, const char *file, struct tmpl *t)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 1;

	memset(t, 0, sizeof(*t));
	if (!utf8_valid(buf, len) || memchr(buf, '\0', len))
		return header_fail(t, file, 1, "template is not UTF-8 text");
	t->file = xstrdup(file);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			p = eol ? eol + 1 : end;
			line++;
			break;
		}
		if (*p != '#') {
			const char *colon = memchr(p, ':', n);
			if (colon == NULL || colon == p)
				return header_fail(t, file, line,
				    "expected a header line 'Name: value' (end the header with a blank line)");
			char *key = xstrndup(p, (size_t)(colon - p));
			char *raw = xstrndup(colon + 1, n - (size_t)(colon + 1 - p));
			char *val = xstrdup(str_trim(raw));
			free(raw);
			int bad = 0;
			if (strcasecmp(key, "Subject") == 0) {
				free(t->subject);
				t->subject = xstrdup(val);
				t->subject_line = line;
			} else if (strcasecmp(key, "Status") == 0) {
				free(t->status);
				t->status = *val ? xstrdup(val) : NULL;
			} else if (strcasecmp(key, "Auto") == 0) {
				if (!strcasecmp(val, "yes") || !strcasecmp(val, "reply") ||
				    !strcasecmp(val, "true"))
					t->autokind = TMPL_AUTO_REPLY;
				else if (!strcasecmp(val, "notify"))
					t->autokind = TMPL_AUTO_NOTIFY;
				else if (!strcasecmp(val, "no") || !strcasecmp(val, "false"))
					t->autokind = TMPL_MANUAL;
				else
					bad = 1;
			} else if (strcasecmp(key, "Quote") == 0) {
				if (!strcasecmp(val, "yes") || !strcasecmp(val, "true"))
					t->quote = 1;
				else if (!strcasecmp(val, "no") || !strcasecmp(val, "false"))
					t->quote = 0;
				else
					bad = 1;
			} else if (strcasecmp(key, "Keywords") == 0) {
				free(t->keywords);
				t->keywords = xstrdup(val);
			} else {
				char *msg = xasprintf("unknown header '%s' (Subject, Status, Auto, Quote, Keywords)", key);
				free(key), free(val);
				int rc = header_fail(t, file, line, msg);
				free(msg);
				return rc;
			}
			if (bad) {
				char *msg = xasprintf("bad value '%s' for '%s'", val, key);
				free(key), free(val);
				int rc = header_fail(t, file, line, msg);
				free(msg);
				return rc;
			}
			free(key);
			free(val);
		}
		p = eol ? eol + 1 : end;
		line++;
	}
	t->body = xstrndup(p, (size_t)(end - p));
	t->body_line = line;
	return 0;
}

int
tmpl_load(const char *path, const char *display, struct tmpl *t)
{
	char *buf;
	size_t len;
	int rc;

	if (read_file(path, &buf, &len) < 0) {
		memset(t, 0, sizeof(*t));
		return errno == ENOENT ? rt_fail(EX_NOINPUT, "no template '%s'", display)
		    : rt_fail(EX_NOINPUT, "cannot read '%s': %s", display, strerror(errno));
	}
	rc = tmpl_parse(buf, len, display, t);
	free(buf);
	return rc;
}

int
tmpl_render(const struct tmpl *t, const struct tvars *v, char **subject, char **body)
{
	int rc;

	*subject = NULL;
	*body = NULL;
	if (t->subject && (rc = tmpl_expand(t->subject, v, t->file, t->subject_line, subject)))
		return rc;
	if ((rc = tmpl_expand(t->body, v, t->file, t->body_line, body)) != 0) {
		free(*subject);
		*subject = NULL;
	}
	return rc;
}

int
tmpl_name_ok(const char *name)
{
	if (name == NULL || *name == '\0' || *name == '.' || strlen(name) > 200)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	return 1;
}

/* Candidate (path, display) pairs in order of preference. */
struct cand {
	char *path, *display, *lang;
};

static void
cand_add(struct cand **c, size_t *n, char *path, char *display, const char *lang)
{
	*c = xrealloc(*c, (*n + 1) * sizeof(**c));
	(*c)[*n].path = path;
	(*c)[*n].display = display;
	(*c)[*n].lang = lang ? xstrdup(lang) : NULL;
	(*n)++;
}

static void
cand_free(struct cand *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		free(c[i].display);
		free(c[i].lang);
	}
	free(c);
}

/* The folders searched, in order, each with a display prefix. */
static void
search_dirs(const char *deskroot, const char *sharedir, const char *queue,
    const char *const *langs, size_t nlangs, struct cand **c, size_t *n)
{
	int q = queue && tmpl_name_ok(queue);

	for (size_t i = 0; i < nlangs; i++) {
		if (!tmpl_name_ok(langs[i]))
			continue;
		if (deskroot && q)
			cand_add(c, n, xasprintf("%s/templates/%s/%s", deskroot, queue, langs[i]),
			    xasprintf("templates/%s/%s", queue, langs[i]), langs[i]);
		if (deskroot)
			cand_add(c, n, xasprintf("%s/templates/%s", deskroot, langs[i]),
			    xasprintf("templates/%s", langs[i]), langs[i]);
		if (sharedir)
			cand_add(c, n, xasprintf("%s/templates/%s", sharedir, langs[i]),
			    xasprintf("%s/templates/%s", sharedir, langs[i]), langs[i]);
	}
	if (deskroot && q)
		cand_add(c, n, xasprintf("%s/templates/%s", deskroot, queue),
		    xasprintf("templates/%s", queue), NULL);
	if (deskroot)
		cand_add(c, n, xasprintf("%s/templates", deskroot), xstrdup("templates"), NULL);
}

int
tmpl_find(const char *deskroot, const char *sharedir, const char *queue,
    const char *const *langs, size_t nlangs, const char *name, struct tmpl *t)
{
	struct cand *c = NULL;
	size_t n = 0;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (!tmpl_name_ok(name))
		return rt_fail(EX_USAGE, "'%s' is not a template name", name);
	search_dirs(deskroot, sharedir, queue, langs, nlangs, &c, &n);
	for (size_t i = 0; i < n && rc < 0; i++) {
		char *path = xasprintf("%s/%s.tmpl", c[i].path, name);
		if (access(path, F_OK) == 0) {
			char *disp = xasprintf("%s/%s.tmpl", c[i].display, name);
			if ((rc = tmpl_load(path, disp, t)) == 0) {
				t->name = xstrdup(name);
				t->lang = c[i].lang ? xstrdup(c[i].lang) : NULL;
			}
			free(disp);
		}
		free(path);
	}
	cand_free(c, n);
	if (rc < 0)
		rc = rt_fail(EX_NOINPUT, "no template '%s'%s%s", name, queue ? " for queue " : "",
		    queue ? queue : "");
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tmpl_list(const char *deskroot, const char *sharedir, const char *queue,
    const char *const *langs, size_t nlangs, struct tmpl **out, size_t *nout)
{
	struct cand *c = NULL;
	size_t n = 0, nn = 0;
	char **names = NULL;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	search_dirs(deskroot, sharedir, queue, langs, nlangs, &c, &n);
	for (size_t i = 0; i < n; i++) {
		DIR *dp = opendir(c[i].path);
		struct dirent *de;
		if (dp == NULL)
			continue;
		while ((de = readdir(dp)) != NULL) {
			size_t l = strlen(de->d_name);
			if (l <= 5 || strcmp(de->d_name + l - 5, ".tmpl") != 0)
				continue;
			char *nm = xstrndup(de->d_name, l - 5);
			if (!tmpl_name_ok(nm)) {
				free(nm);
				continue;
			}
			names = xrealloc(names, (nn + 1) * sizeof(*names));
			names[nn++] = nm;
		}
		closedir(dp);
	}
	cand_free(c, n);
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		struct tmpl t;
		int r = tmpl_find(deskroot, sharedir, queue, langs, nlangs, names[i], &t);
		if (r != 0) {
			if (rc == 0)
				rc = r;
			continue;
		}
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[(*nout)++] = t;
	}
	strv_free(names, nn);
	return rc;
}
