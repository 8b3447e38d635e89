// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The IPAM delegation of the spec ("Delegated plugins"): the plugin named
 * by ipam.type is found in CNI_PATH and run with this plugin's own
 * environment but for CNI_COMMAND (and, for GC's DEL, the attachment's
 * CNI_CONTAINERID and CNI_IFNAME), the network config on stdin, its
 * result or error JSON on stdout. It is asked in a version it says it
 * speaks (VERSION first), since Debian's host-local stops at 1.0.0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cjson/cJSON.h>
#include "cni/ops.h"

#define IPAM_TIMEOUT_MS	30000
#define IPAM_MAX_OUT	(1 << 20)

extern char **environ;

static const char *const cmd_names[] = {
	[CNI_CMD_ADD] = "ADD", [CNI_CMD_DEL] = "DEL", [CNI_CMD_CHECK] = "CHECK",
	[CNI_CMD_STATUS] = "STATUS", [CNI_CMD_GC] = "GC", [CNI_CMD_VERSION] = "VERSION",
};

static int find_plugin(const struct cni_env *env, const char *type, char *path, size_t len,
		       struct cni_err *err)
{
	const char *p = env->path, *end;

	if (!*type || strchr(type, '/') || !strcmp(type, ".") || !strcmp(type, ".."))
		return cni_fail(err, CNI_ERR_CONFIG, NULL, "ipam type '%s' is invalid", type);
	/*
	 * Only absolute folders (a relative one would be the runtime's cwd)
	 * and a regular executable file: as root access(X_OK) is true of a
	 * directory too.
	 */
	while (*p) {
		struct stat st;
		int n;

		end = strchrnul(p, ':');
		n = snprintf(path, len, "%.*s/%s", (int)(end - p), p, type);
		if (end > p && *p == '/' && n > 0 && (size_t)n < len && !stat(path, &st) &&
		    S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return 0;
		p = *end ? end + 1 : end;
	}
	return cni_fail(err, CNI_ERR_CONFIG, env->path, "IPAM plugin '%s' is not in CNI_PATH", type);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* The environment of the child: ours, with these variables replaced. */
static char **child_env(const char *cmd, const char *containerid, const char *ifname)
{
	size_t n = 0, i, j = 0;
	char **envp;

	while (environ[n])
		n++;
	envp = calloc(n + 4, sizeof(*envp));
	if (!envp)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) &&
		    strncmp(environ[i], "CNI_CONTAINERID=", 16) &&
		    strncmp(environ[i], "CNI_IFNAME=", 11))
			envp[j++] = environ[i];
	if (asprintf(&envp[j++], "CNI_COMMAND=%s", cmd) < 0 ||
	    asprintf(&envp[j++], "CNI_CONTAINERID=%s", containerid) < 0 ||
	    asprintf(&envp[j++], "CNI_IFNAME=%s", ifname) < 0)
		envp[j - 1] = NULL;
	return envp;
}

static void free_env(char **envp)
{
	size_t i;

	for (i = 0; envp[i]; i++)
		if (!strncmp(envp[i], "CNI_COMMAND=", 12) ||
		    !strncmp(envp[i], "CNI_CONTAINERID=", 16) || !strncmp(envp[i], "CNI_IFNAME=", 11))
			free(envp[i]);
	free(envp);
}

/*
 * Run path with in on stdin; its stdout in *out (malloc'd, NUL ended).
 * Returns its exit status, or -1 with err filled. A plugin that does
 * not finish in IPAM_TIMEOUT_MS is killed.
 */
static int run(const char *path, char **envp, const char *in, char **out, size_t *out_len,
	       struct cni_err *err)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, status = 0, n;
	size_t len = 0, cap = 4096, inlen = strlen(in);
	long deadline = now_ms() + IPAM_TIMEOUT_MS;
	struct pollfd pfd;
	char *buf = malloc(cap);
	pid_t pid;

	if (!buf || pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC)) {
		cni_fail(err, CNI_ERR_IO, strerror(errno), "cannot run the IPAM plugin");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		cni_fail(err, CNI_ERR_IO, strerror(errno), "cannot run the IPAM plugin");
		goto fail;
	}
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		execve(path, (char *[]){ (char *)path, NULL }, envp);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	pin[0] = pout[1] = -1;
	/* A plugin that exits without reading its stdin must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* A short write shows in the plugin's exit status and answer. */
	n = write(pin[1], in, inlen);
	(void)n;
	close(pin[1]);
	pin[1] = -1;
	pfd = (struct pollfd){ .fd = pout[0], .events = POLLIN };
	for (;;) {
		long left = deadline - now_ms();

		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			cni_fail(err, CNI_ERR_TRY_AGAIN, path, "the IPAM plugin did not answer in %d s",
				 IPAM_TIMEOUT_MS / 1000);
			goto fail;
		}
		if (len + 1 >= cap && cap < IPAM_MAX_OUT) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(pout[0], buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(pout[0]);
	waitpid(pid, &status, 0);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
fail:
	free(buf);
	for (n = 0; n < 2; n++) {
		if (pin[n] >= 0)
			close(pin[n]);
		if (pout[n] >= 0)
			close(pout[n]);
	}
	return -1;
}

