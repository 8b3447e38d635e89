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
#include "lib/testhook.h"
#include "state/root.h"

#define BPFFS_DEFAULT		"/sys/fs/bpf"
#define ROOT_LOCK_WAIT_MS	30000
#define ROOT_LOCK_TRIES		3

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
 * Whoever may write a directory of pins may rename or replace them, and
 * bpffs is world-writable when mounted without mode=: only a directory
 * of root's that no one else may write is used.
 */
static int trust_dir(int fd, const char *what, const char *path)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_uid != 0) {
		pr_warn("%s '%s': owned by uid %u, not root: refusing it\n", what, path,
			(unsigned int)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		pr_warn("%s '%s': writable by group or others (mode %04o): refusing it\n",
			what, path, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	if (!pin_fd_on_bpffs(fd)) {
		pr_warn("%s '%s' is not on a bpf filesystem\n", what, path);
		return -EINVAL;
	}
	return 0;
}

int root_open_dir(int atfd, const char *name, const char *what, const char *path)
{
	struct stat st;
	int fd, err;

	if (fstatat(atfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		err = -errno;
		if (err != -ENOENT)
			pr_warn("%s '%s': %s\n", what, path, strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		pr_warn("%s '%s': %s, not a directory: refusing it\n", what, path,
			S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
		return -EPERM;
	}
	/* O_NOFOLLOW: what was checked is what is opened, or nothing is. */
	fd = openat(atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("%s '%s': %s\n", what, path, strerror(-err));
		return err;
	}
	err = trust_dir(fd, what, path);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Like tc(8), mount a bpffs at /sys/fs/bpf when the default root is
 * asked for and none is there; 0700, and nothing on it runs or is a
 * device.
 */
static int mount_default(const char *root)
{
	const char *fs = testhook_bpffs_default(BPFFS_DEFAULT);
	char def[PATH_MAX];

	snprintf(def, sizeof(def), "%s/pairpath", fs);
	if (strcmp(root, def) && strcmp(root, PP_DEFAULT_PIN_ROOT))
		return -EINVAL;
	if (pin_on_bpffs(fs) ||
	    mount("bpf", fs, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700"))
		return -EINVAL;
	pr_info("mounted a bpf filesystem on %s\n", fs);
	return 0;
}

/* The pin root must live on a bpffs: made there if it is not yet. */
static int ensure_root(const char *root, bool *made)
{
	char parent[PATH_MAX];
	int fd, tries;

	*made = false;
	/* Opened again after each mkdir, ours or another's: a reset may remove it between. */
	for (tries = 0; tries < 3; tries++) {
		fd = root_open_dir(AT_FDCWD, root, "pin root", root);
		if (fd != -ENOENT)
			return fd;
		if (tries == 2) {
			errno = ENOENT;
			break;
		}
		/* Check before making anything, so a refusal leaves no directory. */
		parent_of(root, parent, sizeof(parent));
		if (!pin_on_bpffs(parent) && mount_default(root)) {
			pr_warn("pin root '%s' is not on a bpf filesystem (its parent '%s' %s)\n",
				root, parent, access(parent, F_OK) ? "does not exist" :
				"is not bpffs");
			return -EINVAL;
		}
		if (!mkdir(root, 0700))
			*made = true;
		else if (errno != EEXIST)	/* EEXIST: another pairpath made it first */
			break;
	}
	fd = -errno;
	pr_warn("pin root '%s': cannot create: %s\n", root, strerror(errno));
	return fd;
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

/* Is the directory we locked still the one the root's name leads to? */
static bool lock_current(int fd, const char *root)
{
	struct stat locked, now;

	if (testhook_lock_replaced())
		return false;
	return !fstat(fd, &locked) && locked.st_nlink > 0 &&
	       !fstatat(AT_FDCWD, root, &now, AT_SYMLINK_NOFOLLOW) &&
	       now.st_ino == locked.st_ino && now.st_dev == locked.st_dev;
}

int root_open(const char *root, bool create, bool lock, bool *made)
{
	int tries, fd, err;
	bool made_now;

	*made = false;
	/*
	 * A reset may remove the root between our open and our lock: then
	 * the lock is on a dead directory, so start over on the new one.
	 */
	for (tries = 0; tries < ROOT_LOCK_TRIES; tries++) {
		if (create) {
			fd = ensure_root(root, &made_now);
			*made = *made || made_now;
		} else {
			fd = root_open_dir(AT_FDCWD, root, "pin root", root);
		}
		if (fd < 0 || !lock)
			return fd;
		err = lock_root(fd, root);
		if (err) {
			close(fd);
			return err;
		}
		if (lock_current(fd, root))
			return fd;
		close(fd);
	}
	/* Without the lock nothing may change: fail closed. */
	pr_warn("pin root '%s': the lock was replaced while this pairpath waited for it, "
		"%d times: giving up\n", root, ROOT_LOCK_TRIES);
	return -EAGAIN;
}
