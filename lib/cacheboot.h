/*
 * cacheboot.h: when the ticket cache may be written without fsync.
 *
 * The cache is derived data. LMDB written without fsync (MDB_NOSYNC)
 * keeps its pages consistent across a killed process (they are in the
 * page cache) but not across a crash of the machine, which can leave any
 * mix of old and new pages on the disk. So the first writer of a boot
 * notes that boot's id in .git/rt/cache.boot (fsynced) before any
 * unsynced write, and a writer that finds another boot's id there throws
 * the cache away: the first writer after a reboot (clean or not) rebuilds
 * it from HEAD once, and no later write waits for LMDB's fdatasync.
 */
#ifndef RT_CACHEBOOT_H
#define RT_CACHEBOOT_H

/*
 * For a cache at path in folder rtdir, opened by a writer: 1 when it may
 * be written without fsync in this boot (after removing the cache files
 * when an earlier boot wrote them so), 0 when it must be synced as before
 * (no boot id, or the note cannot be written).
 */
int cacheboot_nosync(const char *rtdir, const char *path);
/*
 * For a reader that cannot write: 0 when another boot wrote the cache
 * without fsync and no writer has replaced it since (it may be torn).
 */
int cacheboot_trusted(const char *rtdir);

#endif
