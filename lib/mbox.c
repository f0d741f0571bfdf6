/* mbox.c: splitting an mbox file into messages, as mutt does (mbox(5)) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mbox.h"
#include "spool.h"
#include "util.h"

static int
in_list(const char *tok, const char *list)
{
	if (strlen(tok) != 3)
		return 0;
	for (const char *p = list; *p; p += 3)
		if (strncasecmp(tok, p, 3) == 0)
			return 1;
	return 0;
}

static int
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* hh:mm or hh:mm:ss */
static int
is_clock(const char *s)
{
	size_t n = strlen(s);

	return (n == 5 || n == 8) && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    s[2] == ':' && isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) &&
	    (n == 5 || (s[5] == ':' && isdigit((unsigned char)s[6]) && isdigit((unsigned char)s[7])));
}

int
mbox_is_from(const char *line, size_t len)
{
	char buf[1024], *tok[64], *save = NULL;
	size_t n = 0;

	if (len < 5 || memcmp(line, "From ", 5) != 0)
		return 0;
	len -= 5;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line + 5, len);
	buf[len] = '\0';
	for (char *t = strtok_r(buf, " \t\r\n", &save); t && n < LEN(tok);
	    t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	/* the return path may be missing, quoted or odd: look for the date */
	for (size_t i = 0; i + 3 < n; i++) {
		size_t j = i + 4;
		if (!in_list(tok[i], "MonTueWedThuFriSatSun") ||
		    !in_list(tok[i + 1], "JanFebMarAprMayJunJulAugSepOctNovDec") ||
		    !all_digits(tok[i + 2], 1, 2) || !is_clock(tok[i + 3]))
			continue;
		for (int zones = 0; j < n && zones < 2 && !all_digits(tok[j], 4, 4); zones++)
			j++;	/* "UTC", "+0100", "CET DST" */
		if (j < n && all_digits(tok[j], 4, 4))
			return 1;
	}
	return 0;
}

/* "From sender" with nothing after the sender: Thunderbird's "From - ", qmail's "From addr". */
static int
is_bare_from(const char *line, size_t len)
{
	const char *p = line + 5, *end = line + len;

	if (len < 6 || memcmp(line, "From ", 5) != 0)
		return 0;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
		p++;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p == end && line[5] != ' ';
}

struct split {
	struct desk *d;
	size_t limit, n;
	struct spool s;
	int open;		/* a message is being spooled */
	size_t blank;		/* length of a blank line held back, 0 if none */
	mbox_fn fn;
	void *arg;
};

static int
finish(struct split *sp)
{
	int rc;

	if (!sp->open)
		return 0;
	sp->open = 0;
	sp->blank = 0;	/* the separator's blank line is not the message's */
	if ((rc = spool_end(&sp->s)) != 0)
		return rc;
	rc = sp->fn(&sp->s, ++sp->n, sp->arg);
	spool_discard(&sp->s);
	return rc;
}

static int
body_line(struct split *sp, const char *line, size_t len)
{
	int rc = 0;

	if (sp->blank && (rc = spool_write(&sp->s, &"\r\n"[2 - sp->blank], sp->blank)) != 0)
		return rc;
	sp->blank = 0;
	if ((len == 1 && line[0] == '\n') || (len == 2 && line[0] == '\r' && line[1] == '\n')) {
		sp->blank = len;
		return 0;
	}
	return spool_write(&sp->s, line, len);
}

int
mbox_read(struct desk *d, const char *file, size_t limit, mbox_fn fn, void *arg)
{
	struct split sp = { d, limit, 0, { 0 }, 0, 0, fn, arg };
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	if (f == NULL)
		return rt_fail(EX_NOINPUT, "cannot open '%s': %s", file, strerror(errno));
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		/*
		 * mutt: a dated From_ line anywhere; Mailutils: a bare one after
		 * a blank line; Thunderbird: its own "From - " anywhere (no
		 * sender is "-", and writers quote a body's "From ").
		 */
		if (mbox_is_from(line, (size_t)len) || (is_bare_from(line, (size_t)len) &&
		    (sp.blank || (!sp.open && sp.n == 0) || line[5] == '-'))) {
			if ((rc = finish(&sp)) == 0 && (rc = spool_begin_held(d, &sp.s, limit)) == 0)
				sp.open = 1;
		} else if (!sp.open && sp.n == 0 && line[0] == '\n')
			continue;	/* blank lines before the first message */
		else if (!sp.open)
			rc = rt_fail(EX_DATAERR, "not an mbox: the first line is not a From_ line");
		else
			rc = body_line(&sp, line, (size_t)len);
	}
	if (rc == 0 && ferror(f))
		rc = rt_fail(EX_NOINPUT, "cannot read '%s': %s", file, strerror(errno));
	if (rc == 0)
		rc = finish(&sp);
	if (sp.open)
		spool_discard(&sp.s);
	free(line);
	fclose(f);
	return rc;
}
