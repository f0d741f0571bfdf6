/*
 * fsprobe: how fast the file system under DIR creates small durable files
 * now, the observable make bench settles on (bench/lib.sh, settle). Makes
 * DIR/.fsprobe.PID/ with 8 folders of 8 files of 2 KB (a few tickets'
 * worth of new inodes, folders spread over block groups as rt's are),
 * then fsyncs every file and folder, then removes it all. Prints the
 * milliseconds of the two timed phases and their sum:
 *   "TOTAL CREATE FSYNC"
 * CREATE is inode allocation (on ext4 without a journal it scans past
 * inodes freed in the last minutes), FSYNC the device's write latency
 * (slow while the host is still busy with discards of deleted blocks).
 * Plain C, libc only. usage: fsprobe DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { DIRS = 8, FILES = 8, SIZE = 2048 };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
fsync_path(const char *path, int flags)
{
	int fd = open(path, flags), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
main(int argc, char *argv[])
{
	char top[4096], path[4200], buf[SIZE];
	double t0, t1, t2;
	int d, f, fd, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: fsprobe DIR\n");
		return 64;
	}
	memset(buf, 'x', sizeof(buf));
	snprintf(top, sizeof(top), "%s/.fsprobe.%d", argv[1], (int)getpid());
	t0 = now_ms();
	if (mkdir(top, 0700) < 0) {
		perror(top);
		return 73;
	}
	for (d = 0; d < DIRS && rc == 0; d++) {
		snprintf(path, sizeof(path), "%s/%d", top, d);
		if (mkdir(path, 0700) < 0)
			rc = 74;
		for (f = 0; f < FILES && rc == 0; f++) {
			snprintf(path, sizeof(path), "%s/%d/%d", top, d, f);
			if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
			    write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || close(fd) < 0)
				rc = 74;
		}
	}
	t1 = now_ms();
	for (d = 0; d < DIRS && rc == 0; d++) {
		for (f = 0; f < FILES && rc == 0; f++) {
			snprintf(path, sizeof(path), "%s/%d/%d", top, d, f);
			if (fsync_path(path, O_RDONLY) < 0)
				rc = 74;
		}
		snprintf(path, sizeof(path), "%s/%d", top, d);
		if (rc == 0 && fsync_path(path, O_RDONLY | O_DIRECTORY) < 0)
			rc = 74;
	}
	if (rc == 0 && fsync_path(top, O_RDONLY | O_DIRECTORY) < 0)
		rc = 74;
	t2 = now_ms();
	for (d = 0; d < DIRS; d++) {
		for (f = 0; f < FILES; f++) {
			snprintf(path, sizeof(path), "%s/%d/%d", top, d, f);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/%d", top, d);
		rmdir(path);
	}
	rmdir(top);
	if (rc) {
		perror(top);
		return rc;
	}
	printf("%.1f %.1f %.1f\n", t2 - t0, t1 - t0, t2 - t1);
	return 0;
}
