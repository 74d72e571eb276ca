/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device rules on cgroup v2, which has no devices controller: the rules
 * become a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "husk/util.h"

#define FIELD "linux.resources.devices"

/* ---- rules ---------------------------------------------------------------- */

/* One rule in the terms of struct bpf_cgroup_dev_ctx. */
struct dev_rule {
	bool allow;
	bool any;               /* type 'a': every device and access */
	uint32_t type;          /* BPF_DEVCG_DEV_* */
	bool has_major, has_minor;
	uint32_t major, minor;
	uint32_t access;        /* BPF_DEVCG_ACC_* */
};

/* Absent or negative is the wildcard, as on v1; the kernel's numbers are u32. */
static int dev_number(const husk_opt_i64 *v, const char *what, size_t i, bool *has, uint32_t *out, husk_err *err)
{
	*has = v->set && v->v >= 0;
	if (*has && v->v > UINT32_MAX)
		return husk_error(err, EINVAL, FIELD "[%zu].%s: %" PRId64 " is not a device number", i, what, v->v);
	*out = *has ? (uint32_t)v->v : 0;
	return 0;
}

static int dev_access(const char *s, size_t i, uint32_t *out, husk_err *err)
{
	*out = 0;
	if (!s || !*s)
		s = "rwm";
	for (; *s; s++) {
		switch (*s) {
		case 'r': *out |= BPF_DEVCG_ACC_READ; break;
		case 'w': *out |= BPF_DEVCG_ACC_WRITE; break;
		case 'm': *out |= BPF_DEVCG_ACC_MKNOD; break;
		default:
			return husk_error(err, EINVAL, FIELD "[%zu].access: '%c' is not one of \"rwm\"", i, *s);
		}
	}
	return 0;
}

static int to_dev_rule(const struct husk_device_cgroup *d, size_t i, struct dev_rule *r, husk_err *err)
{
	*r = (struct dev_rule){ .allow = d->allow };
	switch (d->type) {
	case 'a': case '\0': r->any = true; break;
	case 'b': r->type = BPF_DEVCG_DEV_BLOCK; break;
	case 'c': r->type = BPF_DEVCG_DEV_CHAR; break;
	default:
		return husk_error(err, EINVAL, FIELD "[%zu].type: '%c' is not one of \"abc\"", i, d->type);
	}
	if (dev_number(&d->major, "major", i, &r->has_major, &r->major, err) < 0 ||
	    dev_number(&d->minor, "minor", i, &r->has_minor, &r->minor, err) < 0)
		return -1;
	return dev_access(d->access, i, &r->access, err);
}

/* ---- generating ------------------------------------------------------------ */

enum {
	REG_RET = BPF_REG_0,       /* the verdict; before that, scratch */
	REG_CTX = BPF_REG_1,       /* struct bpf_cgroup_dev_ctx * */
	REG_UNDECIDED = BPF_REG_2, /* the requested accesses no rule has allowed yet */
	REG_TYPE = BPF_REG_3,
	REG_MAJOR = BPF_REG_4,
	REG_MINOR = BPF_REG_5,
};

/*
 * A jump whose target is not placed yet carries one of these as its offset
 * until it is.  Every jump of the program goes forward, so a negative
 * offset is never a real one.
 */
enum {
	TO_NEXT_RULE = -1,
	TO_ALLOW = -2,
	TO_DENY = -3,
};

#define HEADER_INSNS   6
#define RULE_INSNS_MAX 7 /* type test, major and minor tests (2 each at most), verdict (2) */
#define TAIL_INSNS     4 /* two verdicts of two */

struct program {
	struct bpf_insn *insn;
	size_t len;
};

