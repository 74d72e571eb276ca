/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem: mount option parsing and lexical paths as
 * pure units; lookups inside a root (with openat2, and with it blocked so
 * that the component walk runs); and the real mount code, in a forked
 * child that first unshares its mount namespace and makes its tree private,
 * on a throwaway rootfs holding a static busybox.  The child reports back
 * through a pipe: "OK", or what went wrong.  After each such test the
 * test process's own mount table must be as it was and the temporary
 * bundle gone.
 *
 * Inline configs are written with single quotes, which sq() turns into
 * double quotes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/config.h"
#include "husk/mount_options.h"
#include "husk/rootfs.h"
#include "husk/safe_path.h"
#include "husk/util.h"
#include "unit.h"

#define BUSYBOX "/bin/busybox"

static const struct husk_log quiet = { .fd = -1, .format = HUSK_LOG_TEXT, .level = HUSK_LOG_ERROR };

static char *sq(const char *s)
{
	char *d = strdup(s);
	ck_assert_ptr_nonnull(d);
	for (char *c = d; *c; c++)
		if (*c == '\'')
			*c = '"';
	return d;
}

/* ---- mount options ------------------------------------------------------ */

#define STRV(...) ((husk_strv){ .v = (char *[]){ __VA_ARGS__ }, \
	.n = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *) })

static struct husk_mount_options parse_opts(husk_strv v)
{
	struct husk_mount_options o;
	cleanup_error husk_err err = NULL;
	int rc = husk_mount_options_parse(&v, &o, &err);
	ck_assert_msg(rc == 0, "parse failed: %s", err ? err->msg : "?");
	return o;
}

static char *parse_opts_error(husk_strv v)
{
	struct husk_mount_options o;
	cleanup_error husk_err err = NULL;
	ck_assert_int_eq(husk_mount_options_parse(&v, &o, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(o.data);
	return strdup(err->msg);
}

START_TEST(test_options_flags)
{
	cleanup_mount_options struct husk_mount_options o =
		parse_opts(STRV("ro", "nosuid", "nodev", "noexec", "relatime", "defaults"));
	ck_assert_uint_eq(o.flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
	ck_assert_ptr_null(o.data);
	ck_assert(!o.bind && !o.tmpcopyup && !o.idmap);
	ck_assert_uint_eq(o.n_propagation, 0);
	ck_assert_uint_eq(o.attr_set | o.attr_clr, 0);
}
END_TEST

START_TEST(test_options_last_wins)
{
	cleanup_mount_options struct husk_mount_options a =
		parse_opts(STRV("ro", "noexec", "nosuid", "nodev", "rw", "exec", "suid", "dev"));
	ck_assert_uint_eq(a.flags, 0);
	cleanup_mount_options struct husk_mount_options b =
		parse_opts(STRV("rw", "ro", "noatime", "atime", "nosymfollow", "sync", "async", "dirsync"));
	ck_assert_uint_eq(b.flags, MS_RDONLY | MS_NOSYMFOLLOW | MS_DIRSYNC);
}
END_TEST

START_TEST(test_options_data)
{
	cleanup_mount_options struct husk_mount_options o =
		parse_opts(STRV("nosuid", "size=1m", "strictatime", "mode=755", "uid=0"));
	ck_assert_uint_eq(o.flags, MS_NOSUID | MS_STRICTATIME);
	ck_assert_str_eq(o.data, "size=1m,mode=755,uid=0");
}
END_TEST

START_TEST(test_options_bind)
{
	cleanup_mount_options struct husk_mount_options a = parse_opts(STRV("bind", "ro"));
	ck_assert(a.bind);
	ck_assert_uint_eq(a.flags, MS_BIND | MS_RDONLY);
	cleanup_mount_options struct husk_mount_options b = parse_opts(STRV("rbind"));
	ck_assert(b.bind);
	ck_assert_uint_eq(b.flags, MS_BIND | MS_REC);
}
END_TEST

START_TEST(test_options_propagation)
{
	cleanup_mount_options struct husk_mount_options o =
		parse_opts(STRV("rprivate", "shared", "rslave", "unbindable"));
	ck_assert_uint_eq(o.n_propagation, 4);
	ck_assert_uint_eq(o.propagation[0], MS_PRIVATE | MS_REC);
	ck_assert_uint_eq(o.propagation[1], MS_SHARED);
	ck_assert_uint_eq(o.propagation[2], MS_SLAVE | MS_REC);
	ck_assert_uint_eq(o.propagation[3], MS_UNBINDABLE);
	ck_assert_uint_eq(o.flags, 0);
	cleanup_free char *msg =
		parse_opts_error(STRV("private", "shared", "slave", "rshared", "runbindable"));
	ck_assert_str_eq(msg, "options[4] (\"runbindable\"): more than 4 propagation options");
}
END_TEST

START_TEST(test_options_recursive)
{
	cleanup_mount_options struct husk_mount_options a =
		parse_opts(STRV("rro", "rnosuid", "rnoexec", "rrw", "rnodev", "rdev", "rnosymfollow"));
	ck_assert_uint_eq(a.attr_set, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW);
	ck_assert_uint_eq(a.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV);
	ck_assert_uint_eq(a.flags, 0);
	ck_assert_ptr_null(a.data);
	cleanup_mount_options struct husk_mount_options b = parse_opts(STRV("rnoatime", "rnodiratime"));
	ck_assert_uint_eq(b.attr_set, MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME);
	ck_assert_uint_eq(b.attr_clr, MOUNT_ATTR__ATIME);
	/* The atime mode is one value: the last one wins. */
	cleanup_mount_options struct husk_mount_options c = parse_opts(STRV("rnoatime", "rstrictatime"));
	ck_assert_uint_eq(c.attr_set, MOUNT_ATTR_STRICTATIME);
	ck_assert_uint_eq(c.attr_clr, MOUNT_ATTR__ATIME);
	cleanup_mount_options struct husk_mount_options d = parse_opts(STRV("rstrictatime", "rrelatime"));
	ck_assert_uint_eq(d.attr_set, MOUNT_ATTR_RELATIME);
	ck_assert_uint_eq(d.attr_clr, MOUNT_ATTR__ATIME);
	cleanup_mount_options struct husk_mount_options e = parse_opts(STRV("rnorelatime"));
	ck_assert_uint_eq(e.attr_set, MOUNT_ATTR_STRICTATIME);
	cleanup_mount_options struct husk_mount_options f = parse_opts(STRV("rnoatime", "ratime"));
	ck_assert_uint_eq(f.attr_set, MOUNT_ATTR_RELATIME);
	ck_assert_uint_eq(f.attr_clr, MOUNT_ATTR__ATIME);
}
END_TEST

START_TEST(test_options_special)
{
	cleanup_mount_options struct husk_mount_options a = parse_opts(STRV("tmpcopyup", "mode=1777"));
	ck_assert(a.tmpcopyup);
	ck_assert_str_eq(a.data, "mode=1777");
	cleanup_mount_options struct husk_mount_options b = parse_opts(STRV("rbind", "idmap"));
	ck_assert(b.idmap && !b.idmap_recursive);
	cleanup_mount_options struct husk_mount_options c = parse_opts(STRV("rbind", "ridmap"));
	ck_assert(c.idmap && c.idmap_recursive);
	ck_assert_ptr_null(c.data);
}
END_TEST

START_TEST(test_options_errors)
{
	cleanup_free char *a = parse_opts_error(STRV("ro", ""));
	ck_assert_str_eq(a, "options[1] (\"\"): empty option");
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cleanup_free char *b = parse_opts_error(STRV("size=1m", big, big));
	ck_assert_msg(strstr(b, "options[2]") && strstr(b, "longer than 4095 bytes"), "%s", b);
}
END_TEST

START_TEST(test_option_names)
{
	/* Sorted (the parser searches the table), each one honoured: none of
	 * them ends up in the data string. */
	size_t n = 0;
	for (; husk_mount_option_names[n]; n++) {
		const char *name = husk_mount_option_names[n];
		if (n > 0)
			ck_assert_msg(strcmp(husk_mount_option_names[n - 1], name) < 0, "%s out of order", name);
		cleanup_mount_options struct husk_mount_options o = parse_opts(STRV((char *)name));
		ck_assert_msg(o.data == NULL, "%s is passed as data", name);
	}
	/* The spec's MUST options, and its SHOULD ones. */
	static const char *const spec[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"iversion", "lazytime", "loud", "noatime", "nodev", "nodiratime", "noexec",
		"noiversion", "nolazytime", "norelatime", "nostrictatime", "nosuid", "private",
		"rbind", "relatime", "remount", "ro", "rprivate", "rshared", "rslave",
		"runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "sync",
		"unbindable", "nosymfollow", "symfollow", "ratime", "rdev", "rdiratime", "rexec",
		"rnoatime", "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid",
		"rnosymfollow", "rrelatime", "rro", "rrw", "rstrictatime", "rsuid", "rsymfollow",
		"idmap", "ridmap", "tmpcopyup", "mand", "nomand",
		"rnodev",       /* missing from the spec's table, next to rdev */
	};
	for (size_t i = 0; i < ARRAY_SIZE(spec); i++) {
		bool found = false;
		for (size_t k = 0; k < n; k++)
			found = found || strcmp(husk_mount_option_names[k], spec[i]) == 0;
		ck_assert_msg(found, "%s missing", spec[i]);
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(spec));
}
END_TEST

/* ---- lexical paths ------------------------------------------------------ */

static void expect_clean(const char *in, const char *want)
{
	cleanup_free char *got = husk_path_clean(in);
	ck_assert_msg(got && strcmp(got, want) == 0, "clean(\"%s\") = \"%s\", want \"%s\"", in, got, want);
}

START_TEST(test_path_clean)
{
	expect_clean("", "/");
	expect_clean("/", "/");
	expect_clean("//", "/");
	expect_clean("data", "/data");
	expect_clean("a//b/./c/..", "/a/b");
	expect_clean("/../../x", "/x");
	expect_clean("/a/b/../../..", "/");
	expect_clean("/dev/", "/dev");
	expect_clean("./proc/./sys", "/proc/sys");
	expect_clean("/..foo/.bar", "/..foo/.bar");
}
END_TEST

START_TEST(test_path_split)
{
	char *parent, *base;
	ck_assert_int_eq(husk_path_split("/dev/null", &parent, &base), 0);
	ck_assert_str_eq(parent, "/dev");
	ck_assert_str_eq(base, "null");
	free(parent);
	free(base);
	ck_assert_int_eq(husk_path_split("/x", &parent, &base), 0);
	ck_assert_str_eq(parent, "/");
	ck_assert_str_eq(base, "x");
	free(parent);
	free(base);
	errno = 0;
	ck_assert_int_eq(husk_path_split("/", &parent, &base), -1);
	ck_assert_int_eq(errno, EINVAL);
	char buf[HUSK_FD_PATH_MAX];
	ck_assert_str_eq(husk_fd_path(17, buf), "/proc/self/fd/17");
}
END_TEST

/* ---- a child that reports back ------------------------------------------ */

/* In a child: a message for the parent (NULL means success). */
static char *failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static char *failf(const char *file, int line, const char *fmt, ...)
{
	char *msg = NULL, *out = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (asprintf(&out, "%s:%d: %s", file, line, msg ? msg : "?") < 0)
		out = NULL;
	free(msg);
	return out ? out : (char *)"failure (out of memory)";
}

#define FAIL(...) failf(__FILE__, __LINE__, __VA_ARGS__)
#define EXPECT(cond, ...) do { if (!(cond)) return FAIL(__VA_ARGS__); } while (0)

static void write_report(int fd, const char *msg)
{
	if (husk_write_all(fd, msg, strlen(msg)) < 0)
		_exit(3);
}

static char *read_report(int fd, pid_t pid)
{
	char *all = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&all, &size);
	ck_assert_ptr_nonnull(f);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, f);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(f, " [child status 0x%x]", (unsigned)status);
	fclose(f);
	return all;
}

/* Make openat2 fail with ENOSYS in this process, as on kernels before 5.6. */
static char *block_openat2(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return FAIL("seccomp_init");
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return FAIL("seccomp: %s", strerror(-rc));
	struct open_how_probe { uint64_t flags, mode, resolve; } how = { 0, 0, 0 };
	errno = 0;
	EXPECT(syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how)) < 0 && errno == ENOSYS,
	       "openat2 is not blocked");
	return NULL;
}

