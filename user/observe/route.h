/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the exporter answers to a request line: a plain function to fuzz. */
#ifndef __PAIRPATH_OBSERVE_ROUTE_H
#define __PAIRPATH_OBSERVE_ROUTE_H

enum route {
	ROUTE_INDEX,		/* GET or HEAD / */
	ROUTE_METRICS,		/* GET or HEAD /metrics */
	ROUTE_NOT_FOUND,	/* GET or HEAD of anything else: 404 */
	ROUTE_BAD_METHOD,	/* any other method: 405 */
};

enum route route_request(const char *method, const char *url);

#endif /* __PAIRPATH_OBSERVE_ROUTE_H */
