/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk/fds.h"
#include "husk/hooks.h"
#include "husk/log.h"
#include "husk/util.h"

/*
 * A hook is started with vfork(): the child borrows the runtime's memory
 * until it calls execve, so starting a hook costs no page-table copy.  The
 * child therefore only makes system calls on data prepared beforehand; it
 * allocates nothing and returns from nothing.  A setup or exec failure
 * travels back through a close-on-exec pipe as {stage, errno}: end of file
 * on that pipe means execve succeeded.
 */

enum child_stage {
	STAGE_STDIN = 1,
	STAGE_FDS,
	STAGE_EXEC,
};

struct child_failure {
	int stage;
	int errnum;
};

struct child_args {
	const char *path;
	char *const *argv;
	char *const *envp;
	int stdin_fd;            /* read end of the state pipe */
	int report_fd;           /* write end of the failure pipe */
};

/* Everything a running hook needs while the parent waits for it. */
struct hook_proc {
	const char *what;        /* "kind hook N (path)", for messages */
	pid_t pid;
	int pidfd;               /* -1 when pidfd_open is unavailable */
	int stdin_fd;            /* write end of the state pipe, -1 once done */
	const char *data;        /* state bytes not written yet */
	size_t left;
	int status;              /* wait status once reaped */
};

/* ---- in the child (after vfork, before execve) ------------------------- */

static void reset_signal_dispositions(void)
{
	/* All zero is SIG_DFL with no flags and an empty mask in every
	 * architecture's struct layout; the raw call also resets the signals
	 * libc reserves, which an ignored disposition would survive execve.
	 * SIGKILL and SIGSTOP refuse, harmlessly. */
	static const unsigned long dfl[8];
	for (int sig = 1; sig < NSIG; sig++)
		syscall(SYS_rt_sigaction, sig, dfl, NULL, (NSIG - 1) / 8);
}

static int set_stdin(int fd)
{
	if (fd == STDIN_FILENO)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, STDIN_FILENO) < 0 ? -1 : 0;
}

/* Leave no fd but 0-2 open across execve; the failure pipe stays usable
 * until then because it is only marked, not closed. */
static int close_fds_on_exec(void)
{
	return husk_fds_from(3, -1, HUSK_FDS_CLOEXEC);
}

static void __attribute__((noreturn)) report_and_exit(int report_fd, int stage)
{
	struct child_failure f = { .stage = stage, .errnum = errno };
	ssize_t w = write(report_fd, &f, sizeof(f));
	(void)w;
	_exit(127);
}

static void __attribute__((noreturn)) child_exec(const struct child_args *a)
{
	sigset_t none;
	reset_signal_dispositions();
	if (set_stdin(a->stdin_fd) < 0)
		report_and_exit(a->report_fd, STAGE_STDIN);
	if (close_fds_on_exec() < 0)
		report_and_exit(a->report_fd, STAGE_FDS);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(a->path, a->argv, a->envp);
	report_and_exit(a->report_fd, STAGE_EXEC);
}

/* ---- in the parent ----------------------------------------------------- */

static const char *stage_name(int stage)
{
	switch (stage) {
	case STAGE_STDIN:
		return "set up stdin";
	case STAGE_FDS:
		return "close inherited fds";
	default:
		return "execve";
	}
}

/* A NULL-terminated copy of v (pointers only), or {fallback, NULL} when v
 * is empty. */
static char **make_vector(const husk_strv *v, const char *fallback)
{
	size_t n = v->n ? v->n : (fallback ? 1 : 0);
	char **out = calloc(n + 1, sizeof(*out));
	if (!out)
		return NULL;
	if (v->n)
		memcpy(out, v->v, v->n * sizeof(*out));
	else if (fallback)
		out[0] = (char *)fallback;
	return out;
}

/* All signals are blocked across vfork so that no handler of the runtime
 * can run in the child while it shares the runtime's memory; the child
 * resets dispositions before it unblocks them. */
static pid_t spawn_child(const struct child_args *a)
{
	sigset_t all, old;
	sigfillset(&all);
	int rc = pthread_sigmask(SIG_SETMASK, &all, &old);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pid_t pid = vfork();
	if (pid == 0)
		child_exec(a);
	int saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return pid;
}

