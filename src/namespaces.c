/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The order in which joined namespaces are entered: user first, so that
 * the others are entered with the privileges it grants. */
static const int join_order[] = {
	CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
	CLONE_NEWCGROUP, CLONE_NEWNS,
};

static const char *ns_name(int type)
{
	return husk_name_of(husk_namespace_names, type);
}

static int open_ns(const struct husk_namespace *ns, size_t index, husk_err *err)
{
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "linux.namespaces[%zu].path: open \"%s\"", index, ns->path);
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0) {
		int saved = errno;
		close(fd);
		if (saved == ENOTTY)
			return husk_error(err, 0, "linux.namespaces[%zu].path: \"%s\" is not a namespace",
					  index, ns->path);
		return husk_error(err, saved, "linux.namespaces[%zu].path: \"%s\"", index, ns->path);
	}
	if (type != ns->type) {
		close(fd);
		return husk_error(err, 0, "linux.namespaces[%zu].path: \"%s\" is a %s namespace, not %s",
				  index, ns->path, ns_name(type) ? ns_name(type) : "different", ns_name(ns->type));
	}
	return fd;
}

static void plan_init(struct husk_ns_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->pid_fd = -1;
	plan->time_fd = -1;
	for (size_t i = 0; i < HUSK_NS_MAX; i++)
		plan->join_fd[i] = -1;
}

static int plan_joined(struct husk_ns_plan *plan, const struct husk_namespace *ns, size_t index, husk_err *err)
{
	int fd = open_ns(ns, index, err);
	if (fd < 0)
		return -1;
	if (ns->type == CLONE_NEWPID) {
		plan->pid_fd = fd;
	} else if (ns->type == CLONE_NEWTIME) {
		plan->time_fd = fd;
	} else {
		plan->join_fd[plan->njoin] = fd;
		plan->join_type[plan->njoin++] = ns->type;
	}
	return 0;
}

/* Sort joined namespaces into join_order. */
static void plan_sort_joins(struct husk_ns_plan *plan)
{
	int fds[HUSK_NS_MAX], types[HUSK_NS_MAX];
	size_t n = 0;
	for (size_t o = 0; o < ARRAY_SIZE(join_order); o++) {
		for (size_t i = 0; i < plan->njoin; i++) {
			if (plan->join_type[i] != join_order[o])
				continue;
			fds[n] = plan->join_fd[i];
			types[n++] = plan->join_type[i];
		}
	}
	memcpy(plan->join_fd, fds, n * sizeof(int));
	memcpy(plan->join_type, types, n * sizeof(int));
}

int husk_ns_plan_make(const struct husk_config *cfg, struct husk_ns_plan *plan, husk_err *err)
{
	plan_init(plan);
	if (!cfg->linux_cfg)
		return 0;
	int new_flags = 0;
	bool user_joined = false;
	for (size_t i = 0; i < cfg->linux_cfg->namespaces.n; i++) {
		const struct husk_namespace *ns = &cfg->linux_cfg->namespaces.v[i];
		plan->has_mount |= ns->type == CLONE_NEWNS;
		plan->has_uts |= ns->type == CLONE_NEWUTS;
		if (ns->path) {
			user_joined |= ns->type == CLONE_NEWUSER;
			if (plan_joined(plan, ns, i, err) < 0) {
				husk_ns_plan_release(plan);
				return -1;
			}
		} else {
			new_flags |= ns->type;
		}
	}
	plan_sort_joins(plan);
	plan->new_user = new_flags & CLONE_NEWUSER;
	plan->new_pid = new_flags & CLONE_NEWPID;
	plan->new_time = new_flags & CLONE_NEWTIME;
	new_flags &= ~CLONE_NEWTIME;
	if (user_joined) {
		/* New namespaces must belong to the joined user namespace, so
		 * the child creates them after entering it. */
		if (new_flags & CLONE_NEWPID) {
			husk_ns_plan_release(plan);
			return husk_error(err, ENOTSUP, "linux.namespaces: a new pid namespace inside a joined "
					  "user namespace is not supported yet");
		}
		plan->unshare_flags = new_flags;
	} else {
		plan->clone_flags = new_flags;
	}
	return 0;
}

void husk_ns_plan_release(struct husk_ns_plan *plan)
{
	for (size_t i = 0; i < plan->njoin; i++)
		husk_closep(&plan->join_fd[i]);
	husk_closep(&plan->pid_fd);
	husk_closep(&plan->time_fd);
	plan->njoin = 0;
	plan->pid_fd = plan->time_fd = -1;
}

