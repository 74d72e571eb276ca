/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Creating and starting a container.  The runtime clones one process, the
 * container process, with every new namespace in the same call; it sets
 * itself up (mounts, pivot_root, identity, capabilities, seccomp) and then
 * waits for start, when it executes the user program (or the built-in
 * reaper, which runs it).  No re-exec of the runtime, one fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container_internal.h"
#include "husk/cgroup.h"
#include "husk/fds.h"
#include "husk/hooks.h"
#include "husk/namespaces.h"
#include "husk/process.h"
#include "husk/reaper.h"
#include "husk/rootfs.h"
#include "husk/run_wait.h"
#include "husk/terminal.h"
#include "husk/seccomp.h"
#include "husk/sync.h"

struct launch {
	const struct husk_ctx *ctx;
	const struct husk_create_opts *o;
	struct husk_config *cfg;
	const char *config_text;
	size_t config_len;
	char *bundle;                  /* absolute */
	char *rootfs;                  /* absolute */
	int rootfd;
	int dirfd;                     /* locked state directory */
	bool dir_created;
	struct husk_ns_plan ns;
	struct husk_seccomp_program seccomp;
	int sync[2];                   /* [0] runtime, [1] container process */
	int listen_fd;                 /* create: the start socket */
	bool run_mode;
	bool use_init;
	pid_t pid;
	char *cgroup_path;             /* NULL: no cgroup */
	struct husk_cgroup_entry cgroup_entry; /* how the process joins it */
	int console_fd;                /* connected --console-socket, or -1 */
	int console_peer;              /* run serving the terminal: the master arrives here */
	int pidfd_sock;                /* connected --pidfd-socket, or -1 */
	bool serve_terminal;           /* run in the foreground: no console socket needed */
	uint64_t rootfs_mount_id;      /* no mount namespace: the rootfs' mount
					* before the container bound it */
	sigset_t saved_mask;           /* the caller's, restored in the child */
};

static void launch_init(struct launch *l, const struct husk_ctx *ctx, const struct husk_create_opts *o)
{
	memset(l, 0, sizeof(*l));
	l->ctx = ctx;
	l->o = o;
	l->rootfd = l->dirfd = l->listen_fd = l->console_fd = l->console_peer = l->pidfd_sock = -1;
	husk_cgroup_entry_init(&l->cgroup_entry);
	l->sync[0] = l->sync[1] = -1;
	l->ns.pid_fd = l->ns.time_fd = -1;
}

/* ---- the container process ------------------------------------------------ */

static bool has_hooks(const struct husk_config *cfg, size_t offset)
{
	if (!cfg->hooks)
		return false;
	const husk_hookv *v = (const husk_hookv *)((const char *)cfg->hooks + offset);
	return v->n > 0;
}
#define HAS_HOOKS(cfg, member) has_hooks(cfg, offsetof(struct husk_hooks, member))

