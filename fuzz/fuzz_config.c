/*
 * fuzz_config: rt.yaml loaded (lib/yamlio.c) and checked by the loaders
 * that need no desk on disk: routing and business hours, workflows,
 * SLA policies and calendars, escalation, event limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "desk.h"
#include "escalate.h"
#include "event.h"
#include "route.h"
#include "sla.h"
#include "trust.h"
#include "util.h"
#include "workflow.h"
#include "yamlio.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct desk d;
	struct route *r = NULL;
	struct sla *s = NULL;
	struct esc *e = NULL;
	struct event_limits lim;
	size_t max;

	if (!init) {	/* a program mailer's trust check asks libgit2 for HEAD */
		git_libgit2_init();
		init = 1;
	}
	memset(&d, 0, sizeof(d));
	if ((d.config = yaml_load((const char *)data, size, "rt.yaml")) == NULL)
		return 0;
	if (d.config->kind == Y_MAP) {
		d.root = "/nonexistent";
		d.config_name = "rt.yaml";
		d.actor_name = "Fuzz";
		d.actor_email = "fuzz@example.org";
		d.lockfd = -1;
		route_load(&d, &r);
		route_free(r);
		workflow_validate(&d);
		/* The loaders hand back what they built even on an error. */
		if (sla_load(&s, &d) == 0) {
			esc_load(&e, &d, s);
			esc_free(e);
		}
		sla_free(s);
		event_limits_load(&d, &lim, &max);
		event_priority(&d, "critical");
		/* What desk_close() frees: the people directory the loaders cached. */
		if (d.people_free)
			d.people_free(d.people);
		trust_free(&d);	/* what a program mailer's check cached */
	}
	ynode_free(d.config);
	return 0;
}
