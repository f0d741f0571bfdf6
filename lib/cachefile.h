/*
 * cachefile.h: a cache file of an older version replaced by a new file.
 *
 * Rebuilt in place, inside the old file, a cache keeps the old file's
 * size and scatters the new pages over its free ones: reads fault more
 * pages in until rt-gc --rebuild-cache. A writer meeting an older
 * version removes the file and starts a new one instead.
 */
#ifndef RT_CACHEFILE_H
#define RT_CACHEFILE_H

#include <sys/stat.h>

/*
 * Takes the lock under which cache files are replaced (a flock of the
 * folder rtdir): two writers may meet the old file at once. Returns a
 * descriptor for cachefile_unlock, or -1 (then nothing is replaced).
 */
int cachefile_lock(const char *rtdir);
void cachefile_unlock(int fd);
/*
 * Under the lock: removes the cache at path (and its lock file) if it
 * is still the file seen (another writer may have replaced it already).
 */
void cachefile_remove_if(const char *path, const struct stat *seen);

#endif
