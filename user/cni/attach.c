// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The attachment records: which container and interface of which network
 * each pairpath-cni endpoint is, in a pinned hash beside routed mode's
 * maps, so that GC (which is told only the attachments to keep) finds
 * the others, and so that `pairpath reset` removes it with the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cni/ops.h"
#include "kernel/netns.h"
#include "kernel/pin.h"
#include "state/pins.h"
#include "control/endpoint.h"
#include "lib/log.h"

struct attach_key { char name[16]; };

static void key_of(const char *host, struct attach_key *k)
{
	memset(k, 0, sizeof(*k));
	strncpy(k->name, host, sizeof(k->name) - 1);
}

int attach_open(struct store *st, bool create)
{
	int fd = pin_get_at(st->dir_fd, CNI_ATTACH_PIN, 0, PIN_MAP, BPF_MAP_TYPE_HASH);
	int err;

	if (fd != -ENOENT || !create)
		return fd;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "cni_attach", sizeof(struct attach_key),
			    sizeof(struct cni_attach_rec), RT_MAX_ENDPOINTS, NULL);
	if (fd < 0) {
		pr_warn("cannot create the map '%s': %s\n", CNI_ATTACH_PIN, strerror(errno));
		return -errno;
	}
	err = pin_put_at(fd, st->dir_fd, CNI_ATTACH_PIN);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int attach_put(int fd, const char *host, const struct cni_attach_rec *rec)
{
	struct attach_key k;

	key_of(host, &k);
	return bpf_map_update_elem(fd, &k, rec, BPF_ANY) ? -errno : 0;
}

int attach_get(int fd, const char *host, struct cni_attach_rec *rec)
{
	struct attach_key k;

	key_of(host, &k);
	return bpf_map_lookup_elem(fd, &k, rec) ? -errno : 0;
}

int attach_delete(int fd, const char *host)
{
	struct attach_key k;

	key_of(host, &k);
	if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
		return -errno;
	return 0;
}

int attach_list(int fd, char (**names)[16])
{
	struct attach_key k, next;
	int n = 0, cap = 0;
	void *prev = NULL;
	char (*out)[16] = NULL, (*nb)[16];

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			nb = realloc(out, cap * sizeof(*out));
			if (!nb) {
				free(out);
				return -ENOMEM;
			}
			out = nb;
		}
		memcpy(out[n++], next.name, 16);
		k = next;
		prev = &k;
	}
	*names = out;
	return n;
}

int cni_store_open(struct store *st, const struct cni_conf *conf, bool create,
		   struct cni_err *err)
{
	int e = store_open(st, conf->pin_root, STORE_LOCK | (create ? STORE_CREATE : 0));

	if (e == -ENOENT && !create)
		return 1;
	if (e)
		goto fail;
	e = store_routed(st, create);
	if (!e)
		e = endpoint_recover(st, &st->rt);
	if (!e)
		return 0;
	store_close(st);
	if (e == -ENOENT && !create)
		return 1;
fail:
	if (e == -EBUSY)
		return cni_fail(err, CNI_ERR_TRY_AGAIN, conf->pin_root,
				"the pin root is locked by another pairpath: try again later");
	return cni_fail(err, CNI_ERR_IO, strerror(-e), "cannot open pairpath's state under %s",
			conf->pin_root);
}

int cni_netns_open(const struct cni_env *env, struct cni_err *err)
{
	int fd = netns_open_other(env->netns);

	if (fd >= 0)
		return fd;
	if (fd == -ENOENT)
		return cni_fail(err, CNI_ERR_UNKNOWN_CTR, strerror(-fd),
				"netns '%s' does not exist", env->netns);
	if (fd == -ENOTTY)
		return cni_fail(err, CNI_ERR_ENV, NULL,
				"CNI_NETNS '%s' is not a network namespace", env->netns);
	if (fd == -EEXIST)
		return cni_fail(err, CNI_ERR_ENV, NULL,
				"CNI_NETNS '%s' is the plugin's own network namespace", env->netns);
	return cni_fail(err, CNI_ERR_IO, strerror(-fd), "cannot open netns '%s'", env->netns);
}
