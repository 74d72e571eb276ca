#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# The container lifecycle: create, start, state, kill, delete, run, list,
# and what is left behind (nothing) after a failure.

load container

setup_file() {
	container_setup_file
}

setup() {
	container_setup
}

teardown() {
	container_teardown
}

wait_status() {
	local id=$1 want=$2 i
	for i in $(seq 50); do
		[ "$(hk state "$id" | jq -r .status)" = "$want" ] && return 0
		sleep 0.1
	done
	hk state "$id" >&2
	return 1
}

@test "run exits with the container's exit code" {
	run_in . sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run_in . true
	[ "$status" -eq 0 ]
	# deleted afterwards
	[ -z "$(hk list -q)" ]
}

@test "run reports a signal death as 128+N" {
	# PID 1 of a pid namespace cannot be killed from inside: signal it from outside.
	bundle "$(args_filter sleep 100)"
	hk run --bundle "$BUNDLE" sig &
	runner=$!
	wait_status sig running
	hk kill sig KILL
	# not `run wait`: bats' run uses a subshell, which cannot wait for our child
	rc=0
	wait "$runner" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "create, state, start, kill, delete" {
	bundle "$(args_filter sleep 100)"
	hk create --bundle "$BUNDLE" --pid-file "$TMP/pid" c1
	run hk state c1
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = c1 ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" = "$(cat "$TMP/pid")" ]
	kill -0 "$pid"
	# The process waits: it is not yet the user program.
	[ "$(readlink /proc/"$pid"/exe)" != "$ROOTFS/bin/busybox" ]

	hk start c1
	wait_status c1 running
	[ "$(cat /proc/"$pid"/comm)" = sleep ]
	run hk start c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot start an already running container"* ]]

	run hk delete c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot delete container c1 that is not stopped: running"* ]]

	hk kill c1 KILL
	wait_status c1 stopped
	run hk kill c1 TERM
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	hk delete c1
	run hk state c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	[ ! -e "$STATE/c1" ]
}

@test "kill accepts names with and without SIG and numbers" {
	bundle "$(args_filter sh -c 'trap "echo usr1 > /dev/shm/got; exit 0" USR1; while :; do sleep 0.1; done')"
	hk run --detach --bundle "$BUNDLE" c2
	wait_status c2 running
	hk kill c2 SIGUSR1
	wait_status c2 stopped
	hk delete c2
	hk run --detach --bundle "$BUNDLE" c3
	hk kill c3 10
	wait_status c3 stopped
	hk delete c3
	hk run --detach --bundle "$BUNDLE" c4
	hk kill c4 KILL
	wait_status c4 stopped
	run hk kill c4 NOSUCH
	[ "$status" -ne 0 ]
}

@test "delete --force kills a running container" {
	bundle "$(args_filter sleep 100)"
	hk run --detach --bundle "$BUNDLE" c5
	pid=$(hk state c5 | jq -r .pid)
	hk delete --force c5
	! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/"$pid"/stat)" = Z ]
	[ ! -e "$STATE/c5" ]
}

@test "a created container can be deleted without starting it" {
	bundle "$(args_filter true)"
	hk create --bundle "$BUNDLE" c6
	pid=$(hk state c6 | jq -r .pid)
	hk delete c6
	[ ! -e "$STATE/c6" ]
	! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/"$pid"/stat)" = Z ]
}

@test "list shows containers in table and json" {
	bundle "$(args_filter sleep 100)"
	hk create --bundle "$BUNDLE" la
	hk create --bundle "$BUNDLE" lb
	hk start lb
	run hk list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID* ]]
	[[ "$output" == *la*created* ]]
	[[ "$output" == *lb*running* ]]
	run hk list --format json
	[ "$(jq -r '.[0].id + " " + .[0].status' <<<"$output")" = "la created" ]
	[ "$(jq -r '.[1].status' <<<"$output")" = running ]
	run hk list -q
	[ "${lines[0]}" = la ]
	[ "${lines[1]}" = lb ]
}

@test "an existing id is refused; bad ids are refused" {
	bundle "$(args_filter sleep 100)"
	hk create --bundle "$BUNDLE" dup
	run hk create --bundle "$BUNDLE" dup
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
	for id in ../x a/b . ..; do
		run hk create --bundle "$BUNDLE" "$id"
		[ "$status" -ne 0 ]
		[[ "$output" == *"invalid container id"* ]]
	done
}

