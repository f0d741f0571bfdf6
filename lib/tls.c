/* tls.c: the CA certificates load only when a TLS remote is really used */
#include <stdlib.h>
#include <string.h>

#include "tls.h"

/* mbedTLS's chain stays opaque here: only its address is kept. */
struct mbedtls_x509_crt;

int __real_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int __real_mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path);

static struct {
	struct mbedtls_x509_crt *chain;	/* libgit2's, already set as its CA chain */
	char *path;
	int is_dir;
	int loaded;			/* after rt_tls_init every call is real */
} ca;

static int
record(struct mbedtls_x509_crt *chain, const char *path, int is_dir)
{
	char *copy = path ? strdup(path) : NULL;

	if (path && copy == NULL)
		return -1;
	free(ca.path);
	ca.chain = chain;
	ca.path = copy;
	ca.is_dir = is_dir;
	return 0;
}

int
__wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	if (ca.loaded)
		return __real_mbedtls_x509_crt_parse_file(chain, path);
	return record(chain, path, 0);
}

int
__wrap_mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path)
{
	if (ca.loaded)
		return __real_mbedtls_x509_crt_parse_path(chain, path);
	return record(chain, path, 1);
}

int
rt_tls_init(void)
{
	int rc = 0;

	if (ca.loaded)
		return 0;
	ca.loaded = 1;
	if (ca.chain && ca.path)
		rc = ca.is_dir ? __real_mbedtls_x509_crt_parse_path(ca.chain, ca.path) :
		    __real_mbedtls_x509_crt_parse_file(ca.chain, ca.path);
	free(ca.path);
	ca.path = NULL;
	ca.chain = NULL;
	return rc < 0 ? -1 : 0;
}

int
rt_tls_deferred(void)
{
	return !ca.loaded && ca.chain != NULL;
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
