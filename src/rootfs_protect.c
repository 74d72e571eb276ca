/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protecting the container from itself: linux.sysctl validated and written
 * through a verified procfs, maskedPaths and readonlyPaths.
 */

#include <errno.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "husk/safe_path.h"
#include "husk/util.h"
#include "rootfs_internal.h"

/* The inode number of a procfs root. */
#define PROC_ROOT_INO 1

/* ---- procfs checks ------------------------------------------------------ */

bool on_procfs(int fd)
{
	struct statfs sfs;
	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

bool is_procfs_root(int fd)
{
	struct stat st;
	return on_procfs(fd) && fstat(fd, &st) == 0 && st.st_ino == PROC_ROOT_INO;
}

/* ---- sysctl ------------------------------------------------------------- */

static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
	"kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* "net/ipv4/ip_forward" or "net.ipv4.ip_forward" -> "net/ipv4/ip_forward". */
static char *sysctl_relpath(const char *key)
{
	char *p = strdup(key);
	if (p && !strchr(p, '/'))
		for (char *c = p; *c; c++)
			if (*c == '.')
				*c = '/';
	return p;
}

static bool sysctl_path_is_sane(const char *rel)
{
	const char *p = rel;
	for (;;) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!*end)
			return true;
		p = end + 1;
	}
}

static int check_sysctl(const struct husk_config *cfg, const char *key, husk_err *err)
{
	cleanup_free char *rel = sysctl_relpath(key);
	cleanup_free char *dotted = strdup(key);
	if (!rel || !dotted)
		return husk_error(err, ENOMEM, "out of memory");
	if (!sysctl_path_is_sane(rel))
		return husk_error(err, EINVAL, "linux.sysctl[\"%s\"]: not a sysctl name", key);
	for (char *c = dotted; *c; c++)
		if (*c == '/')
			*c = '.';
	if (in_list(ipc_sysctls, dotted) || husk_str_has_prefix(dotted, "fs.mqueue.")) {
		if (has_namespace(cfg, CLONE_NEWIPC))
			return 0;
		return husk_error(err, EPERM, "linux.sysctl[\"%s\"]: needs an ipc namespace", key);
	}
	if (husk_str_has_prefix(dotted, "net.")) {
		if (has_namespace(cfg, CLONE_NEWNET))
			return 0;
		return husk_error(err, EPERM, "linux.sysctl[\"%s\"]: needs a network namespace", key);
	}
	if (strcmp(dotted, "kernel.domainname") == 0 && has_namespace(cfg, CLONE_NEWUTS))
		return 0;
	if (strcmp(dotted, "kernel.hostname") == 0 && has_namespace(cfg, CLONE_NEWUTS))
		return husk_error(err, EPERM, "linux.sysctl[\"%s\"]: conflicts with the hostname field", key);
	return husk_error(err, EPERM, "linux.sysctl[\"%s\"]: not a namespaced sysctl", key);
}

int husk_rootfs_check_sysctl(const struct husk_config *cfg, husk_err *err)
{
	const struct husk_linux *l = cfg->linux_cfg;
	int ret = 0;
	for (size_t i = 0; l && i < l->sysctl.n; i++)
		if (check_sysctl(cfg, l->sysctl.v[i].key, err) < 0)
			ret = -1;
	return ret;
}

