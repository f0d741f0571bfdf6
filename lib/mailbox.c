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

/*
 * Whether name must be a quoted-string to stay one display name: an
 * RFC 5322 phrase is atoms (atext, and UTF-8 as RFC 6532 allows) with
 * single spaces between them; a special such as ',' or '.' or '"', a
 * control character or spaces at either end or in a row need quotes.
 */
static int
needs_quotes(const char *name)
{
	static const char atext_punct[] = "!#$%&'*+-/=?^_`{|}~";
	const unsigned char *p = (const unsigned char *)name;

	if (*p == ' ')
		return 1;
	for (; *p; p++) {
		if (*p >= 0x80 || isalnum(*p) || strchr(atext_punct, *p))
			continue;
		if (*p == ' ' && p[1] != ' ' && p[1] != '\0')
			continue;
		return 1;
	}
	return 0;
}

static char *
format(const char *name, const char *addr, int always)
{
	struct sbuf sb = SBUF_INIT;
	int q;

	if (name == NULL || *name == '\0')
		return xstrdup(addr);
	q = always || needs_quotes(name);
	if (q)
		sbuf_addc(&sb, '"');
	for (const char *p = name; *p; p++) {
		if (q && (*p == '"' || *p == '\\'))
			sbuf_addc(&sb, '\\');
		if (*p != '\r' && *p != '\n')
			sbuf_addc(&sb, *p);
	}
	sbuf_addf(&sb, "%s <%s>", q ? "\"" : "", addr);
	return sbuf_detach(&sb);
}

char *
mailbox_format(const char *name, const char *addr)
{
	return format(name, addr, 1);
}

char *
mailbox_display(const char *name, const char *addr)
{
	return format(name, addr, 0);
}
