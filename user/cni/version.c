// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The CNI versions this plugin speaks, and the two answers every
 * command may give: VERSION's, and the spec's error JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cni/cni.h"

const char *const cni_versions[] = {
	"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL,
};

/* x.y.z with each part a decimal number without sign or spaces. */
static int version_parse(const char *v, unsigned long part[3])
{
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		if (*v < '0' || *v > '9')
			return -1;
		part[i] = strtoul(v, &end, 10);
		if (end - v > 6)
			return -1;
		if (i < 2 && *end != '.')
			return -1;
		v = end + (i < 2);
	}
	return *end ? -1 : 0;
}

int cni_version_cmp(const char *a, const char *b)
{
	unsigned long pa[3], pb[3];
	int i;

	if (!a || !b || version_parse(a, pa) || version_parse(b, pb))
		return -2;
	for (i = 0; i < 3; i++)
		if (pa[i] != pb[i])
			return pa[i] < pb[i] ? -1 : 1;
	return 0;
}

bool cni_version_supported(const char *v)
{
	int i;

	for (i = 0; v && cni_versions[i]; i++)
		if (!strcmp(v, cni_versions[i]))
			return true;
	return false;
}

int cni_fail(struct cni_err *err, int code, const char *details, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = code;
	snprintf(err->details, sizeof(err->details), "%s", details ? details : "");
	return -1;
}

static char *print_delete(cJSON *j)
{
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	return s;
}

char *cni_version_json(const char *version)
{
	cJSON *j = cJSON_CreateObject(), *list;
	int i;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "cniVersion", version);
	list = cJSON_AddArrayToObject(j, "supportedVersions");
	for (i = 0; list && cni_versions[i]; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(cni_versions[i]));
	return print_delete(j);
}

char *cni_error_json(const struct cni_err *err, const char *version)
{
	cJSON *j = cJSON_CreateObject();

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "cniVersion", version);
	cJSON_AddNumberToObject(j, "code", err->code);
	cJSON_AddStringToObject(j, "msg", err->msg);
	if (err->details[0])
		cJSON_AddStringToObject(j, "details", err->details);
	return print_delete(j);
}
