/*
 * event.c: finding the events in a machine payload and mapping each to
 * a subject, a sender, a dedupe key and a thread key.
 *
 * Formats: JSON (one value; arrays hold one event per item), JSON Lines,
 * YAML (read through yamlio and mapped like JSON), CSV (phone call
 * records) and Nagios logs. Sources are told apart by the shape of each
 * object unless a hint names one. Keys ("message-id") are unique per
 * event: the source's own id where it has one (Slack ts, Matrix event
 * id, Mastodon and Twitter status ids), else a digest of the event's
 * canonical form, so a payload delivered twice is stored once. Thread
 * keys name what the event belongs to: the alert fingerprint, the
 * PagerDuty dedup_key, the Slack thread_ts, the Matrix event it relates
 * to, the Mastodon status it answers, the Nagios host and service.
 */
#include <ctype.h>
#include <git2.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "text.h"
#include "util.h"
#include "yamlio.h"

const char *const event_sources[] = {
	"alertmanager", "grafana", "pagerduty", "slack", "matrix", "mastodon",
	"twitter", "phone", "nagios", "ses", "sendgrid", "generic", NULL
};

/* Longest key, thread or sender kept (the cache digests long ids anyway). */
#define KEY_MAX 400
#define ARRAY_DEPTH_MAX 4
/* Of an alert group, what each alert's own text repeats: short scalars, in all. */
#define GROUP_SCALAR_MAX 256
#define GROUP_TEXT_MAX 4096

const struct event_limits event_limits_default = {
	EVENT_MAX_EVENTS, EVENT_MAX_DEPTH, EVENT_MAX_CSV_FIELDS, EVENT_MAX_LINE_BYTES
};

struct ctx {
	struct event_list *out;
	const char *hint;
	const struct event_limits *lim;
	size_t part;		/* items seen so far */
	size_t cap;		/* room in out->v */
	char **pool;		/* strings to free at the end */
	size_t npool, poolcap;
	json_t *item;		/* the JSON text of the next event, or NULL */
	const char *raw;	/* else its bytes in the payload */
	size_t rawlen;
	const char *rawext;
	int over;		/* more events than lim->max_events */
	struct event spare;	/* what add() fills once over the limit */
};

static const char *
keep(struct ctx *c, char *s)
{
	if (c->npool == c->poolcap) {
		c->poolcap = c->poolcap ? 2 * c->poolcap : 64;
		c->pool = xrealloc(c->pool, c->poolcap * sizeof(*c->pool));
	}
	c->pool[c->npool++] = s;
	return s;
}

static char *
sha1_hex(const void *buf, size_t len)
{
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];

	git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB);
	git_oid_tostr(hex, sizeof(hex), &oid);
	return xstrdup(hex);
}

/* Digest of a value's canonical form (sorted keys, compact). */
static const char *
jdigest(struct ctx *c, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *h = sha1_hex(s ? s : "", s ? strlen(s) : 0);

	free(s);
	return keep(c, h);
}

/*
 * Value at a dotted path; keys may hold dots themselves ("m.relates_to"),
 * so each level takes the shortest prefix that is a key.
 */
static json_t *
jget(json_t *o, const char *path)
{
	const char *p = path, *dot;
	json_t *v = o, *next;

	while (v && json_is_object(v)) {
		if ((next = json_object_get(v, p)) != NULL)
			return next;
		for (dot = strchr(p, '.'), next = NULL; dot && next == NULL; ) {
			char *k = xstrndup(p, (size_t)(dot - p));
			next = json_object_get(v, k);
			free(k);
			if (next == NULL)
				dot = strchr(dot + 1, '.');
		}
		if (next == NULL)
			return NULL;
		v = next;
		p = dot + 1;
	}
	return NULL;
}

/* Scalar at a dotted path as text; numbers are formatted. */
static const char *
js(struct ctx *c, json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	if (v == NULL)
		return NULL;
	if (json_is_string(v))
		return json_string_length(v) ? json_string_value(v) : NULL;
	if (json_is_integer(v))
		return keep(c, xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v)));
	return NULL;
}

static const char *
first(struct ctx *c, json_t *o, const char *const *paths)
{
	const char *s;

	for (; *paths; paths++)
		if ((s = js(c, o, *paths)) != NULL)
			return s;
	return NULL;
}

/* One line, valid UTF-8, at most max characters. */
static char *
clean(const char *s, size_t max)
{
	char *t = utf8_clean(s, strlen(s), 1);
	size_t i = utf8_prefix(t, max);

	if (t[i]) {
		t[i] = '\0';
		str_trim(t);
	}
	return t;
}

/* Text of an HTML fragment (Mastodon content): tags dropped, entities decoded. */
static char *
strip_html(const char *s)
{
	static const struct { const char *ent, *ch; } ents[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
		{ "&#39;", "'" }, { "&apos;", "'" }, { "&nbsp;", " " },
	};
	struct sbuf sb = SBUF_INIT;

	while (*s) {
		if (*s == '<') {
			const char *e = strchr(s, '>');
			if (e == NULL)
				break;
			if (sb.len && (str_casestarts(s, "<br") || str_casestarts(s, "</p") ||
			    str_casestarts(s, "<p")))
				sbuf_addc(&sb, ' ');
			s = e + 1;
			continue;
		}
		if (*s == '&') {
			size_t i;
			for (i = 0; i < LEN(ents); i++)
				if (str_starts(s, ents[i].ent))
					break;
			if (i < LEN(ents)) {
				sbuf_adds(&sb, ents[i].ch);
				s += strlen(ents[i].ent);
				continue;
			}
		}
		sbuf_addc(&sb, *s++);
	}
	return sbuf_detach(&sb);
}

static const char *
channel_of(const char *source)
{
	if (strcmp(source, "alertmanager") == 0 || strcmp(source, "grafana") == 0 ||
	    strcmp(source, "pagerduty") == 0 || strcmp(source, "nagios") == 0)
		return "monitoring";
	if (strcmp(source, "slack") == 0 || strcmp(source, "matrix") == 0)
		return "chat";
	if (strcmp(source, "mastodon") == 0 || strcmp(source, "twitter") == 0)
		return "social";
	if (strcmp(source, "phone") == 0)
		return "phone";
	if (strcmp(source, "ses") == 0 || strcmp(source, "sendgrid") == 0)
		return "mail";
	return "event";
}

