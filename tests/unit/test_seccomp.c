/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/config.h"
#include "husk/seccomp.h"
#include "husk/util.h"
#include "unit.h"
#include "../../src/seccomp_internal.h"

/*
 * The filters are checked against the kernel: a forked child sets
 * no_new_privs, loads the compiled program and makes system calls whose
 * outcome it reports in its exit status.
 */

#define CONFIG_FMT "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, " \
		   "\"linux\": {\"seccomp\": %s}}"

/* The child could not load the program (its error is on stderr). */
#define CHILD_LOAD_FAILED 200

/* A marker errno no probed call returns by itself. */
#define MARK 77

static const struct husk_log quiet = { .fd = -1, .level = HUSK_LOG_ERROR };

/*
 * Flags, KILL_PROCESS, LOG and NOTIFY need seccomp(2) itself, which some
 * environments hide (valgrind, for one); tests of them return early there.
 * Flagless programs load with prctl() and are tested everywhere.
 */
static bool have_seccomp_syscall(void)
{
	uint32_t allow = SECCOMP_RET_ALLOW;
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &allow) == 0)
		return true;
	fprintf(stderr, "seccomp(2) unavailable (%s): test skipped\n", strerror(errno));
	return false;
}

#define NEEDS_SECCOMP_SYSCALL() do { if (!have_seccomp_syscall()) return; } while (0)

static struct husk_config *parse_seccomp(const char *seccomp_json, const struct husk_log *log)
{
	cleanup_free char *json = NULL;
	ck_assert_int_ge(asprintf(&json, CONFIG_FMT, seccomp_json), 0);
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	int rc = husk_config_parse(json, strlen(json), log, &cfg, &err);
	ck_assert_msg(rc == 0, "parse %s: %s", seccomp_json, err ? err->msg : "?");
	ck_assert_ptr_nonnull(cfg->linux_cfg);
	ck_assert_ptr_nonnull(cfg->linux_cfg->seccomp);
	return cfg;
}

static void compile_logged(const char *seccomp_json, const struct husk_log *log,
			   struct husk_seccomp_program *prog)
{
	cleanup_config struct husk_config *cfg = parse_seccomp(seccomp_json, log);
	cleanup_error husk_err err = NULL;
	int rc = husk_seccomp_compile(cfg->linux_cfg->seccomp, log, prog, &err);
	cleanup_free char *msg = err ? husk_error_string(err) : NULL;
	ck_assert_msg(rc == 0, "compile: %s", msg ? msg : "?");
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(prog->filter);
	ck_assert_uint_gt(prog->len, 0);
}

static void compile_ok(const char *seccomp_json, struct husk_seccomp_program *prog)
{
	compile_logged(seccomp_json, &quiet, prog);
}

