/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CONTAINER_INTERNAL_H
#define HUSK_CONTAINER_INTERNAL_H

/* Shared between the lifecycle files; not part of the core's interface. */

#include "husk/container.h"

struct husk_cgroup_entry;

/*
 * Resource limits: resolve linux.cgroupsPath into *cgroup_path (refusing
 * what is not supported) before anything is created.
 */
int husk_container_check_resources(const struct husk_config *cfg, const struct husk_ctx *ctx, const char *id,
				   char **cgroup_path, husk_err *err);

/*
 * Create the container's cgroup with its limits, before the container
 * process exists, and open entry for the process to join it.  Frees and
 * clears *cgroup_path when the host has no cgroups; on failure the caller
 * removes *cgroup_path.
 */
int husk_container_cgroup_create(const struct husk_config *cfg, char **cgroup_path, struct husk_cgroup_entry *entry,
				 const struct husk_log *log, husk_err *err);

/* An existing container, opened and locked, with its state read. */
struct husk_opened {
	int rootfd;
	int dirfd;
	struct husk_state st;
	enum husk_status status;
};

/* lock: 0, LOCK_SH or LOCK_EX.  "container does not exist" when absent. */
int husk_container_open(const struct husk_ctx *ctx, const char *id, int lock, struct husk_opened *c, husk_err *err);
void husk_container_close(struct husk_opened *c);
#define cleanup_opened __attribute__((cleanup(husk_container_close)))

/* The config the container was created with, saved in its state directory. */
int husk_container_saved_config(int dirfd, const struct husk_log *log, struct husk_config **cfg, husk_err *err);

/*
 * A pidfd of the container process, checked to be that process (start
 * time) and alive; "container not running" otherwise.
 */
int husk_container_pidfd(const struct husk_state *st, husk_err *err);

/* exec's process: a copy of the base with the flags applied (exec_process.c). */
struct husk_exec_process {
	struct husk_process p;          /* strings borrowed from the base and the flags */
	struct husk_capabilities caps;  /* p.capabilities when flags add some */
	char **env;                     /* owned arrays behind p, when flags add to them */
	uint32_t *gids;
};

int husk_exec_process_build(struct husk_exec_process *x, const struct husk_process *base,
			    const struct husk_exec_opts *o, husk_err *err);
void husk_exec_process_release(struct husk_exec_process *x);

/* Run poststart hooks from the saved config; on failure stop the container. */
int husk_container_poststart(const struct husk_ctx *ctx, int dirfd, const struct husk_state *st,
			     const char *state_json, husk_err *err);

#endif
