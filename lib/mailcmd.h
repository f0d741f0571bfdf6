/*
 * mailcmd.h: agents working tickets by mail. An agent's mail to the desk
 * may start with command lines, up to the first blank line:
 *
 *   Status: resolved
 *   Owner: anna
 *   Priority: high
 *   Queue: network
 *   Tags: +vpn -new
 *   Secret: s3cret
 *
 * They are applied only when the sender's address belongs to an agent
 * of rt.yaml "agents:", and, when "mail-commands.secret" is set, the
 * body holds "Secret: <value>" among the commands or the mail carries
 * the header named by "mail-commands.header" with that value.
 */
#ifndef RT_MAILCMD_H
#define RT_MAILCMD_H

struct desk;
struct change;
struct mail;

/*
 * Called by ingest on a follow-up after the mail-in event was added,
 * before the customer-reply reopen (which ingest skips for an agent's
 * mail: it is not a customer's answer). For a mail from an agent: marks
 * the mail-in event "agent: true", applies the command lines through the
 * same checks as rt-set (fields, values; a status through status_change,
 * so with its set: and exec: actions and its cascade) and records in the event
 * "commands" (the lines applied), "commands-failed" (lines refused, with
 * why) or "commands-refused" (secret missing). Mail from anyone else is
 * left alone. Returns 1 for an agent's mail, else 0; never fails the ingest.
 */
int mailcmd_hook(struct desk *d, struct change *c, struct mail *m);

/*
 * Parses the command block at the top of text: the lines before the
 * first blank line, each "Key: value" with a known key. Returns the
 * number of lines parsed into keys/vals (malloc'd arrays of malloc'd
 * strings; key lower case), 0 if the text does not start with commands.
 */
int mailcmd_parse(const char *text, char ***keys, char ***vals);

#endif
