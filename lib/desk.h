/* desk.h: finding and opening a desk, its configuration, actor and lock */
#ifndef RT_DESK_H
#define RT_DESK_H

#include <git2.h>

#include "yamlio.h"

#define DESK_CONFIG "rt.yaml"

struct cache;
struct trust;

struct change;

struct desk {
	char *root;		/* work tree, absolute, no trailing slash */
	char *gitdir;		/* .git, absolute, trailing slash as libgit2 gives it */
	char *rtdir;		/* .git/rt: lock, cache, journal, spool */
	git_repository *repo;
	struct ynode *config;	/* rt.yaml; empty map if the desk has none */
	char *config_name;	/* path for messages */
	char *config_error;	/* why rt.yaml was replaced by defaults, or NULL */
	char *actor_name;	/* who acts: $RT_ACTOR, git identity, user */
	char *actor_email;
	int lockfd;
	int lock_tried;		/* lockfd taken by desk_lock_try, not desk_lock */
	int head_known;		/* head_tip read under the lock, or pinned (head.c) */
	int head_pinned;	/* a reading run keeps the HEAD it read first (desk_head_pin) */
	git_oid head_tip;
	int temps_owed;	/* a killed writer's work-tree temporaries remain (guard.c) */
	int durable;		/* DESK_DURABLE: fsync what a commit writes */
	struct cache *cache;
	struct trust *trust;	/* the committed rt.yaml for commands (trust.h) */
	/*
	 * When plan is set, every change is shown to it before it is
	 * committed; with dry_run, nothing is committed (--dry-run, --json).
	 */
	void (*plan)(const struct change *c, void *arg);
	void *plan_arg;
	int dry_run;
	/*
	 * Told of every change before it is staged (desk locked) and after
	 * its commit with the result (-1 from change_free: never committed).
	 * desk_open sets them to the notification engine (notify.h).
	 */
	void (*precommit)(struct change *c);
	void (*postcommit)(struct change *c, int rc);
	void *people;		/* the parsed people directory (people.h) */
	void (*people_free)(void *);
	struct txn_batch *batch;	/* txn.c: commits not yet on the branch */
};

enum {
	DESK_WRITE = 1,		/* take the desk lock */
	DESK_DURABLE = 2,	/* fsync objects and refs before returning */
	DESK_NOCACHE = 4,	/* do not open the ticket cache */
	DESK_CONFIG_FALLBACK = 8, /* a broken rt.yaml gives built-in defaults */
};

/*
 * Opens the desk at path, else $RT_DESK, else the current directory or
 * its nearest parent holding rt.yaml and .git. Returns 0 or a sysexits
 * code (EX_NOINPUT no desk, EX_CONFIG bad rt.yaml, EX_TEMPFAIL lock busy).
 */
int desk_open(struct desk **out, const char *path, int flags);
void desk_close(struct desk *d);
/*
 * The repository and configuration alone: desk_open adds the lock
 * (DESK_WRITE), the ticket cache (unless DESK_NOCACHE) and notifications.
 */
int desk_open_repo(struct desk **out, const char *path, int flags);
void desk_close_repo(struct desk *d);

/*
 * " (user NAME may not write DIR)" when this process may not write a
 * folder every commit writes into (the work tree, .git/objects and its
 * pack/, .git/refs/heads, .git/rt and its tmp/), else "": a mail system
 * runs rt as a user its admin may not expect. Static buffer.
 */
const char *desk_write_hint(const struct desk *d);

/* The lock serialises writers; waits up to $RT_LOCK_TIMEOUT seconds (30) (lock.c). */
int desk_lock(struct desk *d);
/* $RT_LOCK_TIMEOUT, else 30: seconds a writer waits for a lock (lock.c) */
double desk_lock_timeout(void);
/*
 * The desk lock only if it is free, for the files a reader derives and
 * writes only under it (ticket.yaml as the cache renders it): without the
 * guard or a format upgrade, which are a writer's. 0: held, desk_unlock
 * lets it go; -1: busy or not to be had (no message).
 */
int desk_lock_try(struct desk *d);
/*
 * The same lock for a reader that must wait for a writer (one building
 * the ticket cache): in turn, as writers wait, up to $RT_LOCK_TIMEOUT
 * seconds. 0: held, desk_unlock lets it go; EX_TEMPFAIL with the message.
 * For a caller that holds no lock.
 */
int desk_lock_wait(struct desk *d);
void desk_unlock(struct desk *d);

/* Configuration lookups by dotted path: "desk.address". */
struct ynode *desk_cfg(const struct desk *d, const char *path);
const char *desk_cfg_str(const struct desk *d, const char *path, const char *dflt);
/* A whole number, else dflt (a value that is none warns: rt_warn). */
long long desk_cfg_int(const struct desk *d, const char *path, long long dflt);
/*
 * A config value that is one value or a list of values, as malloc'd
 * strings; missing or null gives none. EX_CONFIG naming rt.yaml:L:C.
 */
int desk_cfg_strlist(const struct desk *d, const struct ynode *n, const char *what,
    char ***out, size_t *nout);
/* "rt.yaml:12:3" for a node of the config. */
const char *desk_cfg_where(const struct desk *d, const struct ynode *n);

/* "Name <email>" of the actor, malloc'd. */
char *desk_actor(const struct desk *d);
/*
 * git's own identity (user.name, user.email) now, as git_signature_default
 * gives it, from the config the desk read once (no snapshot copied).
 */
int desk_git_signature(const struct desk *d, git_signature **out);
/* Short actor name for the log: the local part or the $RT_ACTOR name. */
const char *desk_actor_short(const struct desk *d);

/* Maps a libgit2 error to a sysexits code with rt_errmsg() set. */
int git_fail(int gitrc, const char *what);

/* The share folder: $RT_SHAREDIR, PREFIX/share/rt beside the binary, or the built-in path. */
const char *rt_sharedir(void);
/*
 * The manual pages beside the binary: PREFIX/share/man for PREFIX/bin,
 * which the build tree has too (B/share/man, made by make), so that
 * "rt help" finds the pages of the build it is part of. NULL when there
 * is no such folder. malloc'd.
 */
char *rt_mandir(void);

#endif