/* ---- files and fixtures ------------------------------------------------- */

static int write_text(const char *path, const char *text, mode_t mode)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || husk_write_all(fd, text, strlen(text)) < 0)
		return -1;
	return fchmod(fd, mode);
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (in < 0 || out < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (husk_write_all(out, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static char *read_text(const char *path)
{
	char *s = NULL;
	cleanup_error husk_err err = NULL;
	if (husk_read_file(path, 1 << 20, &s, NULL, &err) < 0)
		return NULL;
	return s;
}

struct fx {
	char base[128];          /* the bundle */
	char rootfs[160];
	char *mountinfo;         /* the test process's, before */
};

/*
 * A failed check ends the test process at once (Check's fork mode), so
 * the bundle is removed before failing, never left behind.
 */
static void fx_fail(const struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void fx_fail(const struct fx *f, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	rm_rf(f->base);
	ck_abort_msg("%s", msg ? msg : fmt);
	abort();
}

#define FX_ASSERT(f, cond, ...) do { if (!(cond)) fx_fail((f), __VA_ARGS__); } while (0)

static void fx_path(const struct fx *f, char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", f->base, rel);
}

static void fx_mkdir(const struct fx *f, const char *rel)
{
	char p[PATH_MAX];
	fx_path(f, p, rel);
	FX_ASSERT(f, mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
}

static void fx_write(const struct fx *f, const char *rel, const char *text, mode_t mode)
{
	char p[PATH_MAX];
	fx_path(f, p, rel);
	FX_ASSERT(f, write_text(p, text, mode) == 0, "create %s: %s", p, strerror(errno));
}

static void fx_symlink(const struct fx *f, const char *target, const char *rel)
{
	char p[PATH_MAX];
	fx_path(f, p, rel);
	FX_ASSERT(f, symlink(target, p) == 0, "symlink %s: %s", p, strerror(errno));
}

static void fx_setup(struct fx *f)
{
	ck_assert_msg(access(BUSYBOX, X_OK) == 0, BUSYBOX " is missing: install busybox-static");
	f->mountinfo = read_text("/proc/self/mountinfo");
	ck_assert_ptr_nonnull(f->mountinfo);
	snprintf(f->base, sizeof(f->base), "/tmp/husk-rootfs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->base));
	snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->base);
	fx_mkdir(f, "rootfs");
	fx_mkdir(f, "rootfs/bin");
	char bb[PATH_MAX];
	fx_path(f, bb, "rootfs/bin/busybox");
	FX_ASSERT(f, copy_file(BUSYBOX, bb, 0755) == 0, "copy " BUSYBOX ": %s", strerror(errno));
}

/* The host's mount table as before, the bundle gone. */
static void fx_teardown(struct fx *f)
{
	cleanup_free char *after = read_text("/proc/self/mountinfo");
	FX_ASSERT(f, after && strcmp(f->mountinfo, after) == 0, "the host's mount table changed:\n%s",
		  after ? after : "(unreadable)");
	rm_rf(f->base);
	ck_assert_msg(access(f->base, F_OK) < 0 && errno == ENOENT, "%s was not removed", f->base);
	free(f->mountinfo);
}

/* ---- running prepare + pivot in a child --------------------------------- */

typedef char *(*check_fn)(void);

struct run {
	const char *json;
	bool userns;             /* opts.userns */
	bool real_userns;        /* and really in one, with a pid namespace */
	bool no_pivot;
	bool no_openat2;
	int unshare;             /* more namespaces for the child */
	void (*before)(const struct fx *f); /* in the child, before prepare */
	check_fn check;          /* in the child, after pivot */
};

static char *error_report(const struct husk_error *err)
{
	char *all = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&all, &size);
	if (!f)
		return (char *)"ERROR: (out of memory)";
	fprintf(f, "ERROR:");
	for (; err; err = err->next) {
		cleanup_free char *s = husk_error_string(err);
		fprintf(f, " %s;", s ? s : err->msg);
	}
	fclose(f);
	return all;
}

/* Open descriptors of this process; -1 when /proc is not there to say. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static char *child_main(const struct fx *f, const struct run *run)
{
	if (unshare(CLONE_NEWNS | run->unshare) < 0)
		return FAIL("unshare: %s", strerror(errno));
	/* Nothing done from here on may reach the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return FAIL("make / private: %s", strerror(errno));
	if (run->no_openat2) {
		char *msg = block_openat2();
		if (msg)
			return msg;
	}
	if (run->before)
		run->before(f);
	cleanup_free char *json = strdup(run->json);
	for (char *c = json; c && *c; c++)
		if (*c == '\'')
			*c = '"';
	cleanup_config struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	if (!json || husk_config_parse(json, strlen(json), &quiet, &cfg, &err) < 0)
		return error_report(err);
	struct husk_rootfs_opts o = {
		.bundle = f->base, .rootfs = f->rootfs, .userns = run->userns,
		.no_pivot = run->no_pivot, .log = &quiet,
	};
	int fds = count_fds();
	if (husk_rootfs_prepare(cfg, &o, &err) < 0 || husk_rootfs_pivot(cfg, &o, &err) < 0)
		return error_report(err);
	int fds_after = count_fds();
	EXPECT(fds_after < 0 || fds_after == fds, "%d descriptors open before, %d after", fds, fds_after);
	char cwd[PATH_MAX];
	EXPECT(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0, "cwd is not /");
	EXPECT(access("/bin/busybox", X_OK) == 0, "no /bin/busybox in the new root");
	EXPECT(access(f->rootfs, F_OK) < 0, "the host's %s is visible", f->rootfs);
	char *msg = run->check ? run->check() : NULL;
	return msg ? msg : (char *)"OK";
}

/* What the child reported: "OK", "ERROR: ..." or a failed check. */
static int write_proc_self(const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/%s", file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * A user namespace mapping only root (what an unprivileged process may
 * set up for itself), with mount and pid namespaces it owns.  The host's
 * mounts, copied into it, have their flags locked.  run->before runs
 * first, as real root, in a mount namespace of its own.
 */
static char *enter_user_namespace(const struct fx *f, const struct run *run)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return FAIL("private mount namespace: %s", strerror(errno));
	if (run->before)
		run->before(f);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0)
		return FAIL("unshare a user namespace: %s", strerror(errno));
	if (write_proc_self("setgroups", "deny") < 0 || write_proc_self("uid_map", "0 0 1\n") < 0 ||
	    write_proc_self("gid_map", "0 0 1\n") < 0)
		return FAIL("write the id maps: %s", strerror(errno));
	return NULL;
}

/* In the child: the container side, as PID 1 of a new pid namespace. */
static void run_in_user_namespace(const struct fx *f, const struct run *run, int report)
{
	char *msg = enter_user_namespace(f, run);
	if (msg) {
		write_report(report, msg);
		_exit(0);
	}
	struct run inner = *run;
	inner.before = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		write_report(report, child_main(f, &inner));
		exit(0);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		write_report(report, "fork in the user namespace failed");
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 5);
}

static char *run_child(const struct fx *f, const struct run *run)
{
	int p[2];
	FX_ASSERT(f, pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	pid_t pid = fork();
	FX_ASSERT(f, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		if (run->real_userns)
			run_in_user_namespace(f, run, p[1]);
		write_report(p[1], child_main(f, run));
		exit(0);
	}
	close(p[1]);
	char *msg = read_report(p[0], pid);
	close(p[0]);
	return msg;
}

static void expect_ok(const struct fx *f, const struct run *run)
{
	cleanup_free char *msg = run_child(f, run);
	FX_ASSERT(f, strcmp(msg, "OK") == 0, "%s", msg);
}

static void expect_fail(const struct fx *f, const struct run *run, const char *want)
{
	cleanup_free char *msg = run_child(f, run);
	FX_ASSERT(f, strncmp(msg, "ERROR:", 6) == 0 && strstr(msg, want),
		      "expected an error with \"%s\", got: %s", want, msg);
}

/* ---- what the child checks ---------------------------------------------- */

struct mnt {
	char opts[256];          /* per-mount options */
	char optional[128];      /* shared:N master:N ... */
	char fstype[64];
};

/* The topmost mount at point in this process's mount table. */
static bool find_mount(const char *point, struct mnt *out)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool found = false;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;
		int field = 0;
		struct mnt m = { "", "", "" };
		bool match = false, after_dash = false;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++) {
			if (field == 4)
				match = strcmp(tok, point) == 0;
			else if (field == 5)
				snprintf(m.opts, sizeof(m.opts), "%s", tok);
			else if (field > 5 && !after_dash && strcmp(tok, "-") == 0)
				after_dash = true, field = 100;
			else if (field > 5 && !after_dash)
				snprintf(m.optional + strlen(m.optional), sizeof(m.optional) - strlen(m.optional),
					 "%s ", tok);
			else if (field == 101)
				snprintf(m.fstype, sizeof(m.fstype), "%s", tok);
		}
		if (match) {
			*out = m;
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = opts; (p = strstr(p, opt)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static char *expect_mount(const char *point, const char *fstype, const char *opts)
{
	struct mnt m;
	EXPECT(find_mount(point, &m), "%s is not a mount point", point);
	EXPECT(!fstype || strcmp(m.fstype, fstype) == 0, "%s is %s, not %s", point, m.fstype, fstype);
	if (!opts)
		return NULL;
	cleanup_free char *want = strdup(opts);
	char *save = NULL;
	for (char *o = strtok_r(want, ",", &save); o; o = strtok_r(NULL, ",", &save))
		EXPECT(has_opt(m.opts, o), "%s has options %s, without %s", point, m.opts, o);
	return NULL;
}

static char *expect_node(const char *path, mode_t type, unsigned maj, unsigned min, mode_t mode,
			 uid_t uid, gid_t gid)
{
	struct stat st;
	EXPECT(lstat(path, &st) == 0, "%s: %s", path, strerror(errno));
	EXPECT((st.st_mode & S_IFMT) == type, "%s has type 0%o", path, st.st_mode & S_IFMT);
	EXPECT(type == S_IFIFO || st.st_rdev == makedev(maj, min), "%s is %u:%u", path,
	       major(st.st_rdev), minor(st.st_rdev));
	EXPECT((st.st_mode & 07777) == mode, "%s has mode 0%o", path, st.st_mode & 07777);
	EXPECT(st.st_uid == uid && st.st_gid == gid, "%s is owned by %u:%u", path, st.st_uid, st.st_gid);
	return NULL;
}

static char *expect_link(const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	EXPECT(n >= 0, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
	EXPECT(strcmp(buf, target) == 0, "%s -> %s, not %s", path, buf, target);
	return NULL;
}

static char *expect_fs(const char *path, long magic)
{
	struct statfs sfs;
	EXPECT(statfs(path, &sfs) == 0, "statfs %s: %s", path, strerror(errno));
	EXPECT(sfs.f_type == magic, "%s has fs type 0x%lx", path, (long)sfs.f_type);
	return NULL;
}

/* errno of creating path for writing (0 when it worked). */
static int create_errno(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#define CHECK(call) do { char *_m = (call); if (_m) return _m; } while (0)

/* ---- prepare + pivot ---------------------------------------------------- */

#define CFG(x) "{'ociVersion':'1.0.2','root':{'path':'rootfs'}," x "}"
/* The checks read /proc/self/mountinfo. */
#define PROC_MOUNT "{'destination':'/proc','type':'proc','source':'proc'},"
#define PROC_ONLY "'mounts':[{'destination':'/proc','type':'proc','source':'proc'}],"

/* runc's default mounts (`runc spec`), plus a small /tmp. */
#define RUNC_MOUNTS \
	"{'destination':'/proc','type':'proc','source':'proc'}," \
	"{'destination':'/dev','type':'tmpfs','source':'tmpfs','options':['nosuid','strictatime','mode=755','size=65536k']}," \
	"{'destination':'/dev/pts','type':'devpts','source':'devpts','options':['nosuid','noexec','newinstance','ptmxmode=0666','mode=0620','gid=5']}," \
	"{'destination':'/dev/shm','type':'tmpfs','source':'shm','options':['nosuid','noexec','nodev','mode=1777','size=65536k']}," \
	"{'destination':'/dev/mqueue','type':'mqueue','source':'mqueue','options':['nosuid','noexec','nodev']}," \
	"{'destination':'/sys','type':'sysfs','source':'sysfs','options':['nosuid','noexec','nodev','ro']}," \
	"{'destination':'/tmp','type':'tmpfs','source':'tmpfs','options':['size=1m','nosuid']}"

static char *check_default_dev(void)
{
	static const struct { const char *path; unsigned maj, min; } nodes[] = {
		{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
		CHECK(expect_node(nodes[i].path, S_IFCHR, nodes[i].maj, nodes[i].min, 0666, 0, 0));
	CHECK(expect_link("/dev/fd", "/proc/self/fd"));
	CHECK(expect_link("/dev/stdin", "/proc/self/fd/0"));
	CHECK(expect_link("/dev/stdout", "/proc/self/fd/1"));
	CHECK(expect_link("/dev/stderr", "/proc/self/fd/2"));
	CHECK(expect_link("/dev/ptmx", "pts/ptmx"));
	CHECK(expect_mount("/dev", "tmpfs", "nosuid"));
	CHECK(expect_mount("/dev/pts", "devpts", NULL));
	CHECK(expect_mount("/dev/shm", "tmpfs", "nosuid,nodev,noexec"));
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	EXPECT(fd >= 0, "open /dev/ptmx: %s", strerror(errno));
	close(fd);
	return NULL;
}

static char *check_runc_defaults(void)
{
	CHECK(expect_mount("/", NULL, NULL));
	CHECK(expect_mount("/proc", "proc", NULL));
	CHECK(expect_fs("/proc", PROC_SUPER_MAGIC));
	CHECK(expect_mount("/sys", "sysfs", "ro,nosuid,nodev,noexec"));
	CHECK(expect_mount("/dev/mqueue", "mqueue", "nosuid,nodev,noexec"));
	CHECK(expect_mount("/tmp", "tmpfs", "nosuid"));
	CHECK(check_default_dev());
	/* tmpfs size=1m is enforced. */
	int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	EXPECT(fd >= 0, "create /tmp/big: %s", strerror(errno));
	char buf[65536] = { 0 };
	int e = 0;
	for (int i = 0; i < 64 && !e; i++)
		if (write(fd, buf, sizeof(buf)) < 0)
			e = errno;
	close(fd);
	EXPECT(e == ENOSPC, "writing 4 MiB to a 1 MiB tmpfs: %s", e ? strerror(e) : "no error");
	/* The container's root is a writable mount. */
	EXPECT(create_errno("/rootfile") == 0, "create /rootfile: %s", strerror(create_errno("/rootfile")));
	return NULL;
}

START_TEST(test_runc_defaults)
{
	struct fx f;
	fx_setup(&f);
	struct run run = { .json = CFG("'mounts':[" RUNC_MOUNTS "]"), .check = check_runc_defaults };
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_runc_defaults_without_openat2)
{
	struct fx f;
	fx_setup(&f);
	struct run run = { .json = CFG("'mounts':[" RUNC_MOUNTS "]"), .check = check_runc_defaults,
			   .no_openat2 = true };
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_no_pivot)
{
	struct fx f;
	fx_setup(&f);
	struct run run = { .json = CFG("'mounts':[" RUNC_MOUNTS "]"), .check = check_runc_defaults,
			   .no_pivot = true };
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

static char *check_husk_dev(void)
{
	CHECK(check_default_dev());
	CHECK(expect_mount("/dev", "tmpfs", "nosuid"));
	struct stat st;
	EXPECT(stat("/dev", &st) == 0 && (st.st_mode & 07777) == 0755, "/dev mode 0%o", st.st_mode & 07777);
	EXPECT(stat("/dev/shm", &st) == 0 && (st.st_mode & 07777) == 01777, "/dev/shm mode 0%o",
	       st.st_mode & 07777);
	return NULL;
}

START_TEST(test_default_dev)
{
	struct fx f;
	fx_setup(&f);
	struct run run = {
		.json = CFG("'mounts':[{'destination':'/proc','type':'proc','source':'proc'}]"),
		.check = check_husk_dev,
	};
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

static char *check_userns_dev(void)
{
	/* Host nodes bound onto empty files: still the real devices. */
	CHECK(expect_mount("/dev/null", NULL, NULL));
	CHECK(expect_mount("/dev/tty", NULL, NULL));
	struct stat st;
	EXPECT(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
	       "/dev/null is not the null device");
	EXPECT(stat("/dev/full", &st) == 0 && st.st_rdev == makedev(1, 7), "/dev/full");
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	char c = 1;
	EXPECT(fd >= 0 && read(fd, &c, 1) == 1 && c == 0, "read /dev/zero");
	close(fd);
	return NULL;
}

START_TEST(test_userns_binds_devices)
{
	struct fx f;
	fx_setup(&f);
	struct run run = {
		.json = CFG("'mounts':[{'destination':'/proc','type':'proc','source':'proc'}],"
			    "'linux':{'devices':[{'path':'/dev/full','type':'c','major':1,'minor':7}]}"),
		.userns = true, .check = check_userns_dev,
	};
	expect_ok(&f, &run);
	/* The host's node at the same path must be the device asked for. */
	struct run bad = {
		.json = CFG("'linux':{'devices':[{'path':'/dev/full','type':'c','major':1,'minor':8}]}"),
		.userns = true,
	};
	expect_fail(&f, &bad, "linux.devices[0] (/dev/full): the host's node at this path is not "
		    "the character device 1:8");
	fx_teardown(&f);
}
END_TEST

static char *check_readonly_root(void)
{
	CHECK(expect_mount("/", NULL, "ro"));
	EXPECT(create_errno("/newfile") == EROFS, "create /newfile: %s", strerror(create_errno("/newfile")));
	EXPECT(mkdir("/newdir", 0755) < 0 && errno == EROFS, "mkdir /newdir");
	EXPECT(create_errno("/tmp/ok") == 0, "the tmpfs on /tmp is not writable");
	return NULL;
}

START_TEST(test_readonly_root)
{
	struct fx f;
	fx_setup(&f);
	struct run run = {
		.json = "{'ociVersion':'1.0.2','root':{'path':'rootfs','readonly':true},"
			"'mounts':[" PROC_MOUNT "{'destination':'/tmp','type':'tmpfs','source':'tmpfs'}]}",
		.check = check_readonly_root,
	};
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

/* exec of path with args; returns errno of execve, or 0 when it ran and exited 0. */
static int try_exec(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		char *argv[] = { (char *)"true", NULL };
		char *envp[] = { NULL };
		execve(path, argv, envp);
		_exit(100 + errno);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) >= 100 ? WEXITSTATUS(status) - 100 : WEXITSTATUS(status);
}

static char *check_noexec(void)
{
	CHECK(expect_mount("/noexec", "tmpfs", "noexec"));
	EXPECT(copy_file("/bin/busybox", "/noexec/bb", 0755) == 0, "copy busybox to /noexec");
	EXPECT(copy_file("/bin/busybox", "/exec/bb", 0755) == 0, "copy busybox to /exec");
	int e = try_exec("/noexec/bb");
	EXPECT(e == EACCES, "exec from a noexec tmpfs: %s", e > 0 ? strerror(e) : "it ran");
	e = try_exec("/exec/bb");
	EXPECT(e == 0, "exec from a tmpfs: %d", e);
	return NULL;
}

START_TEST(test_noexec_tmpfs)
{
	struct fx f;
	fx_setup(&f);
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/noexec','type':'tmpfs','source':'tmpfs','options':['noexec','size=8m']},"
			    "{'destination':'/exec','type':'tmpfs','source':'tmpfs','options':['exec','size=8m']}]"),
		.check = check_noexec,
	};
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

/* A submount inside the bind source, in the child's namespace only. */
static void mount_data_sub(const struct fx *f)
{
	char p[PATH_MAX];
	fx_path(f, p, "data/sub");
	if (mount("tmpfs", p, "tmpfs", 0, "size=1m") < 0)
		_exit(4);
}

static char *check_binds(void)
{
	cleanup_free char *hello = read_text("/data-ro/hello");
	EXPECT(hello && strcmp(hello, "hello\n") == 0, "/data-ro/hello: %s", hello ? hello : strerror(errno));
	CHECK(expect_mount("/data-ro", NULL, "ro"));
	EXPECT(create_errno("/data-ro/x") == EROFS, "write into a ro bind");
	/* ro is not recursive: the submount stays writable. */
	EXPECT(create_errno("/data-ro/sub/x") == 0, "write into the submount of a ro rbind");
	/* rro is. */
	CHECK(expect_mount("/data-rro/sub", "tmpfs", "ro"));
	EXPECT(create_errno("/data-rro/sub/y") == EROFS, "write into the submount of an rro rbind");
	/* nosuid alone: remounted nosuid, still writable. */
	CHECK(expect_mount("/data-rw", NULL, "nosuid"));
	EXPECT(create_errno("/data-rw/written") == 0, "write into a rw bind");
	/* A file source gets a file target. */
	cleanup_free char *file = read_text("/etc/hostfile");
	EXPECT(file && strcmp(file, "hello\n") == 0, "/etc/hostfile");
	CHECK(expect_mount("/etc/hostfile", NULL, "ro"));
	/* type "bind" alone is a bind too. */
	EXPECT(access("/typebind/hello", F_OK) == 0, "/typebind/hello");
	/* Propagation options. */
	struct mnt m;
	EXPECT(find_mount("/shared", &m) && strstr(m.optional, "shared:"), "/shared is not shared: %s",
	       m.optional);
	EXPECT(find_mount("/unbindable", &m) && strstr(m.optional, "unbindable"), "/unbindable: %s",
	       m.optional);
	return NULL;
}

START_TEST(test_bind_mounts)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "data");
	fx_mkdir(&f, "data/sub");
	fx_write(&f, "data/hello", "hello\n", 0644);
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/data-ro','source':'data','options':['rbind','ro']},"
			    "{'destination':'/data-rro','type':'none','source':'data','options':['rbind','rro']},"
			    "{'destination':'/data-rw','type':'bind','source':'data','options':['bind','nosuid']},"
			    "{'destination':'/etc/hostfile','source':'data/hello','options':['bind','ro']},"
			    "{'destination':'typebind','type':'bind','source':'data'},"
			    "{'destination':'/shared','type':'tmpfs','source':'tmpfs','options':['shared']},"
			    "{'destination':'/unbindable','type':'tmpfs','source':'tmpfs','options':['unbindable']}]"),
		.before = mount_data_sub, .check = check_binds,
	};
	expect_ok(&f, &run);
	char p[PATH_MAX];
	fx_path(&f, p, "data/written");
	FX_ASSERT(&f, access(p, F_OK) == 0, "a write through the rw bind did not reach the source");
	fx_path(&f, p, "rootfs/etc/hostfile");
	FX_ASSERT(&f, access(p, F_OK) == 0, "no file target for a file bind");
	fx_teardown(&f);
}
END_TEST

/* ---- symlinks in the rootfs --------------------------------------------- */

static char *escape_json(const char *tag)
{
	char *json = NULL;
	ck_assert_int_ge(asprintf(&json, CFG(
		"'mounts':[" PROC_MOUNT
		"{'destination':'/evil/%s-x','type':'tmpfs','source':'tmpfs'},"
		"{'destination':'/evil2/y','type':'tmpfs','source':'tmpfs'},"
		"{'destination':'/evil2/bound','source':'data','options':['bind']},"
		"{'destination':'/evil3','type':'tmpfs','source':'tmpfs'}],"
		"'linux':{'devices':[{'path':'/evil/%s-dev','type':'c','major':1,'minor':3},"
		"{'path':'/evil2/dev2','type':'c','major':1,'minor':5}],"
		"'maskedPaths':['/evil/etc'],'readonlyPaths':['/evil2']}"), tag, tag), 0);
	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	return json;
}

/* Names unique to the test process, for files that must not appear in
 * the host's /; the child names them by its parent. */
static void escape_tag(char tag[64], pid_t test_pid)
{
	snprintf(tag, 64, "husk-escape-%d", (int)test_pid);
}

static char *check_escape_inside(void)
{
	char p[PATH_MAX], tag[64];
	escape_tag(tag, getppid());
	snprintf(p, sizeof(p), "/%s-x", tag);
	CHECK(expect_fs(p, TMPFS_MAGIC));
	snprintf(p, sizeof(p), "/%s-dev", tag);
	CHECK(expect_node(p, S_IFCHR, 1, 3, 0666, 0, 0));
	return NULL;
}

/*
 * rootfs/evil -> /, rootfs/evil2 -> ../../../(host dir), rootfs/evil3 ->
 * the host dir by absolute path: every mount, node and mask must land in
 * the rootfs, and the host dir must stay empty.
 */
static void escape_test(bool no_openat2)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "data");
	fx_mkdir(&f, "hostdir");
	fx_mkdir(&f, "rootfs/etc");
	char hostdir[PATH_MAX], up[PATH_MAX * 2];
	fx_path(&f, hostdir, "hostdir");
	snprintf(up, sizeof(up), "../../../../../../../..%s", hostdir);
	fx_symlink(&f, "/", "rootfs/evil");
	fx_symlink(&f, up, "rootfs/evil2");
	fx_symlink(&f, hostdir, "rootfs/evil3");
	char tag[64], p[PATH_MAX * 2];
	escape_tag(tag, getpid());
	cleanup_free char *json = escape_json(tag);
	struct run run = { .json = json, .no_openat2 = no_openat2, .check = check_escape_inside };
	snprintf(p, sizeof(p), "/%s-x", tag);
	FX_ASSERT(&f, access(p, F_OK) < 0, "%s exists before the test", p);
	cleanup_free char *msg = run_child(&f, &run);
	FX_ASSERT(&f, strcmp(msg, "OK") == 0, "%s", msg);
	DIR *d = opendir(hostdir);
	FX_ASSERT(&f, d, "opendir %s: %s", hostdir, strerror(errno));
	struct dirent *de;
	while ((de = readdir(d)))
		FX_ASSERT(&f, de->d_name[0] == '.', "%s/%s was created on the host", hostdir, de->d_name);
	closedir(d);
	snprintf(p, sizeof(p), "/%s-x", tag);
	FX_ASSERT(&f, access(p, F_OK) < 0, "%s was created on the host", p);
	snprintf(p, sizeof(p), "/%s-dev", tag);
	FX_ASSERT(&f, access(p, F_OK) < 0, "%s was created on the host", p);
	/* Inside the rootfs instead. */
	snprintf(p, sizeof(p), "%s/%s-x", f.rootfs, tag);
	FX_ASSERT(&f, access(p, F_OK) == 0, "%s missing", p);
	snprintf(p, sizeof(p), "%s%s/y", f.rootfs, hostdir);
	FX_ASSERT(&f, access(p, F_OK) == 0, "%s missing", p);
	fx_teardown(&f);
}

START_TEST(test_symlink_escape)
{
	escape_test(false);
}
END_TEST

START_TEST(test_symlink_escape_without_openat2)
{
	escape_test(true);
}
END_TEST

/* ---- /proc rules -------------------------------------------------------- */

static char *check_cpuinfo(void)
{
	cleanup_free char *s = read_text("/proc/cpuinfo");
	EXPECT(s && strcmp(s, "fake cpuinfo\n") == 0, "/proc/cpuinfo: %s", s ? s : strerror(errno));
	return NULL;
}

START_TEST(test_proc_rules)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "data");
	fx_write(&f, "cpuinfo", "fake cpuinfo\n", 0644);
	struct run allowed = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/proc/cpuinfo','source':'cpuinfo','options':['bind','ro']}]"),
		.check = check_cpuinfo,
	};
	expect_ok(&f, &allowed);
	struct run into_sys = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/proc/sys','source':'data','options':['rbind']}]"),
	};
	expect_fail(&f, &into_sys, "mounts[1] (/proc/sys): /proc/sys is inside procfs");
	struct run over_proc = {
		.json = CFG("'mounts':[{'destination':'/proc','type':'tmpfs','source':'tmpfs'}]"),
	};
	expect_fail(&f, &over_proc, "mounts[0] (/proc): only a proc mount may cover /proc");
	struct run bind_proc = {
		.json = CFG("'mounts':[{'destination':'/proc','source':'data','options':['rbind']}]"),
	};
	expect_fail(&f, &bind_proc, "mounts[0] (/proc): only a proc mount may cover /proc");
	/* Through a symlink into the proc mount, checked where it resolves. */
	fx_symlink(&f, "/proc", "rootfs/p2");
	struct run via_link = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/p2/sys/kernel','type':'tmpfs','source':'tmpfs'}]"),
	};
	expect_fail(&f, &via_link, "/proc/sys/kernel is inside procfs");
	fx_teardown(&f);
}
END_TEST

