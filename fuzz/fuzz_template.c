/*
 * fuzz_template: a reply template parsed and rendered (lib/template.c)
 * with the variables a reply has.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const vars[][2] = {
		{ "ticket.id", "7K2M9QXA" }, { "ticket.subject", "printer {{on}} fire" },
		{ "ticket.status", "open" }, { "requestor.name", "" },
		{ "requestor.email", "ann@example.org" }, { "agent.name", "Bob" },
		{ "desk.name", "Support" }, { "quote", "> {{ticket.id}}\n> \\{{" },
	};
	struct tvars *v = tvars_new();
	struct tmpl t;
	char *subject = NULL, *body = NULL;

	for (size_t i = 0; i < LEN(vars); i++)
		tvars_set(v, vars[i][0], vars[i][1]);
	if (tmpl_parse((const char *)data, size, "fuzz.tmpl", &t) == 0) {
		if (tmpl_render(&t, v, &subject, &body) == 0 && body == NULL)
			abort();
		free(subject);
		free(body);
		tmpl_free(&t);
	}
	tvars_free(v);
	return 0;
}
