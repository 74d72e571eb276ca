/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floor: the least a container runtime has to do to run /bin/true in a
 * container, as a reference for the benchmark: clone into the namespaces
 * the benchmark's config.json asks for (pid, network, ipc, uts, mount, and
 * user with -U), pivot_root into ROOTFS, execve /bin/true, wait for it.
 * No cgroups, no /proc or /dev, no capabilities, no state: whatever a
 * runtime costs above this is its own.
 *
 *   floor [-U HOSTID:SIZE] ROOTFS
 *
 * -U maps container ids 0..SIZE-1 (users and groups) to HOSTID.. in a new
 * user namespace, the mapping the benchmark's userns config uses.
 * Exits with /bin/true's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

/* The parent writes the child's id maps: an unprivileged child could not. */
static void write_maps(pid_t pid, unsigned long hostid, unsigned long size)
{
	char path[64], map[64];

	snprintf(map, sizeof(map), "0 %lu %lu\n", hostid, size);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	write_file(path, map);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	write_file(path, map);
}

/* In the new namespaces: make ROOTFS the root and become /bin/true. */
static void child(const char *rootfs, int sync_fd)
{
	char c;

	/* With a user namespace, wait until the parent has mapped us to root. */
	if (sync_fd >= 0 && read(sync_fd, &c, 1) != 1)
		_exit(1);
	/* pivot_root refuses a shared root; nothing must leak to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	/* pivot_root needs ROOTFS to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind rootfs");
	if (chdir(rootfs) < 0)
		die("chdir rootfs");
	/* pivot_root(".", ".") stacks the old root on the new one; detach it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("detach old root");
	if (chdir("/") < 0)
		die("chdir /");
	char *argv[] = { "/bin/true", NULL };
	char *envp[] = { "PATH=/bin", NULL };
	execve(argv[0], argv, envp);
	die("execve /bin/true");
}

int main(int argc, char **argv)
{
	unsigned long hostid = 0, size = 0;
	int userns = 0, opt, status, sync[2] = { -1, -1 };
	int flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;
	pid_t pid;

	while ((opt = getopt(argc, argv, "U:")) != -1) {
		if (opt != 'U' || sscanf(optarg, "%lu:%lu", &hostid, &size) != 2 || size == 0) {
			fputs("usage: floor [-U HOSTID:SIZE] ROOTFS\n", stderr);
			return 2;
		}
		userns = 1;
	}
	if (optind != argc - 1) {
		fputs("usage: floor [-U HOSTID:SIZE] ROOTFS\n", stderr);
		return 2;
	}
	if (userns) {
		flags |= CLONE_NEWUSER;
		if (pipe2(sync, O_CLOEXEC) < 0)
			die("pipe");
	}

	/* clone as fork: no stack of our own, the child returns here. */
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		die("clone");
	if (pid == 0) {
		if (userns)
			close(sync[1]);
		child(argv[optind], sync[0]);
	}
	if (userns) {
		close(sync[0]);
		write_maps(pid, hostid, size);
		if (write(sync[1], "x", 1) != 1)
			die("sync");
		close(sync[1]);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die("waitpid");
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
