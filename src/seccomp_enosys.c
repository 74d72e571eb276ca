/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ENOSYS stub: a few BPF instructions put in front of libseccomp's
 * program so that a system call newer than every call the profile names
 * fails with ENOSYS instead of meeting the default action.  A C library
 * takes ENOSYS as "this kernel is too old" and falls back to an older call
 * (clone3 to clone, openat2 to openat, fchmodat2 to fchmodat, ...); EPERM
 * or a kill would break the program instead.  runc does the same, so a
 * profile written for runc behaves alike under husk.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_internal.h"

/* x32 calls reach the kernel as AUDIT_ARCH_X86_64 with this bit set. */
#define X32_SYSCALL_BIT 0x40000000u

/* Where seccomp_data keeps the call number and the architecture. */
#define DATA_NR offsetof(struct seccomp_data, nr)
#define DATA_ARCH offsetof(struct seccomp_data, arch)

/* An architecture of the filter and the highest call number it names. */
struct stub_arch {
	uint32_t audit;   /* AUDIT_ARCH_*: libseccomp's tokens are those */
	uint32_t highest;
	uint32_t highest_x32; /* x86_64 only; UINT32_MAX: no x32 in the filter */
};

bool husk_seccomp_enosys_wanted(uint32_t default_action)
{
	/* Where unknown calls are allowed anyway, or fail with ENOSYS
	 * already, a stub would change nothing or refuse more. */
	return default_action != SCMP_ACT_ALLOW && default_action != SCMP_ACT_LOG &&
	       default_action != SCMP_ACT_ERRNO(ENOSYS);
}

/*
 * The highest number of a call of cfg on arch, or -1 when it names none
 * that libseccomp knows there.  Negative numbers are libseccomp's own for
 * multiplexed calls (socketcall on i386) and are not call numbers.
 */
static int64_t highest_named(const struct husk_seccomp *cfg, uint32_t arch)
{
	int64_t highest = -1;
	for (size_t i = 0; i < cfg->syscalls.n; i++) {
		const struct husk_syscall *sc = &cfg->syscalls.v[i];
		for (size_t n = 0; n < sc->names.n; n++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, sc->names.v[n]);
			if (nr >= 0 && nr > highest)
				highest = nr;
		}
	}
	return highest;
}

/* The stub's architectures, from the filter's; the number of them. */
static size_t stub_archs(const struct husk_seccomp *cfg, const uint32_t *archs, size_t n_archs,
			 struct stub_arch *out, size_t max)
{
	size_t n = 0;
	int64_t x32 = -1;
	for (size_t i = 0; i < n_archs; i++) {
		int64_t highest = highest_named(cfg, archs[i]);
		if (highest < 0)
			continue; /* a profile silent on an arch keeps its default action */
		if (archs[i] == SCMP_ARCH_X32) {
			x32 = highest;
			continue;
		}
		if (n < max)
			out[n++] = (struct stub_arch){ archs[i], (uint32_t)highest, UINT32_MAX };
	}
	for (size_t i = 0; i < n && x32 >= 0; i++)
		if (out[i].audit == SCMP_ARCH_X86_64)
			out[i].highest_x32 = (uint32_t)x32;
	return n;
}

/* A conditional jump from pc to the instructions at jt and jf. */
static struct sock_filter jump(uint16_t code, uint32_t k, size_t pc, size_t jt, size_t jf)
{
	return (struct sock_filter)BPF_JUMP(BPF_JMP | code | BPF_K, k, (uint8_t)(jt - pc - 1), (uint8_t)(jf - pc - 1));
}

/*
 * The stub, for each architecture:
 *      A = arch; if A != audit goto next arch
 *      A = nr
 *      (x86_64: if A >= X32_SYSCALL_BIT compare with the highest x32 call)
 *      if A > highest return ENOSYS, else goto main
 * and when no architecture matched, main (libseccomp's program, which
 * starts by loading the architecture again) decides.
 */
static size_t emit_stub(const struct stub_arch *a, size_t n, struct sock_filter *out)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += a[i].audit == SCMP_ARCH_X86_64 ? 5 : 3;
	const size_t enosys = len + 1, main_prog = len + 2;
	size_t pc = 0;
	out[pc++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARCH);
	for (size_t i = 0; i < n; i++) {
		bool x86_64 = a[i].audit == SCMP_ARCH_X86_64;
		size_t next = pc + (x86_64 ? 5 : 3);
		out[pc] = jump(BPF_JEQ, a[i].audit, pc, pc + 1, next);
		pc++;
		out[pc++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_NR);
		if (x86_64) {
			out[pc] = jump(BPF_JGE, X32_SYSCALL_BIT, pc, pc + 2, pc + 1);
			pc++;
			out[pc] = jump(BPF_JGT, a[i].highest, pc, enosys, main_prog);
			pc++;
			out[pc] = jump(BPF_JGT, a[i].highest_x32, pc, enosys, main_prog);
			pc++;
		} else {
			out[pc] = jump(BPF_JGT, a[i].highest, pc, enosys, main_prog);
			pc++;
		}
	}
	out[pc++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA | BPF_K, 1);
	out[pc++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	return pc;
}

int husk_seccomp_prepend_enosys(const struct husk_seccomp *cfg, const uint32_t *archs, size_t n_archs,
				struct husk_seccomp_program *prog, husk_err *err)
{
	/* main is entered with A holding the call number: it must load the
	 * architecture itself, as every program libseccomp writes does. */
	const struct sock_filter first = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARCH);
	if (prog->len == 0 || memcmp(&prog->filter[0], &first, sizeof(first)) != 0)
		return husk_error(err, EINVAL, "linux.seccomp: libseccomp's program does not start by loading the architecture");
	struct stub_arch a[HUSK_SECCOMP_ARCHS_MAX];
	size_t n = stub_archs(cfg, archs, n_archs, a, HUSK_SECCOMP_ARCHS_MAX);
	if (n == 0)
		return 0;
	struct sock_filter stub[1 + 5 * HUSK_SECCOMP_ARCHS_MAX + 2];
	size_t stub_len = emit_stub(a, n, stub);
	size_t len = stub_len + prog->len;
	if (len > HUSK_SECCOMP_MAX_INSNS)
		return husk_error(err, E2BIG, "linux.seccomp: the filter has %zu instructions, the kernel takes at most %d",
				  len, HUSK_SECCOMP_MAX_INSNS);
	struct sock_filter *filter = malloc(len * sizeof(*filter));
	if (!filter)
		return husk_error(err, ENOMEM, "linux.seccomp: allocate %zu instructions", len);
	memcpy(filter, stub, stub_len * sizeof(*filter));
	memcpy(filter + stub_len, prog->filter, prog->len * sizeof(*filter));
	free(prog->filter);
	prog->filter = filter;
	prog->len = (unsigned short)len;
	return 0;
}
