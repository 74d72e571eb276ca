/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SAFE_PATH_H
#define HUSK_SAFE_PATH_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Paths inside a container's root, resolved as if root_fd were "/": an
 * absolute symlink restarts at root_fd, ".." never climbs above it and
 * magic links (/proc/self/fd/N, /proc/N/root) are refused, so nothing a
 * rootfs contains can redirect a lookup to the host.  openat2 with
 * RESOLVE_IN_ROOT does the work; kernels without it get an equivalent
 * component-by-component walk with O_PATH|O_NOFOLLOW.
 *
 * These are syscall-like: they return a file descriptor (O_CLOEXEC) or -1
 * with errno set, so that callers can tell ENOENT from other failures and
 * word the error with the config field in hand.
 */

/* Longest "/proc/self/fd/N" string, with its NUL. */
#define HUSK_FD_PATH_MAX 32

/*
 * Open path (absolute or relative, both taken from root_fd) inside the root.
 * flags are open(2) flags; O_NOFOLLOW applies to the last component only,
 * O_CREAT is refused (use the functions below).
 */
int husk_safe_open(int root_fd, const char *path, int flags);

/* mkdir -p inside the root; returns an O_PATH descriptor of the directory. */
int husk_safe_mkdir_p(int root_fd, const char *path, mode_t mode);

/*
 * The mount target at path: opened as it is when it exists, otherwise
 * created (parents 0755, then an empty directory 0755 when dir, an empty
 * file 0644 otherwise).  Returns an O_PATH descriptor.
 */
int husk_safe_mount_target(int root_fd, const char *path, bool dir);

/* "/proc/self/fd/N" for fd in buf; returns buf. */
char *husk_fd_path(int fd, char buf[HUSK_FD_PATH_MAX]);

/*
 * path made absolute and lexically clean ("a//b/./c/.." -> "/a/b"), ".."
 * clamped at "/".  Returns a new string (caller frees) or NULL on ENOMEM.
 */
char *husk_path_clean(const char *path);

/*
 * Split a clean absolute path into its parent and last component, both in
 * new strings.  "/" has no last component: -1 with EINVAL.
 */
int husk_path_split(const char *clean, char **parent, char **base);

#endif
