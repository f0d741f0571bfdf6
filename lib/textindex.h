/*
 * textindex.h: an inverted index of the words of every ticket (subject,
 * mails in and out, comments, event texts) in the ticket cache, so a text
 * search reads a few index pages instead of every mail.
 *
 * Two LMDB tables: "words" maps a folded word to the ids of the tickets
 * holding it (sorted duplicates), "wordsof" maps a ticket id to its words
 * so that re-indexing a ticket first takes its old words out. The cache's
 * catch-up (cache.c) calls textindex_put for each ticket it re-reads and
 * textindex_drop for each ticket gone; rt-grep searches through
 * cache_text_search.
 *
 * Words are runs of letters and digits, lower-cased and folded to ASCII
 * where a letter has an ASCII spelling (text.h: "Grüße" -> "gruesse"),
 * 2 to 40 bytes long.
 */
#ifndef RT_TEXTINDEX_H
#define RT_TEXTINDEX_H

#include <lmdb.h>
#include <git2.h>

#include "kv.h"
#include "ticket.h"

struct desk;
struct mail;

struct textindex_batch;

/*
 * The tables come twice, as two levels. A posting put into a table of a
 * 100,000 tickets lands at a random place among its word's ids, and a
 * ticket's records at random places among all tickets': a batch of 500
 * new tickets wrote nearly every leaf page of the index. So any indexing
 * but a whole-desk build goes to the recent level ("recent-words", ...),
 * small and cheap to write; reads take a ticket's records from the
 * recent level before the main one and the postings of both. Folding
 * (textindex_fold) moves the recent level into the main one in key order,
 * each main page written once for all the tickets that land on it.
 */
struct textlevel {
	MDB_dbi words, wordsof, first, done;
};

struct textindex {
	struct textlevel main, recent;
	struct textindex_batch *batch;	/* a whole-desk build: postings written at its end */
};

/*
 * A build of the whole index into emptied tables sets ti->batch to a new
 * batch: textindex_put then keeps each ticket's postings ("words") in
 * memory, and textindex_batch_write writes them all in order at the end.
 */
struct textindex_batch *textindex_batch_new(void);
int textindex_batch_write(MDB_txn *txn, const struct textindex *ti, struct textindex_batch *b);
void textindex_batch_free(struct textindex_batch *b);

#define TEXTINDEX_MAXWORD 40

/* Opens the tables; with create MDB_CREATE (in a write transaction) makes them. */
int textindex_open(MDB_txn *txn, struct textindex *ti, unsigned int create);
/* Empties the tables of both levels (a full rebuild). */
int textindex_clear(MDB_txn *txn, const struct textindex *ti);
/*
 * Replaces the words of ticket id by those of its folder dir, ticket t and
 * log. When the log only grew since the last call and the subject is the
 * same ("done" table: events indexed, a hash of them, the subject), only
 * the new events are read: a follow-up does not parse every earlier mail.
 */
int textindex_put(struct desk *d, MDB_txn *txn, const struct textindex *ti, const char *id,
    git_tree *dir, const struct kvmap *t, const struct evlog *log);
/*
 * Whether the words textindex_put would index for ticket t (folder dir,
 * log) hold, for each of the nq query words (textindex_words of a query),
 * one that begins with it: a search without the index.
 */
int textindex_match(struct desk *d, git_tree *dir, const struct kvmap *t, const struct evlog *log,
    char **query, size_t nq);
/*
 * Remembers what the index reads of mail m, stored as the blob of that
 * id, until textindex_put reads it (instead of the blob) or
 * textindex_forget; bounded (2 MB, mails of 64 KB of text at most),
 * beyond it nothing is remembered.
 */
void textindex_remember(const git_oid *blob, struct mail *m);
void textindex_forget(void);
/* Takes ticket id out of the index (both levels). */
int textindex_drop(MDB_txn *txn, const struct textindex *ti, const char *id);
/*
 * Folds the recent level into the main one: with all, all of it (rt-gc);
 * else only once it holds more tickets than its bound, the larger of
 * 2,048 and a 32nd of the main level's, and then only the tickets of
 * lowest ids, down to seven eighths of the bound (a writer: a desk
 * without rt-gc stays bounded; a slice of ids lands on a slice of the
 * main level's pages, so a writer's fold stays small, and its cost,
 * spread over the tickets it moves, does not grow with the desk).
 */
int textindex_fold(MDB_txn *txn, const struct textindex *ti, int all);

/*
 * The mail that opened a ticket (the oldest .eml in msg/), as rt-route reads
 * it, kept by textindex_put, which parses every mail anyway, so routing
 * never parses it again: "file" (msg/NAME.eml), "text" (the decoded
 * plain-text body), "rcpt" (To, Cc, Delivered-To and X-Original-To
 * addresses, one a line), "attachment" (the first attachment's name or
 * type; absent: none), "oldest" (msg/NAME.eml, the oldest .eml of msg/
 * whatever wrote it: when it is not "file", that file is no mail the
 * index could read, and the reader parses it). A body longer than
 * TEXTINDEX_FIRST_MAX is not kept (no record): the reader parses the
 * mail. Returns 0, MDB_NOTFOUND, or an MDB error code.
 */
#define TEXTINDEX_FIRST_MAX 65536
int textindex_first(MDB_txn *txn, const struct textindex *ti, const char *id,
    struct kvmap *out);

/*
 * The folded words of text, each once, into a malloc'd vector (freed
 * with strv_free); returns their number.
 */
size_t textindex_words(const char *text, char ***out);

/*
 * Calls fn with the id of every ticket holding, for each word of query, a
 * word that begins with it (so "print" finds "printer"), in id order,
 * until fn returns non-zero. Returns 0 or an MDB error code.
 */
typedef int (*textindex_fn)(const char *id, void *arg);
int textindex_search(MDB_txn *txn, const struct textindex *ti, const char *query,
    textindex_fn fn, void *arg);

#endif
