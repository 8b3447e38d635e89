// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP request/response, one transaction in flight (netperf TCP_RR):
 *
 *	rr server PORT MAX_SECS
 *		accept one connection, echo every SIZE-byte request until
 *		the client closes; print "ready=1 port=P" once listening.
 *	rr client ADDR PORT SECS [SIZE]
 *		send SIZE bytes (1), wait for as many back, for SECS seconds;
 *		print "transactions=N elapsed_ns=E samples=S p50_ns=X
 *		p99_ns=Y size_bytes=Z", the percentiles over the first S
 *		transactions' latencies.
 *
 * Output is one line of space-separated key=value pairs, units in the keys.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tool.h"

#define MAX_SIZE	65536
#define MAX_SAMPLES	(16u << 20)	/* 64 MiB of samples at most */

/* All of len bytes, or -1 on error and 0 on a clean end of stream. */
static ssize_t io_full(int fd, char *buf, size_t len, int writing)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = writing ? send(fd, buf + done, len - done, MSG_NOSIGNAL) :
			      recv(fd, buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		done += n;
	}
	return done;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int do_server(long port, long max_secs)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	static char buf[MAX_SIZE];
	int lfd, fd, one = 1;
	ssize_t n;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 1)) {
		perror("rr: server socket");
		return 1;
	}
	printf("ready=1 port=%ld\n", port);
	fflush(stdout);
	/* The deadline bounds a client that never comes or never leaves. */
	alarm(max_secs);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("rr: accept");
		return 1;
	}
	nodelay(fd);
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (io_full(fd, buf, n, 1) <= 0)
			break;
	}
	close(fd);
	close(lfd);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static int do_client(const char *host, long port, long secs, long size)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	unsigned long long start, t0, t1, deadline, count = 0;
	static char buf[MAX_SIZE];
	size_t cap = 1 << 16, n = 0;
	unsigned int *lat, *grown;
	int fd;

	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "rr: '%s' is not an IPv4 address\n", host);
		return 2;
	}
	lat = malloc(cap * sizeof(*lat));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!lat || fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("rr: client socket");
		return 1;
	}
	nodelay(fd);
	memset(buf, 0x5a, size);
	start = now_ns();
	deadline = start + secs * 1000000000ULL;
	for (t1 = start; t1 < deadline; count++) {
		t0 = t1;
		if (io_full(fd, buf, size, 1) <= 0 || io_full(fd, buf, size, 0) <= 0) {
			fprintf(stderr, "rr: connection lost after %llu transactions\n", count);
			return 1;
		}
		t1 = now_ns();
		if (n == cap && cap < MAX_SAMPLES) {
			grown = realloc(lat, 2 * cap * sizeof(*lat));
			if (grown) {
				lat = grown;
				cap *= 2;
			}
		}
		if (n < cap)
			lat[n++] = t1 - t0 > 0xffffffffULL ? 0xffffffffu : t1 - t0;
	}
	close(fd);
	if (!n) {
		fprintf(stderr, "rr: no transaction completed\n");
		return 1;
	}
	qsort(lat, n, sizeof(*lat), cmp_u32);
	printf("transactions=%llu elapsed_ns=%llu samples=%zu p50_ns=%u p99_ns=%u size_bytes=%ld\n",
	       count, t1 - start, n, lat[n / 2], lat[(size_t)(n * 0.99)], size);
	free(lat);
	return 0;
}

int main(int argc, char **argv)
{
	long port, secs, size = 1;

	if (argc == 4 && !strcmp(argv[1], "server")) {
		if (parse_num("rr", argv[2], 1, 65535, &port) ||
		    parse_num("rr", argv[3], 1, 86400, &secs))
			return 2;
		return do_server(port, secs);
	}
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "client")) {
		if (parse_num("rr", argv[3], 1, 65535, &port) ||
		    parse_num("rr", argv[4], 1, 3600, &secs) ||
		    (argc == 6 && parse_num("rr", argv[5], 1, MAX_SIZE, &size)))
			return 2;
		return do_client(argv[2], port, secs, size);
	}
	fprintf(stderr, "usage: rr server PORT MAX_SECS\n"
		"       rr client ADDR PORT SECS [SIZE]\n");
	return 2;
}
