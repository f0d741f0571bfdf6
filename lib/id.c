/* id.c: ticket ids (Crockford base32) and ticket paths */
#include <ctype.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "id.h"
#include "util.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void
random_bytes(unsigned char *buf, size_t n)
{
	if (rt_random(buf, n) != 0) {
		/* No entropy source: mix time and pid, still unique per process. */
		unsigned long long x = (unsigned long long)time(NULL) * 6364136223846793005ULL ^
		    (unsigned long long)getpid() << 20 ^ (unsigned long long)clock();
		for (size_t i = 0; i < n; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
			buf[i] = (unsigned char)(x >> 56);
	}
}

void
id_generate(ticket_id out)
{
	unsigned char b[5];
	unsigned long long v = 0;

	random_bytes(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		v = v << 8 | b[i];
	for (int i = ID_LEN - 1; i >= 0; i--, v >>= 5)
		out[i] = alphabet[v & 31];
	out[ID_LEN] = '\0';
}

static int
id_char(int c)
{
	c = toupper(c);
	if (c == 'I' || c == 'L')
		return '1';
	if (c == 'O')
		return '0';
	return strchr(alphabet, c) && c ? c : -1;
}

int
id_parse(const char *s, ticket_id out)
{
	size_t n = 0;

	if (*s == '#')
		s++;
	for (; *s; s++) {
		int c;
		if (*s == '-')
			continue;
		if ((c = id_char((unsigned char)*s)) < 0 || n == ID_LEN)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n == ID_LEN ? 0 : -1;
}

int
id_from_subject(const char *subject, ticket_id out)
{
	for (const char *p = strchr(subject, '#'); p; p = strchr(p + 1, '#')) {
		char cand[ID_LEN + 1];
		size_t n = 0;
		const char *q = p + 1;

		while (n < ID_LEN && *q && id_char((unsigned char)*q) > 0)
			cand[n++] = *q++;
		cand[n] = '\0';
		if (n != ID_LEN || isalnum((unsigned char)*q))
			continue;
		/* Only a tag in brackets counts: "[Desk #ID]". */
		if (*q != ']' || memchr(subject, '[', (size_t)(p - subject)) == NULL)
			continue;
		if (id_parse(cand, out) == 0)
			return 0;
	}
	return -1;
}

static int desk_format = 1;	/* until a desk says otherwise (format.h) */

void
id_set_format(int format)
{
	desk_format = format;
}

int
id_format(void)
{
	return desk_format;
}

int
id_levels(void)
{
	return desk_format >= 2 ? 3 : 2;
}

/* Format 1: tickets/K7/M2/ID; format 2: tickets/K/7/M/ID (32 entries a tree). */
char *
ticket_dir(const char *id)
{
	if (desk_format >= 2)
		return xasprintf("tickets/%.1s/%.1s/%.1s/%s", id, id + 1, id + 2, id);
	return xasprintf("tickets/%.2s/%.2s/%s", id, id + 2, id);
}

char *
ticket_path(const char *id, const char *name)
{
	char *dir = ticket_dir(id), *p = xasprintf("%s/%s", dir, name);

	free(dir);
	return p;
}

int
ticket_of_path(const char *path, ticket_id out)
{
	const char *p = path, *slash;

	if (!str_starts(path, "tickets/"))
		return -1;
	for (p = path + strlen("tickets/"); *p; p = slash + 1) {
		ticket_id id;
		char *dir;
		size_t len;
		int ok;
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == ID_LEN) {
			char word[ID_LEN + 1];
			memcpy(word, p, ID_LEN);
			word[ID_LEN] = '\0';
			if (id_parse(word, id) == 0 && strcmp(word, id) == 0) {
				dir = ticket_dir(id);
				ok = str_starts(path, dir) && (path[strlen(dir)] == '/' ||
				    path[strlen(dir)] == '\0');
				free(dir);
				if (ok) {
					memcpy(out, id, ID_LEN + 1);
					return 0;
				}
			}
		}
		if (slash == NULL)
			break;
	}
	return -1;
}

void
id_set_add(struct id_set *s, const char *id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid], id);
		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap)
		s->v = xrealloc(s->v, (s->cap = s->cap ? s->cap * 2 : 16) * sizeof(*s->v));
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof(*s->v));
	s->v[lo] = xstrdup(id);
	s->n++;
}
