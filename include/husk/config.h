/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CONFIG_H
#define HUSK_CONFIG_H

/*
 * The OCI runtime configuration (config.json), typed.  The whole tree lives
 * in one arena owned by struct husk_config and is parsed exactly once per
 * command.  Absent objects are NULL pointers, absent strings are NULL,
 * absent arrays have n == 0; scalars whose absence matters are wrapped in
 * husk_opt_* with a `set` flag.  Names follow the JSON keys.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"
#include "husk/log.h"
#include "husk/names.h"
#include "husk/util.h"

#define HUSK_OCI_VERSION     "1.3.0"
#define HUSK_OCI_VERSION_MIN "1.0.0"

#define HUSK_ARRAY(T) struct { T *v; size_t n; }
#define HUSK_OPT(T)   struct { T v; bool set; }

typedef HUSK_OPT(uint64_t) husk_opt_u64;
typedef HUSK_OPT(int64_t)  husk_opt_i64;
typedef HUSK_OPT(uint32_t) husk_opt_u32;
typedef HUSK_OPT(int32_t)  husk_opt_i32;
typedef HUSK_OPT(uint16_t) husk_opt_u16;
typedef HUSK_OPT(int)      husk_opt_int;
typedef HUSK_OPT(bool)     husk_opt_bool;

typedef HUSK_ARRAY(char *) husk_strv;
typedef HUSK_ARRAY(uint32_t) husk_u32v;

struct husk_kv {
	char *key;
	char *value;
};
/* A JSON object of strings; keys are unique (the last duplicate wins). */
typedef HUSK_ARRAY(struct husk_kv) husk_map;

struct husk_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};
typedef HUSK_ARRAY(struct husk_idmap) husk_idmaps;

/* ---- process ---------------------------------------------------------- */

struct husk_console_size {
	uint64_t height;
	uint64_t width;
};

struct husk_user {
	uint32_t uid;
	uint32_t gid;
	husk_opt_u32 umask;
	husk_u32v additional_gids;
	char *username;
};

