/*
 * fuzz_mail: one message parsed as rt-ingest parses it (lib/mail.c over
 * libmailutils), without a desk, and the header fields it reads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "text.h"
#include "util.h"

static void
mail_check(const char *s)
{
	if (s && !utf8_valid(s, strlen(s)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"Subject", "From", "Auto-Submitted", "Content-Language", "X-RT-Secret", NULL
	};
	struct mail *m;

	if (mail_parse_buf((const char *)data, size, &m) != 0)
		return 0;
	mail_check(m->subject);
	mail_check(m->text);
	mail_check(m->from.name);
	for (size_t i = 0; i < m->nto; i++)
		mail_check(m->to[i].name);
	for (size_t i = 0; names[i]; i++) {
		char *h = mail_header(m, names[i]);
		mail_check(h);
		free(h);
		free(mail_header_raw(m, names[i]));
	}
	mail_free(m);
	return 0;
}
