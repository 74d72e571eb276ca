/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Events as runc's `events` prints them.  The field names, their order and
 * which ones are left out when zero ("omitempty" in runc's types) are part
 * of the interface: engines decode these lines.
 */
#include "husk/cgroup.h"
#include "husk/json.h"

/* A number runc leaves out when it is zero. */
static void kv_nonzero(struct husk_json *j, const char *key, uint64_t v)
{
	if (v)
		husk_json_kv_uint(j, key, v);
}

/* A list of numbers, left out when empty (runc's omitempty); v holds n
 * uint16_t or uint64_t. */
static void uint_list(struct husk_json *j, const char *key, const void *v, size_t n, bool u16)
{
	if (!n)
		return;
	husk_json_array_open(j, key);
	for (size_t i = 0; i < n; i++)
		husk_json_uint(j, u16 ? ((const uint16_t *)v)[i] : ((const uint64_t *)v)[i]);
	husk_json_array_close(j);
}

#define u64_list(j, key, l) uint_list(j, key, (l)->v, (l)->n, false)
#define u16_list(j, key, l) uint_list(j, key, (l)->v, (l)->n, true)

static void write_cpu(struct husk_json *j, const struct husk_cgroup_stats *s)
{
	husk_json_map_open(j, "cpu");
	husk_json_map_open(j, "usage");
	kv_nonzero(j, "total", s->cpu.total);
	u64_list(j, "percpu", &s->cpu.percpu);
	u64_list(j, "percpu_kernel", &s->cpu.percpu_kernel);
	u64_list(j, "percpu_user", &s->cpu.percpu_user);
	husk_json_kv_uint(j, "kernel", s->cpu.kernel);
	husk_json_kv_uint(j, "user", s->cpu.user);
	husk_json_map_close(j);
	husk_json_map_open(j, "throttling");
	kv_nonzero(j, "periods", s->cpu.periods);
	kv_nonzero(j, "throttledPeriods", s->cpu.throttled_periods);
	kv_nonzero(j, "throttledTime", s->cpu.throttled_time);
	husk_json_map_close(j);
	husk_json_map_close(j);
}

static void write_cpuset(struct husk_json *j, const struct husk_cgroup_stats *s)
{
	husk_json_map_open(j, "cpuset");
	u16_list(j, "cpus", &s->cpuset.cpus);
	husk_json_kv_uint(j, "cpu_exclusive", s->cpuset.cpu_exclusive);
	u16_list(j, "mems", &s->cpuset.mems);
	husk_json_kv_uint(j, "mem_hardwall", s->cpuset.mem_hardwall);
	husk_json_kv_uint(j, "mem_exclusive", s->cpuset.mem_exclusive);
	husk_json_kv_uint(j, "memory_migrate", s->cpuset.memory_migrate);
	husk_json_kv_uint(j, "memory_spread_page", s->cpuset.memory_spread_page);
	husk_json_kv_uint(j, "memory_spread_slab", s->cpuset.memory_spread_slab);
	husk_json_kv_uint(j, "memory_pressure", s->cpuset.memory_pressure);
	husk_json_kv_uint(j, "sched_load_balance", s->cpuset.sched_load_balance);
	husk_json_kv_int(j, "sched_relax_domain_level", s->cpuset.sched_relax_domain_level);
	husk_json_map_close(j);
}

static void memory_usage(struct husk_json *j, const char *key, const struct husk_memory_usage *u)
{
	husk_json_map_open(j, key);
	husk_json_kv_uint(j, "limit", u->limit);
	kv_nonzero(j, "usage", u->usage);
	kv_nonzero(j, "max", u->max);
	husk_json_kv_uint(j, "failcnt", u->failcnt);
	husk_json_map_close(j);
}

static void write_memory(struct husk_json *j, const struct husk_cgroup_stats *s)
{
	husk_json_map_open(j, "memory");
	kv_nonzero(j, "cache", s->memory.cache);
	memory_usage(j, "usage", &s->memory.usage);
	memory_usage(j, "swap", &s->memory.swap);
	memory_usage(j, "kernel", &s->memory.kernel);
	memory_usage(j, "kernelTCP", &s->memory.kernel_tcp);
	if (s->memory.raw.n) {
		husk_json_map_open(j, "raw");
		for (size_t i = 0; i < s->memory.raw.n; i++)
			husk_json_kv_uint(j, s->memory.raw.v[i].key, s->memory.raw.v[i].value);
		husk_json_map_close(j);
	}
	husk_json_map_close(j);
}

static void write_pids(struct husk_json *j, const struct husk_cgroup_stats *s)
{
	husk_json_map_open(j, "pids");
	kv_nonzero(j, "current", s->pids.current);
	kv_nonzero(j, "limit", s->pids.limit);
	husk_json_map_close(j);
}

static void blkio_list(struct husk_json *j, const char *key, const struct husk_blkio_list *l)
{
	if (!l->n)
		return;
	husk_json_array_open(j, key);
	for (size_t i = 0; i < l->n; i++) {
		const struct husk_blkio_entry *e = &l->v[i];
		husk_json_map_open(j, NULL);
		kv_nonzero(j, "major", e->major);
		kv_nonzero(j, "minor", e->minor);
		if (e->op && *e->op)
			husk_json_kv_str(j, "op", e->op);
		kv_nonzero(j, "value", e->value);
		husk_json_map_close(j);
	}
	husk_json_array_close(j);
}

static void write_blkio(struct husk_json *j, const struct husk_cgroup_stats *s)
{
	static const char *const keys[HUSK_BLKIO_TABLES] = {
		[HUSK_BLKIO_SERVICE_BYTES] = "ioServiceBytesRecursive",
		[HUSK_BLKIO_SERVICED] = "ioServicedRecursive",
		[HUSK_BLKIO_QUEUED] = "ioQueueRecursive",
		[HUSK_BLKIO_SERVICE_TIME] = "ioServiceTimeRecursive",
		[HUSK_BLKIO_WAIT_TIME] = "ioWaitTimeRecursive",
		[HUSK_BLKIO_MERGED] = "ioMergedRecursive",
		[HUSK_BLKIO_TIME] = "ioTimeRecursive",
		[HUSK_BLKIO_SECTORS] = "sectorsRecursive",
	};
	husk_json_map_open(j, "blkio");
	for (int t = 0; t < HUSK_BLKIO_TABLES; t++)
		blkio_list(j, keys[t], &s->blkio[t]);
	husk_json_map_close(j);
}

static void write_hugetlb(struct husk_json *j, const struct husk_cgroup_stats *s)
{
	husk_json_map_open(j, "hugetlb");
	for (size_t i = 0; i < s->hugetlb.n; i++) {
		const struct husk_hugetlb_usage *h = &s->hugetlb.v[i];
		husk_json_map_open(j, h->size);
		kv_nonzero(j, "usage", h->usage);
		kv_nonzero(j, "max", h->max);
		husk_json_kv_uint(j, "failcnt", h->failcnt);
		husk_json_map_close(j);
	}
	husk_json_map_close(j);
}

static void write_stats(struct husk_json *j, const struct husk_cgroup_stats *s)
{
	husk_json_map_open(j, "data");
	write_cpu(j, s);
	write_cpuset(j, s);
	write_memory(j, s);
	write_pids(j, s);
	write_blkio(j, s);
	write_hugetlb(j, s);
	/* Intel RDT and network interfaces are not collected: empty, as
	 * runc prints them for a container without either. */
	husk_json_map_open(j, "intel_rdt");
	husk_json_map_close(j);
	husk_json_kv_null(j, "network_interfaces");
	husk_json_map_close(j);
}

int husk_cgroup_event_json(const char *type, const char *id, const struct husk_cgroup_stats *stats,
			   char **json, husk_err *err)
{
	cleanup_json struct husk_json j = { 0 };
	if (husk_json_init(&j, NULL, err) < 0)
		return -1;
	husk_json_map_open(&j, NULL);
	husk_json_kv_str(&j, "type", type);
	husk_json_kv_str(&j, "id", id);
	if (stats)
		write_stats(&j, stats);
	husk_json_map_close(&j);
	return husk_json_take(&j, false, json, NULL, err);
}
