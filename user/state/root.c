// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kernel/pin.h"
#include "lib/log.h"
#include "state/root.h"

#define BPFFS_DEFAULT		"/sys/fs/bpf"
#define ROOT_LOCK_WAIT_MS	30000

static void parent_of(const char *path, char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", path);
	slash = strrchr(buf, '/');
	if (slash == buf)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/*
 * The pin root must live on a bpffs. Like tc(8), mount one at
 * /sys/fs/bpf when the default root is asked for and none is there.
 */
static int ensure_root(const char *root, bool *made)
{
	char parent[PATH_MAX];

	*made = false;
	if (!access(root, F_OK)) {
		if (!pin_on_bpffs(root)) {
			pr_warn("pin root '%s' is not on a bpf filesystem\n", root);
			return -EINVAL;
		}
		return 0;
	}
	/* Check before making anything, so a refusal leaves no directory. */
	parent_of(root, parent, sizeof(parent));
	if (!pin_on_bpffs(parent)) {
		if (!strcmp(root, PP_DEFAULT_PIN_ROOT) && !pin_on_bpffs(BPFFS_DEFAULT) &&
		    !mount("bpf", BPFFS_DEFAULT, "bpf", 0, "mode=0700")) {
			pr_info("mounted a bpf filesystem on %s\n", BPFFS_DEFAULT);
		} else {
			pr_warn("pin root '%s' is not on a bpf filesystem (its parent '%s' %s)\n",
				root, parent, access(parent, F_OK) ? "does not exist" :
				"is not bpffs");
			return -EINVAL;
		}
	}
	if (mkdir(root, 0700)) {
		int err = -errno;

		/* Another pairpath made it first: use theirs. */
		if (err == -EEXIST)
			return ensure_root(root, made);
		pr_warn("pin root '%s': cannot create: %s\n", root, strerror(-err));
		return err;
	}
	*made = true;
	return 0;
}

/*
 * Serialises every pairpath that changes state under this root. A second
 * one waits its turn, but not forever: a holder that hangs is reported.
 */
static int lock_root(int fd, const char *root)
{
	int waited_ms = 0;

	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			pr_warn("pin root '%s': cannot lock: %s\n", root, strerror(errno));
			return -errno;
		}
		if (waited_ms == 0)
			pr_info("waiting for another pairpath to finish with %s\n", root);
		if (waited_ms >= ROOT_LOCK_WAIT_MS) {
			pr_warn("pin root '%s' is locked by another pairpath: gave up after %d s\n",
				root, ROOT_LOCK_WAIT_MS / 1000);
			return -EBUSY;
		}
		usleep(10 * 1000);
		waited_ms += 10;
	}
	return 0;
}

int root_open(const char *root, bool create, bool *made, int *lock_fd)
{
	struct stat locked, now;
	int err, tries, fd;

	*made = false;
	if (lock_fd)
		*lock_fd = -1;
	/*
	 * A reset may remove the root between our open and our lock: then
	 * the lock is on a dead directory, so start over on the new one.
	 */
	for (tries = 0; tries < 3; tries++) {
		if (create) {
			bool made_now;

			err = ensure_root(root, &made_now);
			if (err)
				return err;
			*made = *made || made_now;
		}
		if (!lock_fd)
			return 0;
		fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			if (err != -ENOENT)
				pr_warn("pin root '%s': %s\n", root, strerror(-err));
			return err;
		}
		err = lock_root(fd, root);
		if (err) {
			close(fd);
			return err;
		}
		if (!fstat(fd, &locked) && locked.st_nlink > 0 &&
		    !stat(root, &now) && now.st_ino == locked.st_ino) {
			*lock_fd = fd;
			return 0;
		}
		close(fd);
	}
	return 0;
}