/* The container's /proc, which must be the root of a procfs. */
static int open_container_proc(const struct rootfs *r, const char *why, husk_err *err)
{
	int fd = husk_safe_open(r->root_fd, "/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		return husk_error(err, errno, "%s: open /proc in the rootfs", why);
	if (!is_procfs_root(fd)) {
		close(fd);
		return husk_error(err, EXDEV, "%s: /proc in the rootfs is not a procfs mount", why);
	}
	return fd;
}

/* Without openat2: no symlink at any step, and a procfs file at the end. */
static int open_sysctl_walk(int proc, const char *rel)
{
	cleanup_free char *copy = strdup(rel);
	if (!copy) {
		errno = ENOMEM;
		return -1;
	}
	cleanup_close int cur = openat(proc, "sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char *save = NULL, *comp = strtok_r(copy, "/", &save);
	while (cur >= 0 && comp) {
		char *next = strtok_r(NULL, "/", &save);
		int flags = next ? O_PATH | O_DIRECTORY : O_WRONLY | O_NOCTTY;
		int fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		cur = fd;
		comp = next;
	}
	return cur < 0 ? -1 : steal_fd(&cur);
}

static int open_sysctl(int proc, const char *rel)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "sys/%s", rel) < 0) {
		errno = ENOMEM;
		return -1;
	}
	struct open_how how = {
		.flags = O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, proc, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = open_sysctl_walk(proc, rel);
	if (fd >= 0 && !on_procfs(fd)) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

static int write_sysctl(int proc, const struct husk_kv *kv, husk_err *err)
{
	cleanup_free char *rel = sysctl_relpath(kv->key);
	if (!rel)
		return husk_error(err, ENOMEM, "out of memory");
	cleanup_close int fd = open_sysctl(proc, rel);
	if (fd < 0)
		return husk_error(err, errno, "linux.sysctl[\"%s\"]: open /proc/sys/%s", kv->key, rel);
	if (husk_write_all(fd, kv->value, strlen(kv->value)) < 0)
		return husk_error(err, errno, "linux.sysctl[\"%s\"]: write \"%s\" to /proc/sys/%s",
				  kv->key, kv->value, rel);
	return 0;
}

int apply_sysctls(const struct rootfs *r, husk_err *err)
{
	const struct husk_linux *l = r->cfg->linux_cfg;
	if (!l || !l->sysctl.n)
		return 0;
	cleanup_close int proc = open_container_proc(r, "linux.sysctl", err);
	if (proc < 0)
		return -1;
	for (size_t i = 0; i < l->sysctl.n; i++)
		if (write_sysctl(proc, &l->sysctl.v[i], err) < 0)
			return -1;
	return 0;
}

/* ---- maskedPaths and readonlyPaths -------------------------------------- */

static bool under_proc(const char *path)
{
	cleanup_free char *clean = husk_path_clean(path);
	return clean && (strcmp(clean, "/proc") == 0 || husk_str_has_prefix(clean, "/proc/"));
}

static bool config_mounts_proc(const struct husk_config *cfg)
{
	for (size_t i = 0; i < cfg->mounts.n; i++) {
		const struct husk_mount *m = &cfg->mounts.v[i];
		cleanup_free char *d = husk_path_clean(m->destination);
		if (d && strcmp(d, "/proc") == 0 && m->type && strcmp(m->type, "proc") == 0)
			return true;
	}
	return false;
}

/*
 * When the config mounts proc, paths under /proc are masked and made
 * read-only on that procfs and nothing else: a rootfs cannot have swapped
 * it for a symlink or a bind (CVE-2019-16884, CVE-2019-19921).
 */
static int check_proc_before_masking(const struct rootfs *r, husk_err *err)
{
	const struct husk_linux *l = r->cfg->linux_cfg;
	bool needed = false;
	for (size_t i = 0; i < l->masked_paths.n; i++)
		needed = needed || under_proc(l->masked_paths.v[i]);
	for (size_t i = 0; i < l->readonly_paths.n; i++)
		needed = needed || under_proc(l->readonly_paths.v[i]);
	if (!needed || !config_mounts_proc(r->cfg))
		return 0;
	int fd = open_container_proc(r, "maskedPaths/readonlyPaths", err);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* The container's /dev/null, checked to be the null device before use. */
static int open_container_null(const struct rootfs *r, husk_err *err)
{
	struct stat st;
	cleanup_close int fd = husk_safe_open(r->root_fd, "/dev/null", O_PATH | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0)
		return husk_error(err, errno, "maskedPaths: open /dev/null in the rootfs");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return husk_error(err, EXDEV, "maskedPaths: /dev/null in the rootfs is not the null device");
	return steal_fd(&fd);
}

static int mask_path(const struct rootfs *r, size_t i, int *null_fd, husk_err *err)
{
	const char *path = r->cfg->linux_cfg->masked_paths.v[i];
	struct stat st;
	cleanup_close int fd = husk_safe_open(r->root_fd, path, O_PATH);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return husk_error(err, errno, "maskedPaths[%zu] (%s): open in the rootfs", i, path);
	if (S_ISDIR(st.st_mode)) {
		if (mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return husk_error(err, errno, "maskedPaths[%zu] (%s): mount a read-only tmpfs",
					  i, path);
		return 0;
	}
	if (*null_fd < 0 && (*null_fd = open_container_null(r, err)) < 0)
		return -1;
	if (bind_fd(*null_fd, fd, 0) < 0)
		return husk_error(err, errno, "maskedPaths[%zu] (%s): bind /dev/null", i, path);
	return 0;
}

static int readonly_path(const struct rootfs *r, size_t i, husk_err *err)
{
	const char *path = r->cfg->linux_cfg->readonly_paths.v[i];
	cleanup_close int fd = husk_safe_open(r->root_fd, path, O_PATH);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd < 0)
		return husk_error(err, errno, "readonlyPaths[%zu] (%s): open in the rootfs", i, path);
	if (bind_fd(fd, fd, MS_REC) < 0)
		return husk_error(err, errno, "readonlyPaths[%zu] (%s): bind onto itself", i, path);
	cleanup_close int top = husk_safe_open(r->root_fd, path, O_PATH);
	if (top < 0)
		return husk_error(err, errno, "readonlyPaths[%zu] (%s): open the new mount", i, path);
	char top_path[HUSK_FD_PATH_MAX];
	const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (remount_bind_adding(husk_fd_path(top, top_path), flags) < 0)
		return husk_error(err, errno, "readonlyPaths[%zu] (%s): remount read-only", i, path);
	return 0;
}

int mask_and_protect(const struct rootfs *r, husk_err *err)
{
	const struct husk_linux *l = r->cfg->linux_cfg;
	if (!l || (!l->masked_paths.n && !l->readonly_paths.n))
		return 0;
	if (check_proc_before_masking(r, err) < 0)
		return -1;
	cleanup_close int null_fd = -1;
	for (size_t i = 0; i < l->masked_paths.n; i++)
		if (mask_path(r, i, &null_fd, err) < 0)
			return -1;
	for (size_t i = 0; i < l->readonly_paths.n; i++)
		if (readonly_path(r, i, err) < 0)
			return -1;
	return 0;
}
