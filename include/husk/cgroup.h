/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/config.h"
#include "husk/log.h"

/*
 * The container's cgroup.  One path, relative to the root of every
 * hierarchy ("/husk/ID" unless linux.cgroupsPath says otherwise), is
 * created in each mounted hierarchy: v1 (legacy, or hybrid with an empty
 * unified tree beside it) or v2 (unified).  Resources are written only
 * when the config asks for them.
 */

#define HUSK_CGROUP_MOUNT "/sys/fs/cgroup"

enum husk_cgroup_layout {
	HUSK_CGROUP_NONE,      /* nothing mounted: run without cgroups */
	HUSK_CGROUP_LEGACY,    /* v1 controllers (hybrid: plus an empty v2) */
	HUSK_CGROUP_UNIFIED,   /* cgroup v2 only */
};

/* One statfs of HUSK_CGROUP_MOUNT. */
enum husk_cgroup_layout husk_cgroup_detect(void);

/*
 * linux.cgroupsPath to a clean absolute path: empty -> "/husk/ID",
 * relative -> under the root, "." and empty components dropped.  ".."
 * and the root itself are refused; so are systemd's "slice:prefix:name"
 * and systemd (the --systemd-cgroup flag): not supported yet.
 */
int husk_cgroup_resolve_path(const char *cgroups_path, const char *id, bool systemd,
			     char **out, husk_err *err);

/* Whether the config asks for any limit at all. */
bool husk_cgroup_resources_requested(const struct husk_resources *r);

/*
 * Create the cgroup at path in every hierarchy, apply r (may be NULL) and
 * move pid into it.  On failure what was created is left for
 * husk_cgroup_remove.
 */
int husk_cgroup_setup(enum husk_cgroup_layout layout, const char *path, const struct husk_resources *r,
		      pid_t pid, const struct husk_log *log, husk_err *err);

/*
 * Move pid into the existing cgroup at path, or into its sub-cgroup sub
 * (NULL: none; relative to path, ".." refused), in every hierarchy.
 */
int husk_cgroup_join(const char *path, const char *sub, pid_t pid, husk_err *err);

/*
 * Apply r to the live cgroup at path (`husk update`): only what r sets
 * changes.  memory.checkBeforeUpdate refuses a limit below the current
 * usage.
 */
int husk_cgroup_update(const char *path, const struct husk_resources *r, husk_err *err);

/* Remove path from every hierarchy (absent is fine; retries on EBUSY). */
int husk_cgroup_remove(const char *path, husk_err *err);

/* Send sig to every process in the cgroup.  Returns the number of
 * processes signalled (1 when cgroup v2's cgroup.kill did the work), or -1
 * when the cgroup cannot be read. */
int husk_cgroup_signal_all(const char *path, int sig, husk_err *err);

/*
 * Freeze (pause) or thaw (resume) every process of the cgroup and wait
 * until the kernel reports it done: cgroup.freeze on v2, the freezer
 * controller on v1.
 */
int husk_cgroup_freeze(const char *path, bool freeze, husk_err *err);

/* Whether the cgroup is frozen (false when it cannot be read). */
bool husk_cgroup_frozen(const char *path);

/* ---- value conversions (cgroup_convert.c) -------------------------------- */

/* cpu.shares (2..262144) to cpu.weight (1..10000), as runc; 0 stays 0. */
uint64_t husk_cgroup_shares_to_weight(uint64_t shares);

/* blkio weight (10..1000) to io.weight (1..10000), as runc. */
uint64_t husk_cgroup_blkio_to_io_weight(uint64_t weight);

/*
 * OCI memory.swap is memory+swap; cgroup v2's memory.swap.max is swap
 * alone.  *out: -1 = "max", 0 = leave unset, else the value.
 */
int husk_cgroup_swap_to_v2(int64_t memory, int64_t swap, int64_t *out, husk_err *err);

/* A limit as cgroup v2 writes it: negative -> "max". */
void husk_cgroup_limit_str(int64_t v, char *buf, size_t size);

/* pids.max: limit <= 0 -> "max". */
void husk_cgroup_pids_max(int64_t limit, char *buf, size_t size);

/* cpu.max: "QUOTA PERIOD", "max PERIOD" when quota <= 0 or unset;
 * period 100000 when unset. */
void husk_cgroup_cpu_max(const struct husk_cpu *cpu, char *buf, size_t size);

#endif
