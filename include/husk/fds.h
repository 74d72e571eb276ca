/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_FDS_H
#define HUSK_FDS_H

/*
 * Keeping the runtime's descriptors out of the container.  close_range(2)
 * first; where it is missing or refused (an old kernel, or a seccomp
 * profile), a walk of /proc/self/fd, then every number up to RLIMIT_NOFILE.
 * No heap: these run in a forked child.
 */
enum husk_fds_action {
	HUSK_FDS_CLOEXEC,       /* mark close-on-exec: still usable until execve */
	HUSK_FDS_CLOSE,
};

/* Every fd >= first except keep (-1: none).  Returns 0, or -1 with errno. */
int husk_fds_from(unsigned int first, int keep, enum husk_fds_action action);

#endif
