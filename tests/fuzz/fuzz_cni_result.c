// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: an IPAM plugin's result as pairpath-cni reads it, printed
 * back in every version; what is printed must read back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cni/cni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_result res, again;
	struct cni_err err = {};
	char *out;
	int i;

	if (cni_result_parse((const char *)data, size, &res, &err)) {
		if (!err.code)
			abort();
		return 0;
	}
	for (i = 0; cni_versions[i]; i++) {
		out = cni_result_json(&res, cni_versions[i]);
		if (!out)
			continue;
		if (cni_version_cmp(cni_versions[i], "0.3.0") >= 0) {
			if (cni_result_parse(out, strlen(out), &again, &err) ||
			    again.nips != res.nips || again.nroutes != res.nroutes ||
			    again.nifs != res.nifs)
				abort();
			cni_result_free(&again);
		}
		free(out);
	}
	cni_result_free(&res);
	return 0;
}
