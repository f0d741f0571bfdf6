/* packwrite.h: a packbuilder's pack handed to the indexer in large runs */
#ifndef RT_PACKWRITE_H
#define RT_PACKWRITE_H

#include <git2.h>

/*
 * What git_packbuilder_write(pb, packdir, ...) does, in runs of a few
 * megabytes: libgit2's own hands the indexer one object at a time, and
 * the indexer maps the end of the pack and unmaps it at every call (in a
 * process with threads each munmap interrupts the other processors).
 * The pack and its index are fsynced as there (GIT_OPT_ENABLE_FSYNC_GITDIR).
 * name (41 bytes) gets the new pack's name. 0, or a libgit2 error.
 */
int pack_write_chunked(git_packbuilder *pb, const char *packdir, char *name);

#endif
