// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lib/log.h"
#include "kernel/netns.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("netns '%s' %s\n", name, err == -ENOENT ? "does not exist" : strerror(-err));
		return err;
	}
	/*
	 * Only the network namespace changes: unlike 'ip netns exec' we keep
	 * the mount namespace, so /sys/fs/bpf stays the host's bpffs.
	 */
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (err)
		pr_warn("netns '%s': cannot enter: %s\n", name, strerror(-err));
	return err;
}

int netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

int netns_enter_fd(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

/* Does the netns at path have this cookie? 1 and its fd in *out, or 0. */
static int try_netns(const char *path, __u64 cookie, int self, int *out)
{
	__u64 c = 0;
	int fd, found = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (!setns(fd, CLONE_NEWNET)) {
		found = !netns_cookie(&c) && c == cookie;
		setns(self, CLONE_NEWNET);
	}
	if (found)
		*out = fd;
	else
		close(fd);
	return found;
}

int netns_find(__u64 cookie)
{
	char path[PATH_MAX];
	struct dirent *de;
	int self, fd = -1;
	DIR *d;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	d = opendir("/run/netns");
	while (d && (de = readdir(d)) && fd < 0) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		try_netns(path, cookie, self, &fd);
	}
	if (d)
		closedir(d);
	/* A netns no name holds is kept alive by the processes inside it. */
	d = fd < 0 ? opendir("/proc") : NULL;
	while (d && (de = readdir(d)) && fd < 0) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		try_netns(path, cookie, self, &fd);
	}
	if (d)
		closedir(d);
	close(self);
	return fd >= 0 ? fd : -ENOENT;
}
