/* test_charset.c: charset conversion and RFC 2047 words with iconv(3) */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "tap.h"

static void
word(const char *in, const char *want, const char *name)
{
	char *got = rfc2047_decode(in);

	is_str(got, want, name);
	free(got);
}

static void
conv(const char *in, size_t len, const char *cs, const char *want, const char *name)
{
	size_t n;
	char *got = charset_to_utf8(in, len, cs, &n);

	is_str(got, want, name);
	free(got);
}

int
main(void)
{
	word("=?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße", "Q word in Latin-1");
	word("=?UTF-8?B?R3LDvMOfZQ==?=", "Grüße", "B word in UTF-8");
	word("=?utf-8?q?a_b?=", "a b", "Q underscore is a space");
	word("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab", "space between two words dropped");
	word("x =?UTF-8?Q?a?= y", "x a y", "spaces beside text kept");
	word("=?x-nonsense?Q?a?= b", "a b", "unknown charset: its bytes");
	word("=?NONE?B?R3LDvMOfZQ==?=", "Grüße", "unknown charset, UTF-8 bytes kept");
	word("=?NONE?Q?a=FFb=1B=00c?=", "a\xef\xbf\xbd" "b  c", "unknown charset, other bytes U+FFFD, controls spaces");
	word("=?UTF-8?X?a?=", "=?UTF-8?X?a?=", "unknown encoding kept raw");
	word("=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=", "space inside a word: not a word");
	word("=?UTF-8*de?Q?Hallo?=", "Hallo", "RFC 2231 language dropped");
	word("=?UTF-8?Q?=E", "=?UTF-8?Q?=E", "unterminated word kept");
	word("=?UTF-8?Q?=ZZ?=", "=ZZ", "bad hex kept literally");
	conv("\xe4", 1, "ISO-8859-1", "ä", "Latin-1 to UTF-8");
	conv("a\xff" "b", 3, "UTF-8", "a\xef\xbf\xbd" "b", "an invalid byte becomes U+FFFD");
	conv("\x80", 1, "windows-1252", "€", "windows-1252 euro");
	ok(charset_to_utf8("a", 1, "x-nonsense", NULL) == NULL, "unknown charset gives NULL");
	ok(charset_known("ISO-8859-15") && !charset_known(""), "charset_known");
	return tap_done();
}
