/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/config.h"
#include "husk/log.h"
#include "husk/util.h"

/*
 * The container's cgroup.  One path, relative to the root of every
 * hierarchy ("/husk/ID" unless linux.cgroupsPath says otherwise), is
 * created in each mounted hierarchy: v1 (legacy, or hybrid with an empty
 * unified tree beside it) or v2 (unified).  Resources are written only
 * when the config asks for them.
 */

#define HUSK_CGROUP_MOUNT "/sys/fs/cgroup"

/* The parent of containers without linux.cgroupsPath: /husk/ID. */
#define HUSK_CGROUP_PARENT "/husk"

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

/*
 * The JSON path of the first resource the config asks for
 * ("linux.resources.memory", ...), or NULL when it asks for none.
 */
const char *husk_cgroup_requested_resource(const struct husk_resources *r);

struct husk_cgroup_entry;

/*
 * Create the cgroup at path in every hierarchy and apply r (may be NULL).
 * With no hierarchy mounted, nothing is created and asking for limits is
 * an error.  On failure what was created is left for husk_cgroup_remove.
 * entry (initialised, or NULL): opened for a process to join the cgroup
 * (husk_cgroup_entry_open, from the same look at the hierarchies).
 */
int husk_cgroup_create(enum husk_cgroup_layout layout, const char *path, const struct husk_resources *r,
		       const struct husk_log *log, struct husk_cgroup_entry *entry, husk_err *err);

/*
 * What a new process needs to put itself into the cgroup at path (or its
 * sub-cgroup sub, relative, NULL for none), opened by the runtime before
 * the fork.  Moving a process by writing its pid to cgroup.procs takes
 * the kernel's global threadgroup lock, which first waits for an RCU grace
 * period (~10 ms on an idle host: most of a `run`).  So nobody does: on
 * the v2 hierarchy the process is born in its cgroup (clone3 with
 * CLONE_INTO_CGROUP), and on each v1 hierarchy it writes "0" to tasks,
 * which moves only the calling thread and skips that lock; the process is
 * single-threaded, so that moves all of it.
 */
#define HUSK_CGROUP_MAX_HIERARCHIES 32

struct husk_cgroup_entry {
	int v2_dir;                   /* the v2 cgroup, for CLONE_INTO_CGROUP, or -1 */
	int v2_procs;                 /* its cgroup.procs, when the clone could not */
	int v1_tasks[HUSK_CGROUP_MAX_HIERARCHIES];
	size_t n_v1;
	const char *sub;              /* for messages */
};

void husk_cgroup_entry_init(struct husk_cgroup_entry *e);
int husk_cgroup_entry_open(const char *path, const char *sub, struct husk_cgroup_entry *e, husk_err *err);

/* husk_clone with e: the child is born in the v2 cgroup when the kernel
 * can.  The parent's copies of e's descriptors are closed on return. */
pid_t husk_cgroup_entry_clone(int flags, struct husk_cgroup_entry *e, husk_err *err);

/* In the new process, single-threaded: move into the cgroup in every
 * hierarchy.  Closes e's descriptors either way. */
int husk_cgroup_entry_join_self(struct husk_cgroup_entry *e, husk_err *err);

void husk_cgroup_entry_close(struct husk_cgroup_entry *e);

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
/* Every process in the cgroup and its descendants (cgroup.procs of the
 * pids or memory hierarchy on v1, the unified one on v2), in the kernel's
 * order.  *pids is malloc'ed (NULL when empty). */
int husk_cgroup_pids(const char *path, pid_t **pids, size_t *n, husk_err *err);

/* ---- OOM notification (cgroup_oom.c) ----------------------------------- */

/*
 * Watch a cgroup for processes killed by the OOM killer: on v1 an eventfd
 * registered for memory.oom_control through cgroup.event_control, on v2
 * inotify on memory.events and its oom_kill count.  fd is -1 when the
 * cgroup has no memory controller: there is nothing to watch.
 */
struct husk_cgroup_oom {
	int fd;                    /* poll it for POLLIN */
	int control_fd;            /* v1: memory.oom_control, open while registered */
	uint64_t kills;            /* v2: oom_kill count seen so far */
	char dir[PATH_MAX];
};

int husk_cgroup_oom_open(enum husk_cgroup_layout layout, const char *path, struct husk_cgroup_oom *w,
			 husk_err *err);

/* Without blocking: whether an OOM kill happened since the last call. */
int husk_cgroup_oom_take(struct husk_cgroup_oom *w, bool *oom, husk_err *err);

void husk_cgroup_oom_close(struct husk_cgroup_oom *w);
#define cleanup_oom __attribute__((cleanup(husk_cgroup_oom_close)))

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

/* ---- statistics (cgroup_stats*.c) ---------------------------------------- */

/*
 * What `events --stats` reports, read from the container's cgroup in the
 * shape of runc's stats (v2 values mapped onto the v1 model as runc maps
 * them: microseconds to nanoseconds, io.stat to Read/Write entries, swap
 * as memory+swap).  A file that does not exist leaves its value zero or
 * its list empty; a file that cannot be parsed is an error.
 */

struct husk_u64v {
	uint64_t *v;
	size_t n;
};

