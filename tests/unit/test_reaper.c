/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk/reaper.h"
#include "husk/util.h"
#include "unit.h"

/*
 * Each test forks a child that unshares a PID namespace and forks again,
 * so that the reaper really runs as PID 1 (as a child subreaper instead
 * where namespaces are not allowed).  The child exits with whatever
 * husk_reaper_run returned, and its pid is written to a pipe so that the
 * test can signal the reaper and look at its children from outside.
 */

static bool scratch_has(const struct scratch *s, const char *name)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return access(path, F_OK) == 0;
}

static void scratch_touch(const struct scratch *s, const char *name)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static char *scratch_read(const struct scratch *s, const char *name)
{
	char path[160];
	char *text = NULL;
	husk_err err = NULL;
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	ck_assert_int_eq(husk_read_file(path, 1 << 16, &text, NULL, &err), 0);
	return text;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void wait_for_file(const struct scratch *s, const char *name)
{
	for (int i = 0; i < 1000 && !scratch_has(s, name); i++)
		sleep_ms(10);
	ck_assert_msg(scratch_has(s, name), "%s never appeared", name);
}

struct reaper {
	pid_t outer;             /* our child; exits with the reaper's result */
	pid_t pid;               /* the process running the reaper */
};

/* What the reaper runs: path with argv, stdout and stderr to out_fd
 * (when >= 0).  The caller's mask is empty, which the child gets back,
 * and its SIGTERM ignored, which the child must not inherit. */
struct command {
	const char *path;
	char *const *argv;
	int out_fd;
};

static void __attribute__((noreturn)) run_reaper(const struct command *cmd)
{
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	if (cmd->out_fd >= 0 && (dup2(cmd->out_fd, STDOUT_FILENO) < 0 || dup2(cmd->out_fd, STDERR_FILENO) < 0))
		_exit(249);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_IGN);
	int rc = husk_reaper_run(cmd->path, cmd->argv, envp);
	_exit(rc < 0 ? 250 : rc);
}

/* In our child: become PID 1 of a new namespace, or a subreaper. */
static void __attribute__((noreturn)) outer_child(int report_fd, const struct command *cmd)
{
	pid_t self = getpid();
	if (unshare(CLONE_NEWPID) < 0) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ||
		    write(report_fd, &self, sizeof(self)) != sizeof(self))
			_exit(251);
		close(report_fd);
		run_reaper(cmd);
	}
	pid_t pid = fork();
	if (pid < 0)
		_exit(252);
	if (pid == 0) {
		close(report_fd);
		run_reaper(cmd);
	}
	if (write(report_fd, &pid, sizeof(pid)) != sizeof(pid))
		_exit(253);
	close(report_fd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(254);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
}

static void start_command(struct reaper *r, const struct command *cmd)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	r->outer = fork();
	ck_assert_int_ge(r->outer, 0);
	if (r->outer == 0) {
		close(p[0]);
		outer_child(p[1], cmd);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &r->pid, sizeof(r->pid)), sizeof(r->pid));
	close(p[0]);
}

static void start(struct reaper *r, const char *script)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct command cmd = { "/bin/sh", argv, -1 };
	start_command(r, &cmd);
}

static int finish(struct reaper *r)
{
	int status;
	ck_assert_int_eq(waitpid(r->outer, &status, 0), r->outer);
	ck_assert_msg(WIFEXITED(status), "outer child died: %#x", status);
	return WEXITSTATUS(status);
}

static int run_script(const char *script)
{
	struct reaper r;
	start(&r, script);
	return finish(&r);
}

/* ---- /proc ------------------------------------------------------------ */

struct proc_stat {
	char state;
	pid_t ppid, pgrp, session;
};

static bool read_stat(pid_t pid, struct proc_stat *st)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	int ppid, pgrp, session;
	if (!p || sscanf(p + 1, " %c %d %d %d", &st->state, &ppid, &pgrp, &session) != 4)
		return false;
	st->ppid = ppid;
	st->pgrp = pgrp;
	st->session = session;
	return true;
}

