/* rt-escalate: SLA clocks, and the cron sweep that escalates what is due */
#include <err.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "calendar.h"
#include "cli.h"
#include "desk.h"
#include "escalate.h"
#include "humantime.h"
#include "jsonout.h"
#include "kv.h"
#include "sla.h"
#include "util.h"

static const char usage[] =
"usage: rt-escalate [--desk DIR] [-n] [--json] [--now TIME]\n"
"       rt-escalate [--desk DIR] [--now TIME] --clocks [--json | --utc] [ID ...]\n"
"Escalate tickets whose SLA step is due (run from cron), or show SLA clocks.\n"
"      --clocks     print the SLA clocks of the tickets (ids or stdin)\n"
"  -j, --json       one JSON object per ticket (--clocks, times UTC) or step (sweep)\n"
"      --utc        with --clocks: due times in UTC, not in desk.timezone or TZ\n"
"  -n, --dry-run    print what a sweep would do; change and send nothing\n"
"      --now TIME   evaluate as of TIME (RFC 3339, @epoch or -N[mhdw]: ago)\n";

struct ctx {
	struct sla *sla;
	struct esc *esc;
	time_t now;
	int json;
	/* sweep */
	time_t since;
	struct esc_steps steps;
	char **phrase_ids;
	size_t nphrase;
	int nocandidates;	/* phrase candidates come from the watermark commit */
};

/* ---- --clocks ---- */

static const char *
result_name(const struct sla_clock *c)
{
	return c->breached ? "breached" : c->met ? "met" : "ok";
}

static int
status_one(struct desk *d, const char *id, void *arg)
{
	struct ctx *x = arg;
	struct kvmap rec = KVMAP_INIT;
	struct sla_ticket t;
	struct sla_status st;
	int rc;

	if ((rc = cache_get(d, id, &rec)) != 0)
		return cli_ticket_fail(id, rc);
	sla_ticket_from_kvmap(&t, &rec);
	sla_compute(x->sla, &t, x->now, &st);
	if (x->json) {
		json_t *o = json_object(), *clocks = json_object();
		char ts[RT_TIMELEN];
		const char *alert;
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "policy", st.policy ? json_string(st.policy->name) : json_null());
		json_object_set_new(o, "calendar", st.policy ?
		    json_string(calendar_name(st.policy->cal)) : json_null());
		json_object_set_new(o, "now", json_string(rt_fmttime(x->now, ts)));
		alert = sla_alert_name(sla_alert(&st, &t, SLA_DUE_WINDOW));
		json_object_set_new(o, "alert", alert ? json_string(alert) : json_null());
		for (int k = 0; k < SLA_NCLOCKS; k++) {
			const struct sla_clock *c = &st.clock[k];
			json_t *j;
			if (c->state == SLA_NONE)
				continue;
			j = json_object();
			json_object_set_new(j, "target", json_integer(c->target));
			json_object_set_new(j, "elapsed", json_integer(c->elapsed));
			json_object_set_new(j, "remaining", json_integer(c->remaining));
			json_object_set_new(j, "state", json_string(sla_state_name(c->state)));
			json_object_set_new(j, "result", json_string(result_name(c)));
			json_object_set_new(j, "breached", json_boolean(c->breached));
			json_object_set_new(j, "start", json_string(rt_fmttime(c->start, ts)));
			json_object_set_new(j, "stop", c->stop ? json_string(rt_fmttime(c->stop, ts)) :
			    json_null());
			json_object_set_new(j, "due", c->due ? json_string(rt_fmttime(c->due, ts)) :
			    json_null());
			json_object_set_new(clocks, sla_clock_names[k], j);
		}
		json_object_set_new(o, "clocks", clocks);
		jsonout_doc(stdout, o, JSONOUT_LINE);
	} else if (st.policy == NULL)
		printf("%s - no SLA policy\n", id);
	else {
		for (int k = 0; k < SLA_NCLOCKS; k++) {
			const struct sla_clock *c = &st.clock[k];
			char tg[CAL_DURLEN], el[CAL_DURLEN], re[CAL_DURLEN], due[HUMAN_TIMELEN];
			if (c->state == SLA_NONE)
				continue;
			printf("%s %s %s %s %s %s %s %s %s\n", id, st.policy->name, sla_clock_names[k],
			    cal_fmt_duration(c->target, tg), cal_fmt_duration(c->elapsed, el),
			    cal_fmt_duration(c->remaining, re), sla_state_name(c->state),
			    result_name(c), c->due ? human_time(c->due, due) : "-");
		}
	}
	kv_free(&rec);
	return 0;
}

