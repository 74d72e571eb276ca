/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_NAMESPACES_H
#define HUSK_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/config.h"

#define HUSK_NS_MAX 8

/*
 * How the container's namespaces come about, decided once from the config:
 * new ones are created by the clone itself (so they are owned by a new user
 * namespace created in the same call); joined ones are opened here, in the
 * runtime, and entered by the child, user namespace first.  pid and time
 * namespaces apply to children only, so the runtime enters those (or
 * creates the time namespace and writes its offsets) just around the clone.
 */
struct husk_ns_plan {
	int clone_flags;               /* CLONE_NEW* created by clone */
	int unshare_flags;             /* created by the child (user ns joined) */
	int join_fd[HUSK_NS_MAX];      /* entered by the child, in order */
	int join_type[HUSK_NS_MAX];
	size_t njoin;
	int pid_fd;                    /* pid ns to enter around the clone, or -1 */
	int time_fd;                   /* time ns to enter around the clone, or -1 */
	bool new_time;                 /* runtime unshares a time ns around the clone */
	bool new_user;
	bool new_pid;
	bool has_mount;                /* the container has a mount namespace entry */
	bool has_uts;
};

/* Decide and open what must be joined; checks each path's namespace type. */
int husk_ns_plan_make(const struct husk_config *cfg, struct husk_ns_plan *plan, husk_err *err);
void husk_ns_plan_release(struct husk_ns_plan *plan);

/*
 * Saved namespaces of the runtime for children it forks later (hooks).
 * enter_for_clone switches pid/time-for-children as the plan says;
 * restore puts them back.
 */
struct husk_ns_saved {
	int pid_fd;
	int time_fd;
};
int husk_ns_enter_for_clone(const struct husk_config *cfg, const struct husk_ns_plan *plan,
			    struct husk_ns_saved *saved, husk_err *err);
int husk_ns_restore(struct husk_ns_saved *saved, husk_err *err);

/* In the child: enter joined namespaces, then unshare what remains. */
int husk_ns_join(const struct husk_ns_plan *plan, husk_err *err);

/*
 * The namespaces of a running process, for a new process to join (exec):
 * every one that differs from the runtime's own.  The pid namespace only
 * applies to children, so the runtime enters it around the clone
 * (enter_pid_of); the child joins the rest itself (join_target): all at
 * once through the pidfd where the kernel can (5.8), else one by one
 * through /proc/PID/ns, the user namespace first, and becomes root in a
 * joined user namespace.
 */
struct husk_ns_target {
	pid_t pid;
	int pidfd;                     /* not owned */
	int flags;                     /* CLONE_NEW* that differ from ours */
};

int husk_ns_target_make(pid_t pid, int pidfd, struct husk_ns_target *t, husk_err *err);
int husk_ns_enter_pid_of(const struct husk_ns_target *t, struct husk_ns_saved *saved, husk_err *err);
int husk_ns_join_target(const struct husk_ns_target *t, husk_err *err);

/* In the runtime: write /proc/PID/{uid,gid}_map for a new user namespace. */
int husk_ns_write_id_maps(pid_t pid, const struct husk_linux *l, husk_err *err);

/*
 * Clone a child with the given flags (clone3, or clone without the time
 * flag); returns 0 in the child, the pid in the parent, -1 on error.
 * cgroup_fd >= 0: a cgroup v2 directory to create the child in
 * (CLONE_INTO_CGROUP); *in_cgroup tells, in both processes, whether the
 * kernel did.
 */
pid_t husk_clone(int flags, int cgroup_fd, bool *in_cgroup, husk_err *err);

#endif