static const char *
source_name(const char *s)
{
	for (size_t i = 0; event_sources[i]; i++)
		if (strcmp(s, event_sources[i]) == 0)
			return event_sources[i];
	return NULL;
}

/*
 * Adds an event. key and thread are given without the source prefix,
 * which is added here; a NULL thread means the event starts its own.
 */
/* The event's own text: its JSON item or its bytes in the payload. */
static void
set_text(struct ctx *c, struct event *e)
{
	char *s;

	if (c->item && (s = json_dumps(c->item, JSON_COMPACT | JSON_ENCODE_ANY)) != NULL) {
		e->textlen = strlen(s);
		e->text = xrealloc(s, e->textlen + 2);
		e->text[e->textlen++] = '\n';
		e->text[e->textlen] = '\0';
		e->ext = "json";
	} else if (c->raw) {
		int nl = c->rawlen && c->raw[c->rawlen - 1] == '\n';
		e->text = xmalloc(c->rawlen + 2);
		memcpy(e->text, c->raw, c->rawlen);
		e->textlen = c->rawlen;
		if (!nl)
			e->text[e->textlen++] = '\n';
		e->text[e->textlen] = '\0';
		e->ext = c->rawext;
	}
}

static struct event *
add(struct ctx *c, const char *source, const char *key, const char *thread,
    const char *ref, const char *subject, const char *from)
{
	struct event_list *l = c->out;
	struct event *e;
	char *s;

	if (l->n >= c->lim->max_events) {
		/* Refused as a whole; the caller's later writes go to a scratch event. */
		c->over = 1;
		free(c->spare.severity);
		memset(&c->spare, 0, sizeof(c->spare));
		return &c->spare;
	}
	if (l->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		l->v = xrealloc(l->v, c->cap * sizeof(*l->v));
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	set_text(c, e);
	e->source = source_name(source);
	e->channel = channel_of(source);
	s = xasprintf("%s:%s", source, key);
	e->key = clean(s, KEY_MAX);
	free(s);
	s = xasprintf("%s:%s", source, thread ? thread : key);
	e->thread = clean(s, KEY_MAX);
	free(s);
	if (ref) {
		s = xasprintf("%s:%s", source, ref);
		e->ref = clean(s, KEY_MAX);
		free(s);
	}
	e->subject = clean(subject && *subject ? subject : "(no subject)", EVENT_SUBJECT_MAX);
	if (*e->subject == '\0') {
		free(e->subject);
		e->subject = xstrdup("(no subject)");
	}
	e->from = clean(from && *from ? from : "unknown", KEY_MAX);
	e->part = c->part;
	return e;
}

static void
set_severity(struct event *e, const char *sev)
{
	if (sev && *sev) {
		free(e->severity);
		e->severity = clean(sev, 32);
		str_lower(e->severity);
	}
}

/* Alertmanager and Grafana webhooks: one event per alert. */
static size_t
map_alerts(struct ctx *c, json_t *o, const char *source)
{
	static const char *const summaries[] = {
		"annotations.summary", "annotations.description", "annotations.message", NULL
	};
	json_t *alerts = json_object_get(o, "alerts"), *a, *group = json_object(), *one, *v;
	const char *receiver = js(c, o, "receiver"), *k;
	const char *from = receiver ? keep(c, xasprintf("%s:%s", source, receiver)) : source;
	json_t *item = c->item;
	size_t i, n = 0, room = GROUP_TEXT_MAX, cost;

	/*
	 * Each alert's text: the group's short scalars and that alert alone,
	 * so that N alerts never cost N copies of a large group.
	 */
	json_object_foreach(o, k, v) {
		if (json_is_string(v) && json_string_length(v) <= GROUP_SCALAR_MAX)
			cost = strlen(k) + json_string_length(v);
		else if (json_is_number(v) || json_is_boolean(v))
			cost = strlen(k) + 24;
		else
			continue;
		if (cost > room)
			break;
		room -= cost;
		json_object_set(group, k, v);
	}
	json_object_set_new(group, "alerts", one = json_array());
	c->item = group;
	json_array_foreach(alerts, i, a) {
		if (c->over)
			break;
		if (!json_is_object(a))
			continue;
		json_array_clear(one);
		json_array_append(one, a);
		const char *fp = js(c, a, "fingerprint"), *name = js(c, a, "labels.alertname");
		const char *summ = first(c, a, summaries), *st = js(c, a, "status");
		const char *thread, *subject;
		if (summ == NULL)
			summ = js(c, o, "commonAnnotations.summary");
		if (st == NULL)
			st = js(c, o, "status");
		thread = fp ? fp : keep(c, xasprintf("labels:%s",
		    jdigest(c, json_object_get(a, "labels"))));
		if (name && summ && strcmp(name, summ) != 0)
			subject = keep(c, xasprintf("%s: %s", name, summ));
		else
			subject = summ ? summ : name ? name : "alert";
		struct event *e = add(c, source, keep(c, xasprintf("sha1:%s", jdigest(c, a))),
		    thread, NULL, subject, from);
		e->state = st && strcmp(st, "resolved") == 0 ? "resolved" : "firing";
		e->incident = 1;
		set_severity(e, js(c, a, "labels.severity"));
		n++;
	}
	c->item = item;
	json_decref(group);
	return n;
}

/* PagerDuty Events API v2 (trigger, acknowledge, resolve) and webhooks v3. */
static size_t
map_pagerduty(struct ctx *c, json_t *o)
{
	static const char *const froms[] = { "payload.source", "client", "routing_key", NULL };
	const char *action = js(c, o, "event_action"), *dk = js(c, o, "dedup_key");
	const char *key = keep(c, xasprintf("sha1:%s", jdigest(c, o)));
	const char *subject, *from;
	struct event *e;

	if (action == NULL) {
		/* Webhook v3: {"event": {"event_type": "incident.resolved", "data": {...}}} */
		json_t *ev = json_object_get(o, "event");
		const char *type = js(c, ev, "event_type"), *id = js(c, ev, "id");
		const char *rtype = js(c, ev, "resource_type"), *did = js(c, ev, "data.id");
		const char *title = js(c, ev, "data.title");
		if (type == NULL)
			return 0;
		if (title == NULL)
			title = js(c, ev, "data.summary");
		subject = keep(c, xasprintf("%s (%s)", title ? title : "PagerDuty", type));
		e = add(c, "pagerduty", id ? id : key,
		    did && rtype ? keep(c, xasprintf("%s:%s", rtype, did)) : NULL, NULL, subject,
		    js(c, ev, "agent.summary"));
		if (rtype && strcmp(rtype, "incident") == 0) {
			e->incident = 1;
			e->state = strcmp(type, "incident.resolved") == 0 ? "resolved" :
			    strcmp(type, "incident.acknowledged") == 0 ? "acknowledged" :
			    strcmp(type, "incident.triggered") == 0 ? "firing" : NULL;
		}
		return 1;
	}
	subject = js(c, o, "payload.summary");
	if (subject == NULL)
		subject = keep(c, xasprintf("PagerDuty %s%s%s", action, dk ? " " : "", dk ? dk : ""));
	from = first(c, o, froms);
	from = keep(c, xasprintf("pagerduty:%s", from ? from : "unknown"));
	e = add(c, "pagerduty", key, dk, NULL, subject, from);
	e->incident = 1;
	e->state = strcmp(action, "resolve") == 0 ? "resolved" :
	    strcmp(action, "acknowledge") == 0 ? "acknowledged" : "firing";
	set_severity(e, js(c, o, "payload.severity"));
	return 1;
}

/* A Slack message (export, history or Events API "event"). */
static size_t
map_slack(struct ctx *c, json_t *o, const char *channel)
{
	static const char *const froms[] = { "user", "bot_id", "username", NULL };
	const char *type = js(c, o, "type"), *ts = js(c, o, "ts"), *text = js(c, o, "text");
	const char *tts = js(c, o, "thread_ts"), *from, *pre, *key, *thread;

	if (type && strcmp(type, "event_callback") == 0 && json_is_object(json_object_get(o, "event")))
		return map_slack(c, json_object_get(o, "event"), NULL);
	/* Without a type only when --source says it is Slack. */
	if ((type ? strcmp(type, "message") != 0 : c->hint == NULL) || ts == NULL || text == NULL)
		return 0;
	if (channel == NULL)
		channel = js(c, o, "channel");
	pre = channel ? keep(c, xasprintf("%s:", channel)) : "";
	key = keep(c, xasprintf("%s%s", pre, ts));
	thread = keep(c, xasprintf("%s%s", pre, tts ? tts : ts));
	from = first(c, o, froms);
	add(c, "slack", key, thread, tts && strcmp(tts, ts) != 0 ? thread : NULL, text,
	    from ? keep(c, xasprintf("slack:%s", from)) : NULL);
	return 1;
}

/* A Matrix room event with a text body. */
static size_t
map_matrix(struct ctx *c, json_t *o)
{
	const char *body = js(c, o, "content.body"), *id = js(c, o, "event_id"), *rel;
	json_t *rt = json_object_get(json_object_get(o, "content"), "m.relates_to");

	if (body == NULL)
		return 0;
	if ((rel = js(c, rt, "event_id")) == NULL)
		rel = js(c, rt, "m.in_reply_to.event_id");
	add(c, "matrix", id ? id : keep(c, xasprintf("sha1:%s", jdigest(c, o))), rel, rel, body,
	    js(c, o, "sender"));
	return 1;
}

/* A Mastodon status; notifications and contexts hold statuses. */
static size_t
map_mastodon(struct ctx *c, json_t *o)
{
	const char *id = js(c, o, "id"), *acct = js(c, o, "account.acct");
	const char *irt = js(c, o, "in_reply_to_id"), *spoiler = js(c, o, "spoiler_text");
	const char *content = js(c, o, "content"), *url = js(c, o, "account.url"), *from = NULL;
	char *text;

	if (json_is_object(json_object_get(o, "status")))
		return map_mastodon(c, json_object_get(o, "status"));
	if (content == NULL && json_is_object(json_object_get(o, "reblog")))
		return map_mastodon(c, json_object_get(o, "reblog"));
	if (content == NULL || id == NULL)
		return 0;
	if (acct && strchr(acct, '@'))
		from = keep(c, xasprintf("@%s", acct));
	else if (acct) {
		/* A local account: the instance is the host of its profile URL. */
		const char *h = url && strstr(url, "://") ? strstr(url, "://") + 3 : NULL;
		size_t hl = h ? strcspn(h, "/") : 0;
		from = hl ? keep(c, xasprintf("@%s@%.*s", acct, (int)hl, h)) :
		    keep(c, xasprintf("@%s", acct));
	}
	text = strip_html(spoiler ? spoiler : content);
	add(c, "mastodon", id, irt, irt, text, from);
	free(text);
	return 1;
}

/* Twitter API v2 ({"data": ..., "includes": {"users": ...}}) and v1.1 tweets. */
static size_t
map_twitter(struct ctx *c, json_t *o)
{
	json_t *data = json_object_get(o, "data"), *t, *users, *u, *names, *item = c->item;
	size_t i, j, n = 0;

	if (data == NULL) {
		/* v1.1 */
		const char *text = js(c, o, "full_text"), *id = js(c, o, "id_str");
		const char *irt = js(c, o, "in_reply_to_status_id_str");
		const char *sn = js(c, o, "user.screen_name");
		if (text == NULL)
			text = js(c, o, "text");
		if (id == NULL)
			id = js(c, o, "id");
		if (text == NULL || id == NULL)
			return 0;
		add(c, "twitter", id, irt, irt, text, sn ? keep(c, xasprintf("@%s", sn)) : NULL);
		return 1;
	}
	/* Usernames by id, looked up once per tweet. */
	users = json_object_get(json_object_get(o, "includes"), "users");
	names = json_object();
	json_array_foreach(users, j, u)
		if (js(c, u, "id") && js(c, u, "username"))
			json_object_set(names, js(c, u, "id"), json_object_get(u, "username"));
	for (i = 0; i < (json_is_array(data) ? json_array_size(data) : 1) && !c->over; i++) {
		t = json_is_array(data) ? json_array_get(data, i) : data;
		const char *text = js(c, t, "text"), *id = js(c, t, "id");
		const char *conv = js(c, t, "conversation_id"), *author = js(c, t, "author_id");
		const char *ref = NULL, *from = NULL;
		json_t *refs = json_object_get(t, "referenced_tweets"), *r;
		if (text == NULL || id == NULL)
			continue;
		json_array_foreach(refs, j, r)
			if (js(c, r, "type") && strcmp(js(c, r, "type"), "replied_to") == 0)
				ref = js(c, r, "id");
		if (author && json_string_length(json_object_get(names, author)))
			from = keep(c, xasprintf("@%s",
			    json_string_value(json_object_get(names, author))));
		if (from == NULL && author)
			from = keep(c, xasprintf("twitter:%s", author));
		if (json_is_array(data))
			c->item = json_pack("{sO}", "data", t);
		add(c, "twitter", id, conv, ref, text, from);
		if (json_is_array(data)) {
			json_decref(c->item);
			c->item = item;
		}
		n++;
	}
	json_decref(names);
	return n;
}

/* Anything else: the first of the usual names for a subject and a sender. */
static size_t
map_generic(struct ctx *c, json_t *o, const char *source)
{
	static const char *const subjects[] = {
		"title", "summary", "subject", "text", "message", "content", "body", NULL
	};
	static const char *const bodies[] = { "text", "message", "content", "description", NULL };
	static const char *const froms[] = {
		"user", "from", "account", "author", "sender", "user.name", "from.address",
		"account.name", "author.name", "sender.name", NULL
	};
	static const char *const threads[] = {
		"thread", "thread_id", "conversation_id", "in_reply_to", NULL
	};
	const char *subject = first(c, o, subjects), *thread = first(c, o, threads);

	if (subject == NULL && (subject = first(c, o, bodies)) == NULL)
		return 0;
	add(c, source, keep(c, xasprintf("sha1:%s", jdigest(c, o))),
	    thread ? keep(c, xasprintf("thread:%s", thread)) : NULL, NULL, subject,
	    first(c, o, froms));
	return 1;
}

/* "<id@host>" or "id@host" as "id@host", or NULL. */
static char *
bare_msgid(const char *s)
{
	const char *lt = s ? strchr(s, '<') : NULL, *gt = lt ? strchr(lt, '>') : NULL;
	char *id, *out;

	if (s == NULL || *s == '\0')
		return NULL;
	id = lt && gt ? xstrndup(lt + 1, (size_t)(gt - lt - 1)) : xstrdup(s);
	out = clean(id, KEY_MAX);
	free(id);
	return *out ? out : (free(out), NULL);
}

static int json_too_deep(const char *buf, size_t len, size_t max);

/* One report on one recipient of the desk's mail. */
static void
add_report(struct ctx *c, const char *source, const char *key, const char *report,
    const char *address, const char *action, const char *refers, const char *subject,
    const char *from)
{
	char *subj = subject && *subject ? xasprintf("%s %s: %s", report, address, subject) :
	    xasprintf("%s %s", report, address);
	struct event *e = add(c, source, key, NULL, NULL, subj, from);

	free(subj);
	e->report = strcmp(report, "complaint") == 0 ? "complaint" : "bounce";
	free(e->address);
	e->address = clean(address, KEY_MAX);
	str_lower(e->address);
	free(e->refers);
	e->refers = bare_msgid(refers);
	e->action = action;
}

/* The original mail's Message-Id in an SES notification. */
static const char *
ses_msgid(struct ctx *c, json_t *mail)
{
	const char *id = js(c, mail, "commonHeaders.messageId");
	json_t *h;
	size_t i;

	if (id)
		return id;
	json_array_foreach(json_object_get(mail, "headers"), i, h) {
		const char *name = js(c, h, "name");
		if (name && strcasecmp(name, "Message-ID") == 0)
			return js(c, h, "value");
	}
	return NULL;
}

/*
 * Amazon SES: a bounce or complaint notification, bare or in an SNS
 * envelope (whose Message is the notification as a JSON string).
 */
static size_t
map_ses(struct ctx *c, json_t *o)
{
	const char *type = js(c, o, "notificationType"), *msg = js(c, o, "Message");
	const char *fb, *refers, *subject, *action, *list;
	json_t *mail, *r, *inner;
	size_t n = 0, i;

	if (type == NULL)
		type = js(c, o, "eventType");
	if (type == NULL && msg && !json_too_deep(msg, strlen(msg), c->lim->max_depth) &&
	    (inner = json_loads(msg, JSON_REJECT_DUPLICATES, NULL)) != NULL) {
		json_t *item = c->item;
		n = json_is_object(inner) ? map_ses(c, inner) : 0;
		c->item = item;
		json_decref(inner);
		return n;
	}
	if (type == NULL || (strcmp(type, "Bounce") && strcmp(type, "Complaint")))
		return 0;	/* deliveries, subscription confirmations: no report */
	mail = json_object_get(o, "mail");
	refers = ses_msgid(c, mail);
	subject = js(c, mail, "commonHeaders.subject");
	if (strcmp(type, "Bounce") == 0) {
		const char *bt = js(c, o, "bounce.bounceType");
		fb = js(c, o, "bounce.feedbackId");
		action = bt && strcmp(bt, "Transient") == 0 ? "delayed" : "failed";
		list = "bouncedRecipients";
		r = jget(o, "bounce");
	} else {
		fb = js(c, o, "complaint.feedbackId");
		action = "failed";
		list = "complainedRecipients";
		r = jget(o, "complaint");
	}
	json_array_foreach(json_object_get(r, list), i, inner) {
		const char *addr = js(c, inner, "emailAddress");
		if (addr == NULL || c->over)
			continue;
		add_report(c, "ses", keep(c, xasprintf("%s:%s", fb ? fb : jdigest(c, o), addr)),
		    strcmp(type, "Bounce") == 0 ? "bounce" : "complaint", addr, action, refers,
		    subject, js(c, o, strcmp(type, "Bounce") == 0 ? "bounce.reportingMTA" :
		    "complaint.userAgent"));
		n++;
	}
	return n;
}

/*
 * SendGrid: an item of the event webhook (bounce, dropped, blocked,
 * spamreport) or of the older bounce list (email, reason, status).
 */
static size_t
map_sendgrid(struct ctx *c, json_t *o)
{
	const char *ev = js(c, o, "event"), *addr = js(c, o, "email"), *status = js(c, o, "status");
	const char *id = js(c, o, "sg_event_id"), *report = "bounce", *action = "failed";

	if (addr == NULL)
		return 0;
	if (ev == NULL && js(c, o, "reason") == NULL)
		return 0;
	if (ev && strcmp(ev, "spamreport") == 0)
		report = "complaint";
	else if (ev && strcmp(ev, "blocked") == 0)
		action = "delayed";
	else if (ev && strcmp(ev, "bounce") && strcmp(ev, "dropped"))
		return 0;	/* delivered, opened, clicked...: no report */
	if ((ev == NULL && status && status[0] == '4') ||
	    (js(c, o, "type") && strcmp(js(c, o, "type"), "blocked") == 0))
		action = "delayed";
	add_report(c, "sendgrid", id ? id : jdigest(c, o), report, addr, action,
	    js(c, o, "smtp-id"), js(c, o, "reason"), "sendgrid");
	return 1;
}

/* The source of one JSON object by its shape. */
static const char *
detect_object(json_t *o)
{
	json_t *v;
	const char *type = json_string_value(json_object_get(o, "type"));

	if (json_is_array(json_object_get(o, "alerts")) &&
	    (json_object_get(o, "groupKey") || json_object_get(o, "status")))
		return json_object_get(o, "orgId") || json_object_get(o, "state") ?
		    "grafana" : "alertmanager";
	if (json_object_get(o, "event_action") &&
	    (json_object_get(o, "routing_key") || json_object_get(o, "dedup_key")))
		return "pagerduty";
	if ((v = json_object_get(o, "event")) && json_object_get(v, "event_type") &&
	    json_object_get(v, "resource_type"))
		return "pagerduty";
	if (type && (strcmp(type, "message") == 0 || strcmp(type, "event_callback") == 0) &&
	    (json_object_get(o, "ts") || json_object_get(o, "event")))
		return "slack";
	if (type && str_starts(type, "m.") &&
	    (json_object_get(o, "event_id") || json_object_get(o, "room_id") ||
	    json_is_object(json_object_get(o, "content"))))
		return "matrix";
	if (json_is_object(json_object_get(o, "account")) &&
	    (json_is_string(json_object_get(o, "content")) ||
	    json_is_object(json_object_get(o, "status"))))
		return "mastodon";
	if (json_is_array(json_object_get(o, "ancestors")) ||
	    json_is_array(json_object_get(o, "descendants")))
		return "mastodon";
	if (json_object_get(o, "data") && (json_object_get(o, "includes") ||
	    json_object_get(o, "__twarc") || json_object_get(json_object_get(o, "data"), "text") ||
	    json_object_get(json_object_get(o, "data"), "edit_history_tweet_ids")))
		return "twitter";
	if (json_object_get(o, "notificationType") || (json_object_get(o, "eventType") &&
	    json_object_get(o, "mail")) || (json_is_string(json_object_get(o, "Type")) &&
	    strcmp(json_string_value(json_object_get(o, "Type")), "Notification") == 0 &&
	    json_object_get(o, "TopicArn") && json_is_string(json_object_get(o, "Message"))))
		return "ses";
	if (json_is_string(json_object_get(o, "email")) && (json_object_get(o, "sg_event_id") ||
	    json_object_get(o, "smtp-id") || (json_object_get(o, "reason") &&
	    (json_object_get(o, "status") || json_object_get(o, "created")))))
		return "sendgrid";
	if ((json_object_get(o, "full_text") || json_object_get(o, "text")) &&
	    json_is_object(json_object_get(o, "user")) &&
	    json_object_get(json_object_get(o, "user"), "screen_name"))
		return "twitter";
	return "generic";
}

static size_t
map_object(struct ctx *c, json_t *o)
{
	const char *src = c->hint ? c->hint : detect_object(o);
	json_t *v;
	size_t n = 0, i;

	if (strcmp(src, "alertmanager") == 0 || strcmp(src, "grafana") == 0)
		return map_alerts(c, o, src);
	if (strcmp(src, "pagerduty") == 0)
		return map_pagerduty(c, o);
	if (strcmp(src, "slack") == 0)
		return map_slack(c, o, NULL);
	if (strcmp(src, "matrix") == 0)
		return map_matrix(c, o);
	if (strcmp(src, "mastodon") == 0) {
		json_t *lists[] = { json_object_get(o, "ancestors"), json_object_get(o, "descendants") };
		if (!json_is_array(lists[0]) && !json_is_array(lists[1]))
			return map_mastodon(c, o);
		json_t *item = c->item;
		for (size_t k = 0; k < LEN(lists); k++)
			json_array_foreach(lists[k], i, v)
				if (json_is_object(v) && !c->over) {
					c->item = v;
					n += map_mastodon(c, v);
				}
		c->item = item;
		return n;
	}
	if (strcmp(src, "twitter") == 0)
		return map_twitter(c, o);
	if (strcmp(src, "ses") == 0)
		return map_ses(c, o);
	if (strcmp(src, "sendgrid") == 0)
		return map_sendgrid(c, o);
	return map_generic(c, o, src);
}

/* A value of the payload: an object is an item, an array holds items. */
static void
map_value(struct ctx *c, json_t *v, int depth)
{
	size_t i;
	json_t *item;

	if (json_is_array(v) && depth < ARRAY_DEPTH_MAX) {
		json_array_foreach(v, i, item)
			if (!c->over)
				map_value(c, item, depth + 1);
		return;
	}
	size_t before = c->out->n;
	const char *digest = NULL;

	c->part++;
	c->item = v;
	if (!json_is_object(v) || map_object(c, v) == 0) {
		c->item = NULL;
		c->out->skipped++;
		return;
	}
	c->item = NULL;
	/* A source's own id may come again with other content (an edit). */
	for (size_t k = before; k < c->out->n; k++)
		if (strstr(c->out->v[k].key, ":sha1:") == NULL) {
			if (digest == NULL)
				digest = jdigest(c, v);
			c->out->v[k].digest = xstrdup(digest);
		}
}

/* YAML node tree as a JSON value: scalars are strings, null is null. */
static json_t *
ynode_to_json(const struct ynode *n)
{
	json_t *v;

	switch (n->kind) {
	case Y_SCALAR:
		return yscalar_is_null(n) ? json_null() : json_string(n->value);
	case Y_SEQ:
		v = json_array();
		for (size_t i = 0; i < n->n; i++)
			json_array_append_new(v, ynode_to_json(n->items[i]));
		return v;
	case Y_MAP:
		v = json_object();
		for (size_t i = 0; i < n->n; i++)
			json_object_set_new(v, n->keys[i], ynode_to_json(n->items[i]));
		return v;
	}
	return json_null();
}

/* ---- line formats ---- */

enum { CSV_OPEN_QUOTE = -1, CSV_TOO_MANY_FIELDS = -2, CSV_TOO_LONG = -3 };

/*
 * Splits one CSV record (RFC 4180) at *pos; returns 0, or one of the
 * CSV_ errors with nothing allocated: an open quote at the end, more
 * than lim->max_csv_fields fields, more than lim->max_line_bytes bytes.
 */
static int
csv_record(const char *buf, size_t len, size_t *pos, const struct event_limits *lim,
    char ***cells, size_t *n)
{
	struct sbuf cell = SBUF_INIT;
	size_t i = *pos, cap = 0;
	int quoted = 0, in_quotes = 0, err = 0;

	*cells = NULL;
	*n = 0;
	for (;;) {
		char ch = i < len ? buf[i] : '\n';
		if (i - *pos > lim->max_line_bytes)
			err = CSV_TOO_LONG;
		else if (in_quotes && i >= len)
			err = CSV_OPEN_QUOTE;
		if (err) {
			sbuf_free(&cell);
			strv_free(*cells, *n);
			*cells = NULL, *n = 0;
			return err;
		}
		if (in_quotes) {
			if (ch == '"' && i + 1 < len && buf[i + 1] == '"')
				sbuf_addc(&cell, '"'), i += 2;
			else if (ch == '"')
				in_quotes = 0, i++;
			else
				sbuf_addc(&cell, ch), i++;
			continue;
		}
		if (ch == '"' && !quoted && cell.len == 0) {
			in_quotes = quoted = 1;
			i++;
			continue;
		}
		if (ch == ',' || ch == '\n' || ch == '\r') {
			if (*n == lim->max_csv_fields) {
				err = CSV_TOO_MANY_FIELDS;
				continue;
			}
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				*cells = xrealloc(*cells, cap * sizeof(**cells));
			}
			(*cells)[(*n)++] = cell.buf ? sbuf_detach(&cell) : xstrdup("");
			quoted = 0;
			if (ch == ',') {
				i++;
				continue;
			}
			if (ch == '\r' && i + 1 < len && buf[i + 1] == '\n')
				i++;
			*pos = i + 1;
			return 0;
		}
		sbuf_addc(&cell, ch);
		i++;
	}
}

