/* fieldset.c: setting ticket fields by hand, checked against rt.yaml */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "desk.h"
#include "fieldset.h"
#include "mailbox.h"
#include "people.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "workflow.h"
#include "yamlio.h"

const char *const priorities[] = { "low", "normal", "high", "urgent", "critical", NULL };

static const char *const settable[] = {
	"status", "owner", "queue", "priority", "severity", "type", "tags", "due",
	"team", "customer", "subject", "cc", "requestors", "language", "watchers", NULL
};

const char *const *
field_settable_builtin(void)
{
	return settable;
}

int
priority_rank(const char *p)
{
	for (int i = 0; p && priorities[i]; i++)
		if (p[0] == priorities[i][0] && strcmp(p, priorities[i]) == 0)
			return i;
	return -1;
}

int
status_name_check(const char *s, int code)
{
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return rt_fail(code, "'%s' is not a status", s);
	return *s ? 0 : rt_fail(code, "'%s' is not a status", s);
}

int
priority_check(const char *p, int code)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (priority_rank(p) >= 0)
		return 0;
	for (size_t i = 0; priorities[i]; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", priorities[i]);
	rc = rt_fail(code, "'%s' is not a priority (%s)", p, sb.buf);
	sbuf_free(&sb);
	return rc;
}

int
assign_parse(const char *arg, struct assign *a)
{
	const char *eq = strchr(arg, '=');
	size_t klen;

	memset(a, 0, sizeof(*a));
	if (eq == NULL || eq == arg)
		return rt_fail(EX_USAGE, "'%s' is not an assignment (field=value)", arg);
	klen = (size_t)(eq - arg);
	a->op = '=';
	if (eq[-1] == '+' || eq[-1] == '-') {
		a->op = eq[-1];
		klen--;
	}
	if (klen == 0)
		return rt_fail(EX_USAGE, "'%s' is not an assignment (field=value)", arg);
	a->field = xstrndup(arg, klen);
	str_lower(a->field);
	a->value = utf8_clean(eq + 1, strlen(eq + 1), 1);
	return 0;
}

void
assign_free(struct assign *a)
{
	free(a->field);
	free(a->value);
	memset(a, 0, sizeof(*a));
}

static int
in_list(const char *const *v, const char *s)
{
	for (size_t i = 0; v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* A config section that must be a map when present; NULL if absent. */
static int
cfg_map(struct desk *d, const char *path, struct ynode **out)
{
	struct ynode *n = desk_cfg(d, path);

	*out = NULL;
	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return 0;
	if (n->kind != Y_MAP)
		return rt_fail(EX_CONFIG, "%s: '%s' must be a mapping", desk_cfg_where(d, n), path);
	*out = n;
	return 0;
}

int
field_settable(struct desk *d, const char *field)
{
	struct ynode *fields;
	int rc;

	if (in_list(settable, field))
		return 0;
	if ((rc = cfg_map(d, "fields", &fields)) != 0)
		return rc;
	if (fields && ymap_get(fields, field) && !in_list(ticket_keys, field))
		return 0;
	return rt_fail(EX_USAGE, "unknown field '%s' (declare custom fields under 'fields:' "
	    "in rt.yaml)", field);
}

int
agents_declared(struct desk *d)
{
	const struct people *p;

	return people_load(d, &p) == 0 && p->have_agents;
}

int
agent_exists(struct desk *d, const char *name)
{
	return people_agent(d, name) != NULL;
}

const char *
agent_by_email(struct desk *d, const char *addr)
{
	const struct person *a = people_agent_by_address(d, addr);

	return a ? a->name : NULL;
}

char *
agent_of_actor(struct desk *d)
{
	const char *a = agent_by_email(d, d->actor_email);

	if (a)
		return xstrdup(a);
	if (agent_exists(d, d->actor_name))
		return xstrdup(d->actor_name);
	return xstrdup(d->actor_name);
}

/* Names of a map section, for messages: "a, b, c". */
static char *
map_names(const struct ynode *m)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < m->n && i < 20; i++) {
		if (sb.len)
			sbuf_adds(&sb, ", ");
		sbuf_adds(&sb, m->keys[i]);
	}
	if (m->n > 20)
		sbuf_adds(&sb, ", ...");
	return sbuf_detach(&sb);
}

/* value must be a key of the section at path, when the section exists. */
static int
check_declared(struct desk *d, const char *path, const char *what, const char *value)
{
	struct ynode *m;
	char *names;
	int rc;

	if ((rc = cfg_map(d, path, &m)) != 0 || m == NULL || ymap_get(m, value))
		return rc;
	names = map_names(m);
	rc = rt_fail(EX_DATAERR, "unknown %s '%s' (rt.yaml %s: %s)", what, value, path, names);
	free(names);
	return rc;
}