/* compile_ok() of a printf-formatted profile. */
static void compile_fmt(struct husk_seccomp_program *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void compile_fmt(struct husk_seccomp_program *prog, const char *fmt, ...)
{
	char *json = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&json, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	compile_ok(json, prog);
	free(json);
}

/* The error message of a compile that must fail; the caller frees it. */
static char *compile_error(const char *seccomp_json)
{
	cleanup_config struct husk_config *cfg = parse_seccomp(seccomp_json, &quiet);
	cleanup_error husk_err err = NULL;
	struct husk_seccomp_program prog;
	ck_assert_int_eq(husk_seccomp_compile(cfg->linux_cfg->seccomp, &quiet, &prog, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(prog.filter);
	char *msg = husk_error_string(err);
	ck_assert_ptr_nonnull(msg);
	return msg;
}

/* ---- running a filtered child ------------------------------------------ */

struct probe {
	long nr;
	long a0, a1, a2;
	int denied;             /* errno that means the filter stopped the call */
};

struct probes {
	const struct probe *v;
	size_t n;
};

/* Bit i set when probe i failed with its denied errno. */
static int run_probes(const struct probes *p)
{
	int mask = 0;
	for (size_t i = 0; i < p->n; i++) {
		errno = 0;
		long r = syscall(p->v[i].nr, p->v[i].a0, p->v[i].a1, p->v[i].a2);
		if (r < 0 && errno == p->v[i].denied)
			mask |= 1 << i;
	}
	return mask;
}

/*
 * Fork a child that loads prog and exits with body's result; its status.
 * The child frees its copy of the program once the kernel holds it, so
 * that under valgrind it exits with nothing lost (which would change its
 * exit status): callers free their other heap blocks before they get here.
 */
static int run_filtered(struct husk_seccomp_program *prog,
			int (*body)(const void *arg, int listener), const void *arg)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const struct rlimit no_core = { 0, 0 };
		husk_err err = NULL;
		setrlimit(RLIMIT_CORE, &no_core);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(CHILD_LOAD_FAILED);
		int listener = husk_seccomp_load(prog, &err);
		if (listener < 0) {
			husk_log_errors(NULL, err);
			husk_error_free(&err);
			_exit(CHILD_LOAD_FAILED);
		}
		husk_seccomp_program_free(prog);
		_exit(body(arg, listener));
	}
	int status;
	pid_t w;
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	ck_assert_int_eq(w, pid);
	return status;
}

static int probes_body(const void *arg, int listener)
{
	(void)listener;
	return run_probes(arg);
}

static int exit_code(int status)
{
	ck_assert_msg(WIFEXITED(status), "child killed by signal %d",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_msg(WEXITSTATUS(status) != CHILD_LOAD_FAILED, "child could not load the filter");
	return WEXITSTATUS(status);
}

/* Which of the probes the filter denies, as a bit mask. */
static int denied_mask(struct husk_seccomp_program *prog, const struct probe *v, size_t n)
{
	ck_assert_uint_le(n, 7);
	struct probes p = { v, n };
	return exit_code(run_filtered(prog, probes_body, &p));
}

#define DENIED(prog, ...) ({ \
	const struct probe _v[] = { __VA_ARGS__ }; \
	denied_mask((prog), _v, ARRAY_SIZE(_v)); })

/* The signal that killed the child after it made the call nr. */
static int call_body(const void *arg, int listener)
{
	(void)listener;
	syscall(*(const long *)arg);
	return 0;
}

static int killing_signal(struct husk_seccomp_program *prog, long nr)
{
	int status = run_filtered(prog, call_body, &nr);
	ck_assert_msg(!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_LOAD_FAILED,
		      "child could not load the filter");
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * A JSON array of every syscall name of the native architecture except
 * those in skip (NULL-terminated), with a few names no libseccomp knows.
 */
static char *native_names_except(const char *const *skip)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	fputs("[\"husk_no_such_syscall\", \"another_unknown_one\"", f);
	for (int nr = 0; nr < 1024; nr++) {
		cleanup_free char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		bool skipped = false;
		if (!name)
			continue;
		for (const char *const *s = skip; *s; s++)
			skipped |= strcmp(*s, name) == 0;
		if (!skipped)
			fprintf(f, ", \"%s\"", name);
	}
	fputs("]", f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* ---- default action ----------------------------------------------------- */

/* Default ERRNO without defaultErrnoRet returns EPERM, as runc does. */
START_TEST(seccomp_default_errno_is_eperm)
{
	static const char *const skip[] = { "getppid", NULL };
	char *names = native_names_except(skip);
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_fmt(&prog, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": %s, \"action\": \"SCMP_ACT_ALLOW\"}]}", names);
	free(names);
	ck_assert(!prog.notify);
	ck_assert_uint_eq(prog.flags, 0);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = EPERM },
				{ .nr = SYS_getpid, .denied = EPERM }), 1);
}
END_TEST

START_TEST(seccomp_default_errno_ret)
{
	static const char *const skip[] = { "getppid", NULL };
	char *names = native_names_except(skip);
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_fmt(&prog, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": %d, "
		    "\"syscalls\": [{\"names\": %s, \"action\": \"SCMP_ACT_ALLOW\"}]}", MARK, names);
	free(names);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = MARK },
				{ .nr = SYS_getpid, .denied = MARK }), 1);
}
END_TEST

/* ---- ENOSYS for calls newer than the profile ------------------------------ */

