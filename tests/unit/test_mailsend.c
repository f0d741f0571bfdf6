/* test_mailsend.c: composing and sending mail through libmailutils */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mail.h"
#include "mailsend.h"
#include "util.h"
#include "tap.h"

#define SMTP_SINK "/usr/sbin/smtp-sink"

static char tmpdir[] = "/tmp/rt-test-mailsend.XXXXXX";

/* The header block of a rendered message (up to the empty line). */
static char *
header_block(const char *buf)
{
	const char *e = strstr(buf, "\n\n");

	return xstrndup(buf, e ? (size_t)(e - buf) + 1 : strlen(buf));
}

/* Whether some line of s starts with prefix. */
static int
has_line(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	while (*s) {
		if (strncasecmp(s, prefix, n) == 0)
			return 1;
		s += strcspn(s, "\n");
		if (*s)
			s++;
	}
	return 0;
}

/* The longest line of s. */
static size_t
max_line(const char *s)
{
	size_t max = 0;

	while (*s) {
		size_t n = strcspn(s, "\n");

		if (n > max)
			max = n;
		s += n;
		if (*s)
			s++;
	}
	return max;
}

static int
render(const struct outmail *m, char **buf, size_t *len, char **id)
{
	int rc = outmail_render(m, buf, len, id);

	if (rc)
		printf("# render: %d %s\n", rc, rt_errmsg());
	return rc;
}

static void
test_render_basic(void)
{
	const char *to[] = { "J\xC3\xBCrgen M\xC3\xBCller <jm@example.org>",
	    "plain@example.org" };
	const char *cc[] = { "\"Doe, John\" <jd@example.org>" };
	const char *refs[] = { "r1@example.org", "<r2@example.org>" };
	const char *extra[] = { "Auto-Submitted", "auto-replied",
	    "X-Ticket", "T\xC3\xAF" "cket 42" };
	struct outmail m = {
		.from = "H\xC3\xA9lpdesk <help@example.com>",
		.to = to, .nto = 2, .cc = cc, .ncc = 1,
		.subject = "Drucker kaputt \xC3\xA4\xC3\xB6\xC3\xBC",
		.body = "Hallo,\n\nder Drucker geht wieder.\n",
		.in_reply_to = "<orig@example.org>",
		.references = refs, .nreferences = 2,
		.extra = extra, .nextra = 2, .language = "de",
	};
	char *buf = NULL, *id = NULL, *hdr;
	size_t len;
	struct mail *p = NULL;

	if (render(&m, &buf, &len, &id) != 0) {
		ok(0, "render basic message");
		return;
	}
	hdr = header_block(buf);
	ok(strlen(buf) == len, "length matches, no NUL");
	ok(strchr(buf, '\r') == NULL, "LF line ends only");
	ok(has_line(hdr, "Subject: =?UTF-8?Q?Drucker_kaputt_=C3=A4=C3=B6=C3=BC?=\n"),
	    "non-ASCII subject Q-encoded");
	ok(has_line(hdr, "From: =?UTF-8?B?SMOpbHBkZXNr?= <help@example.com>\n"),
	    "non-ASCII display name B-encoded");
	ok(has_line(hdr, "To: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= "
	    "<jm@example.org>, plain@example.org\n"), "To list");
	ok(has_line(hdr, "Cc: \"Doe, John\" <jd@example.org>\n"),
	    "display name with a comma quoted");
	ok(has_line(hdr, "Date: Mon, 23 Nov 2026 10:05:00 +0000\n"),
	    "Date from RT_NOW");
	ok(id && strncmp(id, "rt.1795428300.", 14) == 0 &&
	    strlen(id) == 14 + 16 + strlen("@example.com") &&
	    strcmp(id + 30, "@example.com") == 0, "generated Message-Id form");
	if (id) {
		char *want = xasprintf("Message-ID: <%s>\n", id);

		ok(has_line(hdr, want), "Message-Id header matches *msgid");
		free(want);
	}
	ok(has_line(hdr, "In-Reply-To: <orig@example.org>\n"), "In-Reply-To");
	ok(has_line(hdr, "References: <r1@example.org> <r2@example.org>\n"),
	    "References");
	ok(has_line(hdr, "MIME-Version: 1.0\n"), "MIME-Version");
	ok(has_line(hdr, "Content-Type: text/plain; charset=utf-8\n"),
	    "Content-Type");
	ok(has_line(hdr, "Content-Transfer-Encoding: quoted-printable\n"),
	    "Content-Transfer-Encoding");
	ok(has_line(hdr, "Content-Language: de\n"), "Content-Language");
	ok(has_line(hdr, "Auto-Submitted: auto-replied\n"), "extra header");
	ok(has_line(hdr, "X-Ticket: =?UTF-8?Q?T=C3=AFcket_42?=\n"),
	    "non-ASCII extra value encoded");

	/* What we send, we can read back. */
	if (mail_parse_buf(buf, len, &p) == 0) {
		is_str(p->subject, m.subject, "subject round trip");
		is_str(p->from.name, "H\xC3\xA9lpdesk", "from name round trip");
		ok(p->nto == 2 && strcmp(p->to[0].name,
		    "J\xC3\xBCrgen M\xC3\xBCller") == 0, "to name round trip");
		is_str(p->text, m.body, "body round trip");
		is_str(p->message_id, id, "message id round trip");
		ok(p->nreferences == 2 && strcmp(p->references[1],
		    "r2@example.org") == 0, "references round trip");
		ok(p->date == 1795428300, "date round trip");
		ok(p->auto_submitted, "Auto-Submitted read back");
	} else
		ok(0, "rendered message parses");
	mail_free(p);
	free(hdr);
	free(buf);
	free(id);
}