START_TEST(test_proc_on_symlink)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "rootfs/elsewhere");
	fx_symlink(&f, "/elsewhere", "rootfs/proc");
	struct run run = { .json = CFG("'mounts':[" PROC_MOUNT "{'destination':'/x','type':'tmpfs'}]") };
	expect_fail(&f, &run, "mounts[0] (/proc): proc must be mounted on a plain directory");
	fx_teardown(&f);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_mount_errors)
{
	struct fx f;
	fx_setup(&f);
	struct run bad_size = {
		.json = CFG("'mounts':[{'destination':'/t','type':'tmpfs','source':'tmpfs','options':['size=bogus']}]"),
	};
	expect_fail(&f, &bad_size, "mounts[0] (/t): mount tmpfs: Invalid argument");
	struct run no_source = { .json = CFG("'mounts':[{'destination':'/b','options':['bind']}]") };
	expect_fail(&f, &no_source, "mounts[0] (/b): a bind mount needs a source");
	struct run missing = {
		.json = CFG("'mounts':[{'destination':'/b','source':'/nonexistent-husk','options':['bind']}]"),
	};
	expect_fail(&f, &missing, "mounts[0] (/b): open source /nonexistent-husk: No such file or directory");
	struct run no_type = { .json = CFG("'mounts':[{'destination':'/b','source':'x'}]") };
	expect_fail(&f, &no_type, "mounts[0] (/b): no type, and not a bind mount");
	struct run copyup = {
		.json = CFG("'mounts':[{'destination':'/b','type':'proc','options':['tmpcopyup']}]"),
	};
	expect_fail(&f, &copyup, "mounts[0] (/b): tmpcopyup is for tmpfs mounts only");
	struct run empty = {
		.json = CFG("'mounts':[{'destination':'/b','type':'tmpfs','options':['ro','']}]"),
	};
	expect_fail(&f, &empty, "mounts[0] (/b): options[1] (\"\"): empty option");
	fx_teardown(&f);
}
END_TEST

