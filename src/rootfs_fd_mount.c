/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mount(2) through O_PATH descriptors (/proc/self/fd/N), and bind remounts
 * that keep the flags a user namespace may not drop.
 */

#include <errno.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/safe_path.h"
#include "rootfs_internal.h"

/* ---- mount(2) on descriptors ------------------------------------------- */

int mount_on_fd(const char *source, int target_fd, const char *type, unsigned long flags,
		       const char *data)
{
	char target[HUSK_FD_PATH_MAX];
	return mount(source, husk_fd_path(target_fd, target), type, flags, data);
}

int bind_fd(int source_fd, int target_fd, unsigned long flags)
{
	char source[HUSK_FD_PATH_MAX];
	return mount_on_fd(husk_fd_path(source_fd, source), target_fd, NULL,
			   MS_BIND | (flags & MS_REC), NULL);
}

static unsigned long statvfs_to_mount_flags(unsigned long f)
{
	unsigned long flags = 0;
	if (f & ST_RDONLY)
		flags |= MS_RDONLY;
	if (f & ST_NOSUID)
		flags |= MS_NOSUID;
	if (f & ST_NODEV)
		flags |= MS_NODEV;
	if (f & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (f & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (f & ST_NOATIME)
		flags |= MS_NOATIME;
	else if (f & ST_RELATIME)
		flags |= MS_RELATIME;
	else
		flags |= MS_STRICTATIME;
	return flags;
}

/*
 * Remount the bind mount at path with flags.  In a user namespace the
 * kernel refuses to drop flags locked by a more privileged owner (ro,
 * nosuid, nodev, noexec, the atime mode); on EPERM try once more with the
 * mount's current values of those kept, as runc does.
 */
static int remount_bind_path(const char *path, unsigned long flags)
{
	flags = MS_BIND | MS_REMOUNT | (flags & MNT_FLAGS);
	if (mount(NULL, path, NULL, flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	struct statvfs sv;
	if (statvfs(path, &sv) < 0) {
		errno = EPERM;
		return -1;
	}
	unsigned long cur = statvfs_to_mount_flags(sv.f_flag);
	unsigned long retry = flags | (cur & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	if (flags & MNT_ATIME_FLAGS)
		retry = (retry & ~MNT_ATIME_FLAGS) | (cur & MNT_ATIME_FLAGS);
	if (retry == flags) {
		errno = EPERM;
		return -1;
	}
	return mount(NULL, path, NULL, retry, NULL);
}

int remount_bind_fd(int fd, unsigned long flags)
{
	char path[HUSK_FD_PATH_MAX];
	return remount_bind_path(husk_fd_path(fd, path), flags);
}

/* Remount with flags added to those the mount has now (a host's nosuid stays). */
int remount_bind_adding(const char *path, unsigned long add)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return -1;
	return remount_bind_path(path, statvfs_to_mount_flags(sv.f_flag) | add);
}

int set_attr_recursive(int fd, uint64_t set, uint64_t clr)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clr };
	return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr));
}
