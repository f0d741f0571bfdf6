/* id.h: ticket ids and where a ticket lives in the desk */
#ifndef RT_ID_H
#define RT_ID_H

#include <stddef.h>

/*
 * A ticket id is 8 characters of Crockford base32 (0-9, A-Z without
 * I, L, O, U): 40 random bits, so clones that create tickets
 * independently practically never collide.
 */
#define ID_LEN 8
typedef char ticket_id[ID_LEN + 1];

void id_generate(ticket_id out);
/*
 * Normalises user input ("#k7m2-q9xd", "K7M2Q9XD"): strips '#' and '-',
 * upper-cases, maps I/L to 1 and O to 0. Returns 0 if it is an id.
 */
int id_parse(const char *s, ticket_id out);
/* Finds "#ID" in a subject tag such as "[Desk #K7M2Q9XD]"; 0 if found. */
int id_from_subject(const char *subject, ticket_id out);

/*
 * The desk format (rt-desk(5)): 1 for desks without .rt/format, else
 * its number. It decides where a ticket lives; desk_open sets it from
 * HEAD's .rt/format, so this is the one place that builds ticket paths.
 */
#define DESK_FORMAT 2
void id_set_format(int format);
int id_format(void);
/* Folder levels below tickets/: 2 (format 1) or 3 (format 2). */
int id_levels(void);

/* "tickets/K/7/M/K7M2Q9XD" (format 1: "tickets/K7/M2/K7M2Q9XD"); malloc'd. */
char *ticket_dir(const char *id);
/* The same with "/NAME"; malloc'd. */
char *ticket_path(const char *id, const char *name);

/*
 * The ticket a desk path belongs to ("tickets/.../ID/log.yaml"), in
 * out; 0 if the path is inside a ticket's folder.
 */
int ticket_of_path(const char *path, ticket_id out);

/* A sorted set of ticket ids, each once (v malloc'd; strv_free(v, n)). */
struct id_set {
	char **v;
	size_t n, cap;
};
void id_set_add(struct id_set *s, const char *id);
#endif
