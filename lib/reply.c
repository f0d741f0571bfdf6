/*
 * reply.c: answering a ticket by mail.
 *
 * Order for "nothing recorded unless sent": render (template errors stop
 * here), send through the mailer, then commit the sent bytes and the
 * mail-out event. The desk lock is held from the loop checks to the
 * commit, so two automatic replies cannot both pass the interval check.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bm25.h"
#include "bounce.h"
#include "cache.h"
#include "change.h"
#include "desk.h"
#include "fieldset.h"
#include "head.h"
#include "humantime.h"
#include "id.h"
#include "kb.h"
#include "lang.h"
#include "mail.h"
#include "mailbox.h"
#include "mailsend.h"
#include "outbound.h"
#include "people.h"
#include "reply.h"
#include "sla.h"
#include "status.h"
#include "template.h"
#include "text.h"
#include "ticket.h"
#include "web.h"
#include "trust.h"
#include "txn.h"
#include "util.h"

#define DEFAULT_THRESHOLD 6.0
#define DEFAULT_INTERVAL (24 * 3600)
#define MAX_REFERENCES 20
#define MAX_QUOTE_LINES 200

struct ctx {
	struct desk *d;
	ticket_id id;
	struct kvmap t;
	struct evlog log;
	char *langs[4];
	size_t nlangs;
	const struct kvmap *trigger_ev;	/* last mail-in event not from an agent */
	const struct kvmap *last_in_ev;	/* the same, not automatic unless all are */
	struct mail *last_in;		/* its parsed message */
	struct mail *first_in;		/* the first mail-in's message */
	struct outbound ob;		/* a chat, social or phone ticket's channel */
	char *doc;			/* the document its command gets */
	size_t doclen;
};

static void
ctx_free(struct ctx *c)
{
	kv_free(&c->t);
	log_free(&c->log);
	for (size_t i = 0; i < c->nlangs; i++)
		free(c->langs[i]);
	if (c->last_in)
		mail_free(c->last_in);
	if (c->first_in && c->first_in != c->last_in)
		mail_free(c->first_in);
	outbound_free(&c->ob);
	free(c->doc);
	memset(c, 0, sizeof(*c));
}

/* "de-DE" -> "de"; NULL when s is not a language tag. */
static char *
lang_primary(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return NULL;
	while (isalpha((unsigned char)s[n]))
		n++;
	if (n < 2 || n > 8)
		return NULL;
	return str_lower(xstrndup(s, n));
}

static void
add_lang(struct ctx *c, const char *s)
{
	char *l = lang_primary(s);

	if (l == NULL)
		return;
	for (size_t i = 0; i < c->nlangs; i++)
		if (strcmp(c->langs[i], l) == 0) {
			free(l);
			return;
		}
	if (c->nlangs < LEN(c->langs))
		c->langs[c->nlangs++] = l;
	else
		free(l);
}

static const char *
addr_domain(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at ? at + 1 : NULL;
}

/* The customers: entry of the ticket (by name, else by requestor domain). */
static const struct ynode *
customer_node(struct desk *d, const struct kvmap *t)
{
	const struct ynode *cs = desk_cfg(d, "customers");
	const char *name = kv_get(t, "customer"), *req = kv_get(t, "requestors");
	char *first = req ? xstrndup(req, strcspn(req, ",")) : NULL;
	const char *dom = addr_domain(first);
	const struct ynode *hit = NULL;

	if (cs == NULL || cs->kind != Y_MAP)
		goto out;
	if (name && (hit = ymap_get(cs, name)) != NULL)
		goto out;
	for (size_t i = 0; i < cs->n && dom && !hit; i++) {
		const struct ynode *ds = ymap_get(cs->items[i], "domains");
		for (size_t j = 0; ds && ds->kind == Y_SEQ && j < ds->n; j++)
			if (ds->items[j]->kind == Y_SCALAR && strcasecmp(ds->items[j]->value, dom) == 0)
				hit = cs->items[i];
	}
out:
	free(first);
	return hit && hit->kind == Y_MAP ? hit : NULL;
}

static int
load_mail(struct desk *d, const char *id, const char *file, struct mail **out)
{
	char *path = ticket_path(id, file), *buf;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = desk_read_head(d, path, &buf, &len)) == 0) {
		rc = mail_parse_buf(buf, len, out);
		free(buf);
	}
	free(path);
	return rc;
}

/* A mail-in event of automatic mail (auto: true). */
static int
auto_event(const struct kvmap *ev)
{
	const char *a = kv_get(ev, "auto");

	return a && strcmp(a, "true") == 0;
}

static int
ctx_load(struct ctx *c, struct desk *d, const char *id)
{
	const struct kvmap *first = NULL;
	const struct ynode *cust;
	int rc;

	memset(c, 0, sizeof(*c));
	c->d = d;
	snprintf(c->id, sizeof(c->id), "%s", id);
	if ((rc = ticket_load(d, id, &c->t, &c->log)) != 0)
		return rc;
	log_sort(&c->log);
	for (size_t i = 0; i < c->log.n; i++) {
		const char *ev = kv_get(&c->log.ev[i], "ev");
		const char *ag = kv_get(&c->log.ev[i], "agent");
		/* the customer's mail: an agent's is never quoted or answered */
		if (ev && strcmp(ev, "mail-in") == 0 && kv_get(&c->log.ev[i], "file") &&
		    !(ag && strcmp(ag, "true") == 0) && !agent_by_email(d, kv_get(&c->log.ev[i], "from"))) {
			if (first == NULL)
				first = &c->log.ev[i];
			c->trigger_ev = &c->log.ev[i];
			/*
			 * An out-of-office reply after the customer's question is
			 * neither quoted nor answered in its place (automatic mail,
			 * mail.h); loop_check still sees it as the trigger.
			 */
			if (!auto_event(&c->log.ev[i]) || c->last_in_ev == NULL || auto_event(c->last_in_ev))
				c->last_in_ev = &c->log.ev[i];
		}
	}
	if (c->last_in_ev)
		load_mail(d, id, kv_get(c->last_in_ev, "file"), &c->last_in);
	if (first == c->last_in_ev)
		c->first_in = c->last_in;
	else if (first)
		load_mail(d, id, kv_get(first, "file"), &c->first_in);
	add_lang(c, kv_get(&c->t, "language"));
	if (kv_get(&c->t, "language") == NULL && c->first_in)	/* older tickets */
		add_lang(c, lang_detect(c->first_in->subject, c->first_in->text, NULL));
	if ((cust = customer_node(d, &c->t)) != NULL)
		add_lang(c, ymap_str(cust, "language"));
	add_lang(c, desk_cfg_str(d, "desk.language", "en"));
	add_lang(c, "en");
	return 0;
}


int
reply_threshold(struct desk *d, double *out)
{
	const struct ynode *n = desk_cfg(d, "reply.auto-threshold");
	char *end;

	*out = DEFAULT_THRESHOLD;
	if (n == NULL || yscalar_is_null(n))
		return 0;
	if (n->kind != Y_SCALAR || (*out = strtod(n->value, &end), *end != '\0') ||
	    end == n->value || !isfinite(*out) || *out < 0)
		return rt_fail(EX_CONFIG, "%s: reply.auto-threshold must be a number",
		    desk_cfg_where(d, n));
	return 0;
}

