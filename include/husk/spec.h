/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SPEC_H
#define HUSK_SPEC_H

/*
 * The default config.json, as `runc spec` writes it: same fields, same
 * order, same layout, with husk's ociVersion and hostname.
 */

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"

/*
 * Generate the document (pretty-printed, ending in a newline) into a new
 * NUL-terminated string the caller frees.  rootless applies runc's rootless
 * changes: a user namespace mapping root to the caller's euid/egid, no
 * network or cgroup namespace, /sys bind-mounted, no cgroup resources.
 */
int husk_spec_generate(bool rootless, char **json_out, size_t *len, husk_err *err);

/*
 * Write the document to bundle/config.json, refusing to replace a file that
 * is already there.  The file appears atomically (written beside it under a
 * temporary name, then renamed) with mode 0644 less the umask.
 */
int husk_spec_write(const char *bundle, bool rootless, husk_err *err);

/* linux.maskedPaths and linux.readonlyPaths of the default document. */
extern const char *const husk_spec_masked_paths[];
extern const char *const husk_spec_readonly_paths[];

#endif
