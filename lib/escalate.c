/* escalate.c: the escalation matrix and applying its steps (see escalate.h) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cache.h"
#include "calendar.h"
#include "change.h"
#include "desk.h"
#include "escalate.h"
#include "head.h"
#include "kv.h"
#include "mail.h"
#include "mailbox.h"
#include "mailsend.h"
#include "notify.h"
#include "people.h"
#include "route.h"
#include "status.h"
#include "sync.h"
#include "text.h"
#include "ticket.h"
#include "trust.h"
#include "util.h"
#include "yamlio.h"

enum cond { E_CLOCK, E_CRITICAL, E_SECURITY, E_PHRASE, E_REOPENS, E_RATING };

struct level {
	int level;
	char *name;
	char **notify;
	size_t nnotify;
	char *queue, *owner, *actions;
};

struct trigger {
	enum cond cond;
	char *on;		/* as written */
	int clock;		/* E_CLOCK */
	int pct;		/* E_CLOCK: share of the target in percent; 100 = breach */
	char *kind;		/* E_CLOCK: "warn", "breach" or "N%" */
	char *name;		/* E_PHRASE */
	char **phrases;		/* E_PHRASE, folded */
	size_t nphrases;
	long long n;		/* E_REOPENS more-than, E_RATING at-most */
	struct level *lv;
};

struct esc {
	struct desk *d;
	struct sla *sla;
	struct level *lv;
	size_t nlv;
	struct trigger *tr;
	size_t ntr;
	int warn_pct;
	struct level security;
	int have_security;
	const char *mailer;
	char *from;
	char *env_from;
};

/* ---- configuration ---- */

static int
cfg_err(struct desk *d, const struct ynode *n, const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);
	int rc = rt_fail(EX_CONFIG, "%s: %s", desk_cfg_where(d, n), msg);

	free(msg);
	return rc;
}


static const char *
scalar(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);

	return v && v->kind == Y_SCALAR && !yscalar_is_null(v) ? v->value : NULL;
}

static int
parse_pct(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || strcmp(end, "%") != 0 || v <= 0 || v > 10000)
		return -1;
	*out = (int)v;
	return 0;
}

/* Addresses of a contact (escalation.contacts), agent or team name; NULL if unknown. */
static char **
resolve_name(struct desk *d, const char *name, size_t *n)
{
	const struct ynode *v;
	char **out = NULL;
	char *path;

	*n = 0;
	if (strchr(name, '@') == NULL) {
		path = xasprintf("escalation.contacts.%s", name);
		v = desk_cfg(d, path);
		free(path);
		if (v && (v->kind == Y_SCALAR || v->kind == Y_SEQ) && !yscalar_is_null(v)) {
			desk_cfg_strlist(d, v, "contacts", &out, n);
			return out;
		}
	}
	return people_addresses(d, name, n);
}

static int
load_level(struct esc *e, const struct ynode *n, struct level *lv, const char *what)
{
	struct desk *d = e->d;
	const struct ynode *v;
	int rc;

	if (n->kind != Y_MAP)
		return cfg_err(d, n, "%s must be a mapping (name, notify, queue, owner, actions)", what);
	if ((v = ymap_get(n, "level")) != NULL) {
		long long x;
		if (ynode_int(v, &x) != 0 || x < 1 || x > 99)
			return cfg_err(d, v, "%s must be a number from 1 to 99", "level");
		lv->level = (int)x;
	}
	lv->name = scalar(n, "name") ? xstrdup(scalar(n, "name")) : NULL;
	lv->queue = scalar(n, "queue") ? xstrdup(scalar(n, "queue")) : NULL;
	lv->owner = scalar(n, "owner") ? xstrdup(scalar(n, "owner")) : NULL;
	lv->actions = scalar(n, "actions") ? xstrdup(scalar(n, "actions")) : NULL;
	if ((rc = desk_cfg_strlist(d, ymap_get(n, "notify"), "notify", &lv->notify, &lv->nnotify)) != 0)
		return rc;
	for (size_t i = 0; i < lv->nnotify; i++) {
		size_t k;
		char **a;
		if (strcmp(lv->notify[i], "owner") == 0 || strcmp(lv->notify[i], "team") == 0)
			continue;
		if ((a = resolve_name(d, lv->notify[i], &k)) == NULL)
			return cfg_err(d, ymap_get(n, "notify"),
			    "cannot resolve '%s' to an address (not an address, nor in "
			    "escalation.contacts, agents or teams)", lv->notify[i]);
		strv_free(a, k);
	}
	return 0;
}

static struct level *
find_level(struct esc *e, int level)
{
	for (size_t i = 0; i < e->nlv; i++)
		if (e->lv[i].level == level)
			return &e->lv[i];
	return NULL;
}

