/*
 * logflow.h: a fast reader for logs as rt writes them (yamlio.c's
 * emitter): one flow mapping per line, "- {key: value, key: 'value'}",
 * keys plain words, values plain words or single-quoted on one line.
 * It gives what log_parse gets from libyaml at a tenth of the cost; any
 * other text (hand edits, double quotes, line breaks in a value, unusual
 * characters, duplicate keys, errors) is left to libyaml.
 */
#ifndef RT_LOGFLOW_H
#define RT_LOGFLOW_H

#include <stddef.h>

struct evlog;

/* Fills log and returns 0, or returns -1 with log untouched: parse it with libyaml. */
int logflow_parse(const char *buf, size_t len, struct evlog *log);

#endif
