// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "cmd/values.h"
#include "pairpath.h"

int value_parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Input echoed in a message must not break it into lines or drive a terminal. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int value_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	one_line(err);
	return -EINVAL;
}

#define fail(...) return value_error(err, errlen, __VA_ARGS__)

int value_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len,
		     char *err, size_t errlen)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_in *in = (struct sockaddr_in *)addr;
	const char *colon = strrchr(text, ':');
	unsigned int port;
	char host[64];
	size_t hlen;

	if (!colon || colon == text)
		fail("listen address '%s' is invalid: expected ADDR:PORT", text);
	hlen = colon - text;
	if (hlen >= sizeof(host))
		fail("listen address '%.20s...' is invalid: address too long", text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (value_parse_uint(colon + 1, 65535, &port) || !port)
		fail("listen address '%s' is invalid: port must be 1 to 65535", text);

	memset(addr, 0, sizeof(*addr));
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			fail("listen address '%s' is invalid: bad IPv6 address", text);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		fail("listen address '%s' is invalid: expected an IPv4 address or [IPv6]", text);
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	*len = sizeof(*in);
	return 0;
}

/* Names become pin file names: keep clear of "." and "..". */
static int check_name(const char *what, const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name), i;

	if (!len)
		fail("%s name is empty", what);
	if (len > PP_PAIR_NAME_LEN - 1)
		fail("%s name '%.20s...' is invalid: longer than %d characters", what, name,
		     PP_PAIR_NAME_LEN - 1);
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			fail("%s name '%s' is invalid: only A-Z a-z 0-9 _ . - are allowed",
			     what, name);
	}
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		fail("%s name '%s' is invalid", what, name);
	return 0;
}

int value_check_pair_name(const char *name, char *err, size_t errlen)
{
	return check_name("pair", name, err, errlen);
}

int value_check_endpoint_name(const char *name, char *err, size_t errlen)
{
	return check_name("endpoint", name, err, errlen);
}

/*
 * An endpoint's own address: one host, never one the link or the
 * gateway uses. An IPv4-mapped IPv6 address is refused too: the address
 * table keeps IPv4 addresses in that very form (routed.h).
 */
int value_parse_host_ip(const char *text, struct value_ip *ip, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	const __u8 *b = ip->bytes;
	size_t len = slash ? (size_t)(slash - text) : strlen(text);

	memset(ip, 0, sizeof(*ip));
	if (len >= INET6_ADDRSTRLEN)
		fail("address '%.40s' is invalid", text);
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, ip->bytes) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, ip->bytes) == 1)
		ip->family = AF_INET6;
	else
		fail("address '%s' is invalid: expected an IPv4 or IPv6 address", text);
	if (slash && strcmp(slash + 1, ip->family == AF_INET ? "32" : "128"))
		fail("address '%s' is invalid: an endpoint has a /%s", text,
		     ip->family == AF_INET ? "32" : "128");
	if (ip->family == AF_INET) {
		if (!(b[0] | b[1] | b[2] | b[3]) || b[0] == 127 || b[0] >= 224 ||
		    (b[0] == 169 && b[1] == 254))
			fail("address '%s' is invalid: not a unicast host address "
			     "(loopback, link-local, multicast and 0.0.0.0 are not)", text);
		return 0;
	}
	{
		static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
		__u8 zero[16] = {};

		if (!memcmp(b, zero, 16) || (!memcmp(b, zero, 15) && b[15] == 1) ||
		    b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
		    !memcmp(b, mapped, 12))
			fail("address '%s' is invalid: not a unicast host address "
			     "(::, ::1, link-local, multicast and IPv4-mapped are not)", text);
	}
	return 0;
}

int value_parse_mac(const char *text, __u8 mac[6], char *err, size_t errlen)
{
	unsigned int v[6];
	int end = 0, i;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &end) != 6 || text[end] || strlen(text) != 17)
		fail("MAC '%s' is invalid: expected six hex bytes, as 02:00:00:00:00:01", text);
	for (i = 0; i < 6; i++)
		mac[i] = v[i];
	if (mac[0] & 1)
		fail("MAC '%s' is invalid: a multicast address", text);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		fail("MAC '%s' is invalid: all zeros", text);
	return 0;
}

/* The kernel's dev_valid_name(), so a bad name fails before any netlink. */
int value_check_ifname(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name), i;

	if (!len)
		fail("device name is empty");
	if (len >= PP_IFNAME_LEN)
		fail("device name '%.20s...' is invalid: longer than %d characters",
		     name, PP_IFNAME_LEN - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		fail("device name '%s' is invalid", name);
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] == ' ' ||
		    name[i] == '\t' || name[i] == '\n')
			fail("device name '%s' is invalid", name);
	return 0;
}
