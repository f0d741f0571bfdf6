/* newticket.c: opening a ticket by hand (see newticket.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "desk.h"
#include "fieldset.h"
#include "lang.h"
#include "mail.h"
#include "mailsend.h"
#include "newticket.h"
#include "text.h"
#include "util.h"

#define CHANNEL_MAX 32

static int
check_channel(const char *ch)
{
	size_t n = ch ? strlen(ch) : 0;

	if (n == 0 || n > CHANNEL_MAX || strspn(ch, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return rt_fail(EX_USAGE, "channel '%s' is not a word of a-z, 0-9 and '-' (phone, walk-in, mail, ...)",
		    ch ? ch : "");
	return 0;
}

static int
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

/* The ticket's fields: defaults, then the assignments, checked as rt-set does. */
static int
build_fields(struct desk *d, const struct newticket *nt, const char *email, struct kvmap *t)
{
	char now[RT_TIMELEN];
	int rc;

	kv_set(t, "status", "new");
	kv_set(t, "queue", desk_cfg_str(d, "desk.default-queue", "general"));
	kv_set(t, "priority", "normal");
	kv_set(t, "subject", nt->subject);
	kv_set(t, "requestors", email);
	kv_set(t, "channel", nt->channel);
	kv_set(t, "created", rt_fmttime(rt_now(), now));
	for (size_t i = 0; i < nt->nas; i++) {
		const struct assign *a = &nt->as[i];
		char *v;
		if (strcmp(a->field, "status") == 0)
			return rt_fail(EX_USAGE, "a new ticket starts as 'new'; change its status with rt-set");
		if (strcmp(a->field, "subject") == 0 || strcmp(a->field, "requestors") == 0)
			return rt_fail(EX_USAGE, "give the %s with its option, not as %s=",
			    a->field, a->field);
		if ((rc = field_settable(d, a->field)) != 0 ||
		    (rc = assign_value(d, t, a, &v)) != 0)
			return rc;
		kv_set(t, a->field, v);
		free(v);
	}
	return 0;
}

/* A Message-Id of the desk's domain: the message was written here. */
static char *
make_msgid(const char *desk_addr)
{
	const char *at = desk_addr ? strrchr(desk_addr, '@') : NULL;
	unsigned char rnd[8];
	char hex[sizeof(rnd) * 2 + 1];

	if (getentropy(rnd, sizeof(rnd)) != 0)
		memset(rnd, 0, sizeof(rnd));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	return xasprintf("rt-new.%lld.%s@%s", (long long)rt_now(), hex,
	    at && at[1] ? at + 1 : "localhost");
}

/* The request as a message from the requestor to the desk. */
static int
render(struct desk *d, const struct newticket *nt, char **buf, size_t *len, char **msgid)
{
	const char *desk_addr = desk_cfg_str(d, "desk.address", NULL);
	const char *extra[] = { "X-RT-Channel", nt->channel };
	char *id = make_msgid(desk_addr);
	struct outmail m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.message_id = id;
	m.from = nt->requestor;
	m.to = &desk_addr;
	m.nto = desk_addr != NULL;
	m.subject = nt->subject;
	m.body = nt->text;
	m.extra = extra;
	m.nextra = 1;
	m.parts = nt->file;
	m.nparts = nt->file != NULL;
	rc = outmail_render(&m, buf, len, msgid);
	free(id);
	return rc;
}

/* The number of mailboxes in the rendered message's From (parsed as a list). */
static size_t
from_count(struct mail *m)
{
	char *raw = mail_header_raw(m, "From"), *probe;
	struct mail *p;
	size_t n = 0;

	if (raw == NULL)
		return 0;
	probe = xasprintf("To: %s\n\n", raw);
	if (mail_parse_buf(probe, strlen(probe), &p) == 0) {
		n = p->nto;
		mail_free(p);
	}
	free(probe);
	free(raw);
	return n;
}

static char *
make_preview(const struct kvmap *t, const char *msg, size_t len)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].val)
			sbuf_addf(&sb, "%-12s %s\n", t->v[i].key, t->v[i].val);
	sbuf_addc(&sb, '\n');
	sbuf_add(&sb, msg, len);
	return sbuf_detach(&sb);
}

static int
store(struct desk *d, const struct kvmap *t, const char *msg, size_t len,
    const char *msgid, const struct mail *m, int arrival, ticket_id out)
{
	struct change c;
	struct kvmap *ev;
	char *file;
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return rc;
	if ((rc = change_create(&c, d, "new")) != 0)
		goto out;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].key, "status") != 0 && strcmp(t->v[i].key, "created") != 0)
			change_init_field(&c, t->v[i].key, t->v[i].val);
	if (kv_get(t, "language") == NULL)	/* as for mail (lang.h) */
		change_init_field(&c, "language", lang_detect(m->subject, m->text, NULL));
	kv_set(change_event(&c, "create"), "status", "new");
	file = change_add_file(&c, "eml", msg, len);
	ev = change_event(&c, "mail-in");
	kv_set(ev, "file", file);
	kv_set(ev, "message-id", msgid);
	kv_set(ev, "from", m->from.email);
	kv_set(ev, "subject", m->subject);
	kv_set(ev, "channel", kv_get(t, "channel"));
	if (arrival)
		kv_set(ev, "arrival", "pending");
	free(file);
	change_trailer(&c, "Message-Id", msgid);
	if ((rc = change_commit(&c, kv_get(&c.ticket, "subject"))) == 0)
		memcpy(out, c.id, sizeof(ticket_id));
out:
	change_free(&c);
	desk_unlock(d);
	return rc;
}

int
newticket_create(struct desk *d, const struct newticket *nt, int dry_run,
    ticket_id out, char **preview)
{
	struct kvmap t = KVMAP_INIT;
	struct newticket n;
	struct mail *m = NULL;
	char *msg = NULL, *msgid = NULL, *subject;
	size_t len;
	int rc;

	if (preview)
		*preview = NULL;
	if ((rc = check_channel(nt->channel)) != 0)
		return rc;
	if (blank(nt->subject))
		return rt_fail(EX_USAGE, "a new ticket needs a subject");
	if (blank(nt->text))
		return rt_fail(EX_DATAERR, "empty text, nothing stored");
	if (nt->requestor == NULL || strchr(nt->requestor, '@') == NULL)
		return rt_fail(EX_DATAERR, "requestor '%s' is not a mail address",
		    nt->requestor ? nt->requestor : "");
	subject = utf8_clean(nt->subject, strlen(nt->subject), 1);
	n = *nt;
	n.subject = subject;
	rc = render(d, &n, &msg, &len, &msgid);
	if (rc == 0 && (rc = mail_parse_buf(msg, len, &m)) == 0 &&
	    (m->from.email == NULL || *m->from.email == '\0'))
		rc = rt_fail(EX_DATAERR, "requestor '%s' is not a mail address", nt->requestor);
	else if (rc == 0 && from_count(m) != 1)
		rc = rt_fail(EX_DATAERR, "requestor '%s' is not one mail address", nt->requestor);
	if (rc == 0)
		rc = build_fields(d, &n, m->from.email, &t);
	if (rc == 0 && preview)
		*preview = make_preview(&t, msg, len);
	if (rc == 0 && !dry_run)
		rc = store(d, &t, msg, len, msgid, m, nt->arrival, out);
	if (m)
		mail_free(m);
	kv_free(&t);
	free(msg);
	free(msgid);
	free(subject);
	return rc;
}
