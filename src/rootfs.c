/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/log.h"
#include "husk/mount_options.h"
#include "husk/rootfs.h"
#include "husk/safe_path.h"
#include "husk/util.h"

/* The per-mount flags a bind remount can change. */
#define MNT_ATIME_FLAGS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
#define MNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MNT_ATIME_FLAGS | MS_NOSYMFOLLOW)

/* The inode number of a procfs root. */
#define PROC_ROOT_INO 1

/* Deepest directory tree tmpcopyup copies (each level holds descriptors). */
#define COPYUP_MAX_DEPTH 128

/* runc's defaults for what husk provides when the config does not. */
#define DEFAULT_DEV_DATA   "mode=755,size=65536k"
#define DEFAULT_PTS_DATA   "newinstance,ptmxmode=0666,mode=0620"
#define DEFAULT_PTS_GID    ",gid=5"
#define DEFAULT_SHM_DATA   "mode=1777,size=65536k"

/* State of one prepare or pivot call; nothing outlives the call. */
struct rootfs {
	const struct husk_config *cfg;
	const struct husk_rootfs_opts *o;
	int root_fd;            /* O_PATH: the rootfs mount */
	char *root_path;        /* what the kernel calls root_fd */
	unsigned long dev_ro;   /* flags to remount a read-only /dev with, at the end */
};

static void rootfs_release(struct rootfs *r)
{
	husk_closep(&r->root_fd);
	free(r->root_path);
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define cleanup_dir __attribute__((cleanup(closedirp)))

static bool has_namespace(const struct husk_config *cfg, int type)
{
	return husk_config_namespace(cfg, type) != NULL;
}

/* ---- mount(2) on descriptors ------------------------------------------- */

static int mount_on_fd(const char *source, int target_fd, const char *type, unsigned long flags,
		       const char *data)
{
	char target[HUSK_FD_PATH_MAX];
	return mount(source, husk_fd_path(target_fd, target), type, flags, data);
}

static int bind_fd(int source_fd, int target_fd, unsigned long flags)
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

static int remount_bind_fd(int fd, unsigned long flags)
{
	char path[HUSK_FD_PATH_MAX];
	return remount_bind_path(husk_fd_path(fd, path), flags);
}

/* Remount with flags added to those the mount has now (a host's nosuid stays). */
static int remount_bind_adding(const char *path, unsigned long add)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return -1;
	return remount_bind_path(path, statvfs_to_mount_flags(sv.f_flag) | add);
}

static int set_attr_recursive(int fd, uint64_t set, uint64_t clr)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clr };
	return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr));
}

/* ---- procfs checks ------------------------------------------------------ */

static bool on_procfs(int fd)
{
	struct statfs sfs;
	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static bool is_procfs_root(int fd)
{
	struct stat st;
	return on_procfs(fd) && fstat(fd, &st) == 0 && st.st_ino == PROC_ROOT_INO;
}

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

struct mount_job {
	struct rootfs *r;
	char *what;                     /* "mounts[3] (/data)", for messages */
	char *dest;                     /* clean and absolute */
	const char *source;
	const char *type;
	struct husk_mount_options mo;
	const struct husk_mount *m;
};

static void mount_job_release(struct mount_job *j)
{
	free(j->what);
	free(j->dest);
	husk_mount_options_release(&j->mo);
}

static int job_error(const struct mount_job *j, husk_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int job_error(const struct mount_job *j, husk_err *err, int errnum, const char *fmt, ...)
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

/* ---- idmapped binds ----------------------------------------------------- */

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
static int bind_idmapped(const struct mount_job *j, int source_fd, int target_fd, husk_err *err)
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

static int copy_tree(int src, int dst, int depth, husk_err *err);

static int copy_meta(int fd, const struct stat *st)
{
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0)
		return -1;
	return futimens(fd, times);
}

static int copy_data(int in, int out)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		if (husk_write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
}

static int copy_file(int src, int dst, const char *name, const struct stat *st)
{
	cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return -1;
	cleanup_close int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0 || copy_data(in, out) < 0)
		return -1;
	return copy_meta(out, st);
}

