/* SPDX-License-Identifier: Apache-2.0 */
/* Notification of OOM kills in a cgroup, v1 and v2. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "husk/util.h"

#define INOTIFY_BUF 4096

static int open_v1(const char *path, struct husk_cgroup_oom *w, husk_err *err)
{
	if (husk_cgroup_v1_dir("memory", path, w->dir, sizeof(w->dir)) < 0 ||
	    !husk_cgroup_has_file(w->dir, "memory.oom_control"))
		return 0;
	char file[PATH_MAX + 32], line[64];
	snprintf(file, sizeof(file), "%s/memory.oom_control", w->dir);
	w->control_fd = open(file, O_RDONLY | O_CLOEXEC);
	if (w->control_fd < 0)
		return husk_error(err, errno, "open %s", file);
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0)
		return husk_error(err, errno, "eventfd");
	snprintf(line, sizeof(line), "%d %d", w->fd, w->control_fd);
	return husk_cgroup_write(w->dir, "cgroup.event_control", line, "OOM notification", err);
}

/* memory.events' oom_kill; 0 when the file is gone with its cgroup. */
static int read_oom_kills(const char *dir, uint64_t *kills, husk_err *err)
{
	struct husk_arena a = { 0 };
	struct husk_cgroup_kvv kv;
	*kills = 0;
	int rc = husk_cgroup_read_kv(dir, "memory.events", &a, &kv, err);
	if (rc > 0)
		husk_cgroup_kv_get(&kv, "oom_kill", kills);
	husk_arena_release(&a);
	return rc < 0 ? -1 : 0;
}

static int open_v2(const char *path, struct husk_cgroup_oom *w, husk_err *err)
{
	char file[PATH_MAX + 32];
	snprintf(w->dir, sizeof(w->dir), "%s%s", HUSK_CGROUP_MOUNT, path);
	if (!husk_cgroup_has_file(w->dir, "memory.events"))
		return 0;
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0)
		return husk_error(err, errno, "inotify_init1");
	snprintf(file, sizeof(file), "%s/memory.events", w->dir);
	if (inotify_add_watch(w->fd, file, IN_MODIFY) < 0)
		return husk_error(err, errno, "watch %s", file);
	/* Only kills from now on are news. */
	return read_oom_kills(w->dir, &w->kills, err);
}

int husk_cgroup_oom_open(enum husk_cgroup_layout layout, const char *path, struct husk_cgroup_oom *w,
			 husk_err *err)
{
	*w = (struct husk_cgroup_oom){ .fd = -1, .control_fd = -1 };
	int rc = 0;
	if (layout == HUSK_CGROUP_LEGACY)
		rc = open_v1(path, w, err);
	else if (layout == HUSK_CGROUP_UNIFIED)
		rc = open_v2(path, w, err);
	if (rc < 0) {
		husk_cgroup_oom_close(w);
		return husk_error_wrap(err, "OOM notification for cgroup %s", path);
	}
	return 0;
}

static int take_v1(struct husk_cgroup_oom *w, bool *oom, husk_err *err)
{
	uint64_t count;
	if (read(w->fd, &count, sizeof(count)) < 0)
		return errno == EAGAIN ? 0 : husk_error(err, errno, "read OOM eventfd");
	/* Removing the cgroup signals the eventfd too: that is no OOM. */
	*oom = husk_cgroup_has_file(w->dir, "cgroup.event_control");
	return 0;
}

static int take_v2(struct husk_cgroup_oom *w, bool *oom, husk_err *err)
{
	char buf[INOTIFY_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t r;
	while ((r = read(w->fd, buf, sizeof(buf))) > 0)
		;
	if (r < 0 && errno != EAGAIN)
		return husk_error(err, errno, "read inotify events");
	uint64_t kills;
	if (read_oom_kills(w->dir, &kills, err) < 0)
		return -1;
	*oom = kills > w->kills;
	if (kills > w->kills)
		w->kills = kills;
	return 0;
}

int husk_cgroup_oom_take(struct husk_cgroup_oom *w, bool *oom, husk_err *err)
{
	*oom = false;
	if (w->fd < 0)
		return 0;
	return w->control_fd >= 0 ? take_v1(w, oom, err) : take_v2(w, oom, err);
}

void husk_cgroup_oom_close(struct husk_cgroup_oom *w)
{
	husk_closep(&w->fd);
	husk_closep(&w->control_fd);
	w->fd = w->control_fd = -1;
}
