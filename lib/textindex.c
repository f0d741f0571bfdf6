/* textindex.c: the cache's inverted index of ticket words (see textindex.h) */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "head.h"
#include "id.h"
#include "mail.h"
#include "text.h"
#include "textindex.h"
#include "util.h"

static int
level_open(MDB_txn *txn, struct textlevel *l, const char *prefix, unsigned int create)
{
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "%swords", prefix);
	if ((rc = mdb_dbi_open(txn, name, create | MDB_DUPSORT, &l->words)) != 0)
		return rc;
	snprintf(name, sizeof(name), "%swordsof", prefix);
	if ((rc = mdb_dbi_open(txn, name, create, &l->wordsof)) != 0)
		return rc;
	snprintf(name, sizeof(name), "%sfirst", prefix);
	if ((rc = mdb_dbi_open(txn, name, create, &l->first)) != 0)
		return rc;
	snprintf(name, sizeof(name), "%sdone", prefix);
	return mdb_dbi_open(txn, name, create, &l->done);
}

int
textindex_open(MDB_txn *txn, struct textindex *ti, unsigned int create)
{
	int rc = level_open(txn, &ti->main, "", create);

	return rc ? rc : level_open(txn, &ti->recent, "recent-", create);
}

static int
level_clear(MDB_txn *txn, const struct textlevel *l)
{
	int rc;

	if ((rc = mdb_drop(txn, l->words, 0)) != 0 || (rc = mdb_drop(txn, l->wordsof, 0)) != 0 ||
	    (rc = mdb_drop(txn, l->first, 0)) != 0)
		return rc;
	return mdb_drop(txn, l->done, 0);
}

int
textindex_clear(MDB_txn *txn, const struct textindex *ti)
{
	int rc = level_clear(txn, &ti->main);

	return rc ? rc : level_clear(txn, &ti->recent);
}

static MDB_val
val_str(const char *s)
{
	MDB_val v = { strlen(s), (void *)s };

	return v;
}

/*
 * The level a put goes to: a whole-desk build fills the main tables; any
 * other indexing the recent ones (see textindex.h).
 */
static const struct textlevel *
put_level(const struct textindex *ti)
{
	return ti->batch ? &ti->main : &ti->recent;
}

/*
 * mdb_put; in a whole-desk build, whose tickets come in id order, appended
 * (to full pages: an ordinary put leaves pages half full, and the build's
 * one transaction holds them all), or an ordinary put when out of order.
 */
static int
put_in_order(MDB_txn *txn, const struct textindex *ti, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
	int rc = ti->batch ? mdb_put(txn, dbi, k, v, MDB_APPEND) : MDB_KEYEXIST;

	return rc == MDB_KEYEXIST ? mdb_put(txn, dbi, k, v, 0) : rc;
}

/* The record of k in a per-ticket table: the recent level's (dbi r), else the main one's (m). */
static int
get_either(MDB_txn *txn, MDB_dbi r, MDB_dbi m, MDB_val *k, MDB_val *v)
{
	int rc = mdb_get(txn, r, k, v);

	return rc == MDB_NOTFOUND ? mdb_get(txn, m, k, v) : rc;
}

/* ---- words ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The words seen so far, each once: a ticket's text repeats its words
 * (a thread of ten mails, 3,000 words, has a few hundred distinct), so
 * they are made unique by hash before only those are copied and sorted.
 * Each slot keeps its word's hash and length: a probe compares bytes
 * only for a word of the same hash and length (6.6% of a bulk import
 * went to this tokenizer).
 */
struct wslot {
	char *w;
	uint32_t hash, len;
};

struct wordset {
	struct wslot *slot;
	size_t cap, n;
};

static size_t
word_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A word being read, with the FNV-1a hash of its first "hashed" bytes. */
struct word {
	struct sbuf b;
	uint32_t hash;
	size_t hashed;
};
#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u

static void
word_hash_up(struct word *w)
{
	for (; w->hashed < w->b.len; w->hashed++)
		w->hash = (w->hash ^ (unsigned char)w->b.buf[w->hashed]) * FNV_PRIME;
}

