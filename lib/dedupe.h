/* dedupe.h: when a second delivery is the same message */
#ifndef RT_DEDUPE_H
#define RT_DEDUPE_H

#include <stddef.h>

/*
 * The message's digest, "sha1:HEX": the header section without the
 * transport headers a redelivery changes (an mbox From_ line, Received,
 * Delivered-To, Return-Path, X-Original-To, ...), CRs dropped, then the
 * body as it is. Two deliveries of one message have the same digest;
 * two messages that only share a Message-Id do not. A message SHA1DC
 * refuses to hash (a collision attack) gets "unhashable:RANDOM", which
 * matches nothing. Malloc'd.
 */
char *dedupe_digest(const char *buf, size_t len);

/* 1 for a header a relay or mailbox adds on the way (case-insensitive name). */
int dedupe_is_transport(const char *name, size_t len);

#endif