/* Capability sets as bit masks (bit N = capability number N). */
struct husk_capabilities {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

struct husk_rlimit {
	int type;               /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

struct husk_io_priority {
	int klass;              /* IOPRIO_CLASS_* */
	int32_t priority;
};

struct husk_scheduler {
	int policy;             /* SCHED_* */
	husk_opt_i32 nice;
	husk_opt_i32 priority;
	uint64_t flags;         /* SCHED_FLAG_* bits */
	husk_opt_u64 runtime;
	husk_opt_u64 deadline;
	husk_opt_u64 period;
};

struct husk_exec_cpu_affinity {
	char *initial;
	char *final;
};

struct husk_process {
	bool terminal;
	struct husk_console_size *console_size;
	struct husk_user user;
	husk_strv args;
	char *command_line;
	husk_strv env;
	char *cwd;
	struct husk_capabilities *capabilities;
	HUSK_ARRAY(struct husk_rlimit) rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	husk_opt_i32 oom_score_adj;
	char *selinux_label;
	struct husk_io_priority *io_priority;
	struct husk_scheduler *scheduler;
	struct husk_exec_cpu_affinity *exec_cpu_affinity;
};

/* ---- root, mounts, hooks ---------------------------------------------- */

struct husk_root {
	char *path;
	bool readonly;
};

struct husk_mount {
	char *destination;
	char *source;
	char *type;
	husk_strv options;
	husk_idmaps uid_mappings;
	husk_idmaps gid_mappings;
};

struct husk_hook {
	char *path;
	husk_strv args;
	husk_strv env;
	husk_opt_i64 timeout;   /* seconds, >= 1 */
};
typedef HUSK_ARRAY(struct husk_hook) husk_hookv;

struct husk_hooks {
	husk_hookv prestart;
	husk_hookv create_runtime;
	husk_hookv create_container;
	husk_hookv start_container;
	husk_hookv poststart;
	husk_hookv poststop;
};

/* ---- linux ------------------------------------------------------------ */

struct husk_namespace {
	int type;               /* CLONE_NEW* flag */
	char *path;
};

struct husk_device {
	char type;              /* 'c', 'b', 'u' or 'p' */
	char *path;
	husk_opt_u32 file_mode;
	husk_opt_i64 major;
	husk_opt_i64 minor;
	husk_opt_u32 uid;
	husk_opt_u32 gid;
};

struct husk_device_cgroup {
	bool allow;
	char type;              /* 'a', 'b', 'c'; 'a' when absent */
	husk_opt_i64 major;     /* absent: wildcard */
	husk_opt_i64 minor;
	char *access;           /* subset of "rwm"; NULL: all */
};

struct husk_memory {
	husk_opt_i64 limit;
	husk_opt_i64 reservation;
	husk_opt_i64 swap;
	husk_opt_i64 kernel;
	husk_opt_i64 kernel_tcp;
	husk_opt_u64 swappiness;
	husk_opt_bool disable_oom_killer;
	husk_opt_bool use_hierarchy;
	husk_opt_bool check_before_update;
};

struct husk_cpu {
	husk_opt_u64 shares;
	husk_opt_i64 quota;
	husk_opt_u64 burst;
	husk_opt_u64 period;
	husk_opt_i64 realtime_runtime;
	husk_opt_u64 realtime_period;
	char *cpus;
	char *mems;
	husk_opt_i64 idle;
};

struct husk_pids {
	int64_t limit;
};

struct husk_weight_device {
	int64_t major;
	int64_t minor;
	husk_opt_u16 weight;
	husk_opt_u16 leaf_weight;
};

struct husk_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};
typedef HUSK_ARRAY(struct husk_throttle_device) husk_throttlev;

struct husk_block_io {
	husk_opt_u16 weight;
	husk_opt_u16 leaf_weight;
	HUSK_ARRAY(struct husk_weight_device) weight_device;
	husk_throttlev throttle_read_bps_device;
	husk_throttlev throttle_write_bps_device;
	husk_throttlev throttle_read_iops_device;
	husk_throttlev throttle_write_iops_device;
};

struct husk_hugepage_limit {
	char *page_size;        /* e.g. "2MB" */
	uint64_t limit;
};

struct husk_net_priority {
	char *name;
	uint32_t priority;
};

struct husk_network {
	husk_opt_u32 class_id;
	HUSK_ARRAY(struct husk_net_priority) priorities;
};

struct husk_rdma {
	char *device;           /* the JSON key */
	husk_opt_u32 hca_handles;
	husk_opt_u32 hca_objects;
};

struct husk_resources {
	HUSK_ARRAY(struct husk_device_cgroup) devices;
	struct husk_memory *memory;
	struct husk_cpu *cpu;
	struct husk_pids *pids;
	struct husk_block_io *block_io;
	HUSK_ARRAY(struct husk_hugepage_limit) hugepage_limits;
	struct husk_network *network;
	HUSK_ARRAY(struct husk_rdma) rdma;
	husk_map unified;
};

enum husk_seccomp_action {
	HUSK_SCMP_ACT_KILL = 1,
	HUSK_SCMP_ACT_KILL_PROCESS,
	HUSK_SCMP_ACT_KILL_THREAD,
	HUSK_SCMP_ACT_TRAP,
	HUSK_SCMP_ACT_ERRNO,
	HUSK_SCMP_ACT_TRACE,
	HUSK_SCMP_ACT_ALLOW,
	HUSK_SCMP_ACT_LOG,
	HUSK_SCMP_ACT_NOTIFY,
};

enum husk_seccomp_op {
	HUSK_SCMP_CMP_NE = 1,
	HUSK_SCMP_CMP_LT,
	HUSK_SCMP_CMP_LE,
	HUSK_SCMP_CMP_EQ,
	HUSK_SCMP_CMP_GE,
	HUSK_SCMP_CMP_GT,
	HUSK_SCMP_CMP_MASKED_EQ,
};

/* Bits of husk_seccomp.flags. */
enum husk_seccomp_flag {
	HUSK_SECCOMP_FLAG_TSYNC = 1 << 0,
	HUSK_SECCOMP_FLAG_LOG = 1 << 1,
	HUSK_SECCOMP_FLAG_SPEC_ALLOW = 1 << 2,
	HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV = 1 << 3,
};

struct husk_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	int op;                 /* enum husk_seccomp_op */
};

struct husk_syscall {
	husk_strv names;
	int action;             /* enum husk_seccomp_action */
	husk_opt_u32 errno_ret;
	HUSK_ARRAY(struct husk_seccomp_arg) args;
};

struct husk_seccomp {
	int default_action;     /* enum husk_seccomp_action */
	husk_opt_u32 default_errno_ret;
	HUSK_ARRAY(int) architectures; /* index into husk_seccomp_arch_names */
	uint64_t flags;         /* enum husk_seccomp_flag bits */
	char *listener_path;
	char *listener_metadata;
	HUSK_ARRAY(struct husk_syscall) syscalls;
};

struct husk_intel_rdt {
	char *clos_id;
	husk_strv schemata;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool enable_monitoring;
};

struct husk_personality {
	int domain;             /* PER_LINUX or PER_LINUX32 */
	husk_strv flags;
};

