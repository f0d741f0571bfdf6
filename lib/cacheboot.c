/* cacheboot.c: the boot that may write the ticket cache without fsync (cacheboot.h) */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cacheboot.h"
#include "util.h"

#define BOOT_ID "/proc/sys/kernel/random/boot_id"
#define IDLEN 36	/* a UUID */

/* Reads an id of IDLEN characters from fd (at offset 0) into id. */
static int
read_id(int fd, char id[IDLEN + 1])
{
	ssize_t n = pread(fd, id, IDLEN, 0);

	id[n > 0 ? n : 0] = '\0';
	return n == IDLEN ? 0 : -1;
}

static int
this_boot(char id[IDLEN + 1])
{
	int fd = open(BOOT_ID, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = read_id(fd, id);
	close(fd);
	return rc;
}

/* The cache files go: a writer opening it next starts a new one, built from HEAD. */
static void
remove_cache(const char *path)
{
	char *lock = xasprintf("%s-lock", path);

	unlink(path);
	unlink(lock);
	free(lock);
}

/*
 * Under a flock of the note, as two writers may start at once: the
 * cache of another boot is removed, then this boot is noted and fsynced
 * with its folder before anything is written unsynced.
 */
static int
note_boot(int fd, const char *note, const char *path, const char *boot)
{
	char old[IDLEN + 1];
	int rc = -1;

	if (flock(fd, LOCK_EX) < 0)
		return -1;
	if (read_id(fd, old) == 0 && strcmp(old, boot) == 0)
		rc = 0;	/* another writer just did it */
	else {
		if (old[0])
			remove_cache(path);	/* written unsynced in another boot */
		if (pwrite(fd, boot, IDLEN, 0) == IDLEN && pwrite(fd, "\n", 1, IDLEN) == 1 &&
		    ftruncate(fd, IDLEN + 1) == 0 && fsync(fd) == 0 && fsync_dir_of(note) == 0)
			rc = 0;
	}
	flock(fd, LOCK_UN);
	return rc;
}

int
cacheboot_nosync(const char *rtdir, const char *path)
{
	char boot[IDLEN + 1], noted[IDLEN + 1];
	char *note = xasprintf("%s/cache.boot", rtdir);
	int fd, ok = 0;

	if (this_boot(boot) == 0 &&
	    (fd = open(note, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) >= 0) {
		ok = (read_id(fd, noted) == 0 && strcmp(noted, boot) == 0) ||
		    note_boot(fd, note, path, boot) == 0;
		close(fd);
	}
	free(note);
	return ok;
}

int
cacheboot_trusted(const char *rtdir)
{
	char boot[IDLEN + 1], noted[IDLEN + 1];
	char *note = xasprintf("%s/cache.boot", rtdir);
	int fd = open(note, O_RDONLY | O_CLOEXEC), ok = 1;

	if (fd >= 0 && this_boot(boot) == 0)
		ok = read_id(fd, noted) < 0 && noted[0] == '\0' ? 1 : strcmp(noted, boot) == 0;
	if (fd >= 0)
		close(fd);
	free(note);
	return ok;
}
