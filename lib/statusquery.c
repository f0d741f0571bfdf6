/*
 * statusquery.c: answering "status" mail with the sender's open tickets
 * (statusquery.h).
 *
 * Order, as for rt-reply: the desk lock is taken before the rate limit
 * is checked and held until the answer is committed, so two queries of
 * one address at once get one answer. The answer is sent before the
 * commit; a failed send records nothing and leaves the ticket pending.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache.h"
#include "change.h"
#include "desk.h"
#include "head.h"
#include "humantime.h"
#include "id.h"
#include "mail.h"
#include "mailbox.h"
#include "mailcmd.h"
#include "mailsend.h"
#include "people.h"
#include "reply.h"
#include "status.h"
#include "statusquery.h"
#include "template.h"
#include "text.h"
#include "ticket.h"
#include "trust.h"
#include "txn.h"
#include "util.h"
#include "web.h"
#include "yamlio.h"

#define TAG "status-query"
#define TEMPLATE "status-list"
#define DEFAULT_INTERVAL 3600
#define DEFAULT_MAX_WORDS 30
#define MAX_LISTED 50

static const char *const default_subjects[] = {
	"status", "stand", "ticket status", "ticketstatus", "status request", "statusabfrage",
};

struct sq {
	char **subjects;
	size_t nsubjects;
	const char *address;	/* mail to it is a query, whatever its subject */
	long long interval;	/* one answer per address in this time */
	long long max_words;	/* a longer text is a request, not a query */
	const char *vh, *sid;	/* proof required (mailcmd_sender_verified) */
};

static void
sq_free(struct sq *q)
{
	strv_free(q->subjects, q->nsubjects);
	memset(q, 0, sizeof(*q));
}

/* rt.yaml's ingest.on-arrival.status-query: true, or a map of settings. 1 if on. */
static int
sq_load(struct desk *d, struct sq *q, int *on)
{
	const struct ynode *n = desk_cfg(d, "ingest.on-arrival.status-query"), *v;
	int rc;

	memset(q, 0, sizeof(*q));
	*on = 0;
	q->interval = DEFAULT_INTERVAL;
	q->max_words = DEFAULT_MAX_WORDS;
	if (n == NULL || yscalar_is_null(n))
		return 0;
	if (n->kind == Y_SCALAR) {
		if ((*on = ynode_bool(n)) < 0)
			return rt_fail(EX_CONFIG, "%s: ingest.on-arrival.status-query must be true, false "
			    "or a mapping", desk_cfg_where(d, n));
	} else if (n->kind == Y_MAP)
		*on = (v = ymap_get(n, "enabled")) == NULL || ynode_bool(v) == 1;
	else
		return rt_fail(EX_CONFIG, "%s: ingest.on-arrival.status-query must be true, false "
		    "or a mapping", desk_cfg_where(d, n));
	if (!*on || n->kind != Y_MAP)
		goto defaults;
	if ((v = ymap_get(n, "subjects")) != NULL &&
	    (rc = desk_cfg_strlist(d, v, "status-query.subjects", &q->subjects, &q->nsubjects)) != 0)
		return rc;
	q->address = ymap_str(n, "address");
	q->vh = ymap_str(n, "verified-header");
	q->sid = ymap_str(n, "authserv-id");
	if ((v = ymap_get(n, "interval")) != NULL && !yscalar_is_null(v) &&
	    (v->kind != Y_SCALAR || (q->interval = rt_duration(v->value)) < 0))
		return rt_fail(EX_CONFIG, "%s: status-query.interval must be a duration such as 1h or 1d",
		    desk_cfg_where(d, v));
	if ((v = ymap_get(n, "max-words")) != NULL && !yscalar_is_null(v)) {
		char *end;
		q->max_words = v->kind == Y_SCALAR ? strtoll(v->value, &end, 10) : -1;
		if (v->kind != Y_SCALAR || *end || q->max_words < 0)
			return rt_fail(EX_CONFIG, "%s: status-query.max-words must be a number",
			    desk_cfg_where(d, v));
	}
defaults:
	if (q->subjects == NULL) {
		q->nsubjects = LEN(default_subjects);
		q->subjects = xcalloc(q->nsubjects, sizeof(*q->subjects));
		for (size_t i = 0; i < q->nsubjects; i++)
			q->subjects[i] = xstrdup(default_subjects[i]);
	}
	return 0;
}

