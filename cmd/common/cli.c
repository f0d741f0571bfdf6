/* cli.c: the command layer every rt command shares: usage, exits, id loops, stdout checks */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "change.h"
#include "cli.h"
#include "desk.h"
#include "hlc.h"
#include "jsonout.h"
#include "id.h"
#include "util.h"

/*
 * A command started with stdin, stdout or stderr closed (libmailutils'
 * sendmail mailer runs its program with stderr closed) would open desk
 * files on those numbers: its own messages, and those of the exec: and
 * mailer programs it starts, would then go into a desk file. They are
 * opened on /dev/null before main, as git does.
 */
__attribute__((constructor)) static void
cli_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

void
cli_usage(const char *usage, int help)
{
	fprintf(help ? stdout : stderr, "%s", usage);
	exit(help ? 0 : EX_USAGE);
}

void
cli_common(int ch, const char *usage)
{
	if (ch == 'h')
		cli_usage(usage, 1);
	if (ch == 'V') {
		printf("%s %s\n", program_invocation_short_name, RT_VERSION);
		exit(0);
	}
	cli_usage(usage, 0);
}

void
cli_warnings(void)
{
	char *w;

	while ((w = rt_warning_take()) != NULL) {
		warnx("%s", w);
		free(w);
	}
}

/* The failure is said once: a warning that only repeats it is dropped. */
void
cli_die(int code)
{
	const char *msg = rt_errmsg();
	char *w;

	while ((w = rt_warning_take()) != NULL) {
		const char *bare = strncmp(w, "warning: ", 9) == 0 ? w + 9 : w;

		if (strcmp(bare, msg) != 0)
			warnx("%s", w);
		free(w);
	}
	errx(code ? code : EX_SOFTWARE, "%s", msg);
}

static int
not_an_id(const char *word)
{
	return rt_fail(EX_DATAERR, "'%s' is not a ticket id", word);
}

int
cli_ticket_arg(struct desk *d, const char *word, ticket_id out)
{
	ticket_id id;

	if (id_parse(word, id) != 0)
		return not_an_id(word);
	if (cache_resolve(d, id, out) != 0)
		return rt_fail(EX_NOINPUT, "#%s: no such ticket", id);
	return 0;
}

static int
one_id(struct desk *d, const char *word, cli_id_fn fn, void *arg)
{
	ticket_id id, live;
	int rc;

	if (id_parse(word, id) != 0) {
		warnx("%s", (not_an_id(word), rt_errmsg()));
		return EX_DATAERR;
	}
	if (d->cache && cache_resolve(d, id, live) == 0)
		memcpy(id, live, sizeof(id));
	rc = fn(d, id, arg);
	cli_warnings();		/* next to the ticket they are about */
	return rc;
}

int
cli_each_id(struct desk *d, int argc, char **argv, cli_id_fn fn, void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	int status = 0, rc;

	if (argc > 0) {
		for (int i = 0; i < argc; i++)
			if ((rc = one_id(d, argv[i], fn, arg)) != 0 && status == 0)
				status = rc;
		return status;
	}
	if (isatty(0)) {
		warnx("no ticket ids given (as arguments or on stdin)");
		return EX_USAGE;
	}
	for (int first = 1; getline(&line, &cap, stdin) > 0; first = 0) {
		char *w = str_trim(line);
		w[strcspn(w, " \t")] = '\0';
		if (*w == '\0' || (first && strcmp(w, "ID") == 0))
			continue;	/* rt-ls's table starts with a header line */
		if ((rc = one_id(d, w, fn, arg)) != 0 && status == 0)
			status = rc;
		fflush(stdout);
	}
	free(line);
	return status;
}

int
cli_close_stdout(int status)
{
	cli_warnings();
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno == EPIPE)
			return status;
		warn("write error on standard output");
		return status ? status : EX_IOERR;
	}
	return status;
}

int
cli_edit_text(const char *nothing, char **out, size_t *len)
{
	return cli_edit_draft(NULL, nothing, out, len);
}

