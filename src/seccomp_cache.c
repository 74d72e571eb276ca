/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiled seccomp programs, kept under the state root so that a profile
 * is compiled by libseccomp once, not at every create and exec: a filter
 * the size of the engines' default profile costs tens of milliseconds to
 * compile and microseconds to read back.
 *
 * An entry is found by a hash of its key and used only when the key it
 * holds is byte for byte the key wanted, so no collision, crafted or not,
 * can hand one configuration's program to another.  The key is everything
 * the program depends on: the seccomp section as parsed, the husk binary
 * (its inode, size and time), libseccomp's version and API level, and the
 * kernel.  The directory and its files must be the runtime's own and
 * writable by nobody else; anything else is ignored and compiled afresh.
 * Writing is best effort: a full disk costs speed, never a container.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "husk/seccomp.h"
#include "husk/util.h"

#define CACHE_DIR "@seccomp"   /* '@' is never in a container id */
#define CACHE_MAGIC "HUSKBPF1"
#define CACHE_ENTRIES_MAX 256
#define KEY_MAX (8u << 20)
#define FILTER_INSNS_MAX 4096

struct entry_header {
	char magic[8];
	uint32_t key_len;
	uint32_t flags;
	uint16_t len;
	uint8_t notify;
	uint8_t pad[5];
};

/* ---- the key -------------------------------------------------------------- */