/*
 * A profile allowing every native call numbered below getrandom but
 * getppid, with the given default action and architectures: getrandom and
 * membarrier are newer than all it names, getppid is not.
 */
static void compile_older_than_getrandom(struct husk_seccomp_program *prog, const char *default_action,
					 const char *archs)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	fputs("[\"getpid\"", f);
	for (int nr = 0; nr < SYS_getrandom; nr++) {
		cleanup_free char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name && nr != SYS_getppid)
			fprintf(f, ", \"%s\"", name);
	}
	fputs("]", f);
	ck_assert_int_eq(fclose(f), 0);
	compile_fmt(prog, "{\"defaultAction\": \"%s\", \"architectures\": %s, \"syscalls\": "
		    "[{\"names\": %s, \"action\": \"SCMP_ACT_ALLOW\"}]}", default_action, archs, buf);
	free(buf);
}

/* As runc: ENOSYS, so that a C library falls back to an older call. */
START_TEST(seccomp_newer_calls_enosys)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_older_than_getrandom(&prog, "SCMP_ACT_ERRNO", "[]");
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getrandom, .denied = ENOSYS },
				{ .nr = SYS_membarrier, .denied = ENOSYS },
				{ .nr = SYS_getppid, .denied = EPERM },
				{ .nr = SYS_getpid, .denied = EPERM }), 7);
}
END_TEST

/* With other architectures in the filter (x32's numbers included). */
START_TEST(seccomp_newer_calls_enosys_multiarch)
{
#if defined(__x86_64__)
	const char *archs = "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]";
#elif defined(__aarch64__)
	const char *archs = "[\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\"]";
#else
	const char *archs = "[]";
#endif
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_older_than_getrandom(&prog, "SCMP_ACT_ERRNO", archs);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getrandom, .denied = ENOSYS },
				{ .nr = SYS_getppid, .denied = EPERM }), 3);
}
END_TEST

/* A killing default action still kills what the profile names no rule
 * for, but not a call newer than the profile. */
START_TEST(seccomp_newer_calls_not_killed)
{
	NEEDS_SECCOMP_SYSCALL();
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_older_than_getrandom(&prog, "SCMP_ACT_KILL_PROCESS", "[]");
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getrandom, .denied = ENOSYS }), 1);
	ck_assert_int_eq(killing_signal(&prog, SYS_getppid), SIGSYS);
}
END_TEST

/* Where the default allows, or is ENOSYS already, there is no stub. */
START_TEST(seccomp_newer_calls_allowed_by_default)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", &prog);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getrandom, .denied = ENOSYS },
				{ .nr = SYS_getppid, .denied = EPERM }), 2);
	ck_assert(!husk_seccomp_enosys_wanted(SCMP_ACT_ALLOW));
	ck_assert(!husk_seccomp_enosys_wanted(SCMP_ACT_LOG));
	ck_assert(!husk_seccomp_enosys_wanted(SCMP_ACT_ERRNO(ENOSYS)));
	ck_assert(husk_seccomp_enosys_wanted(SCMP_ACT_ERRNO(EPERM)));
	ck_assert(husk_seccomp_enosys_wanted(SCMP_ACT_KILL_PROCESS));
}
END_TEST

/* ---- actions ------------------------------------------------------------ */

START_TEST(seccomp_rule_errno_ret)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},"
		   "{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", &prog);
	char buf[512];
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = 38 },
				{ .nr = SYS_uname, .a0 = (long)buf, .denied = EPERM },
				{ .nr = SYS_getpid, .denied = EPERM }), 3);
}
END_TEST

START_TEST(seccomp_kill_process_sigsys)
{
	NEEDS_SECCOMP_SYSCALL();
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}", &prog);
	ck_assert_int_eq(killing_signal(&prog, SYS_getppid), SIGSYS);
	ck_assert_int_eq(killing_signal(&prog, SYS_getpid), 0);
}
END_TEST

/* SCMP_ACT_KILL is KILL_THREAD; the only thread's death ends the process. */
START_TEST(seccomp_kill_thread_sigsys)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_KILL\"}]}", &prog);
	ck_assert_int_eq(killing_signal(&prog, SYS_getppid), SIGSYS);
}
END_TEST

