#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# husk spec --hardened: the container it describes really runs unprivileged,
# read-only, limited and filtered; husk validate --warn/--strict report what
# a config lacks.

load container

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	PROFILE=$BATS_TEST_DIRNAME/../fixtures/seccomp/deny-admin.json
}

teardown() {
	container_teardown
}

# hardened_bundle [SPEC-FLAGS...] -- CMD...: a hardened bundle (the test
# profile, the shared rootfs, no terminal) running CMD.
hardened_bundle() {
	local flags=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	shift
	rm -f "$BUNDLE/config.json"
	"$HUSK" spec --hardened --seccomp "$PROFILE" --bundle "$BUNDLE" "${flags[@]}" || return 1
	jq --arg rootfs "$ROOTFS" '.root.path = $rootfs | .process.terminal = false | '"$(args_filter "$@")" \
		"$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# run_hardened [SPEC-FLAGS...] -- CMD...: run CMD in a hardened container.
run_hardened() {
	hardened_bundle "$@" || return 1
	run hk run --bundle "$BUNDLE" "$RUN_ID"
}

@test "runs as 10001:10001 on a read-only root" {
	run_hardened -- sh -c 'id -u; id -g; touch /x 2>/dev/null && echo writable || echo read-only'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 10001 ]
	[ "${lines[1]}" = 10001 ]
	[ "${lines[2]}" = read-only ]
}

@test "--user sets uid and gid" {
	run_hardened --user 2000:3000 -- sh -c 'id -u; id -g'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2000 ]
	[ "${lines[1]}" = 3000 ]
}

@test "/tmp and /var/tmp are writable tmpfs, nosuid nodev noexec, 100m and 50m" {
	run_hardened -- sh -c 'grep -E " /(var/)?tmp " /proc/self/mountinfo; touch /tmp/x /var/tmp/x && echo ok'
	[ "$status" -eq 0 ]
	tmp=$(printf '%s\n' "${lines[@]}" | awk '$5 == "/tmp"')
	vartmp=$(printf '%s\n' "${lines[@]}" | awk '$5 == "/var/tmp"')
	for line in "$tmp" "$vartmp"; do
		[[ "$line" == *" - tmpfs "* ]]
		for opt in nosuid nodev noexec; do [[ "$line" == *"$opt"* ]]; done
	done
	[[ "$tmp" == *size=102400k* ]]
	[[ "$vartmp" == *size=51200k* ]]
	[ "${lines[-1]}" = ok ]
}

@test "--tmpfs adds a tmpfs with the default options" {
	run_hardened --tmpfs /run -- sh -c 'grep " /run " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *" - tmpfs "* ]]
	[[ "$output" == *noexec* ]]
}

@test "only NET_BIND_SERVICE, no_new_privs and a seccomp filter" {
	run_hardened -- cat /proc/self/status
	[ "$status" -eq 0 ]
	for f in CapBnd CapEff CapPrm CapInh CapAmb; do
		[ "$(status_field $f <<<"$output")" = 0000000000000400 ]
	done
	[ "$(status_field NoNewPrivs <<<"$output")" = 1 ]
	[ "$(status_field Seccomp <<<"$output")" = 2 ]
}

@test "uid 10001 binds port 80 with NET_BIND_SERVICE, and not without" {
	# busybox nc listens on IPv6 (and IPv4) where it can: look in both tables.
	# The loopback of the new network namespace is down, which binding to
	# the wildcard address does not need.
	listening='nc -l -p 80 & sleep 0.5; grep -qE ":0050 0+:0000 0A" /proc/net/tcp /proc/net/tcp6 && echo listening; kill $!'
	run_hardened -- sh -c "$listening"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = listening ]
	run_hardened --cap-add CHOWN -- sh -c "$listening"
	[[ "$output" == *"Permission denied"* ]]
	[[ "$output" != *listening* ]]
}

@test "rlimits: 1024/4096 open files, no core dumps" {
	run_hardened -- sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1024 ]
	[ "${lines[1]}" = 4096 ]
	[ "${lines[2]}" = 0 ]
}

