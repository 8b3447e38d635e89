// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The network config on stdin (SPEC.md, "Network configuration"). Keys
 * this plugin knows are checked, code 7 naming the key and the value;
 * keys it does not know are the runtime's (runtimeConfig, args,
 * prevResult, cni.dev/...) and ignored. The text is kept as read: IPAM
 * gets it unchanged on its stdin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cni/cni.h"

#define DEFAULT_PIN_ROOT	"/sys/fs/bpf/pairpath"

static int bad_value(struct cni_err *err, const char *key, const cJSON *v, const char *why)
{
	char *text = cJSON_PrintUnformatted(v);
	int rc;

	rc = cni_fail(err, CNI_ERR_CONFIG, NULL, "%s %.80s %s", key, text ? text : "?", why);
	free(text);
	return rc;
}

/* A string of at most size - 1 bytes; absent is allowed when !required. */
static int get_string(const cJSON *obj, const char *key, bool required, char *dst,
		      size_t size, struct cni_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v) {
		if (required)
			return cni_fail(err, CNI_ERR_CONFIG, NULL, "%s is missing", key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return bad_value(err, key, v, "is not a string");
	if (strlen(v->valuestring) >= size)
		return bad_value(err, key, v, "is too long");
	memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

/* The spec's network name: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ */
static bool valid_name(const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		bool an = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9');

		if (!an && (p == s || (*p != '_' && *p != '.' && *p != '-')))
			return false;
	}
	return p != s;
}

/* An absolute path without "." or ".." parts: the pin root is trusted by nothing else. */
static bool valid_pin_root(const char *s)
{
	const char *p = s;

	if (*s != '/')
		return false;
	while ((p = strchr(p, '/'))) {
		p++;
		if ((p[0] == '.' && (p[1] == '/' || !p[1])) ||
		    (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2])))
			return false;
	}
	return true;
}

