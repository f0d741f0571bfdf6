/* sync.c: fetch, merge, reconcile and push a desk (see sync.h) */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "desk.h"
#include "guard.h"
#include "head.h"
#include "id.h"
#include "kv.h"
#include "link.h"
#include "reconcile.h"
#include "sync.h"
#include "tls.h"
#include "util.h"
#include "worktree.h"

#define SYNC_ATTEMPTS 5
#define TRAILER_TICKETS 20	/* ticket ids named in the merge commit */

struct remote_ctx {
	git_remote *remote;
	char *name;		/* for messages */
	char *theirs_ref;	/* where the fetch puts the remote's branch */
	char *fetchspec, *pushspec;
};


char *
sync_clone_name(struct desk *d)
{
	git_config *cfg = NULL;
	git_buf buf = GIT_BUF_INIT;
	char host[256], *name;

	if (git_repository_config_snapshot(&cfg, d->repo) == 0 &&
	    git_config_get_string_buf(&buf, cfg, "rt.clone") == 0 && buf.size > 0)
		name = xstrdup(buf.ptr);
	else if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		name = xstrdup(host);
	} else
		name = xstrdup("localhost");
	git_buf_dispose(&buf);
	git_config_free(cfg);
	return name;
}

void
sync_result_free(struct sync_result *res)
{
	free(res->remote);
	free(res->branch);
	sbuf_free(&res->lost);
	memset(res, 0, sizeof(*res));
}

/* "main" for HEAD -> refs/heads/main; EX_TEMPFAIL on a detached HEAD. */
static int
head_branch(struct desk *d, char **out)
{
	git_reference *head = NULL;
	int rc;

	if ((rc = git_reference_lookup(&head, d->repo, "HEAD")) < 0)
		return git_fail(rc, "cannot read HEAD");
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
	    !str_starts(git_reference_symbolic_target(head), "refs/heads/")) {
		git_reference_free(head);
		return rt_fail(EX_TEMPFAIL, "HEAD of %s is not on a branch", d->root);
	}
	*out = xstrdup(git_reference_symbolic_target(head) + strlen("refs/heads/"));
	git_reference_free(head);
	return 0;
}

static void
remote_close(struct remote_ctx *r)
{
	git_remote_free(r->remote);
	free(r->name);
	free(r->theirs_ref);
	free(r->fetchspec);
	free(r->pushspec);
	memset(r, 0, sizeof(*r));
}

/* The branch's upstream remote (branch.B.remote), else "origin". */
static char *
default_remote(struct desk *d, const char *branch)
{
	git_config *cfg = NULL;
	git_buf buf = GIT_BUF_INIT;
	char *key = xasprintf("branch.%s.remote", branch), *name;

	if (git_repository_config_snapshot(&cfg, d->repo) == 0 &&
	    git_config_get_string_buf(&buf, cfg, key) == 0 && buf.size > 0)
		name = xstrdup(buf.ptr);
	else
		name = xstrdup("origin");
	git_buf_dispose(&buf);
	git_config_free(cfg);
	free(key);
	return name;
}

/* "../central.git": no scheme, not absolute, not host:path */
static int
is_relative_path(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	return url[0] != '/' && strstr(url, "://") == NULL && (colon == NULL ||
	    (slash && slash < colon));
}