static int
auto_interval(struct desk *d, long long *out)
{
	const struct ynode *n = desk_cfg(d, "reply.auto-interval");

	*out = DEFAULT_INTERVAL;
	if (n == NULL || yscalar_is_null(n))
		return 0;
	if (n->kind != Y_SCALAR || (*out = rt_duration(n->value)) < 0)
		return rt_fail(EX_CONFIG, "%s: reply.auto-interval must be a duration such as 1d, 12h or 30m",
		    desk_cfg_where(d, n));
	return 0;
}

static int
same_addr(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

static int
list_has_ci(const char *list, const char *addr)
{
	size_t n = strlen(addr);

	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && strncasecmp(p, addr, n) == 0)
			return 1;
		p += k;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The desk's own addresses: desk.address, queues.*.address, reply.own-addresses. */
static int
is_own_addr(struct desk *d, const char *addr)
{
	const struct ynode *qs = desk_cfg(d, "queues"), *own = desk_cfg(d, "reply.own-addresses");

	if (same_addr(addr, desk_cfg_str(d, "desk.address", NULL)))
		return 1;
	for (size_t i = 0; qs && qs->kind == Y_MAP && i < qs->n; i++)
		if (qs->items[i]->kind == Y_MAP && same_addr(addr, ymap_str(qs->items[i], "address")))
			return 1;
	if (own && own->kind == Y_SCALAR)
		return same_addr(addr, own->value);
	for (size_t i = 0; own && own->kind == Y_SEQ && i < own->n; i++)
		if (own->items[i]->kind == Y_SCALAR && same_addr(addr, own->items[i]->value))
			return 1;
	return 0;
}

/*
 * Whether the local part (n bytes at s) is a list's (NAME-request,
 * owner-NAME, NAME-owner) or has a robot name as one of its words
 * between '-', '_' and '.' (dmarc-noreply, noreply-dmarc-support,
 * opendmarc-postmaster, bounce-123-x=y).
 */
static int
robot_word(const char *s, size_t n, const char *const *robots, size_t nrobots)
{
	if ((n > 8 && strncasecmp(s + n - 8, "-request", 8) == 0) ||
	    (n > 6 && strncasecmp(s + n - 6, "-owner", 6) == 0) ||
	    (n > 6 && strncasecmp(s, "owner-", 6) == 0))
		return 1;
	for (size_t i = 0; i < n;) {
		size_t w = i;
		while (w < n && strchr("-_.", s[w]) == NULL)
			w++;
		for (size_t k = 0; k < nrobots; k++)
			if (strlen(robots[k]) == w - i && strncasecmp(s + i, robots[k], w - i) == 0)
				return 1;
		i = w + 1;
	}
	return 0;
}

/* Addresses that never get an automatic reply (RFC 3834 section 2). */
static const char *
no_auto_reason(struct desk *d, const char *addr)
{
	static const char *const robots[] = {
		"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply",
		"donotreply", "bounce", "bounces", "listserv", "majordomo",
	};
	size_t n;

	if (addr == NULL || *addr == '\0' || strchr(addr, '@') == NULL)
		return "null or invalid sender";
	if (is_own_addr(d, addr))
		return "the desk's own address";
	n = strcspn(addr, "@+");
	for (size_t i = 0; i < LEN(robots); i++)
		if (strlen(robots[i]) == n && strncasecmp(addr, robots[i], n) == 0)
			return "a mailer or robot address";
	if (robot_word(addr, n, robots, LEN(robots)))
		return "a mailer or robot address";
	return NULL;
}

/*
 * Tickets updated within the interval, from one sweep of the cache per
 * process (a pipe of acknowledgements pays for it once), plus the
 * tickets this process answered since.
 */
struct recent {
	int built;
	char **ids, **addrs;	/* addrs: requestors and cc, comma-joined */
	size_t n;
};
static struct recent recent;

static void
recent_add(const char *id, const char *rq, const char *cc)
{
	recent.ids = xrealloc(recent.ids, (recent.n + 1) * sizeof(*recent.ids));
	recent.addrs = xrealloc(recent.addrs, (recent.n + 1) * sizeof(*recent.addrs));
	recent.ids[recent.n] = xstrdup(id);
	recent.addrs[recent.n++] = xasprintf("%s,%s", rq ? rq : "", cc ? cc : "");
}

static int
recent_fn(const struct rec *r, void *arg)
{
	const char *since = arg, *up = rec_get(r, "updated"), *id = rec_get(r, "id");

	if (id && up && strcmp(up, since) >= 0)
		recent_add(id, rec_get(r, "requestors"), rec_get(r, "cc"));
	return 0;
}

/*
 * Was an automatic reply sent to addr since `since`? The cache narrows
 * the search to tickets updated since then (no YAML read); only the logs
 * of those naming addr are read.
 */
static int
auto_replied_since(struct desk *d, const char *addr, const char *since, char **where)
{
	int found = 0;

	*where = NULL;
	if (!recent.built) {
		cache_foreach(d, recent_fn, (void *)since);
		recent.built = 1;	/* kept until the process ends */
	}
	for (size_t i = 0; i < recent.n && !found; i++) {
		struct kvmap t = KVMAP_INIT;
		struct evlog log = { NULL, 0 };
		if (!list_has_ci(recent.addrs[i], addr))
			continue;
		if (i > 0 && strcmp(recent.ids[i], recent.ids[i - 1]) == 0)
			continue;
		if (ticket_load(d, recent.ids[i], &t, &log) == 0)
			for (size_t k = 0; k < log.n && !found; k++) {
				const struct kvmap *ev = &log.ev[k];
				const char *type = kv_get(ev, "ev"), *as = kv_get(ev, "auto-submitted");
				const char *at = kv_get(ev, "at");
				if (type && strcmp(type, "mail-out") == 0 && as &&
				    strcmp(as, "auto-replied") == 0 && at && strcmp(at, since) >= 0 &&
				    list_has_ci(kv_get(ev, "to"), addr)) {
					found = 1;
					*where = xasprintf("#%s at %s", recent.ids[i], at);
				}
			}
		kv_free(&t);
		log_free(&log);
	}
	return found;
}

static void
set_time_var(struct tvars *v, const char *name, time_t t)
{
	char buf[RT_TIMELEN];

	tvars_set(v, name, t ? rt_fmttime(t, buf) : "");
}

static void
sla_vars(struct ctx *c, struct tvars *v)
{
	struct kvmap rec = KVMAP_INIT;
	struct sla *s = NULL;
	struct sla_ticket st;
	struct sla_status ss;
	static const char *const names[SLA_NCLOCKS] = {
		"sla.first-response-due", "sla.next-response-due", "sla.resolution-due",
	};

	tvars_set(v, "sla.policy", "");
	for (int i = 0; i < SLA_NCLOCKS; i++)
		tvars_set(v, names[i], "");
	if (cache_get(c->d, c->id, &rec) != 0 || sla_load(&s, c->d) != 0) {
		kv_free(&rec);
		return;
	}
	sla_ticket_from_kvmap(&st, &rec);
	if (sla_compute(s, &st, rt_now(), &ss) == 0 && ss.policy) {
		tvars_set(v, "sla.policy", ss.policy->name);
		for (int i = 0; i < SLA_NCLOCKS; i++)
			if (ss.clock[i].state == SLA_RUNNING)
				set_time_var(v, names[i], ss.clock[i].due);
	}
	sla_free(s);
	kv_free(&rec);
}

/*
 * "Am 29.11.2026 um 10:00 schrieb Name:" / "On 29 November 2026 at 10:00,
 * Name wrote:", in the desk's time zone.
 */
static void
attribution(struct sbuf *sb, const struct mail *m, const char *lang)
{
	const char *who = m->from.name && *m->from.name ? m->from.name :
	    m->from.email ? m->from.email : "";
	int de = lang && strcmp(lang, "de") == 0;
	struct tm tm;

	if (m->date == 0) {
		sbuf_addf(sb, de ? "%s schrieb:\n" : "%s wrote:\n", who);
		return;
	}
	human_tm(m->date, &tm);
	if (de)
		sbuf_addf(sb, "Am %02d.%02d.%04d um %02d:%02d schrieb %s:\n", tm.tm_mday,
		    tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, who);
	else
		sbuf_addf(sb, "On %d %s %04d at %02d:%02d, %s wrote:\n", tm.tm_mday,
		    human_month(tm.tm_mon, "en"), tm.tm_year + 1900, tm.tm_hour, tm.tm_min, who);
}

static char *
quoted(const struct mail *m, const char *lang)
{
	struct sbuf sb = SBUF_INIT;
	int lines = 0;

	attribution(&sb, m, lang);
	const char *text = m->text ? m->text : "";
	size_t tl = strlen(text);
	while (tl && (text[tl - 1] == '\n' || text[tl - 1] == '\r' || text[tl - 1] == ' '))
		tl--;
	for (const char *p = text; p < text + tl;) {
		const char *eol = memchr(p, '\n', (size_t)(text + tl - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(text + tl - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (++lines > MAX_QUOTE_LINES) {
			sbuf_adds(&sb, "> [...]\n");
			break;
		}
		sbuf_add(&sb, ">", 1);
		if (n && p[0] != '>')
			sbuf_addc(&sb, ' ');
		sbuf_add(&sb, p, n);
		sbuf_addc(&sb, '\n');
		p = eol ? eol + 1 : text + tl;
	}
	return sbuf_detach(&sb);
}

/* The last status change's old value, for status-update mails. */
static const char *
previous_status(struct ctx *c)
{
	for (size_t i = c->log.n; i-- > 0;) {
		const struct kvmap *ev = &c->log.ev[i];
		const char *type = kv_get(ev, "ev"), *f = kv_get(ev, "field");
		if (type && f && strcmp(type, "set") == 0 && strcmp(f, "status") == 0)
			return kv_get(ev, "old");
	}
	return NULL;
}

static const struct kvmap *
last_event(struct ctx *c, const char *type)
{
	for (size_t i = c->log.n; i-- > 0;) {
		const char *ev = kv_get(&c->log.ev[i], "ev");
		if (ev && strcmp(ev, type) == 0)
			return &c->log.ev[i];
	}
	return NULL;
}

static const struct ynode *
queue_node(struct desk *d, const char *queue)
{
	const struct ynode *qs = desk_cfg(d, "queues"), *q;

	if (queue == NULL || qs == NULL || qs->kind != Y_MAP)
		return NULL;
	q = ymap_get(qs, queue);
	return q && q->kind == Y_MAP ? q : NULL;
}

static struct tvars *
build_vars(struct ctx *c, const char *lang, const struct kb_article *kb)
{
	struct tvars *v = tvars_new();
	struct desk *d = c->d;
	const char *queue = kv_get(&c->t, "queue"), *req = kv_get(&c->t, "requestors");
	const char *tag = desk_cfg_str(d, "desk.tag", desk_cfg_str(d, "desk.name", "Support"));
	const struct ynode *q = queue_node(d, queue);
	char *first = req ? xstrndup(req, strcspn(req, ",")) : xstrdup("");
	const struct kvmap *ev;
	const struct person *me;
	char *s;

	for (size_t i = 0; ticket_keys[i]; i++) {
		s = xasprintf("ticket.%s", ticket_keys[i]);
		tvars_set(v, s, "");
		free(s);
	}
	for (size_t i = 0; i < c->t.n; i++) {
		s = xasprintf("ticket.%s", c->t.v[i].key);
		tvars_set(v, s, c->t.v[i].val);
		free(s);
	}
	s = xasprintf("[%s #%s]", tag, c->id);
	tvars_set(v, "ticket.tag", s);
	free(s);
	tvars_set(v, "status", kv_get(&c->t, "status"));
	tvars_set(v, "status.previous", previous_status(c));
	tvars_set(v, "requestor.email", first);
	tvars_set(v, "requestor.name", "");
	if (c->last_in && same_addr(c->last_in->from.email, first) && c->last_in->from.name)
		tvars_set(v, "requestor.name", c->last_in->from.name);
	else if (c->first_in && same_addr(c->first_in->from.email, first) && c->first_in->from.name)
		tvars_set(v, "requestor.name", c->first_in->from.name);
	tvars_set(v, "requestors", req);
	tvars_set(v, "requestor.status-url", s = web_status_url(d, first));
	free(s);
	tvars_set(v, "queue", queue);
	tvars_set(v, "queue.address", q ? ymap_str(q, "address") : NULL);
	tvars_set(v, "queue.description", q ? ymap_str(q, "description") : NULL);
	/* The acting agent as the people directory knows it, else the actor. */
	me = people_agent_by_address(d, d->actor_email);
	tvars_set(v, "agent.name", me && me->display ? me->display : d->actor_name);
	tvars_set(v, "agent.email", d->actor_email);
	tvars_set(v, "desk.name", desk_cfg_str(d, "desk.name", "Support"));
	tvars_set(v, "desk.address", desk_cfg_str(d, "desk.address", ""));
	tvars_set(v, "desk.tag", tag);
	tvars_set(v, "language", lang);
	sla_vars(c, v);
	tvars_set(v, "kb.title", kb ? kb->title : NULL);
	tvars_set(v, "kb.body", kb ? kb->body : NULL);
	tvars_set(v, "kb.file", kb ? kb->file : NULL);
	tvars_set(v, "kb.name", kb ? kb->slug : NULL);
	{
		struct mail *m = c->last_in;
		char *qt = m ? quoted(m, lang) : NULL;
		tvars_set(v, "message.from", m ? m->from.email : NULL);
		tvars_set(v, "message.name", m ? m->from.name : NULL);
		tvars_set(v, "message.subject", m ? m->subject : NULL);
		tvars_set(v, "message.text", m ? m->text : NULL);
		tvars_set(v, "message.quoted", qt);
		if (m && m->date)
			set_time_var(v, "message.date", m->date);
		else
			tvars_set(v, "message.date", "");
		free(qt);
	}
	ev = last_event(c, "escalate");
	tvars_set(v, "escalation.level", ev ? kv_get(ev, "level") : NULL);
	tvars_set(v, "escalation.step", ev ? kv_get(ev, "step") : NULL);
	tvars_set(v, "escalation.reason", ev ? kv_get(ev, "reason") : NULL);
	set_time_var(v, "now", rt_now());
	{
		char buf[RT_TIMELEN];
		rt_fmttime(rt_now(), buf);
		buf[10] = '\0';
		tvars_set(v, "today", buf);
	}
	free(first);
	return v;
}

void
reply_result_free(struct reply_result *r)
{
	free(r->skipped);
	free(r->warning);
	free(r->msgid);
	free(r->used);
	memset(r, 0, sizeof(*r));
}

void
suggestions_free(struct suggestion *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].title);
	}
	free(s);
}

/* Template text without {{...}} references, for indexing. */
static void
add_plain(struct sbuf *sb, const char *text)
{
	for (const char *p = text; p && *p;) {
		if (p[0] == '{' && p[1] == '{') {
			const char *e = strstr(p, "}}");
			if (e) {
				p = e + 2;
				sbuf_addc(sb, ' ');
				continue;
			}
		}
		sbuf_addc(sb, *p++);
	}
	sbuf_addc(sb, '\n');
}

/* A template's subject without its variables, for --suggest. */
static char *
plain_title(const char *subject, const char *name)
{
	struct sbuf sb = SBUF_INIT;
	char *t;

	add_plain(&sb, subject ? subject : "");
	t = sbuf_detach(&sb);
	for (size_t n = strlen(t); n > 0 && strchr(" \t\n:-,", t[n - 1]); n--)
		t[n - 1] = '\0';
	if (*t == '\0') {
		free(t);
		t = xstrdup(name);
	}
	return t;
}

static void
add_times(struct sbuf *sb, const char *text, int times)
{
	for (int i = 0; text && i < times; i++)
		add_plain(sb, text);
}

static int
cmp_sugg(const void *a, const void *b)
{
	const struct suggestion *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int
suggest_ctx(struct ctx *c, struct suggestion **out, size_t *nout)
{
	struct tmpl *ts = NULL;
	struct kb_article *as = NULL;
	size_t nt = 0, na = 0, n = 0;
	struct bm25 *b = bm25_new();
	struct suggestion *s;
	struct sbuf q = SBUF_INIT;
	double *scores;
	int lang_ok_any = 0;

	*out = NULL;
	*nout = 0;
	tmpl_list(c->d->root, rt_sharedir(), kv_get(&c->t, "queue"),
	    (const char *const *)c->langs, c->nlangs, &ts, &nt);
	kb_load(c->d->root, &as, &na);
	for (size_t i = 0; i < na; i++) {
		char *l = lang_primary(as[i].lang);
		if (l && strcmp(l, c->langs[0]) == 0)
			lang_ok_any = 1;
		free(l);
	}
	s = xcalloc(nt + na + 1, sizeof(*s));
	for (size_t i = 0; i < nt; i++) {
		struct sbuf sb = SBUF_INIT;
		if (ts[i].keywords == NULL)
			continue;
		add_plain(&sb, ts[i].subject);
		add_times(&sb, ts[i].keywords, 3);
		add_plain(&sb, ts[i].body);
		bm25_add(b, sb.buf);
		sbuf_free(&sb);
		s[n].name = xstrdup(ts[i].name);
		s[n].title = plain_title(ts[i].subject, ts[i].name);
		n++;
	}
	for (size_t i = 0; i < na; i++) {
		struct sbuf sb = SBUF_INIT;
		char *l = lang_primary(as[i].lang);
		int keep = l == NULL || !lang_ok_any || strcmp(l, c->langs[0]) == 0;
		free(l);
		if (!keep)
			continue;
		add_times(&sb, as[i].title, 2);
		add_times(&sb, as[i].keywords, 3);
		add_plain(&sb, as[i].body);
		bm25_add(b, sb.buf);
		sbuf_free(&sb);
		s[n].name = xasprintf("kb:%s", as[i].slug);
		s[n].title = xstrdup(as[i].title);
		n++;
	}
	sbuf_adds(&q, kv_get(&c->t, "subject") ? kv_get(&c->t, "subject") : "");
	sbuf_addc(&q, '\n');
	if (c->first_in && c->first_in->text)
		sbuf_adds(&q, c->first_in->text);
	scores = xcalloc(n + 1, sizeof(*scores));
	bm25_score(b, q.buf, scores);
	for (size_t i = 0; i < n; i++)
		s[i].score = scores[i];
	qsort(s, n, sizeof(*s), cmp_sugg);
	while (n > 0 && s[n - 1].score <= 0) {
		n--;
		free(s[n].name);
		free(s[n].title);
	}
	free(scores);
	sbuf_free(&q);
	bm25_free(b);
	for (size_t i = 0; i < nt; i++)
		tmpl_free(&ts[i]);
	free(ts);
	kb_free_all(as, na);
	*out = s;
	*nout = n;
	return 0;
}

int
reply_suggest(struct desk *d, const char *id, struct suggestion **out, size_t *n)
{
	struct ctx c;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ctx_load(&c, d, id)) == 0)
		rc = suggest_ctx(&c, out, n);
	ctx_free(&c);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
reply_names(struct desk *d, const char *id, char ***out, size_t *nout)
{
	struct ctx c;
	struct tmpl *ts = NULL;
	struct kb_article *as = NULL;
	size_t nt = 0, na = 0, n = 0;
	char **v;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	if (id && (rc = ctx_load(&c, d, id)) != 0) {
		ctx_free(&c);
		return rc;
	}
	if (!id) {
		c.d = d;
		add_lang(&c, desk_cfg_str(d, "desk.language", "en"));
		add_lang(&c, "en");
	}
	tmpl_list(d->root, rt_sharedir(), id ? kv_get(&c.t, "queue") : NULL,
	    (const char *const *)c.langs, c.nlangs, &ts, &nt);
	kb_load(d->root, &as, &na);
	v = xcalloc(nt + na + 2, sizeof(*v));
	for (size_t i = 0; i < nt; i++)
		v[n++] = xstrdup(ts[i].name);
	v[n++] = xstrdup("auto");
	for (size_t i = 0; i < na; i++)
		v[n++] = xasprintf("kb:%s", as[i].slug);
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < nt; i++)
		tmpl_free(&ts[i]);
	free(ts);
	kb_free_all(as, na);
	ctx_free(&c);
	*out = v;
	*nout = n;
	return 0;
}

