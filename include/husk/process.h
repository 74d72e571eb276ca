/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include "husk/config.h"

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
int husk_caps_drop_bounding(const struct husk_capabilities *caps, const struct husk_log *log, husk_err *err);
int husk_caps_apply(const struct husk_capabilities *caps, const struct husk_log *log, husk_err *err);

/* Find args[0] as execvp would, in the container's PATH (from env). */
int husk_process_find_executable(const struct husk_process *p, char **path, husk_err *err);

#endif
