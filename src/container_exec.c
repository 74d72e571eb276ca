/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec: a new process in an existing container.  One fork: the runtime
 * enters the container's pid namespace for its children around the fork,
 * so the child is born inside it (and stays the runtime's child, to be
 * waited for); the child moves itself into the container's cgroup (see
 * husk/cgroup.h), joins every other namespace of the container process through its
 * pidfd, takes that process' root, becomes the configured process with
 * the code create uses, and execs.  Until execve the child is non-dumpable
 * and its runtime fds close on exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container_internal.h"
#include "husk/cgroup.h"
#include "husk/namespaces.h"
#include "husk/process.h"
#include "husk/run_wait.h"
#include "husk/seccomp.h"
#include "husk/sync.h"
#include "husk/terminal.h"

struct exec_launch {
	const struct husk_ctx *ctx;
	const struct husk_exec_opts *o;
	struct husk_opened c;          /* locked (shared) until the fork */
	struct husk_config *cfg;       /* the config the container was created with */
	struct husk_exec_process proc;
	struct husk_seccomp_program seccomp;
	struct husk_ns_target ns;
	int pidfd;                     /* the container process */
	int root_fd;                   /* its root directory */
	int sync[2];                   /* [0] runtime, [1] child */
	int console_fd;                /* the child sends the terminal here, or -1 */
	int console_peer;              /* foreground: the terminal arrives here, or -1 */
	int pidfd_sock;                /* connected --pidfd-socket, or -1 */
	struct husk_cgroup_entry cgroup_entry;
	pid_t pid;
	sigset_t saved_mask;
};

static void launch_init(struct exec_launch *l, const struct husk_ctx *ctx, const struct husk_exec_opts *o)
{
	memset(l, 0, sizeof(*l));
	l->ctx = ctx;
	l->o = o;
	l->c.dirfd = l->c.rootfd = -1;
	l->pidfd = l->root_fd = -1;
	l->sync[0] = l->sync[1] = -1;
	l->console_fd = l->console_peer = l->pidfd_sock = -1;
	husk_cgroup_entry_init(&l->cgroup_entry);
}

/* ---- the child ------------------------------------------------------------ */

/* Into the container: its namespaces, its root, its keyring. */
static int child_enter(struct exec_launch *l, husk_err *err)
{
	if (husk_sync_expect(l->sync[1], HUSK_SYNC_GO, "exec", NULL, err) < 0 ||
	    husk_cgroup_entry_join_self(&l->cgroup_entry, err) < 0 || husk_ns_join_target(&l->ns, err) < 0)
		return -1;
	/* The root the container process has, whatever the mount namespace
	 * shows first; nothing of the runtime's cwd survives. */
	if (fchdir(l->root_fd) < 0 || chroot(".") < 0)
		return husk_error(err, errno, "enter the root of the container");
	husk_closep(&l->root_fd);
	husk_closep(&l->pidfd);
	if (l->console_fd >= 0) {
		/* child_main's own copy of the log */
		if (husk_log_keep_off_stdio((struct husk_log *)l->ctx->log, 3 + l->o->preserve_fds, err) < 0 ||
		    husk_terminal_setup(l->console_fd, &l->proc.p, HUSK_TERMINAL_CONTROLLING, err) < 0)
			return -1;
		husk_closep(&l->console_fd);
	}
	if (!l->c.st.no_new_keyring && husk_process_join_session_keyring(l->o->id, err) < 0)
		return -1;
	return 0;
}

/* Returns only on failure. */
static int child_exec(const struct exec_launch *l, husk_err *err)
{
	cleanup_free char *exe = NULL;
	const struct husk_process *p = &l->proc.p;
	struct husk_become become = {
		.process = p,
		.linux_cfg = l->cfg->linux_cfg,
		.seccomp = &l->seccomp,
		.preserve_fds = (unsigned int)l->o->preserve_fds,
		.log = l->ctx->log,
	};
	cleanup_free char **argv = husk_strv_for_exec(&p->args);
	cleanup_free char *home_var = NULL;
	/* Before become: HOME is read from the container while privileged. */
	cleanup_free char **envp = husk_process_envp(p, &home_var);
	if (!argv || !envp)
		return husk_error(err, ENOMEM, "exec");
	if (husk_process_find_executable(p, &exe, err) < 0 || husk_process_become(&become, err) < 0)
		return -1;
	execve(exe, argv, envp);
	return husk_error(err, errno, "exec \"%s\"", exe);
}

