/* SPDX-License-Identifier: Apache-2.0 */
/* Value conversions between the OCI model and the cgroup files. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "husk/cgroup.h"

#define DEFAULT_CFS_PERIOD 100000

/* v in [lo, hi] (clamped) onto cgroup v2's weights [1, 10000], linearly,
 * as runc converts them; 0 stays 0 ("not set"). */
static uint64_t scale_to_weight(uint64_t v, uint64_t lo, uint64_t hi)
{
	if (v == 0)
		return 0;
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return 1 + (v - lo) * 9999 / (hi - lo);
}

uint64_t husk_cgroup_shares_to_weight(uint64_t shares)
{
	return scale_to_weight(shares, 2, 262144);
}

uint64_t husk_cgroup_blkio_to_io_weight(uint64_t weight)
{
	return scale_to_weight(weight, 10, 1000);
}

int husk_cgroup_swap_to_v2(int64_t memory, int64_t swap, int64_t *out, husk_err *err)
{
	*out = 0;
	/* Unlimited memory with no swap given: unlimited swap too, as v1 behaves. */
	if (memory == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (memory == 0 || memory == -1)
		return husk_error(err, EINVAL, "linux.resources.memory.swap: %" PRId64
				  ": a swap limit needs a memory limit", swap);
	if (memory < 0)
		return husk_error(err, EINVAL, "linux.resources.memory.limit: %" PRId64 ": invalid", memory);
	if (swap < memory)
		return husk_error(err, EINVAL, "linux.resources.memory.swap: %" PRId64
				  ": memory+swap must be >= the memory limit %" PRId64, swap, memory);
	*out = swap - memory;
	return 0;
}

void husk_cgroup_limit_str(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRId64, v);
}

void husk_cgroup_pids_max(int64_t limit, char *buf, size_t size)
{
	husk_cgroup_limit_str(limit <= 0 ? -1 : limit, buf, size);
}

void husk_cgroup_cpu_max(const struct husk_cpu *cpu, char *buf, size_t size)
{
	uint64_t period = cpu->period.set && cpu->period.v ? cpu->period.v : DEFAULT_CFS_PERIOD;
	if (cpu->quota.set && cpu->quota.v > 0)
		snprintf(buf, size, "%" PRId64 " %" PRIu64, cpu->quota.v, period);
	else
		snprintf(buf, size, "max %" PRIu64, period);
}
