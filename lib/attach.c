/* attach.c: writing a ticket's attachments out (see attach.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "desk.h"
#include "head.h"
#include "id.h"
#include "kv.h"
#include "mail.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

#define NAME_MAX_BYTES 200
#define EXT_MAX_BYTES 16

static int
is_msg_event(const struct kvmap *ev)
{
	const char *t = kv_get(ev, "ev");
	return t && kv_get(ev, "file") && (strcmp(t, "mail-in") == 0 || strcmp(t, "mail-out") == 0);
}

/*
 * A name over NAME_MAX_BYTES loses the end of its stem, not its
 * extension (".pdf", ".tar.gz": from the first dot of its last
 * EXT_MAX_BYTES), so it still opens with the right program.
 */
static char *
shorten_name(char *name)
{
	size_t len = strlen(name);
	const char *ext = NULL;
	char *out, *short_name;

	if (len <= NAME_MAX_BYTES)
		return name;
	for (const char *p = name + len - EXT_MAX_BYTES; *p && !ext; p++)
		if (*p == '.')
			ext = p;
	if (ext == NULL) {
		utf8_truncate(name, NAME_MAX_BYTES);
		return name;
	}
	out = xstrndup(name, (size_t)(ext - name));
	utf8_truncate(out, NAME_MAX_BYTES - strlen(ext));
	short_name = xasprintf("%s%s", out, ext);
	free(out);
	free(name);
	return short_name;
}

/*
 * Without the bidi overrides and isolates: "invoice\u202Efdp.exe" would
 * list as "invoiceexe.pdf" in a file manager and in ls.
 */
static void
drop_bidi(char *s)
{
	size_t len = strlen(s), o = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (!text_is_bidi_control(cp))
			memmove(s + o, s + i, n), o += n;
		i += n;
	}
	s[o] = '\0';
}

char *
attach_safe_name(const char *name, long n)
{
	char *clean, *base, *out;
	size_t len;

	if (name == NULL)
		return xasprintf("attachment-%ld", n);
	/* One line of valid UTF-8: controls become spaces. */
	clean = utf8_clean(name, strlen(name), 1);
	drop_bidi(clean);
	base = clean;
	for (char *p = clean; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (*base == '.' || *base == ' ' || *base == '-')
		base++;	/* no hidden files, no "..", no option-like names */
	len = strlen(base);
	while (len > 0 && (base[len - 1] == ' ' || base[len - 1] == '.'))
		len--;
	out = len ? xstrndup(base, len) : xasprintf("attachment-%ld", n);
	free(clean);
	return shorten_name(out);
}

/* The names one --save has written, so that it never writes one twice. */
struct names {
	char **v;
	size_t n;
};

static int
names_has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 1;
	return 0;
}

/*
 * name, or, when this --save wrote that name already (two attachments
 * called image.png), the name with -N before its extension (image-2.png,
 * N the attachment's number): each is kept, none overwrites another.
 */
static char *
unique_name(char *name, long n, struct names *s)
{
	for (int k = 0; names_has(s, name); k++) {
		const char *dot = strrchr(name, '.');
		size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
		char *u = k ? xasprintf("%.*s-%ld-%d%s", (int)stem, name, n, k, name + stem) :
		    xasprintf("%.*s-%ld%s", (int)stem, name, n, name + stem);
		if (!names_has(s, u)) {
			free(name);
			name = u;
			break;
		}
		free(u);
	}
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = xstrdup(name);
	return name;
}

/* Creates path (never through a symlink); an existing file only with force. */
static int
write_new(const char *path, const char *buf, size_t len, int force)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    (force ? O_TRUNC : O_EXCL), 0644);

	if (fd < 0 && errno == EEXIST)
		return rt_fail(EX_CANTCREAT, "'%s' exists; --force overwrites it", path);
	if (fd < 0)
		return rt_fail(EX_CANTCREAT, "cannot create '%s': %s", path, strerror(errno));
	if (write_all(fd, buf, len) != 0 || close(fd) != 0) {
		int rc = rt_fail(EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
		unlink(path);
		return rc;
	}
	return 0;
}

