/* SPDX-License-Identifier: Apache-2.0 */
/* The processes of a cgroup and of the cgroups below it. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "husk/util.h"

#define PROCS_MAX (4 << 20)
/* Nested cgroups a container made for itself; deeper ones are not read. */
#define DEPTH_MAX 32

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int push(struct pid_list *l, pid_t pid, husk_err *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		pid_t *bigger = realloc(l->v, cap * sizeof(*bigger));
		if (!bigger)
			return husk_error(err, ENOMEM, "list cgroup processes");
		l->v = bigger;
		l->cap = cap;
	}
	l->v[l->n++] = pid;
	return 0;
}

static int read_procs(const char *dir, struct pid_list *l, husk_err *err)
{
	char file[PATH_MAX + 16];
	cleanup_free char *text = NULL;
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	if (husk_read_file(file, PROCS_MAX, &text, NULL, err) < 0)
		return -1;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int64_t pid;
		if (husk_parse_i64(line, &pid) < 0 || pid <= 0 || pid > INT32_MAX)
			return husk_error(err, EINVAL, "%s: not a process id: \"%s\"", file, line);
		if (push(l, (pid_t)pid, err) < 0)
			return -1;
	}
	return 0;
}

static int walk(const char *dir, int depth, struct pid_list *l, husk_err *err);

/* A child cgroup removed while we read had no processes left. */
static int walk_child(const char *dir, const char *name, int depth, struct pid_list *l, husk_err *err)
{
	char sub[PATH_MAX];
	if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, name) >= sizeof(sub))
		return husk_error(err, ENAMETOOLONG, "cgroup %s/%s", dir, name);
	cleanup_error husk_err child_err = NULL;
	if (walk(sub, depth, l, &child_err) == 0 || child_err->errnum == ENOENT)
		return 0;
	husk_error_append(err, &child_err);
	return -1;
}

static int walk(const char *dir, int depth, struct pid_list *l, husk_err *err)
{
	if (read_procs(dir, l, err) < 0)
		return -1;
	if (depth == DEPTH_MAX)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return husk_error(err, errno, "open cgroup %s", dir);
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			rc = walk_child(dir, de->d_name, depth + 1, l, err);
	closedir(d);
	return rc;
}

int husk_cgroup_pids(const char *path, pid_t **pids, size_t *n, husk_err *err)
{
	char dir[PATH_MAX];
	struct pid_list l = { 0 };
	*pids = NULL;
	*n = 0;
	if (husk_cgroup_procs_dir(path, dir, sizeof(dir)) < 0)
		return husk_error(err, ENOENT, "cgroup %s: no hierarchy", path);
	if (walk(dir, 0, &l, err) < 0) {
		free(l.v);
		return -1;
	}
	*pids = l.v;
	*n = l.n;
	return 0;
}