/* The subject without surrounding space and trailing punctuation is a keyword. */
static int
subject_asks(const struct sq *q, const char *subject)
{
	char *s = xstrdup(subject), *t = str_trim(s);
	size_t n = strlen(t);
	int yes = 0;

	while (n && strchr("?!.: \t", t[n - 1]))
		t[--n] = '\0';
	for (size_t i = 0; i < q->nsubjects && !yes; i++)
		yes = strcasecmp(t, q->subjects[i]) == 0;
	free(s);
	return yes;
}

static int
addr_in(const struct mail_addr *v, size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].email && strcasecmp(v[i].email, addr) == 0)
			return 1;
	return 0;
}

/* The mail went to the status address: To, Cc, or the MTA's envelope recipient. */
static int
sent_to(struct mail *m, const char *addr)
{
	static const char *const env[] = { "Delivered-To", "X-Original-To" };
	int yes = addr_in(m->to, m->nto, addr) || addr_in(m->cc, m->ncc, addr);

	for (size_t i = 0; i < LEN(env) && !yes; i++) {
		char *h = mail_header_raw(m, env[i]), *v = h ? str_trim(h) : NULL;
		if (v && *v == '<' && v[strlen(v) - 1] == '>') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		yes = v && strcasecmp(v, addr) == 0;
		free(h);
	}
	return yes;
}

/* Words of the text before a signature, without quoted lines. */
static long long
own_words(const char *text)
{
	long long n = 0;

	for (const char *p = text ? text : ""; *p;) {
		size_t len = strcspn(p, "\n");
		if (len >= 2 && strncmp(p, "--", 2) == 0 && (len == 2 || (len == 3 && p[2] == ' ')))
			break;
		if (*p != '>')
			for (size_t i = 0; i < len; i++)
				if (!isspace((unsigned char)p[i]) &&
				    (i == 0 || isspace((unsigned char)p[i - 1])))
					n++;
		p += len + (p[len] == '\n');
	}
	return n;
}

static int
own_address(struct desk *d, const char *addr)
{
	const struct ynode *qs = desk_cfg(d, "queues");
	const char *own = desk_cfg_str(d, "desk.address", NULL);

	if (own && strcasecmp(own, addr) == 0)
		return 1;
	for (size_t i = 0; qs && qs->kind == Y_MAP && i < qs->n; i++) {
		const char *a = qs->items[i]->kind == Y_MAP ? ymap_str(qs->items[i], "address") : NULL;
		if (a && strcasecmp(a, addr) == 0)
			return 1;
	}
	return 0;
}

/*
 * Whether m asks for the status and may be answered. 1: a query to
 * answer (to: the address); 0: an ordinary ticket (*why says why a
 * query is not answered, or NULL when it is none).
 */
static int
is_query(struct desk *d, const struct sq *q, struct mail *m, const char **to, char **why)
{
	const char *from = m->from.email;

	*why = NULL;
	if (!subject_asks(q, m->subject) && !(q->address && *q->address && sent_to(m, q->address)))
		return 0;
	if (m->auto_submitted || m->spam || from == NULL || strchr(from, '@') == NULL || own_address(d, from))
		return 0;	/* automatic mail asks nothing */
	if (q->max_words >= 0 && own_words(m->text) > q->max_words)
		return 0;	/* a request that happens to say "status" */
	if (m->sender && strcasecmp(m->sender, from) != 0) {
		*why = xasprintf("its envelope sender <%s> is not its From address <%s>", m->sender, from);
		return 0;
	}
	if (((q->vh && *q->vh) || (q->sid && *q->sid)) && !mailcmd_sender_verified(m, q->vh, q->sid)) {
		*why = xasprintf("its sender <%s> is not verified (status-query: verified-header, "
		    "authserv-id)", from);
		return 0;
	}
	*to = from;
	return 1;
}

