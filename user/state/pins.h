/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The names pairpath pins in a netns directory, in one place: reset and
 * roll-back unlink these and nothing else, whatever else lies there.
 */
#ifndef __PAIRPATH_STATE_PINS_H
#define __PAIRPATH_STATE_PINS_H

#include <stdbool.h>

enum pp_pin {
	PP_PIN_PROG,
	PP_PIN_PROG_NEW,	/* a program on its way to "prog" (rename) */
	PP_PIN_PORTS,
	PP_PIN_PORTS_OVERFLOW,
	PP_PIN_PORT_STATS,
	PP_PIN_PEER_DEVS,
	PP_PIN_PAIRS,
	PP_PIN_META,
	PP_PIN_KDEVS,
	PP_PIN_KDROPS,
	PP_PIN_KDROPS_UNTRACKED,
	PP_PIN_KDROP_LINK,
	/* Routed mode (state/rt_store.h), pinned with the first endpoint or uplink. */
	PP_PIN_RT_PROG,
	PP_PIN_RT_UPLINK_PROG,
	PP_PIN_RT_ENDPOINTS,
	PP_PIN_RT_ENDPOINTS_OVERFLOW,
	PP_PIN_RT_ADDRS,
	PP_PIN_RT_ADDRS_OVERFLOW,
	PP_PIN_RT_STATS,
	PP_PIN_RT_DEVS,
	PP_PIN_RT_UPLINKS,
	PP_PIN_RT_UPLINKS_OVERFLOW,
	PP_PIN_RT_UPLINK_STATS,
	PP_PIN_RT_RECORDS,
	PP_PIN_MAX,
};

#define PP_PIN_BIT(p)	(1u << (p))

#define PP_EPLINK_PREFIX	"eplink-"
#define PP_UPLINK_PREFIX	"uplink-"

extern const char *const pp_pin_names[PP_PIN_MAX];

/* The pin of that name, or -1. */
int pins_index(const char *name);
/*
 * One of the names above, a pair's link (link-PAIR-a|b), an endpoint's
 * (eplink-NAME) or an uplink's (uplink-DEV).
 */
bool pins_known(const char *name);
/* A netns directory's name as pairpath makes it: netns-COOKIE. */
bool pins_netns_dir(const char *name, unsigned long long *cookie);

#endif /* __PAIRPATH_STATE_PINS_H */
