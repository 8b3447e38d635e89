// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Results (SPEC.md, "Success"): read from IPAM in the version it was
 * asked in, printed in the config's. 0.1.0 and 0.2.0 have "ip4" and
 * "ip6" objects with their own routes; 0.3.x and 0.4.0 have interfaces,
 * ips with a "version", routes; 1.x drop "version", and 1.1.0 adds an
 * interface's "mtu". An IPAM error JSON comes back as err, unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include "cni/cni.h"

static const char *str(const cJSON *obj, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static int bad_result(struct cni_err *err, const char *what)
{
	return cni_fail(err, CNI_ERR_DECODE, NULL, "the IPAM result's %s is invalid", what);
}

/* "ADDR/LEN" of either family: its family, or 0. */
static int cidr_family(const char *s)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	unsigned char buf[16];
	char *end;
	long len;

	if (!slash || slash - s >= (long)sizeof(addr))
		return 0;
	memcpy(addr, s, slash - s);
	addr[slash - s] = '\0';
	/* strtol() would take spaces and a sign: only 1 to 3 digits here. */
	if (strspn(slash + 1, "0123456789") != strlen(slash + 1) || !slash[1] ||
	    strlen(slash + 1) > 3)
		return 0;
	len = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, addr, buf) == 1 && len <= 32)
		return AF_INET;
	if (inet_pton(AF_INET6, addr, buf) == 1 && len <= 128)
		return AF_INET6;
	return 0;
}

static bool valid_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int add_route(struct cni_result *res, const cJSON *r, struct cni_err *err)
{
	const char *dst = str(r, "dst"), *gw = str(r, "gw");

	if (!dst || !cidr_family(dst) || strlen(dst) >= sizeof(res->routes[0].dst) ||
	    (gw && (!valid_ip(gw) || strlen(gw) >= sizeof(res->routes[0].gw))) ||
	    (cJSON_GetObjectItemCaseSensitive(r, "gw") && !gw))
		return bad_result(err, "route");
	if (res->nroutes >= CNI_MAX_ROUTES)
		return bad_result(err, "number of routes");
	strcpy(res->routes[res->nroutes].dst, dst);
	strcpy(res->routes[res->nroutes].gw, gw ? gw : "");
	res->nroutes++;
	return 0;
}

static int add_ip(struct cni_result *res, const char *addr, const char *gw, int iface,
		  struct cni_err *err)
{
	int family = addr ? cidr_family(addr) : 0;

	if (!family || strlen(addr) >= sizeof(res->ips[0].address) ||
	    (gw && (!valid_ip(gw) || strlen(gw) >= sizeof(res->ips[0].gateway))))
		return bad_result(err, "address");
	if (res->nips >= CNI_MAX_IPS)
		return bad_result(err, "number of addresses");
	res->ips[res->nips].family = family;
	strcpy(res->ips[res->nips].address, addr);
	strcpy(res->ips[res->nips].gateway, gw ? gw : "");
	res->ips[res->nips].interface = iface;
	res->nips++;
	return 0;
}

/* 0.1.0 and 0.2.0: "ip4": {"ip", "gateway", "routes"}, "ip6" the same. */
static int parse_legacy(const cJSON *j, struct cni_result *res, struct cni_err *err)
{
	static const char *const keys[] = { "ip4", "ip6" };
	const cJSON *o, *r;
	int i;

	for (i = 0; i < 2; i++) {
		o = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
		if (!o)
			continue;
		if (add_ip(res, str(o, "ip"), str(o, "gateway"), -1, err))
			return -1;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(o, "routes"))
			if (add_route(res, r, err))
				return -1;
	}
	return 0;
}

static int parse_current(const cJSON *j, struct cni_result *res, struct cni_err *err)
{
	const cJSON *o, *iface, *mtu;
	const char *s;
	int idx;

	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(j, "interfaces")) {
		if (res->nifs >= CNI_MAX_IFS || !(s = str(o, "name")) ||
		    strlen(s) >= sizeof(res->ifs[0].name))
			return bad_result(err, "interface");
		strcpy(res->ifs[res->nifs].name, s);
		s = str(o, "mac");
		snprintf(res->ifs[res->nifs].mac, sizeof(res->ifs[0].mac), "%s", s ? s : "");
		s = str(o, "sandbox");
		snprintf(res->ifs[res->nifs].sandbox, sizeof(res->ifs[0].sandbox), "%s", s ? s : "");
		mtu = cJSON_GetObjectItemCaseSensitive(o, "mtu");
		res->ifs[res->nifs].mtu = cJSON_IsNumber(mtu) ? mtu->valueint : 0;
		res->nifs++;
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(j, "ips")) {
		iface = cJSON_GetObjectItemCaseSensitive(o, "interface");
		idx = -1;
		if (iface) {
			if (!cJSON_IsNumber(iface) || iface->valueint < 0 ||
			    iface->valuedouble != (double)iface->valueint)
				return bad_result(err, "address's interface");
			idx = iface->valueint;
		}
		if (add_ip(res, str(o, "address"), str(o, "gateway"), idx, err))
			return -1;
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(j, "routes"))
		if (add_route(res, o, err))
			return -1;
	return 0;
}

