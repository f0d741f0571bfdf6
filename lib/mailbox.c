/* mailbox.c: "Name <addr>" strings as rt keeps them in lists and headers. */
#include <ctype.h>
#include <string.h>

#include "mailbox.h"
#include "util.h"

char *
mailbox_addr(const char *s)
{
	const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *b = lt && gt ? lt + 1 : s, *e = lt && gt ? gt : s + strlen(s);

	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	return xstrndup(b, (size_t)(e - b));
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
