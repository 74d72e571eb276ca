/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_PS_TABLE_H
#define HUSK_PS_TABLE_H

#include <stddef.h>
#include <sys/types.h>

#include "husk/error.h"

/*
 * ps(1)'s output narrowed to some processes, as `runc ps` does it: the
 * header line, whose column titled PID says where each line's pid is, and
 * only the lines whose pid is one of pids.  *out (malloc'ed) ends every
 * line with a newline.
 */
int husk_ps_filter(const char *output, const pid_t *pids, size_t n, char **out, husk_err *err);

#endif
