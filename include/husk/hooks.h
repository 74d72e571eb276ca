/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include "husk/config.h"

/*
 * Run OCI hooks in order.  Each hook is executed (path, args, env exactly
 * as configured; no PATH search, no shell) with the container state JSON
 * on its stdin, stdout/stderr inherited, no other fd of the runtime open,
 * and killed (SIGKILL) when its timeout expires.  The first failing hook
 * stops the run: a non-zero exit, a signal or a timeout is an error naming
 * the hook kind, its index and path ("prestart hook 1 (/usr/bin/x):
 * exited with status 3").  `kind` is the JSON name, e.g. "createRuntime".
 */
int husk_hooks_run(const husk_hookv *hooks, const char *kind, const char *state_json,
		   const struct husk_log *log, husk_err *err);

/* The hook kinds, in lifecycle order, by their config.json names. */
extern const char *const husk_hook_names[];

#endif