/* One --save run: attachments counted so far; the folder made, or not to be. */
struct save_run {
	long n;
	int dir_made;
	int dir_failed;	/* nothing can be saved: the rest is not tried */
	struct names seen;	/* the names written */
};

static int
save_one(const struct mail_part *p, const char *buf, size_t len, struct save_run *run,
    const struct attach_opts *o)
{
	char *name, *path;
	int rc;

	if (o->output && strcmp(o->output, "-") == 0) {
		if ((rc = raw_stdout_ok("--output -")) != 0)
			return rc;
		return fwrite(buf, 1, len, stdout) == len ? 0 :
		    rt_fail(EX_IOERR, "cannot write to standard output");
	}
	if (o->output)
		path = xstrdup(o->output);
	else {
		/*
		 * --dir ~/cases/ID, as rt-show(1)'s example gives it: made as by
		 * mkdir -p, once, when there is something to put in it.
		 */
		if (o->dir && !run->dir_made) {
			if (mkdir_p(o->dir, 0777) != 0) {
				run->dir_failed = 1;
				return rt_fail(EX_CANTCREAT, "cannot create the folder '%s': %s",
				    o->dir, strerror(errno));
			}
			run->dir_made = 1;
		}
		name = unique_name(attach_safe_name(p->filename, run->n), run->n, &run->seen);
		path = xasprintf("%s/%s", o->dir ? o->dir : ".", name);
		free(name);
	}
	if ((rc = write_new(path, buf, len, o->force)) == 0 && o->saved)
		o->saved(path, o->arg);
	free(path);
	return rc;
}

/* Saves the wanted attachments of one stored message; run->n counts them. */
static int
save_from(struct desk *d, const char *id, const char *file, struct save_run *run,
    const struct attach_opts *o)
{
	char *path, *buf, *body;
	size_t len, blen;
	struct mail *m;
	int rc, first = 0;

	if (strstr(file, "..") || file[0] == '/')
		return rt_fail(EX_DATAERR, "bad file name '%s' in the log", file);
	path = ticket_path(id, file);
	rc = desk_read_head(d, path, &buf, &len);
	free(path);
	if (rc == 0 && (rc = mail_parse_buf(buf, len, &m)) != 0)
		free(buf);
	if (rc != 0) {
		if (o->failed)
			o->failed(rt_errmsg(), o->arg);
		return rc;
	}
	for (size_t i = 0; i < m->nparts && !run->dir_failed; i++) {
		int r;
		if (!m->parts[i].attachment)
			continue;
		++run->n;
		if (o->n != 0 && run->n != o->n)
			continue;
		if ((r = mail_part_body(m, i, &body, &blen)) == 0) {
			r = save_one(&m->parts[i], body, blen, run, o);
			free(body);
		}
		if (r != 0 && first == 0)
			first = r;
		if (r != 0 && o->failed)
			o->failed(rt_errmsg(), o->arg);
	}
	mail_free(m);
	free(buf);
	return first;
}

int
attach_save(struct desk *d, const char *id, const struct evlog *log,
    const struct attach_opts *o)
{
	struct save_run run = { 0, 0, 0, { NULL, 0 } };
	int rc = 0;

	for (size_t i = 0; i < log->n && !run.dir_failed; i++) {
		int r;
		if (!is_msg_event(&log->ev[i]))
			continue;
		r = save_from(d, id, kv_get(&log->ev[i], "file"), &run, o);
		if (r != 0 && rc == 0)
			rc = r;
		if (o->n != 0 && run.n >= o->n)
			break;
	}
	for (size_t i = 0; i < run.seen.n; i++)
		free(run.seen.v[i]);
	free(run.seen.v);
	/* all of none is nothing to do, as cp -R of an empty folder */
	if (rc == 0 && o->n > run.n)
		rc = rt_fail(EX_NOINPUT, "no attachment %ld: the ticket has %ld attachment%s",
		    o->n, run.n, run.n == 1 ? "" : "s");
	return rc;
}
