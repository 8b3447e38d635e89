// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "lib/testhook.h"

#ifdef PAIRPATH_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/*
 * The tests stop the loader dead after a given step to prove that the
 * next pairpath finds a consistent state: PAIRPATH_TEST_KILL_AT=step.
 */
void testhook_kill_point(int step)
{
	static int kill_at = -1;
	const char *env;

	if (kill_at < 0) {
		env = getenv("PAIRPATH_TEST_KILL_AT");
		kill_at = env ? atoi(env) : 0;
	}
	if (kill_at == step)
		raise(SIGKILL);
}

int testhook_rcvbuf(int bytes)
{
	const char *env = getenv("PAIRPATH_TEST_RCVBUF");

	return env ? atoi(env) : bytes;
}

bool testhook_no_batch(void)
{
	return getenv("PAIRPATH_TEST_NO_BATCH");
}

/* What step 1 took away, through a writable fd of the same map. */
static struct {
	int fd;
	char key[256];
	char *value;
} churn = { .fd = -1 };

static int writable_fd(int fd, __u32 *key_size, __u32 *value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.key_size > sizeof(churn.key))
		return -1;
	*key_size = info.key_size;
	*value_size = info.value_size;
	if (info.type == BPF_MAP_TYPE_PERCPU_HASH)
		*value_size = ((info.value_size + 7) & ~7) * libbpf_num_possible_cpus();
	/* The reader's fd may be read-only: the test runs it as root. */
	return bpf_map_get_fd_by_id(info.id);
}

void testhook_walk_step(int fd, const void *key, int step)
{
	__u32 key_size, value_size;

	if (!getenv("PAIRPATH_TEST_WALK_CHURN"))
		return;
	if (step == 1 && churn.fd < 0) {
		churn.fd = writable_fd(fd, &key_size, &value_size);
		churn.value = churn.fd >= 0 ? malloc(value_size) : NULL;
		if (churn.value && !bpf_map_lookup_elem(churn.fd, key, churn.value)) {
			memcpy(churn.key, key, key_size);
			if (!bpf_map_delete_elem(churn.fd, key))
				return;
		}
	} else if ((step == 2 || step < 0) && churn.fd >= 0 && churn.value) {
		bpf_map_update_elem(churn.fd, churn.key, churn.value, BPF_NOEXIST);
	} else {
		return;
	}
	free(churn.value);
	churn.value = NULL;
	if (churn.fd >= 0)
		close(churn.fd);
	churn.fd = -1;
}

const char *testhook_bpffs_default(const char *fs)
{
	const char *env = getenv("PAIRPATH_TEST_BPFFS");

	return env ? env : fs;
}

bool testhook_lock_replaced(void)
{
	const char *env = getenv("PAIRPATH_TEST_LOCK_REPLACED");

	return env && !strcmp(env, "1");
}
#endif
