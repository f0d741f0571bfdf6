/*
 * ingest.c: storing one incoming message as a new ticket or a follow-up.
 *
 * Order matters for "never lose mail": the message is spooled first (a
 * small one in memory, see spool.h); the bytes spooled are parsed outside
 * the lock and lent to the commit, never read again from a file; the
 * commit is made under the desk lock with objects and ref fsynced; only
 * then is the spool removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bounce.h"
#include "cache.h"
#include "change.h"
#include "dedupe.h"
#include "head.h"
#include "desk.h"
#include "ingest.h"
#include "lang.h"
#include "mail.h"
#include "mailcmd.h"
#include "status.h"
#include "statusquery.h"
#include "textindex.h"
#include "rating.h"
#include "ticket.h"
#include "txn.h"
#include "util.h"
#include "yamlio.h"

#define MAX_BYTES_DEFAULT (50L << 20)


int
quarantine_txn_commit(struct desk *d, struct txn *t, const char *subject)
{
	struct kvmap tr = KVMAP_INIT;
	char *msg = xasprintf("quarantine: %s", subject);
	int rc;

	kv_set(&tr, "Action", "quarantine");
	kv_set(&tr, "Actor", d->actor_name);
	rc = txn_commit(t, msg, &tr, NULL);
	kv_free(&tr);
	free(msg);
	txn_free(t);
	return rc;
}

/* The .yaml beside a quarantined file; NULL if it cannot be written. */
static char *
quarantine_meta(const char *eml, int whole, const char *kind, const char *reason,
    const char *stamp, size_t size, size_t *ylen)
{
	struct yemit *e = yemit_new();
	char *y;

	yemit_map_start(e, 0);
	yemit_kv(e, "reason", reason);
	if (kind)
		yemit_kv(e, "kind", kind);
	yemit_kv(e, "received", stamp);
	yemit_kv(e, "file", strrchr(eml, '/') + 1);
	yemit_key(e, "size");
	yemit_int(e, (long long)size);
	if (!whole)
		yemit_kv(e, "kept", "headers only");
	yemit_map_end(e);
	y = yemit_finish(e, ylen);
	yemit_free(e);
	return y;
}

/*
 * Commits buf under quarantine/ with the reason (and its kind, when
 * known) beside it; whole: buf is all of the input. The name is the
 * second and the blob id of buf: the same input refused the same way in
 * the same second is one entry (each arrival its own commit). An entry
 * of that name saying something else (the same head of two payloads,
 * the same bytes as mail and as an event) is not written over: the new
 * one is NAME-2, NAME-3, ...
 */
static int
quarantine_commit(struct desk *d, const char *buf, size_t len, int whole,
    const char *kind, const char *reason, size_t size, char **where)
{
	char stamp[RT_TIMELEN], hex[GIT_OID_HEXSZ + 1], *base, *eml = NULL, *meta = NULL, *y = NULL;
	struct txn *t;
	git_oid oid;
	size_t ylen;
	int rc;

	if (git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB) < 0)
		memset(&oid, 0, sizeof(oid));
	git_oid_tostr(hex, sizeof(hex), &oid);
	rt_fmttime(rt_now(), stamp);
	base = xasprintf("quarantine/%.7s/%.4s%.2s%.2sT%.2s%.2s%.2sZ-%.10s", stamp, stamp,
	    stamp + 5, stamp + 8, stamp + 11, stamp + 14, stamp + 17, hex);
	if ((rc = desk_lock(d)) != 0) {
		free(base);
		return rc;
	}
	for (int n = 1;; n++) {
		char *old;
		size_t olen;
		int same;

		eml = n == 1 ? xasprintf("%s.eml", base) : xasprintf("%s-%d.eml", base, n);
		meta = n == 1 ? xasprintf("%s.yaml", base) : xasprintf("%s-%d.yaml", base, n);
		if ((y = quarantine_meta(eml, whole, kind, reason, stamp, size, &ylen)) == NULL) {
			rc = EX_SOFTWARE;
			break;
		}
		if ((rc = desk_read_head(d, meta, &old, &olen)) != 0) {
			if (rc == EX_NOINPUT)	/* a free name */
				rc = 0;
			break;
		}
		same = olen == ylen && memcmp(old, y, ylen) == 0;
		free(old);
		if (same)
			break;
		free(eml), free(meta), free(y);
		eml = meta = y = NULL;
	}
	if (rc == 0) {
		t = txn_begin(d);
		txn_put_lent(t, eml, buf, len, NULL);
		txn_put(t, meta, y, ylen);
		rc = quarantine_txn_commit(d, t, reason);
	}
	desk_unlock(d);
	free(y);
	if (rc == 0 && where)
		*where = xstrdup(eml);
	free(base);
	free(eml);
	free(meta);
	return rc;
}

