/*
 * trust.h: settings that run commands come from a committed rt.yaml that
 * an agent wrote, never from the work tree or the mail account's commits.
 *
 * Workflow "exec:" actions and mailers that start a local program
 * (sendmail://, prog://) are read from rt.yaml at HEAD, and only when the
 * commit that last changed rt.yaml (on the first-parent line) has an
 * author who is an agent: an agent under "agents:" of the rt.yaml before
 * that change (or of the change itself when the desk had none declared
 * before). A desk that declares no agents at all trusts its history.
 * See rt-desk(5), TRUST.
 */
#ifndef RT_TRUST_H
#define RT_TRUST_H

struct desk;
struct ynode;

/*
 * The trusted rt.yaml (owned by the desk), or EX_CONFIG with
 * rt_errmsg() saying why there is none (not committed, last changed by
 * someone who is not an agent).
 */
int trust_config(struct desk *d, const struct ynode **out);

/*
 * The trusted value of a scalar setting that runs a command (path as
 * for desk_cfg_str), in *out (NULL when unset). EX_CONFIG when the
 * work tree's value differs from the trusted one, or there is none.
 */
int trust_cfg_command(struct desk *d, const char *path, const char **out);

/*
 * A mailer URL (desk.mailer, escalation.mailer): smtp:// and smtps://
 * start no program and are taken from the work tree; any other scheme
 * must be the trusted value (trust_cfg_command).
 */
int trust_mailer(struct desk *d, const char *path, const char *dflt_path, const char **out);

void trust_free(struct desk *d);

#endif
