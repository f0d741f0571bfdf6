/*
 * logflow.h: log.yaml read from libyaml's events straight into the
 * events' maps, without the node tree of yaml_load (a third of the
 * cost of log_parse). It takes what log_parse takes: a sequence of
 * mappings of scalars; anything else (a nested value, an anchor, a key
 * twice, an error) is left to log_parse's tree, which says what is wrong.
 */
#ifndef RT_LOGFLOW_H
#define RT_LOGFLOW_H

#include <stddef.h>

struct evlog;

/* Fills log and returns 0, or returns -1 with log untouched: parse it with yaml_load. */
int logflow_parse(const char *buf, size_t len, struct evlog *log);

#endif
