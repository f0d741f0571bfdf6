/* pack.h: packing loose objects with libgit2's packbuilder */
#ifndef RT_PACK_H
#define RT_PACK_H

#include <stddef.h>

#include <git2.h>

struct desk;

/*
 * New objects in memory (a mempack backend added to the desk's odb) until
 * pack_mem_write stores exactly those as one pack and its index in
 * objects/pack: one commit or a batch of commits costs one pack, not a
 * file per object. On a DESK_DURABLE desk both are fsynced before they
 * are renamed to their names, together with withfd (-1: none; the
 * branch's lock file, ref_lock: one wait for the disk, not two in a row),
 * and *dirfd is objects/pack, open, for the caller to fsync (and close)
 * before anything refers to the pack. *dirfd is -1 when there is nothing
 * to sync (and then withfd was not synced either). The odb owns the buffer;
 * pack_mem_reset drops its objects (after they are written, or to undo).
 * pack_mem_keep, once they are durable, leaves them readable from memory
 * with none left to write; pack_mem_pending says how many are.
 */
struct pack_mem;
int pack_mem_new(struct desk *d, struct pack_mem **out);
int pack_mem_write(struct desk *d, struct pack_mem *m, int withfd, int *dirfd);
void pack_mem_reset(struct pack_mem *m);
void pack_mem_keep(struct pack_mem *m);
size_t pack_mem_pending(const struct pack_mem *m);
/* on: its packs store every object whole (zlib level 0), for a batch. */
void pack_mem_whole(struct pack_mem *m, int on);
/*
 * Adds a blob whose id the caller hashed from these very bytes (a mail,
 * named by its blob id): as a write through the odb, without hashing it
 * a second time. 0 or a libgit2 error.
 */
int pack_mem_put_blob(struct pack_mem *m, const git_oid *id, const void *buf, size_t len);
/* For desk_close: forgets the desk's pack backend (see pack_mem_new). */
void pack_unwrap(struct desk *d);

struct pack_stats {
	size_t loose;		/* loose objects packed */
	size_t merged;		/* small packs rolled up */
	size_t packs;		/* packs afterwards */
	size_t folded;		/* 1: the young pack was folded into the largest */
	size_t deltas;		/* its whole objects written as deltas there */
};

/*
 * Packs every loose object and rolls the small packs up into one new
 * pack: all packs under 8,192 objects (the young ones, so each path's
 * first version in them is stored whole once), then geometrically (as
 * git repack --geometric=2): the pack count stays logarithmic in the
 * objects, and the cost follows the small packs and the loose objects.
 * Once the young pack holds 1,024 objects it is folded into the largest
 * (up to 512 MB): its trees and files become deltas of their versions
 * there, for the largest pack written again (a cost that follows the
 * desk, once per hundred mails or so).
 */
int pack_repack(struct desk *d, struct pack_stats *st);
/*
 * After a commit, under the desk lock: rolls the small packs up once there
 * are 50 packs, so a desk nobody runs rt-gc on does not slow down with one
 * pack per commit; never more than 65,536 objects, so no delivery waits
 * for a merge of the whole desk. Errors are left to rt-gc.
 */
void pack_auto(struct desk *d);
/* Number of packs. */
size_t pack_count(struct desk *d);
/* Number of loose objects (a directory listing, cheap). */
size_t pack_count_loose(struct desk *d);

#endif
