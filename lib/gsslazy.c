/*
 * gsslazy.c: GSSAPI (Kerberos) loads only when an http server asks for it.
 *
 * libgit2 uses GSSAPI for one thing: SPNEGO ("Negotiate") authentication
 * to an http remote. Linked normally, libgssapi_krb5 and the six libraries
 * under it (krb5, k5crypto, krb5support, com_err, keyutils, resolv) are
 * loaded and relocated at every rt start. With libgit2 linked statically
 * (Makefile, GIT2_STATIC) these functions stand in for the ones libgit2
 * calls and open the library on first use; when it cannot be opened they
 * fail as GSSAPI does (GSS_S_UNAVAILABLE), and libgit2 reports it.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The GSSAPI C binding (RFC 2744) as libgit2 uses it; handles stay opaque. */
typedef uint32_t OM_uint32;
typedef struct { OM_uint32 length; void *elements; } gss_OID_desc, *gss_OID;
typedef struct { size_t length; void *value; } gss_buffer_desc, *gss_buffer_t;
typedef void *gss_handle;	/* gss_name_t, gss_ctx_id_t, gss_cred_id_t... */

#define GSS_S_UNAVAILABLE ((OM_uint32)16 << 16)
#define GSSAPI_SONAME "libgssapi_krb5.so.2"

/* 1.2.840.113554.1.2.1.4 (RFC 2744); replaced by the library's own on use */
static gss_OID_desc hostbased = { 10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04" };
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased;

static void *lib;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void
lib_open(void)
{
	lib = dlopen(GSSAPI_SONAME, RTLD_NOW | RTLD_LOCAL);
}

static void *
gss_sym(const char *name)
{
	pthread_once(&lib_once, lib_open);
	return lib ? dlsym(lib, name) : NULL;
}

/* REAL(fn): the library's fn as real, or return GSS_S_UNAVAILABLE */
#define REAL(fn) \
	__typeof__(fn) *real = (__typeof__(fn) *)gss_sym(#fn); \
	if (real == NULL) { \
		if (minor) \
			*minor = 0; \
		return GSS_S_UNAVAILABLE; \
	}

OM_uint32 gss_import_name(OM_uint32 *, gss_buffer_t, gss_OID, gss_handle *);
OM_uint32 gss_init_sec_context(OM_uint32 *, gss_handle, gss_handle *, gss_handle,
    gss_OID, OM_uint32, OM_uint32, gss_handle, gss_buffer_t, gss_OID *,
    gss_buffer_t, OM_uint32 *, OM_uint32 *);
OM_uint32 gss_delete_sec_context(OM_uint32 *, gss_handle *, gss_buffer_t);
OM_uint32 gss_display_status(OM_uint32 *, OM_uint32, int, gss_OID, OM_uint32 *,
    gss_buffer_t);
OM_uint32 gss_release_buffer(OM_uint32 *, gss_buffer_t);
OM_uint32 gss_release_name(OM_uint32 *, gss_handle *);
OM_uint32 gss_indicate_mechs(OM_uint32 *, gss_handle *);
OM_uint32 gss_release_oid_set(OM_uint32 *, gss_handle *);

OM_uint32
gss_import_name(OM_uint32 *minor, gss_buffer_t name, gss_OID type, gss_handle *out)
{
	REAL(gss_import_name);
	if (type == &hostbased) {
		gss_OID *theirs = gss_sym("GSS_C_NT_HOSTBASED_SERVICE");
		if (theirs)
			type = *theirs;
	}
	return real(minor, name, type, out);
}

OM_uint32
gss_init_sec_context(OM_uint32 *minor, gss_handle cred, gss_handle *ctx,
    gss_handle target, gss_OID mech, OM_uint32 flags, OM_uint32 time_req,
    gss_handle bindings, gss_buffer_t in, gss_OID *actual_mech,
    gss_buffer_t out, OM_uint32 *ret_flags, OM_uint32 *time_rec)
{
	REAL(gss_init_sec_context);
	return real(minor, cred, ctx, target, mech, flags, time_req, bindings, in,
	    actual_mech, out, ret_flags, time_rec);
}

OM_uint32
gss_delete_sec_context(OM_uint32 *minor, gss_handle *ctx, gss_buffer_t out)
{
	REAL(gss_delete_sec_context);
	return real(minor, ctx, out);
}

OM_uint32
gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech,
    OM_uint32 *msg_ctx, gss_buffer_t out)
{
	REAL(gss_display_status);
	return real(minor, status, type, mech, msg_ctx, out);
}

OM_uint32
gss_release_buffer(OM_uint32 *minor, gss_buffer_t buf)
{
	REAL(gss_release_buffer);
	return real(minor, buf);
}

OM_uint32
gss_release_name(OM_uint32 *minor, gss_handle *name)
{
	REAL(gss_release_name);
	return real(minor, name);
}

OM_uint32
gss_indicate_mechs(OM_uint32 *minor, gss_handle *mechs)
{
	REAL(gss_indicate_mechs);
	return real(minor, mechs);
}

OM_uint32
gss_release_oid_set(OM_uint32 *minor, gss_handle *set)
{
	REAL(gss_release_oid_set);
	return real(minor, set);
}
