#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# What a container sees when a real engine runs it with the runtime under
# test, and what the engine can do to it.  One engine per bats run
# ($ENGINE: docker, podman or containerd, started by run.sh); a test skips,
# saying why, where the engine cannot express what it checks.

load engines

setup() {
	case ${ENGINE:-} in
	docker | podman | containerd) ;;
	*) echo "ENGINE must be docker, podman or containerd (run through run.sh)" >&2; return 1 ;;
	esac
	engine_dirs
	# Unique per test and run: names and containerd ids allow [a-z0-9-].
	NAME=t$BATS_TEST_NUMBER-$$
}

teardown() {
	e_rm_all
}

# expect_status N: the last `run` ended with N, else show what it printed.
expect_status() {
	[ "$status" -eq "$1" ] && return 0
	printf 'exit status %s, expected %s; output:\n%s\n' "$status" "$1" "$output"
	return 1
}

# expect_output GLOB: the last `run` printed something matching GLOB.
expect_output() {
	# shellcheck disable=SC2053 # a glob, on purpose
	[[ "$output" == $1 ]] && return 0
	printf 'output does not match %s:\n%s\n' "$1" "$output"
	return 1
}

# start_d NAME [OPTIONS] -- CMD...: a detached container, running.
start_d() {
	local name=$1
	shift
	run e_run -d --name "$name" "$@"
	expect_status 0
	e_wait_status "$name" running
}

# e_id NAME...: the ids the runtime knows the containers by.
e_id() {
	case $ENGINE in
	docker) docker_cli inspect -f '{{.Id}}' "$@" ;;
	podman) podman_cli inspect -f '{{.Id}}' "$@" ;;
	containerd) printf '%s\n' "$@" ;;
	esac
}

# e_running: names of the running containers.
e_running() {
	case $ENGINE in
	docker) docker_cli ps --format '{{.Names}}' ;;
	podman) podman_cli ps --format '{{.Names}}' ;;
	containerd) ctr_cli task ls | awk '$3 == "RUNNING" { print $1 }' ;;
	esac
}

# leak_snapshot: what containers leave behind if not cleaned up, one item
# a line: the runtime's and the engine's per-container state directories
# (where they are ours alone), mount points, the run's cgroups, and the
# shims and conmons serving containers.
leak_snapshot() {
	local dir mp p comm
	case $ENGINE in
	docker) dir=$DOCKER_DIR/containerd/state/io.containerd.runtime.v2.task/moby ;;
	containerd) dir=$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTR_NS ;;
	podman) dir= ;;
	esac
	[ -n "$dir" ] && ls -1 "$dir" 2>/dev/null | sed 's/^/bundle /'
	# podman's runtime keeps state in its default directory, shared with
	# anything else using that runtime: checked by container id instead.
	[ "$ENGINE" != podman ] && ls -1 "$(runtime_state_dir)" 2>/dev/null | sed 's/^/runtime-state /'
	# Not podman's storage home: its driver bind-mounts it while any
	# podman process uses the store, and the last one to exit with no
	# container mounted unmounts it; it is the engine's, not a container's.
	awk '{ print $5 }' /proc/self/mountinfo |
		grep -E "^($ENGINE_TMP|/run|/var|/dev|/proc|/sys)(/|$)" |
		grep -vxF "$PODMAN_DIR/storage/overlay" | sort | sed 's/^/mount /'
	for mp in $(cgroup_mountpoints); do
		[ -d "$mp/$ENGINE_CGPARENT" ] && find "$mp/$ENGINE_CGPARENT" -type d
	done | sort | sed 's/^/cgroup /'
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		case $comm in
		containerd-shim* | conmon)
			tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$ENGINE_TMP/" && echo "process $comm"
			;;
		esac
	done | sort
}

@test "run: the engine reports the command's exit status" {
	run e_run -- sh -c 'exit 3'
	expect_status 3
	run e_run -- true
	expect_status 0
}

@test "--user 10001:10001: the process runs as that user and group" {
	need user
	run e_run --user 10001:10001 -- sh -c 'echo "uid=$(id -u) gid=$(id -g)"'
	expect_status 0
	expect_output '*uid=10001 gid=10001*'
}

