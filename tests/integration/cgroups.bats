#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# cgroups on a cgroup v1 (legacy or hybrid) host: the container's own
# cgroup, the limits landing in it and enforced, and its removal.

load container

CG=/sys/fs/cgroup

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	require_cgroup_v1
	ID=cg$BATS_TEST_NUMBER-$$
	PARENT=/husk
}

teardown() {
	container_teardown
}

# Start the container in the background; the filter sets its resources.
create_sleeping() {
	bundle "$1 | $(args_filter sleep 60)"
	hk create --bundle "$BUNDLE" "$ID"
}

# No directory named $1 under any hierarchy.
no_cgroup_left() {
	local d
	for d in $CG/*/; do
		[ ! -e "$d${1#/}" ] || { echo "left behind: $d${1#/}"; return 1; }
	done
}

no_cgroupns='.linux.namespaces |= map(select(.type != "cgroup"))'

@test "the container runs in its own cgroup in every hierarchy" {
	run_in "$no_cgroupns" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[[ "$output" == *"memory:/husk/$RUN_ID"* ]]
	[[ "$output" == *"pids:/husk/$RUN_ID"* ]]
	[[ "$output" == *"devices:/husk/$RUN_ID"* ]]
	# Every line: the v1 hierarchies the process joins itself and, on a
	# hybrid host, the unified one it is born in.
	[ "${#lines[@]}" -eq "$(grep -c . /proc/self/cgroup)" ]
	local line
	for line in "${lines[@]}"; do
		[[ "$line" == *":/husk/$RUN_ID" ]] || { echo "not in its cgroup: $line"; return 1; }
	done
	no_cgroup_left "/husk/$RUN_ID"
}

@test "with a cgroup namespace the container's cgroup is its root" {
	run_in '.' cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[[ "$output" == *"memory:/"* ]]
	[[ "$output" != *husk* ]]
}

@test "the container's /sys/fs/cgroup shows its own cgroup, read-only" {
	run_in '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 33}}' sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup/memory; touch /sys/fs/cgroup/x'
	[ "${lines[0]}" = 33554432 ]
	[ "${lines[1]}" = 33 ]
	[[ "$output" == *memory.usage_in_bytes* ]]
	# Not the host's tree: no husk/ parent, no other containers.
	[[ "$output" != *husk* ]]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "zero blkio weight and cpu shares mean unset, as docker sends them" {
	run_in '.linux.resources = {"blockIO": {"weight": 0}, "cpu": {"shares": 0}}' true
	[ "$status" -eq 0 ]
}

@test "an absolute and a relative cgroupsPath are used as given" {
	create_sleeping '.linux.cgroupsPath = "/husk-test/abs-'$ID'"'
	[ -d "$CG/memory/husk-test/abs-$ID" ]
	pid=$(hk state "$ID" | jq .pid)
	grep -q "$pid" "$CG/pids/husk-test/abs-$ID/cgroup.procs"
	hk delete --force "$ID"
	no_cgroup_left "/husk-test/abs-$ID"
	create_sleeping '.linux.cgroupsPath = "husk-test/rel-'$ID'"'
	[ -d "$CG/memory/husk-test/rel-$ID" ]
	hk delete --force "$ID"
	no_cgroup_left "/husk-test/rel-$ID"
	for d in $CG/*/husk-test; do rmdir "$d"; done
}

@test "systemd cgroup paths and .. are refused" {
	run_in '.linux.cgroupsPath = "system.slice:husk:x"' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"systemd cgroup paths are not supported yet"* ]]
	run_in '.linux.cgroupsPath = "/husk/../../x"' true
	[ "$status" -ne 0 ]
	[[ "$output" == *'".."'* ]]
	run hk --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"systemd cgroup paths are not supported yet"* ]]
	[ ! -e "$STATE/$ID" ]
}

@test "memory limit lands in memory.limit_in_bytes and is enforced" {
	create_sleeping '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
	[ "$(cat $CG/memory/husk/$ID/memory.limit_in_bytes)" = 16777216 ]
	[ "$(cat $CG/memory/husk/$ID/memory.memsw.limit_in_bytes)" = 16777216 ]
	hk delete --force "$ID"
	no_cgroup_left "/husk/$ID"
	run_in '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}' \
		sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
}

@test "memory reservation, swappiness and disableOOMKiller land" {
	create_sleeping '.linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432, "swappiness": 10, "disableOOMKiller": true}}'
	[ "$(cat $CG/memory/husk/$ID/memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(cat $CG/memory/husk/$ID/memory.swappiness)" = 10 ]
	grep -q 'oom_kill_disable 1' $CG/memory/husk/$ID/memory.oom_control
}

