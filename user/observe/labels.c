// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "metrics.h"
#include "observe/labels.h"

const char *const pp_drop_labels[PP_DROP_REASON_SLOTS] = {
#define PP_DROP_LABEL(name, code, label) [code] = label,
	PP_DROP_REASONS(PP_DROP_LABEL)
#undef PP_DROP_LABEL
};

const char *const pp_dir_labels[PP_DIR_MAX] = {
	[PP_DIR_A_TO_B] = PP_DIRECTION_A_TO_B,
	[PP_DIR_B_TO_A] = PP_DIRECTION_B_TO_A,
};

const char *const rt_reason_labels[RT_REASON_SLOTS] = {
#define RT_REASON_LABEL(name, code, label, drop) [code] = label,
	RT_REASONS(RT_REASON_LABEL)
#undef RT_REASON_LABEL
};

const char *const rt_dir_labels[RT_DIR_MAX] = {
	[RT_DIR_TO] = PP_DIRECTION_TO,
	[RT_DIR_FROM] = PP_DIRECTION_FROM,
};
