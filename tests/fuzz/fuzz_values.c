// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: the value parsers (pair and device names, listen addresses). */
#include <stdint.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include "cmd/values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage addr;
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
	free(s);
	return 0;
}
