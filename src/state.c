/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "husk/json.h"
#include "husk/cgroup.h"
#include "husk/state.h"

static const char *const status_names[] = {
	[HUSK_STATUS_CREATING] = "creating",
	[HUSK_STATUS_CREATED] = "created",
	[HUSK_STATUS_RUNNING] = "running",
	[HUSK_STATUS_PAUSED] = "paused",
	[HUSK_STATUS_STOPPED] = "stopped",
};

const char *husk_status_name(enum husk_status s)
{
	return status_names[s];
}

int husk_state_validate_id(const char *id, husk_err *err)
{
	size_t len = strlen(id);
	if (len == 0)
		return husk_error(err, EINVAL, "container id cannot be empty");
	if (len > HUSK_ID_MAX)
		return husk_error(err, EINVAL, "invalid container id: longer than %d characters", HUSK_ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return husk_error(err, EINVAL, "invalid container id: \"%s\"", id);
	for (const char *c = id; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    *c == '_' || *c == '+' || *c == '-' || *c == '.')
			continue;
		return husk_error(err, EINVAL, "invalid container id: \"%s\" (allowed: letters, digits, _ + - .)", id);
	}
	return 0;
}

static int mkdir_parents(const char *path, mode_t mode)
{
	cleanup_free char *copy = strdup(path);
	if (!copy)
		return -1;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int husk_state_open_root(const char *root, bool create, husk_err *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || !create) {
		if (fd < 0)
			return husk_error(err, errno, "open state directory %s", root);
		return fd;
	}
	if (mkdir_parents(root, 0700) < 0)
		return husk_error(err, errno, "create state directory %s", root);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "open state directory %s", root);
	return fd;
}

static int lock_dir(int fd, int lock, const char *id, husk_err *err)
{
	if (!lock)
		return 0;
	while (flock(fd, lock) < 0) {
		if (errno != EINTR)
			return husk_error(err, errno, "lock container %s", id);
	}
	/* A delete that won the race leaves an unlinked directory behind. */
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_error(err, errno, "stat container %s", id);
	if (st.st_nlink == 0)
		return husk_error(err, 0, HUSK_MSG_NO_CONTAINER);
	return 0;
}

int husk_state_create_dir(int rootfd, const char *id, husk_err *err)
{
	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return husk_error(err, 0, "container with given ID already exists");
		return husk_error(err, errno, "create state of container %s", id);
	}
	cleanup_close int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return husk_error(err, errno, "open state of container %s", id);
	if (lock_dir(fd, LOCK_EX, id, err) < 0)
		return -1;
	return steal_fd(&fd);
}

int husk_state_open_dir(int rootfd, const char *id, int lock, husk_err *err)
{
	if (husk_state_validate_id(id, err) < 0)
		return -1;
	cleanup_close int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return husk_error(err, 0, HUSK_MSG_NO_CONTAINER);
		return husk_error(err, errno, "open state of container %s", id);
	}
	if (lock_dir(fd, lock, id, err) < 0)
		return -1;
	return steal_fd(&fd);
}

/* Write name in dirfd atomically: a unique temp file, then rename. */
static int write_file_atomic(int dirfd, const char *name, const char *data, size_t len, husk_err *err)
{
	char tmp[64];
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return husk_error(err, errno, "create %s", name);
	if (husk_write_all(fd, data, len) < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		return husk_error(err, saved, "write %s", name);
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		return husk_error(err, saved, "rename %s", name);
	}
	return 0;
}

static void gen_annotations(struct husk_json *j, const husk_map *m)
{
	husk_json_map_open(j, "annotations");
	for (size_t i = 0; i < m->n; i++)
		husk_json_kv_str(j, m->v[i].key, m->v[i].value);
	husk_json_map_close(j);
}