int
quarantine_store_kind(struct desk *d, const char *buf, size_t len, const char *kind,
    const char *reason, char **where)
{
	return quarantine_commit(d, buf, len, 1, kind, reason, len, where);
}

int
quarantine_store(struct desk *d, const char *buf, size_t len, const char *reason, char **where)
{
	return quarantine_store_kind(d, buf, len, NULL, reason, where);
}

#define SUMMARY_HEAD (64 << 10)

int
quarantine_summary(struct desk *d, const char *head, size_t len, size_t size,
    const char *reason, char **where)
{
	struct sbuf sb = SBUF_INIT;
	size_t n = len < SUMMARY_HEAD ? len : SUMMARY_HEAD, end = n;
	int rc;

	for (size_t i = 0; i + 1 < n; i++)
		if (head[i] == '\n' && (head[i + 1] == '\n' ||
		    (head[i + 1] == '\r' && i + 2 < n && head[i + 2] == '\n'))) {
			end = i + 1;
			break;
		}
	sbuf_add(&sb, head, end);
	sbuf_addf(&sb, "\n[rt-ingest: %zu bytes received, only the header section above is kept: %s]\n",
	    size, reason);
	rc = quarantine_commit(d, sb.buf, sb.len, 0, NULL, reason, size, where);
	sbuf_free(&sb);
	return rc;
}

