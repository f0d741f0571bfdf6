/*
 * route_gen: fills a desk with N small mail tickets quickly (a few commits
 * of 500 tickets instead of one durable commit per mail as rt-ingest makes),
 * for bench/route.sh. Prints the ticket ids. Seeded, so runs agree.
 *
 *   route_gen DESK N
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "id.h"
#include "kv.h"
#include "ticket.h"
#include "txn.h"
#include "util.h"

static const char *const words[] = {
	"printer", "Drucker", "server", "Ausfall", "login", "password", "invoice",
	"Rechnung", "network", "VPN", "mail", "slow", "error", "Störung", "backup",
	"laptop", "Passwort", "license", "down", "Zugang",
};

static unsigned long seed = 42;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((seed >> 33) % n);
}

static void
put_events(struct txn *t, const char *id, struct kvmap *ev, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	char *buf, *path;
	size_t len;

	for (size_t i = 0; i < n; i++) {
		if (event_render(&ev[i], &buf, &len) != 0)
			errx(EX_SOFTWARE, "cannot render event");
		sbuf_add(&sb, buf, len);
		free(buf);
	}
	path = ticket_path(id, "log.yaml");
	txn_put(t, path, sb.buf, sb.len);
	free(path);
	sbuf_free(&sb);
}

int
main(int argc, char *argv[])
{
	struct desk *d;
	long n;
	int rc;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: route_gen DESK N\n");
		return EX_USAGE;
	}
	if ((rc = desk_open(&d, argv[1], DESK_WRITE | DESK_NOCACHE)) != 0)
		errx(rc, "%s", rt_errmsg());
	for (long done = 0; done < n;) {
		struct txn *t = txn_begin(d);
		long batch = n - done < 500 ? n - done : 500;
		for (long i = 0; i < batch; i++, done++) {
			struct kvmap tk = KVMAP_INIT, ev[2] = { KVMAP_INIT, KVMAP_INIT };
			char *subject, *from, *mail, *buf, *path, *file;
			const char *w1 = words[rnd(LEN(words))], *w2 = words[rnd(LEN(words))];
			const char *w3 = words[rnd(LEN(words))];
			char at[RT_TIMELEN];
			size_t len;
			ticket_id id;

			id_generate(id);
			rt_fmttime(1795000000 + done * 37, at);
			subject = xasprintf("%s %s problem %ld", w1, w2, done);
			from = xasprintf("user%ld@cust%ld.example", done, done % 300);
			mail = xasprintf("From: User %ld <%s>\nTo: %s@example.org\nSubject: %s\n"
			    "Message-ID: <bench%ld@example.com>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n"
			    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
			    "Hello,\n\nour %s has a problem since this morning (%s).\n"
			    "Please help.\n\nRegards\n", done, from, done % 7 ? "support" : "billing",
			    subject, done, w3, w1);
			file = xasprintf("msg/%.4s%.2s%.2sT%.2s%.2s%.2sZ-%010ld.eml", at, at + 5, at + 8,
			    at + 11, at + 14, at + 17, done);
			kv_set(&tk, "id", id);
			kv_set(&tk, "subject", subject);
			kv_set(&tk, "status", "new");
			kv_set(&tk, "queue", "general");
			kv_set(&tk, "priority", "normal");
			kv_set(&tk, "requestors", from);
			kv_set(&tk, "channel", "mail");
			kv_set(&tk, "created", at);
			if (ticket_render(&tk, &buf, &len) != 0)
				errx(EX_SOFTWARE, "cannot render ticket");
			path = ticket_path(id, "ticket.yaml");
			txn_put(t, path, buf, len);
			free(path), free(buf);
			path = ticket_path(id, file);
			txn_put(t, path, mail, strlen(mail));
			free(path);
			for (int e = 0; e < 2; e++) {
				kv_set(&ev[e], "at", at);
				kv_set(&ev[e], "by", "bench");
			}
			kv_set(&ev[0], "ev", "create");
			kv_set(&ev[0], "status", "new");
			kv_set(&ev[1], "ev", "mail-in");
			kv_set(&ev[1], "file", file);
			kv_setf(&ev[1], "message-id", "bench%ld@example.com", done);
			kv_set(&ev[1], "from", from);
			kv_set(&ev[1], "subject", subject);
			put_events(t, id, ev, 2);
			printf("%s\n", id);
			kv_free(&tk), kv_free(&ev[0]), kv_free(&ev[1]);
			free(subject), free(from), free(mail), free(file);
		}
		{
			struct kvmap tr = KVMAP_INIT;
			kv_set(&tr, "Action", "bench");
			if ((rc = txn_commit(t, "bench: generated tickets", &tr, NULL)) != 0)
				errx(rc, "%s", rt_errmsg());
			kv_free(&tr);
		}
		txn_free(t);
	}
	desk_close(d);
	return 0;
}
