/* format.h: the desk format (.rt/format) and what depends on it */
#ifndef RT_FORMAT_H
#define RT_FORMAT_H

struct desk;

#define FORMAT_FILE ".rt/format"
/* Format 2's .gitignore: ticket.yaml is derived from log.yaml, not tracked. */
#define FORMAT_GITIGNORE \
	"# rt desk: ticket.yaml is rendered from log.yaml (rt-desk(5)), never tracked\n" \
	"/tickets/**/ticket.yaml\n"

/*
 * Reads the format from HEAD's .rt/format (none: 1) and sets it for
 * ticket paths (id.h). Called by desk_open and again under the desk lock,
 * as another process may have upgraded the desk meanwhile. Returns it.
 */
int format_load(struct desk *d);

/*
 * For desk_lock, when a writer got the lock: format_load, and a format-1
 * desk is upgraded (upgrade.h). A failed upgrade leaves the desk as it
 * was, readable and writable in format 1: -1 with rt_errmsg() set.
 */
int format_locked(struct desk *d);

#endif
