/* mailcmd.c: command lines in agents' mail (see mailcmd.h) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "change.h"
#include "desk.h"
#include "fieldset.h"
#include "kv.h"
#include "mail.h"
#include "mailcmd.h"
#include "mailsend.h"
#include "people.h"
#include "status.h"
#include "trust.h"
#include "txn.h"
#include "util.h"
#include "yamlio.h"

static const char *const cmd_keys[] = {
	"status", "owner", "priority", "queue", "tags", "type", "severity", "team",
	"customer", "due", "secret", NULL
};

static int
known_key(const char *k)
{
	for (size_t i = 0; cmd_keys[i]; i++)
		if (strcmp(cmd_keys[i], k) == 0)
			return 1;
	return 0;
}

int
mailcmd_parse(const char *text, char ***keys, char ***vals)
{
	const char *p = text ? text : "";
	int n = 0;

	*keys = NULL;
	*vals = NULL;
	while (*p && n < 32) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *t = str_trim(line), *colon;
		size_t klen;
		if (*t == '\0' || (colon = strchr(t, ':')) == NULL) {
			free(line);
			break;
		}
		klen = (size_t)(colon - t);
		char *key = str_lower(xstrndup(t, klen));
		if (!known_key(key)) {
			free(key);
			free(line);
			break;
		}
		*keys = xrealloc(*keys, (size_t)(n + 1) * sizeof(char *));
		*vals = xrealloc(*vals, (size_t)(n + 1) * sizeof(char *));
		(*keys)[n] = key;
		(*vals)[n] = xstrdup(str_trim(colon + 1));
		n++;
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	return n;
}

/* The key of a command line ("status"), or NULL when the line is not one. */
static char *
line_key(const char *p, size_t len)
{
	char *line = xstrndup(p, len), *t = str_trim(line), *colon, *key = NULL;

	if (*t && (colon = strchr(t, ':')) != NULL) {
		key = str_lower(xstrndup(t, (size_t)(colon - t)));
		if (!known_key(key)) {
			free(key);
			key = NULL;
		}
	}
	free(line);
	return key;
}

char *
mailcmd_take_secret(char *text)
{
	char *p = text, *secret = NULL;

	for (int n = 0; p && *p && n < 32; n++) {
		size_t len = strcspn(p, "\n"), next = len + (p[len] == '\n');
		char *key = line_key(p, len);
		if (key == NULL)
			break;
		if (strcmp(key, "secret") == 0) {
			if (secret == NULL) {
				char *line = xstrndup(p, len);
				secret = xstrdup(str_trim(strchr(line, ':') + 1));
				explicit_bzero(line, len);
				free(line);
			}
			explicit_bzero(p, len);
			memmove(p, p + next, strlen(p + next) + 1);
		} else
			p += next;
		free(key);
	}
	return secret;
}

/* The index of the mail-in event this change added (the last one), or -1. */
static long
mail_event(struct change *c)
{
	for (size_t i = c->nevents; i-- > 0;)
		if (strcmp(kv_get(&c->events[i], "ev"), "mail-in") == 0)
			return (long)i;
	return -1;
}

/* One command as rt-set would do it; 0 or an error with rt_errmsg(). */
static int
apply(struct desk *d, struct change *c, const char *key, const char *val)
{
	struct assign a;
	char *v = NULL;
	int rc = 0;

	if (strcmp(key, "tags") == 0 && (*val == '+' || *val == '-')) {
		/* "+a -b": worked out on a copy, then one set event. */
		struct kvmap work = KVMAP_INIT;
		char **items;
		size_t n = str_split(val, " \t,", &items);
		kv_copy(&work, &c->ticket);
		for (size_t i = 0; i < n && rc == 0; i++) {
			char op = items[i][0] == '-' ? '-' : '+';
			const char *item = items[i] + (items[i][0] == '+' || items[i][0] == '-');
			struct assign t = { (char *)"tags", op, (char *)item };
			if ((rc = assign_value(d, &work, &t, &v)) == 0)
				kv_set(&work, "tags", v);
			free(v);
			v = NULL;
		}
		if (rc == 0)
			change_set(c, "tags", kv_get(&work, "tags"));
		kv_free(&work);
		strv_free(items, n);
		return rc;
	}
	a.field = (char *)key;
	a.op = '=';
	a.value = (char *)val;
	if ((rc = assign_value(d, &c->ticket, &a, &v)) != 0)
		return rc;
	if (strcmp(key, "status") == 0)
		rc = status_change(c, v, &(struct status_opts){ .via = "mail" });
	else
		change_set(c, key, v);
	free(v);
	return rc;
}

