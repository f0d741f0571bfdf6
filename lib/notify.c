/* notify.c: the notification engine and its journal; see notify.h and rt-notify(5) */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "change.h"
#include "desk.h"
#include "head.h"
#include "hlc.h"
#include "id.h"
#include "mailbox.h"
#include "mailsend.h"
#include "notify.h"
#include "people.h"
#include "status.h"
#include "template.h"
#include "web.h"
#include "ticket.h"
#include "txn.h"
#include "util.h"
#include "yamlio.h"

#define HISTORY 10

/* A notification this process committed (or picked up) and still has to send. */
struct pend {
	char *rtdir;
	char *jline;
	char *mailer;
	char *buf;
	size_t len;
	const struct change *c;	/* the change it belongs to, until committed */
};

static struct pend *pending;
static size_t npending;
static pid_t owner_pid;
static int picked_up;

/* ---- the journal ---- */

char *
notify_jline(const char *id, const char *key, const char *file, const char *rcpts,
    const char *env_from, const char *mailer)
{
	return xasprintf("%s\t%s\t%s\t%s\t%s\t%s", id, key, file, rcpts, env_from, mailer);
}

static int
journal_lock(const char *rtdir)
{
	/*
	 * not *.lock: never taken for a stale git lock; flock ends with the
	 * process. 0666 less the umask, as the desk lock: on a shared desk
	 * (umask 007) every user of the group must take it after another.
	 */
	char *path = xasprintf("%s/notify-flock", rtdir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	struct stat st, dir;

	free(path);
	if (fd < 0)
		return -1;
	/* made 0600 by an older rt: its owner opens it to a shared desk's group */
	if (fstat(fd, &st) == 0 && (st.st_mode & 0060) != 0060 && st.st_uid == geteuid() &&
	    stat(rtdir, &dir) == 0 && (dir.st_mode & S_IWGRP))
		(void)fchmod(fd, (st.st_mode & 07777) | 0060);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

static void
journal_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Reads the journal and the legacy escalate-journal (folded in once). */
static char *
journal_read(const char *rtdir)
{
	char *path = xasprintf("%s/notify-journal", rtdir), *old = xasprintf("%s/escalate-journal", rtdir);
	char *buf = NULL, *obuf = NULL;
	size_t len = 0, olen = 0;
	struct sbuf sb = SBUF_INIT;

	if (read_file(path, &buf, &len) == 0)
		sbuf_add(&sb, buf, len);
	if (read_file(old, &obuf, &olen) == 0) {
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			sbuf_addc(&sb, '\n');
		sbuf_add(&sb, obuf, olen);
		if (write_file_atomic(path, sb.buf, sb.len, 1) == 0)
			unlink(old);
	}
	free(buf);
	free(obuf);
	free(path);
	free(old);
	if (sb.buf == NULL)
		sbuf_adds(&sb, "");
	return sbuf_detach(&sb);
}

/* Whether there is a journal at all (no lock needed to ask). */
static int
journal_exists(const char *rtdir)
{
	char *path = xasprintf("%s/notify-journal", rtdir), *old = xasprintf("%s/escalate-journal", rtdir);
	int yes = access(path, F_OK) == 0 || access(old, F_OK) == 0;

	free(path);
	free(old);
	return yes;
}

static int
journal_has(const char *buf, const char *line)
{
	size_t l = strlen(line);

	for (const char *p = buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n == l && strncmp(p, line, l) == 0)
			return 1;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Adds and/or deletes one line; the journal lock is held. */
static int
journal_edit(const char *rtdir, const char *add, const char *del)
{
	char *path = xasprintf("%s/notify-journal", rtdir), *buf = journal_read(rtdir);
	struct sbuf out = SBUF_INIT;
	int rc;

	for (char *p = buf; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (l && !(del && strlen(del) == l && strncmp(p, del, l) == 0)) {
			sbuf_add(&out, p, l);
			sbuf_addc(&out, '\n');
		}
		p = nl ? nl + 1 : NULL;
	}
	if (add) {
		sbuf_adds(&out, add);
		sbuf_addc(&out, '\n');
	}
	if (out.len == 0)
		rc = unlink(path) < 0 && errno != ENOENT ? -1 : 0;
	else
		rc = write_file_atomic(path, out.buf, out.len, 1);
	if (rc != 0)
		rc = rt_fail(EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
	free(buf);
	free(path);
	sbuf_free(&out);
	return rc;
}

static int
journal_edit_locked(const char *rtdir, const char *add, const char *del)
{
	int fd = journal_lock(rtdir), rc;

	if (fd < 0)
		return rt_fail(EX_IOERR, "cannot lock the notification journal in '%s': %s", rtdir,
		    strerror(errno));
	rc = journal_edit(rtdir, add, del);
	journal_unlock(fd);
	return rc;
}

int
notify_journal_add(struct desk *d, const char *jline)
{
	return journal_edit_locked(d->rtdir, jline, NULL);
}

int
notify_journal_del(struct desk *d, const char *jline)
{
	return journal_edit_locked(d->rtdir, NULL, jline);
}

static int
send_line(const char *rtdir, const char *jline, const char *mailer, const char *buf, size_t len)
{
	char **f = NULL, **rcpt = NULL, *jbuf;
	size_t nf, nr = 0;
	int fd, rc = 0;

	if ((fd = journal_lock(rtdir)) < 0)
		return rt_fail(EX_TEMPFAIL, "cannot lock the notification journal: %s", strerror(errno));
	jbuf = journal_read(rtdir);
	if (!journal_has(jbuf, jline))
		goto out;	/* sent by another process meanwhile */
	if (mailer == NULL) {
		rc = rt_fail(EX_CONFIG, "no mailer configured (desk.mailer)");
		goto out;
	}
	nf = str_split(jline, "\t", &f);
	if (nf < 4) {
		strv_free(f, nf);
		rc = journal_edit(rtdir, NULL, jline);
		goto out;
	}
	nr = str_split(f[3], ",", &rcpt);
	rc = mail_send(mailer, buf, len, nf >= 5 ? f[4] : "<>", (const char **)rcpt, nr);
	if (rc == 0)
		journal_edit(rtdir, NULL, jline);
	strv_free(rcpt, nr);
	strv_free(f, nf);
out:
	free(jbuf);
	journal_unlock(fd);
	return rc;
}

int
notify_send_line(struct desk *d, const char *jline, const char *mailer, const char *buf,
    size_t len)
{
	txn_batch_settle(d);	/* a mailer program may read the desk */
	return send_line(d->rtdir, jline, mailer, buf, len);
}

const char *
notify_mailer(struct desk *d, const char *which)
{
	if (which && strcmp(which, "escalation") == 0)
		return desk_cfg_str(d, "escalation.mailer", desk_cfg_str(d, "desk.mailer", NULL));
	return desk_cfg_str(d, "desk.mailer", NULL);
}

/* The stored mail of a journal line, when its commit landed. */
static int
line_committed(struct desk *d, char **f, size_t nf, char **buf, size_t *len)
{
	char *path;
	ticket_id id;
	int rc;

	if (nf < 4 || id_parse(f[0], id) != 0)
		return -1;
	path = ticket_path(f[0], f[2]);
	rc = desk_read_head(d, path, buf, len);
	free(path);
	return rc;
}

/* One committed journal line, split at tabs, with its mail. */
typedef void (*journal_fn)(struct desk *d, const char *line, char **f, size_t nf,
    char *buf, size_t len, void *arg);

/*
 * Calls fn for every journal line whose commit landed; drops the lines
 * whose commit never happened (we hold the desk lock or it is over).
 */
static void
journal_walk(struct desk *d, journal_fn fn, void *arg)
{
	char *jbuf;
	int fd;

	if (!journal_exists(d->rtdir) || (fd = journal_lock(d->rtdir)) < 0)
		return;
	jbuf = journal_read(d->rtdir);
	journal_unlock(fd);
	for (char *p = jbuf; p && *p;) {
		char *nl = strchr(p, '\n'), **f, *buf;
		size_t nf, len;
		if (nl)
			*nl = '\0';
		nf = str_split(p, "\t", &f);
		if (*p && line_committed(d, f, nf, &buf, &len) == 0)
			fn(d, p, f, nf, buf, len, arg);
		else if (*p)
			notify_journal_del(d, p);
		strv_free(f, nf);
		p = nl ? nl + 1 : NULL;
	}
	free(jbuf);
}

struct retry {
	FILE *out;
	int status;
};

static void
retry_one(struct desk *d, const char *line, char **f, size_t nf, char *buf, size_t len,
    void *arg)
{
	struct retry *r = arg;
	const char *mailer = notify_mailer(d, nf >= 6 ? f[5] : "escalation");
	int rc = send_line(d->rtdir, line, mailer, buf, len);

	if (rc == 0 && r->out)
		fprintf(r->out, "%s %s resent to %s\n", f[0], f[1], f[3]);
	else if (rc != 0) {
		rt_warn("#%s %s: notification still not sent: %s", f[0], f[1], rt_errmsg());
		r->status = r->status ? r->status : rc;
	}
	free(buf);
}

int
notify_retry(struct desk *d, FILE *out)
{
	struct retry r = { out, 0 };

	journal_walk(d, retry_one, &r);
	return r.status;
}

/* ---- this process's queue ---- */

static void
pend_add(struct desk *d, const struct change *c, char *jline, const char *mailer, char *buf,
    size_t len)
{
	for (size_t i = 0; i < npending; i++)
		if (strcmp(pending[i].jline, jline) == 0) {
			free(jline);
			free(buf);
			return;
		}
	owner_pid = getpid();
	pending = xrealloc(pending, (npending + 1) * sizeof(*pending));
	pending[npending].rtdir = xstrdup(d->rtdir);
	pending[npending].jline = jline;
	pending[npending].mailer = mailer ? xstrdup(mailer) : NULL;
	pending[npending].buf = buf;
	pending[npending].len = len;
	pending[npending++].c = c;
}

static void
pend_free(struct pend *p)
{
	free(p->rtdir);
	free(p->jline);
	free(p->mailer);
	free(p->buf);
}

void
notify_flush(void)
{
	if (owner_pid != getpid())
		return;
	for (size_t i = 0; i < npending; i++) {
		struct pend *p = &pending[i];
		int rc = p->c ? 0 : send_line(p->rtdir, p->jline, p->mailer, p->buf, p->len);
		if (rc != 0) {
			char *id = xstrndup(p->jline, strcspn(p->jline, "\t"));
			rt_warn("notify: #%s: notification not sent yet, the next run retries: %s",
			    id, rt_errmsg());
			free(id);
		}
		pend_free(p);
	}
	free(pending);
	pending = NULL;
	npending = 0;
}

static void
queue_one(struct desk *d, const char *line, char **f, size_t nf, char *buf, size_t len,
    void *arg)
{
	(void)arg;
	pend_add(d, NULL, xstrdup(line), notify_mailer(d, nf >= 6 ? f[5] : "escalation"), buf, len);
}

/* Queues the committed lines another run left behind (once per process). */
static void
pick_up(struct desk *d)
{
	if (picked_up)
		return;
	picked_up = 1;
	journal_walk(d, queue_one, NULL);
}

/* ---- who is told ---- */

struct rcpts {
	char **v;
	size_t n;
};

static void
rcpt_add(struct rcpts *r, const char *addr)
{
	char *b = mailbox_addr(addr);

	if (strchr(b, '@') == NULL || strpbrk(b, " \t\r\n,<>\"")) {
		free(b);
		return;
	}
	for (size_t i = 0; i < r->n; i++)
		if (strcasecmp(r->v[i], b) == 0) {
			free(b);
			return;
		}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(char *));
	r->v[r->n++] = b;
}

/* Adds the addresses a name stands for: owner, team, an agent, a team, an address. */
static void
rcpt_name(struct desk *d, const struct kvmap *t, const char *name, struct rcpts *r)
{
	char **a;
	size_t n;

	if (strcmp(name, "owner") == 0 || strcmp(name, "team") == 0)
		name = kv_get(t, name);
	if (name && str_starts(name, "team:"))
		name += 5;
	if (name == NULL || (a = people_addresses(d, name, &n)) == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		rcpt_add(r, a[i]);
	strv_free(a, n);
}

static void
rcpt_list(struct desk *d, const struct kvmap *t, const char *list, struct rcpts *r)
{
	char **v;
	size_t n = str_split(list ? list : "", ",", &v);

	for (size_t i = 0; i < n; i++)
		rcpt_name(d, t, str_trim(v[i]), r);
	strv_free(v, n);
}

/* Removes the actor: the one who caused the event is never told. */
static void
rcpt_drop_actor(struct desk *d, struct rcpts *r)
{
	const struct person *me = d->actor_email ? people_agent_by_address(d, d->actor_email) : NULL;

	for (size_t i = 0; i < r->n;) {
		if ((d->actor_email && strcasecmp(r->v[i], d->actor_email) == 0) ||
		    (me && me->address && strcasecmp(r->v[i], me->address) == 0)) {
			free(r->v[i]);
			memmove(r->v + i, r->v + i + 1, (r->n - i - 1) * sizeof(char *));
			r->n--;
		} else
			i++;
	}
}

static char *
rcpt_join(const struct rcpts *r)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < r->n; i++)
		sbuf_addf(&sb, "%s%s", i ? "," : "", r->v[i]);
	if (sb.buf == NULL)
		sbuf_adds(&sb, "");
	return sbuf_detach(&sb);
}

/* ---- configuration: notify: and queues.Q.notify: ---- */

static const struct ynode *
cfg(struct desk *d, const struct kvmap *t, const char *key)
{
	const char *q = kv_get(t, "queue");
	const struct ynode *n;

	if (q) {
		char *path = xasprintf("queues.%s.notify.%s", q, key);
		n = desk_cfg(d, path);
		free(path);
		if (n)
			return n;
	}
	{
		char *path = xasprintf("notify.%s", key);
		n = desk_cfg(d, path);
		free(path);
	}
	return n;
}

static int
agents_enabled(struct desk *d, const struct kvmap *t)
{
	const char *q = kv_get(t, "queue");
	char *path = q ? xasprintf("queues.%s.notify", q) : NULL;
	int on = desk_cfg(d, "notify") != NULL || (path && desk_cfg(d, path) != NULL);

	free(path);
	return on;
}

/* The names under key as a comma list (a scalar or a list), or dflt. */
static char *
cfg_names(struct desk *d, const struct kvmap *t, const char *key, const char *dflt)
{
	const struct ynode *n = cfg(d, t, key);
	struct sbuf sb = SBUF_INIT;

	if (n == NULL)
		return dflt ? xstrdup(dflt) : NULL;
	if (n->kind == Y_SCALAR && !yscalar_is_null(n)) {
		int b = ynode_bool(n);
		if (b == 0)
			return NULL;
		if (b == 1)
			return dflt ? xstrdup(dflt) : NULL;
		return xstrdup(n->value);
	}
	if (n->kind == Y_SEQ)
		for (size_t i = 0; i < n->n; i++)
			if (n->items[i]->kind == Y_SCALAR)
				sbuf_addf(&sb, "%s%s", sb.len ? "," : "", n->items[i]->value);
	return sbuf_detach(&sb);
}

/* notify.customer.KEY: on unless false. */
static int
customer_on(struct desk *d, const struct kvmap *t, const char *key, int dflt)
{
	char *path = xasprintf("customer.%s", key);
	const struct ynode *n = cfg(d, t, path);
	int b;

	free(path);
	if (n == NULL) {
		const struct ynode *all = cfg(d, t, "customer");
		if (all && all->kind == Y_SCALAR && (b = ynode_bool(all)) >= 0)
			return b;
		return dflt;
	}
	return (b = ynode_bool(n)) >= 0 ? b : dflt;
}

/* ---- the mail ---- */

static const char *
tag_of(struct desk *d)
{
	return desk_cfg_str(d, "desk.tag", desk_cfg_str(d, "desk.name", "Support"));
}

static char *
from_of(struct desk *d)
{
	const char *addr = desk_cfg_str(d, "desk.address", NULL), *name = desk_cfg_str(d, "desk.name", NULL);

	if (addr == NULL)
		return NULL;
	return mailbox_format(name, addr);
}

/* Message-ids of the ticket's mail, oldest first, for References. */
static void
thread_ids(const struct evlog *log, const struct change *c, const char ***v, size_t *n)
{
	for (size_t k = 0; k < 2; k++) {
		size_t cnt = k ? c->nevents : log->n;
		for (size_t i = 0; i < cnt; i++) {
			const struct kvmap *ev = k ? &c->events[i] : &log->ev[i];
			const char *type = kv_get(ev, "ev"), *mid = kv_get(ev, "message-id");
			if (type == NULL || mid == NULL || str_starts(mid, "sha1:") ||
			    (strcmp(type, "mail-in") && strcmp(type, "mail-out")))
				continue;
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[(*n)++] = mid;
		}
	}
	if (*n > 10) {
		memmove(*v + 1, *v + *n - 9, 9 * sizeof(**v));
		*n = 10;
	}
}

static void
event_line(struct sbuf *b, const struct kvmap *ev)
{
	sbuf_addf(b, "  %s %s", kv_get(ev, "at") ? kv_get(ev, "at") : "?",
	    kv_get(ev, "ev") ? kv_get(ev, "ev") : "?");
	for (size_t i = 0; i < ev->n; i++) {
		const char *k = ev->v[i].key;
		if (strcmp(k, "at") && strcmp(k, "ev") && strcmp(k, "file") && strcmp(k, "message-id") &&
		    !event_key_internal(k))
			sbuf_addf(b, " %s=%s", k, ev->v[i].val);
	}
	sbuf_addc(b, '\n');
}

/* The ticket's log at HEAD, read only when a notification is written. */
struct lazylog {
	struct evlog log;
	int loaded;
};

static const struct evlog *
log_of(struct change *c, struct lazylog *lz)
{
	struct kvmap tk = KVMAP_INIT;

	if (!lz->loaded) {
		lz->loaded = 1;
		if (!c->created)
			ticket_load(c->d, c->id, &tk, &lz->log);
		kv_free(&tk);
	}
	return &lz->log;
}

/* Renders, stores and journals one notification in change c. */
static void
add_mail(struct change *c, const char *key, struct rcpts *r, const char *subject,
    const char *body, const char *lang, int customer, struct lazylog *lz)
{
	const struct evlog *log = log_of(c, lz);
	struct desk *d = c->d;
	const char *mailer = notify_mailer(d, "desk");
	const char **refs = NULL;
	size_t nrefs = 0, len;
	char *from = from_of(d), *msg = NULL, *msgid = NULL, *file, *to, *jline;
	const char *extra[] = { "Auto-Submitted", "auto-generated", "X-Auto-Response-Suppress", "All",
		"X-RT-Ticket", c->id, "X-RT-Notify", key };
	struct outmail om;
	struct kvmap *ev;

	if (from == NULL) {
		rt_warn("#%s: %s notification not sent: desk.address is not set", c->id, key);
		return;
	}
	thread_ids(log, c, &refs, &nrefs);
	memset(&om, 0, sizeof(om));
	om.from = from;
	om.to = (const char **)r->v;
	om.nto = r->n;
	om.subject = subject;
	om.body = body;
	om.in_reply_to = nrefs ? refs[nrefs - 1] : NULL;
	om.references = refs;
	om.nreferences = nrefs;
	om.extra = extra;
	om.nextra = LEN(extra) / 2;
	om.language = lang;
	if (outmail_render(&om, &msg, &len, &msgid) != 0) {
		rt_warn("#%s: %s notification not rendered: %s", c->id, key, rt_errmsg());
		goto out;
	}
	to = rcpt_join(r);
	file = change_add_file(c, "eml", msg, len);
	ev = change_event(c, "notify");
	kv_set(ev, "file", file);
	kv_set(ev, "to", to);
	kv_set(ev, "kind", key);
	kv_set(ev, "message-id", msgid);
	if (mailer == NULL)
		kv_set(ev, "unsent", "no mailer configured");
	else {
		jline = notify_jline(c->id, key, file, to, customer ? "<>" :
		    desk_cfg_str(d, "desk.address", "<>"), "desk");
		if (notify_journal_add(d, jline) != 0) {
			rt_warn("#%s: %s", c->id, rt_errmsg());
			free(jline);
		} else
			pend_add(d, c, jline, mailer, msg, len), msg = NULL;
	}
	free(file);
	free(to);
out:
	free(refs);
	free(from);
	free(msg);
	free(msgid);
}

/* ---- what a change causes ---- */

struct what {
	int created;
	int status_query;	/* a status query, answered automatically (statusquery.h) */
	const char *status_from, *status_to;
	const char *owner_to;
	int customer_mail;	/* a mail-in from a requestor */
	int agent_mail;		/* a mail-in from someone else */
	int mail_out;		/* the change mails the customer itself (rt-reply --set-status) */
	char *mentions;
	int any;		/* some event other than notify */
};

static int
is_requestor(const struct kvmap *t, const char *from)
{
	char **v;
	size_t n = str_split(kv_get(t, "requestors") ? kv_get(t, "requestors") : "", ",", &v);
	int yes = 0;

	for (size_t i = 0; from && i < n && !yes; i++) {
		char *b = mailbox_addr(v[i]);
		yes = strcasecmp(b, from) == 0;
		free(b);
	}
	strv_free(v, n);
	return yes;
}

static void
scan(const struct change *c, struct what *w)
{
	memset(w, 0, sizeof(*w));
	w->created = c->created;
	for (size_t i = 0; i < c->nevents; i++) {
		const struct kvmap *ev = &c->events[i];
		const char *type = kv_get(ev, "ev"), *field = kv_get(ev, "field");
		if (type == NULL || strcmp(type, "notify") == 0)
			continue;
		w->any = 1;
		if (kv_get(ev, "customer-told"))	/* the change decided that itself */
			w->mail_out = 1;
		if (strcmp(type, "set") == 0 && field && strcmp(field, "status") == 0) {
			if (w->status_to == NULL)
				w->status_from = kv_get(ev, "old");
			w->status_to = kv_get(ev, "new");
		} else if (strcmp(type, "set") == 0 && field && strcmp(field, "owner") == 0)
			w->owner_to = kv_get(ev, "new");
		else if (strcmp(type, "mail-out") == 0)
			w->mail_out = 1;
		else if (strcmp(type, "mail-in") == 0) {
			if (kv_get(ev, "status-query"))
				w->status_query = 1;
			if (is_requestor(&c->ticket, kv_get(ev, "from")))
				w->customer_mail = 1;
			else
				w->agent_mail = 1;
		} else if (strcmp(type, "comment") == 0 && kv_get(ev, "mentions")) {
			char *m = w->mentions ? xasprintf("%s,%s", w->mentions, kv_get(ev, "mentions")) :
			    xstrdup(kv_get(ev, "mentions"));
			free(w->mentions);
			w->mentions = m;
		}
	}
}

static void
fallback(struct change *c, const char *kind, struct rcpts *r)
{
	const char *fb = desk_cfg_str(c->d, "desk.notify-fallback", NULL);

	if (fb) {
		rcpt_list(c->d, &c->ticket, fb, r);
		rt_warn("#%s: nobody to notify about %s: sent to desk.notify-fallback %s", c->id, kind, fb);
	} else
		rt_warn("#%s: nobody to notify about %s and desk.notify-fallback is not set", c->id, kind);
}

/* One kind for the agents: recipients from names; fallback when they are nobody. */
static void
agent_kind(struct change *c, const char *kind, const char *names, struct rcpts *all,
    struct sbuf *why, const char *line)
{
	struct rcpts r = { NULL, 0 };

	if (names == NULL)
		return;
	rcpt_list(c->d, &c->ticket, names, &r);
	if (r.n == 0 && strcmp(kind, "reply") == 0 && strstr(names, "owner"))
		rcpt_name(c->d, &c->ticket, "team", &r);	/* unowned: the team */
	if (r.n == 0)
		fallback(c, kind, &r);
	for (size_t i = 0; i < r.n; i++)
		rcpt_add(all, r.v[i]);
	strv_free(r.v, r.n);
	sbuf_addf(why, "%s\n", line);
}

static void
agents(struct change *c, const struct what *w, struct lazylog *lz)
{
	const struct evlog *log;
	struct desk *d = c->d;
	struct rcpts all = { NULL, 0 };
	struct sbuf why = SBUF_INIT, body = SBUF_INIT, kinds = SBUF_INIT;
	const char *subj = kv_get(&c->ticket, "subject") ? kv_get(&c->ticket, "subject") : "";
	char *names, *line, *subject;
	static const char *const fields[] = { "status", "queue", "priority", "owner", "team",
		"requestors", "tags", NULL };

	if (agents_enabled(d, &c->ticket)) {
		if (w->created && !w->status_query &&
		    (names = cfg_names(d, &c->ticket, "new", NULL))) {
			line = xasprintf("New ticket in queue %s.", kv_get(&c->ticket, "queue") ?
			    kv_get(&c->ticket, "queue") : "(none)");
			agent_kind(c, "new", names, &all, &why, line);
			sbuf_adds(&kinds, "new ");
			free(line);
			free(names);
		}
		if (!w->created && w->customer_mail &&
		    (names = cfg_names(d, &c->ticket, "reply", "owner"))) {
			agent_kind(c, "reply", names, &all, &why, "The customer replied.");
			sbuf_adds(&kinds, "reply ");
			free(names);
		}
		if (w->owner_to && (names = cfg_names(d, &c->ticket, "assign", "owner"))) {
			line = xasprintf("Assigned to %s.", w->owner_to);
			agent_kind(c, "assign", names, &all, &why, line);
			sbuf_adds(&kinds, "assign ");
			free(line);
			free(names);
		}
		if (w->mentions && (names = cfg_names(d, &c->ticket, "mention", "yes"))) {
			free(names);
			agent_kind(c, "mention", w->mentions, &all, &why, "An internal note names you.");
			sbuf_adds(&kinds, "mention ");
		}
	}
	if (kv_get(&c->ticket, "watchers") && w->any) {
		size_t before = all.n;
		rcpt_list(d, &c->ticket, kv_get(&c->ticket, "watchers"), &all);
		if (all.n > before || why.len == 0)
			sbuf_adds(&why, "The ticket you watch changed.\n");
		sbuf_adds(&kinds, "watch ");
	}
	rcpt_drop_actor(d, &all);
	if (all.n == 0)
		goto out;
	kinds.buf[kinds.len - 1] = '\0';
	sbuf_adds(&body, why.buf);
	sbuf_addf(&body, "\nTicket #%s: %s\n", c->id, subj);
	for (size_t i = 0; fields[i]; i++)
		if (kv_get(&c->ticket, fields[i]))
			sbuf_addf(&body, "  %-11s %s\n", fields[i], kv_get(&c->ticket, fields[i]));
	sbuf_addf(&body, "\nThis change (by %s):\n", d->actor_name ? d->actor_name : "?");
	for (size_t i = 0; i < c->nevents; i++)
		if (strcmp(kv_get(&c->events[i], "ev") ? kv_get(&c->events[i], "ev") : "", "notify"))
			event_line(&body, &c->events[i]);
	if ((log = log_of(c, lz))->n) {
		sbuf_adds(&body, "\nRecent history:\n");
		for (size_t i = log->n > HISTORY ? log->n - HISTORY : 0; i < log->n; i++)
			event_line(&body, &log->ev[i]);
	}
	subject = xasprintf("[%s #%s] %s: %s", tag_of(d), c->id, kinds.buf, subj);
	add_mail(c, kinds.buf, &all, subject, body.buf, NULL, 0, lz);
	free(subject);
out:
	strv_free(all.v, all.n);
	sbuf_free(&why);
	sbuf_free(&body);
	sbuf_free(&kinds);
}

static void
customer(struct change *c, const struct what *w, struct lazylog *lz)
{
	struct desk *d = c->d;
	const char *to = w->status_to, *from = w->status_from, *lang, *own;
	const char *langs[3];
	size_t nl = 0;
	const char *name;
	struct rcpts r = { NULL, 0 };
	struct tmpl t;
	struct tvars *v;
	char *tname, *subject = NULL, *body = NULL, *s;
	int reopen;

	if (to == NULL || w->mail_out || notify_mailer(d, "desk") == NULL)
		return;
	if (from && strcmp(from, to) == 0)
		return;
	reopen = from && status_is_done(from) && !status_is_done(to);
	name = reopen ? "reopened" : strcmp(to, "closed") == 0 ? "resolved" : to;
	if (strcmp(name, "waiting") && strcmp(name, "resolved") && strcmp(name, "reopened"))
		return;
	if (!customer_on(d, &c->ticket, name, 1))
		return;
	if (w->customer_mail && !(reopen && customer_on(d, &c->ticket, "reopen-by-mail", 0)))
		return;
	if (strcmp(to, "closed") == 0 && from && strcmp(from, "resolved") == 0)
		return;	/* resolved -> closed: they were told already */
	rcpt_list(d, &c->ticket, kv_get(&c->ticket, "requestors"), &r);
	own = desk_cfg_str(d, "desk.address", NULL);
	for (size_t i = 0; own && i < r.n; i++)
		if (strcasecmp(r.v[i], own) == 0) {
			free(r.v[i]);
			r.v[i--] = r.v[--r.n];
		}
	if (r.n == 0)
		goto out;
	if ((lang = kv_get(&c->ticket, "language")))
		langs[nl++] = lang;
	langs[nl++] = desk_cfg_str(d, "desk.language", "en");
	langs[nl++] = "en";
	tname = xasprintf("status-%s", name);
	if (tmpl_find(d->root, rt_sharedir(), kv_get(&c->ticket, "queue"), langs, nl, tname, &t) != 0) {
		rt_warn("#%s: no template %s: customer not told", c->id, tname);
		free(tname);
		goto out;
	}
	free(tname);
	v = tvars_new();
	for (size_t i = 0; i < c->ticket.n; i++) {
		s = xasprintf("ticket.%s", c->ticket.v[i].key);
		tvars_set(v, s, c->ticket.v[i].val);
		free(s);
	}
	tvars_set(v, "ticket.subject", kv_get(&c->ticket, "subject") ? kv_get(&c->ticket, "subject") : "");
	s = xasprintf("[%s #%s]", tag_of(d), c->id);
	tvars_set(v, "ticket.tag", s);
	free(s);
	tvars_set(v, "ticket.id", c->id);
	tvars_set(v, "status", to);
	tvars_set(v, "status.previous", from ? from : "");
	tvars_set(v, "desk.name", desk_cfg_str(d, "desk.name", "Support"));
	/* A status page link is personal: only in a mail to one requestor. */
	tvars_set(v, "requestor.status-url", s = r.n == 1 ? web_status_url(d, r.v[0]) : NULL);
	free(s);
	if (tmpl_render(&t, v, &subject, &body) == 0) {
		char *tagged = xasprintf("[%s #%s] %s", tag_of(d), c->id, subject ? subject : "");
		add_mail(c, name, &r, tagged, body, t.lang, 1, lz);
		free(tagged);
	} else
		rt_warn("#%s: %s", c->id, rt_errmsg());
	tvars_free(v);
	tmpl_free(&t);
	free(subject);
	free(body);
out:
	strv_free(r.v, r.n);
}

void
notify_precommit(struct change *c)
{
	struct what w;
	struct lazylog lz = { { NULL, 0 }, 0 };

	if (c->d == NULL || c->action == NULL || strcmp(c->action, "escalate") == 0)
		return;
	pick_up(c->d);
	scan(c, &w);
	if (!w.any)
		goto out;
	agents(c, &w, &lz);
	customer(c, &w, &lz);
out:
	free(w.mentions);
	log_free(&lz.log);
}

void
notify_postcommit(struct change *c, int rc)
{
	for (size_t i = 0; i < npending;) {
		if (pending[i].c != c) {
			i++;
			continue;
		}
		if (rc == 0) {
			pending[i++].c = NULL;
			continue;
		}
		journal_edit_locked(pending[i].rtdir, NULL, pending[i].jline);
		pend_free(&pending[i]);
		memmove(pending + i, pending + i + 1, (npending - i - 1) * sizeof(*pending));
		npending--;
	}
}

char *
notify_mentions(struct desk *d, const char *text, size_t len)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < len; i++) {
		size_t j = i + 1;
		char *name;
		if (text[i] != '@' || (i > 0 && !isspace((unsigned char)text[i - 1]) &&
		    !strchr("(,;:", text[i - 1])))
			continue;
		while (j < len && (isalnum((unsigned char)text[j]) || strchr("_.-", text[j])))
			j++;
		while (j > i + 1 && strchr(".-", text[j - 1]))
			j--;
		if (j == i + 1)
			continue;
		name = xstrndup(text + i + 1, j - i - 1);
		if (people_agent(d, name) && !(sb.buf && kv_list_has(sb.buf, name)))
			sbuf_addf(&sb, "%s%s", sb.len ? "," : "", name);
		free(name);
	}
	return sb.buf ? sbuf_detach(&sb) : NULL;
}