static void
test_injection(void)
{
	const char *to[] = { "a@example.org" };
	const char *extra[] = { "X-Note", "one\r\nBcc: evil@x" };
	struct outmail m = {
		.from = "\"Evil\r\nBcc: x@y\" <help@example.com>",
		.to = to, .nto = 1,
		.subject = "Hi\r\nBcc: evil@x\nX-Injected: 1",
		.body = "body\n",
		.message_id = "id1@example.com>\r\nBcc: <evil@x",
		.extra = extra, .nextra = 1,
	};
	char *buf = NULL, *hdr;
	size_t len;
	int rc;

	if (render(&m, &buf, &len, NULL) != 0) {
		ok(0, "render injection attempt");
		return;
	}
	hdr = header_block(buf);
	ok(!has_line(hdr, "Bcc:"), "no Bcc: line in the header");
	ok(!has_line(hdr, "X-Injected:"), "no injected field");
	ok(has_line(hdr, "Subject: Hi  Bcc: evil@x X-Injected: 1\n"),
	    "CR/LF in subject became spaces");
	ok(strchr(buf, '\r') == NULL, "no CR anywhere");
	free(hdr);
	free(buf);

	/* Field names that could do harm are refused. */
	{
		static const char *const bad[] = { "Bcc", "Fcc", "From", "x y",
		    "X:Y", "" };

		for (size_t i = 0; i < LEN(bad); i++) {
			const char *e[] = { bad[i], "v" };
			struct outmail b = { .from = "h@example.com", .to = to,
			    .nto = 1, .subject = "s", .body = "b", .extra = e,
			    .nextra = 1 };
			char name[64];

			buf = NULL;
			rc = outmail_render(&b, &buf, &len, NULL);
			snprintf(name, sizeof(name),
			    "extra field \"%s\" refused", bad[i]);
			ok(rc == EX_DATAERR && buf == NULL, name);
			free(buf);
		}
	}
}

static void
test_addresses(void)
{
	static const char *const bad_from[] = { "not an address", "",
	    "<>", "-oQ/tmp/x@example.com" };
	const char *to[] = { "a@example.org" };
	const char *bad_to[] = { "a@example.org", "broken <<<" };
	char *buf = NULL;
	size_t len;

	for (size_t i = 0; i < LEN(bad_from); i++) {
		struct outmail m = { .from = bad_from[i], .to = to, .nto = 1,
		    .subject = "s", .body = "b" };
		char name[80];

		snprintf(name, sizeof(name),
		    "invalid From \"%s\" is EX_DATAERR", bad_from[i]);
		ok(outmail_render(&m, &buf, &len, NULL) == EX_DATAERR &&
		    buf == NULL, name);
	}
	{
		struct outmail m = { .from = "h@example.com", .to = bad_to,
		    .nto = 2, .subject = "s", .body = "b" };

		ok(outmail_render(&m, &buf, &len, NULL) == EX_DATAERR &&
		    strstr(rt_errmsg(), "broken") != NULL,
		    "invalid To is EX_DATAERR naming it");
	}
	{
		struct outmail m = { .from = NULL, .to = to, .nto = 1 };

		ok(outmail_render(&m, &buf, &len, NULL) == EX_DATAERR,
		    "missing From is EX_DATAERR");
	}
	{
		/* A Q-encoded name would end at the comma; B keeps it whole. */
		const char *cm[] = { "\"M\xC3\xBCller, J\xC3\xBCrgen\" "
		    "<jm@example.org>", "b@example.org" };
		struct outmail m = { .from = "h@example.com", .to = cm,
		    .nto = 2, .subject = "s", .body = "b" };
		struct mail *p = NULL;

		if (render(&m, &buf, &len, NULL) == 0 &&
		    mail_parse_buf(buf, len, &p) == 0) {
			ok(p->nto == 2, "name with a comma stays one address");
			if (p->nto == 2)
				is_str(p->to[0].name, "M\xC3\xBCller, J\xC3\xBCrgen",
				    "name with a comma round trip");
		} else
			ok(0, "render a name with a comma");
		mail_free(p);
		free(buf);
	}
}

