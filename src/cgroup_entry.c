/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How a new process gets into its cgroup: by itself, through descriptors
 * the runtime opened before the fork (why: husk/cgroup.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "husk/namespaces.h"
#include "husk/util.h"

void husk_cgroup_entry_init(struct husk_cgroup_entry *e)
{
	e->v2_dir = e->v2_procs = -1;
	e->n_v1 = 0;
	e->sub = NULL;
}

/* The clone placed the process in the v2 cgroup: that part is done. */
static void entry_born(struct husk_cgroup_entry *e)
{
	husk_closep(&e->v2_dir);
	husk_closep(&e->v2_procs);
}

void husk_cgroup_entry_close(struct husk_cgroup_entry *e)
{
	entry_born(e);
	for (size_t i = 0; i < e->n_v1; i++)
		husk_closep(&e->v1_tasks[i]);
	e->n_v1 = 0;
}

static int open_v2(const char *dir, struct husk_cgroup_entry *e, husk_err *err)
{
	e->v2_dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (e->v2_dir < 0)
		return husk_error(err, errno, "join cgroup %s", dir);
	e->v2_procs = openat(e->v2_dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (e->v2_procs < 0)
		return husk_error(err, errno, "join cgroup %s: open cgroup.procs", dir);
	return 0;
}

static int open_hierarchy(const struct husk_cgroup_hier *h, const char *path, struct husk_cgroup_entry *e,
			  husk_err *err)
{
	char file[PATH_MAX];
	int len = snprintf(file, sizeof(file), "%s%s", h->dir, path);
	if ((size_t)len + sizeof("/tasks") > sizeof(file))
		return husk_error(err, ENAMETOOLONG, "join cgroup %s%s", h->dir, path);
	if (h->v2)
		return open_v2(file, e, err);
	memcpy(file + len, "/tasks", sizeof("/tasks"));
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "join cgroup %s", file);
	e->v1_tasks[e->n_v1++] = fd;
	return 0;
}

/* Errors name what the user gave: --cgroup's sub-cgroup, or the config's path. */
static int wrap_field(husk_err *err, const char *sub)
{
	return sub ? husk_error_wrap(err, "sub-cgroup \"%s\"", sub) : husk_error_wrap(err, "linux.cgroupsPath");
}

int husk_cgroup_entry_open_in(const struct husk_cgroup_hier *h, size_t n, const char *path,
			      struct husk_cgroup_entry *e, husk_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (open_hierarchy(&h[i], path, e, err) < 0) {
			husk_cgroup_entry_close(e);
			return wrap_field(err, e->sub);
		}
	return 0;
}

int husk_cgroup_entry_open(const char *path, const char *sub, struct husk_cgroup_entry *e, husk_err *err)
{
	char full[PATH_MAX];
	struct husk_cgroup_hier h[HUSK_CGROUP_MAX_HIERARCHIES];
	size_t n;
	husk_cgroup_entry_init(e);
	e->sub = sub;
	int len = snprintf(full, sizeof(full), "%s", path);
	if (sub) {
		char clean[PATH_MAX];
		/* One message for the flag, whatever the cleaning found. */
		if (husk_cgroup_clean_path(sub, clean, sizeof(clean) - (size_t)len, NULL) < 0)
			return husk_error(err, EINVAL, "sub-cgroup \"%s\": expected a path below the container's cgroup", sub);
		snprintf(full, sizeof(full), "%s%s", path, clean);
	}
	if (husk_cgroup_hierarchies(h, &n, err) < 0)
		return -1;
	return husk_cgroup_entry_open_in(h, n, full, e, err);
}

pid_t husk_cgroup_entry_clone(int flags, struct husk_cgroup_entry *e, husk_err *err)
{
	bool born;
	pid_t pid = husk_clone(flags, e->v2_dir, &born, err);
	if (born)
		entry_born(e);
	if (pid != 0)
		husk_cgroup_entry_close(e);
	return pid;
}

/* "0" is the writer: on tasks the calling thread, on cgroup.procs its
 * whole process. */
static int write_self(int fd, husk_err *err)
{
	if (write(fd, "0", 1) == 1)
		return 0;
	int saved = errno;
	char link[32], where[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, where, sizeof(where) - 1);
	where[n > 0 ? n : 0] = '\0';
	return husk_error(err, saved, "join cgroup %s", n > 0 ? where : "(unknown)");
}

int husk_cgroup_entry_join_self(struct husk_cgroup_entry *e, husk_err *err)
{
	int rc = 0;
	if (e->v2_procs >= 0)
		rc = write_self(e->v2_procs, err);
	for (size_t i = 0; rc == 0 && i < e->n_v1; i++)
		rc = write_self(e->v1_tasks[i], err);
	husk_cgroup_entry_close(e);
	return rc < 0 ? wrap_field(err, e->sub) : 0;
}