/* ---- the sender's tickets, from the cache ---- */

struct item {
	char *id, *subject, *status, *owner, *updated;
};

struct scan {
	const char *addr, *self;
	char since[RT_TIMELEN];
	char *limited_by;	/* an answered query of the address within the interval */
	char **recent;		/* query tickets updated within the interval */
	size_t nrecent;
	struct item *v;
	size_t n;
};

static int
has_ci(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list ? list : ""; *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && strncasecmp(p, item, n) == 0)
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

static int
scan_fn(const struct rec *r, void *arg)
{
	struct scan *s = arg;
	const char *id = rec_get(r, "id"), *st = rec_get(r, "status"), *up = rec_get(r, "updated");
	const char *out = rec_get(r, "msgs-out");
	struct item *it;

	if (id == NULL || strcmp(id, s->self) == 0)
		return 0;
	if (kv_list_has(rec_get(r, "tags"), TAG)) {
		/* its requestor may be a Reply-To: the log says who asked */
		if (out && atol(out) > 0 && up && strcmp(up, s->since) >= 0) {
			s->recent = xrealloc(s->recent, (s->nrecent + 1) * sizeof(*s->recent));
			s->recent[s->nrecent++] = xstrdup(id);
		}
		return 0;
	}
	if (!has_ci(rec_get(r, "requestors"), s->addr))
		return 0;
	if (st == NULL || status_is_done(st))
		return 0;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	it = &s->v[s->n++];
	it->id = xstrdup(id);
	it->subject = xstrdup(rec_get(r, "subject") ? rec_get(r, "subject") : "");
	it->status = xstrdup(st);
	it->owner = rec_get(r, "owner") ? xstrdup(rec_get(r, "owner")) : NULL;
	it->updated = xstrdup(up ? up : "");
	return 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(y->updated, x->updated);

	return c ? c : strcmp(x->id, y->id);
}

static void
scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].id);
		free(s->v[i].subject);
		free(s->v[i].status);
		free(s->v[i].owner);
		free(s->v[i].updated);
	}
	free(s->v);
	free(s->limited_by);
	strv_free(s->recent, s->nrecent);
}

/* An answer to addr at or after since on one of the recent query tickets. */
static void
find_answered(struct desk *d, struct scan *s)
{
	for (size_t i = 0; i < s->nrecent && s->limited_by == NULL; i++) {
		struct kvmap t = KVMAP_INIT;
		struct evlog log = { NULL, 0 };
		if (ticket_load(d, s->recent[i], &t, &log) == 0)
			for (size_t k = 0; k < log.n && s->limited_by == NULL; k++) {
				const struct kvmap *ev = &log.ev[k];
				const char *type = kv_get(ev, "ev"), *at = kv_get(ev, "at");
				const char *from = kv_get(ev, "from"), *ans = kv_get(ev, "answered");
				if (type && strcmp(type, "status-query") == 0 && from &&
				    strcasecmp(from, s->addr) == 0 && ans && strcmp(ans, "true") == 0 &&
				    at && strcmp(at, s->since) >= 0)
					s->limited_by = xasprintf("answered on #%s at %s", s->recent[i], at);
			}
		kv_free(&t);
		log_free(&log);
	}
}

/* ---- the answer ---- */

struct words {
	const char *lang;
	const char *status, *owner, *updated, *nobody, *more;
	const char *names[4][2];	/* status, what the customer reads */
};