static int copy_symlink(int src, int dst, const char *name, const struct stat *st)
{
	char target[PATH_MAX];
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (symlinkat(target, dst, name) < 0 ||
	    fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return utimensat(dst, name, times, AT_SYMLINK_NOFOLLOW);
}

static int copy_node(int dst, const char *name, const struct stat *st)
{
	if (mknodat(dst, name, st->st_mode, st->st_rdev) < 0 ||
	    fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return fchmodat(dst, name, st->st_mode & 07777, 0);
}

static int copy_subdir(int src, int dst, const char *name, const struct stat *st, int depth, husk_err *err)
{
	if (mkdirat(dst, name, 0700) < 0)
		return husk_error(err, errno, "mkdir %s", name);
	cleanup_close int in = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || out < 0)
		return husk_error(err, errno, "open %s", name);
	if (copy_tree(in, out, depth + 1, err) < 0)
		return husk_error_wrap(err, "%s", name);
	if (copy_meta(out, st) < 0)
		return husk_error(err, errno, "set owner, mode and times of %s", name);
	return 0;
}

/* Copy one directory entry; sockets are left out. */
static int copy_entry(int src, int dst, const char *name, int depth, husk_err *err)
{
	struct stat st;
	int r = 0;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error(err, errno, "stat %s", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_subdir(src, dst, name, &st, depth, err);
	case S_IFREG:
		r = copy_file(src, dst, name, &st);
		break;
	case S_IFLNK:
		r = copy_symlink(src, dst, name, &st);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		r = copy_node(dst, name, &st);
		break;
	}
	if (r < 0)
		return husk_error(err, errno, "copy %s", name);
	return 0;
}

/* Copy the contents of directory src into directory dst, through descriptors only. */
static int copy_tree(int src, int dst, int depth, husk_err *err)
{
	if (depth > COPYUP_MAX_DEPTH)
		return husk_error(err, ELOOP, "more than %d directories deep", COPYUP_MAX_DEPTH);
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "open directory");
	cleanup_dir DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return husk_error(err, errno, "read directory");
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de)
			return errno ? husk_error(err, errno, "read directory") : 0;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(src, dst, de->d_name, depth, err) < 0)
			return -1;
	}
}

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

static uint64_t mount_flags_to_attr(unsigned long flags)
{
	uint64_t attr = 0;
	if (flags & MS_RDONLY)
		attr |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		attr |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		attr |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		attr |= MOUNT_ATTR_NOEXEC;
	return attr;
}

/*
 * cgroup (v1): the host's /sys/fs/cgroup, every controller in it, bound
 * recursively; ro, nosuid, nodev and noexec reach every submount.  runc
 * instead builds a tmpfs with a bind of the container's own cgroup per
 * controller; this simple form shows the whole hierarchy, read-only.
 */
static int mount_cgroup_v1(struct mount_job *j, husk_err *err)
{
	cleanup_close int target = husk_safe_mkdir_p(j->r->root_fd, j->dest, 0755);
	if (target < 0)
		return job_error(j, err, errno, "create the destination in the rootfs");
	if (check_proc_target(j, target, -1, err) < 0)
		return -1;
	j->mo.attr_set |= mount_flags_to_attr(j->mo.flags);
	j->mo.attr_clr &= ~j->mo.attr_set;
	return rbind_host_dir(j, target, "/sys/fs/cgroup", err);
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

static int mount_entry(struct rootfs *r, size_t i, husk_err *err)
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

/* ---- /dev --------------------------------------------------------------- */

static bool is_bind_entry(const struct husk_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; i < m->options.n; i++)
		if (strcmp(m->options.v[i], "bind") == 0 || strcmp(m->options.v[i], "rbind") == 0)
			return true;
	return false;
}

/* Whether a mounts[] entry has destination dest; *bind says if it is a bind. */
static bool config_mounts(const struct husk_config *cfg, const char *dest, bool *bind)
{
	bool found = false;
	for (size_t i = 0; i < cfg->mounts.n; i++) {
		cleanup_free char *d = husk_path_clean(cfg->mounts.v[i].destination);
		if (d && strcmp(d, dest) == 0) {
			found = true;
			if (bind)
				*bind = is_bind_entry(&cfg->mounts.v[i]);
		}
	}
	return found;
}

static bool config_has_device(const struct husk_config *cfg, const char *path)
{
	if (!cfg->linux_cfg)
		return false;
	for (size_t i = 0; i < cfg->linux_cfg->devices.n; i++) {
		cleanup_free char *p = husk_path_clean(cfg->linux_cfg->devices.v[i].path);
		if (p && strcmp(p, path) == 0)
			return true;
	}
	return false;
}

static int default_mount(struct rootfs *r, const char *dest, const char *type, unsigned long flags,
			 const char *data, husk_err *err)
{
	cleanup_close int target = husk_safe_mkdir_p(r->root_fd, dest, 0755);
	if (target < 0)
		return husk_error(err, errno, "%s: create in the rootfs", dest);
	if (mount_on_fd(type, target, type, flags, data) < 0)
		return husk_error(err, errno, "%s: mount %s", dest, type);
	return 0;
}

