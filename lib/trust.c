/* trust.c: settings that run commands only from an agent's commit (trust.h) */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "desk.h"
#include "head.h"
#include "trust.h"
#include "util.h"
#include "yamlio.h"

#define TRUST_CACHE_MAX 64	/* lines kept in .git/rt/trust */

/* rt.yaml as committed in one commit, parsed once per blob. */
struct cfgver {
	git_oid blob;
	int have;		/* the commit has rt.yaml */
	struct ynode *cfg;	/* NULL when it is not YAML */
};

struct trust {
	struct cfgver head;
	int loaded;
};

/* rt.yaml's blob id in commit c; 0 if found. */
static int
config_blob(git_commit *c, git_oid *out)
{
	git_tree *tree = NULL;
	const git_tree_entry *e;
	int rc = -1;

	if (git_commit_tree(&tree, c) == 0 && (e = git_tree_entry_byname(tree, DESK_CONFIG))) {
		git_oid_cpy(out, git_tree_entry_id(e));
		rc = 0;
	}
	git_tree_free(tree);
	return rc;
}

static void
cfgver_load(git_repository *repo, git_commit *c, struct cfgver *v)
{
	git_blob *blob;

	memset(v, 0, sizeof(*v));
	if (config_blob(c, &v->blob) != 0)
		return;
	v->have = 1;
	if (git_blob_lookup(&blob, repo, &v->blob) == 0) {
		v->cfg = yaml_load(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
		    DESK_CONFIG " (committed)");
		git_blob_free(blob);
	}
}

static void
cfgver_free(struct cfgver *v)
{
	ynode_free(v->cfg);
	memset(v, 0, sizeof(*v));
}

/* The setting's value in version v, or NULL. */
static const char *
value_in(struct desk *d, const struct cfgver *v, trust_get get, void *arg)
{
	return v->have && v->cfg ? get(d, v->cfg, arg) : NULL;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/*
 * .git/rt/trust remembers "KEY START INTRO" for a setting's value (KEY:
 * the hash of its name and value): walking back from START, the value
 * came with INTRO. A later walk stops when it reaches START, so it is as
 * long as the history since the last one, not since the value came.
 */
static char *
cache_key(const char *what, const char *value)
{
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1], *s = xasprintf("%s\n%s", what, value);

	git_odb_hash(&oid, s, strlen(s), GIT_OBJECT_BLOB);
	free(s);
	return xstrdup(git_oid_tostr(hex, sizeof(hex), &oid));
}

/* The START and INTRO remembered for key; 0 if there are. */
static int
remembered(struct desk *d, const char *key, git_oid *start, git_oid *intro)
{
	char *path = xasprintf("%s/trust", d->rtdir), *buf = NULL;
	size_t len, klen = strlen(key);
	int rc = -1;

	if (read_file(path, &buf, &len) == 0)
		for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			if (strncmp(l, key, klen) == 0 && l[klen] == ' ' &&
			    strlen(l) > klen + 2 * GIT_OID_HEXSZ + 1 &&
			    git_oid_fromstrn(start, l + klen + 1, GIT_OID_HEXSZ) == 0 &&
			    git_oid_fromstrn(intro, l + klen + 2 + GIT_OID_HEXSZ, GIT_OID_HEXSZ) == 0) {
				rc = 0;
				break;
			}
	free(buf);
	free(path);
	return rc;
}

static void
remember(struct desk *d, const char *key, git_commit *start, git_commit *intro)
{
	char *path = xasprintf("%s/trust", d->rtdir), *buf = NULL;
	char hs[GIT_OID_HEXSZ + 1], hi[GIT_OID_HEXSZ + 1];
	struct sbuf sb = SBUF_INIT;
	size_t len, n = 0;

	git_oid_tostr(hs, sizeof(hs), git_commit_id(start));
	git_oid_tostr(hi, sizeof(hi), git_commit_id(intro));
	sbuf_addf(&sb, "%s %s %s\n", key, hs, hi);
	if (read_file(path, &buf, &len) == 0)
		for (char *l = buf; *l && ++n < TRUST_CACHE_MAX;) {
			size_t k = strcspn(l, "\n");
			if (strncmp(l, key, strlen(key)) != 0)
				sbuf_addf(&sb, "%.*s\n", (int)k, l);
			l += k + (l[k] == '\n');
		}
	(void)write_file_atomic(path, sb.buf, sb.len, 0);	/* a cache only */
	sbuf_free(&sb);
	free(buf);
	free(path);
}