enum { F_FROM, F_TO, F_ID, F_START, F_DURATION, F_DISPOSITION, F_N };

/* Column names of the usual CDR exports, per field. */
static const char *const csv_names[F_N][7] = {
	[F_FROM] = { "caller_id_number", "src", "caller", "from", "cidnum", "calling_number", NULL },
	[F_TO] = { "destination_number", "dst", "callee", "to", "exten", "called_number", NULL },
	[F_ID] = { "linkedid", "callid", "call_id", "uniqueid", "id", NULL },
	[F_START] = { "starting_date", "start", "calldate", "start_time", "eventtime", NULL },
	[F_DURATION] = { "duration", "billsec", NULL },
	[F_DISPOSITION] = { "disposition", "eventtype", "status", "hangup_cause", NULL },
};

static int
csv_col(char **head, size_t nhead, int field)
{
	for (size_t k = 0; csv_names[field][k]; k++)
		for (size_t j = 0; j < nhead; j++)
			if (strcasecmp(str_trim(head[j]), csv_names[field][k]) == 0)
				return (int)j;
	return -1;
}

static int
parse_csv(struct ctx *c, const char *buf, size_t len)
{
	/* Asterisk's Master.csv (CDR) and CEL layouts have no header line. */
	static const int cdr[F_N] = { 1, 2, 16, 9, 12, 14 }, cel[F_N] = { 3, 7, 15, 1, -1, 0 };
	int col[F_N], rc;
	char **cells, **head = NULL;
	size_t n, nhead = 0, pos = 0, start, line = 0, headlen = 0;
	struct sbuf text = SBUF_INIT;

	for (int f = 0; f < F_N; f++)
		col[f] = -1;
	while (pos < len && !c->over) {
		line++;
		start = pos;
		if ((rc = csv_record(buf, len, &pos, c->lim, &cells, &n)) < 0) {
			strv_free(head, nhead);
			sbuf_free(&text);
			if (rc == CSV_OPEN_QUOTE)
				return rt_fail(EX_DATAERR, "unterminated quoted field in CSV line %zu",
				    line);
			c->out->over_limit = 1;
			if (rc == CSV_TOO_MANY_FIELDS)
				return rt_fail(EX_DATAERR, "CSV line %zu has more than %zu fields "
				    "(ingest.max-csv-fields)", line, c->lim->max_csv_fields);
			return rt_fail(EX_DATAERR, "CSV line %zu is longer than %zu bytes "
			    "(ingest.max-line-bytes)", line, c->lim->max_line_bytes);
		}
		if (n <= 1 && (n == 0 || *cells[0] == '\0')) {
			strv_free(cells, n);
			continue;
		}
		if (line == 1) {
			for (int f = 0; f < F_N; f++)
				col[f] = csv_col(cells, n, f);
			if (col[F_FROM] >= 0 || col[F_ID] >= 0) {
				head = cells, nhead = n;
				headlen = pos - start;
				continue;
			}
			for (int f = 0; f < F_N; f++)
				col[f] = n >= 18 && isupper((unsigned char)*cells[0]) ? cel[f] :
				    n >= 17 ? cdr[f] : -1;
		}
		c->part++;
		const char *v[F_N];
		for (int f = 0; f < F_N; f++)
			v[f] = col[f] >= 0 && (size_t)col[f] < n && *cells[col[f]] ? cells[col[f]] : NULL;
		if (v[F_FROM] == NULL && v[F_TO] == NULL && v[F_ID] == NULL) {
			c->out->skipped++;
			strv_free(cells, n);
			continue;
		}
		struct sbuf row = SBUF_INIT, subj = SBUF_INIT;
		for (size_t j = 0; j < n; j++)
			sbuf_adds(&row, cells[j]), sbuf_addc(&row, '\x1f');
		char *h = sha1_hex(row.buf, row.len), *key = xasprintf("sha1:%s", h);
		sbuf_addf(&subj, "Call from %s", v[F_FROM] ? v[F_FROM] : "unknown");
		if (v[F_TO])
			sbuf_addf(&subj, " to %s", v[F_TO]);
		if (v[F_START])
			sbuf_addf(&subj, " at %s", v[F_START]);
		if (v[F_DURATION])
			sbuf_addf(&subj, ", %s s", v[F_DURATION]);
		if (v[F_DISPOSITION])
			sbuf_addf(&subj, " (%s)", v[F_DISPOSITION]);
		/* The call's own text: the header line, if any, and its record. */
		sbuf_reset(&text);
		sbuf_add(&text, buf, headlen);
		/* A last record without a line end leaves pos one past the payload. */
		sbuf_add(&text, buf + start, (pos < len ? pos : len) - start);
		c->raw = text.buf, c->rawlen = text.len, c->rawext = "csv";
		add(c, "phone", key, v[F_ID] ? v[F_ID] : NULL, NULL, subj.buf, v[F_FROM]);
		c->raw = NULL;
		free(h), free(key);
		sbuf_free(&row), sbuf_free(&subj);
		strv_free(cells, n);
	}
	strv_free(head, nhead);
	sbuf_free(&text);
	return 0;
}

