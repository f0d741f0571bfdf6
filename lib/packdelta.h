/* packdelta.h: a git delta of an object against another version of it */
#ifndef RT_PACKDELTA_H
#define RT_PACKDELTA_H

#include <stddef.h>

#include "util.h"

/*
 * Appends to out the git delta (gitformat-pack(5)) that makes obj from
 * base: the common prefix copied, the middle inserted, the common suffix
 * copied. For what rt-gc gives it, a version of a sorted tree with one
 * entry changed or added and a file grown at its end, that is the
 * smallest delta there is, found in one pass without an index of base.
 */
void pack_delta(const unsigned char *base, size_t blen, const unsigned char *obj,
    size_t olen, struct sbuf *out);

#endif