static int
remote_open(struct desk *d, const char *name, const char *branch, struct remote_ctx *r)
{
	const char *url;
	int rc;

	memset(r, 0, sizeof(*r));
	r->name = name ? xstrdup(name) : default_remote(d, branch);
	if (git_remote_lookup(&r->remote, d->repo, r->name) == 0) {
		r->theirs_ref = xasprintf("refs/remotes/%s/%s", r->name, branch);
		/* git takes a relative path as relative to the work tree; libgit2 does not */
		if ((url = git_remote_url(r->remote)) && is_relative_path(url)) {
			char *abs = xasprintf("%s/%s", d->root, url);
			git_remote_free(r->remote);
			r->remote = NULL;
			rc = git_remote_create_anonymous(&r->remote, d->repo, abs);
			free(abs);
			if (rc < 0)
				return git_fail(rc, r->name);
		}
	} else if (strchr(r->name, '/') || strchr(r->name, ':')) {
		if (git_remote_create_anonymous(&r->remote, d->repo, r->name) < 0)
			return rt_fail(EX_CONFIG, "'%s' is not a remote: %s", r->name,
			    git_error_last() ? git_error_last()->message : "?");
		r->theirs_ref = xasprintf("refs/rt-sync/%s", branch);
	} else
		return rt_fail(EX_CONFIG, "%s has no remote '%s' (git remote add %s URL)",
		    d->root, r->name, r->name);
	r->fetchspec = xasprintf("+refs/heads/%s:%s", branch, r->theirs_ref);
	r->pushspec = xasprintf("refs/heads/%s:refs/heads/%s", branch, branch);
	url = git_remote_url(r->remote);
	/* TLS starts on demand (lib/tls.h); http may be redirected to https */
	if (url && (str_starts(url, "https://") || str_starts(url, "http://")) &&
	    rt_tls_init() != 0)
		return rt_fail(EX_TEMPFAIL, "cannot load the CA certificates for %s", url);
	return 0;
}

static int
unreachable(struct remote_ctx *r, const char *what)
{
	const git_error *e = git_error_last();

	return rt_fail(EX_TEMPFAIL, "cannot %s '%s': %s", what, r->name,
	    e && e->message ? e->message : "unknown error");
}

static int
do_fetch(struct remote_ctx *r)
{
	git_fetch_options fo;
	char *specs[] = { r->fetchspec };
	git_strarray sa = { specs, 1 };

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	if (git_remote_fetch(r->remote, &sa, &fo, "rt-sync: fetch") < 0)
		return unreachable(r, "fetch from");
	return 0;
}

/* Commits reachable from tip and not from hide (hide may be NULL). */
static size_t
count_commits(git_repository *repo, const git_oid *tip, const git_oid *hide)
{
	git_revwalk *w = NULL;
	git_oid oid;
	size_t n = 0;

	if (git_revwalk_new(&w, repo) < 0 || git_revwalk_push(w, tip) < 0 ||
	    (hide && git_revwalk_hide(w, hide) < 0)) {
		git_revwalk_free(w);
		return 0;
	}
	while (git_revwalk_next(&oid, w) == 0)
		n++;
	git_revwalk_free(w);
	return n;
}

/* Every ticket whose files differ between two commits. */
static int
touched_tickets(git_repository *repo, const git_oid *a, const git_oid *b, struct id_set *ids,
    struct sbuf *paths)
{
	git_commit *ca = NULL, *cb = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	git_diff_options o;
	int rc = 0;

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);

	if (git_commit_lookup(&ca, repo, a) < 0 || git_commit_tree(&ta, ca) < 0 ||
	    git_commit_lookup(&cb, repo, b) < 0 || git_commit_tree(&tb, cb) < 0 ||
	    git_diff_tree_to_tree(&diff, repo, ta, tb, &o) < 0) {
		rc = git_fail(-1, "cannot compare the merged trees");
		goto out;
	}
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *dd = git_diff_get_delta(diff, i);
		char id[ID_LEN + 1];
		if (paths) {
			sbuf_adds(paths, dd->new_file.path);
			sbuf_addc(paths, '\0');
		}
		if (ids && ticket_of_path(dd->new_file.path, id) == 0)
			id_set_add(ids, id);
	}
out:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(ca);
	git_commit_free(cb);
	return rc;
}

static char *
merge_message(struct remote_ctx *r, const char *branch, const git_oid *theirs,
    const struct sync_result *res, const struct id_set *ids)
{
	struct sbuf sb = SBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), theirs);
	sbuf_addf(&sb, "sync: merge %s %s (%zu commit%s, %zu ticket%s)\n\n", r->name, branch,
	    res->incoming, res->incoming == 1 ? "" : "s", ids->n, ids->n == 1 ? "" : "s");
	sbuf_addf(&sb, "Action: sync\nMerged: %s %s %s\n", hex, r->name, branch);
	if (ids->n) {
		sbuf_adds(&sb, "Tickets:");
		for (size_t i = 0; i < ids->n && i < TRAILER_TICKETS; i++)
			sbuf_addf(&sb, " %s", ids->v[i]);
		if (ids->n > TRAILER_TICKETS)
			sbuf_addf(&sb, " and %zu more", ids->n - TRAILER_TICKETS);
		sbuf_addc(&sb, '\n');
	}
	for (const char *p = res->lost.buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		sbuf_adds(&sb, "Lost: ");
		sbuf_add(&sb, p, len);
		sbuf_addc(&sb, '\n');
		p += len + (nl != NULL);
	}
	return sbuf_detach(&sb);
}