int
quarantine_store_file(struct desk *d, const char *path, const char *reason, char **where)
{
	size_t max = ingest_max_bytes(d), len;
	struct stat st;
	char *buf = NULL;
	int rc, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = rt_fail(EX_TEMPFAIL, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if ((size_t)st.st_size > max) {
		buf = xmalloc(SUMMARY_HEAD);
		ssize_t n = read(fd, buf, SUMMARY_HEAD);	/* a short head is head enough */
		rc = quarantine_summary(d, buf, n > 0 ? (size_t)n : 0, (size_t)st.st_size,
		    reason, where);
		if (rc == 0)
			rc = quarantine_refused(reason, *where, 0);
	} else if (read_file(path, &buf, &len) < 0)
		rc = rt_fail(EX_TEMPFAIL, "cannot read '%s': %s", path, strerror(errno));
	else if ((rc = quarantine_store(d, buf, len, reason, where)) == 0)
		rc = quarantine_refused(reason, *where, 1);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

char *
quarantine_id(const char *where)
{
	const char *b = strrchr(where, '/'), *dot;

	b = b ? b + 1 : where;
	dot = strrchr(b, '.');
	return dot ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

/* What quarantine_refused adds after the reason for the entry at where. */
static char *
refused_note(const char *where, int whole)
{
	char *id = quarantine_id(where), *note;

	note = xasprintf(" (%skept in quarantine as %s)", whole ? "" : "headers ", id);
	free(id);
	return note;
}

int
quarantine_refused(const char *reason, const char *where, int whole)
{
	char *note = refused_note(where, whole);

	rt_fail(EX_DATAERR, "%s%s", reason, note);
	free(note);
	return EX_DATAERR;
}

char *
quarantine_reason(const char *msg, const char *where)
{
	size_t n = strlen(msg);

	for (int whole = 0; whole <= 1; whole++) {
		char *note = refused_note(where, whole);
		size_t k = strlen(note);
		int match = n >= k && strcmp(msg + n - k, note) == 0;

		free(note);
		if (match) {
			n -= k;
			break;
		}
	}
	return xstrndup(msg, n);
}

size_t
ingest_max_bytes(struct desk *d)
{
	long long max = desk_cfg_int(d, "ingest.max-bytes", MAX_BYTES_DEFAULT);

	return max > 0 ? (size_t)max : (size_t)MAX_BYTES_DEFAULT;
}

static int
known_ticket(struct desk *d, const char *id, ticket_id out)
{
	return cache_resolve(d, id, out);
}

int
ingest_thread(struct desk *d, struct mail *m, ticket_id out)
{
	ticket_id tag;

	if (id_from_subject(m->subject, tag) == 0 && known_ticket(d, tag, out) == 0)
		return 0;
	if (m->in_reply_to && cache_find_msgid(d, m->in_reply_to, tag) == 0 &&
	    known_ticket(d, tag, out) == 0)
		return 0;
	for (size_t i = m->nreferences; i-- > 0;)
		if (cache_find_msgid(d, m->references[i], tag) == 0 &&
		    known_ticket(d, tag, out) == 0)
			return 0;
	return -1;
}

/* How this message is keyed in the log: see "Duplicates" in rt-desk(5). */
struct dedupe {
	char *digest;		/* dedupe_digest() of the message */
	char *key;		/* message-id of its mail-in event */
	const char *reused;	/* its Message-Id, when another message had it first */
};

/* Is the mail-in event of msgid on ticket id the same message as digest? */
static int
same_message(struct desk *d, const char *id, const char *msgid, const char *digest)
{
	struct kvmap t = KVMAP_INIT;
	struct evlog log = { 0 };
	int same = 0;

	if (ticket_load(d, id, &t, &log) != 0)
		return 0;
	for (size_t i = 0; i < log.n && !same; i++) {
		const struct kvmap *ev = &log.ev[i];
		const char *mid = kv_get(ev, "message-id"), *dg = kv_get(ev, "digest");
		const char *file = kv_get(ev, "file");
		char *path, *buf, *old;
		size_t len;
		if (mid == NULL || strcmp(mid, msgid) != 0 || kv_get(ev, "ev") == NULL ||
		    (strcmp(kv_get(ev, "ev"), "mail-in") != 0 && strcmp(kv_get(ev, "ev"), "bounce") != 0))
			continue;
		if (dg) {
			same = strcmp(dg, digest) == 0;
			continue;
		}
		if (file == NULL || strstr(file, ".."))
			continue;
		path = ticket_path(id, file);	/* stored before digests were kept */
		if (desk_read_head(d, path, &buf, &len) == 0) {
			old = dedupe_digest(buf, len);
			same = strcmp(old, digest) == 0;
			free(old);
			free(buf);
		}
		free(path);
	}
	kv_free(&t);
	log_free(&log);
	return same;
}

/*
 * 0 with dd filled for a message to store; 1 with out set when the
 * desk already holds this very message.
 */
static int
dedupe_check(struct desk *d, struct mail *m, const char *buf, size_t len,
    struct dedupe *dd, ticket_id out)
{
	const char *msgid = m->message_id && *m->message_id ? m->message_id : NULL;
	ticket_id found;

	memset(dd, 0, sizeof(*dd));
	dd->digest = dedupe_digest(buf, len);
	if (cache_find_msgid(d, dd->digest, found) == 0)
		return cache_resolve(d, found, out) == 0;
	if (msgid == NULL) {
		/* desks before digests keyed a mail without Message-Id by its blob */
		git_oid oid;
		char hex[GIT_OID_HEXSZ + 1], *legacy;
		if (git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB) != 0)
			legacy = xstrdup("");	/* SHA1DC refused it: no old key matches */
		else
			legacy = xasprintf("sha1:%s", git_oid_tostr(hex, sizeof(hex), &oid));
		if (*legacy && cache_find_msgid(d, legacy, found) == 0 && cache_resolve(d, found, out) == 0) {
			free(legacy);
			return 1;
		}
		free(legacy);
		dd->key = xstrdup(dd->digest);
		return 0;
	}
	if (cache_find_msgid(d, msgid, found) == 0) {
		if (same_message(d, found, msgid, dd->digest))
			return cache_resolve(d, found, out) == 0;
		dd->reused = msgid;
		dd->key = xstrdup(dd->digest);
		return 0;
	}
	dd->key = xstrdup(msgid);
	return 0;
}

struct cc_item {
	const char *email;
	size_t pos;
};

static int
cmp_cc(const void *a, const void *b)
{
	const struct cc_item *x = a, *y = b;
	int c = strcmp(x->email, y->email);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int
cmp_cc_pos(const void *a, const void *b)
{
	const struct cc_item *x = a, *y = b;

	return (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * Recipients other than the desk's own addresses become Cc of the ticket,
 * each once, in order. Linear but for one sort: 100,000 Cc take a second.
 */
static char *
cc_list(struct desk *d, struct mail *m)
{
	const char *own = desk_cfg_str(d, "desk.address", "");
	struct cc_item *v = xcalloc(m->nto + m->ncc + 1, sizeof(*v));
	char *keep = xcalloc(m->nto + m->ncc + 1, 1);
	struct sbuf sb = SBUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < m->nto + m->ncc; i++) {
		struct mail_addr *a = i < m->nto ? &m->to[i] : &m->cc[i - m->nto];
		if (a->email == NULL || *a->email == '\0' || strcasecmp(a->email, own) == 0)
			continue;
		if (m->from.email && strcasecmp(a->email, m->from.email) == 0)
			continue;
		if (strchr(a->email, ','))
			continue;
		v[n].email = a->email;
		v[n].pos = n;
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_cc);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i].email, v[i - 1].email) != 0)
			keep[v[i].pos] = 1;
	qsort(v, n, sizeof(*v), cmp_cc_pos);
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		if (sb.len)
			sbuf_addc(&sb, ',');
		sbuf_adds(&sb, v[i].email);
	}
	free(keep);
	free(v);
	return sb.buf ? sbuf_detach(&sb) : NULL;
}

