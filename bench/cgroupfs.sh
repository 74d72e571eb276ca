# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# The benchmark's view of the cgroup filesystem, sourced by bench.sh.
#
# On a hybrid host (cgroup v1 controllers plus a cgroup2 mount at
# /sys/fs/cgroup/unified) crun refuses to run, and each runtime would pick
# its own mix of the two.  So that all three see the same thing, the
# benchmark runs in a private mount namespace whose /sys/fs/cgroup holds
# only the v1 hierarchies: a fresh, read-only tmpfs with each hierarchy
# bound back and the alias symlinks (cpu -> cpu,cpuacct) recreated.
# Unmounting the cgroup2 mount alone would not do: a runtime would then
# write cgroup directories into the tmpfs under it, where the host never
# sees or removes them.  Nothing here changes the host's mounts.

# v1_hierarchies: the mount point of each cgroup v1 hierarchy mounted right
# under /sys/fs/cgroup, one a line.  In mountinfo the mount point is field 5
# and the file system type follows the "-" separator.
v1_hierarchies() {
	awk '{
		for (i = 7; i <= NF && $i != "-"; i++)
			;
		if ($(i + 1) == "cgroup" && $5 ~ "^/sys/fs/cgroup/[^/]+$")
			print $5
	}' /proc/self/mountinfo | sort -u
}

# cgroup_layout: how this mount namespace shows cgroups: v1, v2 or hybrid.
cgroup_layout() {
	local v1 v2=0
	v1=$(v1_hierarchies | wc -l)
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		v2=1
	fi
	if [ "$v1" -gt 0 ] && [ "$v2" = 1 ]; then
		echo hybrid
	elif [ "$v1" -gt 0 ]; then
		echo v1
	else
		echo v2
	fi
}

# legacy_cgroupfs STAGE: in this (private!) mount namespace, replace
# /sys/fs/cgroup by a read-only tmpfs holding only the v1 hierarchies.
# STAGE is an empty scratch directory; it is left empty.  Does nothing on
# a host without v1 hierarchies (pure cgroup v2 needs no help).
legacy_cgroupfs() {
	local stage=$1 mp name link
	local -a names=() links=()

	mapfile -t names < <(v1_hierarchies | sed 's|^/sys/fs/cgroup/||')
	[ "${#names[@]}" -gt 0 ] || return 0
	for link in /sys/fs/cgroup/*; do
		[ -L "$link" ] && links+=("${link##*/}=$(readlink "$link")")
	done
	# The new tmpfs hides the old mounts, so bind them aside first.
	for name in "${names[@]}"; do
		mkdir "$stage/$name"
		mount --bind "/sys/fs/cgroup/$name" "$stage/$name"
	done
	mount -t tmpfs -o mode=0755,nosuid,nodev,noexec cgroup /sys/fs/cgroup
	for name in "${names[@]}"; do
		mkdir "/sys/fs/cgroup/$name"
		mount --move "$stage/$name" "/sys/fs/cgroup/$name"
		rmdir "$stage/$name"
	done
	for link in "${links[@]}"; do
		ln -s "${link#*=}" "/sys/fs/cgroup/${link%%=*}"
	done
	# Read-only, as on a host: a runtime must not create anything here.
	mount -o remount,ro,nosuid,nodev,noexec /sys/fs/cgroup
}

# cgroup_dirs PATTERN: every cgroup directory named PATTERN (find -name).
cgroup_dirs() {
	local mp
	v1_hierarchies | while read -r mp; do
		find "$mp" -type d -name "$1" 2>/dev/null
	done
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		find /sys/fs/cgroup -type d -name "$1" 2>/dev/null
	fi
	return 0
}
