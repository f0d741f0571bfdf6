/*
 * route.c: routing rules, prioritisation and assignment (rt-route).
 *
 * The configuration is compiled and checked as a whole by route_load()
 * before any ticket is looked at, so a bad rule changes nothing. Then
 * route_plan() works out, per ticket, what the rules want and which of
 * those fields rt-route may still change: a field whose latest "set"
 * event was not made by rt-route (set events of rt-route carry
 * "via: route") was set by hand and is left alone. Applying the plan is
 * the command's job (cmd/rt-route.c).
 *
 * Matching works on decoded UTF-8 text lowered by text_lower_utf8():
 * capitals are lowered without changing the length, so "AUSFALL", "Ausfall" and "ausfall" are the same word and
 * offsets in the folded text point into the original for --explain.
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache.h"
#include "calendar.h"
#include "desk.h"
#include "head.h"
#include "id.h"
#include "mail.h"
#include "people.h"
#include "route.h"
#include "status.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "yamlio.h"

enum ckind {
	C_CHANNEL, C_FROM, C_TO, C_SUBJECT, C_BODY, C_TEXT, C_REGEX, C_HEADER,
	C_CUSTOMER, C_CONTRACT, C_VIP, C_HOURS, C_ATTACHMENT, C_LANGUAGE
};

static const struct {
	const char *name;
	enum ckind kind;
} cond_names[] = {
	{ "channel", C_CHANNEL }, { "from", C_FROM }, { "to", C_TO },
	{ "subject", C_SUBJECT }, { "body", C_BODY }, { "text", C_TEXT },
	{ "regex", C_REGEX }, { "header", C_HEADER }, { "customer", C_CUSTOMER },
	{ "contract", C_CONTRACT }, { "vip", C_VIP }, { "hours", C_HOURS },
	{ "attachment", C_ATTACHMENT }, { "language", C_LANGUAGE },
};

/* Single-valued actions, in the order a plan applies them. */
static const char *const scalar_actions[] = {
	"queue", "team", "owner", "priority", "severity", "type", "customer", "escalate", NULL
};

static const char *const ticket_types[] = { "incident", "request", "complaint", "question", NULL };

enum { S_ROUND_ROBIN, S_LEAST_OPEN, S_SKILL };
static const char *const strategies[] = { "round-robin", "least-open", "skill", NULL };

struct cond {
	enum ckind kind;
	const char *key;
	char *header;		/* header name for C_HEADER */
	char **pat;		/* keywords, addresses or names */
	size_t npat;
	regex_t *re;
	char **resrc;
	size_t nre;
	int flag;		/* vip/attachment: wanted value; hours: 1 = in */
	struct calendar *cal;	/* hours: the calendar asked (owned unless route's hours) */
};

struct rule {
	char *name;
	struct cond *cond;
	size_t ncond;
	struct kvmap act;	/* scalar actions */
	char **tags;
	size_t ntags;
	int cont;
};

struct agent {
	char *name;
	char **skills;		/* folded */
	size_t nskills;
	int away;		/* away today */
	long open;		/* open tickets owned */
};

struct team {
	char *name;
	size_t *members;	/* indexes into agents, rotation order */
	size_t n;
	int strategy;
	long assigned;		/* tickets of the team that have an owner */
};

struct customer {
	char *name;
	char *contract;
	int vip;
};

struct dom {
	char *key;		/* "example.org" or "someone@example.org" */
	size_t cust;
};

struct route {
	struct rule *rules;
	size_t nrules;
	struct rule crit;	/* routing-critical: words as one text condition */
	int has_crit, crit_vip;
	struct customer *cust;
	size_t ncust;
	struct dom *dom;
	size_t ndom;
	struct agent *agents;
	size_t nagents;
	int have_agents;
	struct team *teams;
	size_t nteams;
	struct calendar *hours;	/* the old business-hours: section, as a calendar */
	int state_loaded;
	char today[11];		/* YYYY-MM-DD in the desk's zone */
};

/* ------------------------------------------------------------------ */
/* Folding and matching                                                */
/* ------------------------------------------------------------------ */

static int
is_word(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || c == '_';
}

/*
 * Finds keyword kw (folded) in text[0..len) as a whole word; a leading or
 * trailing '*' lets the word go on at that side ("*ausfall" finds
 * "Serverausfall"). Returns the offset of the match or -1; *mlen its length.
 */
static long
kw_find(const char *text, size_t len, const char *kw, size_t *mlen)
{
	int open_left = kw[0] == '*';
	size_t kl = strlen(kw);
	int open_right = kl > (size_t)open_left && kw[kl - 1] == '*';
	const char *k = kw + open_left, *p = text, *end = text + len;

	kl -= (size_t)open_left + (size_t)open_right;
	if (kl == 0)
		return -1;
	while ((size_t)(end - p) >= kl) {
		const char *hit = memmem(p, (size_t)(end - p), k, kl);
		if (hit == NULL)
			return -1;
		if ((open_left || hit == text || !is_word((unsigned char)hit[-1])) &&
		    (open_right || hit + kl == end || !is_word((unsigned char)hit[kl]))) {
			*mlen = kl;
			return hit - text;
		}
		p = hit + 1;
	}
	return -1;
}

