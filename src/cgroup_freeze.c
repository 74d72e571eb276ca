/* SPDX-License-Identifier: Apache-2.0 */
/* Freezing and thawing a container's cgroup: pause and resume. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "husk/util.h"

/* A cgroup whose tasks keep forking can take a while to settle. */
#define FREEZE_TIMEOUT_MS 10000

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read a small cgroup file into buf (NUL-terminated); -1 when unreadable. */
static int read_small(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX + NAME_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* ---- v1: freezer.state ----------------------------------------------------- */

static int v1_freezer_dir(const char *path, char *dir, husk_err *err)
{
	if (husk_cgroup_v1_dir("freezer", path, dir, PATH_MAX) < 0)
		return husk_error(err, ENOTSUP, "the freezer cgroup controller is not mounted on this host");
	return 0;
}

/* The kernel may answer FREEZING for a while (tasks in uninterruptible
 * sleep); writing FROZEN again retries the tasks that were missed. */
static int v1_freeze(const char *dir, bool freeze, husk_err *err)
{
	const char *want = freeze ? "FROZEN" : "THAWED";
	long deadline = now_ms() + FREEZE_TIMEOUT_MS;
	for (unsigned delay_us = 100;; delay_us = delay_us < 100000 ? delay_us * 2 : delay_us) {
		char state[32];
		if (husk_cgroup_write(dir, "freezer.state", want, freeze ? "pause" : "resume", err) < 0)
			return -1;
		if (read_small(dir, "freezer.state", state, sizeof(state)) < 0)
			return husk_error(err, errno, "read %s/freezer.state", dir);
		if (strncmp(state, want, strlen(want)) == 0)
			return 0;
		if (now_ms() > deadline)
			return husk_error(err, ETIMEDOUT, "%s: the cgroup stays %.*s", freeze ? "pause" : "resume",
					  (int)strcspn(state, "\n"), state);
		usleep(delay_us);
	}
}

/* ---- v2: cgroup.freeze, cgroup.events -------------------------------------- */

static bool v2_events_frozen(int fd, bool *frozen)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return false;
	buf[n] = '\0';
	const char *f = strstr(buf, "frozen ");
	*frozen = f && f[7] == '1';
	return true;
}

/* cgroup.events changes raise POLLPRI: wait for "frozen" to match. */
static int v2_freeze(const char *dir, bool freeze, husk_err *err)
{
	const char *field = freeze ? "pause" : "resume";
	char path[PATH_MAX + NAME_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "%s: open %s", field, path);
	if (husk_cgroup_write(dir, "cgroup.freeze", freeze ? "1" : "0", field, err) < 0)
		return -1;
	long deadline = now_ms() + FREEZE_TIMEOUT_MS;
	for (;;) {
		bool frozen;
		if (!v2_events_frozen(fd, &frozen))
			return husk_error(err, errno, "%s: read %s", field, path);
		if (frozen == freeze)
			return 0;
		long left = deadline - now_ms();
		if (left <= 0)
			return husk_error(err, ETIMEDOUT, "%s: the cgroup did not %s", field, freeze ? "freeze" : "thaw");
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		if (poll(&p, 1, (int)(left < 100 ? left : 100)) < 0 && errno != EINTR)
			return husk_error(err, errno, "%s: poll %s", field, path);
	}
}

/* ---- both ------------------------------------------------------------------- */

int husk_cgroup_freeze(const char *path, bool freeze, husk_err *err)
{
	char dir[PATH_MAX];
	switch (husk_cgroup_detect()) {
	case HUSK_CGROUP_UNIFIED:
		snprintf(dir, sizeof(dir), "%s%s", HUSK_CGROUP_MOUNT, path);
		if (!husk_cgroup_has_file(dir, "cgroup.freeze"))
			return husk_error(err, ENOTSUP, "cgroup.freeze: this kernel cannot freeze a cgroup v2 cgroup");
		return v2_freeze(dir, freeze, err);
	case HUSK_CGROUP_LEGACY:
		if (v1_freezer_dir(path, dir, err) < 0)
			return -1;
		return v1_freeze(dir, freeze, err);
	default:
		return husk_error(err, ENOTSUP, "no cgroup hierarchy is mounted at %s: cannot freeze", HUSK_CGROUP_MOUNT);
	}
}

bool husk_cgroup_frozen(const char *path)
{
	char dir[PATH_MAX], state[32];
	snprintf(dir, sizeof(dir), "%s%s", HUSK_CGROUP_MOUNT, path);
	if (read_small(dir, "cgroup.freeze", state, sizeof(state)) == 0)
		return state[0] == '1';
	if (husk_cgroup_v1_dir("freezer", path, dir, sizeof(dir)) < 0 ||
	    read_small(dir, "freezer.state", state, sizeof(state)) < 0)
		return false;
	return strncmp(state, "FROZEN", 6) == 0;
}
