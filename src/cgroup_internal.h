/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

/* Shared between cgroup.c and the per-version apply files. */

#include <limits.h>

#include "husk/cgroup.h"

/* A hierarchy's mount point: HUSK_CGROUP_MOUNT/NAME.  Kept small: lists of
 * them live on the stack, and every page of it touched is memory. */
struct husk_cgroup_hier {
	char dir[sizeof(HUSK_CGROUP_MOUNT) + NAME_MAX + 1];
	bool v2;
};

/* Every hierarchy mounted under HUSK_CGROUP_MOUNT (v1 ones and hybrid's
 * unified one; symlinks such as cpu -> cpu,cpuacct are skipped), or the
 * mount itself when it is cgroup v2.  h holds HUSK_CGROUP_MAX_HIERARCHIES. */
int husk_cgroup_hierarchies(struct husk_cgroup_hier *h, size_t *n, husk_err *err);

/* husk_cgroup_entry_open for the hierarchies h[0..n) already listed. */
int husk_cgroup_entry_open_in(const struct husk_cgroup_hier *h, size_t n, const char *path,
			      struct husk_cgroup_entry *e, husk_err *err);

/* path's components joined under "/" into out, "." and empty ones dropped;
 * ".." and the root itself refused (messages name linux.cgroupsPath). */
int husk_cgroup_clean_path(const char *path, char *out, size_t cap, husk_err *err);

/* Write value to dir/file; errors name the config field and the value. */
int husk_cgroup_write(const char *dir, const char *file, const char *value, const char *field, husk_err *err);

/* cpuset.cpus and cpuset.mems, when set: the same files on v1 and v2. */
int husk_cgroup_write_cpuset(const char *dir, const struct husk_cpu *c, husk_err *err);
bool husk_cgroup_has_file(const char *dir, const char *file);

/* HUSK_CGROUP_MOUNT/<controller>/path when that v1 hierarchy is mounted;
 * -1 when it is not. */
int husk_cgroup_v1_dir(const char *controller, const char *path, char *buf, size_t size);

/* cgroup v2: enable controller in cgroup.subtree_control of every
 * ancestor of path, so that path has its files; field names the config
 * field for messages. */
int husk_cgroup_v2_enable(const char *path, const char *controller, const char *field, husk_err *err);

/* cgroup v2: enable every controller the host has for path, as runc and
 * crun do, so that usage is accounted (ps, events, checkBeforeUpdate)
 * from the start.  Best effort: a controller that cannot be enabled is
 * reported when a limit needs it. */
void husk_cgroup_v2_enable_all(const char *path);

/* Apply r to the cgroup at path (already created). */
int husk_cgroup_v1_apply(const struct husk_resources *r, const char *path, husk_err *err);
int husk_cgroup_v2_apply(const struct husk_resources *r, const char *path, husk_err *err);

/*
 * runc's default device allow list (cgroup_default_devices.c), applied
 * after linux.resources.devices on v1 and v2 alike.
 */
extern const struct husk_device_cgroup husk_cgroup_default_devices[];
extern const size_t husk_cgroup_default_devices_n;

/* ---- device rules on cgroup v2 (cgroup_v2_devices.c) ---------------------- */

struct bpf_insn;

/*
 * The BPF_PROG_TYPE_CGROUP_DEVICE program that decides as rules[0..n) do,
 * in order.  For each access a request needs (r, w, m) the last rule that
 * matches the device and names that access decides it; the request passes
 * only when every access it needs is allowed.  An access no rule names is
 * denied, as runc and crun decide on v2 (a v1 cgroup would inherit its
 * parent's list instead; configs start with a type 'a' rule that settles
 * it).  A rule of type 'a' matches every device and access whatever its
 * major, minor and access say: the v1 kernel treats it so (it resets the
 * list), and v2 decides as v1 does.  *insns is malloc'd.
 */
int husk_cgroup_devices_program(const struct husk_device_cgroup *rules, size_t n, struct bpf_insn **insns,
				size_t *len, husk_err *err);

/*
 * Load the program for exactly rules[0..n) and attach it to the cgroup
 * directory dir, then detach the device programs attached there before:
 * a live cgroup is never without a filter.
 */
int husk_cgroup_v2_set_device_program(const struct husk_device_cgroup *rules, size_t n, const char *dir,
				      husk_err *err);

/* linux.resources.devices followed by the default list, on dir. */
int husk_cgroup_v2_apply_devices(const struct husk_resources *r, const char *dir, husk_err *err);

/* v1: a new cpuset cgroup starts with empty cpus/mems: copy them down
 * from the parent along path so that tasks can join. */
int husk_cgroup_v1_init_cpuset(const char *path, husk_err *err);

/* Where cgroup.procs lists every process of the cgroup at path: the pids
 * or memory hierarchy on v1, the unified one on v2.  -1 when none. */
int husk_cgroup_procs_dir(const char *path, char *buf, size_t size);

/* ---- statistics ---------------------------------------------------------- */

/* dir/file's text (malloc'ed): 1 when read, 0 when the file does not exist. */
int husk_cgroup_read(const char *dir, const char *file, char **text, husk_err *err);

/* A one-value file, parsed as husk_cgroup_parse_value: 1, 0 when absent. */
int husk_cgroup_read_value(const char *dir, const char *file, uint64_t *out, husk_err *err);

/* A "key value" file into kv (allocated from a), sorted by key: 1, 0 when absent. */
int husk_cgroup_read_kv(const char *dir, const char *file, struct husk_arena *a, struct husk_cgroup_kvv *kv,
			husk_err *err);

/* The error for a file whose contents do not parse. */
int husk_cgroup_malformed(const char *dir, const char *file, husk_err *err);

/* The page sizes of the hugetlb files named hugetlb.SIZE.<suffix> in dir,
 * sorted, as s->hugetlb entries with only size set. */
int husk_cgroup_hugetlb_sizes(const char *dir, const char *suffix, struct husk_cgroup_stats *s, husk_err *err);

int husk_cgroup_v1_stats(const char *path, struct husk_cgroup_stats *s, husk_err *err);
int husk_cgroup_v2_stats(const char *path, struct husk_cgroup_stats *s, husk_err *err);

#endif
