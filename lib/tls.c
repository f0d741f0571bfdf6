/* tls.c: TLS starts (entropy, CA certificates) only when a TLS remote is really used */
#include <stddef.h>

#include "tls.h"

/*
 * libgit2's mbedTLS start-up and its certificate option, wrapped with the
 * linker (-Wl,--wrap=git_mbedtls_stream_global_init and
 * git_mbedtls__set_cert_location). The real ones are weak references: with
 * a shared libgit2 the wrap cannot reach them and nothing is deferred. With
 * a static one they are there, since libgit2's TLS stream (linked with its
 * transports) needs their object file.
 */
int __real_git_mbedtls_stream_global_init(void) __attribute__((weak));
int __real_git_mbedtls__set_cert_location(const char *file, const char *path)
    __attribute__((weak));
int __wrap_git_mbedtls_stream_global_init(void);
int __wrap_git_mbedtls__set_cert_location(const char *file, const char *path);

static struct {
	int deferred;	/* git_libgit2_init ran, the real start-up did not */
	int loaded;	/* after rt_tls_init every start-up is real */
} tls;

int
__wrap_git_mbedtls_stream_global_init(void)
{
	if (tls.loaded)
		return __real_git_mbedtls_stream_global_init();
	tls.deferred = 1;
	return 0;
}

int
rt_tls_init(void)
{
	int was_deferred = tls.deferred;

	if (tls.loaded)
		return 0;
	tls.loaded = 1;
	tls.deferred = 0;
	if (was_deferred && __real_git_mbedtls_stream_global_init &&
	    __real_git_mbedtls_stream_global_init() < 0)
		return -1;
	return 0;
}

int
rt_tls_deferred(void)
{
	return !tls.loaded && tls.deferred;
}

/* GIT_OPT_SET_SSL_CERT_LOCATIONS needs the started configuration. */
int
__wrap_git_mbedtls__set_cert_location(const char *file, const char *path)
{
	if (rt_tls_init() < 0 || !__real_git_mbedtls__set_cert_location)
		return -1;
	return __real_git_mbedtls__set_cert_location(file, path);
}

/*
 * libgit2 starts libssh2 in git_libgit2_init, and libssh2_init starts
 * OpenSSL (about 6% of a mail's instructions) for commands that never
 * use ssh. libssh2 starts itself when its first session is made
 * (_libssh2_init_if_needed in libssh2_session_init_ex), so libgit2's
 * call is wrapped (-Wl,--wrap=libssh2_init) to do nothing.
 */
int __wrap_libssh2_init(int flags);

int
__wrap_libssh2_init(int flags)
{
	(void)flags;
	return 0;
}
