/* test_lang.c: the language of a customer's text (lib/lang.c) */
#include <string.h>

#include "lang.h"
#include "tap.h"

int
main(void)
{
	struct lang_guess g;

	is_str(lang_detect("Drucker druckt nicht", "Hallo,\nder Drucker im 2. Stock "
	    "druckt seit gestern nicht mehr. Können Sie bitte helfen?\n"
	    "Mit freundlichen Grüßen\nJürgen\n", &g), "de", "German mail");
	ok(g.de >= 5 && g.en == 0, "German stop words counted", g.de, g.en);
	is_str(lang_detect("Printer broken", "Hello, the printer on the second floor "
	    "does not print. Could you please help?\nThanks\n", &g), "en", "English mail");
	ok(g.en >= 5 && g.de == 0, "English stop words counted");
	is_str(lang_detect("VPN", "VPN geht nicht\n", NULL), NULL,
	    "one German word is not enough");
	is_str(lang_detect("", "Server down\nhttps://status.example.com\n", NULL), NULL,
	    "no stop words: unsure");
	is_str(lang_detect(NULL, NULL, NULL), NULL, "nothing: unsure");
	is_str(lang_detect("Re: Ihre Anfrage", "Danke, das ist es nicht.\n\n"
	    "> On Monday you wrote:\n> the answer is that it is not the printer and the"
	    " cable is for the other one\n", NULL), "de",
	    "quoted lines do not count");
	is_str(lang_detect("AUSFALL: Der Server ist nicht erreichbar", NULL, NULL), "de",
	    "upper case folds; the subject counts");
	is_str(lang_detect("Rechnung", "Ich habe die Rechnung nicht bekommen, "
	    "please send it to me again, the invoice is missing and I need it for "
	    "the audit\n", NULL), "en", "more English than German wins");
	is_str(lang_detect("", "Für Sie und für uns über alles\n", NULL), "de",
	    "umlaut words match");
	lang_detect("FÜR Sie, ÜBER uns: DaNKe! MIT FREUNDLICHEN grüßen", "", &g);
	ok(g.de == 7 && g.en == 0, "mixed case, umlauts in and out of ASCII runs");
	lang_detect("", "freundlichenx Freundlichen dankex xdanke danke\xff\xfe und\xc3 "
	    "the\xe2\x80\x94" "and thé théthe\n>the and\n the", &g);
	ok(g.de == 3 && g.en == 3, "longer words, broken UTF-8, quoted lines");
	return tap_done();
}
