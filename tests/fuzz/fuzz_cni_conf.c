// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: pairpath-cni's network config parser, for every command. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cni/cni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf conf;
	struct cni_err err;
	int cmd;

	for (cmd = CNI_CMD_ADD; cmd <= CNI_CMD_VERSION; cmd++) {
		memset(&err, 0, sizeof(err));
		if (!cni_conf_parse((const char *)data, size, cmd, &conf, &err)) {
			/* Accepted: a supported version, our type, a checked pin root. */
			if (cmd != CNI_CMD_VERSION &&
			    (!cni_version_supported(conf.version) ||
			     strcmp(conf.type, "pairpath-cni") || conf.pin_root[0] != '/' ||
			     (conf.mtu && (conf.mtu < 68 || conf.mtu > 65535))))
				abort();
			if (conf.raw && (conf.raw_len != size || memcmp(conf.raw, data, size)))
				abort();
		} else if (!err.code || !err.msg[0]) {
			abort();	/* every refusal says why, with a code */
		}
		cni_conf_free(&conf);
	}
	return 0;
}
