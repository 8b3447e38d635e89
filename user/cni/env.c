// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The CNI_* environment (SPEC.md, "Parameters"). Which variables a
 * command needs: ADD and CHECK all of them; DEL all but CNI_NETNS (the
 * runtime may have lost the netns already); STATUS, GC and VERSION
 * none but CNI_COMMAND (GC's IPAM calls want CNI_PATH when there is
 * something to release). Every failure is code 4 naming the variable.
 */
#include <stdio.h>
#include <string.h>
#include "cni/cni.h"

static const char *const cmd_names[] = {
	[CNI_CMD_ADD] = "ADD", [CNI_CMD_DEL] = "DEL", [CNI_CMD_CHECK] = "CHECK",
	[CNI_CMD_STATUS] = "STATUS", [CNI_CMD_GC] = "GC", [CNI_CMD_VERSION] = "VERSION",
};

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The spec's container ID: alphanumerics, then also '_', '.' and '-'. */
static bool valid_containerid(const char *s)
{
	const char *p;

	if (!alnum(*s))
		return false;
	for (p = s; *p; p++)
		if (!alnum(*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

/* What dev_valid_name() accepts: 1 to 15 bytes, no '/', ':' or space, not . or .. */
static bool valid_ifname(const char *s)
{
	const char *p;

	if (!*s || strlen(s) >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (p = s; *p; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (unsigned char)*p <= ' ' ||
		    (unsigned char)*p == 0x7f)
			return false;
	return true;
}

static int copy_var(const char *name, const char *v, char *dst, size_t size,
		    struct cni_err *err)
{
	if (strlen(v) >= size)
		return cni_fail(err, CNI_ERR_ENV, NULL, "%s is longer than %zu bytes",
				name, size - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* CNI_ARGS: "K=V;K2=V2", each pair with a key; an empty string is none. */
static int parse_args(const char *s, struct cni_env *env, struct cni_err *err)
{
	const char *p = s, *semi, *eq;
	size_t klen, vlen;

	while (*p) {
		semi = strchr(p, ';');
		if (!semi)
			semi = p + strlen(p);
		eq = memchr(p, '=', semi - p);
		if (!eq || eq == p)
			return cni_fail(err, CNI_ERR_ENV, NULL,
					"CNI_ARGS '%.64s' is not KEY=VALUE;...", s);
		klen = eq - p;
		vlen = semi - eq - 1;
		if (env->nargs >= CNI_MAX_ARGS)
			return cni_fail(err, CNI_ERR_ENV, NULL,
					"CNI_ARGS has more than %d arguments", CNI_MAX_ARGS);
		if (klen >= sizeof(env->args[0].key) || vlen >= sizeof(env->args[0].value))
			return cni_fail(err, CNI_ERR_ENV, NULL,
					"CNI_ARGS argument '%.*s' is too long", (int)(klen > 63 ? 63 : klen), p);
		memcpy(env->args[env->nargs].key, p, klen);
		env->args[env->nargs].key[klen] = '\0';
		memcpy(env->args[env->nargs].value, eq + 1, vlen);
		env->args[env->nargs].value[vlen] = '\0';
		env->nargs++;
		p = *semi ? semi + 1 : semi;
	}
	return 0;
}

int cni_env_parse(const char *(*get)(const char *name, void *ctx), void *ctx,
		  struct cni_env *env, struct cni_err *err)
{
	const char *cmd = get("CNI_COMMAND", ctx), *v;
	bool attach;
	size_t i;

	memset(env, 0, sizeof(*env));
	if (!cmd || !*cmd)
		return cni_fail(err, CNI_ERR_ENV, NULL, "CNI_COMMAND is not set");
	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (!strcmp(cmd, cmd_names[i]))
			break;
	if (i == sizeof(cmd_names) / sizeof(cmd_names[0]))
		return cni_fail(err, CNI_ERR_ENV, NULL,
				"CNI_COMMAND '%.32s' is not ADD, DEL, CHECK, STATUS, GC or VERSION", cmd);
	env->cmd = i;
	attach = env->cmd == CNI_CMD_ADD || env->cmd == CNI_CMD_DEL || env->cmd == CNI_CMD_CHECK;

	v = get("CNI_CONTAINERID", ctx);
	if (attach && (!v || !*v))
		return cni_fail(err, CNI_ERR_ENV, NULL, "CNI_CONTAINERID is not set");
	if (attach && !valid_containerid(v))
		return cni_fail(err, CNI_ERR_ENV, NULL,
				"CNI_CONTAINERID '%.64s' is not a valid container ID", v);
	if (attach && copy_var("CNI_CONTAINERID", v, env->containerid, sizeof(env->containerid), err))
		return -1;

	v = get("CNI_IFNAME", ctx);
	if (attach && (!v || !*v))
		return cni_fail(err, CNI_ERR_ENV, NULL, "CNI_IFNAME is not set");
	if (attach && !valid_ifname(v))
		return cni_fail(err, CNI_ERR_ENV, NULL,
				"CNI_IFNAME '%.32s' is not a valid interface name", v);
	if (attach)
		memcpy(env->ifname, v, strlen(v) + 1);

	v = get("CNI_NETNS", ctx);
	if ((env->cmd == CNI_CMD_ADD || env->cmd == CNI_CMD_CHECK) && (!v || !*v))
		return cni_fail(err, CNI_ERR_ENV, NULL, "CNI_NETNS is not set");
	if (attach && v && *v) {
		if (*v != '/')
			return cni_fail(err, CNI_ERR_ENV, NULL,
					"CNI_NETNS '%.64s' is not an absolute path", v);
		if (copy_var("CNI_NETNS", v, env->netns, sizeof(env->netns), err))
			return -1;
	}

	v = get("CNI_PATH", ctx);
	if (attach && (!v || !*v))
		return cni_fail(err, CNI_ERR_ENV, NULL, "CNI_PATH is not set");
	if (v && copy_var("CNI_PATH", v, env->path, sizeof(env->path), err))
		return -1;

	v = get("CNI_ARGS", ctx);
	if (v && parse_args(v, env, err))
		return -1;
	return 0;
}