/* Equal strings, in time independent of where they differ. */
static int
secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return diff == 0;
}

/* The domain of an address, or "". */
static const char *
domain_of(const char *email)
{
	const char *at = email ? strrchr(email, '@') : NULL;

	return at ? at + 1 : "";
}

/* The value of "name=" in one resinfo of an Authentication-Results field. */
static int
ar_prop(const char *res, const char *name, const char *want)
{
	size_t n = strlen(name);

	for (const char *p = res; (p = strcasestr(p, name)) != NULL; p += n) {
		size_t len;
		if (p != res && !isspace((unsigned char)p[-1]))
			continue;
		p += n;
		if (*p == '@')
			p++;
		len = strcspn(p, " \t;()");
		if (len == strlen(want) && strncasecmp(p, want, len) == 0)
			return 1;
		p -= n;
	}
	return 0;
}

/*
 * RFC 8601: an Authentication-Results field added by our own MTA
 * (authserv-id) says DMARC passed for the From domain, or a DKIM
 * signature of that domain verified.  The MTA must remove fields with
 * its own authserv-id from incoming mail (rt-set(1) says so).
 */
static int
ar_pass(struct mail *m, const char *servid)
{
	const char *dom = domain_of(m->from.email);
	char *raw;
	int ok = 0;

	if (*dom == '\0')
		return 0;
	for (int i = 1; !ok && i <= 50 && (raw = mail_header_raw_n(m, "Authentication-Results", i)); i++) {
		char **res;
		size_t n = str_split(raw, ";", &res), idlen;
		char *id = n ? str_trim(res[0]) : NULL;
		idlen = id ? strcspn(id, " \t(") : 0;
		if (id && idlen == strlen(servid) && strncasecmp(id, servid, idlen) == 0)
			for (size_t k = 1; k < n && !ok; k++) {
				char *r = str_trim(res[k]);
				if (strncasecmp(r, "dmarc=pass", 10) == 0)
					ok = ar_prop(r, "header.from=", dom);
				else if (strncasecmp(r, "dkim=pass", 9) == 0)
					ok = ar_prop(r, "header.d=", dom) || ar_prop(r, "header.i=", dom);
			}
		strv_free(res, n);
		free(raw);
	}
	return ok;
}

/* A header the MTA sets after SMTP AUTH (topmost field), naming the sender. */
static int
verified_header(struct mail *m, const char *name)
{
	char *h = mail_header(m, name), *v = h ? str_trim(h) : NULL;
	int ok = 0;

	if (v && m->from.email) {
		char *lt = strrchr(v, '<'), *gt;
		if (lt && (gt = strchr(lt, '>')) != NULL) {
			*gt = '\0';
			v = lt + 1;
		}
		ok = strcasecmp(v, m->from.email) == 0;
	}
	free(h);
	return ok;
}

int
mailcmd_sender_verified(struct mail *m, const char *vh, const char *sid)
{
	return (vh && *vh && verified_header(m, vh)) || (sid && *sid && ar_pass(m, sid));
}

static const char *unproven_by(struct desk *d, struct mail *m, char **file);

/*
 * Whether the mail proves that it comes from the agent: any check that
 * rt.yaml configures under mail-commands passes.  NULL if it does, else
 * why not (static text).
 */
static const char *
unproven(struct desk *d, struct mail *m)
{
	char *file = NULL;
	const char *why = unproven_by(d, m, &file);

	if (file) {
		explicit_bzero(file, strlen(file));
		free(file);
	}
	return why;
}

/* The secret: mail-commands.secret-file (outside the commits), else .secret. */
static const char *
the_secret(struct desk *d, char **file)
{
	const char *path = desk_cfg_str(d, "mail-commands.secret-file", NULL);
	size_t len;

	if (path == NULL || *path == '\0')
		return desk_cfg_str(d, "mail-commands.secret", NULL);
	{
		char *full = path[0] == '/' ? xstrdup(path) : xasprintf("%s%s", d->gitdir, path);
		int rc = read_file(full, file, &len);
		free(full);
		if (rc != 0)
			return NULL;
	}
	(*file)[strcspn(*file, "\r\n")] = '\0';
	return *file;
}

