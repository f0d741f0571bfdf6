/*
 * test_jsonout_portable.c: test_jsonout against the writer's portable C
 * (eight-byte words), which machines without SSE2 run: this file holds
 * its own copy of lib/jsonout.c, so librt.a's is not linked.
 */
#define RT_JSONOUT_PORTABLE 1
#include "../../lib/jsonout.c"
#include "test_jsonout.c"
