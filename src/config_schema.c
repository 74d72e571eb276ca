/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI config, field by field: which JSON key fills which C member, with
 * what type, and the rules the spec states beyond types (config.md,
 * config-linux.md).  The walker in config.c does the rest.
 */
#include <linux/sched.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>

#include "config_parser.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Table entries; S is the struct being described. */
#define STR(n, m, fl)       { .name = n, .kind = K_STR, .flags = fl, .offset = offsetof(S, m) }
#define BOOL(n, m, fl)      { .name = n, .kind = K_BOOL, .flags = fl, .offset = offsetof(S, m) }
#define INT(n, m, nt, fl)   { .name = n, .kind = K_INT, .num = nt, .flags = fl, .offset = offsetof(S, m) }
#define ENUM(n, m, t, fl)   { .name = n, .kind = K_ENUM, .flags = fl, .offset = offsetof(S, m), .names = t }
#define FLAGS(n, m, t)      { .name = n, .kind = K_FLAGS, .offset = offsetof(S, m), .names = t }
#define OBJ(n, m, t)        { .name = n, .kind = K_OBJ, .offset = offsetof(S, m), .type = &t }
#define INLINE(n, m, t, fl) { .name = n, .kind = K_INLINE, .flags = fl, .offset = offsetof(S, m), .type = &t }
#define ARRAY(n, m, e, T)   { .name = n, .kind = K_ARRAY, .offset = offsetof(S, m), .elem = &e, .elem_size = sizeof(T) }
#define MAP(n, m)           { .name = n, .kind = K_MAP, .offset = offsetof(S, m) }
#define KEYED(n, m, t, T)   { .name = n, .kind = K_KEYED, .offset = offsetof(S, m), .type = &t, .elem_size = sizeof(T) }
#define CUSTOM(n, m, fn, fl) { .name = n, .kind = K_CUSTOM, .flags = fl, .offset = offsetof(S, m), .custom = fn }

#define OBJ_ELEM(t)         { .kind = K_INLINE, .type = &t }

static const struct field elem_string = { .kind = K_STR };
static const struct field elem_u32 = { .kind = K_INT, .num = N_U32 };

/* ---- enumerations --------------------------------------------------------- */

