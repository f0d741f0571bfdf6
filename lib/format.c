/* format.c: the desk format (.rt/format) */
#include <stdlib.h>

#include "desk.h"
#include "format.h"
#include "head.h"
#include "id.h"
#include "upgrade.h"
#include "util.h"

int
format_load(struct desk *d)
{
	char *buf;
	size_t len;
	int f = 1;
	git_commit *head = NULL;
	git_tree *tree = NULL;

	/* HEAD read once (its ref files are read again at each lookup) */
	if (desk_head(d, &head) == 0 && head == NULL)
		f = DESK_FORMAT;	/* unborn: rt-init's first commit writes it */
	else if (head && git_commit_tree(&tree, head) == 0 &&
	    tree_read(d->repo, tree, FORMAT_FILE, &buf, &len) == 0) {
		f = atoi(buf);
		free(buf);
		if (f < 1)
			f = 1;
	}
	git_tree_free(tree);
	git_commit_free(head);
	id_set_format(f);
	return f;
}

int
format_locked(struct desk *d)
{
	int upgraded;

	if (format_load(d) >= DESK_FORMAT)
		return 0;
	/* the first write upgrades; if it cannot, the desk stays as it is */
	if (upgrade_desk(d, &upgraded) != 0) {
		format_load(d);
		return -1;
	}
	return 0;
}