static __attribute__((noreturn)) void child_main(struct exec_launch *l)
{
	cleanup_error husk_err err = NULL;
	/* The child's own copy: a terminal may move its log. */
	struct husk_log log = *l->ctx->log;
	struct husk_ctx ctx = *l->ctx;
	ctx.log = &log;
	l->ctx = &ctx;

	husk_process_reset_signals();
	husk_closep(&l->sync[0]);
	husk_closep(&l->console_peer);
	husk_closep(&l->pidfd_sock);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		husk_error(&err, errno, "prctl(PR_SET_DUMPABLE)");
	else if (child_enter(l, &err) == 0)
		child_exec(l, &err);
	husk_sync_send_errors(l->sync[1], err);
	_exit(1);
}

/* ---- the runtime ------------------------------------------------------------ */

static int status_refusal(enum husk_status status, bool ignore_paused, husk_err *err)
{
	switch (status) {
	case HUSK_STATUS_CREATED:
	case HUSK_STATUS_RUNNING:
		return 0;
	case HUSK_STATUS_PAUSED:
		if (ignore_paused)
			return 0;
		return husk_error(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
	case HUSK_STATUS_STOPPED:
		return husk_error(err, 0, "cannot exec in a stopped container");
	default:
		return husk_error(err, 0, "container not running");
	}
}

/* Where the child sends the terminal's master: the caller's console
 * socket, or, in the foreground, husk itself, which serves it. */
static int open_terminal(struct exec_launch *l, husk_err *err)
{
	const struct husk_exec_opts *o = l->o;
	const char *what = o->tty ? "--tty" : "process.terminal";
	if (!l->proc.p.terminal) {
		if (o->console_socket)
			return husk_error(err, 0, "--console-socket: only used with a terminal (--tty or process.terminal)");
		return 0;
	}
	if (o->console_socket) {
		l->console_fd = husk_console_socket_connect(o->console_socket, err);
		return l->console_fd < 0 ? -1 : 0;
	}
	if (o->detach)
		return husk_error(err, 0, "%s: a detached exec's terminal needs --console-socket", what);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return husk_error(err, errno, "%s: socketpair", what);
	l->console_fd = sv[0];
	l->console_peer = sv[1];
	return 0;
}

/* The container process' pidfd, namespaces and root, all of that process:
 * the pid cannot have been reused if it still runs after the last look. */
static int open_target(struct exec_launch *l, husk_err *err)
{
	char path[64];
	l->pidfd = husk_container_pidfd(&l->c.st, err);
	if (l->pidfd < 0 || husk_ns_target_make(l->c.st.pid, l->pidfd, &l->ns, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)l->c.st.pid);
	l->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (l->root_fd < 0)
		return husk_error(err, errno, "open %s", path);
	if (syscall(SYS_pidfd_send_signal, l->pidfd, 0, NULL, 0) < 0)
		return husk_error(err, 0, "container not running");
	return 0;
}

/* The child's fds must not be among those --preserve-fds hands on. */
static int move_above(int *fd, int min, husk_err *err)
{
	if (*fd >= min)
		return 0;
	int moved = fcntl(*fd, F_DUPFD_CLOEXEC, min);
	if (moved < 0)
		return husk_error(err, errno, "move fd %d above the preserved ones", *fd);
	close(*fd);
	*fd = moved;
	return 0;
}

static int open_cgroup(struct exec_launch *l, husk_err *err)
{
	const char *cgroup = l->c.st.cgroup_path;
	if (!cgroup && l->o->cgroup)
		return husk_error(err, ENOTSUP, "--cgroup \"%s\": container %s has no cgroup", l->o->cgroup, l->o->id);
	return cgroup ? husk_cgroup_entry_open(cgroup, l->o->cgroup, &l->cgroup_entry, err) : 0;
}

static int prepare(struct exec_launch *l, husk_err *err)
{
	const struct husk_exec_opts *o = l->o;
	if (husk_container_open(l->ctx, o->id, LOCK_SH, &l->c, err) < 0 ||
	    status_refusal(l->c.status, o->ignore_paused, err) < 0 ||
	    husk_container_saved_config(l->c.dirfd, l->ctx->log, &l->cfg, err) < 0)
		return -1;
	const struct husk_process *base = o->process ? o->process : l->cfg->process;
	if (!base)
		return husk_error(err, 0, "config.json: process: missing");
	if (husk_exec_process_build(&l->proc, base, o, err) < 0)
		return -1;
	const struct husk_linux *lx = l->cfg->linux_cfg;
	if (lx && lx->seccomp &&
	    husk_seccomp_compile_cached(l->c.rootfd, lx->seccomp, l->ctx->log, &l->seccomp, err) < 0)
		return -1;
	if (open_target(l, err) < 0 || open_terminal(l, err) < 0 || open_cgroup(l, err) < 0)
		return -1;
	if (o->pidfd_socket) {
		l->pidfd_sock = husk_unix_connect(o->pidfd_socket, "--pidfd-socket", err);
		if (l->pidfd_sock < 0)
			return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->sync) < 0)
		return husk_error(err, errno, "socketpair");
	int min = 3 + o->preserve_fds;
	if (move_above(&l->sync[1], min, err) < 0 || move_above(&l->pidfd, min, err) < 0 ||
	    move_above(&l->root_fd, min, err) < 0 ||
	    (l->console_fd >= 0 && move_above(&l->console_fd, min, err) < 0))
		return -1;
	l->ns.pidfd = l->pidfd;
	return 0;
}