const struct husk_name husk_namespace_names[] = {
	{ "mount", CLONE_NEWNS }, { "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET },
	{ "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC }, { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME }, { NULL, 0 },
};

const struct husk_name husk_propagation_names[] = {
	{ "private", HUSK_PROPAGATION_PRIVATE }, { "shared", HUSK_PROPAGATION_SHARED },
	{ "slave", HUSK_PROPAGATION_SLAVE }, { "unbindable", HUSK_PROPAGATION_UNBINDABLE },
	{ NULL, 0 },
};

const struct husk_name husk_seccomp_action_names[] = {
	{ "SCMP_ACT_KILL", HUSK_SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_PROCESS", HUSK_SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", HUSK_SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_TRAP", HUSK_SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", HUSK_SCMP_ACT_ERRNO },
	{ "SCMP_ACT_TRACE", HUSK_SCMP_ACT_TRACE },
	{ "SCMP_ACT_ALLOW", HUSK_SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", HUSK_SCMP_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", HUSK_SCMP_ACT_NOTIFY },
	{ NULL, 0 },
};

const struct husk_name husk_seccomp_op_names[] = {
	{ "SCMP_CMP_NE", HUSK_SCMP_CMP_NE }, { "SCMP_CMP_LT", HUSK_SCMP_CMP_LT },
	{ "SCMP_CMP_LE", HUSK_SCMP_CMP_LE }, { "SCMP_CMP_EQ", HUSK_SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", HUSK_SCMP_CMP_GE }, { "SCMP_CMP_GT", HUSK_SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", HUSK_SCMP_CMP_MASKED_EQ }, { NULL, 0 },
};

const struct husk_name husk_seccomp_flag_names[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", HUSK_SECCOMP_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", HUSK_SECCOMP_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", HUSK_SECCOMP_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV },
	{ NULL, 0 },
};

/* Values are indexes; seccomp code maps them to libseccomp's constants. */
const struct husk_name husk_seccomp_arch_names[] = {
	{ "SCMP_ARCH_X86", 0 }, { "SCMP_ARCH_X86_64", 1 }, { "SCMP_ARCH_X32", 2 },
	{ "SCMP_ARCH_ARM", 3 }, { "SCMP_ARCH_AARCH64", 4 }, { "SCMP_ARCH_LOONGARCH64", 5 },
	{ "SCMP_ARCH_M68K", 6 }, { "SCMP_ARCH_MIPS", 7 }, { "SCMP_ARCH_MIPS64", 8 },
	{ "SCMP_ARCH_MIPS64N32", 9 }, { "SCMP_ARCH_MIPSEL", 10 }, { "SCMP_ARCH_MIPSEL64", 11 },
	{ "SCMP_ARCH_MIPSEL64N32", 12 }, { "SCMP_ARCH_PPC", 13 }, { "SCMP_ARCH_PPC64", 14 },
	{ "SCMP_ARCH_PPC64LE", 15 }, { "SCMP_ARCH_S390", 16 }, { "SCMP_ARCH_S390X", 17 },
	{ "SCMP_ARCH_SH", 18 }, { "SCMP_ARCH_SHEB", 19 }, { "SCMP_ARCH_PARISC", 20 },
	{ "SCMP_ARCH_PARISC64", 21 }, { "SCMP_ARCH_RISCV64", 22 }, { NULL, 0 },
};

static const struct husk_name io_class_names[] = {
	{ "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 }, { NULL, 0 },
};

static const struct husk_name sched_policy_names[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
	{ "SCHED_ISO", 4 }, { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 }, { NULL, 0 },
};

static const struct husk_name sched_flag_names[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 }, { NULL, 0 },
};

static const struct husk_name personality_domain_names[] = {
	{ "LINUX", PER_LINUX }, { "LINUX32", PER_LINUX32 }, { NULL, 0 },
};

const struct husk_name husk_mempolicy_mode_names[] = {
	{ "MPOL_DEFAULT", 0 }, { "MPOL_PREFERRED", 1 }, { "MPOL_BIND", 2 },
	{ "MPOL_INTERLEAVE", 3 }, { "MPOL_LOCAL", 4 }, { "MPOL_PREFERRED_MANY", 5 },
	{ "MPOL_WEIGHTED_INTERLEAVE", 6 }, { NULL, 0 },
};

const struct husk_name husk_mempolicy_flag_names[] = {
	{ "MPOL_F_NUMA_BALANCING", 1 << 13 }, { "MPOL_F_RELATIVE_NODES", 1 << 14 },
	{ "MPOL_F_STATIC_NODES", 1 << 15 }, { NULL, 0 },
};

/* ---- custom value parsers -------------------------------------------------- */

/* A string from the config as messages quote it: cut short (on a UTF-8
 * character boundary) when long, since a value may be megabytes. */
struct shown {
	char s[80];
};

static struct shown shown(const char *s)
{
	struct shown out;
	size_t n = strlen(s);
	if (n <= 64) {
		snprintf(out.s, sizeof(out.s), "\"%s\"", s);
		return out;
	}
	n = 64;
	while (n > 0 && (s[n] & 0xc0) == 0x80)
		n--;
	snprintf(out.s, sizeof(out.s), "\"%.*s...\"", (int)n, s);
	return out;
}

static int expect_string(struct config_parser *p, yajl_val v)
{
	if (YAJL_IS_STRING(v))
		return 0;
	char got[96];
	config_describe(v, got, sizeof(got));
	config_errorf(p, "expected a string, got %s", got);
	return -1;
}

static bool is_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* SemVer 2.0.0 core with optional -pre-release and +build; major must be 1. */
static bool semver_valid(const char *s)
{
	const char *c = s;
	for (int part = 0; part < 3; part++) {
		size_t n = strspn(c, "0123456789");
		if (!is_digits(c, n) || (n > 1 && c[0] == '0'))
			return false;
		c += n;
		if (part < 2 && *c++ != '.')
			return false;
	}
	if (*c == '-') {
		c++;
		size_t n = strspn(c, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-.");
		if (n == 0)
			return false;
		c += n;
	}
	if (*c == '+') {
		c++;
		size_t n = strspn(c, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-.");
		if (n == 0)
			return false;
		c += n;
	}
	return *c == '\0';
}

static int parse_oci_version(struct config_parser *p, yajl_val v, void *dst)
{
	if (expect_string(p, v) < 0)
		return -1;
	const char *s = v->u.string;
	if (!semver_valid(s)) {
		config_errorf(p, "expected a SemVer version such as \"%s\", got %s", HUSK_OCI_VERSION, shown(s).s);
		return -1;
	}
	/* 0.x drafts are read as 1.x; a future major version is not. */
	if (strncmp(s, "0.", 2) != 0 && strncmp(s, "1.", 2) != 0) {
		config_errorf(p, "unsupported version %s: husk supports 1.x (up to %s)", shown(s).s, HUSK_OCI_VERSION);
		return -1;
	}
	*(char **)dst = husk_arena_strdup(p->arena, s);
	return 0;
}

/*
 * Capability names.  The spec asks runtimes not to fail on a capability
 * they cannot map to the kernel, only to warn; a name that is not even
 * shaped like one is a config error.
 */
static int parse_capset(struct config_parser *p, yajl_val v, void *dst)
{
	if (!YAJL_IS_ARRAY(v)) {
		char got[96];
		config_describe(v, got, sizeof(got));
		config_errorf(p, "expected an array of capability names, got %s", got);
		return -1;
	}
	uint64_t mask = 0;
	int rc = 0;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val item = v->u.array.values[i];
		size_t mark = config_path_push_index(p, i);
		if (expect_string(p, item) < 0) {
			rc = -1;
		} else {
			const char *name = item->u.string;
			int cap = husk_cap_from_name(name);
			if (cap >= 0)
				mask |= UINT64_C(1) << cap;
			else if (husk_str_has_prefix(name, "CAP_") && name[4] &&
				 strspn(name + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(name + 4))
				config_warnf(p, "unknown capability %s ignored", shown(name).s);
			else {
				config_errorf(p, "expected a capability name such as \"CAP_CHOWN\", got %s", shown(name).s);
				rc = -1;
			}
		}
		config_path_pop(p, mark);
	}
	*(uint64_t *)dst = mask;
	return rc;
}

static int parse_type_char(struct config_parser *p, yajl_val v, void *dst, const char *allowed)
{
	if (expect_string(p, v) < 0)
		return -1;
	const char *s = v->u.string;
	if (strlen(s) != 1 || !strchr(allowed, s[0])) {
		char list[32] = "";
		for (const char *c = allowed; *c; c++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%c\"",
				 c == allowed ? "" : ", ", *c);
		config_errorf(p, "expected one of %s, got %s", list, shown(s).s);
		return -1;
	}
	*(char *)dst = s[0];
	return 0;
}

static int parse_device_type(struct config_parser *p, yajl_val v, void *dst)
{
	return parse_type_char(p, v, dst, "cbup");
}

static int parse_cgroup_device_type(struct config_parser *p, yajl_val v, void *dst)
{
	return parse_type_char(p, v, dst, "abc");
}

/* "2MB", "1GB", "64KB": ^[1-9][0-9]*[KMG]B$ */
static int parse_page_size(struct config_parser *p, yajl_val v, void *dst)
{
	if (expect_string(p, v) < 0)
		return -1;
	const char *s = v->u.string;
	size_t n = strspn(s, "0123456789");
	if (n == 0 || s[0] == '0' || !s[n] || !strchr("KMG", s[n]) || strcmp(s + n + 1, "B") != 0) {
		config_errorf(p, "expected a page size such as \"2MB\" or \"1GB\", got %s", shown(s).s);
		return -1;
	}
	*(char **)dst = husk_arena_strdup(p->arena, s);
	return 0;
}

/* ---- cross-field rules ------------------------------------------------------ */

static void check_absolute(struct config_parser *p, const char *field, const char *path)
{
	if (path && path[0] != '/')
		config_field_errorf(p, field, "must be an absolute path, got %s", shown(path).s);
}

static void check_absolute_list(struct config_parser *p, const char *field, const husk_strv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		/* NULL: an entry that was not a string, already reported. */
		if (!v->v[i] || v->v[i][0] == '/')
			continue;
		size_t mark = config_path_push_key(p, field);
		size_t mark2 = config_path_push_index(p, i);
		config_errorf(p, "must be an absolute path, got %s", shown(v->v[i]).s);
		config_path_pop(p, mark2);
		config_path_pop(p, mark);
	}
}

static void check_no_newline(struct config_parser *p, const char *field, const char *s)
{
	if (s && strchr(s, '\n'))
		config_field_errorf(p, field, "must not contain a newline");
}

static void check_user(struct config_parser *p, void *obj)
{
	struct husk_user *u = obj;
	if (u->umask.set && u->umask.v > 0777)
		config_field_errorf(p, "umask", "expected at most 0777 (511), got %u", u->umask.v);
}

/* Per entry, so that it only runs when both limits were read. */
static void check_rlimit(struct config_parser *p, void *obj)
{
	struct husk_rlimit *r = obj;
	if (r->soft > r->hard)
		config_errorf(p, "soft limit %llu is above hard limit %llu",
			      (unsigned long long)r->soft, (unsigned long long)r->hard);
}

static void check_rlimits(struct config_parser *p, const struct husk_process *proc)
{
	for (size_t i = 0; i < proc->rlimits.n; i++) {
		const struct husk_rlimit *r = &proc->rlimits.v[i];
		size_t mark = config_path_push_key(p, "rlimits");
		size_t mark2 = config_path_push_index(p, i);
		for (size_t j = 0; j < i && r->type >= 0; j++)
			if (proc->rlimits.v[j].type == r->type)
				config_errorf(p, "\"%s\" is set more than once",
					      husk_name_of(husk_rlimit_names, r->type));
		config_path_pop(p, mark2);
		config_path_pop(p, mark);
	}
}

static void check_process(struct config_parser *p, void *obj)
{
	struct husk_process *proc = obj;
	check_absolute(p, "cwd", proc->cwd);
	if (proc->args.n == 0)
		config_field_errorf(p, "args", "must hold at least one entry, the program to run");
	if (proc->oom_score_adj.set && (proc->oom_score_adj.v < -1000 || proc->oom_score_adj.v > 1000))
		config_field_errorf(p, "oomScoreAdj", "expected -1000 to 1000, got %d", proc->oom_score_adj.v);
	check_rlimits(p, proc);
}

static void check_io_priority(struct config_parser *p, void *obj)
{
	struct husk_io_priority *io = obj;
	if (io->priority < 0 || io->priority > 7)
		config_field_errorf(p, "priority", "expected 0 (highest) to 7 (lowest), got %d", io->priority);
}

static void check_scheduler(struct config_parser *p, void *obj)
{
	struct husk_scheduler *s = obj;
	if (s->nice.set && (s->nice.v < -20 || s->nice.v > 19))
		config_field_errorf(p, "nice", "expected -20 to 19, got %d", s->nice.v);
	if (s->priority.set && s->priority.v < 0)
		config_field_errorf(p, "priority", "expected a non-negative priority, got %d", s->priority.v);
}

static void check_cpu_list(struct config_parser *p, const char *field, const char *s)
{
	if (s && strspn(s, "0123456789, -") != strlen(s))
		config_field_errorf(p, field, "expected a CPU list such as \"0-3,7\", got %s", shown(s).s);
}

static void check_exec_cpu_affinity(struct config_parser *p, void *obj)
{
	struct husk_exec_cpu_affinity *a = obj;
	check_cpu_list(p, "initial", a->initial);
	check_cpu_list(p, "final", a->final);
}

static void check_mount(struct config_parser *p, void *obj)
{
	struct husk_mount *m = obj;
	if (m->destination && m->destination[0] != '/')
		config_warnf(p, "relative destination %s is deprecated; read as relative to \"/\"",
			     shown(m->destination).s);
}

static void check_hook(struct config_parser *p, void *obj)
{
	struct husk_hook *h = obj;
	check_absolute(p, "path", h->path);
	if (h->timeout.set && h->timeout.v < 1)
		config_field_errorf(p, "timeout", "expected at least 1 second, got %lld",
				    (long long)h->timeout.v);
}

static void check_device(struct config_parser *p, void *obj)
{
	struct husk_device *d = obj;
	check_absolute(p, "path", d->path);
	if (!d->type)
		return;
	if (d->type != 'p' && !d->major.set)
		config_field_errorf(p, "major", "required for a device of type \"%c\"", d->type);
	if (d->type != 'p' && !d->minor.set)
		config_field_errorf(p, "minor", "required for a device of type \"%c\"", d->type);
	if (d->file_mode.set && d->file_mode.v > 0777)
		config_field_errorf(p, "fileMode", "expected at most 511 (0777), got %u", d->file_mode.v);
}

static void check_device_cgroup(struct config_parser *p, void *obj)
{
	struct husk_device_cgroup *d = obj;
	if (!d->type)
		d->type = 'a';
	if (d->access && strspn(d->access, "rwm") != strlen(d->access))
		config_field_errorf(p, "access", "expected letters of \"rwm\", got %s", shown(d->access).s);
}

static void check_weight_device(struct config_parser *p, void *obj)
{
	struct husk_weight_device *w = obj;
	if (!w->weight.set && !w->leaf_weight.set)
		config_errorf(p, "needs weight or leafWeight");
}

static void check_rdma(struct config_parser *p, void *obj)
{
	struct husk_rdma *r = obj;
	if (!r->hca_handles.set && !r->hca_objects.set)
		config_errorf(p, "needs hcaHandles or hcaObjects");
}

static bool action_takes_errno(int action)
{
	return action == HUSK_SCMP_ACT_ERRNO || action == HUSK_SCMP_ACT_TRACE;
}

static void check_syscall(struct config_parser *p, void *obj)
{
	struct husk_syscall *s = obj;
	if (s->names.n == 0)
		config_field_errorf(p, "names", "must hold at least one syscall name");
	if (s->errno_ret.set && !action_takes_errno(s->action))
		config_field_errorf(p, "errnoRet", "is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				    husk_name_of(husk_seccomp_action_names, s->action));
	for (size_t i = 0; i < s->args.n; i++) {
		if (s->args.v[i].index <= 5)
			continue;
		size_t mark = config_path_push_key(p, "args");
		size_t mark2 = config_path_push_index(p, i);
		config_field_errorf(p, "index", "expected 0 to 5, got %u", s->args.v[i].index);
		config_path_pop(p, mark2);
		config_path_pop(p, mark);
	}
}

static void check_seccomp(struct config_parser *p, void *obj)
{
	struct husk_seccomp *s = obj;
	if (s->default_errno_ret.set && !action_takes_errno(s->default_action))
		config_field_errorf(p, "defaultErrnoRet", "is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				    husk_name_of(husk_seccomp_action_names, s->default_action));
	if (s->listener_metadata && !s->listener_path)
		config_field_errorf(p, "listenerMetadata", "must not be set without listenerPath");
	bool notify = s->default_action == HUSK_SCMP_ACT_NOTIFY;
	for (size_t i = 0; i < s->syscalls.n; i++)
		notify |= s->syscalls.v[i].action == HUSK_SCMP_ACT_NOTIFY;
	if (notify && !s->listener_path)
		config_field_errorf(p, "listenerPath", "is required when an action is SCMP_ACT_NOTIFY");
	if (s->default_action == HUSK_SCMP_ACT_NOTIFY)
		config_field_errorf(p, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
}

static void check_intel_rdt(struct config_parser *p, void *obj)
{
	struct husk_intel_rdt *r = obj;
	const char *clos = r->clos_id;
	if (clos && strcmp(clos, "/") != 0 &&
	    (!*clos || strchr(clos, '/') || strcmp(clos, ".") == 0 || strcmp(clos, "..") == 0 || strchr(clos, '\n')))
		config_field_errorf(p, "closID", "expected \"/\" or a directory name, got %s", shown(clos).s);
	check_no_newline(p, "l3CacheSchema", r->l3_cache_schema);
	check_no_newline(p, "memBwSchema", r->mem_bw_schema);
	if (r->mem_bw_schema && strncmp(r->mem_bw_schema, "MB:", 3) != 0)
		config_field_errorf(p, "memBwSchema", "must start with \"MB:\", got %s", shown(r->mem_bw_schema).s);
	for (size_t i = 0; i < r->schemata.n; i++)
		check_no_newline(p, "schemata", r->schemata.v[i]);
}

static void check_namespaces(struct config_parser *p, const struct husk_linux *l)
{
	for (size_t i = 0; i < l->namespaces.n; i++) {
		const struct husk_namespace *ns = &l->namespaces.v[i];
		size_t mark = config_path_push_key(p, "namespaces");
		size_t mark2 = config_path_push_index(p, i);
		for (size_t j = 0; j < i && ns->type >= 0; j++)
			if (l->namespaces.v[j].type == ns->type)
				config_field_errorf(p, "type", "namespace \"%s\" is listed more than once",
						    husk_name_of(husk_namespace_names, ns->type));
		check_absolute(p, "path", ns->path);
		config_path_pop(p, mark2);
		config_path_pop(p, mark);
	}
}

static void check_linux(struct config_parser *p, void *obj)
{
	struct husk_linux *l = obj;
	check_namespaces(p, l);
	check_absolute_list(p, "maskedPaths", &l->masked_paths);
	check_absolute_list(p, "readonlyPaths", &l->readonly_paths);

	const struct husk_namespace *userns = NULL;
	for (size_t i = 0; i < l->namespaces.n; i++)
		if (l->namespaces.v[i].type == CLONE_NEWUSER)
			userns = &l->namespaces.v[i];
	bool mapped = l->uid_mappings.n || l->gid_mappings.n;
	if (mapped && !userns)
		config_field_errorf(p, "uidMappings", "id mappings need a user namespace in linux.namespaces");
	if (userns && !userns->path && (!l->uid_mappings.n || !l->gid_mappings.n))
		config_field_errorf(p, "uidMappings", "a new user namespace needs uidMappings and gidMappings");
}

static void check_config(struct config_parser *p, void *obj)
{
	struct husk_config *cfg = obj;
	if (!cfg->root)
		config_field_errorf(p, "root", "required on Linux but missing");
}

/* ---- the tables --------------------------------------------------------------- */

#define S struct husk_idmap
static const struct field idmap_fields[] = {
	INT("containerID", container_id, N_U32, F_REQUIRED),
	INT("hostID", host_id, N_U32, F_REQUIRED),
	INT("size", size, N_U32, F_REQUIRED),
};
#undef S
static const struct object_type idmap_type = OBJECT_TYPE(struct husk_idmap, idmap_fields, NULL);
static const struct field elem_idmap = OBJ_ELEM(idmap_type);

/* process */
#define S struct husk_console_size
static const struct field console_size_fields[] = {
	INT("height", height, N_U64, F_REQUIRED),
	INT("width", width, N_U64, F_REQUIRED),
};
#undef S
static const struct object_type console_size_type = OBJECT_TYPE(struct husk_console_size, console_size_fields, NULL);

#define S struct husk_user
static const struct field user_fields[] = {
	INT("uid", uid, N_U32, 0),
	INT("gid", gid, N_U32, 0),
	INT("umask", umask, N_U32, F_OPT),
	ARRAY("additionalGids", additional_gids, elem_u32, uint32_t),
	STR("username", username, 0),
};
#undef S
static const struct object_type user_type = OBJECT_TYPE(struct husk_user, user_fields, check_user);

#define S struct husk_capabilities
static const struct field capabilities_fields[] = {
	CUSTOM("bounding", bounding, parse_capset, 0),
	CUSTOM("effective", effective, parse_capset, 0),
	CUSTOM("inheritable", inheritable, parse_capset, 0),
	CUSTOM("permitted", permitted, parse_capset, 0),
	CUSTOM("ambient", ambient, parse_capset, 0),
};
#undef S
static const struct object_type capabilities_type = OBJECT_TYPE(struct husk_capabilities, capabilities_fields, NULL);

#define S struct husk_rlimit
static const struct field rlimit_fields[] = {
	ENUM("type", type, husk_rlimit_names, F_REQUIRED),
	INT("soft", soft, N_U64, F_REQUIRED),
	INT("hard", hard, N_U64, F_REQUIRED),
};
#undef S
static const struct object_type rlimit_type = OBJECT_TYPE(struct husk_rlimit, rlimit_fields, check_rlimit);
static const struct field elem_rlimit = OBJ_ELEM(rlimit_type);

#define S struct husk_io_priority
static const struct field io_priority_fields[] = {
	ENUM("class", klass, io_class_names, F_REQUIRED),
	INT("priority", priority, N_I32, F_REQUIRED),
};
#undef S
static const struct object_type io_priority_type = OBJECT_TYPE(struct husk_io_priority, io_priority_fields, check_io_priority);

#define S struct husk_scheduler
static const struct field scheduler_fields[] = {
	ENUM("policy", policy, sched_policy_names, F_REQUIRED),
	INT("nice", nice, N_I32, F_OPT),
	INT("priority", priority, N_I32, F_OPT),
	FLAGS("flags", flags, sched_flag_names),
	INT("runtime", runtime, N_U64, F_OPT),
	INT("deadline", deadline, N_U64, F_OPT),
	INT("period", period, N_U64, F_OPT),
};
#undef S
static const struct object_type scheduler_type = OBJECT_TYPE(struct husk_scheduler, scheduler_fields, check_scheduler);

#define S struct husk_exec_cpu_affinity
static const struct field exec_cpu_affinity_fields[] = {
	STR("initial", initial, 0),
	STR("final", final, 0),
};
#undef S
static const struct object_type exec_cpu_affinity_type =
	OBJECT_TYPE(struct husk_exec_cpu_affinity, exec_cpu_affinity_fields, check_exec_cpu_affinity);

#define S struct husk_process
static const struct field process_fields[] = {
	BOOL("terminal", terminal, 0),
	OBJ("consoleSize", console_size, console_size_type),
	INLINE("user", user, user_type, 0),
	ARRAY("args", args, elem_string, char *),
	STR("commandLine", command_line, 0),
	ARRAY("env", env, elem_string, char *),
	STR("cwd", cwd, F_REQUIRED),
	OBJ("capabilities", capabilities, capabilities_type),
	ARRAY("rlimits", rlimits, elem_rlimit, struct husk_rlimit),
	BOOL("noNewPrivileges", no_new_privileges, 0),
	STR("apparmorProfile", apparmor_profile, 0),
	INT("oomScoreAdj", oom_score_adj, N_I32, F_OPT),
	STR("selinuxLabel", selinux_label, 0),
	OBJ("ioPriority", io_priority, io_priority_type),
	OBJ("scheduler", scheduler, scheduler_type),
	OBJ("execCPUAffinity", exec_cpu_affinity, exec_cpu_affinity_type),
};
#undef S
const struct object_type config_process_type = OBJECT_TYPE(struct husk_process, process_fields, check_process);

/* root, mounts, hooks */
#define S struct husk_root
static const struct field root_fields[] = {
	STR("path", path, F_REQUIRED),
	BOOL("readonly", readonly, 0),
};
#undef S
static const struct object_type root_type = OBJECT_TYPE(struct husk_root, root_fields, NULL);

#define S struct husk_mount
static const struct field mount_fields[] = {
	STR("destination", destination, F_REQUIRED),
	STR("source", source, 0),
	STR("type", type, 0),
	ARRAY("options", options, elem_string, char *),
	ARRAY("uidMappings", uid_mappings, elem_idmap, struct husk_idmap),
	ARRAY("gidMappings", gid_mappings, elem_idmap, struct husk_idmap),
};
#undef S
static const struct object_type mount_type = OBJECT_TYPE(struct husk_mount, mount_fields, check_mount);
static const struct field elem_mount = OBJ_ELEM(mount_type);

#define S struct husk_hook
static const struct field hook_fields[] = {
	STR("path", path, F_REQUIRED),
	ARRAY("args", args, elem_string, char *),
	ARRAY("env", env, elem_string, char *),
	INT("timeout", timeout, N_I64, F_OPT),
};
#undef S
static const struct object_type hook_type = OBJECT_TYPE(struct husk_hook, hook_fields, check_hook);
static const struct field elem_hook = OBJ_ELEM(hook_type);

#define S struct husk_hooks
static const struct field hooks_fields[] = {
	ARRAY("prestart", prestart, elem_hook, struct husk_hook),
	ARRAY("createRuntime", create_runtime, elem_hook, struct husk_hook),
	ARRAY("createContainer", create_container, elem_hook, struct husk_hook),
	ARRAY("startContainer", start_container, elem_hook, struct husk_hook),
	ARRAY("poststart", poststart, elem_hook, struct husk_hook),
	ARRAY("poststop", poststop, elem_hook, struct husk_hook),
};
#undef S
static const struct object_type hooks_type = OBJECT_TYPE(struct husk_hooks, hooks_fields, NULL);

/* linux.resources */
#define S struct husk_device_cgroup
static const struct field device_cgroup_fields[] = {
	BOOL("allow", allow, F_REQUIRED),
	CUSTOM("type", type, parse_cgroup_device_type, 0),
	INT("major", major, N_I64, F_OPT),
	INT("minor", minor, N_I64, F_OPT),
	STR("access", access, 0),
};
#undef S
static const struct object_type device_cgroup_type =
	OBJECT_TYPE(struct husk_device_cgroup, device_cgroup_fields, check_device_cgroup);
static const struct field elem_device_cgroup = OBJ_ELEM(device_cgroup_type);

#define S struct husk_memory
static const struct field memory_fields[] = {
	INT("limit", limit, N_I64, F_OPT),
	INT("reservation", reservation, N_I64, F_OPT),
	INT("swap", swap, N_I64, F_OPT),
	INT("kernel", kernel, N_I64, F_OPT),
	INT("kernelTCP", kernel_tcp, N_I64, F_OPT),
	INT("swappiness", swappiness, N_U64, F_OPT),
	BOOL("disableOOMKiller", disable_oom_killer, F_OPT),
	BOOL("useHierarchy", use_hierarchy, F_OPT),
	BOOL("checkBeforeUpdate", check_before_update, F_OPT),
};
#undef S
static const struct object_type memory_type = OBJECT_TYPE(struct husk_memory, memory_fields, NULL);

#define S struct husk_cpu
static const struct field cpu_fields[] = {
	INT("shares", shares, N_U64, F_OPT),
	INT("quota", quota, N_I64, F_OPT),
	INT("burst", burst, N_U64, F_OPT),
	INT("period", period, N_U64, F_OPT),
	INT("realtimeRuntime", realtime_runtime, N_I64, F_OPT),
	INT("realtimePeriod", realtime_period, N_U64, F_OPT),
	STR("cpus", cpus, 0),
	STR("mems", mems, 0),
	INT("idle", idle, N_I64, F_OPT),
};
#undef S
static const struct object_type cpu_type = OBJECT_TYPE(struct husk_cpu, cpu_fields, NULL);

#define S struct husk_pids
static const struct field pids_fields[] = {
	INT("limit", limit, N_I64, F_REQUIRED),
};
#undef S
static const struct object_type pids_type = OBJECT_TYPE(struct husk_pids, pids_fields, NULL);

#define S struct husk_weight_device
static const struct field weight_device_fields[] = {
	INT("major", major, N_I64, F_REQUIRED),
	INT("minor", minor, N_I64, F_REQUIRED),
	INT("weight", weight, N_U16, F_OPT),
	INT("leafWeight", leaf_weight, N_U16, F_OPT),
};
#undef S
static const struct object_type weight_device_type =
	OBJECT_TYPE(struct husk_weight_device, weight_device_fields, check_weight_device);
static const struct field elem_weight_device = OBJ_ELEM(weight_device_type);

#define S struct husk_throttle_device
static const struct field throttle_device_fields[] = {
	INT("major", major, N_I64, F_REQUIRED),
	INT("minor", minor, N_I64, F_REQUIRED),
	INT("rate", rate, N_U64, F_REQUIRED),
};
#undef S
static const struct object_type throttle_device_type = OBJECT_TYPE(struct husk_throttle_device, throttle_device_fields, NULL);
static const struct field elem_throttle = OBJ_ELEM(throttle_device_type);

#define S struct husk_block_io
static const struct field block_io_fields[] = {
	INT("weight", weight, N_U16, F_OPT),
	INT("leafWeight", leaf_weight, N_U16, F_OPT),
	ARRAY("weightDevice", weight_device, elem_weight_device, struct husk_weight_device),
	ARRAY("throttleReadBpsDevice", throttle_read_bps_device, elem_throttle, struct husk_throttle_device),
	ARRAY("throttleWriteBpsDevice", throttle_write_bps_device, elem_throttle, struct husk_throttle_device),
	ARRAY("throttleReadIOPSDevice", throttle_read_iops_device, elem_throttle, struct husk_throttle_device),
	ARRAY("throttleWriteIOPSDevice", throttle_write_iops_device, elem_throttle, struct husk_throttle_device),
};
#undef S
static const struct object_type block_io_type = OBJECT_TYPE(struct husk_block_io, block_io_fields, NULL);

#define S struct husk_hugepage_limit
static const struct field hugepage_fields[] = {
	CUSTOM("pageSize", page_size, parse_page_size, F_REQUIRED),
	INT("limit", limit, N_U64, F_REQUIRED),
};
#undef S
static const struct object_type hugepage_type = OBJECT_TYPE(struct husk_hugepage_limit, hugepage_fields, NULL);
static const struct field elem_hugepage = OBJ_ELEM(hugepage_type);

#define S struct husk_net_priority
static const struct field net_priority_fields[] = {
	STR("name", name, F_REQUIRED),
	INT("priority", priority, N_U32, F_REQUIRED),
};
#undef S
static const struct object_type net_priority_type = OBJECT_TYPE(struct husk_net_priority, net_priority_fields, NULL);
static const struct field elem_net_priority = OBJ_ELEM(net_priority_type);

#define S struct husk_network
static const struct field network_fields[] = {
	INT("classID", class_id, N_U32, F_OPT),
	ARRAY("priorities", priorities, elem_net_priority, struct husk_net_priority),
};
#undef S
static const struct object_type network_type = OBJECT_TYPE(struct husk_network, network_fields, NULL);

#define S struct husk_rdma
static const struct field rdma_fields[] = {
	INT("hcaHandles", hca_handles, N_U32, F_OPT),
	INT("hcaObjects", hca_objects, N_U32, F_OPT),
};
#undef S
static const struct object_type rdma_type = OBJECT_TYPE(struct husk_rdma, rdma_fields, check_rdma);

#define S struct husk_resources
static const struct field resources_fields[] = {
	ARRAY("devices", devices, elem_device_cgroup, struct husk_device_cgroup),
	OBJ("memory", memory, memory_type),
	OBJ("cpu", cpu, cpu_type),
	OBJ("pids", pids, pids_type),
	OBJ("blockIO", block_io, block_io_type),
	ARRAY("hugepageLimits", hugepage_limits, elem_hugepage, struct husk_hugepage_limit),
	OBJ("network", network, network_type),
	KEYED("rdma", rdma, rdma_type, struct husk_rdma),
	MAP("unified", unified),
};
#undef S
const struct object_type config_resources_type = OBJECT_TYPE(struct husk_resources, resources_fields, NULL);

/* linux.seccomp */
#define S struct husk_seccomp_arg
static const struct field seccomp_arg_fields[] = {
	INT("index", index, N_U32, F_REQUIRED),
	INT("value", value, N_U64, F_REQUIRED),
	INT("valueTwo", value_two, N_U64, 0),
	ENUM("op", op, husk_seccomp_op_names, F_REQUIRED),
};
#undef S
static const struct object_type seccomp_arg_type = OBJECT_TYPE(struct husk_seccomp_arg, seccomp_arg_fields, NULL);
static const struct field elem_seccomp_arg = OBJ_ELEM(seccomp_arg_type);

#define S struct husk_syscall
static const struct field syscall_fields[] = {
	ARRAY("names", names, elem_string, char *),
	ENUM("action", action, husk_seccomp_action_names, F_REQUIRED),
	INT("errnoRet", errno_ret, N_U32, F_OPT),
	ARRAY("args", args, elem_seccomp_arg, struct husk_seccomp_arg),
};
#undef S
static const struct object_type syscall_type = OBJECT_TYPE(struct husk_syscall, syscall_fields, check_syscall);
static const struct field elem_syscall = OBJ_ELEM(syscall_type);
static const struct field elem_arch = { .kind = K_ENUM, .names = husk_seccomp_arch_names };

#define S struct husk_seccomp
static const struct field seccomp_fields[] = {
	ENUM("defaultAction", default_action, husk_seccomp_action_names, F_REQUIRED),
	INT("defaultErrnoRet", default_errno_ret, N_U32, F_OPT),
	ARRAY("architectures", architectures, elem_arch, int),
	FLAGS("flags", flags, husk_seccomp_flag_names),
	STR("listenerPath", listener_path, 0),
	STR("listenerMetadata", listener_metadata, 0),
	ARRAY("syscalls", syscalls, elem_syscall, struct husk_syscall),
};
#undef S
static const struct object_type seccomp_type = OBJECT_TYPE(struct husk_seccomp, seccomp_fields, check_seccomp);

/* the rest of linux */
#define S struct husk_namespace
static const struct field namespace_fields[] = {
	ENUM("type", type, husk_namespace_names, F_REQUIRED),
	STR("path", path, 0),
};
#undef S
static const struct object_type namespace_type = OBJECT_TYPE(struct husk_namespace, namespace_fields, NULL);
static const struct field elem_namespace = OBJ_ELEM(namespace_type);

#define S struct husk_device
static const struct field device_fields[] = {
	CUSTOM("type", type, parse_device_type, F_REQUIRED),
	STR("path", path, F_REQUIRED),
	INT("fileMode", file_mode, N_U32, F_OPT),
	INT("major", major, N_I64, F_OPT),
	INT("minor", minor, N_I64, F_OPT),
	INT("uid", uid, N_U32, F_OPT),
	INT("gid", gid, N_U32, F_OPT),
};
#undef S
static const struct object_type device_type = OBJECT_TYPE(struct husk_device, device_fields, check_device);
static const struct field elem_device = OBJ_ELEM(device_type);

#define S struct husk_time_offset
static const struct field time_offset_fields[] = {
	INT("secs", secs, N_I64, 0),
	INT("nanosecs", nanosecs, N_U32, 0),
};
#undef S
static const struct object_type time_offset_type = OBJECT_TYPE(struct husk_time_offset, time_offset_fields, NULL);

#define S struct husk_time_offsets
static const struct field time_offsets_fields[] = {
	OBJ("boottime", boottime, time_offset_type),
	OBJ("monotonic", monotonic, time_offset_type),
};
#undef S
static const struct object_type time_offsets_type = OBJECT_TYPE(struct husk_time_offsets, time_offsets_fields, NULL);

#define S struct husk_intel_rdt
static const struct field intel_rdt_fields[] = {
	STR("closID", clos_id, 0),
	ARRAY("schemata", schemata, elem_string, char *),
	STR("l3CacheSchema", l3_cache_schema, 0),
	STR("memBwSchema", mem_bw_schema, 0),
	BOOL("enableMonitoring", enable_monitoring, 0),
};
#undef S
static const struct object_type intel_rdt_type = OBJECT_TYPE(struct husk_intel_rdt, intel_rdt_fields, check_intel_rdt);

#define S struct husk_personality
static const struct field personality_fields[] = {
	ENUM("domain", domain, personality_domain_names, F_REQUIRED),
	ARRAY("flags", flags, elem_string, char *),
};
#undef S
static const struct object_type personality_type = OBJECT_TYPE(struct husk_personality, personality_fields, NULL);

#define S struct husk_net_device
static const struct field net_device_fields[] = {
	STR("name", name, 0),
};
#undef S
static const struct object_type net_device_type = OBJECT_TYPE(struct husk_net_device, net_device_fields, NULL);

#define S struct husk_memory_policy
static const struct field memory_policy_fields[] = {
	ENUM("mode", mode, husk_mempolicy_mode_names, F_REQUIRED),
	STR("nodes", nodes, 0),
	FLAGS("flags", flags, husk_mempolicy_flag_names),
};
#undef S
static const struct object_type memory_policy_type = OBJECT_TYPE(struct husk_memory_policy, memory_policy_fields, NULL);

#define S struct husk_linux
static const struct field linux_fields[] = {
	ARRAY("namespaces", namespaces, elem_namespace, struct husk_namespace),
	ARRAY("uidMappings", uid_mappings, elem_idmap, struct husk_idmap),
	ARRAY("gidMappings", gid_mappings, elem_idmap, struct husk_idmap),
	OBJ("timeOffsets", time_offsets, time_offsets_type),
	ARRAY("devices", devices, elem_device, struct husk_device),
	STR("cgroupsPath", cgroups_path, 0),
	OBJ("resources", resources, config_resources_type),
	OBJ("intelRdt", intel_rdt, intel_rdt_type),
	MAP("sysctl", sysctl),
	OBJ("seccomp", seccomp, seccomp_type),
	ENUM("rootfsPropagation", rootfs_propagation, husk_propagation_names, 0),
	ARRAY("maskedPaths", masked_paths, elem_string, char *),
	ARRAY("readonlyPaths", readonly_paths, elem_string, char *),
	STR("mountLabel", mount_label, 0),
	OBJ("personality", personality, personality_type),
	KEYED("netDevices", net_devices, net_device_type, struct husk_net_device),
	OBJ("memoryPolicy", memory_policy, memory_policy_type),
};
#undef S
static const struct object_type linux_type = OBJECT_TYPE(struct husk_linux, linux_fields, check_linux);

#define S struct husk_config
static const struct field config_fields[] = {
	CUSTOM("ociVersion", oci_version, parse_oci_version, F_REQUIRED),
	OBJ("root", root, root_type),
	OBJ("process", process, config_process_type),
	STR("hostname", hostname, 0),
	STR("domainname", domainname, 0),
	ARRAY("mounts", mounts, elem_mount, struct husk_mount),
	OBJ("hooks", hooks, hooks_type),
	MAP("annotations", annotations),
	OBJ("linux", linux_cfg, linux_type),
};
#undef S
const struct object_type config_root_type = OBJECT_TYPE(struct husk_config, config_fields, check_config);
