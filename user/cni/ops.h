/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pairpath-cni's commands (add.c del.c check.c status.c gc.c) and what
 * they share: the IPAM delegation (ipam.c) and the attachment records
 * (attach.c). Each command fills err and returns -1 on failure; main.c
 * prints the error JSON.
 */
#ifndef __PAIRPATH_CNI_OPS_H
#define __PAIRPATH_CNI_OPS_H

#include "cni/cni.h"
#include "state/pins.h"
#include "state/store.h"

/* Kill points of the test build (lib/testhook.h), after each step of ADD. */
enum cni_kill_point {
	CNI_KILL_RECORD = 61,	/* the attachment record written */
	CNI_KILL_VETH = 62,	/* the veth pair made */
	CNI_KILL_IPAM = 63,	/* the lease taken */
	CNI_KILL_CONFIG = 64,	/* the container side configured */
	CNI_KILL_ENDPOINT = 65,	/* the endpoint registered */
};

struct cni_ctx {
	const struct cni_env *env;
	const struct cni_conf *conf;
	struct cni_err *err;
	char *out;		/* malloc'd JSON to print on success, or NULL */
};

int cni_add(struct cni_ctx *c);
int cni_del(struct cni_ctx *c);
int cni_check(struct cni_ctx *c);
int cni_status(struct cni_ctx *c);
int cni_gc(struct cni_ctx *c);

/*
 * Remove one attachment (DEL, GC): its endpoint (st NULL: no routed
 * state), veth, lease and record (afd -1: none); what is gone already is
 * no error.
 */
int cni_remove(struct store *st, int afd, const char *host, const char *containerid,
	       const char *ifname, const struct cni_env *env, const struct cni_conf *conf,
	       struct cni_err *err);

/* The host-side veth (and endpoint) name of an attachment: "pp" + 11 hex. */
void cni_host_name(const char *containerid, const char *ifname, char buf[16]);

/*
 * Run the IPAM plugin conf->ipam_type from env->path with cmd (ADD, DEL,
 * CHECK) for containerid and ifname; ADD fills res. Its error JSON is
 * passed through in err.
 */
int ipam_run(const struct cni_env *env, const struct cni_conf *conf, enum cni_cmd cmd,
	     const char *containerid, const char *ifname, struct cni_result *res,
	     struct cni_err *err);

/* One attachment of a network: who the runtime says it is, and its endpoint. */
struct cni_attach_rec {
	char containerid[256];
	char ifname[16];
	char network[128];
};

#define CNI_ATTACH_PIN	pp_pin_names[PP_PIN_CNI_ATTACH]

/* The pinned record map of st's directory; create: make it if missing. Or -errno. */
int attach_open(struct store *st, bool create);
int attach_put(int fd, const char *host, const struct cni_attach_rec *rec);
int attach_get(int fd, const char *host, struct cni_attach_rec *rec);
int attach_delete(int fd, const char *host);
/* Every key (host name) in the map; free() *names. The count or -errno. */
int attach_list(int fd, char (**names)[16]);

/*
 * Open the store for a change under the lock, after rolling back what an
 * interrupted pairpath left: 0 open, 1 nothing there (!create), -1 with err.
 */
/*
 * CNI_NETNS opened and checked to be a netns other than the plugin's
 * own (kernel/netns.h): its fd, or -1 with code 3 when nothing is there,
 * 4 when it is not a netns or is the plugin's.
 */
int cni_netns_open(const struct cni_env *env, struct cni_err *err);
int cni_store_open(struct store *st, const struct cni_conf *conf, bool create,
		   struct cni_err *err);

#endif /* __PAIRPATH_CNI_OPS_H */