/* ---- the sweep ---- */

/* A step as one JSON object per line; "done" is the text line. */
static void
print_step_json(const struct esc_step *s, const char *line)
{
	json_t *o = json_object(), *sup = json_array();

	for (size_t i = 0; i < s->nsuperseded; i++)
		json_array_append_new(sup, json_string(s->superseded[i]));
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "step", json_string(s->step));
	json_object_set_new(o, "level", json_integer(s->level));
	json_object_set_new(o, "security", json_boolean(s->security));
	json_object_set_new(o, "reason", json_string(s->reason ? s->reason : ""));
	json_object_set_new(o, "skips", sup);
	json_object_set_new(o, "done", json_string(line));
	jsonout_doc(stdout, o, JSONOUT_LINE);
}

static int
plan_one(const struct rec *r, void *arg)
{
	struct ctx *x = arg;
	struct sla_ticket t;

	sla_ticket_from_rec(&t, r);
	esc_plan(x->esc, &t, x->now, &x->steps);
	if (!x->nocandidates && esc_phrase_candidate(x->esc, &t, x->since, x->now)) {
		x->phrase_ids = xrealloc(x->phrase_ids, (x->nphrase + 1) * sizeof(char *));
		x->phrase_ids[x->nphrase++] = xstrdup(t.id);
	}
	return 0;
}

/* With a watermark commit: the tickets changed since, read against its tree. */
static int
phrase_tickets(struct desk *d, struct ctx *x, const git_oid *mark, git_tree **seen)
{
	git_commit *c = NULL;
	char **ids;
	size_t n;
	int rc;

	if ((rc = esc_changed_since(d, mark, &ids, &n)) != 0)
		return rc;
	if (git_commit_lookup(&c, d->repo, mark) < 0 || git_commit_tree(seen, c) < 0)
		rc = git_fail(-1, "cannot read the watermark commit");
	git_commit_free(c);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct kvmap rec = KVMAP_INIT;
		struct sla_ticket t;
		if (cache_get(d, ids[i], &rec) == 0) {
			sla_ticket_from_kvmap(&t, &rec);
			if (esc_phrase_candidate(x->esc, &t, 0, x->now)) {
				x->phrase_ids = xrealloc(x->phrase_ids, (x->nphrase + 1) * sizeof(char *));
				x->phrase_ids[x->nphrase++] = xstrdup(t.id);
			}
		}
		kv_free(&rec);
	}
	strv_free(ids, n);
	return rc;
}

