/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers the benchmark's traffic tools share. */
#ifndef __PAIRPATH_BENCH_TOOL_H
#define __PAIRPATH_BENCH_TOOL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A whole decimal number in min..max, or -1 after saying why. */
static inline int parse_num(const char *tool, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max) {
		fprintf(stderr, "%s: '%s' is not a number in %ld..%ld\n", tool, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

#endif /* __PAIRPATH_BENCH_TOOL_H */
