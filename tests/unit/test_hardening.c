/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "husk/config.h"
#include "husk/hardening.h"
#include "husk/spec.h"
#include "husk/spec_hardened.h"
#include "husk/util.h"
#include "unit.h"

#define GET(v, ...) yajl_tree_get((v), (const char *[]){ __VA_ARGS__, NULL }, yajl_t_any)

static const struct husk_log quiet = { .fd = -1, .format = HUSK_LOG_TEXT, .level = HUSK_LOG_ERROR };

static char *seccomp_fixture(void)
{
	const char *dir = getenv("HUSK_FIXTURES");
	ck_assert_msg(dir != NULL, "HUSK_FIXTURES is not set (run through `make check-unit`)");
	char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/seccomp/deny-admin.json", dir), 0);
	return path;
}

static char *hardened_json(struct husk_hardened_spec *h)
{
	cleanup_error husk_err err = NULL;
	char *json = NULL;
	size_t len;
	ck_assert_msg(husk_spec_generate_hardened(h, &quiet, &json, &len, &err) == 0, "%s",
		      err ? err->msg : "?");
	return json;
}

static struct husk_config *parse(const char *json)
{
	cleanup_error husk_err err = NULL;
	struct husk_config *cfg = NULL;
	ck_assert_msg(husk_config_parse(json, strlen(json), &quiet, &cfg, &err) == 0, "%s",
		      err ? err->msg : "?");
	return cfg;
}

static bool has_finding(const struct husk_findings *f, const char *line)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i], line) == 0)
			return true;
	return false;
}

/* ---- parsing the flags' values ---------------------------------------- */