static void emit(struct program *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	p->insn[p->len++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

/* Point the pending jumps of p->insn[from..] marked `mark` at target. */
static void resolve(struct program *p, size_t from, int16_t mark, size_t target)
{
	for (size_t i = from; i < p->len; i++)
		if (BPF_CLASS(p->insn[i].code) == BPF_JMP && p->insn[i].off == mark)
			p->insn[i].off = (int16_t)(target - i - 1);
}

static bool pending(const struct program *p, int16_t mark)
{
	for (size_t i = 0; i < p->len; i++)
		if (BPF_CLASS(p->insn[i].code) == BPF_JMP && p->insn[i].off == mark)
			return true;
	return false;
}

/* The request's device type, accesses, major and minor into registers. */
static void emit_header(struct program *p)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, REG_UNDECIDED, REG_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(p, BPF_ALU | BPF_MOV | BPF_X, REG_TYPE, REG_UNDECIDED, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, REG_UNDECIDED, 0, 0, 16);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, REG_MAJOR, REG_CTX, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, REG_MINOR, REG_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
}

/* Go on to the next rule unless reg, a zero-extended u32, equals value. */
static void emit_skip_unless(struct program *p, uint8_t reg, uint32_t value)
{
	if (value <= INT32_MAX) {
		emit(p, BPF_JMP | BPF_JNE | BPF_K, reg, 0, TO_NEXT_RULE, (int32_t)value);
		return;
	}
	/* A 64-bit compare sign-extends its immediate; a 32-bit move does not. */
	emit(p, BPF_ALU | BPF_MOV | BPF_K, REG_RET, 0, 0, (int32_t)value);
	emit(p, BPF_JMP | BPF_JNE | BPF_X, reg, REG_RET, TO_NEXT_RULE, 0);
}

/*
 * Rules run last to first, so the first to name an access decides it: a
 * deny naming one still undecided denies the request, an allow marks the
 * ones it names decided and passes the request once none is left.
 */
static void emit_rule(struct program *p, const struct dev_rule *r)
{
	size_t start = p->len;
	emit_skip_unless(p, REG_TYPE, r->type);
	if (r->has_major)
		emit_skip_unless(p, REG_MAJOR, r->major);
	if (r->has_minor)
		emit_skip_unless(p, REG_MINOR, r->minor);
	if (r->allow) {
		emit(p, BPF_ALU | BPF_AND | BPF_K, REG_UNDECIDED, 0, 0, (int32_t)~r->access);
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, REG_UNDECIDED, 0, TO_ALLOW, 0);
	} else {
		emit(p, BPF_JMP | BPF_JSET | BPF_K, REG_UNDECIDED, 0, TO_DENY, (int32_t)r->access);
	}
	resolve(p, start, TO_NEXT_RULE, p->len);
}

