/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/fds.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void act(int fd, enum husk_fds_action action)
{
	if (action == HUSK_FDS_CLOSE)
		close(fd);
	else
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int close_range_except(unsigned int first, int keep, enum husk_fds_action action)
{
	unsigned int flags = action == HUSK_FDS_CLOEXEC ? CLOSE_RANGE_CLOEXEC : 0;
	if (keep < 0 || (unsigned int)keep < first)
		return (int)syscall(SYS_close_range, first, ~0U, flags);
	if ((unsigned int)keep > first && syscall(SYS_close_range, first, (unsigned int)keep - 1, flags) < 0)
		return -1;
	return (int)syscall(SYS_close_range, (unsigned int)keep + 1, ~0U, flags);
}

/* The number a /proc/self/fd entry names, or -1 ("." and ".."). */
static int parse_fd_name(const char *s)
{
	int fd = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || fd > (INT_MAX - 9) / 10)
			return -1;
		fd = fd * 10 + (*s - '0');
	}
	return fd;
}

/* One pass over /proc/self/fd; *acted tells whether any fd was touched. */
static int walk_listed_fds(unsigned int first, int keep, enum husk_fds_action action, bool *acted)
{
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	char buf[4096] __attribute__((aligned(8)));
	long n;
	*acted = false;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			int fd = parse_fd_name(d->d_name);
			if (fd < 0 || (unsigned int)fd < first || fd == keep || fd == dir)
				continue;
			act(fd, action);
			*acted = true;
		}
	}
	close(dir);
	return n < 0 ? -1 : 0;
}

static int listed_fds(unsigned int first, int keep, enum husk_fds_action action)
{
	/* Closing while listing may hide entries: list again until a pass
	 * finds nothing left (marking needs one pass). */
	bool acted = true;
	for (int pass = 0; acted && pass < 16; pass++) {
		if (walk_listed_fds(first, keep, action, &acted) < 0)
			return -1;
		if (action == HUSK_FDS_CLOEXEC)
			return 0;
	}
	return 0;
}

static int fds_up_to_limit(unsigned int first, int keep, enum husk_fds_action action)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	/* An unlimited limit is still bounded by the kernel's nr_open. */
	rlim_t max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1 << 20) ? (1 << 20) : rl.rlim_cur;
	for (rlim_t fd = first; fd < max; fd++)
		if ((int)fd != keep)
			act((int)fd, action);
	return 0;
}

int husk_fds_from(unsigned int first, int keep, enum husk_fds_action action)
{
	if (close_range_except(first, keep, action) == 0)
		return 0;
	if (listed_fds(first, keep, action) == 0)
		return 0;
	return fds_up_to_limit(first, keep, action);
}
