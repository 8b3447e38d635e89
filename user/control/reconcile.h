/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's decisions: pairs and endpoints checked against their
 * devices, all of them (at start, after lost events) or those that
 * events named. A device gone, or not the recorded one any more, breaks
 * its pair or endpoint; a container end with a new MAC or MTU is
 * followed. Devices are never touched, only routes and hooks of ours.
 */
#ifndef __PAIRPATH_CONTROL_RECONCILE_H
#define __PAIRPATH_CONTROL_RECONCILE_H

#include <stdbool.h>
#include "kernel/linkwatch.h"
#include "state/store.h"

#define RECONCILE_EVENTS	128

/* What changed since the last pass: the events, or everything. */
struct reconcile_set {
	bool all;		/* events were lost, or too many to name */
	bool nsids;		/* an nsid came or went: cookies must be asked again */
	int n;
	struct link_event ev[RECONCILE_EVENTS];
};

void reconcile_add(struct reconcile_set *set, const struct link_event *ev);
/*
 * One pass, under the pin root's lock; on return the set is empty.
 * *followed and *broken count what it changed.
 */
int reconcile(struct store *st, struct reconcile_set *set, int *followed, int *broken);

#endif /* __PAIRPATH_CONTROL_RECONCILE_H */
