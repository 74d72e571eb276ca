/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup layout, paths, create, update and remove. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "husk/util.h"

#define PROCS_MAX (4 << 20)

enum husk_cgroup_layout husk_cgroup_detect(void)
{
	struct statfs fs;
	if (statfs(HUSK_CGROUP_MOUNT, &fs) < 0)
		return HUSK_CGROUP_NONE;
	if (fs.f_type == CGROUP2_SUPER_MAGIC)
		return HUSK_CGROUP_UNIFIED;
	if (fs.f_type != TMPFS_MAGIC)
		return HUSK_CGROUP_NONE;
	char probe[sizeof(HUSK_CGROUP_MOUNT) + 16];
	static const char *const common[] = { "memory", "pids", "cpu", "devices", "freezer", "systemd" };
	for (size_t i = 0; i < ARRAY_SIZE(common); i++) {
		snprintf(probe, sizeof(probe), "%s/%s", HUSK_CGROUP_MOUNT, common[i]);
		if (statfs(probe, &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC)
			return HUSK_CGROUP_LEGACY;
	}
	return HUSK_CGROUP_NONE;
}

/* ---- paths --------------------------------------------------------------- */

static int append_component(char *out, size_t *len, size_t cap, const char *c, size_t n)
{
	if (*len + 1 + n + 1 > cap)
		return -1;
	out[(*len)++] = '/';
	memcpy(out + *len, c, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

int husk_cgroup_clean_path(const char *path, char *out, size_t cap, husk_err *err)
{
	size_t len = 0;
	out[0] = '\0';
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && strncmp(p, "..", 2) == 0)
			return husk_error(err, EINVAL, "linux.cgroupsPath \"%s\": \"..\" is not allowed", path);
		if (n && !(n == 1 && *p == '.') && append_component(out, &len, cap, p, n) < 0)
			return husk_error(err, ENAMETOOLONG, "linux.cgroupsPath \"%s\": too long", path);
		p += n;
		if (*p == '/')
			p++;
	}
	if (len == 0)
		return husk_error(err, EINVAL, "linux.cgroupsPath \"%s\": the root cgroup cannot hold a container", path);
	return 0;
}

int husk_cgroup_resolve_path(const char *cgroups_path, const char *id, bool systemd,
			     char **out, husk_err *err)
{
	*out = NULL;
	if (systemd)
		return husk_error(err, ENOTSUP, "--systemd-cgroup: systemd cgroup paths are not supported yet");
	if (cgroups_path && strchr(cgroups_path, ':'))
		return husk_error(err, ENOTSUP, "linux.cgroupsPath \"%s\": systemd cgroup paths are not supported yet",
				  cgroups_path);
	char buf[PATH_MAX];
	cleanup_free char *dflt = NULL;
	if (!cgroups_path || !*cgroups_path) {
		if (asprintf(&dflt, HUSK_CGROUP_PARENT "/%s", id) < 0)
			return husk_error(err, ENOMEM, "linux.cgroupsPath");
		cgroups_path = dflt;
	}
	if (husk_cgroup_clean_path(cgroups_path, buf, sizeof(buf) - sizeof(HUSK_CGROUP_MOUNT) - NAME_MAX - 2, err) < 0)
		return -1;
	*out = strdup(buf);
	if (!*out)
		return husk_error(err, ENOMEM, "linux.cgroupsPath");
	return 0;
}

/* ---- files ---------------------------------------------------------------- */

int husk_cgroup_write(const char *dir, const char *file, const char *value, const char *field, husk_err *err)
{
	char path[PATH_MAX + NAME_MAX + 2];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "%s: open %s", field, file);
	if (husk_write_all(fd, value, strlen(value)) < 0)
		return husk_error(err, errno, "%s: write %s \"%s\"", field, file, value);
	return 0;
}

int husk_cgroup_write_cpuset(const char *dir, const struct husk_cpu *c, husk_err *err)
{
	if (c->cpus && *c->cpus && husk_cgroup_write(dir, "cpuset.cpus", c->cpus, "linux.resources.cpu.cpus", err) < 0)
		return -1;
	if (c->mems && *c->mems && husk_cgroup_write(dir, "cpuset.mems", c->mems, "linux.resources.cpu.mems", err) < 0)
		return -1;
	return 0;
}