static int
same_word(const struct wslot *e, const char *w, uint32_t hash, size_t len)
{
	if (e->hash != hash || e->len != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (e->w[i] != w[i])
			return 0;
	return 1;
}

/* The slot holding w, or the empty one where it goes. */
static size_t
wordset_slot(const struct wordset *ws, const char *w, uint32_t hash, size_t len)
{
	size_t i = hash & (ws->cap - 1);

	while (ws->slot[i].w && !same_word(&ws->slot[i], w, hash, len))
		i = (i + 1) & (ws->cap - 1);
	return i;
}

static void
wordset_grow(struct wordset *ws)
{
	struct wordset big = { NULL, ws->cap ? ws->cap * 2 : 64, ws->n };

	big.slot = xcalloc(big.cap, sizeof(*big.slot));
	for (size_t i = 0; i < ws->cap; i++)
		if (ws->slot[i].w)
			big.slot[wordset_slot(&big, ws->slot[i].w, ws->slot[i].hash,
			    ws->slot[i].len)] = ws->slot[i];
	free(ws->slot);
	*ws = big;
}

static void
word_end(struct word *word, struct wordset *ws)
{
	struct sbuf *w = &word->b;

	/* two letters, not bytes: a letter of 2-4 bytes alone is one */
	if (w->len >= 2 && w->len <= TEXTINDEX_MAXWORD &&
	    (w->len > 4 || (unsigned char)w->buf[0] < 0x80 || utf8_chars(w->buf) >= 2)) {
		size_t i;
		word_hash_up(word);
		if (2 * (ws->n + 1) > ws->cap)
			wordset_grow(ws);
		if (ws->slot[i = wordset_slot(ws, w->buf, word->hash, w->len)].w == NULL) {
			ws->slot[i] = (struct wslot){ xstrdup(w->buf), word->hash, (uint32_t)w->len };
			ws->n++;
		}
	}
	w->len = 0;
	if (w->buf)
		w->buf[0] = '\0';
	word->hash = FNV_BASIS;
	word->hashed = 0;
}

size_t
textindex_words(const char *text, char ***out)
{
	struct word w = { SBUF_INIT, FNV_BASIS, 0 };
	struct wordset ws = { NULL, 0, 0 };
	char **v, fold[2];
	size_t n = 0, len = strlen(text);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		const char *a;
		if ((unsigned char)text[i] < 0x80) {
			/* an ASCII run at once, lower-cased and hashed as it is copied: most text */
			char c = text_ascii_word[(unsigned char)text[i]];
			if (c == 0) {
				if (w.b.len)
					word_end(&w, &ws);
				i++;
				continue;
			}
			word_hash_up(&w);
			do {
				if (w.b.len + 1 >= w.b.cap)
					sbuf_grow(&w.b, 1);
				w.b.buf[w.b.len++] = c;
				w.hash = (w.hash ^ (unsigned char)c) * FNV_PRIME;
			} while (++i < len && (unsigned char)text[i] < 0x80 &&
			    (c = text_ascii_word[(unsigned char)text[i]]) != 0);
			w.hashed = w.b.len;
			w.b.buf[w.b.len] = '\0';
			continue;
		}
		i += utf8_decode(text + i, len - i, &cp);
		if (!text_is_wordchar(cp)) {
			word_end(&w, &ws);
			continue;
		}
		cp = text_lower(cp);
		if (cp < 0x80)
			sbuf_addc(&w.b, (char)cp);
		else if ((a = text_fold_ascii(cp, fold)) != NULL)
			sbuf_adds(&w.b, a);
		else
			utf8_encode(&w.b, cp);
	}
	word_end(&w, &ws);
	sbuf_free(&w.b);
	v = xcalloc(ws.n + 1, sizeof(*v));
	for (size_t i = 0; i < ws.cap; i++)
		if (ws.slot[i].w)
			v[n++] = ws.slot[i].w;
	free(ws.slot);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

/* ---- a whole-desk build's postings ---- */

/*
 * Inserted ticket by ticket, the (word, id) postings of a whole desk split
 * pages all over the words table: at 100k tickets 80 MB of dirty pages in
 * the build's one transaction and 1.7 s. Gathered here and written in
 * (word, id) order at the end, LMDB appends them to full pages.
 */
struct posting {
	uint32_t word, id;
};

struct textindex_batch {
	char **word;		/* by number */
	uint32_t *slot;		/* hash of the words: number + 1, 0 empty */
	size_t nword, cap;
	char **id;		/* by number, in the order put */
	size_t nid;
	struct posting *p;
	size_t np, capp;
};

struct textindex_batch *
textindex_batch_new(void)
{
	return xcalloc(1, sizeof(struct textindex_batch));
}

void
textindex_batch_free(struct textindex_batch *b)
{
	if (b == NULL)
		return;
	strv_free(b->word, b->nword);
	strv_free(b->id, b->nid);
	free(b->slot);
	free(b->p);
	free(b);
}

static size_t
batch_slot(const struct textindex_batch *b, const char *w)
{
	size_t i = word_hash(w) & (b->cap - 1);

	while (b->slot[i] && strcmp(b->word[b->slot[i] - 1], w) != 0)
		i = (i + 1) & (b->cap - 1);
	return i;
}

static uint32_t
batch_word(struct textindex_batch *b, const char *w)
{
	size_t i;

	if (2 * (b->nword + 1) > b->cap) {
		free(b->slot);
		b->cap = b->cap ? b->cap * 2 : 4096;
		b->slot = xcalloc(b->cap, sizeof(*b->slot));
		b->word = xrealloc(b->word, b->cap / 2 * sizeof(*b->word));
		for (size_t k = 0; k < b->nword; k++)
			b->slot[batch_slot(b, b->word[k])] = (uint32_t)k + 1;
	}
	if (b->slot[i = batch_slot(b, w)] == 0) {
		b->word[b->nword++] = xstrdup(w);
		b->slot[i] = (uint32_t)b->nword;
	}
	return b->slot[i] - 1;
}

static void
batch_add(struct textindex_batch *b, const char *id, char **w, size_t n)
{
	uint32_t idn = (uint32_t)b->nid;

	b->id = xrealloc(b->id, (b->nid + 1) * sizeof(*b->id));
	b->id[b->nid++] = xstrdup(id);
	for (size_t i = 0; i < n; i++) {
		if (b->np == b->capp)
			b->p = xrealloc(b->p, (b->capp = b->capp ? b->capp * 2 : 65536) * sizeof(*b->p));
		b->p[b->np].word = batch_word(b, w[i]);
		b->p[b->np++].id = idn;
	}
}

/* A ticket put twice (two folders of one id): its earlier postings go, as textindex_drop's would. */
static void
batch_forget(struct textindex_batch *b, const char *id)
{
	size_t k = 0;

	for (size_t i = 0; i < b->np; i++)
		if (strcmp(b->id[b->p[i].id], id) != 0)
			b->p[k++] = b->p[i];
	b->np = k;
}

static const struct textindex_batch *sort_batch;	/* qsort has no argument */

static int
cmp_posting(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	int c = strcmp(sort_batch->word[x->word], sort_batch->word[y->word]);

	return c ? c : strcmp(sort_batch->id[x->id], sort_batch->id[y->id]);
}

int
textindex_batch_write(MDB_txn *txn, const struct textindex *ti, struct textindex_batch *b)
{
	MDB_cursor *cur;
	int rc;

	sort_batch = b;
	if (b->np)
		qsort(b->p, b->np, sizeof(*b->p), cmp_posting);
	sort_batch = NULL;
	if ((rc = mdb_cursor_open(txn, ti->main.words, &cur)) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < b->np; i++) {
		const char *w = b->word[b->p[i].word], *id = b->id[b->p[i].id];
		MDB_val k = val_str(w), v = val_str(id);
		int same = i > 0 && b->p[i - 1].word == b->p[i].word;
		rc = mdb_cursor_put(cur, &k, &v, same ? MDB_APPENDDUP : MDB_APPEND);
		if (rc == MDB_KEYEXIST)	/* not after the last: an ordinary put */
			rc = mdb_put(txn, ti->main.words, &k, &v, MDB_NODUPDATA);
		if (rc == MDB_KEYEXIST)
			rc = 0;
	}
	mdb_cursor_close(cur);
	return rc;
}

/* ---- indexing ---- */

static void
add_rcpt(struct sbuf *sb, const char *addr)
{
	if (addr && *addr) {
		sbuf_adds(sb, addr);
		sbuf_addc(sb, '\n');
	}
}

/* What the index reads of a mail: its subject and text, and rt-route's part (first_keep). */
struct mailtext {
	git_oid blob;
	char *subject, *text;	/* text NULL: none */
	char *rcpt, *attachment;	/* attachment NULL: none */
	size_t size;
};

static void
mailtext_of(struct mail *m, struct mailtext *mt)
{
	struct sbuf rcpt = SBUF_INIT;
	char *h;

	mt->subject = xstrdup(m->subject);
	mt->text = m->text ? xstrdup(m->text) : NULL;
	for (size_t i = 0; i < m->nto; i++)
		add_rcpt(&rcpt, m->to[i].email);
	for (size_t i = 0; i < m->ncc; i++)
		add_rcpt(&rcpt, m->cc[i].email);
	add_rcpt(&rcpt, h = mail_header(m, "Delivered-To"));
	free(h);
	add_rcpt(&rcpt, h = mail_header(m, "X-Original-To"));
	free(h);
	mt->rcpt = rcpt.len ? sbuf_detach(&rcpt) : xstrdup("");
	mt->attachment = NULL;
	for (size_t i = 0; i < m->nparts; i++)
		if (m->parts[i].attachment) {
			mt->attachment = xstrdup(m->parts[i].filename ? m->parts[i].filename :
			    m->parts[i].type);
			break;
		}
	mt->size = strlen(mt->subject) + (mt->text ? strlen(mt->text) : 0) + strlen(mt->rcpt);
}

static void
mailtext_free(struct mailtext *mt)
{
	free(mt->subject);
	free(mt->text);
	free(mt->rcpt);
	free(mt->attachment);
}

/*
 * Mails parsed by their writer (textindex_remember), by blob id, until
 * indexed: a batch indexes its tickets at its end, and read and parsed
 * each mail a second time for it (a tenth of a bulk import). Bounded; a
 * mail not here is parsed as before. The key is the content's id, so an
 * entry is right for any desk.
 */
#define MEMO_MAX 4096
#define MEMO_BYTES (2UL << 20)	/* a batch holds up to 1 MB of blobs (txn.c) */
#define MEMO_MAIL TEXTINDEX_FIRST_MAX

static struct {
	struct mailtext v[MEMO_MAX];
	size_t n, bytes;
	pthread_mutex_t mu;
} memo = { .mu = PTHREAD_MUTEX_INITIALIZER };

void
textindex_remember(const git_oid *blob, struct mail *m)
{
	struct mailtext mt;

	if (m->text && strlen(m->text) > MEMO_MAIL)
		return;	/* parsed again at the end, not held meanwhile */
	mailtext_of(m, &mt);
	git_oid_cpy(&mt.blob, blob);
	pthread_mutex_lock(&memo.mu);
	if (memo.n < MEMO_MAX && memo.bytes + mt.size <= MEMO_BYTES) {
		memo.v[memo.n++] = mt;
		memo.bytes += mt.size;
	} else
		mailtext_free(&mt);
	pthread_mutex_unlock(&memo.mu);
}

/* Whether anything is remembered (memo.n is written by other threads: read under the lock). */
static int
memo_any(void)
{
	size_t n;

	pthread_mutex_lock(&memo.mu);
	n = memo.n;
	pthread_mutex_unlock(&memo.mu);
	return n > 0;
}

/* Takes the remembered text of blob into *mt; 0 when there is none. */
static int
memo_take(const git_oid *blob, struct mailtext *mt)
{
	int found = 0;

	pthread_mutex_lock(&memo.mu);
	for (size_t i = memo.n; !found && i-- > 0;)
		if (git_oid_equal(&memo.v[i].blob, blob)) {
			*mt = memo.v[i];
			memo.bytes -= mt->size;
			memo.v[i] = memo.v[--memo.n];
			found = 1;
		}
	pthread_mutex_unlock(&memo.mu);
	return found;
}

void
textindex_forget(void)
{
	pthread_mutex_lock(&memo.mu);
	while (memo.n)
		mailtext_free(&memo.v[--memo.n]);
	memo.bytes = 0;
	pthread_mutex_unlock(&memo.mu);
}

/* Keeps what rt-route reads of a mail when file is the oldest .eml so far. */
static void
first_keep(struct kvmap *first, const char *file, const struct mailtext *mt)
{
	const char *old = kv_get(first, "file");

	if (strncmp(file, "msg/", 4) != 0 || (old && strcmp(old, file) <= 0))
		return;
	kv_free(first);
	if (mt->text && strlen(mt->text) > TEXTINDEX_FIRST_MAX) {
		kv_set(first, "file", file);	/* older mails cannot take its place */
		kv_set(first, "long", "1");
		return;
	}
	kv_set(first, "file", file);
	kv_set(first, "text", mt->text ? mt->text : "");
	kv_set(first, "rcpt", mt->rcpt);
	if (mt->attachment)
		kv_set(first, "attachment", mt->attachment);
}

/* The text of mail file in dir, remembered or parsed: 1; 0 not a mail; -1 unreadable. */
static int
mail_text(struct desk *d, git_tree *dir, const char *file, struct mailtext *mt)
{
	git_tree_entry *e = NULL;
	struct mail *m;
	char *buf;
	size_t len;
	int found = 0;

	if (memo_any() && git_tree_entry_bypath(&e, dir, file) == 0)
		found = memo_take(git_tree_entry_id(e), mt);
	git_tree_entry_free(e);
	if (found)
		return 1;
	if (tree_read(d->repo, dir, file, &buf, &len) != 0)
		return -1;
	if ((found = mail_parse_buf(buf, len, &m) == 0)) {
		mailtext_of(m, mt);
		mail_free(m);
	}
	free(buf);
	return found;
}

/* The text of one log event: a mail's subject and body, a comment, an event. */
static void
event_text(struct desk *d, git_tree *dir, const struct kvmap *ev, struct sbuf *sb,
    struct kvmap *first)
{
	const char *type = kv_get(ev, "ev"), *file = kv_get(ev, "file");
	struct mailtext mt;
	char *buf;
	size_t len;
	int got;

	if (type == NULL || file == NULL)
		return;
	if (strcmp(type, "mail-in") && strcmp(type, "mail-out") && strcmp(type, "comment") &&
	    strcmp(type, "event-in"))
		return;
	if (strcmp(type, "mail-in") == 0 || strcmp(type, "mail-out") == 0) {
		if ((got = mail_text(d, dir, file, &mt)) < 0)
			return;
		if (got) {
			sbuf_adds(sb, mt.subject);
			sbuf_addc(sb, '\n');
			sbuf_adds(sb, mt.text ? mt.text : "");
			first_keep(first, file, &mt);
			mailtext_free(&mt);
		}
	} else {
		if (tree_read(d->repo, dir, file, &buf, &len) != 0)
			return;
		char *clean = utf8_clean(buf, len, 0);
		sbuf_adds(sb, clean);
		free(clean);
		free(buf);
	}
	sbuf_addc(sb, '\n');
}

/* mdb_del, where a record already gone is no error */
static int
del_any(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
	int rc = mdb_del(txn, dbi, k, v);

	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Takes ticket id out of both levels. Its wordsof of the recent level,
 * where it has one, holds every word of the main level's too (a re-index
 * starts from the old words): its postings go from both.
 */
int
textindex_drop(MDB_txn *txn, const struct textindex *ti, const char *id)
{
	const struct textlevel *lv[2] = { &ti->recent, &ti->main };
	MDB_val k = val_str(id), v;
	char *list;
	int rc;

	if ((rc = get_either(txn, ti->recent.wordsof, ti->main.wordsof, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	/* v points into the map; copy before deleting under it. */
	if (ti->batch)
		batch_forget(ti->batch, id);
	list = xmalloc(v.mv_size + 1);
	memcpy(list, v.mv_data, v.mv_size);
	list[v.mv_size] = '\0';
	for (char *p = list; rc == 0 && p < list + v.mv_size; p += strlen(p) + 1)
		for (int l = 0; rc == 0 && l < 2; l++) {
			MDB_val wk = val_str(p), wv = val_str(id);
			rc = del_any(txn, lv[l]->words, &wk, &wv);
		}
	free(list);
	for (int l = 0; rc == 0 && l < 2; l++)
		if ((rc = del_any(txn, lv[l]->wordsof, &k, NULL)) == 0 &&
		    (rc = del_any(txn, lv[l]->first, &k, NULL)) == 0)
			rc = del_any(txn, lv[l]->done, &k, NULL);
	return rc;
}

/* "oldest": the mail rt-route reads as the opening one (ticket_opening_mail). */
static void
oldest_eml(struct desk *d, git_tree *dir, struct kvmap *first)
{
	char *file = ticket_opening_mail(d->repo, dir);

	kv_set(first, "oldest", file);
	free(file);
}

static int
first_put(MDB_txn *txn, const struct textindex *ti, const char *id, const struct kvmap *first)
{
	MDB_val k = val_str(id), v;
	char *ser;
	int rc;

	if (kv_get(first, "file") == NULL)
		return 0;	/* no mail (one too long has no text: rt-route parses it) */
	ser = kv_serialize(first, &v.mv_size);
	v.mv_data = ser;
	rc = put_in_order(txn, ti, put_level(ti)->first, &k, &v);
	free(ser);
	return rc;
}

int
textindex_first(MDB_txn *txn, const struct textindex *ti, const char *id, struct kvmap *out)
{
	MDB_val k = val_str(id), v;
	int rc;

	if ((rc = get_either(txn, ti->recent.first, ti->main.first, &k, &v)) == 0) {
		struct rec r = { v.mv_data, v.mv_size };
		rec_to_kvmap(&r, out);
	}
	return rc;
}

/* FNV-1a over the first n events, key and value of each. */
static unsigned long long
events_hash(const struct evlog *log, size_t n)
{
	unsigned long long h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < log->ev[i].n; j++)
			for (int part = 0; part < 2; part++) {
				const char *p = part ? log->ev[i].v[j].val : log->ev[i].v[j].key;
				for (; p && *p; p++)
					h = (h ^ (unsigned char)*p) * 1099511628211ULL;
				h = (h ^ 0xff) * 1099511628211ULL;	/* end of a string */
			}
	return h;
}

/* How many events of log were indexed before: 0 unless the log only grew. */
static size_t
done_before(MDB_txn *txn, const struct textindex *ti, const char *id, const char *subject,
    const struct evlog *log)
{
	MDB_val k = val_str(id), v;
	struct kvmap done = KVMAP_INIT;
	const char *s, *h;
	size_t n = 0;

	if (get_either(txn, ti->recent.done, ti->main.done, &k, &v) != 0)
		return 0;
	{
		struct rec r = { v.mv_data, v.mv_size };
		rec_to_kvmap(&r, &done);
	}
	n = (size_t)kv_int(&done, "events", 0);
	s = kv_get(&done, "subject");
	h = kv_get(&done, "hash");
	if (n > log->n || s == NULL || strcmp(s, subject) != 0 || h == NULL ||
	    strtoull(h, NULL, 16) != events_hash(log, n))
		n = 0;
	kv_free(&done);
	return n;
}

static int
done_put(MDB_txn *txn, const struct textindex *ti, const char *id, const char *subject,
    const struct evlog *log)
{
	struct kvmap done = KVMAP_INIT;
	MDB_val k = val_str(id), v;
	char *ser;
	int rc;

	kv_setf(&done, "events", "%zu", log->n);
	kv_setf(&done, "hash", "%llx", events_hash(log, log->n));
	kv_set(&done, "subject", subject);
	ser = kv_serialize(&done, &v.mv_size);
	v.mv_data = ser;
	rc = put_in_order(txn, ti, put_level(ti)->done, &k, &v);
	free(ser);
	kv_free(&done);
	return rc;
}

/* The words of the ticket so far (wordsof), sorted, each once, as textindex_words gives them. */
static size_t
words_before(MDB_txn *txn, const struct textindex *ti, const char *id, char ***out)
{
	MDB_val k = val_str(id), v;
	char **w = NULL;
	size_t n = 0;

	*out = NULL;
	if (get_either(txn, ti->recent.wordsof, ti->main.wordsof, &k, &v) != 0)
		return 0;
	for (const char *p = v.mv_data; p < (const char *)v.mv_data + v.mv_size;) {
		size_t len = strnlen(p, (size_t)((const char *)v.mv_data + v.mv_size - p));
		w = xrealloc(w, (n + 1) * sizeof(*w));
		w[n++] = xstrndup(p, len);
		p += len + 1;
	}
	*out = w;
	return n;
}

/* Whether w (sorted, as textindex_words gives them) holds a word beginning with q. */
static int
has_prefix(char **w, size_t n, const char *q)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the first word >= q: if any begins with q, it does */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(w[mid], q) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strncmp(w[lo], q, strlen(q)) == 0;
}

int
textindex_match(struct desk *d, git_tree *dir, const struct kvmap *t, const struct evlog *log,
    char **query, size_t nq)
{
	const char *subject = kv_get(t, "subject") ? kv_get(t, "subject") : "";
	struct sbuf text = SBUF_INIT;
	struct kvmap first = KVMAP_INIT;
	char **w;
	size_t n;
	int all = nq > 0;

	sbuf_adds(&text, subject);
	sbuf_addc(&text, '\n');
	for (size_t i = 0; i < log->n; i++)
		event_text(d, dir, &log->ev[i], &text, &first);
	kv_free(&first);
	n = textindex_words(text.buf ? text.buf : "", &w);
	sbuf_free(&text);
	for (size_t i = 0; all && i < nq; i++)
		all = has_prefix(w, n, query[i]);
	strv_free(w, n);
	return all;
}

int
textindex_put(struct desk *d, MDB_txn *txn, const struct textindex *ti, const char *id,
    git_tree *dir, const struct kvmap *t, const struct evlog *log)
{
	const char *subject = kv_get(t, "subject") ? kv_get(t, "subject") : "";
	struct sbuf text = SBUF_INIT, all = SBUF_INIT;
	struct kvmap first = KVMAP_INIT;
	char **w, **old = NULL;
	size_t n, nold = 0, from = done_before(txn, ti, id, subject, log);
	int rc = 0;

	if (from == 0) {
		if ((rc = textindex_drop(txn, ti, id)) != 0)
			return rc;
		sbuf_adds(&text, subject);
		sbuf_addc(&text, '\n');
	} else {
		if (textindex_first(txn, ti, id, &first) != 0)
			kv_free(&first);
		nold = words_before(txn, ti, id, &old);
	}
	for (size_t i = from; i < log->n; i++)
		event_text(d, dir, &log->ev[i], &text, &first);
	if (kv_get(&first, "file"))
		oldest_eml(d, dir, &first);
	rc = first_put(txn, ti, id, &first);
	kv_free(&first);
	n = textindex_words(text.buf ? text.buf : "", &w);
	sbuf_free(&text);
	if (ti->batch)
		batch_add(ti->batch, id, w, n);
	for (size_t i = 0; rc == 0 && !ti->batch && i < n; i++) {
		MDB_val k = val_str(w[i]), v = val_str(id);
		rc = mdb_put(txn, ti->recent.words, &k, &v, MDB_NODUPDATA);
		if (rc == MDB_KEYEXIST)
			rc = 0;
	}
	/* wordsof: the old words and the new, merged in order, each once */
	for (size_t i = 0, j = 0; rc == 0 && (i < nold || j < n);) {
		int c = i == nold ? 1 : j == n ? -1 : strcmp(old[i], w[j]);
		const char *x = c <= 0 ? old[i] : w[j];
		sbuf_add(&all, x, strlen(x) + 1);
		i += c <= 0;
		j += c >= 0;
	}
	if (rc == 0 && all.len) {
		MDB_val k = val_str(id), v = { all.len, all.buf };
		rc = put_in_order(txn, ti, put_level(ti)->wordsof, &k, &v);
	}
	if (rc == 0)
		rc = done_put(txn, ti, id, subject, log);
	sbuf_free(&all);
	strv_free(w, n);
	strv_free(old, nold);
	return rc;
}

/* ---- the two levels ---- */

#define RECENT_MIN 2048	/* tickets; RT_TEXT_RECENT for tests */
#define RECENT_SHARE 32	/* or a 32nd of the main level's */

static size_t
entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat st;

	return mdb_stat(txn, dbi, &st) == 0 ? st.ms_entries : 0;
}

/* How many tickets the recent level may hold before a writer folds it into the main one. */
static size_t
recent_bound(size_t main)
{
	const char *e = getenv("RT_TEXT_RECENT");

	if (e)
		return strtoul(e, NULL, 10);
	return main / RECENT_SHARE > RECENT_MIN ? main / RECENT_SHARE : RECENT_MIN;
}

/* Records copied out of a table (a put elsewhere may move the pages they were read from). */
struct recs {
	MDB_val *k, *v;
	size_t n, cap;
};

static void
val_copy(MDB_val *to, const MDB_val *from)
{
	to->mv_size = from->mv_size;
	to->mv_data = xmalloc(from->mv_size ? from->mv_size : 1);
	memcpy(to->mv_data, from->mv_data, from->mv_size);
}

static void
recs_add(struct recs *r, const MDB_val *k, const MDB_val *v)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->k = xrealloc(r->k, r->cap * sizeof(*r->k));
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	val_copy(&r->k[r->n], k);
	val_copy(&r->v[r->n++], v);
}

