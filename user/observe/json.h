/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the JSON formats share, on cJSON. */
#ifndef __PAIRPATH_OBSERVE_JSON_H
#define __PAIRPATH_OBSERVE_JSON_H

#include <stdio.h>
#include <linux/types.h>
#include <cjson/cJSON.h>

/* A counter as an exact integer: cJSON keeps numbers as doubles. */
cJSON *json_u64(__u64 v);
/* Print root on one line and free it; NULL (an allocation failed) is -ENOMEM. */
int json_print(FILE *out, cJSON *root);

#endif /* __PAIRPATH_OBSERVE_JSON_H */