/* The reply's subject: the ticket tag in front unless it is there already. */
static char *
tagged_subject(struct ctx *c, const char *subject)
{
	const char *tag = desk_cfg_str(c->d, "desk.tag", desk_cfg_str(c->d, "desk.name", "Support"));
	ticket_id found;
	char *clean = utf8_clean(subject, strlen(subject), 1), *s;

	if (id_from_subject(clean, found) == 0 && strcmp(found, c->id) == 0)
		return clean;
	if (strncasecmp(clean, "re: ", 4) == 0 || strncasecmp(clean, "aw: ", 4) == 0)
		s = xasprintf("%.4s[%s #%s] %s", clean, tag, c->id, clean + 4);
	else
		s = xasprintf("[%s #%s] %s", tag, c->id, clean);
	free(clean);
	return s;
}

/* addr-spec: a dot-atom or a quoted local part ("doe, john"), @, a domain. */
static int
valid_addr(const char *a)
{
	const char *at = strrchr(a, '@'), *p = a;

	if (at == NULL || at == a || !at[1] || strpbrk(at + 1, " \t\r\n,;<>\"()[]\\"))
		return 0;
	if (*a != '"')
		return !strpbrk(a, " \t\r\n,;<>\"()[]\\") && strchr(a, '@') == at;
	for (p = a + 1; p < at - 1; p++) {
		if (*p == '\r' || *p == '\n' || *p == '"')
			return 0;
		if (*p == '\\')
			p++;
	}
	return p == at - 1 && *p == '"';
}

