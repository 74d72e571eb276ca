/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/cgroup_internal.h"
#include "husk/util.h"
#include "unit.h"

/*
 * The device filter program is run here by a small interpreter of the
 * instructions the generator emits (anything else fails the test), and
 * its verdicts are compared with tables and with a plain C model of the
 * rules.  One test loads it into the kernel and opens devices.
 */

/* ---- rules ------------------------------------------------------------------ */

#define ABSENT INT64_MIN

#define RULE(allow, type, major, minor, access) \
	{ allow, type, { major, (major) != ABSENT }, { minor, (minor) != ABSENT }, access }
#define ALLOW(type, major, minor, access) RULE(true, type, major, minor, access)
#define DENY(type, major, minor, access)  RULE(false, type, major, minor, access)
#define DENY_ALL  DENY('a', ABSENT, ABSENT, "rwm")
#define ALLOW_ALL ALLOW('a', ABSENT, ABSENT, "rwm")

struct request {
	char type;
	uint32_t major, minor;
	const char *access;
	bool allowed;
};

static uint32_t access_bits(const char *access)
{
	uint32_t bits = 0;
	for (const char *c = access; *c; c++)
		bits |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	return bits;
}

static struct bpf_cgroup_dev_ctx to_ctx(const struct request *q)
{
	uint32_t type = q->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
	return (struct bpf_cgroup_dev_ctx){ access_bits(q->access) << 16 | type, q->major, q->minor };
}

/* ---- interpreter ------------------------------------------------------------- */

/* ck_assert records every passing check; these run too often for that. */
#define REQUIRE(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

/* Forward jumps in range, every instruction reachable (the verifier
 * refuses dead code), the last one an exit. */
static void check_shape(const struct bpf_insn *prog, size_t len)
{
	bool *reach = calloc(len, sizeof(*reach));
	REQUIRE(reach && len > 0, "empty program");
	reach[0] = true;
	for (size_t i = 0; i < len; i++) {
		if (!reach[i])
			continue;
		uint8_t code = prog[i].code;
		bool jump = BPF_CLASS(code) == BPF_JMP && code != (BPF_JMP | BPF_EXIT);
		if (jump) {
			REQUIRE(prog[i].off >= 0, "instruction %zu jumps backwards", i);
			REQUIRE(i + 1 + (size_t)prog[i].off < len, "instruction %zu jumps out", i);
			reach[i + 1 + prog[i].off] = true;
		}
		if (code != (BPF_JMP | BPF_EXIT) && code != (BPF_JMP | BPF_JA)) {
			REQUIRE(i + 1 < len, "instruction %zu falls off the end", i);
			reach[i + 1] = true;
		}
	}
	for (size_t i = 0; i < len; i++)
		REQUIRE(reach[i], "instruction %zu is unreachable", i);
	free(reach);
}

static uint32_t ctx_field(const struct bpf_cgroup_dev_ctx *ctx, int16_t off)
{
	switch (off) {
	case offsetof(struct bpf_cgroup_dev_ctx, access_type): return ctx->access_type;
	case offsetof(struct bpf_cgroup_dev_ctx, major): return ctx->major;
	case offsetof(struct bpf_cgroup_dev_ctx, minor): return ctx->minor;
	}
	ck_abort_msg("load from context offset %d", off);
	return 0;
}

/* eBPF semantics: 32-bit ALU results are zero-extended, 64-bit jumps
 * compare with the immediate sign-extended. */
