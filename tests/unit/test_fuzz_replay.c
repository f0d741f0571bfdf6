/*
 * Replays the inputs under tests/fixtures/fuzz/NAME through the fuzz
 * harness NAME (fuzz/fuzz_NAME.c, included here): each is an input that
 * once crashed, leaked or hung, so a regression fails this test (under
 * check-asan with the sanitizer's report).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLVMFuzzerTestOneInput fuzz_config_one
#include "../../fuzz/fuzz_config.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_event_one
#include "../../fuzz/fuzz_event.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_mail_one
#include "../../fuzz/fuzz_mail.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_template_one
#include "../../fuzz/fuzz_template.c"
#undef LLVMFuzzerTestOneInput

#include "tap.h"

static const struct {
	const char *name;
	int (*one)(const uint8_t *, size_t);
} harness[] = {
	{ "config", fuzz_config_one }, { "event", fuzz_event_one },
	{ "mail", fuzz_mail_one }, { "template", fuzz_template_one },
};

/* Runs every file of fixtures/fuzz/name; returns how many, -1 on I/O error. */
static int
replay(const char *name, int (*one)(const uint8_t *, size_t))
{
	char *dir = xasprintf("fixtures/fuzz/%s", name), *path, *buf;
	struct dirent *de;
	size_t len;
	int n = 0;
	DIR *dp = opendir(dir);

	if (dp == NULL) {
		free(dir);
		return 0;
	}
	while ((de = readdir(dp)) != NULL && n >= 0) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (read_file(path, &buf, &len) < 0)
			n = -1;
		else {
			/* Named first, so that a crash's report says which input. */
			printf("# %s\n", path);
			fflush(stdout);
			one((const uint8_t *)buf, len);
			free(buf);
			n++;
		}
		free(path);
	}
	closedir(dp);
	free(dir);
	return n;
}

int
main(void)
{
	for (size_t i = 0; i < LEN(harness); i++) {
		/* The empty input first: every harness must take it. */
		harness[i].one((const uint8_t *)"", 0);
		int n = replay(harness[i].name, harness[i].one);
		char *what = xasprintf("fuzz_%s: %d regression inputs replayed",
		    harness[i].name, n);
		ok(n >= 0, what);
		free(what);
	}
	return tap_done();
}