static void
push(const char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp((*v)[i], s) == 0)
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* Message-ids of the ticket's mail, oldest first, without digests. */
static size_t
references(struct ctx *c, const char ***out)
{
	const char **v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < c->log.n; i++) {
		const char *ev = kv_get(&c->log.ev[i], "ev"), *mid = kv_get(&c->log.ev[i], "message-id");
		if (ev == NULL || mid == NULL || str_starts(mid, "sha1:") ||
		    (strcmp(ev, "mail-in") && strcmp(ev, "mail-out")))
			continue;
		push(&v, &n, mid);
	}
	if (n > MAX_REFERENCES) {	/* the first and the latest ones */
		memmove(v + 1, v + n - (MAX_REFERENCES - 1), (MAX_REFERENCES - 1) * sizeof(*v));
		n = MAX_REFERENCES;
	}
	*out = v;
	return n;
}

/* Picks the template: "auto" by suggestion, "kb:NAME" as an article. */
static int
choose(struct ctx *c, const struct reply_opts *o, struct tmpl *t, struct kb_article *kb,
    struct reply_result *r, int *skip)
{
	const char *name = o->tmpl;
	char *picked = NULL;
	int rc;

	*skip = 0;
	if (strcmp(name, "auto") == 0) {
		struct suggestion *s;
		size_t n;
		double th;
		if ((rc = reply_threshold(c->d, &th)) != 0)
			return rc;
		suggest_ctx(c, &s, &n);
		if (n == 0 || s[0].score < th) {
			r->skipped = n ? xasprintf("best suggestion '%s' scores %.2f, below reply.auto-threshold %.2f",
			    s[0].name, s[0].score, th) : xstrdup("no template or article matches");
			suggestions_free(s, n);
			*skip = 1;
			return 0;
		}
		picked = xstrdup(s[0].name);
		suggestions_free(s, n);
		name = picked;
	}
	if (str_starts(name, "kb:")) {
		if ((rc = kb_get(c->d->root, name + 3, kb)) == 0 &&
		    (rc = tmpl_find(c->d->root, rt_sharedir(), kv_get(&c->t, "queue"),
		    (const char *const *)c->langs, c->nlangs, "kb-answer", t)) == 0) {
			free(t->name);
			t->name = xstrdup(name);
		}
	} else
		rc = tmpl_find(c->d->root, rt_sharedir(), kv_get(&c->t, "queue"),
		    (const char *const *)c->langs, c->nlangs, name, t);
	if (rc == 0 && strcmp(o->tmpl, "auto") == 0)
		t->autokind = TMPL_AUTO_REPLY;
	free(picked);
	return rc;
}

