/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/hooks.h"
#include "husk/util.h"
#include "unit.h"

#define STATE "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}"

/* dir/name, in a string owned by the arena. */
static char *scratch_path(struct husk_arena *a, const struct scratch *s, const char *name)
{
	char buf[160];
	snprintf(buf, sizeof(buf), "%s/%s", s->dir, name);
	return husk_arena_strdup(a, buf);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(husk_write_all(fd, text, strlen(text)), 0);
	ck_assert_int_eq(close(fd), 0);
}

/* The contents of dir/name, or NULL when the file does not exist. */
static char *read_scratch(const struct scratch *s, const char *name)
{
	char path[160];
	char *text = NULL;
	husk_err err = NULL;
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	if (access(path, F_OK) < 0)
		return NULL;
	ck_assert_int_eq(husk_read_file(path, 4u << 20, &text, NULL, &err), 0);
	return text;
}

/*
 * A hook script that appends its name to dir/order, then records its
 * environment (exactly as execve passed it), its arguments after argv[0]
 * and its stdin, and exits with `code`.
 */
static char *recording_hook(struct husk_arena *a, const struct scratch *s, const char *name, int code)
{
	char body[1024];
	snprintf(body, sizeof(body),
		 "#!/bin/sh\n"
		 "out=%s/%s\n"
		 "echo %s >> %s/order\n"
		 "tr '\\000' '\\n' < /proc/$$/environ > $out.env\n"
		 "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done > $out.args\n"
		 "cat > $out.stdin\n"
		 "exit %d\n",
		 s->dir, name, name, s->dir, code);
	char *path = scratch_path(a, s, name);
	write_file(path, body, 0755);
	return path;
}

/* A hook running `sh -c script` with argv[0] "sh". */
static void shell_hook(struct husk_arena *a, struct husk_hook *h, const char *script)
{
	h->path = husk_arena_strdup(a, "/bin/sh");
	h->args.v = husk_arena_alloc(a, 3 * sizeof(char *));
	h->args.v[0] = husk_arena_strdup(a, "sh");
	h->args.v[1] = husk_arena_strdup(a, "-c");
	h->args.v[2] = husk_arena_strdup(a, script);
	h->args.n = 3;
}

