/* SPDX-License-Identifier: Apache-2.0 */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "husk/config.h"
#include "husk/features.h"
#include "husk/util.h"
#include "unit.h"

#define GET(v, ...) yajl_tree_get((v), (const char *[]){ __VA_ARGS__, NULL }, yajl_t_any)

static yajl_val render(const struct husk_features *f, char **text)
{
	husk_err err = NULL;
	size_t len = 0;
	char errbuf[256];
	ck_assert_int_eq(husk_features_json(f, text, &len, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(len, strlen(*text));
	ck_assert_msg(len > 0 && (*text)[len - 1] == '\n', "no final newline");
	yajl_val root = yajl_tree_parse(*text, errbuf, sizeof(errbuf));
	ck_assert_msg(root != NULL, "features output is not JSON: %s", errbuf);
	ck_assert(YAJL_IS_OBJECT(root));
	return root;
}

static bool has_key(yajl_val obj, const char *key)
{
	for (size_t i = 0; i < YAJL_GET_OBJECT(obj)->len; i++)
		if (strcmp(YAJL_GET_OBJECT(obj)->keys[i], key) == 0)
			return true;
	return false;
}

/* ---- this build's document -------------------------------------------- */

START_TEST(features_versions)
{
	struct husk_features f;
	husk_err err = NULL;
	ck_assert_int_eq(husk_features_init(&f, &err), 0);
	ck_assert_str_eq(f.oci_version_min, HUSK_OCI_VERSION_MIN);
	ck_assert_str_eq(f.oci_version_max, HUSK_OCI_VERSION);
	cleanup_free char *text = NULL;
	yajl_val root = render(&f, &text);
	ck_assert_str_eq(YAJL_GET_STRING(GET(root, "ociVersionMin")), "1.0.0");
	ck_assert_str_eq(YAJL_GET_STRING(GET(root, "ociVersionMax")), HUSK_OCI_VERSION);
	yajl_tree_free(root);
	husk_features_release(&f);
}
END_TEST

static bool list_has(yajl_val list, const char *name)
{
	if (!list || !YAJL_IS_ARRAY(list))
		return false;
	for (size_t i = 0; i < list->u.array.len; i++) {
		yajl_val v = list->u.array.values[i];
		if (YAJL_IS_STRING(v) && strcmp(v->u.string, name) == 0)
			return true;
	}
	return false;
}

/*
 * What husk applies is listed; what it refuses or ignores is not: cgroup
 * v1 and v2 but no systemd cgroups, no netDevices or intelRdt
 * (refused), no SELinux (mount labels are not applied), no seccomp notify
 * (no listener is served).
 */
START_TEST(features_claims_only_what_is_implemented)
{
	struct husk_features f;
	husk_err err = NULL;
	ck_assert_int_eq(husk_features_init(&f, &err), 0);
	cleanup_free char *text = NULL;
	yajl_val root = render(&f, &text);
	ck_assert(list_has(GET(root, "hooks"), "createRuntime"));
	ck_assert(list_has(GET(root, "mountOptions"), "rbind"));
	ck_assert(list_has(GET(root, "mountOptions"), "tmpcopyup"));
	yajl_val lx = GET(root, "linux");
	ck_assert(YAJL_IS_OBJECT(lx));
	ck_assert(list_has(GET(lx, "namespaces"), "time"));
	ck_assert(list_has(GET(lx, "capabilities"), "CAP_CHECKPOINT_RESTORE"));
	ck_assert(list_has(GET(lx, "seccomp", "actions"), "SCMP_ACT_ERRNO"));
	ck_assert(!list_has(GET(lx, "seccomp", "actions"), "SCMP_ACT_NOTIFY"));
	ck_assert(YAJL_IS_TRUE(GET(lx, "mountExtensions", "idmap", "enabled")));
	ck_assert(YAJL_IS_TRUE(GET(lx, "cgroup", "v1")));
	ck_assert(YAJL_IS_TRUE(GET(lx, "cgroup", "v2")));
	ck_assert(YAJL_IS_FALSE(GET(lx, "cgroup", "systemd")));
	ck_assert(YAJL_IS_FALSE(GET(lx, "cgroup", "systemdUser")));
	ck_assert(!has_key(lx, "netDevices"));
	ck_assert(!has_key(lx, "intelRdt"));
	ck_assert(!has_key(lx, "selinux"));
	ck_assert(!f.unsafe_annotations.supported);
	yajl_tree_free(root);
	husk_features_release(&f);
}
END_TEST

START_TEST(features_annotations)
{
	const struct scmp_version *v = seccomp_version();
	char expected[48];
	snprintf(expected, sizeof(expected), "%u.%u.%u", v->major, v->minor, v->micro);
	struct husk_features f;
	husk_err err = NULL;
	ck_assert_int_eq(husk_features_init(&f, &err), 0);
	cleanup_free char *text = NULL;
	yajl_val root = render(&f, &text);
	yajl_val ann = GET(root, "annotations");
	ck_assert(YAJL_IS_OBJECT(ann));
	ck_assert_uint_eq(YAJL_GET_OBJECT(ann)->len, 2);
	ck_assert_str_eq(YAJL_GET_STRING(GET(ann, "io.github.seccomp.libseccomp.version")), expected);
	ck_assert_str_eq(YAJL_GET_STRING(GET(ann, "org.opencontainers.husk.version")), HUSK_VERSION);
	yajl_tree_free(root);
	husk_features_release(&f);
}
END_TEST

START_TEST(features_release_twice)
{
	struct husk_features f;
	husk_err err = NULL;
	ck_assert_int_eq(husk_features_init(&f, &err), 0);
	husk_features_release(&f);
	husk_features_release(&f);
	ck_assert_uint_eq(f.annotations.n, 0);
}
END_TEST

/* ---- the generator, with every section switched on -------------------- */

static const char *names_ns[] = { "mount", "pid" };
static const char *names_caps[] = { "CAP_CHOWN", "CAP_KILL" };
static const char *names_act[] = { "SCMP_ACT_ALLOW" };
static const char *names_flags[] = { "SECCOMP_FILTER_FLAG_LOG" };
static const char *names_hooks[] = { "prestart", "poststop" };
static const char *names_modes[] = { "MPOL_DEFAULT" };

#define NAMES(a) { .supported = true, .v = (a), .n = sizeof(a) / sizeof((a)[0]) }

static void fill_everything(struct husk_features *f)
{
	*f = (struct husk_features){
		.oci_version_min = "1.0.0",
		.oci_version_max = "1.3.0",
		.hooks = NAMES(names_hooks),
		.linux_features = {
			.supported = true,
			.namespaces = NAMES(names_ns),
			.capabilities = NAMES(names_caps),
			.cgroup = { .supported = true, .v2 = true },
			.seccomp = { .supported = true, .enabled = true, .actions = NAMES(names_act),
				     .known_flags = NAMES(names_flags), .supported_flags = NAMES(names_flags) },
			.apparmor = { .supported = true, .enabled = false },
			.intel_rdt = { .supported = true, .enabled = true },
			.idmap_mounts = { .supported = true, .enabled = true },
			.net_devices = { .supported = true, .enabled = true },
			.memory_policy = { .supported = true, .modes = NAMES(names_modes) },
		},
	};
}

START_TEST(features_every_section)
{
	struct husk_features f;
	fill_everything(&f);
	cleanup_free char *text = NULL;
	yajl_val root = render(&f, &text);
	yajl_val ns = GET(root, "linux", "namespaces");
	ck_assert(YAJL_IS_ARRAY(ns));
	ck_assert_uint_eq(YAJL_GET_ARRAY(ns)->len, 2);
	ck_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(ns)->values[1]), "pid");
	ck_assert(YAJL_IS_ARRAY(GET(root, "hooks")));
	ck_assert(YAJL_IS_TRUE(GET(root, "linux", "cgroup", "v2")));
	ck_assert(YAJL_IS_FALSE(GET(root, "linux", "cgroup", "v1")));
	ck_assert(YAJL_IS_TRUE(GET(root, "linux", "seccomp", "enabled")));
	ck_assert(YAJL_IS_ARRAY(GET(root, "linux", "seccomp", "supportedFlags")));
	ck_assert(YAJL_IS_FALSE(GET(root, "linux", "apparmor", "enabled")));
	ck_assert(YAJL_IS_TRUE(GET(root, "linux", "mountExtensions", "idmap", "enabled")));
	ck_assert(YAJL_IS_TRUE(GET(root, "linux", "netDevices", "enabled")));
	ck_assert(YAJL_IS_TRUE(GET(root, "linux", "intelRdt", "enabled")));
	ck_assert(YAJL_IS_ARRAY(GET(root, "linux", "memoryPolicy", "modes")));
	/* Sections not marked supported stay out. */
	ck_assert_ptr_null(GET(root, "mountOptions"));
	ck_assert_ptr_null(GET(root, "linux", "selinux"));
	ck_assert_ptr_null(GET(root, "linux", "seccomp", "operators"));
	ck_assert_ptr_null(GET(root, "linux", "memoryPolicy", "flags"));
	ck_assert_ptr_null(GET(root, "annotations"));
	yajl_tree_free(root);
}
END_TEST

