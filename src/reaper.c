/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/process.h"
#include "husk/reaper.h"

/*
 * Design: every catchable signal stays blocked in the reaper and is taken
 * synchronously with sigwaitinfo, so there are no handlers and no state
 * outside this stack frame.  Blocked signals are queued even for a PID 1
 * (the kernel drops default-action signals to a namespace init only while
 * they are unblocked), which is what makes forwarding possible at all.
 * The child runs in its own session, so one kill(-pgid) reaches it and the
 * processes it spawns, the way a terminal's job control would.
 */

/* ---- in the child ------------------------------------------------------ */

/* Best effort: the terminal may still belong to the reaper's session, in
 * which case the reaper's foreground group receives the terminal's signals
 * and forwards them anyway. */
static void take_terminal(void)
{
	if (isatty(STDIN_FILENO))
		ioctl(STDIN_FILENO, TIOCSCTTY, 0);
}

/* "husk: exec PATH: REASON\n" with one write, no stdio. */
static void report_exec_failure(const char *path, int errnum)
{
	const char *reason = strerror(errnum);
	struct iovec iov[] = {
		{ .iov_base = (void *)"husk: exec ", .iov_len = 11 },
		{ .iov_base = (void *)path, .iov_len = strlen(path) },
		{ .iov_base = (void *)": ", .iov_len = 2 },
		{ .iov_base = (void *)reason, .iov_len = strlen(reason) },
		{ .iov_base = (void *)"\n", .iov_len = 1 },
	};
	ssize_t w = writev(STDERR_FILENO, iov, sizeof(iov) / sizeof(iov[0]));
	(void)w;
}

static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], char *const envp[])
{
	setsid();
	take_terminal();
	husk_process_reset_signals();
	execve(path, argv, envp);
	int e = errno;
	report_exec_failure(path, e);
	/* The shell's convention: 126 found but not executable, 127 not found. */
	_exit(e == EACCES || e == ENOEXEC ? 126 : 127);
}

/* ---- in the reaper ----------------------------------------------------- */

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Reap every child that has exited; true once `main` is among them. */
static bool reap_all(pid_t main, int *main_status)
{
	bool main_done = false;
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return main_done;
		if (pid == main) {
			*main_status = status;
			main_done = true;
		}
	}
}

/* To the child's process group; to the child alone while it has not yet
 * made its own group. */
static void forward(pid_t child, int sig)
{
	if (kill(-child, sig) < 0 && errno == ESRCH)
		kill(child, sig);
}

/* A SIGCHLD ignored (SIG_IGN or SA_NOCLDWAIT) would auto-reap the child
 * and lose its status. */
static int default_sigchld(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL);
}

/*
 * Signals stay blocked when this returns: the caller is about to exit with
 * the status, and a late signal must not turn that into a death by signal.
 */
int husk_reaper_run(const char *path, char *const argv[], char *const envp[])
{
	sigset_t all, old;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0)
		return -1;
	pid_t child = default_sigchld() < 0 ? -1 : fork();
	if (child < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = e;
		return -1;
	}
	if (child == 0)
		child_exec(path, argv, envp);

	int status = 0;
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;       /* EINTR only: the set is valid */
		if (sig != SIGCHLD)
			forward(child, sig);
		else if (reap_all(child, &status))
			return exit_code(status);
	}
}