/* Quotes up to 30 bytes around text[off..off+mlen) as one line for --explain. */
static void
excerpt(struct sbuf *sb, const char *text, size_t len, size_t off, size_t mlen)
{
	size_t a = off > 30 ? off - 30 : 0, b = off + mlen + 30 < len ? off + mlen + 30 : len;

	a = utf8_char_start(text, a);
	b = utf8_char_end(text, len, b);
	while (a < off && isspace((unsigned char)text[a]))
		a++;
	while (b > off + mlen && isspace((unsigned char)text[b - 1]))
		b--;
	sbuf_adds(sb, " \"");
	if (a > 0)
		sbuf_adds(sb, "...");
	for (size_t i = a; i < b; i++) {
		unsigned char c = (unsigned char)text[i];
		sbuf_addc(sb, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	for (size_t i = b; i < len; i++)
		if (!isspace((unsigned char)text[i])) {
			sbuf_adds(sb, "...");
			break;
		}
	sbuf_addc(sb, '"');
}

/* "x@dom" exact, "@dom" that domain or a subdomain, "local@" that local part. */
static int
addr_match(const char *addr, const char *pat)
{
	const char *at = strrchr(addr, '@');

	if (addr == NULL || *addr == '\0')
		return 0;
	if (pat[0] == '@') {
		size_t dl, pl = strlen(pat + 1);
		if (at == NULL)
			return 0;
		dl = strlen(at + 1);
		if (strcasecmp(at + 1, pat + 1) == 0)
			return 1;
		return dl > pl && at[dl - pl] == '.' && strcasecmp(at + 1 + dl - pl, pat + 1) == 0;
	}
	if (pat[strlen(pat) - 1] == '@')
		return at && (size_t)(at - addr + 1) == strlen(pat) &&
		    strncasecmp(addr, pat, strlen(pat)) == 0;
	return strcasecmp(addr, pat) == 0;
}

/* ------------------------------------------------------------------ */
/* Loading the configuration                                           */
/* ------------------------------------------------------------------ */

/* A scalar or a list of scalars as strings; lower-cased or folded on request. */
static int
str_list(struct desk *d, const struct ynode *n, const char *what, char ***out, size_t *nout,
    int fold)
{
	const struct ynode *const *items = (const struct ynode *const *)&n;
	size_t cnt = 1;

	*out = NULL;
	*nout = 0;
	if (n->kind == Y_SEQ) {
		items = (const struct ynode *const *)n->items;
		cnt = n->n;
	} else if (n->kind != Y_SCALAR || yscalar_is_null(n))
		return rt_fail(EX_CONFIG, "%s: %s must be a value or a list of values",
		    desk_cfg_where(d, n), what);
	if (cnt == 0)
		return rt_fail(EX_CONFIG, "%s: %s is an empty list", desk_cfg_where(d, n), what);
	*out = xcalloc(cnt, sizeof(char *));
	for (size_t i = 0; i < cnt; i++) {
		const struct ynode *it = items[i];
		if (it->kind != Y_SCALAR || yscalar_is_null(it) || it->value[0] == '\0') {
			strv_free(*out, *nout);
			*out = NULL, *nout = 0;
			return rt_fail(EX_CONFIG, "%s: %s must be a value or a list of values",
			    desk_cfg_where(d, it), what);
		}
		(*out)[i] = xstrdup(it->value);
		if (fold)
			text_lower_utf8((*out)[i], strlen((*out)[i]), 1);
		(*nout)++;
	}
	return 0;
}

static const char *
scalar(struct desk *d, const struct ynode *n, const char *what)
{
	if (n->kind != Y_SCALAR || yscalar_is_null(n) || n->value[0] == '\0') {
		rt_fail(EX_CONFIG, "%s: %s must be a single value", desk_cfg_where(d, n), what);
		return NULL;
	}
	return n->value;
}

static int
bool_value(struct desk *d, const struct ynode *n, const char *what, int *out)
{
	int b = n->kind == Y_SCALAR ? ynode_bool(n) : -1;

	if (b < 0)
		return rt_fail(EX_CONFIG, "%s: %s must be true or false", desk_cfg_where(d, n), what);
	*out = b;
	return 0;
}

static int
in_strv(const char *const *v, const char *s)
{
	for (size_t i = 0; v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return (int)i;
	return -1;
}

/* Is name a key of the map (or an item of the list) at config path? -1: not declared. */
static int
declared(struct desk *d, const char *path, const char *name)
{
	const struct ynode *n = desk_cfg(d, path);

	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return -1;
	if (n->kind == Y_MAP)
		return ymap_get(n, name) != NULL;
	if (n->kind == Y_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			if (n->items[i]->kind == Y_SCALAR && strcmp(n->items[i]->value, name) == 0)
				return 1;
		return 0;
	}
	return -1;
}

static long
find_agent(const struct route *r, const char *name)
{
	for (size_t i = 0; i < r->nagents; i++)
		if (strcmp(r->agents[i].name, name) == 0)
			return (long)i;
	return -1;
}

static struct team *
find_team(const struct route *r, const char *name)
{
	for (size_t i = 0; i < r->nteams; i++)
		if (strcmp(r->teams[i].name, name) == 0)
			return &r->teams[i];
	return NULL;
}

static long
find_customer(const struct route *r, const char *name)
{
	for (size_t i = 0; i < r->ncust; i++)
		if (strcmp(r->cust[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int
compile_re(struct desk *d, const struct ynode *where, struct cond *c, const char *src)
{
	char *pat = xstrdup(src), err[200];
	int rc;

	text_lower_utf8(pat, strlen(pat), 0);
	c->re = xrealloc(c->re, (c->nre + 1) * sizeof(*c->re));
	c->resrc = xrealloc(c->resrc, (c->nre + 1) * sizeof(*c->resrc));
	rc = regcomp(&c->re[c->nre], pat, REG_EXTENDED | REG_ICASE);
	free(pat);
	if (rc != 0) {
		regerror(rc, &c->re[c->nre], err, sizeof(err));
		regfree(&c->re[c->nre]);
		return rt_fail(EX_CONFIG, "%s: invalid regex '%s': %s", desk_cfg_where(d, where),
		    src, err);
	}
	c->resrc[c->nre++] = xstrdup(src);
	return 0;
}

/*
 * The older "business-hours:" section (DAYS HH:MM-HH:MM lines, or a map
 * {timezone, hours}) becomes a calendar; it is deprecated for calendars:.
 */
static int
old_business_hours(struct desk *d, const char *deftz, struct calendar **out)
{
	const struct ynode *n = desk_cfg(d, "business-hours"), *hours, *tz = NULL;

	*out = NULL;
	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return 0;
	hours = n;
	if (n->kind == Y_MAP) {
		hours = NULL;
		for (size_t i = 0; i < n->n; i++) {
			if (strcmp(n->keys[i], "timezone") == 0)
				tz = n->items[i];
			else if (strcmp(n->keys[i], "hours") == 0)
				hours = n->items[i];
			else
				return rt_fail(EX_CONFIG, "%s: unknown key '%s' in business-hours "
				    "(timezone, hours)", desk_cfg_where(d, n->items[i]), n->keys[i]);
		}
		if (hours == NULL)
			return rt_fail(EX_CONFIG, "%s: business-hours has no hours",
			    desk_cfg_where(d, n));
	}
	if (tz && (tz->kind != Y_SCALAR || !cal_zone_valid(tz->value)))
		return rt_fail(EX_CONFIG, "%s: unknown time zone '%s'", desk_cfg_where(d, tz),
		    tz->kind == Y_SCALAR ? tz->value : "");
	return calendar_from_lines(out, "business-hours", tz ? tz->value : deftz, hours,
	    d->config_name);
}

/*
 * "hours: in" / "hours: out", optionally naming a calendar of calendars:
 * ("hours: in office"). Without a name: the old business-hours: section
 * if there is one, else the SLA's default calendar (sla.calendar).
 */
static int
hours_cond(struct route *r, struct desk *d, const struct ynode *v, struct cond *c)
{
	char **w = NULL;
	size_t n = v->kind == Y_SCALAR ? str_split(v->value, " \t", &w) : 0;
	const char *name = n == 2 ? w[1] : NULL;
	const struct ynode *cn;
	int rc = 0;

	if (n < 1 || n > 2 || (strcmp(w[0], "in") != 0 && strcmp(w[0], "out") != 0)) {
		rc = rt_fail(EX_CONFIG, "%s: hours must be 'in' or 'out' (and a calendar: "
		    "'in office')", desk_cfg_where(d, v));
		goto out;
	}
	c->flag = strcmp(w[0], "in") == 0;
	if (name == NULL && r->hours == NULL)
		name = desk_cfg_str(d, "sla.calendar", NULL);
	if (name == NULL && r->hours)
		c->cal = r->hours;	/* the route's: not freed with the rule */
	else if (name == NULL)
		rc = rt_fail(EX_CONFIG, "%s: hours needs a calendar: name one of calendars: "
		    "('hours: in office') or set sla.calendar", desk_cfg_where(d, v));
	else if ((cn = ymap_get(desk_cfg(d, "calendars"), name)) != NULL)
		rc = calendar_parse(&c->cal, name, cn, d->config_name);
	else if (strcmp(name, "24x7") == 0)
		rc = calendar_parse(&c->cal, name, NULL, d->config_name);
	else
		rc = rt_fail(EX_CONFIG, "%s: unknown calendar '%s' (see calendars:)",
		    desk_cfg_where(d, v), name);
out:
	strv_free(w, n);
	return rc;
}

static int
parse_cond(struct route *r, struct desk *d, const char *key, const struct ynode *v,
    struct cond *c)
{
	size_t k;
	int rc;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < LEN(cond_names); k++)
		if (strcmp(cond_names[k].name, key) == 0)
			break;
	if (k == LEN(cond_names))
		return rt_fail(EX_CONFIG, "%s: unknown condition '%s' (channel, from, to, subject, "
		    "body, text, regex, header, customer, contract, vip, hours, attachment, language)",
		    desk_cfg_where(d, v), key);
	c->kind = cond_names[k].kind;
	c->key = cond_names[k].name;
	switch (c->kind) {
	case C_CHANNEL: case C_LANGUAGE: case C_CONTRACT: case C_FROM: case C_TO:
		return str_list(d, v, key, &c->pat, &c->npat, 0);
	case C_SUBJECT: case C_BODY: case C_TEXT:
		return str_list(d, v, key, &c->pat, &c->npat, 1);
	case C_CUSTOMER:
		if ((rc = str_list(d, v, key, &c->pat, &c->npat, 0)) != 0)
			return rc;
		for (size_t i = 0; i < c->npat; i++)
			if (find_customer(r, c->pat[i]) < 0)
				return rt_fail(EX_CONFIG, "%s: unknown customer '%s'",
				    desk_cfg_where(d, v), c->pat[i]);
		return 0;
	case C_REGEX: {
		char **v2;
		size_t n;
		if ((rc = str_list(d, v, key, &v2, &n, 0)) != 0)
			return rc;
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = compile_re(d, v->kind == Y_SEQ ? v->items[i] : v, c, v2[i]);
		strv_free(v2, n);
		return rc;
	}
	case C_HEADER:
		if (v->kind != Y_MAP || v->n != 1)
			return rt_fail(EX_CONFIG, "%s: header wants one 'Name: regex' pair "
			    "(use several rules or a list of regexes)", desk_cfg_where(d, v));
		c->header = xstrdup(v->keys[0]);
		{
			char **v2;
			size_t n;
			const struct ynode *hv = v->items[0];
			if ((rc = str_list(d, hv, "header", &v2, &n, 0)) != 0)
				return rc;
			for (size_t i = 0; i < n && rc == 0; i++)
				rc = compile_re(d, hv->kind == Y_SEQ ? hv->items[i] : hv, c, v2[i]);
			strv_free(v2, n);
			return rc;
		}
	case C_VIP: case C_ATTACHMENT:
		return bool_value(d, v, key, &c->flag);
	case C_HOURS:
		return hours_cond(r, d, v, c);
	}
	return 0;
}

static int
parse_action(struct route *r, struct desk *d, const char *key, const struct ynode *v,
    struct rule *ru)
{
	const char *s;

	if (strcmp(key, "tags") == 0) {
		char **t;
		size_t n;
		int rc = str_list(d, v, "tags", &t, &n, 0);
		if (rc != 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			if (strchr(t[i], ',') || strchr(t[i], ' ')) {
				strv_free(t, n);
				return rt_fail(EX_CONFIG, "%s: a tag cannot hold ',' or ' '",
				    desk_cfg_where(d, v));
			}
		ru->tags = t;
		ru->ntags = n;
		return 0;
	}
	if (in_strv(scalar_actions, key) < 0)
		return rt_fail(EX_CONFIG, "%s: unknown action '%s' (queue, priority, severity, type, "
		    "tags, owner, team, escalate, customer)", desk_cfg_where(d, v), key);
	if ((s = scalar(d, v, key)) == NULL)
		return EX_CONFIG;
	if (strcmp(key, "queue") == 0 && declared(d, "queues", s) == 0)
		return rt_fail(EX_CONFIG, "%s: unknown queue '%s' (not in queues:)",
		    desk_cfg_where(d, v), s);
	if (strcmp(key, "priority") == 0 && declared(d, "priorities", s) == 0)
		return rt_fail(EX_CONFIG, "%s: unknown priority '%s' (not in priorities:)",
		    desk_cfg_where(d, v), s);
	if (strcmp(key, "type") == 0 && in_strv(ticket_types, s) < 0)
		return rt_fail(EX_CONFIG, "%s: unknown type '%s' (incident, request, complaint, "
		    "question)", desk_cfg_where(d, v), s);
	if (strcmp(key, "owner") == 0 && find_agent(r, s) < 0)
		return rt_fail(EX_CONFIG, "%s: unknown agent '%s'%s", desk_cfg_where(d, v), s,
		    r->have_agents ? "" : " (no agents: section)");
	if (strcmp(key, "team") == 0 && find_team(r, s) == NULL)
		return rt_fail(EX_CONFIG, "%s: unknown team '%s'", desk_cfg_where(d, v), s);
	if (strcmp(key, "customer") == 0 && find_customer(r, s) < 0)
		return rt_fail(EX_CONFIG, "%s: unknown customer '%s'", desk_cfg_where(d, v), s);
	if (strcmp(key, "escalate") == 0 && strcmp(s, "immediate") != 0)
		return rt_fail(EX_CONFIG, "%s: escalate must be 'immediate'", desk_cfg_where(d, v));
	kv_set(&ru->act, key, s);
	return 0;
}

static int
parse_rule(struct route *r, struct desk *d, const struct ynode *n, struct rule *ru)
{
	const struct ynode *cond = NULL, *then = NULL;
	int rc;

	if (n->kind != Y_MAP)
		return rt_fail(EX_CONFIG, "%s: a rule must be a mapping with name, if, then",
		    desk_cfg_where(d, n));
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i];
		const struct ynode *v = n->items[i];
		if (strcmp(k, "name") == 0) {
			const char *s = scalar(d, v, "name");
			if (s == NULL)
				return EX_CONFIG;
			if (strchr(s, ',') || strcmp(s, "routing-critical") == 0)
				return rt_fail(EX_CONFIG, "%s: rule name '%s' is not allowed",
				    desk_cfg_where(d, v), s);
			ru->name = xstrdup(s);
		} else if (strcmp(k, "if") == 0)
			cond = v;
		else if (strcmp(k, "then") == 0)
			then = v;
		else if (strcmp(k, "continue") == 0) {
			if ((rc = bool_value(d, v, "continue", &ru->cont)) != 0)
				return rc;
		} else
			return rt_fail(EX_CONFIG, "%s: unknown key '%s' in rule (name, if, then, "
			    "continue)", desk_cfg_where(d, v), k);
	}
	if (ru->name == NULL)
		return rt_fail(EX_CONFIG, "%s: rule has no name", desk_cfg_where(d, n));
	for (size_t i = 0; i < (size_t)(ru - r->rules); i++)
		if (strcmp(r->rules[i].name, ru->name) == 0)
			return rt_fail(EX_CONFIG, "%s: a rule named '%s' exists already",
			    desk_cfg_where(d, ymap_get(n, "name")), ru->name);
	if (cond && !(cond->kind == Y_SCALAR && yscalar_is_null(cond))) {
		if (cond->kind != Y_MAP)
			return rt_fail(EX_CONFIG, "%s: if must be a mapping of conditions",
			    desk_cfg_where(d, cond));
		ru->cond = xcalloc(cond->n ? cond->n : 1, sizeof(*ru->cond));
		for (size_t i = 0; i < cond->n; i++) {
			if ((rc = parse_cond(r, d, cond->keys[i], cond->items[i], &ru->cond[i])) != 0) {
				ru->ncond = i + 1;
				return rc;
			}
			ru->ncond = i + 1;
		}
	}
	if (then && !(then->kind == Y_SCALAR && yscalar_is_null(then))) {
		if (then->kind != Y_MAP)
			return rt_fail(EX_CONFIG, "%s: then must be a mapping of actions",
			    desk_cfg_where(d, then));
		for (size_t i = 0; i < then->n; i++)
			if ((rc = parse_action(r, d, then->keys[i], then->items[i], ru)) != 0)
				return rc;
	}
	return 0;
}

static int
cmp_dom(const void *a, const void *b)
{
	return strcmp(((const struct dom *)a)->key, ((const struct dom *)b)->key);
}

static int
parse_customers(struct route *r, struct desk *d)
{
	const struct ynode *n = desk_cfg(d, "customers");
	int rc;

	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return 0;
	if (n->kind != Y_MAP)
		return rt_fail(EX_CONFIG, "%s: customers must be a mapping of names",
		    desk_cfg_where(d, n));
	r->cust = xcalloc(n->n ? n->n : 1, sizeof(*r->cust));
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *c = n->items[i];
		struct customer *cu = &r->cust[r->ncust++];
		cu->name = xstrdup(n->keys[i]);
		if (c->kind != Y_MAP)
			return rt_fail(EX_CONFIG, "%s: customer '%s' must be a mapping (domains, "
			    "contract, vip)", desk_cfg_where(d, c), cu->name);
		for (size_t j = 0; j < c->n; j++) {
			const char *k = c->keys[j];
			const struct ynode *v = c->items[j];
			if (strcmp(k, "domains") == 0 || strcmp(k, "addresses") == 0) {
				char **l;
				size_t m;
				if ((rc = str_list(d, v, k, &l, &m, 0)) != 0)
					return rc;
				r->dom = xrealloc(r->dom, (r->ndom + m) * sizeof(*r->dom));
				for (size_t x = 0; x < m; x++) {
					char *key = l[x] + (l[x][0] == '@');
					r->dom[r->ndom].key = str_lower(xstrdup(key));
					r->dom[r->ndom++].cust = i;
				}
				strv_free(l, m);
			} else if (strcmp(k, "contract") == 0) {
				const char *s = scalar(d, v, "contract");
				if (s == NULL)
					return EX_CONFIG;
				cu->contract = xstrdup(s);
			} else if (strcmp(k, "vip") == 0) {
				if ((rc = bool_value(d, v, "vip", &cu->vip)) != 0)
					return rc;
			}
			/* other keys (name, notes, sla ...) belong to other commands */
		}
	}
	/* Stable: on a duplicate domain the first customer in the file wins. */
	for (size_t i = 1; i < r->ndom; i++)
		for (size_t j = i; j > 0 && cmp_dom(&r->dom[j - 1], &r->dom[j]) > 0; j--) {
			struct dom t = r->dom[j];
			r->dom[j] = r->dom[j - 1];
			r->dom[j - 1] = t;
		}
	return 0;
}

/* "2026-12-24" or "2026-12-24..2026-12-31" (inclusive); 1 if today is inside. */
static int
away_range(const char *s, const char *today, int *inside)
{
	char a[11], b[11];
	const char *dots = strstr(s, "..");
	size_t al = dots ? (size_t)(dots - s) : strlen(s);
	time_t t;

	if (al != 10 || (dots && strlen(dots + 2) != 10))
		return -1;
	memcpy(a, s, 10), a[10] = '\0';
	memcpy(b, dots ? dots + 2 : s, 10), b[10] = '\0';
	if (rt_parsetime(a, &t) != 0 || rt_parsetime(b, &t) != 0 || strcmp(a, b) > 0)
		return -1;
	if (strcmp(a, today) <= 0 && strcmp(today, b) <= 0)
		*inside = 1;
	return 0;
}

/* away/<agent> in the desk (from HEAD): one range per line, '#' comments. */
static int
away_file(struct desk *d, struct agent *ag, const char *today)
{
	char *path = xasprintf("away/%s", ag->name), *buf, *line, *save = NULL;
	size_t len, lineno = 0;
	int rc = 0;

	if (desk_read_head(d, path, &buf, &len) != 0) {
		free(path);
		return 0;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *w;
		lineno++;
		if (hash)
			*hash = '\0';
		w = str_trim(line);
		w[strcspn(w, " \t")] = '\0';
		if (*w == '\0')
			continue;
		if (away_range(w, today, &ag->away) != 0) {
			rc = rt_fail(EX_CONFIG, "%s:%zu: bad date range '%s' (want YYYY-MM-DD or "
			    "YYYY-MM-DD..YYYY-MM-DD)", path, lineno, w);
			break;
		}
	}
	free(buf);
	free(path);
	return rc;
}

static void
team_add_member(struct team *t, size_t agent)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->members[i] == agent)
			return;
	t->members = xrealloc(t->members, (t->n + 1) * sizeof(*t->members));
	t->members[t->n++] = agent;
}

static struct team *
team_get(struct route *r, const char *name)
{
	struct team *t = find_team(r, name);

	if (t)
		return t;
	r->teams = xrealloc(r->teams, (r->nteams + 1) * sizeof(*r->teams));
	t = &r->teams[r->nteams++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	return t;
}

/* The people directory (people.h) plus what routing reads of it: skills,
 * away days and team strategies. */
static int
parse_people(struct route *r, struct desk *d)
{
	const struct people *pp;
	int rc;

	if ((rc = people_load(d, &pp)) != 0)
		return rc;
	r->have_agents = pp->have_agents;
	r->agents = xcalloc(pp->nagents ? pp->nagents : 1, sizeof(*r->agents));
	for (size_t i = 0; i < pp->nagents; i++) {
		struct agent *a = &r->agents[r->nagents++];
		const struct ynode *v = pp->agents[i].node, *x;
		char **l;
		size_t m;
		a->name = xstrdup(pp->agents[i].name);
		if (v->kind == Y_MAP && (x = ymap_get(v, "skills")) != NULL &&
		    (rc = str_list(d, x, "skills", &a->skills, &a->nskills, 1)) != 0)
			return rc;
		if (v->kind == Y_MAP && (x = ymap_get(v, "away")) != NULL) {
			if ((rc = str_list(d, x, "away", &l, &m, 0)) != 0)
				return rc;
			for (size_t y = 0; y < m && rc == 0; y++)
				if (away_range(l[y], r->today, &a->away) != 0)
					rc = rt_fail(EX_CONFIG, "%s: bad date range '%s' (want "
					    "YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)",
					    desk_cfg_where(d, x->kind == Y_SEQ ? x->items[y] : x), l[y]);
			strv_free(l, m);
			if (rc)
				return rc;
		}
		if ((rc = away_file(d, a, r->today)) != 0)
			return rc;
	}
	for (size_t i = 0; i < pp->nteams; i++) {
		const struct people_team *pt = &pp->teams[i];
		const struct ynode *v = pt->node, *x;
		struct team *t = team_get(r, pt->name);
		for (size_t y = 0; y < pt->nmembers; y++) {
			long a = find_agent(r, pt->members[y]);
			if (a < 0) {
				x = ymap_get(v, "members");
				if (x && x->kind == Y_SEQ)
					for (size_t k = 0; k < x->n; k++)
						if (x->items[k]->kind == Y_SCALAR &&
						    strcmp(x->items[k]->value, pt->members[y]) == 0)
							x = x->items[k];
				return rt_fail(EX_CONFIG, "%s: unknown agent '%s'%s",
				    desk_cfg_where(d, x ? x : v), pt->members[y],
				    r->have_agents ? "" : " (no agents: section)");
			}
			team_add_member(t, (size_t)a);
		}
		if (v && (x = ymap_get(v, "strategy")) != NULL) {
			const char *st = x->kind == Y_SCALAR ? x->value : "";
			if ((t->strategy = in_strv(strategies, st)) < 0)
				return rt_fail(EX_CONFIG, "%s: unknown strategy '%s' (round-robin, "
				    "least-open, skill)", desk_cfg_where(d, x), st);
		}
	}
	return 0;
}

static int
parse_critical(struct route *r, struct desk *d)
{
	const struct ynode *n = desk_cfg(d, "routing-critical"), *words = n;
	int rc;

	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return 0;
	r->has_crit = 1;
	r->crit_vip = 1;
	r->crit.name = xstrdup("routing-critical");
	if (n->kind == Y_MAP) {
		words = NULL;
		for (size_t i = 0; i < n->n; i++) {
			if (strcmp(n->keys[i], "words") == 0)
				words = n->items[i];
			else if (strcmp(n->keys[i], "vip") == 0) {
				if ((rc = bool_value(d, n->items[i], "vip", &r->crit_vip)) != 0)
					return rc;
			} else
				return rt_fail(EX_CONFIG, "%s: unknown key '%s' in routing-critical "
				    "(words, vip)", desk_cfg_where(d, n->items[i]), n->keys[i]);
		}
	}
	if (words == NULL)
		return 0;
	r->crit.cond = xcalloc(1, sizeof(*r->crit.cond));
	r->crit.ncond = 1;
	return parse_cond(r, d, "text", words, &r->crit.cond[0]);
}

int
route_load(struct desk *d, struct route **out)
{
	struct route *r = xcalloc(1, sizeof(*r));
	const struct ynode *n;
	const char *tz = desk_cfg_str(d, "desk.timezone", "UTC");
	int rc = 0;

	*out = r;
	if (!cal_zone_valid(tz))
		tz = "UTC";
	if ((rc = old_business_hours(d, tz, &r->hours)) != 0)
		return rc;
	/* The business-hours zone, else desk.timezone, gives "today" for away ranges. */
	cal_local_date(r->hours ? calendar_timezone(r->hours) : tz, rt_now(), r->today);

	if ((rc = parse_customers(r, d)) != 0 || (rc = parse_people(r, d)) != 0 ||
	    (rc = parse_critical(r, d)) != 0)
		return rc;
	n = desk_cfg(d, "routing");
	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return 0;
	if (n->kind != Y_SEQ)
		return rt_fail(EX_CONFIG, "%s: routing must be a list of rules",
		    desk_cfg_where(d, n));
	r->rules = xcalloc(n->n ? n->n : 1, sizeof(*r->rules));
	for (size_t i = 0; i < n->n; i++) {
		r->nrules = i + 1;
		if ((rc = parse_rule(r, d, n->items[i], &r->rules[i])) != 0)
			return rc;
	}
	return 0;
}

int
route_active(const struct route *r)
{
	return r->nrules > 0 || r->has_crit;
}

static void
rule_free(struct rule *ru)
{
	for (size_t i = 0; i < ru->ncond; i++) {
		struct cond *c = &ru->cond[i];
		strv_free(c->pat, c->npat);
		for (size_t j = 0; j < c->nre; j++)
			regfree(&c->re[j]);
		free(c->re);
		strv_free(c->resrc, c->nre);
		free(c->header);
	}
	free(ru->cond);
	kv_free(&ru->act);
	strv_free(ru->tags, ru->ntags);
	free(ru->name);
}

void
route_free(struct route *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nrules; i++) {
		for (size_t j = 0; j < r->rules[i].ncond; j++)
			if (r->rules[i].cond[j].cal != r->hours)
				calendar_free(r->rules[i].cond[j].cal);
		rule_free(&r->rules[i]);
	}
	free(r->rules);
	for (size_t j = 0; j < r->crit.ncond; j++)
		if (r->crit.cond[j].cal != r->hours)
			calendar_free(r->crit.cond[j].cal);
	rule_free(&r->crit);
	for (size_t i = 0; i < r->ncust; i++)
		free(r->cust[i].name), free(r->cust[i].contract);
	free(r->cust);
	for (size_t i = 0; i < r->ndom; i++)
		free(r->dom[i].key);
	free(r->dom);
	for (size_t i = 0; i < r->nagents; i++)
		free(r->agents[i].name), strv_free(r->agents[i].skills, r->agents[i].nskills);
	free(r->agents);
	for (size_t i = 0; i < r->nteams; i++)
		free(r->teams[i].name), free(r->teams[i].members);
	free(r->teams);
	calendar_free(r->hours);
	free(r);
}

/* ------------------------------------------------------------------ */
/* Assignment state: one cache sweep per run                           */
/* ------------------------------------------------------------------ */

static int
state_rec(const struct rec *rc, void *arg)
{
	struct route *r = arg;
	const char *owner = rec_get(rc, "owner"), *team = rec_get(rc, "team");
	const char *merged = rec_get(rc, "merged-into");
	long a;
	struct team *t;

	if ((merged && *merged) || owner == NULL || *owner == '\0')
		return 0;
	if (!status_is_done(rec_get(rc, "status")) && (a = find_agent(r, owner)) >= 0)
		r->agents[a].open++;
	if (team && (t = find_team(r, team)) != NULL)
		t->assigned++;
	return 0;
}

static int
state_load(struct route *r, struct desk *d)
{
	if (r->state_loaded)
		return 0;
	r->state_loaded = 1;
	if (d->cache == NULL)
		return 0;
	return cache_foreach(d, state_rec, r);
}

/* ------------------------------------------------------------------ */
/* One ticket                                                          */
/* ------------------------------------------------------------------ */

struct tctx {
	struct route *r;
	struct desk *d;
	const char *id;
	struct kvmap t;
	struct evlog log;	/* parsed on demand: tctx_log() */
	int log_done;
	int from_cache;		/* t is the cache's record: it says what was set by hand */
	const char *from;	/* sender: the first requestor */
	const char *subject;	/* the ticket's subject */
	char *mailfile;		/* "msg/....eml" that opened the ticket */
	char *sender;
	struct mail *m;
	int mail_done;
	struct kvmap first;	/* the cache's copy of that mail (cache_first_mail) */
	int first_done;
	char *text, *ftext;	/* "subject\nbody", original and folded */
	size_t slen, tlen;
	long cust;		/* customer index or -1 */
	git_tree *dir;		/* the ticket's folder in HEAD's tree */
	time_t created;
	int has_created;
};

/* Reads NAME in the ticket's folder of HEAD's tree. */
static int
read_in_dir(struct tctx *c, const char *name, char **buf, size_t *len)
{
	git_tree_entry *e;
	git_blob *blob;
	int rc;

	if (c->dir == NULL || git_tree_entry_bypath(&e, c->dir, name) < 0)
		return EX_NOINPUT;
	rc = git_blob_lookup(&blob, c->d->repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc < 0)
		return git_fail(rc, name);
	*len = (size_t)git_blob_rawsize(blob);
	*buf = xstrndup(git_blob_rawcontent(blob), *len);
	git_blob_free(blob);
	return 0;
}

/*
 * Like ticket_load(), but cheaper for a run over many tickets: the state
 * comes from the cache record (brought up to HEAD on open and after every
 * commit), and HEAD's folder of the ticket is looked up once for the log
 * and the mail.
 */
static int
load_ticket(struct tctx *c)
{
	git_commit *head;
	git_tree *root;
	git_tree_entry *e;
	char *path, *buf;
	size_t len;
	int rc;

	if ((rc = desk_head(c->d, &head)) != 0)
		return rc;
	if (head == NULL)
		return ticket_missing();
	rc = git_commit_tree(&root, head);
	git_commit_free(head);
	if (rc < 0)
		return git_fail(rc, "cannot read HEAD tree");
	path = ticket_dir(c->id);
	if (git_tree_entry_bypath(&e, root, path) == 0) {
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			git_tree_lookup(&c->dir, c->d->repo, git_tree_entry_id(e));
		git_tree_entry_free(e);
	}
	git_tree_free(root);
	if (c->dir == NULL) {
		free(path);
		return ticket_missing();
	}
	if (c->d->cache && cache_get(c->d, c->id, &c->t) == 0)
		c->from_cache = 1;
	else {
		kv_free(&c->t);
		if (id_format() >= 2) {	/* the state is derived (replay.h) */
			free(path);
			return ticket_load(c->d, c->id, &c->t, NULL);
		}
		if ((rc = read_in_dir(c, "ticket.yaml", &buf, &len)) != 0) {
			free(path);
			return ticket_missing();
		}
		rc = ticket_parse(buf, len, "ticket.yaml", &c->t);
		free(buf);
		if (rc != 0) {
			free(path);
			return rc;
		}
	}
	free(path);
	return 0;
}

/*
 * The log, read when a plan wants to change a field (to see who set it
 * last). Events are one flow mapping per line (so git's union merge
 * works); only lines holding "set" and "field" are parsed, so fresh
 * tickets from rt-ingest cost no YAML parse at all.
 */
/* Does this log line name one of the fields rt-route sets ("field: queue")? */
static int
routed_field_line(const char *p, size_t l)
{
	const char *f, *end = p + l;

	for (; (f = memmem(p, (size_t)(end - p), "field: ", 7)) != NULL; p = f + 7) {
		const char *v = f + 7;
		size_t n = 0;
		if (v < end && (*v == '\'' || *v == '"'))
			v++;
		while (v + n < end && (isalnum((unsigned char)v[n]) || v[n] == '-'))
			n++;
		for (size_t i = 0; scalar_actions[i]; i++)
			if (strlen(scalar_actions[i]) == n && memcmp(v, scalar_actions[i], n) == 0)
				return 1;
		if (n == 4 && memcmp(v, "tags", 4) == 0)
			return 1;
	}
	return 0;
}

static const struct evlog *
tctx_log(struct tctx *c)
{
	char *buf, *name;
	size_t len;

	if (c->log_done)
		return &c->log;
	c->log_done = 1;
	if (read_in_dir(c, "log.yaml", &buf, &len) != 0)
		return &c->log;
	/* one event per line: only the lines that can be set events are parsed */
	struct sbuf sets = SBUF_INIT;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (memmem(p, l, "set", 3) && routed_field_line(p, l))
			sbuf_add(&sets, p, l);
		p += l;
	}
	free(buf);
	if (sets.len) {
		name = xasprintf("%s/log.yaml", c->id);
		if (log_parse(sets.buf, sets.len, name, &c->log) != 0)
			memset(&c->log, 0, sizeof(c->log));
		else
			log_sort(&c->log);
		free(name);
	}
	sbuf_free(&sets);
	return &c->log;
}

/* The mail that opened the ticket (ticket_opening_mail). */
static const char *
first_mail(struct tctx *c)
{
	if (c->mailfile == NULL)	/* else asked before: the cache's copy, then the parse */
		c->mailfile = ticket_opening_mail(c->d->repo, c->dir);
	return c->mailfile;
}

static struct mail *
tctx_mail(struct tctx *c)
{
	char *buf;
	size_t len;

	if (c->mail_done)
		return c->m;
	c->mail_done = 1;
	if (first_mail(c) == NULL)
		return NULL;
	if (read_in_dir(c, c->mailfile, &buf, &len) == 0) {
		if (mail_parse_buf(buf, len, &c->m) != 0)
			c->m = NULL;
		free(buf);
	}
	return c->m;
}

/*
 * The opening mail's text, recipients and attachment from the cache: no
 * parse. The cache names the oldest .eml of msg/ too, so its folder is
 * read only when the cache has no copy.
 */
static const struct kvmap *
tctx_first(struct tctx *c)
{
	const char *f, *oldest;

	if (!c->first_done) {
		c->first_done = 1;
		if (cache_first_mail(c->d, c->id, &c->first) == 0 && c->mailfile == NULL &&
		    (oldest = kv_get(&c->first, "oldest")) != NULL)
			c->mailfile = xstrdup(oldest);	/* as first_mail would find it */
		if (first_mail(c) == NULL || (f = kv_get(&c->first, "file")) == NULL ||
		    strcmp(f, c->mailfile) != 0)
			kv_free(&c->first);
	}
	return kv_get(&c->first, "text") ? &c->first : NULL;
}

/* Builds "subject\nbody" and its folded twin on first use. */
static void
tctx_text(struct tctx *c)
{
	const struct kvmap *f = tctx_first(c);
	struct mail *m = NULL;
	struct sbuf sb = SBUF_INIT;

	if (c->text)
		return;
	if (f == NULL)
		m = tctx_mail(c);
	sbuf_adds(&sb, c->subject ? c->subject : "");
	c->slen = sb.len;
	sbuf_addc(&sb, '\n');
	if (f)
		sbuf_adds(&sb, kv_get(f, "text"));
	else if (m && m->text)
		sbuf_adds(&sb, m->text);
	c->tlen = sb.len;
	c->text = sbuf_detach(&sb);
	c->ftext = xstrdup(c->text);
	text_lower_utf8(c->ftext, c->tlen, 1);
}

static long
customer_of(const struct route *r, const char *addr)
{
	struct dom key, *hit;
	const char *p;
	char *low;

	if (r->ndom == 0 || addr == NULL || *addr == '\0')
		return -1;
	low = str_lower(xstrdup(addr));
	key.key = low;
	hit = bsearch(&key, r->dom, r->ndom, sizeof(*r->dom), cmp_dom);
	/* the first of equal keys: bsearch may land on any */
	while (hit && hit > r->dom && strcmp(hit[-1].key, low) == 0)
		hit--;
	for (p = strrchr(low, '@'); hit == NULL && p && *p; p = strchr(p + 1, '.')) {
		key.key = (char *)p + 1;
		hit = bsearch(&key, r->dom, r->ndom, sizeof(*r->dom), cmp_dom);
		while (hit && hit > r->dom && strcmp(hit[-1].key, key.key) == 0)
			hit--;
	}
	free(low);
	return hit ? (long)hit->cust : -1;
}

/* --explain text; nothing is built when nobody asked. */
#define WHY(sb, ...) do { if (sb) sbuf_addf(sb, __VA_ARGS__); } while (0)

/* Keyword search in part of the text; reports where for --explain. */
static int
kw_cond(struct tctx *c, const struct cond *k, int subj, int body, struct sbuf *why)
{
	tctx_text(c);
	for (size_t i = 0; i < k->npat; i++) {
		size_t mlen;
		long off;
		if (subj && (off = kw_find(c->ftext, c->slen, k->pat[i], &mlen)) >= 0) {
			WHY(why, "'%s' in subject", k->pat[i]);
			if (why) excerpt(why, c->text, c->slen, (size_t)off, mlen);
			return 1;
		}
		if (body && (off = kw_find(c->ftext + c->slen + 1, c->tlen - c->slen - 1,
		    k->pat[i], &mlen)) >= 0) {
			WHY(why, "'%s' in body", k->pat[i]);
			if (why) excerpt(why, c->text + c->slen + 1, c->tlen - c->slen - 1, (size_t)off, mlen);
			return 1;
		}
	}
	WHY(why, "%s", "none of");
	for (size_t i = 0; i < k->npat; i++)
		WHY(why, "%s '%s'", i ? "," : "", k->pat[i]);
	WHY(why, " in %s", subj && body ? "subject or body" : subj ? "subject" : "body");
	return 0;
}

static int
re_cond(const struct cond *k, const char *orig, const char *folded, const char *what,
    struct sbuf *why)
{
	regmatch_t pm[1];

	for (size_t i = 0; i < k->nre; i++)
		if (regexec(&k->re[i], folded, 1, pm, 0) == 0) {
			WHY(why, "/%s/ in %s", k->resrc[i], what);
			if (why) excerpt(why, orig, strlen(orig), (size_t)pm[0].rm_so,
			    (size_t)(pm[0].rm_eo - pm[0].rm_so));
			return 1;
		}
	WHY(why, "%s", "no match for");
	for (size_t i = 0; i < k->nre; i++)
		WHY(why, "%s /%s/", i ? "," : "", k->resrc[i]);
	WHY(why, " in %s", what);
	return 0;
}

static int
list_cond(const struct cond *k, const char *val, const char *what, struct sbuf *why)
{
	for (size_t i = 0; i < k->npat; i++)
		if (val && strcasecmp(val, k->pat[i]) == 0) {
			WHY(why, "%s '%s'", what, val);
			return 1;
		}
	WHY(why, "%s '%s' is not", what, val ? val : "");
	for (size_t i = 0; i < k->npat; i++)
		WHY(why, "%s '%s'", i ? "," : "", k->pat[i]);
	return 0;
}

static void
add_addr(char ***v, size_t *n, const char *s)
{
	char *a;
	size_t l;

	if (s == NULL)
		return;
	while (*s == ' ' || *s == '<')
		s++;
	a = xstrdup(s);
	l = strcspn(a, "> \t");
	a[l] = '\0';
	if (*a == '\0') {
		free(a);
		return;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = a;
}

static int
to_cond(struct tctx *c, const struct cond *k, struct sbuf *why)
{
	const struct kvmap *f = tctx_first(c);
	struct mail *m = f ? NULL : tctx_mail(c);
	char **v = NULL, *h;
	size_t n = 0;
	int hit = 0;

	if (f) {
		char **line;
		size_t nl = str_split(kv_get(f, "rcpt") ? kv_get(f, "rcpt") : "", "\n", &line);
		for (size_t i = 0; i < nl; i++)
			add_addr(&v, &n, line[i]);
		strv_free(line, nl);
	}
	if (m) {
		for (size_t i = 0; i < m->nto; i++)
			add_addr(&v, &n, m->to[i].email);
		for (size_t i = 0; i < m->ncc; i++)
			add_addr(&v, &n, m->cc[i].email);
		add_addr(&v, &n, h = mail_header(m, "Delivered-To"));
		free(h);
		add_addr(&v, &n, h = mail_header(m, "X-Original-To"));
		free(h);
	}
	for (size_t i = 0; i < n && !hit; i++)
		for (size_t j = 0; j < k->npat && !hit; j++)
			if (addr_match(v[i], k->pat[j])) {
				WHY(why, "recipient '%s' is '%s'", v[i], k->pat[j]);
				hit = 1;
			}
	if (!hit) {
		WHY(why, "%s", "no recipient is");
		for (size_t j = 0; j < k->npat; j++)
			WHY(why, "%s '%s'", j ? "," : "", k->pat[j]);
		WHY(why, " (%s", n ? "" : "none");
		for (size_t i = 0; i < n; i++)
			WHY(why, "%s%s", i ? ", " : "", v[i]);
		WHY(why, ")");
	}
	strv_free(v, n);
	return hit;
}

static int
cond_eval(struct tctx *c, const struct cond *k, struct sbuf *why)
{
	const struct customer *cu = c->cust >= 0 ? &c->r->cust[c->cust] : NULL;
	struct mail *m;

	WHY(why, "%s: ", k->key);
	switch (k->kind) {
	case C_CHANNEL:
		return list_cond(k, kv_get(&c->t, "channel"), "channel", why);
	case C_LANGUAGE:
		return list_cond(k, kv_get(&c->t, "language"), "language", why);
	case C_CUSTOMER:
		return list_cond(k, cu ? cu->name : NULL, "customer", why);
	case C_CONTRACT:
		return list_cond(k, cu ? cu->contract : NULL, "contract", why);
	case C_FROM:
		for (size_t i = 0; i < k->npat; i++)
			if (c->from && addr_match(c->from, k->pat[i])) {
				WHY(why, "sender '%s' is '%s'", c->from, k->pat[i]);
				return 1;
			}
		WHY(why, "sender '%s' is none of", c->from ? c->from : "");
		for (size_t i = 0; i < k->npat; i++)
			WHY(why, "%s '%s'", i ? "," : "", k->pat[i]);
		return 0;
	case C_TO:
		return to_cond(c, k, why);
	case C_SUBJECT:
		return kw_cond(c, k, 1, 0, why);
	case C_BODY:
		return kw_cond(c, k, 0, 1, why);
	case C_TEXT:
		return kw_cond(c, k, 1, 1, why);
	case C_REGEX:
		tctx_text(c);
		return re_cond(k, c->text, c->ftext, "subject or body", why);
	case C_HEADER: {
		char *h = (m = tctx_mail(c)) ? mail_header(m, k->header) : NULL, *f;
		int hit;
		if (h == NULL) {
			WHY(why, "no %s header", k->header);
			return 0;
		}
		f = xstrdup(h);
		text_lower_utf8(f, strlen(f), 1);
		hit = re_cond(k, h, f, k->header, why);
		free(f);
		free(h);
		return hit;
	}
	case C_VIP:
		WHY(why, "%s", cu == NULL ? "no known customer" :
		    cu->vip ? "VIP customer" : "customer is not VIP");
		return (cu && cu->vip) == k->flag;
	case C_HOURS: {
		int in = c->has_created && cal_is_open(k->cal, c->created);
		WHY(why, "arrived %s business hours", in ? "in" : "out of");
		return in == k->flag;
	}
	case C_ATTACHMENT: {
		const struct kvmap *f = tctx_first(c);
		int has = 0;
		if (f && kv_get(f, "attachment")) {
			has = 1;
			WHY(why, "attachment '%s'", kv_get(f, "attachment"));
		} else if (f == NULL && (m = tctx_mail(c)) != NULL)
			for (size_t i = 0; i < m->nparts && !has; i++)
				if (m->parts[i].attachment) {
					has = 1;
					WHY(why, "attachment '%s'", m->parts[i].filename ?
					    m->parts[i].filename : m->parts[i].type);
				}
		if (!has)
			WHY(why, "%s", "no attachment");
		return has == k->flag;
	}
	}
	return 0;
}

/* All conditions must hold; explain says why for each one looked at. */
static int
rule_match(struct tctx *c, const struct rule *ru, struct sbuf *ex)
{
	struct sbuf why = SBUF_INIT;
	int ok = 1;

	for (size_t i = 0; i < ru->ncond && ok; i++) {
		if (why.len)
			sbuf_adds(&why, "; ");
		ok = cond_eval(c, &ru->cond[i], ex ? &why : NULL);
	}
	if (ex) {
		if (strcmp(ru->name, "routing-critical") == 0)
			sbuf_addf(ex, "  %s: %s", ru->name, ok ? "match" : "no match");
		else
			sbuf_addf(ex, "  rule '%s': %s", ru->name, ok ? "match" : "no match");
		if (ru->ncond == 0)
			sbuf_adds(ex, " (no conditions)");
		else
			sbuf_addf(ex, " (%s)", why.buf);
		sbuf_addc(ex, '\n');
	}
	sbuf_free(&why);
	return ok;
}

static void
want_tags(char **tags, const char *tag)
{
	char *n = kv_list_add(*tags, tag);
	free(*tags);
	*tags = n;
}

/*
 * Per field: 1 when its latest set event was not made by rt-route. The
 * cache's record keeps the answer (set-by-hand, summary.c), so the log is
 * read only when the state did not come from the cache.
 */
static int
set_by_hand(struct tctx *c, const char *field)
{
	const struct evlog *log;
	int hand = 0;

	if (c->from_cache)
		return kv_list_has(kv_get(&c->t, "set-by-hand"), field);
	log = tctx_log(c);

	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *t = kv_get(ev, "ev"), *f = kv_get(ev, "field"), *via;
		if (t == NULL || f == NULL || strcmp(t, "set") != 0 || strcmp(f, field) != 0)
			continue;
		via = kv_get(ev, "via");
		hand = via == NULL || strcmp(via, "route") != 0;
	}
	return hand;
}

/* Tags that a hand-made set event took away: rt-route does not add them back. */
static int
tag_removed_by_hand(struct tctx *c, const char *tag)
{
	const struct evlog *log;

	if (c->from_cache)
		return kv_list_has(kv_get(&c->t, "untagged-by-hand"), tag);
	log = tctx_log(c);
	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *t = kv_get(ev, "ev"), *f = kv_get(ev, "field"), *via = kv_get(ev, "via");
		if (t && f && strcmp(t, "set") == 0 && strcmp(f, "tags") == 0 &&
		    (via == NULL || strcmp(via, "route") != 0) &&
		    kv_list_has(kv_get(ev, "old"), tag) && !kv_list_has(kv_get(ev, "new"), tag))
			return 1;
	}
	return 0;
}