@test "--read-only with --tmpfs /tmp:noexec,nosuid,size=10m" {
	run e_run --read-only --tmpfs /tmp:noexec,nosuid,size=10m -- sh -c '
		touch /written 2>/dev/null && echo root-writable
		echo data >/tmp/f && echo tmp-writable
		cp /bin/busybox /tmp/bb && chmod 0755 /tmp/bb
		/tmp/bb true 2>/dev/null && echo tmp-exec || echo tmp-noexec
		grep " /tmp " /proc/mounts'
	expect_status 0
	[[ "$output" != *root-writable* ]] || { echo "$output"; false; }
	expect_output '*tmp-writable*'
	expect_output '*tmp-noexec*'
	expect_output '*tmpfs /tmp tmpfs *noexec*'
	expect_output '*tmpfs /tmp tmpfs *nosuid*'
	expect_output '*tmpfs /tmp tmpfs *size=10240k*'
}

@test "--cap-drop ALL --cap-add NET_BIND_SERVICE: that capability alone" {
	run e_run --cap-drop ALL --cap-add NET_BIND_SERVICE -- grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status
	expect_status 0
	expect_output "*CapPrm:	0000000000000400*"
	expect_output "*CapEff:	0000000000000400*"
	expect_output "*CapBnd:	0000000000000400*"
}

@test "--security-opt no-new-privileges: NoNewPrivs is set" {
	run e_run --security-opt no-new-privileges -- grep '^NoNewPrivs:' /proc/self/status
	expect_status 0
	expect_output "*NoNewPrivs:	1*"
}

@test "the engine's default seccomp profile is in force" {
	run e_run -- grep -E '^Seccomp(_filters)?:' /proc/self/status
	expect_status 0
	expect_output "*Seccomp:	2*"
}

@test "-m 64m: the limit is in the container's memory cgroup" {
	start_d "$NAME" -m 64m -- sleep 1000
	pid=$(e_pid "$NAME")
	run cgroup_read "$pid" memory memory.limit_in_bytes memory.max
	expect_status 0
	[ "$output" = 67108864 ] || { echo "memory limit: $output"; false; }
}

@test "--pids-limit 50: the limit is in the container's pids cgroup" {
	need pids-limit
	start_d "$NAME" --pids-limit 50 -- sleep 1000
	pid=$(e_pid "$NAME")
	run cgroup_read "$pid" pids pids.max pids.max
	expect_status 0
	[ "$output" = 50 ] || { echo "pids limit: $output"; false; }
}

@test "--init: an init is PID 1 and the command is not" {
	need init
	run e_run --init -- sh -c 'echo "pid=$$ init=$(cat /proc/1/comm)"'
	expect_status 0
	expect_output '*pid=* init=*'
	[[ "$output" =~ pid=([0-9]+)\ init=([^[:space:]]+) ]]
	[ "${BASH_REMATCH[1]}" != 1 ] || { echo "the command is PID 1: $output"; false; }
	[ "${BASH_REMATCH[2]}" != sh ] || { echo "PID 1 is the shell: $output"; false; }
}

@test "run -t: the process has a terminal" {
	run e_run -t -- sh -c 'tty; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty'
	expect_status 0
	expect_output '*/dev/pts/[0-9]*'
	expect_output '*stdin-tty*'
	expect_output '*stdout-tty*'
}

@test "run -d: the container runs detached and inspect says running" {
	start_d "$NAME" -- sleep 1000
	run e_status "$NAME"
	expect_status 0
	[ "$output" = running ] || { echo "status: $output"; false; }
	pid=$(e_pid "$NAME")
	pid_alive "$pid"
	[ "$(cat /proc/"$pid"/comm)" = sleep ]
	# The engine asked for a cgroup under the run's parent: it is there.
	grep -q "/$ENGINE_CGPARENT/" /proc/"$pid"/cgroup || { cat /proc/"$pid"/cgroup; false; }
}

@test "exec: a process in the running container" {
	start_d "$NAME" -- sleep 1000
	run e_exec "$NAME" sh -c 'echo "exec uid=$(id -u) pid1=$(cat /proc/1/comm)"; tty'
	expect_output '*exec uid=0 pid1=sleep*'
	expect_output '*not a tty*'
	run e_exec "$NAME" sh -c 'exit 5'
	expect_status 5
}

@test "exec -t: the process has a terminal" {
	start_d "$NAME" -- sleep 1000
	run e_exec -t "$NAME" sh -c 'tty; test -t 1 && echo stdout-tty'
	expect_status 0
	expect_output '*/dev/pts/[0-9]*'
	expect_output '*stdout-tty*'
}

