/*
 * charset.h: converting text from a declared charset to UTF-8 and
 * decoding RFC 2047 encoded words, with iconv(3) directly.
 *
 * Not through libmailutils' ICONV filter: in mailutils 3.15 it writes one
 * byte past its 2048-byte buffer on some input (found by fuzz/mail;
 * tests/fixtures/fuzz/mail/iconv-filter-heap-overflow), and it is reached
 * from any part that declares a charset.
 */
#ifndef RT_CHARSET_H
#define RT_CHARSET_H

#include <stddef.h>

/* Whether iconv knows charset cs. */
int charset_known(const char *cs);
/*
 * Converts len bytes at s from charset cs to UTF-8; bytes that are not
 * valid in cs become U+FFFD. NULL when cs is unknown. *outlen, if not
 * NULL, gets the length (the result is NUL-terminated but may hold NULs).
 */
char *charset_to_utf8(const char *s, size_t len, const char *cs, size_t *outlen);
/*
 * Decodes the RFC 2047 encoded words of a header value; whitespace
 * between adjacent encoded words is dropped. A word in a charset iconv
 * does not know gives its bytes where they are UTF-8 and U+FFFD where
 * not, control characters as spaces; a word with an unknown encoding is
 * kept as it is. Returns a malloc'd string.
 */
char *rfc2047_decode(const char *s);
/*
 * The same, where the text outside encoded words, when it is not valid
 * UTF-8, is taken as charset cs8 (raw 8-bit bytes inside a word are in
 * the word's charset).
 */
char *rfc2047_decode_8bit(const char *s, const char *cs8);
/*
 * s with each run of 8-bit bytes outside an encoded word made an encoded
 * word of charset cs, and raw 8-bit bytes inside one =XX there, for
 * parsers that take ASCII only (mailutils' address parser); decoding the
 * result gives s again, the blanks between two runs included.
 */
char *rfc2047_escape_8bit(const char *s, const char *cs);

#endif
