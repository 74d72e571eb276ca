/* SPDX-License-Identifier: Apache-2.0 */
/* Statistics on cgroup v2, mapped onto runc's (v1 shaped) statistics. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_internal.h"
#include "husk/util.h"

#define NS_PER_USEC 1000

static int read_cpu(const char *dir, struct husk_cgroup_stats *s, husk_err *err)
{
	struct husk_cgroup_kvv kv;
	uint64_t v;
	/* cpu.stat exists whether or not the cpu controller is enabled. */
	if (husk_cgroup_read_kv(dir, "cpu.stat", &s->arena, &kv, err) < 0)
		return -1;
	if (husk_cgroup_kv_get(&kv, "usage_usec", &v))
		s->cpu.total = v * NS_PER_USEC;
	if (husk_cgroup_kv_get(&kv, "user_usec", &v))
		s->cpu.user = v * NS_PER_USEC;
	if (husk_cgroup_kv_get(&kv, "system_usec", &v))
		s->cpu.kernel = v * NS_PER_USEC;
	if (husk_cgroup_kv_get(&kv, "throttled_usec", &v))
		s->cpu.throttled_time = v * NS_PER_USEC;
	husk_cgroup_kv_get(&kv, "nr_periods", &s->cpu.periods);
	husk_cgroup_kv_get(&kv, "nr_throttled", &s->cpu.throttled_periods);
	return 0;
}

static int read_memory(const char *dir, struct husk_cgroup_stats *s, husk_err *err)
{
	struct husk_memory_usage *mem = &s->memory.usage, *swap = &s->memory.swap;
	int rc = husk_cgroup_read_kv(dir, "memory.stat", &s->arena, &s->memory.raw, err);
	if (rc <= 0)
		return rc; /* the memory controller is not enabled for this cgroup */
	husk_cgroup_kv_get(&s->memory.raw, "file", &s->memory.cache);
	if (husk_cgroup_read_value(dir, "memory.current", &mem->usage, err) < 0 ||
	    husk_cgroup_read_value(dir, "memory.max", &mem->limit, err) < 0 ||
	    husk_cgroup_read_value(dir, "memory.swap.current", &swap->usage, err) < 0 ||
	    husk_cgroup_read_value(dir, "memory.swap.max", &swap->limit, err) < 0)
		return -1;
	/* v1 reports memory+swap; v2 swap alone.  runc adds them up. */
	swap->usage += mem->usage;
	if (swap->limit != UINT64_MAX)
		swap->limit += mem->limit;
	return 0;
}

static int count_procs(const char *dir, uint64_t *n, husk_err *err)
{
	cleanup_free char *text = NULL;
	int rc = husk_cgroup_read(dir, "cgroup.procs", &text, err);
	*n = 0;
	for (const char *p = rc > 0 ? text : ""; *p; p++)
		*n += *p == '\n';
	return rc < 0 ? -1 : 0;
}

static int read_pids(const char *dir, struct husk_cgroup_stats *s, husk_err *err)
{
	int rc = husk_cgroup_read_value(dir, "pids.current", &s->pids.current, err);
	if (rc < 0)
		return -1;
	/* Without the pids controller, count the processes. */
	if (rc == 0)
		return count_procs(dir, &s->pids.current, err);
	if (husk_cgroup_read_value(dir, "pids.max", &s->pids.limit, err) < 0)
		return -1;
	if (s->pids.limit == UINT64_MAX)
		s->pids.limit = 0;
	return 0;
}

static int read_io(const char *dir, struct husk_cgroup_stats *s, husk_err *err)
{
	cleanup_free char *text = NULL;
	int rc = husk_cgroup_read(dir, "io.stat", &text, err);
	if (rc <= 0)
		return rc;
	if (husk_cgroup_parse_io_stat(text, &s->arena, &s->blkio[HUSK_BLKIO_SERVICE_BYTES],
				      &s->blkio[HUSK_BLKIO_SERVICED]) < 0)
		return husk_cgroup_malformed(dir, "io.stat", err);
	return 0;
}

/* The "max" count of hugetlb.SIZE.events: allocations refused by the limit. */
static int read_hugetlb_failcnt(const char *dir, struct husk_cgroup_stats *s, struct husk_hugetlb_usage *h,
				husk_err *err)
{
	char file[NAME_MAX];
	struct husk_cgroup_kvv kv;
	snprintf(file, sizeof(file), "hugetlb.%s.events", h->size);
	if (husk_cgroup_read_kv(dir, file, &s->arena, &kv, err) < 0)
		return -1;
	husk_cgroup_kv_get(&kv, "max", &h->failcnt);
	return 0;
}

static int read_hugetlb(const char *dir, struct husk_cgroup_stats *s, husk_err *err)
{
	if (husk_cgroup_hugetlb_sizes(dir, "current", s, err) < 0)
		return -1;
	for (size_t i = 0; i < s->hugetlb.n; i++) {
		struct husk_hugetlb_usage *h = &s->hugetlb.v[i];
		char file[NAME_MAX];
		snprintf(file, sizeof(file), "hugetlb.%s.current", h->size);
		if (husk_cgroup_read_value(dir, file, &h->usage, err) < 0 || read_hugetlb_failcnt(dir, s, h, err) < 0)
			return -1;
	}
	return 0;
}

int husk_cgroup_v2_stats(const char *path, struct husk_cgroup_stats *s, husk_err *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s%s", HUSK_CGROUP_MOUNT, path);
	if (read_pids(dir, s, err) < 0 || read_memory(dir, s, err) < 0 || read_io(dir, s, err) < 0 ||
	    read_cpu(dir, s, err) < 0 || read_hugetlb(dir, s, err) < 0)
		return -1;
	return 0;
}