struct children {
	size_t zombies;
	size_t live;
	pid_t last_live;
};

static struct children children_of(pid_t parent)
{
	struct children c = { 0 };
	DIR *d = opendir("/proc");
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		struct proc_stat st;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0 || !read_stat(pid, &st) || st.ppid != parent)
			continue;
		if (st.state == 'Z') {
			c.zombies++;
		} else {
			c.live++;
			c.last_live = pid;
		}
	}
	closedir(d);
	return c;
}

/* ---- exit status ------------------------------------------------------ */

START_TEST(reaper_exit_code)
{
	ck_assert_int_eq(run_script("exit 7"), 7);
	ck_assert_int_eq(run_script("exit 0"), 0);
}
END_TEST

START_TEST(reaper_killed_child)
{
	ck_assert_int_eq(run_script("kill -TERM $$"), 128 + SIGTERM);
	ck_assert_int_eq(run_script("kill -KILL $$"), 128 + SIGKILL);
}
END_TEST

static int open_out(const struct scratch *s, const char *name)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(reaper_exec_failure)
{
	struct scratch s;
	struct reaper r;
	char path[160];
	char *argv[] = { "x", NULL };
	scratch_make(&s, "reaper");
	struct command cmd = { path, argv, open_out(&s, "stderr") };

	snprintf(path, sizeof(path), "%s/missing", s.dir);
	start_command(&r, &cmd);
	ck_assert_int_eq(finish(&r), 127);
	cleanup_free char *msg = scratch_read(&s, "stderr");
	cleanup_free char *want = NULL;
	ck_assert_int_ge(asprintf(&want, "husk: exec %s: No such file or directory\n", path), 0);
	ck_assert_str_eq(msg, want);

	snprintf(path, sizeof(path), "%s/stderr", s.dir);   /* exists, not executable */
	start_command(&r, &cmd);
	ck_assert_int_eq(finish(&r), 126);
	close(cmd.out_fd);
	scratch_remove(&s);
}
END_TEST

/* ---- the child's environment ------------------------------------------ */

