/* SPDX-License-Identifier: Apache-2.0 */
/* Resources on cgroup v2 (unified hosts). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "husk/util.h"

#define VAL_MAX 64

static void cg_dir(const char *path, char *dir)
{
	snprintf(dir, PATH_MAX, "%s%s", HUSK_CGROUP_MOUNT, path);
}

static int write_limit(const char *dir, const char *file, int64_t v, const char *field, husk_err *err)
{
	char val[VAL_MAX];
	husk_cgroup_limit_str(v, val, sizeof(val));
	return husk_cgroup_write(dir, file, val, field, err);
}

/* ---- controllers ---------------------------------------------------------- */

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* Write val ("+memory ...") to cgroup.subtree_control of every ancestor
 * of path, from the root down. */
static int write_subtree_control(const char *path, const char *val, const char *field, husk_err *err)
{
	char dir[PATH_MAX];
	cg_dir(path, dir);
	size_t root = strlen(HUSK_CGROUP_MOUNT);
	for (char *p = dir + root; p && *p;) {
		char saved = *p;
		*p = '\0';
		const char *here = p == dir + root ? HUSK_CGROUP_MOUNT : dir;
		int rc = husk_cgroup_write(here, "cgroup.subtree_control", val, field, err);
		*p = saved;
		if (rc < 0)
			return -1;
		p = strchr(p + 1, '/');
	}
	return 0;
}

static char *root_controllers(husk_err *err)
{
	char file[PATH_MAX];
	char *avail = NULL;
	snprintf(file, sizeof(file), "%s/cgroup.controllers", HUSK_CGROUP_MOUNT);
	if (husk_read_file(file, 4096, &avail, NULL, err) < 0)
		return NULL;
	avail[strcspn(avail, "\n")] = '\0';
	return avail;
}

int husk_cgroup_v2_enable(const char *path, const char *controller, const char *field, husk_err *err)
{
	char val[NAME_MAX];
	cleanup_free char *avail = root_controllers(err);
	if (!avail)
		return -1;
	if (!word_in(avail, controller))
		return husk_error(err, ENOTSUP, "%s: the %s cgroup controller is not available on this host",
				  field, controller);
	snprintf(val, sizeof(val), "+%s", controller);
	return write_subtree_control(path, val, field, err);
}

void husk_cgroup_v2_enable_all(const char *path)
{
	cleanup_free char *avail = root_controllers(NULL);
	if (!avail || !*avail)
		return;
	/* "cpu io memory" -> "+cpu +io +memory": one write per level. */
	cleanup_free char *val = malloc(strlen(avail) * 2 + 2);
	if (!val)
		return;
	char *out = val;
	for (char *save = NULL, *w = strtok_r(avail, " ", &save); w; w = strtok_r(NULL, " ", &save))
		out += sprintf(out, "%s+%s", out == val ? "" : " ", w);
	write_subtree_control(path, val, "linux.cgroupsPath", NULL);
}

/* ---- memory ------------------------------------------------------------- */

static int apply_memory(const struct husk_memory *m, const char *path, const char *dir, husk_err *err)
{
	const char *f = "linux.resources.memory";
	if (m->disable_oom_killer.set && m->disable_oom_killer.v)
		return husk_error(err, ENOTSUP, "linux.resources.memory.disableOOMKiller: not available on cgroup v2");
	if (m->swappiness.set)
		return husk_error(err, ENOTSUP, "linux.resources.memory.swappiness: not available on cgroup v2");
	int64_t limit = m->limit.set ? m->limit.v : 0, swap = 0;
	if (husk_cgroup_swap_to_v2(limit, m->swap.set ? m->swap.v : 0, &swap, err) < 0)
		return -1;
	if (husk_cgroup_v2_enable(path, "memory", f, err) < 0)
		return -1;
	if (swap != 0 && write_limit(dir, "memory.swap.max", swap, "linux.resources.memory.swap", err) < 0)
		return -1;
	if (m->limit.set && m->limit.v && write_limit(dir, "memory.max", m->limit.v, "linux.resources.memory.limit", err) < 0)
		return -1;
	if (m->reservation.set && m->reservation.v &&
	    write_limit(dir, "memory.low", m->reservation.v, "linux.resources.memory.reservation", err) < 0)
		return -1;
	return 0;
}

/* ---- cpu ---------------------------------------------------------------- */

