/* rt-ingest: turn mail into tickets, threading follow-ups onto their ticket */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrival.h"
#include "cli.h"
#include "desk.h"
#include "event.h"
#include "ingest.h"
#include "maildir.h"
#include "mbox.h"
#include "spool.h"
#include "txn.h"
#include "util.h"

static const char usage[] =
"usage: rt-ingest [--desk DIR] [-q] [--mbox FILE | --maildir DIR [--keep-dates] |\n"
"                 --event [--source NAME] [FILE]]\n"
"Store mail as tickets; print each message's ticket id.\n"
"  --mbox FILE      import every message of an mbox file\n"
"  --maildir DIR    import every message of a Maildir (cur/, then new/)\n"
"  --keep-dates     date tickets by each message's Date (an archive import),\n"
"                   not by the time of arrival\n"
"  --event          read machine events (JSON, YAML, CSV, Nagios log) from\n"
"                   FILE or standard input; print each event's ticket id\n"
"  --source NAME    the events' source instead of guessing it from the payload\n"
"  -q, --quiet      print no ticket ids\n"
"With none of these, read one message on standard input (procmail, MTA pipe).\n";

static int qflag, ingest_flags;

/*
 * Ids go down a pipe to commands that read the desk: in a batch, an id is
 * printed only once its commit is on the branch and durable. Ids of a
 * batch write that failed are never printed (those messages exit 75).
 */
static struct {
	char **ids;
	size_t n;
	unsigned long failures;
} held;

static void
print_held(void)
{
	for (size_t i = 0; i < held.n; i++)
		printf("%s\n", held.ids[i]);
	fflush(stdout);
	strv_free(held.ids, held.n);
	held.ids = NULL;
	held.n = 0;
}

static void
drop_held(void)
{
	strv_free(held.ids, held.n);
	held.ids = NULL;
	held.n = 0;
}

/* After each message: what is durable now is printed, what failed dropped. */
static void
announce(struct desk *d, const char *id)
{
	unsigned long failures;
	int settled = txn_batch_settled(d, &failures);

	if (failures != held.failures) {
		held.failures = failures;
		drop_held();
	}
	if (id && !qflag) {
		held.ids = xrealloc(held.ids, (held.n + 1) * sizeof(*held.ids));
		held.ids[held.n++] = xstrdup(id);
	}
	if (settled)
		print_held();
}

/*
 * The line of mail not stored that the mail system will retry, which its
 * log keeps: what failed, the user and folder when rt may not write the
 * desk, and what happens to the mail. Every input path says it so.
 */
static int
deferred(struct desk *d, const char *label)
{
	warnx("%s: %s%s; not stored, retry later", label, rt_errmsg(), desk_write_hint(d));
	return EX_TEMPFAIL;
}

/*
 * A message ends stored (0), quarantined as not mail (65) or to be
 * retried (75): whatever else went wrong is about the desk, not the mail.
 */
static int
ingest_spooled(struct desk *d, struct spool *s, const char *label)
{
	struct ingest_result r = { 0 };
	const char *buf;
	size_t len;
	int rc = spool_bytes(s, &buf, &len);

	if (rc == 0)
		rc = ingest_mail(d, buf, len, s->size, ingest_flags, &r);

	announce(d, rc == 0 ? r.id : NULL);
	/* The mail system's log keeps this line: say what happens to the mail. */
	if (rc != 0 && rc == EX_DATAERR && r.quarantined)
		warnx("%s: %s", label, rt_errmsg());
	else if (rc != 0)
		deferred(d, label);
	/* The mail is durable: nothing after this changes the exit code. */
	if (rc == 0 && r.created && (ingest_flags & INGEST_ARRIVAL) && !d->config_error &&
	    arrival_run(d, r.id) != 0)
		warnx("#%s: arrival processing not finished (%s); rt-route --pending will",
		    r.id, rt_errmsg());
	if (rc != 0 && !(rc == EX_DATAERR && r.quarantined))
		rc = EX_TEMPFAIL;
	free(r.quarantined);
	return rc;
}

static int
ingest_stdin(struct desk *d)
{
	struct spool s;
	int rc;

	if (spool_fd(d, 0, ingest_max_bytes(d), &s) != 0)
		return deferred(d, "<stdin>");
	rc = ingest_spooled(d, &s, "<stdin>");
	spool_discard(&s);
	return rc;
}