static void
test_long_values(void)
{
	const char *to[] = { "a@example.org" };
	struct sbuf subj = SBUF_INIT, body = SBUF_INIT, ascii = SBUF_INIT;
	char *buf = NULL, *hdr;
	size_t len;
	struct mail *p = NULL;

	for (int i = 0; i < 60; i++)
		sbuf_adds(&subj, "\xC3\xA4" "b\xE2\x82\xAC ");
	sbuf_adds(&subj, "\xF0\x9F\x98\x80 end");
	for (int i = 0; i < 40; i++)
		sbuf_adds(&ascii, "word ");
	sbuf_adds(&body, "short line\ntrailing space   \ntrailing tab\t\n");
	for (int i = 0; i < 300; i++)
		sbuf_adds(&body, i % 7 ? "x" : "\xC3\xBC");
	sbuf_adds(&body, "\n=3D is not an escape\n.\nFrom the start\nno newline");

	{
		struct outmail m = { .from = "h@example.com", .to = to,
		    .nto = 1, .subject = subj.buf, .body = body.buf };

		if (render(&m, &buf, &len, NULL) == 0) {
			hdr = header_block(buf);
			ok(max_line(hdr) <= 78, "encoded header lines folded");
			ok(max_line(buf) <= 78,
			    "body lines within 76 (+ fold)");
			ok(strstr(buf, "trailing space  =20\n") != NULL,
			    "trailing space protected");
			ok(strstr(buf, "trailing tab=09\n") != NULL,
			    "trailing tab protected");
			if (mail_parse_buf(buf, len, &p) == 0) {
				is_str(p->subject, subj.buf,
				    "long non-ASCII subject round trip");
				ok(strncmp(p->text, body.buf, body.len) == 0 &&
				    strcmp(p->text + body.len, "\n") == 0,
				    "long body round trip (newline added)");
			} else
				ok(0, "long message parses");
			mail_free(p);
			free(hdr);
			free(buf);
		} else
			ok(0, "render long values");
	}
	{
		struct outmail m = { .from = "h@example.com", .to = to,
		    .nto = 1, .subject = ascii.buf, .body = "" };

		p = NULL;
		if (render(&m, &buf, &len, NULL) == 0) {
			hdr = header_block(buf);
			ok(max_line(hdr) <= 78, "long ASCII subject folded");
			ok(strstr(hdr, "=?") == NULL,
			    "ASCII subject not encoded");
			if (mail_parse_buf(buf, len, &p) == 0) {
				char *t = xstrdup(ascii.buf);

				is_str(p->subject, str_trim(t),
				    "folded subject round trip");
				free(t);
			}
			mail_free(p);
			free(hdr);
			free(buf);
		} else
			ok(0, "render long ASCII subject");
	}
	{
		/* ASCII that looks like an encoded word is encoded itself. */
		struct outmail m = { .from = "h@example.com", .to = to,
		    .nto = 1, .subject = "=?UTF-8?Q?x?=", .body = "" };

		p = NULL;
		if (render(&m, &buf, &len, NULL) == 0 &&
		    mail_parse_buf(buf, len, &p) == 0)
			is_str(p->subject, "=?UTF-8?Q?x?=",
			    "literal =?...?= kept");
		else
			ok(0, "render literal encoded word");
		mail_free(p);
		free(buf);
	}
	sbuf_free(&subj);
	sbuf_free(&body);
	sbuf_free(&ascii);
}