/* ---- devices ------------------------------------------------------------ */

static char *check_devices(void)
{
	CHECK(expect_node("/dev/mynull", S_IFCHR, 1, 3, 0600, 1000, 1001));
	CHECK(expect_node("/run/fifo", S_IFIFO, 0, 0, 0644, 0, 0));
	CHECK(expect_node("/dev/loopx", S_IFBLK, 7, 0, 0666, 0, 0));
	CHECK(expect_node("/dev/null", S_IFCHR, 1, 3, 0620, 0, 5));
	CHECK(expect_node("/dev/sub/dir/zero", S_IFCHR, 1, 5, 0640, 0, 0));
	CHECK(expect_node("/existing", S_IFCHR, 1, 7, 0604, 2, 3));
	int fd = open("/dev/mynull", O_WRONLY | O_CLOEXEC);
	EXPECT(fd >= 0 && write(fd, "x", 1) == 1, "write /dev/mynull");
	close(fd);
	return NULL;
}

START_TEST(test_devices)
{
	struct fx f;
	fx_setup(&f);
	char p[PATH_MAX];
	fx_path(&f, p, "rootfs/existing");
	FX_ASSERT(&f, mknod(p, S_IFCHR | 0600, makedev(1, 7)) == 0, "mknod %s: %s", p, strerror(errno));
	struct run run = {
		.json = CFG(PROC_ONLY "'linux':{'devices':["
			    "{'path':'/dev/mynull','type':'c','major':1,'minor':3,'fileMode':384,'uid':1000,'gid':1001},"
			    "{'path':'/run/fifo','type':'p','fileMode':420},"
			    "{'path':'/dev/loopx','type':'b','major':7,'minor':0},"
			    "{'path':'/dev/null','type':'c','major':1,'minor':3,'fileMode':400,'gid':5},"
			    "{'path':'/dev/sub/dir/zero','type':'u','major':1,'minor':5,'fileMode':416},"
			    "{'path':'/existing','type':'c','major':1,'minor':7,'fileMode':388,'uid':2,'gid':3}]}"),
		.check = check_devices,
	};
	expect_ok(&f, &run);
	fx_write(&f, "rootfs/notdev", "", 0644);
	struct run mismatch = {
		.json = CFG("'linux':{'devices':[{'path':'/notdev','type':'c','major':1,'minor':3}]}"),
	};
	expect_fail(&f, &mismatch, "linux.devices[0] (/notdev): the file already there is not the "
		    "character device 1:3");
	struct run wrong_dev = {
		.json = CFG("'linux':{'devices':[{'path':'/existing','type':'c','major':1,'minor':3}]}"),
	};
	expect_fail(&f, &wrong_dev, "linux.devices[0] (/existing): the file already there is not");
	fx_teardown(&f);
}
END_TEST

