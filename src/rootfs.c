/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two public entry points: husk_rootfs_prepare (propagation, the rootfs
 * bind, mounts[] and /dev) and husk_rootfs_pivot (sysctls and masks, then
 * pivot_root, rootfsPropagation and a read-only root).
 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/log.h"
#include "husk/safe_path.h"
#include "husk/util.h"
#include "rootfs_internal.h"

static void rootfs_release(struct rootfs *r)
{
	husk_closep(&r->root_fd);
	free(r->root_path);
}

/* ---- prepare ------------------------------------------------------------ */

static unsigned long propagation_flag(int propagation)
{
	switch (propagation) {
	case HUSK_PROPAGATION_PRIVATE:
		return MS_PRIVATE;
	case HUSK_PROPAGATION_SHARED:
		return MS_SHARED;
	case HUSK_PROPAGATION_UNBINDABLE:
		return MS_UNBINDABLE;
	default:
		return MS_SLAVE;
	}
}

static int rootfs_propagation(const struct husk_config *cfg)
{
	return cfg->linux_cfg ? cfg->linux_cfg->rootfs_propagation : 0;
}

/*
 * Cut the host off: every mount of the new namespace becomes a slave
 * (runc's default) or what rootfsPropagation asks for, recursively, so that
 * nothing mounted from here on reaches the host.  An unbindable tree could
 * not be bound; it is made private now and unbindable after the pivot.
 */
static int set_host_propagation(const struct husk_config *cfg, husk_err *err)
{
	int prop = rootfs_propagation(cfg);
	int now = prop == HUSK_PROPAGATION_UNBINDABLE ? HUSK_PROPAGATION_PRIVATE : prop;
	unsigned long flag = propagation_flag(now);
	if (mount(NULL, "/", NULL, flag | MS_REC, NULL) < 0)
		return husk_error(err, errno, "make / %s",
				  prop ? husk_name_of(husk_propagation_names, prop) : "slave");
	return 0;
}

static int mount_id_of(int fd, uint64_t *id)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

/* A descriptor of the root of the mount that holds path. */
static int open_mount_root(const char *path)
{
	uint64_t id, up_id;
	cleanup_close int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || mount_id_of(fd, &id) < 0)
		return -1;
	for (;;) {
		struct stat a, b;
		cleanup_close int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0 || mount_id_of(up, &up_id) < 0 || fstat(fd, &a) < 0 || fstat(up, &b) < 0)
			return -1;
		if (up_id != id || (a.st_dev == b.st_dev && a.st_ino == b.st_ino))
			return steal_fd(&fd);
		close(fd);
		fd = steal_fd(&up);
	}
}

/*
 * pivot_root refuses a new root whose parent mount is shared.  That is so
 * only when rootfsPropagation is "shared": make the mount holding the
 * rootfs private (in this namespace only), as runc does.
 */
static int make_parent_private(const struct husk_config *cfg, const char *rootfs, husk_err *err)
{
	char path[HUSK_FD_PATH_MAX];
	if (rootfs_propagation(cfg) != HUSK_PROPAGATION_SHARED)
		return 0;
	cleanup_close int parent = open_mount_root(rootfs);
	if (parent < 0)
		return husk_error(err, errno, "find the mount holding %s", rootfs);
	if (mount(NULL, husk_fd_path(parent, path), NULL, MS_PRIVATE, NULL) < 0)
		return husk_error(err, errno, "make the mount holding %s private", rootfs);
	return 0;
}

static int open_rootfs_mount(struct rootfs *r, husk_err *err)
{
	const char *rootfs = r->o->rootfs;
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error(err, errno, "bind the rootfs %s onto itself", rootfs);
	/* Opened after the bind, so lookups start in the new mount. */
	r->root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->root_fd < 0)
		return husk_error(err, errno, "open the rootfs %s", rootfs);
	char link[HUSK_FD_PATH_MAX], buf[PATH_MAX];
	ssize_t n = readlink(husk_fd_path(r->root_fd, link), buf, sizeof(buf) - 1);
	if (n < 0)
		return husk_error(err, errno, "read back the rootfs path %s", rootfs);
	buf[n] = '\0';
	r->root_path = strdup(buf);
	if (!r->root_path)
		return husk_error(err, ENOMEM, "out of memory");
	return 0;
}

static int check_opts(const struct husk_rootfs_opts *o, husk_err *err)
{
	if (!o->rootfs || o->rootfs[0] != '/')
		return husk_error(err, EINVAL, "rootfs path \"%s\" is not absolute",
				  o->rootfs ? o->rootfs : "");
	if (!o->bundle || o->bundle[0] != '/')
		return husk_error(err, EINVAL, "bundle path \"%s\" is not absolute",
				  o->bundle ? o->bundle : "");
	return 0;
}

static int prepare_mounts(struct rootfs *r, husk_err *err)
{
	bool dev_bind = false;
	bool dev_mounted = config_mounts(r->cfg, "/dev", &dev_bind);
	if (!dev_mounted &&
	    default_mount(r, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, DEFAULT_DEV_DATA, err) < 0)
		return -1;
	for (size_t i = 0; i < r->cfg->mounts.n; i++)
		if (mount_entry(r, i, err) < 0)
			return -1;
	if (!dev_bind && populate_dev(r, err) < 0)
		return -1;
	if (create_config_devices(r, err) < 0)
		return -1;
	return r->dev_ro ? remount_dev_readonly(r, err) : 0;
}

