// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: pairpath-cni's CNI_* environment parser. The input is
 * NAME=VALUE lines; the parser asks for variables through the callback.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cni/cni.h"

struct vars {
	char *text;
};

static const char *lookup(const char *name, void *ctx)
{
	struct vars *v = ctx;
	size_t n = strlen(name);
	char *line = v->text;

	while (line && *line) {
		char *nl = strchr(line, '\n');

		if (!strncmp(line, name, n) && line[n] == '=') {
			/* A value ends at its line's end: cut it there for the parser. */
			if (nl)
				*nl = '\0';
			return line + n + 1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_env env;
	struct cni_err err = {};
	struct vars v;
	int i;

	v.text = malloc(size + 1);
	if (!v.text)
		return 0;
	memcpy(v.text, data, size);
	v.text[size] = '\0';
	if (!cni_env_parse(lookup, &v, &env, &err)) {
		if (env.cmd > CNI_CMD_VERSION || env.nargs > CNI_MAX_ARGS)
			abort();
		if (env.cmd <= CNI_CMD_CHECK &&
		    (!env.containerid[0] || !env.ifname[0] || strchr(env.ifname, '/')))
			abort();
		for (i = 0; i < env.nargs; i++)
			if (!env.args[i].key[0] || strchr(env.args[i].key, '='))
				abort();
	} else if (err.code != CNI_ERR_ENV || !err.msg[0]) {
		abort();
	}
	free(v.text);
	return 0;
}
