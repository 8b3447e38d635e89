// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: the whole command line, arguments split at NUL bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 1], err[256];
	struct cli cli;
	int argc = 1;
	size_t i, start = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "pairpath";
	for (i = 0; i <= size && argc < MAX_ARGS; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	if (cli_parse(argc, argv, &cli, err, sizeof(err)))
		/* Every refusal says why, in one line. */
		if (!err[0] || strchr(err, '\n'))
			abort();
	free(buf);
	return 0;
}
