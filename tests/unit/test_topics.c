/* test_topics.c: subject keywords and phrases */
#include <stdlib.h>

#include "tap.h"
#include "topics.h"
#include "util.h"

static char *
joined(const char *s)
{
	char **w;
	size_t n = topics_words(s, &w);
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addc(&sb, '|');
		sbuf_adds(&sb, w[i]);
	}
	strv_free(w, n);
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

int
main(void)
{
	char *s;

	s = joined("Re: [Test #K7M2Q9XD] VPN-Zugang GESPERRT, Größe ÜBER 5 GB!");
	is_str(s, "re|vpn|zugang|gesperrt|größe|über|5|gb", "words folded, umlauts kept, tag dropped");
	free(s);
	s = joined("Can’t log in — don't know why");
	is_str(s, "can't|log|in|don't|know|why", "apostrophes kept inside words, dashes split");
	free(s);
	ok(topics_is_stopword("für") && topics_is_stopword("the") && topics_is_stopword("aw"),
	    "German, English and reply stop words");
	ok(topics_is_stopword("e-mail") && topics_is_stopword("daß") && topics_is_stopword("frage") &&
	    topics_is_stopword("re") && !topics_is_stopword("vpn") && !topics_is_stopword("") &&
	    !topics_is_stopword("th"), "stop-word set: first, last and missing words");

	struct topics *t = topics_new();
	topics_add(t, "VPN Zugang gesperrt");
	topics_add(t, "AW: VPN zugang gesperrt vpn");
	topics_add(t, "Password reset for the VPN");
	topics_add(t, "password reset");
	topics_add(t, "Drucker über WLAN");
	struct topic *top;
	size_t n = topics_top(t, 1, 3, &top);
	ok(n == 3, "three keywords");
	is_str(top[0].term, "vpn", "most frequent keyword");
	ok(top[0].count == 3, "counted once per subject");
	is_str(top[1].term, "gesperrt", "ties in byte order");
	ok(top[1].count == 2, "second count");
	free(top);
	n = topics_top(t, 2, 10, &top);
	ok(n == 4, "four phrases");
	is_str(top[0].term, "password reset", "top phrase (ties by byte order)");
	ok(top[0].count == 2, "phrase count");
	is_str(top[1].term, "vpn zugang", "second phrase");
	is_str(top[2].term, "zugang gesperrt", "third phrase");
	is_str(top[3].term, "gesperrt vpn", "once-seen phrase last");
	int found = 0;
	for (size_t i = 0; i < n; i++)
		found |= strcmp(top[i].term, "reset vpn") == 0;
	ok(!found, "stop words break phrases: no 'reset vpn'");
	free(top);
	topics_free(t);
	return tap_done();
}
