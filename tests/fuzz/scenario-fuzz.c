/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target over the scenario loader: each input is written to a
 * temporary file and loaded. Loading must never crash, leak or hang, and a
 * failure must always come with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmemu/scenario.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/mmemu-scenario-fuzz-XXXXXX";
	char err[512];
	struct mm_scenario *s = NULL;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	if (mm_scenario_load(path, &s, err, sizeof(err)) == MM_OK) {
		if (!s || !mm_scenario_name(s))
			abort();
		mm_scenario_free(s);
	} else if (s || !err[0]) {
		abort();
	}
	unlink(path);
	return 0;
}
