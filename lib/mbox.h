/* mbox.h: splitting an mbox file into messages, as mutt does */
#ifndef RT_MBOX_H
#define RT_MBOX_H

#include <stddef.h>

struct desk;
struct spool;

/*
 * 1 when the line is an mbox From_ line: "From ", an optional return
 * path, then a ctime(3) date ("Mon Nov 23 10:00:00 [zone] 2026").
 * A body line "From here on ..." is not one.
 */
int mbox_is_from(const char *line, size_t len);

/*
 * Called with the closed spool of message n (from 1), which is removed
 * afterwards; returns 0 to go on, anything else stops the reading.
 */
typedef int (*mbox_fn)(struct spool *s, size_t n, void *arg);

/*
 * Reads an mbox as mutt and GNU Mailutils do: a dated From_ line starts
 * a message, blank line before it or not (mutt), and so does any line
 * starting "From " at the top or after a blank line (Mailutils, for
 * Thunderbird's "From - "). The From_ line and the one blank line before
 * the next are not part of the message. Streams: at most a
 * line is held in memory, each message goes to a spool (limit as in
 * spool_begin). Returns 0; EX_DATAERR when the file does not start with
 * a From_ line (nothing is called); EX_NOINPUT or EX_TEMPFAIL on I/O.
 */
int mbox_read(struct desk *d, const char *file, size_t limit, mbox_fn fn, void *arg);

#endif
