/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_MOUNT_OPTIONS_H
#define HUSK_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/config.h"

/* Propagation options one mount may carry ("rprivate", "shared", ...). */
#define HUSK_MOUNT_MAX_PROPAGATION 4

/*
 * The `options` of one mounts[] entry, sorted by how they are applied:
 * flags to mount(2), propagation changes made afterwards in the order
 * given, recursive attributes set with mount_setattr(AT_RECURSIVE), and
 * everything unknown joined into mount(2)'s data string, as the spec asks.
 */
struct husk_mount_options {
	unsigned long flags;            /* MS_* (ro, nosuid, ..., MS_BIND|MS_REC for rbind) */
	unsigned long propagation[HUSK_MOUNT_MAX_PROPAGATION]; /* MS_SHARED ... [|MS_REC] */
	size_t n_propagation;
	uint64_t attr_set;              /* MOUNT_ATTR_* for rro, rnosuid, ... */
	uint64_t attr_clr;              /* MOUNT_ATTR_* for rrw, rsuid, ... (and __ATIME) */
	bool bind;                      /* bind or rbind */
	bool tmpcopyup;
	bool idmap;                     /* idmap or ridmap */
	bool idmap_recursive;           /* ridmap */
	char *data;                     /* "size=1m,mode=755"; NULL when empty */
};

/*
 * Parse options (the last of contradicting options wins, as in mount(8)).
 * Fails only on an empty option, too many propagation options or data
 * longer than mount(2) takes; *out is then released.
 */
int husk_mount_options_parse(const husk_strv *options, struct husk_mount_options *out, husk_err *err);

void husk_mount_options_release(struct husk_mount_options *o);

#define cleanup_mount_options __attribute__((cleanup(husk_mount_options_release)))

/* Every option name the parser gives a meaning to (NULL-terminated). */
extern const char *const husk_mount_option_names[];

#endif