static int default_devpts(struct rootfs *r, husk_err *err)
{
	const unsigned long flags = MS_NOSUID | MS_NOEXEC;
	cleanup_close int target = husk_safe_mkdir_p(r->root_fd, "/dev/pts", 0755);
	if (target < 0)
		return husk_error(err, errno, "/dev/pts: create in the rootfs");
	/* gid=5 (tty) fails in a user namespace that does not map it. */
	if (mount_on_fd("devpts", target, "devpts", flags, DEFAULT_PTS_DATA DEFAULT_PTS_GID) == 0)
		return 0;
	if (errno == EINVAL && mount_on_fd("devpts", target, "devpts", flags, DEFAULT_PTS_DATA) == 0)
		return 0;
	return husk_error(err, errno, "/dev/pts: mount devpts");
}

struct node {
	char type;              /* 'c', 'b', 'u', 'p' */
	const char *path;
	unsigned int major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	const char *what;       /* for messages */
};

static mode_t node_type(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

static bool node_matches(const struct node *n, const struct stat *st)
{
	if ((st->st_mode & S_IFMT) != node_type(n->type))
		return false;
	return n->type == 'p' || st->st_rdev == makedev(n->major, n->minor);
}

static int node_mismatch(const struct node *n, husk_err *err, const char *where)
{
	if (n->type == 'p')
		return husk_error(err, EEXIST, "%s: %s is not a fifo", n->what, where);
	return husk_error(err, EEXIST, "%s: %s is not the %s device %u:%u", n->what, where,
			  n->type == 'b' ? "block" : "character", n->major, n->minor);
}

/* Mode and owner of the node base in dir, checked to be the node first. */
static int set_node_owner(const struct node *n, int dir, const char *base, husk_err *err)
{
	char path[HUSK_FD_PATH_MAX];
	struct stat st;
	cleanup_close int fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return husk_error(err, errno, "%s: open", n->what);
	if (!node_matches(n, &st))
		return node_mismatch(n, err, "what was created");
	if (chmod(husk_fd_path(fd, path), n->mode) < 0)
		return husk_error(err, errno, "%s: chmod %o", n->what, (unsigned)n->mode);
	if (fchownat(fd, "", n->uid, n->gid, AT_EMPTY_PATH) < 0)
		return husk_error(err, errno, "%s: chown %u:%u", n->what, (unsigned)n->uid, (unsigned)n->gid);
	return 0;
}

/*
 * In a user namespace mknod is not allowed: bind the host's node of the
 * same path onto an empty file, as runc does, after checking it is the
 * device asked for.
 */
static int bind_host_node(const struct node *n, int dir, const char *base, husk_err *err)
{
	struct stat st;
	cleanup_close int host = open(n->path, O_PATH | O_CLOEXEC);
	if (host < 0 || fstat(host, &st) < 0)
		return husk_error(err, errno, "%s: open the host's %s to bind it", n->what, n->path);
	if (!node_matches(n, &st))
		return node_mismatch(n, err, "the host's node at this path");
	int fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0 && errno != EEXIST)
		return husk_error(err, errno, "%s: create the bind target", n->what);
	if (fd >= 0)
		close(fd);
	cleanup_close int target = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0 || fstat(target, &st) < 0)
		return husk_error(err, errno, "%s: open the bind target", n->what);
	if (node_matches(n, &st))
		return 0;
	if (!S_ISREG(st.st_mode))
		return node_mismatch(n, err, "the file there");
	if (bind_fd(host, target, 0) < 0)
		return husk_error(err, errno, "%s: bind the host's %s", n->what, n->path);
	return 0;
}

static int make_node(const struct node *n, int dir, const char *base, bool bind, husk_err *err)
{
	/* A fifo needs no privilege, so it is made even in a user namespace. */
	if (bind && n->type != 'p')
		return bind_host_node(n, dir, base, err);
	dev_t dev = n->type == 'p' ? 0 : makedev(n->major, n->minor);
	if (mknodat(dir, base, node_type(n->type) | 0600, dev) == 0)
		return set_node_owner(n, dir, base, err);
	if (errno == EPERM && n->type != 'p')
		return bind_host_node(n, dir, base, err);
	if (errno != EEXIST)
		return husk_error(err, errno, "%s: mknod", n->what);
	struct stat st;
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error(err, errno, "%s: stat", n->what);
	if (!node_matches(n, &st))
		return node_mismatch(n, err, "the file already there");
	return set_node_owner(n, dir, base, err);
}

static int create_node(struct rootfs *r, const struct node *n, husk_err *err)
{
	cleanup_free char *clean = husk_path_clean(n->path);
	cleanup_free char *parent = NULL, *base = NULL;
	if (!clean)
		return husk_error(err, ENOMEM, "%s: out of memory", n->what);
	if (husk_path_split(clean, &parent, &base) < 0)
		return husk_error(err, errno, "%s: not a path for a device", n->what);
	cleanup_close int dir = husk_safe_mkdir_p(r->root_fd, parent, 0755);
	if (dir < 0)
		return husk_error(err, errno, "%s: create %s in the rootfs", n->what, parent);
	return make_node(n, dir, base, r->o->userns, err);
}