static const struct words words[] = {
	{ "de", "Status", "Bearbeitet von", "Letzte Änderung", "noch niemand",
	  "... und %zu weitere.",
	  { { "new", "eingegangen" }, { "open", "in Bearbeitung" },
	    { "waiting", "wartet auf Ihre Antwort" }, { NULL, NULL } } },
	{ "en", "Status", "Handled by", "Last update", "nobody yet",
	  "... and %zu more.",
	  { { "new", "received" }, { "open", "in progress" },
	    { "waiting", "waiting for your answer" }, { NULL, NULL } } },
};

static const struct words *
words_for(const char *lang)
{
	for (size_t i = 0; i < LEN(words); i++)
		if (lang && strcmp(lang, words[i].lang) == 0)
			return &words[i];
	return &words[LEN(words) - 1];
}

static const char *
status_name(const struct words *w, const char *st)
{
	for (size_t i = 0; w->names[i][0]; i++)
		if (strcmp(w->names[i][0], st) == 0)
			return w->names[i][1];
	return st;
}

/* An owner as the customer may read it: the agent's first name. */
static char *
first_name(struct desk *d, const char *owner)
{
	const struct person *p = people_agent(d, owner);
	const char *n = p && p->display && *p->display ? p->display : owner;

	return xstrndup(n, strcspn(n, " "));
}

static char *
ticket_list(struct desk *d, const struct scan *s, const char *tag, const struct words *w)
{
	struct sbuf sb = SBUF_INIT;
	char buf[HUMAN_TIMELEN];

	human_time_init(d, 0);	/* a bad desk.timezone: UTC, as everywhere */
	for (size_t i = 0; i < s->n && i < MAX_LISTED; i++) {
		const struct item *it = &s->v[i];
		char *who = it->owner ? first_name(d, it->owner) : NULL, *subj =
		    utf8_clean(it->subject, strlen(it->subject), 1);
		sbuf_addf(&sb, "%s[%s #%s] %s\n", i ? "\n" : "", tag, it->id, subj);
		sbuf_addf(&sb, "    %s: %s\n", w->status, status_name(w, it->status));
		sbuf_addf(&sb, "    %s: %s\n", w->owner, who ? who : w->nobody);
		sbuf_addf(&sb, "    %s: %s\n", w->updated, human_time_short_str(it->updated, buf));
		free(who);
		free(subj);
	}
	if (s->n > MAX_LISTED) {
		sbuf_addc(&sb, '\n');
		sbuf_addf(&sb, w->more, s->n - MAX_LISTED);
		sbuf_addc(&sb, '\n');
	}
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

struct answer {
	char *buf, *msgid, *subject, *list;
	size_t len;
};

static void
answer_free(struct answer *a)
{
	free(a->buf);
	free(a->msgid);
	free(a->subject);
	free(a->list);
}

static int
render(struct desk *d, const char *id, const struct kvmap *t, struct mail *m, const char *to,
    const struct scan *s, struct answer *a)
{
	const char *tag = desk_cfg_str(d, "desk.tag", desk_cfg_str(d, "desk.name", "Support"));
	const char *own = desk_cfg_str(d, "desk.address", NULL), *langs[3];
	const char *extra[] = { "Auto-Submitted", "auto-replied", "X-Auto-Response-Suppress", "All" };
	struct tmpl tm;
	struct tvars *v;
	struct outmail om;
	char *subject = NULL, *body = NULL, *from, *s2;
	size_t nl = 0;
	int rc;

	if (own == NULL)
		return rt_fail(EX_CONFIG, "%s: desk.address is not set", d->config_name);
	if (kv_get(t, "language"))
		langs[nl++] = kv_get(t, "language");
	langs[nl++] = desk_cfg_str(d, "desk.language", "en");
	langs[nl++] = "en";
	if ((rc = tmpl_find(d->root, rt_sharedir(), kv_get(t, "queue"), langs, nl, TEMPLATE, &tm)) != 0)
		return rt_fail(rc, "no template %s", TEMPLATE);
	a->list = ticket_list(d, s, tag, words_for(tm.lang));
	v = tvars_new();
	tvars_set(v, "tickets", a->list);
	s2 = xasprintf("%zu", s->n);
	tvars_set(v, "tickets.count", s2);
	free(s2);
	tvars_set(v, "requestor.email", to);
	tvars_set(v, "requestor.name", m->from.name ? m->from.name : "");
	tvars_set(v, "requestor.status-url", s2 = web_status_url(d, to));
	free(s2);
	tvars_set(v, "ticket.id", id);
	s2 = xasprintf("[%s #%s]", tag, id);
	tvars_set(v, "ticket.tag", s2);
	free(s2);
	tvars_set(v, "desk.name", desk_cfg_str(d, "desk.name", "Support"));
	tvars_set(v, "desk.address", own);
	tvars_set(v, "language", tm.lang ? tm.lang : "");
	rc = tmpl_render(&tm, v, &subject, &body);
	tvars_free(v);
	if (rc == 0) {
		a->subject = xasprintf("[%s #%s] %s", tag, id, subject && *subject ? subject : "Status");
		from = mailbox_format(desk_cfg_str(d, "desk.name", NULL), own);
		memset(&om, 0, sizeof(om));
		om.from = from;
		om.to = &to;
		om.nto = 1;
		om.subject = a->subject;
		om.body = body;
		om.in_reply_to = m->message_id;
		om.extra = extra;
		om.nextra = 2;
		om.language = tm.lang;
		rc = outmail_render(&om, &a->buf, &a->len, &a->msgid);
		free(from);
	}
	tmpl_free(&tm);
	free(subject);
	free(body);
	return rc;
}

static char *
ids_of(const struct scan *s)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < s->n && i < MAX_LISTED; i++)
		sbuf_addf(&sb, "%s%s", i ? "," : "", s->v[i].id);
	return sb.buf ? sbuf_detach(&sb) : NULL;
}

