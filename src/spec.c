/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/config.h"
#include "husk/json.h"
#include "husk/spec.h"
#include "husk/util.h"
#include "spec_internal.h"

/* runc writes config.json with tab indentation; so do we. */
#define SPEC_INDENT "\t"
#define SPEC_FILE "config.json"
#define SPEC_MODE 0644

/*
 * The default document as data.  `rootless` says in which variant an entry
 * appears; the generator below only walks these tables.
 */
enum variant {
	BOTH,
	ROOTFUL_ONLY,
	ROOTLESS_ONLY,
};

struct spec_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *const *options;     /* NULL-terminated, or NULL for none */
	enum variant variant;
};

struct spec_namespace {
	const char *type;
	enum variant variant;
};

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *const default_args[] = { "sh", NULL };

const char *const husk_spec_default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"TERM=xterm",
	NULL,
};

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL,
};

static const struct spec_mount default_mounts[] = {
	{ "/proc", "proc", "proc", NULL, BOTH },
	{ "/dev", "tmpfs", "tmpfs",
	  STRV("nosuid", "strictatime", "mode=755", "size=65536k"), BOTH },
	{ "/dev/pts", "devpts", "devpts",
	  STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"), ROOTFUL_ONLY },
	/* A user namespace cannot map gid 5, so rootless drops the gid= option. */
	{ "/dev/pts", "devpts", "devpts",
	  STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"), ROOTLESS_ONLY },
	{ "/dev/shm", "tmpfs", "shm",
	  STRV("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"), BOTH },
	{ "/dev/mqueue", "mqueue", "mqueue", STRV("nosuid", "noexec", "nodev"), BOTH },
	{ "/sys", "sysfs", "sysfs", STRV("nosuid", "noexec", "nodev", "ro"), ROOTFUL_ONLY },
	/* Without its own network namespace a container may not mount sysfs. */
	{ "/sys", "none", "/sys", STRV("rbind", "nosuid", "noexec", "nodev", "ro"), ROOTLESS_ONLY },
	{ "/sys/fs/cgroup", "cgroup", "cgroup",
	  STRV("nosuid", "noexec", "nodev", "relatime", "ro"), BOTH },
};

static const struct spec_namespace default_namespaces[] = {
	{ "pid", BOTH },
	{ "network", ROOTFUL_ONLY },
	{ "ipc", BOTH },
	{ "uts", BOTH },
	{ "mount", BOTH },
	{ "cgroup", ROOTFUL_ONLY },
	{ "user", ROOTLESS_ONLY },
};

const char *const husk_spec_masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL,
};

const char *const husk_spec_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* ---- generation ------------------------------------------------------- */

struct spec_gen {
	struct husk_json j;
	bool rootless;
};

static bool in_variant(const struct spec_gen *s, enum variant v)
{
	return v == BOTH || (v == ROOTLESS_ONLY) == s->rootless;
}

static void gen_capabilities(struct spec_gen *s)
{
	husk_json_map_open(&s->j, "capabilities");
	husk_json_kv_strv(&s->j, "bounding", default_caps);
	husk_json_kv_strv(&s->j, "effective", default_caps);
	husk_json_kv_strv(&s->j, "permitted", default_caps);
	husk_json_map_close(&s->j);
}

static void gen_rlimits(struct spec_gen *s)
{
	husk_json_array_open(&s->j, "rlimits");
	husk_json_map_open(&s->j, NULL);
	husk_json_kv_str(&s->j, "type", "RLIMIT_NOFILE");
	husk_json_kv_int(&s->j, "hard", 1024);
	husk_json_kv_int(&s->j, "soft", 1024);
	husk_json_map_close(&s->j);
	husk_json_array_close(&s->j);
}

static void gen_process(struct spec_gen *s)
{
	husk_json_map_open(&s->j, "process");
	husk_json_kv_bool(&s->j, "terminal", true);
	husk_json_map_open(&s->j, "user");
	husk_json_kv_int(&s->j, "uid", 0);
	husk_json_kv_int(&s->j, "gid", 0);
	husk_json_map_close(&s->j);
	husk_json_kv_strv(&s->j, "args", default_args);
	husk_json_kv_strv(&s->j, "env", husk_spec_default_env);
	husk_json_kv_str(&s->j, "cwd", "/");
	gen_capabilities(s);
	gen_rlimits(s);
	husk_json_kv_bool(&s->j, "noNewPrivileges", true);
	husk_json_map_close(&s->j);
}

static void gen_root(struct spec_gen *s)
{
	husk_json_map_open(&s->j, "root");
	husk_json_kv_str(&s->j, "path", "rootfs");
	husk_json_kv_bool(&s->j, "readonly", true);
	husk_json_map_close(&s->j);
}

void spec_gen_mount(struct husk_json *j, const char *destination, const char *type,
		    const char *source, const char *const *options)
{
	husk_json_map_open(j, NULL);
	husk_json_kv_str(j, "destination", destination);
	husk_json_kv_str(j, "type", type);
	husk_json_kv_str(j, "source", source);
	if (options)
		husk_json_kv_strv(j, "options", options);
	husk_json_map_close(j);
}

void spec_gen_default_mounts(struct husk_json *j, bool rootless)
{
	const struct spec_gen s = { .rootless = rootless };
	for (size_t i = 0; i < ARRAY_SIZE(default_mounts); i++) {
		const struct spec_mount *m = &default_mounts[i];
		if (in_variant(&s, m->variant))
			spec_gen_mount(j, m->destination, m->type, m->source, m->options);
	}
}

static void gen_mounts(struct spec_gen *s)
{
	husk_json_array_open(&s->j, "mounts");
	spec_gen_default_mounts(&s->j, s->rootless);
	husk_json_array_close(&s->j);
}

/* Map container root to the caller's effective id, size 1. */
static void gen_idmap(struct spec_gen *s, const char *key, unsigned int host_id)
{
	husk_json_array_open(&s->j, key);
	husk_json_map_open(&s->j, NULL);
	husk_json_kv_int(&s->j, "containerID", 0);
	husk_json_kv_int(&s->j, "hostID", host_id);
	husk_json_kv_int(&s->j, "size", 1);
	husk_json_map_close(&s->j);
	husk_json_array_close(&s->j);
}

static void gen_resources(struct spec_gen *s)
{
	husk_json_map_open(&s->j, "resources");
	husk_json_array_open(&s->j, "devices");
	husk_json_map_open(&s->j, NULL);
	husk_json_kv_bool(&s->j, "allow", false);
	husk_json_kv_str(&s->j, "access", "rwm");
	husk_json_map_close(&s->j);
	husk_json_array_close(&s->j);
	husk_json_map_close(&s->j);
}

void spec_gen_namespaces(struct husk_json *j, bool rootless)
{
	const struct spec_gen s = { .rootless = rootless };
	husk_json_array_open(j, "namespaces");
	for (size_t i = 0; i < ARRAY_SIZE(default_namespaces); i++) {
		if (!in_variant(&s, default_namespaces[i].variant))
			continue;
		husk_json_map_open(j, NULL);
		husk_json_kv_str(j, "type", default_namespaces[i].type);
		husk_json_map_close(j);
	}
	husk_json_array_close(j);
}

static void gen_linux(struct spec_gen *s)
{
	husk_json_map_open(&s->j, "linux");
	if (s->rootless) {
		gen_idmap(s, "uidMappings", geteuid());
		gen_idmap(s, "gidMappings", getegid());
	} else {
		gen_resources(s);
	}
	spec_gen_namespaces(&s->j, s->rootless);
	husk_json_kv_strv(&s->j, "maskedPaths", husk_spec_masked_paths);
	husk_json_kv_strv(&s->j, "readonlyPaths", husk_spec_readonly_paths);
	husk_json_map_close(&s->j);
}

/* Keys in the order runc writes them (the Go structs' field order). */
static void gen_spec(struct spec_gen *s)
{
	husk_json_map_open(&s->j, NULL);
	husk_json_kv_str(&s->j, "ociVersion", HUSK_OCI_VERSION);
	gen_process(s);
	gen_root(s);
	husk_json_kv_str(&s->j, "hostname", "husk");
	gen_mounts(s);
	gen_linux(s);
	husk_json_map_close(&s->j);
}

int husk_spec_generate(bool rootless, char **json_out, size_t *len, husk_err *err)
{
	struct spec_gen s = { .rootless = rootless };
	if (husk_json_init(&s.j, SPEC_INDENT, err) < 0)
		return -1;
	gen_spec(&s);
	int rc = husk_json_take(&s.j, true, json_out, len, err);
	husk_json_release(&s.j);
	return rc < 0 ? husk_error_wrap(err, "generate config.json") : 0;
}

/* ---- writing ---------------------------------------------------------- */

/* "config.json" in the current directory, "bundle/config.json" elsewhere. */
static char *spec_path(const char *bundle)
{
	char *path = NULL;
	if (strcmp(bundle, ".") == 0)
		return strdup(SPEC_FILE);
	if (asprintf(&path, "%s/%s", bundle, SPEC_FILE) < 0)
		return NULL;
	return path;
}

static int check_absent(int dirfd, const char *path, husk_err *err)
{
	if (faccessat(dirfd, SPEC_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return husk_error(err, 0, "File %s exists. Remove it first", path);
	if (errno != ENOENT)
		return husk_error(err, errno, "check %s", path);
	return 0;
}

/* Create a new file beside config.json; its name goes to tmp_name. */
static int create_temp(int dirfd, char *tmp_name, size_t size, husk_err *err)
{
	for (unsigned int attempt = 0; attempt < 100; attempt++) {
		snprintf(tmp_name, size, ".%s.%ld.%u", SPEC_FILE, (long)getpid(), attempt);
		int fd = openat(dirfd, tmp_name,
				O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, SPEC_MODE);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return husk_error(err, errno, "create a temporary file for %s", SPEC_FILE);
	}
	return husk_error(err, EEXIST, "create a temporary file for %s", SPEC_FILE);
}

/* Move tmp_name to config.json, never replacing one that appeared meanwhile. */
static int publish(int dirfd, const char *tmp_name, const char *path, husk_err *err)
{
	if (renameat2(dirfd, tmp_name, dirfd, SPEC_FILE, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return husk_error(err, 0, "File %s exists. Remove it first", path);
	/* Filesystems without RENAME_NOREPLACE: the check above has to do. */
	if ((errno == EINVAL || errno == ENOSYS) &&
	    renameat(dirfd, tmp_name, dirfd, SPEC_FILE) == 0)
		return 0;
	return husk_error(err, errno, "rename %s to %s", tmp_name, path);
}

/* Write json into the new file fd and close it. */
static int fill_temp(int fd, const char *path, const char *json, size_t len, husk_err *err)
{
	if (husk_write_all(fd, json, len) < 0) {
		int saved = errno;
		close(fd);
		return husk_error(err, saved, "write %s", path);
	}
	if (close(fd) < 0)
		return husk_error(err, errno, "write %s", path);
	return 0;
}

static int write_spec_at(int dirfd, const char *path, const char *json, size_t len, husk_err *err)
{
	char tmp_name[64];
	int fd = create_temp(dirfd, tmp_name, sizeof(tmp_name), err);
	if (fd < 0)
		return -1;
	if (fill_temp(fd, path, json, len, err) < 0 || publish(dirfd, tmp_name, path, err) < 0) {
		/* Best effort: the error already in *err is the one to report. */
		unlinkat(dirfd, tmp_name, 0);
		return -1;
	}
	return 0;
}

/* generate fills in the document once the bundle is known to be writable. */
int spec_write_document(const char *bundle, spec_generator generate, const void *arg, husk_err *err)
{
	cleanup_free char *path = spec_path(bundle);
	if (!path)
		return husk_error(err, ENOMEM, "write config.json");
	cleanup_close int dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return husk_error(err, errno, "open bundle directory %s", bundle);
	if (check_absent(dirfd, path, err) < 0)
		return -1;
	cleanup_free char *json = NULL;
	size_t len;
	if (generate(arg, &json, &len, err) < 0)
		return -1;
	return write_spec_at(dirfd, path, json, len, err);
}

static int generate_default(const void *arg, char **json, size_t *len, husk_err *err)
{
	return husk_spec_generate(*(const bool *)arg, json, len, err);
}

int husk_spec_write(const char *bundle, bool rootless, husk_err *err)
{
	return spec_write_document(bundle, generate_default, &rootless, err);
}
