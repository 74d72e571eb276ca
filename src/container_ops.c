/* SPDX-License-Identifier: Apache-2.0 */
/* Operations on an existing container: kill, delete, state, list. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container_internal.h"
#include "husk/cgroup.h"
#include "husk/hooks.h"
#include "husk/rootfs.h"

/* ---- resources ---------------------------------------------------------- */

int husk_container_check_resources(const struct husk_config *cfg, const struct husk_ctx *ctx, const char *id,
				   char **cgroup_path, husk_err *err)
{
	const char *path = cfg->linux_cfg ? cfg->linux_cfg->cgroups_path : NULL;
	return husk_cgroup_resolve_path(path, id, ctx->systemd_cgroup, cgroup_path, err);
}

int husk_container_cgroup_create(const struct husk_config *cfg, char **cgroup_path, struct husk_cgroup_entry *entry,
				 const struct husk_log *log, husk_err *err)
{
	const struct husk_resources *r = cfg->linux_cfg ? cfg->linux_cfg->resources : NULL;
	enum husk_cgroup_layout layout = husk_cgroup_detect();
	if (layout == HUSK_CGROUP_NONE) {
		free(*cgroup_path);
		*cgroup_path = NULL;
	}
	return husk_cgroup_create(layout, *cgroup_path, r, log, entry, err);
}

/* ---- helpers ------------------------------------------------------------- */

int husk_container_open(const struct husk_ctx *ctx, const char *id, int lock, struct husk_opened *c, husk_err *err)
{
	*c = (struct husk_opened){ .rootfd = -1, .dirfd = -1 };
	if (husk_state_validate_id(id, err) < 0)
		return -1;
	c->rootfd = husk_state_open_root(ctx->root, false, NULL);
	if (c->rootfd < 0)
		return husk_error(err, 0, HUSK_MSG_NO_CONTAINER);
	c->dirfd = husk_state_open_dir(c->rootfd, id, lock, err);
	if (c->dirfd < 0 || husk_state_read(c->dirfd, id, &c->st, err) < 0) {
		husk_container_close(c);
		return -1;
	}
	c->status = husk_state_status(c->dirfd, &c->st);
	return 0;
}

void husk_container_close(struct husk_opened *c)
{
	husk_closep(&c->dirfd);
	husk_closep(&c->rootfd);
	c->dirfd = c->rootfd = -1;
	husk_state_release(&c->st);
}

int husk_container_saved_config(int dirfd, const struct husk_log *log, struct husk_config **cfg, husk_err *err)
{
	cleanup_close int fd = openat(dirfd, HUSK_CONFIG_COPY, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return husk_error(err, errno, "read the config saved at create");
	cleanup_free char *text = NULL;
	size_t len;
	if (husk_read_fd(fd, HUSK_CONFIG_MAX_SIZE, &text, &len, err) < 0)
		return -1;
	return husk_config_parse(text, len, log, cfg, err);
}

int husk_container_pidfd(const struct husk_state *st, husk_err *err)
{
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0) {
		if (errno == ESRCH)
			return husk_error(err, 0, "container not running");
		return husk_error(err, errno, "pidfd_open %d", (int)st->pid);
	}
	/* The pidfd pins the process: if the start time still matches now,
	 * it is the container's and cannot be recycled under us. */
	bool zombie = false;
	if (husk_proc_start_time(st->pid, &zombie) != st->start_time || zombie) {
		close(fd);
		return husk_error(err, 0, "container not running");
	}
	return fd;
}

static int send_signal(int pidfd, int sig, husk_err *err)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		return husk_error(err, errno, "send signal %d", sig);
	return 0;
}