/* ---- maskedPaths, readonlyPaths ----------------------------------------- */

static char *check_masked(void)
{
	char buf[16];
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	EXPECT(fd < 0 || read(fd, buf, sizeof(buf)) == 0, "/proc/kcore is readable");
	if (fd >= 0)
		close(fd);
	cleanup_free char *secret = read_text("/secret");
	EXPECT(secret && !*secret, "/secret: \"%s\"", secret ? secret : strerror(errno));
	DIR *d = opendir("/secretdir");
	EXPECT(d, "opendir /secretdir: %s", strerror(errno));
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	EXPECT(n == 0, "/secretdir shows %d entries", n);
	EXPECT(create_errno("/secretdir/x") == EROFS, "write into masked /secretdir");
	CHECK(expect_mount("/proc/sys", "proc", "ro,nosuid,nodev,noexec"));
	fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
	EXPECT(fd < 0 && errno == EROFS, "open /proc/sys/kernel/hostname for writing: %s",
	       fd < 0 ? strerror(errno) : "it worked");
	CHECK(expect_mount("/ro", NULL, "ro,nosuid,nodev,noexec"));
	EXPECT(create_errno("/ro/x") == EROFS, "write into readonly /ro");
	/* The rest of the root stays writable. */
	EXPECT(create_errno("/writable") == 0, "create /writable");
	return NULL;
}

