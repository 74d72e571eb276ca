/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "husk/config.h"

/*
 * The container's filesystem view, built inside its new mount namespace
 * by the container process.  Every target is resolved inside the rootfs
 * so that a symlink there can never redirect a mount (or a mknod, or a
 * mkdir) outside it: paths are opened with openat2(RESOLVE_IN_ROOT) and
 * mounts are made on /proc/self/fd/N of the opened target, so both calls
 * need the host's /proc mounted where the process sees "/proc".
 */
struct husk_rootfs_opts {
	const char *bundle;     /* absolute bundle directory */
	const char *rootfs;     /* absolute root.path */
	bool userns;            /* in a new user namespace: bind devices, no mknod;
				 * sysfs falls back to a bind of /sys */
	bool no_pivot;          /* MS_MOVE + chroot instead of pivot_root */
	const char *cgroup_path; /* the container's cgroup (relative to each
				 * hierarchy), for "cgroup" mounts; NULL: none */
	bool host_mount_ns;     /* no mount namespace of its own: the mounts
				 * land in the runtime's, on top of a bind of the
				 * rootfs onto itself (which the runtime detaches
				 * at delete); chroot, not pivot_root */
	const struct husk_log *log;
};

/*
 * The mount ID of the topmost mount at path (statx STATX_MNT_ID), to tell
 * a container's bind of its rootfs from what was there before.  0 when
 * unknown.
 */
uint64_t husk_rootfs_mount_id(const char *path);

/* Detach the rootfs bind (and every mount below it) made for a container
 * without a mount namespace, if the topmost mount at rootfs is still the
 * one that is not before_id. */
int husk_rootfs_detach_host_mounts(const char *rootfs, uint64_t before_id, husk_err *err);

/*
 * Before pivot_root: make the host's mounts invisible to propagation
 * (rslave unless rootfsPropagation says otherwise), bind the rootfs onto
 * itself, perform every entry of `mounts` in order, provide /dev (a tmpfs
 * with the default nodes and links unless a mount provides it) and
 * linux.devices (mknod, or a bind of the host's node in a user namespace;
 * a different file already at the path is an error).  Mounts into /proc
 * follow runc's rule: only proc on /proc, and beneath it only binds onto
 * the files lxcfs provides.  Leaves the process' cwd unspecified.
 */
int husk_rootfs_prepare(const struct husk_config *cfg, const struct husk_rootfs_opts *o, husk_err *err);

/*
 * Apply linux.sysctl, maskedPaths and readonlyPaths (resolved inside the
 * rootfs, still mounted through the host's /proc), pivot_root into the
 * rootfs (or MS_MOVE + chroot when asked, or when the current root cannot
 * be pivoted, e.g. an initramfs), detach the old root, then apply
 * rootfsPropagation and root.readonly.  Afterwards cwd is "/".
 */
int husk_rootfs_pivot(const struct husk_config *cfg, const struct husk_rootfs_opts *o, husk_err *err);

/*
 * linux.sysctl holds only keys of namespaces the container has of its own
 * (ipc: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*; net: net.*;
 * uts: kernel.domainname), as runc requires.  husk_rootfs_pivot checks it
 * too; call it earlier to fail before anything is created.  Every bad key
 * is reported: linux.sysctl["vm.swappiness"]: not a namespaced sysctl.
 */
int husk_rootfs_check_sysctl(const struct husk_config *cfg, husk_err *err);

#endif