/* Input that is no mailbox at all is kept in quarantine, as mail that is not mail. */
static int
quarantine_file(struct desk *d, const char *file, const char *why)
{
	char *where = NULL, *reason = xasprintf("cannot read mbox: %s", why);
	int rc = quarantine_store_file(d, file, reason, &where);

	/* The line every refused input gets (its entry's id), or the retry's. */
	if (rc == EX_DATAERR)
		warnx("%s: %s", file, rt_errmsg());
	else
		rc = deferred(d, file);
	free(reason);
	free(where);
	return rc;
}

struct import {
	struct desk *d;
	const char *file;
	int status;
	size_t n;	/* messages seen */
};

/* An empty mailbox is a mailbox: nothing to store, said unless -q. */
static int
no_messages(const struct import *im, int rc)
{
	if (rc == 0 && im->n == 0 && !qflag)
		warnx("%s: no messages", im->file);
	return rc;
}

static int
ingest_mbox_message(struct spool *s, size_t n, void *arg)
{
	struct import *im = arg;
	char *label = xasprintf("%s: message %zu", im->file, n);

	im->n++;
	im->status = rt_worse(im->status, ingest_spooled(im->d, s, label));
	free(label);
	return 0;
}

static int
ingest_mbox(struct desk *d, const char *file)
{
	struct import im = { d, file, 0, 0 };
	int rc = mbox_read(d, file, ingest_max_bytes(d), ingest_mbox_message, &im);

	if (rc == EX_DATAERR && im.status == 0)
		return quarantine_file(d, file, rt_errmsg());
	if (rc == EX_TEMPFAIL)
		deferred(d, file);	/* the messages from here on */
	else if (rc != 0)
		warnx("%s: %s", file, rt_errmsg());
	return no_messages(&im, rt_worse(im.status, rc));
}

/* One Maildir entry: a message to store, or why it was not read. */
static int
ingest_maildir_file(const char *file, struct spool *s, int rc, void *arg)
{
	struct import *im = arg;

	im->status = 1;	/* an entry was seen: its line is printed here */
	im->n++;
	if (s != NULL)
		return ingest_spooled(im->d, s, file);
	if (rc == 0)
		warnx("%s: not a regular file, skipped", file);
	else if (rc == EX_TEMPFAIL)
		deferred(im->d, file);
	else
		warnx("%s: %s", file, rt_errmsg());
	return rc;
}

static void
print_event(const struct ingest_result *r, void *arg)
{
	announce(arg, r->id);
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
	if ((rc = ingest_events_fd(d, fd, source, print_event, d, &where)) != 0)
		warnx("%s: %s", label, rt_errmsg());
	if (file)
		close(fd);
	free(where);
	return rc;
}

/* Maildir files are read in place, oldest name first, and left there. */
static int
ingest_maildir(struct desk *d, const char *dir)
{
	struct import im = { d, dir, 0, 0 };
	int rc = maildir_read(d, dir, ingest_max_bytes(d), ingest_maildir_file, &im);

	if (rc == EX_TEMPFAIL && im.status == 0)
		deferred(d, dir);
	else if (rc != 0 && im.status == 0)
		warnx("%s: %s", dir, rt_errmsg());
	return no_messages(&im, rc);
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
		{ "keep-dates", no_argument, NULL, 'k' },
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
		case 'k': ingest_flags |= INGEST_KEEP_DATES; break;
		default: cli_common(ch, usage);
		}
	}
	if (argc - optind > eflag || (mbox && maildir) || (eflag && (mbox || maildir)) ||
	    (source && !eflag) || (ingest_flags && !mbox && !maildir))
		cli_usage(usage, 0);
	/*
	 * The lock is taken per message, so deliveries interleave with a bulk
	 * import. Whatever is wrong with the desk is for its admin to fix
	 * while the MTA keeps the mail: retry, never a bounce.
	 */
	if ((rc = desk_open(&d, deskpath, DESK_DURABLE |
	    (eflag ? 0 : DESK_CONFIG_FALLBACK))) != 0) {
		warnx("%s; not stored, retry later", rt_errmsg());
		return EX_TEMPFAIL;
	}
	if (d->config_error)
		warnx("warning: %s; stored with built-in defaults, arrival processing waits "
		    "for rt-route --pending", d->config_error);
	if (!eflag && !mbox && !maildir && arrival_configured(d))
		ingest_flags |= INGEST_ARRIVAL;
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
	announce(d, NULL);
	drop_held();
	desk_close(d);
	return cli_close_stdout(rc);
}
