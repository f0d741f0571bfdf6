/* leftover.h: what killed processes leave in a desk, for rt-gc */
#ifndef RT_LEFTOVER_H
#define RT_LEFTOVER_H

#include <stddef.h>

struct desk;

/*
 * Removes temporary object files older than age seconds: git's and
 * libgit2's objects/??/tmp_*, objects/tmp_*, objects/pack/tmp_*.
 * Returns how many were removed.
 */
size_t leftover_objects(struct desk *d, long age);

/*
 * Spool files older than age seconds are customer mail (or event
 * payloads) of a delivery that was killed: each is ingested again
 * (deduplication makes that idempotent) and removed once stored or
 * quarantined; one that cannot be stored now stays for the next run.
 * Takes the desk lock per file, so the caller must not hold it.
 * Incomplete part.* files (killed while spooling) are removed: the
 * sender never got an answer and still has the message.
 * Returns 0, or the worst code of a file that stays (EX_TEMPFAIL).
 */
int leftover_spools(struct desk *d, long age, size_t *stored, size_t *kept);

#endif
