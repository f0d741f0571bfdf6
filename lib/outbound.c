/*
 * outbound.c: answering chat, social and phone tickets through their
 * channel's command (outbound.h).
 *
 * The command runs in its own process group, so that a timeout stops
 * what it started too (sh -c 'curl ...'). The document is written
 * without blocking: a command that never reads its stdin cannot hold
 * the desk lock beyond its timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "change.h"
#include "desk.h"
#include "fieldset.h"
#include "head.h"
#include "id.h"
#include "jsonout.h"
#include "outbound.h"
#include "people.h"
#include "reply.h"
#include "text.h"
#include "ticket.h"
#include "trust.h"
#include "txn.h"
#include "util.h"
#include "yamlio.h"

#define DEFAULT_TIMEOUT 30	/* seconds */
#define DOC_VERSION 1

static int
is_true(const struct kvmap *ev, const char *key)
{
	const char *v = kv_get(ev, key);

	return v && strcmp(v, "true") == 0;
}

/* The last message of the customer: an event-in, or a mail-in not from an agent. */
static const struct kvmap *
last_customer(struct desk *d, const struct evlog *log)
{
	const struct kvmap *last = NULL;

	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *type = kv_get(ev, "ev");
		if (type == NULL)
			continue;
		if (strcmp(type, "event-in") == 0)
			last = ev;
		else if (strcmp(type, "mail-in") == 0 && kv_get(ev, "file") && !is_true(ev, "agent") &&
		    !agent_by_email(d, kv_get(ev, "from")))
			last = ev;
	}
	return last;
}

/* A requestor that is a mail address (not "@user@host" or "slack:U1"). */
static int
has_mail_requestor(const struct kvmap *t)
{
	char **v;
	size_t n = kv_list_split(kv_get(t, "requestors"), &v);
	int yes = 0;

	for (size_t i = 0; i < n && !yes; i++) {
		const char *at = strchr(v[i], '@');
		yes = at && at > v[i] && at == strrchr(v[i], '@') && at[1];
	}
	strv_free(v, n);
	return yes;
}