/* Where seccomp(2) is hidden, syscalls go through something that cannot
 * take a seccomp SIGSYS either (valgrind aborts). */
START_TEST(seccomp_trap_sigsys)
{
	NEEDS_SECCOMP_SYSCALL();
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_TRAP\"}]}", &prog);
	ck_assert_int_eq(killing_signal(&prog, SYS_getppid), SIGSYS);
}
END_TEST

START_TEST(seccomp_log_allows)
{
	NEEDS_SECCOMP_SYSCALL();
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_LOG\"}]}", &prog);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = ENOSYS },
				{ .nr = SYS_getppid, .denied = EPERM }), 0);
}
END_TEST

/* With no tracer attached, TRACE fails the call with ENOSYS. */
START_TEST(seccomp_trace_without_tracer)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_TRACE\"},"
		   "{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 5}]}", &prog);
	char buf[512];
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = ENOSYS },
				{ .nr = SYS_uname, .a0 = (long)buf, .denied = ENOSYS },
				{ .nr = SYS_getpid, .denied = ENOSYS }), 3);
}
END_TEST

/* Once the listener is closed, notified calls fail with ENOSYS. */
static int notify_body(const void *arg, int listener)
{
	if (listener < 0 || close(listener) < 0)
		return 100;
	return run_probes(arg);
}

START_TEST(seccomp_notify_listener)
{
	NEEDS_SECCOMP_SYSCALL();
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\", "
		   "\"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}", &prog);
	ck_assert(prog.notify);
	ck_assert_uint_eq(prog.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	const struct probe v[] = { { .nr = SYS_getppid, .denied = ENOSYS },
				   { .nr = SYS_getpid, .denied = ENOSYS } };
	struct probes p = { v, ARRAY_SIZE(v) };
	ck_assert_int_eq(exit_code(run_filtered(&prog, notify_body, &p)), 1);
}
END_TEST

/* libseccomp refuses such a rule (EACCES); runc drops it, so does husk. */
START_TEST(seccomp_rule_equal_to_default_skipped)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", &prog);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = EPERM },
				{ .nr = SYS_getpid, .denied = EPERM }), 1);
	husk_seccomp_program_free(&prog);
	/* KILL and KILL_THREAD are one action; ERRNO(EPERM) is the default ERRNO. */
	compile_ok("{\"defaultAction\": \"SCMP_ACT_KILL_THREAD\", \"syscalls\": ["
		   "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL\"}]}", &prog);
	husk_seccomp_program_free(&prog);
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		   "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}", &prog);
}
END_TEST

/* A rule differing from the default only in errnoRet is kept. */
START_TEST(seccomp_rule_other_errno_kept)
{
	static const char *const skip[] = { "getppid", NULL };
	char *names = native_names_except(skip);
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_fmt(&prog, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		    "{\"names\": %s, \"action\": \"SCMP_ACT_ALLOW\"},"
		    "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": %d}]}",
		    names, MARK);
	free(names);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = MARK }), 1);
}
END_TEST

/* ---- names -------------------------------------------------------------- */

START_TEST(seccomp_unknown_names_skipped)
{
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
	cleanup_close int rd = fds[0];
	cleanup_close int wr = fds[1];
	const struct husk_log debug = { .fd = wr, .level = HUSK_LOG_DEBUG };
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_logged("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		       "{\"names\": [\"husk_no_such_syscall\", \"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		       "{\"names\": [\"only_unknown\"], \"action\": \"SCMP_ACT_KILL\"}]}", &debug, &prog);
	char buf[4096];
	ssize_t n = read(rd, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "\"husk_no_such_syscall\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"only_unknown\""));
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = EPERM },
				{ .nr = SYS_getpid, .denied = EPERM }), 1);
}
END_TEST

/* ---- argument comparisons ----------------------------------------------- */

/* getpgid(pid) of a pid that does not exist: ESRCH when allowed. */
#define PGID(pid) { .nr = SYS_getpgid, .a0 = (pid), .denied = MARK }

