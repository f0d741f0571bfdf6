/* test_people: the agents:/teams: directory, address: and email: alike */
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "fieldset.h"
#include "people.h"
#include "tap.h"
#include "util.h"
#include "yamlio.h"

static const char cfg[] =
"agents:\n"
"  anna: {address: anna@example.org, name: Anna Berg, teams: [l2]}\n"
"  bob: {email: Bob@Example.ORG, teams: [l1, l2]}\n"
"  carl: carl@example.org\n"
"  dora: {}\n"
"teams:\n"
"  l1: {members: [carl, bob], strategy: round-robin}\n"
"  ops: {address: ops@example.org, members: [dora]}\n";

static struct desk *
fake_desk(const char *yaml)
{
	struct desk *d = xcalloc(1, sizeof(*d));

	d->config = yaml_load(yaml, strlen(yaml), "rt.yaml");
	d->config_name = xstrdup("rt.yaml");
	return d;
}

static void
free_desk(struct desk *d)
{
	if (d->people_free)
		d->people_free(d->people);
	ynode_free(d->config);
	free(d->config_name);
	free(d);
}

/* The addresses of name, joined with commas. */
static char *
joined(struct desk *d, const char *name)
{
	struct sbuf sb = SBUF_INIT;
	size_t n;
	char **v = people_addresses(d, name, &n);

	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s", i ? "," : "", v[i]);
	strv_free(v, n);
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

int
main(void)
{
	struct desk *d = fake_desk(cfg), *bad = fake_desk("agents: [anna]\n");
	const struct people *p, *again;
	const struct people_team *t;
	char *s;
	size_t n;

	ok(people_load(d, &p) == 0 && p->nagents == 4 && p->have_agents, "four agents");
	ok(people_load(d, &again) == 0 && again == p, "parsed once per desk");
	is_str(people_agent(d, "anna")->address, "anna@example.org", "address: is read");
	is_str(people_agent(d, "bob")->address, "Bob@Example.ORG", "email: is read too");
	is_str(people_agent(d, "carl")->address, "carl@example.org", "a bare address");
	ok(people_agent(d, "dora")->address == NULL, "no address");
	is_str(people_agent(d, "anna")->display, "Anna Berg", "name:");
	is_str(agent_by_email(d, "ANNA@example.org"), "anna", "by address:, any case");
	is_str(agent_by_email(d, "bob@example.org"), "bob", "by email:");
	ok(agent_by_email(d, "eve@example.org") == NULL, "not an agent");
	t = people_team(d, "l1");
	ok(t && t->nmembers == 2, "l1: members, agents naming it joined");
	is_str(t ? t->members[0] : NULL, "carl", "members: first, in order");
	t = people_team(d, "l2");
	ok(t && t->node == NULL && t->nmembers == 2, "l2 exists through agents' teams:");
	is_str(s = joined(d, "l2"), "anna@example.org,Bob@Example.ORG",
	    "a team's addresses are its members'");
	free(s);
	is_str(s = joined(d, "ops"), "ops@example.org",
	    "a team's own address wins");
	free(s);
	is_str(s = joined(d, "x@y.example"), "x@y.example",
	    "an address stands for itself");
	free(s);
	ok(people_addresses(d, "nobody", &n) == NULL && n == 0, "unknown name");
	ok(people_load(bad, &p) == EX_CONFIG && strstr(rt_errmsg(), "rt.yaml:1:9: agents must be"),
	    "a bad section names the place");
	free_desk(d);
	free_desk(bad);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
