/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cgroup.h"
#include "unit.h"

/* ---- conversions ---------------------------------------------------------- */

START_TEST(shares_to_weight)
{
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(0), 0);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(2), 1);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(1024), 39);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(262144), 10000);
	/* Out of range values are clamped to the bounds. */
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(1), 1);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(1000000), 10000);
}
END_TEST

START_TEST(blkio_weight)
{
	ck_assert_uint_eq(husk_cgroup_blkio_to_io_weight(10), 1);
	ck_assert_uint_eq(husk_cgroup_blkio_to_io_weight(1000), 10000);
	ck_assert_uint_eq(husk_cgroup_blkio_to_io_weight(500), 4950);
}
END_TEST

START_TEST(swap_arithmetic)
{
	husk_err err = NULL;
	int64_t out;
	ck_assert_int_eq(husk_cgroup_swap_to_v2(100, 300, &out, &err), 0);
	ck_assert_int_eq(out, 200);
	ck_assert_int_eq(husk_cgroup_swap_to_v2(100, 100, &out, &err), 0);
	ck_assert_int_eq(out, 0);
	ck_assert_int_eq(husk_cgroup_swap_to_v2(100, -1, &out, &err), 0);
	ck_assert_int_eq(out, -1);
	ck_assert_int_eq(husk_cgroup_swap_to_v2(100, 0, &out, &err), 0);
	ck_assert_int_eq(out, 0);
	ck_assert_int_eq(husk_cgroup_swap_to_v2(-1, 0, &out, &err), 0);
	ck_assert_int_eq(out, -1);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(husk_cgroup_swap_to_v2(200, 100, &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "linux.resources.memory.swap"));
	husk_error_free(&err);
	ck_assert_int_eq(husk_cgroup_swap_to_v2(0, 100, &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "needs a memory limit"));
	husk_error_free(&err);
	ck_assert_int_eq(husk_cgroup_swap_to_v2(-1, 100, &out, &err), -1);
	husk_error_free(&err);
}
END_TEST

START_TEST(pids_max)
{
	char buf[32];
	husk_cgroup_pids_max(10, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10");
	husk_cgroup_pids_max(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "max");
	husk_cgroup_pids_max(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "max");
	husk_cgroup_limit_str(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "max");
	husk_cgroup_limit_str(4096, buf, sizeof(buf));
	ck_assert_str_eq(buf, "4096");
}
END_TEST

START_TEST(cpu_max)
{
	char buf[64];
	struct husk_cpu c = { 0 };
	c.quota.set = true;
	c.quota.v = 50000;
	husk_cgroup_cpu_max(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "50000 100000");
	c.period.set = true;
	c.period.v = 200000;
	husk_cgroup_cpu_max(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "50000 200000");
	c.quota.v = -1;
	husk_cgroup_cpu_max(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "max 200000");
	c.quota.set = false;
	husk_cgroup_cpu_max(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "max 200000");
}
END_TEST

/* ---- cgroupsPath ---------------------------------------------------------- */

static char *resolve_ok(const char *in, const char *id)
{
	husk_err err = NULL;
	char *out = NULL;
	ck_assert_int_eq(husk_cgroup_resolve_path(in, id, false, &out, &err), 0);
	ck_assert_ptr_null(err);
	return out;
}

static void resolve_fails(const char *in, bool systemd, const char *msg)
{
	husk_err err = NULL;
	char *out = NULL;
	ck_assert_int_eq(husk_cgroup_resolve_path(in, "c1", systemd, &out, &err), -1);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, msg), "\"%s\" not in \"%s\"", msg, err->msg);
	husk_error_free(&err);
}

START_TEST(path_forms)
{
	char *p;
	p = resolve_ok(NULL, "c1");
	ck_assert_str_eq(p, "/husk/c1");
	free(p);
	p = resolve_ok("", "c2");
	ck_assert_str_eq(p, "/husk/c2");
	free(p);
	p = resolve_ok("/a/b", "c1");
	ck_assert_str_eq(p, "/a/b");
	free(p);
	p = resolve_ok("a/b", "c1");
	ck_assert_str_eq(p, "/a/b");
	free(p);
	p = resolve_ok("//a/./b/", "c1");
	ck_assert_str_eq(p, "/a/b");
	free(p);
	p = resolve_ok("/a/..b/c..", "c1");
	ck_assert_str_eq(p, "/a/..b/c..");
	free(p);
}
END_TEST

