// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "observe/route.h"

/*
 * Paths match exactly: a query string, a trailing slash or a
 * percent-encoded twin is a different path, and so a 404.
 */
enum route route_request(const char *method, const char *url)
{
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return ROUTE_BAD_METHOD;
	if (!strcmp(url, "/metrics"))
		return ROUTE_METRICS;
	if (!strcmp(url, "/"))
		return ROUTE_INDEX;
	return ROUTE_NOT_FOUND;
}