static uint64_t run(const struct bpf_insn *prog, size_t len, const struct bpf_cgroup_dev_ctx *ctx)
{
	uint64_t r[MAX_BPF_REG] = { 0 };
	bool init[MAX_BPF_REG] = { [BPF_REG_1] = true };
	for (size_t pc = 0; pc < len; pc++) {
		const struct bpf_insn *in = &prog[pc];
		uint64_t k = (uint64_t)(int64_t)in->imm;
		bool jump = false;
		bool writes_only = BPF_CLASS(in->code) == BPF_LDX || BPF_OP(in->code) == BPF_MOV;
		if (!writes_only && in->code != (BPF_JMP | BPF_JA) && in->code != (BPF_JMP | BPF_EXIT))
			REQUIRE(init[in->dst_reg], "instruction %zu reads r%d unset", pc, in->dst_reg);
		if (BPF_SRC(in->code) == BPF_X && in->code != (BPF_JMP | BPF_EXIT))
			REQUIRE(init[in->src_reg], "instruction %zu reads r%d unset", pc, in->src_reg);
		switch (in->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			REQUIRE(in->src_reg == BPF_REG_1, "instruction %zu loads from r%d", pc, in->src_reg);
			r[in->dst_reg] = ctx_field(ctx, in->off);
			break;
		case BPF_ALU | BPF_MOV | BPF_X: r[in->dst_reg] = (uint32_t)r[in->src_reg]; break;
		case BPF_ALU | BPF_MOV | BPF_K: r[in->dst_reg] = (uint32_t)in->imm; break;
		case BPF_ALU | BPF_AND | BPF_K: r[in->dst_reg] = (uint32_t)r[in->dst_reg] & (uint32_t)in->imm; break;
		case BPF_ALU | BPF_RSH | BPF_K: r[in->dst_reg] = (uint32_t)r[in->dst_reg] >> in->imm; break;
		case BPF_JMP | BPF_JA: jump = true; break;
		case BPF_JMP | BPF_JEQ | BPF_K: jump = r[in->dst_reg] == k; break;
		case BPF_JMP | BPF_JNE | BPF_K: jump = r[in->dst_reg] != k; break;
		case BPF_JMP | BPF_JNE | BPF_X: jump = r[in->dst_reg] != r[in->src_reg]; break;
		case BPF_JMP | BPF_JSET | BPF_K: jump = (r[in->dst_reg] & k) != 0; break;
		case BPF_JMP | BPF_EXIT:
			REQUIRE(init[BPF_REG_0], "exit at %zu with r0 unset", pc);
			return r[BPF_REG_0];
		default:
			ck_abort_msg("instruction %zu: opcode 0x%02x is not one the generator emits", pc, in->code);
		}
		if (BPF_CLASS(in->code) != BPF_JMP)
			init[in->dst_reg] = true;
		if (jump)
			pc += (size_t)in->off;
	}
	ck_abort_msg("the program ran off its end");
	return 0;
}

static struct bpf_insn *generate(const struct husk_device_cgroup *rules, size_t n, size_t *len)
{
	husk_err err = NULL;
	struct bpf_insn *prog = NULL;
	int rc = husk_cgroup_devices_program(rules, n, &prog, len, &err);
	ck_assert_msg(rc == 0, "%s", err ? err->msg : "?");
	check_shape(prog, *len);
	return prog;
}

static void check_requests(const struct husk_device_cgroup *rules, size_t n, const struct request *q, size_t nq)
{
	size_t len;
	struct bpf_insn *prog = generate(rules, n, &len);
	for (size_t i = 0; i < nq; i++) {
		struct bpf_cgroup_dev_ctx ctx = to_ctx(&q[i]);
		uint64_t verdict = run(prog, len, &ctx);
		ck_assert_msg(verdict == q[i].allowed, "%c %u:%u %s: %s, expected %s", q[i].type, q[i].major,
			      q[i].minor, q[i].access, verdict ? "allowed" : "denied", q[i].allowed ? "allowed" : "denied");
	}
	free(prog);
}

#define CHECK(rules, requests) check_requests(rules, ARRAY_SIZE(rules), requests, ARRAY_SIZE(requests))

/* ---- semantics ----------------------------------------------------------------- */

