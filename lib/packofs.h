/* packofs.h: a pack's deltas addressed by offset instead of by object id */
#ifndef RT_PACKOFS_H
#define RT_PACKOFS_H

/*
 * libgit2's packbuilder writes every delta as REF_DELTA, naming its base
 * by its 20-byte id; git writes OFS_DELTA, the distance back to the base
 * in 1 to 4 bytes. Rewrites packdir/pack-NAME.pack that way (the
 * compressed data is copied as it is), lets libgit2's indexer check every
 * object of the result and write it with its index, then removes the old
 * pack. out (41 bytes) gets the name of the pack that holds the objects
 * afterwards: the new one, or NAME when nothing changed or on failure
 * (-1, the old pack untouched; a pack over 512 MB is left as it is).
 */
int pack_ofs_rewrite(const char *packdir, const char *name, char *out);

#endif