static void compile_getpgid_rule(const char *args, struct husk_seccomp_program *prog)
{
	compile_fmt(prog, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		    "{\"names\": [\"getpgid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": %d, "
		    "\"args\": %s}]}", MARK, args);
}

static int getpgid_denials(const char *op, long value)
{
	char args[128];
	snprintf(args, sizeof(args), "[{\"index\": 0, \"value\": %ld, \"op\": \"%s\"}]", value, op);
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_getpgid_rule(args, &prog);
	return DENIED(&prog, PGID(value - 1), PGID(value), PGID(value + 1));
}

START_TEST(seccomp_operators)
{
	const long v = 3999999;
	ck_assert_int_eq(getpgid_denials("SCMP_CMP_EQ", v), 2);
	ck_assert_int_eq(getpgid_denials("SCMP_CMP_NE", v), 1 | 4);
	ck_assert_int_eq(getpgid_denials("SCMP_CMP_LT", v), 1);
	ck_assert_int_eq(getpgid_denials("SCMP_CMP_LE", v), 1 | 2);
	ck_assert_int_eq(getpgid_denials("SCMP_CMP_GT", v), 4);
	ck_assert_int_eq(getpgid_denials("SCMP_CMP_GE", v), 2 | 4);
}
END_TEST

/* value is the mask, valueTwo the datum: (arg & value) == valueTwo. */
START_TEST(seccomp_masked_eq)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_getpgid_rule("[{\"index\": 0, \"value\": 65280, \"valueTwo\": 4608, "
			     "\"op\": \"SCMP_CMP_MASKED_EQ\"}]", &prog);
	ck_assert_int_eq(DENIED(&prog, PGID(0x3f1234), PGID(0x3f12ff), PGID(0x3f1334), PGID(0x3f0012),
				PGID(0x3fff00)), 1 | 2);
}
END_TEST

/* Comparisons of different arguments must all hold. */
START_TEST(seccomp_args_distinct_indexes_and)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77, \"args\": ["
		   "{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
		   "{\"index\": 1, \"value\": 3999999, \"op\": \"SCMP_CMP_EQ\"}]}]}", &prog);
	ck_assert_int_eq(DENIED(&prog,
				{ .nr = SYS_getpriority, .a0 = PRIO_PROCESS, .a1 = 3999999, .denied = MARK },
				{ .nr = SYS_getpriority, .a0 = PRIO_PROCESS, .a1 = 3999998, .denied = MARK },
				{ .nr = SYS_getpriority, .a0 = PRIO_PGRP, .a1 = 3999999, .denied = MARK }), 1);
}
END_TEST

/*
 * One argument compared twice: libseccomp cannot AND those, so runc adds
 * each comparison of the rule as a rule of its own, and any one matching
 * applies the action -- the comparisons of other arguments included.
 */
START_TEST(seccomp_args_repeated_index_or)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_getpgid_rule("[{\"index\": 0, \"value\": 3999991, \"op\": \"SCMP_CMP_EQ\"},"
			     "{\"index\": 0, \"value\": 3999992, \"op\": \"SCMP_CMP_EQ\"}]", &prog);
	ck_assert_int_eq(DENIED(&prog, PGID(3999991), PGID(3999992), PGID(3999993)), 1 | 2);
	husk_seccomp_program_free(&prog);

	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77, \"args\": ["
		   "{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
		   "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
		   "{\"index\": 1, \"value\": 3999999, \"op\": \"SCMP_CMP_EQ\"}]}]}", &prog);
	ck_assert_int_eq(DENIED(&prog,
				{ .nr = SYS_getpriority, .a0 = PRIO_PROCESS, .a1 = 3999998, .denied = MARK },
				{ .nr = SYS_getpriority, .a0 = PRIO_PGRP, .a1 = 3999998, .denied = MARK },
				{ .nr = SYS_getpriority, .a0 = PRIO_USER, .a1 = 3999999, .denied = MARK },
				{ .nr = SYS_getpriority, .a0 = PRIO_USER, .a1 = 3999998, .denied = MARK }), 1 | 2 | 4);
}
END_TEST

/* ---- architectures ------------------------------------------------------ */

