// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* endpoint list and uplink list, from a snapshot. */
#include <stdio.h>
#include <arpa/inet.h>
#include "observe/format.h"
#include "observe/json.h"

void format_endpoint_addrs(const struct rt_endpoint *ep, char *v4, char *v6, size_t len)
{
	snprintf(v4, len, "-");
	snprintf(v6, len, "-");
	if (ep->flags & RT_EP_IPV4)
		inet_ntop(AF_INET, &ep->ipv4, v4, len);
	if (ep->flags & RT_EP_IPV6)
		inet_ntop(AF_INET6, ep->ipv6, v6, len);
}

void format_mac_str(const __u8 *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static int endpoints_json(FILE *out, const struct snapshot *snap)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char v4[INET6_ADDRSTRLEN], v6[INET6_ADDRSTRLEN], mac[18], host_mac[18];
	int i;

	cJSON_AddStringToObject(root, "pin_dir", snap->dir);
	arr = cJSON_AddArrayToObject(root, "endpoints");
	for (i = 0; i < snap->n_endpoints; i++) {
		const struct endpoint_snapshot *es = &snap->endpoints[i];
		const struct rt_endpoint *ep = &es->rec.ep;
		cJSON *o = cJSON_CreateObject();

		format_endpoint_addrs(ep, v4, v6, sizeof(v4));
		format_mac_str(ep->mac, mac, sizeof(mac));
		format_mac_str(ep->host_mac, host_mac, sizeof(host_mac));
		cJSON_AddStringToObject(o, "name", es->key.name);
		cJSON_AddNumberToObject(o, "id", ep->endpoint_id);
		cJSON_AddStringToObject(o, "device", es->rec.dev.ifname);
		cJSON_AddNumberToObject(o, "ifindex", ep->ifindex);
		cJSON_AddStringToObject(o, "peer_ifname", es->rec.dev.peer_ifname);
		if (ep->flags & RT_EP_IPV4)
			cJSON_AddStringToObject(o, "ipv4", v4);
		else
			cJSON_AddNullToObject(o, "ipv4");
		if (ep->flags & RT_EP_IPV6)
			cJSON_AddStringToObject(o, "ipv6", v6);
		else
			cJSON_AddNullToObject(o, "ipv6");
		cJSON_AddStringToObject(o, "mac", mac);
		cJSON_AddStringToObject(o, "host_mac", host_mac);
		cJSON_AddNumberToObject(o, "mtu", ep->mtu);
		cJSON_AddBoolToObject(o, "fib", ep->flags & RT_EP_FIB);
		cJSON_AddStringToObject(o, "state", es->up ? "up" : "broken");
		cJSON_AddItemToArray(arr, o);
	}
	return json_print(out, root);
}

int format_endpoints(FILE *out, const struct snapshot *snap, enum output_format format)
{
	char v4[INET6_ADDRSTRLEN], v6[INET6_ADDRSTRLEN], mac[18];
	int i;

	if (format == FORMAT_JSON)
		return endpoints_json(out, snap);
	fprintf(out, "%-16s %-15s %-15s %-24s %-17s %-5s %s\n", "ENDPOINT", "DEVICE", "IPV4",
		"IPV6", "MAC", "MTU", "STATE");
	for (i = 0; i < snap->n_endpoints; i++) {
		const struct endpoint_snapshot *es = &snap->endpoints[i];

		format_endpoint_addrs(&es->rec.ep, v4, v6, sizeof(v4));
		format_mac_str(es->rec.ep.mac, mac, sizeof(mac));
		fprintf(out, "%-16s %-15s %-15s %-24s %-17s %-5u %s%s\n", es->key.name,
			es->rec.dev.ifname, v4, v6, mac, es->rec.ep.mtu, es->up ? "up" : "broken",
			es->rec.ep.flags & RT_EP_FIB ? " fib" : "");
	}
	return 0;
}

int format_uplinks(FILE *out, const struct snapshot *snap, enum output_format format)
{
	int i;

	if (format == FORMAT_JSON) {
		cJSON *root = cJSON_CreateObject(), *arr;

		cJSON_AddStringToObject(root, "pin_dir", snap->dir);
		arr = cJSON_AddArrayToObject(root, "uplinks");
		for (i = 0; i < snap->n_uplinks; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "device", snap->uplinks[i].up.ifname);
			cJSON_AddNumberToObject(o, "ifindex", snap->uplinks[i].up.ifindex);
			cJSON_AddItemToArray(arr, o);
		}
		return json_print(out, root);
	}
	fprintf(out, "%-15s %s\n", "UPLINK", "IFINDEX");
	for (i = 0; i < snap->n_uplinks; i++)
		fprintf(out, "%-15s %u\n", snap->uplinks[i].up.ifname, snap->uplinks[i].up.ifindex);
	return 0;
}