static void
recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->k[i].mv_data);
		free(r->v[i].mv_data);
	}
	free(r->k);
	free(r->v);
}

/* Whether ticket id sorts at or before hi as LMDB sorts keys; hi NULL: any. */
static int
upto(const MDB_val *id, const MDB_val *hi)
{
	int c;

	if (hi == NULL)
		return 1;
	c = memcmp(id->mv_data, hi->mv_data, id->mv_size < hi->mv_size ? id->mv_size : hi->mv_size);
	return c < 0 || (c == 0 && id->mv_size <= hi->mv_size);
}

/* The records of table from of the tickets up to hi (dup: a words table, ids are the data). */
static int
collect(MDB_txn *txn, MDB_dbi from, int dup, const MDB_val *hi, struct recs *out)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(txn, from, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op)) == 0) {
		if (upto(dup ? &v : &k, hi)) {
			recs_add(out, &k, &v);
			op = MDB_NEXT;
		} else if (dup)
			op = MDB_NEXT_NODUP;	/* this word's later ids are all after hi */
		else
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Moves the records of the tickets up to hi (NULL: all) from recent table
 * r to main table m, in key order: each page of m is written once,
 * however many records land on it.
 */
static int
move_upto(MDB_txn *txn, MDB_dbi r, MDB_dbi m, int dup, const MDB_val *hi)
{
	struct recs recs = { NULL, NULL, 0, 0 };
	int rc = collect(txn, r, dup, hi, &recs);

	for (size_t i = 0; rc == 0 && i < recs.n; i++) {
		/* the recent level's records are the newer: they replace the main ones */
		rc = mdb_put(txn, m, &recs.k[i], &recs.v[i], dup ? MDB_NODUPDATA : 0);
		if (rc == MDB_KEYEXIST)
			rc = 0;	/* a posting both levels hold */
		if (rc == 0 && hi)
			rc = mdb_del(txn, r, &recs.k[i], dup ? &recs.v[i] : NULL);
	}
	if (rc == 0 && hi == NULL)
		rc = mdb_drop(txn, r, 0);
	recs_free(&recs);
	return rc;
}

/* The id of the n-th ticket (from 1) of the recent level, in id order, copied into *hi. */
static int
nth_ticket(MDB_txn *txn, MDB_dbi done, size_t n, MDB_val *hi)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, done, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (rc == 0 && --n > 0)
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	if (rc == 0)
		val_copy(hi, &k);
	mdb_cursor_close(cur);
	return rc;
}

