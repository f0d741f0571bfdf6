/*
 * gen_desk: writes a git fast-import stream that adds N synthetic tickets
 * (log.yaml and one mail each, in desk format 2: the state is the replay
 * of the log, ticket.yaml is not tracked) to refs/heads/main in one
 * commit. The YAML is produced by rt's own emitter. For benchmarks only.
 * usage: gen_desk N [SEED] | git fast-import --quiet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlc.h"
#include "id.h"
#include "kv.h"
#include "ticket.h"
#include "util.h"

static const char *statuses[] = { "open", "open", "open", "open", "open", "open",
	"new", "waiting", "resolved", "resolved", "resolved", "closed" };
static const char *queues[] = { "general", "billing", "network", "hardware" };
static const char *prios[] = { "low", "normal", "normal", "normal", "high", "urgent" };
static const char *agents[] = { "anna", "ben", "chris", "dora", "emil" };
static const char *words[] = { "printer", "vpn", "invoice", "password", "laptop",
	"Drucker", "Rechnung", "Ausfall", "mail", "backup", "license", "server" };

static void
inline_file(const char *path, const char *buf, size_t len)
{
	printf("M 100644 inline %s\ndata %zu\n", path, len);
	fwrite(buf, 1, len, stdout);
	putchar('\n');
}

/* Starts an event with its id and clock (at in ms, then a counter). */
static void
event_start(struct kvmap *ev, time_t at, int n, const char *type)
{
	char id[EVID_LEN + 1], clock[HLC_LEN], when[RT_TIMELEN];
	struct hlc h = { (long long)at * 1000, n };

	evid_generate(id);
	rt_fmttime(at, when);
	kv_set(ev, "id", id);
	kv_set(ev, "hlc", hlc_fmt(&h, clock));
	kv_set(ev, "at", when);
	kv_set(ev, "by", "bench");
	kv_set(ev, "ev", type);
}

static void
put_event(struct sbuf *log, struct kvmap *ev)
{
	char *buf;
	size_t len;

	if (event_render(ev, &buf, &len) == 0) {
		sbuf_add(log, buf, len);
		free(buf);
	}
	kv_free(ev);
}

static void
one_ticket(long i, time_t now)
{
	struct kvmap t = KVMAP_INIT, ev = KVMAP_INIT;
	struct sbuf log = SBUF_INIT, mail = SBUF_INIT;
	char created[RT_TIMELEN], *path, *mid;
	const char *status = statuses[rand() % LEN(statuses)];
	time_t c = now - (time_t)(rand() % (90 * 86400));
	time_t later = c + 600 + rand() % 86400;
	ticket_id id;

	id_generate(id);
	rt_fmttime(c, created);
	kv_setf(&t, "subject", "%s problem number %ld with %s", words[rand() % LEN(words)], i,
	    words[rand() % LEN(words)]);
	kv_set(&t, "status", "new");
	kv_set(&t, "queue", queues[rand() % LEN(queues)]);
	kv_set(&t, "priority", prios[rand() % LEN(prios)]);
	kv_set(&t, "owner", agents[rand() % LEN(agents)]);
	kv_setf(&t, "requestors", "user%ld@customer%ld.example", i, i % 500);
	kv_set(&t, "channel", "mail");
	kv_set(&t, "created", created);
	/* create carries the initial fields; the state is their replay */
	event_start(&ev, c, 0, "create");
	for (size_t k = 0; k < t.n; k++)
		kv_set(&ev, t.v[k].key, t.v[k].val);
	put_event(&log, &ev);
	mid = xasprintf("bench-%ld-%s@example.com", i, id);
	event_start(&ev, c, 1, "mail-in");
	kv_set(&ev, "file", "msg/00000000T000000Z-0000000000.eml");
	kv_set(&ev, "message-id", mid);
	put_event(&log, &ev);
	if (strcmp(status, "new") != 0) {
		event_start(&ev, later, 0, "set");
		kv_set(&ev, "field", "status"), kv_set(&ev, "old", "new"), kv_set(&ev, "new", status);
		put_event(&log, &ev);
	}
	path = ticket_path(id, "log.yaml");
	inline_file(path, log.buf, log.len);
	free(path);
	sbuf_addf(&mail, "From: user%ld@customer%ld.example\nTo: support@example.org\n"
	    "Subject: %s\nMessage-Id: <%s>\n\nPlease help.\n", i, i % 500, kv_get(&t, "subject"), mid);
	path = ticket_path(id, "msg/00000000T000000Z-0000000000.eml");
	inline_file(path, mail.buf, mail.len);
	free(path);
	free(mid);
	sbuf_free(&log);
	sbuf_free(&mail);
	kv_free(&t);
}

int
main(int argc, char *argv[])
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	time_t now = rt_now();

	srand(argc > 2 ? (unsigned)atoi(argv[2]) : 42u);
	id_set_format(DESK_FORMAT);	/* rt-init makes format-2 desks */
	static const char msg[] = "bench: synthetic tickets\n";

	printf("commit refs/heads/main\ncommitter Bench <bench@example.com> %lld +0000\n"
	    "data %zu\n%sfrom refs/heads/main^0\n", (long long)now, sizeof(msg) - 1, msg);
	for (long i = 0; i < n; i++)
		one_ticket(i, now);
	printf("\n");
	return fflush(stdout) ? 1 : 0;
}
