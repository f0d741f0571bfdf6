/* dedupe.c: when a second delivery is the same message (rt-desk(5)) */
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dedupe.h"
#include "id.h"
#include "util.h"

/* Added by relays, delivery agents and mailbox programs, never by the author. */
static const char *const transport[] = {
	"received", "x-received", "delivered-to", "x-delivered-to", "return-path",
	"x-original-to", "envelope-to", "x-envelope-from", "x-envelope-to",
	"received-spf", "authentication-results", "arc-seal", "arc-message-signature",
	"arc-authentication-results", "status", "x-status", "x-uid", "x-keywords",
	"content-length", "lines", "x-mozilla-status", "x-mozilla-status2",
};
static const char *const transport_prefix[] = { "x-spam-", "x-virus-", "x-rt-" };

int
dedupe_is_transport(const char *name, size_t len)
{
	for (size_t i = 0; i < LEN(transport); i++)
		if (strlen(transport[i]) == len && strncasecmp(name, transport[i], len) == 0)
			return 1;
	for (size_t i = 0; i < LEN(transport_prefix); i++) {
		size_t n = strlen(transport_prefix[i]);
		if (len > n && strncasecmp(name, transport_prefix[i], n) == 0)
			return 1;
	}
	return 0;
}

/* Length of the line at p (with its LF), at most end - p. */
static size_t
line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
}

/* The blob id of buf in hex; -1 when SHA1DC sees a collision attack. */
static int
hash_hex(char hex[GIT_OID_HEXSZ + 1], const void *buf, size_t len)
{
	git_oid oid;

	if (git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB) != 0)
		return -1;
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &oid);
	return 0;
}

/*
 * A mail SHA1DC refuses to hash is crafted to collide: its digest must
 * match no other delivery, so it is never dropped as a duplicate.
 */
static char *
unmatched_digest(void)
{
	ticket_id r;

	id_generate(r);
	return xasprintf("unhashable:%s", r);
}

char *
dedupe_digest(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	struct sbuf head = SBUF_INIT;
	char hex[2][GIT_OID_HEXSZ + 1], both[2 * GIT_OID_HEXSZ];
	int skip = 0;

	if (len >= 5 && memcmp(p, "From ", 5) == 0)
		p += line_len(p, end);
	while (p < end) {
		size_t n = line_len(p, end), c = n;
		while (c > 0 && (p[c - 1] == '\n' || p[c - 1] == '\r'))
			c--;
		if (c == 0) {	/* the blank line: the body follows */
			p += n;
			break;
		}
		if (*p != ' ' && *p != '\t') {
			const char *colon = memchr(p, ':', c);
			skip = colon && dedupe_is_transport(p, (size_t)(colon - p));
		}
		if (!skip) {
			sbuf_add(&head, p, c);
			sbuf_addc(&head, '\n');
		}
		p += n;
	}
	if (hash_hex(hex[0], head.buf ? head.buf : "", head.len) != 0 ||
	    hash_hex(hex[1], p, (size_t)(end - p)) != 0) {
		sbuf_free(&head);
		return unmatched_digest();
	}
	memcpy(both, hex[0], GIT_OID_HEXSZ);
	memcpy(both + GIT_OID_HEXSZ, hex[1], GIT_OID_HEXSZ);
	sbuf_free(&head);
	if (hash_hex(hex[0], both, sizeof(both)) != 0)
		return unmatched_digest();
	return xasprintf("sha1:%s", hex[0]);
}