int husk_state_write(int dirfd, const struct husk_state *st, husk_err *err)
{
	cleanup_json struct husk_json j = { 0 };
	if (husk_json_init(&j, NULL, err) < 0)
		return -1;
	husk_json_map_open(&j, NULL);
	husk_json_kv_str(&j, "id", st->id);
	husk_json_kv_int(&j, "pid", st->pid);
	husk_json_kv_uint(&j, "start_time", st->start_time);
	husk_json_kv_str(&j, "bundle", st->bundle);
	husk_json_kv_str(&j, "rootfs", st->rootfs);
	husk_json_kv_str(&j, "created", st->created);
	husk_json_kv_str(&j, "owner", st->owner ? st->owner : "");
	gen_annotations(&j, &st->annotations);
	husk_json_kv_bool(&j, "has_poststart", st->has_poststart);
	husk_json_kv_bool(&j, "has_poststop", st->has_poststop);
	husk_json_kv_bool(&j, "init", st->init);
	husk_json_kv_bool(&j, "new_pidns", st->new_pidns);
	husk_json_kv_bool(&j, "no_new_keyring", st->no_new_keyring);
	if (st->cgroup_path)
		husk_json_kv_str(&j, "cgroup_path", st->cgroup_path);
	if (st->rootfs_mount_id)
		husk_json_kv_uint(&j, "rootfs_mount_id", st->rootfs_mount_id);
	husk_json_map_close(&j);
	cleanup_free char *json = NULL;
	size_t len;
	if (husk_json_take(&j, true, &json, &len, err) < 0)
		return -1;
	return write_file_atomic(dirfd, HUSK_STATE_FILE, json, len, err);
}

static const char *tree_string(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	return v ? v->u.string : NULL;
}

static bool tree_bool(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_true);
	return v != NULL;
}

static const char *tree_number(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v ? v->u.number.r : NULL;
}

static char *arena_copy(struct husk_state *st, const char *s)
{
	return husk_arena_strdup(&st->arena, s ? s : "");
}

static int read_annotations(struct husk_state *st, yajl_val root)
{
	const char *path[] = { "annotations", NULL };
	yajl_val m = yajl_tree_get(root, path, yajl_t_object);
	if (!m || m->u.object.len == 0)
		return 0;
	st->annotations.v = husk_arena_alloc(&st->arena, m->u.object.len * sizeof(struct husk_kv));
	if (!st->annotations.v)
		return -1;
	for (size_t i = 0; i < m->u.object.len; i++) {
		yajl_val v = m->u.object.values[i];
		if (!YAJL_IS_STRING(v))
			continue;
		struct husk_kv *kv = &st->annotations.v[st->annotations.n++];
		kv->key = arena_copy(st, m->u.object.keys[i]);
		kv->value = arena_copy(st, v->u.string);
	}
	return 0;
}

static int parse_state(struct husk_state *st, yajl_val root, const char *id, husk_err *err)
{
	int64_t pid;
	uint64_t start_time;
	if (husk_parse_i64(tree_number(root, "pid"), &pid) < 0 ||
	    husk_parse_u64(tree_number(root, "start_time"), &start_time) < 0 || !tree_string(root, "bundle"))
		return husk_error(err, EINVAL, "state of container %s is corrupt", id);
	st->pid = (pid_t)pid;
	st->start_time = start_time;
	st->id = arena_copy(st, id);
	st->bundle = arena_copy(st, tree_string(root, "bundle"));
	st->rootfs = arena_copy(st, tree_string(root, "rootfs"));
	st->created = arena_copy(st, tree_string(root, "created"));
	st->owner = arena_copy(st, tree_string(root, "owner"));
	st->has_poststart = tree_bool(root, "has_poststart");
	st->has_poststop = tree_bool(root, "has_poststop");
	st->init = tree_bool(root, "init");
	st->new_pidns = tree_bool(root, "new_pidns");
	st->no_new_keyring = tree_bool(root, "no_new_keyring");
	if (tree_string(root, "cgroup_path"))
		st->cgroup_path = arena_copy(st, tree_string(root, "cgroup_path"));
	if (tree_number(root, "rootfs_mount_id") &&
	    husk_parse_u64(tree_number(root, "rootfs_mount_id"), &st->rootfs_mount_id) < 0)
		return husk_error(err, EINVAL, "state of container %s is corrupt", id);
	if (read_annotations(st, root) < 0 || st->arena.failed)
		return husk_error(err, ENOMEM, "read state of container %s", id);
	return 0;
}

