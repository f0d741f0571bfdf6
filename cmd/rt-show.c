/* rt-show: one ticket: its fields, then its conversation, notes and changes */
#include <err.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "cli.h"
#include "desk.h"
#include "head.h"
#include "hlc.h"
#include "humantime.h"
#include "id.h"
#include "jsonout.h"
#include "kv.h"
#include "mail.h"
#include "mailbox.h"
#include "replay.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

static const char usage[] =
"usage: rt-show [--desk DIR] [--utc] [--json | --log | --git-log | --raw N] ID ...\n"
"       rt-show [--desk DIR] --save N|all [--dir DIR | --output FILE|-] [--force] ID ...\n"
"Show tickets: fields, then mail, notes and changes in time order.\n"
"  -j, --json   the ticket, its events and decoded messages as JSON (times UTC)\n"
"  --utc        times in UTC, not in desk.timezone or TZ\n"
"  --log        the ticket's event log (time, actor, event)\n"
"  --git-log    the commits that touched the ticket (walks history: O(commits))\n"
"  --raw N      the Nth stored message, byte-exact (1-based, conversation order)\n"
"  --save N|all write attachment N (as listed, from 1) or all, decoded, to a\n"
"               safe file name in --dir DIR (default .), or to --output FILE|-;\n"
"               --force overwrites\n";

enum { M_TEXT, M_JSON, M_LOG, M_GITLOG, M_RAW, M_SAVE };
static int mode;
static long rawn;
static struct attach_opts save;
static long att_no;	/* attachments shown so far: the numbers --save takes */
static int save_warned;

static void
saved(const char *path, void *arg)
{
	(void)arg;
	printf("%s\n", path);
}

static void
save_failed(const char *msg, void *arg)
{
	(void)arg;
	save_warned++;
	warnx("%s", msg);
}

static int
is_msg_event(const struct kvmap *ev)
{
	const char *t = kv_get(ev, "ev");
	return t && kv_get(ev, "file") && (strcmp(t, "mail-in") == 0 || strcmp(t, "mail-out") == 0);
}

static int
read_ticket_file(struct desk *d, const char *id, const char *file, char **buf, size_t *len)
{
	char *path;
	int rc;

	if (strstr(file, "..") || file[0] == '/')
		return rt_fail(EX_DATAERR, "bad file name '%s' in the log", file);
	path = ticket_path(id, file);
	rc = desk_read_head(d, path, buf, len);
	free(path);
	return rc;
}

static char *
addr_str(const struct mail_addr *a)
{
	return a->email ? mailbox_display(a->name, a->email) : xstrdup("");
}

static char *
addr_list(const struct mail_addr *a, size_t n)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		char *s = addr_str(&a[i]);
		sbuf_addf(&sb, "%s%s", i ? ", " : "", s);
		free(s);
	}
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

/* Text output: everything from outside passes text_term (text.h) on its way to the terminal. */

static struct sbuf scratch[5];

/* s as one line safe for a terminal, in scratch buffer k (valid until k is used again). */
static const char *
safe(const char *s, int k)
{
	return text_term_str(s, 0, &scratch[k]);
}

static void
show_fields(const struct kvmap *t)
{
	for (size_t i = 0; i < t->n; i++) {
		printf("%-12s %s\n", safe(t->v[i].key, 0), safe(t->v[i].val, 1));
	}
}