/* "[1242341771] SERVICE ALERT: host;service;CRITICAL;HARD;3;output" (s before end) */
static int
nagios_line(const char *s, const char *end)
{
	if (end - s < 4 || *s != '[' || !isdigit((unsigned char)s[1]))
		return 0;
	for (s++; s < end && isdigit((unsigned char)*s); s++)
		;
	return end - s >= 2 && s[0] == ']' && s[1] == ' ';
}

static int
parse_nagios(struct ctx *c, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;

	while (p < end && !c->over) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line, *msg, **f = NULL;
		size_t nf = 0;
		int host_alert;
		lineno++;
		if (ll > c->lim->max_line_bytes) {
			c->out->over_limit = 1;
			return rt_fail(EX_DATAERR, "log line %zu is longer than %zu bytes "
			    "(ingest.max-line-bytes)", lineno, c->lim->max_line_bytes);
		}
		line = utf8_clean(p, ll, 1);
		c->raw = p, c->rawlen = ll, c->rawext = "log";
		p += ll + (nl != NULL);
		if (!nagios_line(line, line + strlen(line)) || (msg = strstr(line, "] ")) == NULL)
			goto next;
		msg += 2;
		host_alert = str_starts(msg, "HOST ALERT: ");
		if (!host_alert && !str_starts(msg, "SERVICE ALERT: "))
			goto next;
		c->part++;
		msg = strchr(msg, ':') + 2;
		/* Fields may be empty; split by hand rather than with str_split. */
		for (char *s = msg;; ) {
			/* The last field, the plugin output, may hold semicolons. */
			char *semi = nf + 1 < (host_alert ? 5u : 6u) ? strchr(s, ';') : NULL;
			f = xrealloc(f, (nf + 1) * sizeof(*f));
			f[nf++] = semi ? xstrndup(s, (size_t)(semi - s)) : xstrdup(s);
			if (semi == NULL)
				break;
			s = semi + 1;
		}
		if (nf < (host_alert ? 4u : 5u)) {
			c->out->skipped++;
			goto next;
		}
		const char *host = f[0], *svc = host_alert ? NULL : f[1];
		const char *state = f[host_alert ? 1 : 2], *type = f[host_alert ? 2 : 3];
		const char *out = nf > (host_alert ? 4u : 5u) ? f[nf - 1] : "";
		if (strcmp(type, "HARD") != 0) {
			/* Soft states are retries; Nagios notifies on hard ones. */
			c->out->skipped++;
			goto next;
		}
		{
			char *h = sha1_hex(line, strlen(line)), *key = xasprintf("sha1:%s", h);
			char *thread = svc ? xasprintf("%s/%s", host, svc) : xstrdup(host);
			char *subject = xasprintf("%s %s: %s", thread, state, out);
			char *from = xasprintf("nagios:%s", host);
			int ok = strcmp(state, "OK") == 0 || strcmp(state, "UP") == 0;
			struct event *e = add(c, "nagios", key, thread, NULL, subject, from);
			e->incident = 1;
			e->state = ok ? "resolved" : "firing";
			if (!ok)
				set_severity(e, strcmp(state, "DOWN") == 0 ||
				    strcmp(state, "UNREACHABLE") == 0 ? "critical" : state);
			free(h), free(key), free(thread), free(subject), free(from);
		}
next:
		c->raw = NULL;
		strv_free(f, nf);
		free(line);
	}
	return 0;
}