/* The version to ask in: the config's if the plugin speaks it, else its newest below. */
static void pick_version(const char *path, const char *want, char *ver, size_t len)
{
	char in[64], *out = NULL, best[16] = "", **envp = child_env("VERSION", "", "");
	cJSON *j, *list, *v;
	struct cni_err e = {};
	size_t out_len;

	snprintf(ver, len, "%s", want);
	snprintf(in, sizeof(in), "{\"cniVersion\":\"%s\"}", want);
	if (!envp || run(path, envp, in, &out, &out_len, &e) != 0) {
		free(out);
		if (envp)
			free_env(envp);
		return;
	}
	j = cJSON_ParseWithLength(out, out_len);
	list = cJSON_GetObjectItemCaseSensitive(j, "supportedVersions");
	cJSON_ArrayForEach(v, list) {
		if (!cJSON_IsString(v) || !cni_version_supported(v->valuestring))
			continue;
		if (!strcmp(v->valuestring, want)) {
			snprintf(best, sizeof(best), "%s", want);
			break;
		}
		if (cni_version_cmp(v->valuestring, want) < 0 &&
		    (!*best || cni_version_cmp(v->valuestring, best) > 0))
			snprintf(best, sizeof(best), "%s", v->valuestring);
	}
	if (*best)
		snprintf(ver, len, "%s", best);
	cJSON_Delete(j);
	free(out);
	free_env(envp);
}

/* The network config as the IPAM plugin gets it: in its version. */
static char *conf_in(const struct cni_conf *conf, const char *ver)
{
	cJSON *j = cJSON_ParseWithLength(conf->raw, conf->raw_len);
	char *s = NULL;

	if (j && cJSON_IsObject(j)) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "cniVersion");
		cJSON_AddStringToObject(j, "cniVersion", ver);
		s = cJSON_PrintUnformatted(j);
	}
	cJSON_Delete(j);
	return s;
}

int ipam_run(const struct cni_env *env, const struct cni_conf *conf, enum cni_cmd cmd,
	     const char *containerid, const char *ifname, struct cni_result *res,
	     struct cni_err *err)
{
	char path[PATH_MAX], ver[16], *in = NULL, *out = NULL, **envp;
	size_t out_len = 0;
	int rc = -1;

	if (find_plugin(env, conf->ipam_type, path, sizeof(path), err))
		return -1;
	envp = child_env(cmd_names[cmd], containerid, ifname);
	if (!envp)
		return cni_fail(err, CNI_ERR_IO, NULL, "out of memory");
	pick_version(path, conf->version, ver, sizeof(ver));
	in = conf_in(conf, ver);
	if (!in) {
		cni_fail(err, CNI_ERR_DECODE, NULL, "cannot pass the config to the IPAM plugin");
		goto out;
	}
	rc = run(path, envp, in, &out, &out_len, err);
	if (rc < 0)
		goto out;
	if (rc) {
		/* Its error JSON, passed through as it is. */
		struct cni_result r = {};

		if (!out_len || !cni_result_parse(out, out_len, &r, err) || !err->code)
			cni_fail(err, CNI_ERR_IO, out_len ? out : NULL,
				 "IPAM plugin '%s' failed with exit status %d", conf->ipam_type, rc);
		cni_result_free(&r);
		rc = -1;
		goto out;
	}
	if (cmd == CNI_CMD_ADD) {
		rc = cni_result_parse(out, out_len, res, err) ? -1 : 0;
		if (rc && !err->code)
			cni_fail(err, CNI_ERR_DECODE, NULL, "IPAM plugin '%s' printed no result",
				 conf->ipam_type);
	}
out:
	free(in);
	free(out);
	free_env(envp);
	return rc;
}
