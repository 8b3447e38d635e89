// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pins of a pair's tcx links, one a device, named after the pair. */
#include <stdio.h>
#include "kernel/pin.h"
#include "state/store.h"

/*
 * bpffs refuses names with a dot, which pair names may hold: a dot is
 * pinned as '~', which pair names never hold, so names stay distinct.
 */
void store_link_name(const char *pair, int d, char *buf, size_t len)
{
	char name[PP_PAIR_NAME_LEN], *c;

	snprintf(name, sizeof(name), "%s", pair);
	for (c = name; *c; c++)
		if (*c == '.')
			*c = '~';
	snprintf(buf, len, "link-%s-%c", name, d == PP_DIR_A_TO_B ? 'a' : 'b');
}

void store_link_path(const char *dir, const char *pair, int d, char *buf, size_t len)
{
	char name[PP_PAIR_NAME_LEN + 8];

	store_link_name(pair, d, name, sizeof(name));
	snprintf(buf, len, "%s/%s", dir, name);
}

int store_link_get(const struct store *st, const char *pair, int d)
{
	char name[PP_PAIR_NAME_LEN + 8];

	store_link_name(pair, d, name, sizeof(name));
	return pin_get_at(st->dir_fd, name, 0, PIN_LINK, 0);
}