static int
make_sig(struct desk *d, git_signature **sig)
{
	if (git_signature_new(sig, d->actor_name, d->actor_email, (git_time_t)rt_now(), 0) == 0 ||
	    git_signature_new(sig, "rt", "rt@localhost", (git_time_t)rt_now(), 0) == 0)
		return 0;
	return git_fail(-1, "cannot make signature");
}

/*
 * The merge commit of ours and theirs, built in memory: git_merge_commits
 * takes .gitattributes' merge=union for log.yaml. A conflict left by the
 * merge (a file both sides changed that has no union driver) is refused.
 */
static int
merge_commit(struct desk *d, struct remote_ctx *r, const char *branch, const git_oid *ours,
    const git_oid *theirs, struct sync_result *res, git_oid *out)
{
	git_commit *co = NULL, *ct = NULL;
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_merge_options mo;
	git_oid tree_id;
	struct id_set ids = { NULL, 0, 0 };
	char *msg = NULL;
	int rc;

	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	mo.flags = 0;	/* no rename detection: desk paths never move */
	if (git_commit_lookup(&co, d->repo, ours) < 0 || git_commit_lookup(&ct, d->repo, theirs) < 0) {
		rc = git_fail(-1, "cannot read the commits to merge");
		goto out;
	}
	if ((rc = git_merge_commits(&idx, d->repo, co, ct, &mo)) < 0) {
		rc = git_fail(rc, "cannot merge");
		goto out;
	}
	if (git_index_has_conflicts(idx)) {
		git_index_conflict_iterator *it = NULL;
		const git_index_entry *a, *o, *t;
		const char *path = "?";
		if (git_index_conflict_iterator_new(&it, idx) == 0 &&
		    git_index_conflict_next(&a, &o, &t, it) == 0)
			path = o ? o->path : t ? t->path : a ? a->path : "?";
		rc = rt_fail(EX_DATAERR, "cannot merge %s: both sides changed %s, which has no "
		    "merge rule (the desk is left as it was)", r->name, path);
		git_index_conflict_iterator_free(it);
		goto out;
	}
	if ((rc = git_index_write_tree_to(&tree_id, idx, d->repo)) < 0 ||
	    (rc = git_tree_lookup(&tree, d->repo, &tree_id)) < 0) {
		rc = git_fail(rc, "cannot write the merged tree");
		goto out;
	}
	{
		git_oid base;
		if (git_merge_base(&base, d->repo, ours, theirs) == 0)
			rc = touched_tickets(d->repo, &base, theirs, &ids, NULL);
		if (rc != 0)
			goto out;
	}
	res->tickets = ids.n;
	reconcile_lost(d, co, ct, tree, (const char **)ids.v, ids.n, &res->lost);
	msg = merge_message(r, branch, theirs, res, &ids);
	if ((rc = make_sig(d, &sig)) != 0)
		goto out;
	{
		const git_commit *parents[] = { co, ct };
		if ((rc = git_commit_create(out, d->repo, NULL, sig, sig, "UTF-8", msg, tree, 2,
		    parents)) < 0)
			rc = git_fail(rc, "cannot commit the merge");
	}
out:
	strv_free(ids.v, ids.n);
	free(msg);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	git_commit_free(co);
	git_commit_free(ct);
	return rc;
}

/*
 * Moves the branch from old to new (compare-and-swap, under rt's
 * index.lock), then brings the work tree and the index to the new
 * commit for the paths that changed.
 */