/* Loop protection: returns a reason to send nothing, or NULL. to[] may shrink. */
static char *
loop_check(struct ctx *c, enum tmpl_auto kind, const char **to, size_t *nto)
{
	const struct kvmap *trigger = c->trigger_ev;
	const char *a;
	long long iv;
	size_t k = 0;
	char *why = NULL;

	if (kind == TMPL_AUTO_REPLY && trigger && (a = kv_get(trigger, "auto")) &&
	    strcmp(a, "true") == 0)
		return xasprintf("the triggering mail %s is automatic (RFC 3834)",
		    kv_get(trigger, "message-id") ? kv_get(trigger, "message-id") : "");
	if (kind == TMPL_AUTO_REPLY && trigger && (a = kv_get(trigger, "spam")) &&
	    strcmp(a, "true") == 0)
		return xasprintf("the triggering mail %s is marked as spam by a filter (X-Spam-*)",
		    kv_get(trigger, "message-id") ? kv_get(trigger, "message-id") : "");
	for (size_t i = 0; i < c->log.n && kind == TMPL_AUTO_NOTIFY; i++) {
		const char *ev = kv_get(&c->log.ev[i], "ev");
		if (ev && strcmp(ev, "mail-in") == 0) {
			if ((a = kv_get(&c->log.ev[i], "auto")) && strcmp(a, "true") == 0)
				return xstrdup("the ticket was opened by automatic mail (RFC 3834)");
			break;
		}
	}
	if (auto_interval(c->d, &iv) != 0)
		return NULL;	/* reported by the caller */
	for (size_t i = 0; i < *nto; i++) {
		const char *robot = no_auto_reason(c->d, to[i]);
		char *where = NULL;
		if (robot == NULL && kind == TMPL_AUTO_REPLY && iv > 0) {
			char since[RT_TIMELEN];
			rt_fmttime(rt_now() - (time_t)iv, since);
			if (auto_replied_since(c->d, to[i], since, &where)) {
				free(why);
				why = xasprintf("'%s' got an automatic reply within reply.auto-interval (%s)",
				    to[i], where);
				free(where);
				continue;
			}
		}
		if (robot) {
			free(why);
			why = xasprintf("'%s' is %s", to[i], robot);
			continue;
		}
		to[k++] = to[i];
	}
	*nto = k;
	if (k > 0) {
		free(why);
		return NULL;
	}
	return why ? why : xstrdup("no recipient");
}

static char *
from_header(struct ctx *c, char **bare)
{
	const struct ynode *q = queue_node(c->d, kv_get(&c->t, "queue"));
	const char *addr = q ? ymap_str(q, "address") : NULL;

	if (addr == NULL || *addr == '\0')
		addr = desk_cfg_str(c->d, "desk.address", NULL);
	if (addr == NULL)
		return NULL;
	*bare = xstrdup(addr);
	return mailbox_format(desk_cfg_str(c->d, "desk.name", NULL), addr);
}

/*
 * "Jürgen Müller <jm@example.org>", "\"Doe, J.\" <jd@x>" or a bare
 * address: *addr gets the address, *name the display name (NULL if none).
 */