static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int
load_trigger(struct esc *e, const struct ynode *n, struct trigger *t)
{
	struct desk *d = e->d;
	const struct ynode *v;
	const char *on = scalar(n, "on"), *colon;
	long long lvl;
	int rc;

	if (n->kind != Y_MAP || on == NULL)
		return cfg_err(d, n, "%s must be a mapping with on: and level:", "a trigger");
	t->on = xstrdup(on);
	if ((v = ymap_get(n, "level")) == NULL || ynode_int(v, &lvl) != 0 ||
	    (t->lv = find_level(e, (int)lvl)) == NULL)
		return cfg_err(d, v ? v : n, "trigger '%s' needs a level: defined in levels:", on);
	if ((colon = strchr(on, ':')) != NULL) {
		char *clock = xstrndup(on, (size_t)(colon - on));
		t->cond = E_CLOCK;
		t->clock = sla_clock_index(clock);
		free(clock);
		t->kind = xstrdup(colon + 1);
		if ((v = ymap_get(n, "at")) != NULL && strcmp(t->kind, "warn") == 0) {
			if (v->kind != Y_SCALAR || parse_pct(v->value, &t->pct))
				return cfg_err(d, v, "'%s' is not a share like 75%%", v->value ? v->value : "?");
		} else if (strcmp(t->kind, "warn") == 0)
			t->pct = e->warn_pct;
		else if (strcmp(t->kind, "breach") == 0)
			t->pct = 100;
		else if (parse_pct(t->kind, &t->pct) != 0)
			t->clock = -1;
		if (t->clock < 0)
			return cfg_err(d, ymap_get(n, "on"), "unknown trigger '%s' (CLOCK:warn, "
			    "CLOCK:breach or CLOCK:N%% with CLOCK first-response, next-response "
			    "or resolution)", on);
		return 0;
	}
	if (strcmp(on, "critical") == 0)
		t->cond = E_CRITICAL;
	else if (strcmp(on, "security") == 0)
		t->cond = E_SECURITY;
	else if (strcmp(on, "phrase") == 0) {
		t->cond = E_PHRASE;
		t->name = xstrdup(scalar(n, "name") ? scalar(n, "name") : "phrase");
		if (!valid_name(t->name))
			return cfg_err(d, ymap_get(n, "name"), "phrase trigger name '%s' must be "
			    "lower-case letters, digits and dashes", t->name);
		if ((rc = desk_cfg_strlist(d, ymap_get(n, "phrases"), "phrases", &t->phrases, &t->nphrases)) != 0)
			return rc;
		if (t->nphrases == 0)
			return cfg_err(d, n, "phrase trigger '%s' needs phrases:", t->name);
		for (size_t i = 0; i < t->nphrases; i++)
			text_lower_utf8(t->phrases[i], strlen(t->phrases[i]), 1);
	} else if (strcmp(on, "reopens") == 0 || strcmp(on, "rating") == 0) {
		const char *key = on[1] == 'e' ? "more-than" : "at-most";
		t->cond = on[1] == 'e' ? E_REOPENS : E_RATING;
		if ((v = ymap_get(n, key)) == NULL || ynode_int(v, &t->n) != 0 || t->n < 0)
			return cfg_err(d, v ? v : n, "this trigger needs %s: N", key);
	} else
		return cfg_err(d, ymap_get(n, "on"), "unknown trigger '%s' (CLOCK:warn, CLOCK:breach, "
		    "CLOCK:N%%, critical, security, phrase, reopens, rating)", on);
	return 0;
}

