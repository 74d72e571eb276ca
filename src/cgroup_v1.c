/* SPDX-License-Identifier: Apache-2.0 */
/* Resources on cgroup v1 (legacy and hybrid hosts). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_internal.h"
#include "husk/util.h"

#define VAL_MAX 64

static int need_dir(const char *controller, const char *path, const char *field, char *dir, husk_err *err)
{
	if (husk_cgroup_v1_dir(controller, path, dir, PATH_MAX) < 0)
		return husk_error(err, ENOTSUP, "%s: the %s cgroup controller is not available on this host",
				  field, controller);
	return 0;
}

static int write_i64(const char *dir, const char *file, int64_t v, const char *field, husk_err *err)
{
	char val[VAL_MAX];
	snprintf(val, sizeof(val), "%" PRId64, v);
	return husk_cgroup_write(dir, file, val, field, err);
}

static int write_u64(const char *dir, const char *file, uint64_t v, const char *field, husk_err *err)
{
	char val[VAL_MAX];
	snprintf(val, sizeof(val), "%" PRIu64, v);
	return husk_cgroup_write(dir, file, val, field, err);
}

/* ---- cpuset ------------------------------------------------------------- */

static int copy_if_empty(const char *parent, const char *child, const char *file, husk_err *err)
{
	char path[PATH_MAX + 32];
	cleanup_free char *mine = NULL, *theirs = NULL;
	snprintf(path, sizeof(path), "%s/%s", child, file);
	if (husk_read_file(path, 4096, &mine, NULL, err) < 0)
		return -1;
	if (mine[strspn(mine, " \n")] != '\0')
		return 0;
	snprintf(path, sizeof(path), "%s/%s", parent, file);
	if (husk_read_file(path, 4096, &theirs, NULL, err) < 0)
		return -1;
	theirs[strcspn(theirs, "\n")] = '\0';
	return husk_cgroup_write(child, file, theirs, "linux.cgroupsPath", err);
}

int husk_cgroup_v1_init_cpuset(const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (husk_cgroup_v1_dir("cpuset", "", dir, sizeof(dir)) < 0)
		return 0;
	size_t root = strlen(dir);
	snprintf(dir + root, sizeof(dir) - root, "%s", path);
	for (char *p = dir + root + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		if (copy_if_empty(parent, dir, "cpuset.cpus", err) < 0 ||
		    copy_if_empty(parent, dir, "cpuset.mems", err) < 0)
			return -1;
		*p = saved;
		if (!saved)
			return 0;
	}
}

static int apply_cpuset(const struct husk_cpu *c, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (!c->cpus && !c->mems)
		return 0;
	if (need_dir("cpuset", path, "linux.resources.cpu.cpus", dir, err) < 0)
		return -1;
	return husk_cgroup_write_cpuset(dir, c, err);
}

/* ---- memory ------------------------------------------------------------- */

static int apply_swap(const struct husk_memory *m, const char *dir, husk_err *err)
{
	if (!m->swap.set)
		return 0;
	if (husk_cgroup_has_file(dir, "memory.memsw.limit_in_bytes"))
		return write_i64(dir, "memory.memsw.limit_in_bytes", m->swap.v, "linux.resources.memory.swap", err);
	/* Without swap accounting only "no separate swap limit" can be honoured. */
	if (m->swap.v == -1 || (m->limit.set && m->swap.v == m->limit.v))
		return 0;
	return husk_error(err, ENOTSUP, "linux.resources.memory.swap: %" PRId64
			  ": swap accounting is not enabled on this host (no memory.memsw.limit_in_bytes)", m->swap.v);
}

/*
 * The kernel keeps memory.limit_in_bytes <= memory.memsw.limit_in_bytes at
 * every step.  A fresh cgroup is unlimited, so memory first always works
 * there; raising both on a live one (update) needs memory+swap first.
 */