/* The bytes of the mail being stored, lent to its change (change_add_lent). */
struct raw {
	const char *buf;
	size_t len;
};

/* The mail's file in the ticket; the text index reads it from m, not again from the blob. */
static char *
add_mail_file(struct change *c, struct mail *m, const struct raw *raw)
{
	git_oid id;
	char *file = change_add_lent(c, "eml", raw->buf, raw->len, &id);

	textindex_remember(&id, m);
	return file;
}

static void
add_mail_event(struct change *c, struct mail *m, const char *file, const struct dedupe *dd)
{
	struct kvmap *ev = change_event(c, "mail-in");

	kv_set(ev, "file", file);
	kv_set(ev, "message-id", dd->key);
	kv_set(ev, "digest", dd->digest);
	if (dd->reused)
		kv_set(ev, "reused-id", dd->reused);
	kv_set(ev, "from", m->from.email);
	kv_set(ev, "subject", m->subject);
	if (m->auto_submitted)
		kv_set(ev, "auto", "true");
	if (m->spam)
		kv_set(ev, "spam", "true");
}

/*
 * For an archive import: when the message was written (Date), else when
 * it reached the first mail server that recorded it (topmost Received).
 */
static time_t
message_date(struct mail *m)
{
	char *rcvd, *semi;
	time_t t = m->date;

	if (t == 0 && (rcvd = mail_header_raw(m, "Received")) != NULL) {
		if ((semi = strrchr(rcvd, ';')) != NULL)
			t = mail_date_parse(semi + 1);
		free(rcvd);
	}
	return t;
}

/* An imported message keeps its own time t (0: arrival time). */
static void
date_events(struct change *c, time_t t, size_t first)
{
	char at[RT_TIMELEN];

	if (t == 0)
		return;
	rt_fmttime(t, at);
	for (size_t i = first; i < c->nevents; i++)
		kv_set(&c->events[i], "at", at);
	if (c->created)
		kv_set(&c->ticket, "created", at);
}

/* An admin must see that this mail was stored with rt.yaml's defaults. */
static void
add_config_warning(struct change *c, struct desk *d)
{
	if (d->config_error == NULL)
		return;
	kv_setf(change_event(c, "warning"), "text",
	    "stored with built-in defaults, rt.yaml is broken: %s", d->config_error);
}

/* A new ticket's language, not guessed before the lock (see ingest_mail). */
static const char LANG_LATER[] = "";

