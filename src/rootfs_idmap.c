/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Idmapped bind mounts: a clone of the source tree, mapped through a user
 * namespace that a short-lived child holds open while it is used.
 */

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "husk/util.h"
#include "rootfs_internal.h"

static int write_idmap(pid_t pid, const char *file, const husk_idmaps *map)
{
	char path[64];
	size_t cap = map->n * 40 + 1, len = 0;
	cleanup_free char *buf = malloc(cap);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < map->n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", map->v[i].container_id,
					map->v[i].host_id, map->v[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* The kernel takes a map in one write. */
	ssize_t w = write(fd, buf, len);
	if (w < 0)
		return -1;
	if ((size_t)w != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* A child that sits in a new user namespace until hold is closed. */
static pid_t spawn_userns_holder(const int ready[2], const int hold[2])
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int ready_w = ready[1], hold_r = hold[0];
	close(ready[0]);
	close(hold[1]);
	char c = unshare(CLONE_NEWUSER) == 0 ? 'u' : 'e';
	if (write(ready_w, &c, 1) == 1)
		while (read(hold_r, &c, 1) < 0 && errno == EINTR)
			;
	_exit(0);
}

static int open_holder_userns(pid_t pid, int ready_r, const husk_idmaps *uids,
			      const husk_idmaps *gids, husk_err *err)
{
	char c = 0, path[64];
	ssize_t n;
	do
		n = read(ready_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1 || c != 'u')
		return husk_error(err, n == 1 ? EPERM : errno, "create a user namespace for the id mapping");
	if (write_idmap(pid, "uid_map", uids) < 0)
		return husk_error(err, errno, "write uid_map of the id mapping");
	if (write_idmap(pid, "gid_map", gids) < 0)
		return husk_error(err, errno, "write gid_map of the id mapping");
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "open %s", path);
	return fd;
}

/* A user namespace with the given maps, as a descriptor for MOUNT_ATTR_IDMAP. */
static int idmap_userns(const husk_idmaps *uids, const husk_idmaps *gids, husk_err *err)
{
	int ready[2], hold[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return husk_error(err, errno, "pipe");
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return husk_error(err, errno, "pipe");
	}
	pid_t pid = spawn_userns_holder(ready, hold);
	int saved = errno;
	close(ready[1]);
	close(hold[0]);
	int fd = pid < 0 ? husk_error(err, saved, "fork")
			 : open_holder_userns(pid, ready[0], uids, gids, err);
	close(ready[0]);
	close(hold[1]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return fd;
}

static int idmap_maps(const struct mount_job *j, const husk_idmaps **uids, const husk_idmaps **gids,
		      husk_err *err)
{
	const struct husk_linux *l = j->r->cfg->linux_cfg;
	*uids = &j->m->uid_mappings;
	*gids = &j->m->gid_mappings;
	if ((*uids)->n && (*gids)->n)
		return 0;
	if ((*uids)->n || (*gids)->n)
		return job_error(j, err, EINVAL, "uidMappings and gidMappings go together");
	if (l && j->r->o->userns && l->uid_mappings.n && l->gid_mappings.n) {
		*uids = &l->uid_mappings;
		*gids = &l->gid_mappings;
		return 0;
	}
	return job_error(j, err, EINVAL, "idmap needs uidMappings and gidMappings, "
			 "or a user namespace with mappings to borrow");
}

/* Clone the source tree, idmap the clone, attach it on the target. */
int bind_idmapped(const struct mount_job *j, int source_fd, int target_fd, husk_err *err)
{
	const husk_idmaps *uids, *gids;
	if (idmap_maps(j, &uids, &gids, err) < 0)
		return -1;
	unsigned int rec = (j->mo.flags & MS_REC) ? AT_RECURSIVE : 0;
	cleanup_close int tree = (int)syscall(SYS_open_tree, source_fd, "",
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
	if (tree < 0)
		return job_error(j, err, errno, "clone the source (open_tree)");
	cleanup_close int userns = idmap_userns(uids, gids, err);
	if (userns < 0)
		return husk_error_wrap(err, "%s", j->what);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	unsigned int flags = AT_EMPTY_PATH | (j->mo.idmap_recursive ? AT_RECURSIVE : 0);
	if (syscall(SYS_mount_setattr, tree, "", flags, &attr, sizeof(attr)) < 0)
		return job_error(j, err, errno, "idmap the mount (mount_setattr)");
	if (syscall(SYS_move_mount, tree, "", target_fd, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return job_error(j, err, errno, "attach the idmapped mount (move_mount)");
	return 0;
}
