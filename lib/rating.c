/* rating.c: satisfaction scores in survey answers */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "change.h"
#include "desk.h"
#include "mail.h"
#include "rating.h"
#include "ticket.h"
#include "util.h"

static const char *const labels[] = {
	"rating", "bewertung", "score", "note", "stars", "sterne", "zufriedenheit",
	"satisfaction",
};

static int
digit15(const char *p)
{
	return *p >= '1' && *p <= '5' && !isdigit((unsigned char)p[1]) &&
	    !(p[1] == '.' && isdigit((unsigned char)p[2])) &&
	    !(p[1] == ',' && isdigit((unsigned char)p[2]));
}

static const char *
skip_sp(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* "N/5", "N of 5", "N out of 5", "N von 5" at p. */
static int
n_of_5(const char *p)
{
	static const char *const mid[] = { "/", "of", "out of", "von", "aus" };

	if (!digit15(p))
		return 0;
	for (size_t i = 0; i < LEN(mid); i++) {
		const char *q = skip_sp(p + 1);
		size_t k = strlen(mid[i]);
		if (strncasecmp(q, mid[i], k) != 0)
			continue;
		if (mid[i][0] != '/' && (q == p + 1 || (q[k] != ' ' && q[k] != '\t')))
			continue;	/* words need spaces around them */
		q = skip_sp(q + k);
		if (q[0] == '5' && !isalnum((unsigned char)q[1]))
			return *p - '0';
	}
	return 0;
}

/* Score in one line of text (subject or body), or 0. */
static int
scan_line(const char *line, size_t len, int body)
{
	char *s = xstrndup(line, len);
	int score = 0, stars = 0, other = 0;

	/* labels: "Rating: 4" */
	for (const char *p = s; *p && !score; p++) {
		if (p != s && isalpha((unsigned char)p[-1]))
			continue;
		for (size_t i = 0; i < LEN(labels) && !score; i++) {
			size_t k = strlen(labels[i]);
			if (strncasecmp(p, labels[i], k) != 0 || isalpha((unsigned char)p[k]))
				continue;
			const char *q = skip_sp(p + k);
			if (*q == ':' || *q == '=')
				q = skip_sp(q + 1);
			if (digit15(q))
				score = *q - '0';
		}
	}
	/* "4/5", "4 von 5" */
	for (const char *p = s; *p && !score; p++)
		if ((p == s || !isalnum((unsigned char)p[-1])) && (score = n_of_5(p)) != 0)
			break;
	/* stars: ★ = e2 98 85, ☆ = e2 98 86 */
	if (!score) {
		for (const char *p = s; *p; p++) {
			if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x98 &&
			    (unsigned char)p[2] == 0x85)
				stars++, p += 2;
			else if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x98 &&
			    (unsigned char)p[2] == 0x86)
				p += 2;
			else if (*p == '*')
				other++;
		}
		if (stars >= 1 && stars <= 5)
			score = stars;
	}
	/* a body line that is only the digit (and maybe punctuation) */
	if (!score && body) {
		char *t = str_trim(s);
		size_t n = strlen(t);
		while (n > 1 && strchr(".!)", t[n - 1]))
			n--;
		if (n == 1 && t[0] >= '1' && t[0] <= '5')
			score = t[0] - '0';
		else if (n >= 1 && n <= 5 && strspn(t, "*") == n && other == (int)n)
			score = (int)n;
	}
	free(s);
	return score;
}

static int
attribution(const char *p, size_t n)
{
	char *s = xstrndup(p, n);
	int r = strstr(s, "-----Original") != NULL || strstr(s, "Urspr\xc3\xbcngliche Nachricht") ||
	    (str_starts(s, "On ") && strstr(s, "wrote")) ||
	    (str_starts(s, "Am ") && strstr(s, "schrieb")) || str_starts(s, "From: ") ||
	    str_starts(s, "Von: ");
	free(s);
	return r;
}

int
rating_detect(const char *subject, const char *text)
{
	int score = 0, lines = 0;

	if (subject && (score = scan_line(subject, strlen(subject), 0)) != 0)
		return score;
	for (const char *p = text; p && *p && lines < 5;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *q = skip_sp(p);
		if (attribution(p, n))
			break;
		if (*q != '>' && (size_t)(q - p) < n && !(n - (size_t)(q - p) == 1 && q[0] == '\r')) {
			lines++;
			if ((score = scan_line(p, n, 1)) != 0)
				return score;
		}
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

static int
had_survey(struct desk *d, const char *id)
{
	struct kvmap t = KVMAP_INIT;
	struct evlog log = { NULL, 0 };
	int found = 0;

	if (ticket_load(d, id, &t, &log) == 0)
		for (size_t i = 0; i < log.n && !found; i++) {
			const char *ev = kv_get(&log.ev[i], "ev"), *tm = kv_get(&log.ev[i], "template");
			found = ev && tm && strcmp(ev, "mail-out") == 0 && strcmp(tm, "survey") == 0;
		}
	kv_free(&t);
	log_free(&log);
	return found;
}

int
rating_hook(struct desk *d, struct change *c, struct mail *m)
{
	int score;

	if (m->auto_submitted)
		return 0;
	if ((score = rating_detect(m->subject, m->text)) == 0 || !had_survey(d, c->id))
		return 0;
	kv_setf(change_event(c, "rating"), "score", "%d", score);
	return score;
}
