/* SPDX-License-Identifier: Apache-2.0 */
/* Looking into a running container: its processes (ps) and events. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "container_internal.h"
#include "husk/cgroup.h"

#define NS_PER_SEC 1000000000LL

/*
 * The OOM killer signals its victim before it counts the kill in
 * memory.events: when the container dies of it, the count may lag a
 * little behind the exit.  Wait this long for it before the last look.
 */
#define OOM_LATE_MS 200

/* ---- ps ------------------------------------------------------------------ */

static int init_only(const struct husk_opened *c, pid_t **pids, size_t *n, husk_err *err)
{
	if (c->status == HUSK_STATUS_STOPPED || c->status == HUSK_STATUS_CREATING)
		return 0;
	*pids = malloc(sizeof(**pids));
	if (!*pids)
		return husk_error(err, ENOMEM, "list processes");
	(*pids)[0] = c->st.pid;
	*n = 1;
	return 0;
}

int husk_container_pids(const struct husk_ctx *ctx, const char *id, pid_t **pids, size_t *n, husk_err *err)
{
	*pids = NULL;
	*n = 0;
	cleanup_opened struct husk_opened c;
	if (husk_container_open(ctx, id, 0, &c, err) < 0)
		return -1;
	/* Without cgroups the container process is all that can be named. */
	if (!c.st.cgroup_path)
		return init_only(&c, pids, n, err);
	cleanup_error husk_err cg_err = NULL;
	if (husk_cgroup_pids(c.st.cgroup_path, pids, n, &cg_err) == 0)
		return 0;
	/* As runc: a stopped container whose cgroup is gone has no processes. */
	if (c.status == HUSK_STATUS_STOPPED && cg_err->errnum == ENOENT)
		return 0;
	husk_error_append(err, &cg_err);
	return husk_error_wrap(err, "unable to get all container pids");
}

/* ---- events ---------------------------------------------------------------- */

static int not_running(const char *id, husk_err *err)
{
	return husk_error(err, 0, "container with id %s is not running", id);
}

static int stats_json(enum husk_cgroup_layout layout, const struct husk_state *st, char **json, husk_err *err)
{
	cleanup_stats struct husk_cgroup_stats s = { 0 };
	if (husk_cgroup_stats_read(layout, st->cgroup_path, &s, err) < 0 ||
	    husk_cgroup_event_json("stats", st->id, &s, json, err) < 0)
		return husk_error_wrap(err, "unable to get container cgroup stats");
	return 0;
}

static int emit_stats(enum husk_cgroup_layout layout, const struct husk_state *st, husk_event_fn emit, void *arg,
		      husk_err *err)
{
	cleanup_free char *json = NULL;
	if (stats_json(layout, st, &json, err) < 0)
		return -1;
	return emit(json, arg, err);
}

/* In the stream, as runc: statistics that cannot be read are logged and
 * the next interval tries again. */
static int emit_stats_logged(const struct husk_ctx *ctx, enum husk_cgroup_layout layout, const struct husk_state *st,
			     husk_event_fn emit, void *arg, husk_err *err)
{
	cleanup_error husk_err stats_err = NULL;
	cleanup_free char *json = NULL;
	if (stats_json(layout, st, &json, &stats_err) < 0) {
		husk_log_errors(ctx->log, stats_err);
		return 0;
	}
	return emit(json, arg, err);
}

static int report_oom(struct husk_cgroup_oom *oom, const char *id, husk_event_fn emit, void *arg, husk_err *err)
{
	bool happened;
	cleanup_free char *json = NULL;
	if (husk_cgroup_oom_take(oom, &happened, err) < 0)
		return -1;
	if (!happened)
		return 0;
	if (husk_cgroup_event_json("oom", id, NULL, &json, err) < 0)
		return -1;
	return emit(json, arg, err);
}

/* The container has exited: a kill that stopped it may still be on its way. */
static int report_last_oom(struct husk_cgroup_oom *oom, const char *id, husk_event_fn emit, void *arg,
			   husk_err *err)
{
	struct pollfd p = { .fd = oom->fd, .events = POLLIN };
	if (oom->fd >= 0 && poll(&p, 1, OOM_LATE_MS) < 0 && errno != EINTR)
		return husk_error(err, errno, "wait for OOM events");
	return report_oom(oom, id, emit, arg, err);
}

static int64_t now_ns(void)
{
	/* CLOCK_MONOTONIC cannot fail; zero is a safe fallback all the same. */
	struct timespec ts = { 0 };
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t add_saturating(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int stream(const struct husk_ctx *ctx, enum husk_cgroup_layout layout, const struct husk_state *st,
		  int64_t interval, husk_event_fn emit, void *arg, husk_err *err)
{
	cleanup_close int pidfd = husk_container_pidfd(st, NULL);
	if (pidfd < 0)
		return not_running(st->id, err);
	cleanup_oom struct husk_cgroup_oom oom;
	if (husk_cgroup_oom_open(layout, st->cgroup_path, &oom, err) < 0)
		return -1;
	int64_t next = add_saturating(now_ns(), interval);
	for (;;) {
		struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = oom.fd, .events = POLLIN } };
		int64_t left = next - now_ns();
		struct timespec timeout = { .tv_sec = left > 0 ? left / NS_PER_SEC : 0,
					    .tv_nsec = left > 0 ? left % NS_PER_SEC : 0 };
		int ready = ppoll(fds, 2, &timeout, NULL);
		if (ready < 0 && errno != EINTR)
			return husk_error(err, errno, "wait for events of container %s", st->id);
		if (ready > 0 && fds[1].revents && report_oom(&oom, st->id, emit, arg, err) < 0)
			return -1;
		if (ready > 0 && fds[0].revents)
			return report_last_oom(&oom, st->id, emit, arg, err);
		if (now_ns() < next)
			continue;
		if (emit_stats_logged(ctx, layout, st, emit, arg, err) < 0)
			return -1;
		/* Ticks missed while the statistics were read are dropped. */
		next = add_saturating(next, interval);
		if (next <= now_ns())
			next = add_saturating(now_ns(), interval);
	}
}

int husk_container_events(const struct husk_ctx *ctx, const char *id, const struct husk_events_opts *o,
			  husk_event_fn emit, void *arg, husk_err *err)
{
	if (o->interval_ns <= 0)
		return husk_error(err, 0, "duration interval must be greater than 0");
	cleanup_opened struct husk_opened c;
	if (husk_container_open(ctx, id, 0, &c, err) < 0)
		return -1;
	if (c.status == HUSK_STATUS_STOPPED || c.status == HUSK_STATUS_CREATING)
		return not_running(id, err);
	if (!c.st.cgroup_path)
		return husk_error(err, 0, "container %s has no cgroup (none is mounted): no statistics", id);
	enum husk_cgroup_layout layout = husk_cgroup_detect();
	if (o->stats_once)
		return emit_stats(layout, &c.st, emit, arg, err);
	return stream(ctx, layout, &c.st, o->interval_ns, emit, arg, err);
}
