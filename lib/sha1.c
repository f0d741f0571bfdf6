/*
 * sha1.c: SHA-1 of a buffer, for the checksums of the packs and indexes
 * rt writes (integrity, not object ids: those stay libgit2's SHA1DC).
 * Nettle's, whose x86_64 build picks the SHA-NI instructions when the CPU
 * has them; mbed TLS's portable C cost 7% of a bulk import's instructions.
 */
#include <nettle/sha1.h>

#include "sha1.h"

void
sha1(const void *buf, size_t len, unsigned char out[20])
{
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, len, buf);
	sha1_digest(&c, SHA1_DIGEST_SIZE, out);
}
