// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * GC: every attachment of this network (by its record) that is not in
 * cni.dev/valid-attachments is removed like a DEL: endpoint, veth, lease
 * and record. Other networks' attachments are never touched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cni/ops.h"

static bool valid(const struct cni_conf *conf, const struct cni_attach_rec *rec)
{
	int i;

	for (i = 0; i < conf->nvalid; i++)
		if (!strcmp(conf->valid[i].containerid, rec->containerid) &&
		    !strcmp(conf->valid[i].ifname, rec->ifname))
			return true;
	return false;
}

int cni_gc(struct cni_ctx *c)
{
	struct cni_attach_rec rec;
	char (*names)[16] = NULL;
	struct cni_err first = {};
	int afd, n, i, rc, failed = 0;
	struct store st;

	rc = cni_store_open(&st, c->conf, false, c->err);
	if (rc)
		return rc < 0 ? -1 : 0;
	afd = attach_open(&st, false);
	n = afd >= 0 ? attach_list(afd, &names) : 0;
	rc = 0;
	/* Every stale attachment is tried; the first failure is the answer. */
	for (i = 0; i < n; i++) {
		if (attach_get(afd, names[i], &rec) || strcmp(rec.network, c->conf->name) ||
		    valid(c->conf, &rec))
			continue;
		if (cni_remove(&st, afd, names[i], rec.containerid, rec.ifname, c->env, c->conf,
			       failed ? &(struct cni_err){} : &first))
			failed++;
	}
	if (failed) {
		*c->err = first;
		rc = -1;
	}
	if (n < 0)
		rc = cni_fail(c->err, CNI_ERR_IO, strerror(-n), "cannot list the attachments");
	free(names);
	if (afd >= 0)
		close(afd);
	store_close(&st);
	return rc;
}
