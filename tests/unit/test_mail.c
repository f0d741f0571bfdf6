/* test_mail.c: mail parsing through libmailutils */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "text.h"
#include "util.h"
#include "tap.h"

static const char *corpus;

static struct mail *
parse(const char *text)
{
	struct mail *m = NULL;
	int rc = mail_parse_buf(text, strlen(text), &m);

	if (rc != 0)
		printf("# parse failed (%d): %s\n", rc, rt_errmsg());
	return m;
}

static struct mail *
parse_corpus(const char *rel)
{
	char *path = xasprintf("%s/mail/%s", corpus, rel);
	struct mail *m = NULL;
	int rc = mail_parse_file(path, &m);

	if (rc != 0)
		printf("# %s: %d %s\n", path, rc, rt_errmsg());
	free(path);
	return m;
}

static int
rejects(const char *buf, size_t len, const char *why)
{
	struct mail *m = (struct mail *)1;
	int rc = mail_parse_buf(buf, len, &m);

	if (rc != EX_DATAERR || m != NULL) {
		mail_free(m);
		return 0;
	}
	return why == NULL || strstr(rt_errmsg(), why) != NULL;
}

static int
no_controls(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

static void
test_rfc2047(void)
{
	struct mail *m;

	m = parse("From: a@example.com\n"
	    "Subject: =?ISO-8859-1?Q?Drucker_kaputt_=E4=F6=FC?=\n\nx\n");
	ok(m != NULL, "ISO-8859-1 Q subject parses");
	if (m)
		is_str(m->subject, "Drucker kaputt \xC3\xA4\xC3\xB6\xC3\xBC",
		    "ISO-8859-1 Q subject decoded to UTF-8");
	mail_free(m);

	m = parse("From: a@example.com\n"
	    "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\n\nx\n");
	if (m)
		is_str(m->subject, "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln",
		    "UTF-8 B subject decoded");
	else
		ok(0, "UTF-8 B subject parses");
	mail_free(m);

	/* Folded, two adjacent encoded words join without the space. */
	m = parse("From: a@example.com\nSubject: =?UTF-8?Q?Hal?=\n"
	    " =?UTF-8?Q?lo_Welt?=\n\nx\n");
	if (m)
		is_str(m->subject, "Hallo Welt",
		    "adjacent encoded words joined");
	mail_free(m);

	/* Decoded controls and line feeds must not survive. */
	m = parse("From: a@example.com\n"
	    "Subject: =?UTF-8?Q?a=0D=0ABcc:_x@y=00z?=\n\nx\n");
	if (m) {
		ok(no_controls(m->subject),
		    "decoded CR LF NUL removed from subject");
		ok(strstr(m->subject, "Bcc: x@y") != NULL, "subject text kept");
	}
	mail_free(m);

	/* A multipart without parts reads as text/plain (mutt). */
	m = parse("From: a@example.com\nSubject: s\nContent-Type: multipart/mixed; boundary=Q\n\n"
	    "no delimiter here\n");
	if (m) {
		is_str(m->text, "no delimiter here\n", "multipart without parts: its text");
		ok(m->nparts == 1 && strcmp(m->parts[0].type, "text/plain") == 0 &&
		    !m->parts[0].attachment, "listed as text/plain, not an attachment");
	}
	mail_free(m);

	/* Unknown charset: its bytes, decoded, cleaned. */
	m = parse("From: a@example.com\nSubject: =?x-bogus?Q?abc?=\n\nx\n");
	if (m)
		is_str(m->subject, "abc", "unknown charset: its bytes");
	mail_free(m);

	/* Raw 8-bit Latin-1 header bytes become UTF-8. */
	m = parse("From: J\xFCrgen <j@example.com>\nSubject: Gr\xFC\xDF" "e\n\nx\n");
	if (m) {
		is_str(m->subject, "Gr\xC3\xBC\xC3\x9F" "e",
		    "raw latin-1 subject");
		is_str(m->from.name, "J\xC3\xBCrgen",
		    "raw latin-1 display name");
		is_str(m->from.email, "j@example.com",
		    "address with 8-bit name");
	} else
		ok(0, "raw 8-bit headers parse");
	mail_free(m);
}

static void
test_addresses(void)
{
	struct mail *m;

	m = parse("From: \"Evil\\\r\n Bcc: x@y\" <Boss@Example.COM>\n"
	    "To: Anna <anna@example.com>, bob@EXAMPLE.org,\n"
	    "  =?UTF-8?B?w6TDtsO8?= <u@example.net>\n"
	    "Cc: undisclosed-recipients:;\n"
	    "Reply-To: team: a@example.com, b@example.com;\n"
	    "Subject: addrs\n\nbody\n");
	ok(m != NULL, "address message parses");
	if (m == NULL)
		return;
	is_str(m->from.email, "Boss@example.com",
	    "local part kept, domain lower-cased");
	ok(m->from.name && no_controls(m->from.name) &&
	    strchr(m->from.name, '\n') == NULL, "display name has no CR/LF");
	ok(m->nto == 3, "three To addresses");
	if (m->nto == 3) {
		is_str(m->to[0].email, "anna@example.com", "to[0] email");
		is_str(m->to[0].name, "Anna", "to[0] name");
		is_str(m->to[1].email, "bob@example.org", "to[1] email");
		ok(m->to[1].name == NULL, "to[1] has no name");
		is_str(m->to[2].name, "\xC3\xA4\xC3\xB6\xC3\xBC",
		    "encoded display name decoded");
	}
	ok(m->ncc == 0, "undisclosed-recipients:; is no address, not an error");
	ok(m->nreply_to == 2, "group members listed");
	ok(m->auto_submitted == 0, "ordinary mail is not auto-submitted");
	mail_free(m);

	/* A domain-less address gets no local host name appended. */
	m = parse("From: MAILER-DAEMON\nSubject: failure notice\n\nx\n");
	if (m) {
		is_str(m->from.email, "MAILER-DAEMON", "no domain appended");
		ok(m->auto_submitted, "MAILER-DAEMON is auto-submitted");
	}
	mail_free(m);

	/* An unparsable item does not lose the others. */
	m = parse("From: a@example.com\nTo: ok1@example.com, <<<broken, "
	    "ok2@example.com\nSubject: x\n\nx\n");
	if (m) {
		ok(m->nto == 2, "broken list item skipped, others kept");
		if (m->nto == 2)
			is_str(m->to[1].email, "ok2@example.com",
			    "second good item");
	}
	mail_free(m);
}

static void
test_auto_submitted(void)
{
	static const char *const cases[] = {
		"Return-Path: <>\nFrom: x@example.com\nSubject: s\n\nb\n",
		"From: <>\nSubject: s\n\nb\n",
		"From: Mail Delivery <postmaster@example.com>\nSubject: s\n\nb\n",
		"From: x@example.com\nAuto-Submitted: auto-replied\nSubject: s\n\nb\n",
		"From: x@example.com\nPrecedence: bulk\nSubject: s\n\nb\n",
		"From: x@example.com\nPrecedence: List\nSubject: s\n\nb\n",
		"From: x@example.com\nList-Id: <l.example.com>\nSubject: s\n\nb\n",
		"From: x@example.com\nList-Unsubscribe: <mailto:u@x>\nSubject: s\n\nb\n",
		"From: x@example.com\nX-Loop: helpdesk\nSubject: s\n\nb\n",
		"From: x@example.com\nX-Autoreply: yes\nSubject: s\n\nb\n",
		"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nFrom: x@example.com\n"
		    "Subject: s\n\nb\n",
	};
	struct mail *m;

	for (size_t i = 0; i < LEN(cases); i++) {
		char name[64];

		snprintf(name, sizeof(name), "auto_submitted case %zu", i);
		m = parse(cases[i]);
		ok(m && m->auto_submitted, name);
		mail_free(m);
	}
	m = parse("Return-Path: <>\nFrom: x@example.com\nSubject: s\n\nb\n");
	if (m)
		is_str(m->sender, "", "<> Return-Path gives the null sender");
	mail_free(m);
	m = parse("From: x@example.com\nAuto-Submitted: no\n"
	    "Precedence: first-class\nSubject: s\n\nb\n");
	ok(m && !m->auto_submitted, "Auto-Submitted: no is a person");
	mail_free(m);
}

static void
test_ids_and_date(void)
{
	struct mail *m;

	m = parse("From: a@example.com\nMessage-ID:  <abc.123@Example.com> \n"
	    "In-Reply-To: <p1@x> (Fred's message)\n"
	    "References: <r1@x>\n <r2@x>  <r3\n @x>\n"
	    "Date: Mon, 23 Nov 2026 10:05:00 +0100 (CET)\n"
	    "Content-Language: DE-de, en\n"
	    "Subject: ids\n\nbody\n");
	ok(m != NULL, "id message parses");
	if (m == NULL)
		return;
	is_str(m->message_id, "abc.123@Example.com", "message id without <>");
	is_str(m->in_reply_to, "p1@x", "in-reply-to first id");
	ok(m->nreferences == 3, "three references");
	if (m->nreferences == 3) {
		is_str(m->references[0], "r1@x", "oldest reference first");
		is_str(m->references[2], "r3@x", "folded id rejoined");
	}
	ok(m->date == 1795424700, "date parsed to UTC");
	is_str(m->content_language, "de-de", "first language, lower case");
	mail_free(m);

	m = parse("From: a@example.com\nDate: someday soon\nSubject: x\n\nx\n");
	ok(m && m->date == 0, "unparsable date gives 0");
	ok(m && m->message_id == NULL && m->nreferences == 0, "missing ids");
	mail_free(m);

	m = parse("From: a@example.com\nDate: 12:00\nSubject: x\n\nx\n");
	ok(m && m->date == 0, "a time without a date gives 0");
	mail_free(m);
}

static void
test_attachments(void)
{
	struct mail *m;
	const char *msg =
	    "From: a@example.com\nSubject: att\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"XX\"\n\n"
	    "preamble\n--XX\n"
	    "Content-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "Gr=FC=DFe=\n aus Wien\n"
	    "--XX\n"
	    "Content-Type: application/octet-stream\n"
	    "Content-Disposition: attachment; filename=\"../../etc/passwd\"\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "cm9vdDp4OjA6MDo=\n"
	    "--XX\n"
	    "Content-Type: image/png; name=\"=?UTF-8?Q?B=C3=BCro.png?=\"\n\n"
	    "PNG\n"
	    "--XX\n"
	    "Content-Type: text/plain\n"
	    "Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC.txt\n\n"
	    "not the body\n"
	    "--XX--\n";

	m = parse(msg);
	ok(m != NULL, "multipart parses");
	if (m == NULL)
		return;
	ok(m->nparts == 4, "four parts");
	if (m->nparts == 4) {
		is_str(m->parts[0].type, "text/plain", "part 1 type");
		ok(!m->parts[0].attachment, "inline text is no attachment");
		is_str(m->parts[1].filename, "../../etc/passwd",
		    "../ name kept as data");
		ok(m->parts[1].attachment, "disposition attachment");
		ok(m->parts[1].depth == 1, "top-level part depth 1");
		is_str(m->parts[2].filename, "B\xC3\xBCro.png",
		    "Content-Type name fallback, RFC 2047 decoded");
		ok(m->parts[2].attachment, "named image is an attachment");
		is_str(m->parts[3].filename, "\xE2\x82\xAC.txt",
		    "RFC 2231 filename");
		ok(m->parts[3].attachment, "text attachment");
	}
	/* The line end before a boundary belongs to the boundary. */
	is_str(m->text, "Gr\xC3\xBC\xC3\x9F" "e aus Wien",
	    "quoted-printable latin-1 body decoded");
	ok(!m->truncated, "not truncated");
	mail_free(m);
}

static char *
nested(int depth)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, "From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n");
	for (int i = 0; i < depth; i++)
		sbuf_addf(&sb, "Content-Type: multipart/mixed; boundary=\"b%d\"\n"
		    "\n--b%d\n", i, i);
	sbuf_adds(&sb, "Content-Type: text/plain\n\ninnermost\n");
	for (int i = depth - 1; i >= 0; i--)
		sbuf_addf(&sb, "--b%d--\n", i);
	return sbuf_detach(&sb);
}

