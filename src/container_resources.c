/* SPDX-License-Identifier: Apache-2.0 */
/* Operations on a live container's cgroup: pause, resume, update. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/file.h>

#include "container_internal.h"
#include "husk/cgroup.h"

static int open_with_cgroup(const struct husk_ctx *ctx, const char *id, struct husk_opened *c, husk_err *err)
{
	if (husk_container_open(ctx, id, LOCK_EX, c, err) < 0)
		return -1;
	if (!c->st.cgroup_path)
		return husk_error(err, ENOTSUP, "container %s has no cgroup (none was mounted when it was created)", id);
	return 0;
}

int husk_container_pause(const struct husk_ctx *ctx, const char *id, husk_err *err)
{
	cleanup_opened struct husk_opened c;
	if (open_with_cgroup(ctx, id, &c, err) < 0)
		return -1;
	/* runc's wording, pausing twice included. */
	if (c.status != HUSK_STATUS_RUNNING)
		return husk_error(err, 0, "container not running");
	if (husk_cgroup_freeze(c.st.cgroup_path, true, err) == 0)
		return 0;
	/* Half frozen is worse than not paused. */
	husk_cgroup_freeze(c.st.cgroup_path, false, NULL);
	return -1;
}

int husk_container_resume(const struct husk_ctx *ctx, const char *id, husk_err *err)
{
	cleanup_opened struct husk_opened c;
	if (open_with_cgroup(ctx, id, &c, err) < 0)
		return -1;
	if (c.status != HUSK_STATUS_PAUSED)
		return husk_error(err, 0, "container not paused");
	return husk_cgroup_freeze(c.st.cgroup_path, false, err);
}

int husk_container_update(const struct husk_ctx *ctx, const char *id, const struct husk_resources *r,
			  husk_err *err)
{
	cleanup_opened struct husk_opened c;
	if (open_with_cgroup(ctx, id, &c, err) < 0)
		return -1;
	if (c.status == HUSK_STATUS_STOPPED || c.status == HUSK_STATUS_CREATING)
		return husk_error(err, 0, "container not running");
	if (husk_cgroup_update(c.st.cgroup_path, r, err) < 0)
		return husk_error_wrap(err, "update container %s", id);
	return 0;
}
