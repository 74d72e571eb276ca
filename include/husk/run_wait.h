/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_RUN_WAIT_H
#define HUSK_RUN_WAIT_H

#include <sys/types.h>

#include "husk/error.h"

/*
 * Wait for the container process pid (signals must be blocked), passing
 * it every signal the runtime receives, and store its exit status (128+N
 * for signal N).  master >= 0: serve the container's terminal on the
 * caller's stdio meanwhile: stdin in raw mode when it is a terminal
 * (restored after), its window size copied at start and on SIGWINCH.
 */
int husk_run_wait(pid_t pid, int master, int *exit_status, husk_err *err);

#endif
