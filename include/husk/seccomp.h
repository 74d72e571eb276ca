/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SECCOMP_H
#define HUSK_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

#include "husk/config.h"

/*
 * seccomp in two steps.  The runtime compiles linux.seccomp to a BPF
 * program before it clones the container, so that config errors surface
 * early and nothing of libseccomp runs inside the container; the container
 * process then loads the raw program with seccomp(2) right before execve.
 */
struct husk_seccomp_program {
	struct sock_filter *filter;   /* malloc'd */
	unsigned short len;           /* instructions */
	unsigned int flags;           /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;                  /* a rule uses SCMP_ACT_NOTIFY */
};

/*
 * Translate the config into BPF, following runc where the spec is silent:
 *  - ERRNO and TRACE return errnoRet (defaultErrnoRet), else EPERM;
 *    SCMP_ACT_KILL is KILL_THREAD; of errnoRet the low 16 bits are used
 *    (with a warning when that changes it);
 *  - a rule whose action equals the default action is dropped silently;
 *  - syscall names unknown to this libseccomp are skipped with a debug line;
 *  - when a rule compares one argument index more than once, each of its
 *    comparisons becomes a rule of its own (so they are ORed), otherwise
 *    they are ANDed in one rule;
 *  - MASKED_EQ matches (arg & value) == valueTwo;
 *  - the native architecture is always in the filter; a listed one this
 *    libseccomp lacks is an error;
 *  - unless the default action allows, logs or is ENOSYS already, a call
 *    numbered above every call the config names on its architecture
 *    fails with ENOSYS (seccomp_enosys.c), so the C library falls back.
 * flags gets SECCOMP_FILTER_FLAG_NEW_LISTENER when a rule notifies (and
 * TSYNC_ESRCH with TSYNC then); WAIT_KILLABLE_RECV is dropped without it.
 * Errors name the field ("linux.seccomp.syscalls[3]: add rule for
 * \"openat\"").  On failure *out is zeroed.
 */
int husk_seccomp_compile(const struct husk_seccomp *cfg, const struct husk_log *log,
			 struct husk_seccomp_program *out, husk_err *err);

/*
 * The same, through a cache of compiled programs in the directory
 * "@seccomp" of the state root rootfd (seccomp_cache.c): an entry is used
 * only for exactly the same section, husk binary, libseccomp and kernel.
 */
int husk_seccomp_compile_cached(int rootfd, const struct husk_seccomp *cfg, const struct husk_log *log,
				struct husk_seccomp_program *out, husk_err *err);

/*
 * Install the program in the calling thread (and all threads with TSYNC)
 * with seccomp(2), or with prctl(PR_SET_SECCOMP) when there are no flags.
 * Returns the new listener fd when prog->notify, 0 otherwise, or -1 with
 * *err set (naming the flags the kernel lacks on EINVAL).  Needs
 * no_new_privs or CAP_SYS_ADMIN, which the caller arranges.
 */
int husk_seccomp_load(const struct husk_seccomp_program *prog, husk_err *err);

/* Free the filter and zero *prog; safe on a zeroed program. */
void husk_seccomp_program_free(struct husk_seccomp_program *prog);
#define cleanup_seccomp_program __attribute__((cleanup(husk_seccomp_program_free)))

/*
 * What `husk features` may claim.  Each takes a value of the matching
 * config enumeration (for arch, an index into husk_seccomp_arch_names)
 * and says whether compile and load above can honour it here:
 *  - action: the running kernel implements it (SECCOMP_GET_ACTION_AVAIL);
 *  - op: always, for the seven operators;
 *  - arch: the libseccomp husk runs with knows it;
 *  - flag: the running kernel accepts it (probed with seccomp(2), which
 *    installs nothing).
 * Each call costs at most one system call.
 */
bool husk_seccomp_action_supported(int action);
bool husk_seccomp_op_supported(int op);
bool husk_seccomp_arch_supported(int arch);
bool husk_seccomp_flag_supported(int flag);

#endif
