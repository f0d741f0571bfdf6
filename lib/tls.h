/*
 * tls.h: TLS starts only when a TLS remote is really used.
 *
 * libgit2 (mbedTLS build) starts mbedTLS inside git_libgit2_init: it
 * parses the whole CA bundle (65% of a mail's instructions) and seeds its
 * random generator (HAVEGE: another 8%), for commands that never use the
 * network. rt links libgit2 statically and wraps that start-up with the
 * linker (-Wl,--wrap=git_mbedtls_stream_global_init): git_libgit2_init
 * only notes it, and rt_tls_init runs it. Call it after git_libgit2_init
 * and before the first connection that may use TLS (rt-sync over http or
 * https: a redirect can lead to https); libgit2 would find no TLS
 * configuration otherwise. Setting a certificate location starts it first.
 */
#ifndef RT_TLS_H
#define RT_TLS_H

/* Starts TLS (certificates included); 0, or -1 when it cannot. */
int rt_tls_init(void);
/* 1 while TLS's start-up is noted but not run (for tests). */
int rt_tls_deferred(void);

#endif
