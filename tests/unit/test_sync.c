/* Unit tests for rt-sync's library parts: which ticket a desk path belongs to. */
#include <string.h>

#include "id.h"
#include "sync.h"
#include "tap.h"

static const char *
owner(const char *path)
{
	static char id[ID_LEN + 1];

	return ticket_of_path(path, id) == 0 ? id : NULL;
}

int
main(void)
{
	id_set_format(2);
	is_str(owner("tickets/K/7/M/K7M2Q9XD/log.yaml"), "K7M2Q9XD", "format 2: log.yaml");
	is_str(owner("tickets/K/7/M/K7M2Q9XD/msg/20261125T100000Z-3f2a9c1b7d.eml"), "K7M2Q9XD",
	    "format 2: a stored mail");
	is_str(owner("tickets/K/7/M/K7M2Q9XD"), "K7M2Q9XD", "format 2: the folder");
	ok(owner("tickets/K7/M2/K7M2Q9XD/log.yaml") == NULL, "format 2: a format-1 path is no ticket");
	ok(owner("tickets/K/7/X/K7M2Q9XD/log.yaml") == NULL, "a folder that is not the id's");
	ok(owner("rt.yaml") == NULL && owner(".rt/format") == NULL, "desk files");
	ok(owner("tickets/K/7/M/k7m2q9xd/log.yaml") == NULL, "only the id's own spelling");
	ok(owner("tickets/K/7/M/K7M2Q9XDX/log.yaml") == NULL, "a longer name");
	id_set_format(1);
	is_str(owner("tickets/K7/M2/K7M2Q9XD/ticket.yaml"), "K7M2Q9XD", "format 1");
	return tap_done();
}
