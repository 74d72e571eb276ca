/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_FEATURES_H
#define HUSK_FEATURES_H

/*
 * The OCI features document (`husk features`): what this build of husk
 * implements.  Every section carries a `supported` flag and is left out of
 * the document unless it is set; see features.c for the rule that decides.
 */

#include <stdbool.h>
#include <stddef.h>

#include "husk/config.h"
#include "husk/error.h"
#include "husk/util.h"

/* A list of names ("hooks", "linux.capabilities", ...). */
struct husk_feature_names {
	bool supported;
	const char **v;
	size_t n;
};

/* An object of one boolean: {"enabled": true}. */
struct husk_feature_enabled {
	bool supported;
	bool enabled;
};

struct husk_cgroup_features {
	bool supported;
	bool v1;
	bool v2;
	bool systemd;
	bool systemd_user;
	bool rdma;
};

struct husk_seccomp_features {
	bool supported;
	bool enabled;
	struct husk_feature_names actions;
	struct husk_feature_names operators;
	struct husk_feature_names archs;
	struct husk_feature_names known_flags;
	struct husk_feature_names supported_flags;
};

struct husk_intel_rdt_features {
	bool supported;
	bool enabled;
	bool schemata;
	bool monitoring;
};

struct husk_memory_policy_features {
	bool supported;
	struct husk_feature_names modes;
	struct husk_feature_names flags;
};

struct husk_linux_features {
	bool supported;         /* set when any section below is */
	struct husk_feature_names namespaces;
	struct husk_feature_names capabilities;
	struct husk_cgroup_features cgroup;
	struct husk_seccomp_features seccomp;
	struct husk_feature_enabled apparmor;
	struct husk_feature_enabled selinux;
	struct husk_intel_rdt_features intel_rdt;
	struct husk_feature_enabled idmap_mounts;      /* mountExtensions.idmap */
	struct husk_feature_enabled net_devices;
	struct husk_memory_policy_features memory_policy;
};

struct husk_features {
	const char *oci_version_min;
	const char *oci_version_max;
	struct husk_feature_names hooks;
	struct husk_feature_names mount_options;
	struct husk_linux_features linux_features;  /* "linux" */
	husk_map annotations;                       /* sorted by key */
	struct husk_feature_names unsafe_annotations; /* potentiallyUnsafeConfigAnnotations */

	struct husk_arena arena;                    /* owns the lists */
};

/* Fill *f for this build.  Release with husk_features_release(). */
int husk_features_init(struct husk_features *f, husk_err *err);
void husk_features_release(struct husk_features *f);

/*
 * The document as pretty-printed JSON ending in a newline, in a new
 * NUL-terminated string the caller frees.
 */
int husk_features_json(const struct husk_features *f, char **json_out, size_t *len, husk_err *err);

#endif
