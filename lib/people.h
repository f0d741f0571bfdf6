/*
 * people.h: the desk's people directory, the agents: and teams: sections
 * of rt.yaml, parsed once per desk and read by every command (rt-take,
 * rt-set's owner and team checks, mail commands, routing, escalation).
 *
 *   agents:
 *     anna: {address: anna@example.org, name: Anna K., teams: [l1]}
 *     bob: bob@example.org            # just the address
 *   teams:
 *     l1: {members: [anna], strategy: round-robin, address: l1@example.org}
 *
 * `address:` is the canonical key for a mail address, as for queues;
 * `email:` is read as well (older desks). A team exists when teams:
 * names it or when an agent's teams: list does. Keys other commands own
 * (skills, away, strategy) stay in the node for them.
 */
#ifndef RT_PEOPLE_H
#define RT_PEOPLE_H

#include <stddef.h>

struct desk;
struct ynode;

struct person {
	char *name;			/* the key under agents: */
	char *address;			/* NULL when none is given */
	char *display;			/* name:, or NULL */
	char **teams;			/* the agent's teams: list */
	size_t nteams;
	const struct ynode *node;	/* the agent's entry */
};

struct people_team {
	char *name;
	char *address;			/* the team's own address, or NULL */
	char **members;			/* members:, then agents naming the team */
	size_t nmembers;
	const struct ynode *node;	/* the teams: entry, NULL when only agents name it */
};

struct people {
	struct person *agents;
	size_t nagents;
	struct people_team *teams;
	size_t nteams;
	int have_agents;		/* rt.yaml has an agents: section */
};

/*
 * The directory of d, parsed on first use and kept with the desk.
 * Returns 0, or EX_CONFIG with rt_errmsg() "rt.yaml:L:C: ..." when the
 * sections have the wrong shape (then *out is an empty directory).
 */
int people_load(struct desk *d, const struct people **out);

/* An agent by name, or by address (case-insensitive); NULL if none. */
const struct person *people_agent(struct desk *d, const char *name);
const struct person *people_agent_by_address(struct desk *d, const char *addr);
/* A team by name; NULL if none. */
const struct people_team *people_team(struct desk *d, const char *name);

/*
 * The mail addresses a name stands for: an address itself; an agent's
 * address; a team's own address, else its members' addresses. Returns
 * a malloc'd vector (strv_free) and its length in *n, or NULL.
 */
char **people_addresses(struct desk *d, const char *name, size_t *n);

#endif