static int apply_limit_and_swap(const struct husk_memory *m, const char *dir, husk_err *err)
{
	if (!m->limit.set)
		return apply_swap(m, dir, err);
	cleanup_error husk_err first = NULL;
	if (write_i64(dir, "memory.limit_in_bytes", m->limit.v, "linux.resources.memory.limit", &first) == 0)
		return apply_swap(m, dir, err);
	if (!m->swap.set || first->errnum != EINVAL) {
		husk_error_append(err, &first);
		return -1;
	}
	if (apply_swap(m, dir, err) < 0)
		return -1;
	return write_i64(dir, "memory.limit_in_bytes", m->limit.v, "linux.resources.memory.limit", err);
}

static int apply_memory(const struct husk_memory *m, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (need_dir("memory", path, "linux.resources.memory", dir, err) < 0)
		return -1;
	if (apply_limit_and_swap(m, dir, err) < 0)
		return -1;
	if (m->reservation.set && write_i64(dir, "memory.soft_limit_in_bytes", m->reservation.v,
					    "linux.resources.memory.reservation", err) < 0)
		return -1;
	if (m->kernel_tcp.set && write_i64(dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp.v,
					   "linux.resources.memory.kernelTCP", err) < 0)
		return -1;
	if (m->swappiness.set && m->swappiness.v > 100)
		return husk_error(err, EINVAL, "linux.resources.memory.swappiness: %" PRIu64 ": must be 0..100",
				  m->swappiness.v);
	if (m->swappiness.set && write_u64(dir, "memory.swappiness", m->swappiness.v,
					   "linux.resources.memory.swappiness", err) < 0)
		return -1;
	if (m->disable_oom_killer.set && m->disable_oom_killer.v &&
	    husk_cgroup_write(dir, "memory.oom_control", "1", "linux.resources.memory.disableOOMKiller", err) < 0)
		return -1;
	return 0;
}

/* ---- cpu ---------------------------------------------------------------- */

static int apply_cpu(const struct husk_cpu *c, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	bool any = c->shares.set || c->quota.set || c->period.set || c->burst.set || c->realtime_runtime.set ||
		   c->realtime_period.set || c->idle.set;
	if (!any)
		return apply_cpuset(c, path, err);
	if (need_dir("cpu", path, "linux.resources.cpu", dir, err) < 0)
		return -1;
	if (c->shares.set && c->shares.v &&
	    write_u64(dir, "cpu.shares", c->shares.v, "linux.resources.cpu.shares", err) < 0)
		return -1;
	if (c->period.set && c->period.v &&
	    write_u64(dir, "cpu.cfs_period_us", c->period.v, "linux.resources.cpu.period", err) < 0)
		return -1;
	if (c->quota.set && c->quota.v &&
	    write_i64(dir, "cpu.cfs_quota_us", c->quota.v, "linux.resources.cpu.quota", err) < 0)
		return -1;
	if (c->burst.set && write_u64(dir, "cpu.cfs_burst_us", c->burst.v, "linux.resources.cpu.burst", err) < 0)
		return -1;
	if (c->realtime_period.set && c->realtime_period.v &&
	    write_u64(dir, "cpu.rt_period_us", c->realtime_period.v, "linux.resources.cpu.realtimePeriod", err) < 0)
		return -1;
	if (c->realtime_runtime.set && c->realtime_runtime.v &&
	    write_i64(dir, "cpu.rt_runtime_us", c->realtime_runtime.v, "linux.resources.cpu.realtimeRuntime", err) < 0)
		return -1;
	if (c->idle.set && write_i64(dir, "cpu.idle", c->idle.v, "linux.resources.cpu.idle", err) < 0)
		return -1;
	return apply_cpuset(c, path, err);
}

/* ---- pids --------------------------------------------------------------- */

static int apply_pids(const struct husk_pids *p, const char *path, husk_err *err)
{
	char dir[PATH_MAX], val[VAL_MAX];
	if (need_dir("pids", path, "linux.resources.pids", dir, err) < 0)
		return -1;
	husk_cgroup_pids_max(p->limit, val, sizeof(val));
	return husk_cgroup_write(dir, "pids.max", val, "linux.resources.pids.limit", err);
}

/* ---- blkio -------------------------------------------------------------- */