START_TEST(test_masked_and_readonly_paths)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "rootfs/secretdir");
	fx_mkdir(&f, "rootfs/ro");
	fx_write(&f, "rootfs/secretdir/key", "key\n", 0600);
	fx_write(&f, "rootfs/secret", "secret\n", 0600);
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/dev','type':'tmpfs','source':'tmpfs','options':['nosuid','mode=755']}],"
			    "'linux':{'maskedPaths':['/proc/kcore','/proc/acpi','/proc/nonexistent','/secretdir',"
			    "'/secret','/nonexistent/deeper'],"
			    "'readonlyPaths':['/proc/sys','/proc/bus','/nonexistent','/ro']}"),
		.check = check_masked,
	};
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_mask_needs_real_null)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "fakedev");
	fx_write(&f, "fakedev/null", "", 0666);
	fx_write(&f, "rootfs/secret", "secret\n", 0600);
	struct run run = {
		.json = CFG("'mounts':[{'destination':'/dev','source':'fakedev','options':['rbind']}],"
			    "'linux':{'maskedPaths':['/secret']}"),
	};
	expect_fail(&f, &run, "maskedPaths: /dev/null in the rootfs is not the null device");
	fx_teardown(&f);
}
END_TEST

START_TEST(test_mask_needs_real_proc)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "data");
	/* A proc mount, then a later mount over the whole of it. */
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT "{'destination':'/proc/sys','type':'proc'}],"
			    "'linux':{'maskedPaths':['/proc/kcore']}"),
	};
	expect_fail(&f, &run, "/proc/sys is inside procfs");
	fx_teardown(&f);
}
END_TEST

/* ---- sysctl ------------------------------------------------------------- */

static char *check_sysctl(void)
{
	cleanup_free char *v = read_text("/proc/sys/kernel/shmmni");
	EXPECT(v && atoi(v) == 1234, "kernel.shmmni = %s", v ? v : strerror(errno));
	cleanup_free char *w = read_text("/proc/sys/fs/mqueue/msg_max");
	EXPECT(w && atoi(w) == 20, "fs.mqueue.msg_max = %s", w ? w : strerror(errno));
	return NULL;
}

START_TEST(test_sysctl)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "rootfs/proc");
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT "{'destination':'/x','type':'tmpfs'}],"
			    "'linux':{'namespaces':[{'type':'mount'},{'type':'ipc'}],"
			    "'sysctl':{'kernel.shmmni':'1234','fs/mqueue/msg_max':'20'}}"),
		.unshare = CLONE_NEWIPC, .check = check_sysctl,
	};
	expect_ok(&f, &run);
	struct run no_proc = {
		.json = CFG("'linux':{'namespaces':[{'type':'ipc'}],'sysctl':{'kernel.shmmni':'1234'}}"),
		.unshare = CLONE_NEWIPC,
	};
	expect_fail(&f, &no_proc, "linux.sysctl: /proc in the rootfs is not a procfs mount");
	fx_teardown(&f);
}
END_TEST

static char *sysctl_errors(const char *json)
{
	cleanup_free char *text = sq(json);
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	ck_assert_int_eq(husk_config_parse(text, strlen(text), &quiet, &cfg, &err), 0);
	int rc = husk_rootfs_check_sysctl(cfg, &err);
	husk_config_free(&cfg);
	if (rc == 0)
		return NULL;
	char *all = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&all, &size);
	for (const struct husk_error *e = err; e; e = e->next)
		fprintf(f, "%s\n", e->msg);
	fclose(f);
	return all;
}

START_TEST(test_sysctl_validation)
{
	cleanup_free char *a = sysctl_errors(CFG("'linux':{'sysctl':{'vm.swappiness':'10'}}"));
	ck_assert_str_eq(a, "linux.sysctl[\"vm.swappiness\"]: not a namespaced sysctl\n");
	cleanup_free char *b = sysctl_errors(CFG("'linux':{'sysctl':{'net.ipv4.ip_forward':'1',"
						  "'kernel.shmmax':'1','kernel.domainname':'x'}}"));
	ck_assert_str_eq(b, "linux.sysctl[\"net.ipv4.ip_forward\"]: needs a network namespace\n"
			 "linux.sysctl[\"kernel.shmmax\"]: needs an ipc namespace\n"
			 "linux.sysctl[\"kernel.domainname\"]: not a namespaced sysctl\n");
	cleanup_free char *c = sysctl_errors(CFG("'linux':{'namespaces':[{'type':'network'},{'type':'ipc'},"
						  "{'type':'uts'}],'sysctl':{'net.ipv4.ip_forward':'1',"
						  "'net/ipv4/conf/eth0.100/forwarding':'1','kernel.msgmax':'1',"
						  "'fs.mqueue.queues_max':'1','kernel.domainname':'x'}}"));
	ck_assert_ptr_null(c);
	cleanup_free char *d = sysctl_errors(CFG("'linux':{'namespaces':[{'type':'network'},{'type':'uts'}],"
						  "'sysctl':{'net/../kernel/core_pattern':'x','net..x':'1',"
						  "'kernel.hostname':'h'}}"));
	ck_assert_str_eq(d, "linux.sysctl[\"net/../kernel/core_pattern\"]: not a sysctl name\n"
			 "linux.sysctl[\"net..x\"]: not a sysctl name\n"
			 "linux.sysctl[\"kernel.hostname\"]: conflicts with the hostname field\n");
}
END_TEST

/* ---- tmpcopyup ---------------------------------------------------------- */