static void set_strv(struct husk_arena *a, husk_strv *v, const char *const *items, size_t n)
{
	v->v = husk_arena_alloc(a, n * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v->v[i] = husk_arena_strdup(a, items[i]);
	v->n = n;
}

static void assert_error(husk_err err, const char *expected)
{
	ck_assert_ptr_nonnull(err);
	ck_assert_uint_eq(husk_error_count(err), 1);
	cleanup_free char *s = husk_error_string(err);
	ck_assert_str_eq(s, expected);
}

static char *expect_msg(const char *fmt, const char *path)
{
	char *s = NULL;
	ck_assert_int_ge(asprintf(&s, fmt, path), 0);
	return s;
}

/* ---- running in order ------------------------------------------------- */

START_TEST(hooks_none)
{
	husk_hookv v = { NULL, 0 };
	husk_err err = NULL;
	ck_assert_int_eq(husk_hooks_run(&v, "prestart", STATE, NULL, &err), 0);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(hooks_order_args_env_stdin)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h[3] = { 0 };
	husk_err err = NULL;
	static const char *const args[] = { "ignored-argv0", "one", "two words", "" };
	static const char *const env[] = { "A=1", "B=two words", "EMPTY=" };
	scratch_make(&s, "hooks");
	ck_assert_int_eq(setenv("HUSK_UNIT_LEAK", "parent", 1), 0);
	h[0].path = recording_hook(&a, &s, "h0", 0);
	h[1].path = recording_hook(&a, &s, "h1", 0);
	set_strv(&a, &h[1].args, args, 4);
	set_strv(&a, &h[1].env, env, 3);
	h[2].path = recording_hook(&a, &s, "h2", 0);
	h[2].timeout.v = 30;
	h[2].timeout.set = true;
	husk_hookv v = { h, 3 };

	ck_assert_int_eq(husk_hooks_run(&v, "createRuntime", STATE, NULL, &err), 0);
	ck_assert_ptr_null(err);
	unsetenv("HUSK_UNIT_LEAK");

	cleanup_free char *order = read_scratch(&s, "order");
	ck_assert_str_eq(order, "h0\nh1\nh2\n");
	static const char *const names[] = { "h0", "h1", "h2" };
	for (size_t i = 0; i < 3; i++) {
		char f[16];
		snprintf(f, sizeof(f), "%s.stdin", names[i]);
		cleanup_free char *in = read_scratch(&s, f);
		ck_assert_str_eq(in, STATE);
		snprintf(f, sizeof(f), "%s.env", names[i]);
		cleanup_free char *envtext = read_scratch(&s, f);
		/* Exactly the configured environment, nothing of ours. */
		ck_assert_str_eq(envtext, i == 1 ? "A=1\nB=two words\nEMPTY=\n" : "");
		snprintf(f, sizeof(f), "%s.args", names[i]);
		cleanup_free char *argtext = read_scratch(&s, f);
		ck_assert_str_eq(argtext, i == 1 ? "one\ntwo words\n\n" : "");
	}
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

/* A script cannot see its argv[0] (the kernel replaces it with the
 * interpreter), so the shell itself is the hook and reports its own
 * command line; with no args it reads its commands from the state. */
START_TEST(hooks_argv0)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h[2] = { 0 };
	husk_err err = NULL;
	char script[256];
	scratch_make(&s, "hooks");
	snprintf(script, sizeof(script), "tr '\\000' '\\n' < /proc/$$/cmdline > %s/cmdline0\n", s.dir);
	h[0].path = husk_arena_strdup(&a, "/bin/sh");
	husk_hookv v0 = { &h[0], 1 };
	ck_assert_int_eq(husk_hooks_run(&v0, "prestart", script, NULL, &err), 0);
	ck_assert_ptr_null(err);
	cleanup_free char *c0 = read_scratch(&s, "cmdline0");
	ck_assert_str_eq(c0, "/bin/sh\n");

	snprintf(script, sizeof(script), "tr '\\000' '\\n' < /proc/$$/cmdline > %s/cmdline1", s.dir);
	shell_hook(&a, &h[1], script);
	h[1].args.v[0] = husk_arena_strdup(&a, "custom-name");
	husk_hookv v1 = { &h[1], 1 };
	ck_assert_int_eq(husk_hooks_run(&v1, "prestart", STATE, NULL, &err), 0);
	ck_assert_ptr_null(err);
	cleanup_free char *c1 = read_scratch(&s, "cmdline1");
	cleanup_free char *want = NULL;
	ck_assert_int_ge(asprintf(&want, "custom-name\n-c\n%s\n", script), 0);
	ck_assert_str_eq(c1, want);
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

/* ---- stdin ------------------------------------------------------------ */

static char *big_state(size_t size)
{
	char *st = malloc(size + 1);
	ck_assert_ptr_nonnull(st);
	memset(st, 'x', size);
	memcpy(st, "{\"pad\":\"", 8);
	memcpy(st + size - 2, "\"}", 2);
	st[size] = '\0';
	return st;
}

START_TEST(hooks_big_state)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h = { 0 };
	husk_err err = NULL;
	scratch_make(&s, "hooks");
	cleanup_free char *st = big_state(1u << 20);
	h.path = recording_hook(&a, &s, "big", 0);
	husk_hookv v = { &h, 1 };
	ck_assert_int_eq(husk_hooks_run(&v, "createContainer", st, NULL, &err), 0);
	ck_assert_ptr_null(err);
	cleanup_free char *in = read_scratch(&s, "big.stdin");
	ck_assert_uint_eq(strlen(in), 1u << 20);
	ck_assert(strcmp(in, st) == 0);
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

/* Hooks that ignore a state too big for the pipe: one exits at once, one
 * closes stdin and lingers, one lingers with stdin open.  None may hang
 * the runtime or kill it with SIGPIPE, and no SIGPIPE may stay pending. */
START_TEST(hooks_state_not_read)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h[3] = { 0 };
	husk_err err = NULL;
	scratch_make(&s, "hooks");
	cleanup_free char *st = big_state(1u << 20);
	shell_hook(&a, &h[0], "exit 0");
	shell_hook(&a, &h[1], "exec 0<&-; sleep 0.2; exit 0");
	shell_hook(&a, &h[2], "sleep 0.2; exit 0");
	husk_hookv v = { h, 3 };
	ck_assert_int_eq(husk_hooks_run(&v, "startContainer", st, NULL, &err), 0);
	ck_assert_ptr_null(err);
	sigset_t pending;
	ck_assert_int_eq(sigpending(&pending), 0);
	ck_assert(!sigismember(&pending, SIGPIPE));
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

/* ---- failures --------------------------------------------------------- */

START_TEST(hooks_failure_stops_the_run)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h[3] = { 0 };
	cleanup_error husk_err err = NULL;
	scratch_make(&s, "hooks");
	h[0].path = recording_hook(&a, &s, "h0", 0);
	h[1].path = recording_hook(&a, &s, "h1", 3);
	h[2].path = recording_hook(&a, &s, "h2", 0);
	husk_hookv v = { h, 3 };
	ck_assert_int_eq(husk_hooks_run(&v, "createRuntime", STATE, NULL, &err), -1);
	cleanup_free char *want = expect_msg("createRuntime hook 1 (%s): exited with status 3", h[1].path);
	assert_error(err, want);
	ck_assert_int_eq(err->errnum, 0);
	cleanup_free char *order = read_scratch(&s, "order");
	ck_assert_str_eq(order, "h0\nh1\n");
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

START_TEST(hooks_killed_by_signal)
{
	struct husk_arena a = { 0 };
	struct husk_hook h = { 0 };
	cleanup_error husk_err err = NULL;
	shell_hook(&a, &h, "kill -9 $$");
	husk_hookv v = { &h, 1 };
	ck_assert_int_eq(husk_hooks_run(&v, "poststart", STATE, NULL, &err), -1);
	assert_error(err, "poststart hook 0 (/bin/sh): killed by signal 9");
	husk_arena_release(&a);
}
END_TEST

START_TEST(hooks_timeout_kills)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h = { 0 };
	cleanup_error husk_err err = NULL;
	char script[160];
	scratch_make(&s, "hooks");
	snprintf(script, sizeof(script), "echo $$ > %s/pid; exec sleep 100", s.dir);
	shell_hook(&a, &h, script);
	h.timeout.v = 1;
	h.timeout.set = true;
	husk_hookv v = { &h, 1 };
	ck_assert_int_eq(husk_hooks_run(&v, "createRuntime", STATE, NULL, &err), -1);
	assert_error(err, "createRuntime hook 0 (/bin/sh): timed out after 1s");
	cleanup_free char *pidtext = read_scratch(&s, "pid");
	ck_assert_ptr_nonnull(pidtext);
	pid_t pid = (pid_t)strtol(pidtext, NULL, 10);
	ck_assert_int_gt(pid, 0);
	/* Killed and reaped: not even a zombie is left. */
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

START_TEST(hooks_missing_path)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h[2] = { 0 };
	cleanup_error husk_err err = NULL;
	scratch_make(&s, "hooks");
	h[0].path = scratch_path(&a, &s, "missing");
	h[1].path = recording_hook(&a, &s, "after", 0);
	husk_hookv v = { h, 2 };
	ck_assert_int_eq(husk_hooks_run(&v, "prestart", STATE, NULL, &err), -1);
	cleanup_free char *want = expect_msg("prestart hook 0 (%s): execve: No such file or directory", h[0].path);
	assert_error(err, want);
	ck_assert_int_eq(err->errnum, ENOENT);
	cleanup_free char *order = read_scratch(&s, "order");
	ck_assert_ptr_null(order);
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

START_TEST(hooks_not_executable)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h = { 0 };
	cleanup_error husk_err err = NULL;
	scratch_make(&s, "hooks");
	h.path = scratch_path(&a, &s, "plain");
	write_file(h.path, "#!/bin/sh\nexit 0\n", 0644);
	husk_hookv v = { &h, 1 };
	ck_assert_int_eq(husk_hooks_run(&v, "prestart", STATE, NULL, &err), -1);
	ck_assert_int_eq(err->errnum, EACCES);
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

/* Lifecycle step 13: a failing poststop hook is a warning; the rest run. */
START_TEST(hooks_poststop_warns_and_continues)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h[2] = { 0 };
	husk_err err = NULL;
	scratch_make(&s, "hooks");
	h[0].path = recording_hook(&a, &s, "h0", 4);
	h[1].path = recording_hook(&a, &s, "h1", 0);
	char logpath[160];
	snprintf(logpath, sizeof(logpath), "%s/log", s.dir);
	struct husk_log log = { .format = HUSK_LOG_TEXT, .level = HUSK_LOG_WARNING };
	log.fd = open(logpath, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(log.fd, 0);
	husk_hookv v = { h, 2 };
	ck_assert_int_eq(husk_hooks_run(&v, "poststop", STATE, &log, &err), 0);
	ck_assert_ptr_null(err);
	close(log.fd);
	cleanup_free char *order = read_scratch(&s, "order");
	ck_assert_str_eq(order, "h0\nh1\n");
	cleanup_free char *logtext = read_scratch(&s, "log");
	cleanup_free char *want = expect_msg("poststop hook 0 (%s): exited with status 4", h[0].path);
	ck_assert_msg(strstr(logtext, want), "log: %s", logtext);
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

/* ---- isolation -------------------------------------------------------- */

/* The numbers of our open fds above 2, space-separated. */
static void list_own_fds(char *buf, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	size_t len = 0;
	struct dirent *e;
	buf[0] = '\0';
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd <= 2 || fd == dirfd(d))
			continue;
		int n = snprintf(buf + len, size - len, " %d", fd);
		ck_assert(n > 0 && (size_t)n < size - len);
		len += (size_t)n;
	}
	closedir(d);
}

START_TEST(hooks_no_fd_leaks)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h = { 0 };
	husk_err err = NULL;
	char fds[1024], script[1400];
	scratch_make(&s, "hooks");
	int fd = open("/dev/null", O_RDONLY);          /* deliberately inheritable */
	ck_assert_int_ge(fd, 3);
	ck_assert_int_eq(dup2(fd, 77), 77);
	list_own_fds(fds, sizeof(fds));
	ck_assert_ptr_nonnull(strstr(fds, " 77"));
	/* No redirection until the end: the shell opens fds for those. */
	snprintf(script, sizeof(script),
		 "l=; for n in %s; do [ -e /proc/$$/fd/$n ] && l=\"$l $n\"; done\n"
		 "echo \"leaked:$l\" > %s/fds",
		 fds, s.dir);
	shell_hook(&a, &h, script);
	husk_hookv v = { &h, 1 };
	ck_assert_int_eq(husk_hooks_run(&v, "createRuntime", STATE, NULL, &err), 0);
	ck_assert_ptr_null(err);
	close(fd);
	close(77);
	cleanup_free char *got = read_scratch(&s, "fds");
	ck_assert_str_eq(got, "leaked:\n");
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

/*
 * Signal state is the default, whatever the runtime's.  A shell clears its
 * mask when it starts, so the hook is grep itself, its stdout (inherited
 * from us) pointed at a file for the run.
 */
START_TEST(hooks_default_signals)
{
	struct scratch s;
	struct husk_arena a = { 0 };
	struct husk_hook h = { 0 };
	husk_err err = NULL;
	static const char *const args[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status" };
	scratch_make(&s, "hooks");
	h.path = husk_arena_strdup(&a, "/bin/grep");
	set_strv(&a, &h.args, args, 4);
	char *out = scratch_path(&a, &s, "sig");
	int fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	int saved_stdout = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved_stdout, 0);
	ck_assert_int_eq(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	close(fd);

	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &old), 0);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_term;
	ck_assert_int_eq(sigaction(SIGTERM, &ign, &old_term), 0);
	husk_hookv v = { &h, 1 };
	int rc = husk_hooks_run(&v, "createRuntime", STATE, NULL, &err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);

	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(err);
	cleanup_free char *sig = read_scratch(&s, "sig");
	ck_assert_str_eq(sig, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	husk_arena_release(&a);
	scratch_remove(&s);
}
END_TEST

Suite *hooks_suite(void)
{
	Suite *s = suite_create("hooks");
	TCase *run = tcase_create("run");
	tcase_set_timeout(run, 30);
	tcase_add_test(run, hooks_none);
	tcase_add_test(run, hooks_order_args_env_stdin);
	tcase_add_test(run, hooks_argv0);
	tcase_add_test(run, hooks_big_state);
	tcase_add_test(run, hooks_state_not_read);
	suite_add_tcase(s, run);

	TCase *fail = tcase_create("failures");
	tcase_set_timeout(fail, 30);
	tcase_add_test(fail, hooks_failure_stops_the_run);
	tcase_add_test(fail, hooks_killed_by_signal);
	tcase_add_test(fail, hooks_timeout_kills);
	tcase_add_test(fail, hooks_missing_path);
	tcase_add_test(fail, hooks_not_executable);
	tcase_add_test(fail, hooks_poststop_warns_and_continues);
	suite_add_tcase(s, fail);

	TCase *iso = tcase_create("isolation");
	tcase_set_timeout(iso, 30);
	tcase_add_test(iso, hooks_no_fd_leaks);
	tcase_add_test(iso, hooks_default_signals);
	suite_add_tcase(s, iso);
	return s;
}
