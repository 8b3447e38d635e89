// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <linux/magic.h>
#include "kernel/compat.h"
#include "kernel/pin.h"
#include "lib/log.h"

bool pin_on_bpffs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

bool pin_fd_on_bpffs(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

/* For messages only: the path the kernel gives the directory fd. */
static const char *dir_name(int dirfd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int refuse(int dirfd, const char *name, const char *why)
{
	char dir[PATH_MAX];

	pr_warn("pin '%s/%s': %s: refusing it\n", dir_name(dirfd, dir, sizeof(dir)), name, why);
	return -EPERM;
}

int pin_check_at(int dirfd, const char *name)
{
	struct stat st, dst;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode))
		return refuse(dirfd, name, "a symbolic link, not a pin");
	if (!S_ISREG(st.st_mode))
		return refuse(dirfd, name, "not a pin");
	if (fstat(dirfd, &dst))
		return -errno;
	if (st.st_dev != dst.st_dev)
		return refuse(dirfd, name, "on another filesystem than its directory");
	return 1;
}

/*
 * BPF_OBJ_GET and BPF_OBJ_PIN follow a final symlink, and before 6.5
 * take only a path: pin_check_at() runs first, and on an older kernel
 * the path goes through the directory fd's /proc link, never the name
 * of the directory again.
 */
static int obj_at(int cmd, int fd, int dirfd, const char *name, __u32 file_flags)
{
	struct pp_bpf_obj_attr attr;
	char path[PATH_MAX];
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (__u64)(unsigned long)name;
	attr.bpf_fd = cmd == BPF_OBJ_PIN ? fd : 0;
	attr.file_flags = file_flags | PP_BPF_F_PATH_FD;
	attr.path_fd = dirfd;
	ret = syscall(__NR_bpf, cmd, &attr, sizeof(attr));
	if (ret >= 0 || errno != EINVAL)
		return ret < 0 ? -errno : ret;
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	if (cmd == BPF_OBJ_PIN)
		ret = bpf_obj_pin(fd, path);
	else
		ret = bpf_obj_get_opts(path, &(struct bpf_obj_get_opts){
			.sz = sizeof(struct bpf_obj_get_opts), .file_flags = file_flags });
	return ret < 0 ? -errno : ret;
}

/* What a BPF fd holds, as bpftool tells: by the name of its anon inode. */
static enum pin_kind kind_of(int fd)
{
	char link[64], buf[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (!strcmp(buf, "anon_inode:bpf-map"))
		return PIN_MAP;
	if (!strcmp(buf, "anon_inode:bpf-prog"))
		return PIN_PROG;
	/* bpf_link before 6.9, bpf-link since. */
	if (!strcmp(buf, "anon_inode:bpf-link") || !strcmp(buf, "anon_inode:bpf_link"))
		return PIN_LINK;
	return PIN_ANY;
}

/* struct bpf_map_info, bpf_prog_info and bpf_link_info all begin with type. */
static int check_kind(int fd, int dirfd, const char *name, enum pin_kind kind, __u32 type)
{
	static const char *const kinds[] = { "object", "map", "program", "link" };
	char info[256] = {}, why[96];
	__u32 len = sizeof(info), got;

	if (kind == PIN_ANY)
		return 0;
	if (kind_of(fd) != kind) {
		snprintf(why, sizeof(why), "not a %s", kinds[kind]);
		return refuse(dirfd, name, why);
	}
	if (!type)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	memcpy(&got, info, sizeof(got));
	if (got != type) {
		snprintf(why, sizeof(why), "a %s of type %u, not %u", kinds[kind], got, type);
		return refuse(dirfd, name, why);
	}
	return 0;
}

int pin_get_at(int dirfd, const char *name, __u32 file_flags, enum pin_kind kind,
	       __u32 type)
{
	int fd, err;

	err = pin_check_at(dirfd, name);
	if (err <= 0)
		return err ? err : -ENOENT;
	fd = obj_at(BPF_OBJ_GET, -1, dirfd, name, file_flags);
	if (fd < 0)
		return fd;
	err = check_kind(fd, dirfd, name, kind, type);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int pin_put_at(int fd, int dirfd, const char *name)
{
	int ret = obj_at(BPF_OBJ_PIN, fd, dirfd, name, 0);

	return ret < 0 ? ret : 0;
}

int pin_release_at(int dirfd, const char *name)
{
	int fd, err = 0;

	fd = pin_get_at(dirfd, name, 0, PIN_ANY, 0);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	/*
	 * Detach explicitly: an unpinned link stays attached for as long as
	 * any process holds a file descriptor of it. A map or a program says
	 * EINVAL, a raw tracepoint link (no detach operation) EOPNOTSUPP and
	 * a tcx link whose device is gone ENOLINK: for those the pin is what
	 * holds them, and unlinking it releases them.
	 */
	if (bpf_link_detach(fd) && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOLINK)
		err = -errno;
	close(fd);
	if (!err && unlinkat(dirfd, name, 0))
		err = -errno;
	return err;
}
