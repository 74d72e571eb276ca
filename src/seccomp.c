/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/seccomp.h"
#include "seccomp_internal.h"

/* seccomp(2) flags newer than some kernel headers. */
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif

/* The kernel keeps 16 bits of an action's data (and caps errnos at 4095). */
#define ACTION_DATA_MAX 0xffffu

/* seccomp(2) flags by name, for messages. */
static const struct {
	unsigned int flag;
	const char *name;
} kernel_flag_names[] = {
	{ SECCOMP_FILTER_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC" },
	{ SECCOMP_FILTER_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG" },
	{ SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
	{ SECCOMP_FILTER_FLAG_NEW_LISTENER, "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
	{ SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" },
	{ SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
};

/* ---- the kernel ------------------------------------------------------- */

static long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

/*
 * Whether seccomp(2) knows these filter flags.  With a NULL program the
 * kernel checks the flags first (EINVAL) and then fails to read the program
 * (EFAULT), so nothing is installed.  WAIT_KILLABLE_RECV is only valid with
 * NEW_LISTENER, so it is probed together with it.
 */
static bool kernel_accepts_flags(unsigned int flags)
{
	if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT;
}

/* Whether the kernel implements a SECCOMP_RET_* action (Linux >= 4.14). */
static bool kernel_has_action(uint32_t action)
{
	if (sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
		return true;
	/* Before 4.14 the query itself is unknown; the basic actions exist. */
	return errno == EINVAL && (action == SECCOMP_RET_KILL_THREAD || action == SECCOMP_RET_TRAP ||
				   action == SECCOMP_RET_ERRNO || action == SECCOMP_RET_TRACE ||
				   action == SECCOMP_RET_ALLOW);
}

/* ---- config -> libseccomp --------------------------------------------- */

static bool action_takes_errno(int action)
{
	return action == HUSK_SCMP_ACT_ERRNO || action == HUSK_SCMP_ACT_TRACE;
}

/*
 * libseccomp's action for a config action.  As runc does: SCMP_ACT_KILL is
 * KILL_THREAD, and ERRNO and TRACE carry errnoRet or else EPERM, of which
 * the kernel keeps the low 16 bits.
 */
static int scmp_action(int action, const husk_opt_u32 *errno_ret, uint32_t *out)
{
	uint32_t data = errno_ret->set ? errno_ret->v & ACTION_DATA_MAX : EPERM;
	if (errno_ret->set && !action_takes_errno(action))
		return -1;
	switch (action) {
	case HUSK_SCMP_ACT_KILL:
	case HUSK_SCMP_ACT_KILL_THREAD:
		*out = SCMP_ACT_KILL_THREAD;
		return 0;
	case HUSK_SCMP_ACT_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case HUSK_SCMP_ACT_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case HUSK_SCMP_ACT_ERRNO:
		*out = SCMP_ACT_ERRNO(data);
		return 0;
	case HUSK_SCMP_ACT_TRACE:
		*out = SCMP_ACT_TRACE(data);
		return 0;
	case HUSK_SCMP_ACT_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case HUSK_SCMP_ACT_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case HUSK_SCMP_ACT_NOTIFY:
		*out = SCMP_ACT_NOTIFY;
		return 0;
	}
	return -1;
}

/*
 * The action of a rule (or the default one), or an error; field is the
 * JSON path of the rule and errno_key the name of its errno field.
 */
static int rule_action(const char *field, const char *errno_key, int action,
		       const husk_opt_u32 *errno_ret, const struct husk_log *log,
		       uint32_t *out, husk_err *err)
{
	const char *name = husk_name_of(husk_seccomp_action_names, action);
	if (!name)
		return husk_error(err, EINVAL, "%s: unknown seccomp action %d", field, action);
	if (scmp_action(action, errno_ret, out) < 0)
		return husk_error(err, EINVAL, "%s.%s: is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				  field, errno_key, name);
	if (errno_ret->set && errno_ret->v > ACTION_DATA_MAX)
		husk_warn(log, "%s.%s: %u does not fit the kernel's 16 bits, %u is used",
			  field, errno_key, errno_ret->v, errno_ret->v & ACTION_DATA_MAX);
	return 0;
}

static int scmp_op(int op, enum scmp_compare *out)
{
	switch (op) {
	case HUSK_SCMP_CMP_NE:
		*out = SCMP_CMP_NE;
		return 0;
	case HUSK_SCMP_CMP_LT:
		*out = SCMP_CMP_LT;
		return 0;
	case HUSK_SCMP_CMP_LE:
		*out = SCMP_CMP_LE;
		return 0;
	case HUSK_SCMP_CMP_EQ:
		*out = SCMP_CMP_EQ;
		return 0;
	case HUSK_SCMP_CMP_GE:
		*out = SCMP_CMP_GE;
		return 0;
	case HUSK_SCMP_CMP_GT:
		*out = SCMP_CMP_GT;
		return 0;
	case HUSK_SCMP_CMP_MASKED_EQ:
		*out = SCMP_CMP_MASKED_EQ;
		return 0;
	}
	return -1;
}

/*
 * libseccomp's architecture token for an index into husk_seccomp_arch_names,
 * or 0 when the libseccomp in use does not know it.  "SCMP_ARCH_X86_64"
 * becomes libseccomp's own name "x86_64".
 */
static uint32_t scmp_arch(int arch)
{
	const char *name = husk_name_of(husk_seccomp_arch_names, arch);
	const char *prefix = "SCMP_ARCH_";
	char lower[32];
	if (!name || !husk_str_has_prefix(name, prefix) ||
	    strlen(name) - strlen(prefix) >= sizeof(lower))
		return 0;
	size_t n = 0;
	for (const char *c = name + strlen(prefix); *c; c++)
		lower[n++] = (char)tolower((unsigned char)*c);
	lower[n] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static int add_archs(scmp_filter_ctx ctx, const struct husk_seccomp *cfg, husk_err *err)
{
	for (size_t i = 0; i < cfg->architectures.n; i++) {
		int arch = cfg->architectures.v[i];
		const char *name = husk_name_of(husk_seccomp_arch_names, arch);
		uint32_t token = scmp_arch(arch);
		if (!token) {
			const struct scmp_version *v = seccomp_version();
			return husk_error(err, EOPNOTSUPP,
					  "linux.seccomp.architectures[%zu]: %s is not supported by libseccomp %u.%u.%u",
					  i, name ? name : "(unknown)", v->major, v->minor, v->micro);
		}
		/* The native architecture is always there already. */
		int rc = seccomp_arch_add(ctx, token);
		if (rc < 0 && rc != -EEXIST)
			return husk_error(err, -rc, "linux.seccomp.architectures[%zu]: add %s", i, name);
	}
	return 0;
}

/* The filter's architectures: the native one and those cfg adds. */
static size_t filter_archs(const struct husk_seccomp *cfg, uint32_t *out, size_t max)
{
	size_t n = 0;
	out[n++] = seccomp_arch_native();
	for (size_t i = 0; i < cfg->architectures.n && n < max; i++) {
		uint32_t token = scmp_arch(cfg->architectures.v[i]);
		if (token && token != out[0])
			out[n++] = token;
	}
	return n;
}

/*
 * libseccomp refuses two comparisons of one argument in a rule.  runc then
 * adds every comparison of the syscall as a rule of its own, which matches
 * when any one of them holds; husk does the same.
 */
static bool args_repeat_an_index(const struct husk_syscall *sc)
{
	unsigned int seen = 0;
	for (size_t i = 0; i < sc->args.n; i++) {
		unsigned int bit = 1u << (sc->args.v[i].index & 31);
		if (seen & bit)
			return true;
		seen |= bit;
	}
	return false;
}

/* MASKED_EQ: value is the mask and valueTwo the datum, as in runc. */
static int make_cond(const struct husk_seccomp_arg *arg, struct scmp_arg_cmp *out)
{
	enum scmp_compare op;
	if (arg->index > 5 || scmp_op(arg->op, &op) < 0)
		return -1;
	*out = (struct scmp_arg_cmp){
		.arg = arg->index,
		.op = op,
		.datum_a = arg->value,
		.datum_b = arg->value_two,
	};
	return 0;
}

/* Where a rule is, for messages: its index in syscalls and the name. */
struct rule_at {
	size_t idx;
	const char *name;
};

static int cond_error(const struct rule_at *at, size_t arg, husk_err *err)
{
	return husk_error(err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu]: invalid comparison", at->idx, arg);
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int n,
		    const struct scmp_arg_cmp *conds, const struct rule_at *at, husk_err *err)
{
	int rc = seccomp_rule_add_array(ctx, action, nr, n, conds);
	if (rc < 0)
		return husk_error(err, -rc, "linux.seccomp.syscalls[%zu]: add rule for \"%s\"", at->idx, at->name);
	return 0;
}

/* One rule per comparison: the action applies when any one holds. */
static int add_rule_per_cond(scmp_filter_ctx ctx, const struct husk_syscall *sc, uint32_t action,
			     int nr, const struct rule_at *at, husk_err *err)
{
	for (size_t a = 0; a < sc->args.n; a++) {
		struct scmp_arg_cmp cond;
		if (make_cond(&sc->args.v[a], &cond) < 0)
			return cond_error(at, a, err);
		if (add_rule(ctx, action, nr, 1, &cond, at, err) < 0)
			return -1;
	}
	return 0;
}

/* One rule with every comparison: the action applies when all hold. */
static int add_rule_all_conds(scmp_filter_ctx ctx, const struct husk_syscall *sc, uint32_t action,
			      int nr, const struct rule_at *at, husk_err *err)
{
	struct scmp_arg_cmp conds[6];
	/* Indexes are distinct and at most 5, so there are at most 6. */
	for (size_t a = 0; a < sc->args.n; a++)
		if (a >= ARRAY_SIZE(conds) || make_cond(&sc->args.v[a], &conds[a]) < 0)
			return cond_error(at, a, err);
	return add_rule(ctx, action, nr, (unsigned int)sc->args.n, conds, at, err);
}

static int add_syscall(scmp_filter_ctx ctx, const struct husk_syscall *sc, size_t idx,
		       uint32_t default_action, const struct husk_log *log, husk_err *err)
{
	uint32_t action;
	char field[64];
	snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu]", idx);
	if (rule_action(field, "errnoRet", sc->action, &sc->errno_ret, log, &action, err) < 0)
		return -1;
	/* libseccomp refuses a rule that repeats the default (EACCES); runc
	 * drops such rules without a word, and so does husk. */
	if (action == default_action)
		return 0;
	for (size_t n = 0; n < sc->names.n; n++) {
		const char *name = sc->names.v[n];
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			husk_debug(log, "seccomp: syscall \"%s\" unknown to libseccomp, skipped", name);
			continue;
		}
		const struct rule_at at = { idx, name };
		int rc = args_repeat_an_index(sc) ? add_rule_per_cond(ctx, sc, action, nr, &at, err)
						  : add_rule_all_conds(ctx, sc, action, nr, &at, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int set_attrs(scmp_filter_ctx ctx, husk_err *err)
{
	/* The caller sets no_new_privs itself, and husk loads the program
	 * with seccomp(2), not through libseccomp.  TSYNC is off by default;
	 * libseccomp refuses to touch it where seccomp(2) is missing. */
	uint32_t tsync = 0;
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc == 0 && seccomp_attr_get(ctx, SCMP_FLTATR_CTL_TSYNC, &tsync) == 0 && tsync)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0);
	if (rc < 0)
		return husk_error(err, -rc, "linux.seccomp: set filter attributes");
	return 0;
}

static bool uses_notify(const struct husk_seccomp *cfg)
{
	for (size_t i = 0; i < cfg->syscalls.n; i++)
		if (cfg->syscalls.v[i].action == HUSK_SCMP_ACT_NOTIFY)
			return true;
	return false;
}

/*
 * seccomp(2) flags for the config.  A listener is asked for when a rule
 * notifies; TSYNC with a listener needs TSYNC_ESRCH (the kernel refuses
 * the pair otherwise), and WAIT_KILLABLE_RECV means nothing without one.
 */
static unsigned int kernel_flags(const struct husk_seccomp *cfg, bool notify, const struct husk_log *log)
{
	unsigned int flags = 0;
	if (cfg->flags & HUSK_SECCOMP_FLAG_TSYNC)
		flags |= SECCOMP_FILTER_FLAG_TSYNC;
	if (cfg->flags & HUSK_SECCOMP_FLAG_LOG)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (cfg->flags & HUSK_SECCOMP_FLAG_SPEC_ALLOW)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (cfg->flags & HUSK_SECCOMP_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
		if (cfg->flags & HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
			flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	} else if (cfg->flags & HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV) {
		husk_debug(log, "seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: no rule uses SCMP_ACT_NOTIFY");
	}
	return flags;
}

/* libseccomp 2.5 exports only to a file descriptor; read it back. */
static int export_bpf(scmp_filter_ctx ctx, struct husk_seccomp_program *out, husk_err *err)
{
	cleanup_close int fd = memfd_create("husk-seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "linux.seccomp: memfd_create");
	int rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return husk_error(err, -rc, "linux.seccomp: export the BPF program");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_error(err, errno, "linux.seccomp: fstat the BPF program");
	size_t size = (size_t)st.st_size;
	size_t len = size / sizeof(struct sock_filter);
	if (len > HUSK_SECCOMP_MAX_INSNS)
		return husk_error(err, E2BIG, "linux.seccomp: the filter has %zu instructions, the kernel takes at most %d",
				  len, HUSK_SECCOMP_MAX_INSNS);
	if (size == 0 || size % sizeof(struct sock_filter))
		return husk_error(err, EINVAL, "linux.seccomp: the exported BPF program has %zu bytes", size);
	cleanup_free struct sock_filter *filter = malloc(size);
	if (!filter)
		return husk_error(err, ENOMEM, "linux.seccomp: allocate %zu bytes", size);
	ssize_t r;
	do
		r = pread(fd, filter, size, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error(err, errno, "linux.seccomp: read the BPF program");
	if ((size_t)r != size)
		return husk_error(err, EIO, "linux.seccomp: short read of the BPF program");
	out->filter = steal_pointer(&filter);
	out->len = (unsigned short)len;
	return 0;
}

static void release_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

#define cleanup_scmp __attribute__((cleanup(release_ctx)))

int husk_seccomp_compile(const struct husk_seccomp *cfg, const struct husk_log *log,
			 struct husk_seccomp_program *out, husk_err *err)
{
	*out = (struct husk_seccomp_program){ 0 };
	uint32_t default_action;
	if (rule_action("linux.seccomp", "defaultErrnoRet", cfg->default_action,
			&cfg->default_errno_ret, log, &default_action, err) < 0)
		return -1;
	if (default_action == SCMP_ACT_NOTIFY)
		return husk_error(err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	cleanup_scmp scmp_filter_ctx ctx = seccomp_init(default_action);
	if (!ctx)
		return husk_error(err, EINVAL, "linux.seccomp.defaultAction: libseccomp refused %s",
				  husk_name_of(husk_seccomp_action_names, cfg->default_action));
	if (set_attrs(ctx, err) < 0 || add_archs(ctx, cfg, err) < 0)
		return -1;
	for (size_t i = 0; i < cfg->syscalls.n; i++)
		if (add_syscall(ctx, &cfg->syscalls.v[i], i, default_action, log, err) < 0)
			return -1;
	cleanup_seccomp_program struct husk_seccomp_program prog = { .notify = uses_notify(cfg) };
	prog.flags = kernel_flags(cfg, prog.notify, log);
	if (export_bpf(ctx, &prog, err) < 0)
		return -1;
	if (husk_seccomp_enosys_wanted(default_action)) {
		uint32_t archs[HUSK_SECCOMP_ARCHS_MAX];
		size_t n = filter_archs(cfg, archs, sizeof(archs) / sizeof(archs[0]));
		if (husk_seccomp_prepend_enosys(cfg, archs, n, &prog, err) < 0)
			return -1;
	}
	husk_debug(log, "seccomp: %u BPF instructions, flags %#x", prog.len, prog.flags);
	*out = prog;
	prog = (struct husk_seccomp_program){ 0 };
	return 0;
}

/* ---- loading ---------------------------------------------------------- */

/* Names of the flags in flags that this kernel does not accept. */
static void unsupported_flag_names(unsigned int flags, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(kernel_flag_names); i++) {
		if (!(flags & kernel_flag_names[i].flag) || kernel_accepts_flags(kernel_flag_names[i].flag))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", kernel_flag_names[i].name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

/*
 * Without flags prctl() does the same as seccomp(2) and works where the
 * latter is missing (before Linux 3.17, or when something in between does
 * not know it), as runc does.
 */
static long install_filter(const struct husk_seccomp_program *prog)
{
	struct sock_fprog fprog = { .len = prog->len, .filter = prog->filter };
	if (prog->flags == 0)
		return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, prog->flags, &fprog);
}

int husk_seccomp_load(const struct husk_seccomp_program *prog, husk_err *err)
{
	long rc = install_filter(prog);
	if (rc < 0) {
		int e = errno;
		char missing[256];
		if (e == EINVAL) {
			unsupported_flag_names(prog->flags, missing, sizeof(missing));
			if (missing[0])
				return husk_error(err, e, "load seccomp filter: the kernel does not support %s", missing);
		}
		if (e == EACCES)
			return husk_error(err, e, "load seccomp filter: needs no_new_privs or CAP_SYS_ADMIN");
		return husk_error(err, e, "load seccomp filter");
	}
	if (prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		return (int)rc;
	if (rc != 0)    /* TSYNC: the thread that could not be synchronised */
		return husk_error(err, EBUSY, "load seccomp filter: thread %ld could not be synchronised", rc);
	return 0;
}

void husk_seccomp_program_free(struct husk_seccomp_program *prog)
{
	free(prog->filter);
	*prog = (struct husk_seccomp_program){ 0 };
}

/* ---- features --------------------------------------------------------- */

bool husk_seccomp_action_supported(int action)
{
	static const husk_opt_u32 no_errno = { 0 };
	uint32_t scmp;
	if (scmp_action(action, &no_errno, &scmp) < 0)
		return false;
	/* libseccomp's action values are the kernel's SECCOMP_RET_* ones. */
	return kernel_has_action(scmp & SECCOMP_RET_ACTION_FULL);
}

bool husk_seccomp_op_supported(int op)
{
	enum scmp_compare scmp;
	return scmp_op(op, &scmp) == 0;
}

bool husk_seccomp_arch_supported(int arch)
{
	return scmp_arch(arch) != 0;
}

bool husk_seccomp_flag_supported(int flag)
{
	switch (flag) {
	case HUSK_SECCOMP_FLAG_TSYNC:
		return kernel_accepts_flags(SECCOMP_FILTER_FLAG_TSYNC);
	case HUSK_SECCOMP_FLAG_LOG:
		return kernel_accepts_flags(SECCOMP_FILTER_FLAG_LOG);
	case HUSK_SECCOMP_FLAG_SPEC_ALLOW:
		return kernel_accepts_flags(SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	case HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV:
		return kernel_accepts_flags(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	}
	return false;
}