/*
 * One commit: the answer (when a is not NULL) as a mail-out, a
 * status-query event, the tag, and the ticket resolved. The event says
 * the customer was told by this change, so no status mail follows.
 */
static int
record(struct desk *d, const char *id, const char *to, const struct scan *s,
    const struct answer *a)
{
	struct change c;
	struct kvmap *ev;
	char *file, *tags, *ids;
	int rc;

	if ((rc = change_begin(&c, d, id, "status-query")) != 0)
		goto out;
	if (a) {
		file = change_add_file(&c, "eml", a->buf, a->len);
		ev = change_event(&c, "mail-out");
		kv_set(ev, "file", file);
		kv_set(ev, "message-id", a->msgid);
		kv_set(ev, "to", to);
		kv_set(ev, "subject", a->subject);
		kv_set(ev, "template", TEMPLATE);
		kv_set(ev, "auto", "true");
		kv_set(ev, "auto-submitted", "auto-replied");
		free(file);
		change_trailer(&c, "Message-Id", a->msgid);
	}
	ev = change_event(&c, "status-query");
	kv_set(ev, "from", to);
	kv_set(ev, "answered", a ? "true" : "false");
	kv_set(ev, "tickets", ids = ids_of(s));
	free(ids);
	if (!a)
		kv_set(ev, "reason", s->limited_by ? s->limited_by : "rate limit");
	kv_set(ev, "customer-told", "true");
	change_set(&c, "tags", tags = kv_list_add(kv_get(&c.ticket, "tags"), TAG));
	free(tags);
	/* a workflow that refuses it leaves the status: the answer stands */
	status_change(&c, "resolved", &(struct status_opts){ .via = "status-query" });
	rc = change_commit(&c, a ? "answered a status query" : "status query within the rate limit");
out:
	change_free(&c);
	return rc;
}