@test "a failing create leaves nothing behind" {
	# An executable that does not exist fails late, after mounts and clone.
	bundle "$(args_filter /no/such/program)"
	mounts_before=$(wc -l </proc/self/mountinfo)
	run hk create --bundle "$BUNDLE" bad1
	[ "$status" -ne 0 ]
	[[ "$output" == *"/no/such/program"* ]]
	[ ! -e "$STATE/bad1" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ]
	# no process left holding the container's name
	! pgrep -f "husk.*bad1" >/dev/null

	# A mount that fails half-way through the mount list.
	bundle '.mounts += [{"destination": "/mnt", "type": "nosuchfs", "source": "x"}] | '"$(args_filter true)"
	run hk create --bundle "$BUNDLE" bad2
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts["* ]]
	[ ! -e "$STATE/bad2" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ]
}

@test "a config error names the field and creates nothing" {
	bundle '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": "x", "hard": 1}]'
	run hk create --bundle "$BUNDLE" bad3
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.rlimits[0].soft: expected an integer, got "x"'* ]]
	[ ! -e "$STATE/bad3" ]
}

@test "--log-format json writes the error as a JSON line" {
	bundle "$(args_filter /no/such/program)"
	run "$HUSK" --root "$STATE" --log "$TMP/log.json" --log-format json create --bundle "$BUNDLE" bad4
	[ "$status" -ne 0 ]
	jq -e 'select(.level == "error") | .msg | contains("/no/such/program")' "$TMP/log.json"
}

@test "delete --force of a container that does not exist succeeds, as in runc" {
	hk delete --force nosuch
	run hk delete nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
}

@test "created means in place: user, capabilities and seccomp before start" {
	bundle '.process.user = {"uid": 10001, "gid": 10001} | .process.noNewPrivileges = true | .process.capabilities = {}
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}
		| '"$(args_filter sleep 100)"
	hk create --bundle "$BUNDLE" inplace
	pid=$(hk state inplace | jq -r .pid)
	[ "$(awk '$1 == "Uid:" {print $2}' /proc/"$pid"/status)" = 10001 ]
	[ "$(awk '$1 == "CapEff:" {print $2}' /proc/"$pid"/status)" = 0000000000000000 ]
	[ "$(awk '$1 == "NoNewPrivs:" {print $2}' /proc/"$pid"/status)" = 1 ]
	[ "$(awk '$1 == "Seccomp:" {print $2}' /proc/"$pid"/status)" = 2 ]
	hk start inplace
	wait_status inplace running
	hk delete --force inplace
}

@test "an executable that is not executable is a permission error" {
	bundle "$(args_filter /etc/passwd)"
	run hk create --bundle "$BUNDLE" noexec
	[ "$status" -ne 0 ]
	# Go's lower-case words, which Docker matches to exit 126.
	[[ "$output" == *'exec: "/etc/passwd": permission denied'* ]]
	[ ! -e "$STATE/noexec" ]
}

@test "HOME comes from the container's /etc/passwd unless env sets it" {
	run_in '.process.user = {"uid": 10001, "gid": 10001}' sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/home/user" ]
	run_in '.process.user = {"uid": 4343, "gid": 4343}' sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/" ]
	run_in '.process.env += ["HOME=/mine"]' sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/mine" ]
}

@test "signals the caller ignored or blocked are not the container's" {
	for init in "" --init; do
		bundle "$(args_filter grep -E '^Sig(Ign|Blk)' /proc/self/status)"
		run perl -e '$SIG{PIPE} = "IGNORE"; $SIG{USR1} = "IGNORE";
			use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR2));
			exec @ARGV' -- "$HUSK" --root "$STATE" run $init --bundle "$BUNDLE" "$RUN_ID"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"SigBlk:"*"0000000000000000"* ]]
		[[ "$output" == *"SigIgn:"*"0000000000000000"* ]]
	done
}

# pidfd_listen: the --pidfd-socket receiver on $TMP/pidfd.sock, its output in $TMP/pidfd.
pidfd_listen() {
	python3 "$BATS_TEST_DIRNAME/../tools/recvpidfd.py" "$TMP/pidfd.sock" >"$TMP/pidfd" 2>&1 &
	PIDFD_RECV=$!
	for i in $(seq 100); do [ -S "$TMP/pidfd.sock" ] && return 0; sleep 0.05; done
	echo "the receiver did not start"; return 1
}

@test "--pidfd-socket receives a pidfd of the container process, as runc sends it" {
	command -v python3 >/dev/null || skip "needs python3"
	pidfd_listen
	bundle "$(args_filter sh -c 'read -r x')"
	hk create --pidfd-socket "$TMP/pidfd.sock" --bundle "$BUNDLE" "$RUN_ID" <&- >/dev/null 2>&1
	pid=$(hk state "$RUN_ID" | jq -r .pid)
	for i in $(seq 100); do [ -s "$TMP/pidfd" ] && break; sleep 0.05; done
	[ "$(cat "$TMP/pidfd")" = "standard anon_inode:[pidfd] $pid" ]
	hk kill "$RUN_ID" KILL
	wait "$PIDFD_RECV"
	[ "$(tail -n 1 "$TMP/pidfd")" = exited ]
	run hk run -d --pidfd-socket "$TMP/nothing.sock" --bundle "$BUNDLE" other
	[ "$status" -ne 0 ]
	[[ "$output" == *"--pidfd-socket: connect to \"$TMP/nothing.sock\""* ]]
	[ ! -e "$STATE/other" ]
}
