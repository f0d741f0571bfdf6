/* mailbox.c: "Name <addr>" strings as rt keeps them in lists and headers. */
#include <string.h>

#include "mailbox.h"
#include "util.h"

char *
mailbox_addr(const char *s)
{
	const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt)
		return xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return xstrdup(s);
}

char *
mailbox_format(const char *name, const char *addr)
{
	struct sbuf sb = SBUF_INIT;

	if (name == NULL || *name == '\0')
		return xstrdup(addr);
	sbuf_addc(&sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			sbuf_addc(&sb, '\\');
		if (*p != '\r' && *p != '\n')
			sbuf_addc(&sb, *p);
	}
	sbuf_addf(&sb, "\" <%s>", addr);
	return sbuf_detach(&sb);
}
