/*
 * ingest.c: storing one incoming message as a new ticket or a follow-up.
 *
 * Order matters for "never lose mail": the message is spooled and fsynced
 * first; it is parsed outside the lock; the commit is made under the desk
 * lock with objects and ref fsynced; only then is the spool removed.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "change.h"
#include "desk.h"
#include "ingest.h"
#include "mail.h"
#include "mailcmd.h"
#include "status.h"
#include "rating.h"
#include "txn.h"
#include "util.h"
#include "yamlio.h"

#define MAX_BYTES_DEFAULT (50L << 20)

int
quarantine_store(struct desk *d, const char *path, const char *reason, char **where)
{
	char stamp[RT_TIMELEN], hex[GIT_OID_HEXSZ + 1], *base, *eml, *meta, *subject;
	struct yemit *e = yemit_new();
	struct txn *t;
	git_oid oid;
	size_t len;
	int rc;

	if (git_odb_hashfile(&oid, path, GIT_OBJECT_BLOB) < 0)
		memset(&oid, 0, sizeof(oid));
	git_oid_tostr(hex, sizeof(hex), &oid);
	rt_fmttime(rt_now(), stamp);
	base = xasprintf("quarantine/%.7s/%.4s%.2s%.2sT%.2s%.2s%.2sZ-%.10s", stamp, stamp,
	    stamp + 5, stamp + 8, stamp + 11, stamp + 14, stamp + 17, hex);
	eml = xasprintf("%s.eml", base);
	meta = xasprintf("%s.yaml", base);
	yemit_map_start(e, 0);
	yemit_kv(e, "reason", reason);
	yemit_kv(e, "received", stamp);
	yemit_kv(e, "file", strrchr(eml, '/') + 1);
	yemit_map_end(e);
	{
		char *y = yemit_finish(e, &len);
		yemit_free(e);
		if (y == NULL) {
			free(base), free(eml), free(meta);
			return EX_SOFTWARE;
		}
		if ((rc = desk_lock(d)) == 0) {
			t = txn_begin(d);
			txn_put_file(t, eml, path);
			txn_put(t, meta, y, len);
			subject = xasprintf("quarantine: %s", reason);
			struct kvmap tr = KVMAP_INIT;
			kv_set(&tr, "Action", "quarantine");
			kv_set(&tr, "Actor", d->actor_name);
			rc = txn_commit(t, subject, &tr, NULL);
			kv_free(&tr);
			free(subject);
			txn_free(t);
			desk_unlock(d);
		}
		free(y);
	}
	if (rc == 0 && where)
		*where = xstrdup(eml);
	free(base);
	free(eml);
	free(meta);
	return rc;
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

/* The key that makes a second delivery of the same mail a duplicate. */
static char *
dedupe_key(struct mail *m, const char *path)
{
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];

	if (m->message_id && *m->message_id)
		return xstrdup(m->message_id);
	git_odb_hashfile(&oid, path, GIT_OBJECT_BLOB);
	git_oid_tostr(hex, sizeof(hex), &oid);
	return xasprintf("sha1:%s", hex);
}

/* Recipients other than the desk's own addresses become Cc of the ticket. */
static char *
cc_list(struct desk *d, struct mail *m)
{
	const char *own = desk_cfg_str(d, "desk.address", "");
	char *list = NULL, *next;

	for (size_t i = 0; i < m->nto + m->ncc; i++) {
		struct mail_addr *a = i < m->nto ? &m->to[i] : &m->cc[i - m->nto];
		if (a->email == NULL || *a->email == '\0' || strcasecmp(a->email, own) == 0)
			continue;
		if (m->from.email && strcasecmp(a->email, m->from.email) == 0)
			continue;
		if (strchr(a->email, ','))
			continue;
		next = kv_list_add(list, a->email);
		free(list);
		list = next;
	}
	return list;
}

static void
add_mail_event(struct change *c, struct mail *m, const char *file, const char *key)
{
	struct kvmap *ev = change_event(c, "mail-in");

	kv_set(ev, "file", file);
	kv_set(ev, "message-id", key);
	kv_set(ev, "from", m->from.email);
	kv_set(ev, "subject", m->subject);
	if (m->auto_submitted)
		kv_set(ev, "auto", "true");
}

