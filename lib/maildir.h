/* maildir.h: reading the messages of a Maildir in place */
#ifndef RT_MAILDIR_H
#define RT_MAILDIR_H

#include <stddef.h>

struct desk;
struct spool;

/*
 * Called for each entry of cur/ and new/: with the closed spool of the
 * message in FILE (removed afterwards), or with s NULL when FILE is not
 * read: rc 0 when it is no message (a folder, a FIFO, a symbolic link:
 * skipped), else EX_NOINPUT or EX_TEMPFAIL with the reason in rt_errmsg.
 * Returns the worst outcome of the file, which maildir_read hands back.
 */
typedef int (*maildir_fn)(const char *file, struct spool *s, int rc, void *arg);

/*
 * Reads cur/ then new/, each oldest name first, leaving the files in
 * place (the caller moves or deletes them once stored). Files starting
 * with a dot are not messages. Returns the worst outcome fn returned
 * (EX_TEMPFAIL beats any other), or EX_NOINPUT with the message set when
 * DIR has neither cur/ nor new/.
 */
int maildir_read(struct desk *d, const char *dir, size_t limit, maildir_fn fn, void *arg);

#endif
