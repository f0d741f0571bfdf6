/* workflow.c: allowed statuses, transitions, required fields, actions */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "change.h"
#include "desk.h"
#include "fieldset.h"
#include "util.h"
#include "trust.h"
#include "txn.h"
#include "workflow.h"
#include "yamlio.h"

static const char *const default_statuses[] = {
	"new", "open", "waiting", "resolved", "closed", NULL
};

/* A list of names: a sequence of scalars, or one scalar with commas. */
static int
ylist_ok(const struct ynode *n)
{
	if (n->kind == Y_SCALAR)
		return 1;
	if (n->kind != Y_SEQ)
		return 0;
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i]->kind != Y_SCALAR || yscalar_is_null(n->items[i]))
			return 0;
	return 1;
}

static int
ylist_has(const struct ynode *n, const char *s)
{
	if (n == NULL || s == NULL)
		return 0;
	if (n->kind == Y_SCALAR)
		return !yscalar_is_null(n) && kv_list_has(n->value, s);
	if (n->kind == Y_SEQ)
		for (size_t i = 0; i < n->n; i++)
			if (n->items[i]->kind == Y_SCALAR && strcmp(n->items[i]->value, s) == 0)
				return 1;
	return 0;
}

static void
ylist_join(const struct ynode *n, struct sbuf *sb)
{
	if (n->kind == Y_SCALAR) {
		sbuf_adds(sb, n->value);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (i)
			sbuf_adds(sb, ", ");
		sbuf_adds(sb, n->items[i]->value);
	}
}

static int
bad(struct desk *d, const struct ynode *n, const char *wf, const char *what)
{
	return rt_fail(EX_CONFIG, "%s: workflow '%s': %s", desk_cfg_where(d, n), wf, what);
}

/* Every value of a map must be a list of names. */
static int
check_list_map(struct desk *d, const char *wf, const struct ynode *m, const char *key)
{
	if (m == NULL)
		return 0;
	if (m->kind != Y_MAP) {
		char *w = xasprintf("'%s' must map statuses to lists", key);
		int rc = bad(d, m, wf, w);
		free(w);
		return rc;
	}
	for (size_t i = 0; i < m->n; i++)
		if (!ylist_ok(m->items[i])) {
			char *w = xasprintf("'%s: %s' must be a list of names", key, m->keys[i]);
			int rc = bad(d, m->items[i], wf, w);
			free(w);
			return rc;
		}
	return 0;
}

static int
check_one(struct desk *d, const char *name, const struct ynode *wf)
{
	const struct ynode *n, *on;
	int rc;

	if (wf->kind != Y_MAP)
		return bad(d, wf, name, "must be a mapping");
	for (size_t i = 0; i < wf->n; i++) {
		const char *k = wf->keys[i];
		if (strcmp(k, "statuses") && strcmp(k, "transitions") && strcmp(k, "require") &&
		    strcmp(k, "on") && strcmp(k, "cascade") && strcmp(k, "queues") &&
		    strcmp(k, "types") && strcmp(k, "description")) {
			char *w = xasprintf("unknown key '%s' (statuses, transitions, require, "
			    "on, cascade, queues, types)", k);
			rc = bad(d, wf->items[i], name, w);
			free(w);
			return rc;
		}
	}
	if ((n = ymap_get(wf, "statuses")) && !ylist_ok(n))
		return bad(d, n, name, "'statuses' must be a list of names");
	if ((n = ymap_get(wf, "queues")) && !ylist_ok(n))
		return bad(d, n, name, "'queues' must be a list of names");
	if ((n = ymap_get(wf, "types")) && !ylist_ok(n))
		return bad(d, n, name, "'types' must be a list of names");
	if ((n = ymap_get(wf, "cascade")) && ynode_bool(n) < 0)
		return bad(d, n, name, "'cascade' must be true or false");
	if ((rc = check_list_map(d, name, ymap_get(wf, "transitions"), "transitions")) ||
	    (rc = check_list_map(d, name, ymap_get(wf, "require"), "require")))
		return rc;
	if ((on = ymap_get(wf, "on")) == NULL)
		return 0;
	if (on->kind != Y_MAP)
		return bad(d, on, name, "'on' must map statuses to actions");
	for (size_t i = 0; i < on->n; i++) {
		const struct ynode *act = on->items[i], *set, *ex;
		if (act->kind != Y_MAP)
			return bad(d, act, name, "an action must be a mapping (set, exec)");
		for (size_t j = 0; j < act->n; j++)
			if (strcmp(act->keys[j], "set") && strcmp(act->keys[j], "exec"))
				return bad(d, act->items[j], name, "unknown action (set, exec)");
		if ((set = ymap_get(act, "set")) != NULL) {
			if (set->kind != Y_MAP)
				return bad(d, set, name, "'set' must map fields to values");
			for (size_t j = 0; j < set->n; j++)
				if (set->items[j]->kind != Y_SCALAR || strcmp(set->keys[j], "status") == 0)
					return bad(d, set->items[j], name,
					    "'set' values must be plain values, and not for status");
		}
		if ((ex = ymap_get(act, "exec")) != NULL &&
		    (ex->kind != Y_SCALAR || yscalar_is_null(ex) || !*ex->value))
			return bad(d, ex, name, "'exec' must be a command line");
	}
	return 0;
}

