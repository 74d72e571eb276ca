/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpcopyup: copying the directory a tmpfs covers into the new tmpfs,
 * with ownership, modes, symlinks and device nodes kept.
 */

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/util.h"
#include "rootfs_internal.h"

/* Deepest directory tree tmpcopyup copies (each level holds descriptors). */
#define COPYUP_MAX_DEPTH 128

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define cleanup_dir __attribute__((cleanup(closedirp)))

static int copy_meta(int fd, const struct stat *st)
{
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0)
		return -1;
	return futimens(fd, times);
}

static int copy_data(int in, int out)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		if (husk_write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
}

static int copy_file(int src, int dst, const char *name, const struct stat *st)
{
	cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return -1;
	cleanup_close int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0 || copy_data(in, out) < 0)
		return -1;
	return copy_meta(out, st);
}

static int copy_symlink(int src, int dst, const char *name, const struct stat *st)
{
	char target[PATH_MAX];
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (symlinkat(target, dst, name) < 0 ||
	    fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return utimensat(dst, name, times, AT_SYMLINK_NOFOLLOW);
}

static int copy_node(int dst, const char *name, const struct stat *st)
{
	if (mknodat(dst, name, st->st_mode, st->st_rdev) < 0 ||
	    fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return fchmodat(dst, name, st->st_mode & 07777, 0);
}

static int copy_subdir(int src, int dst, const char *name, const struct stat *st, int depth, husk_err *err)
{
	if (mkdirat(dst, name, 0700) < 0)
		return husk_error(err, errno, "mkdir %s", name);
	cleanup_close int in = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || out < 0)
		return husk_error(err, errno, "open %s", name);
	if (copy_tree(in, out, depth + 1, err) < 0)
		return husk_error_wrap(err, "%s", name);
	if (copy_meta(out, st) < 0)
		return husk_error(err, errno, "set owner, mode and times of %s", name);
	return 0;
}

/* Copy one directory entry; sockets are left out. */
static int copy_entry(int src, int dst, const char *name, int depth, husk_err *err)
{
	struct stat st;
	int r = 0;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error(err, errno, "stat %s", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_subdir(src, dst, name, &st, depth, err);
	case S_IFREG:
		r = copy_file(src, dst, name, &st);
		break;
	case S_IFLNK:
		r = copy_symlink(src, dst, name, &st);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		r = copy_node(dst, name, &st);
		break;
	}
	if (r < 0)
		return husk_error(err, errno, "copy %s", name);
	return 0;
}

/* Copy the contents of directory src into directory dst, through descriptors only. */
int copy_tree(int src, int dst, int depth, husk_err *err)
{
	if (depth > COPYUP_MAX_DEPTH)
		return husk_error(err, ELOOP, "more than %d directories deep", COPYUP_MAX_DEPTH);
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "open directory");
	cleanup_dir DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return husk_error(err, errno, "read directory");
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de)
			return errno ? husk_error(err, errno, "read directory") : 0;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(src, dst, de->d_name, depth, err) < 0)
			return -1;
	}
}