@test "pids limit stops a fork loop" {
	run_in '.linux.resources = {"pids": {"limit": 10}}' \
		sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null; for i in $(seq 50); do sleep 5 & done; echo forked; kill $(jobs -p) 2>/dev/null'
	[[ "$output" == *"can't fork"* || "$output" == *"Resource temporarily unavailable"* ]]
	create_sleeping '.linux.resources = {"pids": {"limit": 10}}'
	[ "$(cat $CG/pids/husk/$ID/pids.max)" = 10 ]
	hk delete --force "$ID"
	create_sleeping '.linux.resources = {"pids": {"limit": 0}}'
	[ "$(cat $CG/pids/husk/$ID/pids.max)" = max ]
}

@test "cpu shares, quota, period and cpuset land" {
	create_sleeping '.linux.resources = {"cpu": {"shares": 512, "quota": 20000, "period": 100000, "cpus": "0", "mems": "0"}}'
	[ "$(cat $CG/cpu/husk/$ID/cpu.shares)" = 512 ]
	[ "$(cat $CG/cpu/husk/$ID/cpu.cfs_quota_us)" = 20000 ]
	[ "$(cat $CG/cpu/husk/$ID/cpu.cfs_period_us)" = 100000 ]
	[ "$(cat $CG/cpuset/husk/$ID/cpuset.cpus)" = 0 ]
	[ "$(cat $CG/cpuset/husk/$ID/cpuset.mems)" = 0 ]
	pid=$(hk state "$ID" | jq .pid)
	grep -q "^Cpus_allowed_list:[[:space:]]*0$" /proc/$pid/status
}

@test "blkio weight lands, or is refused naming the controller" {
	bundle '.linux.resources = {"blockIO": {"weight": 100}} | '"$(args_filter sleep 60)"
	# Not `run`: the created container would hold its output pipe open.
	if hk create --bundle "$BUNDLE" "$ID" 2>"$TMP/err"; then
		grep -q 100 $CG/blkio/husk/$ID/blkio*weight
		hk delete --force "$ID"
	else
		grep -q 'linux.resources.blockIO.weight.*blkio' "$TMP/err"
	fi
	no_cgroup_left "/husk/$ID"
}

@test "device rules: a denied device cannot be opened, an allowed one can" {
	dev='.linux.devices = [{"path":"/dev/foo","type":"c","major":1,"minor":11,"fileMode":438}]'
	run_in "$dev"' | .linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}' \
		sh -c 'echo x >/dev/foo && echo opened; echo >/dev/null && echo null-ok'
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" != *opened* ]]
	[[ "$output" == *null-ok* ]]
	run_in "$dev"' | .linux.resources = {"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"}]}' \
		sh -c 'echo x >/dev/foo && echo opened'
	[[ "$output" == *opened* ]]
}

@test "delete removes the cgroup; a failing create leaves none" {
	create_sleeping '.linux.resources = {"pids": {"limit": 100}}'
	[ -d "$CG/pids/husk/$ID" ]
	hk start "$ID"
	hk delete --force "$ID"
	no_cgroup_left "/husk/$ID"
	bundle '.linux.resources = {"pids": {"limit": 100}} | .process.args = ["/no/such/program"]'
	run hk create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	no_cgroup_left "/husk/$ID"
	bundle '.linux.resources = {"memory": {"swappiness": 1000}}'
	run hk create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.memory.swappiness"* ]]
	no_cgroup_left "/husk/$ID"
	[ ! -e "$STATE/$ID" ]
}

@test "kill --all signals every process of the cgroup" {
	bundle '.linux.namespaces |= map(select(.type != "pid")) | '"$(args_filter sh -c 'sleep 100 & sleep 100 & wait')"
	hk run -d --bundle "$BUNDLE" "$ID"
	for _ in $(seq 50); do [ "$(wc -l <$CG/pids/husk/$ID/cgroup.procs)" -eq 3 ] && break; sleep 0.1; done
	[ "$(wc -l <$CG/pids/husk/$ID/cgroup.procs)" -eq 3 ]
	hk kill --all "$ID" KILL
	for _ in $(seq 50); do [ ! -s $CG/pids/husk/$ID/cgroup.procs ] && break; sleep 0.1; done
	[ ! -s $CG/pids/husk/$ID/cgroup.procs ]
}

@test "resources this host cannot apply are refused naming the controller" {
	run_in '.linux.resources = {"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.hugepageLimits"*"hugetlb"* ]]
	run_in '.linux.resources = {"unified": {"memory.max": "1000000"}}' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.unified"*"requires cgroup v2"* ]]
	run_in '.linux.resources = {"network": {"classID": 1}}' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.network.classID"*"net_cls"* ]]
	no_cgroup_left "/husk/$RUN_ID"
	[ ! -e "$STATE/$RUN_ID" ]
}
