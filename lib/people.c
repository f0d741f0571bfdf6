/* people.c: the agents: and teams: directory, parsed once per desk */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "desk.h"
#include "people.h"
#include "util.h"
#include "yamlio.h"

static void
people_free(void *arg)
{
	struct people *p = arg;

	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nagents; i++) {
		free(p->agents[i].name);
		free(p->agents[i].address);
		free(p->agents[i].display);
		strv_free(p->agents[i].teams, p->agents[i].nteams);
	}
	for (size_t i = 0; i < p->nteams; i++) {
		free(p->teams[i].name);
		free(p->teams[i].address);
		strv_free(p->teams[i].members, p->teams[i].nmembers);
	}
	free(p->agents);
	free(p->teams);
	free(p);
}

static const char *
scalar(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);

	return v && v->kind == Y_SCALAR && !yscalar_is_null(v) && *v->value ? v->value : NULL;
}

/* address: (canonical), else email: */
static char *
address_of(const struct ynode *m)
{
	const char *a = scalar(m, "address");

	if (a == NULL)
		a = scalar(m, "email");
	return a ? xstrdup(a) : NULL;
}

static int
is_null(const struct ynode *n)
{
	return n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n));
}

static struct people_team *
team_get(struct people *p, const char *name)
{
	struct people_team *t;

	for (size_t i = 0; i < p->nteams; i++)
		if (strcmp(p->teams[i].name, name) == 0)
			return &p->teams[i];
	p->teams = xrealloc(p->teams, (p->nteams + 1) * sizeof(*p->teams));
	t = &p->teams[p->nteams++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	return t;
}

static void
team_add(struct people_team *t, const char *member)
{
	for (size_t i = 0; i < t->nmembers; i++)
		if (strcmp(t->members[i], member) == 0)
			return;
	t->members = xrealloc(t->members, (t->nmembers + 2) * sizeof(char *));
	t->members[t->nmembers++] = xstrdup(member);
	t->members[t->nmembers] = NULL;
}

static int
parse_agent(struct desk *d, struct person *a, const char *name, const struct ynode *v)
{
	const struct ynode *t;
	int rc;

	a->name = xstrdup(name);
	a->node = v;
	if (v->kind == Y_SCALAR) {	/* "bob: bob@example.org": just an address */
		a->address = yscalar_is_null(v) || !*v->value ? NULL : xstrdup(v->value);
		return 0;
	}
	if (v->kind != Y_MAP)
		return rt_fail(EX_CONFIG, "%s: agent '%s' must be a mapping", desk_cfg_where(d, v),
		    name);
	a->address = address_of(v);
	a->display = scalar(v, "name") ? xstrdup(scalar(v, "name")) : NULL;
	if ((t = ymap_get(v, "teams")) != NULL &&
	    (rc = desk_cfg_strlist(d, t, "teams", &a->teams, &a->nteams)) != 0)
		return rc;
	return 0;
}

static int
parse(struct desk *d, struct people *p)
{
	const struct ynode *ag = desk_cfg(d, "agents"), *tm = desk_cfg(d, "teams");
	int rc;

	if (!is_null(ag)) {
		if (ag->kind != Y_MAP)
			return rt_fail(EX_CONFIG, "%s: agents must be a mapping of names "
			    "(anna: {address: ..., teams: [...], skills: [...], away: [...]})",
			    desk_cfg_where(d, ag));
		p->have_agents = 1;
		p->agents = xcalloc(ag->n ? ag->n : 1, sizeof(*p->agents));
		for (size_t i = 0; i < ag->n; i++)
			if ((rc = parse_agent(d, &p->agents[p->nagents++], ag->keys[i],
			    ag->items[i])) != 0)
				return rc;
	}
	if (!is_null(tm)) {
		if (tm->kind != Y_MAP)
			return rt_fail(EX_CONFIG, "%s: teams must be a mapping of names "
			    "(l1: {members: [...], strategy: round-robin})", desk_cfg_where(d, tm));
		for (size_t i = 0; i < tm->n; i++) {
			const struct ynode *v = tm->items[i], *m;
			struct people_team *t = team_get(p, tm->keys[i]);
			char **l;
			size_t n;
			if (v->kind != Y_MAP)
				return rt_fail(EX_CONFIG, "%s: team '%s' must be a mapping (members, "
				    "strategy)", desk_cfg_where(d, v), t->name);
			t->node = v;
			t->address = address_of(v);
			if ((m = ymap_get(v, "members")) == NULL)
				continue;
			if ((rc = desk_cfg_strlist(d, m, "members", &l, &n)) != 0)
				return rc;
			for (size_t j = 0; j < n; j++)
				team_add(t, l[j]);
			strv_free(l, n);
		}
	}
	/* Agents naming a team follow its members: list. */
	for (size_t i = 0; i < p->nagents; i++)
		for (size_t j = 0; j < p->agents[i].nteams; j++)
			team_add(team_get(p, p->agents[i].teams[j]), p->agents[i].name);
	return 0;
}

int
people_load(struct desk *d, const struct people **out)
{
	struct people *p;
	int rc;

	if (d->people == NULL) {
		p = xcalloc(1, sizeof(*p));
		if ((rc = parse(d, p)) != 0) {
			people_free(p);
			*out = NULL;
			return rc;
		}
		d->people = p;
		d->people_free = people_free;
	}
	*out = d->people;
	return 0;
}

const struct person *
people_agent(struct desk *d, const char *name)
{
	const struct people *p;

	if (name == NULL || people_load(d, &p) != 0)
		return NULL;
	for (size_t i = 0; i < p->nagents; i++)
		if (strcmp(p->agents[i].name, name) == 0)
			return &p->agents[i];
	return NULL;
}

const struct person *
people_agent_by_address(struct desk *d, const char *addr)
{
	const struct people *p;

	if (addr == NULL || people_load(d, &p) != 0)
		return NULL;
	for (size_t i = 0; i < p->nagents; i++)
		if (p->agents[i].address && strcasecmp(p->agents[i].address, addr) == 0)
			return &p->agents[i];
	return NULL;
}

const struct people_team *
people_team(struct desk *d, const char *name)
{
	const struct people *p;

	if (name == NULL || people_load(d, &p) != 0)
		return NULL;
	for (size_t i = 0; i < p->nteams; i++)
		if (strcmp(p->teams[i].name, name) == 0)
			return &p->teams[i];
	return NULL;
}

static void
push(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp((*v)[i], s) == 0)
			return;
	*v = xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

char **
people_addresses(struct desk *d, const char *name, size_t *n)
{
	const struct person *a;
	const struct people_team *t;
	char **out = NULL;

	*n = 0;
	if (strchr(name, '@')) {
		push(&out, n, name);
		return out;
	}
	if ((a = people_agent(d, name)) != NULL) {
		if (a->address && strchr(a->address, '@'))
			push(&out, n, a->address);
		return out;
	}
	if ((t = people_team(d, name)) == NULL)
		return NULL;
	if (t->address) {
		push(&out, n, t->address);
		return out;
	}
	for (size_t i = 0; i < t->nmembers; i++)
		if ((a = people_agent(d, t->members[i])) != NULL && a->address &&
		    strchr(a->address, '@'))
			push(&out, n, a->address);
	return out;
}