static void
show_mail(struct desk *d, const char *id, const struct kvmap *ev, long n)
{
	char *buf, date[HUMAN_TIMELEN];
	size_t len;
	struct mail *m;
	const char *type = kv_get(ev, "ev"), *text;

	printf("\n=== #%ld %s %s by %s%s\n", n, human_time_str(kv_get(ev, "at"), date), safe(type, 0),
	    kv_get(ev, "by") ? safe(kv_get(ev, "by"), 1) : "?",
	    kv_get(ev, "auto") && strcmp(kv_get(ev, "auto"), "true") == 0 ? " (auto)" :
	    kv_get(ev, "agent") && strcmp(kv_get(ev, "agent"), "true") == 0 ? " (agent)" : "");
	if (read_ticket_file(d, id, kv_get(ev, "file"), &buf, &len) != 0) {
		printf("[message %s missing: %s]\n", safe(kv_get(ev, "file"), 0), safe(rt_errmsg(), 1));
		return;
	}
	if (mail_parse_buf(buf, len, &m) != 0) {
		printf("[message %s cannot be read: %s]\n", safe(kv_get(ev, "file"), 0),
		    safe(rt_errmsg(), 1));
		free(buf);
		return;
	}
	char *from = addr_str(&m->from), *to = addr_list(m->to, m->nto),
	    *cc = addr_list(m->cc, m->ncc);
	if (m->date)
		printf("Date:    %s\n", human_time(m->date, date));
	printf("From:    %s\n", safe(from, 0));
	if (*to)
		printf("To:      %s\n", safe(to, 0));
	if (*cc)
		printf("Cc:      %s\n", safe(cc, 0));
	printf("Subject: %s\n", safe(m->subject, 0));
	text = text_term_str(m->text, 1, &scratch[0]);
	printf("\n%s", text);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	for (size_t i = 0; i < m->nparts; i++)
		if (m->parts[i].attachment)
			printf("[attachment %ld: %s, %zu bytes, %s]\n", ++att_no, safe(m->parts[i].type, 0),
			    mail_part_size(m, i),
			    m->parts[i].filename ? safe(m->parts[i].filename, 1) : "(no name)");
	if (m->truncated)
		printf("[more parts not shown]\n");
	free(from);
	free(to);
	free(cc);
	mail_free(m);
	free(buf);
}

static void
show_note(struct desk *d, const char *id, const struct kvmap *ev)
{
	char *buf, *text, at[HUMAN_TIMELEN];
	size_t len;

	printf("\n--- %s comment by %s\n", human_time_str(kv_get(ev, "at"), at), safe(kv_get(ev, "by"), 0));
	if (kv_get(ev, "file") == NULL || read_ticket_file(d, id, kv_get(ev, "file"), &buf, &len)) {
		printf("[note missing]\n");
		return;
	}
	text = text_term(buf, len, 1);
	printf("%s", text);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	free(text);
	free(buf);
}

/* One line for other events: "ev key=value ..." without at/by/ev and the clock. */
static void
event_line(const struct kvmap *ev, struct sbuf *sb)
{
	const char *t = kv_get(ev, "ev");

	if (t && strcmp(t, "set") == 0) {
		const char *o = kv_get(ev, "old"), *n = kv_get(ev, "new");
		sbuf_addf(sb, "set %s: %s -> %s", kv_get(ev, "field") ? kv_get(ev, "field") : "?",
		    o ? o : "(none)", n ? n : "(none)");
		return;
	}
	sbuf_adds(sb, t ? t : "?");
	for (size_t i = 0; i < ev->n; i++) {
		const char *k = ev->v[i].key;
		if (strcmp(k, "at") == 0 || strcmp(k, "by") == 0 || strcmp(k, "ev") == 0 ||
		    event_key_internal(k))
			continue;
		/* the initial fields a create carries are the ticket's, shown above */
		if (t && (strcmp(t, "create") == 0 || strcmp(t, "snapshot") == 0) &&
		    !replay_event_key(k) && strcmp(k, "status") != 0)
			continue;
		sbuf_addf(sb, " %s=%s", k, ev->v[i].val);
	}
}

static int
show_text(struct desk *d, const char *id, const struct kvmap *t, const struct evlog *log)
{
	long n = 0;
	int block = 1;	/* the last thing shown was a block of text */

	att_no = 0;
	show_fields(t);
	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		const char *type = kv_get(ev, "ev");
		if (is_msg_event(ev))
			show_mail(d, id, ev, ++n), block = 1;
		else if (type && strcmp(type, "comment") == 0)
			show_note(d, id, ev), block = 1;
		else {
			struct sbuf sb = SBUF_INIT;
			char at[HUMAN_TIMELEN];
			event_line(ev, &sb);
			printf("%s* %s %s: %s\n", block ? "\n" : "",
			    kv_get(ev, "at") ? human_time_str(kv_get(ev, "at"), at) : "?",
			    kv_get(ev, "by") ? safe(kv_get(ev, "by"), 0) : "?", safe(sb.buf, 1));
			sbuf_free(&sb);
			block = 0;
		}
	}
	return 0;
}