@test "stop: a process trapping SIGTERM exits by its trap, promptly" {
	start_d "$NAME" -- sh -c 'trap "echo trapped TERM; exit 7" TERM; echo ready
		while :; do sleep 1 & wait $!; done'
	e_wait_log "$NAME" ready
	start=$SECONDS
	run e_stop "$NAME" 30
	expect_status 0
	# SIGKILL would come only after 30 s: well before, the trap ended it.
	[ $((SECONDS - start)) -lt 10 ] || { echo "stop took $((SECONDS - start)) s"; false; }
	e_wait_log "$NAME" "trapped TERM"
	run e_exit_code "$NAME"
	[ "$output" = 7 ] || { echo "exit code: $output"; false; }
}

@test "kill -s USR1: the signal reaches the container's process" {
	start_d "$NAME" -- sh -c 'trap "echo got USR1" USR1; echo ready
		while :; do sleep 1 & wait $!; done'
	e_wait_log "$NAME" ready
	run e_kill "$NAME" USR1
	expect_status 0
	e_wait_log "$NAME" "got USR1"
	[ "$(e_status "$NAME")" = running ]
}

@test "pause and unpause: the container's cgroup is frozen, then thawed" {
	start_d "$NAME" -- sleep 1000
	pid=$(e_pid "$NAME")
	run e_pause "$NAME"
	expect_status 0
	e_wait_status "$NAME" paused
	run cgroup_read "$pid" freezer freezer.state cgroup.freeze
	[[ "$output" == FROZEN || "$output" == 1 ]] || { echo "freezer: $output"; false; }
	run e_unpause "$NAME"
	expect_status 0
	e_wait_status "$NAME" running
	run cgroup_read "$pid" freezer freezer.state cgroup.freeze
	[[ "$output" == THAWED || "$output" == 0 ]] || { echo "freezer: $output"; false; }
}

@test "top: the engine lists the container's processes" {
	start_d "$NAME" -- sleep 1000
	pid=$(e_pid "$NAME")
	run e_top "$NAME"
	expect_status 0
	if [ "$ENGINE" = containerd ]; then
		# ctr task ps lists host pids only.
		expect_output "*$pid*"
	else
		expect_output '*sleep 1000*'
	fi
}

@test "logs: what the container wrote to stdout and stderr" {
	start_d "$NAME" -- sh -c 'echo to-stdout; echo to-stderr >&2; exec sleep 1000'
	e_wait_log "$NAME" to-stdout
	e_wait_log "$NAME" to-stderr
}

@test "update --memory: the running container's limit changes" {
	need update
	start_d "$NAME" -m 64m -- sleep 1000
	pid=$(e_pid "$NAME")
	run e_update_memory "$NAME" 96m
	expect_status 0
	run cgroup_read "$pid" memory memory.limit_in_bytes memory.max
	[ "$output" = 100663296 ] || { echo "memory limit: $output"; false; }
}

@test "rm -f: a running container is removed, its process gone" {
	start_d "$NAME" -- sleep 1000
	pid=$(e_pid "$NAME")
	run e_rm "$NAME"
	expect_status 0
	run e_exists "$NAME"
	[ "$status" -ne 0 ] || { echo "$NAME still exists"; false; }
	wait_until 10 eval '! pid_alive '"$pid"
}

@test "20 containers started and removed leave no state, mount or cgroup behind" {
	# The engine's own lasting parts (parent cgroups, storage mounts)
	# exist once it has run a container.
	run e_run -- true
	expect_status 0
	before=$(leak_snapshot)
	names=()
	for i in $(seq 20); do
		names+=("$NAME-$i")
		run e_run -d --name "$NAME-$i" -- sleep 1000
		expect_status 0
	done
	run e_running
	expect_status 0
	for n in "${names[@]}"; do
		[[ "$output" == *"$n"* ]] || { echo "not running: $n"; false; }
	done
	mapfile -t ids < <(e_id "${names[@]}")
	[ ${#ids[@]} -eq 20 ] || { echo "ids: ${ids[*]}"; false; }
	run e_rm "${names[@]}"
	expect_status 0
	# Shims and conmons exit a moment after the removal returns.
	wait_until 10 eval '[ "$(leak_snapshot)" = "$before" ]' ||
		diff <(echo "$before") <(leak_snapshot) || false
	state=$(runtime_state_dir)
	for id in "${ids[@]}"; do
		[ ! -e "$state/$id" ] || { echo "left behind: $state/$id"; false; }
	done
}
