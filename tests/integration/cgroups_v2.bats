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
	[ "$(stat -f -c %T $CG)" = cgroup2fs ] || skip "needs a cgroup v2 host"
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