START_TEST(docker_style)
{
	/* Docker: deny everything, then allow; husk appends its defaults. */
	struct husk_device_cgroup rules[1 + 32] = { DENY_ALL, ALLOW('c', 10, 229, "rwm") };
	size_t n = 2;
	for (size_t i = 0; i < husk_cgroup_default_devices_n; i++)
		rules[n++] = husk_cgroup_default_devices[i];
	static const struct request q[] = {
		{ 'c', 1, 3, "rw", true },   { 'c', 1, 3, "m", true },   { 'c', 1, 7, "r", true },
		{ 'c', 1, 11, "r", false },  { 'c', 1, 11, "m", true },  { 'b', 8, 0, "m", true },
		{ 'b', 8, 0, "r", false },   { 'b', 8, 0, "rw", false }, { 'c', 136, 5, "rw", true },
		{ 'c', 136, 0, "w", true },  { 'c', 10, 200, "rw", true }, { 'c', 10, 229, "rw", true },
		{ 'c', 10, 228, "r", false }, { 'b', 1, 3, "r", false },  { 'c', 5, 2, "rw", true },
	};
	check_requests(rules, n, q, ARRAY_SIZE(q));
}
END_TEST

START_TEST(allow_all_and_nothing)
{
	static const struct husk_device_cgroup all[] = { ALLOW_ALL };
	static const struct request allowed[] = {
		{ 'c', 1, 11, "rwm", true }, { 'b', 8, 0, "rw", true }, { 'c', 0xffffffff, 0, "m", true },
	};
	CHECK(all, allowed);
	static const struct request denied[] = { { 'c', 1, 3, "r", false }, { 'b', 8, 0, "m", false } };
	check_requests(NULL, 0, denied, ARRAY_SIZE(denied));
	static const struct husk_device_cgroup holes[] = { ALLOW_ALL, DENY('c', 1, 11, "w") };
	static const struct request q[] = {
		{ 'c', 1, 11, "r", true }, { 'c', 1, 11, "w", false }, { 'c', 1, 11, "rw", false },
		{ 'b', 1, 11, "w", true }, { 'c', 1, 12, "w", true },
	};
	CHECK(holes, q);
}
END_TEST

START_TEST(wildcard_numbers)
{
	static const struct husk_device_cgroup rules[] = {
		DENY_ALL, ALLOW('c', ABSENT, 3, "rw"), ALLOW('b', 8, -1, "r"),
	};
	static const struct request q[] = {
		{ 'c', 1, 3, "r", true },   { 'c', 200, 3, "w", true }, { 'c', 1, 4, "r", false },
		{ 'b', 8, 0, "r", true },   { 'b', 8, 17, "r", true },  { 'b', 8, 0, "w", false },
		{ 'c', 8, 0, "r", false },  { 'b', 9, 0, "r", false },  { 'b', 1, 3, "r", false },
	};
	CHECK(rules, q);
}
END_TEST

START_TEST(access_subsets)
{
	static const struct husk_device_cgroup rw[] = { DENY_ALL, ALLOW('c', 1, 3, "rw") };
	static const struct request q1[] = {
		{ 'c', 1, 3, "m", false }, { 'c', 1, 3, "r", true }, { 'c', 1, 3, "w", true },
		{ 'c', 1, 3, "rw", true }, { 'c', 1, 3, "rwm", false },
	};
	CHECK(rw, q1);
	/* What one access needs may come from different rules. */
	static const struct husk_device_cgroup split[] = { DENY_ALL, ALLOW('c', 1, 3, "r"), ALLOW('c', 1, 3, "w") };
	static const struct request q2[] = { { 'c', 1, 3, "rw", true }, { 'c', 1, 3, "m", false } };
	CHECK(split, q2);
	/* A deny of one access takes it from a broader allow before it. */
	static const struct husk_device_cgroup narrowed[] = { DENY_ALL, ALLOW('c', 1, 3, "rwm"), DENY('c', 1, 3, "w") };
	static const struct request q3[] = {
		{ 'c', 1, 3, "r", true }, { 'c', 1, 3, "w", false }, { 'c', 1, 3, "rw", false }, { 'c', 1, 3, "m", true },
	};
	CHECK(narrowed, q3);
	/* Absent and empty access mean all of "rwm", as on v1. */
	static const struct husk_device_cgroup unset[] = { DENY_ALL, ALLOW('c', 1, 3, NULL), ALLOW('c', 1, 5, "") };
	static const struct request q4[] = { { 'c', 1, 3, "rwm", true }, { 'c', 1, 5, "rwm", true } };
	CHECK(unset, q4);
}
END_TEST