static int
agent_skill_score(struct tctx *c, const struct agent *a, const char *tags)
{
	const char *lang = kv_get(&c->t, "language");
	int score = 0;

	tctx_text(c);
	for (size_t i = 0; i < a->nskills; i++) {
		const char *s = a->skills[i];
		size_t mlen;
		if ((lang && strcasecmp(lang, s) == 0) || kv_list_has(tags, s) ||
		    kw_find(c->ftext, c->tlen, s, &mlen) >= 0)
			score++;
	}
	return score;
}

/* Picks an owner from the team; NULL when every member is away. */
static const struct agent *
pick_owner(struct tctx *c, struct team *t, const char *tags, struct sbuf *note)
{
	const struct agent *best = NULL;
	int bestscore = -1;

	if (t->strategy == S_ROUND_ROBIN) {
		for (size_t i = 0; i < t->n; i++) {
			const struct agent *a = &c->r->agents[t->members[(size_t)(t->assigned + (long)i) % t->n]];
			if (!a->away) {
				sbuf_addf(note, "team %s, round-robin turn %ld of %zu", t->name,
				    t->assigned % (long)t->n + 1, t->n);
				if (i)
					sbuf_addf(note, ", %zu away skipped", i);
				return a;
			}
		}
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct agent *a = &c->r->agents[t->members[i]];
		int score = t->strategy == S_SKILL ? agent_skill_score(c, a, tags) : 0;
		if (a->away)
			continue;
		if (best == NULL || score > bestscore ||
		    (score == bestscore && (a->open < best->open ||
		    (a->open == best->open && strcmp(a->name, best->name) < 0)))) {
			best = a;
			bestscore = score;
		}
	}
	if (best && t->strategy == S_SKILL)
		sbuf_addf(note, "team %s, skill: %d skill%s matched, %ld open", t->name, bestscore,
		    bestscore == 1 ? "" : "s", best->open);
	else if (best)
		sbuf_addf(note, "team %s, least-open: %ld open", t->name, best->open);
	return best;
}

