/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Objects pinned in a bpf filesystem, whoever pinned them. */
#ifndef __PAIRPATH_KERNEL_PIN_H
#define __PAIRPATH_KERNEL_PIN_H

#include <stdbool.h>
#include <linux/types.h>

bool pin_on_bpffs(const char *path);
/* A file descriptor of the object pinned at path (BPF_F_RDONLY...), or -errno. */
int pin_get(const char *path, __u32 file_flags);
/* Pin the object of fd at path. */
int pin_put(int fd, const char *path);
/*
 * Detach the link pinned at path, if it is a link, and remove the pin.
 * Nothing pinned there is 0; a failed detach keeps the pin.
 */
int pin_release(const char *path);

#endif /* __PAIRPATH_KERNEL_PIN_H */
