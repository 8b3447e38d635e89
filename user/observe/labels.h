/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The label values of drop reasons and directions, as every format shows them. */
#ifndef __PAIRPATH_OBSERVE_LABELS_H
#define __PAIRPATH_OBSERVE_LABELS_H

#include "pairpath.h"
#include "routed.h"

extern const char *const pp_drop_labels[PP_DROP_REASON_SLOTS];
extern const char *const pp_dir_labels[PP_DIR_MAX];
extern const char *const rt_reason_labels[RT_REASON_SLOTS];
extern const char *const rt_dir_labels[RT_DIR_MAX];

#endif /* __PAIRPATH_OBSERVE_LABELS_H */