int
esc_load(struct esc **out, struct desk *d, struct sla *sla)
{
	struct esc *e = xcalloc(1, sizeof(*e));
	const struct ynode *n, *v;
	const char *addr;
	int rc;

	*out = e;
	e->d = d;
	e->sla = sla;
	e->warn_pct = 75;
	n = desk_cfg(d, "escalation");
	if (n == NULL || yscalar_is_null(n))
		goto mail;
	if (n->kind != Y_MAP)
		return cfg_err(d, n, "%s must be a mapping", "escalation");
	if ((v = ymap_get(n, "warn-at")) != NULL &&
	    (v->kind != Y_SCALAR || parse_pct(v->value, &e->warn_pct) || e->warn_pct >= 100))
		return cfg_err(d, v, "warn-at '%s' must be a share below 100%%, like 75%%",
		    v->kind == Y_SCALAR ? v->value : "?");
	if ((v = ymap_get(n, "levels")) != NULL && !yscalar_is_null(v)) {
		if (v->kind != Y_SEQ)
			return cfg_err(d, v, "%s must be a list of levels", "levels");
		e->lv = xcalloc(v->n + 1, sizeof(*e->lv));
		for (size_t i = 0; i < v->n; i++) {
			e->lv[i].level = (int)i + 1;
			e->nlv++;
			if ((rc = load_level(e, v->items[i], &e->lv[i], "a level")) != 0)
				return rc;
			for (size_t j = 0; j < i; j++)
				if (e->lv[j].level == e->lv[i].level)
					return cfg_err(d, v->items[i], "level %s is defined twice",
					    e->lv[i].name ? e->lv[i].name : "?");
		}
	}
	if ((v = ymap_get(n, "triggers")) != NULL && !yscalar_is_null(v)) {
		if (v->kind != Y_SEQ)
			return cfg_err(d, v, "%s must be a list of {on: ..., level: N}", "triggers");
		e->tr = xcalloc(v->n + 1, sizeof(*e->tr));
		for (size_t i = 0; i < v->n; i++) {
			e->ntr++;
			if ((rc = load_trigger(e, v->items[i], &e->tr[i])) != 0)
				return rc;
		}
	}
	if ((v = ymap_get(n, "security")) != NULL && !yscalar_is_null(v)) {
		if ((rc = load_level(e, v, &e->security, "security")) != 0)
			return rc;
		if (e->security.nnotify == 0)
			return cfg_err(d, v, "%s needs notify: with the security officer", "security");
		e->have_security = 1;
	}
mail:
	if ((rc = trust_mailer(d, "escalation.mailer", "desk.mailer", &e->mailer)) != 0)
		return rc;	/* a program mailer only from an agent's commit */
	addr = desk_cfg_str(d, "desk.address", NULL);
	if (desk_cfg_str(d, "escalation.from", NULL))
		e->from = xstrdup(desk_cfg_str(d, "escalation.from", NULL));
	else if (addr && desk_cfg_str(d, "desk.name", NULL))
		e->from = mailbox_format(desk_cfg_str(d, "desk.name", NULL), addr);
	else
		e->from = xstrdup(addr ? addr : d->actor_email ? d->actor_email : "rt@localhost");
	e->env_from = mailbox_addr(e->from);
	return 0;
}

static void
level_free(struct level *l)
{
	strv_free(l->notify, l->nnotify);
	free(l->name);
	free(l->queue);
	free(l->owner);
	free(l->actions);
}

void
esc_free(struct esc *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nlv; i++)
		level_free(&e->lv[i]);
	free(e->lv);
	for (size_t i = 0; i < e->ntr; i++) {
		free(e->tr[i].on);
		free(e->tr[i].kind);
		free(e->tr[i].name);
		strv_free(e->tr[i].phrases, e->tr[i].nphrases);
	}
	free(e->tr);
	level_free(&e->security);
	free(e->from);
	free(e->env_from);
	free(e);
}

int
esc_has_phrases(const struct esc *e)
{
	for (size_t i = 0; i < e->ntr; i++)
		if (e->tr[i].cond == E_PHRASE)
			return 1;
	return 0;
}

/* ---- planning ---- */

void
esc_steps_free(struct esc_steps *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].step);
		free(s->v[i].reason);
		strv_free(s->v[i].superseded, s->v[i].nsuperseded);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static struct esc_step *