/* ---------------------------------------------------------------- */

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *
slurp_file(const char *name, size_t *len)
{
	char *path = path_in(name), *buf = NULL;
	size_t n = 0;

	if (read_file(path, &buf, &n) != 0)
		buf = NULL;
	free(path);
	if (len)
		*len = n;
	return buf;
}

static void
put_file(const char *name, const char *text, int mode)
{
	char *path = path_in(name);

	if (write_file_atomic(path, text, strlen(text), 0) != 0 ||
	    chmod(path, mode) != 0)
		printf("# cannot write %s\n", path);
	free(path);
}

static void
test_sendmail(const char *rendered, size_t rlen)
{
	const char *rcpts[] = { "rcpt1@example.org",
	    "Name <rcpt2@example.org>" };
	char *url, *argv, *in;
	size_t inlen;
	int rc;

	put_file("fake-sendmail", "#!/bin/sh\n"
	    "d=$(dirname \"$0\")\n"
	    "printf '%s\\n' \"$@\" > \"$d/argv\"\n"
	    "cat > \"$d/stdin\"\n"
	    "exit $(cat \"$d/exit\" 2>/dev/null || echo 0)\n", 0755);
	url = xasprintf("sendmail://%s/fake-sendmail", tmpdir);

	rc = mail_send(url, rendered, rlen, "bounce@example.com", rcpts, 2);
	ok(rc == 0, "sendmail send succeeds");
	if (rc)
		printf("# %s\n", rt_errmsg());
	argv = slurp_file("argv", NULL);
	is_str(argv, "-oi\n-f\nbounce@example.com\nrcpt1@example.org\n"
	    "rcpt2@example.org\n", "sendmail envelope arguments");
	in = slurp_file("stdin", &inlen);
	ok(in && inlen == rlen && memcmp(in, rendered, rlen) == 0,
	    "sendmail received exactly the rendered bytes");
	free(argv);
	free(in);

	/* The null sender for bounces and auto-replies. */
	rc = mail_send(url, rendered, rlen, "", rcpts, 1);
	argv = slurp_file("argv", NULL);
	ok(rc == 0 && argv &&
	    strcmp(argv, "-oi\n-f\n\nrcpt1@example.org\n") == 0,
	    "null envelope sender");
	free(argv);

	put_file("exit", "75\n", 0644);
	rc = mail_send(url, rendered, rlen, "bounce@example.com", rcpts, 1);
	ok(rc == EX_TEMPFAIL && strstr(rt_errmsg(), "75"),
	    "sendmail exit 75 is EX_TEMPFAIL");
	put_file("exit", "67\n", 0644);
	rc = mail_send(url, rendered, rlen, "bounce@example.com", rcpts, 1);
	ok(rc == EX_UNAVAILABLE, "sendmail exit 67 is EX_UNAVAILABLE");
	put_file("exit", "0\n", 0644);

	/* Envelope checks happen before anything runs. */
	{
		const char *dash[] = { "-oQ/tmp/x@example.org" };
		const char *two[] = { "a@example.org, b@example.org" };
		const char *fcc_msg = "From: a@b\nFcc: /tmp/x\n\nbody\n";

		ok(mail_send(url, rendered, rlen, "b@example.com", dash, 1) ==
		    EX_DATAERR, "recipient starting with - refused");
		ok(mail_send(url, rendered, rlen, "-f@example.com", rcpts, 1) ==
		    EX_DATAERR, "sender starting with - refused");
		ok(mail_send(url, rendered, rlen, "b@example.com", two, 1) ==
		    EX_DATAERR, "one address per recipient");
		ok(mail_send(url, rendered, rlen, "b@example.com", rcpts, 0) ==
		    EX_DATAERR, "no recipients refused");
		ok(mail_send(url, fcc_msg, strlen(fcc_msg),
		    "b@example.com", rcpts, 1) == EX_DATAERR,
		    "message with Fcc refused");
		ok(mail_send(url, "garbage without header\n", 23,
		    "b@example.com", rcpts, 1) == EX_DATAERR,
		    "unparsable message refused");
	}
	free(url);

	url = xasprintf("sendmail://%s/no-such-program", tmpdir);
	rc = mail_send(url, rendered, rlen, "b@example.com", rcpts, 1);
	ok(rc == EX_CONFIG, "missing sendmail program is EX_CONFIG");
	free(url);
	ok(mail_send("bogus://x", rendered, rlen, "b@example.com", rcpts, 1) ==
	    EX_CONFIG, "unknown scheme is EX_CONFIG");
	rc = mail_send("", rendered, rlen, "b@example.com", rcpts, 1);
	ok(rc == EX_CONFIG, "empty URL is EX_CONFIG");
}