static int write_time_offsets(const struct husk_time_offsets *t, husk_err *err)
{
	char buf[128];
	int n = 0;
	if (t && t->monotonic)
		n += snprintf(buf + n, sizeof(buf) - n, "monotonic %lld %u\n",
			      (long long)t->monotonic->secs, t->monotonic->nanosecs);
	if (t && t->boottime)
		n += snprintf(buf + n, sizeof(buf) - n, "boottime %lld %u\n",
			      (long long)t->boottime->secs, t->boottime->nanosecs);
	if (n == 0)
		return 0;
	cleanup_close int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "linux.timeOffsets: open timens_offsets");
	/* The kernel takes one offset per write. */
	for (char *line = buf; *line;) {
		char *end = strchr(line, '\n') + 1;
		if (write(fd, line, (size_t)(end - line)) < 0)
			return husk_error(err, errno, "linux.timeOffsets: write \"%.*s\"", (int)(end - line - 1), line);
		line = end;
	}
	return 0;
}

static int save_ns(const char *name, int *fd, husk_err *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return husk_error(err, errno, "open %s", path);
	return 0;
}

int husk_ns_enter_for_clone(const struct husk_config *cfg, const struct husk_ns_plan *plan,
			    struct husk_ns_saved *saved, husk_err *err)
{
	saved->pid_fd = saved->time_fd = -1;
	if (plan->pid_fd >= 0) {
		if (save_ns("pid_for_children", &saved->pid_fd, err) < 0)
			return -1;
		if (setns(plan->pid_fd, CLONE_NEWPID) < 0)
			return husk_error(err, errno, "join pid namespace");
	}
	if (plan->time_fd >= 0 || plan->new_time) {
		if (save_ns("time_for_children", &saved->time_fd, err) < 0)
			return -1;
		if (plan->time_fd >= 0 && setns(plan->time_fd, CLONE_NEWTIME) < 0)
			return husk_error(err, errno, "join time namespace");
		if (plan->new_time) {
			if (unshare(CLONE_NEWTIME) < 0)
				return husk_error(err, errno, "create time namespace");
			if (write_time_offsets(cfg->linux_cfg->time_offsets, err) < 0)
				return -1;
		}
	}
	return 0;
}

int husk_ns_restore(struct husk_ns_saved *saved, husk_err *err)
{
	int rc = 0;
	if (saved->pid_fd >= 0 && setns(saved->pid_fd, CLONE_NEWPID) < 0)
		rc = husk_error(err, errno, "restore pid namespace");
	if (saved->time_fd >= 0 && setns(saved->time_fd, CLONE_NEWTIME) < 0)
		rc = husk_error(err, errno, "restore time namespace");
	husk_closep(&saved->pid_fd);
	husk_closep(&saved->time_fd);
	saved->pid_fd = saved->time_fd = -1;
	return rc;
}

int husk_ns_join(const struct husk_ns_plan *plan, husk_err *err)
{
	for (size_t i = 0; i < plan->njoin; i++) {
		if (setns(plan->join_fd[i], plan->join_type[i]) < 0)
			return husk_error(err, errno, "join %s namespace", ns_name(plan->join_type[i]));
		if (plan->join_type[i] == CLONE_NEWUSER && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
			return husk_error(err, errno, "become root in the joined user namespace");
	}
	if (plan->unshare_flags && unshare(plan->unshare_flags) < 0)
		return husk_error(err, errno, "create namespaces");
	return 0;
}

/* ---- joining a running process' namespaces ------------------------------- */

/* In the order joined one by one: user first, so that the others are
 * entered with the privileges it grants; pid last (children only). */
static const struct {
	int type;
	const char *file;
} target_ns[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWNET, "net" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
	{ CLONE_NEWNS, "mnt" }, { CLONE_NEWPID, "pid" },
};

int husk_ns_target_make(pid_t pid, int pidfd, struct husk_ns_target *t, husk_err *err)
{
	*t = (struct husk_ns_target){ .pid = pid, .pidfd = pidfd };
	for (size_t i = 0; i < ARRAY_SIZE(target_ns); i++) {
		char path[64];
		struct stat ours, theirs;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", target_ns[i].file);
		if (stat(path, &ours) < 0)
			continue; /* a kind of namespace this kernel lacks */
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, target_ns[i].file);
		if (stat(path, &theirs) < 0) {
			/* An exiting process drops its namespaces before it is gone. */
			if (errno == ENOENT)
				return husk_error(err, ESRCH, "process %d is exiting", (int)pid);
			return husk_error(err, errno, "stat %s", path);
		}
		if (ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev)
			t->flags |= target_ns[i].type;
	}
	return 0;
}