/* After the set that won: the value it overwrote without having seen it. */
static void
show_lost(const struct replay_conflicts *lost, const char *won_id)
{
	char at[HUMAN_TIMELEN];

	for (size_t k = 0; won_id && k < lost->n; k++) {
		const struct replay_lost *l = &lost->v[k];
		if (strcmp(l->won_id, won_id) != 0)
			continue;
		printf("%s  %-16s lost %s: %s (a concurrent set to %s won)\n",
		    *l->at ? human_time_str(l->at, at) : "?", *l->by ? safe(l->by, 0) : "?",
		    safe(l->field, 1), *l->value ? safe(l->value, 2) : "(none)",
		    *l->won ? safe(l->won, 3) : "(none)");
	}
}

static int
show_log(const char *id, struct evlog *log)
{
	struct replay_conflicts lost = { NULL, 0 };

	if (id_format() >= 2)
		(void)replay_conflicts(id, log, &lost);
	for (size_t i = 0; i < log->n; i++) {
		struct sbuf sb = SBUF_INIT;
		char at[HUMAN_TIMELEN];
		event_line(&log->ev[i], &sb);
		printf("%s  %-16s %s\n",
		    kv_get(&log->ev[i], "at") ? human_time_str(kv_get(&log->ev[i], "at"), at) : "?",
		    kv_get(&log->ev[i], "by") ? safe(kv_get(&log->ev[i], "by"), 0) : "?",
		    safe(sb.buf, 1));
		sbuf_free(&sb);
		show_lost(&lost, kv_get(&log->ev[i], "id"));
	}
	replay_conflicts_free(&lost);
	return 0;
}

static int
show_raw(struct desk *d, const char *id, const struct evlog *log)
{
	long n = 0;

	for (size_t i = 0; i < log->n; i++) {
		char *buf;
		size_t len;
		int rc;
		if (!is_msg_event(&log->ev[i]) || ++n != rawn)
			continue;
		if ((rc = raw_stdout_ok("--raw")) != 0 || (rc = read_ticket_file(d, id, kv_get(&log->ev[i], "file"), &buf, &len)) != 0)
			return rc;
		fwrite(buf, 1, len, stdout);
		free(buf);
		return 0;
	}
	return rt_fail(EX_NOINPUT, "the ticket has %ld stored message%s, not %ld", n,
	    n == 1 ? "" : "s", rawn);
}

/* The value of trailer key in a commit message, or NULL; malloc'd. */
static char *
commit_trailer(const char *msg, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = msg; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == ':' && p[klen + 1] == ' ')
			return xstrndup(p + klen + 2, strcspn(p + klen + 2, "\n"));
	return NULL;
}

/* Whether the ticket folder dir differs between commit c (tree t, entry e) and every parent. */
static int
touches(const git_commit *c, const char *dir, const git_tree_entry *e, int *created)
{
	unsigned int np = git_commit_parentcount(c);
	int differs = 1;

	*created = np > 0;
	for (unsigned int i = 0; i < np && differs; i++) {
		git_commit *p = NULL;
		git_tree *pt = NULL;
		git_tree_entry *pe = NULL;
		if (git_commit_parent(&p, c, i) == 0 && git_commit_tree(&pt, p) == 0)
			git_tree_entry_bypath(&pe, pt, dir);
		if (pe)
			*created = 0;
		differs = (e == NULL) != (pe == NULL) ||
		    (e && pe && !git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(pe)));
		git_tree_entry_free(pe);
		git_tree_free(pt);
		git_commit_free(p);
	}
	return differs;
}

/*
 * Commits touching the ticket folder: a revwalk from HEAD over every
 * parent, so changes made in another clone and merged by rt-sync or git
 * are listed too. A merge is listed when its folder differs from all its
 * parents (it combined both sides). O(commits): the walk is topological,
 * so it stops at the commit that created the ticket.
 */
