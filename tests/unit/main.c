/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "unit.h"

/* Add a suite here and declare its constructor in unit.h. */
static Suite *(*const suites[])(void) = {
	names_suite,
	spec_suite,
	features_suite,
	config_suite,
	hooks_suite,
	reaper_suite,
	seccomp_suite,
	rootfs_suite,
	cgroup_suite,
	cgroup_stats_suite,
	inspect_suite,
	cgroup_devices_suite,
	hardening_suite,
};

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
