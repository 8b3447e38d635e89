// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: the value parsers (pair, endpoint and device names, listen
 * addresses, endpoint addresses and MACs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "cmd/values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage addr;
	struct value_ip ip;
	__u8 mac[6];
	socklen_t len = 0;
	char *s = malloc(size + 1), err[256];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!value_check_pair_name(s, err, sizeof(err)) &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
	    strlen(s))
		abort();	/* a name outside the allowed set was accepted */
	value_check_ifname(s, err, sizeof(err));
	if (!value_parse_listen(s, &addr, &len, err, sizeof(err)) &&
	    len != sizeof(struct sockaddr_in) && len != sizeof(struct sockaddr_in6))
		abort();
	value_check_endpoint_name(s, err, sizeof(err));
	if (!value_parse_host_ip(s, &ip, err, sizeof(err))) {
		/* An accepted address is a unicast host of one family, never mapped IPv4. */
		if (ip.family != AF_INET && ip.family != AF_INET6)
			abort();
		if (ip.family == AF_INET && (ip.bytes[0] >= 224 || ip.bytes[0] == 127))
			abort();
		if (ip.family == AF_INET6 && (ip.bytes[0] == 0xff ||
		    (ip.bytes[10] == 0xff && ip.bytes[11] == 0xff &&
		     !memcmp(ip.bytes, "\0\0\0\0\0\0\0\0\0\0", 10))))
			abort();
	}
	if (!value_parse_mac(s, mac, err, sizeof(err)) && (mac[0] & 1))
		abort();	/* a group MAC was accepted */
	free(s);
	return 0;
}
