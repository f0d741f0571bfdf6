/* trust.c: settings that run commands only from an agent's commit (trust.h) */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "desk.h"
#include "trust.h"
#include "txn.h"
#include "util.h"
#include "yamlio.h"

struct trust {
	int rc;			/* 0, or EX_CONFIG with why */
	char *why;
	struct ynode *config;	/* rt.yaml at HEAD when trusted */
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

static struct ynode *
load_blob(git_repository *repo, const git_oid *id, const char *name)
{
	git_blob *blob;
	struct ynode *y = NULL;

	if (git_blob_lookup(&blob, repo, id) == 0) {
		y = yaml_load(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), name);
		git_blob_free(blob);
	}
	return y;
}

/* Whether cfg declares agents, and whether email is one of them. */
static int
agents_of(const struct ynode *cfg, const char *email, int *declared)
{
	const struct ynode *a = cfg ? ymap_get(cfg, "agents") : NULL;

	*declared = a && a->kind == Y_MAP && a->n > 0;
	for (size_t i = 0; *declared && email && i < a->n; i++) {
		const struct ynode *v = a->items[i];
		const char *e = v->kind == Y_SCALAR ? v->value :
		    v->kind == Y_MAP ? ymap_str(v, "email") : NULL;
		if (e && strcasecmp(e, email) == 0)
			return 1;
	}
	return 0;
}

/* Whether c brought blob: it has it and its first parent has not. */
static int
brought(git_commit *c, const git_oid *blob)
{
	git_commit *p;
	git_oid b;
	int yes;

	if (config_blob(c, &b) != 0 || !git_oid_equal(&b, blob))
		return 0;
	if (git_commit_parentcount(c) == 0)
		return 1;
	if (git_commit_parent(&p, c, 0) != 0)
		return 0;
	yes = config_blob(p, &b) != 0 || !git_oid_equal(&b, blob);
	git_commit_free(p);
	return yes;
}

/*
 * .git/rt/trust remembers "BLOB COMMIT": the walk below is as long as the
 * history since rt.yaml last changed. An entry is checked before use;
 * what it names is a commit that brought this very content.
 */
static int
remembered(struct desk *d, const git_oid *blob, git_commit **out)
{
	char *path = xasprintf("%s/trust", d->rtdir), *buf = NULL, hex[GIT_OID_HEXSZ + 1];
	git_oid b, cid;
	size_t len;
	int ok = 0;

	*out = NULL;
	git_oid_tostr(hex, sizeof(hex), blob);
	if (read_file(path, &buf, &len) == 0 && len >= 2 * GIT_OID_HEXSZ + 1 &&
	    git_oid_fromstrn(&b, buf, GIT_OID_HEXSZ) == 0 && git_oid_equal(&b, blob) &&
	    git_oid_fromstrn(&cid, buf + GIT_OID_HEXSZ + 1, GIT_OID_HEXSZ) == 0 &&
	    git_commit_lookup(out, d->repo, &cid) == 0)
		ok = brought(*out, blob);
	if (!ok && *out) {
		git_commit_free(*out);
		*out = NULL;
	}
	free(buf);
	free(path);
	return ok;
}

static void
remember(struct desk *d, const git_oid *blob, git_commit *c)
{
	char *path = xasprintf("%s/trust", d->rtdir), b[GIT_OID_HEXSZ + 1], h[GIT_OID_HEXSZ + 1];
	char *line;

	git_oid_tostr(b, sizeof(b), blob);
	git_oid_tostr(h, sizeof(h), git_commit_id(c));
	line = xasprintf("%s %s\n", b, h);
	(void)write_file_atomic(path, line, strlen(line), 0);	/* a cache only */
	free(line);
	free(path);
}

/*
 * The commit on HEAD's first-parent line that brought rt.yaml's blob
 * id: the oldest one in the run of commits with that blob.
 */
static int
introducer(struct desk *d, git_commit *head, const git_oid *blob, git_commit **out)
{
	git_commit *c = head, *p;
	git_oid pb;

	if (remembered(d, blob, out))
		return 0;
	git_commit_dup(&c, head);
	while (git_commit_parentcount(c) > 0 && git_commit_parent(&p, c, 0) == 0) {
		if (config_blob(p, &pb) != 0 || !git_oid_equal(&pb, blob)) {
			git_commit_free(p);
			break;
		}
		git_commit_free(c);
		c = p;
	}
	*out = c;
	remember(d, blob, c);
	return 0;
}