@test "PID 1 is the reaper unless --no-init" {
	run_hardened -- sh -c 'echo $$'
	[ "$status" -eq 0 ]
	[ "$output" != 1 ]
	run_hardened --no-init -- sh -c 'echo $$'
	[ "$output" = 1 ]
}

@test "memory, CPU and pids limits are in the container's cgroup" {
	require_cgroup_v1
	run_hardened --cpus 0.5 -- sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 536870912 ]
	[ "${lines[1]}" = 268435456 ]
	[ "${lines[2]}" = 50000 ]
	[ "${lines[3]}" = 1024 ]
}

@test "--memory and --pids change the limits" {
	require_cgroup_v1
	run_hardened --memory 64m --pids 50 -- sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = 50 ]
}

# ---- the spec command alone ------------------------------------------------

@test "spec --hardened: bad values are usage errors naming flag and value" {
	for bad in "--memory 12x" "--memory-reservation -1" "--cpus abc" "--cpus 0" "--pids 0" \
		"--user root" "--cap-add CAP_NOPE" "--tmpfs relative"; do
		# shellcheck disable=SC2086
		run --separate-stderr husk spec --hardened --bundle "$BUNDLE" $bad
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"--${bad%% *}"* || "$stderr" == *"${bad%% *}: invalid value '${bad#* }'"* ]]
		[ ! -e "$BUNDLE/config.json" ]
	done
}

@test "spec: the hardened flags need --hardened" {
	run --separate-stderr husk spec --bundle "$BUNDLE" --memory 1g
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--memory needs --hardened"* ]]
}

@test "spec --hardened: a missing shipped profile names the paths searched" {
	[ ! -e "$BATS_TEST_DIRNAME/../../seccomp-profiles/strict.json" ] || skip "the strict profile exists"
	run --separate-stderr husk spec --hardened --seccomp strict --bundle "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"seccomp profile 'strict' not found"* ]]
	[[ "$stderr" == *seccomp-profiles/strict.json* ]]
}

@test "the shipped default and strict profiles: busybox works, namespaces are refused" {
	for profile in default strict; do
		PROFILE=$profile
		run_hardened -- sh -c 'grep Seccomp: /proc/self/status; echo data >/tmp/f && cat /tmp/f; unshare -n true || echo refused'
		[ "$status" -eq 0 ]
		[[ "$output" == *"Seccomp:"*2* ]]
		[[ "$output" == *data* ]]
		[[ "$output" == *refused* ]]
		hk delete --force "$RUN_ID" 2>/dev/null || true
	done
}

@test "spec --hardened --seccomp unconfined has no filter" {
	run husk spec --hardened --seccomp unconfined --bundle "$BUNDLE"
	[ "$status" -eq 0 ]
	[ "$(jq '.linux | has("seccomp")' "$BUNDLE/config.json")" = false ]
}

# ---- validate --warn / --strict --------------------------------------------

@test "validate --warn lists what runc's default spec lacks; --strict exits 1" {
	husk spec --bundle "$BUNDLE"
	mkdir -p "$BUNDLE/rootfs"
	run --separate-stderr husk validate --bundle "$BUNDLE" --warn
	[ "$status" -eq 0 ]
	for f in "process.user.uid: runs as root" \
		"process.capabilities.bounding: CAP_KILL is kept" \
		"linux.seccomp: no seccomp filter" \
		"linux.resources.memory.limit: no memory limit" \
		"linux.resources.pids.limit: no pids limit" \
		"mounts: no tmpfs on /tmp"; do
		printf '%s\n' "${lines[@]}" | grep -qxF "$f"
	done
	run --separate-stderr husk validate --bundle "$BUNDLE" --strict
	[ "$status" -eq 1 ]
}

@test "validate --strict finds nothing in a hardened spec" {
	husk spec --hardened --seccomp "$PROFILE" --bundle "$BUNDLE"
	mkdir -p "$BUNDLE/rootfs"
	run --separate-stderr husk validate --bundle "$BUNDLE" --strict
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"config.json: valid" ]]
}
