/* done.h: whether a status counts as done (a leaf: summaries and caches ask it) */
#ifndef RT_DONE_H
#define RT_DONE_H

/*
 * Whether status s counts as done: resolved, closed or merged. Every
 * "done?" question (rt-ls --open, SLA clocks, reports, routing load,
 * escalation, cascades) asks this function.
 */
int status_is_done(const char *s);

#endif