struct husk_time_offset {
	int64_t secs;
	uint32_t nanosecs;
};

struct husk_time_offsets {
	struct husk_time_offset *boottime;
	struct husk_time_offset *monotonic;
};

struct husk_net_device {
	char *host_name;        /* the JSON key: interface name on the host */
	char *name;             /* name inside the container; NULL: same */
};

struct husk_memory_policy {
	int mode;               /* MPOL_* */
	char *nodes;
	uint64_t flags;         /* MPOL_F_* bits */
};

enum husk_propagation {
	HUSK_PROPAGATION_PRIVATE = 1,
	HUSK_PROPAGATION_SHARED,
	HUSK_PROPAGATION_SLAVE,
	HUSK_PROPAGATION_UNBINDABLE,
};

struct husk_linux {
	HUSK_ARRAY(struct husk_namespace) namespaces;
	husk_idmaps uid_mappings;
	husk_idmaps gid_mappings;
	struct husk_time_offsets *time_offsets;
	HUSK_ARRAY(struct husk_device) devices;
	char *cgroups_path;
	struct husk_resources *resources;
	struct husk_intel_rdt *intel_rdt;
	husk_map sysctl;
	struct husk_seccomp *seccomp;
	int rootfs_propagation; /* enum husk_propagation, 0 when absent */
	husk_strv masked_paths;
	husk_strv readonly_paths;
	char *mount_label;
	struct husk_personality *personality;
	HUSK_ARRAY(struct husk_net_device) net_devices;
	struct husk_memory_policy *memory_policy;
};

/* ---- the whole config ------------------------------------------------- */

struct husk_config {
	char *oci_version;
	struct husk_root *root;
	struct husk_process *process;
	char *hostname;
	char *domainname;
	HUSK_ARRAY(struct husk_mount) mounts;
	struct husk_hooks *hooks;
	husk_map annotations;
	struct husk_linux *linux_cfg;   /* "linux" (a predefined macro in GNU C) */

	struct husk_arena arena;        /* owns everything above */
};

/* Largest config.json accepted; the spec sets none.  yajl's tree costs up to
 * ~45 bytes per input byte, so this bounds the parse to well under 1 GiB. */
#define HUSK_CONFIG_MAX_SIZE (16u << 20)
/* Deepest JSON nesting accepted (the schema needs 7). */
#define HUSK_CONFIG_MAX_DEPTH 64

/*
 * Parse a config.json document of len bytes (text need not be
 * NUL-terminated).  On failure every problem found is in *err, each message
 * naming the JSON path and value ("config.json: linux.resources.memory.limit:
 * expected an integer, got \"abc\""), and *out is NULL.  Warnings (e.g. an
 * unknown capability, which the spec says to skip) go to log.
 */
int husk_config_parse(const char *text, size_t len, const struct husk_log *log,
		      struct husk_config **out, husk_err *err);

/*
 * Parse a linux.resources object alone (`husk update --resources`): on
 * success (*out)->linux_cfg->resources holds it, messages name the path
 * from "linux.resources".
 */
int husk_config_parse_resources(const char *text, size_t len, const struct husk_log *log,
				struct husk_config **out, husk_err *err);

/*
 * Parse a process object alone (`husk exec --process`): on success
 * (*out)->process holds it; messages start with "process: " and the path
 * within it ("process: cwd: required but missing").
 */
int husk_config_parse_process(const char *text, size_t len, const struct husk_log *log,
			      struct husk_config **out, husk_err *err);

/* Read and parse bundle/config.json. */
int husk_config_load(const char *bundle, const struct husk_log *log,
		     struct husk_config **out, husk_err *err);

/* Checks that need the bundle on disk: root.path exists and is a directory. */
int husk_config_check_bundle(const struct husk_config *cfg, const char *bundle, husk_err *err);

void husk_config_free(struct husk_config **cfg);
#define cleanup_config __attribute__((cleanup(husk_config_free)))

/* Name tables of the config's enumerations, shared with the code that
 * applies them and with `husk features`. */
extern const struct husk_name husk_namespace_names[];
extern const struct husk_name husk_propagation_names[];
extern const struct husk_name husk_seccomp_action_names[];
extern const struct husk_name husk_seccomp_op_names[];
extern const struct husk_name husk_seccomp_flag_names[];
extern const struct husk_name husk_seccomp_arch_names[];
extern const struct husk_name husk_mempolicy_mode_names[];
extern const struct husk_name husk_mempolicy_flag_names[];

/* Lookups over the parsed model. */
const char *husk_map_get(const husk_map *m, const char *key);
const struct husk_namespace *husk_config_namespace(const struct husk_config *cfg, int clone_flag);

#endif
