/*
 * jsonout.h: every command's JSON goes out through here. Lists of ticket
 * records are streamed (no tree per record, 64 KiB a write); whole
 * documents are jansson trees printed in one of two layouts. jansson does
 * the escaping wherever a value needs any, so the output stays the same
 * bytes as json_dumps would give.
 */
#ifndef RT_JSONOUT_H
#define RT_JSONOUT_H

#include <jansson.h>
#include <stdio.h>

#include "kv.h"
#include "util.h"

/* Keys whose values are comma lists, written as arrays. */
int jsonout_is_list(const char *key);

/* A document: JSONOUT_PRETTY indents by 2 in key order, JSONOUT_LINE is one ASCII line. */
enum { JSONOUT_PRETTY, JSONOUT_LINE };
/* Prints doc and a newline, then drops the reference; EX_IOERR if output failed. */
int jsonout_doc(FILE *fp, json_t *doc, int layout);

/* A ticket's fields (a kvmap) as an object; lists become arrays. */
json_t *jsonout_ticket(const struct kvmap *t);

/* A streamed array of records: "[\n{...},\n{...}\n]\n", or "[]\n". */
struct jsonout_list {
	FILE *fp;
	size_t n;
	struct sbuf buf;	/* records not yet written to fp */
};
void jsonout_list_begin(struct jsonout_list *l, FILE *fp);
/* Appends one cache record (NUL-separated keys and values) as an object. */
void jsonout_list_rec(struct jsonout_list *l, const struct rec *r);
void jsonout_list_end(struct jsonout_list *l);

#endif
