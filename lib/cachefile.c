/* cachefile.c: replacing a cache file of an older version (cachefile.h) */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "cachefile.h"
#include "util.h"

int
cachefile_lock(const char *rtdir)
{
	int fd = open(rtdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void
cachefile_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

void
cachefile_remove_if(const char *path, const struct stat *seen)
{
	struct stat st;
	char *lock;

	if (stat(path, &st) != 0 || st.st_dev != seen->st_dev || st.st_ino != seen->st_ino)
		return;
	lock = xasprintf("%s-lock", path);
	unlink(path);
	unlink(lock);
	free(lock);
}