/* ---- formats ---- */

static const char *
skip_space(const char *p, const char *end)
{
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Two commas on the first line, or one and no colon (YAML has one). */
static int
looks_csv(const char *p, const char *end)
{
	int commas = 0, colons = 0;

	for (; p < end && *p != '\n'; p++)
		commas += *p == ',', colons += *p == ':';
	return commas >= 2 || (commas == 1 && colons == 0);
}

/* JSON Lines: every non-blank line one JSON value. NULL if any line is not. */
static json_t *
load_jsonl(const char *buf, size_t len, json_error_t *err)
{
	json_t *all = json_array();
	const char *p = buf, *end = buf + len;
	size_t lines = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = skip_space(p, p + ll);
		lines++;
		if (s < p + ll) {
			json_t *v = json_loadb(p, ll, 0, err);
			if (v == NULL) {
				err->line = (int)lines;
				json_decref(all);
				return NULL;
			}
			json_array_append_new(all, v);
		}
		p += ll + (nl != NULL);
	}
	return all;
}

/* Whether JSON text nests deeper than max (strings skipped). */
static int
json_too_deep(const char *buf, size_t len, size_t max)
{
	size_t depth = 0;
	int str = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];
		if (str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				str = 0;
		} else if (ch == '"')
			str = 1;
		else if (ch == '[' || ch == '{') {
			if (++depth > max)
				return 1;
		} else if ((ch == ']' || ch == '}') && depth)
			depth--;
	}
	return 0;
}

