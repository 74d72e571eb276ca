/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SPEC_INTERNAL_H
#define HUSK_SPEC_INTERNAL_H

/* The parts of the default document that the hardened one shares. */

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "husk/json.h"

extern const char *const husk_spec_default_env[];

/* One mounts[] entry; options NULL-terminated, or NULL for none. */
void spec_gen_mount(struct husk_json *j, const char *destination, const char *type,
		    const char *source, const char *const *options);
/* The default mounts[] entries, inside an array the caller opened. */
void spec_gen_default_mounts(struct husk_json *j, bool rootless);
/* "namespaces": the default list. */
void spec_gen_namespaces(struct husk_json *j, bool rootless);

typedef int (*spec_generator)(const void *arg, char **json, size_t *len, husk_err *err);
/* Write what generate(arg) produces to bundle/config.json, never replacing one. */
int spec_write_document(const char *bundle, spec_generator generate, const void *arg, husk_err *err);

#endif
