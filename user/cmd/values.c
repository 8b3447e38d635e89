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

int value_check_pair_name(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name), i;

	if (!len)
		fail("pair name is empty");
	if (len > PP_PAIR_NAME_LEN - 1)
		fail("pair name '%.20s...' is invalid: longer than %d characters", name,
		     PP_PAIR_NAME_LEN - 1);
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			fail("pair name '%s' is invalid: only A-Z a-z 0-9 _ . - are allowed",
			     name);
	}
	/* Pair names become pin file names: keep clear of "." and "..". */
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		fail("pair name '%s' is invalid", name);
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
