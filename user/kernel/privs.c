// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/capability.h>
#include "lib/log.h"
#include "kernel/privs.h"

/* CapEff from /proc/self/status: what the kernel says we still hold. */
static int effective_caps(unsigned long long *caps)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", caps) == 1) {
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

int privs_drop(const char *user)
{
	unsigned long long caps = ~0ULL;
	struct passwd *pw;
	int cap, err;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		pr_warn("user '%s' does not exist\n", user);
		return errno ? -errno : -ENOENT;
	}
	/* Empty the bounding set first: that still needs CAP_SETPCAP. */
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			goto fail;
	if (setgroups(0, NULL) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		goto fail;
	/*
	 * With every uid non-zero and no SECBIT_KEEP_CAPS, the kernel has
	 * cleared the permitted and effective sets; check rather than trust.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		goto fail;
	err = effective_caps(&caps);
	if (err || (pw->pw_uid && caps)) {
		pr_warn("cannot drop privileges to '%s': capabilities %llx remain\n", user, caps);
		return err ? err : -EPERM;
	}
	pr_info("running as '%s' (uid %u) without capabilities\n", user, pw->pw_uid);
	return 0;
fail:
	err = -errno;
	pr_warn("cannot drop privileges to '%s': %s\n", user, strerror(-err));
	return err;
}

bool privs_can_change(void)
{
	unsigned long long caps = 0;

	if (effective_caps(&caps))
		return geteuid() == 0;
	/* CAP_NET_ADMIN for links and qdiscs; CAP_BPF, or CAP_SYS_ADMIN before it. */
	return (caps >> CAP_NET_ADMIN & 1) &&
	       ((caps >> 39 & 1) || (caps >> CAP_SYS_ADMIN & 1));
}
