/* upgrade.h: converting a format-1 desk to format 2 in one commit */
#ifndef RT_UPGRADE_H
#define RT_UPGRADE_H

struct desk;

/*
 * Under the desk lock: when HEAD is a format-1 desk, commits its
 * conversion (rt-desk(5), FORMAT): ticket folders move to
 * tickets/K/7/M/ID; every event gets an id (a hash of ticket and line)
 * and a clock (its at plus its line number) unless it has them; a final
 * snapshot event holds ticket.yaml's fields, so the replay equals the
 * old state; ticket.yaml leaves the tree; .rt/format, .gitignore and
 * .gitattributes are written. The same commit gives the same tree in
 * every clone. The work tree and the index follow. *upgraded is 1 when
 * it committed. Returns 0 or a sysexits code (nothing changed).
 */
int upgrade_desk(struct desk *d, int *upgraded);

#endif
