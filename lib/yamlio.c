/* yamlio.c: libyaml event parser into node trees; a type-safe emitter */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "util.h"
#include "yamlio.h"

#define YAML_MAX_DEPTH 64

struct loader {
	yaml_parser_t p;
	const char *name;
	int failed;
};

static struct ynode *
node_new(enum ykind kind, yaml_mark_t m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = (unsigned)m.line + 1;
	n->col = (unsigned)m.column + 1;
	return n;
}

static void
node_push(struct ynode *parent, char *key, struct ynode *child)
{
	parent->items = xrealloc(parent->items, (parent->n + 1) * sizeof(*parent->items));
	if (parent->kind == Y_MAP) {
		parent->keys = xrealloc(parent->keys, (parent->n + 1) * sizeof(*parent->keys));
		parent->keys[parent->n] = key;
	}
	parent->items[parent->n++] = child;
}

void
ynode_free(struct ynode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++) {
		ynode_free(n->items[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->value);
	free(n);
}

static int
load_fail(struct loader *l, yaml_mark_t m, const char *what)
{
	if (!l->failed)
		rt_fail(EX_DATAERR, "%s:%zu:%zu: %s", l->name, m.line + 1, m.column + 1, what);
	l->failed = 1;
	return -1;
}

static int
next_event(struct loader *l, yaml_event_t *ev)
{
	if (yaml_parser_parse(&l->p, ev))
		return 0;
	if (!l->failed)
		rt_fail(EX_DATAERR, "%s:%zu:%zu: %s%s%s", l->name,
		    l->p.problem_mark.line + 1, l->p.problem_mark.column + 1,
		    l->p.problem ? l->p.problem : "invalid YAML",
		    l->p.context ? " " : "", l->p.context ? l->p.context : "");
	l->failed = 1;
	return -1;
}

static struct ynode *load_node(struct loader *l, yaml_event_t *ev, int depth);

static int
has_anchor(yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT)
		return ev->data.scalar.anchor != NULL;
	if (ev->type == YAML_SEQUENCE_START_EVENT)
		return ev->data.sequence_start.anchor != NULL;
	if (ev->type == YAML_MAPPING_START_EVENT)
		return ev->data.mapping_start.anchor != NULL;
	return 0;
}

static int
key_exists(const struct ynode *map, const char *key)
{
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return 1;
	return 0;
}

/* Loads children until the matching end event. */
static int
load_children(struct loader *l, struct ynode *parent, int depth)
{
	yaml_event_t ev;
	yaml_event_type_t end = parent->kind == Y_MAP ? YAML_MAPPING_END_EVENT :
	    YAML_SEQUENCE_END_EVENT;

	for (;;) {
		char *key = NULL;
		struct ynode *child;

		if (next_event(l, &ev))
			return -1;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (parent->kind == Y_MAP) {
			if (ev.type != YAML_SCALAR_EVENT) {
				load_fail(l, ev.start_mark, "mapping keys must be plain scalars");
				yaml_event_delete(&ev);
				return -1;
			}
			key = xstrndup((char *)ev.data.scalar.value, ev.data.scalar.length);
			if (key_exists(parent, key)) {
				char *msg = xasprintf("duplicate key '%s'", key);
				load_fail(l, ev.start_mark, msg);
				free(msg);
				free(key);
				yaml_event_delete(&ev);
				return -1;
			}
			yaml_event_delete(&ev);
			if (next_event(l, &ev)) {
				free(key);
				return -1;
			}
		}
		child = load_node(l, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (child == NULL) {
			free(key);
			return -1;
		}
		node_push(parent, key, child);
	}
}

static struct ynode *
load_node(struct loader *l, yaml_event_t *ev, int depth)
{
	struct ynode *n;

	if (depth > YAML_MAX_DEPTH) {
		load_fail(l, ev->start_mark, "nesting too deep");
		return NULL;
	}
	if (ev->type == YAML_ALIAS_EVENT || has_anchor(ev)) {
		load_fail(l, ev->start_mark, "anchors and aliases are not allowed");
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(Y_SCALAR, ev->start_mark);
		n->value = xstrndup((char *)ev->data.scalar.value, ev->data.scalar.length);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return n;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = node_new(ev->type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ,
		    ev->start_mark);
		if (load_children(l, n, depth) < 0) {
			ynode_free(n);
			return NULL;
		}
		return n;
	default:
		load_fail(l, ev->start_mark, "unexpected YAML event");
		return NULL;
	}
}

/* Skips stream and document start; returns the root or an empty map. */
static struct ynode *
load_root(struct loader *l)
{
	yaml_event_t ev;
	struct ynode *root = NULL;
	yaml_mark_t zero = { 0, 0, 0 };

	for (;;) {
		if (next_event(l, &ev))
			goto fail;
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		break;
	}
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return node_new(Y_MAP, zero);
	}
	root = load_node(l, &ev, 0);
	yaml_event_delete(&ev);
	if (root == NULL)
		goto fail;
	if (next_event(l, &ev))
		goto fail;
	yaml_event_delete(&ev);	/* document end */
	if (next_event(l, &ev))
		goto fail;
	if (ev.type != YAML_STREAM_END_EVENT) {
		load_fail(l, ev.start_mark, "more than one document");
		yaml_event_delete(&ev);
		goto fail;
	}
	yaml_event_delete(&ev);
	return root;
fail:
	ynode_free(root);
	return NULL;
}