/* A channel name that can be part of a dotted rt.yaml path. */
static int
channel_ok(const char *ch)
{
	return *ch && strspn(ch, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(ch);
}

int
outbound_route(struct desk *d, const struct kvmap *t,
    const struct evlog *log, struct outbound *ob)
{
	const struct kvmap *last = last_customer(d, log);
	const char *ch = kv_get(t, "channel") ? kv_get(t, "channel") : "event";
	const struct ynode *tn;
	char *tkey;

	memset(ob, 0, sizeof(*ob));
	if (last == NULL || strcmp(kv_get(last, "ev"), "event-in") != 0)
		return 0;
	if (!channel_ok(ch))
		return rt_fail(EX_DATAERR, "its channel '%s' names no rt.yaml key", ch);
	ob->key = xasprintf("channels.%s.command", ch);
	ob->command = desk_cfg_str(d, ob->key, NULL);
	if (ob->command == NULL || *ob->command == '\0') {
		int rc = has_mail_requestor(t) ? 0 : rt_fail(EX_CONFIG,
		    "it came by %s from %s, and %s has no %s to answer there (rt-desk(5), CHANNELS)",
		    ch, kv_get(last, "from") ? kv_get(last, "from") : "?", d->config_name, ob->key);
		outbound_free(ob);
		return rc;	/* answered by mail when it has an address */
	}
	tkey = xasprintf("channels.%s.timeout", ch);
	tn = desk_cfg(d, tkey);
	free(tkey);
	ob->timeout = DEFAULT_TIMEOUT;
	if (tn && !yscalar_is_null(tn) && (tn->kind != Y_SCALAR ||
	    (ob->timeout = rt_duration(tn->value)) <= 0)) {
		int rc = rt_fail(EX_CONFIG, "%s: channels.%s.timeout must be a duration such as 30s or 2m",
		    desk_cfg_where(d, tn), ch);
		outbound_free(ob);
		return rc;
	}
	ob->channel = xstrdup(ch);
	ob->ev = last;
	return 0;
}

void
outbound_free(struct outbound *ob)
{
	free(ob->channel);
	free(ob->posted);
	free(ob->key);
	memset(ob, 0, sizeof(*ob));
}

static void
set_str(json_t *o, const char *key, const char *val)
{
	if (val)
		json_object_set_new(o, key, json_string(val));
}

/* The answered event as the source sent it: "event" (JSON) or "event-text". */
static void
add_event(struct desk *d, const char *id, const struct kvmap *ev, json_t *doc)
{
	const char *file = kv_get(ev, "file");
	char *path, *buf = NULL, *text;
	size_t len = 0;
	json_t *j = NULL;

	if (file == NULL)
		return;
	path = ticket_path(id, file);
	if (desk_read_head(d, path, &buf, &len) == 0) {
		size_t fl = strlen(file);
		if (fl > 5 && strcmp(file + fl - 5, ".json") == 0)
			j = json_loadb(buf, len, 0, NULL);
		if (j && json_is_object(j))
			json_object_set_new(doc, "event", j);
		else {
			json_decref(j);
			text = utf8_clean(buf, len, 0);
			json_object_set_new(doc, "event-text", json_string(text));
			free(text);
		}
	}
	free(buf);
	free(path);
}

int
outbound_document(struct desk *d, const struct outbound *ob,
    const struct outbound_reply *r, char **buf, size_t *len)
{
	json_t *doc = json_object(), *author = json_object();
	const struct person *me;
	char *text = utf8_clean(r->text ? r->text : "", r->text ? strlen(r->text) : 0, 0);
	size_t tl = strlen(text);
	FILE *fp;
	int rc;

	while (tl && strchr(" \t\r\n", text[tl - 1]))
		text[--tl] = '\0';	/* a chat would show trailing blank lines */

	json_object_set_new(doc, "version", json_integer(DOC_VERSION));
	set_str(doc, "ticket", r->id);
	set_str(doc, "message-id", r->message_id);
	set_str(doc, "channel", ob->channel);
	set_str(doc, "source", kv_get(ob->ev, "source"));
	set_str(doc, "conversation", kv_get(ob->ev, "thread"));
	set_str(doc, "recipient", kv_get(ob->ev, "from"));
	set_str(doc, "in-reply-to", kv_get(ob->ev, "message-id"));
	set_str(doc, "queue", r->queue);
	set_str(doc, "subject", r->subject);
	json_object_set_new(doc, "text", json_string(text));
	me = r->author_address ? people_agent_by_address(d, r->author_address) : NULL;
	set_str(author, "name", me && me->display ? me->display : r->author_name);
	set_str(author, "address", r->author_address);
	json_object_set_new(doc, "author", author);
	add_event(d, r->id, ob->ev, doc);
	free(text);
	*buf = NULL;
	*len = 0;
	if ((fp = open_memstream(buf, len)) == NULL) {
		json_decref(doc);
		return rt_fail(EX_OSERR, "open_memstream: %s", strerror(errno));
	}
	rc = jsonout_doc(fp, doc, JSONOUT_LINE);
	if (fclose(fp) != 0 && rc == 0)
		rc = EX_IOERR;
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
		return rt_fail(rc, "cannot write the reply's JSON document");
	}
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's side: stdin from in[0], stdout into out[1]; its own process group. */
static pid_t
start(struct desk *d, const char *cmd, const struct outbound *ob, const char *id,
    int *in, int *out)
{
	int pi[2], po[2];
	pid_t pid;

	if (pipe2(pi, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(po, O_CLOEXEC) != 0) {
		close(pi[0]);
		close(pi[1]);
		return -1;
	}
	txn_batch_settle(d);	/* the command may read the desk */
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(pi[0]), close(pi[1]), close(po[0]), close(po[1]);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		dup2(pi[0], 0);
		dup2(po[1], 1);
		setenv("RT_DESK", d->root, 1);
		setenv("RT_TICKET", id, 1);
		setenv("RT_CHANNEL", ob->channel, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);	/* either side may be first */
	close(pi[0]);
	close(po[1]);
	fcntl(pi[1], F_SETFL, fcntl(pi[1], F_GETFL) | O_NONBLOCK);
	fcntl(po[0], F_SETFL, fcntl(po[0], F_GETFL) | O_NONBLOCK);
	*in = pi[1];
	*out = po[0];
	return pid;
}

/* A running command: the document going in, what it prints coming out. */
struct run {
	pid_t pid;
	int in, out;		/* -1 once closed */
	const char *buf;
	size_t len, off;
	struct sbuf said;	/* its stdout, at most OUT_MAX bytes kept */
	int st, exited;
};

#define OUT_MAX 4096

static void
run_io(struct run *r, int wait_ms)
{
	struct pollfd pf[2];
	nfds_t n = 0;
	char tmp[1024];
	ssize_t k;

	if (r->in >= 0)
		pf[n++] = (struct pollfd){ r->in, POLLOUT, 0 };
	if (r->out >= 0)
		pf[n++] = (struct pollfd){ r->out, POLLIN, 0 };
	if (n == 0 || poll(pf, n, wait_ms) <= 0)
		return;
	if (r->in >= 0 && pf[0].revents) {
		k = write(r->in, r->buf + r->off, r->len - r->off);
		if (k > 0)
			r->off += (size_t)k;
		if (r->off == r->len || (k < 0 && errno != EAGAIN && errno != EINTR)) {
			close(r->in);	/* EPIPE: its exit status says the rest */
			r->in = -1;
		}
	}
	if (r->out >= 0 && pf[n - 1].revents) {
		while ((k = read(r->out, tmp, sizeof(tmp))) > 0)
			if (r->said.len < OUT_MAX)
				sbuf_add(&r->said, tmp, (size_t)k);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
			close(r->out);
			r->out = -1;
		}
	}
}

/*
 * Feeds the document and collects the output until the command has
 * exited and closed its stdout (a child it left running may keep that
 * open: then until its exit only). 1 if the deadline came first, and
 * the process group was stopped.
 */
static int
run_wait(struct run *r, long long deadline)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int timed_out = 0;

	sigaction(SIGPIPE, &ign, &old);
	while (!r->exited || (r->out >= 0 && now_ms() < deadline)) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			if (!r->exited) {
				kill(-r->pid, SIGKILL);
				kill(r->pid, SIGKILL);
				while (waitpid(r->pid, &r->st, 0) < 0 && errno == EINTR)
					;
				timed_out = 1;
			}
			break;
		}
		run_io(r, r->exited ? 0 : (int)(left < 20 ? left : 20));
		if (!r->exited && waitpid(r->pid, &r->st, WNOHANG) == r->pid)
			r->exited = 1;
		if (r->exited && r->out >= 0)
			run_io(r, 0);	/* what is there now; a survivor may hold it open */
		if (r->exited)
			break;
	}
	if (r->in >= 0)
		close(r->in);
	if (r->out >= 0)
		close(r->out);
	sigaction(SIGPIPE, &old, NULL);
	return timed_out;
}

