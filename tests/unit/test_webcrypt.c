/* test_webcrypt.c: SHA-256 (FIPS 180-4 examples), HMAC-SHA-256 (RFC 4231), ct_equal */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"
#include "web.h"
#include "webcrypt.h"

static char *
sha_hex(const char *s, size_t n)
{
	static char hex[2 * SHA256_LEN + 1];
	unsigned char d[SHA256_LEN];

	sha256(s, n, d);
	hex_encode(d, sizeof(d), hex);
	return hex;
}

static char *
hmac_hex(const void *key, size_t klen, const char *msg)
{
	static char hex[2 * SHA256_LEN + 1];
	unsigned char d[SHA256_LEN];
	const void *p[] = { msg };
	size_t l[] = { strlen(msg) };

	hmac_sha256(key, klen, p, l, 1, d);
	hex_encode(d, sizeof(d), hex);
	return hex;
}

int
main(void)
{
	unsigned char k20[20], kaa[131];
	char *million = xmalloc(1000000);
	struct sbuf sb = SBUF_INIT;

	is_str(sha_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of nothing");
	is_str(sha_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 of abc");
	is_str(sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "sha256 of two blocks");
	memset(million, 'a', 1000000);
	is_str(sha_hex(million, 1000000),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256 of a million a");
	free(million);

	memset(k20, 0x0b, sizeof(k20));
	is_str(hmac_hex(k20, sizeof(k20), "Hi There"),
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "RFC 4231 case 1");
	is_str(hmac_hex("Jefe", 4, "what do ya want for nothing?"),
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "RFC 4231 case 2");
	memset(kaa, 0xaa, sizeof(kaa));
	is_str(hmac_hex(kaa, sizeof(kaa), "Test Using Larger Than Block-Size Key - Hash Key First"),
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "RFC 4231 case 6: a key longer than a block");

	ok(ct_equal("secret", 6, "secret", 6), "equal secrets");
	ok(!ct_equal("secret", 6, "secreT", 6), "a different last byte");
	ok(!ct_equal("secret", 6, "secret!", 7), "a longer one");
	ok(!ct_equal("secret", 6, "", 0), "an empty one");

	html_escape(&sb, "<a href=\"x\">'&'</a>");
	is_str(sb.buf, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;", "html_escape");
	sbuf_free(&sb);
	return tap_done();
}