static char *check_copyup(void)
{
	CHECK(expect_fs("/etc/tc", TMPFS_MAGIC));
	cleanup_free char *a = read_text("/etc/tc/a");
	EXPECT(a && strcmp(a, "A\n") == 0, "/etc/tc/a");
	cleanup_free char *b = read_text("/etc/tc/sub/b");
	EXPECT(b && strcmp(b, "B\n") == 0, "/etc/tc/sub/b");
	CHECK(expect_link("/etc/tc/link", "a"));
	struct stat st;
	EXPECT(stat("/etc/tc/a", &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_uid == 12,
	       "/etc/tc/a mode 0%o uid %u", st.st_mode & 07777, st.st_uid);
	EXPECT(stat("/etc/tc/sub", &st) == 0 && (st.st_mode & 07777) == 0710, "/etc/tc/sub mode 0%o",
	       st.st_mode & 07777);
	EXPECT(create_errno("/etc/tc/new") == 0, "write into the tmpcopyup tmpfs");
	CHECK(expect_fs("/etc/ro", TMPFS_MAGIC));
	cleanup_free char *c = read_text("/etc/ro/c");
	EXPECT(c && strcmp(c, "C\n") == 0, "/etc/ro/c");
	EXPECT(create_errno("/etc/ro/new") == EROFS, "write into a ro tmpcopyup tmpfs");
	return NULL;
}

START_TEST(test_tmpcopyup)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "rootfs/etc");
	fx_mkdir(&f, "rootfs/etc/tc");
	fx_mkdir(&f, "rootfs/etc/tc/sub");
	fx_mkdir(&f, "rootfs/etc/ro");
	fx_write(&f, "rootfs/etc/tc/a", "A\n", 0640);
	fx_write(&f, "rootfs/etc/tc/sub/b", "B\n", 0644);
	fx_write(&f, "rootfs/etc/ro/c", "C\n", 0644);
	fx_symlink(&f, "a", "rootfs/etc/tc/link");
	char p[PATH_MAX];
	fx_path(&f, p, "rootfs/etc/tc/a");
	FX_ASSERT(&f, chown(p, 12, 13) == 0, "chown %s: %s", p, strerror(errno));
	fx_path(&f, p, "rootfs/etc/tc/sub");
	FX_ASSERT(&f, chmod(p, 0710) == 0, "chmod %s: %s", p, strerror(errno));
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/etc/tc','type':'tmpfs','source':'tmpfs','options':['tmpcopyup','mode=755']},"
			    "{'destination':'/etc/ro','type':'tmpfs','source':'tmpfs','options':['tmpcopyup','ro']}]"),
		.check = check_copyup,
	};
	expect_ok(&f, &run);
	fx_path(&f, p, "rootfs/etc/tc/new");
	FX_ASSERT(&f, access(p, F_OK) < 0, "a write to the tmpfs reached the rootfs");
	fx_teardown(&f);
}
END_TEST

/* ---- idmapped mounts ---------------------------------------------------- */

static char *check_idmap(void)
{
	struct stat st;
	EXPECT(stat("/idm/hello", &st) == 0, "stat /idm/hello: %s", strerror(errno));
	EXPECT(st.st_uid == 1000 && st.st_gid == 2000, "/idm/hello is %u:%u", st.st_uid, st.st_gid);
	EXPECT(stat("/plain/hello", &st) == 0 && st.st_uid == 0, "/plain/hello is %u", st.st_uid);
	return NULL;
}

START_TEST(test_idmap)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "data");
	fx_write(&f, "data/hello", "hello\n", 0644);
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT "{'destination':'/idm','source':'data','options':['rbind','idmap'],"
			    "'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
			    "'gidMappings':[{'containerID':0,'hostID':2000,'size':1}]},"
			    "{'destination':'/plain','source':'data','options':['rbind']}],"
			    "'linux':{'namespaces':[{'type':'mount'}]}"),
		.check = check_idmap,
	};
	expect_ok(&f, &run);
	struct run no_maps = {
		.json = CFG("'mounts':[{'destination':'/idm','source':'data','options':['bind','idmap']}]"),
	};
	expect_fail(&f, &no_maps, "mounts[0] (/idm): idmap needs uidMappings and gidMappings");
	struct run not_bind = {
		.json = CFG("'mounts':[{'destination':'/idm','type':'tmpfs','options':['idmap']}]"),
	};
	expect_fail(&f, &not_bind, "mounts[0] (/idm): idmap and ridmap are for bind mounts only");
	fx_teardown(&f);
}
END_TEST

/* ---- cgroups, propagation ----------------------------------------------- */

static char *check_cgroup(void)
{
	CHECK(expect_mount("/sys/fs/cgroup", NULL, "ro,nosuid,nodev,noexec"));
	EXPECT(mkdir("/sys/fs/cgroup/husk-test", 0755) < 0 && errno == EROFS, "mkdir in /sys/fs/cgroup");
	DIR *d = opendir("/sys/fs/cgroup");
	EXPECT(d, "opendir /sys/fs/cgroup");
	struct dirent *de;
	char sub[PATH_MAX] = "";
	while ((de = readdir(d)) && !sub[0]) {
		struct stat st;
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", de->d_name);
		if (de->d_name[0] != '.' && stat(p, &st) == 0 && S_ISDIR(st.st_mode) && find_mount(p, &(struct mnt){0}))
			snprintf(sub, sizeof(sub), "%s", p);
	}
	closedir(d);
	/* A controller mounted below (hybrid hosts) is read-only as well. */
	if (sub[0]) {
		CHECK(expect_mount(sub, NULL, "ro"));
		char p[PATH_MAX + 16];
		snprintf(p, sizeof(p), "%s/husk-test", sub);
		EXPECT(mkdir(p, 0755) < 0 && errno == EROFS, "mkdir %s: %s", p, strerror(errno));
	}
	CHECK(expect_fs("/cg2", CGROUP2_SUPER_MAGIC));
	return NULL;
}

