/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/seccomp_profile.h"
#include "husk/util.h"

#ifndef HUSK_DATADIR
#define HUSK_DATADIR "/usr/local/share/husk"
#endif

/* A profile is small; anything near this size is not one. */
#define PROFILE_MAX_SIZE (4u << 20)

static const char *const builtin_profiles[] = { "default", "strict", NULL };

int husk_seccomp_profile_is_builtin(const char *which)
{
	for (const char *const *p = builtin_profiles; *p; p++)
		if (strcmp(*p, which) == 0)
			return 1;
	return 0;
}

/* EXE_DIR/../seccomp-profiles/NAME.json for the running executable
 * (build/husk finds the source tree's seccomp-profiles). */
static int beside_executable(const char *name, char **path, husk_err *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return husk_error(err, errno, "find the husk executable (/proc/self/exe)");
	exe[n] = '\0';
	if (asprintf(path, "%s/%s/%s.json", dirname(dirname(exe)), HUSK_SECCOMP_PROFILE_DIR, name) < 0)
		return husk_error(err, ENOMEM, "seccomp profile %s", name);
	return 0;
}

static int in_datadir(const char *name, char **path, husk_err *err)
{
	if (asprintf(path, "%s/%s/%s.json", HUSK_DATADIR, HUSK_SECCOMP_PROFILE_DIR, name) < 0)
		return husk_error(err, ENOMEM, "seccomp profile %s", name);
	return 0;
}

/*
 * The build tree's profiles come first so that an uninstalled husk uses
 * the profiles of its own sources, not an older installed copy.
 */
static int find_builtin(const char *name, char **path, husk_err *err)
{
	cleanup_free char *local = NULL;
	cleanup_free char *installed = NULL;
	if (beside_executable(name, &local, err) < 0 || in_datadir(name, &installed, err) < 0)
		return -1;
	char *const candidates[] = { local, installed };
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		if (access(candidates[i], F_OK) == 0) {
			*path = strdup(candidates[i]);
			return *path ? 0 : husk_error(err, ENOMEM, "seccomp profile %s", name);
		}
		if (errno != ENOENT)
			return husk_error(err, errno, "seccomp profile %s: %s", name, candidates[i]);
	}
	return husk_error(err, 0, "seccomp profile '%s' not found (searched %s and %s)",
			  name, local, installed);
}

/* The linux.seccomp object of a profile document. */
static yajl_val seccomp_object(yajl_val doc)
{
	static const char *const wrapped[] = { "linux", "seccomp", NULL };
	if (!YAJL_IS_OBJECT(doc))
		return NULL;
	yajl_val inner = yajl_tree_get(doc, (const char **)wrapped, yajl_t_object);
	if (inner)
		return inner;
	static const char *const top_linux[] = { "linux", NULL };
	return yajl_tree_get(doc, (const char **)top_linux, yajl_t_any) ? NULL : doc;
}

static int parse_profile(const char *path, yajl_val *tree, yajl_val *seccomp, husk_err *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (husk_read_file(path, PROFILE_MAX_SIZE, &text, &len, err) < 0)
		return husk_error_wrap(err, "seccomp profile");
	char msg[256];
	yajl_val doc = yajl_tree_parse(text, msg, sizeof(msg));
	if (!doc)
		return husk_error(err, EINVAL, "seccomp profile %s: not JSON: %s", path, msg);
	yajl_val obj = seccomp_object(doc);
	if (!obj || !YAJL_IS_OBJECT(obj)) {
		yajl_tree_free(doc);
		return husk_error(err, EINVAL,
				  "seccomp profile %s: expected a linux.seccomp object", path);
	}
	*tree = doc;
	*seccomp = obj;
	return 0;
}

int husk_seccomp_profile_load(const char *which, yajl_val *tree, yajl_val *seccomp, husk_err *err)
{
	cleanup_free char *found = NULL;
	const char *path = which;
	if (husk_seccomp_profile_is_builtin(which)) {
		if (find_builtin(which, &found, err) < 0)
			return -1;
		path = found;
	}
	return parse_profile(path, tree, seccomp, err);
}
