/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysprobe: call system calls a seccomp profile may refuse and print one
 * line per probe, "name=ok" or "name=ERRNO" (e.g. "keyctl=EPERM").
 *
 *   sysprobe [NAME...]     the named probes, or all of them
 *
 * Built statically so that it runs in any container rootfs.  Each probe
 * passes arguments that the kernel refuses (or that change nothing) once
 * seccomp lets the call through, so that a refusal by the filter (the
 * profile's errno) can be told from the kernel's own answer even with every
 * capability, and so that running it unconfined harms nothing.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* Numbers the C library may not name yet (x86_64 and generic tables). */
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* The result of a raw call: 0 or the errno. */
static int res(long rc)
{
	return rc < 0 ? errno : 0;
}

static int p_keyctl(void)
{
	return res(syscall(SYS_keyctl, -1L, 0L, 0L, 0L, 0L)); /* no such operation */
}

static int p_add_key(void)
{
	return res(syscall(SYS_add_key, NULL, NULL, NULL, 0L, 0L)); /* EFAULT */
}

static int p_request_key(void)
{
	return res(syscall(SYS_request_key, NULL, NULL, NULL, 0L)); /* EFAULT */
}

static int p_bpf(void)
{
	return res(syscall(SYS_bpf, -1L, NULL, 0L)); /* no such command */
}

static int p_perf_event_open(void)
{
	return res(syscall(SYS_perf_event_open, NULL, 0L, -1L, -1L, 0L)); /* EFAULT */
}

static int p_userfaultfd(void)
{
	return res(syscall(SYS_userfaultfd, -1L)); /* unknown flags */
}

static int p_io_uring_setup(void)
{
	return res(syscall(SYS_io_uring_setup, 0L, NULL)); /* EFAULT or EINVAL */
}

static int p_ptrace(void)
{
	return res(syscall(SYS_ptrace, -1L, 0L, 0L, 0L)); /* no pid 0: ESRCH */
}

static int p_process_vm_readv(void)
{
	return res(syscall(SYS_process_vm_readv, (long)getpid(), NULL, 0L, NULL, 0L, 0L));
}

static int p_pidfd_getfd(void)
{
	return res(syscall(SYS_pidfd_getfd, -1L, 0L, 0L)); /* EBADF */
}

/* Sets a persona and, when that worked, puts the old one back. */
static int try_personality(unsigned long persona)
{
	long old = syscall(SYS_personality, 0xffffffffUL);
	long rc = syscall(SYS_personality, persona);
	int e = rc < 0 ? errno : 0;
	if (rc >= 0 && old >= 0)
		syscall(SYS_personality, (unsigned long)old);
	return e;
}

static int p_personality_query(void)
{
	return try_personality(0xffffffffUL);
}

static int p_personality_linux(void)
{
	return try_personality(PER_LINUX);
}

static int p_personality_linux32(void)
{
	return try_personality(PER_LINUX32);
}

static int p_personality_bsd(void)
{
	return try_personality(PER_BSD);
}

/* clone(2) with its flags argument first (x86, arm, aarch64). */
static long raw_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static int p_clone(void)
{
	long pid = raw_clone(SIGCHLD);
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

/* A new namespace together with CLONE_FS is invalid: EINVAL if allowed. */
static int p_clone_newuser(void)
{
	return res(raw_clone(CLONE_NEWUSER | CLONE_FS | SIGCHLD));
}

static int p_clone_newns(void)
{
	return res(raw_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD));
}

static int p_clone_newnet(void)
{
	return res(raw_clone(CLONE_NEWNET | CLONE_NEWUSER | CLONE_FS | SIGCHLD));
}

static int p_clone3(void)
{
	return res(syscall(SYS_clone3, NULL, 0L)); /* too small: EINVAL */
}

static int p_unshare(void)
{
	return res(syscall(SYS_unshare, (long)(CLONE_NEWNET | CSIGNAL))); /* EINVAL */
}

static int p_setns(void)
{
	return res(syscall(SYS_setns, -1L, 0L)); /* EBADF */
}

static int p_mount(void)
{
	return res(syscall(SYS_mount, NULL, NULL, NULL, 0L, NULL)); /* EFAULT */
}

static int p_umount2(void)
{
	return res(syscall(SYS_umount2, NULL, 0L)); /* EFAULT */
}

static int p_fsopen(void)
{
	return res(syscall(SYS_fsopen, NULL, 0L)); /* EFAULT */
}

static int p_open_tree(void)
{
	return res(syscall(SYS_open_tree, -1L, NULL, 0L)); /* EFAULT */
}

static int p_pivot_root(void)
{
	return res(syscall(SYS_pivot_root, NULL, NULL)); /* EFAULT */
}

static int p_chroot(void)
{
	return res(syscall(SYS_chroot, NULL)); /* EFAULT */
}

static int p_reboot(void)
{
	return res(syscall(SYS_reboot, 0L, 0L, 0L, NULL)); /* bad magic: EINVAL */
}

static int p_sethostname(void)
{
	return res(syscall(SYS_sethostname, NULL, -1L)); /* EINVAL */
}

static int p_open_by_handle_at(void)
{
	return res(syscall(SYS_open_by_handle_at, -1L, NULL, 0L)); /* EFAULT/EBADF */
}

static int try_socket(int family, int type)
{
	int fd = socket(family, type, 0);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int p_socket_inet(void)
{
	return try_socket(AF_INET, SOCK_STREAM);
}

static int p_socket_unix(void)
{
	return try_socket(AF_UNIX, SOCK_STREAM);
}

static int p_socket_alg(void)
{
	return try_socket(AF_ALG, SOCK_SEQPACKET);
}

static int p_socket_vsock(void)
{
	return try_socket(AF_VSOCK, SOCK_STREAM);
}

static int p_getpid(void)
{
	return res(syscall(SYS_getpid));
}

static const struct probe {
	const char *name;
	int (*fn)(void);
} probes[] = {
	{ "getpid", p_getpid },
	{ "socket_inet", p_socket_inet },
	{ "socket_unix", p_socket_unix },
	{ "socket_alg", p_socket_alg },
	{ "socket_vsock", p_socket_vsock },
	{ "clone", p_clone },
	{ "clone_newuser", p_clone_newuser },
	{ "clone_newns", p_clone_newns },
	{ "clone_newnet", p_clone_newnet },
	{ "clone3", p_clone3 },
	{ "unshare", p_unshare },
	{ "setns", p_setns },
	{ "personality_query", p_personality_query },
	{ "personality_linux", p_personality_linux },
	{ "personality_linux32", p_personality_linux32 },
	{ "personality_bsd", p_personality_bsd },
	{ "ptrace", p_ptrace },
	{ "process_vm_readv", p_process_vm_readv },
	{ "pidfd_getfd", p_pidfd_getfd },
	{ "keyctl", p_keyctl },
	{ "add_key", p_add_key },
	{ "request_key", p_request_key },
	{ "bpf", p_bpf },
	{ "perf_event_open", p_perf_event_open },
	{ "userfaultfd", p_userfaultfd },
	{ "io_uring_setup", p_io_uring_setup },
	{ "mount", p_mount },
	{ "umount2", p_umount2 },
	{ "fsopen", p_fsopen },
	{ "open_tree", p_open_tree },
	{ "pivot_root", p_pivot_root },
	{ "chroot", p_chroot },
	{ "reboot", p_reboot },
	{ "sethostname", p_sethostname },
	{ "open_by_handle_at", p_open_by_handle_at },
};

#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

static void run(const struct probe *p)
{
	errno = 0;
	int e = p->fn();
	if (e == 0) {
		printf("%s=ok\n", p->name);
		return;
	}
	/* Symbolic names keep the output readable and the tests exact. */
	const char *name = strerrorname_np(e);
	if (name)
		printf("%s=%s\n", p->name, name);
	else
		printf("%s=%d\n", p->name, e);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		for (size_t i = 0; i < N_PROBES; i++)
			run(&probes[i]);
		return 0;
	}
	int status = 0;
	for (int a = 1; a < argc; a++) {
		size_t i;
		for (i = 0; i < N_PROBES; i++)
			if (strcmp(argv[a], probes[i].name) == 0)
				break;
		if (i == N_PROBES) {
			fprintf(stderr, "sysprobe: no probe named %s\n", argv[a]);
			status = 2;
			continue;
		}
		run(&probes[i]);
	}
	return status;
}
