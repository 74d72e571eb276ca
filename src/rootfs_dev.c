/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev: the default devpts and shm mounts, the default device nodes and
 * links, the linux.devices nodes, and a read-only /dev made so at the end.
 */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "husk/safe_path.h"
#include "husk/util.h"
#include "rootfs_internal.h"

/* runc's defaults for what husk provides when the config does not. */
#define DEFAULT_PTS_DATA   "newinstance,ptmxmode=0666,mode=0620"
#define DEFAULT_PTS_GID    ",gid=5"
#define DEFAULT_SHM_DATA   "mode=1777,size=65536k"

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
bool config_mounts(const struct husk_config *cfg, const char *dest, bool *bind)
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

int default_mount(struct rootfs *r, const char *dest, const char *type, unsigned long flags,
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

/* On the host's /dev file system, or a mount point of its own (a bind). */
static bool is_hosts_node(int dir, const char *base, const struct stat *st)
{
	struct stat host_dev;
	if (stat("/dev", &host_dev) == 0 && host_dev.st_dev == st->st_dev)
		return true;
	struct statx node, parent;
	if (statx(dir, base, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &node) < 0 ||
	    statx(dir, "", AT_EMPTY_PATH, STATX_MNT_ID, &parent) < 0)
		return true; /* unknown: leave it alone */
	return node.stx_mnt_id != parent.stx_mnt_id;
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
	/* A node of the host, bound in by a mount of the config, is not ours
	 * to change: a chown would reach the host. */
	if (is_hosts_node(dir, base, &st))
		return 0;
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
int populate_dev(struct rootfs *r, husk_err *err)
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

int create_config_devices(struct rootfs *r, husk_err *err)
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

int remount_dev_readonly(struct rootfs *r, husk_err *err)
{
	cleanup_close int dev = husk_safe_open(r->root_fd, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		return husk_error(err, errno, "/dev: open in the rootfs");
	if (remount_bind_fd(dev, r->dev_ro) < 0)
		return husk_error(err, errno, "/dev: remount read-only");
	return 0;
}
