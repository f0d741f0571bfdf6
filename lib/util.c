/* util.c: allocation, string buffers, errors, time and file helpers */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* The one place the library prints: it cannot return. The name is the command's. */
static void
oom(void)
{
	fprintf(stderr, "%s: out of memory\n", program_invocation_short_name);
	exit(EX_OSERR);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	sb->cap = sb->cap ? sb->cap : 64;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void
sbuf_add(struct sbuf *sb, const void *p, size_t n)
{
	sbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void
sbuf_addc(struct sbuf *sb, char c)
{
	sbuf_add(sb, &c, 1);
}

void
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	sbuf_add(sb, s, (size_t)n);
	free(s);
}

char *
sbuf_detach(struct sbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void
sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void
sbuf_free(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

static _Thread_local char errbuf[1024];	/* a reading thread (cache.c) has its own */

int
rt_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return code;
}

const char *
rt_errmsg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

int
rt_worse(int a, int b)
{
	if (a == EX_TEMPFAIL || b == EX_TEMPFAIL)
		return EX_TEMPFAIL;
	return a ? a : b;
}

int
raw_stdout_ok(const char *what)
{
	if (isatty(STDOUT_FILENO))
		return rt_fail(EX_USAGE, "%s writes the bytes unchanged: redirect it to a file "
		    "or pipe", what);
	return 0;
}

#define MAXWARN 32

static char *warnings[MAXWARN];
static size_t nwarn, lostwarn;

void
rt_warn(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (nwarn == MAXWARN) {
		lostwarn++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	warnings[nwarn++] = xstrdup(buf);
}

char *
rt_warning_take(void)
{
	static size_t next;
	char *w;

	if (next == nwarn) {
		next = nwarn = 0;
		if (lostwarn == 0)
			return NULL;
		w = xasprintf("%zu more warnings", lostwarn);
		lostwarn = 0;
		return w;
	}
	w = warnings[next];
	warnings[next++] = NULL;
	return w;
}

time_t
rt_now(void)
{
	const char *env = getenv("RT_NOW");
	time_t t;

	if (env && *env && rt_parsetime(env, &t) == 0)
		return t;
	return time(NULL);
}

char *
rt_fmttime(time_t t, char buf[RT_TIMELEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, RT_TIMELEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int
parse_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

/* Parses the offset part after a time: Z, +hh:mm, -hhmm or nothing (UTC). */
static int
parse_offset(const char *p, long *off)
{
	int h, m, sign;

	*off = 0;
	if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0'))
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (parse_digits(&p, 2, &h))
		return -1;
	if (*p == ':')
		p++;
	if (parse_digits(&p, 2, &m) || *p)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	return 0;
}

int
rt_date_valid(int y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/*
 * Arithmetic, not timegm(3): a sweep parses several times a ticket, and
 * glibc's timegm went through mktime's normalising search (a fifth of
 * rt-escalate's instructions on the 100k desk). H. Hinnant's
 * days_from_civil, proleptic Gregorian.
 */
long long
rt_days_from_civil(int y, int m, int d)
{
	long long yy = (long long)y - (m <= 2);
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int
rt_parsetime(const char *s, time_t *out)
{
	struct tm tm;
	const char *p = s;
	long off;
	char *end;

	if (*p == '@') {
		long long v = strtoll(p + 1, &end, 10);
		if (end == p + 1 || *end)
			return -1;
		*out = (time_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if (parse_digits(&p, 4, &tm.tm_year) || *p++ != '-' ||
	    parse_digits(&p, 2, &tm.tm_mon) || *p++ != '-' ||
	    parse_digits(&p, 2, &tm.tm_mday))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (parse_digits(&p, 2, &tm.tm_hour) || *p++ != ':' ||
		    parse_digits(&p, 2, &tm.tm_min))
			return -1;
		if (*p == ':') {
			p++;
			if (parse_digits(&p, 2, &tm.tm_sec))
				return -1;
			if (*p == '.')
				while (isdigit((unsigned char)*++p))
					;
		}
	}
	if (parse_offset(p, &off))
		return -1;
	if (!rt_date_valid(tm.tm_year, tm.tm_mon, tm.tm_mday) ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	*out = (time_t)(rt_days_from_civil(tm.tm_year, tm.tm_mon, tm.tm_mday) * 86400 +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec - off);
	return 0;
}

/* A duration: N with s (or none), m or min, h, d or w; -1 if it is not one. */
long long
rt_duration(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (v < 0 || v > 100LL * 365 * 86400)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		return v * 60;
	if (strcmp(end, "h") == 0)
		return v * 3600;
	if (strcmp(end, "d") == 0)
		return v * 86400;
	if (strcmp(end, "w") == 0)
		return v * 7 * 86400;
	return -1;
}

int
rt_parsewhen(const char *s, time_t *out)
{
	size_t len = strlen(s);
	long long secs;

	if (*s != '-' && *s != '+')
		return rt_parsetime(s, out);
	/* a relative time names its unit: "-7" is no time */
	if (len < 3 || !isalpha((unsigned char)s[len - 1]) ||
	    (secs = rt_duration(s + 1)) < 0)
		return -1;
	*out = rt_now() + (time_t)(*s == '-' ? -secs : secs);
	return 0;
}

int
rt_time_opt(const char *opt, const char *s, time_t *out)
{
	if (rt_parsewhen(s, out) != 0)
		return rt_fail(EX_USAGE, "'%s' is not a time for --%s (RFC 3339, YYYY-MM-DD, "
		    "@epoch or -N[mhdw])", s, opt);
	return 0;
}

int
read_file(const char *path, char **buf, size_t *len)
{
	struct sbuf sb = SBUF_INIT;
	char tmp[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			sbuf_free(&sb);
			errno = e;
			return -1;
		}
		sbuf_add(&sb, tmp, (size_t)n);
	}
	close(fd);
	*len = sb.len;
	*buf = sbuf_detach(&sb);
	return 0;
}

struct sync_job {
	int fd;
	int rc;
	int err;
};

static void *
sync_job(void *arg)
{
	struct sync_job *j = arg;

	j->rc = fsync(j->fd);
	j->err = errno;
	return NULL;
}

/*
 * Files to the disk at once, each fsync but the last in a thread of its
 * own: on a busy disk each fsync waits for the device, and waiting
 * together costs about one wait (0.4-0.7x of two in a row, measured here).
 */
int
fsync_all(const int *fds, size_t n)
{
	struct sync_job j[FSYNC_MAX];
	pthread_t t[FSYNC_MAX];
	size_t k = 0, started = 0;
	int last = -1, rc = 0;

	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			if (last >= 0 && k < FSYNC_MAX)
				j[k++] = (struct sync_job){ last, 0, 0 };
			else if (last >= 0 && fsync(last) < 0)
				rc = -1;	/* more than FSYNC_MAX + 1: in a row */
			last = fds[i];
		}
	for (; started < k; started++)
		if (pthread_create(&t[started], NULL, sync_job, &j[started]) != 0)
			break;
	for (size_t i = started; i < k; i++)	/* no thread: in a row */
		sync_job(&j[i]);
	if (last >= 0 && fsync(last) < 0)
		rc = -1;
	for (size_t i = 0; i < k; i++) {
		if (i < started)
			pthread_join(t[i], NULL);
		if (j[i].rc < 0 && rc == 0) {
			errno = j[i].err;
			rc = -1;
		}
	}
	return rc;
}

int
fsync_dir_of(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd, rc;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
write_file_atomic(const char *path, const void *buf, size_t len, int durable)
{
	char *tmp = xasprintf("%s.tmp%ld", path, rt_pid());
	int fd, e;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0)
		goto fail;
	if (write_all(fd, buf, len) < 0 || (durable && fsync(fd) < 0)) {
		e = errno;
		close(fd);
		errno = e;
		goto fail_unlink;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		goto fail_unlink;
	free(tmp);
	if (durable && fsync_dir_of(path) < 0)
		return -1;
	return 0;
fail_unlink:
	e = errno;
	unlink(tmp);
	errno = e;
fail:
	free(tmp);
	return -1;
}

static pid_t pid_now;

/* Random bytes asked for in blocks: a batch's ids cost no call each. */
static struct {
	pthread_mutex_t mu;
	unsigned char b[1024];
	size_t left;
} pool = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0 };

static pthread_once_t pid_once = PTHREAD_ONCE_INIT;
static void pid_register(void);

long
rt_pid(void)
{
	pthread_once(&pid_once, pid_register);
	if (pid_now == 0)	/* a child after fork: one thread */
		pid_now = getpid();
	return (long)pid_now;
}

int
rt_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	pthread_once(&pid_once, pid_register);	/* forgotten at fork */
	pthread_mutex_lock(&pool.mu);
	while (n > 0) {
		size_t k;
		if (pool.left == 0) {
			if (getrandom(pool.b, sizeof(pool.b), 0) != (ssize_t)sizeof(pool.b)) {
				pthread_mutex_unlock(&pool.mu);
				return -1;
			}
			pool.left = sizeof(pool.b);
		}
		k = n < pool.left ? n : pool.left;
		memcpy(p, pool.b + sizeof(pool.b) - pool.left, k);
		memset(pool.b + sizeof(pool.b) - pool.left, 0, k);
		pool.left -= k;
		p += k;
		n -= k;
	}
	pthread_mutex_unlock(&pool.mu);
	return 0;
}

/*
 * The folders this process made or found, so a batch does not ask the
 * kernel again for each of its files: an open-addressed set of absolute
 * paths. Only a hint: a folder removed since is found again through the
 * ENOENT of the write into it (dir_forget_all). Full, it forgets its
 * deepest levels (dirs_trim).
 */
#define DIRS_MAX (1UL << 16)	/* entries */
#define DIRS_DEPTHS 64		/* deeper folders are counted as this deep */

static struct {
	pthread_mutex_t mu;
	char **path;
	unsigned char *made;
	size_t n, cap;
} dirs = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0 };

/*
 * A child must not repeat its parent's pid nor its random bytes, and
 * finds the locks free whatever the parent's other threads held.
 */
static void
pid_forget(void)
{
	pid_now = 0;
	pool.left = 0;
	pthread_mutex_init(&pool.mu, NULL);
	pthread_mutex_init(&dirs.mu, NULL);
}

static void
pid_register(void)
{
	pid_now = getpid();
	pthread_atfork(NULL, NULL, pid_forget);
}

static size_t
dirs_hash(const char *s, size_t len)
{
	size_t h = 14695981039346656037UL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211UL;
	return h;
}

/* The slot of path[0..len) (NULL there when absent); dirs.mu held, cap > 0. */
static size_t
dirs_slot(const char *path, size_t len)
{
	size_t i = dirs_hash(path, len) & (dirs.cap - 1);

	while (dirs.path[i] && (strncmp(dirs.path[i], path, len) != 0 || dirs.path[i][len]))
		i = (i + 1) & (dirs.cap - 1);
	return i;
}

static void
dirs_clear(void)
{
	for (size_t i = 0; i < dirs.cap; i++)
		free(dirs.path[i]);
	free(dirs.path);
	free(dirs.made);
	dirs.path = NULL;
	dirs.made = NULL;
	dirs.n = dirs.cap = 0;
}

static size_t
dirs_depth(const char *path)
{
	size_t n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n < DIRS_DEPTHS ? n : DIRS_DEPTHS - 1;
}

/*
 * The depth down to which a full set keeps its folders: at most 3/4 of
 * DIRS_MAX, the shallowest first. The fan-out levels every new ticket
 * passes stay; a batch's own ticket and msg/ folders, which it seldom
 * asks for again, go. Forgetting costs calls, never a folder: mkdir_p
 * always asks for the folder itself and finds one it forgot again.
 */
static size_t
dirs_trim(void)
{
	size_t count[DIRS_DEPTHS] = { 0 }, sum = 0, keep = 0;

	for (size_t k = 0; k < dirs.cap; k++)
		if (dirs.path[k])
			count[dirs_depth(dirs.path[k])]++;
	for (size_t d = 0; d < DIRS_DEPTHS && (sum += count[d]) <= DIRS_MAX / 4 * 3; d++)
		keep = d + 1;
	return keep;	/* depths below keep stay */
}

/* Into a new table (twice as big unless trimmed), with the folders less deep than keep. */
static void
dirs_rehash(size_t keep)
{
	char **old = dirs.path;
	unsigned char *oldmade = dirs.made;
	size_t oldcap = dirs.cap, i;

	if (keep == DIRS_DEPTHS || dirs.cap == 0)
		dirs.cap = dirs.cap ? dirs.cap * 2 : 256;
	dirs.path = xcalloc(dirs.cap, sizeof(*dirs.path));
	dirs.made = xcalloc(dirs.cap, 1);
	dirs.n = 0;
	for (size_t k = 0; k < oldcap; k++) {
		if (old[k] == NULL)
			continue;
		if (dirs_depth(old[k]) >= keep) {
			free(old[k]);
			continue;
		}
		i = dirs_slot(old[k], strlen(old[k]));
		dirs.path[i] = old[k];
		dirs.made[i] = oldmade[k];
		dirs.n++;
	}
	free(old);
	free(oldmade);
}

static void
dirs_add(const char *path, size_t len, int made)
{
	size_t i;

	if (dirs.n + 1 > dirs.cap / 2)
		dirs_rehash(dirs.n >= DIRS_MAX ? dirs_trim() : DIRS_DEPTHS);
	i = dirs_slot(path, len);
	if (dirs.path[i] == NULL) {
		dirs.path[i] = xstrndup(path, len);
		dirs.n++;
	}
	dirs.made[i] |= (unsigned char)made;
}

static int
dirs_get(const char *path, size_t len)
{
	size_t i;

	if (dirs.cap == 0)
		return 0;
	i = dirs_slot(path, len);
	return dirs.path[i] ? 1 + dirs.made[i] : 0;
}

int
dir_known(const char *path)
{
	int k;

	pthread_mutex_lock(&dirs.mu);
	k = dirs_get(path, strlen(path));
	pthread_mutex_unlock(&dirs.mu);
	return k;
}


void
dir_forget_all(void)
{
	pthread_mutex_lock(&dirs.mu);
	dirs_clear();
	pthread_mutex_unlock(&dirs.mu);
}

/* path and every folder above it are there; made: path was made just now */
static void
dirs_note_up(const char *path, int made)
{
	size_t at = strlen(path);

	pthread_mutex_lock(&dirs.mu);
	dirs_add(path, at, made);
	while (at > 1) {
		while (at > 0 && path[--at] != '/')
			;
		if (at == 0 || dirs_get(path, at))
			break;
		dirs_add(path, at, 0);
	}
	pthread_mutex_unlock(&dirs.mu);
}

void
dir_note(const char *path)
{
	dirs_note_up(path, 0);
}

static int
mkdir_one(const char *path, int mode)
{
	int made = mkdir(path, (mode_t)mode) == 0;

	if (!made && errno != EEXIST)
		return -1;
	pthread_mutex_lock(&dirs.mu);
	dirs_add(path, strlen(path), made);
	pthread_mutex_unlock(&dirs.mu);
	return 0;
}

/* From the deepest level up until one exists, then down again. */
static int
mkdir_up(const char *path, int mode)
{
	char *parent, *slash;
	int rc;

	if (mkdir_one(path, mode) == 0) {
		dir_note(path);
		return 0;
	}
	if (errno != ENOENT || (slash = strrchr(path, '/')) == NULL || slash == path)
		return -1;
	parent = xstrndup(path, (size_t)(slash - path));
	rc = mkdir_up(parent, mode);
	free(parent);
	return rc < 0 ? -1 : mkdir_one(path, mode);
}

/*
 * Down from the deepest folder above path that this process knows, one
 * mkdir a level: a new ticket's folders cost one call each, none fails.
 * With none known, from the deepest level up. path itself is always
 * asked for: a caller comes here after a write into it failed.
 */
int
mkdir_p(const char *path, int mode)
{
	size_t len = strlen(path), at = len;
	const char *slash;
	int rc;

	pthread_mutex_lock(&dirs.mu);
	do {
		for (slash = path + at; slash > path && *--slash != '/';)
			;
		at = (size_t)(slash - path);
	} while (at > 0 && !dirs_get(path, at));
	pthread_mutex_unlock(&dirs.mu);
	if (at == 0)
		return mkdir_up(path, mode);
	while (at < len) {
		char *level;
		slash = strchr(path + at + 1, '/');
		at = slash ? (size_t)(slash - path) : len;
		level = xstrndup(path, at);
		rc = mkdir_one(level, mode) < 0 ? errno : 0;
		free(level);
		if (rc != 0 && rc != ENOENT)
			return errno = rc, -1;
		if (rc != 0) {
			dir_forget_all();	/* a folder it knew is gone */
			return mkdir_up(path, mode);
		}
	}
	return 0;
}

int
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
str_casestarts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

char *
str_lower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

size_t
str_split(const char *s, const char *seps, char ***out)
{
	size_t n = 0, cap = 4;
	char **v = xmalloc(cap * sizeof(*v));

	while (*s) {
		size_t k = strcspn(s, seps);
		if (k > 0) {
			if (n == cap)
				v = xrealloc(v, (cap *= 2) * sizeof(*v));
			v[n++] = xstrndup(s, k);
		}
		s += k;
		if (*s)
			s++;
	}
	*out = v;
	return n;
}

void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
test_hold(const char *env)
{
	const char *dir = getenv(env);
	char *path;
	int fd;

	if (dir == NULL || *dir == '\0')
		return;
	path = xasprintf("%s/held", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) >= 0)
		close(fd);
	free(path);
	path = xasprintf("%s/release", dir);
	for (int i = 0; i < 6000 && access(path, F_OK) != 0; i++)
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	free(path);
}