START_TEST(features_linux_omitted_unless_supported)
{
	struct husk_features f;
	fill_everything(&f);
	f.linux_features.supported = false;
	cleanup_free char *text = NULL;
	yajl_val root = render(&f, &text);
	ck_assert_ptr_null(GET(root, "linux"));
	ck_assert(YAJL_IS_ARRAY(GET(root, "hooks")));
	yajl_tree_free(root);
}
END_TEST

START_TEST(features_layout)
{
	struct husk_features f;
	husk_err err = NULL;
	ck_assert_int_eq(husk_features_init(&f, &err), 0);
	cleanup_free char *text = NULL;
	ck_assert_int_eq(husk_features_json(&f, &text, NULL, &err), 0);
	husk_features_release(&f);
	/* runc's layout: four-space indentation. */
	ck_assert(husk_str_has_prefix(text, "{\n    \"ociVersionMin\": \"1.0.0\",\n"));
}
END_TEST

Suite *features_suite(void)
{
	Suite *s = suite_create("features");
	TCase *build = tcase_create("this build");
	tcase_add_test(build, features_versions);
	tcase_add_test(build, features_claims_only_what_is_implemented);
	tcase_add_test(build, features_annotations);
	tcase_add_test(build, features_release_twice);
	tcase_add_test(build, features_layout);
	suite_add_tcase(s, build);

	TCase *gen = tcase_create("generator");
	tcase_add_test(gen, features_every_section);
	tcase_add_test(gen, features_linux_omitted_unless_supported);
	suite_add_tcase(s, gen);
	return s;
}
