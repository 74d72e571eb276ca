#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# cgroups on a cgroup v2 (unified) host: the limits land in the v2 files.
# Skipped elsewhere (run it with `make check-vm`).

load container

CG=/sys/fs/cgroup

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	require_cgroup_v2
	ID=cg$BATS_TEST_NUMBER-$$
}

teardown() {
	container_teardown
}

create_sleeping() {
	bundle "$1 | $(args_filter sleep 60)"
	hk create --bundle "$BUNDLE" "$ID"
}

@test "v2: limits land in memory.max, memory.swap.max, cpu.weight, cpu.max and pids.max" {
	create_sleeping '.linux.resources = {"memory": {"limit": 33554432, "swap": 67108864}, "cpu": {"shares": 1024, "quota": 50000, "period": 100000}, "pids": {"limit": 20}}'
	[ "$(cat $CG/husk/$ID/memory.max)" = 33554432 ]
	[ "$(cat $CG/husk/$ID/memory.swap.max)" = 33554432 ] || [ ! -e $CG/husk/$ID/memory.swap.max ]
	[ "$(cat $CG/husk/$ID/cpu.weight)" = 39 ]
	[ "$(cat $CG/husk/$ID/cpu.max)" = "50000 100000" ]
	[ "$(cat $CG/husk/$ID/pids.max)" = 20 ]
	pid=$(hk state "$ID" | jq .pid)
	grep -q "$pid" $CG/husk/$ID/cgroup.procs
	hk delete --force "$ID"
	[ ! -e $CG/husk/$ID ]
}

@test "v2: the memory limit is enforced" {
	bundle '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}} | '"$(args_filter sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived')"
	run hk run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
	[ ! -e $CG/husk/$ID ]
}

# Docker's device rules: deny everything, then allow what every container needs.
DOCKER_DEVICES='[{"allow": false, "access": "rwm"},
	{"allow": true, "type": "c", "access": "m"}, {"allow": true, "type": "b", "access": "m"},
	{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
	{"allow": true, "type": "c", "major": 1, "minor": 8, "access": "rwm"},
	{"allow": true, "type": "c", "major": 1, "minor": 7, "access": "rwm"},
	{"allow": true, "type": "c", "major": 5, "minor": 0, "access": "rwm"},
	{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"},
	{"allow": true, "type": "c", "major": 1, "minor": 9, "access": "rwm"},
	{"allow": true, "type": "c", "major": 136, "access": "rwm"},
	{"allow": true, "type": "c", "major": 5, "minor": 2, "access": "rwm"},
	{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]'

@test "v2: device rules: a denied device cannot be opened, an allowed one can" {
	dev='.linux.devices = [{"path":"/dev/foo","type":"c","major":1,"minor":11,"fileMode":438}]'
	run_in "$dev | .linux.resources = {\"devices\": $DOCKER_DEVICES}" \
		sh -c 'echo x >/dev/foo && echo opened; echo >/dev/null && echo null-ok; head -c 3 /dev/zero >/dev/null && echo zero-ok'
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" != *opened* ]]
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *zero-ok* ]]
	run_in "$dev | .linux.resources = {\"devices\": ($DOCKER_DEVICES + [{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"rw\"}])}" \
		sh -c 'echo x >/dev/foo && echo opened'
	[[ "$output" == *opened* ]]
	[ ! -e $CG/husk/$RUN_ID ]
}

@test "v2: unified keys are written" {
	create_sleeping '.linux.resources = {"unified": {"pids.max": "7"}}'
	[ "$(cat $CG/husk/$ID/pids.max)" = 7 ]
}

@test "v2: pids.max stops a fork loop" {
	bundle '.linux.resources = {"pids": {"limit": 10}} | '"$(args_filter sh -c 'for i in $(seq 30); do sleep 5 & done; echo forked')"
	run hk run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *"can't fork"* || "$output" == *"Resource temporarily unavailable"* ]]
}

@test "v2: cpu.max throttles a busy loop (nr_throttled grows)" {
	# Emulated CPUs are slow: a short loop is well over 10 ms of CPU.
	bundle '.linux.resources = {"cpu": {"quota": 10000, "period": 100000}} | '"$(args_filter sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; cat /sys/fs/cgroup/cpu.stat')"
	run hk run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	throttled=$(awk '$1 == "nr_throttled" { print $2 }' <<<"$output")
	[ "${throttled:-0}" -gt 0 ]
}

@test "v2: the container's cgroup mount is its own cgroup" {
	run_in '.linux.resources = {"pids": {"limit": 17}}' cat /sys/fs/cgroup/pids.max
	[ "$output" = 17 ]
}