static int
move_to(struct desk *d, const char *branch, const git_oid *old, const git_oid *new,
    const char *logmsg)
{
	struct commit_guard g;
	git_reference *ref = NULL;
	struct sbuf paths = SBUF_INIT;
	const char **v = NULL;
	size_t n = 0;
	char *name = xasprintf("refs/heads/%s", branch);
	int rc;

	if ((rc = touched_tickets(d->repo, old, new, NULL, &paths)) != 0)
		goto out;
	for (size_t off = 0; off < paths.len; off += strlen(paths.buf + off) + 1) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = paths.buf + off;
	}
	/* Journal first: a crash after the move leaves the paths to repair. */
	if (n && (rc = worktree_journal(d, v, n)) != 0)
		goto out;
	if ((rc = guard_commit_begin(d, &g)) != 0)
		goto out;
	rc = git_reference_create_matching(&ref, d->repo, name, new, 1, old, logmsg);
	git_reference_free(ref);
	desk_head_moved(d, NULL);
	if (rc < 0)
		rc = git_fail(rc == GIT_EMODIFIED ? GIT_ELOCKED : rc, "cannot move the branch");
	guard_commit_end(d, &g, rc == 0);
	if (rc == 0) {
		guard_index_done(d);
		if (d->cache && cache_sync(d) != 0)
			rt_warn("warning: %s", rt_errmsg());
	}
out:
	free(v);
	sbuf_free(&paths);
	free(name);
	return rc;
}

/* Brings the remote's branch in: nothing, a fast forward or a merge. */
static int
merge_in(struct desk *d, struct remote_ctx *r, const char *branch, struct sync_result *res,
    struct id_set *touched)
{
	git_oid ours, theirs, next;
	char *logmsg;
	int rc;

	if (git_reference_name_to_id(&theirs, d->repo, r->theirs_ref) < 0)
		return 0;	/* the remote has no such branch yet */
	if ((rc = git_reference_name_to_id(&ours, d->repo, "HEAD")) < 0)
		return git_fail(rc, "cannot read HEAD");
	if (git_oid_equal(&ours, &theirs) || git_graph_descendant_of(d->repo, &ours, &theirs) == 1)
		return 0;
	res->incoming += count_commits(d->repo, &theirs, &ours);
	if (git_graph_descendant_of(d->repo, &theirs, &ours) == 1) {
		next = theirs;
		res->fast_forward = 1;
		logmsg = xasprintf("rt-sync: fast-forward to %s %s", r->name, branch);
	} else {
		if ((rc = merge_commit(d, r, branch, &ours, &theirs, res, &next)) != 0)
			return rc;
		res->merged = 1;
		res->merge = next;
		logmsg = xasprintf("rt-sync: merge %s %s", r->name, branch);
	}
	if ((rc = touched_tickets(d->repo, &ours, &next, touched, NULL)) == 0)
		rc = move_to(d, branch, &ours, &next, logmsg);
	free(logmsg);
	return rc;
}

struct push_state {
	int rejected;
	char *why;
};

static int
on_push_ref(const char *ref, const char *status, void *data)
{
	struct push_state *st = data;

	(void)ref;
	if (status) {
		st->rejected = 1;
		free(st->why);
		st->why = xstrdup(status);
	}
	return 0;
}

/* Pushes the branch; *rejected when the remote moved on (fetch again). */
static int
do_push(struct desk *d, struct remote_ctx *r, struct sync_result *res, int *rejected)
{
	git_push_options po;
	struct push_state st = { 0, NULL };
	char *specs[] = { r->pushspec };
	git_strarray sa = { specs, 1 };
	git_oid ours, theirs;
	git_reference *ref = NULL;
	int rc, have_theirs;

	*rejected = 0;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	if ((rc = git_reference_name_to_id(&ours, d->repo, "HEAD")) < 0)
		return git_fail(rc, "cannot read HEAD");
	have_theirs = git_reference_name_to_id(&theirs, d->repo, r->theirs_ref) == 0;
	if (have_theirs && git_oid_equal(&ours, &theirs))
		return 0;
	res->outgoing = count_commits(d->repo, &ours, have_theirs ? &theirs : NULL);
	po.callbacks.push_update_reference = on_push_ref;
	po.callbacks.payload = &st;
	rc = git_remote_push(r->remote, &sa, &po);
	if (rc == GIT_ENONFASTFORWARD || (rc == 0 && st.rejected)) {
		*rejected = 1;
		rc = rt_fail(EX_TEMPFAIL, "the push to '%s' was refused: %s", r->name,
		    st.why ? st.why : "not a fast forward");
	} else if (rc < 0)
		rc = unreachable(r, "push to");
	else {
		res->pushed = 1;
		/* The remote's branch is ours now, whatever the remote's refspecs say. */
		git_reference_create(&ref, d->repo, r->theirs_ref, &ours, 1, "rt-sync: push");
		git_reference_free(ref);
	}
	free(st.why);
	return rc;
}