int
workflow_validate(struct desk *d)
{
	struct ynode *w = desk_cfg(d, "workflows");

	if (w == NULL || (w->kind == Y_SCALAR && yscalar_is_null(w)))
		return 0;
	if (w->kind != Y_MAP)
		return rt_fail(EX_CONFIG, "%s: 'workflows' must map names to workflows",
		    desk_cfg_where(d, w));
	for (size_t i = 0; i < w->n; i++) {
		int rc = check_one(d, w->keys[i], w->items[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* The workflow of a ticket: first match by queue or type, else "default". */
static const struct ynode *
find(struct desk *d, const struct kvmap *t, const char **name)
{
	struct ynode *w = desk_cfg(d, "workflows");
	const char *q = kv_get(t, "queue"), *ty = kv_get(t, "type");

	*name = "built-in";
	if (w == NULL || w->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < w->n; i++)
		if (w->items[i]->kind == Y_MAP &&
		    (ylist_has(ymap_get(w->items[i], "queues"), q) ||
		    ylist_has(ymap_get(w->items[i], "types"), ty))) {
			*name = w->keys[i];
			return w->items[i];
		}
	if ((w = ymap_get(w, "default")) != NULL) {
		*name = "default";
		return w;
	}
	return NULL;
}

/* Whether the workflow knows status s. */
static int
has_status(const struct ynode *wf, const char *s)
{
	const struct ynode *st = wf ? ymap_get(wf, "statuses") : NULL;
	const struct ynode *tr = wf ? ymap_get(wf, "transitions") : NULL;

	if (st)
		return ylist_has(st, s);
	if (tr == NULL) {
		for (size_t i = 0; default_statuses[i]; i++)
			if (strcmp(default_statuses[i], s) == 0)
				return 1;
		return 0;
	}
	for (size_t i = 0; i < tr->n; i++)
		if ((strcmp(tr->keys[i], "*") && strcmp(tr->keys[i], s) == 0) ||
		    ylist_has(tr->items[i], s))
			return 1;
	return 0;
}

static void
statuses_of(const struct ynode *wf, struct sbuf *sb)
{
	const struct ynode *st = wf ? ymap_get(wf, "statuses") : NULL;
	const struct ynode *tr = wf ? ymap_get(wf, "transitions") : NULL;
	struct sbuf seen = SBUF_INIT;

	if (st) {
		ylist_join(st, sb);
		return;
	}
	if (tr == NULL || tr->kind != Y_MAP) {
		for (size_t i = 0; default_statuses[i]; i++)
			sbuf_addf(sb, "%s%s", i ? ", " : "", default_statuses[i]);
		return;
	}
	/* The statuses named in transitions, each once. */
	for (size_t i = 0; i < tr->n; i++) {
		const struct ynode *to = tr->items[i];
		size_t n = to->kind == Y_SEQ ? to->n : 0;
		for (size_t k = 0; k <= n; k++) {
			const char *name = k == 0 ? tr->keys[i] : to->items[k - 1]->value;
			if (strcmp(name, "*") == 0 || kv_list_has(seen.buf ? seen.buf : "", name))
				continue;
			sbuf_addf(&seen, "%s%s", seen.len ? "," : "", name);
			sbuf_addf(sb, "%s%s", sb->len ? ", " : "", name);
		}
	}
	sbuf_free(&seen);
}

/* Adds the names of list ("a, b") to sb, each once. */
static void
add_names(struct sbuf *sb, const char *list)
{
	char **v, **have;
	size_t n = str_split(list, ", ", &v), nhave;

	for (size_t i = 0; i < n; i++) {
		size_t k;
		nhave = str_split(sb->buf ? sb->buf : "", ", ", &have);
		for (k = 0; k < nhave && strcmp(have[k], v[i]) != 0; k++)
			;
		if (k == nhave)
			sbuf_addf(sb, "%s%s", sb->len ? ", " : "", v[i]);
		strv_free(have, nhave);
	}
	strv_free(v, n);
}

int
workflow_status_known(struct desk *d, const char *s, char **names)
{
	const struct ynode *w = desk_cfg(d, "workflows");
	struct sbuf sb = SBUF_INIT, one = SBUF_INIT;
	int known = has_status(NULL, s) || strcmp(s, "merged") == 0;

	statuses_of(NULL, &sb);
	for (size_t i = 0; w && w->kind == Y_MAP && i < w->n; i++) {
		if (w->items[i]->kind != Y_MAP)
			continue;
		known |= has_status(w->items[i], s);
		sbuf_reset(&one);
		statuses_of(w->items[i], &one);
		if (one.len)
			add_names(&sb, one.buf);
	}
	add_names(&sb, "merged");
	sbuf_free(&one);
	if (names)
		*names = sbuf_detach(&sb);
	else
		sbuf_free(&sb);
	return known;
}

int
workflow_check(struct desk *d, const struct kvmap *t, const char *from, const char *to)
{
	const struct ynode *wf, *tr, *req;
	const char *name;
	int rc;

	if ((rc = workflow_validate(d)) != 0)
		return rc;
	wf = find(d, t, &name);
	if (from && strcmp(from, to) == 0)
		return 0;
	if (!has_status(wf, to)) {
		struct sbuf sb = SBUF_INIT;
		statuses_of(wf, &sb);
		rc = rt_fail(EX_DATAERR, "'%s' is not a status of workflow '%s' (%s)", to, name,
		    sb.buf ? sb.buf : "");
		sbuf_free(&sb);
		return rc;
	}
	/* From a status the workflow does not know, any of its statuses is allowed. */
	if (from && wf && (tr = ymap_get(wf, "transitions")) != NULL && has_status(wf, from)) {
		const struct ynode *allowed = ymap_get(tr, from), *any = ymap_get(tr, "*");
		if (!ylist_has(allowed, to) && !ylist_has(any, to)) {
			struct sbuf sb = SBUF_INIT;
			if (allowed)
				ylist_join(allowed, &sb);
			rc = rt_fail(EX_DATAERR, "workflow '%s' does not allow '%s' -> '%s' "
			    "(from '%s': %s)", name, from, to, from, sb.buf ? sb.buf : "nothing");
			sbuf_free(&sb);
			return rc;
		}
	}
	if (wf && (req = ymap_get(wf, "require")) != NULL &&
	    (req = ymap_get(req, to)) != NULL) {
		char **f;
		size_t n;
		struct sbuf sb = SBUF_INIT;
		if (req->kind == Y_SCALAR)
			n = str_split(req->value ? req->value : "", ", ", &f);
		else {
			n = req->n;
			f = xmalloc((n + 1) * sizeof(*f));
			for (size_t i = 0; i < n; i++)
				f[i] = xstrdup(req->items[i]->value);
		}
		for (size_t i = 0; i < n; i++)
			if (kv_get(t, f[i]) == NULL)
				sbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", f[i]);
		strv_free(f, n);
		if (sb.len)
			rc = rt_fail(EX_DATAERR, "workflow '%s' requires %s before '%s'", name,
			    sb.buf, to);
		sbuf_free(&sb);
	}
	return rc;
}

static const struct ynode *
action(struct desk *d, const struct kvmap *t, const char *to, const char *key)
{
	const char *name;
	const struct ynode *wf = find(d, t, &name), *on;

	if (wf == NULL || (on = ymap_get(wf, "on")) == NULL || on->kind != Y_MAP ||
	    (on = ymap_get(on, to)) == NULL || on->kind != Y_MAP)
		return NULL;
	return ymap_get(on, key);
}

void
workflow_set_keys(struct desk *d, void (*fn)(const char *key, void *arg), void *arg)
{
	const struct ynode *w = desk_cfg(d, "workflows");

	for (size_t i = 0; w && w->kind == Y_MAP && i < w->n; i++) {
		const struct ynode *on = ymap_get(w->items[i], "on");
		for (size_t j = 0; on && on->kind == Y_MAP && j < on->n; j++) {
			const struct ynode *set = ymap_get(on->items[j], "set");
			for (size_t k = 0; set && set->kind == Y_MAP && k < set->n; k++)
				fn(set->keys[k], arg);
		}
	}
}

/* "{now}" and "{actor}" in action values. */
static char *
expand(struct desk *d, const char *v)
{
	struct sbuf sb = SBUF_INIT;
	char now[RT_TIMELEN];

	while (*v) {
		if (str_starts(v, "{now}")) {
			sbuf_adds(&sb, rt_fmttime(rt_now(), now));
			v += 5;
		} else if (str_starts(v, "{actor}")) {
			char *a = agent_of_actor(d);
			sbuf_adds(&sb, a);
			free(a);
			v += 7;
		} else
			sbuf_addc(&sb, *v++);
	}
	return sbuf_detach(&sb);
}

int
workflow_apply(struct desk *d, struct change *c, const char *to)
{
	const struct ynode *set = action(d, &c->ticket, to, "set");

	if (set == NULL || set->kind != Y_MAP)
		return 0;
	for (size_t i = 0; i < set->n; i++) {
		char *v = yscalar_is_null(set->items[i]) ? xstrdup("") :
		    expand(d, set->items[i]->value);
		change_set(c, set->keys[i], v);
		free(v);
	}
	return 0;
}

struct exec_at {
	const struct kvmap *t;
	const char *to;
};

/* The exec action for a ticket and status as a configuration has it. */
static const char *
exec_in(struct desk *d, const struct ynode *cfg, void *arg)
{
	struct exec_at *at = arg;
	struct ynode *wt = d->config;
	const struct ynode *ex;

	d->config = (struct ynode *)cfg;
	ex = action(d, at->t, at->to, "exec");
	d->config = wt;
	return ex && ex->kind == Y_SCALAR && !yscalar_is_null(ex) ? ex->value : NULL;
}

/*
 * The exec action must be the committed rt.yaml's, brought by an agent
 * (trust.h): a work-tree edit or the mail account's commit runs nothing.
 */
static int
exec_trusted(struct desk *d, const struct kvmap *t, const char *to, const struct ynode *ex)
{
	struct exec_at at = { t, to };
	const char *v;
	int rc;

	if ((rc = trust_value(d, "a workflow exec: action", exec_in, &at, &v)) != 0) {
		char *m = xstrdup(rt_errmsg());
		rc = rt_fail(rc, "workflow action '%s' not run: %s", ex->value, m);
		free(m);
	}
	return rc;
}

int
workflow_exec(struct desk *d, const struct kvmap *t, const char *id, const char *to)
{
	const struct ynode *ex = action(d, t, to, "exec");
	char *cmd;
	pid_t pid;
	int st, rc;

	if (ex == NULL || ex->kind != Y_SCALAR || yscalar_is_null(ex))
		return 0;
	if ((rc = exec_trusted(d, t, to, ex)) != 0)
		return rc;
	/* it may read and write the desk: after the unlock (status.h), a lock a batch kept goes too */
	txn_batch_settle(d);
	desk_unlock(d);
	cmd = xasprintf("%s \"$@\"", ex->value);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		free(cmd);
		return rt_fail(EX_OSERR, "cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		setenv("RT_DESK", d->root, 1);
		setenv("RT_STATUS", to, 1);
		dup2(2, 1);
		execl("/bin/sh", "sh", "-c", cmd, "rt-workflow", id, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return rt_fail(EX_OSERR, "waitpid: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	return rt_fail(EX_UNAVAILABLE, "workflow action '%s' for #%s failed (%s %d)",
	    ex->value, id, WIFEXITED(st) ? "exit" : "signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int
workflow_cascade(struct desk *d, const struct kvmap *t)
{
	const char *name;
	const struct ynode *wf = find(d, t, &name);

	return wf && ynode_bool(ymap_get(wf, "cascade")) == 1;
}
