/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_OBSERVE_SERVE_H
#define __PAIRPATH_OBSERVE_SERVE_H

#include <sys/socket.h>

/* Bind and listen now, in the netns the process was started in. */
int serve_listen(const struct sockaddr_storage *addr, socklen_t len, const char *text);
/*
 * Serve /metrics on listen_fd until SIGINT or SIGTERM, reading the pinned
 * maps under root afresh at every scrape, as `user` without capabilities
 * ("root" keeps them). Never changes the datapath.
 */
int serve_run(int listen_fd, const char *root, const char *user);

#endif /* __PAIRPATH_OBSERVE_SERVE_H */
