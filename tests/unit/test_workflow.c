/* test_workflow: workflow rules and field assignments against a config */
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "fieldset.h"
#include "kv.h"
#include "tap.h"
#include "util.h"
#include "workflow.h"
#include "yamlio.h"

static const char cfg[] =
"queues: {general: {}, ops: {}}\n"
"agents:\n"
"  anna: anna@example.org\n"
"  bob: {email: Bob@Example.ORG}\n"
"fields:\n"
"  resolution: {values: [fixed, wontfix]}\n"
"workflows:\n"
"  default:\n"
"    transitions:\n"
"      new: [open]\n"
"      open: [resolved]\n"
"      resolved: [open, closed]\n"
"      '*': [closed]\n"
"    require: {resolved: [resolution]}\n"
"    cascade: yes\n"
"  ops:\n"
"    queues: ops\n"
"    statuses: [new, triage, done]\n";

static struct desk *
fake_desk(const char *yaml)
{
	struct desk *d = xcalloc(1, sizeof(*d));

	d->config = yaml_load(yaml, strlen(yaml), "rt.yaml");
	d->config_name = xstrdup("rt.yaml");
	d->actor_name = xstrdup("Bob B");
	d->actor_email = xstrdup("bob@example.org");
	return d;
}

static void
free_desk(struct desk *d)
{
	if (d->people_free)
		d->people_free(d->people);
	ynode_free(d->config);
	free(d->config_name);
	free(d->actor_name);
	free(d->actor_email);
	free(d);
}

static int
setv(struct desk *d, struct kvmap *t, const char *arg, char **out)
{
	struct assign a;
	int rc = assign_parse(arg, &a);

	*out = NULL;
	if (rc == 0)
		rc = assign_value(d, t, &a, out);
	assign_free(&a);
	return rc;
}

int
main(void)
{
	struct desk *d = fake_desk(cfg), *empty = fake_desk("{}");
	struct kvmap t = KVMAP_INIT;
	char *v;

	ok(d->config != NULL, "config loads");
	ok(workflow_validate(d) == 0, "config validates");
	kv_set(&t, "queue", "general");
	kv_set(&t, "status", "new");
	ok(workflow_check(d, &t, "new", "open") == 0, "new -> open allowed");
	ok(workflow_check(d, &t, "new", "resolved") == EX_DATAERR, "new -> resolved refused");
	ok(strstr(rt_errmsg(), "does not allow 'new' -> 'resolved'") != NULL, "message");
	ok(workflow_check(d, &t, "open", "closed") == 0, "'*' allows closed from anywhere");
	ok(workflow_check(d, &t, "open", "resolved") == EX_DATAERR, "resolution required");
	ok(strstr(rt_errmsg(), "requires 'resolution'") != NULL, "require message");
	kv_set(&t, "resolution", "fixed");
	ok(workflow_check(d, &t, "open", "resolved") == 0, "with resolution");
	ok(workflow_check(d, &t, "open", "open") == 0, "same status is no transition");
	ok(workflow_check(d, &t, "open", "bogus") == EX_DATAERR, "unknown status");
	ok(workflow_cascade(d, &t) == 1, "cascade yes");
	kv_set(&t, "queue", "ops");
	ok(workflow_check(d, &t, "new", "done") == 0, "ops: any to any");
	ok(workflow_check(d, &t, "new", "open") == EX_DATAERR, "ops: open unknown");
	ok(workflow_check(d, &t, "waiting", "triage") == 0, "unknown from status");
	ok(workflow_cascade(d, &t) == 0, "ops does not cascade");
	ok(workflow_check(empty, &t, "new", "closed") == 0, "built-in: new -> closed");
	ok(workflow_check(empty, &t, NULL, "waiting") == 0, "built-in: no from");
	ok(workflow_check(empty, &t, "new", "merged") == EX_DATAERR, "built-in: merged refused");

	is_str(agent_by_email(d, "BOB@example.org"), "bob", "agent by email, any case");
	is_str(agent_by_email(d, "anna@example.org"), "anna", "agent scalar email");
	ok(agent_by_email(d, "eve@example.org") == NULL, "no agent");
	v = agent_of_actor(d);
	is_str(v, "bob", "agent of actor");
	free(v);

	ok(setv(d, &t, "priority=urgent", &v) == 0 && v && !strcmp(v, "urgent"), "priority");
	free(v);
	ok(setv(d, &t, "priority=soon", &v) == EX_DATAERR, "bad priority");
	ok(setv(d, &t, "queue=ops", &v) == 0, "declared queue");
	free(v);
	ok(setv(d, &t, "queue=sales", &v) == EX_DATAERR, "undeclared queue");
	ok(setv(d, &t, "owner=eve", &v) == EX_DATAERR, "undeclared agent");
	ok(setv(d, &t, "owner=none", &v) == 0 && v == NULL, "owner=none clears");
	ok(setv(d, &t, "resolution=wontfix", &v) == 0, "custom field value");
	free(v);
	ok(setv(d, &t, "resolution=maybe", &v) == EX_DATAERR, "custom field bad value");
	ok(setv(d, &t, "colour=red", &v) == EX_USAGE, "undeclared field");
	ok(setv(empty, &t, "owner=eve", &v) == 0, "no agents section: any owner");
	free(v);
	kv_set(&t, "tags", "a,b");
	ok(setv(d, &t, "tags+=c,a", &v) == 0 && !strcmp(v, "a,b,c"), "tags add");
	free(v);
	ok(setv(d, &t, "tags-=a", &v) == 0 && !strcmp(v, "b"), "tags remove");
	free(v);
	ok(setv(d, &t, "tags-=a,b", &v) == 0 && v == NULL, "tags emptied");
	ok(setv(d, &t, "subject+=x", &v) == EX_USAGE, "+= on plain field");
	setenv("RT_NOW", "2026-11-23T10:00:00Z", 1);
	ok(setv(d, &t, "due=+90m", &v) == 0 && !strcmp(v, "2026-11-23T11:30:00Z"), "relative due");
	free(v);
	ok(setv(d, &t, "due=2026-11-23 12:00", &v) == 0 && !strcmp(v, "2026-11-23T12:00:00Z"),
	    "due with space");
	free(v);
	ok(setv(d, &t, "novalue", &v) == EX_USAGE, "not an assignment");

	{
		struct desk *bad = fake_desk("workflows:\n  x:\n    on:\n      resolved:\n"
		    "        set: {status: closed}\n");
		ok(workflow_validate(bad) == EX_CONFIG, "set of status refused");
		ok(strncmp(rt_errmsg(), "rt.yaml:5:", 10) == 0, "position in message");
		free_desk(bad);
		bad = fake_desk("workflows:\n  x:\n    cascade: maybe\n");
		ok(workflow_validate(bad) == EX_CONFIG, "bad cascade");
		free_desk(bad);
		bad = fake_desk("workflows:\n  x:\n    transitons: {}\n");
		ok(workflow_validate(bad) == EX_CONFIG, "misspelt key");
		free_desk(bad);
	}
	kv_free(&t);
	free_desk(d);
	free_desk(empty);
	return tap_done();
}
