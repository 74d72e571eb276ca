#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# Looking into running containers on a cgroup v1 (legacy or hybrid) host:
# husk ps (JSON and through ps(1)) and husk events (statistics once, the
# stream, OOM kills), compared with what the cgroup files say.

load container

CG=/sys/fs/cgroup

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	require_cgroup_v1
	ID=ev$BATS_TEST_NUMBER-$$
}

teardown() {
	container_teardown
}

# A container with three processes: sh and two sleeps.
run_three() {
	bundle "${1:-.} | $(args_filter sh -c 'sleep 100 & sleep 100 & wait')"
	hk run -d --bundle "$BUNDLE" "$ID"
	for _ in $(seq 50); do [ "$(wc -l <$CG/pids/husk/$ID/cgroup.procs)" -eq 3 ] && break; sleep 0.1; done
	[ "$(wc -l <$CG/pids/husk/$ID/cgroup.procs)" -eq 3 ]
}

# wait_lines FILE N: until FILE has N lines (10 s at most).
wait_lines() {
	for _ in $(seq 100); do [ "$(wc -l <"$1")" -ge "$2" ] && return 0; sleep 0.1; done
	return 1
}

# wait_gone PID: until the background process PID has exited (15 s at most).
wait_gone() {
	for _ in $(seq 150); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

@test "ps --format json lists exactly the container's processes" {
	run_three
	run hk ps --format json "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 3 ]
	[ "$(jq -r '.[]' <<<"$output" | sort)" = "$(sort $CG/pids/husk/$ID/cgroup.procs)" ]
	for pid in $(jq -r '.[]' <<<"$output"); do
		grep -q "memory:/husk/$ID\$" /proc/"$pid"/cgroup
	done
	init=$(hk state "$ID" | jq .pid)
	jq -e --argjson p "$init" 'index($p) != null' <<<"$output"
}

@test "ps prints ps' header and the container's lines only" {
	run_three
	pids=$(hk ps --format json "$ID" | jq -r '.[]')
	run hk ps "$ID"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID*CMD* ]]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(grep -c 'sleep 100$' <<<"$output")" -eq 2 ]
	for line in "${lines[@]:1}"; do
		pid=$(awk '{ print $2 }' <<<"$line")
		grep -qx "$pid" <<<"$pids"
	done
	# PS-ARGS after the id (with or without --) replace -ef; PID need not come first.
	run hk ps "$ID" -- -o comm,pid
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(grep -c '^sleep ' <<<"$output")" -eq 2 ]
	run hk ps "$ID" -o pid,comm
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	run hk ps "$ID" -o comm
	[ "$status" -ne 0 ]
	[[ "$output" == *"couldn't find PID field in ps output"* ]]
}

@test "events --stats reports memory, pids and cpu from the cgroup" {
	run_three '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 50}}'
	run hk events --stats "$ID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$output"
	[ "$(jq .data.memory.usage.limit <<<"$output")" -eq 33554432 ]
	[ "$(jq .data.memory.usage.usage <<<"$output")" -gt 0 ]
	[ "$(jq .data.memory.raw.hierarchical_memory_limit <<<"$output")" -eq 33554432 ]
	[ "$(jq .data.pids.current <<<"$output")" -eq 3 ]
	[ "$(jq .data.pids.limit <<<"$output")" -eq 50 ]
	[ "$(jq .data.cpu.usage.total <<<"$output")" -gt 0 ]
	[ "$(jq '.data.cpu.usage.percpu | length' <<<"$output")" -eq "$(wc -w <$CG/cpuacct/husk/$ID/cpuacct.usage_percpu)" ]
	# The fields runc always writes are there, in its shape.
	jq -e '.data | has("cpuset") and has("blkio") and .hugetlb == {} and .intel_rdt == {} and .network_interfaces == null' <<<"$output"
	jq -e '.data.memory | has("swap") and has("kernel") and has("kernelTCP")' <<<"$output"
}

@test "events streams statistics every interval until the container stops" {
	run_three
	hk events --interval 1s "$ID" >"$TMP/events" 2>"$TMP/err" 3>&- &
	events=$!
	wait_lines "$TMP/events" 2
	hk kill "$ID" KILL
	wait_gone "$events"
	rc=0
	wait "$events" || rc=$?
	[ "$rc" -eq 0 ]
	[ ! -s "$TMP/err" ]
	[ "$(jq -r .type "$TMP/events" | sort -u)" = stats ]
	[ "$(jq -r .data.pids.current "$TMP/events" | head -1)" -eq 3 ]
}

@test "events reports the OOM kill of a process in the container" {
	bundle '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}} | '"$(args_filter sh -c 'sleep 1; x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived; sleep 100')"
	hk create --bundle "$BUNDLE" "$ID" 3>&-
	hk events --interval 10s "$ID" >"$TMP/events" 2>"$TMP/err" 3>&- &
	events=$!
	hk start "$ID"
	wait_lines "$TMP/events" 1
	# The shell holding the output may be the victim (the container stops)
	# or not (it sleeps on): either way, stopping it ends the stream.
	hk kill "$ID" KILL 2>/dev/null || true
	wait_gone "$events"
	wait "$events"
	grep -qx '{"type":"oom","id":"'"$ID"'"}' "$TMP/events"
	grep -q 'oom_kill [1-9]' $CG/memory/husk/$ID/memory.oom_control
}

@test "events and ps on containers that do not exist or have stopped" {
	run hk events --stats nosuch-$$
	[ "$status" -eq 1 ]
	[[ "$output" == *"container does not exist"* ]]
	run hk ps nosuch-$$
	[ "$status" -eq 1 ]
	[[ "$output" == *"container does not exist"* ]]
	bundle "$(args_filter true)"
	hk run -d --bundle "$BUNDLE" "$ID"
	for _ in $(seq 50); do [ "$(hk state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	run hk events --stats "$ID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container with id $ID is not running"* ]]
	run hk events "$ID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container with id $ID is not running"* ]]
	run hk ps --format json "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "[]" ]
	run hk events --interval 0s "$ID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"duration interval must be greater than 0"* ]]
	run hk events --interval 5x "$ID"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--interval"* ]]
}
