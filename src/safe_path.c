/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/safe_path.h"
#include "husk/util.h"

/* As the kernel's own limit on symlinks followed in one lookup. */
#define MAX_SYMLINKS 40
/* openat2 fails with EAGAIN when a rename races a ".." lookup. */
#define OPENAT2_RETRIES 32

char *husk_fd_path(int fd, char buf[HUSK_FD_PATH_MAX])
{
	snprintf(buf, HUSK_FD_PATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}

/* ---- lexical paths ------------------------------------------------------ */

char *husk_path_clean(const char *path)
{
	size_t len = strlen(path);
	char *out = malloc(len + 2);
	if (!out)
		return NULL;
	size_t n = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t clen = (size_t)(end - p);
		if (clen == 0 || (clen == 1 && p[0] == '.')) {
			/* nothing */
		} else if (clen == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			out[n++] = '/';
			memcpy(out + n, p, clen);
			n += clen;
		}
		p = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

int husk_path_split(const char *clean, char **parent, char **base)
{
	const char *slash = strrchr(clean, '/');
	if (!slash || !slash[1]) {
		errno = EINVAL;
		return -1;
	}
	size_t plen = slash == clean ? 1 : (size_t)(slash - clean);
	cleanup_free char *p = strndup(clean, plen);
	char *b = strdup(slash + 1);
	if (!p || !b) {
		free(b);
		errno = ENOMEM;
		return -1;
	}
	*parent = steal_pointer(&p);
	*base = b;
	return 0;
}

/* ---- the walk without openat2 ------------------------------------------ */

enum create_mode {
	CREATE_NONE,
	CREATE_DIRS,        /* every missing component becomes a directory */
	CREATE_FILE,        /* ... except the last, an empty file */
};

struct walk {
	int root_fd;
	struct stat root_st;
	char *rest;         /* what is left to resolve, owned */
	char *pos;          /* next component in rest */
	int cur;            /* directory reached so far, owned */
	int links;
	enum create_mode create;
	mode_t mode;
};

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int reopen_root(struct walk *w)
{
	int fd = openat(w->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (w->cur >= 0 && w->cur != w->root_fd)
		close(w->cur);
	w->cur = fd;
	return 0;
}

static int step_up(struct walk *w)
{
	struct stat st;
	if (fstat(w->cur, &st) < 0)
		return -1;
	if (same_inode(&st, &w->root_st))
		return 0;
	int fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	close(w->cur);
	w->cur = fd;
	return 0;
}

/*
 * A procfs symlink with an absolute target is a magic link (fd/N, root,
 * cwd, exe, ns/...): openat2's RESOLVE_NO_MAGICLINKS refuses those, and so
 * does the walk.  Ordinary procfs links (self, mounts, net) are relative.
 */
static bool is_magic_link(int link_fd, const char *target)
{
	struct statfs sfs;
	if (target[0] != '/')
		return false;
	return fstatfs(link_fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* Splice the target of the symlink link_fd in front of what is left. */
static int follow_link(struct walk *w, int link_fd)
{
	char target[PATH_MAX];
	if (++w->links > MAX_SYMLINKS) {
		errno = ELOOP;
		return -1;
	}
	ssize_t n = readlinkat(link_fd, "", target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (is_magic_link(link_fd, target)) {
		errno = ELOOP;
		return -1;
	}
	size_t rlen = strlen(w->pos);
	char *rest = malloc((size_t)n + rlen + 2);
	if (!rest) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(rest, target, (size_t)n);
	rest[n] = '/';
	memcpy(rest + n + 1, w->pos, rlen + 1);
	free(w->rest);
	w->rest = w->pos = rest;
	if (target[0] == '/')
		return reopen_root(w);
	return 0;
}

static int create_missing(struct walk *w, const char *name, bool last)
{
	if (w->create == CREATE_FILE && last) {
		int fd = openat(w->cur, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_NOCTTY | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno == EEXIST ? 0 : -1;
		close(fd);
		return 0;
	}
	if (mkdirat(w->cur, name, last ? w->mode : 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Take the next component off w->pos into name; false when none is left. */
static bool next_component(struct walk *w, char name[NAME_MAX + 1], bool *last, int *toolong)
{
	while (*w->pos == '/')
		w->pos++;
	if (!*w->pos)
		return false;
	char *end = strchrnul(w->pos, '/');
	size_t len = (size_t)(end - w->pos);
	*toolong = len > NAME_MAX;
	if (!*toolong) {
		memcpy(name, w->pos, len);
		name[len] = '\0';
	}
	w->pos = end;
	while (*end == '/')
		end++;
	*last = !*end;
	return true;
}

/*
 * One component: returns 1 when the walk goes on, 0 when *out holds the
 * result, -1 on error.
 */
static int walk_step(struct walk *w, const char *name, bool last, int flags, int *out)
{
	if (strcmp(name, ".") == 0)
		return 1;
	if (strcmp(name, "..") == 0)
		return step_up(w) < 0 ? -1 : 1;
	int fd = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && w->create != CREATE_NONE) {
		if (create_missing(w, name, last) < 0)
			return -1;
		fd = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	cleanup_close int link = fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW)))
		return follow_link(w, fd) < 0 ? -1 : 1;
	if (!last) {
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
		close(w->cur);
		w->cur = steal_fd(&link);
		return 1;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) {
		errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
		return -1;
	}
	if (flags & O_PATH) {
		*out = steal_fd(&link);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		return -1;
	}
	/* O_NOFOLLOW: a symlink swapped in since the check fails with ELOOP. */
	*out = openat(w->cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
	return *out < 0 ? -1 : 0;
}

/* The walk ended on a directory ("/", "a/.."): that directory is the result. */
static int walk_result_dir(struct walk *w, int flags)
{
	if (flags & O_PATH)
		return openat(w->cur, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return openat(w->cur, ".", (flags & ~O_NOFOLLOW) | O_CLOEXEC);
}

static int walk_in_root(int root_fd, const char *path, int flags, enum create_mode create, mode_t mode)
{
	struct walk w = { .root_fd = root_fd, .cur = -1, .create = create, .mode = mode };
	int ret = -1, saved;
	if (fstat(root_fd, &w.root_st) < 0)
		return -1;
	w.rest = w.pos = strdup(path);
	if (!w.rest) {
		errno = ENOMEM;
		return -1;
	}
	if (reopen_root(&w) < 0)
		goto out;
	for (;;) {
		char name[NAME_MAX + 1];
		bool last;
		int toolong, out = -1;
		if (!next_component(&w, name, &last, &toolong)) {
			ret = walk_result_dir(&w, flags);
			break;
		}
		if (toolong) {
			errno = ENAMETOOLONG;
			break;
		}
		int r = walk_step(&w, name, last, flags, &out);
		if (r <= 0) {
			ret = r == 0 ? out : -1;
			break;
		}
		if (last && !*w.pos) {
			/* "..", "." or a followed link as the final component:
			 * a link's target was spliced into pos, so only the
			 * directory cases end here. */
			ret = walk_result_dir(&w, flags);
			break;
		}
	}
out:
	saved = errno;
	if (w.cur >= 0)
		close(w.cur);
	free(w.rest);
	errno = saved;
	return ret;
}

/* ---- openat2 ------------------------------------------------------------ */

static int openat2_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	for (int i = 0; i < OPENAT2_RETRIES; i++) {
		long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return (int)fd;
	}
	return -1;
}

int husk_safe_open(int root_fd, const char *path, int flags)
{
	/* O_TMPFILE includes O_DIRECTORY's bit. */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		errno = EINVAL;
		return -1;
	}
	if (!*path)
		path = "/";
	int fd = openat2_in_root(root_fd, path, flags);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	return walk_in_root(root_fd, path, flags, CREATE_NONE, 0);
}

int husk_safe_mkdir_p(int root_fd, const char *path, mode_t mode)
{
	int fd = husk_safe_open(root_fd, path, O_PATH | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	/* The walk also creates what a dangling symlink points to, inside
	 * the root, as mkdir -p through a symlink would. */
	return walk_in_root(root_fd, path, O_PATH | O_DIRECTORY, CREATE_DIRS, mode);
}

int husk_safe_mount_target(int root_fd, const char *path, bool dir)
{
	int fd = husk_safe_open(root_fd, path, O_PATH);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	return walk_in_root(root_fd, path, O_PATH, dir ? CREATE_DIRS : CREATE_FILE, 0755);
}
