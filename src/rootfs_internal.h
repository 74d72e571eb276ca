/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_ROOTFS_INTERNAL_H
#define HUSK_ROOTFS_INTERNAL_H

/* Shared between rootfs.c and the rootfs_*.c files it is split into. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/types.h>

#include "husk/mount_options.h"
#include "husk/rootfs.h"

/* The per-mount flags a bind remount can change. */
#define MNT_ATIME_FLAGS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
#define MNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MNT_ATIME_FLAGS | MS_NOSYMFOLLOW)

/* runc's default for the /dev tmpfs husk mounts when the config has none. */
#define DEFAULT_DEV_DATA   "mode=755,size=65536k"

/* State of one prepare or pivot call; nothing outlives the call. */
struct rootfs {
	const struct husk_config *cfg;
	const struct husk_rootfs_opts *o;
	int root_fd;            /* O_PATH: the rootfs mount */
	char *root_path;        /* what the kernel calls root_fd */
	unsigned long dev_ro;   /* flags to remount a read-only /dev with, at the end */
};

/* One mounts[] entry being performed. */
struct mount_job {
	struct rootfs *r;
	char *what;                     /* "mounts[3] (/data)", for messages */
	char *dest;                     /* clean and absolute */
	const char *source;
	const char *type;
	struct husk_mount_options mo;
	const struct husk_mount *m;
};

static inline bool has_namespace(const struct husk_config *cfg, int type)
{
	return husk_config_namespace(cfg, type) != NULL;
}

/* rootfs_fd_mount.c */
int mount_on_fd(const char *source, int target_fd, const char *type, unsigned long flags,
		const char *data);
int bind_fd(int source_fd, int target_fd, unsigned long flags);
int remount_bind_fd(int fd, unsigned long flags);
int remount_bind_adding(const char *path, unsigned long add);
int set_attr_recursive(int fd, uint64_t set, uint64_t clr);

/* rootfs_mounts.c */
int job_error(const struct mount_job *j, husk_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int mount_entry(struct rootfs *r, size_t i, husk_err *err);

/* rootfs_cgroup.c: a "cgroup" mount on target, checked already */
int mount_cgroup_v1_tree(struct mount_job *j, int target, husk_err *err);

/* rootfs_idmap.c */
int bind_idmapped(const struct mount_job *j, int source_fd, int target_fd, husk_err *err);

/* rootfs_copyup.c */
int copy_tree(int src, int dst, int depth, husk_err *err);

/* rootfs_dev.c */
bool config_mounts(const struct husk_config *cfg, const char *dest, bool *bind);
int default_mount(struct rootfs *r, const char *dest, const char *type, unsigned long flags,
		  const char *data, husk_err *err);
int populate_dev(struct rootfs *r, husk_err *err);
int create_config_devices(struct rootfs *r, husk_err *err);
int remount_dev_readonly(struct rootfs *r, husk_err *err);

/* rootfs_protect.c */
bool on_procfs(int fd);
bool is_procfs_root(int fd);
int apply_sysctls(const struct rootfs *r, husk_err *err);
int mask_and_protect(const struct rootfs *r, husk_err *err);

#endif