/*
 * A writer past the bound folds the tickets of lowest ids, down to seven
 * eighths of it: ids are random, so they are a narrow range of ids, and
 * land on about an eighth of the main level's pages (a whole fold of
 * 12,500 tickets into 100k wrote 25,000 pages in one transaction). The
 * bound is a trade: a batch into a recent level of 3,000 tickets wrote
 * 3,300 pages against 1,900 into an empty one (500 new tickets, 100k
 * desk), and a writer's fold of 1,050 tickets 3,900. rt-gc folds all.
 */
int
textindex_fold(MDB_txn *txn, const struct textindex *ti, int all)
{
	const struct textlevel *r = &ti->recent, *m = &ti->main;
	size_t n = entries(txn, r->done), bound, slice;
	MDB_val hi = { 0, NULL };
	int rc;

	if (n == 0 && entries(txn, r->words) == 0)
		return 0;
	if (!all) {
		if (n <= (bound = recent_bound(entries(txn, m->done))))
			return 0;
		slice = n - bound + (bound / 8 ? bound / 8 : 1);
		if (slice < n && (rc = nth_ticket(txn, r->done, slice, &hi)) != 0)
			return rc;
	}
	rc = move_upto(txn, r->words, m->words, 1, hi.mv_data ? &hi : NULL);
	if (rc == 0)
		rc = move_upto(txn, r->wordsof, m->wordsof, 0, hi.mv_data ? &hi : NULL);
	if (rc == 0)
		rc = move_upto(txn, r->first, m->first, 0, hi.mv_data ? &hi : NULL);
	if (rc == 0)
		rc = move_upto(txn, r->done, m->done, 0, hi.mv_data ? &hi : NULL);
	free(hi.mv_data);
	return rc;
}

