/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_TERMINAL_H
#define HUSK_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/config.h"

/*
 * process.terminal: a pseudo-terminal made inside the container, from the
 * container's own devpts, whose master goes to whoever asked for it over
 * a unix socket (--console-socket), as runc sends it: one SCM_RIGHTS
 * message carrying the master, with "/dev/ptmx" as payload.
 */

/* In the runtime, before the clone: connect to the unix socket path given
 * by option (the path is the caller's, unreachable from inside the
 * container); errors name the option. */
int husk_unix_connect(const char *path, const char *option, husk_err *err);
int husk_console_socket_connect(const char *path, husk_err *err);

/* --pidfd-socket: send a pidfd of pid over sock, with runc's payload kind
 * ("standard" for a container process, "setns" for an exec'd one). */
int husk_pidfd_socket_send(int sock, pid_t pid, const char *kind, husk_err *err);

enum husk_terminal_flags {
	/* A new session with the peer as its controlling terminal (the
	 * reaper leaves that to its child). */
	HUSK_TERMINAL_CONTROLLING = 1 << 0,
	/* Bind the peer over /dev/console: the container's first process
	 * only; an exec'd process leaves the container's console alone. */
	HUSK_TERMINAL_CONSOLE = 1 << 1,
};

/*
 * In the container process, after pivot_root (or in a process exec'd into
 * the container, after it took the container's root): open /dev/ptmx (it
 * must be a devpts master: a container cannot hand us a host tty), get the
 * peer with TIOCGPTPEER (never by path), apply consoleSize, send the
 * master over console_fd, and make the peer stdio; flags as above.
 */
int husk_terminal_setup(int console_fd, const struct husk_process *p, unsigned int flags, husk_err *err);

/* Send fd over the unix socket sock with payload name (SCM_RIGHTS). */
int husk_send_fd(int sock, int fd, const char *name, husk_err *err);

/* Receive one fd sent by husk_send_fd; returns it, or -1. */
int husk_recv_fd(int sock, husk_err *err);

#endif