START_TEST(cpus_parse)
{
	static const struct { const char *in; int64_t quota; } ok[] = {
		{ "1", 100000 }, { "0.5", 50000 }, { "2.25", 225000 }, { "0.01", 1000 },
		{ "1.0", 100000 }, { "16", 1600000 },
	};
	static const char *const bad[] = { "", "0", "0.0", "-1", "abc", "1.", ".5", "1e3",
					   "0.001", "1,5", "999999999", " 1" };
	int64_t q;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		ck_assert_msg(husk_parse_cpus(ok[i].in, 100000, &q) == 0, "%s", ok[i].in);
		ck_assert_msg(q == ok[i].quota, "%s: %lld", ok[i].in, (long long)q);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(husk_parse_cpus(bad[i], 100000, &q) < 0, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(size_units)
{
	int64_t v;
	ck_assert_int_eq(husk_parse_size("512m", &v), 0);
	ck_assert_int_eq(v, 512LL << 20);
	ck_assert_int_eq(husk_parse_size("1g", &v), 0);
	ck_assert_int_eq(v, 1LL << 30);
	ck_assert_int_eq(husk_parse_size("64k", &v), 0);
	ck_assert_int_eq(v, 64LL << 10);
	ck_assert_int_lt(husk_parse_size("12x", &v), 0);
	ck_assert_int_lt(husk_parse_size("m", &v), 0);
}
END_TEST

START_TEST(tmpfs_add_replaces_same_destination)
{
	struct husk_hardened_spec h;
	cleanup_error husk_err err = NULL;
	husk_hardened_defaults(&h);
	ck_assert_int_eq(husk_hardened_add_tmpfs(&h, "/tmp", "size=1m", &err), 0);
	ck_assert_int_eq(husk_hardened_add_tmpfs(&h, "/run", NULL, &err), 0);
	ck_assert_uint_eq(h.n_tmpfs, 3);
	ck_assert_str_eq(h.tmpfs[0].options, "size=1m");
	ck_assert_str_eq(h.tmpfs[2].destination, "/run");
	ck_assert_str_eq(h.tmpfs[2].options, HUSK_HARDENED_TMPFS_OPTIONS);
	ck_assert_int_lt(husk_hardened_add_tmpfs(&h, "relative", NULL, &err), 0);
}
END_TEST

/* ---- the document ----------------------------------------------------- */

START_TEST(hardened_document)
{
	cleanup_free char *profile = seccomp_fixture();
	struct husk_hardened_spec h;
	husk_hardened_defaults(&h);
	h.seccomp = profile;
	cleanup_free char *json = hardened_json(&h);
	cleanup_config struct husk_config *cfg = parse(json);
	const struct husk_process *p = cfg->process;
	ck_assert_uint_eq(p->user.uid, 10001);
	ck_assert_uint_eq(p->user.gid, 10001);
	ck_assert(p->no_new_privileges);
	ck_assert(cfg->root->readonly);
	const uint64_t bind = 1ULL << 10;
	ck_assert_uint_eq(p->capabilities->bounding, bind);
	ck_assert_uint_eq(p->capabilities->effective, bind);
	ck_assert_uint_eq(p->capabilities->permitted, bind);
	ck_assert_uint_eq(p->capabilities->ambient, bind);
	ck_assert_uint_eq(p->capabilities->inheritable, bind);
	const struct husk_resources *r = cfg->linux_cfg->resources;
	ck_assert_int_eq(r->memory->limit.v, 512LL << 20);
	ck_assert_int_eq(r->memory->reservation.v, 256LL << 20);
	ck_assert_int_eq(r->cpu->quota.v, 100000);
	ck_assert_uint_eq(r->cpu->period.v, 100000);
	ck_assert_int_eq(r->pids->limit, 1024);
	ck_assert_ptr_nonnull(cfg->linux_cfg->seccomp);
	ck_assert_str_eq(husk_map_get(&cfg->annotations, "run.oci.husk.init"), "true");
}
END_TEST

START_TEST(hardened_root_user_has_no_ambient)
{
	struct husk_hardened_spec h;
	husk_hardened_defaults(&h);
	h.seccomp = "unconfined";
	h.uid = 0;
	h.gid = 0;
	h.init = false;
	cleanup_free char *json = hardened_json(&h);
	cleanup_config struct husk_config *cfg = parse(json);
	ck_assert_uint_eq(cfg->process->capabilities->ambient, 0);
	ck_assert_uint_eq(cfg->process->capabilities->inheritable, 0);
	ck_assert_ptr_null(cfg->linux_cfg->seccomp);
	ck_assert_ptr_null(husk_map_get(&cfg->annotations, "run.oci.husk.init"));
}
END_TEST

START_TEST(hardened_tmpfs_options)
{
	struct husk_hardened_spec h;
	cleanup_error husk_err err = NULL;
	husk_hardened_defaults(&h);
	h.seccomp = "unconfined";
	ck_assert_int_eq(husk_hardened_add_tmpfs(&h, "/run", "nosuid,size=1m", &err), 0);
	cleanup_free char *json = hardened_json(&h);
	char errbuf[128];
	yajl_val root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	ck_assert_ptr_nonnull(root);
	yajl_val mounts = GET(root, "mounts");
	size_t n = YAJL_GET_ARRAY(mounts)->len;
	yajl_val last = YAJL_GET_ARRAY(mounts)->values[n - 1];
	ck_assert_str_eq(YAJL_GET_STRING(GET(last, "destination")), "/run");
	yajl_val opts = GET(last, "options");
	ck_assert_uint_eq(YAJL_GET_ARRAY(opts)->len, 2);
	ck_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(opts)->values[1]), "size=1m");
	yajl_val tmp = YAJL_GET_ARRAY(mounts)->values[n - 3];
	ck_assert_str_eq(YAJL_GET_STRING(GET(tmp, "destination")), "/tmp");
	yajl_tree_free(root);
}
END_TEST

START_TEST(hardened_missing_profile_names_paths)
{
	struct husk_hardened_spec h;
	cleanup_error husk_err err = NULL;
	husk_hardened_defaults(&h);
	h.seccomp = "/nonexistent/profile.json";
	char *json = NULL;
	size_t len;
	ck_assert_int_lt(husk_spec_generate_hardened(&h, &quiet, &json, &len, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "/nonexistent/profile.json"));
}
END_TEST

/* ---- findings --------------------------------------------------------- */

