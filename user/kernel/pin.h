/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Objects pinned in a bpf filesystem, whoever pinned them, named
 * relative to a directory fd: nothing is resolved through a path again.
 */
#ifndef __PAIRPATH_KERNEL_PIN_H
#define __PAIRPATH_KERNEL_PIN_H

#include <stdbool.h>
#include <linux/types.h>

enum pin_kind {
	PIN_ANY,
	PIN_MAP,
	PIN_PROG,
	PIN_LINK,
};

bool pin_on_bpffs(const char *path);
bool pin_fd_on_bpffs(int fd);
/*
 * Is name in dirfd a pin, a regular file of the directory's own bpffs?
 * 1 yes, 0 nothing there, -EPERM something else there (said why).
 */
int pin_check_at(int dirfd, const char *name);
/*
 * A file descriptor of the object pinned at name (BPF_F_RDONLY...), or
 * -errno: -ENOENT for none, -EPERM (said why) for a pin that is not a
 * regular bpffs file, or whose object is not of that kind and type (a
 * map, program or link type; 0 is any).
 */
int pin_get_at(int dirfd, const char *name, __u32 file_flags, enum pin_kind kind,
	       __u32 type);
/* Pin the object of fd at name, which must not exist. */
int pin_put_at(int fd, int dirfd, const char *name);
/*
 * Detach the link pinned at name, if it is a link, and remove the pin.
 * Nothing pinned there is 0; a failed detach keeps the pin.
 */
int pin_release_at(int dirfd, const char *name);

#endif /* __PAIRPATH_KERNEL_PIN_H */
