/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cgroup.h"
#include "unit.h"

/* ---- single values and key value files ------------------------------------- */

START_TEST(single_value)
{
	uint64_t v;
	ck_assert_int_eq(husk_cgroup_parse_value("4096\n", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(husk_cgroup_parse_value("max\n", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(husk_cgroup_parse_value("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	/* Kernel bugs make some counters negative: read as 0, as runc does. */
	ck_assert_int_eq(husk_cgroup_parse_value("-4096\n", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(husk_cgroup_parse_value("-99999999999999999999999", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(husk_cgroup_parse_value("", &v), -1);
	ck_assert_int_eq(husk_cgroup_parse_value("\n", &v), -1);
	ck_assert_int_eq(husk_cgroup_parse_value("12 34", &v), -1);
	ck_assert_int_eq(husk_cgroup_parse_value("12k", &v), -1);
	ck_assert_int_eq(husk_cgroup_parse_value("-", &v), -1);
	ck_assert_int_eq(husk_cgroup_parse_value("18446744073709551616", &v), -1);
}
END_TEST

START_TEST(kv_memory_stat)
{
	struct husk_arena a = { 0 };
	struct husk_cgroup_kvv kv;
	uint64_t v;
	ck_assert_int_eq(husk_cgroup_parse_kv("cache 8192\nrss 4096\nhierarchical_memory_limit 9223372036854771712\n"
					      "total_swap 0\n", &a, &kv), 0);
	ck_assert_uint_eq(kv.n, 4);
	ck_assert_str_eq(kv.v[0].key, "cache");
	ck_assert(husk_cgroup_kv_get(&kv, "rss", &v));
	ck_assert_uint_eq(v, 4096);
	ck_assert(husk_cgroup_kv_get(&kv, "hierarchical_memory_limit", &v));
	ck_assert_uint_eq(v, 9223372036854771712ULL);
	ck_assert(!husk_cgroup_kv_get(&kv, "mapped_file", &v));
	/* No trailing newline, an empty file. */
	ck_assert_int_eq(husk_cgroup_parse_kv("usage_usec 1500", &a, &kv), 0);
	ck_assert_uint_eq(kv.n, 1);
	ck_assert_uint_eq(kv.v[0].value, 1500);
	ck_assert_int_eq(husk_cgroup_parse_kv("", &a, &kv), 0);
	ck_assert_uint_eq(kv.n, 0);
	husk_arena_release(&a);
}
END_TEST

START_TEST(kv_malformed)
{
	struct husk_arena a = { 0 };
	struct husk_cgroup_kvv kv;
	ck_assert_int_eq(husk_cgroup_parse_kv("cache\n", &a, &kv), -1);
	ck_assert_int_eq(husk_cgroup_parse_kv("cache 1 2\n", &a, &kv), -1);
	ck_assert_int_eq(husk_cgroup_parse_kv("cache x\n", &a, &kv), -1);
	ck_assert_int_eq(husk_cgroup_parse_kv(" 1\n", &a, &kv), -1);
	husk_arena_release(&a);
}
END_TEST

/* ---- cpu -------------------------------------------------------------------- */

START_TEST(percpu_list)
{
	struct husk_arena a = { 0 };
	struct husk_u64v l;
	ck_assert_int_eq(husk_cgroup_parse_u64_list("5865290740212 6242649700848 \n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.v[0], 5865290740212ULL);
	ck_assert_uint_eq(l.v[1], 6242649700848ULL);
	ck_assert_int_eq(husk_cgroup_parse_u64_list("\n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(husk_cgroup_parse_u64_list("1 -2\n", &a, &l), -1);
	husk_arena_release(&a);
}
END_TEST

START_TEST(cpuacct_stat)
{
	uint64_t user, sys;
	/* USER_HZ ticks (1/100 s) to nanoseconds. */
	ck_assert_int_eq(husk_cgroup_parse_cpuacct_stat("user 716145\nsystem 494648\n", &user, &sys), 0);
	ck_assert_uint_eq(user, 7161450000000ULL);
	ck_assert_uint_eq(sys, 4946480000000ULL);
	ck_assert_int_eq(husk_cgroup_parse_cpuacct_stat("system 1\nuser 2\n", &user, &sys), -1);
	ck_assert_int_eq(husk_cgroup_parse_cpuacct_stat("user 1\n", &user, &sys), -1);
	ck_assert_int_eq(husk_cgroup_parse_cpuacct_stat("user x\nsystem 1\n", &user, &sys), -1);
}
END_TEST

START_TEST(cpu_list)
{
	struct husk_arena a = { 0 };
	struct husk_u16v l;
	ck_assert_int_eq(husk_cgroup_parse_cpu_list("0-3,8,10-11\n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 7);
	uint16_t want[] = { 0, 1, 2, 3, 8, 10, 11 };
	for (size_t i = 0; i < l.n; i++)
		ck_assert_uint_eq(l.v[i], want[i]);
	ck_assert_int_eq(husk_cgroup_parse_cpu_list("0\n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(husk_cgroup_parse_cpu_list("\n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(husk_cgroup_parse_cpu_list("3-1\n", &a, &l), -1);
	ck_assert_int_eq(husk_cgroup_parse_cpu_list("1-2-3\n", &a, &l), -1);
	ck_assert_int_eq(husk_cgroup_parse_cpu_list("65536\n", &a, &l), -1);
	ck_assert_int_eq(husk_cgroup_parse_cpu_list("a\n", &a, &l), -1);
	husk_arena_release(&a);
}
END_TEST

/* ---- block I/O ----------------------------------------------------------------- */

START_TEST(blkio_v1)
{
	struct husk_arena a = { 0 };
	struct husk_blkio_list l;
	ck_assert_int_eq(husk_cgroup_parse_blkio("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n"
						 "8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_uint_eq(l.v[0].major, 8);
	ck_assert_uint_eq(l.v[0].minor, 0);
	ck_assert_str_eq(l.v[0].op, "Read");
	ck_assert_uint_eq(l.v[0].value, 4096);
	ck_assert_str_eq(l.v[5].op, "Total");
	/* Files without an operation column (blkio.time, blkio.sectors). */
	ck_assert_int_eq(husk_cgroup_parse_blkio("253:1 77\n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].major, 253);
	ck_assert_uint_eq(l.v[0].minor, 1);
	ck_assert_ptr_null(l.v[0].op);
	ck_assert_uint_eq(l.v[0].value, 77);
	/* What a cgroup without I/O holds. */
	ck_assert_int_eq(husk_cgroup_parse_blkio("Total 0\n", &a, &l), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(husk_cgroup_parse_blkio("8:0\n", &a, &l), -1);
	ck_assert_int_eq(husk_cgroup_parse_blkio("8:x Read 1\n", &a, &l), -1);
	ck_assert_int_eq(husk_cgroup_parse_blkio("8:0 Read 1 2\n", &a, &l), -1);
	husk_arena_release(&a);
}
END_TEST

START_TEST(io_stat_v2)
{
	struct husk_arena a = { 0 };
	struct husk_blkio_list bytes, ios;
	ck_assert_int_eq(husk_cgroup_parse_io_stat("259:0 rbytes=1048576 wbytes=2097152 rios=16 wios=32 dbytes=0 dios=0\n"
						   "8:16 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
						   &a, &bytes, &ios), 0);
	ck_assert_uint_eq(bytes.n, 4);
	ck_assert_uint_eq(ios.n, 4);
	ck_assert_uint_eq(bytes.v[0].major, 259);
	ck_assert_str_eq(bytes.v[0].op, "Read");
	ck_assert_uint_eq(bytes.v[0].value, 1048576);
	ck_assert_str_eq(bytes.v[1].op, "Write");
	ck_assert_uint_eq(bytes.v[1].value, 2097152);
	ck_assert_str_eq(ios.v[1].op, "Write");
	ck_assert_uint_eq(ios.v[1].value, 32);
	ck_assert_uint_eq(bytes.v[2].major, 8);
	ck_assert_uint_eq(bytes.v[2].minor, 16);
	ck_assert_int_eq(husk_cgroup_parse_io_stat("", &a, &bytes, &ios), 0);
	ck_assert_uint_eq(bytes.n + ios.n, 0);
	ck_assert_int_eq(husk_cgroup_parse_io_stat("8:0 rbytes=x\n", &a, &bytes, &ios), -1);
	husk_arena_release(&a);
}
END_TEST

START_TEST(hugetlb_size)
{
	char size[16];
	ck_assert(husk_cgroup_hugetlb_size("hugetlb.2MB.usage_in_bytes", "usage_in_bytes", size, sizeof(size)));
	ck_assert_str_eq(size, "2MB");
	ck_assert(husk_cgroup_hugetlb_size("hugetlb.1GB.current", "current", size, sizeof(size)));
	ck_assert_str_eq(size, "1GB");
	ck_assert(!husk_cgroup_hugetlb_size("hugetlb.2MB.rsvd.usage_in_bytes", "usage_in_bytes", size, sizeof(size)));
	ck_assert(!husk_cgroup_hugetlb_size("hugetlb.2MB.max_usage_in_bytes", "usage_in_bytes", size, sizeof(size)));
	ck_assert(!husk_cgroup_hugetlb_size("hugetlb..current", "current", size, sizeof(size)));
	ck_assert(!husk_cgroup_hugetlb_size("memory.current", "current", size, sizeof(size)));
}
END_TEST

/* ---- JSON ------------------------------------------------------------------------- */

static char *event(const char *type, const struct husk_cgroup_stats *s)
{
	husk_err err = NULL;
	char *json = NULL;
	ck_assert_int_eq(husk_cgroup_event_json(type, "c1", s, &json, &err), 0);
	ck_assert_ptr_null(err);
	return json;
}

START_TEST(json_oom)
{
	char *json = event("oom", NULL);
	ck_assert_str_eq(json, "{\"type\":\"oom\",\"id\":\"c1\"}");
	free(json);
}
END_TEST

/* Zeros are left out where runc's fields are "omitempty", kept elsewhere. */
START_TEST(json_empty_stats)
{
	struct husk_cgroup_stats s = { 0 };
	char *json = event("stats", &s);
	ck_assert_str_eq(json, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
			       "\"cpu\":{\"usage\":{\"kernel\":0,\"user\":0},\"throttling\":{}},"
			       "\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
			       "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
			       "\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
			       "\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},"
			       "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
			       "\"pids\":{},\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}");
	free(json);
}
END_TEST

START_TEST(json_full_stats)
{
	uint64_t percpu[] = { 30, 12 }, kernel[] = { 10, 2 }, user[] = { 20, 10 };
	uint16_t cpus[] = { 0, 1 }, mems[] = { 0 };
	struct husk_cgroup_kv raw[] = { { "cache", 8192 }, { "rss", 4096 } };
	struct husk_blkio_entry bytes[] = { { 8, 0, "Read", 4096 }, { 8, 0, "Write", 0 } };
	struct husk_hugetlb_usage huge[] = { { "1GB", 0, 0, 0 }, { "2MB", 2097152, 4194304, 1 } };
	struct husk_cgroup_stats s = { 0 };
	s.cpu.total = 42;
	s.cpu.kernel = 12;
	s.cpu.user = 30;
	s.cpu.percpu = (struct husk_u64v){ percpu, 2 };
	s.cpu.percpu_kernel = (struct husk_u64v){ kernel, 2 };
	s.cpu.percpu_user = (struct husk_u64v){ user, 2 };
	s.cpu.periods = 5;
	s.cpu.throttled_periods = 2;
	s.cpu.throttled_time = 1000;
	s.cpuset.cpus = (struct husk_u16v){ cpus, 2 };
	s.cpuset.mems = (struct husk_u16v){ mems, 1 };
	s.cpuset.sched_load_balance = 1;
	s.cpuset.sched_relax_domain_level = -1;
	s.memory.cache = 8192;
	s.memory.usage = (struct husk_memory_usage){ 16777216, 12288, 65536, 3 };
	s.memory.swap = (struct husk_memory_usage){ UINT64_MAX, 12288, 65536, 0 };
	s.memory.raw = (struct husk_cgroup_kvv){ raw, 2 };
	s.pids.current = 3;
	s.blkio[HUSK_BLKIO_SERVICE_BYTES] = (struct husk_blkio_list){ bytes, 2 };
	s.hugetlb.v = huge;
	s.hugetlb.n = 2;
	char *json = event("stats", &s);
	ck_assert_str_eq(json, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
			       "\"cpu\":{\"usage\":{\"total\":42,\"percpu\":[30,12],\"percpu_kernel\":[10,2],"
			       "\"percpu_user\":[20,10],\"kernel\":12,\"user\":30},"
			       "\"throttling\":{\"periods\":5,\"throttledPeriods\":2,\"throttledTime\":1000}},"
			       "\"cpuset\":{\"cpus\":[0,1],\"cpu_exclusive\":0,\"mems\":[0],\"mem_hardwall\":0,"
			       "\"mem_exclusive\":0,\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
			       "\"memory_pressure\":0,\"sched_load_balance\":1,\"sched_relax_domain_level\":-1},"
			       "\"memory\":{\"cache\":8192,\"usage\":{\"limit\":16777216,\"usage\":12288,\"max\":65536,"
			       "\"failcnt\":3},\"swap\":{\"limit\":18446744073709551615,\"usage\":12288,\"max\":65536,"
			       "\"failcnt\":0},\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
			       "\"raw\":{\"cache\":8192,\"rss\":4096}},"
			       "\"pids\":{\"current\":3},"
			       "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096},"
			       "{\"major\":8,\"op\":\"Write\"}]},"
			       "\"hugetlb\":{\"1GB\":{\"failcnt\":0},\"2MB\":{\"usage\":2097152,\"max\":4194304,\"failcnt\":1}},"
			       "\"intel_rdt\":{},\"network_interfaces\":null}}");
	free(json);
}
END_TEST

Suite *cgroup_stats_suite(void)
{
	Suite *s = suite_create("cgroup_stats");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, single_value);
	tcase_add_test(tc, kv_memory_stat);
	tcase_add_test(tc, kv_malformed);
	tcase_add_test(tc, percpu_list);
	tcase_add_test(tc, cpuacct_stat);
	tcase_add_test(tc, cpu_list);
	tcase_add_test(tc, blkio_v1);
	tcase_add_test(tc, io_stat_v2);
	tcase_add_test(tc, hugetlb_size);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, json_oom);
	tcase_add_test(tc, json_empty_stats);
	tcase_add_test(tc, json_full_stats);
	suite_add_tcase(s, tc);
	return s;
}