static void
plan_set(struct route_plan *p, const struct kvmap *t, const char *field, const char *val)
{
	const char *old = kv_get(t, field);

	if ((old == NULL && val == NULL) || (old && val && strcmp(old, val) == 0))
		return;
	kv_set(&p->old, field, old ? old : "-");
	kv_set(&p->set, field, val);
}

static void
plan_fields(struct tctx *c, const struct kvmap *want, const char *tags, const char *team,
    struct route_plan *p, struct sbuf *ex)
{
	struct route *r = c->r;
	const char *cur_owner = kv_get(&c->t, "owner");
	const char *owner = kv_get(want, "owner");

	for (size_t i = 0; scalar_actions[i]; i++) {
		const char *f = scalar_actions[i], *v = kv_get(want, f), *cur = kv_get(&c->t, f);
		if (strcmp(f, "owner") == 0)
			continue;
		if (v == NULL || (cur && strcmp(cur, v) == 0))
			continue;
		if (set_by_hand(c, f)) {
			if (ex)
				sbuf_addf(ex, "  keep %s: %s (set by hand; rules want %s)\n", f,
				    cur ? cur : "-", v);
			continue;
		}
		plan_set(p, &c->t, f, v);
	}
	/* tags are only added */
	if (tags) {
		char **v, *cur = xstrdup(kv_get(&c->t, "tags") ? kv_get(&c->t, "tags") : "");
		size_t n = str_split(tags, ",", &v);
		for (size_t i = 0; i < n; i++) {
			if (kv_list_has(cur, v[i]))
				continue;
			if (tag_removed_by_hand(c, v[i])) {
				if (ex)
					sbuf_addf(ex, "  keep tags: '%s' was removed by hand\n", v[i]);
				continue;
			}
			want_tags(&cur, v[i]);
		}
		strv_free(v, n);
		plan_set(p, &c->t, "tags", *cur ? cur : NULL);
		free(cur);
	}
	/* the owner: named outright, or picked by the team's strategy */
	if (owner == NULL && team) {
		struct team *t = find_team(r, team);
		int member = 0;
		for (size_t i = 0; t && cur_owner && i < t->n; i++)
			member |= strcmp(r->agents[t->members[i]].name, cur_owner) == 0;
		if (member)
			owner = cur_owner;
		else if (t && !set_by_hand(c, "owner")) {
			struct sbuf note = SBUF_INIT;
			const char *all = kv_get(&p->set, "tags") ? kv_get(&p->set, "tags") :
			    kv_get(&c->t, "tags");
			const struct agent *a = pick_owner(c, t, all, &note);
			if (a == NULL) {
				if (ex)
					sbuf_addf(ex, "  assign: nobody in team %s is present\n", team);
			} else {
				owner = a->name;
				if (ex && (cur_owner == NULL || strcmp(cur_owner, owner) != 0))
					sbuf_addf(ex, "  assign owner %s (%s)\n", owner, note.buf);
			}
			sbuf_free(&note);
		}
	}
	if (owner && !(cur_owner && strcmp(cur_owner, owner) == 0)) {
		if (set_by_hand(c, "owner")) {
			if (ex)
				sbuf_addf(ex, "  keep owner: %s (set by hand; rules want %s)\n",
				    cur_owner ? cur_owner : "-", owner);
		} else
			plan_set(p, &c->t, "owner", owner);
	}
}

