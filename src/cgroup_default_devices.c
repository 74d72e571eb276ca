/* SPDX-License-Identifier: Apache-2.0 */
/* The device rules every container gets after its own (cgroup v1 and v2). */
#include "cgroup_internal.h"
#include "husk/util.h"

/* runc's default allow list: the nodes a container's /dev always holds
 * stay usable whatever linux.resources.devices says before them. */
const struct husk_device_cgroup husk_cgroup_default_devices[] = {
	{ true, 'c', { 0, false }, { 0, false }, "m" },
	{ true, 'b', { 0, false }, { 0, false }, "m" },
	{ true, 'c', { 1, true }, { 3, true }, "rwm" },    /* null */
	{ true, 'c', { 1, true }, { 8, true }, "rwm" },    /* random */
	{ true, 'c', { 1, true }, { 7, true }, "rwm" },    /* full */
	{ true, 'c', { 5, true }, { 0, true }, "rwm" },    /* tty */
	{ true, 'c', { 5, true }, { 1, true }, "rwm" },    /* console */
	{ true, 'c', { 1, true }, { 5, true }, "rwm" },    /* zero */
	{ true, 'c', { 1, true }, { 9, true }, "rwm" },    /* urandom */
	{ true, 'c', { 136, true }, { 0, false }, "rwm" }, /* pts */
	{ true, 'c', { 5, true }, { 2, true }, "rwm" },    /* ptmx */
	{ true, 'c', { 10, true }, { 200, true }, "rwm" }, /* net/tun */
};

const size_t husk_cgroup_default_devices_n = ARRAY_SIZE(husk_cgroup_default_devices);
