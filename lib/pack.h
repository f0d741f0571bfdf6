/* pack.h: packing loose objects with libgit2's packbuilder */
#ifndef RT_PACK_H
#define RT_PACK_H

#include <stddef.h>

struct desk;

/*
 * Packs every loose object into one new pack and removes the loose
 * files. Cost is proportional to the loose objects, not the desk, so it
 * can run from cron often. *packed receives the count.
 */
int pack_loose(struct desk *d, size_t *packed);
/* Number of loose objects (a directory listing, cheap). */
size_t pack_count_loose(struct desk *d);

#endif
