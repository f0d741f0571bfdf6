/*
 * tls.h: the CA certificates load only when a TLS remote is really used.
 *
 * libgit2 (mbedTLS build) parses the whole CA bundle inside
 * git_libgit2_init: 65% of a mail's instructions, for commands that never
 * use the network. rt links libgit2 statically and wraps the loader with
 * the linker (-Wl,--wrap=mbedtls_x509_crt_parse_file and _path): libgit2's
 * call only records its arguments, and rt_tls_init performs the real load
 * into the same chain. Call it after git_libgit2_init and before the first
 * TLS connection (a future rt-sync over https).
 */
#ifndef RT_TLS_H
#define RT_TLS_H

/* Loads the recorded CA certificates; 0, or -1 when they cannot be read. */
int rt_tls_init(void);
/* 1 while the certificates are recorded but not loaded (for tests). */
int rt_tls_deferred(void);

#endif