static int spawn(struct exec_launch *l, husk_err *err)
{
	struct husk_ns_saved saved;
	if (husk_ns_enter_pid_of(&l->ns, &saved, err) < 0) {
		husk_ns_restore(&saved, NULL);
		return -1;
	}
	pid_t pid = husk_cgroup_entry_clone(0, &l->cgroup_entry, err);
	if (pid == 0)
		child_main(l);
	if (husk_ns_restore(&saved, err) < 0 || pid < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	l->pid = pid;
	husk_closep(&l->sync[1]);
	husk_closep(&l->console_fd);
	return 0;
}


/*
 * The lock only guards the look at the state and the container process;
 * what was opened stays valid without it.  It goes before the fork: a
 * child frozen in a paused container before it could close its copy
 * would hold it, and `resume` would wait for it forever.
 */
static void unlock(struct exec_launch *l)
{
	husk_closep(&l->c.dirfd);
	husk_closep(&l->c.rootfd);
}

static int start(struct exec_launch *l, husk_err *err)
{
	unlock(l);
	/* The OOM score before the child runs anything of its own. */
	if (spawn(l, err) < 0 || husk_process_write_oom_score_adj(l->pid, &l->proc.p, err) < 0)
		return -1;
	if (husk_sync_send(l->sync[0], HUSK_SYNC_GO, NULL, 0, err) < 0 ||
	    husk_sync_await_exec(l->sync[0], "exec", err) < 0)
		return -1;
	if (l->pidfd_sock >= 0 && husk_pidfd_socket_send(l->pidfd_sock, l->pid, "setns", err) < 0)
		return -1;
	if (l->o->pid_file && husk_write_pid_file(l->o->pid_file, l->pid, err) < 0)
		return -1;
	return 0;
}

static void release(struct exec_launch *l)
{
	husk_container_close(&l->c);
	husk_closep(&l->sync[0]);
	husk_closep(&l->sync[1]);
	husk_closep(&l->pidfd);
	husk_closep(&l->root_fd);
	husk_closep(&l->console_fd);
	husk_closep(&l->console_peer);
	husk_closep(&l->pidfd_sock);
	husk_cgroup_entry_close(&l->cgroup_entry);
	husk_exec_process_release(&l->proc);
	husk_seccomp_program_free(&l->seccomp);
	husk_config_free(&l->cfg);
}

int husk_container_exec(const struct husk_ctx *ctx, const struct husk_exec_opts *o, int *exit_status,
			husk_err *err)
{
	struct exec_launch l;
	sigset_t all;
	launch_init(&l, ctx, o);
	*exit_status = 0;
	int rc = prepare(&l, err);
	/* Blocked from before the fork: the foreground wait forwards them. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &l.saved_mask);
	if (rc == 0)
		rc = start(&l, err);
	cleanup_close int master = -1;
	if (rc == 0 && l.console_peer >= 0) {
		master = husk_recv_fd(l.console_peer, err);
		rc = master < 0 ? -1 : 0;
	}
	if (rc < 0 && l.pid > 0) {
		kill(l.pid, SIGKILL);
		waitpid(l.pid, NULL, 0);
	}
	pid_t pid = l.pid;
	release(&l);
	if (rc == 0 && !o->detach)
		rc = husk_run_wait(pid, master, exit_status, err);
	sigprocmask(SIG_SETMASK, &l.saved_mask, NULL);
	return rc;
}
