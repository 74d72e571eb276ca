/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_UNIT_H
#define HUSK_UNIT_H

#include <check.h>

/* One constructor per suite; main.c runs every one listed in its table. */
Suite *names_suite(void);
Suite *spec_suite(void);
Suite *features_suite(void);
Suite *config_suite(void);
Suite *hooks_suite(void);
Suite *reaper_suite(void);
Suite *seccomp_suite(void);
Suite *rootfs_suite(void);
Suite *cgroup_suite(void);
Suite *cgroup_stats_suite(void);
Suite *inspect_suite(void);
Suite *cgroup_devices_suite(void);
Suite *hardening_suite(void);

/* A flat scratch directory (files only), removed with everything in it. */
struct scratch {
	char dir[64];
};
void scratch_make(struct scratch *s, const char *name);
void scratch_remove(struct scratch *s);

#endif