static const struct node default_nodes[] = {
	{ 'c', "/dev/null", 1, 3, 0666, 0, 0, "/dev/null" },
	{ 'c', "/dev/zero", 1, 5, 0666, 0, 0, "/dev/zero" },
	{ 'c', "/dev/full", 1, 7, 0666, 0, 0, "/dev/full" },
	{ 'c', "/dev/random", 1, 8, 0666, 0, 0, "/dev/random" },
	{ 'c', "/dev/urandom", 1, 9, 0666, 0, 0, "/dev/urandom" },
	{ 'c', "/dev/tty", 5, 0, 0666, 0, 0, "/dev/tty" },
};

static const struct {
	const char *name;       /* in /dev */
	const char *target;
} default_links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
	{ "core", "/proc/kcore" },      /* only when the host has one */
};

static int create_default_links(struct rootfs *r, husk_err *err)
{
	cleanup_close int dev = husk_safe_open(r->root_fd, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		return husk_error(err, errno, "/dev: open in the rootfs");
	for (size_t i = 0; i < ARRAY_SIZE(default_links); i++) {
		const char *name = default_links[i].name;
		char path[32];
		snprintf(path, sizeof(path), "/dev/%s", name);
		if (config_has_device(r->cfg, path))
			continue;
		if (strcmp(name, "core") == 0 && access("/proc/kcore", F_OK) < 0)
			continue;
		if (strcmp(name, "ptmx") == 0 && unlinkat(dev, name, 0) < 0 && errno != ENOENT)
			return husk_error(err, errno, "%s: remove", path);
		if (symlinkat(default_links[i].target, dev, name) < 0 && errno != EEXIST)
			return husk_error(err, errno, "%s: symlink to %s", path, default_links[i].target);
	}
	return 0;
}

static int create_default_nodes(struct rootfs *r, husk_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_nodes); i++)
		if (!config_has_device(r->cfg, default_nodes[i].path) &&
		    create_node(r, &default_nodes[i], err) < 0)
			return -1;
	return 0;
}

/* /dev/pts and /dev/shm when the config has none, the nodes, the links. */
static int populate_dev(struct rootfs *r, husk_err *err)
{
	if (!config_mounts(r->cfg, "/dev/pts", NULL) && default_devpts(r, err) < 0)
		return -1;
	if (!config_mounts(r->cfg, "/dev/shm", NULL) &&
	    default_mount(r, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  DEFAULT_SHM_DATA, err) < 0)
		return -1;
	if (create_default_nodes(r, err) < 0)
		return -1;
	return create_default_links(r, err);
}

static bool device_number_ok(const husk_opt_i64 *n)
{
	return !n->set || (n->v >= 0 && n->v <= UINT32_MAX);
}

static int create_config_devices(struct rootfs *r, husk_err *err)
{
	const struct husk_linux *l = r->cfg->linux_cfg;
	for (size_t i = 0; l && i < l->devices.n; i++) {
		const struct husk_device *d = &l->devices.v[i];
		char what[PATH_MAX + 32];
		snprintf(what, sizeof(what), "linux.devices[%zu] (%s)", i, d->path);
		if (!device_number_ok(&d->major) || !device_number_ok(&d->minor))
			return husk_error(err, EINVAL, "%s: device number %lld:%lld out of range", what,
					  (long long)d->major.v, (long long)d->minor.v);
		struct node n = {
			.type = d->type, .path = d->path,
			.major = d->major.set ? (unsigned int)d->major.v : 0,
			.minor = d->minor.set ? (unsigned int)d->minor.v : 0,
			.mode = d->file_mode.set ? d->file_mode.v & 07777 : 0666,
			.uid = d->uid.set ? d->uid.v : 0,
			.gid = d->gid.set ? d->gid.v : 0,
			.what = what,
		};
		if (create_node(r, &n, err) < 0)
			return -1;
	}
	return 0;
}

static int remount_dev_readonly(struct rootfs *r, husk_err *err)
{
	cleanup_close int dev = husk_safe_open(r->root_fd, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		return husk_error(err, errno, "/dev: open in the rootfs");
	if (remount_bind_fd(dev, r->dev_ro) < 0)
		return husk_error(err, errno, "/dev: remount read-only");
	return 0;
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
	if (set_host_propagation(cfg, err) < 0 || make_parent_private(cfg, o->rootfs, err) < 0)
		return -1;
	if (open_rootfs_mount(&r, err) == 0)
		ret = prepare_mounts(&r, err);
	rootfs_release(&r);
	return ret;
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

static int apply_sysctls(const struct rootfs *r, husk_err *err)
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

static int mask_and_protect(const struct rootfs *r, husk_err *err)
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