/* ---- searching ---- */

struct idset {
	char (*v)[ID_LEN + 1];
	size_t n, cap;
};

static void
idset_add(struct idset *s, const char *id, size_t len)
{
	if (len > ID_LEN)
		return;
	if (s->n == s->cap)
		s->v = xrealloc(s->v, (s->cap = s->cap ? s->cap * 2 : 256) * sizeof(*s->v));
	memcpy(s->v[s->n], id, len);
	s->v[s->n++][len] = '\0';
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
idset_sort(struct idset *s)
{
	size_t k = 0;

	if (s->n)	/* a word nobody wrote: no vector at all */
		qsort(s->v, s->n, sizeof(*s->v), cmp_id);
	for (size_t i = 0; i < s->n; i++)
		if (k == 0 || strcmp(s->v[k - 1], s->v[i]) != 0)
			memmove(s->v[k++], s->v[i], sizeof(*s->v));
	s->n = k;
}

/* Adds the tickets of words table dbi holding a word that begins with prefix. */
static int
ids_in(MDB_txn *txn, MDB_dbi dbi, const char *prefix, struct idset *s)
{
	MDB_cursor *cur;
	MDB_val k = val_str(prefix), v;
	size_t pl = strlen(prefix);
	int rc, op = MDB_SET_RANGE;

	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op)) == 0) {
		if (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0)
			break;
		idset_add(s, v.mv_data, v.mv_size);
		op = MDB_NEXT;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

/* The tickets holding a word that begins with prefix, in either level, sorted, each once. */
static int
ids_of_prefix(MDB_txn *txn, const struct textindex *ti, const char *prefix, struct idset *s)
{
	int rc = ids_in(txn, ti->main.words, prefix, s);

	if (rc == 0)
		rc = ids_in(txn, ti->recent.words, prefix, s);
	idset_sort(s);
	return rc;
}

/* Keeps the ids of a that are in b (both sorted). */
static void
idset_and(struct idset *a, const struct idset *b)
{
	size_t k = 0;

	for (size_t i = 0; i < a->n; i++)
		if (b->n && bsearch(a->v[i], b->v, b->n, sizeof(*b->v), cmp_id))
			memmove(a->v[k++], a->v[i], sizeof(*a->v));
	a->n = k;
}

int
textindex_search(MDB_txn *txn, const struct textindex *ti, const char *query,
    textindex_fn fn, void *arg)
{
	struct idset hits = { NULL, 0, 0 };
	char **w;
	size_t n = textindex_words(query, &w);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct idset s = { NULL, 0, 0 };
		rc = ids_of_prefix(txn, ti, w[i], &s);
		if (i == 0) {
			hits = s;
			continue;
		}
		idset_and(&hits, &s);
		free(s.v);
		if (hits.n == 0)
			break;
	}
	for (size_t i = 0; rc == 0 && i < hits.n; i++)
		if (fn(hits.v[i], arg))
			break;
	free(hits.v);
	strv_free(w, n);
	return rc;
}
