/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The running kernel's enum skb_drop_reason, read from its BTF. */
#ifndef __PAIRPATH_KERNEL_DROP_REASON_H
#define __PAIRPATH_KERNEL_DROP_REASON_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Has the kernel's BTF the enum? Loads it on the first call. */
bool drop_reasons_known(void);
/* The kernel's name of a reason without its prefix ("NOT_SPECIFIED"), or "REASON_<n>". */
const char *drop_reason_name(__u32 reason, char *buf, size_t len);
/* Call fn for every reason the kernel has, with its name as above. */
void drop_reason_each(void (*fn)(__u32 reason, const char *name, void *arg), void *arg);
void drop_reasons_free(void);

#endif /* __PAIRPATH_KERNEL_DROP_REASON_H */
