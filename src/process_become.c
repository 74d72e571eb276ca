/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The last steps before execve, shared by the container process (create)
 * and by every process exec'd into a container: what makes a process the
 * configured one, in one order for both.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/fds.h"
#include "husk/process.h"
#include "husk/state.h"
#include "husk/util.h"

/* The signals ignored now, from /proc/self/status; all of them when it
 * cannot be read (no /proc yet). */
static uint64_t ignored_signals(void)
{
	char buf[4096];
	cleanup_close int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return UINT64_MAX;
	buf[n] = '\0';
	const char *line = strstr(buf, "\nSigIgn:");
	unsigned long long mask;
	if (!line || sscanf(line + 8, "%llx", &mask) != 1)
		return UINT64_MAX;
	return mask;
}

void husk_process_reset_signals(void)
{
	/* execve resets caught signals itself; only an ignored one would
	 * survive it.  All zero is SIG_DFL with no flags and an empty mask in
	 * every architecture's struct layout; the raw call also resets the
	 * signals libc reserves.  SIGKILL and SIGSTOP refuse, harmlessly. */
	static const unsigned long dfl[8];
	uint64_t ignored = ignored_signals();
	for (int sig = 1; sig < NSIG && sig <= 64; sig++)
		if (ignored & (UINT64_C(1) << (sig - 1)))
			syscall(SYS_rt_sigaction, sig, dfl, NULL, (NSIG - 1) / 8);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int husk_process_join_session_keyring(const char *id, husk_err *err)
{
	char name[HUSK_ID_MAX + 8];
	snprintf(name, sizeof(name), "_ses.%s", id);
	/* KEYCTL_JOIN_SESSION_KEYRING; keyrings may be absent or refused in a
	 * user namespace, where the container simply keeps none of its own. */
	if (syscall(SYS_keyctl, 1, name, 0, 0, 0) < 0 && errno != ENOSYS && errno != EPERM && errno != EACCES)
		return husk_error(err, errno, "join a new session keyring");
	return 0;
}

/*
 * Only stdio and the preserved fds survive execve; ours close on exec.
 * Done before the seccomp filter goes in, which may refuse close_range.
 */
static int seal_fds(unsigned int preserve_fds, husk_err *err)
{
	unsigned int first = 3 + preserve_fds;
	if (husk_fds_from(first, -1, HUSK_FDS_CLOEXEC) < 0)
		return husk_error(err, errno, "mark fds close-on-exec");
	for (unsigned int fd = 3; fd < first; fd++) {
		int flags = fcntl((int)fd, F_GETFD);
		if (flags >= 0 && fcntl((int)fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
			return husk_error(err, errno, "preserve fd %u", fd);
	}
	return 0;
}

/*
 * no_new_privs, capabilities and seccomp in the order that keeps each
 * step possible: without no_new_privs the filter needs CAP_SYS_ADMIN, so it
 * goes in before the capabilities are dropped; with it, as late as possible.
 * A change of uid makes the process dumpable again when fs.suid_dumpable
 * allows it, so it is made non-dumpable once more before anything else.
 */
int husk_process_become(const struct husk_become *b, husk_err *err)
{
	const struct husk_process *p = b->process;
	static const struct husk_capabilities no_caps;
	const struct husk_capabilities *caps = p->capabilities ? p->capabilities : &no_caps;
	bool filter = b->seccomp && b->seccomp->filter;

	if (seal_fds(b->preserve_fds, err) < 0 || husk_process_apply_limits(p, b->linux_cfg, err) < 0 ||
	    husk_process_apply_labels(p, b->log, err) < 0)
		return -1;
	if (filter && !p->no_new_privileges && husk_seccomp_load(b->seccomp, err) < 0)
		return -1;
	uint64_t bounding;
	if (husk_caps_drop_bounding(caps, b->log, &bounding, err) < 0 || husk_process_set_user(&p->user, err) < 0 ||
	    husk_caps_apply(caps, bounding, b->log, err) < 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return husk_error(err, errno, "prctl(PR_SET_DUMPABLE)");
	if (chdir(p->cwd) < 0)
		return husk_error(err, errno, "process.cwd: chdir \"%s\"", p->cwd);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_error(err, errno, "process.noNewPrivileges");
	if (filter && p->no_new_privileges && husk_seccomp_load(b->seccomp, err) < 0)
		return -1;
	return 0;
}
