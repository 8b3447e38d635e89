// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: one line of an attach or detach batch file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), *fields[3], err[256];
	enum cli_cmd cmd;
	int n, i;

	if (!line || !size)
		goto out;
	cmd = data[0] & 1 ? CMD_ATTACH : CMD_DETACH;
	memcpy(line, data + 1, size - 1);
	line[size - 1] = '\0';
	n = batch_parse_line(line, cmd, fields, err, sizeof(err));
	if (n < 0 && (!err[0] || strchr(err, '\n')))
		abort();	/* every refusal says why, in one line */
	if (n > 0 && n != (cmd == CMD_ATTACH ? 3 : 1))
		abort();
	for (i = 0; i < n; i++)
		if (!*fields[i] || strpbrk(fields[i], " \t#"))
			abort();	/* a field is never empty, nor holds a separator */
out:
	free(line);
	return 0;
}
