// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The 64-byte UDP sink test, both ends:
 *
 *	udpsink sink PORT MAX_SECS
 *		bind a UDP socket on PORT that is never read, print
 *		"ready=1 port=P rcvbuf_bytes=B" and wait MAX_SECS seconds (or a
 *		signal); every datagram that reaches the UDP layer is counted
 *		by the kernel in Udp: InErrors once the small receive buffer
 *		is full.
 *	udpsink send ADDR PORT SECS [PAYLOAD [BATCH]]
 *		send PAYLOAD-byte datagrams (64) with sendmmsg() in batches
 *		of BATCH (64) for SECS seconds; print "sent=N elapsed_ns=E
 *		errors=X own_cpu_ns=C payload_bytes=P batch=B", C being the
 *		CPU time the sender used, the receive path run in its softirq
 *		context included.
 *
 * Output is one line of space-separated key=value pairs, units in the keys.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tool.h"

#define MAX_BATCH	1024
#define MAX_PAYLOAD	1472

static int do_sink(long port, long max_secs)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd, rcvbuf = 4096;
	socklen_t len = sizeof(rcvbuf);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len)) {
		perror("udpsink: sink socket");
		return 1;
	}
	/* The kernel doubles what was asked: this is what the socket has. */
	printf("ready=1 port=%ld rcvbuf_bytes=%d\n", port, rcvbuf);
	fflush(stdout);
	/* Never read: a signal or the deadline ends us. */
	sleep(max_secs);
	close(fd);
	return 0;
}

static int do_send(const char *host, long port, long secs, long payload, long batch)
{
	static char buf[MAX_PAYLOAD];
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	unsigned long long start, end, deadline, sent = 0, errors = 0, cpu_ns;
	struct rusage ru;
	unsigned int loops = 0;
	int fd, i, n;

	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "udpsink: '%s' is not an IPv4 address\n", host);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("udpsink: send socket");
		return 1;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = payload;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now_ns();
	deadline = start + secs * 1000000000ULL;
	for (end = start; end < deadline; ) {
		n = sendmmsg(fd, msgs, batch, 0);
		if (n > 0) {
			sent += n;
		} else if (n < 0 && errno != EINTR) {
			/* ENOBUFS and the like: the kernel dropped, go on. */
			errors++;
		}
		/* Reading the clock every few batches keeps it off the profile. */
		if (!(++loops & 7))
			end = now_ns();
	}
	end = now_ns();
	getrusage(RUSAGE_SELF, &ru);
	cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
		 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
	printf("sent=%llu elapsed_ns=%llu errors=%llu own_cpu_ns=%llu payload_bytes=%ld "
	       "batch=%ld\n", sent, end - start, errors, cpu_ns, payload, batch);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long port, secs, payload = 64, batch = 64;

	if (argc == 4 && !strcmp(argv[1], "sink")) {
		if (parse_num("udpsink", argv[2], 1, 65535, &port) ||
		    parse_num("udpsink", argv[3], 1, 86400, &secs))
			return 2;
		return do_sink(port, secs);
	}
	if (argc >= 5 && argc <= 7 && !strcmp(argv[1], "send")) {
		if (parse_num("udpsink", argv[3], 1, 65535, &port) ||
		    parse_num("udpsink", argv[4], 1, 3600, &secs) ||
		    (argc > 5 && parse_num("udpsink", argv[5], 1, MAX_PAYLOAD, &payload)) ||
		    (argc > 6 && parse_num("udpsink", argv[6], 1, MAX_BATCH, &batch)))
			return 2;
		return do_send(argv[2], port, secs, payload, batch);
	}
	fprintf(stderr, "usage: udpsink sink PORT MAX_SECS\n"
		"       udpsink send ADDR PORT SECS [PAYLOAD [BATCH]]\n");
	return 2;
}
