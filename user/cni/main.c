// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pairpath-cni: the CNI plugin (SPEC.md 1.1.0 and the versions before).
 * The command and the attachment come from the environment, the network
 * config from stdin; the result goes to stdout, or the spec's error JSON
 * with exit 1. Diagnostics of the library go to stderr, as the spec allows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cni/ops.h"
#include "lib/log.h"

#define CONF_MAX	(1 << 20)

static const char *getenv_cb(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

static char *read_stdin(size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap), *nb;
	ssize_t n;

	*len = 0;
	while (buf) {
		if (*len + 1 >= cap) {
			if (cap >= CONF_MAX)
				break;
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(0, buf + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += n;
	}
	if (buf)
		buf[*len] = '\0';
	return buf;
}

static int print_json(char *s)
{
	if (!s)
		return 1;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return fflush(stdout) ? 1 : 0;
}

static int dispatch(struct cni_ctx *c)
{
	switch (c->env->cmd) {
	case CNI_CMD_ADD:	return cni_add(c);
	case CNI_CMD_DEL:	return cni_del(c);
	case CNI_CMD_CHECK:	return cni_check(c);
	case CNI_CMD_STATUS:	return cni_status(c);
	case CNI_CMD_GC:	return cni_gc(c);
	default:		return 0;
	}
}

int main(int argc, char **argv)
{
	struct cni_conf conf = {};
	struct cni_env env = {};
	struct cni_err err = {};
	struct cni_ctx c = { .env = &env, .conf = &conf, .err = &err };
	const char *ver = "1.1.0";
	size_t len = 0;
	char *in = NULL;
	int rc;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "pairpath-cni %s: a CNI plugin, run by a container runtime "
			"(CNI_COMMAND and the config on stdin)\n", PAIRPATH_VERSION);
		return 2;
	}
	log_setup_libbpf();
	if (cni_env_parse(getenv_cb, NULL, &env, &err))
		goto fail;
	in = read_stdin(&len);
	if (!in) {
		cni_fail(&err, CNI_ERR_IO, NULL, "cannot read the network config from stdin");
		goto fail;
	}
	rc = cni_conf_parse(in, len, env.cmd, &conf, &err);
	/* An error found after cniVersion was read is answered in that version. */
	if (cni_version_supported(conf.version))
		ver = conf.version;
	if (rc)
		goto fail;
	if (env.cmd == CNI_CMD_VERSION) {
		rc = print_json(cni_version_json(ver));
		goto out;
	}
	if (dispatch(&c))
		goto fail;
	rc = c.out ? print_json(c.out) : 0;
	goto out;
fail:
	if (!err.code)
		cni_fail(&err, CNI_ERR_IO, NULL, "failed");
	print_json(cni_error_json(&err, ver));
	rc = 1;
out:
	cni_conf_free(&conf);
	free(in);
	return rc;
}
