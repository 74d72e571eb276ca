/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_HARDENING_H
#define HUSK_HARDENING_H

/*
 * What a config lacks compared to `husk spec --hardened`: each finding is
 * one line, "JSON path: what is wrong" ("process.user.uid: runs as root").
 */

#include <stddef.h>

#include "husk/config.h"
#include "husk/error.h"

struct husk_findings {
	char **v;
	size_t n;
};

/* Fill *out (empty when the config is as hardened); free it with
 * husk_findings_release() whatever the result. */
int husk_hardening_check(const struct husk_config *cfg, struct husk_findings *out, husk_err *err);

void husk_findings_release(struct husk_findings *f);
#define cleanup_findings __attribute__((cleanup(husk_findings_release)))

#endif
