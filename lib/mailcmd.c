/* mailcmd.c: command lines in agents' mail (see mailcmd.h) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "change.h"
#include "desk.h"
#include "fieldset.h"
#include "mail.h"
#include "mailcmd.h"
#include "status.h"
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

int
mailcmd_hook(struct desk *d, struct change *c, struct mail *m)
{
	const char *agent = agent_by_email(d, m ? m->from.email : NULL);
	const char *secret = desk_cfg_str(d, "mail-commands.secret", NULL);
	const char *hname = desk_cfg_str(d, "mail-commands.header", NULL);
	struct ynode *en = desk_cfg(d, "mail-commands.enabled");
	long evi = mail_event(c);
	struct kvmap *ev;
	struct sbuf ok = SBUF_INIT, bad = SBUF_INIT;
	char **keys, **vals;
	int n, authorised = 1;

	if (agent == NULL || evi < 0)
		return 0;
	/* change_set appends events and may move them: ev is looked up again. */
	ev = &c->events[evi];
	kv_set(ev, "agent", "true");
	kv_set(ev, "by", agent);
	if (en && ynode_bool(en) == 0)
		return 1;
	n = mailcmd_parse(m->text, &keys, &vals);
	if (n == 0)
		return 1;
	if (secret && *secret) {
		authorised = 0;
		for (int i = 0; i < n; i++)
			if (strcmp(keys[i], "secret") == 0 && strcmp(vals[i], secret) == 0)
				authorised = 1;
		if (!authorised && hname && *hname) {
			char *h = mail_header(m, hname);
			authorised = h && strcmp(str_trim(h), secret) == 0;
			free(h);
		}
	}
	if (!authorised)
		kv_set(&c->events[evi], "commands-refused", "secret missing or wrong");
	for (int i = 0; i < n && authorised; i++) {
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
