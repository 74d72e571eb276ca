/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A "cgroup" (v1) mount: a tmpfs at the destination holding, for every
 * hierarchy of the host, a bind of the container's own cgroup, and the
 * host's alias links (cpu -> cpu,cpuacct).  The container sees its own
 * limits and usage, never the host's tree, with or without a cgroup
 * namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "husk/cgroup.h"
#include "husk/safe_path.h"
#include "husk/util.h"
#include "rootfs_internal.h"

static bool is_hierarchy(const char *path)
{
	struct statfs fs;
	return statfs(path, &fs) == 0 && (fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC);
}

/* tree is a fresh tmpfs of ours: names in it can be trusted. */
static int bind_hierarchy(const struct mount_job *j, int tree, const char *name, husk_err *err)
{
	char src_path[PATH_MAX];
	const char *own = j->r->o->cgroup_path ? j->r->o->cgroup_path : "";
	snprintf(src_path, sizeof(src_path), "%s/%s%s", HUSK_CGROUP_MOUNT, name, own);
	cleanup_close int src = open(src_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return job_error(j, err, errno, "open %s", src_path);
	if (mkdirat(tree, name, 0755) < 0)
		return job_error(j, err, errno, "create %s", name);
	cleanup_close int dst = openat(tree, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0 || bind_fd(src, dst, 0) < 0)
		return job_error(j, err, errno, "bind %s", src_path);
	cleanup_close int mnt = openat(tree, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (mnt < 0 || remount_bind_fd(mnt, j->mo.flags & MNT_FLAGS) < 0)
		return job_error(j, err, errno, "remount %s", src_path);
	return 0;
}

static int copy_alias(const struct mount_job *j, int tree, int host, const char *name, husk_err *err)
{
	char link[NAME_MAX + 1];
	ssize_t n = readlinkat(host, name, link, sizeof(link) - 1);
	if (n < 0)
		return job_error(j, err, errno, "read link %s/%s", HUSK_CGROUP_MOUNT, name);
	link[n] = '\0';
	if (symlinkat(link, tree, name) < 0)
		return job_error(j, err, errno, "link %s", name);
	return 0;
}

static int fill_tree(const struct mount_job *j, int tree, husk_err *err)
{
	DIR *d = opendir(HUSK_CGROUP_MOUNT);
	if (!d)
		return job_error(j, err, errno, "open %s", HUSK_CGROUP_MOUNT);
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		char path[PATH_MAX];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", HUSK_CGROUP_MOUNT, de->d_name);
		if (de->d_type == DT_LNK)
			rc = copy_alias(j, tree, dirfd(d), de->d_name, err);
		else if (de->d_type == DT_DIR && is_hierarchy(path))
			rc = bind_hierarchy(j, tree, de->d_name, err);
	}
	closedir(d);
	return rc;
}

int mount_cgroup_v1_tree(struct mount_job *j, int target, husk_err *err)
{
	if (mount_on_fd("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return job_error(j, err, errno, "mount a tmpfs for the cgroup hierarchies");
	/* The destination was checked before the tmpfs covered it. */
	cleanup_close int tree = husk_safe_open(j->r->root_fd, j->dest, O_PATH | O_DIRECTORY | O_NOFOLLOW);
	if (tree < 0)
		return job_error(j, err, errno, "open the cgroup tmpfs");
	if (fill_tree(j, tree, err) < 0)
		return -1;
	if (remount_bind_fd(tree, (j->mo.flags & MNT_FLAGS) | MS_NOSUID | MS_NODEV | MS_NOEXEC) < 0)
		return job_error(j, err, errno, "remount the cgroup tmpfs");
	return 0;
}