START_TEST(last_match_wins)
{
	static const struct husk_device_cgroup denied_last[] = { DENY_ALL, ALLOW('c', 1, 3, "rwm"), DENY('c', 1, 3, "rwm") };
	static const struct husk_device_cgroup allowed_last[] = { DENY_ALL, DENY('c', 1, 3, "rwm"), ALLOW('c', 1, 3, "rwm") };
	static const struct request q_denied[] = { { 'c', 1, 3, "r", false }, { 'c', 1, 3, "m", false } };
	static const struct request q_allowed[] = { { 'c', 1, 3, "r", true }, { 'c', 1, 3, "m", true } };
	CHECK(denied_last, q_denied);
	CHECK(allowed_last, q_allowed);
	static const struct husk_device_cgroup layers[] = {
		DENY_ALL, ALLOW('c', ABSENT, ABSENT, "rwm"), DENY('c', 1, ABSENT, "rwm"), ALLOW('c', 1, 3, "rw"),
	};
	static const struct request q[] = {
		{ 'c', 1, 3, "rw", true }, { 'c', 1, 3, "m", false }, { 'c', 1, 4, "r", false },
		{ 'c', 2, 0, "rwm", true }, { 'b', 2, 0, "r", false },
	};
	CHECK(layers, q);
}
END_TEST

START_TEST(type_a_resets)
{
	static const struct husk_device_cgroup reopened[] = { DENY('c', 1, 3, "rwm"), ALLOW_ALL };
	static const struct husk_device_cgroup closed[] = { ALLOW('c', 1, 3, "rwm"), DENY_ALL };
	static const struct request q_open[] = { { 'c', 1, 3, "rw", true } };
	static const struct request q_closed[] = { { 'c', 1, 3, "rw", false } };
	CHECK(reopened, q_open);
	CHECK(closed, q_closed);
	/* Type 'a' ignores numbers and access, as the v1 kernel does. */
	static const struct husk_device_cgroup narrow_a[] = { ALLOW('c', 1, 3, "rwm"), DENY('a', 5, 5, "r") };
	static const struct request q[] = { { 'c', 1, 3, "w", false }, { 'c', 5, 5, "m", false } };
	CHECK(narrow_a, q);
}
END_TEST

START_TEST(wide_numbers)
{
	/* Immediates are sign-extended in 64-bit compares: numbers past
	 * INT32_MAX must still match exactly. */
	static const struct husk_device_cgroup rules[] = {
		DENY_ALL, ALLOW('c', 0xffffffffLL, 0x80000000LL, "rw"), ALLOW('b', 0x7fffffffLL, ABSENT, "r"),
	};
	static const struct request q[] = {
		{ 'c', 0xffffffff, 0x80000000, "r", true }, { 'c', 0xffffffff, 0, "r", false },
		{ 'c', 0x7fffffff, 0x80000000, "r", false }, { 'b', 0x7fffffff, 9, "r", true },
		{ 'b', 0xffffffff, 9, "r", false },
	};
	CHECK(rules, q);
}
END_TEST

static void refused(const struct husk_device_cgroup *rules, size_t n, const char *msg)
{
	husk_err err = NULL;
	struct bpf_insn *prog = NULL;
	size_t len = 1;
	ck_assert_int_eq(husk_cgroup_devices_program(rules, n, &prog, &len, &err), -1);
	ck_assert_ptr_null(prog);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, msg), "\"%s\" not in \"%s\"", msg, err->msg);
	ck_assert_int_eq(err->errnum, EINVAL);
	husk_error_free(&err);
}

START_TEST(bad_rules_refused)
{
	static const struct husk_device_cgroup big_major[] = { DENY_ALL, ALLOW('c', 0x100000000LL, 1, "r") };
	refused(big_major, 2, "linux.resources.devices[1].major: 4294967296");
	static const struct husk_device_cgroup big_minor[] = { ALLOW('b', 1, 0x100000000LL, "r") };
	refused(big_minor, 1, "linux.resources.devices[0].minor");
	static const struct husk_device_cgroup bad_access[] = { ALLOW('c', 1, 3, "rx") };
	refused(bad_access, 1, "linux.resources.devices[0].access: 'x'");
	static const struct husk_device_cgroup bad_type[] = { ALLOW('p', 1, 3, "r") };
	refused(bad_type, 1, "linux.resources.devices[0].type: 'p'");
}
END_TEST

