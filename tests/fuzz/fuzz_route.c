// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: the exporter's request routing, method and path from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "observe/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), *url;
	enum route r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	url = buf + strlen(buf) + 1;
	r = route_request(buf, url);
	/* Only GET and HEAD of exactly "/" and "/metrics" are answered. */
	if (r == ROUTE_METRICS && strcmp(url, "/metrics"))
		abort();
	if (r != ROUTE_BAD_METHOD && strcmp(buf, "GET") && strcmp(buf, "HEAD"))
		abort();
	free(buf);
	return 0;
}