static int set_names(const struct launch *l, husk_err *err)
{
	const struct husk_config *cfg = l->cfg;
	if ((cfg->hostname || cfg->domainname) && !l->ns.has_uts)
		return husk_error(err, 0, "%s: cannot be set without a uts namespace in linux.namespaces",
				  cfg->hostname ? "hostname" : "domainname");
	if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		return husk_error(err, errno, "hostname: set \"%s\"", cfg->hostname);
	if (cfg->domainname && setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
		return husk_error(err, errno, "domainname: set \"%s\"", cfg->domainname);
	return 0;
}

static int run_runtime_hooks_request(struct launch *l, husk_err *err)
{
	if (!HAS_HOOKS(l->cfg, prestart) && !HAS_HOOKS(l->cfg, create_runtime))
		return 0;
	if (husk_sync_send(l->sync[1], HUSK_SYNC_HOOKS, NULL, 0, err) < 0)
		return -1;
	return husk_sync_expect(l->sync[1], HUSK_SYNC_HOOKS_DONE, "hooks", NULL, err);
}

/* Everything up to "created": namespaces, mounts, pivot_root. */
static int child_create(struct launch *l, char **state_json, char **exe, husk_err *err)
{
	const struct husk_config *cfg = l->cfg;
	if (husk_sync_expect(l->sync[1], HUSK_SYNC_GO, "create", state_json, err) < 0 ||
	    husk_cgroup_entry_join_self(&l->cgroup_entry, err) < 0)
		return -1;
	if (l->ns.new_user && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return husk_error(err, errno, "become root in the new user namespace");
	if (husk_ns_join(&l->ns, err) < 0)
		return -1;
	if ((l->ns.clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return husk_error(err, errno, "linux.namespaces: unshare the cgroup namespace");
	if (!l->o->no_new_keyring && husk_process_join_session_keyring(l->o->id, err) < 0)
		return -1;
	if (set_names(l, err) < 0)
		return -1;

	struct husk_rootfs_opts ro = {
		.bundle = l->bundle,
		.rootfs = l->rootfs,
		.userns = husk_config_namespace(cfg, CLONE_NEWUSER) != NULL,
		.no_pivot = l->o->no_pivot,
		.cgroup_path = l->cgroup_path,
		.host_mount_ns = !l->ns.has_mount,
		.log = l->ctx->log,
	};
	if (husk_rootfs_prepare(cfg, &ro, err) < 0)
		return -1;
	if (run_runtime_hooks_request(l, err) < 0)
		return -1;
	if (cfg->hooks && husk_hooks_run(&cfg->hooks->create_container, "createContainer", *state_json,
					 l->ctx->log, err) < 0)
		return -1;
	if (husk_rootfs_pivot(cfg, &ro, err) < 0)
		return -1;
	/* After the pivot: the pty comes from the container's own devpts.
	 * The reaper leaves the controlling terminal to its child. */
	if (l->console_fd >= 0) {
		/* child_main's own copy of the log */
		if (husk_log_keep_off_stdio((struct husk_log *)l->ctx->log, 3 + l->o->preserve_fds, err) < 0)
			return -1;
		unsigned int flags = HUSK_TERMINAL_CONSOLE | (l->use_init ? 0 : HUSK_TERMINAL_CONTROLLING);
		int rc = husk_terminal_setup(l->console_fd, cfg->process, flags, err);
		husk_closep(&l->console_fd);
		if (rc < 0)
			return -1;
	}
	return husk_process_find_executable(cfg->process, exe, err);
}

/* Wait for start; returns the fd on which the rest is reported. */
static int child_wait_start(struct launch *l, char **state_json, husk_err *err)
{
	if (l->run_mode) {
		free(*state_json);
		*state_json = NULL;
		if (husk_sync_expect(l->sync[1], HUSK_SYNC_START, "start", state_json, err) < 0)
			return -1;
		return l->sync[1];
	}
	int conn;
	do
		conn = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return husk_error(err, errno, "wait for start");
	husk_closep(&l->listen_fd);
	free(*state_json);
	*state_json = NULL;
	if (husk_sync_expect(conn, HUSK_SYNC_START, "start", state_json, err) < 0) {
		close(conn);
		return -1;
	}
	return conn;
}

static int child_exec(struct launch *l, const char *exe, char **envp, int report_fd, husk_err *err)
{
	cleanup_free char **argv = husk_strv_for_exec(&l->cfg->process->args);
	if (!argv)
		return husk_error(err, ENOMEM, "exec");
	if (l->use_init) {
		/* The reaper never execs, so close-on-exec does not clean it;
		 * the runtime reads the end of the report stream as "running". */
		if (husk_fds_from(3 + (unsigned int)l->o->preserve_fds, -1, HUSK_FDS_CLOSE) < 0)
			return husk_error(err, errno, "close fds");
		(void)report_fd;
		int status = husk_reaper_run(exe, argv, envp);
		_exit(status < 0 ? 127 : status);
	}
	execve(exe, argv, envp);
	return husk_error(err, errno, "exec \"%s\"", exe);
}

static __attribute__((noreturn)) void child_main(struct launch *l)
{
	cleanup_error husk_err err = NULL;
	cleanup_free char *state_json = NULL;
	cleanup_free char *exe = NULL;
	cleanup_free char *home_var = NULL;
	cleanup_free char **envp = NULL;
	int report_fd = l->sync[1];
	/* The container's own copy: a terminal may move its log (below). */
	struct husk_log log = *l->ctx->log;
	struct husk_ctx ctx = *l->ctx;
	ctx.log = &log;
	l->ctx = &ctx;

	husk_process_reset_signals();
	/* The state directory's lock belongs to the runtime: an inherited
	 * descriptor would keep it held while the container waits for start. */
	husk_closep(&l->console_peer);
	husk_closep(&l->pidfd_sock);
	husk_closep(&l->dirfd);
	husk_closep(&l->rootfd);
	husk_closep(&l->sync[0]);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		husk_error(&err, errno, "prctl");
		goto fail;
	}
	/* "created" means every setting is in place, identity, capabilities
	 * and seccomp included (as runc does): only the exec waits for start. */
	struct husk_become become = {
		.process = l->cfg->process,
		.linux_cfg = l->cfg->linux_cfg,
		.seccomp = &l->seccomp,
		.preserve_fds = (unsigned int)l->o->preserve_fds,
		.log = l->ctx->log,
	};
	if (child_create(l, &state_json, &exe, &err) < 0)
		goto fail;
	/* HOME comes from the container's /etc/passwd, read while privileged. */
	envp = husk_process_envp(l->cfg->process, &home_var);
	if (!envp) {
		husk_error(&err, ENOMEM, "exec");
		goto fail;
	}
	if (husk_process_become(&become, &err) < 0)
		goto fail;
	/* From here the container outlives the runtime that created it. */
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
		husk_error(&err, errno, "prctl");
		goto fail;
	}
	if (husk_sync_send(l->sync[1], HUSK_SYNC_READY, NULL, 0, &err) < 0)
		goto fail;
	report_fd = child_wait_start(l, &state_json, &err);
	if (report_fd < 0) {
		report_fd = l->sync[1];
		goto fail;
	}
	if (l->cfg->hooks && husk_hooks_run(&l->cfg->hooks->start_container, "startContainer", state_json,
					    l->ctx->log, &err) < 0)
		goto fail;
	child_exec(l, exe, envp, report_fd, &err);
fail:
	husk_sync_send_errors(report_fd, err);
	_exit(1);
}

/* ---- the runtime side -------------------------------------------------------- */

static int resolve_paths(struct launch *l, husk_err *err)
{
	l->bundle = realpath(l->o->bundle ? l->o->bundle : ".", NULL);
	if (!l->bundle)
		return husk_error(err, errno, "bundle \"%s\"", l->o->bundle ? l->o->bundle : ".");
	if (!l->cfg->root)
		return husk_error(err, 0, "config.json: root: required on Linux but missing");
	cleanup_free char *joined = NULL;
	const char *root = l->cfg->root->path;
	if (root[0] != '/') {
		if (asprintf(&joined, "%s/%s", l->bundle, root) < 0)
			return husk_error(err, ENOMEM, "root.path");
		root = joined;
	}
	l->rootfs = realpath(root, NULL);
	if (!l->rootfs)
		return husk_error(err, errno, "root.path: \"%s\"", l->cfg->root->path);
	return 0;
}

static int check_supported(struct launch *l, husk_err *err)
{
	const struct husk_config *cfg = l->cfg;
	if (!cfg->process)
		return husk_error(err, 0, "config.json: process: required to create a container");
	if (cfg->process->terminal && !l->o->console_socket && !l->serve_terminal)
		return husk_error(err, 0, "process.terminal: a detached container's terminal needs --console-socket");
	if (l->o->console_socket && !cfg->process->terminal)
		return husk_error(err, EINVAL, "--console-socket: the config asks for no terminal (process.terminal)");
	const struct husk_linux *lx = cfg->linux_cfg;
	if (lx && lx->seccomp && lx->seccomp->listener_path)
		return husk_error(err, ENOTSUP, "linux.seccomp.listenerPath: seccomp notify is not implemented yet");
	if (lx && lx->net_devices.n)
		return husk_error(err, ENOTSUP, "linux.netDevices: moving network devices is not implemented yet");
	if (lx && lx->intel_rdt)
		return husk_error(err, ENOTSUP, "linux.intelRdt: Intel RDT is not supported");
	if (lx && lx->mount_label && *lx->mount_label)
		husk_debug(l->ctx->log, "linux.mountLabel: not applied (no SELinux mount labels)");
	return husk_container_check_resources(cfg, l->ctx, l->o->id, &l->cgroup_path, err);
}

static bool annotation_true(const struct husk_config *cfg, const char *key)
{
	const char *v = husk_map_get(&cfg->annotations, key);
	return v && strcmp(v, "true") == 0;
}

static int open_start_socket(struct launch *l, husk_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", l->dirfd, HUSK_START_SOCKET);
	l->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->listen_fd < 0)
		return husk_error(err, errno, "start socket");
	if (bind(l->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(l->listen_fd, 1) < 0)
		return husk_error(err, errno, "start socket");
	return 0;
}

static int launch_prepare(struct launch *l, husk_err *err)
{
	if (husk_state_validate_id(l->o->id, err) < 0 || check_supported(l, err) < 0 ||
	    resolve_paths(l, err) < 0)
		return -1;
	l->use_init = l->o->init || annotation_true(l->cfg, HUSK_ANNOTATION_INIT);
	l->rootfd = husk_state_open_root(l->ctx->root, true, err);
	if (l->rootfd < 0)
		return -1;
	l->dirfd = husk_state_create_dir(l->rootfd, l->o->id, err);
	if (l->dirfd < 0)
		return -1;
	l->dir_created = true;
	if (husk_ns_plan_make(l->cfg, &l->ns, err) < 0)
		return -1;
	if (l->cfg->linux_cfg && l->cfg->linux_cfg->seccomp &&
	    husk_seccomp_compile_cached(l->rootfd, l->cfg->linux_cfg->seccomp, l->ctx->log, &l->seccomp, err) < 0)
		return -1;
	if (husk_container_cgroup_create(l->cfg, &l->cgroup_path, &l->cgroup_entry, l->ctx->log, err) < 0)
		return -1;
	if (!l->ns.has_mount) {
		/* The container's mounts will land in this namespace: know
		 * which rootfs mount is not ours, to detach ours later. */
		l->rootfs_mount_id = husk_rootfs_mount_id(l->rootfs);
		if (!l->rootfs_mount_id)
			return husk_error(err, errno, "linux.namespaces: without a mount namespace, the mount of %s "
					  "must be identifiable (statx STATX_MNT_ID)", l->rootfs);
	}
	if (l->o->console_socket) {
		l->console_fd = husk_console_socket_connect(l->o->console_socket, err);
		if (l->console_fd < 0)
			return -1;
	} else if (l->cfg->process->terminal && l->serve_terminal) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return husk_error(err, errno, "process.terminal: socketpair");
		l->console_fd = sv[0];
		l->console_peer = sv[1];
	}
	if (l->o->pidfd_socket) {
		l->pidfd_sock = husk_unix_connect(l->o->pidfd_socket, "--pidfd-socket", err);
		if (l->pidfd_sock < 0)
			return -1;
	}
	if (!l->run_mode && open_start_socket(l, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->sync) < 0)
		return husk_error(err, errno, "socketpair");
	return 0;
}

static int launch_clone(struct launch *l, husk_err *err)
{
	struct husk_ns_saved saved;
	if (husk_ns_enter_for_clone(l->cfg, &l->ns, &saved, err) < 0) {
		husk_ns_restore(&saved, NULL);
		return -1;
	}
	/* The cgroup namespace comes later, once the process is in its cgroup
	 * (child_create), so that the cgroup is its namespace's root. */
	pid_t pid = husk_cgroup_entry_clone(l->ns.clone_flags & ~CLONE_NEWCGROUP, &l->cgroup_entry, err);
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

static void fill_state(const struct launch *l, struct husk_state *st, char *created)
{
	memset(st, 0, sizeof(*st));
	st->id = (char *)l->o->id;
	st->pid = l->pid;
	st->start_time = husk_proc_start_time(l->pid, NULL);
	st->bundle = l->bundle;
	st->rootfs = l->rootfs;
	st->created = created;
	st->owner = "";
	st->annotations = l->cfg->annotations;
	st->has_poststart = HAS_HOOKS(l->cfg, poststart);
	st->has_poststop = HAS_HOOKS(l->cfg, poststop);
	st->init = l->use_init;
	st->new_pidns = l->ns.new_pid;
	st->no_new_keyring = l->o->no_new_keyring;
	st->cgroup_path = l->cgroup_path;
	st->rootfs_mount_id = l->rootfs_mount_id;
}

static int run_create_runtime_hooks(const struct launch *l, const char *state_json, husk_err *err)
{
	const struct husk_hooks *h = l->cfg->hooks;
	if (husk_hooks_run(&h->prestart, "prestart", state_json, l->ctx->log, err) < 0 ||
	    husk_hooks_run(&h->create_runtime, "createRuntime", state_json, l->ctx->log, err) < 0)
		return -1;
	return 0;
}

/* Serve the container process until it reports "created". */
static int supervise_create(struct launch *l, const char *state_json, husk_err *err)
{
	if (husk_sync_send(l->sync[0], HUSK_SYNC_GO, state_json, (uint32_t)strlen(state_json), err) < 0)
		return -1;
	for (;;) {
		uint32_t type;
		cleanup_free char *payload = NULL;
		int rc = husk_sync_recv(l->sync[0], &type, &payload, NULL, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return husk_error(err, 0, "create: the container process exited unexpectedly");
		if (type == HUSK_SYNC_READY)
			return 0;
		if (type == HUSK_SYNC_ERROR) {
			husk_error(err, 0, "%s", payload);
			husk_sync_collect_errors(l->sync[0], err);
			return -1;
		}
		if (type != HUSK_SYNC_HOOKS)
			return husk_error(err, EPROTO, "create: unexpected message %u", type);
		int hooks = run_create_runtime_hooks(l, state_json, err);
		if (hooks < 0)
			return -1;
		if (husk_sync_send(l->sync[0], HUSK_SYNC_HOOKS_DONE, NULL, 0, err) < 0)
			return -1;
	}
}

/* For the hooks after create and for exec, which take their settings
 * from the config the container was made with, not the bundle's now. */
static int save_config_copy(const struct launch *l, husk_err *err)
{
	cleanup_close int fd = openat(l->dirfd, HUSK_CONFIG_COPY, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || husk_write_all(fd, l->config_text, l->config_len) < 0)
		return husk_error(err, errno, "save the config");
	return 0;
}

static int launch_create(struct launch *l, husk_err *err)
{
	char created[64];
	struct husk_state st;
	cleanup_free char *state_json = NULL;

	if (l->ns.new_user && husk_ns_write_id_maps(l->pid, l->cfg->linux_cfg, err) < 0)
		return -1;
	if (husk_process_write_oom_score_adj(l->pid, l->cfg->process, err) < 0)
		return -1;
	husk_format_now(created, sizeof(created));
	fill_state(l, &st, created);
	if (husk_state_json(&st, HUSK_STATUS_CREATING, &state_json, err) < 0 ||
	    supervise_create(l, state_json, err) < 0)
		return -1;
	if (husk_state_write(l->dirfd, &st, err) < 0 || save_config_copy(l, err) < 0)
		return -1;
	if (l->pidfd_sock >= 0 && husk_pidfd_socket_send(l->pidfd_sock, l->pid, "standard", err) < 0)
		return -1;
	if (l->o->pid_file && husk_write_pid_file(l->o->pid_file, l->pid, err) < 0)
		return -1;
	return 0;
}

/* Undo a failed create: the process (and with it its mounts) and the state. */
static void launch_abort(struct launch *l)
{
	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, NULL, 0);
	}
	if (l->cgroup_path)
		husk_cgroup_remove(l->cgroup_path, NULL);
	if (l->rootfs_mount_id)
		husk_rootfs_detach_host_mounts(l->rootfs, l->rootfs_mount_id, NULL);
	if (l->dir_created)
		husk_state_remove_dir(l->rootfd, l->o->id, NULL);
}

static void launch_release(struct launch *l)
{
	husk_closep(&l->sync[0]);
	husk_closep(&l->sync[1]);
	husk_closep(&l->listen_fd);
	husk_cgroup_entry_close(&l->cgroup_entry);
	husk_closep(&l->console_fd);
	husk_closep(&l->console_peer);
	husk_closep(&l->pidfd_sock);
	husk_closep(&l->dirfd);
	husk_closep(&l->rootfd);
	husk_ns_plan_release(&l->ns);
	husk_seccomp_program_free(&l->seccomp);
	husk_config_free(&l->cfg);
	free(l->bundle);
	free(l->rootfs);
	free(l->cgroup_path);
	free((char *)l->config_text);
}

static int load_config(struct launch *l, husk_err *err)
{
	cleanup_free char *path = NULL;
	char *text = NULL;
	const char *bundle = l->o->bundle ? l->o->bundle : ".";
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return husk_error(err, ENOMEM, "config.json");
	if (husk_read_file(path, HUSK_CONFIG_MAX_SIZE, &text, &l->config_len, err) < 0)
		return -1;
	l->config_text = text;
	return husk_config_parse(text, l->config_len, l->ctx->log, &l->cfg, err);
}

static int launch_until_created(struct launch *l, husk_err *err)
{
	sigset_t all;
	sigfillset(&all);
	if (load_config(l, err) < 0 || launch_prepare(l, err) < 0)
		return -1;
	/* Signals stay blocked in the runtime from here on: `run` forwards them. */
	sigprocmask(SIG_BLOCK, &all, &l->saved_mask);
	if (launch_clone(l, err) < 0 || launch_create(l, err) < 0)
		return -1;
	return 0;
}

int husk_container_create(const struct husk_ctx *ctx, const struct husk_create_opts *o, husk_err *err)
{
	struct launch l;
	launch_init(&l, ctx, o);
	int rc = launch_until_created(&l, err);
	if (rc < 0)
		launch_abort(&l);
	sigprocmask(SIG_SETMASK, &l.saved_mask, NULL);
	launch_release(&l);
	return rc;
}

/* ---- start ------------------------------------------------------------------- */

/* Send START with the state, then wait for the container's answer: end of
 * stream once the program runs, or its errors. */
static int send_start(int fd, const char *state_json, husk_err *err)
{
	if (husk_sync_send(fd, HUSK_SYNC_START, state_json, (uint32_t)strlen(state_json), err) < 0)
		return -1;
	return husk_sync_await_exec(fd, "start", err);
}

static int connect_start_socket(int dirfd, husk_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dirfd, HUSK_START_SOCKET);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error(err, errno, "start: socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;
		close(fd);
		return husk_error(err, saved, "start: the container process does not answer");
	}
	return fd;
}