/*
 * The commit on the first-parent line from `from` that brought value:
 * the oldest of the run of commits that have it. rt.yaml is parsed only
 * where its blob changes; the walk stops at a remembered START (what:
 * the setting's name, for the cache).
 */
static git_commit *
introducer(struct desk *d, const char *what, git_commit *from, const char *value,
    trust_get get, void *arg)
{
	char *key = cache_key(what, value);
	git_commit *c, *p, *known = NULL;
	git_oid blob, pb, start, intro;
	int cached = remembered(d, key, &start, &intro) == 0;

	if (config_blob(from, &blob) != 0)
		memset(&blob, 0, sizeof(blob));
	git_commit_dup(&c, from);
	for (;;) {
		if (cached && git_oid_equal(git_commit_id(c), &start) &&
		    git_commit_lookup(&known, d->repo, &intro) == 0)
			break;
		if (git_commit_parentcount(c) == 0 || git_commit_parent(&p, c, 0) != 0)
			break;
		int have = config_blob(p, &pb) == 0, keep = have && git_oid_equal(&pb, &blob);
		if (!keep && have) {
			struct cfgver v;
			cfgver_load(d->repo, p, &v);
			keep = same(value_in(d, &v, get, arg), value);
			cfgver_free(&v);
			git_oid_cpy(&blob, &pb);
		}
		if (!keep) {
			git_commit_free(p);
			break;
		}
		git_commit_free(c);
		c = p;
	}
	if (known) {
		git_commit_free(c);
		c = known;
	}
	if (!(cached && git_oid_equal(git_commit_id(from), &start)))
		remember(d, key, from, c);
	free(key);
	return c;
}

/*
 * The agents of a configuration as one value, "a@x\nb@y\n" in the order
 * given ("" when none), for comparing versions. arg: a struct sbuf.
 */
static const char *
get_agents(struct desk *d, const struct ynode *cfg, void *arg)
{
	const struct ynode *a = cfg ? ymap_get(cfg, "agents") : NULL;
	struct sbuf *sb = arg;

	(void)d;
	sbuf_free(sb);
	for (size_t i = 0; a && a->kind == Y_MAP && i < a->n; i++) {
		const struct ynode *v = a->items[i];
		const char *e = v->kind == Y_SCALAR ? v->value : NULL;
		if (v->kind == Y_MAP && (e = ymap_str(v, "address")) == NULL)
			e = ymap_str(v, "email");
		if (e)
			sbuf_addf(sb, "%s\n", e);
	}
	return sb->buf ? sb->buf : "";
}

static int
listed(const char *agents, const char *email)
{
	size_t n = strlen(email);

	for (const char *p = agents; *p; p += strcspn(p, "\n") + 1)
		if (strcspn(p, "\n") == n && strncasecmp(p, email, n) == 0)
			return 1;
	return 0;
}

#define TRUST_DEPTH 32	/* changes of agents: followed back at most */

/*
 * The agents: list in force at commit p: its own, when the commit that
 * brought it was the desk's first or authored by an agent of the list in
 * force before; else (a change by someone else) the list before that
 * change. "" while none is declared; NULL past TRUST_DEPTH changes.
 */
static char *
trusted_agents(struct desk *d, git_commit *p, int depth)
{
	struct sbuf sb = SBUF_INIT;
	struct cfgver v;
	git_commit *ci, *pp = NULL;
	char *agents, *prev;

	cfgver_load(d->repo, p, &v);
	agents = xstrdup(value_in(d, &v, get_agents, &sb) ? sb.buf ? sb.buf : "" : "");
	cfgver_free(&v);
	ci = introducer(d, "agents:", p, agents, get_agents, &sb);
	sbuf_free(&sb);
	if (ci == NULL || git_commit_parentcount(ci) == 0 || git_commit_parent(&pp, ci, 0) != 0) {
		git_commit_free(ci);
		return agents;
	}
	prev = depth < TRUST_DEPTH ? trusted_agents(d, pp, depth + 1) : NULL;
	if (prev && (*prev == '\0' || listed(prev, git_commit_author(ci)->email))) {
		free(prev);
		prev = agents;		/* a trusted change of the list */
	} else
		free(agents);
	git_commit_free(pp);
	git_commit_free(ci);
	return prev;
}