bool husk_cgroup_has_file(const char *dir, const char *file)
{
	char path[PATH_MAX + NAME_MAX + 2];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

int husk_cgroup_v1_dir(const char *controller, const char *path, char *buf, size_t size)
{
	struct statfs fs;
	snprintf(buf, size, "%s/%s", HUSK_CGROUP_MOUNT, controller);
	if (statfs(buf, &fs) < 0 || fs.f_type != CGROUP_SUPER_MAGIC)
		return -1;
	snprintf(buf, size, "%s/%s%s", HUSK_CGROUP_MOUNT, controller, path ? path : "");
	return 0;
}

int husk_cgroup_hierarchies(struct husk_cgroup_hier *h, size_t *n, husk_err *err)
{
	*n = 0;
	struct statfs fs;
	if (statfs(HUSK_CGROUP_MOUNT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
		snprintf(h[0].dir, sizeof(h[0].dir), "%s", HUSK_CGROUP_MOUNT);
		h[(*n)++].v2 = true;
		return 0;
	}
	DIR *d = opendir(HUSK_CGROUP_MOUNT);
	if (!d)
		return errno == ENOENT ? 0 : husk_error(err, errno, "open %s", HUSK_CGROUP_MOUNT);
	struct dirent *de;
	while ((de = readdir(d)) && *n < HUSK_CGROUP_MAX_HIERARCHIES) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(h[*n].dir, sizeof(h[*n].dir), "%s/%s", HUSK_CGROUP_MOUNT, de->d_name);
		if (statfs(h[*n].dir, &fs) == 0 && (fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC))
			h[(*n)++].v2 = fs.f_type == CGROUP2_SUPER_MAGIC;
	}
	closedir(d);
	return 0;
}

static int mkdir_p_once(char *dir, size_t hier_len, size_t len)
{
	for (char *p = dir + hier_len + 1; p <= dir + len; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		int rc = mkdir(dir, 0755);
		*p = saved;
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int mkdir_p(const char *hier, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	size_t len = (size_t)snprintf(dir, sizeof(dir), "%s%s", hier, path);
	/* The parents usually exist already (husk's own stays). */
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	/* ENOENT: someone removed a shared parent under us. */
	for (int tries = 0; mkdir_p_once(dir, strlen(hier), len) < 0; tries++)
		if (errno != ENOENT || tries == 5)
			return husk_error(err, errno, "linux.cgroupsPath \"%s\": create %s", path, dir);
	return 0;
}

static int create_all(const char *path, const struct husk_resources *r, bool v2, struct husk_cgroup_entry *entry,
		      husk_err *err)
{
	struct husk_cgroup_hier h[HUSK_CGROUP_MAX_HIERARCHIES];
	size_t n;
	if (husk_cgroup_hierarchies(h, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (mkdir_p(h[i].dir, path, err) < 0)
			return -1;
	if (!v2 && husk_cgroup_v1_init_cpuset(path, err) < 0)
		return -1;
	if (v2)
		husk_cgroup_v2_enable_all(path);
	if (r && (v2 ? husk_cgroup_v2_apply(r, path, err) : husk_cgroup_v1_apply(r, path, err)) < 0)
		return -1;
	return entry ? husk_cgroup_entry_open_in(h, n, path, entry, err) : 0;
}

const char *husk_cgroup_requested_resource(const struct husk_resources *r)
{
	if (!r)
		return NULL;
	const struct { bool set; const char *field; } fields[] = {
		{ r->devices.n, "linux.resources.devices" },
		{ r->memory, "linux.resources.memory" },
		{ r->cpu, "linux.resources.cpu" },
		{ r->pids, "linux.resources.pids" },
		{ r->block_io, "linux.resources.blockIO" },
		{ r->hugepage_limits.n, "linux.resources.hugepageLimits" },
		{ r->network, "linux.resources.network" },
		{ r->rdma.n, "linux.resources.rdma" },
		{ r->unified.n, "linux.resources.unified" },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].set)
			return fields[i].field;
	return NULL;
}

int husk_cgroup_create(enum husk_cgroup_layout layout, const char *path, const struct husk_resources *r,
		       const struct husk_log *log, struct husk_cgroup_entry *entry, husk_err *err)
{
	if (layout == HUSK_CGROUP_NONE) {
		const char *field = husk_cgroup_requested_resource(r);
		if (field)
			return husk_error(err, ENOTSUP, "%s: no cgroup hierarchy is mounted at %s to apply it",
					  field, HUSK_CGROUP_MOUNT);
		husk_debug(log, "no cgroup hierarchy mounted: running without a cgroup");
		return 0;
	}
	husk_debug(log, "cgroup %s (%s)", path, layout == HUSK_CGROUP_UNIFIED ? "v2" : "v1");
	return create_all(path, r, layout == HUSK_CGROUP_UNIFIED, entry, err);
}

/* ---- update ------------------------------------------------------------- */

static int memory_usage(const char *path, bool v2, uint64_t *usage, husk_err *err)
{
	char dir[PATH_MAX], file[PATH_MAX + 32];
	const char *field = "linux.resources.memory.checkBeforeUpdate";
	/* A cgroup created without memory limits has no memory files yet. */
	if (v2 && husk_cgroup_v2_enable(path, "memory", field, err) < 0)
		return -1;
	if (v2)
		snprintf(dir, sizeof(dir), "%s%s", HUSK_CGROUP_MOUNT, path);
	else if (husk_cgroup_v1_dir("memory", path, dir, sizeof(dir)) < 0)
		return husk_error(err, ENOTSUP, "linux.resources.memory: the memory cgroup controller is not mounted");
	snprintf(file, sizeof(file), "%s/%s", dir, v2 ? "memory.current" : "memory.usage_in_bytes");
	cleanup_free char *text = NULL;
	if (husk_read_file(file, 64, &text, NULL, err) < 0)
		return -1;
	text[strcspn(text, "\n")] = '\0';
	if (husk_parse_u64(text, usage) < 0)
		return husk_error(err, EINVAL, "%s: \"%s\" is not a number", file, text);
	return 0;
}

/* memory.checkBeforeUpdate: refuse a limit below what is already in use
 * rather than have the kernel reclaim or OOM-kill to meet it. */
static int check_memory_usage(const struct husk_memory *m, const char *path, bool v2, husk_err *err)
{
	if (!m || !m->check_before_update.set || !m->check_before_update.v || !m->limit.set || m->limit.v <= 0)
		return 0;
	uint64_t usage;
	if (memory_usage(path, v2, &usage, err) < 0)
		return -1;
	if ((uint64_t)m->limit.v < usage)
		return husk_error(err, 0, "linux.resources.memory.limit: %" PRId64
				  " is below the current usage %" PRIu64 " (checkBeforeUpdate)", m->limit.v, usage);
	return 0;
}

int husk_cgroup_update(const char *path, const struct husk_resources *r, husk_err *err)
{
	enum husk_cgroup_layout layout = husk_cgroup_detect();
	if (layout == HUSK_CGROUP_NONE)
		return husk_error(err, ENOTSUP, "linux.resources: no cgroup hierarchy is mounted at %s", HUSK_CGROUP_MOUNT);
	bool v2 = layout == HUSK_CGROUP_UNIFIED;
	if (check_memory_usage(r->memory, path, v2, err) < 0)
		return -1;
	return v2 ? husk_cgroup_v2_apply(r, path, err) : husk_cgroup_v1_apply(r, path, err);
}

/* ---- remove ------------------------------------------------------------- */

static int rmdir_retrying(const char *dir, husk_err *err)
{
	struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	for (int tries = 0;; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || tries == 100)
			return husk_error(err, errno, "remove cgroup %s", dir);
		nanosleep(&pause, NULL);
	}
}

int husk_cgroup_remove(const char *path, husk_err *err)
{
	struct husk_cgroup_hier h[HUSK_CGROUP_MAX_HIERARCHIES];
	size_t n;
	if (!path || !*path || husk_cgroup_hierarchies(h, &n, err) < 0)
		return path && *path ? -1 : 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX];
		if (snprintf(dir, sizeof(dir), "%s%s", h[i].dir, path) >= (int)sizeof(dir))
			rc = husk_error(err, ENAMETOOLONG, "remove cgroup %s%s", h[i].dir, path);
		else if (rmdir_retrying(dir, err) < 0)
			rc = -1;
	}
	return rc;
}

/* ---- signal ------------------------------------------------------------- */

int husk_cgroup_procs_dir(const char *path, char *buf, size_t size)
{
	struct husk_cgroup_hier h[HUSK_CGROUP_MAX_HIERARCHIES];
	size_t n;
	if (husk_cgroup_hierarchies(h, &n, NULL) < 0 || n == 0)
		return -1;
	/* pids or memory hold every process on v1; any will do on v2. */
	if (husk_cgroup_v1_dir("pids", path, buf, size) == 0 || husk_cgroup_v1_dir("memory", path, buf, size) == 0)
		return 0;
	snprintf(buf, size, "%s%s", h[0].dir, path);
	return 0;
}

int husk_cgroup_signal_all(const char *path, int sig, husk_err *err)
{
	char dir[PATH_MAX], file[PATH_MAX + 16];
	if (husk_cgroup_procs_dir(path, dir, sizeof(dir)) < 0)
		return husk_error(err, ENOENT, "cgroup %s: no hierarchy", path);
	/* cgroup.kill (Linux 5.14) cannot miss a process forked meanwhile. */
	if (sig == SIGKILL && husk_cgroup_has_file(dir, "cgroup.kill") &&
	    husk_cgroup_write(dir, "cgroup.kill", "1", "kill", NULL) == 0)
		return 1;
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	cleanup_free char *text = NULL;
	size_t len;
	if (husk_read_file(file, PROCS_MAX, &text, &len, err) < 0)
		return -1;
	int count = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int64_t pid;
		if (husk_parse_i64(line, &pid) < 0 || pid <= 0)
			continue;
		int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (fd < 0)
			continue;
		if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
			count++;
		close(fd);
	}
	return count;
}