int
cli_edit_draft(const char *draft, const char *nothing, char **out, size_t *len)
{
	const char *ed = getenv("VISUAL");
	char *path = xasprintf("/tmp/%s-XXXXXX.txt", program_invocation_short_name), *cmd;
	int fd, st = 0, rc = 0;
	pid_t pid;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	if ((fd = mkstemps(path, 4)) < 0) {
		rc = rt_fail(EX_CANTCREAT, "cannot create a temporary file: %s", strerror(errno));
		free(path);
		return rc;
	}
	if (draft) {
		FILE *f = fdopen(fd, "w");
		int bad = f == NULL || fputs(draft, f) == EOF;
		if (f ? fclose(f) != 0 : close(fd) != 0)
			bad = 1;
		if (bad) {
			rc = rt_fail(EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
			unlink(path);
			free(path);
			return rc;
		}
	} else
		close(fd);
	cmd = xasprintf("%s \"$1\"", ed);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", cmd, program_invocation_short_name, path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		rc = rt_fail(EX_UNAVAILABLE, "editor '%s' failed, %s", ed, nothing);
	else if (read_file(path, out, len) != 0)
		rc = rt_fail(EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
	unlink(path);
	free(path);
	return rc;
}

void
cli_deprecated(const char *old, const char *use)
{
	fprintf(stderr, "%s: warning: %s is deprecated, use %s (see rt(7))\n",
	    program_invocation_short_name, old, use);
}

/* Event keys that say when and by whom, not what. */
static int
plan_noise(const char *key)
{
	return strcmp(key, "ev") == 0 || strcmp(key, "at") == 0 || strcmp(key, "by") == 0 ||
	    event_key_internal(key);
}

void
cli_print_plan(const struct change *c, int json)
{
	json_t *o = json_object(), *set = json_object(), *evs = json_array();

	if (!json)
		printf("%s", c->id);
	for (size_t i = 0; i < c->nevents; i++) {
		const struct kvmap *e = &c->events[i];
		const char *ev = kv_get(e, "ev"), *f = kv_get(e, "field"), *v = kv_get(e, "new");
		json_t *jo;

		if (ev && strcmp(ev, "set") == 0 && f) {
			if (!json)
				printf(" %s=%s", f, v ? v : "");
			json_object_set_new(set, f, json_string(v ? v : ""));
			continue;
		}
		jo = json_object();
		json_object_set_new(jo, "ev", json_string(ev ? ev : ""));
		if (!json)
			printf(" %s:", ev ? ev : "");
		for (size_t k = 0, n = 0; k < e->n; k++) {
			if (plan_noise(e->v[k].key))
				continue;
			if (!json)
				printf("%s%s=%s", n++ ? "," : "", e->v[k].key, e->v[k].val);
			json_object_set_new(jo, e->v[k].key, json_string(e->v[k].val));
		}
		json_array_append_new(evs, jo);
	}
	if (json) {
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "set", set);
		if (json_array_size(evs))
			json_object_set(o, "events", evs);
		json_decref(evs);
		jsonout_doc(stdout, o, JSONOUT_LINE);
		return;
	}
	json_decref(set);
	json_decref(evs);
	json_decref(o);
	putchar('\n');
}

static void
plan_text(const struct change *c, void *arg)
{
	(void)arg;
	cli_print_plan(c, 0);
}

static void
plan_json(const struct change *c, void *arg)
{
	(void)arg;
	cli_print_plan(c, 1);
}

void
cli_plan_mode(struct desk *d, int dry_run, int json)
{
	if (dry_run || json)
		d->plan = json ? plan_json : plan_text;
	d->dry_run = dry_run;
}

int
cli_read_all(FILE *f, const char *what, char **out, size_t *len)
{
	struct sbuf sb = SBUF_INIT;
	char buf[65536];
	size_t k;

	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, k);
	if (ferror(f)) {
		sbuf_free(&sb);
		return rt_fail(EX_IOERR, "cannot read the %s: %s", what, strerror(errno));
	}
	*len = sb.len;
	*out = sbuf_detach(&sb);
	return 0;
}

int
cli_ticket_fail(const char *id, int rc)
{
	warnx("#%s: %s", id, rt_errmsg());
	return rc;
}

int
cli_ticket_done(struct desk *d, const char *id, int rc)
{
	if (rc != 0)
		cli_ticket_fail(id, rc);
	else if (d->plan == NULL) {
		printf("%s\n", id);
		fflush(stdout);
	}
	return rc;
}