static void
test_limits(void)
{
	struct mail *m;
	char *s;
	struct sbuf sb = SBUF_INIT;

	s = nested(40);
	m = parse(s);
	ok(m != NULL, "40-deep multipart parses");
	if (m) {
		ok(m->truncated, "40-deep multipart is truncated");
		ok(m->nparts >= 1, "deep part listed");
		for (size_t i = 0; i < m->nparts; i++)
			ok(m->parts[i].depth <= MAIL_MAX_DEPTH, "depth capped");
	}
	mail_free(m);
	free(s);

	s = nested(3);
	m = parse(s);
	if (m) {
		ok(!m->truncated, "3-deep multipart is not truncated");
		is_str(m->text, "innermost", "text found 3 levels down");
		ok(m->nparts == 1 && m->parts[0].depth == 3, "leaf depth 3");
	}
	mail_free(m);
	free(s);

	/* More parts than MAIL_MAX_PARTS. */
	sbuf_adds(&sb, "From: a@example.com\nSubject: many\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
	for (int i = 0; i < MAIL_MAX_PARTS + 5; i++)
		sbuf_adds(&sb, "--p\nContent-Type: text/plain\n\nx\n");
	sbuf_adds(&sb, "--p--\n");
	m = parse(sb.buf);
	ok(m && m->nparts == MAIL_MAX_PARTS && m->truncated,
	    "part count capped and truncated");
	mail_free(m);
	sbuf_free(&sb);

	/* A body over 1 MiB is cut, on a character boundary. */
	sbuf_adds(&sb, "From: a@example.com\nSubject: big\n"
	    "Content-Type: text/plain; charset=utf-8\n\n");
	for (int i = 0; i < 600000; i++)
		sbuf_adds(&sb, "\xC3\xA4");
	m = parse(sb.buf);
	ok(m && strlen(m->text) <= 1024 * 1024, "text capped at 1 MiB");
	ok(m && strlen(m->text) > 1000000, "text cap keeps most of it");
	ok(m && utf8_valid(m->text, strlen(m->text)),
	    "capped text valid UTF-8");
	mail_free(m);
	sbuf_free(&sb);
}

static void
test_not_mail(void)
{
	unsigned char garbage[4096];
	unsigned int seed = 12345;
	int all = 1;

	ok(rejects("", 0, "empty"), "empty input is EX_DATAERR");
	ok(rejects("\n\n  \n", 5, "empty"), "blank input is EX_DATAERR");
	ok(rejects("Hello there,\nthis is a letter.\n", 31, "first line"),
	    "prose is EX_DATAERR");
	ok(rejects("X-Foo: bar\nX-Bar: baz\n\nbody\n", 27, "none of"),
	    "no core header is EX_DATAERR");
	ok(rejects("From bob Mon Jan  1 00:00:00 2024\n\nbody\n", 40, NULL),
	    "From_ line without fields is EX_DATAERR");
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(garbage); i++) {
			seed = seed * 1103515245 + 12345;
			garbage[i] = (unsigned char)(seed >> 16);
		}
		garbage[0] = 0x89;	/* never a field name */
		if (!rejects((char *)garbage, sizeof(garbage), NULL))
			all = 0;
	}
	ok(all, "binary garbage is EX_DATAERR");
	{
		const char bin[] = "Subject:\x00\x01\x02\xFF\xFE\n\x00\x00\n\nz";
		struct mail *m = NULL;
		int rc = mail_parse_buf(bin, sizeof(bin) - 1, &m);

		ok(rc == 0 || rc == EX_DATAERR,
		    "NUL bytes in a header: no crash");
		mail_free(m);
	}
	{
		struct mail *m = (struct mail *)1;

		ok(mail_parse_file("/nonexistent/rt-mail", &m) == EX_NOINPUT &&
		    m == NULL, "missing file is EX_NOINPUT");
	}
}