START_TEST(seccomp_archs_added)
{
	const char *rules = "\"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]";
	cleanup_seccomp_program struct husk_seccomp_program multi;
	compile_fmt(&multi, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", %s}", rules);
	unsigned short native_len = multi.len;
	husk_seccomp_program_free(&multi);
	compile_fmt(&multi, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
		    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\"], %s}",
		    rules);
	ck_assert_uint_gt(multi.len, native_len);
	ck_assert_int_eq(DENIED(&multi, { .nr = SYS_getppid, .denied = EPERM },
				{ .nr = SYS_getpid, .denied = EPERM }), 1);
}
END_TEST

START_TEST(seccomp_arch_support)
{
	int x86_64 = husk_name_lookup(husk_seccomp_arch_names, "SCMP_ARCH_X86_64");
	int riscv64 = husk_name_lookup(husk_seccomp_arch_names, "SCMP_ARCH_RISCV64");
	ck_assert(husk_seccomp_arch_supported(x86_64));
	ck_assert(husk_seccomp_arch_supported(riscv64));
	ck_assert(!husk_seccomp_arch_supported(-1));
	ck_assert(!husk_seccomp_arch_supported(999));
	const struct scmp_version *v = seccomp_version();
	if (v->major == 2 && v->minor < 6) {
		static const char *const absent[] = { "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
						      "SCMP_ARCH_SH", "SCMP_ARCH_SHEB" };
		for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
			ck_assert_msg(!husk_seccomp_arch_supported(husk_name_lookup(husk_seccomp_arch_names, absent[i])),
				      "%s", absent[i]);
	}
}
END_TEST

/* An architecture the libseccomp in use lacks is an error naming it. */
START_TEST(seccomp_unsupported_arch_error)
{
	const char *missing = NULL;
	for (size_t i = 0; husk_seccomp_arch_names[i].name && !missing; i++)
		if (!husk_seccomp_arch_supported(husk_seccomp_arch_names[i].value))
			missing = husk_seccomp_arch_names[i].name;
	if (!missing)
		return;    /* this libseccomp knows every architecture */
	cleanup_free char *json = NULL;
	ck_assert_int_ge(asprintf(&json, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
			 "\"architectures\": [\"SCMP_ARCH_X86\", \"%s\"]}", missing), 0);
	cleanup_free char *msg = compile_error(json);
	ck_assert_msg(strstr(msg, "linux.seccomp.architectures[1]: ") && strstr(msg, missing), "%s", msg);
}
END_TEST

/* ---- flags -------------------------------------------------------------- */