/* Whether the author of c (which changed rt.yaml to cfg) is an agent. */
static int
by_agent(git_repository *repo, git_commit *c, const struct ynode *cfg, char **why)
{
	const git_signature *au = git_commit_author(c);
	struct ynode *before = NULL;
	git_commit *p = NULL;
	git_oid pb;
	int declared = 0, ok;

	if (git_commit_parentcount(c) == 0)
		return 1;	/* the desk's first commit (rt-init) */
	if (git_commit_parent(&p, c, 0) == 0 && config_blob(p, &pb) == 0)
		before = load_blob(repo, &pb, DESK_CONFIG " (before the change)");
	ok = agents_of(before, au->email, &declared);
	if (!declared)
		ok = agents_of(cfg, au->email, &declared);
	if (!declared)
		ok = 1;		/* no agents declared: nobody to tell apart */
	if (!ok) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
		*why = xasprintf("rt.yaml was last changed in commit %.12s by %s <%s>, who is "
		    "not an agent", hex, au->name, au->email);
	}
	ynode_free(before);
	git_commit_free(p);
	return ok;
}

static void
load(struct desk *d, struct trust *t)
{
	git_commit *head = NULL, *intro = NULL;
	git_oid blob;

	if (desk_head(d, &head) != 0 || head == NULL || config_blob(head, &blob) != 0) {
		t->why = xstrdup("rt.yaml is not committed");
		goto out;
	}
	introducer(d, head, &blob, &intro);
	if ((t->config = load_blob(d->repo, &blob, DESK_CONFIG " (HEAD)")) == NULL) {
		t->why = xasprintf("the committed rt.yaml: %s", rt_errmsg());
		goto out;
	}
	if (!by_agent(d->repo, intro, t->config, &t->why)) {
		ynode_free(t->config);
		t->config = NULL;
	}
out:
	t->rc = t->config ? 0 : EX_CONFIG;
	git_commit_free(intro);
	git_commit_free(head);
}

int
trust_config(struct desk *d, const struct ynode **out)
{
	if (d->trust == NULL) {
		d->trust = xcalloc(1, sizeof(*d->trust));
		load(d, d->trust);
	}
	*out = d->trust->config;
	if (d->trust->rc)
		return rt_fail(d->trust->rc, "%s", d->trust->why);
	return 0;
}

/* The scalar at a dotted path of cfg, or NULL. */
static const char *
cfg_str(const struct ynode *cfg, const char *path)
{
	char **parts;
	size_t n = str_split(path, ".", &parts);
	const struct ynode *node = cfg;

	for (size_t i = 0; i < n && node; i++)
		node = node->kind == Y_MAP ? ymap_get(node, parts[i]) : NULL;
	strv_free(parts, n);
	return node && node->kind == Y_SCALAR && !yscalar_is_null(node) ? node->value : NULL;
}

int
trust_cfg_command(struct desk *d, const char *path, const char **out)
{
	const char *wt = desk_cfg_str(d, path, NULL), *tv;
	const struct ynode *cfg;
	int rc;

	*out = NULL;
	if ((rc = trust_config(d, &cfg)) != 0) {
		char *m = xstrdup(rt_errmsg());
		rc = rt_fail(rc, "%s: %s runs a command and is taken only from a committed rt.yaml "
		    "an agent wrote (rt-desk(5), TRUST): %s", d->config_name, path, m);
		free(m);
		return rc;
	}
	tv = cfg_str(cfg, path);
	if ((wt == NULL) != (tv == NULL) || (wt && strcmp(wt, tv) != 0))
		return rt_fail(EX_CONFIG, "%s: %s runs a command and is taken only from the "
		    "committed rt.yaml, which says %s: commit your change (rt-desk(5), TRUST)",
		    d->config_name, path, tv ? tv : "nothing");
	*out = tv;
	return 0;
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
	ynode_free(d->trust->config);
	free(d->trust->why);
	free(d->trust);
	d->trust = NULL;
}
