/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <sys/types.h>

#include "husk/config.h"
#include "husk/seccomp.h"

/*
 * The container process' own settings, applied by the container process
 * itself between pivot_root and execve.  Order matters and is the caller's
 * (see container.c): limits and labels while still privileged, then the
 * bounding set, then the user, then the remaining capability sets.
 */

/* rlimits, ioPriority, scheduler, personality, execCPUAffinity. */
int husk_process_apply_limits(const struct husk_process *p, const struct husk_linux *l, husk_err *err);

/* AppArmor profile and SELinux label for the coming execve. */
int husk_process_apply_labels(const struct husk_process *p, const struct husk_log *log, husk_err *err);

/* Supplementary groups, gid, uid (keeping capabilities across the switch), umask. */
int husk_process_set_user(const struct husk_user *u, husk_err *err);

/*
 * Capabilities through libcap: the bounding set is dropped to `bounding`,
 * then effective/permitted/inheritable set, then ambient raised.  A
 * capability the runtime itself does not hold (or the kernel does not
 * know) is skipped with a warning, as the spec asks.
 */
int husk_caps_drop_bounding(const struct husk_capabilities *caps, const struct husk_log *log, uint64_t *bounding,
			    husk_err *err);
/* bounding: the set husk_caps_drop_bounding left. */
int husk_caps_apply(const struct husk_capabilities *caps, uint64_t bounding, const struct husk_log *log,
		    husk_err *err);

/*
 * Find args[0] as execvp would, in the container's PATH (from env).  The
 * message for a missing or unusable program uses the words container
 * engines look for to exit 127 or 126 ("executable file not found in
 * $PATH", "no such file or directory", "permission denied").
 */
int husk_process_find_executable(const struct husk_process *p, char **path, husk_err *err);

/* A NULL-terminated copy of v's pointers, for execve; the caller frees it. */
char **husk_strv_for_exec(const husk_strv *v);

/*
 * process.env for execve, with HOME added from the current root's
 * /etc/passwd when env has none, as runc and crun do ("/" without an
 * entry).  *home_var holds the added string; the caller frees both.
 */
char **husk_process_envp(const struct husk_process *p, char **home_var);

/* From the runtime: /proc/PID/oom_score_adj when the process sets it. */
int husk_process_write_oom_score_adj(pid_t pid, const struct husk_process *p, husk_err *err);

/* ---- becoming the process (process_become.c) ------------------------------ */

/*
 * Every signal's disposition back to the default and none blocked: what
 * the runtime's caller ignored or blocked (a shell's SIGPIPE, a
 * supervisor's mask) is not the container's to inherit across execve.
 */
void husk_process_reset_signals(void);

/* Join (or create) the session keyring "_ses.ID", so that the caller's
 * own session keyring is not reachable from the container. */
int husk_process_join_session_keyring(const char *id, husk_err *err);

struct husk_become {
	const struct husk_process *process;
	const struct husk_linux *linux_cfg;           /* may be NULL */
	const struct husk_seccomp_program *seccomp;   /* filter NULL: none */
	unsigned int preserve_fds;                    /* fds 3.. kept across execve */
	const struct husk_log *log;
};

/*
 * The last steps of a container process (create) or of an exec'd one,
 * inside the container's namespaces and root, before execve: only stdio
 * and the preserved fds survive execve; limits and labels; seccomp,
 * bounding set, user, capabilities, cwd and no_new_privs in the order that
 * keeps each step possible; the process stays non-dumpable throughout.
 */
int husk_process_become(const struct husk_become *b, husk_err *err);

#endif
