/* SPDX-License-Identifier: Apache-2.0 */
/* Statistics on cgroup v1: one directory per controller. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cgroup_internal.h"
#include "husk/util.h"

/* ---- cpu, cpuacct ----------------------------------------------------------- */

static int read_cpu(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	struct husk_cgroup_kvv kv;
	if (husk_cgroup_v1_dir("cpu", path, dir, sizeof(dir)) < 0)
		return 0;
	if (husk_cgroup_read_kv(dir, "cpu.stat", &s->arena, &kv, err) < 0)
		return -1;
	husk_cgroup_kv_get(&kv, "nr_periods", &s->cpu.periods);
	husk_cgroup_kv_get(&kv, "nr_throttled", &s->cpu.throttled_periods);
	husk_cgroup_kv_get(&kv, "throttled_time", &s->cpu.throttled_time);
	return 0;
}

static int read_u64_list(const char *dir, const char *file, struct husk_cgroup_stats *s, struct husk_u64v *out,
			 husk_err *err)
{
	cleanup_free char *text = NULL;
	int rc = husk_cgroup_read(dir, file, &text, err);
	if (rc <= 0)
		return rc;
	if (husk_cgroup_parse_u64_list(text, &s->arena, out) < 0)
		return husk_cgroup_malformed(dir, file, err);
	return 0;
}

static int read_cpuacct(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	cleanup_free char *text = NULL;
	if (husk_cgroup_v1_dir("cpuacct", path, dir, sizeof(dir)) < 0)
		return 0;
	int rc = husk_cgroup_read(dir, "cpuacct.stat", &text, err);
	if (rc < 0)
		return -1;
	if (rc && husk_cgroup_parse_cpuacct_stat(text, &s->cpu.user, &s->cpu.kernel) < 0)
		return husk_cgroup_malformed(dir, "cpuacct.stat", err);
	if (husk_cgroup_read_value(dir, "cpuacct.usage", &s->cpu.total, err) < 0 ||
	    read_u64_list(dir, "cpuacct.usage_percpu", s, &s->cpu.percpu, err) < 0 ||
	    read_u64_list(dir, "cpuacct.usage_percpu_sys", s, &s->cpu.percpu_kernel, err) < 0 ||
	    read_u64_list(dir, "cpuacct.usage_percpu_user", s, &s->cpu.percpu_user, err) < 0)
		return -1;
	return 0;
}

/* ---- cpuset ------------------------------------------------------------------ */

static int read_cpu_list(const char *dir, const char *file, struct husk_cgroup_stats *s, struct husk_u16v *out,
			 husk_err *err)
{
	cleanup_free char *text = NULL;
	int rc = husk_cgroup_read(dir, file, &text, err);
	if (rc <= 0)
		return rc;
	if (husk_cgroup_parse_cpu_list(text, &s->arena, out) < 0)
		return husk_cgroup_malformed(dir, file, err);
	return 0;
}

static int read_relax_domain_level(const char *dir, int64_t *out, husk_err *err)
{
	const char *file = "cpuset.sched_relax_domain_level";
	cleanup_free char *text = NULL;
	int rc = husk_cgroup_read(dir, file, &text, err);
	if (rc <= 0)
		return rc;
	text[strcspn(text, "\n")] = '\0';
	if (husk_parse_i64(text, out) < 0)
		return husk_cgroup_malformed(dir, file, err);
	return 0;
}