static int start_refusal(enum husk_status status, husk_err *err)
{
	switch (status) {
	case HUSK_STATUS_STOPPED:
		return husk_error(err, 0, "cannot start a container that has stopped");
	case HUSK_STATUS_RUNNING:
		return husk_error(err, 0, "cannot start an already running container");
	case HUSK_STATUS_PAUSED:
		return husk_error(err, 0, "cannot start a paused container");
	default:
		return husk_error(err, 0, "cannot start a container in the %s state", husk_status_name(status));
	}
}

int husk_container_start(const struct husk_ctx *ctx, const char *id, husk_err *err)
{
	cleanup_opened struct husk_opened c;
	if (husk_container_open(ctx, id, LOCK_EX, &c, err) < 0)
		return -1;
	if (c.status != HUSK_STATUS_CREATED)
		return start_refusal(c.status, err);
	cleanup_free char *json = NULL;
	cleanup_close int conn = connect_start_socket(c.dirfd, err);
	if (conn < 0 || husk_state_json(&c.st, HUSK_STATUS_RUNNING, &json, err) < 0 ||
	    send_start(conn, json, err) < 0)
		return -1;
	unlinkat(c.dirfd, HUSK_START_SOCKET, 0);
	return husk_container_poststart(ctx, c.dirfd, &c.st, json, err);
}

