/* test_gsslazy.c: GSSAPI is not loaded at start; the stand-ins open it on first use */
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#include <git2.h>

#include "tap.h"
#include "tls.h"

typedef uint32_t OM_uint32;
typedef struct { OM_uint32 length; void *elements; } gss_OID_desc, *gss_OID;
typedef struct { size_t length; void *value; } gss_buffer_desc, *gss_buffer_t;
extern gss_OID GSS_C_NT_HOSTBASED_SERVICE;
OM_uint32 gss_indicate_mechs(OM_uint32 *, void **);
OM_uint32 gss_release_oid_set(OM_uint32 *, void **);
OM_uint32 gss_import_name(OM_uint32 *, gss_buffer_t, gss_OID, void **);
OM_uint32 gss_release_name(OM_uint32 *, void **);

static int
loaded(void)
{
	void *h = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

int
main(void)
{
	OM_uint32 minor = 1;
	void *mechs = NULL, *name = NULL;
	gss_buffer_desc host = { strlen("HTTP@desk.example"), (void *)"HTTP@desk.example" };
	void *probe;

	git_libgit2_init();
	if (!rt_tls_deferred()) {
		/* GIT2_STATIC=0: libgit2.so needs libgssapi_krb5 itself */
		tap_n++;
		printf("ok %d - # SKIP libgit2 linked shared\n", tap_n);
		git_libgit2_shutdown();
		return tap_done();
	}
	ok(!loaded(), "libgssapi_krb5 is not loaded at start");
	if ((probe = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		tap_n++;
		printf("ok %d - # SKIP libgssapi_krb5.so.2 is not installed\n", tap_n);
		git_libgit2_shutdown();
		return tap_done();
	}
	dlclose(probe);
	ok(gss_indicate_mechs(&minor, &mechs) == 0 && mechs != NULL,
	    "gss_indicate_mechs opens the library and answers");
	ok(loaded(), "the library is loaded after the first call");
	ok(gss_release_oid_set(&minor, &mechs) == 0 && mechs == NULL, "the set is released");
	ok(gss_import_name(&minor, &host, GSS_C_NT_HOSTBASED_SERVICE, &name) == 0 && name,
	    "a host-based service name imports with rt's GSS_C_NT_HOSTBASED_SERVICE");
	ok(gss_release_name(&minor, &name) == 0 && name == NULL, "and is released");
	git_libgit2_shutdown();
	return tap_done();
}