/* An agent or a team of the people directory (a team is named by teams: or
 * by an agent's teams:); without agents: or teams: any name goes. */
static int
check_person(struct desk *d, int team, const char *value)
{
	const struct people *p;
	struct sbuf names = SBUF_INIT;
	size_t n;
	int rc;

	if ((rc = people_load(d, &p)) != 0)
		return rc;
	n = team ? p->nteams : p->nagents;
	if ((team ? p->nteams == 0 : !p->have_agents) ||
	    (team ? people_team(d, value) != NULL : people_agent(d, value) != NULL))
		return 0;
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&names, "%s%s", i ? ", " : "",
		    team ? p->teams[i].name : p->agents[i].name);
	rc = rt_fail(EX_DATAERR, "unknown %s '%s' (rt.yaml %s: %s)", team ? "team" : "agent",
	    value, team ? "teams" : "agents", names.buf ? names.buf : "");
	sbuf_free(&names);
	return rc;
}

static int
norm_time(const char *field, const char *s, char **out)
{
	char buf[RT_TIMELEN];
	time_t t;

	if (rt_parsewhen(s, &t) != 0)
		return rt_fail(EX_DATAERR, "'%s' is not a time for '%s' (RFC 3339, "
		    "YYYY-MM-DD [HH:MM], @epoch or +N[mhdw])", s, field);
	*out = xstrdup(rt_fmttime(t, buf));
	return 0;
}

/* The list fields whose items are mail addresses. */
static int
holds_addresses(const char *field)
{
	return strcmp(field, "cc") == 0 || strcmp(field, "requestors") == 0;
}

/* One list item: no spaces or commas; mail lists need an address. */
static int
check_item(const char *field, const char *item)
{
	for (const char *p = item; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',')
			return rt_fail(EX_DATAERR, "'%s' is not a valid item for '%s'", item, field);
	if (holds_addresses(field) && (strchr(item, '@') == NULL || item[0] == '@'))
		return rt_fail(EX_DATAERR, "'%s' is not a mail address for '%s'", item, field);
	return 0;
}

static int
list_value(const char *field, const char *old, const struct assign *a, char **out)
{
	char **items, *cur = xstrdup(a->op == '=' ? "" : (old ? old : ""));
	/* "Name <addr>, ..." pasted from a mail: split at commas only, keep the addresses */
	int boxes = holds_addresses(field) && strchr(a->value, '<');
	size_t n = str_split(a->value, boxes ? "," : ", \t", &items);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		char *next;
		if (boxes) {
			char *addr = mailbox_addr(items[i]);
			free(items[i]);
			items[i] = addr;
		}
		if ((rc = check_item(field, items[i])) != 0)
			break;
		next = a->op == '-' ? kv_list_del(cur, items[i]) : kv_list_add(cur, items[i]);
		free(cur);
		cur = next;
	}
	strv_free(items, n);
	if (rc != 0 || *cur == '\0') {
		free(cur);
		cur = NULL;
	}
	*out = cur;
	return rc;
}

/* A custom field's declaration: values: [...], type: time|number|text. */
static int
custom_value(struct desk *d, const char *field, const char *v, char **out)
{
	struct ynode *fields, *decl, *vals;
	const char *type;
	int rc;

	*out = NULL;
	if ((rc = cfg_map(d, "fields", &fields)) != 0)
		return rc;
	decl = fields ? ymap_get(fields, field) : NULL;
	if (decl == NULL || decl->kind != Y_MAP) {
		if (decl && !(decl->kind == Y_SCALAR && yscalar_is_null(decl)))
			return rt_fail(EX_CONFIG, "%s: field '%s' must be a mapping (values, type)",
			    desk_cfg_where(d, decl), field);
		*out = xstrdup(v);
		return 0;
	}
	type = ymap_str(decl, "type");
	if (type && strcmp(type, "time") == 0)
		return norm_time(field, v, out);
	if (type && strcmp(type, "number") == 0) {
		char *end;
		strtod(v, &end);
		if (end == v || *end)
			return rt_fail(EX_DATAERR, "'%s' is not a number for '%s'", v, field);
	} else if (type && strcmp(type, "text") != 0)
		return rt_fail(EX_CONFIG, "%s: unknown field type '%s' (time, number, text)",
		    desk_cfg_where(d, ymap_get(decl, "type")), type);
	if ((vals = ymap_get(decl, "values")) != NULL) {
		int found = 0;
		if (vals->kind != Y_SEQ)
			return rt_fail(EX_CONFIG, "%s: 'values' must be a list",
			    desk_cfg_where(d, vals));
		for (size_t i = 0; i < vals->n && !found; i++)
			found = vals->items[i]->kind == Y_SCALAR &&
			    strcmp(vals->items[i]->value, v) == 0;
		if (!found)
			return rt_fail(EX_DATAERR, "'%s' is not a value of '%s' (%s)",
			    v, field, desk_cfg_where(d, vals));
	}
	*out = xstrdup(v);
	return 0;
}

