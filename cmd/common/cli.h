/* cli.h: the command layer every rt command shares (not the library: it prints the command's name and exits) */
#ifndef RT_CLI_H
#define RT_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "id.h"

struct desk;

#define RT_VERSION "0.1.0"

/* Long options every command takes; append to a command's table. */
#define CLI_COMMON_OPTS \
	{ "desk", required_argument, NULL, 'C' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

/* Prints usage: to stdout and exit 0 for --help, else to stderr and EX_USAGE. */
void cli_usage(const char *usage, int help) __attribute__((noreturn));
/* Handles 'h' and 'V' (returns otherwise); call from the getopt default branch. */
void cli_common(int ch, const char *usage);
/* Prints "PROG: message" with rt_errmsg() and exits code. */
void cli_die(int code) __attribute__((noreturn));

/*
 * Calls fn for every ticket id named in argv, or, with no arguments and
 * stdin not a terminal, for the first word of every line on stdin (so
 * "rt-ls" output and "#ID" forms work). Ids are normalised and merged
 * tickets resolved. Errors are reported per id and processing goes on;
 * returns 0 or the first non-zero code.
 */
typedef int (*cli_id_fn)(struct desk *d, const char *id, void *arg);
/*
 * The ticket an id argument names, merges followed, in out: 0, else
 * EX_DATAERR "'WORD' is not a ticket id" or EX_NOINPUT "#ID: no such
 * ticket" (as every command's line for a ticket says it), rt_errmsg().
 */
int cli_ticket_arg(struct desk *d, const char *word, ticket_id out);
int cli_each_id(struct desk *d, int argc, char **argv, cli_id_fn fn, void *arg);
/*
 * A changed ticket's line: rc's message under "#ID" on stderr, else the
 * id on stdout (none for --dry-run and --json, which print the plan).
 * Returns rc.
 */
int cli_ticket_done(struct desk *d, const char *id, int rc);
/* rc's message as a ticket's line, "PROG: #ID: message", on stderr; returns rc. */
int cli_ticket_fail(const char *id, int rc);

/*
 * The text written in $VISUAL or $EDITOR (else vi) on a new temporary
 * file, as written (len bytes, NUL-terminated); the file is removed.
 * nothing says what a failure means ("nothing sent"). 0, or an error
 * with rt_errmsg().
 */
int cli_edit_text(const char *nothing, char **out, size_t *len);
/* The same on a file that starts with draft (NULL: empty). */
int cli_edit_draft(const char *draft, const char *nothing, char **out, size_t *len);

struct change;
/*
 * Prints what a change does: "ID field=value ... EV:key=value,..." or,
 * with json, {"id":..., "set":{...}, "events":[...]} on one line.
 */
void cli_print_plan(const struct change *c, int json);

/*
 * --dry-run and --json for commands that change tickets through change
 * (or change_commit_all): each change is printed as above; with dry_run it is
 * not committed.
 */
void cli_plan_mode(struct desk *d, int dry_run, int json);

/*
 * All of f (a command's text on stdin) in *out, NUL-terminated, and its
 * length in *len. A read error is EX_IOERR, "cannot read the WHAT: ...".
 */
int cli_read_all(FILE *f, const char *what, char **out, size_t *len);

/* Warns, in one line on stderr, that an old option spelling still works. */
void cli_deprecated(const char *old, const char *use);

/* Prints the library's pending warnings as "PROG: message". */
void cli_warnings(void);
/* Flushes and closes stdout, prints pending warnings; EX_IOERR if output was lost. */
int cli_close_stdout(int status);

#endif
