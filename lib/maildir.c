/* maildir.c: reading the messages of a Maildir in place (maildir(5)) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "spool.h"
#include "util.h"

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder, sorted, without dot files; NULL when it cannot be opened. */
static char **
sorted_names(const char *path, size_t *n)
{
	DIR *dp = opendir(path);
	struct dirent *de;
	char **names = NULL;

	*n = 0;
	if (dp == NULL)
		return NULL;
	names = xrealloc(names, sizeof(*names));
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (*n + 1) * sizeof(*names));
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (*n)	/* qsort(NULL, 0) is undefined (UBSan) */
		qsort(names, *n, sizeof(*names), cmp_name);
	return names;
}

/* One file: a message is a regular file, never a folder, a FIFO (open would block) or a link. */
static int
read_one(struct desk *d, const char *file, size_t limit, maildir_fn fn, void *arg)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), rc;
	struct stat st;
	struct spool s;

	if ((fd < 0 && errno == ELOOP) || (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)))
		rc = fn(file, NULL, 0, arg);
	else if (fd < 0)
		rc = fn(file, NULL, rt_fail(EX_NOINPUT, "%s", strerror(errno)), arg);
	else if ((rc = spool_fd(d, fd, limit, &s)) != 0)
		rc = fn(file, NULL, rc, arg);
	else {
		rc = fn(file, &s, 0, arg);
		spool_discard(&s);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
read_sub(struct desk *d, const char *dir, const char *sub, size_t limit, maildir_fn fn,
    void *arg, int *found)
{
	char *path = xasprintf("%s/%s", dir, sub), **names;
	size_t n;
	int status = 0;

	if ((names = sorted_names(path, &n)) != NULL) {
		(*found)++;
		for (size_t i = 0; i < n; i++) {
			char *file = xasprintf("%s/%s", path, names[i]);

			status = rt_worse(status, read_one(d, file, limit, fn, arg));
			free(file);
		}
		strv_free(names, n);
	}
	free(path);
	return status;
}

int
maildir_read(struct desk *d, const char *dir, size_t limit, maildir_fn fn, void *arg)
{
	int found = 0, status;

	/* two statements: the order of a call's arguments is unspecified */
	status = read_sub(d, dir, "cur", limit, fn, arg, &found);
	status = rt_worse(status, read_sub(d, dir, "new", limit, fn, arg, &found));
	if (found == 0)
		return rt_fail(EX_NOINPUT, "not a Maildir (no cur/ or new/)");
	return status;
}