struct key {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void key_put(struct key *k, const void *p, size_t n)
{
	if (k->failed)
		return;
	if (k->len + n > k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		while (cap < k->len + n)
			cap *= 2;
		char *buf = cap <= KEY_MAX ? realloc(k->buf, cap) : NULL;
		if (!buf) {
			k->failed = true;
			return;
		}
		k->buf = buf;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

static void key_u64(struct key *k, uint64_t v)
{
	key_put(k, &v, sizeof(v));
}

static void key_str(struct key *k, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	key_u64(k, n);
	key_put(k, s, n);
}

static void key_opt_u32(struct key *k, const husk_opt_u32 *o)
{
	key_u64(k, o->set ? (UINT64_C(1) << 32) | o->v : 0);
}

static int key_environment(struct key *k)
{
	struct stat exe;
	struct utsname u;
	if (stat("/proc/self/exe", &exe) < 0 || uname(&u) < 0)
		return -1;
	const struct scmp_version *v = seccomp_version();
	key_str(k, CACHE_MAGIC);
	key_u64(k, exe.st_dev);
	key_u64(k, exe.st_ino);
	key_u64(k, (uint64_t)exe.st_size);
	key_u64(k, (uint64_t)exe.st_mtim.tv_sec);
	key_u64(k, (uint64_t)exe.st_mtim.tv_nsec);
	key_u64(k, v ? ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro : 0);
	key_u64(k, seccomp_api_get());
	key_str(k, u.release);
	key_str(k, u.version);
	key_str(k, u.machine);
	return 0;
}

static void key_syscall(struct key *k, const struct husk_syscall *sc)
{
	key_u64(k, sc->names.n);
	for (size_t i = 0; i < sc->names.n; i++)
		key_str(k, sc->names.v[i]);
	key_u64(k, (uint64_t)sc->action);
	key_opt_u32(k, &sc->errno_ret);
	key_u64(k, sc->args.n);
	for (size_t i = 0; i < sc->args.n; i++) {
		const struct husk_seccomp_arg *a = &sc->args.v[i];
		key_u64(k, a->index);
		key_u64(k, a->value);
		key_u64(k, a->value_two);
		key_u64(k, (uint64_t)a->op);
	}
}

static int key_make(const struct husk_seccomp *cfg, struct key *k)
{
	if (key_environment(k) < 0)
		return -1;
	key_u64(k, (uint64_t)cfg->default_action);
	key_opt_u32(k, &cfg->default_errno_ret);
	key_u64(k, cfg->architectures.n);
	for (size_t i = 0; i < cfg->architectures.n; i++)
		key_u64(k, (uint64_t)cfg->architectures.v[i]);
	key_u64(k, cfg->flags);
	key_u64(k, cfg->syscalls.n);
	for (size_t i = 0; i < cfg->syscalls.n; i++)
		key_syscall(k, &cfg->syscalls.v[i]);
	return k->failed ? -1 : 0;
}

/* FNV-1a: only names the file; the whole key is compared on use. */
static void key_name(const struct key *k, char name[32])
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0; i < k->len; i++) {
		h ^= (unsigned char)k->buf[i];
		h *= UINT64_C(0x100000001b3);
	}
	snprintf(name, 32, "%016llx.bpf", (unsigned long long)h);
}

/* Compiling warns about an errnoRet wider than 16 bits: such a section
 * is compiled every time, so the warning is never lost. */
static bool cacheable(const struct husk_seccomp *cfg)
{
	if (cfg->default_errno_ret.set && cfg->default_errno_ret.v > 0xffff)
		return false;
	for (size_t i = 0; i < cfg->syscalls.n; i++)
		if (cfg->syscalls.v[i].errno_ret.set && cfg->syscalls.v[i].errno_ret.v > 0xffff)
			return false;
	return true;
}

/* ---- the directory and its entries ------------------------------------------ */

static bool owned_and_private(int fd, mode_t type)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == geteuid() &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

static int open_dir(int rootfd, bool create)
{
	if (create && mkdirat(rootfd, CACHE_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	cleanup_close int fd = openat(rootfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !owned_and_private(fd, S_IFDIR))
		return -1;
	return steal_fd(&fd);
}

static int read_entry(int dirfd, const char *name, char **buf, size_t *size)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || !owned_and_private(fd, S_IFREG))
		return -1;
	if (husk_read_fd(fd, KEY_MAX + 64 * 1024, buf, size, NULL) < 0)
		return -1;
	if (*size < sizeof(struct entry_header)) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

/* The program of the entry, if the entry is of exactly this key. */
static int lookup(int dirfd, const char *name, const struct key *k, struct husk_seccomp_program *out)
{
	cleanup_free char *buf = NULL;
	size_t size;
	if (read_entry(dirfd, name, &buf, &size) < 0)
		return -1;
	struct entry_header h;
	memcpy(&h, buf, sizeof(h));
	size_t filter_size = (size_t)h.len * sizeof(struct sock_filter);
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_len != k->len || h.len == 0 ||
	    h.len > FILTER_INSNS_MAX || size != sizeof(h) + k->len + filter_size ||
	    memcmp(buf + sizeof(h), k->buf, k->len) != 0)
		return -1;
	struct sock_filter *filter = malloc(filter_size);
	if (!filter)
		return -1;
	memcpy(filter, buf + sizeof(h) + k->len, filter_size);
	*out = (struct husk_seccomp_program){ .filter = filter, .len = h.len, .flags = h.flags, .notify = h.notify };
	return 0;
}

static bool dir_full(int dirfd)
{
	DIR *d = fdopendir(dup(dirfd));
	if (!d)
		return true;
	size_t n = 0;
	while (readdir(d) && n <= CACHE_ENTRIES_MAX + 2)
		n++;
	closedir(d);
	return n > CACHE_ENTRIES_MAX + 2;
}

static void store(int dirfd, const char *name, const struct key *k, const struct husk_seccomp_program *p)
{
	if (dir_full(dirfd))
		return;
	char tmp[64];
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	struct entry_header h = { .key_len = (uint32_t)k->len, .flags = p->flags, .len = p->len, .notify = p->notify };
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	bool ok = husk_write_all(fd, &h, sizeof(h)) == 0 && husk_write_all(fd, k->buf, k->len) == 0 &&
		  husk_write_all(fd, p->filter, (size_t)p->len * sizeof(struct sock_filter)) == 0;
	/* Complete or absent: readers only ever see a renamed, whole file. */
	if (!ok || renameat(dirfd, tmp, dirfd, name) < 0)
		unlinkat(dirfd, tmp, 0);
}

int husk_seccomp_compile_cached(int rootfd, const struct husk_seccomp *cfg, const struct husk_log *log,
				struct husk_seccomp_program *out, husk_err *err)
{
	struct key k = { 0 };
	char name[32];
	if (rootfd < 0 || !cacheable(cfg) || key_make(cfg, &k) < 0) {
		free(k.buf);
		return husk_seccomp_compile(cfg, log, out, err);
	}
	key_name(&k, name);
	cleanup_close int dirfd = open_dir(rootfd, true);
	if (dirfd >= 0 && lookup(dirfd, name, &k, out) == 0) {
		husk_debug(log, "seccomp: %u BPF instructions from the cache (%s)", out->len, name);
		free(k.buf);
		return 0;
	}
	int rc = husk_seccomp_compile(cfg, log, out, err);
	if (rc == 0 && dirfd >= 0)
		store(dirfd, name, &k, out);
	free(k.buf);
	return rc;
}
