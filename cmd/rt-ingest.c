/* rt-ingest: turn mail into tickets, threading follow-ups onto their ticket */
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <mailutils/mailutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "event.h"
#include "ingest.h"
#include "spool.h"
#include "txn.h"
#include "util.h"

static const char usage[] =
"usage: rt-ingest [--desk DIR] [-q] [--mbox FILE | --maildir DIR |\n"
"                 --event [--source NAME] [FILE]]\n"
"Store mail as tickets; print each message's ticket id.\n"
"  --mbox FILE      import every message of an mbox file\n"
"  --maildir DIR    import every message of a Maildir (new/ and cur/)\n"
"  --event          read machine events (JSON, YAML, CSV, Nagios log) from\n"
"                   FILE or standard input; print each event's ticket id\n"
"  --source NAME    the events' source instead of guessing it from the payload\n"
"  -q, --quiet      print no ticket ids\n"
"With none of these, read one message on standard input (procmail, MTA pipe).\n";

static int qflag;

/* Worst outcome wins: a message to retry beats a rejected one. */
static int
worse(int a, int b)
{
	if (a == EX_TEMPFAIL || b == EX_TEMPFAIL)
		return EX_TEMPFAIL;
	return a ? a : b;
}

static int
ingest_spooled(struct desk *d, const char *spool, size_t size, const char *label)
{
	struct ingest_result r;
	int rc = ingest_mail(d, spool, size, &r);

	if (rc == 0 && !qflag)
		printf("%s\n", r.id);
	if (rc != 0)
		warnx("%s: %s", label, rt_errmsg());
	free(r.quarantined);
	unlink(spool);
	return rc;
}

static int
ingest_stdin(struct desk *d)
{
	char *spool;
	size_t size;
	int rc;

	if ((rc = spool_fd(d, 0, &spool, &size)) != 0) {
		warnx("<stdin>: %s", rt_errmsg());
		return rc;
	}
	if (size == 0) {
		unlink(spool);
		free(spool);
		warnx("<stdin>: empty input, nothing stored");
		return EX_NOINPUT;
	}
	rc = ingest_spooled(d, spool, size, "<stdin>");
	free(spool);
	return rc;
}

/* Copies one message of a mailbox, byte for byte, into a spool file. */
static int
spool_message(struct desk *d, mu_message_t msg, char **spool, size_t *size)
{
	mu_stream_t s;
	struct sbuf sb = SBUF_INIT;
	char buf[65536];
	size_t n;
	int rc;

	if (mu_message_get_streamref(msg, &s) != 0)
		return rt_fail(EX_DATAERR, "cannot read message");
	while (mu_stream_read(s, buf, sizeof(buf), &n) == 0 && n > 0)
		sbuf_add(&sb, buf, n);
	mu_stream_destroy(&s);
	*size = sb.len;
	rc = spool_buf(d, sb.buf ? sb.buf : "", sb.len, spool);
	sbuf_free(&sb);
	return rc;
}

/* An mbox libmailutils cannot split is kept whole in quarantine. */
static int
quarantine_file(struct desk *d, const char *file, const char *why)
{
	char *where = NULL, *reason = xasprintf("cannot read mbox: %s", why);
	int rc = quarantine_store(d, file, reason, &where);

	if (rc == 0) {
		warnx("%s: %s (kept as %s)", file, reason, where);
		rc = EX_DATAERR;
	} else
		warnx("%s: %s", file, rt_errmsg());
	free(reason);
	free(where);
	return rc;
}