START_TEST(test_cgroup_mounts)
{
	struct fx f;
	fx_setup(&f);
	struct run run = {
		.json = CFG("'mounts':[" PROC_MOUNT
			    "{'destination':'/sys','type':'sysfs','source':'sysfs','options':['nosuid','noexec','nodev','ro']},"
			    "{'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup',"
			    "'options':['nosuid','noexec','nodev','relatime','ro']},"
			    "{'destination':'/cg2','type':'cgroup2','source':'cgroup2'}]"),
		.check = check_cgroup,
	};
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

static char *check_root_shared(void)
{
	struct mnt m;
	EXPECT(find_mount("/", &m) && strstr(m.optional, "shared:"), "/ is not shared: %s", m.optional);
	return NULL;
}

static char *check_root_unbindable(void)
{
	struct mnt m;
	EXPECT(find_mount("/", &m) && strstr(m.optional, "unbindable"), "/ is not unbindable: %s",
	       m.optional);
	return NULL;
}

static char *check_root_private(void)
{
	struct mnt m;
	EXPECT(find_mount("/", &m) && !strstr(m.optional, "shared:") && !strstr(m.optional, "master:"),
	       "/ is not private: %s", m.optional);
	return NULL;
}

START_TEST(test_rootfs_propagation)
{
	struct fx f;
	fx_setup(&f);
	struct run shared = {
		.json = CFG("'mounts':[" PROC_MOUNT "{'destination':'/t','type':'tmpfs'}],"
			    "'linux':{'rootfsPropagation':'shared'}"),
		.check = check_root_shared,
	};
	expect_ok(&f, &shared);
	struct run unbindable = {
		.json = CFG("'mounts':[" PROC_MOUNT "{'destination':'/t','type':'tmpfs'}],"
			    "'linux':{'rootfsPropagation':'unbindable'}"),
		.check = check_root_unbindable,
	};
	expect_ok(&f, &unbindable);
	struct run private = {
		.json = CFG("'mounts':[" PROC_MOUNT "{'destination':'/t','type':'tmpfs'}],"
			    "'linux':{'rootfsPropagation':'private'}"),
		.check = check_root_private,
	};
	expect_ok(&f, &private);
	fx_teardown(&f);
}
END_TEST

/* ---- in a user namespace ------------------------------------------------ */

/* A source whose nosuid and nodev the user namespace cannot drop. */
static void mount_locked_source(const struct fx *f)
{
	char p[PATH_MAX];
	fx_path(f, p, "locked");
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") < 0)
		_exit(4);
}

static char *check_user_namespace(void)
{
	/* sysfs cannot be mounted without a network namespace: /sys is bound. */
	CHECK(expect_mount("/sys", "sysfs", "ro,nosuid,nodev,noexec"));
	/* ro added to the locked nosuid,nodev instead of failing. */
	CHECK(expect_mount("/locked", "tmpfs", "ro,nosuid,nodev"));
	EXPECT(create_errno("/locked/x") == EROFS, "write into /locked");
	CHECK(expect_mount("/", NULL, "ro"));
	EXPECT(create_errno("/x") == EROFS, "write into the read-only root");
	CHECK(check_default_dev());
	CHECK(expect_mount("/dev/null", NULL, NULL));
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	char c;
	EXPECT(fd < 0 || read(fd, &c, 1) == 0, "/proc/kcore is readable");
	if (fd >= 0)
		close(fd);
	CHECK(expect_mount("/proc/sys", "proc", "ro"));
	EXPECT(getpid() == 1, "not PID 1 of the pid namespace");
	return NULL;
}

START_TEST(test_user_namespace)
{
	struct fx f;
	fx_setup(&f);
	fx_mkdir(&f, "locked");
	struct run run = {
		.json = "{'ociVersion':'1.0.2','root':{'path':'rootfs','readonly':true},'mounts':[" PROC_MOUNT
			"{'destination':'/sys','type':'sysfs','source':'sysfs','options':['nosuid','noexec','nodev','ro']},"
			"{'destination':'/locked','source':'locked','options':['bind','ro']},"
			"{'destination':'/tmp','type':'tmpfs','source':'tmpfs'}],"
			"'linux':{'namespaces':[{'type':'user'},{'type':'mount'},{'type':'pid'}],"
			"'uidMappings':[{'containerID':0,'hostID':0,'size':1}],"
			"'gidMappings':[{'containerID':0,'hostID':0,'size':1}],"
			"'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys']}}",
		.userns = true, .real_userns = true, .before = mount_locked_source,
		.check = check_user_namespace,
	};
	expect_ok(&f, &run);
	fx_teardown(&f);
}
END_TEST

/* ---- lookups inside a root ---------------------------------------------- */

static bool same_file(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Runs in a child (so that openat2 may be blocked); NULL on success. */
static char *check_safe_paths(const char *root, const char *hostdir)
{
	char p[PATH_MAX * 2];
	cleanup_close int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	EXPECT(rfd >= 0, "open %s", root);
	int fd = husk_safe_open(rfd, "/evil/", O_PATH | O_DIRECTORY);
	EXPECT(fd >= 0 && same_file(fd, root), "/evil is not the root");
	close(fd);
	fd = husk_safe_open(rfd, "/a/../../../..", O_PATH | O_DIRECTORY);
	EXPECT(fd >= 0 && same_file(fd, root), "/a/../../../.. is not the root");
	close(fd);
	fd = husk_safe_open(rfd, "evil2", O_PATH);
	EXPECT(fd < 0 && errno == ENOENT, "evil2 resolved (to the host dir?)");
	fd = husk_safe_open(rfd, "/evil", O_PATH | O_NOFOLLOW);
	struct stat st;
	EXPECT(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode), "O_NOFOLLOW did not stop at /evil");
	close(fd);
	fd = husk_safe_open(rfd, "/loop1/x", O_PATH);
	EXPECT(fd < 0 && errno == ELOOP, "a symlink loop: %s", fd < 0 ? strerror(errno) : "opened");
	fd = husk_safe_open(rfd, "/file/x", O_PATH);
	EXPECT(fd < 0 && errno == ENOTDIR, "a file as a directory: %s", fd < 0 ? strerror(errno) : "opened");
	fd = husk_safe_open(rfd, "/file", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, p, 1) == 1 && p[0] == 'f', "read /file");
	close(fd);
	/* mkdir -p through the links lands inside the root. */
	fd = husk_safe_mkdir_p(rfd, "/evil2/sub/deeper", 0700);
	EXPECT(fd >= 0, "mkdir -p /evil2/sub/deeper: %s", strerror(errno));
	snprintf(p, sizeof(p), "%s%s/sub/deeper", root, hostdir);
	EXPECT(same_file(fd, p), "mkdir -p went elsewhere than %s", p);
	close(fd);
	/* A mount target through a dangling link is created where it points. */
	fd = husk_safe_mount_target(rfd, "/etc/resolv.conf", false);
	snprintf(p, sizeof(p), "%s/run/x/resolv.conf", root);
	EXPECT(fd >= 0 && same_file(fd, p), "the dangling resolv.conf target: %s", strerror(errno));
	EXPECT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode), "the target is not a file");
	close(fd);
	fd = husk_safe_mount_target(rfd, "/evil/newdir", true);
	snprintf(p, sizeof(p), "%s/newdir", root);
	EXPECT(fd >= 0 && same_file(fd, p), "/evil/newdir is not in the root");
	close(fd);
	/* A magic link is refused even where it would stay inside. */
	cleanup_close int host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = husk_safe_open(host_root, "/proc/self/root/etc", O_PATH);
	EXPECT(fd < 0 && errno == ELOOP, "followed /proc/self/root: %s", fd < 0 ? strerror(errno) : "opened");
	fd = husk_safe_open(host_root, "/proc/self/status", O_RDONLY);
	EXPECT(fd >= 0, "/proc/self (not a magic link) refused: %s", strerror(errno));
	close(fd);
	return NULL;
}

static void safe_path_test(bool no_openat2)
{
	struct fx f;
	fx_setup(&f);
	char hostdir[PATH_MAX], up[PATH_MAX * 2];
	fx_mkdir(&f, "hostdir");
	fx_path(&f, hostdir, "hostdir");
	snprintf(up, sizeof(up), "../../../../../../..%s", hostdir);
	fx_symlink(&f, "/", "rootfs/evil");
	fx_symlink(&f, up, "rootfs/evil2");
	fx_mkdir(&f, "rootfs/a");
	fx_mkdir(&f, "rootfs/etc");
	fx_symlink(&f, "../run/x/resolv.conf", "rootfs/etc/resolv.conf");
	fx_symlink(&f, "loop2", "rootfs/loop1");
	fx_symlink(&f, "/loop1", "rootfs/loop2");
	fx_write(&f, "rootfs/file", "f", 0644);
	int p[2];
	FX_ASSERT(&f, pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	pid_t pid = fork();
	FX_ASSERT(&f, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		char *msg = no_openat2 ? block_openat2() : NULL;
		if (!msg)
			msg = check_safe_paths(f.rootfs, hostdir);
		write_report(p[1], msg ? msg : "OK");
		_exit(0);
	}
	close(p[1]);
	cleanup_free char *msg = read_report(p[0], pid);
	close(p[0]);
	FX_ASSERT(&f, strcmp(msg, "OK") == 0, "%s", msg);
	DIR *d = opendir(hostdir);
	FX_ASSERT(&f, d, "opendir %s: %s", hostdir, strerror(errno));
	struct dirent *de;
	while ((de = readdir(d)))
		FX_ASSERT(&f, de->d_name[0] == '.', "%s/%s was created on the host", hostdir, de->d_name);
	closedir(d);
	fx_teardown(&f);
}

START_TEST(test_safe_path)
{
	safe_path_test(false);
}
END_TEST

START_TEST(test_safe_path_without_openat2)
{
	safe_path_test(true);
}
END_TEST

Suite *rootfs_suite(void)
{
	Suite *s = suite_create("rootfs");
	TCase *opts = tcase_create("mount_options");
	tcase_add_test(opts, test_options_flags);
	tcase_add_test(opts, test_options_last_wins);
	tcase_add_test(opts, test_options_data);
	tcase_add_test(opts, test_options_bind);
	tcase_add_test(opts, test_options_propagation);
	tcase_add_test(opts, test_options_recursive);
	tcase_add_test(opts, test_options_special);
	tcase_add_test(opts, test_options_errors);
	tcase_add_test(opts, test_option_names);
	suite_add_tcase(s, opts);

	TCase *paths = tcase_create("safe_path");
	tcase_add_test(paths, test_path_clean);
	tcase_add_test(paths, test_path_split);
	tcase_add_test(paths, test_safe_path);
	tcase_add_test(paths, test_safe_path_without_openat2);
	suite_add_tcase(s, paths);

	TCase *mounts = tcase_create("mounts");
	tcase_set_timeout(mounts, 60);
	tcase_add_test(mounts, test_runc_defaults);
	tcase_add_test(mounts, test_runc_defaults_without_openat2);
	tcase_add_test(mounts, test_no_pivot);
	tcase_add_test(mounts, test_default_dev);
	tcase_add_test(mounts, test_userns_binds_devices);
	tcase_add_test(mounts, test_readonly_root);
	tcase_add_test(mounts, test_noexec_tmpfs);
	tcase_add_test(mounts, test_bind_mounts);
	tcase_add_test(mounts, test_symlink_escape);
	tcase_add_test(mounts, test_symlink_escape_without_openat2);
	tcase_add_test(mounts, test_proc_rules);
	tcase_add_test(mounts, test_proc_on_symlink);
	tcase_add_test(mounts, test_mount_errors);
	tcase_add_test(mounts, test_devices);
	tcase_add_test(mounts, test_masked_and_readonly_paths);
	tcase_add_test(mounts, test_mask_needs_real_null);
	tcase_add_test(mounts, test_mask_needs_real_proc);
	tcase_add_test(mounts, test_sysctl);
	tcase_add_test(mounts, test_sysctl_validation);
	tcase_add_test(mounts, test_tmpcopyup);
	tcase_add_test(mounts, test_idmap);
	tcase_add_test(mounts, test_cgroup_mounts);
	tcase_add_test(mounts, test_rootfs_propagation);
	tcase_add_test(mounts, test_user_namespace);
	suite_add_tcase(s, mounts);
	return s;
}
