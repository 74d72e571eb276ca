/* SPDX-License-Identifier: Apache-2.0 */
/* Waiting in the foreground for a container's process (run, exec). */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "container_internal.h"

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int husk_container_wait_forwarding(pid_t pid, int *exit_status, husk_err *err)
{
	sigset_t all;
	sigfillset(&all);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return husk_error(err, errno, "wait for process %d", (int)pid);
		}
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		int status;
		pid_t r;
		while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
			if (r == pid) {
				*exit_status = exit_code(status);
				return 0;
			}
		}
	}
}
