/* SPDX-License-Identifier: Apache-2.0 */
/* process.terminal: the container's pty and the console socket. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "husk/safe_path.h"
#include "husk/terminal.h"
#include "husk/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* What runc names the master in its message; receivers may log it. */
#define MASTER_NAME "/dev/ptmx"

int husk_unix_connect(const char *path, const char *option, husk_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path))
		return husk_error(err, ENAMETOOLONG, "%s \"%s\"", option, path);
	strcpy(addr.sun_path, path);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error(err, errno, "%s: socket", option);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return husk_error(err, errno, "%s: connect to \"%s\"", option, path);
	return steal_fd(&fd);
}

int husk_console_socket_connect(const char *path, husk_err *err)
{
	return husk_unix_connect(path, "--console-socket", err);
}

/* runc's payload: what kind of process the pidfd is of. */
int husk_pidfd_socket_send(int sock, pid_t pid, const char *kind, husk_err *err)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return husk_error(err, errno, "--pidfd-socket: pidfd_open(%d)", (int)pid);
	if (husk_send_fd(sock, pidfd, kind, err) < 0)
		return husk_error_wrap(err, "--pidfd-socket");
	return 0;
}

int husk_send_fd(int sock, int fd, const char *name, husk_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_error(err, errno, "send a descriptor over the socket");
	return 0;
}

int husk_recv_fd(int sock, husk_err *err)
{
	char name[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_error(err, errno, "receive the terminal");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return husk_error(err, EPROTO, "receive the terminal: no descriptor in the message");
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* ---- in the container ------------------------------------------------------ */

static int open_master(husk_err *err)
{
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return husk_error(err, errno, "process.terminal: open /dev/ptmx");
	/* /dev/ptmx is the container's: it must lead to a devpts instance,
	 * not to some other device planted there. */
	struct statfs fs;
	char name[64];
	if (fstatfs(master, &fs) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		return husk_error(err, errno, "process.terminal: /dev/ptmx is not a pseudo-terminal master");
	if (fs.f_type != DEVPTS_SUPER_MAGIC)
		return husk_error(err, EPERM, "process.terminal: /dev/ptmx is not on a devpts file system");
	if (unlockpt(master) < 0)
		return husk_error(err, errno, "process.terminal: unlockpt");
	return steal_fd(&master);
}

static int set_size(int master, const struct husk_console_size *size, husk_err *err)
{
	if (!size)
		return 0;
	struct winsize ws = { .ws_row = (unsigned short)size->height, .ws_col = (unsigned short)size->width };
	if (ioctl(master, TIOCSWINSZ, &ws) < 0)
		return husk_error(err, errno, "process.consoleSize: set %ux%u", ws.ws_col, ws.ws_row);
	return 0;
}

/* /dev/console: the peer bound over a plain file, made through no symlink. */
static int bind_console(int peer, husk_err *err)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return husk_error(err, errno, "process.terminal: open /");
	cleanup_close int target = husk_safe_mount_target(root, "/dev/console", false);
	if (target < 0)
		return husk_error(err, errno, "process.terminal: create /dev/console");
	char src[HUSK_FD_PATH_MAX], dst[HUSK_FD_PATH_MAX];
	if (mount(husk_fd_path(peer, src), husk_fd_path(target, dst), NULL, MS_BIND, NULL) < 0)
		return husk_error(err, errno, "process.terminal: bind the terminal on /dev/console");
	return 0;
}

static int make_stdio(int peer, bool controlling, husk_err *err)
{
	if (controlling && (setsid() < 0 || ioctl(peer, TIOCSCTTY, 0) < 0))
		return husk_error(err, errno, "process.terminal: make it the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(peer, fd) < 0)
			return husk_error(err, errno, "process.terminal: make it stdio");
	return 0;
}

int husk_terminal_setup(int console_fd, const struct husk_process *p, unsigned int flags, husk_err *err)
{
	cleanup_close int master = open_master(err);
	if (master < 0)
		return -1;
	cleanup_close int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		return husk_error(err, errno, "process.terminal: open the terminal's peer (TIOCGPTPEER)");
	if (set_size(master, p->console_size, err) < 0)
		return -1;
	if ((flags & HUSK_TERMINAL_CONSOLE) && bind_console(peer, err) < 0)
		return -1;
	if (husk_send_fd(console_fd, master, MASTER_NAME, err) < 0)
		return husk_error_wrap(err, "--console-socket: the terminal's master");
	return make_stdio(peer, flags & HUSK_TERMINAL_CONTROLLING, err);
}
