/*
 * maildir: the reference for "one durable mail" in make bench. Delivers
 * stdin into a Maildir the way a careful MDA does: write tmp/NAME, fsync
 * the file, rename it to new/NAME, fsync new/. Plain C, libc only.
 * usage: maildir DIR < mail
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
main(int argc, char *argv[])
{
	char buf[65536], tmp[4096], new[4096], host[256] = "localhost", dir[4096];
	struct timespec ts;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: maildir DIR < mail\n");
		return 64;
	}
	gethostname(host, sizeof(host) - 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(tmp, sizeof(tmp), "%s/tmp/%lld.M%ldP%d.%s", argv[1], (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (int)getpid(), host);
	snprintf(new, sizeof(new), "%s/new/%s", argv[1], strrchr(tmp, '/') + 1);
	snprintf(dir, sizeof(dir), "%s/new", argv[1]);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return 75;
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return 75;
	if (n < 0 || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, new) < 0 ||
	    fsync_dir(dir) < 0)
		return 75;
	return 0;
}