static int read_cpuset(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	if (husk_cgroup_v1_dir("cpuset", path, dir, sizeof(dir)) < 0)
		return 0;
	const struct {
		const char *file;
		uint64_t *to;
	} values[] = {
		{ "cpuset.cpu_exclusive", &s->cpuset.cpu_exclusive },
		{ "cpuset.mem_hardwall", &s->cpuset.mem_hardwall },
		{ "cpuset.mem_exclusive", &s->cpuset.mem_exclusive },
		{ "cpuset.memory_migrate", &s->cpuset.memory_migrate },
		{ "cpuset.memory_spread_page", &s->cpuset.memory_spread_page },
		{ "cpuset.memory_spread_slab", &s->cpuset.memory_spread_slab },
		{ "cpuset.memory_pressure", &s->cpuset.memory_pressure },
		{ "cpuset.sched_load_balance", &s->cpuset.sched_load_balance },
	};
	if (read_cpu_list(dir, "cpuset.cpus", s, &s->cpuset.cpus, err) < 0 ||
	    read_cpu_list(dir, "cpuset.mems", s, &s->cpuset.mems, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		if (husk_cgroup_read_value(dir, values[i].file, values[i].to, err) < 0)
			return -1;
	return read_relax_domain_level(dir, &s->cpuset.sched_relax_domain_level, err);
}

/* ---- memory -------------------------------------------------------------------- */

/* PREFIX.usage_in_bytes, .max_usage_in_bytes, .failcnt and .limit_in_bytes. */
static int read_memory_usage(const char *dir, const char *prefix, struct husk_memory_usage *u, husk_err *err)
{
	const struct {
		const char *suffix;
		uint64_t *to;
	} files[] = {
		{ "usage_in_bytes", &u->usage },
		{ "max_usage_in_bytes", &u->max },
		{ "failcnt", &u->failcnt },
		{ "limit_in_bytes", &u->limit },
	};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char file[NAME_MAX];
		snprintf(file, sizeof(file), "%s.%s", prefix, files[i].suffix);
		if (husk_cgroup_read_value(dir, file, files[i].to, err) < 0)
			return -1;
	}
	return 0;
}

static int read_memory(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	if (husk_cgroup_v1_dir("memory", path, dir, sizeof(dir)) < 0)
		return 0;
	int rc = husk_cgroup_read_kv(dir, "memory.stat", &s->arena, &s->memory.raw, err);
	if (rc <= 0)
		return rc; /* as runc: no memory.stat, no memory statistics */
	husk_cgroup_kv_get(&s->memory.raw, "cache", &s->memory.cache);
	if (read_memory_usage(dir, "memory", &s->memory.usage, err) < 0 ||
	    read_memory_usage(dir, "memory.memsw", &s->memory.swap, err) < 0 ||
	    read_memory_usage(dir, "memory.kmem", &s->memory.kernel, err) < 0 ||
	    read_memory_usage(dir, "memory.kmem.tcp", &s->memory.kernel_tcp, err) < 0)
		return -1;
	return 0;
}

/* ---- pids ------------------------------------------------------------------------ */

static int read_pids(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	if (husk_cgroup_v1_dir("pids", path, dir, sizeof(dir)) < 0)
		return 0;
	if (husk_cgroup_read_value(dir, "pids.current", &s->pids.current, err) < 0 ||
	    husk_cgroup_read_value(dir, "pids.max", &s->pids.limit, err) < 0)
		return -1;
	/* runc reports "no limit" as 0. */
	if (s->pids.limit == UINT64_MAX)
		s->pids.limit = 0;
	return 0;
}

/* ---- blkio --------------------------------------------------------------------------- */

struct blkio_file {
	const char *name;
	enum husk_blkio_table table;
};

#define BLKIO_GROUP_MAX 8

/*
 * The sets of files the kernel may provide, best first, as runc tries
 * them: BFQ with its debug files, BFQ, CFQ (before Linux 5.0), the
 * throttling layer recursive, then not recursive.
 */
static const struct blkio_file blkio_groups[][BLKIO_GROUP_MAX] = {
	{
		{ "blkio.bfq.sectors_recursive", HUSK_BLKIO_SECTORS },
		{ "blkio.bfq.io_service_time_recursive", HUSK_BLKIO_SERVICE_TIME },
		{ "blkio.bfq.io_wait_time_recursive", HUSK_BLKIO_WAIT_TIME },
		{ "blkio.bfq.io_merged_recursive", HUSK_BLKIO_MERGED },
		{ "blkio.bfq.io_queued_recursive", HUSK_BLKIO_QUEUED },
		{ "blkio.bfq.time_recursive", HUSK_BLKIO_TIME },
		{ "blkio.bfq.io_serviced_recursive", HUSK_BLKIO_SERVICED },
		{ "blkio.bfq.io_service_bytes_recursive", HUSK_BLKIO_SERVICE_BYTES },
	},
	{
		{ "blkio.bfq.io_serviced_recursive", HUSK_BLKIO_SERVICED },
		{ "blkio.bfq.io_service_bytes_recursive", HUSK_BLKIO_SERVICE_BYTES },
	},
	{
		{ "blkio.sectors_recursive", HUSK_BLKIO_SECTORS },
		{ "blkio.io_service_time_recursive", HUSK_BLKIO_SERVICE_TIME },
		{ "blkio.io_wait_time_recursive", HUSK_BLKIO_WAIT_TIME },
		{ "blkio.io_merged_recursive", HUSK_BLKIO_MERGED },
		{ "blkio.io_queued_recursive", HUSK_BLKIO_QUEUED },
		{ "blkio.time_recursive", HUSK_BLKIO_TIME },
		{ "blkio.io_serviced_recursive", HUSK_BLKIO_SERVICED },
		{ "blkio.io_service_bytes_recursive", HUSK_BLKIO_SERVICE_BYTES },
	},
	{
		{ "blkio.throttle.io_serviced_recursive", HUSK_BLKIO_SERVICED },
		{ "blkio.throttle.io_service_bytes_recursive", HUSK_BLKIO_SERVICE_BYTES },
	},
	{
		{ "blkio.throttle.io_serviced", HUSK_BLKIO_SERVICED },
		{ "blkio.throttle.io_service_bytes", HUSK_BLKIO_SERVICE_BYTES },
	},
};

/* 1 with the entries, 0 when the file is absent or empty. */
static int read_blkio_file(const char *dir, const char *file, struct husk_cgroup_stats *s,
			   struct husk_blkio_list *out, husk_err *err)
{
	cleanup_free char *text = NULL;
	int rc = husk_cgroup_read(dir, file, &text, err);
	if (rc <= 0)
		return rc;
	if (husk_cgroup_parse_blkio(text, &s->arena, out) < 0)
		return husk_cgroup_malformed(dir, file, err);
	return out->n > 0;
}

/* 1: the group is this kernel's and has been read (as far as it goes);
 * 0: its first file has nothing, try the next group. */
static int read_blkio_group(const char *dir, const struct blkio_file *group, struct husk_cgroup_stats *s,
			    husk_err *err)
{
	for (size_t i = 0; i < BLKIO_GROUP_MAX && group[i].name; i++) {
		struct husk_blkio_list list = { 0 };
		/* runc moves on from a group whose first file fails in any way. */
		cleanup_error husk_err first_err = NULL;
		int rc = read_blkio_file(dir, group[i].name, s, &list, i == 0 ? &first_err : err);
		if (rc < 0 && i > 0)
			return -1;
		if (rc <= 0)
			return i == 0 ? 0 : 1;
		s->blkio[group[i].table] = list;
	}
	return 1;
}

static int read_blkio(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	if (husk_cgroup_v1_dir("blkio", path, dir, sizeof(dir)) < 0)
		return 0;
	for (size_t g = 0; g < ARRAY_SIZE(blkio_groups); g++) {
		int rc = read_blkio_group(dir, blkio_groups[g], s, err);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	return 0;
}

/* ---- hugetlb -------------------------------------------------------------------------- */

static int read_hugetlb(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	if (husk_cgroup_v1_dir("hugetlb", path, dir, sizeof(dir)) < 0)
		return 0;
	if (husk_cgroup_hugetlb_sizes(dir, "usage_in_bytes", s, err) < 0)
		return -1;
	for (size_t i = 0; i < s->hugetlb.n; i++) {
		struct husk_hugetlb_usage *h = &s->hugetlb.v[i];
		char file[NAME_MAX];
		snprintf(file, sizeof(file), "hugetlb.%s.usage_in_bytes", h->size);
		if (husk_cgroup_read_value(dir, file, &h->usage, err) < 0)
			return -1;
		snprintf(file, sizeof(file), "hugetlb.%s.max_usage_in_bytes", h->size);
		if (husk_cgroup_read_value(dir, file, &h->max, err) < 0)
			return -1;
		snprintf(file, sizeof(file), "hugetlb.%s.failcnt", h->size);
		if (husk_cgroup_read_value(dir, file, &h->failcnt, err) < 0)
			return -1;
	}
	return 0;
}

int husk_cgroup_v1_stats(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	if (read_cpu(path, s, err) < 0 || read_cpuacct(path, s, err) < 0 || read_cpuset(path, s, err) < 0 ||
	    read_memory(path, s, err) < 0 || read_pids(path, s, err) < 0 || read_blkio(path, s, err) < 0 ||
	    read_hugetlb(path, s, err) < 0)
		return -1;
	return 0;
}
