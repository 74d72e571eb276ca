/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_REAPER_H
#define HUSK_REAPER_H

/*
 * The built-in PID 1: run argv[0] (envp, already resolved path) as a child
 * in its own session and process group, forward every catchable signal to
 * that group, reap every zombie, and when the child exits return the exit
 * status the reaper itself must exit with (the child's code, or 128+N
 * when killed by signal N).  Runs inside the container after every
 * security setting is in place, so it grants nothing the process lacks.
 * Never returns on success of execve in the child; returns -1 only if the
 * child could not be started (errno set).  Uses no heap, no stdio, and
 * nothing from the container's filesystem.
 */
int husk_reaper_run(const char *path, char *const argv[], char *const envp[]);

#endif