START_TEST(path_refused)
{
	resolve_fails("system.slice:husk:c1", false, "systemd cgroup paths are not supported yet");
	resolve_fails(NULL, true, "systemd cgroup paths are not supported yet");
	resolve_fails("/a/../../etc", false, "\"..\"");
	resolve_fails("..", false, "\"..\"");
	resolve_fails("a/..", false, "\"..\"");
	resolve_fails("/", false, "root cgroup");
	resolve_fails("/./", false, "root cgroup");
}
END_TEST

START_TEST(requested)
{
	struct husk_resources r = { 0 };
	struct husk_pids pids = { .limit = 1 };
	struct husk_memory mem = { 0 };
	ck_assert_ptr_null(husk_cgroup_requested_resource(NULL));
	ck_assert_ptr_null(husk_cgroup_requested_resource(&r));
	r.pids = &pids;
	ck_assert_str_eq(husk_cgroup_requested_resource(&r), "linux.resources.pids");
	r.memory = &mem;
	ck_assert_str_eq(husk_cgroup_requested_resource(&r), "linux.resources.memory");
}
END_TEST

START_TEST(no_cgroups_refuses_limits)
{
	husk_err err = NULL;
	struct husk_log log = { .fd = -1, .level = HUSK_LOG_ERROR };
	struct husk_resources r = { 0 };
	struct husk_pids pids = { .limit = 1 };
	ck_assert_int_eq(husk_cgroup_create(HUSK_CGROUP_NONE, NULL, &r, &log, NULL, &err), 0);
	r.pids = &pids;
	ck_assert_int_eq(husk_cgroup_create(HUSK_CGROUP_NONE, NULL, &r, &log, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "linux.resources.pids: no cgroup hierarchy"));
	husk_error_free(&err);
}
END_TEST

START_TEST(update_sizes)
{
	static const struct { const char *in; int64_t out; } ok[] = {
		{ "0", 0 }, { "4096", 4096 }, { "-1", -1 }, { "64m", 64 << 20 }, { "64M", 64 << 20 },
		{ "1g", 1LL << 30 }, { "2GiB", 2LL << 30 }, { "3kb", 3 << 10 }, { "7b", 7 }, { "1t", 1LL << 40 },
	};
	static const char *const bad[] = { "", "m", "1x", "-2", "1.5g", "1 g", "64mm", "99999999999999999999",
					   "9000000p", " 1" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t v = 42;
		ck_assert_msg(husk_parse_size(ok[i].in, &v) == 0 && v == ok[i].out, "%s", ok[i].in);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v;
		ck_assert_msg(husk_parse_size(bad[i], &v) < 0, "%s", bad[i]);
	}
}
END_TEST

START_TEST(update_resources_document)
{
	husk_err err = NULL;
	struct husk_log log = { .fd = -1, .level = HUSK_LOG_ERROR };
	struct husk_config *cfg = NULL;
	const char *good = "{\"memory\": {\"limit\": 1048576, \"checkBeforeUpdate\": true}, \"pids\": {\"limit\": 3}}";
	ck_assert_int_eq(husk_config_parse_resources(good, strlen(good), &log, &cfg, &err), 0);
	const struct husk_resources *r = cfg->linux_cfg->resources;
	ck_assert(r->memory && r->memory->limit.set && r->memory->limit.v == 1048576);
	ck_assert(r->memory->check_before_update.v);
	ck_assert(r->pids && r->pids->limit == 3 && !r->cpu);
	husk_config_free(&cfg);
	const char *bad = "{\"cpu\": {\"shares\": -1}, \"nope\": 1}";
	ck_assert_int_eq(husk_config_parse_resources(bad, strlen(bad), &log, &cfg, &err), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(err->msg, "resources: linux.resources.cpu.shares"));
	husk_error_free(&err);
}
END_TEST

Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("convert");
	tcase_add_test(tc, shares_to_weight);
	tcase_add_test(tc, blkio_weight);
	tcase_add_test(tc, swap_arithmetic);
	tcase_add_test(tc, pids_max);
	tcase_add_test(tc, cpu_max);
	suite_add_tcase(s, tc);
	tc = tcase_create("path");
	tcase_add_test(tc, path_forms);
	tcase_add_test(tc, path_refused);
	tcase_add_test(tc, requested);
	tcase_add_test(tc, no_cgroups_refuses_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("update");
	tcase_add_test(tc, update_sizes);
	tcase_add_test(tc, update_resources_document);
	suite_add_tcase(s, tc);
	return s;
}
