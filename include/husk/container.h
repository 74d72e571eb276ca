/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/config.h"
#include "husk/state.h"

/* What every lifecycle operation needs from the caller. */
struct husk_ctx {
	const char *root;              /* state directory (--root) */
	const struct husk_log *log;
	bool systemd_cgroup;           /* --systemd-cgroup (not supported yet) */
};

struct husk_create_opts {
	const char *id;
	const char *bundle;            /* default "." */
	const char *pid_file;
	const char *console_socket;
	const char *pidfd_socket;      /* receives a pidfd of the container process */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool init;                     /* --init: the built-in reaper is PID 1 */
};

/* The annotation that turns the reaper on from config.json. */
#define HUSK_ANNOTATION_INIT "run.oci.husk.init"

/*
 * create: when it returns 0 the container process exists with every
 * namespace, mount and security setting in place and waits for start.
 * On failure nothing is left behind.
 */
int husk_container_create(const struct husk_ctx *ctx, const struct husk_create_opts *o, husk_err *err);

/* start: exec the user process of a created container; runs poststart hooks. */
int husk_container_start(const struct husk_ctx *ctx, const char *id, husk_err *err);

struct husk_run_opts {
	bool detach;
	bool keep;                     /* do not delete after exit */
	bool no_subreaper;
};

/*
 * run: create + start in one process.  Without detach it waits for the
 * container, forwarding signals, and stores its exit status (128+N on
 * signal N) in *exit_status, then deletes it unless keep.
 */
int husk_container_run(const struct husk_ctx *ctx, const struct husk_create_opts *o,
		       const struct husk_run_opts *r, int *exit_status, husk_err *err);

/*
 * exec: what the new process is.  Its settings come from process (from
 * --process) or else from the container's own config, and then from the
 * flags: each one set here overrides or adds to them.
 */
struct husk_exec_opts {
	const char *id;
	const struct husk_process *process;   /* NULL: the container's process with args */
	husk_strv args;                       /* COMMAND [ARG...] (without process) */
	const char *cwd;
	husk_strv env;                        /* K=V, replacing the same K */
	bool set_uid;
	bool set_gid;
	uint32_t uid;
	uint32_t gid;
	husk_u32v additional_gids;            /* added */
	uint64_t caps;                        /* added to bounding, effective, permitted */
	bool no_new_privs;
	const char *apparmor;
	const char *process_label;
	const char *cgroup;                   /* sub-cgroup of the container's */
	const char *pid_file;
	int preserve_fds;
	bool detach;
	bool ignore_paused;
	bool tty;
	const char *console_socket;
	const char *pidfd_socket;             /* receives a pidfd of the new process */
};

/*
 * exec: run a new process in a created, running (or, with ignore_paused,
 * paused) container: in every one of its namespaces, its cgroup and its
 * root, with its seccomp filter.  With detach, return once the program
 * runs; otherwise wait for it, forwarding signals, and store its exit
 * status (128+N on signal N) in *exit_status.
 */
int husk_container_exec(const struct husk_ctx *ctx, const struct husk_exec_opts *o, int *exit_status,
			husk_err *err);

int husk_container_kill(const struct husk_ctx *ctx, const char *id, int sig, bool all, husk_err *err);
int husk_container_delete(const struct husk_ctx *ctx, const char *id, bool force, husk_err *err);

/* Freeze / thaw every process of a running container (its cgroup). */
int husk_container_pause(const struct husk_ctx *ctx, const char *id, husk_err *err);
int husk_container_resume(const struct husk_ctx *ctx, const char *id, husk_err *err);

/* Change the resource limits of a live container: only what r sets. */
int husk_container_update(const struct husk_ctx *ctx, const char *id, const struct husk_resources *r,
			  husk_err *err);

/* The OCI state JSON of one container. */
int husk_container_state(const struct husk_ctx *ctx, const char *id, char **json, husk_err *err);

/* ps: every process in the container's cgroup (and the cgroups below it);
 * *pids is malloc'ed, NULL when there is none. */
int husk_container_pids(const struct husk_ctx *ctx, const char *id, pid_t **pids, size_t *n, husk_err *err);

/* events: receives each event, one JSON object without a newline; returns
 * -1 with *err set to stop. */
typedef int (*husk_event_fn)(const char *json, void *arg, husk_err *err);

struct husk_events_opts {
	int64_t interval_ns;           /* between stats events; must be > 0 */
	bool stats_once;               /* one stats event, then return */
};

/*
 * Report the container's events as runc's `events` does: a stats event
 * every interval and an "oom" event whenever the OOM killer strikes in its
 * cgroup, until the container stops (then 0); or, stats_once, one stats
 * event.  Statistics that cannot be read in the stream are logged and the
 * stream goes on.
 */
int husk_container_events(const struct husk_ctx *ctx, const char *id, const struct husk_events_opts *o,
			  husk_event_fn emit, void *arg, husk_err *err);

struct husk_container_info {
	char *id;
	pid_t pid;
	enum husk_status status;
	char *bundle;
	char *created;
	char *owner;
};

int husk_container_list(const struct husk_ctx *ctx, struct husk_container_info **list, size_t *n, husk_err *err);
void husk_container_list_free(struct husk_container_info *list, size_t n);

#endif