static int
ingest_mbox(struct desk *d, const char *file)
{
	mu_mailbox_t mb = NULL;
	size_t count;
	char *url = xasprintf("mbox:%s", file);
	int status = 0, rc;

	mu_registrar_record(mu_mbox_record);
	if (access(file, R_OK) < 0) {
		free(url);
		warn("%s", file);
		return EX_NOINPUT;
	}
	if ((rc = mu_mailbox_create_default(&mb, url)) != 0 ||
	    (rc = mu_mailbox_open(mb, MU_STREAM_READ)) != 0 ||
	    (rc = mu_mailbox_messages_count(mb, &count)) != 0) {
		free(url);
		if (mb)
			mu_mailbox_destroy(&mb);
		return quarantine_file(d, file, mu_strerror(rc));
	}
	for (size_t i = 1; i <= count; i++) {
		mu_message_t msg;
		char *spool, *label = xasprintf("%s: message %zu", file, i);
		size_t size;
		int rc;
		if (mu_mailbox_get_message(mb, i, &msg) != 0)
			rc = EX_DATAERR, warnx("%s: cannot read", label);
		else if ((rc = spool_message(d, msg, &spool, &size)) != 0)
			warnx("%s: %s", label, rt_errmsg());
		else {
			rc = ingest_spooled(d, spool, size, label);
			free(spool);
		}
		status = worse(status, rc);
		free(label);
		fflush(stdout);
	}
	mu_mailbox_close(mb);
	mu_mailbox_destroy(&mb);
	free(url);
	return status;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Maildir files are read directly, oldest name first, and left in place. */
static int
ingest_maildir_sub(struct desk *d, const char *dir, const char *sub, int *found)
{
	char *path = xasprintf("%s/%s", dir, sub);
	DIR *dp = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int status = 0;

	if (dp == NULL) {
		free(path);
		return 0;
	}
	(*found)++;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		char *file = xasprintf("%s/%s", path, names[i]), *spool, *buf;
		size_t len;
		int rc;
		if (read_file(file, &buf, &len) < 0)
			rc = EX_NOINPUT, warn("%s", file);
		else {
			if ((rc = spool_buf(d, buf, len, &spool)) == 0) {
				rc = ingest_spooled(d, spool, len, file);
				free(spool);
			} else
				warnx("%s: %s", file, rt_errmsg());
			free(buf);
		}
		status = worse(status, rc);
		free(file);
		fflush(stdout);
	}
	strv_free(names, n);
	free(path);
	return status;
}

static void
print_event(const struct ingest_result *r, void *arg)
{
	(void)arg;
	if (!qflag)
		printf("%s\n", r->id);
}

/* One event payload; no more than the payload limit is ever spooled. */
static int
ingest_event_file(struct desk *d, const char *file, const char *source)
{
	const char *label = file ? file : "<stdin>";
	char *where = NULL;
	int fd = file ? open(file, O_RDONLY) : 0, rc;

	if (fd < 0) {
		warn("%s", file);
		return EX_NOINPUT;
	}
	if ((rc = ingest_events_fd(d, fd, source, print_event, NULL, &where)) != 0)
		warnx("%s: %s", label, rt_errmsg());
	if (file)
		close(fd);
	free(where);
	return rc;
}

static int
ingest_maildir(struct desk *d, const char *dir)
{
	int found = 0;
	int status = worse(ingest_maildir_sub(d, dir, "cur", &found),
	    ingest_maildir_sub(d, dir, "new", &found));

	if (found == 0) {
		warnx("'%s' is not a Maildir (no cur/ or new/)", dir);
		return EX_NOINPUT;
	}
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "mbox", required_argument, NULL, 'm' },
		{ "maildir", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "event", no_argument, NULL, 'e' },
		{ "source", required_argument, NULL, 's' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *mbox = NULL, *maildir = NULL, *source = NULL;
	struct desk *d;
	int ch, rc, eflag = 0;

	while ((ch = getopt_long(argc, argv, "C:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'm': mbox = optarg; break;
		case 'M': maildir = optarg; break;
		case 'q': qflag = 1; break;
		case 'e': eflag = 1; break;
		case 's': source = optarg; break;
		default: cli_common(ch, usage);
		}
	}
	if (argc - optind > eflag || (mbox && maildir) || (eflag && (mbox || maildir)) ||
	    (source && !eflag))
		cli_usage(usage, 0);
	/* The lock is taken per message, so deliveries interleave with a bulk import. */
	if ((rc = desk_open(&d, deskpath, DESK_DURABLE)) != 0) {
		warnx("%s", rt_errmsg());
		/* Under an MTA a missing or busy desk is worth a retry. */
		return rc == EX_NOINPUT || rc == EX_CONFIG ? rc : EX_TEMPFAIL;
	}
	if (eflag || mbox || maildir)
		txn_batch_begin(d);	/* one pack and one branch move per batch */
	if (eflag)
		rc = ingest_event_file(d, optind < argc ? argv[optind] : NULL, source);
	else if (mbox)
		rc = ingest_mbox(d, mbox);
	else if (maildir)
		rc = ingest_maildir(d, maildir);
	else
		rc = ingest_stdin(d);
	if (txn_batch_end(d) != 0) {	/* not all on disk: the sender retries */
		warnx("%s", rt_errmsg());
		rc = EX_TEMPFAIL;
	}
	desk_close(d);
	return cli_close_stdout(rc);
}