int husk_state_read(int dirfd, const char *id, struct husk_state *st, husk_err *err)
{
	memset(st, 0, sizeof(*st));
	cleanup_close int fd = openat(dirfd, HUSK_STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT) {
			/* Still being created (or a create that died). */
			st->id = arena_copy(st, id);
			st->bundle = arena_copy(st, "");
			st->rootfs = arena_copy(st, "");
			st->created = arena_copy(st, "");
			st->owner = arena_copy(st, "");
			return 0;
		}
		return husk_error(err, errno, "read state of container %s", id);
	}
	cleanup_free char *text = NULL;
	if (husk_read_fd(fd, 1 << 24, &text, NULL, err) < 0)
		return husk_error_wrap(err, "read state of container %s", id);
	char errbuf[256];
	yajl_val root = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	if (!root)
		return husk_error(err, EINVAL, "state of container %s is corrupt", id);
	int rc = parse_state(st, root, id, err);
	yajl_tree_free(root);
	if (rc < 0)
		husk_state_release(st);
	return rc;
}

void husk_state_release(struct husk_state *st)
{
	husk_arena_release(&st->arena);
	memset(st, 0, sizeof(*st));
}

int husk_state_remove_dir(int rootfd, const char *id, husk_err *err)
{
	cleanup_close int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return husk_error(err, errno, "open state of container %s", id);
	}
	DIR *dir = fdopendir(dup(fd));
	if (!dir)
		return husk_error(err, errno, "read state of container %s", id);
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT) {
			int saved = errno;
			closedir(dir);
			return husk_error(err, saved, "remove state of container %s", id);
		}
	}
	closedir(dir);
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return husk_error(err, errno, "remove state of container %s", id);
	return 0;
}

uint64_t husk_proc_start_time(pid_t pid, bool *zombie)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	char state = 0;
	unsigned long long start = 0;
	/* state is field 3, starttime field 22. */
	if (sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
		   &state, &start) != 2)
		return 0;
	if (zombie)
		*zombie = state == 'Z' || state == 'X';
	return start;
}

enum husk_status husk_state_status(int dirfd, const struct husk_state *st)
{
	if (st->pid <= 0)
		return HUSK_STATUS_CREATING;
	bool zombie = false;
	uint64_t start = husk_proc_start_time(st->pid, &zombie);
	if (start == 0 || start != st->start_time || zombie)
		return HUSK_STATUS_STOPPED;
	if (faccessat(dirfd, HUSK_START_SOCKET, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return HUSK_STATUS_CREATED;
	if (st->cgroup_path && husk_cgroup_frozen(st->cgroup_path))
		return HUSK_STATUS_PAUSED;
	return HUSK_STATUS_RUNNING;
}

int husk_state_json(const struct husk_state *st, enum husk_status status, char **json, husk_err *err)
{
	cleanup_json struct husk_json j = { 0 };
	if (husk_json_init(&j, "  ", err) < 0)
		return -1;
	husk_json_map_open(&j, NULL);
	husk_json_kv_str(&j, "ociVersion", HUSK_OCI_VERSION);
	husk_json_kv_str(&j, "id", st->id);
	husk_json_kv_int(&j, "pid", status == HUSK_STATUS_STOPPED ? 0 : st->pid);
	husk_json_kv_str(&j, "status", husk_status_name(status));
	husk_json_kv_str(&j, "bundle", st->bundle);
	husk_json_kv_str(&j, "rootfs", st->rootfs);
	husk_json_kv_str(&j, "created", st->created);
	husk_json_kv_str(&j, "owner", st->owner ? st->owner : "");
	gen_annotations(&j, &st->annotations);
	husk_json_map_close(&j);
	return husk_json_take(&j, false, json, NULL, err);
}

int husk_write_pid_file(const char *path, pid_t pid, husk_err *err)
{
	cleanup_free char *tmp = NULL;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (asprintf(&tmp, "%s.%d.tmp", path, (int)getpid()) < 0)
		return husk_error(err, ENOMEM, "pid file");
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return husk_error(err, errno, "create pid file %s", path);
	if (husk_write_all(fd, buf, (size_t)n) < 0 || rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return husk_error(err, saved, "write pid file %s", path);
	}
	return 0;
}