static void
test_shapes(void)
{
	struct mail *m;

	/* CRLF line ends. */
	m = parse("From: a@example.com\r\nSubject: crlf\r\n\r\nline1\r\nline2\r\n");
	if (m) {
		is_str(m->subject, "crlf", "CRLF subject");
		is_str(m->text, "line1\nline2\n", "CRLF body gets LF");
	} else
		ok(0, "CRLF message parses");
	mail_free(m);

	/* Lone CRs (no LF at all) end lines; a lone CR among LFs stays a byte. */
	m = parse("From: a@example.com\rSubject: old mac\r\rline1\rline2\r");
	if (m) {
		is_str(m->subject, "old mac", "CR-only subject");
		is_str(m->text, "line1\nline2\n", "CR-only body gets LF");
	} else
		ok(0, "CR-only message parses");
	mail_free(m);
	m = parse("From: a@example.com\r\nSubject: mixed\r\n\r\na\rb\r\r\nc\r");
	if (m) {
		is_str(m->subject, "mixed", "mixed line ends: subject");
		ok(m->text && strncmp(m->text, "a", 1) == 0 && strchr(m->text, '\n') &&
		    strchr(m->text, 'c') > strchr(m->text, 'b'), "mixed line ends: body in order");
	} else
		ok(0, "mixed line ends parse");
	mail_free(m);

	/* mbox From_ line is the envelope. */
	m = parse("From bounce@Example.ORG Mon Jan  1 00:00:00 2024\n"
	    "Return-Path: <other@example.org>\n"
	    "From: a@example.com\nSubject: env\n\nbody\n");
	if (m) {
		is_str(m->sender, "bounce@example.org", "From_ line sender");
		is_str(m->text, "body\n", "body after From_ line");
	}
	mail_free(m);

	/* Without a From_ line, Return-Path. */
	m = parse("Return-Path: <rp@example.org>\nFrom: a@example.com\n"
	    "Subject: rp\n\nbody\n");
	if (m)
		is_str(m->sender, "rp@example.org", "Return-Path sender");
	mail_free(m);
	m = parse("From: a@example.com\nSubject: none\n\nbody\n");
	ok(m && m->sender == NULL,
	    "no envelope: sender NULL (not the local user)");
	mail_free(m);

	/* No blank line between header and body. */
	m = parse("From: a@example.com\nSubject: nosep\nthis is the body\n"
	    "more body\n");
	if (m) {
		is_str(m->subject, "nosep", "missing separator: subject");
		is_str(m->text, "this is the body\nmore body\n",
		    "missing separator: body");
	} else
		ok(0, "missing separator parses");
	mail_free(m);

	/* Missing headers are fine. */
	m = parse("Subject: only a subject\n\nx\n");
	ok(m && m->from.email == NULL && m->nto == 0 && m->date == 0,
	    "missing headers are NULL/empty");
	mail_free(m);
	m = parse("From: a@example.com\n\nx\n");
	if (m)
		is_str(m->subject, "", "missing subject is empty string");
	mail_free(m);

	/* HTML only. */
	m = parse("From: a@example.com\nSubject: html\n"
	    "Content-Type: text/html; charset=utf-8\n\n"
	    "<html><head><style>p { color: red }</style>"
	    "<script>alert('x')</script></head>\n"
	    "<body><p>Hello &amp; welcome</p><p>a &lt;b&gt; c&nbsp;d<br>"
	    "line&#33; &#x263A; &quot;q&quot;</p></body></html>\n");
	if (m)
		is_str(m->text, "Hello & welcome\n\na <b> c d\n"
		    "line! \xE2\x98\xBA \"q\"\n", "HTML stripped to text");
	mail_free(m);

	/* HTML only, German: named entities, Latin-1 and typographic. */
	m = parse("From: a@example.com\nSubject: html\n"
	    "Content-Type: text/html; charset=us-ascii\n\n"
	    "<p>Gr&uuml;&szlig;e aus M&uuml;nchen &ndash; &bdquo;Stra&szlig;e&ldquo;"
	    "&nbsp;kostet 5&nbsp;&euro; &amp; mehr&hellip; &Auml;rger&#8203;</p>"
	    "<p>&auml &copy 2026 &unknown; &#128; &#0; &AMP; &#xD800;</p>\n");
	if (m)
		is_str(m->text, "Gr\xC3\xBC\xC3\x9F" "e aus M\xC3\xBCnchen \xE2\x80\x93 "
		    "\xE2\x80\x9EStra\xC3\x9F" "e\xE2\x80\x9C kostet 5 \xE2\x82\xAC & mehr"
		    "\xE2\x80\xA6 \xC3\x84rger\xE2\x80\x8B\n\n"
		    "\xC3\xA4 \xC2\xA9 2026 &unknown; \xE2\x82\xAC \xEF\xBF\xBD & \xEF\xBF\xBD\n",
		    "HTML named entities decoded (German, typographic, legacy)");
	mail_free(m);

	/* Plain preferred over HTML in an alternative. */
	m = parse("From: a@example.com\nSubject: alt\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=a\n\n"
	    "--a\nContent-Type: text/html\n\n<b>html</b>\n"
	    "--a\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\ncGxhaW4g4pyTCg==\n--a--\n");
	if (m)
		is_str(m->text, "plain \xE2\x9C\x93\n",
		    "text/plain preferred, base64");
	mail_free(m);

	/* Unknown body charset: transfer decoding only, valid UTF-8. */
	m = parse("From: a@example.com\nSubject: cs\n"
	    "Content-Type: text/plain; charset=x-unknown\n"
	    "Content-Transfer-Encoding: quoted-printable\n\nA=FFB=41\n");
	if (m)
		is_str(m->text, "A\xEF\xBF\xBD" "BA\n",
		    "unknown charset cleaned");
	mail_free(m);

	/* Header accessors. */
	m = parse("From: a@example.com\nSubject: =?UTF-8?Q?f=C3=BCr?=\n"
	    " folded\nX-Custom: one\nX-Custom: two\n\nx\n");
	if (m) {
		char *raw = mail_header_raw(m, "subject");
		char *dec = mail_header(m, "Subject");
		char *xc = mail_header(m, "x-custom");
		char *none = mail_header(m, "X-Missing");

		ok(raw && strstr(raw, "=?UTF-8?Q?f=C3=BCr?=") &&
		    !strchr(raw, '\n'), "raw header undecoded and unfolded");
		is_str(dec, "f\xC3\xBCr folded", "decoded header");
		is_str(xc, "one", "first of repeated fields");
		ok(none == NULL, "absent header is NULL");
		free(raw);
		free(dec);
		free(xc);
	}
	mail_free(m);
	mail_free(NULL);
}