/* ---- run ---------------------------------------------------------------------- */

static int run_started(struct launch *l, const struct husk_run_opts *r, int *exit_status, husk_err *err)
{
	struct husk_state st;
	char created[64];
	cleanup_free char *json = NULL;
	husk_format_now(created, sizeof(created));
	fill_state(l, &st, created);
	if (husk_state_json(&st, HUSK_STATUS_RUNNING, &json, err) < 0 || send_start(l->sync[0], json, err) < 0)
		return -1;
	if (husk_container_poststart(l->ctx, l->dirfd, &st, json, err) < 0)
		return -1;
	if (r->detach)
		return 0;
	/* The container is ours to wait for; the state lock is not. */
	husk_closep(&l->dirfd);
	cleanup_close int master = -1;
	if (l->console_peer >= 0) {
		master = husk_recv_fd(l->console_peer, err);
		if (master < 0)
			return -1;
	}
	return husk_run_wait(l->pid, master, exit_status, err);
}

int husk_container_run(const struct husk_ctx *ctx, const struct husk_create_opts *o,
		       const struct husk_run_opts *r, int *exit_status, husk_err *err)
{
	struct launch l;
	launch_init(&l, ctx, o);
	l.run_mode = true;
	l.serve_terminal = !r->detach;
	*exit_status = 0;
	if (!r->detach && !r->no_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	int rc = launch_until_created(&l, err);
	if (rc == 0)
		rc = run_started(&l, r, exit_status, err);
	if (rc < 0)
		launch_abort(&l);
	sigprocmask(SIG_SETMASK, &l.saved_mask, NULL);
	pid_t pid = l.pid;
	launch_release(&l);
	if (rc == 0 && !r->detach && !r->keep && pid > 0)
		rc = husk_container_delete(ctx, o->id, true, err);
	return rc;
}
