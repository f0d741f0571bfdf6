/*
 * fieldset.h: setting ticket fields by hand (rt-set, mail commands,
 * rt-take): parsing "field=value", "field+=item", "field-=item",
 * checking values against rt.yaml (queues, agents, teams, fields) and
 * finding agents.
 */
#ifndef RT_FIELDSET_H
#define RT_FIELDSET_H

#include "kv.h"

struct desk;
struct change;

struct assign {
	char *field;
	char op;		/* '=', '+' (add items), '-' (remove items) */
	char *value;		/* as given, one line */
};

/* Parses "field=value" etc.; EX_USAGE if it is not an assignment. */
int assign_parse(const char *arg, struct assign *a);
void assign_free(struct assign *a);

/*
 * Whether field may be set by hand: the built-in fields status, owner,
 * queue, priority, severity, type, tags, due, team, customer, subject,
 * cc, requestors, language, and the custom fields declared under
 * "fields:" in rt.yaml. EX_USAGE naming the field otherwise.
 */
int field_settable(struct desk *d, const char *field);
/* The built-in fields field_settable allows, NULL-terminated. */
const char *const *field_settable_builtin(void);

/*
 * The values rt.yaml declares for field, the ones assign_value accepts
 * (for completion): priority its five, queue the queues: names, owner the
 * agents and "none", team the teams, a custom field its values:. None
 * when the desk declares none (any value goes). A malloc'd vector
 * (strv_free); EX_USAGE for a field that cannot be set.
 */
int field_values(struct desk *d, const char *field, char ***v, size_t *n);

/*
 * Applies one assignment to the ticket state t: validates the value
 * (priority, declared queue, agent, team, field values, due time,
 * list items) and computes the new value. *newval receives the
 * malloc'd value to store (NULL clears). EX_USAGE for an unknown field
 * or an operator the field does not take, EX_DATAERR for a bad value,
 * EX_CONFIG for a broken rt.yaml section. Status is not checked here
 * against the workflow (see workflow.h).
 */
int assign_value(struct desk *d, const struct kvmap *t, const struct assign *a,
    char **newval);

/* Agents declared in rt.yaml "agents:" (a map: name -> {email, name}). */
int agents_declared(struct desk *d);
int agent_exists(struct desk *d, const char *name);
/* The agent whose email is addr (case-insensitive), or NULL. */
const char *agent_by_email(struct desk *d, const char *addr);
/* The acting agent: by actor email, else the actor's name. malloc'd. */
char *agent_of_actor(struct desk *d);

/* The priorities in order of urgency. */
extern const char *const priorities[];
int priority_rank(const char *p);
/* 0 when s can name a status (a-z, 0-9, "-", "_"), else code, "'S' is not a status". */
int status_name_check(const char *s, int code);
/* 0 when p is a priority, else code with "'P' is not a priority (low, ...)". */
int priority_check(const char *p, int code);

#endif
