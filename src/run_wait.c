/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk run` in the foreground: wait for the container, pass it the signals
 * the runtime receives, and, when husk serves the container's terminal
 * itself, copy between the caller's terminal and the container's, with the
 * caller's terminal in raw mode and its size following SIGWINCH.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "husk/run_wait.h"
#include "husk/util.h"

struct proxy {
	int master;             /* -1: no terminal to serve */
	bool stdin_open;
	bool raw;               /* saved holds the caller's settings */
	struct termios saved;
};

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

static void copy_window_size(const struct proxy *p)
{
	struct winsize ws;
	if (p->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(p->master, TIOCSWINSZ, &ws);
}

static int proxy_start(struct proxy *p, husk_err *err)
{
	if (p->master < 0)
		return 0;
	int flags = fcntl(p->master, F_GETFL);
	if (flags < 0 || fcntl(p->master, F_SETFL, flags | O_NONBLOCK) < 0)
		return husk_error(err, errno, "terminal: non-blocking master");
	p->stdin_open = true;
	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &p->saved) < 0)
		return husk_error(err, errno, "terminal: read the settings of standard input");
	struct termios raw = p->saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return husk_error(err, errno, "terminal: raw mode on standard input");
	p->raw = true;
	copy_window_size(p);
	return 0;
}

static void proxy_stop(struct proxy *p)
{
	if (p->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &p->saved);
	p->raw = false;
}

/* Copy what is there from in to out; false once in is done (EOF, EIO). */
static bool copy_available(int in, int out)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		if (husk_write_all(out, buf, (size_t)n) < 0)
			return false;
		if ((size_t)n < sizeof(buf))
			return true;
	}
}

/* Reap children (the runtime may be their subreaper); true once pid is. */
static bool reap(pid_t pid, int *exit_status)
{
	int status;
	pid_t r;
	while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
		if (r == pid) {
			*exit_status = exit_code(status);
			return true;
		}
	}
	return false;
}

static int on_signal(int sfd, const struct proxy *p, pid_t pid, int *exit_status, bool *done, husk_err *err)
{
	struct signalfd_siginfo si;
	ssize_t n = read(sfd, &si, sizeof(si));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n != (ssize_t)sizeof(si))
		return husk_error(err, n < 0 ? errno : EIO, "wait for the container: read signals");
	if (si.ssi_signo == SIGCHLD)
		*done = reap(pid, exit_status);
	else if (si.ssi_signo == SIGWINCH && p->master >= 0)
		copy_window_size(p);
	else
		kill(pid, (int)si.ssi_signo);
	return 0;
}

static int wait_loop(int sfd, struct proxy *p, pid_t pid, int *exit_status, husk_err *err)
{
	bool done = reap(pid, exit_status);
	while (!done) {
		struct pollfd fds[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = p->master, .events = POLLIN },
			{ .fd = p->stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return husk_error(err, errno, "wait for the container");
		}
		if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_available(p->master, STDOUT_FILENO))
			p->master = -1; /* every holder of the peer is gone */
		if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_available(STDIN_FILENO, p->master))
			p->stdin_open = false;
		if (fds[0].revents & POLLIN && on_signal(sfd, p, pid, exit_status, &done, err) < 0)
			return -1;
	}
	/* What the container wrote last is still in the terminal. */
	if (p->master >= 0)
		copy_available(p->master, STDOUT_FILENO);
	return 0;
}

int husk_run_wait(pid_t pid, int master, int *exit_status, husk_err *err)
{
	sigset_t all;
	sigfillset(&all);
	/* Signals are blocked since before the clone: none is lost. */
	cleanup_close int sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return husk_error(err, errno, "wait for the container: signalfd");
	struct proxy p = { .master = master };
	int rc = proxy_start(&p, err);
	if (rc == 0)
		rc = wait_loop(sfd, &p, pid, exit_status, err);
	proxy_stop(&p);
	return rc;
}