static int
parse_mailbox(const char *s, char **name, char **addr)
{
	const char *lt = strrchr(s, '<');
	size_t n = strlen(s);

	*name = *addr = NULL;
	if (lt == NULL || n == 0 || s[n - 1] != '>') {
		*addr = xstrdup(s);
		return valid_addr(s);
	}
	*addr = xstrndup(lt + 1, (size_t)(s + n - 1 - (lt + 1)));
	while (lt > s && (lt[-1] == ' ' || lt[-1] == '\t'))
		lt--;
	if (lt - s >= 2 && s[0] == '"' && lt[-1] == '"') {
		struct sbuf sb = SBUF_INIT;
		for (const char *p = s + 1; p < lt - 1; p++) {
			if (*p == '\\' && p + 1 < lt - 1)
				p++;
			sbuf_addc(&sb, *p);
		}
		*name = sb.buf ? sbuf_detach(&sb) : NULL;
	} else if (lt > s)
		*name = xstrndup(s, (size_t)(lt - s));
	return valid_addr(*addr) && (*name == NULL || !strpbrk(*name, "\r\n<>"));
}

/* The display name the customer's mail gave addr, or NULL. */
static const char *
known_name(const struct ctx *c, const char *addr)
{
	const struct mail *ms[2] = { c->last_in, c->first_in };

	for (size_t k = 0; k < LEN(ms); k++) {
		const struct mail *m = ms[k];
		if (m == NULL)
			continue;
		if (same_addr(m->from.email, addr) && m->from.name && *m->from.name)
			return m->from.name;
		for (size_t i = 0; i < m->nreply_to; i++)
			if (same_addr(m->reply_to[i].email, addr) && m->reply_to[i].name)
				return m->reply_to[i].name;
		for (size_t i = 0; i < m->ncc; i++)
			if (same_addr(m->cc[i].email, addr) && m->cc[i].name)
				return m->cc[i].name;
		for (size_t i = 0; i < m->nto; i++)
			if (same_addr(m->to[i].email, addr) && m->to[i].name)
				return m->to[i].name;
	}
	return NULL;
}

/*
 * Each address of v with its display name (from --cc, else from the
 * customer's mail) for the header; v itself stays bare for the envelope
 * and the ticket's log.
 */
static const char **
with_names(const struct ctx *c, const char **v, size_t n, const struct reply_opts *o,
    char **ccaddr, char **ccname)
{
	const char **out = xcalloc(n + 1, sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		const char *name = NULL;
		for (size_t k = 0; k < o->ncc && name == NULL; k++)
			if (same_addr(ccaddr[k], v[i]))
				name = ccname[k];
		out[i] = mailbox_format(name ? name : known_name(c, v[i]), v[i]);
	}
	return out;
}

static void
free_names(const char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free((char *)v[i]);
	free(v);
}

static char *
join(const char **v, size_t n)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addc(&sb, ',');
		sbuf_adds(&sb, v[i]);
	}
	return sb.buf ? sbuf_detach(&sb) : NULL;
}

static int
record(struct ctx *c, const struct reply_opts *o, const struct tmpl *t, const char *status,
    const char *buf, size_t len, const char *msgid, const char *subject,
    const char *summary, const char **to, size_t nto, const char **cc, size_t ncc, enum tmpl_auto kind)
{
	struct change ch;
	struct kvmap *ev;
	char *file, *s;
	int rc;

	(void)o;
	/* the ticket as ctx_load read it, under this lock */
	if ((rc = change_begin_loaded(&ch, c->d, c->id, "reply", &c->t, &c->log)) != 0)
		goto out;
	file = change_add_file(&ch, "eml", buf, len);
	ev = change_event(&ch, "mail-out");
	kv_set(ev, "file", file);
	kv_set(ev, "message-id", msgid);
	kv_set(ev, "to", s = join(to, nto));
	free(s);
	kv_set(ev, "cc", s = join(cc, ncc));
	free(s);
	kv_set(ev, "subject", subject);
	kv_set(ev, "template", t ? t->name : NULL);
	if (kind != TMPL_MANUAL) {
		kv_set(ev, "auto", "true");
		kv_set(ev, "auto-submitted", kind == TMPL_AUTO_REPLY ? "auto-replied" : "auto-generated");
	}
	if (c->ob.channel)
		outbound_note(&c->ob, &ch, ev, c->doc, c->doclen);
	free(file);
	if (status && (rc = status_change(&ch, status,
	    &(struct status_opts){ .via = "reply" })) != 0)
		goto out;
	change_trailer(&ch, "Message-Id", msgid);
	rc = change_commit(&ch, summary);
out:
	change_free(&ch);
	return rc;
}

