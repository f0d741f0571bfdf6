/* test_bm25.c: word folding, stop words, stemming, ranking; ratings; kb */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm25.h"
#include "kb.h"
#include "rating.h"
#include "util.h"
#include "tap.h"

static char *
words(const char *text)
{
	char **w;
	size_t n = bm25_words(text, &w);
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addc(&sb, ' ');
		sbuf_adds(&sb, w[i]);
	}
	strv_free(w, n);
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

#define WORDS(in, want, name) do { char *g = words(in); is_str(g, want, name); free(g); } while (0)

int
main(void)
{
	WORDS("Hello, the PRINTER is broken!", "printer brok", "lower case, stop words");
	WORDS("Rückgabe Größe Straße ÄÖÜ", "rueckgab groess strass aeoeu", "umlauts and sharp s");
	WORDS("Rueckgabe", "rueckgab", "spelled-out umlauts meet folded ones");
	WORDS("café naïve Ñandú", "cafe naiv nandu", "accents dropped, then stemmed");
	WORDS("warranties warranty", "warranty warranty", "english plural");
	WORDS("Lieferungen Lieferung Pakete Paket Garantie Garantien",
	    "lieferung lieferung paket paket garanti garanti", "german plurals");
	WORDS("Ich habe eine Frage zur Rechnung", "frag rechnung", "german stop words");
	WORDS("x a 42 ✓ emoji 😀 end", "42 emoji end", "symbols separate, short words dropped");
	WORDS("москва", "москва", "other scripts kept as words (not case-folded)");
	WORDS("", "", "empty text");
	char *t = bm25_term("Größen");
	is_str(t, "groess", "one term");
	free(t);
	ok(bm25_term("und") == NULL, "stop word term");

	struct bm25 *b = bm25_new();
	bm25_add(b, "warranty warranty guarantee repair broken device defect");
	bm25_add(b, "delivery shipping parcel tracking where is my order");
	bm25_add(b, "password reset login account");
	bm25_add(b, "Garantie Gewährleistung Reparatur defekt Gerät");
	double sc[4];
	bm25_score(b, "My device is broken, is it under warranty?", sc);
	ok(sc[0] > 0 && sc[1] == 0 && sc[2] == 0 && sc[3] == 0, "warranty query hits only doc 0");
	bm25_score(b, "Mein Gerät ist defekt, gilt die Gewährleistung?", sc);
	ok(sc[3] > sc[0] && sc[3] > 0, "german query hits german doc");
	bm25_score(b, "Where is my parcel? Tracking shows nothing", sc);
	ok(sc[1] > 0 && sc[0] == 0, "delivery query");
	bm25_score(b, "the and of", sc);
	ok(sc[0] == 0 && sc[1] == 0 && sc[2] == 0 && sc[3] == 0, "stop-word query scores 0");
	bm25_score(b, "warranty", sc);
	double one = sc[0];
	bm25_score(b, "warranty warranty warranty", sc);
	ok(sc[0] == one, "repeated query words count once");
	ok(bm25_count(b) == 4, "count");
	bm25_free(b);

	/* ratings */
	ok(rating_detect("Re: [Test #ABC] survey", "Rating: 4\n\nthanks") == 4, "Rating: 4");
	ok(rating_detect("Re: survey", "Bewertung: 2") == 2, "Bewertung: 2");
	ok(rating_detect("Re: survey 5/5", "") == 5, "5/5 in subject");
	ok(rating_detect("Re: x", "I'd say 3 out of 5.") == 3, "3 out of 5");
	ok(rating_detect("Re: x", "Ich gebe 4 von 5 Sternen") == 4, "4 von 5");
	ok(rating_detect("Re: x", "★★★★☆") == 4, "stars");
	ok(rating_detect("Re: x", "5\n") == 5, "digit alone");
	ok(rating_detect("Re: x", "  4!\n") == 4, "digit with punctuation");
	ok(rating_detect("Re: x", "\n\n> Rating: 1-5\n> reply with 3") == 0, "quoted text ignored");
	ok(rating_detect("Re: x", "Thanks a lot\n\nOn Mon, Agent wrote:\nRating: 5") == 0,
	    "stops at attribution");
	ok(rating_detect("Re: x", "Rating: 7") == 0, "out of range");
	ok(rating_detect("Re: x", "I have 15 devices and 2.5 problems") == 0, "plain numbers ignored");
	ok(rating_detect("Re: x", "Order 12/5/2024 arrived") == 0, "dates are not ratings");
	ok(rating_detect("Re: x", "a\nb\nc\nd\ne\nRating: 4") == 0, "only the first five lines");
	ok(rating_detect("Re: x", NULL) == 0, "no body");

	/* kb */
	struct kb_article a;
	const char *md = "---\ntitle: Reset your password\nkeywords: [password, login]\n"
	    "language: en\n---\nOpen the login page.\n";
	ok(kb_parse(md, strlen(md), "kb/pw.md", "pw", &a) == 0, "parses article");
	is_str(a.title, "Reset your password", "title");
	is_str(a.keywords, "password, login", "keywords list");
	is_str(a.lang, "en", "language");
	is_str(a.body, "Open the login page.\n", "body");
	kb_free(&a);
	md = "# Heading title\ntext";
	ok(kb_parse(md, strlen(md), "kb/h.md", "h", &a) == 0, "no front matter");
	is_str(a.title, "Heading title", "title from heading");
	kb_free(&a);
	md = "---\ntitle: [unclosed\n---\nbody";
	ok(kb_parse(md, strlen(md), "kb/bad.md", "bad", &a) == EX_DATAERR, "bad front matter");
	ok(strncmp(rt_errmsg(), "kb/bad.md:3:", 12) == 0, "error names file and line");
	printf("# %s\n", rt_errmsg());
	md = "---\ntitle: x\n";
	ok(kb_parse(md, strlen(md), "kb/open.md", "open", &a) == EX_DATAERR, "unclosed front matter");
	return tap_done();
}