static int
new_ticket(struct desk *d, struct mail *m, const struct raw *raw, const struct dedupe *dd,
    time_t at, int flags, const char *lang, struct ingest_result *r)
{
	struct change c;
	char *file, *cc;
	int rc;

	if ((rc = change_create(&c, d, "ingest")) != 0)
		goto out;
	change_init_field(&c, "subject", *m->subject ? m->subject : "(no subject)");
	change_init_field(&c, "requestors", mail_reply_address(m));
	cc = cc_list(d, m);
	change_init_field(&c, "cc", cc);
	free(cc);
	change_init_field(&c, "channel", "mail");
	if (lang == LANG_LATER)
		lang = lang_detect(m->subject, m->text, NULL);
	change_init_field(&c, "language", lang);
	kv_set(change_event(&c, "create"), "status", "new");
	file = add_mail_file(&c, m, raw);
	add_mail_event(&c, m, file, dd);
	if (flags & INGEST_ARRIVAL)
		kv_set(&c.events[c.nevents - 1], "arrival", "pending");
	if ((flags & INGEST_ARRIVAL) && statusquery_asks(d, m))	/* no "new ticket" for agents */
		kv_set(&c.events[c.nevents - 1], "status-query", "true");
	free(file);
	date_events(&c, at, 0);
	add_config_warning(&c, d);
	change_trailer(&c, "Message-Id", m->message_id);
	if ((rc = change_commit(&c, kv_get(&c.ticket, "subject"))) == 0) {
		memcpy(r->id, c.id, sizeof(r->id));
		r->created = 1;
	}
out:
	change_free(&c);
	return rc;
}

static int
follow_up(struct desk *d, struct mail *m, const struct raw *raw, const struct dedupe *dd,
    time_t at, const char *id, struct ingest_result *r)
{
	struct change c;
	const char *st;
	char *file;
	int rc, waiting;

	if ((rc = change_begin(&c, d, id, "ingest")) != 0)
		goto out;
	file = add_mail_file(&c, m, raw);
	add_mail_event(&c, m, file, dd);
	free(file);
	date_events(&c, at, c.nevents - 1);
	/* A customer's answer reopens a resolved ticket and resumes a paused one
	 * (when the workflow allows it); an agent's mail does not (mailcmd.h);
	 * an answer to a survey that carries a rating only records it (rating.h). */
	st = kv_get(&c.ticket, "status");
	waiting = st && strcmp(st, "waiting") == 0;	/* st dies with the change */
	if (!mailcmd_hook(d, &c, m) && st && rating_hook(d, &c, m) == 0 &&
	    !m->auto_submitted && (status_is_done(st) || waiting) &&
	    status_change(&c, "open", &(struct status_opts){ .via = "ingest" }) == 0)
		/* rt-show --git-log tells a reopen by mail from an agent's */
		change_trailer(&c, "Reopened", waiting ?
		    "resumed by customer mail" : "reopened by customer mail");
	add_config_warning(&c, d);
	change_trailer(&c, "Message-Id", m->message_id);
	if ((rc = change_commit(&c, m->subject)) == 0) {
		memcpy(r->id, c.id, sizeof(r->id));
		(void)mailcmd_answer(d, &c, m);	/* the mail is stored whatever happens */
	}
out:
	change_free(&c);
	return rc;
}

/*
 * A bounce, abuse report or auto-reply to the desk's own mail: kept on
 * that ticket as a "bounce" event, which is no customer response and
 * reopens nothing; a failed recipient is marked bouncing (rt-show, rt-reply).
 */