/* Keeps the run's assignment counts right when a plan moves a ticket. */
static void
state_update(struct route *r, const struct kvmap *t, const struct route_plan *p)
{
	const char *o_old = kv_get(t, "owner"), *team_old = kv_get(t, "team");
	const char *o_new = kv_get(&p->set, "owner") ? kv_get(&p->set, "owner") : o_old;
	const char *team_new = kv_get(&p->set, "team") ? kv_get(&p->set, "team") : team_old;
	int open = !status_is_done(kv_get(t, "status"));
	struct team *tm;
	long a;

	if (!r->state_loaded)
		return;
	if (o_old && *o_old) {
		if (open && (a = find_agent(r, o_old)) >= 0)
			r->agents[a].open--;
		if (team_old && (tm = find_team(r, team_old)) != NULL)
			tm->assigned--;
	}
	if (o_new && *o_new) {
		if (open && (a = find_agent(r, o_new)) >= 0)
			r->agents[a].open++;
		if (team_new && (tm = find_team(r, team_new)) != NULL)
			tm->assigned++;
	}
}

int
route_plan(struct route *r, struct desk *d, const char *id, int explain, struct route_plan *p)
{
	struct tctx c;
	struct kvmap want = KVMAP_INIT;
	struct sbuf rules = SBUF_INIT, *ex = explain ? &p->explain : NULL;
	char *tags = NULL;
	const char *team;
	int rc, crit = 0, need_state = 0;

	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.d = d;
	c.id = id;
	c.cust = -1;
	if ((rc = load_ticket(&c)) != 0)
		goto out;
	if (kv_get(&c.t, "requestors")) {
		char **v;
		size_t n = str_split(kv_get(&c.t, "requestors"), ",", &v);
		if (n)
			c.from = c.sender = xstrdup(v[0]);
		strv_free(v, n);
	}
	c.subject = kv_get(&c.t, "subject");
	if (kv_get(&c.t, "created") && rt_parsetime(kv_get(&c.t, "created"), &c.created) == 0)
		c.has_created = 1;
	c.cust = customer_of(r, c.from);
	if (ex)
		sbuf_addf(ex, "#%s: %s\n", id, c.subject ? c.subject : "");
	if (c.cust >= 0) {
		const struct customer *cu = &r->cust[c.cust];
		kv_set(&want, "customer", cu->name);
		if (ex)
			sbuf_addf(ex, "  customer %s (sender %s%s%s%s)\n", cu->name, c.from,
			    cu->contract ? ", contract " : "", cu->contract ? cu->contract : "",
			    cu->vip ? ", VIP" : "");
	}
	for (size_t i = 0; i < r->nrules; i++) {
		const struct rule *ru = &r->rules[i];
		if (!rule_match(&c, ru, ex))
			continue;
		if (rules.len)
			sbuf_addc(&rules, ',');
		sbuf_adds(&rules, ru->name);
		for (size_t j = 0; j < ru->act.n; j++)
			kv_set(&want, ru->act.v[j].key, ru->act.v[j].val);
		for (size_t j = 0; j < ru->ntags; j++)
			want_tags(&tags, ru->tags[j]);
		if (kv_get(&ru->act, "escalate"))
			want_tags(&tags, "critical");
		if (!ru->cont) {
			if (ex && i + 1 < r->nrules)
				sbuf_adds(ex, "  (first match wins: later rules not tried)\n");
			break;
		}
	}
	if (r->has_crit) {
		if (r->crit.ncond && rule_match(&c, &r->crit, ex))
			crit = 1;
		else if (r->crit_vip && c.cust >= 0 && r->cust[c.cust].vip) {
			crit = 1;
			if (ex)
				sbuf_addf(ex, "  routing-critical: match (VIP customer %s)\n",
				    r->cust[c.cust].name);
		}
		if (crit) {
			if (rules.len)
				sbuf_addc(&rules, ',');
			sbuf_adds(&rules, "routing-critical");
			kv_set(&want, "priority", "critical");
			kv_set(&want, "escalate", "immediate");
			want_tags(&tags, "critical");
		}
	}
	if (rules.len)
		p->rules = xstrdup(rules.buf);
	else if (ex)
		sbuf_adds(ex, "  no rule matched\n");
	/* only a rule's team: action assigns, and not when the team was set by hand */
	team = set_by_hand(&c, "team") ? NULL : kv_get(&want, "team");
	if (team && kv_get(&want, "owner") == NULL)
		need_state = 1;
	if (need_state && (rc = state_load(r, d)) != 0)
		goto out;
	plan_fields(&c, &want, tags, team, p, ex);
	if (ex) {
		for (size_t i = 0; i < p->set.n; i++)
			sbuf_addf(ex, "  set %s: %s -> %s\n", p->set.v[i].key,
			    kv_get(&p->old, p->set.v[i].key), p->set.v[i].val);
		if (p->set.n == 0)
			sbuf_adds(ex, "  nothing to change\n");
	}
	state_update(r, &c.t, p);
out:
	free(tags);
	sbuf_free(&rules);
	kv_free(&want);
	kv_free(&c.t);
	log_free(&c.log);
	mail_free(c.m);
	kv_free(&c.first);
	git_tree_free(c.dir);
	free(c.mailfile);
	free(c.sender);
	free(c.text);
	free(c.ftext);
	return rc;
}

void
route_plan_free(struct route_plan *p)
{
	free(p->rules);
	kv_free(&p->old);
	kv_free(&p->set);
	sbuf_free(&p->explain);
	memset(p, 0, sizeof(*p));
}
