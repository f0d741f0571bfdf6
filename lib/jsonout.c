/* jsonout.c: the one JSON writer of the commands (see jsonout.h) */
#include <string.h>

#include "jsonout.h"
#include "text.h"
#include "ticket.h"

int
jsonout_is_list(const char *key)
{
	return ticket_is_list(key) || strcmp(key, "esc-steps") == 0;
}

int
jsonout_doc(FILE *fp, json_t *doc, int layout)
{
	size_t flags = layout == JSONOUT_LINE ? JSON_COMPACT | JSON_ENSURE_ASCII :
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER;
	int rc = json_dumpf(doc, fp, flags);

	fputc('\n', fp);
	json_decref(doc);
	return rc != 0 || ferror(fp) ? EX_IOERR : 0;
}

static json_t *
list_json(const char *val)
{
	json_t *a = json_array();
	char **items;
	size_t n = str_split(val, ",", &items);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	strv_free(items, n);
	return a;
}

json_t *
jsonout_ticket(const struct kvmap *t)
{
	json_t *o = json_object();

	for (size_t i = 0; i < t->n; i++)
		json_object_set_new(o, t->v[i].key, jsonout_is_list(t->v[i].key) ?
		    list_json(t->v[i].val) : json_string(t->v[i].val));
	return o;
}

/*
 * Appends s as a JSON string. Plain text (no quote, backslash or control
 * character, valid UTF-8) is copied as it is, which is what jansson would
 * write; anything else is escaped by jansson. Returns -1 if s is not valid
 * UTF-8 (jansson refuses such a string).
 */
static int
add_string(struct sbuf *sb, const char *s)
{
	size_t n = 0;
	int ascii = 1;
	json_t *js;
	size_t need;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];
		if (c < 0x20 || c == '"' || c == '\\')
			goto escape;
		if (c >= 0x80)
			ascii = 0;
	}
	if (!ascii && !utf8_valid(s, n))
		return -1;
	sbuf_addc(sb, '"');
	sbuf_add(sb, s, n);
	sbuf_addc(sb, '"');
	return 0;
escape:
	if ((js = json_string(s)) == NULL)
		return -1;
	need = json_dumpb(js, NULL, 0, JSON_ENCODE_ANY);
	sbuf_grow(sb, need);
	sb->len += json_dumpb(js, sb->buf + sb->len, need, JSON_ENCODE_ANY);
	sb->buf[sb->len] = '\0';
	json_decref(js);
	return 0;
}

/* The object of one record, as json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes it. */
static void
rec_json(struct sbuf *sb, const struct rec *r)
{
	const char *p = r->buf, *end = r->buf + r->len;
	int first = 1;

	sbuf_addc(sb, '{');
	while (p < end) {
		const char *k = p, *val = k + strlen(k) + 1;
		size_t mark = sb->len;
		if (val >= end)
			break;
		p = val + strlen(val) + 1;
		if (!first)
			sbuf_addc(sb, ',');
		if (add_string(sb, k) != 0)
			goto skip;
		sbuf_addc(sb, ':');
		if (jsonout_is_list(k)) {
			char **items;
			size_t n = str_split(val, ",", &items), kept = 0;
			sbuf_addc(sb, '[');
			for (size_t i = 0; i < n; i++) {
				size_t at = sb->len;
				if (kept)
					sbuf_addc(sb, ',');
				if (add_string(sb, items[i]) == 0)
					kept++;
				else
					sb->len = at;	/* jansson drops it too */
			}
			sbuf_addc(sb, ']');
			strv_free(items, n);
		} else if (add_string(sb, val) != 0)
			goto skip;
		first = 0;
		continue;
skip:
		sb->len = mark;		/* json_object_set_new refuses it */
		sb->buf[sb->len] = '\0';
	}
	sbuf_addc(sb, '}');
}

void
jsonout_list_begin(struct jsonout_list *l, FILE *fp)
{
	memset(l, 0, sizeof(*l));
	l->fp = fp;
}

void
jsonout_list_rec(struct jsonout_list *l, const struct rec *r)
{
	sbuf_reset(&l->buf);
	sbuf_adds(&l->buf, l->n++ ? ",\n" : "[\n");
	rec_json(&l->buf, r);
	fwrite(l->buf.buf, 1, l->buf.len, l->fp);
}

void
jsonout_list_end(struct jsonout_list *l)
{
	fputs(l->n ? "\n]\n" : "[]\n", l->fp);
	sbuf_free(&l->buf);
}