static int
answer_locked(struct desk *d, const struct sq *q, const char *id, const struct kvmap *t,
    struct mail *m, const char *to)
{
	struct scan s = { to, id, "", NULL, NULL, 0, NULL, 0 };
	struct answer a = { NULL, NULL, NULL, NULL, 0 };
	const char *mailer;
	int rc;

	rt_fmttime(rt_now() - (time_t)q->interval, s.since);
	if ((rc = cache_sync(d)) != 0 || (rc = cache_foreach(d, scan_fn, &s)) != 0)
		goto out;
	if (s.n)
		qsort(s.v, s.n, sizeof(*s.v), newest_first);
	if (q->interval > 0)
		find_answered(d, &s);
	if (s.limited_by) {
		rc = record(d, id, to, &s, NULL);
		goto out;
	}
	if ((rc = render(d, id, t, m, to, &s, &a)) != 0 ||
	    (rc = trust_mailer(d, "desk.mailer", NULL, &mailer)) != 0)
		goto out;
	if (mailer == NULL) {
		rc = rt_fail(EX_CONFIG, "%s: desk.mailer is not set", d->config_name);
		goto out;
	}
	txn_batch_settle(d);	/* a mailer program may read the desk */
	/* the null envelope sender: nothing answers an automatic reply (RFC 3834) */
	if ((rc = mail_send(mailer, a.buf, a.len, "", &to, 1)) != 0)
		goto out;
	if ((rc = record(d, id, to, &s, &a)) != 0) {
		char *e = xstrdup(rt_errmsg());
		rc = rt_fail(rc, "the answer %s was sent but not recorded: %s", a.msgid, e);
		free(e);
	}
out:
	answer_free(&a);
	scan_free(&s);
	return rc;
}

/* The ticket's first mail: the one that opened it. */
static int
first_mail(struct desk *d, const char *id, const struct evlog *log, struct mail **m)
{
	for (size_t i = 0; i < log->n; i++) {
		const char *ev = kv_get(&log->ev[i], "ev"), *file = kv_get(&log->ev[i], "file");
		if (ev && file && strcmp(ev, "mail-in") == 0) {
			char *path = ticket_path(id, file), *buf;
			size_t len;
			int rc = desk_read_head(d, path, &buf, &len);
			free(path);
			if (rc == 0) {
				rc = mail_parse_buf(buf, len, m);
				free(buf);
			}
			return rc;
		}
	}
	return EX_NOINPUT;
}

int
statusquery_asks(struct desk *d, struct mail *m)
{
	struct sq q;
	const char *to;
	char *why = NULL;
	int on, yes = 0;

	if (sq_load(d, &q, &on) == 0 && on)
		yes = is_query(d, &q, m, &to, &why);
	free(why);
	sq_free(&q);
	return yes;
}

int
statusquery_run(struct desk *d, const char *id, int *handled)
{
	struct kvmap t = KVMAP_INIT;
	struct evlog log = { NULL, 0 };
	struct mail *m = NULL;
	struct sq q;
	const char *to = NULL;
	char *why = NULL;
	int rc, on;

	*handled = 0;
	if ((rc = sq_load(d, &q, &on)) != 0 || !on)
		goto out;
	if ((rc = ticket_load(d, id, &t, &log)) != 0)
		goto out;
	log_sort(&log);
	if (first_mail(d, id, &log, &m) != 0)
		goto out;	/* no mail: no query */
	if (!is_query(d, &q, m, &to, &why)) {
		if (why)
			rt_warn("#%s: status query not answered: %s; it stays a ticket", id, why);
		goto out;
	}
	if ((rc = desk_lock(d)) != 0)
		goto out;
	rc = answer_locked(d, &q, id, &t, m, to);
	desk_unlock(d);
	status_after(d, NULL, NULL);
	*handled = rc == 0;
out:
	free(why);
	if (m)
		mail_free(m);
	kv_free(&t);
	log_free(&log);
	sq_free(&q);
	return rc;
}