/* Processes sharing the container's pid namespace (its own one). */
static int signal_namespace(const struct husk_state *st, int sig, husk_err *err)
{
	char path[64];
	struct stat ns;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)st->pid);
	if (stat(path, &ns) < 0)
		return husk_error(err, errno, "stat %s", path);
	DIR *proc = opendir("/proc");
	if (!proc)
		return husk_error(err, errno, "open /proc");
	struct dirent *de;
	while ((de = readdir(proc))) {
		int64_t pid;
		struct stat other;
		if (husk_parse_i64(de->d_name, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%lld/ns/pid", (long long)pid);
		if (stat(path, &other) < 0 || other.st_ino != ns.st_ino || other.st_dev != ns.st_dev)
			continue;
		int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (fd < 0)
			continue;
		syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
		close(fd);
	}
	closedir(proc);
	return 0;
}

static int kill_and_wait(const struct husk_state *st, husk_err *err)
{
	cleanup_close int fd = husk_container_pidfd(st, NULL);
	if (fd < 0)
		return 0; /* already gone */
	if (send_signal(fd, SIGKILL, err) < 0)
		return -1;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	for (int waited = 0; waited < 100; waited++) {
		int rc = poll(&p, 1, 100);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return husk_error(err, errno, "wait for container %s", st->id);
	}
	return husk_error(err, ETIMEDOUT, "container %s did not exit after SIGKILL", st->id);
}

/* ---- poststart ---------------------------------------------------------------- */

int husk_container_poststart(const struct husk_ctx *ctx, int dirfd, const struct husk_state *st,
			     const char *state_json, husk_err *err)
{
	if (!st->has_poststart)
		return 0;
	cleanup_config struct husk_config *cfg = NULL;
	if (husk_container_saved_config(dirfd, ctx->log, &cfg, err) < 0)
		return -1;
	if (husk_hooks_run(&cfg->hooks->poststart, "poststart", state_json, ctx->log, err) == 0)
		return 0;
	/* runtime.md: a failing poststart hook stops the container. */
	kill_and_wait(st, NULL);
	return -1;
}

/* ---- kill ------------------------------------------------------------------------ */

/* A task frozen by the v1 freezer dies of SIGKILL only once thawed; the
 * engines kill paused containers and expect them gone. */
static void thaw_if_killed(const struct husk_opened *c, int sig)
{
	if (sig == SIGKILL && c->status == HUSK_STATUS_PAUSED)
		husk_cgroup_freeze(c->st.cgroup_path, false, NULL);
}

int husk_container_kill(const struct husk_ctx *ctx, const char *id, int sig, bool all, husk_err *err)
{
	cleanup_opened struct husk_opened c;
	if (husk_container_open(ctx, id, LOCK_SH, &c, err) < 0)
		return -1;
	if (c.status == HUSK_STATUS_STOPPED || c.status == HUSK_STATUS_CREATING)
		return husk_error(err, 0, "container not running");
	cleanup_close int fd = husk_container_pidfd(&c.st, err);
	if (fd < 0)
		return -1;
	int rc;
	if (all && c.st.cgroup_path && husk_cgroup_signal_all(c.st.cgroup_path, sig, NULL) > 0)
		rc = 0;
	else if (all && c.st.new_pidns && sig != SIGKILL)
		rc = signal_namespace(&c.st, sig, err);
	else
		rc = send_signal(fd, sig, err);
	thaw_if_killed(&c, sig);
	return rc;
}

/* ---- delete ---------------------------------------------------------------------- */

static void run_poststop(const struct husk_ctx *ctx, int dirfd, const struct husk_state *st)
{
	cleanup_error husk_err err = NULL;
	cleanup_config struct husk_config *cfg = NULL;
	cleanup_free char *json = NULL;
	/* runtime.md: a failing poststop hook is logged, the lifecycle goes on. */
	if (husk_container_saved_config(dirfd, ctx->log, &cfg, &err) < 0 ||
	    husk_state_json(st, HUSK_STATUS_STOPPED, &json, &err) < 0 ||
	    husk_hooks_run(&cfg->hooks->poststop, "poststop", json, ctx->log, &err) < 0) {
		for (struct husk_error *e = err; e; e = e->next) {
			cleanup_free char *s = husk_error_string(e);
			husk_warn(ctx->log, "%s", s ? s : e->msg);
		}
	}
}

/* Processes left in the cgroup (no pid namespace of its own) go with it. */
static int remove_cgroup(const char *path, husk_err *err)
{
	husk_cgroup_signal_all(path, SIGKILL, NULL);
	return husk_cgroup_remove(path, err);
}

int husk_container_delete(const struct husk_ctx *ctx, const char *id, bool force, husk_err *err)
{
	cleanup_opened struct husk_opened c;
	cleanup_error husk_err open_err = NULL;
	if (husk_container_open(ctx, id, LOCK_EX, &c, &open_err) < 0) {
		/* As runc: forcing the delete of what is already gone succeeds,
		 * which the engines' cleanup paths rely on. */
		if (force && husk_state_validate_id(id, NULL) == 0 && !open_err->errnum &&
		    strcmp(open_err->msg, HUSK_MSG_NO_CONTAINER) == 0)
			return 0;
		husk_error_append(err, &open_err);
		return -1;
	}
	if ((c.status == HUSK_STATUS_RUNNING || c.status == HUSK_STATUS_PAUSED) && !force)
		return husk_error(err, 0, "cannot delete container %s that is not stopped: %s", id,
				  husk_status_name(c.status));
	if (c.status == HUSK_STATUS_PAUSED && c.st.cgroup_path) {
		/* Signal first: thawed, the processes must not run any further. */
		cleanup_close int fd = husk_container_pidfd(&c.st, NULL);
		if (fd >= 0)
			send_signal(fd, SIGKILL, NULL);
		husk_cgroup_signal_all(c.st.cgroup_path, SIGKILL, NULL);
		thaw_if_killed(&c, SIGKILL);
	}
	if (c.status != HUSK_STATUS_STOPPED && c.status != HUSK_STATUS_CREATING && kill_and_wait(&c.st, err) < 0)
		return -1;
	if (c.st.has_poststop)
		run_poststop(ctx, c.dirfd, &c.st);
	if (c.st.cgroup_path && remove_cgroup(c.st.cgroup_path, err) < 0)
		return -1;
	if (c.st.rootfs_mount_id && husk_rootfs_detach_host_mounts(c.st.rootfs, c.st.rootfs_mount_id, err) < 0)
		return -1;
	return husk_state_remove_dir(c.rootfd, id, err);
}

/* ---- state and list ----------------------------------------------------------------- */

int husk_container_state(const struct husk_ctx *ctx, const char *id, char **json, husk_err *err)
{
	cleanup_opened struct husk_opened c;
	if (husk_container_open(ctx, id, 0, &c, err) < 0)
		return -1;
	return husk_state_json(&c.st, c.status, json, err);
}

static void info_release(struct husk_container_info *info)
{
	free(info->id);
	free(info->bundle);
	free(info->created);
	free(info->owner);
}

static int list_one(int rootfd, const char *id, struct husk_container_info *info, husk_err *err)
{
	cleanup_close int dirfd = husk_state_open_dir(rootfd, id, 0, err);
	if (dirfd < 0)
		return -1;
	struct husk_state st;
	if (husk_state_read(dirfd, id, &st, err) < 0)
		return -1;
	info->id = strdup(id);
	info->pid = st.pid;
	info->status = husk_state_status(dirfd, &st);
	info->bundle = strdup(st.bundle);
	info->created = strdup(st.created);
	info->owner = strdup(st.owner);
	husk_state_release(&st);
	if (!info->id || !info->bundle || !info->created || !info->owner)
		return husk_error(err, ENOMEM, "list");
	if (info->status == HUSK_STATUS_STOPPED)
		info->pid = 0;
	return 0;
}

static int compare_info(const void *a, const void *b)
{
	return strcmp(((const struct husk_container_info *)a)->id, ((const struct husk_container_info *)b)->id);
}

int husk_container_list(const struct husk_ctx *ctx, struct husk_container_info **list, size_t *n, husk_err *err)
{
	*list = NULL;
	*n = 0;
	cleanup_close int rootfd = husk_state_open_root(ctx->root, false, NULL);
	if (rootfd < 0)
		return 0; /* no state directory yet: no containers */
	DIR *dir = fdopendir(dup(rootfd));
	if (!dir)
		return husk_error(err, errno, "read %s", ctx->root);
	size_t cap = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || husk_state_validate_id(de->d_name, NULL) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct husk_container_info *bigger = realloc(*list, cap * sizeof(**list));
			if (!bigger) {
				rc = husk_error(err, ENOMEM, "list");
				break;
			}
			*list = bigger;
		}
		memset(&(*list)[*n], 0, sizeof(**list));
		/* A container deleted while we read is simply not listed. */
		if (list_one(rootfd, de->d_name, &(*list)[*n], NULL) == 0)
			(*n)++;
		else
			info_release(&(*list)[*n]);
	}
	closedir(dir);
	if (rc == 0 && *n > 1)
		qsort(*list, *n, sizeof(**list), compare_info);
	return rc;
}

void husk_container_list_free(struct husk_container_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		info_release(&list[i]);
	free(list);
}