/* A shell clears its mask on start, so grep is the child here. */
START_TEST(reaper_child_signals)
{
	struct scratch s;
	struct reaper r;
	char *argv[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	scratch_make(&s, "reaper");
	struct command cmd = { "/bin/grep", argv, open_out(&s, "sig") };
	start_command(&r, &cmd);
	ck_assert_int_eq(finish(&r), 0);
	close(cmd.out_fd);
	cleanup_free char *sig = scratch_read(&s, "sig");
	ck_assert_str_eq(sig, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	scratch_remove(&s);
}
END_TEST

START_TEST(reaper_child_env)
{
	struct scratch s;
	char script[256];
	scratch_make(&s, "reaper");
	snprintf(script, sizeof(script), "env > %s/env", s.dir);
	ck_assert_int_eq(run_script(script), 0);
	cleanup_free char *env = scratch_read(&s, "env");
	ck_assert_ptr_nonnull(strstr(env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
	scratch_remove(&s);
}
END_TEST

/* ---- reaping ---------------------------------------------------------- */

START_TEST(reaper_reaps_orphans)
{
	struct scratch s;
	struct reaper r;
	char script[512];
	scratch_make(&s, "reaper");
	/* Each ( ... & ) leaves an orphan that the reaper inherits. */
	snprintf(script, sizeof(script),
		 "d=%s; for i in 1 2 3 4 5; do (sh -c \"echo x > $d/orphan$i\" &); done\n"
		 "while [ \"$(ls $d | grep -c orphan)\" -lt 5 ]; do sleep 0.01; done\n"
		 "echo > $d/ready\n"
		 "while [ ! -e $d/go ]; do sleep 0.01; done\n"
		 "exit 0\n",
		 s.dir);
	start(&r, script);
	wait_for_file(&s, "ready");

	/* The orphans have run; soon the script must be the reaper's only
	 * child, and no zombie may be left behind. */
	struct children c = children_of(r.pid);
	for (int i = 0; i < 500 && (c.zombies || c.live != 1); i++) {
		sleep_ms(10);
		c = children_of(r.pid);
	}
	ck_assert_uint_eq(c.zombies, 0);
	ck_assert_uint_eq(c.live, 1);

	/* The script leads its own session and process group. */
	struct proc_stat st;
	ck_assert(read_stat(c.last_live, &st));
	ck_assert_int_eq(st.session, c.last_live);
	ck_assert_int_eq(st.pgrp, c.last_live);

	scratch_touch(&s, "go");
	ck_assert_int_eq(finish(&r), 0);
	scratch_remove(&s);
}
END_TEST

/* ---- forwarding ------------------------------------------------------- */

/* Start `script`, wait for it to write dir/ready, send sig to the reaper
 * and return the reaper's result. */
static int signal_script(const struct scratch *s, const char *script, int sig)
{
	struct reaper r;
	start(&r, script);
	wait_for_file(s, "ready");
	ck_assert_int_eq(kill(r.pid, sig), 0);
	return finish(&r);
}

START_TEST(reaper_forwards_usr1)
{
	struct scratch s;
	char script[256];
	scratch_make(&s, "reaper");
	snprintf(script, sizeof(script),
		 "exec 2>/dev/null; d=%s; trap 'echo usr1 > $d/usr1; exit 0' USR1; echo > $d/ready\n"
		 "while :; do sleep 0.05; done\n",
		 s.dir);
	ck_assert_int_eq(signal_script(&s, script, SIGUSR1), 0);
	cleanup_free char *got = scratch_read(&s, "usr1");
	ck_assert_str_eq(got, "usr1\n");
	scratch_remove(&s);
}
END_TEST

START_TEST(reaper_forwards_hup)
{
	struct scratch s;
	char script[256];
	scratch_make(&s, "reaper");
	snprintf(script, sizeof(script),
		 "exec 2>/dev/null; trap 'exit 5' HUP; echo > %s/ready; while :; do sleep 0.05; done", s.dir);
	ck_assert_int_eq(signal_script(&s, script, SIGHUP), 5);
	scratch_remove(&s);
}
END_TEST

/* No trap: the forwarded SIGTERM's default action ends the child. */
START_TEST(reaper_forwards_term)
{
	struct scratch s;
	char script[256];
	scratch_make(&s, "reaper");
	snprintf(script, sizeof(script), "echo > %s/ready; exec sleep 100", s.dir);
	ck_assert_int_eq(signal_script(&s, script, SIGTERM), 128 + SIGTERM);
	scratch_remove(&s);
}
END_TEST

Suite *reaper_suite(void)
{
	Suite *s = suite_create("reaper");
	TCase *status = tcase_create("status");
	tcase_set_timeout(status, 30);
	tcase_add_test(status, reaper_exit_code);
	tcase_add_test(status, reaper_killed_child);
	tcase_add_test(status, reaper_exec_failure);
	tcase_add_test(status, reaper_child_signals);
	tcase_add_test(status, reaper_child_env);
	suite_add_tcase(s, status);

	TCase *reap = tcase_create("reaping");
	tcase_set_timeout(reap, 30);
	tcase_add_test(reap, reaper_reaps_orphans);
	suite_add_tcase(s, reap);

	TCase *fwd = tcase_create("forwarding");
	tcase_set_timeout(fwd, 30);
	tcase_add_test(fwd, reaper_forwards_usr1);
	tcase_add_test(fwd, reaper_forwards_hup);
	tcase_add_test(fwd, reaper_forwards_term);
	suite_add_tcase(s, fwd);
	return s;
}
