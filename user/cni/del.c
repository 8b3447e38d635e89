// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DEL: the endpoint, the veth pair (its peer goes with it, whether the
 * container's netns is still there or not), the lease, the record. Each
 * step takes what is there and finds nothing wrong with what is not, so
 * a second DEL, or one after an ADD killed at any step, succeeds.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cni/ops.h"
#include "control/endpoint.h"
#include "kernel/vethpair.h"

int cni_remove(struct store *st, int afd, const char *host, const char *containerid,
	       const char *ifname, const struct cni_env *env, const struct cni_conf *conf,
	       struct cni_err *err)
{
	struct rt_record rec;
	int e;

	if (st && !rt_record_get(&st->rt, host, &rec)) {
		e = endpoint_del(st, &st->rt, host);
		if (e)
			return cni_fail(err, CNI_ERR_IO, strerror(-e),
					"cannot remove the endpoint '%s'", host);
	}
	e = vethpair_delete(host);
	if (e)
		return cni_fail(err, CNI_ERR_IO, strerror(-e), "cannot delete the veth '%s'", host);
	if (*conf->ipam_type &&
	    ipam_run(env, conf, CNI_CMD_DEL, containerid, ifname, NULL, err))
		return -1;
	if (afd >= 0) {
		e = attach_delete(afd, host);
		if (e)
			return cni_fail(err, CNI_ERR_IO, strerror(-e),
					"cannot remove the attachment record of '%s'", host);
	}
	return 0;
}

/* The lease alone: IPAM DEL is idempotent, and the lease is named by the attachment. */
static int release_lease(const struct cni_ctx *c)
{
	if (!*c->conf->ipam_type)
		return 0;
	return ipam_run(c->env, c->conf, CNI_CMD_DEL, c->env->containerid, c->env->ifname,
			NULL, c->err);
}

/*
 * The veth and the endpoint are removed only when the record says they
 * are this attachment's: a veth of the same name that another tool made,
 * or another attachment's whose name hashed the same, is left alone.
 */
int cni_del(struct cni_ctx *c)
{
	struct cni_attach_rec rec;
	struct store st;
	char host[16];
	int afd, rc;

	cni_host_name(c->env->containerid, c->env->ifname, host);
	rc = cni_store_open(&st, c->conf, false, c->err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return release_lease(c);
	afd = attach_open(&st, false);
	if (afd < 0 || attach_get(afd, host, &rec) ||
	    strcmp(rec.containerid, c->env->containerid) || strcmp(rec.ifname, c->env->ifname) ||
	    strcmp(rec.network, c->conf->name))
		rc = release_lease(c);
	else
		rc = cni_remove(&st, afd, host, c->env->containerid, c->env->ifname, c->env,
				c->conf, c->err);
	if (afd >= 0)
		close(afd);
	store_close(&st);
	return rc;
}
