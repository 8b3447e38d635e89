// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include "lib/log.h"
#include "kernel/netns.h"

#include <linux/magic.h>
#include <linux/nsfs.h>

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

int netns_open_other(const char *path)
{
	struct stat st, self;
	struct statfs fs;
	int fd, err;

	/*
	 * O_NONBLOCK and O_NOCTTY: whatever is at path is opened before it
	 * is known to be a netns, and a FIFO or a tty must not block or
	 * become ours. A symlink is followed (/proc/PID/ns/net is one); what
	 * it leads to is checked.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	err = -ENOTTY;
	if (fstatfs(fd, &fs) || fs.f_type != NSFS_MAGIC ||
	    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		goto fail;
	err = -EEXIST;
	if (fstat(fd, &st) || stat("/proc/self/ns/net", &self) ||
	    (st.st_dev == self.st_dev && st.st_ino == self.st_ino))
		goto fail;
	return fd;
fail:
	close(fd);
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

/* The cookie of the netns of fd; the caller's netns (self) is entered again. */
static int cookie_of_fd(int fd, int self, __u64 *cookie)
{
	int err;

	if (setns(fd, CLONE_NEWNET))
		return -errno;
	err = netns_cookie(cookie);
	if (setns(self, CLONE_NEWNET))
		err = -errno;
	return err;
}

/*
 * Call fn once for every netns that has a name (/run/netns) or a process
 * in it, until fn returns non-zero; returns that. fn gets an fd of the
 * netns, which it keeps by returning 1 (it is closed otherwise).
 */
static int each_netns(int (*fn)(int fd, int self, void *arg), void *arg)
{
	static const char *const dirs[] = { "/run/netns", "/proc" };
	struct stat *seen = NULL, st, *grown;
	int self, fd, ret = 0, nseen = 0, i, k;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	for (k = 0; k < 2 && !ret; k++) {
		d = opendir(dirs[k]);
		while (d && !ret && (de = readdir(d))) {
			if (k == 0 ? de->d_name[0] == '.' :
			    (de->d_name[0] < '1' || de->d_name[0] > '9'))
				continue;
			snprintf(path, sizeof(path), k == 0 ? "%s/%s" : "%s/%s/ns/net",
				 dirs[k], de->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (fstat(fd, &st)) {
				close(fd);
				continue;
			}
			/* Many processes share a netns: ask about each one once. */
			for (i = 0; i < nseen; i++)
				if (seen[i].st_ino == st.st_ino && seen[i].st_dev == st.st_dev)
					break;
			grown = i == nseen ? realloc(seen, (nseen + 1) * sizeof(*seen)) : NULL;
			if (grown) {
				seen = grown;
				seen[nseen++] = st;
				ret = fn(fd, self, arg);
			}
			if (ret <= 0)
				close(fd);
		}
		if (d)
			closedir(d);
	}
	free(seen);
	close(self);
	return ret;
}

struct find_ctx {
	__u64 cookie;
	int fd;
};

static int match_cookie(int fd, int self, void *arg)
{
	struct find_ctx *ctx = arg;
	__u64 c = 0;

	if (cookie_of_fd(fd, self, &c) || c != ctx->cookie)
		return 0;
	ctx->fd = fd;
	return 1;
}

int netns_find(__u64 cookie)
{
	struct find_ctx ctx = { .cookie = cookie, .fd = -1 };
	int ret = each_netns(match_cookie, &ctx);

	return ret < 0 ? ret : ctx.fd >= 0 ? ctx.fd : -ENOENT;
}

static int on_nsid_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];
	int *nsid = arg;

	if (!nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) &&
	    tb[NETNSA_NSID])
		*nsid = nla_get_s32(tb[NETNSA_NSID]);
	return NL_OK;
}

/* The nsid the current netns gives the netns of fd, or NETNSA_NSID_NOT_ASSIGNED. */
static int nsid_of_fd(struct nl_sock *sk, int fd)
{
	struct rtgenmsg rt = { .rtgen_family = AF_UNSPEC };
	int nsid = NETNSA_NSID_NOT_ASSIGNED;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST);
	if (!msg || nlmsg_append(msg, &rt, sizeof(rt), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, NETNSA_FD, fd) < 0 || nl_send_auto(sk, msg) < 0) {
		nlmsg_free(msg);
		return NETNSA_NSID_NOT_ASSIGNED;
	}
	nlmsg_free(msg);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_nsid_msg, &nsid);
	nl_recvmsgs_default(sk);
	return nsid;
}

/* What the scan learnt: the cookie of each netns that has an nsid here. */
static struct nsid_cookie {
	int nsid;
	__u64 cookie;
} *known;
static int nknown;
static bool scanned;

struct scan_ctx {
	struct nl_sock *sk;
};

static int learn(int fd, int self, void *arg)
{
	struct scan_ctx *ctx = arg;
	struct nsid_cookie *grown;
	int nsid = nsid_of_fd(ctx->sk, fd);
	__u64 cookie;

	if (nsid < 0 || cookie_of_fd(fd, self, &cookie))
		return 0;
	grown = realloc(known, (nknown + 1) * sizeof(*known));
	if (!grown)
		return -ENOMEM;
	known = grown;
	known[nknown].nsid = nsid;
	known[nknown++].cookie = cookie;
	return 0;
}

/*
 * No call maps an nsid to its netns, so every netns that has a name or a
 * process is asked for its nsid (RTM_GETNSID by fd) once, and the
 * answers kept until netns_ids_forget().
 */
int netns_cookie_of_nsid(int nsid, __u64 *cookie)
{
	struct scan_ctx ctx;
	int i, err;

	for (i = 0; i < nknown; i++)
		if (known[i].nsid == nsid) {
			*cookie = known[i].cookie;
			return 0;
		}
	if (scanned)
		return -ENOENT;
	ctx.sk = nl_socket_alloc();
	if (!ctx.sk)
		return -ENOMEM;
	/*
	 * The answer is one RTM_NEWNSID; an ACK after it would be read as the
	 * answer to the next request.
	 */
	nl_socket_disable_auto_ack(ctx.sk);
	err = nl_connect(ctx.sk, NETLINK_ROUTE) < 0 ? -EIO : each_netns(learn, &ctx);
	nl_socket_free(ctx.sk);
	if (err < 0)
		return err;
	scanned = true;
	return netns_cookie_of_nsid(nsid, cookie);
}

void netns_ids_forget(void)
{
	free(known);
	known = NULL;
	nknown = 0;
	scanned = false;
}
