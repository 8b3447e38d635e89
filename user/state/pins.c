// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "state/pins.h"

const char *const pp_pin_names[PP_PIN_MAX] = {
	[PP_PIN_PROG] = "prog",
	[PP_PIN_PROG_NEW] = "prog-new",
	[PP_PIN_PORTS] = "ports",
	[PP_PIN_PORTS_OVERFLOW] = "ports_overflow",
	[PP_PIN_PORT_STATS] = "port_stats",
	[PP_PIN_PEER_DEVS] = "peer_devs",
	[PP_PIN_PAIRS] = "pairs",
	[PP_PIN_META] = "meta",
	[PP_PIN_KDEVS] = "kdevs",
	[PP_PIN_KDROPS] = "kdrops",
	[PP_PIN_KDROPS_UNTRACKED] = "kdrops_untracked",
	[PP_PIN_KDROP_LINK] = "kdrop_link",
	[PP_PIN_RT_PROG] = "rt_prog",
	[PP_PIN_RT_UPLINK_PROG] = "rt_uplink_prog",
	[PP_PIN_RT_ENDPOINTS] = "rt_endpoints",
	[PP_PIN_RT_ENDPOINTS_OVERFLOW] = "rt_endpoints_overflow",
	[PP_PIN_RT_ADDRS] = "rt_addrs",
	[PP_PIN_RT_ADDRS_OVERFLOW] = "rt_addrs_overflow",
	[PP_PIN_RT_STATS] = "rt_stats",
	[PP_PIN_RT_DEVS] = "rt_devs",
	[PP_PIN_RT_UPLINKS] = "rt_uplinks",
	[PP_PIN_RT_UPLINKS_OVERFLOW] = "rt_uplinks_overflow",
	[PP_PIN_RT_UPLINK_STATS] = "rt_uplink_stats",
	[PP_PIN_RT_RECORDS] = "rt_records",
};

int pins_index(const char *name)
{
	int i;

	for (i = 0; i < PP_PIN_MAX; i++)
		if (!strcmp(name, pp_pin_names[i]))
			return i;
	return -1;
}

bool pins_known(const char *name)
{
	size_t len = strlen(name);

	if (pins_index(name) >= 0)
		return true;
	if ((!strncmp(name, PP_EPLINK_PREFIX, strlen(PP_EPLINK_PREFIX)) &&
	     len > strlen(PP_EPLINK_PREFIX)) ||
	    (!strncmp(name, PP_UPLINK_PREFIX, strlen(PP_UPLINK_PREFIX)) &&
	     len > strlen(PP_UPLINK_PREFIX)))
		return true;
	return len > strlen("link--a") && !strncmp(name, "link-", 5) &&
	       name[len - 2] == '-' && (name[len - 1] == 'a' || name[len - 1] == 'b');
}

bool pins_netns_dir(const char *name, unsigned long long *cookie)
{
	int end = 0;

	/* Digits only, to the end: no sign, no space, nothing after. */
	if (strncmp(name, "netns-", 6) || name[6] < '0' || name[6] > '9')
		return false;
	return sscanf(name, "netns-%llu%n", cookie, &end) == 1 && !name[end];
}