static int reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Fill the pipe as far as it goes without blocking. */
static int write_some(struct hook_proc *h)
{
	while (h->left > 0) {
		ssize_t w = write(h->stdin_fd, h->data, h->left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		h->data += w;
		h->left -= (size_t)w;
	}
	return 0;
}

static void close_stdin(struct hook_proc *h)
{
	if (h->stdin_fd >= 0)
		close(h->stdin_fd);
	h->stdin_fd = -1;
}

static int open_state_pipe(struct hook_proc *h, int *read_fd)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	*read_fd = fds[0];
	h->stdin_fd = fds[1];
	/* Only our end is non-blocking; the hook reads as it likes. */
	if (fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0)
		return -1;
	/* While we hold the read end no write can raise SIGPIPE. */
	if (write_some(h) < 0)
		return -1;
	if (h->left == 0)
		close_stdin(h);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Poll timeout until the deadline (-1: none).  Without a pidfd the exit
 * cannot be polled for, so the loop ticks and asks waitpid. */
static int poll_timeout(const struct hook_proc *h, int64_t deadline)
{
	int64_t t = -1;
	if (deadline >= 0) {
		t = deadline - now_ms();
		if (t < 0)
			t = 0;
	}
	if (h->pidfd < 0 && (t < 0 || t > 10))
		t = 10;
	return t > INT_MAX ? INT_MAX : (int)t;
}

/* Nonzero once the child has exited and been reaped. */
static int try_reap(struct hook_proc *h, bool pidfd_ready, husk_err *err)
{
	if (h->pidfd >= 0 && !pidfd_ready)
		return 0;
	pid_t r;
	do
		r = waitpid(h->pid, &h->status, h->pidfd >= 0 ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error(err, errno, "%s: waitpid", h->what);
	return r == h->pid;
}

/*
 * Write what remains of the state once the hook is running.  A hook that
 * exits or closes stdin without reading it all is not an error, so EPIPE
 * only ends the writing; SIGPIPE is held blocked meanwhile and a SIGPIPE
 * raised by our own write is consumed before the mask is restored.
 */
static int feed_stdin(struct hook_proc *h, bool *raised_sigpipe)
{
	if (write_some(h) < 0) {
		if (errno != EPIPE)
			return -1;
		*raised_sigpipe = true;
		h->left = 0;
	}
	if (h->left == 0)
		close_stdin(h);
	return 0;
}

static int wait_loop(struct hook_proc *h, int64_t deadline, bool *raised_sigpipe, husk_err *err)
{
	for (;;) {
		struct pollfd p[2];
		nfds_t n = 0;
		int pid_slot = -1, in_slot = -1;
		if (h->pidfd >= 0) {
			pid_slot = (int)n;
			p[n++] = (struct pollfd){ .fd = h->pidfd, .events = POLLIN };
		}
		if (h->stdin_fd >= 0) {
			in_slot = (int)n;
			p[n++] = (struct pollfd){ .fd = h->stdin_fd, .events = POLLOUT };
		}
		int r = poll(p, n, poll_timeout(h, deadline));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return husk_error(err, errno, "%s: poll", h->what);
		}
		if (in_slot >= 0 && p[in_slot].revents && feed_stdin(h, raised_sigpipe) < 0)
			return husk_error(err, errno, "%s: write state to stdin", h->what);
		int done = try_reap(h, pid_slot >= 0 && p[pid_slot].revents, err);
		if (done)
			return done < 0 ? -1 : 1;
		if (deadline >= 0 && now_ms() >= deadline)
			return 0;
	}
}

static void consume_sigpipe(void)
{
	sigset_t pipe_set;
	struct timespec zero = { 0, 0 };
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
		;
}

/* 1: exited (status in h), 0: timed out, -1: error. */
static int wait_hook(struct hook_proc *h, int64_t timeout_s, husk_err *err)
{
	int64_t deadline = -1;
	if (timeout_s > 0)
		deadline = now_ms() + (timeout_s > INT64_MAX / 2000 ? INT64_MAX / 2 : timeout_s * 1000);
	if (h->stdin_fd < 0)
		return wait_loop(h, deadline, &(bool){ false }, err);

	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	int rc = pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	if (rc != 0)
		return husk_error(err, rc, "%s: block SIGPIPE", h->what);
	/* A SIGPIPE pending already is not ours to consume. */
	bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
	bool raised = false;
	int r = wait_loop(h, deadline, &raised, err);
	close_stdin(h);
	if (raised && !was_pending)
		consume_sigpipe();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* The exec failure reported by the child, or 0 once execve succeeded. */
static int read_child_failure(int fd, struct child_failure *f)
{
	ssize_t r;
	do
		r = read(fd, f, sizeof(*f));
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof(*f);
}

static int describe_status(int status, const char *what, husk_err *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return husk_error(err, 0, "%s: exited with status %d", what, WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return husk_error(err, 0, "%s: killed by signal %d", what, WTERMSIG(status));
	return husk_error(err, 0, "%s: ended with wait status %#x", what, (unsigned)status);
}

static void kill_and_reap(struct hook_proc *h)
{
	int status;
	/* Not yet reaped, so the pid cannot have been reused. */
	kill(h->pid, SIGKILL);
	reap(h->pid, &status);
}

static int start_hook(const struct husk_hook *hook, struct hook_proc *h, husk_err *err)
{
	const char *what = h->what;
	cleanup_free char **argv = make_vector(&hook->args, hook->path);
	cleanup_free char **envp = make_vector(&hook->env, NULL);
	if (!argv || !envp)
		return husk_error(err, ENOMEM, "%s: allocate argv", what);
	cleanup_close int stdin_r = -1;
	if (open_state_pipe(h, &stdin_r) < 0)
		return husk_error(err, errno, "%s: state pipe", what);
	int rep[2];
	if (pipe2(rep, O_CLOEXEC) < 0)
		return husk_error(err, errno, "%s: pipe", what);
	cleanup_close int rep_r = rep[0], rep_w = rep[1];

	struct child_args a = {
		.path = hook->path, .argv = argv, .envp = envp,
		.stdin_fd = stdin_r, .report_fd = rep_w,
	};
	h->pid = spawn_child(&a);
	if (h->pid < 0)
		return husk_error(err, errno, "%s: vfork", what);
	close(steal_fd(&rep_w));
	struct child_failure f;
	if (read_child_failure(rep_r, &f)) {
		int status;
		reap(h->pid, &status);
		return husk_error(err, f.errnum, "%s: %s", what, stage_name(f.stage));
	}
	return 0;
}

static int run_hook(const struct husk_hook *hook, const char *what, const char *state,
		    husk_err *err)
{
	struct hook_proc h = {
		.what = what, .pid = -1, .pidfd = -1, .stdin_fd = -1,
		.data = state ? state : "", .left = state ? strlen(state) : 0,
	};
	int rc = start_hook(hook, &h, err);
	if (rc == 0) {
		/* Without pidfds (old kernel, filtered syscall) the wait ticks. */
		h.pidfd = open_pidfd(h.pid);
		rc = wait_hook(&h, hook->timeout.set ? hook->timeout.v : 0, err);
		if (rc == 0)
			husk_error(err, 0, "%s: timed out after %" PRId64 "s", what, hook->timeout.v);
		if (rc <= 0)
			kill_and_reap(&h);
		rc = rc == 1 ? describe_status(h.status, what, err) : -1;
	}
	close_stdin(&h);
	if (h.pidfd >= 0)
		close(h.pidfd);
	return rc;
}

int husk_hooks_run(const husk_hookv *hooks, const char *kind, const char *state_json,
		   const struct husk_log *log, husk_err *err)
{
	/* Runtime lifecycle step 13: a failing poststop hook is a warning and
	 * the remaining ones still run. */
	bool warn_only = strcmp(kind, "poststop") == 0;
	for (size_t i = 0; i < hooks->n; i++) {
		const struct husk_hook *hook = &hooks->v[i];
		cleanup_free char *what = NULL;
		if (asprintf(&what, "%s hook %zu (%s)", kind, i, hook->path) < 0)
			return husk_error(err, ENOMEM, "%s hook %zu", kind, i);
		husk_debug(log, "running %s", what);
		if (!warn_only) {
			if (run_hook(hook, what, state_json, err) < 0)
				return -1;
			continue;
		}
		cleanup_error husk_err werr = NULL;
		if (run_hook(hook, what, state_json, &werr) < 0) {
			cleanup_free char *msg = husk_error_string(werr);
			husk_warn(log, "%s", msg ? msg : werr->msg);
		}
	}
	return 0;
}

const char *const husk_hook_names[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL,
};
