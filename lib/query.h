/*
 * query.h: the list/filter engine over the ticket cache: filters, one
 * pass of key lookup per record, sorting and a limit. No global state:
 * everything lives in a struct query the caller owns.
 *
 * A record's values are found once, into "slots" (one per key a filter,
 * a sort key or the caller needs, see query_slot); the engine hands the
 * slots to the caller with the record.
 */
#ifndef RT_QUERY_H
#define RT_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "kv.h"
#include "util.h"

struct desk;
struct sla;

#define QUERY_MAXSLOTS 64

struct qlist {
	char **v;
	size_t n;
};

struct query {
	/* filters; an empty list matches everything */
	struct qlist status, queue, owner, priority, channel, customer;
	struct qlist *tags;	/* every one must match (any item of each) */
	size_t ntags;
	char *requestor;	/* an address, or "@domain" */
	char *text;		/* words in the subject or text (the text index) */
	int open;		/* not done */
	int all;		/* merged tickets too */
	int prio_min;		/* "high+": this rank or above; -1 none */
	char *created_since, *created_until, *updated_since, *updated_until;
	int sla;		/* 0, QUERY_SLA_SOON or QUERY_SLA_BREACHED */
	long due_window;	/* seconds; "due soon" is now .. now + this */
	struct sla *slacfg;	/* loaded when a query with sla runs */
	char now[RT_TIMELEN], soon[RT_TIMELEN];	/* set when a query runs */
	long esc_level;		/* -1 none */
	int esc_min;		/* "2+" */
	struct { char *key, *val; int slot; } *where;
	size_t nwhere;
	struct { char *key; int desc, slot; } *sort;
	size_t nsort;
	long limit;		/* -1 none */
	int whole;		/* sorted results keep whole records (for JSON) */
	uint64_t keep;		/* the slots a listing hands on (bit i: slot i), 0 all; the id,
				   and in sorted results the sort keys, always */

	/* the keys looked up per record; set by query_slot */
	char *slot_key[QUERY_MAXSLOTS];
	size_t slot_len[QUERY_MAXSLOTS];
	unsigned char slot_tab[2 * QUERY_MAXSLOTS];	/* open addressing by slot_hash: slot + 1, 0 empty */
	int nslots;
	int s_id, s_status, s_queue, s_owner, s_prio, s_channel, s_customer, s_tags, s_req,
	    s_created, s_updated, s_sladue, s_due, s_esc;
};

enum { QUERY_SLA_SOON = 1, QUERY_SLA_BREACHED = 2 };

void query_init(struct query *q);
void query_free(struct query *q);

/*
 * Setters for options as users write them; each returns 0 or EX_USAGE
 * with rt_errmsg() set. Lists are comma-separated and add up.
 */
void query_list(struct qlist *l, const char *s);
int query_priority(struct query *q, const char *s);	/* LIST or "high+" */
void query_tag(struct query *q, const char *s);
void query_requestor(struct query *q, const char *s);
int query_owner(struct query *q, struct desk *d, const char *s);	/* none, me */
int query_time(char **out, const char *opt, const char *s);	/* RFC 3339, -N[mhdw] */
int query_sla(struct query *q, const char *s);	/* due-soon|breached */
int query_text(struct query *q, const char *s);	/* words, see cache_text_search */
int query_duration(const char *s, long *out);	/* N[smhdw] */
int query_esc_level(struct query *q, const char *s);	/* N or N+ */
int query_where(struct query *q, const char *s);	/* KEY=VALUE */
int query_sort(struct query *q, const char *s);	/* [-]KEY[,...] */
int query_limit(struct query *q, const char *s);

/*
 * Checks the filter values that rt.yaml names (status, queue, owner,
 * priority, channel) and the sort keys, as rt-set checks values: an
 * unknown one is EX_DATAERR (a sort key EX_USAGE) with rt_errmsg()
 * naming the valid ones. Free-form filters (tags, requestor, customer,
 * where) are not checked. query_stream and query_sorted call it too.
 */
int query_check(const struct query *q, struct desk *d);

/*
 * Is key something a ticket record can hold: a ticket field, a key the
 * cache derives, a custom field of rt.yaml or one a workflow sets? Else
 * EX_USAGE "unknown WHAT 'key' (the keys)". Sort keys and rt-ls --format.
 */
int query_key_check(struct desk *d, const char *key, const char *what);

/* The slot of key, added if new; -1 (EX_USAGE set) past QUERY_MAXSLOTS. */
int query_slot(struct query *q, const char *key);
/* Finds the slots of a record: v[i] is the value of slot i or NULL. */
void query_fill(const struct query *q, const struct rec *r, const char **v);
/* Does the record whose slots are v pass every filter? */
int query_match(const struct query *q, const char **v);

/* Results: matching records, sorted, limited. */
struct query_rows {
	size_t n;
	size_t *order;		/* row numbers in output order */
	const char **recp;	/* with whole: per row its record (in the cache's map) */
	size_t *reclen;
	/*
	 * Per row its values: with ncols 0 nslots of them, value i that of
	 * slot i; else ncols, slot i's at col[i] (-1: not kept), value c
	 * that of slot kept[c].
	 */
	const char **slots;
	int nslots, ncols;
	int col[QUERY_MAXSLOTS], kept[QUERY_MAXSLOTS];
	const char **wide;	/* query_row_slots' answer when ncols is not 0 */
	char **block;		/* copied values, in blocks that stay where they are */
	size_t nblock, room;
	long matched;		/* before the limit */
};

/*
 * Calls fn for every matching record in cache order, up to the limit,
 * without sorting or copying, with the slots of keep (every slot when
 * keep is 0) and the id; others may be NULL. fn returns non-zero to
 * stop. Returns 0 or a sysexits code; *count (may be NULL) gets the
 * number of calls.
 */
typedef int (*query_fn)(const struct rec *r, const char **slots, void *arg);
int query_stream(struct query *q, struct desk *d, query_fn fn, void *arg, long *count);
/*
 * Collects the matching records, sorted by the sort keys (then by id),
 * limited, and calls fn with them while the cache's read transaction is
 * still open. The rows hold the values of the slots of keep (every slot
 * when keep is 0), the id and the sort keys; the others are NULL. With
 * whole set, or keep 0, nothing is copied: the rows' values and records
 * point into the cache's records, valid until fn returns. Otherwise the
 * values kept are copied (after the scan the cache's pages are not read
 * again). Returns fn's value, or a sysexits code (fn not called).
 */
typedef int (*query_rows_fn)(const struct query_rows *rows, void *arg);
int query_sorted(struct query *q, struct desk *d, query_rows_fn fn, void *arg);
void query_rows_free(struct query_rows *r);
/* Sorts rows (n, nslots, slots set, order 0 .. n - 1) as query_sorted does. */
void query_sort_rows(const struct query *q, struct query_rows *rows);
/*
 * Row k of the output order: its slots (with ncols, valid until the next
 * call), and its record if whole was set.
 */
const char **query_row_slots(const struct query_rows *r, size_t k);
struct rec query_row_rec(const struct query_rows *r, size_t k);

#endif