int husk_rootfs_prepare(const struct husk_config *cfg, const struct husk_rootfs_opts *o, husk_err *err)
{
	struct rootfs r = { .cfg = cfg, .o = o, .root_fd = -1 };
	int ret = -1;
	if (check_opts(o, err) < 0)
		return -1;
	/* In the runtime's own mount namespace, propagation is the host's
	 * business: changing it would change the host. */
	if (!o->host_mount_ns &&
	    (set_host_propagation(cfg, err) < 0 || make_parent_private(cfg, o->rootfs, err) < 0))
		return -1;
	if (open_rootfs_mount(&r, err) == 0)
		ret = prepare_mounts(&r, err);
	rootfs_release(&r);
	return ret;
}

uint64_t husk_rootfs_mount_id(const char *path)
{
	uint64_t id;
	cleanup_close int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || mount_id_of(fd, &id) < 0)
		return 0;
	return id;
}

int husk_rootfs_detach_host_mounts(const char *rootfs, uint64_t before_id, husk_err *err)
{
	uint64_t now = husk_rootfs_mount_id(rootfs);
	if (!before_id || !now || now == before_id)
		return 0;
	if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return husk_error(err, errno, "detach the container's mounts at %s", rootfs);
	return 0;
}

/* ---- pivot -------------------------------------------------------------- */

/*
 * After pivot_root(".", ".") the old root is stacked on the new one; from
 * inside it (fchdir to the old root) make it a slave, so that detaching it
 * propagates nowhere, and detach it.  No put_old directory is needed.
 */
static int detach_old_root(int oldroot, husk_err *err)
{
	if (fchdir(oldroot) < 0)
		return husk_error(err, errno, "chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return husk_error(err, errno, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return husk_error(err, errno, "detach the old root");
	return 0;
}

static int move_into(const char *rootfs, int newroot, husk_err *err)
{
	if (fchdir(newroot) < 0)
		return husk_error(err, errno, "chdir to the rootfs");
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return husk_error(err, errno, "move the rootfs %s to /", rootfs);
	if (chroot(".") < 0)
		return husk_error(err, errno, "chroot to the rootfs");
	return 0;
}

static int pivot_or_move(const struct husk_rootfs_opts *o, int newroot, husk_err *err)
{
	/* Pivoting or moving in a shared namespace would move the host's
	 * root: only this process changes its root. */
	if (o->host_mount_ns) {
		if (fchdir(newroot) < 0 || chroot(".") < 0)
			return husk_error(err, errno, "chroot to the rootfs %s", o->rootfs);
		return 0;
	}
	if (o->no_pivot)
		return move_into(o->rootfs, newroot, err);
	cleanup_close int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return husk_error(err, errno, "open /");
	if (fchdir(newroot) < 0)
		return husk_error(err, errno, "chdir to the rootfs");
	if (syscall(SYS_pivot_root, ".", ".") == 0)
		return detach_old_root(oldroot, err);
	if (errno != EINVAL)
		return husk_error(err, errno, "pivot_root");
	/* An initramfs root cannot be pivoted away from. */
	husk_debug(o->log, "pivot_root: %s; moving the rootfs to / instead", strerror(EINVAL));
	return move_into(o->rootfs, newroot, err);
}

static int enter_rootfs(const struct husk_rootfs_opts *o, husk_err *err)
{
	cleanup_close int newroot = open(o->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (newroot < 0)
		return husk_error(err, errno, "open the rootfs %s", o->rootfs);
	if (pivot_or_move(o, newroot, err) < 0)
		return -1;
	if (chdir("/") < 0)
		return husk_error(err, errno, "chdir /");
	return 0;
}

/* After the pivot "/" is the rootfs mount. */
static int finish_root(const struct husk_config *cfg, husk_err *err)
{
	int prop = rootfs_propagation(cfg);
	if (prop && mount(NULL, "/", NULL, propagation_flag(prop), NULL) < 0)
		return husk_error(err, errno, "linux.rootfsPropagation (%s): set on /",
				  husk_name_of(husk_propagation_names, prop));
	if (cfg->root && cfg->root->readonly && remount_bind_adding("/", MS_RDONLY) < 0)
		return husk_error(err, errno, "root.readonly: remount / read-only");
	return 0;
}

/*
 * The sysctls, masks and read-only binds are made just before the pivot,
 * while the host's /proc still provides the /proc/self/fd/N paths they
 * are mounted through; every path is resolved inside the rootfs as it
 * will be seen from the container.
 */
static int before_pivot(const struct husk_config *cfg, const struct husk_rootfs_opts *o, husk_err *err)
{
	struct rootfs r = { .cfg = cfg, .o = o, .root_fd = -1 };
	int ret = -1;
	r.root_fd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r.root_path = strdup(o->rootfs);
	if (r.root_fd < 0)
		husk_error(err, errno, "open the rootfs %s", o->rootfs);
	else if (!r.root_path)
		husk_error(err, ENOMEM, "out of memory");
	else if (apply_sysctls(&r, err) == 0 && mask_and_protect(&r, err) == 0)
		ret = 0;
	rootfs_release(&r);
	return ret;
}

int husk_rootfs_pivot(const struct husk_config *cfg, const struct husk_rootfs_opts *o, husk_err *err)
{
	if (check_opts(o, err) < 0 || husk_rootfs_check_sysctl(cfg, err) < 0)
		return -1;
	if (before_pivot(cfg, o, err) < 0 || enter_rootfs(o, err) < 0)
		return -1;
	return finish_root(cfg, err);
}