/* An id as event keys have them: one word of safe characters. */
static char *
posted_id(const struct sbuf *said)
{
	size_t n;

	if (said->buf == NULL)
		return NULL;
	n = strcspn(said->buf, "\r\n");
	if (n == 0 || n > 200 || strspn(said->buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._:@!$+=/-") < n)
		return NULL;
	return xstrndup(said->buf, n);
}

int
outbound_send(struct desk *d, struct outbound *ob, const char *id,
    const char *buf, size_t len)
{
	struct run r;
	const char *cmd;
	long long deadline;
	int rc;

	if ((rc = trust_cfg_command(d, ob->key, &cmd)) != 0)
		return rc;
	if (cmd == NULL || *cmd == '\0')
		return rt_fail(EX_CONFIG, "%s: %s is not set", d->config_name, ob->key);
	memset(&r, 0, sizeof(r));
	r.buf = buf;
	r.len = len;
	deadline = now_ms() + ob->timeout * 1000;
	if ((r.pid = start(d, cmd, ob, id, &r.in, &r.out)) < 0)
		return rt_fail(EX_TEMPFAIL, "cannot start %s: %s", ob->key, strerror(errno));
	if (run_wait(&r, deadline))
		rc = rt_fail(EX_TEMPFAIL, "%s did not finish within %llds and was stopped; "
		    "nothing recorded as sent", ob->key, ob->timeout);
	else if (!WIFEXITED(r.st) || WEXITSTATUS(r.st) != 0)
		rc = rt_fail(EX_TEMPFAIL, "%s failed (%s %d); nothing recorded as sent", ob->key,
		    WIFEXITED(r.st) ? "exit" : "signal",
		    WIFEXITED(r.st) ? WEXITSTATUS(r.st) : WTERMSIG(r.st));
	else if ((ob->posted = posted_id(&r.said)) != NULL)
		sbuf_free(&r.said);
	if (r.said.len)	/* not an id: for the agent to read */
		fwrite(r.said.buf, 1, r.said.len, stderr);
	sbuf_free(&r.said);
	return rc;
}

void
outbound_note(const struct outbound *ob, struct change *c, struct kvmap *ev,
    const char *doc, size_t len)
{
	char *file = change_add_file(c, "json", doc, len);

	kv_set(ev, "channel", ob->channel);
	kv_set(ev, "source", kv_get(ob->ev, "source"));
	kv_set(ev, "thread", kv_get(ob->ev, "thread"));
	kv_set(ev, "in-reply-to", kv_get(ob->ev, "message-id"));
	kv_set(ev, "sent", file);
	free(file);
	if (ob->posted) {
		/* the channel's own id of the reply: an answer to it threads here */
		char *key = xasprintf("%s:%s", kv_get(ob->ev, "source") ?
		    kv_get(ob->ev, "source") : ob->channel, ob->posted);
		kv_set(change_event(c, "posted"), "message-id", key);
		free(key);
	}
}
