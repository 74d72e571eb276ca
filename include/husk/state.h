/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/config.h"

/*
 * Per-container state under the --root directory: ROOT/ID/ holds
 * state.json (written atomically: temp file + rename), a lock (flock on
 * the directory) that serialises commands on one container only, the
 * start socket while the container is "created", and a copy of the config
 * it was created with (for hooks after create and for exec).
 */

#define HUSK_ID_MAX 1024

enum husk_status {
	HUSK_STATUS_CREATING,
	HUSK_STATUS_CREATED,
	HUSK_STATUS_RUNNING,
	HUSK_STATUS_PAUSED,
	HUSK_STATUS_STOPPED,
};

struct husk_state {
	char *id;
	pid_t pid;                  /* container process, as seen by the host */
	uint64_t start_time;        /* its /proc/PID/stat starttime: guards against pid reuse */
	char *bundle;               /* absolute */
	char *rootfs;               /* absolute */
	char *created;              /* RFC 3339 */
	char *owner;
	husk_map annotations;
	bool has_poststart;         /* saved config.json holds such hooks */
	bool has_poststop;
	bool init;                  /* the built-in reaper is PID 1 */
	bool new_pidns;             /* the container has its own pid namespace */
	bool no_new_keyring;        /* created with --no-new-keyring: exec keeps the caller's too */
	char *cgroup_path;          /* its cgroup, relative to each hierarchy; NULL: none */
	uint64_t rootfs_mount_id;   /* no mount namespace: the rootfs' mount before the
				     * container's bind of it (detached at delete); else 0 */
	struct husk_arena arena;    /* owns the strings above */
};

const char *husk_status_name(enum husk_status s);

/* IDs: 1..HUSK_ID_MAX of [A-Za-z0-9_+.-], not "." or "..". */
int husk_state_validate_id(const char *id, husk_err *err);

/* Open (creating with mode 0700 if needed) the --root directory. */
int husk_state_open_root(const char *root, bool create, husk_err *err);

/*
 * Create ROOT/ID exclusively and lock it; returns the directory fd.
 * Fails with runc's wording when the container exists.
 */
int husk_state_create_dir(int rootfd, const char *id, husk_err *err);

/* Open ROOT/ID and lock it (lock: 0, LOCK_SH or LOCK_EX); "container does
 * not exist" when absent. */
int husk_state_open_dir(int rootfd, const char *id, int lock, husk_err *err);

int husk_state_write(int dirfd, const struct husk_state *st, husk_err *err);
int husk_state_read(int dirfd, const char *id, struct husk_state *st, husk_err *err);
void husk_state_release(struct husk_state *st);

/* Remove ROOT/ID and everything in it. */
int husk_state_remove_dir(int rootfd, const char *id, husk_err *err);

/* Live status: process alive with the recorded start time, start socket present, frozen... */
enum husk_status husk_state_status(int dirfd, const struct husk_state *st);

/* The OCI state JSON (runtime.md), as `husk state` prints and hooks read. */
int husk_state_json(const struct husk_state *st, enum husk_status status, char **json, husk_err *err);

/* /proc/PID/stat's starttime, or 0 when the process does not exist (or is a zombie). */
uint64_t husk_proc_start_time(pid_t pid, bool *zombie);

/* Write a pid file atomically (temp + rename), as runc does. */
int husk_write_pid_file(const char *path, pid_t pid, husk_err *err);

/* runc's wording, which the engines match on. */
#define HUSK_MSG_NO_CONTAINER "container does not exist"

#define HUSK_STATE_FILE "state.json"
#define HUSK_START_SOCKET "start.sock"
#define HUSK_CONFIG_COPY "config.json"

#endif
