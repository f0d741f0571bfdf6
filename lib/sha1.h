/* sha1.h: SHA-1 of a buffer, for a pack's trailing checksum */
#ifndef RT_SHA1_H
#define RT_SHA1_H

#include <stddef.h>

void sha1(const void *buf, size_t len, unsigned char out[20]);

#endif