static const char *
unproven_by(struct desk *d, struct mail *m, char **file)
{
	const char *secret = the_secret(d, file);
	const char *hname = desk_cfg_str(d, "mail-commands.header", NULL);
	const char *vh = desk_cfg_str(d, "mail-commands.verified-header", NULL);
	const char *sid = desk_cfg_str(d, "mail-commands.authserv-id", NULL);
	struct ynode *en = desk_cfg(d, "mail-commands.enabled");

	if (en == NULL || ynode_bool(en) != 1)
		return "mail commands are off (mail-commands.enabled in rt.yaml)";
	if (secret && *secret) {
		if (m->cmd_secret && secret_equal(m->cmd_secret, secret))
			return NULL;
		if (hname && *hname) {
			char *h = mail_header(m, hname);
			int ok = h && secret_equal(str_trim(h), secret);
			free(h);
			if (ok)
				return NULL;
		}
	}
	if (vh && *vh && verified_header(m, vh))
		return NULL;
	if (sid && *sid && ar_pass(m, sid))
		return NULL;
	if ((secret == NULL || !*secret) && (vh == NULL || !*vh) && (sid == NULL || !*sid))
		return "no check is configured (mail-commands: secret, verified-header or authserv-id)";
	return "the mail is not authenticated (secret missing or wrong, no verified sender)";
}

/* An agent's configured address ("email") or display name ("name"). */
static const char *
agent_field(struct desk *d, const char *agent, const char *key)
{
	const struct person *p = people_agent(d, agent);

	if (p == NULL)
		return NULL;
	return strcmp(key, "email") == 0 ? p->address : p->display;
}

/* 1 when addr is an item of the address list (case ignored, as mail addresses compare). */
static int
list_has_addr(const char *list, const char *addr)
{
	char **v;
	size_t n = kv_list_split(list, &v);
	int yes = 0;

	for (size_t i = 0; i < n && !yes; i++)
		yes = strcasecmp(v[i], addr) == 0;
	strv_free(v, n);
	return yes;
}

/*
 * The ticket's requestors and Cc that the agent's mail was sent to (To
 * or Cc), as a mail-out's "to" lists them; NULL when none. An agent who
 * answers the customer from their own mail client with the desk in Cc
 * has answered the ticket (summary.c: first-response, last-out).
 */
static char *
answered_to(const struct change *c, const struct mail *m)
{
	const char *reqs = kv_get(&c->ticket, "requestors"), *cc = kv_get(&c->ticket, "cc");
	char *list = NULL;

	for (size_t i = 0; i < m->nto + m->ncc; i++) {
		const struct mail_addr *a = i < m->nto ? &m->to[i] : &m->cc[i - m->nto];
		char *more;
		if (a->email == NULL || *a->email == '\0' ||
		    !(list_has_addr(reqs, a->email) || list_has_addr(cc, a->email)) ||
		    list_has_addr(list, a->email))
			continue;
		more = kv_list_add(list, a->email);
		free(list);
		list = more;
	}
	return list;
}

/* Marks the mail-in event and the change as the agent's. */
static void
as_agent(struct desk *d, struct change *c, long evi, const char *agent, int proven,
    const struct mail *m)
{
	struct kvmap *ev = &c->events[evi];
	const char *name = agent_field(d, agent, "name");
	char *to = answered_to(c, m);

	kv_set(ev, "agent", "true");
	kv_set(ev, "by", agent);
	kv_set(ev, "to", to);
	free(to);
	if (proven)
		change_author(c, name ? name : agent, agent_field(d, agent, "email"));
}