static int apply_cpu_weight(const struct husk_cpu *c, const char *dir, husk_err *err)
{
	char val[VAL_MAX * 2];
	if (c->shares.set && c->shares.v) {
		snprintf(val, sizeof(val), "%" PRIu64, husk_cgroup_shares_to_weight(c->shares.v));
		if (husk_cgroup_write(dir, "cpu.weight", val, "linux.resources.cpu.shares", err) < 0)
			return -1;
	}
	if (c->quota.set || c->period.set) {
		husk_cgroup_cpu_max(c, val, sizeof(val));
		if (husk_cgroup_write(dir, "cpu.max", val, "linux.resources.cpu.quota", err) < 0)
			return -1;
	}
	if (c->burst.set) {
		snprintf(val, sizeof(val), "%" PRIu64, c->burst.v);
		if (husk_cgroup_write(dir, "cpu.max.burst", val, "linux.resources.cpu.burst", err) < 0)
			return -1;
	}
	if (c->idle.set) {
		snprintf(val, sizeof(val), "%" PRId64, c->idle.v);
		if (husk_cgroup_write(dir, "cpu.idle", val, "linux.resources.cpu.idle", err) < 0)
			return -1;
	}
	return 0;
}

static int apply_cpu(const struct husk_cpu *c, const char *path, const char *dir, husk_err *err)
{
	if ((c->realtime_runtime.set && c->realtime_runtime.v) || (c->realtime_period.set && c->realtime_period.v))
		return husk_error(err, ENOTSUP, "linux.resources.cpu.realtimeRuntime: realtime scheduling limits "
				  "are not available on cgroup v2");
	bool any = c->shares.set || c->quota.set || c->period.set || c->burst.set || c->idle.set;
	if (any && (husk_cgroup_v2_enable(path, "cpu", "linux.resources.cpu", err) < 0 ||
		    apply_cpu_weight(c, dir, err) < 0))
		return -1;
	if ((c->cpus && *c->cpus) || (c->mems && *c->mems)) {
		if (husk_cgroup_v2_enable(path, "cpuset", "linux.resources.cpu.cpus", err) < 0)
			return -1;
		if (husk_cgroup_write_cpuset(dir, c, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- pids, io ------------------------------------------------------------ */

static int apply_pids(const struct husk_pids *p, const char *path, const char *dir, husk_err *err)
{
	char val[VAL_MAX];
	husk_cgroup_pids_max(p->limit, val, sizeof(val));
	if (husk_cgroup_v2_enable(path, "pids", "linux.resources.pids", err) < 0)
		return -1;
	return husk_cgroup_write(dir, "pids.max", val, "linux.resources.pids.limit", err);
}

static int io_max(const char *dir, const husk_throttlev *v, const char *key, const char *field, husk_err *err)
{
	for (size_t i = 0; i < v->n; i++) {
		char val[VAL_MAX * 2];
		snprintf(val, sizeof(val), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, v->v[i].major, v->v[i].minor, key,
			 v->v[i].rate);
		if (husk_cgroup_write(dir, "io.max", val, field, err) < 0)
			return -1;
	}
	return 0;
}

static int io_weights(const struct husk_block_io *b, const char *dir, husk_err *err)
{
	const char *file = husk_cgroup_has_file(dir, "io.bfq.weight") ? "io.bfq.weight" : "io.weight";
	char val[VAL_MAX * 2];
	if (b->leaf_weight.set && b->leaf_weight.v)
		return husk_error(err, ENOTSUP, "linux.resources.blockIO.leafWeight: not available on cgroup v2");
	if (b->weight.set && b->weight.v) {
		snprintf(val, sizeof(val), "%" PRIu64, husk_cgroup_blkio_to_io_weight(b->weight.v));
		if (husk_cgroup_write(dir, file, val, "linux.resources.blockIO.weight", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->weight_device.n; i++) {
		const struct husk_weight_device *w = &b->weight_device.v[i];
		if (!w->weight.set || !w->weight.v)
			continue;
		snprintf(val, sizeof(val), "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
			 husk_cgroup_blkio_to_io_weight(w->weight.v));
		if (husk_cgroup_write(dir, file, val, "linux.resources.blockIO.weightDevice", err) < 0)
			return -1;
	}
	return 0;
}

static int apply_io(const struct husk_block_io *b, const char *path, const char *dir, husk_err *err)
{
	if (husk_cgroup_v2_enable(path, "io", "linux.resources.blockIO", err) < 0 || io_weights(b, dir, err) < 0)
		return -1;
	if (io_max(dir, &b->throttle_read_bps_device, "rbps", "linux.resources.blockIO.throttleReadBpsDevice", err) < 0 ||
	    io_max(dir, &b->throttle_write_bps_device, "wbps", "linux.resources.blockIO.throttleWriteBpsDevice", err) < 0 ||
	    io_max(dir, &b->throttle_read_iops_device, "riops", "linux.resources.blockIO.throttleReadIOPSDevice", err) < 0 ||
	    io_max(dir, &b->throttle_write_iops_device, "wiops", "linux.resources.blockIO.throttleWriteIOPSDevice", err) < 0)
		return -1;
	return 0;
}

/* ---- hugetlb, rdma, unified ---------------------------------------------- */

static int apply_hugetlb(const struct husk_resources *r, const char *path, const char *dir, husk_err *err)
{
	if (husk_cgroup_v2_enable(path, "hugetlb", "linux.resources.hugepageLimits", err) < 0)
		return -1;
	for (size_t i = 0; i < r->hugepage_limits.n; i++) {
		char file[NAME_MAX], val[VAL_MAX];
		snprintf(val, sizeof(val), "%" PRIu64, r->hugepage_limits.v[i].limit);
		snprintf(file, sizeof(file), "hugetlb.%s.max", r->hugepage_limits.v[i].page_size);
		if (husk_cgroup_write(dir, file, val, "linux.resources.hugepageLimits", err) < 0)
			return -1;
		snprintf(file, sizeof(file), "hugetlb.%s.rsvd.max", r->hugepage_limits.v[i].page_size);
		if (husk_cgroup_has_file(dir, file) &&
		    husk_cgroup_write(dir, file, val, "linux.resources.hugepageLimits", err) < 0)
			return -1;
	}
	return 0;
}

static int apply_rdma(const struct husk_resources *r, const char *path, const char *dir, husk_err *err)
{
	if (husk_cgroup_v2_enable(path, "rdma", "linux.resources.rdma", err) < 0)
		return -1;
	for (size_t i = 0; i < r->rdma.n; i++) {
		const struct husk_rdma *d = &r->rdma.v[i];
		char val[PATH_MAX], h[VAL_MAX] = "max", o[VAL_MAX] = "max";
		if (d->hca_handles.set)
			snprintf(h, sizeof(h), "%u", d->hca_handles.v);
		if (d->hca_objects.set)
			snprintf(o, sizeof(o), "%u", d->hca_objects.v);
		snprintf(val, sizeof(val), "%s hca_handle=%s hca_object=%s", d->device, h, o);
		if (husk_cgroup_write(dir, "rdma.max", val, "linux.resources.rdma", err) < 0)
			return -1;
	}
	return 0;
}

static int apply_unified(const husk_map *m, const char *path, const char *dir, husk_err *err)
{
	for (size_t i = 0; i < m->n; i++) {
		const char *key = m->v[i].key;
		const char *dot = strchr(key, '.');
		if (!dot || dot == key || strchr(key, '/') || strlen(key) >= NAME_MAX)
			return husk_error(err, EINVAL, "linux.resources.unified: \"%s\": not a cgroup file name", key);
		char controller[NAME_MAX];
		snprintf(controller, sizeof(controller), "%.*s", (int)(dot - key), key);
		if (strcmp(controller, "cgroup") != 0 &&
		    husk_cgroup_v2_enable(path, controller, "linux.resources.unified", err) < 0)
			return -1;
		if (!husk_cgroup_has_file(dir, key))
			return husk_error(err, ENOENT, "linux.resources.unified: \"%s\": no such cgroup file", key);
		if (husk_cgroup_write(dir, key, m->v[i].value, "linux.resources.unified", err) < 0)
			return -1;
	}
	return 0;
}

/* ---- all ---------------------------------------------------------------- */

int husk_cgroup_v2_apply(const struct husk_resources *r, const char *path, husk_err *err)
{
	char dir[PATH_MAX];
	cg_dir(path, dir);
	if (r->network)
		return husk_error(err, ENOTSUP, "linux.resources.network: net_cls/net_prio are not available on cgroup v2");
	if (r->memory && apply_memory(r->memory, path, dir, err) < 0)
		return -1;
	if (r->cpu && apply_cpu(r->cpu, path, dir, err) < 0)
		return -1;
	if (r->pids && apply_pids(r->pids, path, dir, err) < 0)
		return -1;
	if (r->block_io && apply_io(r->block_io, path, dir, err) < 0)
		return -1;
	if (r->hugepage_limits.n && apply_hugetlb(r, path, dir, err) < 0)
		return -1;
	if (r->rdma.n && apply_rdma(r, path, dir, err) < 0)
		return -1;
	if (r->unified.n && apply_unified(&r->unified, path, dir, err) < 0)
		return -1;
	if (r->devices.n && husk_cgroup_v2_apply_devices(r, dir, err) < 0)
		return -1;
	return 0;
}
