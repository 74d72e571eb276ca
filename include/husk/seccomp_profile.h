/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SECCOMP_PROFILE_H
#define HUSK_SECCOMP_PROFILE_H

/*
 * The seccomp profiles husk ships (seccomp-profiles/NAME.json) and profile
 * files given by path, as linux.seccomp objects ready to embed in a config.
 */

#include <yajl/yajl_tree.h>

#include "husk/error.h"

#define HUSK_SECCOMP_PROFILE_DIR "seccomp-profiles"

/*
 * Load the profile `which`: "default" or "strict" (a shipped profile, looked
 * up beside the executable, ../seccomp-profiles, as when run from the build
 * tree, then in the installed data directory), or else a file path.  The
 * file holds a linux.seccomp object, alone or as {"linux":{"seccomp":...}}.
 * *tree owns the document (yajl_tree_free); *seccomp points into it.
 */
int husk_seccomp_profile_load(const char *which, yajl_val *tree, yajl_val *seccomp, husk_err *err);

/* Whether `which` names a shipped profile rather than a file. */
int husk_seccomp_profile_is_builtin(const char *which);

#endif
