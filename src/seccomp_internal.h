/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SECCOMP_INTERNAL_H
#define HUSK_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"
#include "husk/seccomp.h"

/* The kernel refuses longer programs (BPF_MAXINSNS). */
#define HUSK_SECCOMP_MAX_INSNS 4096

/* At most this many architectures in one filter (libseccomp knows fewer). */
#define HUSK_SECCOMP_ARCHS_MAX 16

/* Whether a filter with this default action (libseccomp's) gets the stub. */
bool husk_seccomp_enosys_wanted(uint32_t default_action);

/*
 * Put the ENOSYS stub (seccomp_enosys.c) in front of prog, libseccomp's
 * program for cfg: on each of the filter's architectures archs (libseccomp
 * tokens), a call numbered above every call cfg names there fails with
 * ENOSYS.  An architecture cfg names no call of keeps the default action.
 */
int husk_seccomp_prepend_enosys(const struct husk_seccomp *cfg, const uint32_t *archs, size_t n_archs,
				struct husk_seccomp_program *prog, husk_err *err);

#endif