static int
new_ticket(struct desk *d, struct mail *m, const char *path, const char *key,
    struct ingest_result *r)
{
	struct change c;
	char *file, *cc;
	int rc;

	if ((rc = change_create(&c, d, "ingest")) != 0)
		goto out;
	change_init_field(&c, "subject", *m->subject ? m->subject : "(no subject)");
	change_init_field(&c, "requestors", m->nreply_to && m->reply_to[0].email ?
	    m->reply_to[0].email : m->from.email);
	cc = cc_list(d, m);
	change_init_field(&c, "cc", cc);
	free(cc);
	change_init_field(&c, "channel", "mail");
	change_init_field(&c, "language", m->content_language);
	kv_set(change_event(&c, "create"), "status", "new");
	file = change_add_diskfile(&c, "eml", path);
	add_mail_event(&c, m, file, key);
	free(file);
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
follow_up(struct desk *d, struct mail *m, const char *path, const char *key,
    const char *id, struct ingest_result *r)
{
	struct change c;
	const char *st;
	char *file;
	int rc;

	if ((rc = change_begin(&c, d, id, "ingest")) != 0)
		goto out;
	file = change_add_diskfile(&c, "eml", path);
	add_mail_event(&c, m, file, key);
	free(file);
	/* A customer's answer reopens a resolved ticket and resumes a paused one
	 * (when the workflow allows it); an agent's mail does not (mailcmd.h);
	 * an answer to a survey that carries a rating only records it (rating.h). */
	st = kv_get(&c.ticket, "status");
	if (!mailcmd_hook(d, &c, m) && st && rating_hook(d, &c, m) == 0 &&
	    !m->auto_submitted && (status_is_done(st) || strcmp(st, "waiting") == 0))
		status_change(&c, "open", &(struct status_opts){ .via = "ingest" });
	change_trailer(&c, "Message-Id", m->message_id);
	if ((rc = change_commit(&c, m->subject)) == 0)
		memcpy(r->id, c.id, sizeof(r->id));
out:
	change_free(&c);
	return rc;
}

static int
store_locked(struct desk *d, struct mail *m, const char *path, struct ingest_result *r)
{
	char *key = dedupe_key(m, path);
	ticket_id found, id;
	int rc;

	if ((rc = cache_sync(d)) != 0)
		goto out;
	if (cache_find_msgid(d, key, found) == 0 && cache_resolve(d, found, id) == 0) {
		memcpy(r->id, id, sizeof(r->id));
		r->duplicate = 1;
		goto out;
	}
	if (ingest_thread(d, m, id) == 0)
		rc = follow_up(d, m, path, key, id, r);
	else
		rc = new_ticket(d, m, path, key, r);
out:
	free(key);
	return rc;
}

int
ingest_mail(struct desk *d, const char *path, size_t size, struct ingest_result *r)
{
	long max = (long)desk_cfg_int(d, "ingest.max-bytes", MAX_BYTES_DEFAULT);
	struct mail *m = NULL;
	char *reason = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((long)size > max)
		reason = xasprintf("message too large (%zu bytes, limit %ld)", size, max);
	else if ((rc = mail_parse_file(path, &m)) == EX_DATAERR)
		reason = str_starts(rt_errmsg(), "not a mail message") ? xstrdup(rt_errmsg()) :
		    xasprintf("not a mail message: %s", rt_errmsg());
	else if (rc != 0)
		return rc == EX_NOINPUT ? EX_TEMPFAIL : rc;
	if (reason) {
		rc = quarantine_store(d, path, reason, &r->quarantined);
		if (rc == 0)
			rc = rt_fail(EX_DATAERR, "%s (kept as %s)", reason, r->quarantined);
		free(reason);
		return rc;
	}
	if ((rc = desk_lock(d)) == 0) {
		rc = store_locked(d, m, path, r);
		desk_unlock(d);
		status_after(d, NULL, NULL);	/* stored: exec: and cascades may fail */
	}
	mail_free(m);
	return rc;
}
