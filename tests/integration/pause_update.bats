#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# pause, resume and update on a live container.  The same tests run on a
# cgroup v1 host and in the cgroup v2 guest (`make check-vm`).

load container

CG=/sys/fs/cgroup

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	case $(stat -f -c %T $CG) in
	cgroup2fs) V2=1 ;;
	tmpfs) [ -d $CG/freezer ] || skip "needs the freezer controller"; V2= ;;
	*) skip "needs cgroups" ;;
	esac
	ID=pu$BATS_TEST_NUMBER-$$
}

teardown() {
	container_teardown
}

# cg_file V1-CONTROLLER V1-FILE V2-FILE: a file of the container's cgroup.
cg_file() {
	if [ -n "$V2" ]; then
		echo "$CG/husk/$ID/$3"
	else
		echo "$CG/$1/husk/$ID/$2"
	fi
}

# Start CMD... detached with its output in $TMP/out.
start_detached() {
	local filter=$1
	shift
	bundle "$filter | $(args_filter "$@")"
	hk run -d --bundle "$BUNDLE" "$ID" >"$TMP/out" 2>&1 </dev/null
}

status_of() {
	hk state "$1" | jq -r .status
}

# wait_for_output PATTERN: up to 10 s for $TMP/out to contain PATTERN.
wait_for_output() {
	local i
	for i in $(seq 100); do
		grep -q "$1" "$TMP/out" && return 0
		sleep 0.1
	done
	echo "no '$1' in output:"; cat "$TMP/out"
	return 1
}

counter='i=0; while :; do i=$((i+1)); echo $i; done'

@test "pause freezes every process, resume thaws them; state follows" {
	start_detached . sh -c "$counter"
	wait_for_output 100
	hk pause "$ID"
	[ "$(status_of "$ID")" = paused ]
	hk list | grep -q "$ID .*paused"
	if [ -n "$V2" ]; then
		grep -q '^frozen 1' "$(cg_file x x cgroup.events)"
	else
		[ "$(cat "$(cg_file freezer freezer.state x)")" = FROZEN ]
	fi
	before=$(wc -c <"$TMP/out")
	sleep 0.5
	[ "$(wc -c <"$TMP/out")" -eq "$before" ]
	run hk pause "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	hk resume "$ID"
	[ "$(status_of "$ID")" = running ]
	sleep 0.3
	[ "$(wc -c <"$TMP/out")" -gt "$before" ]
	run hk resume "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not paused"* ]]
}

@test "a paused container can be killed and deleted" {
	start_detached . sleep 60
	hk pause "$ID"
	hk kill "$ID" KILL
	for i in $(seq 50); do [ "$(status_of "$ID")" = stopped ] && break; sleep 0.1; done
	[ "$(status_of "$ID")" = stopped ]
	hk delete "$ID"
	start_detached . sleep 60
	hk pause "$ID"
	hk delete --force "$ID"
	run hk state "$ID"
	[[ "$output" == *"container does not exist"* ]]
	[ ! -e "$(cg_file memory . .)" ]
}

@test "pause and resume need a running container" {
	run hk pause nosuch-$$
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	bundle "$(args_filter true)"
	hk create --bundle "$BUNDLE" "$ID"
	run hk pause "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
}

@test "update: runc's flags land in the cgroup" {
	start_detached '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 50}}' sleep 60
	hk update --memory 64m --cpu-shares 512 --cpu-quota 20000 --cpu-period 100000 \
		--pids-limit 40 --cpuset-cpus 0 "$ID"
	if [ -n "$V2" ]; then
		[ "$(cat "$(cg_file x x memory.max)")" = 67108864 ]
		[ "$(cat "$(cg_file x x cpu.weight)")" = 20 ]
		[ "$(cat "$(cg_file x x cpu.max)")" = "20000 100000" ]
		[ "$(cat "$(cg_file x x pids.max)")" = 40 ]
		[ "$(cat "$(cg_file x x cpuset.cpus)")" = 0 ]
	else
		[ "$(cat "$(cg_file memory memory.limit_in_bytes x)")" = 67108864 ]
		[ "$(cat "$(cg_file cpu cpu.shares x)")" = 512 ]
		[ "$(cat "$(cg_file cpu cpu.cfs_quota_us x)")" = 20000 ]
		[ "$(cat "$(cg_file pids pids.max x)")" = 40 ]
		[ "$(cat "$(cg_file cpuset cpuset.cpus x)")" = 0 ]
	fi
}

@test "update: --resources from stdin and a file; flags win over it" {
	start_detached . sleep 60
	echo '{"pids": {"limit": 30}, "memory": {"limit": 50331648}}' | hk update --resources - "$ID"
	pids=$(cg_file pids pids.max pids.max)
	[ "$(cat "$pids")" = 30 ]
	echo '{"pids": {"limit": 25}}' >"$TMP/res.json"
	hk update -r "$TMP/res.json" --pids-limit 21 "$ID"
	[ "$(cat "$pids")" = 21 ]
	hk update --resources="$TMP/res.json" "$ID"
	[ "$(cat "$pids")" = 25 ]
}

@test "update: bad input is refused naming the field, nothing changes" {
	start_detached '.linux.resources = {"pids": {"limit": 50}}' sleep 60
	pids=$(cg_file pids pids.max pids.max)
	run hk update --memory 1x "$ID"
	[ "$status" -eq 2 ]
	[[ "$output" == *"invalid value for --memory: '1x'"* ]]
	run hk update -r - "$ID" <<<'{"pids": {"limit": "many"}}'
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.resources.pids.limit: expected an integer, got "many"'* ]]
	run hk update -r - "$ID" <<<'{"pids": {"limit": 9}, "memory": {"limit": 4096, "checkBeforeUpdate": true}}'
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.memory.limit: 4096 is below the current usage"* ]]
	[ "$(cat "$pids")" = 50 ]
	run hk update --pids-limit 5 nosuch-$$
	[[ "$output" == *"container does not exist"* ]]
}

@test "update: a lowered pids limit is enforced in the running container" {
	start_detached . sh -c 'while :; do cat /dev/null && echo ok; sleep 0.1; done'
	wait_for_output ok
	hk update --pids-limit 1 "$ID"
	# The shell is the one task allowed: its next fork fails.
	wait_for_output "can't fork"
}

@test "update: a stopped container is refused" {
	start_detached . true
	for i in $(seq 50); do [ "$(status_of "$ID")" = stopped ] && break; sleep 0.1; done
	run hk update --pids-limit 5 "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
}