@test "v2: ps lists the container's processes; events --stats reads the v2 files" {
	bundle '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 20}} | '"$(args_filter sh -c 'sleep 100 & sleep 100 & wait')"
	hk run -d --bundle "$BUNDLE" "$ID"
	for _ in $(seq 50); do [ "$(wc -l <$CG/husk/$ID/cgroup.procs)" -eq 3 ] && break; sleep 0.1; done
	run hk ps --format json "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[]' <<<"$output" | sort)" = "$(sort $CG/husk/$ID/cgroup.procs)" ]
	[ "$(jq length <<<"$output")" -eq 3 ]
	run hk ps "$ID"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'sleep 100$' <<<"$output")" -eq 2 ]
	usec=$(awk '$1 == "usage_usec" { print $2 }' $CG/husk/$ID/cpu.stat)
	run hk events --stats "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq .data.memory.usage.limit <<<"$output")" -eq 33554432 ]
	[ "$(jq .data.memory.usage.usage <<<"$output")" -gt 0 ]
	jq -e '.data.memory.raw | has("anon") and has("file")' <<<"$output"
	# runc reports v2 swap as memory+swap, as v1 does.
	[ "$(jq .data.memory.swap.usage <<<"$output")" -ge "$(jq .data.memory.usage.usage <<<"$output")" ]
	[ "$(jq .data.pids.current <<<"$output")" -eq 3 ]
	[ "$(jq .data.pids.limit <<<"$output")" -eq 20 ]
	[ "$(jq .data.cpu.usage.total <<<"$output")" -gt 0 ]
	[ "$(jq .data.cpu.usage.total <<<"$output")" -ge $((usec * 1000)) ]
	# No per-CPU usage and no cpuset statistics on v2, as with runc.
	jq -e '.data.cpu.usage | has("percpu") | not' <<<"$output"
	jq -e '.data.cpuset | has("cpus") | not' <<<"$output"
}

@test "v2: events reports an OOM kill from memory.events and ends with the container" {
	bundle '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}} | '"$(args_filter sh -c 'sleep 1; x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived; sleep 100')"
	hk create --bundle "$BUNDLE" "$ID" 3>&-
	hk events --interval 1s "$ID" >"$TMP/events" 2>"$TMP/err" 3>&- &
	events=$!
	hk start "$ID"
	for _ in $(seq 150); do grep -q '"type":"oom"' "$TMP/events" && break; sleep 0.1; done
	hk kill "$ID" KILL 2>/dev/null || true
	for _ in $(seq 150); do kill -0 "$events" 2>/dev/null || break; sleep 0.1; done
	wait "$events"
	grep -qx '{"type":"oom","id":"'"$ID"'"}' "$TMP/events"
	grep -q '^oom_kill [1-9]' $CG/husk/$ID/memory.events
}

@test "v2: cpuset, cpu burst and idle, hugetlb and io weight land" {
	create_sleeping '.linux.resources = {"cpu": {"cpus": "0", "mems": "0", "burst": 1000, "quota": 50000, "period": 100000}, "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	[ "$(cat $CG/husk/$ID/cpuset.cpus)" = 0 ]
	[ "$(cat $CG/husk/$ID/cpuset.mems)" = 0 ]
	[ "$(cat $CG/husk/$ID/cpu.max.burst)" = 1000 ]
	[ "$(cat $CG/husk/$ID/hugetlb.2MB.max)" = 4194304 ]
	hk delete --force "$ID"
	create_sleeping '.linux.resources = {"cpu": {"idle": 1}}'
	[ "$(cat $CG/husk/$ID/cpu.idle)" = 1 ]
	hk delete --force "$ID"
	# io.weight exists only with an io scheduler that weighs; else a clear error.
	bundle '.linux.resources = {"blockIO": {"weight": 500}} | '"$(args_filter sleep 60)"
	# (Not `run`: it would wait for the sleeping container's stdout.)
	if hk create --bundle "$BUNDLE" "$ID" >/dev/null 2>"$TMP/err"; then
		w=$(cat $CG/husk/$ID/io.bfq.weight 2>/dev/null || cat $CG/husk/$ID/io.weight)
		[[ "$w" == *5* ]]
	else
		grep -q "linux.resources.blockIO.weight" "$TMP/err"
	fi
}

@test "v2: memory.low from the reservation, io.max from a throttle, kill --all through cgroup.kill" {
	dev=$(cat /sys/block/*/dev 2>/dev/null | head -n1)
	io='{}'
	[ -z "$dev" ] || io='{"throttleReadBpsDevice": [{"major": '"${dev%:*}"', "minor": '"${dev#*:}"', "rate": 1048576}]}'
	bundle '.linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432}, "blockIO": '"$io"'} | '"$(args_filter sh -c 'sleep 100 & sleep 100 & wait')"
	hk run -d --bundle "$BUNDLE" "$ID" >/dev/null
	[ "$(cat $CG/husk/$ID/memory.low)" = 33554432 ]
	[ -z "$dev" ] || grep -q "^$dev rbps=1048576 " $CG/husk/$ID/io.max
	[ -e $CG/husk/$ID/cgroup.kill ]
	for _ in $(seq 50); do [ "$(wc -l <$CG/husk/$ID/cgroup.procs)" -eq 3 ] && break; sleep 0.1; done
	hk kill --all "$ID" KILL
	for _ in $(seq 50); do [ ! -s $CG/husk/$ID/cgroup.procs ] && break; sleep 0.1; done
	[ ! -s $CG/husk/$ID/cgroup.procs ]
}

@test "v2: a hardened container runs unprivileged with its memory, CPU and pids limits" {
	rm -f "$BUNDLE/config.json"
	hk spec --hardened --cpus 0.5 --seccomp "$BATS_TEST_DIRNAME/../fixtures/seccomp/deny-admin.json" --bundle "$BUNDLE"
	jq --arg rootfs "$ROOTFS" '.root.path = $rootfs | .process.terminal = false | '"$(args_filter sh -c \
		'id -u; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.low /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status')" \
		"$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	run hk run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 10001 ]
	[ "${lines[1]}" = 536870912 ]
	[ "${lines[2]}" = 268435456 ]
	[ "${lines[3]}" = "50000 100000" ]
	[ "${lines[4]}" = 1024 ]
	[[ "$output" == *"NoNewPrivs:"*1* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
	[ ! -e "$CG/husk/$ID" ]
}
