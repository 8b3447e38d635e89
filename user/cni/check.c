// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CHECK: the endpoint entry is live on the attachment's host-side veth,
 * and the container's interface has exactly the endpoint's addresses and
 * the gateway routes. A mismatch is code 5 with what is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "cni/ops.h"
#include "kernel/veth.h"
#include "kernel/vethpair.h"

static int check_endpoint(const struct rt_record *rec, const char *host, struct cni_err *err)
{
	struct veth_info vi;

	if (rec->state != RT_REC_LIVE || (rec->flags & RT_REC_BROKEN))
		return cni_fail(err, CNI_ERR_IO, NULL, "the endpoint '%s' is broken", host);
	if (veth_lookup_index(rec->ep.ifindex, &vi) || strcmp(vi.ifname, host))
		return cni_fail(err, CNI_ERR_IO, NULL, "the veth '%s' of the endpoint is gone", host);
	return 0;
}

int cni_check(struct cni_ctx *c)
{
	struct vethpair_addrs a = {};
	struct rt_record rec;
	char host[16], why[256];
	int nsfd, e, rc = -1;
	struct store st;

	cni_host_name(c->env->containerid, c->env->ifname, host);
	e = store_open(&st, c->conf->pin_root, STORE_RDONLY);
	if (!e && (e = store_routed(&st, false)))
		store_close(&st);
	if (e)
		return cni_fail(c->err, CNI_ERR_IO, strerror(-e),
				"no endpoint '%s': pairpath has no routed state under %s", host,
				c->conf->pin_root);
	if (rt_record_get(&st.rt, host, &rec)) {
		cni_fail(c->err, CNI_ERR_IO, NULL, "no endpoint '%s' for this attachment", host);
		goto out;
	}
	if (check_endpoint(&rec, host, c->err))
		goto out;
	a.has_ipv4 = rec.ep.flags & RT_EP_IPV4;
	memcpy(a.ipv4, &rec.ep.ipv4, 4);
	a.has_ipv6 = rec.ep.flags & RT_EP_IPV6;
	memcpy(a.ipv6, rec.ep.ipv6, 16);
	nsfd = cni_netns_open(c->env, c->err);
	if (nsfd < 0)
		goto out;
	e = vethpair_check(nsfd, c->env->ifname, &a, why, sizeof(why));
	close(nsfd);
	if (e) {
		cni_fail(c->err, CNI_ERR_IO, NULL, "%s", why);
		goto out;
	}
	rc = 0;
out:
	store_close(&st);
	return rc;
}