/* One round under the desk lock: fetch and merge. */
static int
fetch_merge(struct desk *d, struct remote_ctx *r, const char *branch, struct sync_result *res,
    struct id_set *touched)
{
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return rc;
	if ((rc = do_fetch(r)) == 0)
		rc = merge_in(d, r, branch, res, touched);
	desk_unlock(d);
	return rc;
}

static int
push_locked(struct desk *d, struct remote_ctx *r, struct sync_result *res, int *rejected)
{
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return rc;
	/*
	 * The work tree and the index of every pending path (the merge's,
	 * the reconciling commits' and the commands' before), so git status
	 * is clean after a sync. The branch is the record; a failed mirror
	 * is repaired by rt-gc.
	 */
	guard_index_writer(d);
	if (worktree_sync(d, 0) != 0)
		rt_warn("warning: %s", rt_errmsg());
	guard_index_done(d);
	rc = do_push(d, r, res, rejected);
	desk_unlock(d);
	return rc;
}

/*
 * A hub made with "git init --bare" has HEAD on init.defaultBranch
 * (often master) while the desk pushes its own branch: a git clone of
 * it then checks out nothing and is no desk. The remote's HEAD is in
 * the last connection's advertisement when that was a fetch; a push's
 * (receive-pack) never names HEAD, so after a push the remote is asked
 * once more, as is a remote that showed no refs.
 */
static void
warn_headless(struct remote_ctx *r, const char *branch, int pushed)
{
	const git_remote_head **heads;
	git_buf b = GIT_BUF_INIT;
	git_remote *fresh = NULL, *rm = r->remote;
	size_t n = 0;
	int rc;

	if (pushed || git_remote_ls(&heads, &n, r->remote) < 0)
		n = 0;
	if (n == 0 && (!pushed || git_remote_dup(&fresh, r->remote) < 0 ||
	    git_remote_connect(rm = fresh, GIT_DIRECTION_FETCH, NULL, NULL, NULL) < 0)) {
		git_remote_free(fresh);
		return;
	}
	rc = git_remote_default_branch(&b, rm);
	git_remote_free(fresh);	/* disconnects */
	if (rc == GIT_ENOTFOUND)
		rt_warn("warning: the HEAD of '%s' names no branch, so a git clone of it checks "
		    "out nothing; in that repository: git symbolic-ref HEAD refs/heads/%s",
		    r->name, branch);
	git_buf_dispose(&b);
}

int
sync_desk(struct desk *d, const char *remote, struct sync_result *res)
{
	struct remote_ctx r;
	struct id_set touched = { NULL, 0, 0 };
	int rc, rejected = 0;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	if ((rc = head_branch(d, &res->branch)) != 0 ||
	    (rc = remote_open(d, remote, res->branch, &r)) != 0)
		goto out;
	res->remote = xstrdup(r.name);
	for (res->attempts = 1; res->attempts <= SYNC_ATTEMPTS; res->attempts++) {
		if ((rc = fetch_merge(d, &r, res->branch, res, &touched)) != 0)
			break;
		/*
		 * Reconciling commits take the lock one by one, as any writer.
		 * One that fails (a workflow refusing a cascaded status) is
		 * a warning: the merge is complete and is pushed all the same.
		 */
		if (touched.n && reconcile_tickets(d, (const char **)touched.v, touched.n,
		    &res->reconciled) != 0)
			rt_warn("warning: %s", rt_errmsg());
		strv_free(touched.v, touched.n);
		memset(&touched, 0, sizeof(touched));
		if ((rc = push_locked(d, &r, res, &rejected)) == 0 || !rejected)
			break;
	}
	if (res->attempts > SYNC_ATTEMPTS)
		res->attempts = SYNC_ATTEMPTS;
	if (rc == 0)
		warn_headless(&r, res->branch, res->pushed);
out:
	strv_free(touched.v, touched.n);
	remote_close(&r);
	return rc;
}
