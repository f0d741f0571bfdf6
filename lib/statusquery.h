/*
 * statusquery.h: "what about my requests?" by mail. A new ticket whose
 * mail asks for the status (its subject is one of the keywords, or it
 * went to the status address) is answered with the sender's own open
 * tickets, and resolved. rt.yaml ingest.on-arrival.status-query turns
 * it on; see rt-ingest(1), Status queries.
 *
 * The answer goes only to the From address, and only when the envelope
 * sender (when known) is that same address, so a forged From reaches
 * the forged address's owner with their own list and nobody else; with
 * verified-header or authserv-id set, only proven senders are answered.
 * Automatic mail (Auto-Submitted, Precedence bulk/list/junk, list
 * headers, <> and robot senders) is never a query. One answer per
 * address per interval: the answered query tickets are the record, so
 * the limit holds across processes and clones.
 */
#ifndef RT_STATUSQUERY_H
#define RT_STATUSQUERY_H

struct desk;

/*
 * Runs for new ticket id in arrival processing (arrival.h), before
 * routing. *handled is 1 when the ticket was a status query, answered
 * or held back by the rate limit: it is then resolved and needs no
 * routing or acknowledgement. 0 (also when it is no query, or one that
 * is not answered: then it stays an ordinary ticket); a sysexits code
 * with rt_errmsg() when the answer could not be sent or recorded (the
 * ticket stays pending; rt-route --pending tries again).
 */
int statusquery_run(struct desk *d, const char *id, int *handled);

/*
 * 1 when mail m, opening a ticket, is a status query that
 * statusquery_run will answer or hold back (rt.yaml and the mail alone
 * decide); ingest marks its mail-in so agents get no "new ticket".
 */
struct mail;
int statusquery_asks(struct desk *d, struct mail *m);

#endif