int
assign_value(struct desk *d, const struct kvmap *t, const struct assign *a, char **newval)
{
	const char *f = a->field, *v = a->value;
	int rc;

	*newval = NULL;
	if ((rc = field_settable(d, f)) != 0)
		return rc;
	if (ticket_is_list(f))
		return list_value(f, kv_get(t, f), a, newval);
	if (a->op != '=')
		return rt_fail(EX_USAGE, "'%s' is not a list: use %s=VALUE", f, f);
	if (*v == '\0')
		return strcmp(f, "status") == 0 || strcmp(f, "priority") == 0 ||
		    strcmp(f, "queue") == 0 || strcmp(f, "subject") == 0 ?
		    rt_fail(EX_DATAERR, "'%s' cannot be empty", f) : 0;
	if (strcmp(f, "priority") == 0) {
		if ((rc = priority_check(v, EX_DATAERR)) != 0)
			return rc;
	} else if (strcmp(f, "queue") == 0) {
		if ((rc = check_declared(d, "queues", "queue", v)) != 0)
			return rc;
	} else if (strcmp(f, "owner") == 0) {
		if (strcmp(v, "none") == 0)
			return 0;
		if ((rc = check_person(d, 0, v)) != 0)
			return rc;
	} else if (strcmp(f, "team") == 0) {
		if ((rc = check_person(d, 1, v)) != 0)
			return rc;
	} else if (strcmp(f, "status") == 0) {
		if ((rc = status_name_check(v, EX_DATAERR)) != 0)
			return rc;
	} else if (strcmp(f, "due") == 0)
		return norm_time(f, v, newval);
	else if (!in_list(settable, f) || strcmp(f, "severity") == 0 || strcmp(f, "type") == 0)
		return custom_value(d, f, v, newval);
	*newval = xstrdup(v);
	return 0;
}

static void
push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

int
field_values(struct desk *d, const char *field, char ***v, size_t *n)
{
	const struct people *p;
	struct ynode *m, *decl, *vals;
	int rc;

	*v = NULL;
	*n = 0;
	if ((rc = field_settable(d, field)) != 0)
		return rc;
	if (strcmp(field, "priority") == 0) {
		for (size_t i = 0; priorities[i]; i++)
			push(v, n, priorities[i]);
	} else if (strcmp(field, "status") == 0) {
		char *names, **sv;
		size_t ns;

		workflow_status_known(d, "", &names);
		ns = str_split(names, ", ", &sv);
		for (size_t i = 0; i < ns; i++)
			if (strcmp(sv[i], "merged") != 0)	/* rt-merge's, never set */
				push(v, n, sv[i]);
		strv_free(sv, ns);
		free(names);
	} else if (strcmp(field, "queue") == 0) {
		if ((rc = cfg_map(d, "queues", &m)) != 0)
			return rc;
		for (size_t i = 0; m && i < m->n; i++)
			push(v, n, m->keys[i]);
	} else if (strcmp(field, "owner") == 0 || strcmp(field, "team") == 0) {
		if ((rc = people_load(d, &p)) != 0)
			return rc;
		if (strcmp(field, "owner") == 0) {
			for (size_t i = 0; i < p->nagents; i++)
				push(v, n, p->agents[i].name);
			push(v, n, "none");
		} else
			for (size_t i = 0; i < p->nteams; i++)
				push(v, n, p->teams[i].name);
	} else if (!in_list(settable, field) || strcmp(field, "severity") == 0 ||
	    strcmp(field, "type") == 0) {
		if ((rc = cfg_map(d, "fields", &m)) != 0)
			return rc;
		decl = m ? ymap_get(m, field) : NULL;
		vals = decl && decl->kind == Y_MAP ? ymap_get(decl, "values") : NULL;
		for (size_t i = 0; vals && vals->kind == Y_SEQ && i < vals->n; i++)
			if (vals->items[i]->kind == Y_SCALAR)
				push(v, n, vals->items[i]->value);
	}
	return 0;
}
