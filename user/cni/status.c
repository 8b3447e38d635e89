// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * STATUS: is this node's datapath ready? The pin root must hold this
 * netns's state with routed mode's program pinned (the agent or the
 * first endpoint makes it); otherwise 50. pairpath keeps no heartbeat
 * of its agent in state/, so whether the agent runs is not asked.
 */
#include <errno.h>
#include <string.h>
#include "cni/ops.h"
#include "kernel/pin.h"
#include "state/pins.h"

int cni_status(struct cni_ctx *c)
{
	struct store st;
	int e;

	e = store_open(&st, c->conf->pin_root, STORE_RDONLY);
	if (!e) {
		e = store_routed(&st, false);
		if (!e && pin_check_at(st.dir_fd, pp_pin_names[PP_PIN_RT_PROG]) != 1)
			e = -ENOENT;
		store_close(&st);
	}
	if (e == -ENOENT)
		return cni_fail(c->err, CNI_ERR_NOT_READY, NULL,
				"pairpath's routed datapath is not loaded under %s",
				c->conf->pin_root);
	if (e)
		return cni_fail(c->err, CNI_ERR_NOT_READY, strerror(-e),
				"pairpath's state under %s cannot be used", c->conf->pin_root);
	return 0;
}
