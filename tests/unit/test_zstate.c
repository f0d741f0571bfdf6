/* test_zstate.c: zlib streams started by libgit2 and rt reuse their state */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <git2.h>

#include "tap.h"
#include "zstate.h"

/* deflates in, returns the compressed length in out */
static size_t
squeeze(const char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit(&z, Z_DEFAULT_COMPRESSION) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

int
main(void)
{
	static char text[200000];
	static unsigned char a[300000], b[300000], back[200000];
	char dir[] = "/tmp/rt-zstate-XXXXXX";
	size_t na, nb, kept;
	uLongf nback = sizeof(back);
	git_repository *repo;
	git_oid id;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "the printer on floor 3 shows an error\n"[i % 38] ^ (char)(i / 5000);
	ok(zstate_kept() == 0, "nothing kept before a stream ends");
	na = squeeze(text, sizeof(text), a, sizeof(a));
	kept = zstate_kept();
	ok(na > 0 && kept >= 4, "a deflate stream's tables are kept when it ends");
	nb = squeeze(text, sizeof(text), b, sizeof(b));
	ok(zstate_kept() == kept, "the next stream takes them and gives them back");
	ok(na == nb && memcmp(a, b, na) == 0, "a stream on kept tables deflates byte for byte the same");
	ok(uncompress(back, &nback, a, na) == Z_OK && nback == sizeof(text) &&
	    memcmp(back, text, sizeof(text)) == 0, "and inflates back to the text");

	/* libgit2 (linked statically) reaches the wrap too: a loose object */
	git_libgit2_init();
	if (!mkdtemp(dir) || git_repository_init(&repo, dir, 1) < 0) {
		ok(0, "a scratch repository");
		return tap_done();
	}
	ok(git_blob_create_from_buffer(&id, repo, text, sizeof(text)) == 0, "libgit2 writes a blob");
	ok(zstate_kept() > kept, "its zlib stream went through the wrap too (a block more kept)");
	git_repository_free(repo);
	git_libgit2_shutdown();
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			ok(0, "scratch repository removed");
	}
	return tap_done();
}
