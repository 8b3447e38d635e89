/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The values the command line and batch files take, checked by plain
 * functions so that a fuzzer can call them. Each returns 0, or -EINVAL
 * with a one-line reason in err.
 */
#ifndef __PAIRPATH_CMD_VALUES_H
#define __PAIRPATH_CMD_VALUES_H

#include <stddef.h>
#include <sys/socket.h>
#include <linux/types.h>

/* An address of an endpoint: AF_INET (4 bytes) or AF_INET6 (16). */
struct value_ip {
	int family;
	__u8 bytes[16];
};

/* Write the reason, made one line whatever the input held; returns -EINVAL. */
int value_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A whole decimal number in 0..max (no sign, no blanks): 0 or -EINVAL. */
int value_parse_uint(const char *s, unsigned int max, unsigned int *out);
int value_check_pair_name(const char *name, char *err, size_t errlen);
int value_check_endpoint_name(const char *name, char *err, size_t errlen);
/* "10.0.0.1", "10.0.0.1/32", "fd00::1", "fd00::1/128": one unicast host. */
int value_parse_host_ip(const char *text, struct value_ip *ip, char *err, size_t errlen);
/* "02:00:00:00:00:01": a unicast MAC that is not all zeros. */
int value_parse_mac(const char *text, __u8 mac[6], char *err, size_t errlen);
/* The kernel's dev_valid_name(), so a bad name fails before any netlink. */
int value_check_ifname(const char *name, char *err, size_t errlen);
/* "127.0.0.1:9435", "[::1]:9435", "0.0.0.0:80": an address and a port. */
int value_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len,
		       char *err, size_t errlen);

#endif /* __PAIRPATH_CMD_VALUES_H */
