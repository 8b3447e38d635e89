// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "lib/testhook.h"

#ifdef PAIRPATH_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>
#include <string.h>

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