START_TEST(seccomp_flags_mapped)
{
	NEEDS_SECCOMP_SYSCALL();
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", "
		   "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_TSYNC\", "
		   "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], "
		   "\"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", &prog);
	/* WAIT_KILLABLE_RECV is dropped: there is no listener. */
	ck_assert_uint_eq(prog.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
			  SECCOMP_FILTER_FLAG_TSYNC);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = EPERM },
				{ .nr = SYS_getpid, .denied = EPERM }), 1);
	husk_seccomp_program_free(&prog);

	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a.sock\", "
		   "\"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], "
		   "\"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}", &prog);
	ck_assert_uint_eq(prog.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER |
			  SECCOMP_FILTER_FLAG_TSYNC_ESRCH | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	if (!husk_seccomp_flag_supported(HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV))
		return;
	const struct probe v[] = { { .nr = SYS_getppid, .denied = ENOSYS } };
	struct probes p = { v, ARRAY_SIZE(v) };
	ck_assert_int_eq(exit_code(run_filtered(&prog, notify_body, &p)), 1);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

/* The message of compiling json after mutate has changed the parsed config. */
static char *mutated_error(const char *json, void (*mutate)(struct husk_seccomp *))
{
	cleanup_config struct husk_config *cfg = parse_seccomp(json, &quiet);
	cleanup_error husk_err err = NULL;
	struct husk_seccomp_program prog;
	mutate(cfg->linux_cfg->seccomp);
	ck_assert_int_eq(husk_seccomp_compile(cfg->linux_cfg->seccomp, &quiet, &prog, &err), -1);
	ck_assert_ptr_null(prog.filter);
	char *msg = husk_error_string(err);
	ck_assert_ptr_nonnull(msg);
	return msg;
}

static void bad_action(struct husk_seccomp *s)
{
	s->syscalls.v[1].action = 99;
}

static void errno_on_allow(struct husk_seccomp *s)
{
	s->syscalls.v[1].action = HUSK_SCMP_ACT_ALLOW;
}

static void bad_arg_index(struct husk_seccomp *s)
{
	s->syscalls.v[1].args.v[0].index = 6;
}

static void bad_default(struct husk_seccomp *s)
{
	s->default_action = HUSK_SCMP_ACT_NOTIFY;
}

/* The parser rejects these; compile still names the field if one slips by. */
START_TEST(seccomp_errors_name_the_field)
{
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			   "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"},"
			   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5, "
			   "\"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}";
	static const struct {
		void (*mutate)(struct husk_seccomp *);
		const char *want;
	} cases[] = {
		{ bad_action, "linux.seccomp.syscalls[1]: unknown seccomp action 99" },
		{ errno_on_allow, "linux.seccomp.syscalls[1].errnoRet: is only valid with" },
		{ bad_arg_index, "linux.seccomp.syscalls[1].args[0]: invalid comparison" },
		{ bad_default, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *msg = mutated_error(json, cases[i].mutate);
		ck_assert_msg(husk_str_has_prefix(msg, cases[i].want), "%s", msg);
	}
}
END_TEST

/* Like runc, errnoRet keeps its low 16 bits: 65536 + 77 returns 77. */
START_TEST(seccomp_errno_ret_truncated)
{
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 65613}]}", &prog);
	ck_assert_int_eq(DENIED(&prog, { .nr = SYS_getppid, .denied = MARK }), 1);
}
END_TEST

/* ---- a Docker-sized profile --------------------------------------------- */

/*
 * Shaped like Docker's default: deny by default, one long allow list, then
 * argument-filtered rules (personality, socket, clone) and clone3 -> ENOSYS.
 */