/* A TCP port on 127.0.0.1 that nothing listens on (just released). */
static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int
can_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Starts smtp-sink with extra options; returns its pid or -1. */
static pid_t
sink_start(int port, const char *opt, const char *arg, const char *reply)
{
	char *addr = xasprintf("127.0.0.1:%d", port);
	char *dump = path_in("%M.");
	const char *av[16];
	int ac = 0;
	pid_t pid;

	av[ac++] = "smtp-sink";
	av[ac++] = "-d";
	av[ac++] = dump;
	if (geteuid() == 0) {
		av[ac++] = "-u";
		av[ac++] = "root";
	}
	if (opt) {
		av[ac++] = opt;
		av[ac++] = arg;
	}
	if (reply) {
		av[ac++] = strcmp(opt, "-f") == 0 ? "-B" : "-b";
		av[ac++] = reply;
	}
	av[ac++] = addr;
	av[ac++] = "10";
	av[ac] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		/* The server dies with the test, even when the test crashes. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(SMTP_SINK, (char *const *)av);
		_exit(127);
	}
	free(addr);
	free(dump);
	for (int i = 0; pid > 0 && i < 100 && !can_connect(port); i++)
		usleep(50000);
	return pid;
}

static void
sink_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

/* The smtp-sink dump files in tmpdir ("MM.hex"), read whole. */
static size_t
sink_dumps(char **v, size_t *lens, size_t max)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	size_t n = 0;

	while (d && n < max && (e = readdir(d)) != NULL)
		if (strspn(e->d_name, "0123456789") == 2 &&
		    e->d_name[2] == '.' &&
		    (v[n] = slurp_file(e->d_name, &lens[n])) != NULL)
			n++;
	if (d)
		closedir(d);
	return n;
}

/* Whether dump holds exactly the rendered bytes after its own header. */
static int
dump_exact(const char *dump, size_t dlen, const char *rendered, size_t rlen)
{
	const char *at = memmem(dump, dlen, rendered, rlen);

	return at != NULL && (size_t)(at - dump) + rlen + 1 == dlen &&
	    dump[dlen - 1] == '\n';
}

static void
test_smtp(const char *rendered, size_t rlen)
{
	const char *rcpts[] = { "rcpt1@example.org", "rcpt2@example.org" };
	int port;
	pid_t pid;
	char *url, *dump[4];
	size_t dlen[4], n = 0;
	int rc;

	/* Nothing listening: connection refused. */
	port = free_port();
	url = xasprintf("smtp://127.0.0.1:%d", port);
	rc = mail_send(url, rendered, rlen, "bounce@example.com", rcpts, 2);
	ok(port > 0 && rc == EX_TEMPFAIL, "refused connection is EX_TEMPFAIL");
	free(url);

	if (access(SMTP_SINK, X_OK) != 0) {
		printf("# %s not found: SMTP delivery tests skipped\n",
		    SMTP_SINK);
		return;
	}
	port = free_port();
	pid = sink_start(port, NULL, NULL, NULL);
	url = xasprintf("smtp://127.0.0.1:%d", port);
	rc = mail_send(url, rendered, rlen, "bounce@example.com", rcpts, 2);
	ok(rc == 0, "SMTP send to smtp-sink succeeds");
	if (rc)
		printf("# %s\n", rt_errmsg());
	for (int i = 0; i < 40 && (n = sink_dumps(dump, dlen, 4)) < 1; i++)
		usleep(50000);
	ok(n == 1, "smtp-sink stored one message (one transaction)");
	if (n == 1) {
		ok(strstr(dump[0], "X-Mail-Args: <bounce@example.com>") != NULL,
		    "SMTP envelope sender");
		ok(strstr(dump[0], "X-Rcpt-Args: <rcpt1@example.org>") &&
		    strstr(dump[0], "X-Rcpt-Args: <rcpt2@example.org>"),
		    "SMTP envelope: every recipient");
		ok(dump_exact(dump[0], dlen[0], rendered, rlen),
		    "SMTP server received exactly the rendered bytes");
	}
	while (n > 0)
		free(dump[--n]);
	rc = mail_send(url, rendered, rlen, "", rcpts, 1);
	for (int i = 0; i < 40 && (n = sink_dumps(dump, dlen, 4)) < 2; i++) {
		while (n > 0)
			free(dump[--n]);
		usleep(50000);
	}
	ok(rc == 0 && n == 2 && (strstr(dump[0], "X-Mail-Args: <>\n") ||
	    strstr(dump[1], "X-Mail-Args: <>\n")), "SMTP null sender");
	while (n > 0)
		free(dump[--n]);
	sink_stop(pid);
	free(url);

	port = free_port();
	pid = sink_start(port, "-f", "RCPT", "550 5.1.1 No such user here");
	url = xasprintf("smtp://127.0.0.1:%d", port);
	rc = mail_send(url, rendered, rlen, "bounce@example.com", rcpts, 1);
	ok(rc == EX_UNAVAILABLE, "SMTP 5xx is EX_UNAVAILABLE");
	ok(strstr(rt_errmsg(), "550 5.1.1 No such user here") != NULL,
	    "error names the server reply");
	sink_stop(pid);
	free(url);

	port = free_port();
	pid = sink_start(port, "-r", "RCPT", "451 4.7.1 Greylisted, come back");
	url = xasprintf("smtp://127.0.0.1:%d", port);
	rc = mail_send(url, rendered, rlen, "bounce@example.com", rcpts, 1);
	ok(rc == EX_TEMPFAIL && strstr(rt_errmsg(), "Greylisted"),
	    "SMTP 4xx is EX_TEMPFAIL with the reply");
	sink_stop(pid);
	free(url);
}