static int
reply_locked(struct ctx *c, const struct reply_opts *o, struct reply_result *r)
{
	struct desk *d = c->d;
	struct tmpl t;
	struct kb_article kb;
	struct tvars *v = NULL;
	enum tmpl_auto kind = TMPL_MANUAL;
	const char **to = NULL, **cc = NULL, **rcpt = NULL, **refs = NULL, *extra[4];
	size_t nto = 0, ncc = 0, nrcpt = 0, nrefs = 0, nextra = 0;
	char *subject = NULL, *summary = NULL, *body = NULL, *from = NULL, *env = NULL, *buf = NULL, *msgid = NULL;
	char *why, **reqs = NULL, **ccs = NULL;
	char **ccaddr = xcalloc(o->ncc + 1, sizeof(char *)), **ccname = xcalloc(o->ncc + 1, sizeof(char *));
	const char **to_named = NULL, **cc_named = NULL;
	size_t nreq = 0, nccs = 0, len = 0;
	const char *status = o->status, *mailer, *lang;
	int rc = 0, skip = 0, have_t = 0;

	memset(&t, 0, sizeof(t));
	memset(&kb, 0, sizeof(kb));
	if (o->tmpl) {
		if ((rc = choose(c, o, &t, &kb, r, &skip)) != 0 || skip)
			goto out;
		have_t = 1;
		kind = t.autokind;
		r->used = xstrdup(t.name);
		if (status == NULL)
			status = t.status;
	}
	if (o->force_auto && kind == TMPL_MANUAL)
		kind = TMPL_AUTO_REPLY;
	lang = have_t && t.lang ? t.lang : c->langs[0];
	/* recipients: an automatic reply goes to the sender only (RFC 3834) */
	nreq = kv_list_split(kv_get(&c->t, "requestors"), &reqs);
	if ((rc = outbound_route(d, &c->t, &c->log, &c->ob)) != 0)
		goto out;
	if (c->ob.channel && kind != TMPL_MANUAL) {
		r->skipped = xasprintf("automatic replies are not sent to %s tickets", c->ob.channel);
		goto out;
	}
	if (c->ob.channel) {	/* the person who wrote, on their channel */
		if (o->ncc) {
			rc = rt_fail(EX_USAGE, "a %s reply has no Cc", c->ob.channel);
			goto out;
		}
		push(&to, &nto, kv_get(c->ob.ev, "from") ? kv_get(c->ob.ev, "from") : "unknown");
	} else if (kind == TMPL_AUTO_REPLY && c->last_in) {
		const struct mail *m = c->last_in;
		const char *sender = mail_reply_address(m);
		if (sender && valid_addr(sender))
			push(&to, &nto, sender);
	} else
		for (size_t i = 0; i < nreq; i++)
			if (valid_addr(reqs[i]))
				push(&to, &nto, reqs[i]);
	if (kind != TMPL_MANUAL && (why = loop_check(c, kind, to, &nto)) != NULL) {
		if ((rc = auto_interval(d, &(long long){0})) != 0) {
			free(why);
			goto out;
		}
		r->skipped = why;
		goto out;
	}
	if ((rc = auto_interval(d, &(long long){0})) != 0)
		goto out;
	if (nto == 0) {
		rc = rt_fail(EX_DATAERR, "no requestor address to reply to");	/* callers name the ticket */
		goto out;
	}
	for (size_t i = 0; i < nto && r->warning == NULL; i++)
		if (bounce_is_bouncing(c->log.ev, c->log.n, to[i]))
			r->warning = xasprintf("%s bounced earlier mail from the desk (rt-show %s)",
			    to[i], c->id);
	/* automatic mail never goes to the ticket's Cc list (RFC 3834) */
	nccs = kind != TMPL_MANUAL || c->ob.channel ? 0 :
	    kv_list_split(kv_get(&c->t, "cc"), &ccs);
	for (size_t i = 0; i < nccs; i++)
		if (valid_addr(ccs[i]) && !is_own_addr(d, ccs[i]))
			push(&cc, &ncc, ccs[i]);
	for (size_t i = 0; i < o->ncc; i++) {
		if (!parse_mailbox(o->cc[i], &ccname[i], &ccaddr[i])) {
			rc = rt_fail(EX_USAGE, "'%s' is not a mail address", o->cc[i]);
			goto out;
		}
		push(&cc, &ncc, ccaddr[i]);
	}
	/* a status the workflow refuses must stop us before anything is sent */
	if (status && !o->dry_run) {
		const char *cur = kv_get(&c->t, "status");
		if ((cur == NULL || strcmp(cur, status) != 0) &&
		    (rc = status_check(d, &c->t, status)) != 0)
			goto out;
	}
	/* content */
	if (have_t) {
		v = build_vars(c, lang, kb.slug ? &kb : NULL);
		/* The status link is personal: only in a mail to that requestor alone. */
		if (nto != 1 || ncc != 0 || !same_addr(to[0], tvars_get(v, "requestor.email")))
			tvars_set(v, "requestor.status-url", "");
		if ((rc = tmpl_render(&t, v, &subject, &body)) != 0)
			goto out;
	} else
		body = xstrdup(o->text ? o->text : "");
	if (subject == NULL || *subject == '\0') {
		const char *ts = kv_get(&c->t, "subject") ? kv_get(&c->t, "subject") : "";
		free(subject);
		subject = strncasecmp(ts, "re:", 3) == 0 ? xstrdup(ts) : xasprintf("Re: %s", ts);
	}
	summary = utf8_clean(subject, strlen(subject), 1);
	{
		char *s = tagged_subject(c, subject);
		free(subject);
		subject = s;
	}
	if ((o->quote || (have_t && t.quote)) && c->last_in &&
	    !(have_t && strstr(t.body, "message.quoted"))) {
		char *q = quoted(c->last_in, lang);
		struct sbuf sb = SBUF_INIT;
		size_t bl = strlen(body);
		sbuf_adds(&sb, body);
		if (bl && body[bl - 1] != '\n')
			sbuf_addc(&sb, '\n');
		sbuf_addc(&sb, '\n');
		sbuf_adds(&sb, q);
		free(q);
		free(body);
		body = sbuf_detach(&sb);
	}
	if ((from = from_header(c, &env)) == NULL) {
		rc = rt_fail(EX_CONFIG, "%s: desk.address is not set", d->config_name);
		goto out;
	}
	if (kind != TMPL_MANUAL) {
		extra[nextra * 2] = "Auto-Submitted";
		extra[nextra * 2 + 1] = kind == TMPL_AUTO_REPLY ? "auto-replied" : "auto-generated";
		nextra++;
		extra[nextra * 2] = "X-Auto-Response-Suppress";
		extra[nextra * 2 + 1] = "All";
		nextra++;
	}
	nrefs = references(c, &refs);
	{
		struct outmail om;
		memset(&om, 0, sizeof(om));
		om.from = from;
		om.to = to_named = with_names(c, to, nto, o, ccaddr, ccname);
		om.nto = nto;
		if (c->ob.channel) {	/* not mail addresses */
			om.to = NULL;
			om.nto = 0;
			extra[0] = "X-RT-Channel";
			extra[1] = c->ob.channel;
			nextra = 1;
		}
		om.cc = cc_named = with_names(c, cc, ncc, o, ccaddr, ccname);
		om.ncc = ncc;
		om.subject = subject;
		om.body = body;
		om.in_reply_to = c->last_in_ev && kv_get(c->last_in_ev, "message-id") &&
		    !str_starts(kv_get(c->last_in_ev, "message-id"), "sha1:") ?
		    kv_get(c->last_in_ev, "message-id") : NULL;
		om.references = refs;
		om.nreferences = nrefs;
		om.extra = extra;
		om.nextra = nextra;
		om.language = have_t ? t.lang : NULL;
		if ((rc = outmail_render(&om, &buf, &len, &msgid)) != 0)
			goto out;
	}
	if (c->ob.channel && (rc = outbound_document(d, &c->ob, &(struct outbound_reply){
	    c->id, msgid, subject, body, d->actor_name, d->actor_email, kv_get(&c->t, "queue") },
	    &c->doc, &c->doclen)) != 0)
		goto out;
	if (o->dry_run) {
		if (c->ob.channel)
			fwrite(c->doc, 1, c->doclen, o->dry_out ? o->dry_out : stdout);
		else
			fwrite(buf, 1, len, o->dry_out ? o->dry_out : stdout);
		r->sent = 1;
		r->msgid = msgid, msgid = NULL;
		goto out;
	}
	if (c->ob.channel) {
		if ((rc = outbound_send(d, &c->ob, c->id, c->doc, c->doclen)) != 0)
			goto out;
	} else if ((rc = trust_mailer(d, "desk.mailer", NULL, &mailer)) != 0)
		goto out;
	else if (mailer == NULL) {
		rc = rt_fail(EX_CONFIG, "%s: desk.mailer is not set (sendmail:///usr/sbin/sendmail or smtp://HOST:PORT)",
		    d->config_name);
		goto out;
	}
	for (size_t i = 0; i < nto; i++)
		push(&rcpt, &nrcpt, to[i]);
	for (size_t i = 0; i < ncc; i++)
		push(&rcpt, &nrcpt, cc[i]);
	txn_batch_settle(d);	/* a mailer program may read the desk */
	/* automatic mail has the null envelope sender: nothing answers it (RFC 3834) */
	if (!c->ob.channel &&
	    (rc = mail_send(mailer, buf, len, kind != TMPL_MANUAL ? "" : env, rcpt, nrcpt)) != 0)
		goto out;
	if ((rc = record(c, o, have_t ? &t : NULL, status, buf, len, msgid, subject, summary, to, nto,
	    cc, ncc, kind)) != 0) {
		char *m = xstrdup(rt_errmsg());
		rc = rt_fail(rc, "mail %s was sent but not recorded: %s", msgid, m);
		free(m);
		goto out;
	}
	if (kind == TMPL_AUTO_REPLY && recent.built) {
		char *tl = join(to, nto);
		recent_add(c->id, tl, NULL);
		free(tl);
	}
	r->sent = 1;
	r->msgid = msgid, msgid = NULL;
out:
	tvars_free(v);
	tmpl_free(&t);
	kb_free(&kb);
	free(to);
	free(cc);
	free(rcpt);
	free(refs);
	strv_free(reqs, nreq);
	strv_free(ccs, nccs);
	strv_free(ccaddr, o->ncc);
	strv_free(ccname, o->ncc);
	free_names(to_named, nto);
	free_names(cc_named, ncc);
	free(subject);
	free(summary);
	free(body);
	free(from);
	free(env);
	free(buf);
	free(msgid);
	return rc;
}

