/*
 * logflow.c: a log read from libyaml's events (see logflow.h), straight
 * into the events' maps: no node tree, no copy of every key and value.
 */
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "logflow.h"
#include "ticket.h"
#include "util.h"

/* yscalar_is_null's rule: a plain "", "~" or "null" is no value. */
static int
is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (v[0] == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0);
}

static int
next(yaml_parser_t *p, yaml_event_t *ev, yaml_event_type_t want)
{
	if (!yaml_parser_parse(p, ev))
		return -1;
	if (ev->type == want)
		return 0;
	yaml_event_delete(ev);
	return -1;
}

/* One event: a mapping of scalars, no anchor, no key twice. */
static int
event_map(yaml_parser_t *p, struct kvmap *m)
{
	char *seen[64];
	size_t nseen = 0;
	int rc = -1;

	for (;;) {
		yaml_event_t k, v;
		if (!yaml_parser_parse(p, &k))
			break;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			rc = 0;
			break;
		}
		if (k.type != YAML_SCALAR_EVENT || k.data.scalar.anchor || nseen == LEN(seen)) {
			yaml_event_delete(&k);
			break;
		}
		if (next(p, &v, YAML_SCALAR_EVENT) != 0) {
			yaml_event_delete(&k);
			break;
		}
		const char *key = (const char *)k.data.scalar.value;
		int bad = v.data.scalar.anchor != NULL;	/* yaml_load refuses anchors */
		for (size_t i = 0; i < nseen; i++)
			bad |= strcmp(seen[i], key) == 0;	/* and a key twice */
		if (!bad) {
			seen[nseen++] = xstrdup(key);
			if (!is_null(&v))
				kv_set(m, key, (const char *)v.data.scalar.value);
		}
		yaml_event_delete(&k);
		yaml_event_delete(&v);
		if (bad)
			break;
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	return rc;
}

int
logflow_parse(const char *buf, size_t len, struct evlog *log)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct evlog out = { NULL, 0 };
	size_t cap = 0;
	int rc = -1;

	if (len == 0 || !yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (next(&p, &ev, YAML_STREAM_START_EVENT) != 0)
		goto out;
	yaml_event_delete(&ev);
	if (next(&p, &ev, YAML_DOCUMENT_START_EVENT) != 0)
		goto out;
	yaml_event_delete(&ev);
	if (next(&p, &ev, YAML_SEQUENCE_START_EVENT) != 0)
		goto out;
	if (ev.data.sequence_start.anchor) {
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev))
			goto out;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_MAPPING_START_EVENT || ev.data.mapping_start.anchor) {
			yaml_event_delete(&ev);
			goto out;
		}
		yaml_event_delete(&ev);
		if (out.n == cap) {
			cap = cap ? cap * 2 : 8;
			out.ev = xrealloc(out.ev, cap * sizeof(*out.ev));
		}
		memset(&out.ev[out.n], 0, sizeof(out.ev[out.n]));
		out.n++;
		if (event_map(&p, &out.ev[out.n - 1]) != 0)
			goto out;
	}
	if (next(&p, &ev, YAML_DOCUMENT_END_EVENT) != 0)
		goto out;
	yaml_event_delete(&ev);
	if (next(&p, &ev, YAML_STREAM_END_EVENT) != 0)
		goto out;
	yaml_event_delete(&ev);
	rc = 0;
out:
	yaml_parser_delete(&p);
	if (rc == 0)
		*log = out;
	else
		log_free(&out);
	return rc;
}