static int throttle(const char *dir, const char *file, const husk_throttlev *v, const char *field, husk_err *err)
{
	for (size_t i = 0; i < v->n; i++) {
		char val[VAL_MAX * 2];
		snprintf(val, sizeof(val), "%" PRId64 ":%" PRId64 " %" PRIu64, v->v[i].major, v->v[i].minor, v->v[i].rate);
		if (husk_cgroup_write(dir, file, val, field, err) < 0)
			return -1;
	}
	return 0;
}

static int blkio_weights(const struct husk_block_io *b, const char *dir, husk_err *err)
{
	/* 0 means "not set" (docker always sends weight 0), as for runc. */
	bool weight = b->weight.set && b->weight.v, leaf = b->leaf_weight.set && b->leaf_weight.v;
	bool any = weight || leaf || b->weight_device.n;
	if (!any)
		return 0;
	const char *file = husk_cgroup_has_file(dir, "blkio.weight")       ? "blkio.weight"
			   : husk_cgroup_has_file(dir, "blkio.bfq.weight") ? "blkio.bfq.weight"
									   : NULL;
	if (leaf)
		return husk_error(err, ENOTSUP, "linux.resources.blockIO.leafWeight: not supported");
	if (!file)
		return husk_error(err, ENOTSUP, "linux.resources.blockIO.weight: the blkio controller on this host "
				  "has no weight files (blkio.weight, blkio.bfq.weight)");
	if (weight && write_u64(dir, file, b->weight.v, "linux.resources.blockIO.weight", err) < 0)
		return -1;
	for (size_t i = 0; i < b->weight_device.n; i++) {
		const struct husk_weight_device *w = &b->weight_device.v[i];
		char val[VAL_MAX * 2];
		if (w->leaf_weight.set && w->leaf_weight.v)
			return husk_error(err, ENOTSUP, "linux.resources.blockIO.weightDevice.leafWeight: not supported");
		if (!w->weight.set || !w->weight.v)
			continue;
		snprintf(val, sizeof(val), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->weight.v);
		if (husk_cgroup_write(dir, strcmp(file, "blkio.weight") ? file : "blkio.weight_device", val,
				      "linux.resources.blockIO.weightDevice", err) < 0)
			return -1;
	}
	return 0;
}

static int apply_blkio(const struct husk_block_io *b, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (need_dir("blkio", path, "linux.resources.blockIO", dir, err) < 0 || blkio_weights(b, dir, err) < 0)
		return -1;
	if (throttle(dir, "blkio.throttle.read_bps_device", &b->throttle_read_bps_device,
		     "linux.resources.blockIO.throttleReadBpsDevice", err) < 0 ||
	    throttle(dir, "blkio.throttle.write_bps_device", &b->throttle_write_bps_device,
		     "linux.resources.blockIO.throttleWriteBpsDevice", err) < 0 ||
	    throttle(dir, "blkio.throttle.read_iops_device", &b->throttle_read_iops_device,
		     "linux.resources.blockIO.throttleReadIOPSDevice", err) < 0 ||
	    throttle(dir, "blkio.throttle.write_iops_device", &b->throttle_write_iops_device,
		     "linux.resources.blockIO.throttleWriteIOPSDevice", err) < 0)
		return -1;
	return 0;
}

/* ---- hugetlb, network, rdma --------------------------------------------- */

static int apply_hugetlb(const struct husk_resources *r, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (need_dir("hugetlb", path, "linux.resources.hugepageLimits", dir, err) < 0)
		return -1;
	for (size_t i = 0; i < r->hugepage_limits.n; i++) {
		char file[NAME_MAX];
		snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", r->hugepage_limits.v[i].page_size);
		if (write_u64(dir, file, r->hugepage_limits.v[i].limit, "linux.resources.hugepageLimits", err) < 0)
			return -1;
	}
	return 0;
}