static int
show_gitlog(struct desk *d, const char *id)
{
	char *dir = ticket_dir(id);
	git_revwalk *w = NULL;
	git_oid oid;
	int rc = 0, found = 0;

	if (git_revwalk_new(&w, d->repo) < 0 || git_revwalk_push_head(w) < 0) {
		rc = git_fail(-1, "revwalk");
		goto out;
	}
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	while (git_revwalk_next(&oid, w) == 0) {
		git_commit *c = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;
		int created = 0;
		if (git_commit_lookup(&c, d->repo, &oid) < 0 || git_commit_tree(&t, c) < 0) {
			git_commit_free(c);
			rc = git_fail(-1, "commit");
			break;
		}
		git_tree_entry_bypath(&e, t, dir);
		if (e && touches(c, dir, e, &created)) {
			char hex[GIT_OID_HEXSZ + 1], when[HUMAN_TIMELEN];
			char *why = commit_trailer(git_commit_message(c), "Reopened");
			git_oid_tostr(hex, sizeof(hex), &oid);
			printf("%.10s %s %s%s%s%s\n", hex, human_time(git_commit_time(c), when),
			    safe(git_commit_summary(c), 0), why ? " (" : "", why ? safe(why, 1) : "",
			    why ? ")" : "");
			free(why);
			found = 1;
		}
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(c);
		if (created)
			break;	/* every commit that touches it descends from this one */
	}
	if (rc == 0 && !found)
		rc = rt_fail(EX_NOINPUT, "no commit touches #%s", id);
out:
	git_revwalk_free(w);
	free(dir);
	return rc;
}

/* JSON */

static json_t *
addrs_json(const struct mail_addr *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		char *s = addr_str(&a[i]);
		json_array_append_new(arr, json_string(s));
		free(s);
	}
	return arr;
}

static json_t *
mail_json(struct desk *d, const char *id, const struct kvmap *ev, long n)
{
	json_t *o = json_object(), *att;
	char *buf, *from, date[RT_TIMELEN];
	struct mail *m;
	size_t len;

	json_object_set_new(o, "n", json_integer(n));
	json_object_set_new(o, "file", json_string(kv_get(ev, "file")));
	json_object_set_new(o, "ev", json_string(kv_get(ev, "ev")));
	json_object_set_new(o, "at", json_string(kv_get(ev, "at")));
	if (read_ticket_file(d, id, kv_get(ev, "file"), &buf, &len) != 0) {
		json_object_set_new(o, "error", json_string(rt_errmsg()));
		return o;
	}
	if (mail_parse_buf(buf, len, &m) != 0) {
		json_object_set_new(o, "error", json_string(rt_errmsg()));
		free(buf);
		return o;
	}
	from = addr_str(&m->from);
	if (m->date)
		json_object_set_new(o, "date", json_string(rt_fmttime(m->date, date)));
	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "to", addrs_json(m->to, m->nto));
	json_object_set_new(o, "cc", addrs_json(m->cc, m->ncc));
	json_object_set_new(o, "subject", json_string(m->subject ? m->subject : ""));
	if (m->message_id)
		json_object_set_new(o, "message-id", json_string(m->message_id));
	json_object_set_new(o, "text", json_string(m->text ? m->text : ""));
	att = json_array();
	for (size_t i = 0; i < m->nparts; i++)
		if (m->parts[i].attachment)
			json_array_append_new(att, json_pack("{s:s, s:I, s:s?}", "type",
			    m->parts[i].type, "size", (json_int_t)mail_part_size(m, i), "name",
			    m->parts[i].filename));
	json_object_set_new(o, "attachments", att);
	free(from);
	mail_free(m);
	free(buf);
	return o;
}