static void
test_corpus(void)
{
	struct mail *m;

	m = parse_corpus("cpython-test-email/msg_13.txt");
	ok(m != NULL, "corpus msg_13 parses");
	if (m) {
		is_str(m->subject, "Here is your dingus fish",
		    "msg_13 subject");
		is_str(m->from.name, "Barry", "msg_13 from name");
		is_str(m->from.email, "barry@digicool.com", "msg_13 from");
		ok(m->nparts == 3, "msg_13 three leaf parts");
		if (m->nparts == 3) {
			is_str(m->parts[2].type, "image/gif",
			    "msg_13 gif type");
			is_str(m->parts[2].filename, "dingusfish.gif",
			    "msg_13 gif name");
			ok(m->parts[2].attachment && m->parts[2].depth == 2,
			    "msg_13 gif nested attachment");
			ok(m->parts[2].size > 4000, "msg_13 encoded size");
		}
		is_str(m->text, "A text/plain part\n",
		    "msg_13 first text part");
		ok(m->date == 987809702, "msg_13 date");
	}
	mail_free(m);

	m = parse_corpus("hunnysoft-mua-samples/m0005.txt");
	if (m) {
		is_str(m->subject, "Die Hasen und die Fr\xC3\xB6sche (Microsoft "
		    "Outlook 00)", "ISO-8859-1 encoded-word subject");
		ok(m->nto == 1 && strcmp(m->to[0].name, "J\xC3\xBCrgen "
		    "Schm\xC3\xBCrgen") == 0, "encoded display name");
		ok(strstr(m->text, "Die Hasen klagten einst \xC3\xBC" "ber"),
		    "latin-1 body converted");
	} else
		ok(0, "corpus m0005 parses");
	mail_free(m);

	m = parse_corpus("rt/new-ticket-from-iso-8859-1");
	if (m) {
		is_str(m->in_reply_to, "20030602185607.GN10811@fsck.com",
		    "in-reply-to");
		ok(m->nreferences == 4, "four references");
		if (m->nreferences == 4)
			is_str(m->references[0],
			    "5.2.1.1.0.20030602204834.031406d8@mail.nordkapp.net",
			    "first reference");
		is_str(m->from.name, "Wilhelmsen H\xC3\xA5vard",
		    "raw 8-bit latin-1 name");
	} else
		ok(0, "corpus new-ticket-from-iso-8859-1 parses");
	mail_free(m);

	m = parse_corpus("mime-tools-testmsgs/hdr-fakeout.msg");
	if (m) {
		is_str(m->subject, "test message 1", "CRLF corpus mail");
		ok(strstr(m->text, "actually has a space in it") != NULL,
		    "body after a bogus separator");
	} else
		ok(0, "corpus hdr-fakeout parses");
	mail_free(m);

	{
		char *path = xasprintf("%s/mail/%s", corpus,
		    "spamscope-mail-parser/mail_outlook_1");

		m = NULL;
		ok(mail_parse_file(path, &m) == EX_DATAERR && m == NULL &&
		    strstr(rt_errmsg(), "not a mail"),
		    "Outlook .msg binary is not mail");
		free(path);
	}
}