/*
 * Whether c's author may bring a command: an agent of the agents: list
 * in force before c (trusted_agents). While none is declared, anyone
 * may (nobody to tell apart).
 */
static int
by_agent(struct desk *d, git_commit *c, char **why)
{
	const git_signature *au = git_commit_author(c);
	git_commit *p = NULL;
	char *agents;
	int ok;

	if (git_commit_parentcount(c) == 0 || git_commit_parent(&p, c, 0) != 0)
		return 1;	/* the desk's first commit (rt-init) */
	agents = trusted_agents(d, p, 0);
	ok = agents && (*agents == '\0' || listed(agents, au->email));
	if (!ok) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
		*why = xasprintf("commit %.12s by %s <%s>, who is not an agent", hex, au->name,
		    au->email);
	}
	free(agents);
	git_commit_free(p);
	return ok;
}

int
trust_value(struct desk *d, const char *what, trust_get get, void *arg, const char **out)
{
	const char *wt = get(d, d->config, arg), *hv;
	git_commit *head = NULL, *intro = NULL;
	char *why = NULL;
	int rc = 0;

	*out = NULL;
	if (d->trust == NULL)
		d->trust = xcalloc(1, sizeof(*d->trust));
	if ((rc = desk_head(d, &head)) != 0)
		return rc;
	if (!d->trust->loaded && head)
		cfgver_load(d->repo, head, &d->trust->head);
	d->trust->loaded = 1;
	hv = value_in(d, &d->trust->head, get, arg);
	if (!same(wt, hv)) {
		rc = rt_fail(EX_CONFIG, "%s: %s runs a command and is taken only from the committed "
		    "rt.yaml, which has %s: commit your change (rt-desk(5), TRUST)",
		    d->config_name, what, hv ? hv : "none");
		goto out;
	}
	if (hv == NULL)
		goto out;
	intro = introducer(d, what, head, hv, get, arg);
	if (intro && !by_agent(d, intro, &why)) {
		rc = rt_fail(EX_CONFIG, "%s: %s runs a command and is taken only from a committed "
		    "rt.yaml an agent wrote; it came with %s (rt-desk(5), TRUST)", d->config_name,
		    what, why);
		goto out;
	}
	*out = hv;
out:
	free(why);
	git_commit_free(intro);
	git_commit_free(head);
	return rc;
}

/* The scalar at a dotted path of cfg, or NULL. */
static const char *
get_path(struct desk *d, const struct ynode *cfg, void *arg)
{
	char **parts;
	size_t n = str_split(arg, ".", &parts);
	const struct ynode *node = cfg;

	(void)d;
	for (size_t i = 0; i < n && node; i++)
		node = node->kind == Y_MAP ? ymap_get(node, parts[i]) : NULL;
	strv_free(parts, n);
	return node && node->kind == Y_SCALAR && !yscalar_is_null(node) ? node->value : NULL;
}

int
trust_cfg_command(struct desk *d, const char *path, const char **out)
{
	return trust_value(d, path, get_path, (void *)path, out);
}

int
trust_mailer(struct desk *d, const char *path, const char *dflt_path, const char **out)
{
	const char *url = desk_cfg_str(d, path, NULL);

	if (url == NULL && dflt_path) {
		path = dflt_path;
		url = desk_cfg_str(d, path, NULL);
	}
	*out = url;
	if (url == NULL || strncasecmp(url, "smtp://", 7) == 0 || strncasecmp(url, "smtps://", 8) == 0)
		return 0;
	return trust_cfg_command(d, path, out);
}

void
trust_free(struct desk *d)
{
	if (d->trust == NULL)
		return;
	cfgver_free(&d->trust->head);
	free(d->trust);
	d->trust = NULL;
}