struct ynode *
yaml_load(const char *buf, size_t len, const char *name)
{
	struct loader l;
	struct ynode *root;

	memset(&l, 0, sizeof(l));
	l.name = name;
	if (!yaml_parser_initialize(&l.p)) {
		rt_fail(EX_OSERR, "%s: cannot initialise YAML parser", name);
		return NULL;
	}
	yaml_parser_set_input_string(&l.p, (const unsigned char *)buf, len);
	root = load_root(&l);
	yaml_parser_delete(&l.p);
	return root;
}

struct ynode *
yaml_load_file(const char *path)
{
	char *buf;
	size_t len;
	struct ynode *n;

	if (read_file(path, &buf, &len) < 0) {
		rt_fail(EX_NOINPUT, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	n = yaml_load(buf, len, path);
	free(buf);
	return n;
}

struct ynode *
ymap_get(const struct ynode *map, const char *key)
{
	if (map == NULL || map->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

int
yscalar_is_null(const struct ynode *n)
{
	if (n == NULL)
		return 1;
	if (n->kind != Y_SCALAR || !n->plain)
		return 0;
	return n->value[0] == '\0' || strcmp(n->value, "~") == 0 ||
	    strcasecmp(n->value, "null") == 0;
}

const char *
ymap_str(const struct ynode *map, const char *key)
{
	struct ynode *n = ymap_get(map, key);

	if (n == NULL || n->kind != Y_SCALAR || yscalar_is_null(n))
		return NULL;
	return n->value;
}

const char *
ynode_where(const struct ynode *n, const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s:%u:%u", name, n ? n->line : 0, n ? n->col : 0);
	return buf;
}

int
ynode_int(const struct ynode *n, long long *out)
{
	char *end;

	if (n == NULL || n->kind != Y_SCALAR || n->value[0] == '\0')
		return -1;
	*out = strtoll(n->value, &end, 10);
	return *end ? -1 : 0;
}

int
ynode_bool(const struct ynode *n)
{
	static const char *yes[] = { "true", "yes", "on", "y" };
	static const char *no[] = { "false", "no", "off", "n" };

	if (n == NULL || n->kind != Y_SCALAR)
		return -1;
	for (size_t i = 0; i < LEN(yes); i++) {
		if (strcasecmp(n->value, yes[i]) == 0)
			return 1;
		if (strcasecmp(n->value, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Emitter */

struct yemit {
	yaml_emitter_t e;
	struct sbuf out;
	int failed;
	int started;
};

static int
write_handler(void *data, unsigned char *buf, size_t size)
{
	struct yemit *e = data;

	sbuf_add(&e->out, buf, size);
	return 1;
}

static int
emit(struct yemit *e, yaml_event_t *ev, int init_ok)
{
	if (e->failed)
		return -1;
	if (!init_ok) {
		e->failed = 1;
		return rt_fail(EX_DATAERR, "cannot emit YAML: invalid UTF-8 in value"), -1;
	}
	if (!yaml_emitter_emit(&e->e, ev)) {
		e->failed = 1;
		rt_fail(EX_SOFTWARE, "cannot emit YAML: %s",
		    e->e.problem ? e->e.problem : "emitter error");
		return -1;
	}
	return 0;
}

struct yemit *
yemit_new(void)
{
	struct yemit *e = xcalloc(1, sizeof(*e));
	yaml_event_t ev;

	if (!yaml_emitter_initialize(&e->e)) {
		free(e);
		rt_fail(EX_OSERR, "cannot initialise YAML emitter");
		return NULL;
	}
	yaml_emitter_set_output(&e->e, write_handler, e);
	yaml_emitter_set_unicode(&e->e, 1);
	yaml_emitter_set_width(&e->e, -1);
	yaml_emitter_set_indent(&e->e, 2);
	emit(e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	return e;
}

int
yemit_map_start(struct yemit *e, int flow)
{
	yaml_event_t ev;

	return emit(e, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	    flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

int
yemit_map_end(struct yemit *e)
{
	yaml_event_t ev;

	return emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

int
yemit_seq_start(struct yemit *e, int flow)
{
	yaml_event_t ev;

	return emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
	    flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

int
yemit_seq_end(struct yemit *e)
{
	yaml_event_t ev;

	return emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static int
scalar(struct yemit *e, const char *s, int plain_ok, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	return emit(e, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (yaml_char_t *)s, (int)strlen(s), plain_ok, !plain_ok, style));
}

/* Words a YAML 1.1 reader resolves to bool or null. */
static int
is_special_word(const char *s)
{
	static const char *words[] = { "y", "n", "yes", "no", "on", "off", "true",
	    "false", "null", "~", "<<", "=" };

	if (strnlen(s, 6) > 5)		/* longer than any: most keys and values */
		return 0;
	for (size_t i = 0; i < LEN(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/*
 * Plain only for words of letters, digits and a few marks, starting
 * with a letter, so no number, date, bool or null can be read back.
 */
static int
plain_safe(const char *s)
{
	if (!isalpha((unsigned char)s[0]) || is_special_word(s))
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.@/+", *p))
			return 0;
	return 1;
}

int
yemit_key(struct yemit *e, const char *key)
{
	int plain = plain_safe(key);

	return scalar(e, key, plain, plain ? YAML_PLAIN_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

int
yemit_str(struct yemit *e, const char *s)
{
	if (plain_safe(s))
		return scalar(e, s, 1, YAML_PLAIN_SCALAR_STYLE);
	if (strchr(s, '\n'))
		return scalar(e, s, 0, YAML_LITERAL_SCALAR_STYLE);
	return scalar(e, s, 0, YAML_ANY_SCALAR_STYLE);
}

int
yemit_null(struct yemit *e)
{
	return scalar(e, "null", 1, YAML_PLAIN_SCALAR_STYLE);
}

int
yemit_int(struct yemit *e, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return scalar(e, buf, 1, YAML_PLAIN_SCALAR_STYLE);
}

int
yemit_bool(struct yemit *e, int v)
{
	return scalar(e, v ? "true" : "false", 1, YAML_PLAIN_SCALAR_STYLE);
}

int
yemit_kv(struct yemit *e, const char *key, const char *value)
{
	if (yemit_key(e, key) < 0)
		return -1;
	return value ? yemit_str(e, value) : yemit_null(e);
}

int
yemit_node(struct yemit *e, const struct ynode *n)
{
	int rc = 0;

	if (n->kind == Y_SCALAR) {
		if (n->plain)
			return scalar(e, n->value, 1, YAML_PLAIN_SCALAR_STYLE);
		return yemit_str(e, n->value);
	}
	rc |= n->kind == Y_MAP ? yemit_map_start(e, 0) : yemit_seq_start(e, 0);
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == Y_MAP)
			rc |= yemit_key(e, n->keys[i]);
		rc |= yemit_node(e, n->items[i]);
	}
	rc |= n->kind == Y_MAP ? yemit_map_end(e) : yemit_seq_end(e);
	return rc ? -1 : 0;
}

char *
yemit_finish(struct yemit *e, size_t *len)
{
	yaml_event_t ev;

	emit(e, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(e, &ev, yaml_stream_end_event_initialize(&ev));
	if (e->failed)
		return NULL;
	yaml_emitter_flush(&e->e);
	if (len)
		*len = e->out.len;
	return sbuf_detach(&e->out);
}

void
yemit_free(struct yemit *e)
{
	if (e == NULL)
		return;
	yaml_emitter_delete(&e->e);
	sbuf_free(&e->out);
	free(e);
}