int
reply_ticket(struct desk *d, const char *id, const struct reply_opts *o,
    struct reply_result *r)
{
	struct ctx c;
	int rc, locked = 0;

	memset(r, 0, sizeof(*r));
	human_time_default(d);	/* quote attributions are read by people */
	if (!o->dry_run) {
		if ((rc = desk_lock(d)) != 0)
			return rc;
		locked = 1;
		if ((rc = cache_sync(d)) != 0)
			goto out;
	}
	if ((rc = ctx_load(&c, d, id)) == 0)
		rc = reply_locked(&c, o, r);
	ctx_free(&c);
out:
	if (locked)
		desk_unlock(d);
	/* a status entered with the reply: its exec action and cascade, unlocked */
	if (status_after(d, NULL, NULL) != 0)
		rt_warn("%s", rt_errmsg());
	return rc;
}

/* ---- the draft rt-reply opens in $EDITOR ---- */

#define DRAFT_MESSAGES 10	/* the latest messages shown as context */
#define DRAFT_LINES 30		/* lines of each */

static void
comment_lines(struct sbuf *sb, const char *text, size_t max)
{
	size_t lines = 0;

	for (const char *p = text; p && *p && lines < max; lines++) {
		size_t n = strcspn(p, "\n");
		sbuf_adds(sb, n ? "# " : "#");
		sbuf_add(sb, p, n);
		sbuf_addc(sb, '\n');
		p += n + (p[n] == '\n');
		if (lines + 1 == max && *p)
			sbuf_adds(sb, "# [...]\n");
	}
}

/* One message of the conversation, as "#" lines. */
static void
draft_message(struct ctx *c, const struct kvmap *ev, struct sbuf *sb)
{
	const char *type = kv_get(ev, "ev"), *file = kv_get(ev, "file");
	int note = strcmp(type, "comment") == 0, in = strcmp(type, "mail-in") == 0;
	char when[HUMAN_TIMELEN], *path, *buf;
	const char *who = note ? kv_get(ev, "by") : in ? kv_get(ev, "from") : kv_get(ev, "to");
	struct mail *m;
	size_t len;

	sbuf_addf(sb, "#\n# ==== %s  %s %s\n", human_time_short_str(kv_get(ev, "at"), when),
	    note ? "internal note by" : in ? "from" : "reply to", who ? who : "?");
	path = ticket_path(c->id, file);
	if (desk_read_head(c->d, path, &buf, &len) == 0) {
		if (note) {
			char *t = utf8_clean(buf, len, 0);
			comment_lines(sb, t, DRAFT_LINES);
			free(t);
		} else if (mail_parse_buf(buf, len, &m) == 0) {
			comment_lines(sb, m->text, DRAFT_LINES);
			mail_free(m);
		}
		free(buf);
	}
	free(path);
}

int
reply_draft(struct desk *d, const char *id, char **out)
{
	static const char *const fields[] = { "status", "queue", "priority", "owner",
		"customer", "language", NULL };
	struct sbuf sb = SBUF_INIT;
	struct ctx c;
	char *q;
	size_t first = 0, n = 0;
	int rc;

	*out = NULL;
	human_time_default(d);
	if ((rc = ctx_load(&c, d, id)) != 0) {
		ctx_free(&c);
		return rc;
	}
	sbuf_addc(&sb, '\n');
	if (c.last_in) {
		sbuf_addc(&sb, '\n');
		q = quoted(c.last_in, c.langs[0]);
		sbuf_adds(&sb, q);
		free(q);
	}
	sbuf_addf(&sb, "\n%s\n# Your answer to #%s goes above; the quote is sent as you leave it.\n",
	    REPLY_CUT, c.id);
	sbuf_addf(&sb, "# Subject: %s\n", kv_get(&c.t, "subject") ? kv_get(&c.t, "subject") : "");
	for (int cc = 0; cc < 2; cc++) {
		char **v;
		size_t nv = kv_list_split(kv_get(&c.t, cc ? "cc" : "requestors"), &v);
		for (size_t i = 0; i < nv; i++) {
			q = mailbox_format(known_name(&c, v[i]), v[i]);
			sbuf_addf(&sb, "# %s: %s\n", cc ? "Cc" : "To", q);
			free(q);
		}
		strv_free(v, nv);
	}
	for (size_t i = 0; fields[i]; i++)
		if (kv_get(&c.t, fields[i]))
			sbuf_addf(&sb, "# %s: %s\n", fields[i], kv_get(&c.t, fields[i]));
	for (size_t i = c.log.n; i-- > 0 && n < DRAFT_MESSAGES;) {
		const char *type = kv_get(&c.log.ev[i], "ev");
		if (type && kv_get(&c.log.ev[i], "file") && (strcmp(type, "mail-in") == 0 ||
		    strcmp(type, "mail-out") == 0 || strcmp(type, "comment") == 0)) {
			first = i;
			n++;
		}
	}
	sbuf_addf(&sb, "#\n# The conversation, oldest first (the latest %zu messages):\n", n);
	for (size_t i = first; n > 0 && i < c.log.n; i++) {
		const char *type = kv_get(&c.log.ev[i], "ev");
		if (type && kv_get(&c.log.ev[i], "file") && (strcmp(type, "mail-in") == 0 ||
		    strcmp(type, "mail-out") == 0 || strcmp(type, "comment") == 0))
			draft_message(&c, &c.log.ev[i], &sb);
	}
	ctx_free(&c);
	*out = sbuf_detach(&sb);
	return 0;
}

char *
reply_draft_answer(const char *edited)
{
	const char *cut = strstr(edited, REPLY_CUT);
	size_t n = cut ? (size_t)(cut - edited) : strlen(edited);
	char *a = xstrndup(edited, n);
	int own = 0;

	/* only blank, quoted and attribution lines: nothing was written */
	for (const char *p = a; *p && !own;) {
		size_t k = strcspn(p, "\n");
		const char *nl = p + k;
		int blank = strspn(p, " \t\r") >= k;
		int attribution = k > 0 && nl[-1] == ':' && *nl && nl[1] == '>';
		if (!blank && *p != '>' && !attribution)
			own = 1;
		p = *nl ? nl + 1 : nl;
	}
	while (n > 0 && (a[n - 1] == '\n' || a[n - 1] == ' '))
		a[--n] = '\0';
	if (!own) {
		free(a);
		return NULL;
	}
	return a;
}