static void emit_verdict(struct program *p, bool allow)
{
	resolve(p, 0, allow ? TO_ALLOW : TO_DENY, p->len);
	emit(p, BPF_ALU | BPF_MOV | BPF_K, REG_RET, 0, 0, allow);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/*
 * The rules before the last 'a' one cannot decide anything, and the
 * verifier refuses unreachable code: the verdict no rule reached falls
 * through to comes first, the other one only when a rule jumps to it.
 */
static void emit_rules(struct program *p, const struct dev_rule *rules, size_t n)
{
	bool fallthrough = false;
	emit_header(p);
	for (size_t i = n; i-- > 0;) {
		if (rules[i].any) {
			fallthrough = rules[i].allow;
			break;
		}
		emit_rule(p, &rules[i]);
	}
	emit_verdict(p, fallthrough);
	if (pending(p, fallthrough ? TO_DENY : TO_ALLOW))
		emit_verdict(p, !fallthrough);
}

int husk_cgroup_devices_program(const struct husk_device_cgroup *rules, size_t n, struct bpf_insn **insns,
				size_t *len, husk_err *err)
{
	*insns = NULL;
	*len = 0;
	/* Jump offsets are 16 bits wide. */
	if (n > (INT16_MAX - HEADER_INSNS - TAIL_INSNS) / RULE_INSNS_MAX)
		return husk_error(err, E2BIG, FIELD ": %zu rules are too many", n);
	cleanup_free struct dev_rule *parsed = calloc(n ? n : 1, sizeof(*parsed));
	cleanup_free struct bpf_insn *insn = calloc(HEADER_INSNS + n * RULE_INSNS_MAX + TAIL_INSNS, sizeof(*insn));
	if (!parsed || !insn)
		return husk_error(err, ENOMEM, FIELD);
	for (size_t i = 0; i < n; i++)
		if (to_dev_rule(&rules[i], i, &parsed[i], err) < 0)
			return -1;
	struct program p = { .insn = insn };
	emit_rules(&p, parsed, n);
	*insns = steal_pointer(&insn);
	*len = p.len;
	return 0;
}

/* ---- loading and attaching ---------------------------------------------- */

/* The kernel's limit of programs per cgroup and attach type. */
#define ATTACHED_MAX 64
#define VERIFIER_LOG_SIZE (64 * 1024)
#define VERIFIER_TAIL_LINES 3
#define VERIFIER_TAIL_MAX 512
#define LOAD_TRIES 5

static int bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int prog_load(const struct bpf_insn *insns, size_t len, char *log, size_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = ptr(insns);
	attr.insn_cnt = (uint32_t)len;
	/* Required, but only GPL-only helpers care what it says; none is called. */
	attr.license = ptr("Apache-2.0");
	snprintf(attr.prog_name, sizeof(attr.prog_name), "husk_devices");
	if (log) {
		attr.log_level = 1;
		attr.log_buf = ptr(log);
		attr.log_size = (uint32_t)log_size;
	}
	int fd, tries = 0;
	/* The verifier gives up with EAGAIN when a signal arrives. */
	do
		fd = bpf(BPF_PROG_LOAD, &attr);
	while (fd < 0 && errno == EAGAIN && ++tries < LOAD_TRIES);
	return fd;
}

/* The verifier's last lines, where it says what it refused, joined by "; ". */
static void log_tail(const char *log, char *out, size_t size)
{
	size_t len = strlen(log);
	while (len && (log[len - 1] == '\n' || log[len - 1] == ' '))
		len--;
	const char *start = log + len;
	for (int lines = 0; start > log; start--)
		if (start[-1] == '\n' && ++lines == VERIFIER_TAIL_LINES)
			break;
	size_t o = 0;
	for (const char *c = start; c < log + len && o + 3 < size; c++) {
		if (*c == '\n') {
			out[o++] = ';';
			out[o++] = ' ';
		} else {
			out[o++] = *c;
		}
	}
	out[o] = '\0';
}

static int load_program(const struct bpf_insn *insns, size_t len, husk_err *err)
{
	int fd = prog_load(insns, len, NULL, 0);
	if (fd >= 0)
		return fd;
	int saved = errno;
	/* Loaded again only to learn why: a log costs verifier time. */
	cleanup_free char *log = calloc(1, VERIFIER_LOG_SIZE);
	if (!log)
		return husk_error(err, saved, FIELD ": load the device filter program (%zu instructions)", len);
	fd = prog_load(insns, len, log, VERIFIER_LOG_SIZE);
	if (fd >= 0)
		return fd;
	char tail[VERIFIER_TAIL_MAX];
	log_tail(log, tail, sizeof(tail));
	return husk_error(err, saved, FIELD ": load the device filter program (%zu instructions)%s%s", len,
			  *tail ? ": verifier: " : "", tail);
}

static int query_attached(int dirfd, const char *dir, uint32_t *ids, uint32_t *count, husk_err *err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = ptr(ids);
	attr.query.prog_cnt = ATTACHED_MAX;
	if (bpf(BPF_PROG_QUERY, &attr) < 0)
		return husk_error(err, errno, FIELD ": list the device programs attached to %s", dir);
	*count = attr.query.prog_cnt < ATTACHED_MAX ? attr.query.prog_cnt : ATTACHED_MAX;
	return 0;
}

static int attach(int dirfd, const char *dir, int prog, husk_err *err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dirfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return husk_error(err, errno, FIELD ": attach the device filter program to %s", dir);
	return 0;
}

/* A program already gone (detached by someone else) is fine. */
static int detach(int dirfd, const char *dir, uint32_t id, husk_err *err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	cleanup_close int prog = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (prog < 0)
		return errno == ENOENT ? 0 : husk_error(err, errno, FIELD ": open device program %" PRIu32 " of %s", id, dir);
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dirfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
		return husk_error(err, errno, FIELD ": detach the old device program %" PRIu32 " from %s", id, dir);
	return 0;
}

/*
 * While old and new are both attached the kernel requires every program
 * to allow an access: the container briefly gets the stricter of the two
 * rule sets, never neither.
 */
int husk_cgroup_v2_set_device_program(const struct husk_device_cgroup *rules, size_t n, const char *dir,
				      husk_err *err)
{
	cleanup_free struct bpf_insn *insns = NULL;
	size_t len;
	if (husk_cgroup_devices_program(rules, n, &insns, &len, err) < 0)
		return -1;
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return husk_error(err, errno, FIELD ": open cgroup %s", dir);
	uint32_t old[ATTACHED_MAX], n_old = 0;
	if (query_attached(dirfd, dir, old, &n_old, err) < 0)
		return -1;
	cleanup_close int prog = load_program(insns, len, err);
	if (prog < 0 || attach(dirfd, dir, prog, err) < 0)
		return -1;
	for (uint32_t i = 0; i < n_old; i++)
		if (detach(dirfd, dir, old[i], err) < 0)
			return -1;
	return 0;
}

int husk_cgroup_v2_apply_devices(const struct husk_resources *r, const char *dir, husk_err *err)
{
	size_t n = r->devices.n + husk_cgroup_default_devices_n;
	cleanup_free struct husk_device_cgroup *all = calloc(n, sizeof(*all));
	if (!all)
		return husk_error(err, ENOMEM, FIELD);
	memcpy(all, r->devices.v, r->devices.n * sizeof(*all));
	memcpy(all + r->devices.n, husk_cgroup_default_devices, husk_cgroup_default_devices_n * sizeof(*all));
	return husk_cgroup_v2_set_device_program(all, n, dir, err);
}