static int
sweep(struct desk *d, struct ctx *x, int dry)
{
	git_oid head, mark;
	git_tree *seen = NULL;
	struct sbuf why = SBUF_INIT;
	int status = 0, rc, has_head, has_mark;

	/* One clone sends (escalation.sweeper); the others report what is due. */
	if (!dry && !esc_is_sweeper(x->esc, d, &why)) {
		warnx("%s", why.buf);
		dry = 1;
	}
	sbuf_free(&why);
	if (!dry && (rc = esc_retry(x->esc, d, stdout)) != 0)
		status = rc;
	has_head = git_reference_name_to_id(&head, d->repo, "HEAD") == 0;
	has_mark = esc_watermark_get(d, &mark) == 0;
	x->since = x->now - 86400;
	if (has_mark && (rc = phrase_tickets(d, x, &mark, &seen)) != 0)
		return rc;
	x->nocandidates = has_mark;
	if ((rc = cache_foreach(d, plan_one, x)) != 0) {
		git_tree_free(seen);
		return rc;
	}
	for (size_t i = 0; i < x->nphrase; i++) {
		struct kvmap rec = KVMAP_INIT;
		struct sla_ticket t;
		if (cache_get(d, x->phrase_ids[i], &rec) == 0) {
			sla_ticket_from_kvmap(&t, &rec);
			rc = seen ? esc_plan_phrases_unseen(x->esc, d, &t, seen, x->now, &x->steps) :
			    esc_plan_phrases(x->esc, d, &t, x->since, x->now, &x->steps);
			if (rc != 0) {
				warnx("#%s: %s", x->phrase_ids[i], rt_errmsg());
				status = status ? status : rc;
			}
		}
		kv_free(&rec);
	}
	for (size_t i = 0; i < x->steps.n; i++) {
		struct sbuf line = SBUF_INIT;
		rc = esc_apply(x->esc, d, &x->steps.v[i], x->now, dry, &line);
		if (line.len && (rc == 0 || rc == EX_TEMPFAIL)) {
			if (x->json)
				print_step_json(&x->steps.v[i], line.buf);
			else
				printf("%s\n", line.buf);
		}
		if (rc == EX_TEMPFAIL)
			warnx("#%s: %s: notification not sent, will retry: %s", x->steps.v[i].id,
			    x->steps.v[i].step, rt_errmsg());
		else if (rc != 0)
			warnx("#%s: %s: %s", x->steps.v[i].id, x->steps.v[i].step, rt_errmsg());
		if (rc != 0 && (status == 0 || status == EX_TEMPFAIL))
			status = rc;
		sbuf_free(&line);
		fflush(stdout);
	}
	/* The mail of HEAD as the sweep began was read for phrases. */
	if (!dry && has_head && (rc = esc_watermark_set(d, &head)) != 0) {
		warnx("%s", rt_errmsg());
		status = status ? status : rc;
	}
	git_tree_free(seen);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "clocks", no_argument, NULL, 'c' },
		{ "status", no_argument, NULL, 's' },	/* deprecated */
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 'N' },
		{ "utc", no_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	struct desk *d;
	struct ctx x;
	int ch, rc, status = 0, dry = 0, utc = 0;
	time_t t;

	memset(&x, 0, sizeof(x));
	while ((ch = getopt_long(argc, argv, "C:sjnh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 's': cli_deprecated("-s/--status", "--clocks");
			/* FALLTHROUGH */
		case 'c': status = 1; break;
		case 'j': x.json = 1; break;
		case 'n': dry = 1; break;
		case 'u': utc = 1; break;
		case 'N': {
			char buf[RT_TIMELEN];
			if (rt_time_opt("now", optarg, &t) != 0)
				errx(EX_USAGE, "%s", rt_errmsg());
			/* Events and file names carry the same time. */
			setenv("RT_NOW", rt_fmttime(t, buf), 1);
			break;
		}
		default: cli_common(ch, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if ((!status && argc > 0) || (status && dry))
		cli_usage(usage, 0);
	x.now = rt_now();
	if ((rc = desk_open(&d, deskpath, status || dry ? 0 : DESK_WRITE)) != 0)
		cli_die(rc);
	if (status && !x.json && human_time_init(d, utc) != 0)
		warnx("%s", rt_errmsg());
	if ((rc = sla_load(&x.sla, d)) != 0 || (rc = esc_load(&x.esc, d, x.sla)) != 0) {
		warnx("%s", rt_errmsg());
		goto out;
	}
	if (status)
		rc = cli_each_id(d, argc, argv, status_one, &x);
	else
		rc = sweep(d, &x, dry);
out:
	esc_steps_free(&x.steps);
	strv_free(x.phrase_ids, x.nphrase);
	esc_free(x.esc);
	sla_free(x.sla);
	desk_close(d);
	return cli_close_stdout(rc);
}