static int
show_json(struct desk *d, const char *id, const struct kvmap *t, const struct evlog *log)
{
	json_t *root = json_object(), *evs = json_array(), *msgs = json_array();
	long n = 0;

	json_object_set_new(root, "ticket", jsonout_ticket(t));
	for (size_t i = 0; i < log->n; i++) {
		const struct kvmap *ev = &log->ev[i];
		json_t *e = json_object();
		for (size_t k = 0; k < ev->n; k++)
			json_object_set_new(e, ev->v[k].key, json_string(ev->v[k].val));
		if (kv_get(ev, "ev") && strcmp(kv_get(ev, "ev"), "comment") == 0 &&
		    kv_get(ev, "file")) {
			char *buf;
			size_t len;
			if (read_ticket_file(d, id, kv_get(ev, "file"), &buf, &len) == 0) {
				char *text = utf8_clean(buf, len, 0);
				json_object_set_new(e, "text", json_string(text));
				free(text);
				free(buf);
			}
		}
		json_array_append_new(evs, e);
		if (is_msg_event(ev))
			json_array_append_new(msgs, mail_json(d, id, ev, ++n));
	}
	json_object_set_new(root, "events", evs);
	json_object_set_new(root, "messages", msgs);
	return jsonout_doc(stdout, root, JSONOUT_PRETTY);
}

static int
show_one(struct desk *d, const char *id, void *arg)
{
	struct kvmap t = KVMAP_INIT;
	struct evlog log;
	int *count = arg, rc;

	memset(&log, 0, sizeof(log));
	if ((rc = ticket_load(d, id, &t, &log)) != 0)
		return cli_ticket_fail(id, rc);
	replay_view(&log);
	if ((*count)++ > 0 && mode != M_RAW && mode != M_JSON && mode != M_SAVE)
		printf("\n");
	switch (mode) {
	case M_TEXT: rc = show_text(d, id, &t, &log); break;
	case M_JSON: rc = show_json(d, id, &t, &log); break;
	case M_LOG: rc = show_log(id, &log); break;
	case M_GITLOG: rc = show_gitlog(d, id); break;
	case M_RAW: rc = show_raw(d, id, &log); break;
	case M_SAVE: save_warned = 0; rc = attach_save(d, id, &log, &save); break;
	}
	if (rc != 0 && !(mode == M_SAVE && save_warned))
		cli_ticket_fail(id, rc);
	kv_free(&t);
	log_free(&log);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "log", no_argument, NULL, 'l' },
		{ "git-log", no_argument, NULL, 'g' },
		{ "raw", required_argument, NULL, 'r' },
		{ "save", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "utc", no_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	struct desk *d;
	char *end;
	int ch, rc, nmode = 0, count = 0, utc = 0;

	while ((ch = getopt_long(argc, argv, "C:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'j': mode = M_JSON; nmode++; break;
		case 'l': mode = M_LOG; nmode++; break;
		case 'g': mode = M_GITLOG; nmode++; break;
		case 'r':
			mode = M_RAW;
			nmode++;
			rawn = strtol(optarg, &end, 10);
			if (end == optarg || *end || rawn < 1)
				errx(EX_USAGE, "--raw takes a message number from 1, not '%s'", optarg);
			break;
		case 's':
			mode = M_SAVE;
			nmode++;
			save.n = strcmp(optarg, "all") == 0 ? 0 : strtol(optarg, &end, 10);
			if (strcmp(optarg, "all") != 0 && (end == optarg || *end || save.n < 1))
				errx(EX_USAGE, "--save takes an attachment number from 1 or 'all', not '%s'", optarg);
			break;
		case 'o': save.output = optarg; break;
		case 'd': save.dir = optarg; break;
		case 'f': save.force = 1; break;
		case 'u': utc = 1; break;
		default: cli_common(ch, usage);
		}
	}
	save.saved = saved;
	save.failed = save_failed;
	if (nmode > 1 || ((save.output || save.dir || save.force) && mode != M_SAVE) ||
	    (save.output && (save.dir || save.n == 0)))
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if (human_time_init(d, utc) != 0)
		warnx("%s", rt_errmsg());
	rc = cli_each_id(d, argc - optind, argv + optind, show_one, &count);
	desk_close(d);
	for (size_t k = 0; k < sizeof(scratch) / sizeof(scratch[0]); k++)
		sbuf_free(&scratch[k]);
	return cli_close_stdout(rc);
}
