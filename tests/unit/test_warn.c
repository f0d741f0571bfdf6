/* test_warn.c: the library's warning channel (rt_warn, rt_warning_take) */
#include <stdlib.h>

#include "tap.h"
#include "util.h"

int
main(void)
{
	char *w;
	int n = 0, order = 1;

	ok(rt_warning_take() == NULL, "nothing pending at start");
	rt_warn("first %d", 1);
	rt_warn("second");
	w = rt_warning_take();
	is_str(w, "first 1", "oldest first");
	free(w);
	w = rt_warning_take();
	is_str(w, "second", "then the next");
	free(w);
	ok(rt_warning_take() == NULL, "taken warnings are gone");
	for (int i = 0; i < 100; i++)
		rt_warn("w%d", i);
	while ((w = rt_warning_take()) != NULL) {
		char want[16];
		snprintf(want, sizeof(want), "w%d", n);
		if (n < 32 && strcmp(w, want) != 0)
			order = 0;
		if (n == 32)
			is_str(w, "68 more warnings", "a flood is bounded and counted");
		n++;
		free(w);
	}
	ok(n == 33 && order, "32 kept in order, then the count of the rest");
	rt_warn("after");
	w = rt_warning_take();
	is_str(w, "after", "the channel works again after a flood");
	free(w);
	return tap_done();
}