struct husk_u16v {
	uint16_t *v;
	size_t n;
};

struct husk_cgroup_kv {
	const char *key;
	uint64_t value;
};

struct husk_cgroup_kvv {
	struct husk_cgroup_kv *v;
	size_t n;
};

struct husk_memory_usage {
	uint64_t limit, usage, max, failcnt;
};

struct husk_blkio_entry {
	uint64_t major, minor;
	const char *op;            /* "Read", "Write", ... or NULL */
	uint64_t value;
};

struct husk_blkio_list {
	struct husk_blkio_entry *v;
	size_t n;
};

/* runc's blkio tables, in its order. */
enum husk_blkio_table {
	HUSK_BLKIO_SERVICE_BYTES,
	HUSK_BLKIO_SERVICED,
	HUSK_BLKIO_QUEUED,
	HUSK_BLKIO_SERVICE_TIME,
	HUSK_BLKIO_WAIT_TIME,
	HUSK_BLKIO_MERGED,
	HUSK_BLKIO_TIME,
	HUSK_BLKIO_SECTORS,
	HUSK_BLKIO_TABLES,
};

struct husk_hugetlb_usage {
	const char *size;          /* "2MB", "1GB" */
	uint64_t usage, max, failcnt;
};

struct husk_cgroup_stats {
	struct {
		uint64_t total, kernel, user;          /* nanoseconds */
		struct husk_u64v percpu, percpu_kernel, percpu_user;
		uint64_t periods, throttled_periods, throttled_time;
	} cpu;
	struct {
		struct husk_u16v cpus, mems;
		uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate;
		uint64_t memory_spread_page, memory_spread_slab, memory_pressure, sched_load_balance;
		int64_t sched_relax_domain_level;
	} cpuset;
	struct {
		uint64_t cache;
		struct husk_memory_usage usage, swap, kernel, kernel_tcp;
		struct husk_cgroup_kvv raw;            /* memory.stat, sorted by key */
	} memory;
	struct {
		uint64_t current, limit;               /* limit 0: none */
	} pids;
	struct husk_blkio_list blkio[HUSK_BLKIO_TABLES];
	struct {
		struct husk_hugetlb_usage *v;          /* sorted by size name */
		size_t n;
	} hugetlb;
	struct husk_arena arena;                   /* owns every list above */
};

/* Read the cgroup at path (as husk_cgroup_setup made it) into *s, which
 * the caller releases whatever the outcome. */
int husk_cgroup_stats_read(enum husk_cgroup_layout layout, const char *path, struct husk_cgroup_stats *s,
			   husk_err *err);
void husk_cgroup_stats_release(struct husk_cgroup_stats *s);
#define cleanup_stats __attribute__((cleanup(husk_cgroup_stats_release)))

/*
 * One event as runc's `events` prints it, compact, without a newline:
 * {"type":TYPE,"id":ID} and, with stats, "data" in runc's stats schema
 * (the fields runc leaves out when zero are left out here too).
 */
int husk_cgroup_event_json(const char *type, const char *id, const struct husk_cgroup_stats *stats,
			   char **json, husk_err *err);

/* ---- statistics file parsers (cgroup_stats_parse.c) ----------------------
 * Pure functions on a file's text; lists are allocated from the arena.
 * Each returns 0, or -1 when the text is malformed.
 */

/* One value: "max" is UINT64_MAX, a negative number 0 (kernel bugs make
 * some counters negative), surrounding white space ignored. */
int husk_cgroup_parse_value(const char *text, uint64_t *out);

/* "key value" lines (memory.stat, cpu.stat, memory.events, ...). */
int husk_cgroup_parse_kv(const char *text, struct husk_arena *a, struct husk_cgroup_kvv *out);
bool husk_cgroup_kv_get(const struct husk_cgroup_kvv *kv, const char *key, uint64_t *out);

/* White-space separated numbers (cpuacct.usage_percpu). */
int husk_cgroup_parse_u64_list(const char *text, struct husk_arena *a, struct husk_u64v *out);

/* A cpu or node list, "0-3,8,10-11" (cpuset.cpus, cpuset.mems). */
int husk_cgroup_parse_cpu_list(const char *text, struct husk_arena *a, struct husk_u16v *out);

/* cpuacct.stat's "user" and "system", in USER_HZ ticks, to nanoseconds. */
int husk_cgroup_parse_cpuacct_stat(const char *text, uint64_t *user_ns, uint64_t *system_ns);

/* v1 blkio: "MAJ:MIN OP VALUE" or "MAJ:MIN VALUE" lines; "Total N" skipped. */
int husk_cgroup_parse_blkio(const char *text, struct husk_arena *a, struct husk_blkio_list *out);

/* v2 io.stat: rbytes/wbytes to Read/Write in *bytes, rios/wios in *ios. */
int husk_cgroup_parse_io_stat(const char *text, struct husk_arena *a, struct husk_blkio_list *bytes,
			      struct husk_blkio_list *ios);

/* "hugetlb.2MB.usage_in_bytes" with suffix "usage_in_bytes" -> "2MB";
 * false when name is not that file for some page size. */
bool husk_cgroup_hugetlb_size(const char *name, const char *suffix, char *size, size_t cap);

#endif