START_TEST(seccomp_docker_sized_profile)
{
	static const char *const skip[] = { "getppid", "personality", "socket", "clone", "clone3", NULL };
	char *names = native_names_except(skip);
	cleanup_seccomp_program struct husk_seccomp_program prog;
	compile_fmt(&prog,
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
		" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
		" \"syscalls\": ["
		"{\"names\": %s, \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		" {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
		" {\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"},"
		" {\"index\": 0, \"value\": 131072, \"op\": \"SCMP_CMP_EQ\"},"
		" {\"index\": 0, \"value\": 131080, \"op\": \"SCMP_CMP_EQ\"},"
		" {\"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_EQ\"}]},"
		"{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		" {\"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_NE\"}]},"
		"{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		" {\"index\": 0, \"value\": 2114060288, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}", names);
	free(names);
	ck_assert_int_eq(DENIED(&prog,
				{ .nr = SYS_getppid, .denied = EPERM },
				{ .nr = SYS_personality, .a0 = 0xffffffff, .denied = EPERM },
				{ .nr = SYS_personality, .a0 = 0x1234, .denied = EPERM },
				{ .nr = SYS_socket, .a0 = AF_VSOCK, .a1 = SOCK_STREAM, .denied = EPERM },
				{ .nr = SYS_socket, .a0 = AF_UNIX, .a1 = SOCK_DGRAM, .denied = EPERM },
				{ .nr = SYS_clone3, .denied = ENOSYS }), 1 | 4 | 8 | 32);
}
END_TEST

/* Every seccomp section of the config fixtures compiles. */
START_TEST(seccomp_fixture_profiles)
{
	NEEDS_SECCOMP_SYSCALL();
	static const char *const files[] = { "husk-good/docker.json", "husk-good/containerd-cri.json",
					     "husk-good/podman-rootless.json", "husk-good/full-linux.json",
					     "good/spec-example.json" };
	const char *dir = getenv("HUSK_FIXTURES");
	if (!dir)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *path = NULL;
		cleanup_config struct husk_config *cfg = NULL;
		cleanup_error husk_err err = NULL;
		ck_assert_int_ge(asprintf(&path, "%s/config/%s", dir, files[i]), 0);
		cleanup_free char *text = NULL;
		size_t len;
		ck_assert_int_eq(husk_read_file(path, HUSK_CONFIG_MAX_SIZE, &text, &len, &err), 0);
		ck_assert_int_eq(husk_config_parse(text, len, &quiet, &cfg, &err), 0);
		ck_assert_ptr_nonnull(cfg->linux_cfg->seccomp);
		struct husk_seccomp_program prog;
		int rc = husk_seccomp_compile(cfg->linux_cfg->seccomp, &quiet, &prog, &err);
		ck_assert_msg(rc == 0, "%s: %s", files[i], err ? err->msg : "?");
		husk_seccomp_program_free(&prog);
	}
}
END_TEST

/* ---- features ----------------------------------------------------------- */

START_TEST(seccomp_features)
{
	NEEDS_SECCOMP_SYSCALL();
	for (size_t i = 0; husk_seccomp_action_names[i].name; i++)
		ck_assert_msg(husk_seccomp_action_supported(husk_seccomp_action_names[i].value),
			      "%s", husk_seccomp_action_names[i].name);
	for (size_t i = 0; husk_seccomp_op_names[i].name; i++)
		ck_assert(husk_seccomp_op_supported(husk_seccomp_op_names[i].value));
	ck_assert(husk_seccomp_flag_supported(HUSK_SECCOMP_FLAG_TSYNC));
	ck_assert(husk_seccomp_flag_supported(HUSK_SECCOMP_FLAG_LOG));
	ck_assert(husk_seccomp_flag_supported(HUSK_SECCOMP_FLAG_SPEC_ALLOW));
	ck_assert(!husk_seccomp_action_supported(0));
	ck_assert(!husk_seccomp_op_supported(0));
	ck_assert(!husk_seccomp_flag_supported(1 << 20));
	struct husk_seccomp_program zero = { 0 };
	husk_seccomp_program_free(&zero);
}
END_TEST

Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("seccomp");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, seccomp_default_errno_is_eperm);
	tcase_add_test(tc, seccomp_default_errno_ret);
	tcase_add_test(tc, seccomp_newer_calls_enosys);
	tcase_add_test(tc, seccomp_newer_calls_enosys_multiarch);
	tcase_add_test(tc, seccomp_newer_calls_not_killed);
	tcase_add_test(tc, seccomp_newer_calls_allowed_by_default);
	tcase_add_test(tc, seccomp_rule_errno_ret);
	tcase_add_test(tc, seccomp_kill_process_sigsys);
	tcase_add_test(tc, seccomp_kill_thread_sigsys);
	tcase_add_test(tc, seccomp_trap_sigsys);
	tcase_add_test(tc, seccomp_log_allows);
	tcase_add_test(tc, seccomp_trace_without_tracer);
	tcase_add_test(tc, seccomp_notify_listener);
	tcase_add_test(tc, seccomp_rule_equal_to_default_skipped);
	tcase_add_test(tc, seccomp_rule_other_errno_kept);
	tcase_add_test(tc, seccomp_unknown_names_skipped);
	tcase_add_test(tc, seccomp_operators);
	tcase_add_test(tc, seccomp_masked_eq);
	tcase_add_test(tc, seccomp_args_distinct_indexes_and);
	tcase_add_test(tc, seccomp_args_repeated_index_or);
	tcase_add_test(tc, seccomp_archs_added);
	tcase_add_test(tc, seccomp_arch_support);
	tcase_add_test(tc, seccomp_unsupported_arch_error);
	tcase_add_test(tc, seccomp_flags_mapped);
	tcase_add_test(tc, seccomp_errors_name_the_field);
	tcase_add_test(tc, seccomp_errno_ret_truncated);
	tcase_add_test(tc, seccomp_docker_sized_profile);
	tcase_add_test(tc, seccomp_fixture_profiles);
	tcase_add_test(tc, seccomp_features);
	suite_add_tcase(s, tc);
	return s;
}