add_step(struct esc_steps *out, const struct sla_ticket *t, char *step, int level,
    const void *target, char *reason)
{
	struct esc_step *s;

	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	s = &out->v[out->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", t->id ? t->id : "");
	s->step = step;
	s->level = level;
	s->target = target;
	s->reason = reason;
	return s;
}

static int
done(const struct sla_ticket *t, const char *step)
{
	return t->esc_steps && kv_list_has(t->esc_steps, step);
}

/* "2026-11-23T10:05:00Z" -> "20261123T100500Z" */
static void
compact(const char *ts, char out[RT_TIMELEN])
{
	size_t k = 0;

	for (; ts && *ts && k < RT_TIMELEN - 1; ts++)
		if (*ts != '-' && *ts != ':')
			out[k++] = *ts;
	out[k] = '\0';
}

static void
plan_clock(struct esc *e, const struct sla_ticket *t, const struct sla_status *st, int k,
    struct esc_steps *out)
{
	const struct sla_clock *c = &st->clock[k];
	struct trigger *best = NULL;
	char **lower = NULL, cycle[RT_TIMELEN] = "";
	size_t nlower = 0;

	if (c->state != SLA_RUNNING && c->state != SLA_PAUSED)
		return;
	if (k == SLA_NEXT_RESPONSE && t->last_in)
		compact(t->last_in, cycle);
	for (size_t i = 0; i < e->ntr; i++) {
		struct trigger *tr = &e->tr[i];
		char *key;
		int due;
		if (tr->cond != E_CLOCK || tr->clock != k)
			continue;
		/* A breach is what sla_alert calls breached; beyond 100% it is later. */
		due = tr->pct == 100 ? sla_clock_overdue(c) : tr->pct > 100 ?
		    c->elapsed * 100 > c->target * tr->pct : c->elapsed * 100 >= c->target * tr->pct;
		if (!due)
			continue;
		key = xasprintf("%s:%s%s%s", sla_clock_names[k], tr->kind, *cycle ? "@" : "", cycle);
		if (done(t, key)) {
			free(key);
			continue;
		}
		if (best == NULL || tr->pct > best->pct) {
			if (best) {
				lower = xrealloc(lower, (nlower + 1) * sizeof(char *));
				lower[nlower++] = xasprintf("%s:%s%s%s", sla_clock_names[k], best->kind,
				    *cycle ? "@" : "", cycle);
			}
			best = tr;
			free(key);
		} else {
			lower = xrealloc(lower, (nlower + 1) * sizeof(char *));
			lower[nlower++] = key;
		}
	}
	if (best) {
		char tg[CAL_DURLEN], el[CAL_DURLEN];
		struct esc_step *s;
		char *reason = best->pct == 100 ?
		    xasprintf("%s breached: %s elapsed of %s target (policy %s)",
			sla_clock_names[k], cal_fmt_duration(c->elapsed, el),
			cal_fmt_duration(c->target, tg), st->policy->name) :
		    xasprintf("%s at %d%% of target: %s elapsed of %s (policy %s)",
			sla_clock_names[k], best->pct, cal_fmt_duration(c->elapsed, el),
			cal_fmt_duration(c->target, tg), st->policy->name);
		s = add_step(out, t, xasprintf("%s:%s%s%s", sla_clock_names[k], best->kind,
		    *cycle ? "@" : "", cycle), best->lv->level, best->lv, reason);
		s->superseded = lower;
		s->nsuperseded = nlower;
	} else
		strv_free(lower, nlower);
}

void
esc_plan(struct esc *e, const struct sla_ticket *t, time_t now, struct esc_steps *out)
{
	int closed = status_is_done(t->status);

	if (t->merged_into || t->id == NULL)
		return;
	for (size_t i = 0; i < e->ntr; i++) {
		struct trigger *tr = &e->tr[i];
		char *key;
		if (tr->cond == E_REOPENS && t->reopens && atoll(t->reopens) > tr->n) {
			key = xasprintf("reopens:more-than-%lld", tr->n);
			if (!done(t, key)) {
				add_step(out, t, key, tr->lv->level, tr->lv,
				    xasprintf("reopened %s times (more than %lld)", t->reopens, tr->n));
				continue;
			}
			free(key);
		} else if (tr->cond == E_RATING && t->rating && t->rated_at &&
		    atoll(t->rating) <= tr->n) {
			char c[RT_TIMELEN];
			time_t at;
			if (rt_parsetime(t->rated_at, &at) != 0 || at > now)
				continue;
			compact(t->rated_at, c);
			key = xasprintf("rating:at-most-%lld@%s", tr->n, c);
			if (!done(t, key)) {
				add_step(out, t, key, tr->lv->level, tr->lv,
				    xasprintf("satisfaction rating %s (at most %lld)", t->rating, tr->n));
				continue;
			}
			free(key);
		}
	}
	if (closed)
		return;
	/* Security incidents go to the security officer at once. */
	if (e->have_security && !done(t, "security:immediate") &&
	    ((t->type && strcasecmp(t->type, "security") == 0) ||
	    (t->tags && kv_list_has(t->tags, "security")))) {
		int lvl = e->security.level;
		for (size_t i = 0; i < e->ntr; i++)
			if (e->tr[i].cond == E_SECURITY)
				lvl = e->tr[i].lv->level;
		add_step(out, t, xstrdup("security:immediate"), lvl, &e->security,
		    xasprintf("security incident (%s)", t->type && strcasecmp(t->type,
		    "security") == 0 ? "type security" : "tag security"))->security = 1;
	}
	for (size_t i = 0; i < e->ntr; i++) {
		struct trigger *tr = &e->tr[i];
		const char *why = NULL;
		if (tr->cond != E_CRITICAL || done(t, "critical:immediate"))
			continue;
		if (t->priority && strcasecmp(t->priority, "critical") == 0)
			why = "priority critical";
		else if (t->escalate && strcasecmp(t->escalate, "immediate") == 0)
			why = "escalate: immediate";
		else if (t->tags && kv_list_has(t->tags, "critical"))
			why = "tag critical";
		if (why)
			add_step(out, t, xstrdup("critical:immediate"), tr->lv->level, tr->lv,
			    xasprintf("critical incident (%s)", why));
		break;
	}
	if (e->ntr) {
		struct sla_status st;
		int any = 0;
		for (size_t i = 0; i < e->ntr; i++)
			any |= e->tr[i].cond == E_CLOCK;
		if (any && sla_compute(e->sla, t, now, &st) == 0 && st.policy)
			for (int k = 0; k < SLA_NCLOCKS; k++)
				plan_clock(e, t, &st, k, out);
	}
}

int
esc_phrase_candidate(const struct esc *e, const struct sla_ticket *t, time_t since, time_t now)
{
	time_t in;

	if (!esc_has_phrases(e) || t->last_in == NULL || t->merged_into ||
	    status_is_done(t->status))
		return 0;
	return rt_parsetime(t->last_in, &in) == 0 && in > since && in <= now;
}

/* The customer's own words: quoted lines and quoted originals are skipped. */
static void
own_text(const char *text, struct sbuf *sb)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (str_starts(p, "-----Original Message") ||
		    str_starts(p, "-----Urspr\xc3\xbcngliche Nachricht"))
			break;
		if (*p != '>') {
			sbuf_add(sb, p, len);
			sbuf_addc(sb, '\n');
		}
		p = nl ? nl + 1 : NULL;
	}
}

