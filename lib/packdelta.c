/* packdelta.c: a git delta of an object against another version of it */
#include <stdint.h>

#include "packdelta.h"

#define COPY_MAX 0x10000	/* a copy's size: 3 bytes, but git splits at 64 KiB */
#define INSERT_MAX 127

static void
add_size(struct sbuf *out, size_t n)
{
	unsigned char b[10];
	size_t i = 0;

	do {
		b[i] = n & 127;
		n >>= 7;
		b[i] |= n ? 128 : 0;
		i++;
	} while (n);
	sbuf_add(out, b, i);
}

/* Copy ops for base[off, off + len): only the offset and size bytes that are not 0. */
static void
add_copy(struct sbuf *out, size_t off, size_t len)
{
	while (len) {
		size_t n = len < COPY_MAX ? len : COPY_MAX;
		unsigned char b[8], op = 0x80;
		size_t k = 1;
		for (int i = 0; i < 4; i++)
			if ((off >> (8 * i)) & 255) {
				op |= (unsigned char)(1 << i);
				b[k++] = (unsigned char)(off >> (8 * i));
			}
		/* 0x10000 is written as no size byte at all */
		for (int i = 0; i < 3 && n != COPY_MAX; i++)
			if ((n >> (8 * i)) & 255) {
				op |= (unsigned char)(0x10 << i);
				b[k++] = (unsigned char)(n >> (8 * i));
			}
		b[0] = op;
		sbuf_add(out, b, k);
		off += n;
		len -= n;
	}
}

static void
add_insert(struct sbuf *out, const unsigned char *p, size_t len)
{
	while (len) {
		size_t n = len < INSERT_MAX ? len : INSERT_MAX;
		sbuf_addc(out, (char)n);
		sbuf_add(out, p, n);
		p += n;
		len -= n;
	}
}

void
pack_delta(const unsigned char *base, size_t blen, const unsigned char *obj,
    size_t olen, struct sbuf *out)
{
	size_t min = blen < olen ? blen : olen, pre = 0, suf = 0;

	while (pre < min && base[pre] == obj[pre])
		pre++;
	while (suf < min - pre && base[blen - 1 - suf] == obj[olen - 1 - suf])
		suf++;
	add_size(out, blen);
	add_size(out, olen);
	add_copy(out, 0, pre);
	add_insert(out, obj + pre, olen - pre - suf);
	add_copy(out, blen - suf, suf);
}