static int
store_bounce(struct desk *d, struct mail *m, const struct raw *raw, const struct dedupe *dd,
    const struct bounce *b, struct ingest_result *r)
{
	struct change c;
	struct kvmap *ev;
	const char *addr = b->address;
	char *file, *first = NULL;
	int rc, failed;

	if ((rc = change_begin(&c, d, b->id, "ingest")) != 0)
		goto out;
	if (addr == NULL && kv_get(&c.ticket, "requestors")) {
		first = xstrdup(kv_get(&c.ticket, "requestors"));
		first[strcspn(first, ",")] = '\0';
		addr = first;
	}
	failed = strcmp(b->kind, "arf") == 0 || (strcmp(b->kind, "dsn") == 0 &&
	    (b->action == NULL || strncasecmp(b->action, "failed", 6) == 0));
	file = change_add_lent(&c, "eml", raw->buf, raw->len, NULL);
	ev = change_event(&c, "bounce");
	kv_set(ev, "file", file);
	kv_set(ev, "message-id", dd->key);
	kv_set(ev, "digest", dd->digest);
	kv_set(ev, "kind", b->kind);
	kv_set(ev, "refers", b->refers);
	kv_set(ev, "from", m->from.email);
	kv_set(ev, "subject", m->subject);
	if (strcmp(b->kind, "auto-reply") != 0) {
		kv_set(ev, "address", addr);
		kv_set(ev, "action", b->action);
		if (failed && addr)
			kv_set(ev, "bouncing", "true");
	}
	free(file);
	free(first);
	add_config_warning(&c, d);
	change_trailer(&c, "Message-Id", m->message_id);
	if ((rc = change_commit(&c, m->subject)) == 0)
		memcpy(r->id, c.id, sizeof(r->id));
out:
	change_free(&c);
	return rc;
}

static int
store_locked(struct desk *d, struct mail *m, const struct raw *raw, time_t at, int flags,
    const char *lang, struct ingest_result *r)
{
	struct dedupe dd;
	struct bounce b;
	ticket_id id;
	int rc;

	if ((rc = cache_sync(d)) != 0)
		return rc;
	if (dedupe_check(d, m, raw->buf, raw->len, &dd, id) == 1) {
		memcpy(r->id, id, sizeof(r->id));
		r->duplicate = 1;
	} else if (bounce_find(d, m, raw->buf, raw->len, &b)) {
		rc = store_bounce(d, m, raw, &dd, &b, r);
		bounce_free(&b);
	} else if (ingest_thread(d, m, id) == 0)
		rc = follow_up(d, m, raw, &dd, at, id, r);
	else
		rc = new_ticket(d, m, raw, &dd, at, flags, lang, r);
	free(dd.digest);
	free(dd.key);
	return rc;
}

int
ingest_mail(struct desk *d, const char *buf, size_t len, size_t size, int flags,
    struct ingest_result *r)
{
	const struct raw raw = { buf, len };
	size_t max = ingest_max_bytes(d);
	struct mail *m = NULL;
	char *reason = NULL;
	const char *lang;
	ticket_id tag;
	int rc;

	memset(r, 0, sizeof(*r));
	if (size > max) {
		reason = xasprintf("message too large (%zu bytes, limit %zu)", size, max);
		rc = quarantine_summary(d, buf, len, size, reason, &r->quarantined);
		if (rc == 0)
			rc = quarantine_refused(reason, r->quarantined, 0);
		free(reason);
		return rc;
	}
	if ((rc = mail_parse_buf(buf, len, &m)) == EX_DATAERR)
		reason = str_starts(rt_errmsg(), "not a mail message") ? xstrdup(rt_errmsg()) :
		    xasprintf("not a mail message: %s", rt_errmsg());
	else if (rc != 0)
		return rc == EX_NOINPUT ? EX_TEMPFAIL : rc;
	if (reason) {
		rc = quarantine_store(d, buf, len, reason, &r->quarantined);
		if (rc == 0)
			rc = quarantine_refused(reason, r->quarantined, 1);
		free(reason);
		return rc;
	}
	/*
	 * A new ticket's language, when the mail names none, from the text's
	 * stop words (lang.h): it depends on the mail only, so it is found
	 * before the lock, not while other writers wait for it. A mail that
	 * names a thread is nearly always a follow-up, which stores none: the
	 * rare one that opens a ticket is guessed under the lock.
	 */
	lang = m->content_language ? m->content_language :
	    m->in_reply_to || m->nreferences || id_from_subject(m->subject, tag) == 0 ? LANG_LATER :
	    lang_detect(m->subject, m->text, NULL);
	if ((rc = desk_lock(d)) == 0) {
		rc = store_locked(d, m, &raw, flags & INGEST_KEEP_DATES ? message_date(m) : 0,
		    flags, lang, r);
		desk_unlock(d);
		status_after(d, NULL, NULL);	/* stored: exec: and cascades may fail */
	}
	mail_free(m);
	return rc;
}