/* The mail-command secret line never reaches the text (mailcmd.h). */
static void
test_secret_line(void)
{
	struct mail *m = parse("From: a@example.org\nSubject: x\n\nStatus: open\n"
	    "Secret: s3cret\nOwner: anna\n\nbody Secret: stays\n");

	if (m) {
		is_str(m->text, "Status: open\nOwner: anna\n\nbody Secret: stays\n",
		    "the Secret: line of the command block is removed");
		is_str(m->cmd_secret, "s3cret", "and kept for the check only");
	}
	mail_free(m);
	m = parse("From: a@example.org\nSubject: x\n\nHello,\nSecret: no\n");
	if (m) {
		ok(strstr(m->text, "Secret: no") != NULL, "a Secret: line after the block is text");
		ok(m->cmd_secret == NULL, "and no secret");
	}
	mail_free(m);
}

/* NULs before the body and a sender-less From_ line (libmailutils over-read). */
static void
test_nul_header(void)
{
	static const char a[] = "From \0x@y Mon Nov 23 10:00:00 2026\nFrom: a@b.example\nSubject: nul\n\nhi\n";
	static const char b[] = "From \0";
	struct mail *m = NULL;

	ok(mail_parse_buf(a, sizeof(a) - 1, &m) == 0 && m && strcmp(m->subject, "nul") == 0,
	    "a NUL in the From_ line: parsed");
	mail_free(m);
	m = NULL;
	ok(mail_parse_buf(b, sizeof(b) - 1, &m) != 0 && m == NULL, "\"From \\0\" alone is not mail");
	mail_free(m);
}

int
main(void)
{
	/* The vendored copies of corpus mails; run.sh runs us in tests/. */
	corpus = getenv("RT_FIXTURES");
	if (corpus == NULL)
		corpus = "fixtures";
	test_rfc2047();
	test_addresses();
	test_auto_submitted();
	test_ids_and_date();
	test_attachments();
	test_limits();
	test_not_mail();
	test_shapes();
	test_secret_line();
	test_nul_header();
	test_corpus();
	return tap_done();
}
