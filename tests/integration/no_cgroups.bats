#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# A host with no cgroup hierarchy mounted at all, as small embedded systems
# are: a config that asks for no resources runs without a cgroup; one that
# asks for any is refused naming the field, and leaves nothing behind.
# Each husk call runs in a mount namespace of its own whose /sys/fs/cgroup
# is an empty read-only tmpfs; the host's cgroups are not touched.

load container

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
}

teardown() {
	container_teardown
}

# hk_nocg ARGS...: husk --root $STATE ARGS... on a host without cgroups.
hk_nocg() {
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs -o ro tmpfs /sys/fs/cgroup && exec "$@"' \
		sh "$HUSK" --root "$STATE" "$@"
}

@test "no cgroups: a config without resources runs, and says so at debug level" {
	bundle "$(args_filter sh -c 'echo ok; grep -c . /proc/self/cgroup')"
	run --separate-stderr hk_nocg --debug run --bundle "$BUNDLE" "$RUN_ID"
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[ "${lines[0]}" = ok ]
	[[ "$stderr" == *"no cgroup hierarchy mounted: running without a cgroup"* ]]
	[ -z "$(ls -A "$STATE")" ]
}

@test "no cgroups: create, start, state, kill --all and delete" {
	bundle "$(args_filter sleep 60)"
	hk_nocg create --bundle "$BUNDLE" "$RUN_ID"
	hk_nocg start "$RUN_ID"
	run hk_nocg state "$RUN_ID"
	[ "$(jq -r .status <<<"$output")" = running ]
	pid=$(jq -r .pid <<<"$output")
	kill -0 "$pid"
	# the process is in the host cgroup its runtime was in: no new cgroup
	[ "$(cat "/proc/$pid/cgroup")" = "$(cat /proc/self/cgroup)" ]
	hk_nocg kill --all "$RUN_ID" KILL
	for _ in $(seq 50); do
		[ "$(hk_nocg state "$RUN_ID" | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	[ "$(hk_nocg state "$RUN_ID" | jq -r .status)" = stopped ]
	hk_nocg delete "$RUN_ID"
	[ -z "$(ls -A "$STATE")" ]
}

@test "no cgroups: pause and events --stats say there is no cgroup" {
	bundle "$(args_filter sleep 60)"
	hk_nocg run --detach --bundle "$BUNDLE" "$RUN_ID"
	run hk_nocg pause "$RUN_ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"has no cgroup"* ]]
	run hk_nocg events --stats "$RUN_ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"has no cgroup"* ]]
	hk_nocg delete --force "$RUN_ID"
}

@test "no cgroups: each kind of resource is refused naming its field, leaving nothing" {
	local r
	for r in '.memory = {"limit": 67108864}' '.pids = {"limit": 10}' '.cpu = {"shares": 512}' \
		'.devices = [{"allow": false, "access": "rwm"}]' '.unified = {"pids.max": "5"}'; do
		bundle ".linux.resources = ({} | $r) | $(args_filter true)"
		field=linux.resources.$(jq -r '.linux.resources | keys[0]' "$BUNDLE/config.json")
		run hk_nocg run --bundle "$BUNDLE" "$RUN_ID"
		[ "$status" -ne 0 ]
		[[ "$output" == *"$field: no cgroup hierarchy is mounted at /sys/fs/cgroup"* ]] ||
			{ echo "$r: $output"; false; }
		[ -z "$(ls -A "$STATE" 2>/dev/null)" ]
		! pgrep -f "husk --root $STATE" >/dev/null
	done
}
