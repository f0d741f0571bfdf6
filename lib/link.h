/*
 * link.h: changes that touch several tickets in ONE commit (through
 * change_commit_all): parent, child and refers links (rt-link) and
 * merging a duplicate (rt-merge).
 */
#ifndef RT_LINK_H
#define RT_LINK_H

#include <stddef.h>

struct desk;
struct change;

enum link_rel { LINK_PARENT, LINK_CHILD, LINK_REFERS };

/*
 * Links id to other: LINK_PARENT makes other the parent of id,
 * LINK_CHILD makes other a child of id, LINK_REFERS links both ways.
 * With remove, undoes the link. Both tickets (and a former parent) are
 * changed in one commit, with "link" or "unlink" events {rel, ticket}.
 * *changed is set when anything was committed. Takes the desk lock.
 */
int link_tickets(struct desk *d, const char *id, enum link_rel rel, const char *other,
    int remove, int *changed);

/*
 * Merges ticket dup into into in one commit: dup's stored messages and
 * notes are copied to into's msg/ under the same names, their events
 * appended to into's log (with merged-from), requestors, cc and watchers
 * joined; dup's parent, children and refers move to into (each ticket
 * concerned in the same commit); into gets merged += dup; dup gets
 * merged-into, status merged.
 * Takes the desk lock.
 */
int merge_tickets(struct desk *d, const char *dup, const char *into);

/*
 * A ticket merged into another may still get follow-ups: a clone that
 * had not seen the merge stored them in dup. Copies what dup holds and
 * its survivor does not (files and events, as merge_tickets does) to the
 * survivor in one commit; *moved is the number of events copied.
 * Nothing to do (dup not merged, nothing new) is 0 with *moved 0.
 * Takes the desk lock.
 */
int merge_follow_ups(struct desk *d, const char *dup, size_t *moved);

#endif
