/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_OBSERVE_SERVE_H
#define __PAIRPATH_OBSERVE_SERVE_H

#include <sys/socket.h>

/* Bind and listen now, in the netns the process was started in. */
int serve_listen(const struct sockaddr_storage *addr, socklen_t len, const char *text);
/*
 * Serve /metrics on listen_fd until SIGINT or SIGTERM, reading the pinned
 * maps afresh at every scrape, as `user` without capabilities ("root"
 * keeps them). st is the state under root opened read-only, taken over,
 * or NULL when nothing is pinned yet (then only an exporter that keeps
 * root will ever find it). With root NULL the exporter never looks for
 * state itself: the agent starts a new one when the state changes.
 * Never changes the datapath.
 */
struct store;
int serve_run(int listen_fd, const char *root, const char *user, struct store *st);

#endif /* __PAIRPATH_OBSERVE_SERVE_H */