START_TEST(findings_on_runc_default)
{
	cleanup_free char *json = NULL;
	size_t len;
	cleanup_error husk_err err = NULL;
	ck_assert_int_eq(husk_spec_generate(false, &json, &len, &err), 0);
	cleanup_config struct husk_config *cfg = parse(json);
	cleanup_findings struct husk_findings f = { NULL, 0 };
	ck_assert_int_eq(husk_hardening_check(cfg, &f, &err), 0);
	ck_assert(has_finding(&f, "process.user.uid: runs as root"));
	ck_assert(has_finding(&f, "process.capabilities.bounding: CAP_KILL is kept"));
	ck_assert(has_finding(&f, "process.capabilities.bounding: CAP_AUDIT_WRITE is kept"));
	ck_assert(!has_finding(&f, "process.capabilities.bounding: CAP_NET_BIND_SERVICE is kept"));
	ck_assert(has_finding(&f, "linux.seccomp: no seccomp filter"));
	ck_assert(has_finding(&f, "linux.resources.memory.limit: no memory limit"));
	ck_assert(has_finding(&f, "linux.resources.pids.limit: no pids limit"));
	ck_assert(has_finding(&f, "mounts: no tmpfs on /tmp"));
	ck_assert(!has_finding(&f, "root.readonly: the root filesystem is writable"));
	ck_assert(!has_finding(&f, "process.noNewPrivileges: not set"));
}
END_TEST

START_TEST(findings_on_a_bare_config)
{
	static const char json[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},"
		"\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
		"\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]}},"
		"\"mounts\":[{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\"]}]}";
	cleanup_config struct husk_config *cfg = parse(json);
	cleanup_findings struct husk_findings f = { NULL, 0 };
	cleanup_error husk_err err = NULL;
	ck_assert_int_eq(husk_hardening_check(cfg, &f, &err), 0);
	ck_assert(has_finding(&f, "root.readonly: the root filesystem is writable"));
	ck_assert(has_finding(&f, "process.noNewPrivileges: not set"));
	ck_assert(has_finding(&f, "process.capabilities.bounding: CAP_SYS_ADMIN is kept"));
	ck_assert(has_finding(&f, "mounts: the tmpfs on /tmp lacks noexec"));
	ck_assert(has_finding(&f, "linux.namespaces: no pid namespace"));
	ck_assert(has_finding(&f, "linux.maskedPaths: /proc/kcore is not masked"));
	ck_assert(has_finding(&f, "process.rlimits: no RLIMIT_NOFILE limit"));
}
END_TEST

START_TEST(no_findings_on_hardened)
{
	cleanup_free char *profile = seccomp_fixture();
	struct husk_hardened_spec h;
	husk_hardened_defaults(&h);
	h.seccomp = profile;
	cleanup_free char *json = hardened_json(&h);
	cleanup_config struct husk_config *cfg = parse(json);
	cleanup_findings struct husk_findings f = { NULL, 0 };
	cleanup_error husk_err err = NULL;
	ck_assert_int_eq(husk_hardening_check(cfg, &f, &err), 0);
	ck_assert_msg(f.n == 0, "unexpected finding: %s", f.n ? f.v[0] : "");
}
END_TEST

Suite *hardening_suite(void)
{
	Suite *s = suite_create("hardening");
	TCase *flags = tcase_create("flag values");
	tcase_add_test(flags, cpus_parse);
	tcase_add_test(flags, size_units);
	tcase_add_test(flags, tmpfs_add_replaces_same_destination);
	suite_add_tcase(s, flags);

	TCase *doc = tcase_create("hardened document");
	tcase_add_test(doc, hardened_document);
	tcase_add_test(doc, hardened_root_user_has_no_ambient);
	tcase_add_test(doc, hardened_tmpfs_options);
	tcase_add_test(doc, hardened_missing_profile_names_paths);
	suite_add_tcase(s, doc);

	TCase *findings = tcase_create("findings");
	tcase_add_test(findings, findings_on_runc_default);
	tcase_add_test(findings, findings_on_a_bare_config);
	tcase_add_test(findings, no_findings_on_hardened);
	suite_add_tcase(s, findings);
	return s;
}
