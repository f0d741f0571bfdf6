/*
 * mailsend_load.c: the mailer libraries load only when a command sends.
 *
 * libmailutils' mailer pulls in gnutls, ldap, sasl and database clients
 * (49 shared libraries for rt-reply instead of 26). The send part of
 * mailsend.c is built as a module, rt-mailer.so, and mail_send() loads it
 * on its first call: $RT_MAILER_MODULE, else ../libexec/rt/rt-mailer.so
 * beside the running binary (the build tree and an installed tree), else
 * RT_LIBEXECDIR from the build. The module uses rt's util functions from
 * the binary, which exports them (build/mailer.dyn, made by the Makefile
 * from the module's undefined symbols).
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailsend.h"
#include "util.h"

#ifndef RT_LIBEXECDIR
#define RT_LIBEXECDIR "/usr/local/libexec/rt"
#endif
#define MAILER_MODULE "rt-mailer.so"

typedef int (*send_fn)(const char *url, const char *buf, size_t len,
    const char *env_from, const char **rcpts, size_t nrcpts);

static void *
open_beside_binary(void)
{
	char exe[PATH_MAX], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	void *h;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	path = xasprintf("%s/../libexec/rt/" MAILER_MODULE, exe);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	free(path);
	return h;
}

static void *
open_module(void)
{
	const char *env = getenv("RT_MAILER_MODULE");
	void *h;

	if (env && *env)
		return dlopen(env, RTLD_NOW | RTLD_LOCAL);
	if ((h = open_beside_binary()) != NULL)
		return h;
	return dlopen(RT_LIBEXECDIR "/" MAILER_MODULE, RTLD_NOW | RTLD_LOCAL);
}

int
mail_send(const char *url, const char *buf, size_t len,
    const char *env_from, const char **rcpts, size_t nrcpts)
{
	static send_fn send;

	if (send == NULL) {
		void *h = open_module();
		if (h == NULL)
			return rt_fail(EX_TEMPFAIL, "cannot load the mailer (%s): %s", MAILER_MODULE,
			    dlerror());
		*(void **)&send = dlsym(h, "rt_mailer_send");
		if (send == NULL)
			return rt_fail(EX_TEMPFAIL, "%s: no rt_mailer_send", MAILER_MODULE);
	}
	return send(url, buf, len, env_from, rcpts, nrcpts);
}
