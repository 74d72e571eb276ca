/* SPDX-License-Identifier: Apache-2.0 */
/* husk update: new resource limits for a live container, as runc takes them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "husk/config.h"
#include "husk/container.h"
#include "husk/util.h"

enum {
	OPT_RESOURCES = 'r',
	OPT_BLKIO_WEIGHT = 256,
	OPT_CPU_PERIOD,
	OPT_CPU_QUOTA,
	OPT_CPU_SHARES,
	OPT_CPU_RT_PERIOD,
	OPT_CPU_RT_RUNTIME,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_MEMORY,
	OPT_MEMORY_RESERVATION,
	OPT_MEMORY_SWAP,
	OPT_PIDS_LIMIT,
	OPT_KERNEL_MEMORY,
	OPT_INTEL_RDT,
};

static const struct option update_options[] = {
	{ "resources", required_argument, NULL, OPT_RESOURCES },
	{ "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
	{ "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
	{ "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
	{ "cpu-share", required_argument, NULL, OPT_CPU_SHARES },
	{ "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
	{ "cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD },
	{ "cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME },
	{ "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
	{ "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
	{ "kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY },
	{ "kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY },
	{ "l3-cache-schema", required_argument, NULL, OPT_INTEL_RDT },
	{ "mem-bw-schema", required_argument, NULL, OPT_INTEL_RDT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The flags' values; they override what --resources gives. */
struct update_flags {
	const char *resources;
	struct husk_memory memory;
	struct husk_cpu cpu;
	struct husk_pids pids;
	struct husk_block_io block_io;
	bool has_memory, has_cpu, has_pids, has_block_io;
};

/* For messages: the first spelling of the option. */
static const char *flag_name(int c)
{
	for (const struct option *o = update_options; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

static int flag_error(const char *flag, const char *value)
{
	return husk_cli_usage_error("update", "invalid value for --%s: '%s'", flag, value);
}

static int set_i64(const char *flag, const char *value, bool size, husk_opt_i64 *dst, bool *any)
{
	int64_t v;
	if ((size ? husk_parse_size(value, &v) : husk_parse_i64(value, &v)) < 0)
		return flag_error(flag, value);
	*dst = (husk_opt_i64){ .v = v, .set = true };
	*any = true;
	return 0;
}

static int set_u64(const char *flag, const char *value, husk_opt_u64 *dst, bool *any)
{
	uint64_t v;
	if (husk_parse_u64(value, &v) < 0)
		return flag_error(flag, value);
	*dst = (husk_opt_u64){ .v = v, .set = true };
	*any = true;
	return 0;
}

static int parse_flag(int c, const char *name, char *value, struct update_flags *f)
{
	uint64_t u;
	switch (c) {
	case OPT_RESOURCES:
		f->resources = value;
		return 0;
	case OPT_MEMORY:
		return set_i64(name, value, true, &f->memory.limit, &f->has_memory);
	case OPT_MEMORY_RESERVATION:
		return set_i64(name, value, true, &f->memory.reservation, &f->has_memory);
	case OPT_MEMORY_SWAP:
		return set_i64(name, value, true, &f->memory.swap, &f->has_memory);
	case OPT_CPU_PERIOD:
		return set_u64(name, value, &f->cpu.period, &f->has_cpu);
	case OPT_CPU_QUOTA:
		return set_i64(name, value, false, &f->cpu.quota, &f->has_cpu);
	case OPT_CPU_SHARES:
		return set_u64(name, value, &f->cpu.shares, &f->has_cpu);
	case OPT_CPU_RT_PERIOD:
		return set_u64(name, value, &f->cpu.realtime_period, &f->has_cpu);
	case OPT_CPU_RT_RUNTIME:
		return set_i64(name, value, false, &f->cpu.realtime_runtime, &f->has_cpu);
	case OPT_CPUSET_CPUS:
		f->cpu.cpus = value;
		f->has_cpu = true;
		return 0;
	case OPT_CPUSET_MEMS:
		f->cpu.mems = value;
		f->has_cpu = true;
		return 0;
	case OPT_PIDS_LIMIT:
		f->has_pids = true;
		return husk_parse_i64(value, &f->pids.limit) < 0 ? flag_error(name, value) : 0;
	case OPT_BLKIO_WEIGHT:
		if (husk_parse_u64(value, &u) < 0 || u > UINT16_MAX)
			return flag_error(name, value);
		f->block_io.weight = (husk_opt_u16){ .v = (uint16_t)u, .set = true };
		f->has_block_io = true;
		return 0;
	case OPT_KERNEL_MEMORY:
		/* Gone from the kernel (5.16) and from the OCI spec's
		 * recommendations; runc ignores it too. */
		return 0;
	case OPT_INTEL_RDT:
		return husk_cli_usage_error("update", "--%s: Intel RDT is not supported", name);
	default:
		return 2;
	}
}

/* Merge one flag group into r: flags win field by field over --resources. */
#define MERGE(field) do { if (f->field.set) dst->field = f->field; } while (0)

static void merge_memory(struct husk_memory *dst, const struct husk_memory *f)
{
	MERGE(limit);
	MERGE(reservation);
	MERGE(swap);
}

static void merge_cpu(struct husk_cpu *dst, const struct husk_cpu *f)
{
	MERGE(period);
	MERGE(quota);
	MERGE(shares);
	MERGE(realtime_period);
	MERGE(realtime_runtime);
	if (f->cpus)
		dst->cpus = f->cpus;
	if (f->mems)
		dst->mems = f->mems;
}

static void merge_flags(struct husk_resources *r, struct update_flags *f)
{
	if (f->has_memory) {
		if (r->memory)
			merge_memory(r->memory, &f->memory);
		else
			r->memory = &f->memory;
	}
	if (f->has_cpu) {
		if (r->cpu)
			merge_cpu(r->cpu, &f->cpu);
		else
			r->cpu = &f->cpu;
	}
	if (f->has_pids)
		r->pids = &f->pids;
	if (f->has_block_io) {
		if (r->block_io)
			r->block_io->weight = f->block_io.weight;
		else
			r->block_io = &f->block_io;
	}
}

static int read_resources(const char *file, const struct husk_log *log, struct husk_config **cfg, husk_err *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (strcmp(file, "-") == 0) {
		if (husk_read_fd(STDIN_FILENO, HUSK_CONFIG_MAX_SIZE, &text, &len, err) < 0)
			return husk_error_wrap(err, "--resources: standard input");
	} else if (husk_read_file(file, HUSK_CONFIG_MAX_SIZE, &text, &len, err) < 0) {
		return husk_error_wrap(err, "--resources");
	}
	return husk_config_parse_resources(text, len, log, cfg, err);
}

int cmd_update(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	struct update_flags f = { .pids.limit = 0 };
	int c;
	while ((c = husk_cli_getopt("update", argc, argv, update_options)) != -1) {
		if (c == '?')
			return 2;
		int rc = parse_flag(c, flag_name(c), optarg, &f);
		if (rc)
			return rc;
	}
	if (optind + 1 != argc)
		return husk_cli_usage_error("update", optind >= argc ? "missing container id" : "too many arguments");
	cleanup_config struct husk_config *cfg = NULL;
	struct husk_resources none = { 0 };
	struct husk_resources *r = &none;
	if (f.resources) {
		if (read_resources(f.resources, &cli->log, &cfg, err) < 0)
			return -1;
		r = cfg->linux_cfg->resources;
	}
	merge_flags(r, &f);
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	return husk_container_update(&ctx, argv[optind], r, err) < 0 ? -1 : 0;
}