static int
known_hint(const char *hint, const char **out)
{
	*out = NULL;
	if (hint == NULL || *hint == '\0')
		return 0;
	if (strcmp(hint, "cdr") == 0)
		hint = "phone";
	if ((*out = source_name(hint)) == NULL)
		return rt_fail(EX_USAGE, "unknown event source '%s'", hint);
	return 0;
}

static void
ctx_free(struct ctx *c)
{
	strv_free(c->pool, c->npool);
	free(c->spare.severity);
}

/* Ends a parse that found too many events: nothing of it is kept. */
static int
too_many(struct ctx *c)
{
	event_list_free(c->out);
	c->out->over_limit = 1;
	ctx_free(c);
	return rt_fail(EX_DATAERR, "more than %zu events in the payload (ingest.max-events)",
	    c->lim->max_events);
}

int
event_parse(const char *buf, size_t len, const char *hint, struct event_list *out)
{
	return event_parse_limited(buf, len, hint, NULL, out);
}

static int
parse_failed(struct ctx *c, int rc)
{
	int over = c->out->over_limit;

	event_list_free(c->out);
	c->out->over_limit = over;
	ctx_free(c);
	return rc;
}

int
event_parse_limited(const char *buf, size_t len, const char *hint,
    const struct event_limits *lim, struct event_list *out)
{
	const char *end = buf + len, *p = skip_space(buf, end);
	struct ctx c;
	json_error_t err;
	json_t *v = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.lim = lim ? lim : &event_limits_default;
	if ((rc = known_hint(hint, &c.hint)) != 0)
		return rc;
	if (memchr(buf, '\0', len) && p < end && (*p == '{' || *p == '['))
		return rt_fail(EX_DATAERR, "not an event: NUL byte in JSON");
	if (p < end && (*p == '{' || *p == '[') && !nagios_line(p, end) &&
	    json_too_deep(p, (size_t)(end - p), c.lim->max_depth)) {
		out->over_limit = 1;
		return rt_fail(EX_DATAERR, "JSON nested deeper than %zu levels (ingest.max-json-depth)",
		    c.lim->max_depth);
	}
	if (p < end && (*p == '{' || *p == '[')) {
		if ((v = json_loadb(buf, len, 0, &err)) != NULL)
			out->format = "json";
		else if (*p == '{') {
			json_error_t err2;
			if ((v = load_jsonl(buf, len, &err2)) != NULL)
				out->format = "jsonl";
			else if (err2.line > 1)
				err = err2;
		}
		if (v == NULL && !nagios_line(p, end))
			return rt_fail(EX_DATAERR, "not an event: invalid JSON at line %d column %d: %s",
			    err.line, err.column, err.text);
	}
	if (v) {
		map_value(&c, v, 0);
		json_decref(v);
	} else if (p < end && nagios_line(p, end) && (c.hint == NULL || strcmp(c.hint, "nagios") == 0)) {
		out->format = "log";
		if ((rc = parse_nagios(&c, buf, len)) != 0)
			return parse_failed(&c, rc);
	} else if (p < end && ((c.hint && strcmp(c.hint, "phone") == 0) ||
	    (c.hint == NULL && looks_csv(p, end)))) {
		out->format = "csv";
		if ((rc = parse_csv(&c, buf, len)) != 0)
			return parse_failed(&c, rc);
	} else {
		struct ynode *y;
		if (p == end)
			return rt_fail(EX_DATAERR, "not an event: empty payload");
		if ((y = yaml_load(buf, len, "yaml")) == NULL) {
			char *why = xstrdup(rt_errmsg());
			rc = rt_fail(EX_DATAERR, "not an event: not JSON, CSV or a Nagios log, "
			    "and not YAML (%s)", why);
			free(why);
			return rc;
		}
		if (y->kind == Y_SCALAR) {
			ynode_free(y);
			return rt_fail(EX_DATAERR, "not an event: unrecognised format");
		}
		out->format = "yaml";
		v = ynode_to_json(y);
		ynode_free(y);
		map_value(&c, v, 0);
		json_decref(v);
	}
	if (c.over)
		return too_many(&c);
	ctx_free(&c);
	return 0;
}

void
event_list_free(struct event_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].digest);
		free(l->v[i].thread);
		free(l->v[i].ref);
		free(l->v[i].subject);
		free(l->v[i].from);
		free(l->v[i].severity);
		free(l->v[i].text);
		free(l->v[i].address);
		free(l->v[i].refers);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *
event_detect(const char *buf, size_t len)
{
	struct event_list l;
	const char *src = NULL;

	if (event_parse(buf, len, NULL, &l) != 0)
		return NULL;
	if (l.n > 0)
		src = l.v[0].source;
	event_list_free(&l);
	return src;
}