int cni_result_parse(const char *json, size_t len, struct cni_result *res,
		     struct cni_err *err)
{
	const cJSON *code, *dns;
	const char *ver;
	cJSON *j;
	int rc;

	memset(res, 0, sizeof(*res));
	j = cJSON_ParseWithLength(json, len);
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return cni_fail(err, CNI_ERR_DECODE, NULL, "the IPAM result is not a JSON object");
	}
	code = cJSON_GetObjectItemCaseSensitive(j, "code");
	if (code) {
		/* The IPAM plugin's own error, passed on as it gave it. */
		const char *msg = str(j, "msg"), *details = str(j, "details");

		cni_fail(err, cJSON_IsNumber(code) && code->valueint > 0 ? code->valueint : CNI_ERR_IO,
			 details, "%s", msg ? msg : "the IPAM plugin failed");
		cJSON_Delete(j);
		return -1;
	}
	ver = str(j, "cniVersion");
	if (ver && cni_version_cmp(ver, "0.3.0") < 0 && cni_version_cmp(ver, "0.0.0") >= 0)
		rc = parse_legacy(j, res, err);
	else
		rc = parse_current(j, res, err);
	dns = cJSON_GetObjectItemCaseSensitive(j, "dns");
	if (!rc && cJSON_IsObject(dns)) {
		res->dns_json = cJSON_PrintUnformatted(dns);
		if (!res->dns_json)
			rc = cni_fail(err, CNI_ERR_IO, NULL, "out of memory");
	}
	cJSON_Delete(j);
	return rc;
}

void cni_result_free(struct cni_result *res)
{
	free(res->dns_json);
	res->dns_json = NULL;
}

static cJSON *route_json(const char *dst, const char *gw)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "dst", dst);
	if (gw[0])
		cJSON_AddStringToObject(o, "gw", gw);
	return o;
}

static void print_legacy(cJSON *j, const struct cni_result *res)
{
	int family, i, r;
	cJSON *o, *routes;

	for (family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0) {
		for (i = 0; i < res->nips && res->ips[i].family != family; i++)
			;
		if (i == res->nips)
			continue;
		o = cJSON_AddObjectToObject(j, family == AF_INET ? "ip4" : "ip6");
		cJSON_AddStringToObject(o, "ip", res->ips[i].address);
		if (res->ips[i].gateway[0])
			cJSON_AddStringToObject(o, "gateway", res->ips[i].gateway);
		routes = cJSON_AddArrayToObject(o, "routes");
		for (r = 0; r < res->nroutes; r++)
			if ((strchr(res->routes[r].dst, ':') != NULL) == (family == AF_INET6))
				cJSON_AddItemToArray(routes, route_json(res->routes[r].dst,
									res->routes[r].gw));
	}
}

static void print_current(cJSON *j, const struct cni_result *res, const char *version)
{
	bool has_family = cni_version_cmp(version, "1.0.0") < 0;
	bool has_mtu = cni_version_cmp(version, "1.1.0") >= 0;
	cJSON *list, *o;
	int i;

	list = cJSON_AddArrayToObject(j, "interfaces");
	for (i = 0; i < res->nifs; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", res->ifs[i].name);
		if (res->ifs[i].mac[0])
			cJSON_AddStringToObject(o, "mac", res->ifs[i].mac);
		if (has_mtu && res->ifs[i].mtu)
			cJSON_AddNumberToObject(o, "mtu", res->ifs[i].mtu);
		if (res->ifs[i].sandbox[0])
			cJSON_AddStringToObject(o, "sandbox", res->ifs[i].sandbox);
		cJSON_AddItemToArray(list, o);
	}
	list = cJSON_AddArrayToObject(j, "ips");
	for (i = 0; i < res->nips; i++) {
		o = cJSON_CreateObject();
		if (has_family)
			cJSON_AddStringToObject(o, "version",
						res->ips[i].family == AF_INET6 ? "6" : "4");
		cJSON_AddStringToObject(o, "address", res->ips[i].address);
		if (res->ips[i].gateway[0])
			cJSON_AddStringToObject(o, "gateway", res->ips[i].gateway);
		if (res->ips[i].interface >= 0)
			cJSON_AddNumberToObject(o, "interface", res->ips[i].interface);
		cJSON_AddItemToArray(list, o);
	}
	list = cJSON_AddArrayToObject(j, "routes");
	for (i = 0; i < res->nroutes; i++)
		cJSON_AddItemToArray(list, route_json(res->routes[i].dst, res->routes[i].gw));
}

char *cni_result_json(const struct cni_result *res, const char *version)
{
	cJSON *j = cJSON_CreateObject(), *dns;
	char *s;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "cniVersion", version);
	if (cni_version_cmp(version, "0.3.0") < 0)
		print_legacy(j, res);
	else
		print_current(j, res, version);
	dns = res->dns_json ? cJSON_Parse(res->dns_json) : NULL;
	cJSON_AddItemToObject(j, "dns", dns ? dns : cJSON_CreateObject());
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}
