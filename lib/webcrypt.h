/*
 * webcrypt.h: SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104) for the
 * web front end's signatures and tokens, and a comparison whose time
 * does not depend on where two secrets differ.
 */
#ifndef RT_WEBCRYPT_H
#define RT_WEBCRYPT_H

#include <stddef.h>

#define SHA256_LEN 32

void sha256(const void *buf, size_t len, unsigned char out[SHA256_LEN]);
/* HMAC over the concatenation of the n parts (p[i], l[i]). */
void hmac_sha256(const void *key, size_t klen, const void *const *p, const size_t *l,
    size_t n, unsigned char out[SHA256_LEN]);
/* Lower-case hex of buf into out (2 * len + 1 bytes). */
void hex_encode(const unsigned char *buf, size_t len, char *out);
/* 1 when a and b (lengths la, lb) are equal; time depends on la only. */
int ct_equal(const void *a, size_t la, const void *b, size_t lb);

#endif