/* ---- against a model ------------------------------------------------------------ */

static bool number_matches(const husk_opt_i64 *rule, uint32_t v)
{
	return !rule->set || rule->v < 0 || (uint64_t)rule->v == v;
}

/* The documented semantics, access by access. */
static bool model_allows(const struct husk_device_cgroup *rules, size_t n, const struct request *q)
{
	for (const char *a = q->access; *a; a++) {
		bool allowed = false;
		for (size_t i = n; i-- > 0;) {
			const struct husk_device_cgroup *d = &rules[i];
			const char *access = d->access && *d->access ? d->access : "rwm";
			if (d->type == 'a' || (d->type == q->type && number_matches(&d->major, q->major) &&
					       number_matches(&d->minor, q->minor) && strchr(access, *a))) {
				allowed = d->allow;
				break;
			}
		}
		if (!allowed)
			return false;
	}
	return true;
}

static uint32_t next_random(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static void random_rule(struct husk_device_cgroup *d, uint32_t *seed)
{
	static const char types[] = "abcc";
	static const int64_t numbers[] = { ABSENT, -1, 1, 3, 0x80000001LL };
	static const char *const accesses[] = { "r", "w", "m", "rw", "rm", "wm", "rwm", NULL };
	int64_t major = numbers[next_random(seed) % ARRAY_SIZE(numbers)];
	int64_t minor = numbers[next_random(seed) % ARRAY_SIZE(numbers)];
	*d = (struct husk_device_cgroup)RULE(next_random(seed) % 2, types[next_random(seed) % 4], major, minor,
					     (char *)accesses[next_random(seed) % ARRAY_SIZE(accesses)]);
	/* Type 'a' mostly at the front, as configs write it. */
	if (d->type == 'a' && next_random(seed) % 4)
		d->type = 'b';
}

START_TEST(agrees_with_model)
{
	static const uint32_t numbers[] = { 0, 1, 3, 0x80000001 };
	static const char *const accesses[] = { "r", "w", "m", "rw" };
	uint32_t seed = 42;
	for (int round = 0; round < 400; round++) {
		struct husk_device_cgroup rules[8];
		size_t n = next_random(&seed) % (ARRAY_SIZE(rules) + 1);
		for (size_t i = 0; i < n; i++)
			random_rule(&rules[i], &seed);
		size_t len;
		struct bpf_insn *prog = generate(rules, n, &len);
		for (size_t t = 0; t < 2; t++)
			for (size_t ma = 0; ma < ARRAY_SIZE(numbers); ma++)
				for (size_t mi = 0; mi < ARRAY_SIZE(numbers); mi++)
					for (size_t a = 0; a < ARRAY_SIZE(accesses); a++) {
						struct request q = { "bc"[t], numbers[ma], numbers[mi], accesses[a], false };
						struct bpf_cgroup_dev_ctx ctx = to_ctx(&q);
						REQUIRE(run(prog, len, &ctx) == model_allows(rules, n, &q),
							      "round %d: %c %u:%u %s", round, q.type, q.major, q.minor,
							      q.access);
					}
		free(prog);
	}
}
END_TEST

/* ---- in the kernel ---------------------------------------------------------------- */

static bool cgroup2_at(const char *dir)
{
	struct statfs fs;
	return statfs(dir, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Exit status of a child that joins dir and opens path: 0 or the errno. */
#define JOIN_FAILED 255

static int open_in_cgroup(const char *dir, const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char procs[PATH_MAX];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(JOIN_FAILED);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		_exit(fd >= 0 ? 0 : errno);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int attached(const char *dir, uint32_t *first)
{
	uint32_t ids[64];
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	attr.query.target_fd = (uint32_t)fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = ARRAY_SIZE(ids);
	int rc = (int)syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr));
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		return -1;
	*first = attr.query.prog_cnt ? ids[0] : 0;
	return (int)attr.query.prog_cnt;
}

#define FAIL(...) do { snprintf(failure, size, __VA_ARGS__); return; } while (0)

static bool opens_as(const char *dir, const char *path, int expected, char *failure, size_t size)
{
	int got = open_in_cgroup(dir, path);
	if (got != expected)
		snprintf(failure, size, "open %s in the cgroup: %s, expected %s", path,
			 got == JOIN_FAILED ? "could not join" : got ? strerror(got) : "opened",
			 expected ? strerror(expected) : "opened");
	return got == expected;
}

/* Reports the first failure in failure instead of asserting, so that the
 * caller always removes the cgroup. */
static void enforce_and_replace(const char *dir, char *failure, size_t size)
{
	static const struct husk_device_cgroup null_only[] = { DENY_ALL, ALLOW('c', 1, 3, "rwm") };
	static const struct husk_device_cgroup null_full[] = {
		DENY_ALL, ALLOW('c', 1, 3, "rwm"), ALLOW('c', 1, 7, "rwm"),
	};
	cleanup_error husk_err err = NULL;
	uint32_t first, second;
	if (husk_cgroup_v2_set_device_program(null_only, ARRAY_SIZE(null_only), dir, &err) < 0)
		FAIL("%s: %s", err->msg, strerror(err->errnum));
	if (attached(dir, &first) != 1)
		FAIL("not exactly one program attached after the first apply");
	if (!opens_as(dir, "/dev/null", 0, failure, size) || !opens_as(dir, "/dev/full", EPERM, failure, size))
		return;
	if (husk_cgroup_v2_set_device_program(null_full, ARRAY_SIZE(null_full), dir, &err) < 0)
		FAIL("%s: %s", err->msg, strerror(err->errnum));
	if (attached(dir, &second) != 1 || second == first)
		FAIL("the second apply did not replace the first program");
	if (opens_as(dir, "/dev/full", 0, failure, size) && opens_as(dir, "/dev/null", 0, failure, size))
		opens_as(dir, "/dev/zero", EPERM, failure, size);
}

static int remove_cgroup(const char *dir)
{
	struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	for (int tries = 0; rmdir(dir) < 0; tries++) {
		if (errno != EBUSY || tries == 100)
			return -1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

START_TEST(kernel_enforces_and_replaces)
{
	const char *root = cgroup2_at(HUSK_CGROUP_MOUNT "/unified") ? HUSK_CGROUP_MOUNT "/unified"
			   : cgroup2_at(HUSK_CGROUP_MOUNT)             ? HUSK_CGROUP_MOUNT
									: NULL;
	if (geteuid() != 0 || !root) {
		fprintf(stderr, "device filter in the kernel: needs root and a cgroup2 mount: test skipped\n");
		return;
	}
	char dir[PATH_MAX], failure[512] = "";
	snprintf(dir, sizeof(dir), "%s/husk-unit-%d", root, (int)getpid());
	ck_assert_msg(mkdir(dir, 0755) == 0, "mkdir %s: %s", dir, strerror(errno));
	enforce_and_replace(dir, failure, sizeof(failure));
	int removed = remove_cgroup(dir);
	ck_assert_msg(!*failure, "%s", failure);
	ck_assert_msg(removed == 0, "rmdir %s: %s", dir, strerror(errno));
}
END_TEST

Suite *cgroup_devices_suite(void)
{
	Suite *s = suite_create("cgroup_devices");
	TCase *tc = tcase_create("program");
	tcase_add_test(tc, docker_style);
	tcase_add_test(tc, allow_all_and_nothing);
	tcase_add_test(tc, wildcard_numbers);
	tcase_add_test(tc, access_subsets);
	tcase_add_test(tc, last_match_wins);
	tcase_add_test(tc, type_a_resets);
	tcase_add_test(tc, wide_numbers);
	tcase_add_test(tc, bad_rules_refused);
	tcase_add_test(tc, agrees_with_model);
	suite_add_tcase(s, tc);
	tc = tcase_create("kernel");
	tcase_add_test(tc, kernel_enforces_and_replaces);
	suite_add_tcase(s, tc);
	return s;
}
