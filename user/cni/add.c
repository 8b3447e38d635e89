// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ADD: the attachment record, the veth pair, the lease, the container
 * side, the endpoint, in this order; a failure undoes the steps before
 * it backwards. The record comes first so that a plugin killed at any
 * later step leaves something DEL and GC can find everything from (the
 * host name, the lease's container ID and interface).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "cni/ops.h"
#include "control/endpoint.h"
#include "kernel/vethpair.h"
#include "lib/testhook.h"

void cni_host_name(const char *containerid, const char *ifname, char buf[16])
{
	__u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a, over "ID\0IFNAME" */
	const char *p;

	for (p = containerid; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h *= 0x100000001b3ULL;
	for (p = ifname; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	snprintf(buf, 16, "pp%011llx", (unsigned long long)(h & 0xfffffffffffULL));
}

/* The first IPv4 and the first IPv6 address of the lease, whatever their prefix. */
static int lease_addrs(const struct cni_result *res, struct vethpair_addrs *a)
{
	char ip[64], *slash;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < res->nips; i++) {
		snprintf(ip, sizeof(ip), "%s", res->ips[i].address);
		slash = strchr(ip, '/');
		if (slash)
			*slash = '\0';
		if (!a->has_ipv4 && inet_pton(AF_INET, ip, a->ipv4) == 1)
			a->has_ipv4 = true;
		else if (!a->has_ipv6 && inet_pton(AF_INET6, ip, a->ipv6) == 1)
			a->has_ipv6 = true;
	}
	return a->has_ipv4 || a->has_ipv6 ? 0 : -1;
}

static void mac_str(const __u8 *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* One address of the container, /32 or /128, and its default route via gw. */
static void result_ip(struct cni_result *r, int family, const __u8 *bytes, const char *gw,
		      const char *dflt)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(family, bytes, ip, sizeof(ip));
	r->ips[r->nips].family = family;
	snprintf(r->ips[r->nips].address, sizeof(r->ips[0].address), "%s/%d", ip,
		 family == AF_INET ? 32 : 128);
	snprintf(r->ips[r->nips].gateway, sizeof(r->ips[0].gateway), "%s", gw);
	r->ips[r->nips++].interface = 1;
	snprintf(r->routes[r->nroutes].dst, sizeof(r->routes[0].dst), "%s", dflt);
	snprintf(r->routes[r->nroutes++].gw, sizeof(r->routes[0].gw), "%s", gw);
}

/* The result: the lease rewritten to /32 and /128 behind the gateways. */
static void result_of(const struct cni_env *env, const char *host,
		      const struct vethpair_side *hs, const struct vethpair_side *cs,
		      const struct vethpair_addrs *a, struct cni_result *lease,
		      struct cni_result *r)
{
	memset(r, 0, sizeof(*r));
	r->nifs = 2;
	snprintf(r->ifs[0].name, sizeof(r->ifs[0].name), "%s", host);
	mac_str(hs->mac, r->ifs[0].mac);
	r->ifs[0].mtu = hs->mtu;
	snprintf(r->ifs[1].name, sizeof(r->ifs[1].name), "%s", env->ifname);
	mac_str(cs->mac, r->ifs[1].mac);
	snprintf(r->ifs[1].sandbox, sizeof(r->ifs[1].sandbox), "%s", env->netns);
	r->ifs[1].mtu = cs->mtu;
	if (a->has_ipv4)
		result_ip(r, AF_INET, a->ipv4, "169.254.1.1", "0.0.0.0/0");
	if (a->has_ipv6)
		result_ip(r, AF_INET6, a->ipv6, "fe80::1", "::/0");
	r->dns_json = lease->dns_json;
	lease->dns_json = NULL;
}

static int register_endpoint(struct store *st, const char *host, const struct vethpair_addrs *a,
			     bool fib, struct cni_err *err)
{
	struct endpoint_spec spec = { .fib = fib };
	struct veth_info vi;
	int e;

	spec.has_ipv4 = a->has_ipv4;
	memcpy(&spec.ipv4, a->ipv4, 4);
	spec.has_ipv6 = a->has_ipv6;
	memcpy(spec.ipv6, a->ipv6, 16);
	e = veth_lookup(host, &vi);
	if (!e)
		e = endpoint_add(st, &st->rt, host, &vi, &spec);
	if (e)
		return cni_fail(err, CNI_ERR_IO, strerror(-e),
				"cannot make '%s' a pairpath endpoint", host);
	return 0;
}

int cni_add(struct cni_ctx *c)
{
	const struct cni_env *env = c->env;
	const struct cni_conf *conf = c->conf;
	struct cni_result lease = {}, r;
	struct vethpair_side hs = {}, cs = {};
	struct cni_attach_rec rec = {};
	struct vethpair_addrs a;
	bool veth = false, leased = false, ep = false;
	struct cni_err undo_err;
	int nsfd = -1, afd = -1, e, rc = -1;
	struct store st;
	char host[16];

	if (conf->has_prev_result)
		return cni_fail(c->err, CNI_ERR_UNSUPPORTED, NULL,
				"unsupported field 'prevResult': pairpath-cni does not chain, "
				"it must be the network's first plugin");
	if (!*conf->ipam_type)
		return cni_fail(c->err, CNI_ERR_CONFIG, NULL, "the config has no 'ipam': it is required");
	nsfd = cni_netns_open(env, c->err);
	if (nsfd < 0)
		return -1;
	cni_host_name(env->containerid, env->ifname, host);
	if (cni_store_open(&st, conf, true, c->err)) {
		close(nsfd);
		return -1;
	}
	afd = attach_open(&st, true);
	if (afd < 0) {
		cni_fail(c->err, CNI_ERR_IO, strerror(-afd), "cannot open the attachment records");
		goto out;
	}
	/* Its record is another ADD's, or an interrupted one's that DEL must clear. */
	if (!attach_get(afd, host, &rec)) {
		cni_fail(c->err, CNI_ERR_IO, NULL,
			 "the attachment %s/%s exists already (veth '%s'): DEL it first",
			 env->containerid, env->ifname, host);
		goto out;
	}
	snprintf(rec.containerid, sizeof(rec.containerid), "%s", env->containerid);
	snprintf(rec.ifname, sizeof(rec.ifname), "%s", env->ifname);
	snprintf(rec.network, sizeof(rec.network), "%s", conf->name);
	e = attach_put(afd, host, &rec);
	if (e) {
		cni_fail(c->err, CNI_ERR_IO, strerror(-e), "cannot record the attachment");
		goto out;
	}
	testhook_kill_point(CNI_KILL_RECORD);
	e = vethpair_create(host, nsfd, env->ifname, conf->mtu, &hs);
	if (e) {
		cni_fail(c->err, CNI_ERR_IO, strerror(-e), "cannot create the veth pair %s - %s",
			 host, env->ifname);
		goto undo;
	}
	veth = true;
	testhook_kill_point(CNI_KILL_VETH);
	/* The spec's rule: an IPAM ADD that failed is followed by its DEL too. */
	leased = true;
	if (ipam_run(env, conf, CNI_CMD_ADD, env->containerid, env->ifname, &lease, c->err))
		goto undo;
	testhook_kill_point(CNI_KILL_IPAM);
	if (lease_addrs(&lease, &a)) {
		cni_fail(c->err, CNI_ERR_IO, NULL, "IPAM plugin '%s' gave no address",
			 conf->ipam_type);
		goto undo;
	}
	e = vethpair_configure(nsfd, env->ifname, &a, &cs);
	if (e) {
		cni_fail(c->err, CNI_ERR_IO, strerror(-e), "cannot configure '%s' in the container",
			 env->ifname);
		goto undo;
	}
	testhook_kill_point(CNI_KILL_CONFIG);
	if (register_endpoint(&st, host, &a, conf->fib, c->err))
		goto undo;
	ep = true;
	testhook_kill_point(CNI_KILL_ENDPOINT);
	result_of(env, host, &hs, &cs, &a, &lease, &r);
	c->out = cni_result_json(&r, conf->version);
	cni_result_free(&r);
	if (!c->out) {
		cni_fail(c->err, CNI_ERR_IO, NULL, "out of memory");
		goto undo;
	}
	rc = 0;
	goto out;
undo:
	/*
	 * The record goes last, and only when every step before it was
	 * undone: what is left is then found by the runtime's DEL or by GC.
	 */
	e = 0;
	if (ep)
		e |= endpoint_del(&st, &st.rt, host);
	if (leased)
		e |= ipam_run(env, conf, CNI_CMD_DEL, env->containerid, env->ifname, NULL, &undo_err);
	if (veth)
		e |= vethpair_delete(host);
	if (e)
		fprintf(stderr, "pairpath-cni: %s/%s: undo incomplete, kept for DEL or GC\n",
			env->containerid, env->ifname);
	else
		attach_delete(afd, host);
out:
	cni_result_free(&lease);
	if (afd >= 0)
		close(afd);
	store_close(&st);
	close(nsfd);
	return rc;
}
