/*
 * attach.h: writing a ticket's attachments out (rt-show --save). They are
 * numbered from 1 across the ticket's stored messages in conversation
 * order, as rt-show lists them. Attachment names come from outside: a
 * name is reduced to a safe base name, so nothing is written outside the
 * chosen folder, and no file is overwritten without force.
 */
#ifndef RT_ATTACH_H
#define RT_ATTACH_H

struct desk;
struct evlog;

struct attach_opts {
	long n;			/* the attachment, or 0 for all */
	const char *output;	/* with n: this file, or "-" for stdout; NULL: dir/NAME */
	const char *dir;	/* the folder for names (default ".") */
	int force;		/* overwrite existing files */
	/* Called with each file written (not for stdout). */
	void (*saved)(const char *path, void *arg);
	/* Called with the message of each attachment that could not be saved. */
	void (*failed)(const char *msg, void *arg);
	void *arg;
};

/*
 * Saves attachments of ticket id (its log sorted as rt-show sorts it).
 * Returns 0 (also for all of a ticket without any), EX_NOINPUT when
 * there is no attachment n, EX_CANTCREAT when a file exists (without
 * force) or cannot be written; goes on with the others and returns the
 * first error. A folder that cannot be made stops it at once, failed
 * called once.
 */
int attach_save(struct desk *d, const char *id, const struct evlog *log,
    const struct attach_opts *o);

/* A safe file name for an attachment name from outside (malloc'd; never empty). */
char *attach_safe_name(const char *name, long n);

#endif