static int apply_network(const struct husk_network *n, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (n->class_id.set && (need_dir("net_cls", path, "linux.resources.network.classID", dir, err) < 0 ||
				write_u64(dir, "net_cls.classid", n->class_id.v, "linux.resources.network.classID", err) < 0))
		return -1;
	if (n->priorities.n && need_dir("net_prio", path, "linux.resources.network.priorities", dir, err) < 0)
		return -1;
	for (size_t i = 0; i < n->priorities.n; i++) {
		char val[NAME_MAX + VAL_MAX];
		snprintf(val, sizeof(val), "%s %u", n->priorities.v[i].name, n->priorities.v[i].priority);
		if (husk_cgroup_write(dir, "net_prio.ifpriomap", val, "linux.resources.network.priorities", err) < 0)
			return -1;
	}
	return 0;
}

static void rdma_line(const struct husk_rdma *d, char *buf, size_t size)
{
	char h[VAL_MAX] = "max", o[VAL_MAX] = "max";
	if (d->hca_handles.set)
		snprintf(h, sizeof(h), "%u", d->hca_handles.v);
	if (d->hca_objects.set)
		snprintf(o, sizeof(o), "%u", d->hca_objects.v);
	snprintf(buf, size, "%s hca_handle=%s hca_object=%s", d->device, h, o);
}

static int apply_rdma(const struct husk_resources *r, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (need_dir("rdma", path, "linux.resources.rdma", dir, err) < 0)
		return -1;
	for (size_t i = 0; i < r->rdma.n; i++) {
		char val[PATH_MAX];
		rdma_line(&r->rdma.v[i], val, sizeof(val));
		if (husk_cgroup_write(dir, "rdma.max", val, "linux.resources.rdma", err) < 0)
			return -1;
	}
	return 0;
}

/* ---- devices ------------------------------------------------------------ */

static void device_rule(const struct husk_device_cgroup *d, char *buf, size_t size)
{
	char maj[VAL_MAX] = "*", min[VAL_MAX] = "*";
	if (d->major.set && d->major.v >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, d->major.v);
	if (d->minor.set && d->minor.v >= 0)
		snprintf(min, sizeof(min), "%" PRId64, d->minor.v);
	char type = d->type ? d->type : 'a';
	snprintf(buf, size, "%c %s:%s %s", type, maj, min, d->access && *d->access ? d->access : "rwm");
}

static int write_device_rule(const char *dir, const struct husk_device_cgroup *d, husk_err *err)
{
	char val[VAL_MAX * 3];
	device_rule(d, val, sizeof(val));
	return husk_cgroup_write(dir, d->allow ? "devices.allow" : "devices.deny", val,
				 "linux.resources.devices", err);
}

static int apply_devices(const struct husk_resources *r, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	if (need_dir("devices", path, "linux.resources.devices", dir, err) < 0)
		return -1;
	for (size_t i = 0; i < r->devices.n; i++)
		if (write_device_rule(dir, &r->devices.v[i], err) < 0)
			return -1;
	for (size_t i = 0; i < husk_cgroup_default_devices_n; i++)
		if (write_device_rule(dir, &husk_cgroup_default_devices[i], err) < 0)
			return -1;
	return 0;
}

/* ---- all ---------------------------------------------------------------- */

int husk_cgroup_v1_apply(const struct husk_resources *r, const char *path, husk_err *err)
{
	if (r->unified.n)
		return husk_error(err, ENOTSUP, "linux.resources.unified: %s requires cgroup v2 (this host uses v1)",
				  r->unified.v[0].key);
	if (r->hugepage_limits.n && apply_hugetlb(r, path, err) < 0)
		return -1;
	if (r->network && apply_network(r->network, path, err) < 0)
		return -1;
	if (r->rdma.n && apply_rdma(r, path, err) < 0)
		return -1;
	if (r->block_io && apply_blkio(r->block_io, path, err) < 0)
		return -1;
	if (r->memory && apply_memory(r->memory, path, err) < 0)
		return -1;
	if (r->cpu && apply_cpu(r->cpu, path, err) < 0)
		return -1;
	if (r->pids && apply_pids(r->pids, path, err) < 0)
		return -1;
	if (r->devices.n && apply_devices(r, path, err) < 0)
		return -1;
	return 0;
}
