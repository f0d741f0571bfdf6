/* test_template.c: template headers, {{variables}} and lookup order */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "template.h"
#include "util.h"
#include "tap.h"

static char *
expand(const struct tvars *v, const char *text, int *rc)
{
	char *out = NULL;

	*rc = tmpl_expand(text, v, "t.tmpl", 1, &out);
	return out;
}

static void
put(const char *path, const char *text)
{
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	mkdir_p(dir, 0755);
	write_file_atomic(path, text, strlen(text), 0);
	free(dir);
}

int
main(void)
{
	struct tvars *v = tvars_new();
	struct tmpl t;
	char *out, *s, *b;
	int rc;

	tvars_set(v, "ticket.id", "K7M2Q9XD");
	tvars_set(v, "requestor.name", "");
	tvars_set(v, "desk.name", "Support");
	tvars_set(v, "desk.name", "Help Desk");

	out = expand(v, "Ticket {{ticket.id}} from {{ desk.name }}.", &rc);
	ok(rc == 0, "expands variables");
	is_str(out, "Ticket K7M2Q9XD from Help Desk.", "values and spaces inside braces");
	free(out);

	out = expand(v, "Hello {{requestor.name|there}}, {{ticket.id | x}}", &rc);
	is_str(out, "Hello there, K7M2Q9XD", "fallback only for an empty value");
	free(out);

	out = expand(v, "literal \\{{ticket.id}} and {{ticket.id}}", &rc);
	is_str(out, "literal {{ticket.id}} and K7M2Q9XD", "escaped braces");
	free(out);

	out = expand(v, "Bye\n{{?requestor.name}}\n{{?requestor.name}}Name: {{requestor.name}}\nend\n", &rc);
	is_str(out, "Bye\nend\n", "line condition drops lines of an empty variable, blank line too");
	free(out);
	out = expand(v, "Bye\n{{?ticket.id}}\n{{?ticket.id}}Id: {{ticket.id}}", &rc);
	is_str(out, "Bye\n\nId: K7M2Q9XD", "line condition keeps the line of a set variable");
	free(out);
	out = expand(v, "a\n{{?ticket.bogus}}x\n", &rc);
	ok(rc == EX_DATAERR && out == NULL, "line condition on an unknown variable fails");
	out = expand(v, "{{?requestor.name}}Hello {{requestor.name}},\n{{!requestor.name}}Hello,\nend\n", &rc);
	is_str(out, "Hello,\nend\n", "negated line condition keeps the line of an empty variable only");
	free(out);
	out = expand(v, "{{?ticket.id}}Id {{ticket.id}}\n{{!ticket.id}}no id\nend\n", &rc);
	is_str(out, "Id K7M2Q9XD\nend\n", "negated line condition drops the line of a set variable");
	free(out);
	out = expand(v, "a\n{{!ticket.bogus}}x\n", &rc);
	ok(rc == EX_DATAERR && out == NULL, "negated line condition on an unknown variable fails");
	out = expand(v, "a {{?ticket.id}}x\n", &rc);
	ok(rc == EX_DATAERR && out == NULL, "line condition only at the start of a line");

	out = expand(v, "a\nb\nc {{ticket.bogus}}\n", &rc);
	ok(rc == EX_DATAERR && out == NULL, "unknown variable fails");
	is_str(rt_errmsg(), "t.tmpl:3: unknown variable 'ticket.bogus'", "message names file, line, variable");

	out = expand(v, "x {{ticket.id\n}}", &rc);
	ok(rc == EX_DATAERR, "unterminated reference fails");
	is_str(rt_errmsg(), "t.tmpl:1: unterminated '{{'", "unterminated message");

	out = expand(v, "{{ticket id}}", &rc);
	ok(rc == EX_DATAERR, "bad name fails");
	is_str(rt_errmsg(), "t.tmpl:1: bad variable reference '{{ticket id}}'", "bad name message");

	out = expand(v, "{ not a var } {{}", &rc);
	ok(rc == EX_DATAERR, "empty reference fails");

	const char *text = "Subject: Re: {{ticket.id}}\nAuto: yes\nStatus: waiting\n"
	    "# a comment\nKeywords: a, b\n\nLine one\n{{nope}}\n";
	rc = tmpl_parse(text, strlen(text), "x.tmpl", &t);
	ok(rc == 0, "parses a template");
	is_str(t.subject, "Re: {{ticket.id}}", "subject");
	is_str(t.status, "waiting", "status");
	ok(t.autokind == TMPL_AUTO_REPLY, "auto reply");
	is_str(t.keywords, "a, b", "keywords");
	ok(t.body_line == 7, "body starts at line 7");
	rc = tmpl_render(&t, v, &s, &b);
	ok(rc == EX_DATAERR && s == NULL && b == NULL, "render fails on unknown body variable");
	is_str(rt_errmsg(), "x.tmpl:8: unknown variable 'nope'", "body line number");
	tmpl_free(&t);

	text = "Subject: hi\nFrobnicate: yes\n\nbody";
	ok(tmpl_parse(text, strlen(text), "y.tmpl", &t) == EX_DATAERR, "unknown header fails");
	ok(strstr(rt_errmsg(), "y.tmpl:2: unknown header 'Frobnicate'") != NULL, "header error names line");
	text = "Auto: sometimes\n\nbody";
	ok(tmpl_parse(text, strlen(text), "y.tmpl", &t) == EX_DATAERR, "bad Auto value fails");
	text = "Just a body without header\n";
	ok(tmpl_parse(text, strlen(text), "y.tmpl", &t) == EX_DATAERR, "a body without header fails");
	text = "\nBody only\n";
	ok(tmpl_parse(text, strlen(text), "z.tmpl", &t) == 0 && t.subject == NULL &&
	    strcmp(t.body, "Body only\n") == 0 && t.body_line == 2, "empty header");
	tmpl_free(&t);
	text = "Auto: notify\n\nx";
	ok(tmpl_parse(text, strlen(text), "z.tmpl", &t) == 0 && t.autokind == TMPL_AUTO_NOTIFY,
	    "auto notify");
	tmpl_free(&t);

	ok(tmpl_name_ok("ack") && tmpl_name_ok("status-update") && !tmpl_name_ok("../x") &&
	    !tmpl_name_ok("a/b") && !tmpl_name_ok(".hidden") && !tmpl_name_ok(""), "names");

	/* lookup order */
	char tmp[] = "/tmp/rt-tmpl-XXXXXX";
	ok(mkdtemp(tmp) != NULL, "temp dir");
	char *desk = xasprintf("%s/desk", tmp), *share = xasprintf("%s/share", tmp), *p;
	put(p = xasprintf("%s/templates/en/ack.tmpl", share), "Subject: share en\n\nx"), free(p);
	put(p = xasprintf("%s/templates/de/ack.tmpl", share), "Subject: share de\n\nx"), free(p);
	put(p = xasprintf("%s/templates/de/ack.tmpl", desk), "Subject: desk de\n\nx"), free(p);
	put(p = xasprintf("%s/templates/billing/de/ack.tmpl", desk), "Subject: billing de\n\nx"), free(p);
	put(p = xasprintf("%s/templates/local.tmpl", desk), "Subject: neutral\n\nx"), free(p);
	const char *de[] = { "de", "en" }, *en[] = { "en" }, *fr[] = { "fr", "en" };
	ok(tmpl_find(desk, share, "billing", de, 2, "ack", &t) == 0, "finds ack");
	is_str(t.subject, "billing de", "queue and language first");
	is_str(t.file, "templates/billing/de/ack.tmpl", "display path");
	is_str(t.lang, "de", "language of the template");
	tmpl_free(&t);
	tmpl_find(desk, share, "general", de, 2, "ack", &t);
	is_str(t.subject, "desk de", "desk language beats share");
	tmpl_free(&t);
	tmpl_find(desk, share, NULL, en, 1, "ack", &t);
	is_str(t.subject, "share en", "share default");
	tmpl_free(&t);
	tmpl_find(desk, share, NULL, fr, 2, "ack", &t);
	is_str(t.subject, "share en", "falls back to the next language");
	tmpl_free(&t);
	tmpl_find(desk, share, NULL, fr, 2, "local", &t);
	is_str(t.subject, "neutral", "language-neutral desk template");
	ok(t.lang == NULL, "no language");
	tmpl_free(&t);
	ok(tmpl_find(desk, share, NULL, en, 1, "missing", &t) == EX_NOINPUT, "missing template");
	ok(tmpl_find(desk, share, NULL, en, 1, "../../etc/passwd", &t) == EX_USAGE, "refuses paths");

	struct tmpl *all;
	size_t n;
	ok(tmpl_list(desk, share, "billing", de, 2, &all, &n) == 0 && n == 2, "lists two names");
	if (n == 2) {
		is_str(all[0].name, "ack", "first name");
		is_str(all[0].subject, "billing de", "resolved like tmpl_find");
		is_str(all[1].name, "local", "second name");
	}
	for (size_t i = 0; i < n; i++)
		tmpl_free(&all[i]);
	free(all);
	p = xasprintf("rm -rf '%s'", tmp);
	if (system(p) != 0)
		printf("# cleanup failed\n");
	free(p);
	free(desk);
	free(share);
	tvars_free(v);
	return tap_done();
}
