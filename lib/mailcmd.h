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
 * They are applied only when "mail-commands.enabled" is true in rt.yaml,
 * the sender's address belongs to an agent of "agents:", and the mail
 * passes one configured check: the secret (a "Secret:" line among the
 * commands or the header named by "mail-commands.header"), the header
 * "mail-commands.verified-header" set by the MTA after SMTP AUTH, or an
 * Authentication-Results field of "mail-commands.authserv-id" with
 * dmarc=pass or dkim=pass for the From domain. Otherwise the commands
 * are refused and recorded as such, not as the agent's.
 */
#ifndef RT_MAILCMD_H
#define RT_MAILCMD_H

struct desk;
struct change;
struct mail;

/*
 * Called by ingest on a follow-up after the mail-in event was added,
 * before the customer-reply reopen (which ingest skips when this returns
 * 1: an agent's mail is not a customer's answer). For a mail from an
 * agent: marks the mail-in event "agent: true" and names in "to" the
 * ticket's requestors and Cc it was also sent to (an answer from the
 * agent's own mail client, the desk in Cc), applies the command
 * lines through the same checks as rt-set (fields, values; a status
 * through status_change, so with its set: and exec: actions and its
 * cascade), makes the agent the commit's author and records in the
 * event "commands" (the lines applied) or "commands-failed" (lines
 * refused, with why). Unproven commands are recorded as
 * "commands-refused" (why) and the mail stays a customer's (returns 0).
 * Mail from anyone else is left alone (0); never fails the ingest.
 */
int mailcmd_hook(struct desk *d, struct change *c, struct mail *m);

/*
 * Called by ingest after the follow-up was committed: a mail from an
 * agent's address whose commands were refused is answered, with the
 * reason, to that agent's configured address only (never to the From),
 * as an automatic reply with the null envelope sender. Returns 0 or a
 * sysexits code; the stored mail is never affected.
 */
int mailcmd_answer(struct desk *d, const struct change *c, struct mail *m);

/*
 * Whether m's From is proven by the MTA: the header vh (set after SMTP
 * AUTH) names it, or an Authentication-Results field of authserv-id sid
 * has dmarc=pass or dkim=pass for its domain. NULL or "" skips a check.
 */
int mailcmd_sender_verified(struct mail *m, const char *vh, const char *sid);

/*
 * Removes the "Secret:" line from the command block at the top of text
 * (in place) and returns its value (malloc'd), or NULL. mail.c calls it
 * on every parsed text, so nothing shown, quoted or mailed carries it.
 */
char *mailcmd_take_secret(char *text);

/*
 * Parses the command block at the top of text: the lines before the
 * first blank line, each "Key: value" with a known key. Returns the
 * number of lines parsed into keys/vals (malloc'd arrays of malloc'd
 * strings; key lower case), 0 if the text does not start with commands.
 */
int mailcmd_parse(const char *text, char ***keys, char ***vals);

#endif
