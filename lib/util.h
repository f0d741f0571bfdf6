/* util.h: allocation, string buffers, errors, time and file helpers */
#ifndef RT_UTIL_H
#define RT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <sysexits.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: on OOM they print and exit EX_OSERR. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growable byte buffer, always NUL-terminated. */
struct sbuf {
	char *buf;
	size_t len, cap;
};
#define SBUF_INIT { NULL, 0, 0 }
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *p, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sbuf_detach(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);

/*
 * Library error reporting: functions return 0 or a sysexits(3) code and
 * leave a one-line message for the command to print.
 */
int rt_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *rt_errmsg(void);
/* The worse of two outcomes of a batch's items: a retry (75) beats any other. */
int rt_worse(int a, int b);
/* 0, or EX_USAGE when stdout is a terminal: bytes from outside carry escapes. */
int raw_stdout_ok(const char *what);
/*
 * Warnings (the call went on): the library keeps them, in order, and the
 * command prints each under its own name (cli_warnings), never the library.
 */
void rt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The oldest pending warning (malloc'd), or NULL when there is none. */
char *rt_warning_take(void);

/*
 * A key's hash by its length, first and last byte (kl > 0): the keys of a
 * cache record differ there, so per-key lookups on hot paths (query slots,
 * SLA fields, JSON list keys) stay a few instructions. Callers reduce it.
 */
static inline size_t
rt_keyhash(const char *k, size_t kl)
{
	return kl * 7 + (unsigned char)k[0] * 3 + (unsigned char)k[kl - 1];
}

/* Time: "now" honours $RT_NOW (RFC 3339 or epoch seconds) for tests. */
time_t rt_now(void);
/* RFC 3339 UTC, "2026-11-23T10:05:00Z"; buf must hold RT_TIMELEN bytes. */
#define RT_TIMELEN 21
char *rt_fmttime(time_t t, char buf[RT_TIMELEN]);
/* Parses RFC 3339 (Z or offset), "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DD" or "@epoch". */
int rt_parsetime(const char *s, time_t *out);
/* Parses "90", "30s", "15m", "12h", "1d", "2w" into seconds (at most 100 years); -1 if invalid. */
long long rt_duration(const char *s);
/* rt_parsetime's forms, or -N / +N with m, h, d or w: that long before or after now. */
int rt_parsewhen(const char *s, time_t *out);
/*
 * The time argument s of option --opt as rt_parsewhen reads it; else
 * EX_USAGE, "'S' is not a time for --OPT (...)".
 */
int rt_time_opt(const char *opt, const char *s, time_t *out);
/* 1 if y-m-d is a day of the calendar (no 2026-11-31, no 2026-02-29). */
int rt_date_valid(int y, int m, int d);
/* Days from 1970-01-01 to the civil date y-m-d (negative before). */
long long rt_days_from_civil(int y, int m, int d);

/* Files */
int read_file(const char *path, char **buf, size_t *len);
/* write(2) until all of buf is out, retrying EINTR; 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* Writes via a temporary file and rename(2); fsyncs file and dir when durable. */
int write_file_atomic(const char *path, const void *buf, size_t len, int durable);
/* mkdir -p; the folders it makes or finds are remembered (dir_known). */
int mkdir_p(const char *path, int mode);
/*
 * The folders this process knows are there: 0 not known, 1 found, 2 made
 * by mkdir_p. A hint, no more: a write into a folder that is gone fails
 * with ENOENT, and its caller then forgets them all and asks again.
 */
int dir_known(const char *path);
void dir_note(const char *path);
void dir_forget_all(void);
/* getpid(2), asked once a process (temporary names: PATH.tmpPID). */
long rt_pid(void);
/* n bytes of getrandom(2), asked for in blocks; 0, or -1 without a source. */
int rt_random(void *buf, size_t n);
int fsync_dir_of(const char *path);
/* fsyncs the n fds (-1s skipped, at most FSYNC_MAX + 1) at once; 0, or -1 with errno */
/* fsyncs the n fds (-1s skipped) at once; 0, or -1 with errno */
#define FSYNC_MAX 3
int fsync_all(const int *fds, size_t n);

/* Strings */
int str_starts(const char *s, const char *prefix);
int str_casestarts(const char *s, const char *prefix);
char *str_trim(char *s);
char *str_lower(char *s);
/* Splits on sep (no empty fields); returns count; *out is malloc'd with copies. */
size_t str_split(const char *s, const char *seps, char ***out);
void strv_free(char **v, size_t n);

/*
 * For tests of what runs beside a command: with the environment variable
 * env set to a folder DIR, makes DIR/held and waits for DIR/release (a
 * minute at most), so a test decides what happens meanwhile.
 */
void test_hold(const char *env);

#endif
