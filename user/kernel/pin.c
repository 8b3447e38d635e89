// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <linux/magic.h>
#include "kernel/pin.h"

bool pin_on_bpffs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

int pin_get(const char *path, __u32 file_flags)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = file_flags);
	int fd;

	fd = bpf_obj_get_opts(path, &opts);
	return fd < 0 ? -errno : fd;
}

int pin_put(int fd, const char *path)
{
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

int pin_release(const char *path)
{
	int fd, err = 0;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
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
	if (!err && unlink(path))
		err = -errno;
	return err;
}
