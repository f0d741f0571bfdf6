/* mailbox.h: "Name <addr>" strings as rt keeps them in lists and headers. */
#ifndef RT_MAILBOX_H
#define RT_MAILBOX_H

/* The address of "Name <a@b>" or of a bare "a@b", spaces around it dropped; malloc'd. */
char *mailbox_addr(const char *s);
/* "Name" <addr> with the name quoted (CR/LF dropped), or addr; malloc'd. */
char *mailbox_format(const char *name, const char *addr);
/*
 * The same for people to read (rt-show): the name quoted only when
 * RFC 5322 needs it ("Doe, John" <j@x>, John Doe <j@x>), so that what
 * is shown is still one address; malloc'd.
 */
char *mailbox_display(const char *name, const char *addr);

#endif