/* A plugin name found in CNI_PATH: a file name, not a path. */
static bool valid_plugin(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int parse_attachments(const cJSON *list, struct cni_conf *conf, struct cni_err *err)
{
	const char *key = "cni.dev/valid-attachments";
	const cJSON *a, *cid, *ifn;
	int n, i = 0;

	if (!cJSON_IsArray(list))
		return bad_value(err, key, list, "is not a list");
	n = cJSON_GetArraySize(list);
	if (n > CNI_MAX_ATTACH)
		return cni_fail(err, CNI_ERR_CONFIG, NULL, "%s has more than %d entries",
				key, CNI_MAX_ATTACH);
	conf->valid = calloc(n ? n : 1, sizeof(*conf->valid));
	if (!conf->valid)
		return cni_fail(err, CNI_ERR_IO, NULL, "out of memory");
	cJSON_ArrayForEach(a, list) {
		cid = cJSON_GetObjectItemCaseSensitive(a, "containerID");
		ifn = cJSON_GetObjectItemCaseSensitive(a, "ifname");
		if (!cJSON_IsString(cid) || !cJSON_IsString(ifn) ||
		    strlen(cid->valuestring) >= sizeof(conf->valid[0].containerid) ||
		    strlen(ifn->valuestring) >= sizeof(conf->valid[0].ifname))
			return bad_value(err, key, a, "is not {\"containerID\": ..., \"ifname\": ...}");
		strcpy(conf->valid[i].containerid, cid->valuestring);
		strcpy(conf->valid[i].ifname, ifn->valuestring);
		conf->nvalid = ++i;
	}
	return 0;
}

static int parse_object(const cJSON *j, enum cni_cmd cmd, struct cni_conf *conf,
			struct cni_err *err)
{
	const cJSON *v, *ipam;

	if (get_string(j, "cniVersion", cmd != CNI_CMD_VERSION, conf->version,
		       sizeof(conf->version), err))
		return -1;
	if (!cni_version_supported(conf->version)) {
		if (cmd == CNI_CMD_VERSION) {
			/* VERSION answers whatever was asked, in the newest version. */
			conf->version[0] = '\0';
			return 0;
		}
		return cni_fail(err, CNI_ERR_INCOMPATIBLE, NULL,
				"cniVersion '%s' is not supported (0.1.0 to 1.1.0)", conf->version);
	}
	if (cmd == CNI_CMD_VERSION)
		return 0;
	if (get_string(j, "name", true, conf->name, sizeof(conf->name), err) ||
	    get_string(j, "type", true, conf->type, sizeof(conf->type), err))
		return -1;
	if (!valid_name(conf->name))
		return bad_value(err, "name", cJSON_GetObjectItemCaseSensitive(j, "name"),
				 "is not a network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
	if (strcmp(conf->type, "pairpath-cni"))
		return bad_value(err, "type", cJSON_GetObjectItemCaseSensitive(j, "type"),
				 "is not \"pairpath-cni\"");

	strcpy(conf->pin_root, DEFAULT_PIN_ROOT);
	if (get_string(j, "pinRoot", false, conf->pin_root, sizeof(conf->pin_root), err))
		return -1;
	if (!valid_pin_root(conf->pin_root))
		return bad_value(err, "pinRoot", cJSON_GetObjectItemCaseSensitive(j, "pinRoot"),
				 "is not an absolute path without . or .. parts");

	v = cJSON_GetObjectItemCaseSensitive(j, "mtu");
	if (v && (!cJSON_IsNumber(v) || v->valuedouble != (double)v->valueint ||
		  v->valueint < 68 || v->valueint > 65535))
		return bad_value(err, "mtu", v, "is not a whole number from 68 to 65535");
	conf->mtu = v ? v->valueint : 0;

	v = cJSON_GetObjectItemCaseSensitive(j, "fib");
	if (v && !cJSON_IsBool(v))
		return bad_value(err, "fib", v, "is not true or false");
	conf->fib = cJSON_IsTrue(v);

	ipam = cJSON_GetObjectItemCaseSensitive(j, "ipam");
	if (ipam && !cJSON_IsObject(ipam))
		return bad_value(err, "ipam", ipam, "is not an object");
	if (!ipam && cmd != CNI_CMD_STATUS)
		return cni_fail(err, CNI_ERR_CONFIG, NULL, "ipam is missing");
	if (ipam) {
		v = cJSON_GetObjectItemCaseSensitive(ipam, "type");
		if (!v)
			return cni_fail(err, CNI_ERR_CONFIG, NULL, "ipam.type is missing");
		if (!get_string(ipam, "type", true, conf->ipam_type, sizeof(conf->ipam_type), err) &&
		    !strcmp(conf->ipam_type, "pairpath-cni"))
			return bad_value(err, "ipam.type", v, "is this plugin: IPAM is another one");
		if (err->code || !valid_plugin(conf->ipam_type))
			return bad_value(err, "ipam.type", cJSON_GetObjectItemCaseSensitive(ipam, "type"),
					 "is not a plugin name");
	}

	conf->has_prev_result = cJSON_GetObjectItemCaseSensitive(j, "prevResult") != NULL;
	v = cJSON_GetObjectItemCaseSensitive(j, "cni.dev/valid-attachments");
	if (cmd == CNI_CMD_GC && !v)
		return cni_fail(err, CNI_ERR_CONFIG, NULL, "cni.dev/valid-attachments is missing");
	if (v && parse_attachments(v, conf, err))
		return -1;
	return 0;
}

int cni_conf_parse(const char *buf, size_t len, enum cni_cmd cmd,
		   struct cni_conf *conf, struct cni_err *err)
{
	cJSON *j;
	int rc;

	memset(conf, 0, sizeof(*conf));
	j = cJSON_ParseWithLength(buf, len);
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		if (cmd == CNI_CMD_VERSION && !len)
			return 0;
		return cni_fail(err, CNI_ERR_DECODE, NULL,
				"the network config is not a JSON object");
	}
	rc = parse_object(j, cmd, conf, err);
	cJSON_Delete(j);
	if (rc)
		return rc;
	conf->raw = malloc(len + 1);
	if (!conf->raw)
		return cni_fail(err, CNI_ERR_IO, NULL, "out of memory");
	memcpy(conf->raw, buf, len);
	conf->raw[len] = '\0';
	conf->raw_len = len;
	return 0;
}

void cni_conf_free(struct cni_conf *conf)
{
	free(conf->valid);
	free(conf->raw);
	conf->valid = NULL;
	conf->raw = NULL;
	conf->nvalid = 0;
}