static int plan_phrases(struct esc *e, struct desk *d, const struct sla_ticket *t,
    git_tree *seen, time_t since, time_t now, struct esc_steps *out);

int
esc_plan_phrases(struct esc *e, struct desk *d, const struct sla_ticket *t, time_t since,
    time_t now, struct esc_steps *out)
{
	return plan_phrases(e, d, t, NULL, since, now, out);
}

int
esc_plan_phrases_unseen(struct esc *e, struct desk *d, const struct sla_ticket *t,
    git_tree *seen, time_t now, struct esc_steps *out)
{
	return plan_phrases(e, d, t, seen, 0, now, out);
}

/* Whether path is in the tree (the watermark commit's). */
static int
in_tree(git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	int found = git_tree_entry_bypath(&e, tree, path) == 0;

	git_tree_entry_free(e);
	return found;
}

static int
plan_phrases(struct esc *e, struct desk *d, const struct sla_ticket *t, git_tree *seen,
    time_t since, time_t now, struct esc_steps *out)
{
	struct kvmap tk = KVMAP_INIT;
	struct evlog log = { NULL, 0 };
	struct sbuf text = SBUF_INIT;
	int rc;

	if ((rc = ticket_load(d, t->id, &tk, &log)) != 0)
		return rc;
	for (size_t i = 0; i < log.n; i++) {
		const char *type = kv_get(&log.ev[i], "ev"), *at = kv_get(&log.ev[i], "at"),
		    *file = kv_get(&log.ev[i], "file"), *au = kv_get(&log.ev[i], "auto");
		char *path, *buf;
		size_t len;
		time_t when;
		struct mail *m;
		if (type == NULL || strcmp(type, "mail-in") != 0 || file == NULL || at == NULL ||
		    rt_parsetime(at, &when) != 0 || (seen == NULL && when <= since) ||
		    when > now || (au && strcmp(au, "true") == 0))
			continue;
		path = ticket_path(t->id, file);
		if (seen && in_tree(seen, path)) {
			free(path);
			continue;
		}
		if (desk_read_head(d, path, &buf, &len) == 0) {
			if (mail_parse_buf(buf, len, &m) == 0) {
				sbuf_adds(&text, m->subject);
				sbuf_addc(&text, '\n');
				own_text(m->text, &text);
				mail_free(m);
			}
			free(buf);
		}
		free(path);
	}
	if (text.len) {
		text_lower_utf8(text.buf, text.len, 1);
		for (size_t i = 0; i < e->ntr; i++) {
			struct trigger *tr = &e->tr[i];
			char *key;
			if (tr->cond != E_PHRASE)
				continue;
			key = xasprintf("phrase:%s", tr->name);
			if (done(t, key)) {
				free(key);
				continue;
			}
			for (size_t j = 0; j < tr->nphrases; j++)
				if (strstr(text.buf, tr->phrases[j])) {
					add_step(out, t, key, tr->lv->level, tr->lv,
					    xasprintf("customer wrote \"%s\" (%s)", tr->phrases[j],
					    tr->name));
					key = NULL;
					break;
				}
			free(key);
		}
	}
	sbuf_free(&text);
	kv_free(&tk);
	log_free(&log);
	return 0;
}

/* ---- the notification ---- */

