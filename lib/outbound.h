/*
 * outbound.h: answers on the channel a request came from. A ticket whose
 * customer last wrote through an event (chat, social, phone: rt-ingest
 * --event) is answered through rt.yaml's channels.CHANNEL.command: the
 * reply is one JSON document on the command's stdin, and the command's
 * exit status says whether it was delivered. The command runs from the
 * committed rt.yaml of an agent only (trust.h). See rt-desk(5), CHANNELS.
 */
#ifndef RT_OUTBOUND_H
#define RT_OUTBOUND_H

#include <stddef.h>

#include "kv.h"

struct desk;
struct evlog;

struct outbound {
	char *channel;		/* the ticket's channel; NULL: answer by mail */
	const char *command;	/* channels.CHANNEL.command as rt.yaml has it */
	char *key;		/* "channels.CHANNEL.command", for the trust check */
	long long timeout;	/* seconds the command may take */
	const struct kvmap *ev;	/* the customer's event answered (in the log) */
	char *posted;		/* the id the command printed for the reply, or NULL */
};

/*
 * How ticket t (its log sorted) is answered: when the customer's last
 * message is an event-in, through its channel's command (ob->channel
 * set); otherwise by mail (ob->channel NULL). 0, or EX_CONFIG when the
 * channel has no command and the ticket no mail address, or when
 * channels.CHANNEL.timeout is not a duration.
 */
int outbound_route(struct desk *d, const struct kvmap *t,
    const struct evlog *log, struct outbound *ob);
void outbound_free(struct outbound *ob);

/* What a reply says, for the document. */
struct outbound_reply {
	const char *id;		/* ticket */
	const char *message_id;	/* rt's id of this reply (the stored record's) */
	const char *subject;
	const char *text;
	const char *author_name;
	const char *author_address;
	const char *queue;
};

/*
 * The JSON document handed to the command (rt-desk(5), CHANNELS), written
 * through jsonout as one line ending in a newline; malloc'd.
 */
int outbound_document(struct desk *d, const struct outbound *ob,
    const struct outbound_reply *r, char **buf, size_t *len);

/*
 * Runs the channel's command (after the trust check) with the document
 * on stdin. 0 when it exits 0; EX_TEMPFAIL when it fails, is killed or
 * runs past its timeout (nothing was sent as far as rt knows);
 * EX_CONFIG when the command is not trusted. When the first line it
 * prints is one word of id characters, that is the id the channel gave
 * the reply (ob->posted, as rt-ingest --event keys it without the
 * source); anything else it prints goes to stderr.
 */
int outbound_send(struct desk *d, struct outbound *ob, const char *id,
    const char *buf, size_t len);

/*
 * Records the channel reply in its mail-out event ev of change c: the
 * channel, source, conversation and recipient, and the document sent,
 * kept byte-exact as a file ("sent"); with ob->posted, a "posted" event
 * whose message-id is SOURCE:ID, so that the channel's echo of the
 * reply is a duplicate and an answer to it threads onto the ticket.
 */
struct change;
void outbound_note(const struct outbound *ob, struct change *c, struct kvmap *ev,
    const char *doc, size_t len);

#endif
