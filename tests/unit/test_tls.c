/* test_tls.c: libgit2's start-up does not start TLS; rt_tls_init does */
#include <git2.h>

#include "tap.h"
#include "tls.h"

int
main(void)
{
	git_libgit2_init();
	if (!rt_tls_deferred()) {
		/* GIT2_STATIC=0: the wrap cannot reach into a shared libgit2 */
		tap_n++;
		printf("ok %d - # SKIP nothing deferred: libgit2 linked shared\n", tap_n);
		git_libgit2_shutdown();
		return tap_done();
	}
	ok(rt_tls_deferred(), "git_libgit2_init notes TLS's start-up instead of running it");
	ok(rt_tls_init() == 0, "rt_tls_init runs it (CA bundle parsed)");
	ok(!rt_tls_deferred(), "nothing is deferred afterwards");
	ok(rt_tls_init() == 0, "a second rt_tls_init does nothing");
	git_libgit2_shutdown();
	git_libgit2_init();
	ok(!rt_tls_deferred(), "after rt_tls_init a new init loads for real");
	git_libgit2_shutdown();
	return tap_done();
}
