/*
 * fuzz_event: the event path. The first byte picks the source hint (none
 * or one of event_sources[]), the rest is the payload, mapped as
 * rt-ingest --event maps it under the default limits. Checks what the
 * store relies on: every string clean one-line UTF-8, the subject short.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "event.h"
#include "text.h"
#include "util.h"

static void
event_check(const char *s, size_t max)
{
	if (s == NULL)
		return;
	if (!utf8_valid(s, strlen(s)) || strchr(s, '\n') || strchr(s, '\r') ||
	    (max && strlen(s) > 4 * max))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct event_list l;
	const char *hint = NULL;
	size_t nsrc = 0;

	if (!init) {
		git_libgit2_init();
		init = 1;
	}
	if (size == 0)
		return 0;
	while (event_sources[nsrc])
		nsrc++;
	if (data[0] < nsrc)
		hint = event_sources[data[0]];
	if (event_parse((const char *)data + 1, size - 1, hint, &l) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			const struct event *e = &l.v[i];
			if (e->key == NULL || e->thread == NULL || e->subject == NULL ||
			    e->from == NULL || e->source == NULL || e->channel == NULL)
				abort();
			event_check(e->key, 0);
			event_check(e->thread, 0);
			event_check(e->ref, 0);
			event_check(e->from, 0);
			event_check(e->subject, EVENT_SUBJECT_MAX);
			event_check(e->severity, 0);
			if (l.n > 1 && e->text == NULL)
				abort();
		}
		event_list_free(&l);
	}
	return 0;
}