static int open_target_ns(pid_t pid, const char *file, husk_err *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "open %s", path);
	return fd;
}

int husk_ns_enter_pid_of(const struct husk_ns_target *t, struct husk_ns_saved *saved, husk_err *err)
{
	saved->pid_fd = saved->time_fd = -1;
	if (!(t->flags & CLONE_NEWPID))
		return 0;
	if (save_ns("pid_for_children", &saved->pid_fd, err) < 0)
		return -1;
	if (setns(t->pidfd, CLONE_NEWPID) == 0)
		return 0;
	if (errno != EINVAL)
		return husk_error(err, errno, "join the pid namespace of process %d", (int)t->pid);
	/* A kernel before 5.8 takes no pidfd here. */
	cleanup_close int fd = open_target_ns(t->pid, "pid", err);
	if (fd < 0)
		return -1;
	if (setns(fd, CLONE_NEWPID) < 0)
		return husk_error(err, errno, "join the pid namespace of process %d", (int)t->pid);
	return 0;
}

static int become_userns_root(husk_err *err)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return husk_error(err, errno, "become root in the joined user namespace");
	return 0;
}

/* Every fd is opened before the first setns: the mount namespace hides
 * the host's /proc, the user namespace the right to open the rest. */
static int join_one_by_one(const struct husk_ns_target *t, int flags, husk_err *err)
{
	int fds[ARRAY_SIZE(target_ns)];
	int rc = 0;
	size_t n;
	for (n = 0; n < ARRAY_SIZE(target_ns); n++) {
		fds[n] = -1;
		if ((flags & target_ns[n].type) && (fds[n] = open_target_ns(t->pid, target_ns[n].file, err)) < 0) {
			rc = -1;
			break;
		}
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (fds[i] < 0)
			continue;
		if (setns(fds[i], target_ns[i].type) < 0)
			rc = husk_error(err, errno, "join the %s namespace of process %d", target_ns[i].file, (int)t->pid);
		else if (target_ns[i].type == CLONE_NEWUSER)
			rc = become_userns_root(err);
	}
	for (size_t i = 0; i < n; i++)
		husk_closep(&fds[i]);
	return rc;
}

int husk_ns_join_target(const struct husk_ns_target *t, husk_err *err)
{
	/* Already in its pid namespace: the runtime entered it for the clone. */
	int flags = t->flags & ~CLONE_NEWPID;
	if (!flags)
		return 0;
	if (setns(t->pidfd, flags) == 0)
		return flags & CLONE_NEWUSER ? become_userns_root(err) : 0;
	/* EINVAL: a kernel before 5.8; or one namespace refused, which the
	 * walk names. */
	if (errno != EINVAL && errno != EBADF)
		return husk_error(err, errno, "join the namespaces of process %d", (int)t->pid);
	return join_one_by_one(t, flags, err);
}

static int write_id_map(pid_t pid, const char *file, const husk_idmaps *maps, husk_err *err)
{
	if (maps->n == 0)
		return 0;
	/* The kernel wants the whole map in one write. */
	size_t cap = maps->n * 36 + 1;
	cleanup_free char *buf = malloc(cap);
	if (!buf)
		return husk_error(err, ENOMEM, "%s", file);
	size_t n = 0;
	for (size_t i = 0; i < maps->n; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%u %u %u\n", maps->v[i].container_id,
				      maps->v[i].host_id, maps->v[i].size);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "open %s", path);
	if (write(fd, buf, n) != (ssize_t)n)
		return husk_error(err, errno, "linux.%s: write %s", strcmp(file, "uid_map") ? "gidMappings" : "uidMappings", path);
	return 0;
}

int husk_ns_write_id_maps(pid_t pid, const struct husk_linux *l, husk_err *err)
{
	if (write_id_map(pid, "uid_map", &l->uid_mappings, err) < 0)
		return -1;
	return write_id_map(pid, "gid_map", &l->gid_mappings, err);
}

pid_t husk_clone(int flags, int cgroup_fd, bool *in_cgroup, husk_err *err)
{
	struct clone_args args = {
		.flags = (unsigned long long)flags,
		.exit_signal = SIGCHLD,
	};
	long pid = -1;
	*in_cgroup = false;
	if (cgroup_fd >= 0) {
		/* Born in its cgroup: no migration after the fact.  Kernels
		 * before 5.7 refuse the flag; the caller then moves it. */
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (unsigned long long)cgroup_fd;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*in_cgroup = true;
			return (pid_t)pid;
		}
		args.flags &= ~(unsigned long long)CLONE_INTO_CGROUP;
		args.cgroup = 0;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		return husk_error(err, errno, "clone container process");
	return (pid_t)pid;
}