int
mailcmd_hook(struct desk *d, struct change *c, struct mail *m)
{
	const char *agent = agent_by_email(d, m ? m->from.email : NULL), *why;
	long evi = mail_event(c);
	struct kvmap *ev;
	struct sbuf ok = SBUF_INIT, bad = SBUF_INIT;
	char **keys, **vals;
	int n;

	if (agent == NULL || evi < 0)
		return 0;
	why = unproven(d, m);
	n = mailcmd_parse(m->text, &keys, &vals);
	if (n == 0) {
		/* no commands: the agent's note, which never reopens the ticket */
		as_agent(d, c, evi, agent, why == NULL, m);
		return 1;
	}
	if (why) {
		/* maybe forged: recorded as refused, not as the agent's */
		char *r = xasprintf("%s (From %s, agent %s)", why, m->from.email, agent);
		kv_set(&c->events[evi], "commands-refused", r);
		free(r);
		strv_free(keys, (size_t)n);
		strv_free(vals, (size_t)n);
		return 0;
	}
	as_agent(d, c, evi, agent, 1, m);
	for (int i = 0; i < n; i++) {
		char *line;
		if (strcmp(keys[i], "secret") == 0)
			continue;	/* never recorded */
		line = xasprintf("%c%s: %s", toupper((unsigned char)keys[i][0]), keys[i] + 1,
		    vals[i]);
		if (apply(d, c, keys[i], vals[i]) == 0)
			sbuf_addf(&ok, "%s%s", ok.len ? "; " : "", line);
		else
			sbuf_addf(&bad, "%s%s (%s)", bad.len ? "; " : "", line, rt_errmsg());
		free(line);
	}
	ev = &c->events[evi];
	for (size_t i = (size_t)evi + 1; i < c->nevents; i++)
		kv_set(&c->events[i], "by", agent);	/* the agent did it, not the MTA */
	if (ok.len)
		kv_set(ev, "commands", ok.buf);
	if (bad.len)
		kv_set(ev, "commands-failed", bad.buf);
	sbuf_free(&ok);
	sbuf_free(&bad);
	strv_free(keys, (size_t)n);
	strv_free(vals, (size_t)n);
	return 1;
}

int
mailcmd_answer(struct desk *d, const struct change *c, struct mail *m)
{
	const char *agent = agent_by_email(d, m ? m->from.email : NULL), *to, *why;
	const char *mailer = NULL;
	const char *own = desk_cfg_str(d, "desk.address", NULL);
	const char *tag = desk_cfg_str(d, "desk.tag", desk_cfg_str(d, "desk.name", "Support")), *extra[4];
	struct ynode *en = desk_cfg(d, "mail-commands.enabled");
	struct outmail om;
	struct sbuf body = SBUF_INIT;
	char *subject, *buf = NULL;
	size_t len;
	long evi = -1;
	int rc;

	for (size_t i = c->nevents; i-- > 0 && evi < 0;)
		if (strcmp(kv_get(&c->events[i], "ev"), "mail-in") == 0)
			evi = (long)i;
	if (agent == NULL || evi < 0 || m->auto_submitted || en == NULL || ynode_bool(en) != 1 ||
	    (why = kv_get(&c->events[evi], "commands-refused")) == NULL)
		return 0;
	if ((rc = trust_mailer(d, "desk.mailer", NULL, &mailer)) != 0)
		return rc;
	if ((to = agent_field(d, agent, "email")) == NULL || mailer == NULL || own == NULL)
		return rt_fail(EX_CONFIG, "cannot answer a refused mail command: "
		    "desk.mailer, desk.address or the agent's email is not set");
	sbuf_addf(&body, "Your mail to #%s was stored, but its commands were not applied:\n"
	    "%s.\n\nSee rt-set(1), MAIL COMMANDS.\n", c->id, why);
	subject = xasprintf("[%s #%s] mail commands refused: %s", tag, c->id, m->subject);
	extra[0] = "Auto-Submitted";
	extra[1] = "auto-replied";
	extra[2] = "X-Auto-Response-Suppress";
	extra[3] = "All";
	memset(&om, 0, sizeof(om));
	om.from = own;
	om.to = &to;
	om.nto = 1;
	om.subject = subject;
	om.body = body.buf;
	om.in_reply_to = m->message_id;
	om.extra = extra;
	om.nextra = 2;
	if ((rc = outmail_render(&om, &buf, &len, NULL)) == 0) {
		txn_batch_settle(d);	/* a mailer program may read the desk */
		rc = mail_send(mailer, buf, len, "", &to, 1);	/* RFC 3834: null sender */
	}
	free(buf);
	free(subject);
	sbuf_free(&body);
	return rc;
}
