/* done.c: whether a status counts as done (see done.h) */
#include <string.h>

#include "done.h"

int
status_is_done(const char *s)
{
	return s && (strcmp(s, "resolved") == 0 || strcmp(s, "closed") == 0 ||
	    strcmp(s, "merged") == 0);
}