static void
cleanup(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = path_in(e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
}

/* The multipart writer: text plus a file whose name and type come from outside. */
static void
test_multipart(void)
{
	static const char data[] = "\0\r\n--=_rt_mixed\r\n\xff end";
	const char *to[] = { "support@example.com" };
	struct outpart part = { .filename = "M\xC3\xA4rz \";\n../x.pdf",
	    .type = "image/png\r\nBcc: x@example.org", .data = data, .len = sizeof(data) - 1 };
	struct outmail m = { .from = "eva@example.org", .to = to, .nto = 1,
	    .subject = "With a file", .body = "See the file.\n", .parts = &part, .nparts = 1 };
	struct mail *p = NULL;
	char *buf = NULL, *got = NULL;
	size_t len = 0, glen = 0;

	ok(render(&m, &buf, &len, NULL) == 0, "multipart: renders");
	ok(buf && strstr(buf, "filename*=utf-8''M%C3%A4rz%20%22%3B%20..%2Fx.pdf") != NULL,
	    "multipart: the file name RFC 2231-encoded, its newline a blank");
	ok(buf && strstr(buf, "Content-Type: application/octet-stream\n") && !strstr(buf, "Bcc"),
	    "multipart: a bad type becomes application/octet-stream");
	ok(buf && mail_parse_buf(buf, len, &p) == 0 && p->nparts >= 2 &&
	    strcmp(p->text, "See the file.\n") == 0, "multipart: the text part is the body");
	ok(p && p->nparts >= 2 && p->parts[p->nparts - 1].attachment &&
	    strcmp(p->parts[p->nparts - 1].filename, "M\xC3\xA4rz \"; ../x.pdf") == 0,
	    "multipart: the file is an attachment with its name");
	ok(p && mail_part_body(p, p->nparts - 1, &got, &glen) == 0 && glen == sizeof(data) - 1 &&
	    memcmp(got, data, glen) == 0, "multipart: the bytes come back exactly");
	free(got);
	if (p)
		mail_free(p);
	free(buf);
}

int
main(void)
{
	const char *to[] = { "Kund\xC3\xA9 <customer@example.org>" };
	struct outmail m = { .from = "Support <support@example.com>",
	    .to = to, .nto = 1, .subject = "Re: [#42] Drucker \xC3\xA4",
	    .body = "Hello\n.\nFrom here\nend\n" };
	char *rendered = NULL;
	size_t rlen = 0;

	setenv("RT_NOW", "2026-11-23T10:05:00Z", 1);
	test_render_basic();
	test_injection();
	test_addresses();
	test_long_values();
	test_multipart();
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "temporary directory");
		return tap_done();
	}
	if (render(&m, &rendered, &rlen, NULL) == 0) {
		test_sendmail(rendered, rlen);
		cleanup();
		if (mkdir(tmpdir, 0700) == 0)
			test_smtp(rendered, rlen);
	} else
		ok(0, "render the message to send");
	free(rendered);
	cleanup();
	return tap_done();
}
