/*
 * trust.h: settings that run commands come from a committed rt.yaml that
 * an agent wrote, never from the work tree or the mail account's commits.
 *
 * A workflow "exec:" action or a mailer that starts a local program
 * (sendmail://, prog://) is used only when the work tree's rt.yaml has
 * the value that rt.yaml has at HEAD, and the commit that brought that
 * value (the oldest of the commits on HEAD's first-parent line that
 * have it) was authored by an agent: one under "agents:" of the rt.yaml
 * before that commit, where that list came from the desk's first commit
 * or from such an agent's commit (a change of agents: by anyone else is
 * skipped). While no agents are declared, anyone may.
 * See rt-desk(5), TRUST.
 */
#ifndef RT_TRUST_H
#define RT_TRUST_H

struct desk;
struct ynode;

/* The value of a setting in a configuration, or NULL (a scalar's text). */
typedef const char *(*trust_get)(struct desk *d, const struct ynode *cfg, void *arg);

/*
 * Checks the setting get() reads (what: its name for messages). 0 with
 * *out the trusted value (NULL when unset), or EX_CONFIG with
 * rt_errmsg() saying why it may not run.
 */
int trust_value(struct desk *d, const char *what, trust_get get, void *arg, const char **out);

/* trust_value for a scalar at a dotted path ("desk.mailer"). */
int trust_cfg_command(struct desk *d, const char *path, const char **out);

/*
 * A mailer URL (path, else dflt_path when path is unset): smtp:// and
 * smtps:// start no program and are taken from the work tree; any
 * other scheme must be trusted (trust_cfg_command).
 */
int trust_mailer(struct desk *d, const char *path, const char *dflt_path, const char **out);

void trust_free(struct desk *d);

#endif
