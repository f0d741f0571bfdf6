/* yamlio.h: YAML documents as node trees with source marks, and a safe emitter */
#ifndef RT_YAMLIO_H
#define RT_YAMLIO_H

#include <stddef.h>

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ykind kind;
	char *value;		/* scalar text, UTF-8 */
	int plain;		/* scalar was written plain (unquoted) */
	unsigned line, col;	/* 1-based position in the source */
	size_t n;		/* items (seq) or pairs (map) */
	char **keys;		/* map keys */
	struct ynode **items;	/* seq items or map values */
};

/*
 * Loads one YAML document. Aliases, anchors, non-scalar keys, duplicate
 * keys and nesting deeper than 64 are refused. On error returns NULL and
 * sets rt_errmsg() to "NAME:LINE:COL: problem". An empty document loads
 * as an empty map.
 */
struct ynode *yaml_load(const char *buf, size_t len, const char *name);
struct ynode *yaml_load_file(const char *path);
void ynode_free(struct ynode *n);

struct ynode *ymap_get(const struct ynode *map, const char *key);
/* Scalar value under key, or NULL if missing, null or not a scalar. */
const char *ymap_str(const struct ynode *map, const char *key);
int yscalar_is_null(const struct ynode *n);
/* "name:line:col" of n, for error messages; static buffer. */
const char *ynode_where(const struct ynode *n, const char *name);
/* Parses an integer scalar; returns -1 if not an integer. */
int ynode_int(const struct ynode *n, long long *out);
/* Parses a boolean scalar (true/false/yes/no/on/off); -1 if neither. */
int ynode_bool(const struct ynode *n);

/*
 * The emitter writes into memory. Strings are written plain only when a
 * YAML 1.1 reader cannot mistake them for another type; otherwise they
 * are quoted, and multi-line text uses literal block style.
 */
struct yemit;
struct yemit *yemit_new(void);
int yemit_map_start(struct yemit *e, int flow);
int yemit_map_end(struct yemit *e);
int yemit_seq_start(struct yemit *e, int flow);
int yemit_seq_end(struct yemit *e);
int yemit_key(struct yemit *e, const char *key);
int yemit_str(struct yemit *e, const char *s);
int yemit_null(struct yemit *e);
int yemit_int(struct yemit *e, long long v);
int yemit_bool(struct yemit *e, int v);
/* key: value pair; a NULL value is written as null. */
int yemit_kv(struct yemit *e, const char *key, const char *value);
/* Deep copy of a parsed node. */
int yemit_node(struct yemit *e, const struct ynode *n);
/* Ends the document; returns the malloc'd text. NULL on earlier error. */
char *yemit_finish(struct yemit *e, size_t *len);
void yemit_free(struct yemit *e);

#endif