static void
add_rcpt(char ***v, size_t *n, const char *addr)
{
	char *bare = mailbox_addr(addr);

	for (size_t i = 0; i < *n; i++)
		if (strcasecmp((*v)[i], bare) == 0) {
			free(bare);
			return;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = bare;
}

static void
recipients(struct esc *e, const struct level *lv, const struct kvmap *tk, char ***v, size_t *n)
{
	for (size_t i = 0; i < lv->nnotify; i++) {
		const char *name = lv->notify[i];
		char **a;
		size_t k;
		if (strcmp(name, "owner") == 0 || strcmp(name, "team") == 0)
			name = kv_get(tk, name);
		if (name == NULL || (a = resolve_name(e->d, name, &k)) == NULL)
			continue;
		for (size_t j = 0; j < k; j++)
			add_rcpt(v, n, a[j]);
		strv_free(a, k);
	}
	if (*n == 0 && lv->nnotify) {	/* e.g. owner on an unassigned ticket */
		const char *fb = desk_cfg_str(e->d, "desk.notify-fallback", NULL);
		char **a;
		size_t k;
		if (fb && (a = resolve_name(e->d, fb, &k)) != NULL) {
			for (size_t j = 0; j < k; j++)
				add_rcpt(v, n, a[j]);
			strv_free(a, k);
			rt_warn("#%s: escalation notifies nobody: sent to desk.notify-fallback %s",
			    kv_get(tk, "id") ? kv_get(tk, "id") : "?", fb);
		} else
			rt_warn("escalation notifies nobody and desk.notify-fallback is not set");
	}
}

static void
clock_lines(struct esc *e, struct desk *d, const char *id, time_t now, struct sbuf *b)
{
	struct kvmap rec = KVMAP_INIT;
	struct sla_ticket t;
	struct sla_status st;

	if (cache_get(d, id, &rec) != 0)
		return;
	sla_ticket_from_kvmap(&t, &rec);
	sla_compute(e->sla, &t, now, &st);
	if (st.policy == NULL)
		sbuf_adds(b, "SLA: no policy matches this ticket\n");
	else {
		sbuf_addf(b, "SLA policy %s (calendar %s)\n", st.policy->name,
		    calendar_name(st.policy->cal));
		for (int k = 0; k < SLA_NCLOCKS; k++) {
			const struct sla_clock *c = &st.clock[k];
			char tg[CAL_DURLEN], el[CAL_DURLEN], re[CAL_DURLEN], due[RT_TIMELEN];
			if (c->state == SLA_NONE)
				continue;
			sbuf_addf(b, "  %-15s target %-6s elapsed %-6s remaining %-6s %-8s %s%s%s\n",
			    sla_clock_names[k], cal_fmt_duration(c->target, tg),
			    cal_fmt_duration(c->elapsed, el), cal_fmt_duration(c->remaining, re),
			    sla_state_name(c->state),
			    c->breached ? "BREACHED" : c->met ? "met" : "ok",
			    c->due ? " due " : "", c->due ? rt_fmttime(c->due, due) : "");
		}
	}
	kv_free(&rec);
}

static void
correspondence(struct desk *d, const char *id, const struct evlog *log, struct sbuf *b)
{
	size_t n = 0;

	for (size_t i = 0; i < log->n; i++) {
		const char *type = kv_get(&log->ev[i], "ev");
		if (type && (strcmp(type, "mail-in") == 0 || strcmp(type, "mail-out") == 0 ||
		    strcmp(type, "comment") == 0))
			n++;
	}
	sbuf_addf(b, "\nCorrespondence (%zu message%s, oldest first)\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *type = kv_get(ev, "ev"), *file = kv_get(ev, "file");
		char *path, *buf;
		size_t len;
		struct mail *m;
		if (type == NULL || file == NULL || (strcmp(type, "mail-in") != 0 &&
		    strcmp(type, "mail-out") != 0 && strcmp(type, "comment") != 0))
			continue;
		sbuf_addf(b, "\n==== %s  %s %s%s\n", kv_get(ev, "at") ? kv_get(ev, "at") : "?",
		    strcmp(type, "mail-in") == 0 ? "mail from" :
		    strcmp(type, "mail-out") == 0 ? "reply to" : "internal note by",
		    strcmp(type, "mail-in") == 0 ? (kv_get(ev, "from") ? kv_get(ev, "from") : "?") :
		    strcmp(type, "mail-out") == 0 ? (kv_get(ev, "to") ? kv_get(ev, "to") : "?") :
		    (kv_get(ev, "by") ? kv_get(ev, "by") : "?"),
		    kv_get(ev, "auto") && strcmp(kv_get(ev, "auto"), "true") == 0 ? " (automatic)" : "");
		path = ticket_path(id, file);
		if (desk_read_head(d, path, &buf, &len) != 0) {
			sbuf_addf(b, "(cannot read %s)\n", file);
			free(path);
			continue;
		}
		if (strcmp(type, "comment") == 0) {
			char *clean = utf8_clean(buf, len, 0);
			sbuf_adds(b, clean);
			free(clean);
		} else if (mail_parse_buf(buf, len, &m) == 0) {
			sbuf_addf(b, "Subject: %s\n\n%s", m->subject, m->text ? m->text : "");
			for (size_t j = 0; j < m->nparts; j++)
				if (m->parts[j].attachment)
					sbuf_addf(b, "\n[attachment: %s, %s, %zu bytes]",
					    m->parts[j].filename ? m->parts[j].filename : "(no name)",
					    m->parts[j].type, mail_part_size(m, j));
			mail_free(m);
		} else
			sbuf_addf(b, "(%s is not readable mail)\n", file);
		if (b->len && b->buf[b->len - 1] != '\n')
			sbuf_addc(b, '\n');
		free(buf);
		free(path);
	}
}

static char *
notification_body(struct esc *e, struct desk *d, const struct esc_step *s,
    const struct level *lv, int move, const struct kvmap *tk, const struct evlog *log,
    time_t now)
{
	struct sbuf b = SBUF_INIT;
	static const char *const fields[] = { "status", "queue", "priority", "severity", "type",
		"owner", "team", "customer", "requestors", "tags", "created", NULL };

	if (s->security)
		sbuf_addf(&b, "Security incident: ticket #%s needs the security officer.\n", s->id);
	else
		sbuf_addf(&b, "Ticket #%s is escalated to level %d%s%s%s.\n", s->id, s->level,
		    lv->name ? " (" : "", lv->name ? lv->name : "", lv->name ? ")" : "");
	sbuf_addf(&b, "Reason: %s\nStep: %s\n", s->reason, s->step);
	if (move && (lv->queue || lv->owner))
		sbuf_addf(&b, "Moved to:%s%s%s%s\n", lv->queue ? " queue " : "",
		    lv->queue ? lv->queue : "", lv->owner ? " owner " : "", lv->owner ? lv->owner : "");
	if (lv->actions)
		sbuf_addf(&b, "\nRecommended actions:\n%s\n", lv->actions);
	sbuf_addf(&b, "\nTicket #%s: %s\n", s->id, kv_get(tk, "subject") ? kv_get(tk, "subject") : "");
	for (size_t i = 0; fields[i]; i++)
		if (kv_get(tk, fields[i]))
			sbuf_addf(&b, "  %-11s %s\n", fields[i], kv_get(tk, fields[i]));
	sbuf_addc(&b, '\n');
	clock_lines(e, d, s->id, now, &b);
	correspondence(d, s->id, log, &b);
	return sbuf_detach(&b);
}

/* ---- the journal: lib/notify.c's, shared with every notification ---- */

int
esc_retry(struct esc *e, struct desk *d, FILE *out)
{
	(void)e;
	return notify_retry(d, out);
}

/* ---- applying ---- */

int
esc_apply(struct esc *e, struct desk *d, struct esc_step *s, time_t now, int dry,
    struct sbuf *line)
{
	const struct level *lv = s->target;
	struct change c;
	struct kvmap tk = KVMAP_INIT, rec = KVMAP_INIT, *ev;
	struct evlog log = { NULL, 0 };
	char **rcpt = NULL, *body = NULL, *subject = NULL, *msg = NULL, *file = NULL,
	    *jline = NULL, *msgid = NULL;
	size_t nrcpt = 0, len;
	long cur = 0;
	int rc, move;

	/* A dry run reads the cache record only; a real one the ticket and its log. */
	if ((rc = cache_get(d, s->id, &rec)) != 0 ||
	    (!dry && (rc = ticket_load(d, s->id, &tk, &log)) != 0)) {
		kv_free(&rec);
		return rc;
	}
	cur = atol(kv_get(&rec, "esc-level") ? kv_get(&rec, "esc-level") : "0");
	if (dry)
		kv_copy(&tk, &rec);
	/* Moves go up the matrix only; security moves always. */
	move = s->security || s->level > cur;
	recipients(e, lv, &tk, &rcpt, &nrcpt);
	sbuf_addf(line, "%s %s level %d", s->id, s->step, s->level);
	if (nrcpt) {
		sbuf_adds(line, " notify ");
		for (size_t i = 0; i < nrcpt; i++)
			sbuf_addf(line, "%s%s", i ? "," : "", rcpt[i]);
	}
	if (move && lv->queue && (kv_get(&tk, "queue") == NULL || strcmp(kv_get(&tk, "queue"), lv->queue)))
		sbuf_addf(line, " queue %s", lv->queue);
	if (move && lv->owner && (kv_get(&tk, "owner") == NULL || strcmp(kv_get(&tk, "owner"), lv->owner)))
		sbuf_addf(line, " owner %s", lv->owner);
	for (size_t i = 0; i < s->nsuperseded; i++)
		sbuf_addf(line, " (skips %s)", s->superseded[i]);
	if (dry) {
		sbuf_adds(line, " (dry run)");	/* nothing was sent or changed */
		goto out;
	}

	if ((rc = change_begin(&c, d, s->id, "escalate")) != 0)
		goto out;
	for (size_t i = 0; i < s->nsuperseded; i++) {
		ev = change_event(&c, "escalate");
		kv_set(ev, "step", s->superseded[i]);
		kv_setf(ev, "level", "%d", s->level);
		kv_setf(ev, "reason", "superseded by %s", s->step);
	}
	ev = change_event(&c, "escalate");
	kv_set(ev, "step", s->step);
	kv_setf(ev, "level", "%d", s->level);
	kv_set(ev, "reason", s->reason);
	if (move && lv->queue)
		change_set(&c, "queue", lv->queue);
	if (move && lv->owner)
		change_set(&c, "owner", lv->owner);
	if (nrcpt) {
		struct outmail om;
		const char *extra[] = { "Auto-Submitted", "auto-generated", "X-RT-Ticket", s->id,
			"X-RT-Escalation", s->step };
		body = notification_body(e, d, s, lv, move, &c.ticket, &log, now);
		subject = s->security ?
		    xasprintf("Security incident #%s: %s", s->id,
			kv_get(&tk, "subject") ? kv_get(&tk, "subject") : "") :
		    xasprintf("Escalation level %d #%s (%s): %s", s->level, s->id, s->step,
			kv_get(&tk, "subject") ? kv_get(&tk, "subject") : "");
		memset(&om, 0, sizeof(om));
		om.from = e->from;
		om.to = (const char **)rcpt;
		om.nto = nrcpt;
		om.subject = subject;
		om.body = body;
		om.extra = extra;
		om.nextra = LEN(extra) / 2;
		if ((rc = outmail_render(&om, &msg, &len, &msgid)) != 0) {
			change_free(&c);
			goto out;
		}
		file = change_add_file(&c, "eml", msg, len);
		ev = change_event(&c, "notify");
		kv_set(ev, "file", file);
		{
			struct sbuf to = SBUF_INIT;
			for (size_t i = 0; i < nrcpt; i++)
				sbuf_addf(&to, "%s%s", i ? "," : "", rcpt[i]);
			kv_set(ev, "to", to.buf);
			kv_set(ev, "step", s->step);
			kv_set(ev, "message-id", msgid);
			if (e->mailer) {
				jline = notify_jline(s->id, s->step, file, to.buf, e->env_from,
				    "escalation");
				if ((rc = notify_journal_add(d, jline)) != 0) {
					sbuf_free(&to);
					change_free(&c);
					goto out;
				}
			}
			sbuf_free(&to);
		}
	}
	rc = change_commit(&c, s->reason);
	change_free(&c);
	if (rc != 0) {
		if (jline)
			notify_journal_del(d, jline);
		goto out;
	}
	if (nrcpt && e->mailer == NULL)
		sbuf_adds(line, " (not sent: no mailer configured)");
	else if (jline) {
		if ((rc = notify_send_line(d, jline, e->mailer, msg, len)) != 0) {
			sbuf_addf(line, " (not sent yet, will retry: %s)", rt_errmsg());
			rc = EX_TEMPFAIL;
		}
	}
out:
	strv_free(rcpt, nrcpt);
	free(body);
	free(subject);
	free(msg);
	free(msgid);
	free(file);
	free(jline);
	kv_free(&tk);
	kv_free(&rec);
	log_free(&log);
	return rc;
}

/* ---- phrase watermark ---- */

int
esc_watermark_get(struct desk *d, git_oid *out)
{
	char *path = xasprintf("%s/escalate-checked", d->rtdir), *buf;
	size_t len;
	int rc = -1;
	git_commit *c = NULL;

	if (read_file(path, &buf, &len) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		/* An old watermark (a time) or a commit gone: none. */
		if (strlen(buf) == GIT_OID_HEXSZ && git_oid_fromstr(out, buf) == 0 &&
		    git_commit_lookup(&c, d->repo, out) == 0)
			rc = 0;
		git_commit_free(c);
		free(buf);
	}
	free(path);
	return rc;
}

int
esc_watermark_set(struct desk *d, const git_oid *commit)
{
	char *path = xasprintf("%s/escalate-checked", d->rtdir), hex[GIT_OID_HEXSZ + 2];
	int rc;

	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, commit);
	strcat(hex, "\n");
	rc = write_file_atomic(path, hex, strlen(hex), 0);
	if (rc != 0)
		rc = rt_fail(EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

struct changed {
	char ***ids;
	size_t *n;
};

static int
changed_id(const char *id, void *arg)
{
	struct changed *c = arg;

	*c->ids = xrealloc(*c->ids, (*c->n + 1) * sizeof(**c->ids));
	(*c->ids)[(*c->n)++] = xstrdup(id);
	return 0;
}

int
esc_changed_since(struct desk *d, const git_oid *mark, char ***ids, size_t *n)
{
	git_commit *a = NULL, *b = NULL;
	struct changed c = { ids, n };
	int rc;

	*ids = NULL;
	*n = 0;
	if (desk_head(d, &b) != 0 || b == NULL || git_commit_lookup(&a, d->repo, mark) < 0)
		rc = git_fail(-1, "cannot compare the watermark with HEAD");
	else
		rc = cache_tickets_changed(d, mark, git_commit_id(b), changed_id, &c);
	git_commit_free(a);
	git_commit_free(b);
	return rc;
}

/* ---- one sweeper among clones ---- */

int
esc_is_sweeper(const struct esc *e, struct desk *d, struct sbuf *why)
{
	const char *want = desk_cfg_str(d, "escalation.sweeper", NULL);
	char *me;
	int yes;

	(void)e;
	if (want == NULL || *want == '\0')
		return 1;
	me = sync_clone_name(d);
	yes = strcmp(want, me) == 0;
	if (!yes)
		sbuf_addf(why, "escalation.sweeper is '%s', this clone is '%s' (git config rt.clone): "
		    "reporting only", want, me);
	free(me);
	return yes;
}
