/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Performing the mounts[] entries: bind, tmpfs (with tmpcopyup), proc and
 * sysfs, cgroup and cgroup2, anything else; the /proc target rule, the
 * remount with per-mount flags, propagation and recursive attributes.
 */

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "husk/cgroup.h"
#include "husk/log.h"
#include "husk/mount_options.h"
#include "husk/safe_path.h"
#include "husk/util.h"
#include "rootfs_internal.h"

/* Where fd is, as a path inside the root ("/proc/cpuinfo"). */
static int path_in_root(const struct rootfs *r, int fd, char **rel)
{
	char link[HUSK_FD_PATH_MAX], buf[PATH_MAX];
	ssize_t n = readlink(husk_fd_path(fd, link), buf, sizeof(buf) - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	size_t rlen = strlen(r->root_path);
	const char *p = buf;
	if (strcmp(r->root_path, "/") != 0) {
		if (strncmp(buf, r->root_path, rlen) != 0 || (buf[rlen] != '/' && buf[rlen] != '\0')) {
			errno = EXDEV;
			return -1;
		}
		p = buf[rlen] ? buf + rlen : "/";
	}
	*rel = strdup(p);
	if (!*rel) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The procfs files runc lets a bind mount cover (lxcfs provides them). */
static const char *const proc_bind_allowed[] = {
	"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
	"/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/sys/kernel/ns_last_pid",
	"/proc/sys/crypto/fips_enabled", NULL,
};

static bool proc_bind_is_allowed(const char *rel)
{
	for (size_t i = 0; proc_bind_allowed[i]; i++)
		if (strcmp(rel, proc_bind_allowed[i]) == 0)
			return true;
	return false;
}

/* ---- one mounts[] entry ------------------------------------------------- */


static void mount_job_release(struct mount_job *j)
{
	free(j->what);
	free(j->dest);
	husk_mount_options_release(&j->mo);
}

int job_error(const struct mount_job *j, husk_err *err, int errnum, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return husk_error(err, ENOMEM, "%s: out of memory", j->what);
	return husk_error(err, errnum, "%s: %s", j->what, msg);
}

static bool job_is_type(const struct mount_job *j, const char *type)
{
	return !j->mo.bind && j->type && strcmp(j->type, type) == 0;
}

/*
 * runc's rule for /proc: on /proc itself only a proc mount (or a bind of
 * a procfs root); beneath it, or anywhere a procfs is mounted, only binds
 * onto the few files lxcfs emulates.  Checked on where the target really
 * is, after symlinks, so a link cannot smuggle a mount into procfs.
 */
static int check_proc_target(const struct mount_job *j, int target_fd, int source_fd, husk_err *err)
{
	cleanup_free char *rel = NULL;
	if (path_in_root(j->r, target_fd, &rel) < 0)
		return job_error(j, err, errno, "find where the destination resolves");
	if (strcmp(rel, "/proc") == 0) {
		if (job_is_type(j, "proc") || (source_fd >= 0 && is_procfs_root(source_fd)))
			return 0;
		return job_error(j, err, EPERM, "only a proc mount may cover /proc");
	}
	if (!husk_str_has_prefix(rel, "/proc/") && !on_procfs(target_fd))
		return 0;
	if (source_fd >= 0 && proc_bind_is_allowed(rel))
		return 0;
	return job_error(j, err, EPERM, "%s is inside procfs, where only bind mounts onto "
			 "/proc/{cpuinfo,diskstats,meminfo,stat,swaps,uptime,loadavg,slabinfo} "
			 "and a few /proc/sys files may go", rel);
}

static int open_top(const struct mount_job *j, int flags, husk_err *err)
{
	int fd = husk_safe_open(j->r->root_fd, j->dest, flags);
	if (fd < 0)
		return job_error(j, err, errno, "open the new mount");
	return fd;
}

/* ---- bind mounts -------------------------------------------------------- */

/* Bind source_fd on target_fd, then remount with the per-mount flags asked for. */
static int bind_source(const struct mount_job *j, int source_fd, int target_fd, const char *name,
		       husk_err *err)
{
	unsigned long flags = j->mo.flags;
	if (j->mo.idmap) {
		if (bind_idmapped(j, source_fd, target_fd, err) < 0)
			return -1;
	} else if (bind_fd(source_fd, target_fd, flags) < 0) {
		return job_error(j, err, errno, "bind %s", name);
	}
	if (!(flags & MNT_FLAGS))
		return 0;
	cleanup_close int top = open_top(j, O_PATH, err);
	if (top < 0)
		return -1;
	if (remount_bind_fd(top, flags) < 0)
		return job_error(j, err, errno, "remount the bind of %s with its options", name);
	return 0;
}

static char *bind_source_path(const struct mount_job *j)
{
	char *path = NULL;
	if (j->source[0] == '/')
		return strdup(j->source);
	if (asprintf(&path, "%s/%s", j->r->o->bundle, j->source) < 0)
		return NULL;
	return path;
}

static int mount_bind(struct mount_job *j, husk_err *err)
{
	if (!j->source)
		return job_error(j, err, EINVAL, "a bind mount needs a source");
	cleanup_free char *src = bind_source_path(j);
	if (!src)
		return job_error(j, err, ENOMEM, "out of memory");
	cleanup_close int src_fd = open(src, O_PATH | O_CLOEXEC);
	struct stat st;
	if (src_fd < 0 || fstat(src_fd, &st) < 0)
		return job_error(j, err, errno, "open source %s", src);
	cleanup_close int target = husk_safe_mount_target(j->r->root_fd, j->dest, S_ISDIR(st.st_mode));
	if (target < 0)
		return job_error(j, err, errno, "create the destination in the rootfs");
	if (check_proc_target(j, target, src_fd, err) < 0)
		return -1;
	return bind_source(j, src_fd, target, src, err);
}

/* ---- tmpfs and tmpcopyup ------------------------------------------------ */

static int tmpcopyup(const struct mount_job *j, int old_fd, husk_err *err)
{
	cleanup_close int top = open_top(j, O_RDONLY | O_DIRECTORY, err);
	if (top < 0)
		return -1;
	if (copy_tree(old_fd, top, 0, err) < 0)
		return husk_error_wrap(err, "%s: tmpcopyup", j->what);
	if ((j->mo.flags & MS_RDONLY) && remount_bind_fd(top, j->mo.flags) < 0)
		return job_error(j, err, errno, "remount read-only after tmpcopyup");
	return 0;
}

static int mount_tmpfs(struct mount_job *j, husk_err *err)
{
	cleanup_close int target = husk_safe_mkdir_p(j->r->root_fd, j->dest, 0755);
	if (target < 0)
		return job_error(j, err, errno, "create the destination in the rootfs");
	if (check_proc_target(j, target, -1, err) < 0)
		return -1;
	unsigned long flags = j->mo.flags;
	cleanup_close int old = -1;
	if (j->mo.tmpcopyup) {
		/* The covered directory stays readable through this descriptor. */
		old = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (old < 0)
			return job_error(j, err, errno, "open the destination for tmpcopyup");
		flags &= ~MS_RDONLY;
	}
	if (mount_on_fd(j->source ? j->source : "tmpfs", target, "tmpfs", flags, j->mo.data) < 0)
		return job_error(j, err, errno, "mount tmpfs");
	return j->mo.tmpcopyup ? tmpcopyup(j, old, err) : 0;
}

/* ---- proc, sysfs, cgroup and the rest ----------------------------------- */

/* proc and sysfs go on a real directory, never through a final symlink. */
static int open_plain_dir(const struct mount_job *j, husk_err *err)
{
	int fd = husk_safe_open(j->r->root_fd, j->dest, O_PATH | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		fd = husk_safe_mkdir_p(j->r->root_fd, j->dest, 0755);
	if (fd < 0)
		return job_error(j, err, errno, "open the destination in the rootfs");
	cleanup_close int dir = fd;
	struct stat st;
	if (fstat(dir, &st) < 0)
		return job_error(j, err, errno, "stat the destination");
	if (!S_ISDIR(st.st_mode))
		return job_error(j, err, S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR,
				 "%s must be mounted on a plain directory", j->type);
	return steal_fd(&dir);
}

/* With no network namespace of its own, a user namespace cannot mount
 * sysfs; bind the host's /sys instead, as runc does. */
static int sysfs_fallback(struct mount_job *j, int target, husk_err *err)
{
	cleanup_close int sys = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sys < 0)
		return job_error(j, err, errno, "open /sys");
	j->mo.flags |= MS_BIND | MS_REC;
	husk_debug(j->r->o->log, "%s: sysfs not mountable here, binding /sys", j->what);
	return bind_source(j, sys, target, "/sys", err);
}

static int mount_proc_or_sysfs(struct mount_job *j, husk_err *err)
{
	cleanup_close int target = open_plain_dir(j, err);
	if (target < 0 || check_proc_target(j, target, -1, err) < 0)
		return -1;
	const char *src = j->source ? j->source : j->type;
	if (mount_on_fd(src, target, j->type, j->mo.flags, j->mo.data) == 0)
		return 0;
	if (errno == EPERM && job_is_type(j, "sysfs") && j->r->o->userns &&
	    !has_namespace(j->r->cfg, CLONE_NEWNET))
		return sysfs_fallback(j, target, err);
	return job_error(j, err, errno, "mount %s", j->type);
}

static int rbind_host_dir(struct mount_job *j, int target, const char *host, husk_err *err)
{
	cleanup_close int src = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return job_error(j, err, errno, "open %s", host);
	j->mo.flags |= MS_BIND | MS_REC;
	return bind_source(j, src, target, host, err);
}

/* cgroup (v1): see rootfs_cgroup.c.  On a cgroup v2 host it means cgroup2,
 * as for runc. */
static int mount_cgroup2(struct mount_job *j, husk_err *err);

static int mount_cgroup_v1(struct mount_job *j, husk_err *err)
{
	struct statfs fs;
	if (statfs(HUSK_CGROUP_MOUNT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return mount_cgroup2(j, err);
	cleanup_close int target = husk_safe_mkdir_p(j->r->root_fd, j->dest, 0755);
	if (target < 0)
		return job_error(j, err, errno, "create the destination in the rootfs");
	if (check_proc_target(j, target, -1, err) < 0)
		return -1;
	return mount_cgroup_v1_tree(j, target, err);
}

/* Where the host has its cgroup2 hierarchy: unified, or hybrid's unified/. */
static const char *host_cgroup2(void)
{
	static const char *const places[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < ARRAY_SIZE(places); i++) {
		struct statfs sfs;
		if (statfs(places[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
			return places[i];
	}
	return NULL;
}

/* cgroup2, or where that is refused (a user namespace without a cgroup
 * namespace), a recursive bind of the host's cgroup2 hierarchy. */
static int mount_cgroup2(struct mount_job *j, husk_err *err)
{
	cleanup_close int target = husk_safe_mkdir_p(j->r->root_fd, j->dest, 0755);
	if (target < 0)
		return job_error(j, err, errno, "create the destination in the rootfs");
	if (check_proc_target(j, target, -1, err) < 0)
		return -1;
	const char *src = j->source ? j->source : "cgroup2";
	if (mount_on_fd(src, target, "cgroup2", j->mo.flags, j->mo.data) == 0)
		return 0;
	int e = errno;
	const char *host = host_cgroup2();
	if ((e != EPERM && e != EBUSY) || !host)
		return job_error(j, err, e, "mount cgroup2");
	husk_debug(j->r->o->log, "%s: cgroup2 not mountable here, binding %s", j->what, host);
	return rbind_host_dir(j, target, host, err);
}

static int mount_other(struct mount_job *j, husk_err *err)
{
	cleanup_close int target = husk_safe_mkdir_p(j->r->root_fd, j->dest, 0755);
	if (target < 0)
		return job_error(j, err, errno, "create the destination in the rootfs");
	if (check_proc_target(j, target, -1, err) < 0)
		return -1;
	const char *src = j->source ? j->source : j->type;
	if (mount_on_fd(src, target, j->type, j->mo.flags, j->mo.data) < 0)
		return job_error(j, err, errno, "mount %s", j->type);
	return 0;
}

/* Propagation changes, then recursive attributes, on the new mount. */
static int finish_mount(const struct mount_job *j, husk_err *err)
{
	if (!j->mo.n_propagation && !j->mo.attr_set && !j->mo.attr_clr)
		return 0;
	cleanup_close int top = open_top(j, O_PATH, err);
	if (top < 0)
		return -1;
	for (size_t i = 0; i < j->mo.n_propagation; i++)
		if (mount_on_fd(NULL, top, NULL, j->mo.propagation[i], NULL) < 0)
			return job_error(j, err, errno, "change propagation");
	if ((j->mo.attr_set || j->mo.attr_clr) && set_attr_recursive(top, j->mo.attr_set, j->mo.attr_clr) < 0)
		return job_error(j, err, errno, "set recursive mount attributes (mount_setattr)");
	return 0;
}

static int check_job_options(const struct mount_job *j, husk_err *err)
{
	if (j->mo.tmpcopyup && !job_is_type(j, "tmpfs"))
		return job_error(j, err, EINVAL, "tmpcopyup is for tmpfs mounts only");
	if (j->mo.idmap && !j->mo.bind)
		return job_error(j, err, EINVAL, "idmap and ridmap are for bind mounts only");
	if (!j->mo.bind && !j->type)
		return job_error(j, err, EINVAL, "no type, and not a bind mount");
	return 0;
}

static int perform_mount(struct mount_job *j, husk_err *err)
{
	if (check_job_options(j, err) < 0)
		return -1;
	int r;
	if (j->mo.bind)
		r = mount_bind(j, err);
	else if (job_is_type(j, "tmpfs"))
		r = mount_tmpfs(j, err);
	else if (job_is_type(j, "proc") || job_is_type(j, "sysfs"))
		r = mount_proc_or_sysfs(j, err);
	else if (job_is_type(j, "cgroup"))
		r = mount_cgroup_v1(j, err);
	else if (job_is_type(j, "cgroup2"))
		r = mount_cgroup2(j, err);
	else
		r = mount_other(j, err);
	return r < 0 ? -1 : finish_mount(j, err);
}

int mount_entry(struct rootfs *r, size_t i, husk_err *err)
{
	const struct husk_mount *m = &r->cfg->mounts.v[i];
	struct mount_job j = { .r = r, .m = m, .source = m->source, .type = m->type };
	int ret = -1;
	if (asprintf(&j.what, "mounts[%zu] (%s)", i, m->destination) < 0) {
		j.what = NULL;
		return husk_error(err, ENOMEM, "mounts[%zu]: out of memory", i);
	}
	j.dest = husk_path_clean(m->destination);
	if (!j.dest) {
		husk_error(err, ENOMEM, "%s: out of memory", j.what);
		goto out;
	}
	if (husk_mount_options_parse(&m->options, &j.mo, err) < 0) {
		husk_error_wrap(err, "%s", j.what);
		goto out;
	}
	if (j.type && strcmp(j.type, "bind") == 0 && !j.mo.bind) {
		j.mo.bind = true;
		j.mo.flags |= MS_BIND;
	}
	/* A read-only /dev is made so once its nodes are in place. */
	if (strcmp(j.dest, "/dev") == 0 && !j.mo.bind && (j.mo.flags & MS_RDONLY)) {
		r->dev_ro = j.mo.flags;
		j.mo.flags &= ~MS_RDONLY;
	}
	ret = perform_mount(&j, err);
out:
	mount_job_release(&j);
	return ret;
}
