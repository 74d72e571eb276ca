#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# husk exec: a new process in an existing container, in all of its
# namespaces, its cgroup and root, with its config's security settings,
# and nothing of the runtime within reach.

load container

setup_file() {
	container_setup_file
	# Only the container's mount namespace shows this file at /.
	touch "$ROOTFS/.exec-marker"
}

setup() {
	container_setup
	# Unique per run: cgroups (/husk/ID) are shared by concurrent runs.
	ID=ex$BATS_TEST_NUMBER-$$
	SUB_CGROUPS=()
}

teardown() {
	local d
	# Sub-cgroups made by a test go first, or the container's cannot.
	for d in "${SUB_CGROUPS[@]}"; do
		xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null || true
		for i in $(seq 20); do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
	done
	container_teardown
}

# start_container [JQ-FILTER]: a detached container running sleep; sets $PID.
start_container() {
	bundle "${1:-.} | $(args_filter sleep 1000)"
	hk run --detach --bundle "$BUNDLE" "$ID"
	PID=$(hk state "$ID" | jq -r .pid)
}

ns_link() {
	readlink "/proc/$1/ns/$2"
}

@test "exec joins every namespace of the container" {
	start_container '.hostname = "exec-host"
		| .linux.namespaces += [{"type":"time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}'
	run hk exec "$ID" sh -c 'for n in pid mnt net ipc uts cgroup time; do readlink /proc/self/ns/$n; done'
	[ "$status" -eq 0 ]
	i=0
	for n in pid mnt net ipc uts cgroup time; do
		[ "${lines[$i]}" = "$(ns_link "$PID" $n)" ]
		[ "${lines[$i]}" != "$(ns_link self $n)" ]
		i=$((i + 1))
	done
	run hk exec "$ID" sh -c 'hostname; ls /.exec-marker; cat /proc/1/comm; grep NSpid /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exec-host ]
	[ "${lines[1]}" = /.exec-marker ]
	[ "${lines[2]}" = sleep ]
	# One pid level below the host's: the process is inside the pid namespace.
	[ "$(echo ${lines[3]} | wc -w)" -eq 2 ]
	run hk exec "$ID" cat /proc/self/timens_offsets
	[[ "$output" == *"monotonic"*"86400"* ]]
}

@test "exec joins the container's user namespace first and is root there" {
	start_container '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
		| del(.mounts[] | select(.type == "cgroup"))'
	hk exec --detach --pid-file "$TMP/pid" "$ID" sleep 100
	pid=$(cat "$TMP/pid")
	[ "$(ns_link "$pid" user)" = "$(ns_link "$PID" user)" ]
	[ "$(awk '$1 == "Uid:" {print $2}' /proc/"$pid"/status)" = 100000 ]
	[ "$(awk '$1 == "Gid:" {print $2}' /proc/"$pid"/status)" = 200000 ]
	run hk exec --user 1000:1000 "$ID" id
	[ "$output" = "uid=1000 gid=1000" ]
}

@test "exec into a created container, before start" {
	bundle "$(args_filter sleep 1000)"
	hk create --bundle "$BUNDLE" "$ID"
	run hk exec "$ID" sh -c 'echo in; cat /proc/1/comm'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in ]
	[ "$(hk state "$ID" | jq -r .status)" = created ]
}

@test "--user UID[:GID] and --additional-gids; the config's user otherwise" {
	start_container '.process.user = {"uid": 10001, "gid": 10001, "additionalGids": [5]}'
	run hk exec "$ID" id
	[ "$output" = "uid=10001(user) gid=10001(user) groups=5" ]
	run hk exec --user 1000:1000 -g 7 --additional-gids=8 "$ID" id
	[ "$output" = "uid=1000 gid=1000 groups=5,7,8" ]
	# A lone number is the uid; the gid stays the config's.
	run hk exec --user 1 "$ID" id -u
	[ "$output" = 1 ]
	run hk exec --user=1 "$ID" id -g
	[ "$output" = 10001 ]
	run hk exec --user root "$ID" id
	[ "$status" -eq 2 ]
	[[ "$output" == *"--user: expected UID[:GID]"*"'root'"* ]]
}

@test "env is the config's plus --env; cwd is the config's or --cwd" {
	start_container '.process.env = ["PATH=/bin:/usr/bin", "A=config", "B=config"] | .process.cwd = "/tmp"'
	run hk exec -e A=flag --env C=new "$ID" sh -c 'pwd; echo $A $B $C; env | grep -c "^A="'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /tmp ]
	[ "${lines[1]}" = "flag config new" ]
	[ "${lines[2]}" = 1 ]
	run hk exec --cwd /etc "$ID" pwd
	[ "$output" = /etc ]
	run hk exec --cwd etc "$ID" pwd
	[ "$status" -eq 255 ]
	[[ "$output" == *'--cwd "etc": must be an absolute path'* ]]
	run hk exec --cwd /nonexistent "$ID" pwd
	[ "$status" -eq 255 ]
	[[ "$output" == *'process.cwd: chdir "/nonexistent"'* ]]
	run hk exec -e NOEQUALS "$ID" true
	[ "$status" -eq 2 ]
}

@test "--cap adds to bounding, effective and permitted, never inheritable or ambient" {
	start_container '.process.capabilities = {"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}'
	run hk exec "$ID" grep ^Cap /proc/self/status
	[ "$(status_field CapEff <<<"$output")" = 0000000000000020 ]
	run hk exec --cap CAP_NET_ADMIN "$ID" grep ^Cap /proc/self/status
	[ "$status" -eq 0 ]
	# CAP_KILL (5) and CAP_NET_ADMIN (12)
	[ "$(status_field CapEff <<<"$output")" = 0000000000001020 ]
	[ "$(status_field CapPrm <<<"$output")" = 0000000000001020 ]
	[ "$(status_field CapBnd <<<"$output")" = 0000000000001020 ]
	[ "$(status_field CapInh <<<"$output")" = 0000000000000000 ]
	[ "$(status_field CapAmb <<<"$output")" = 0000000000000000 ]
	run hk exec -c CAP_NOT_A_THING "$ID" true
	[ "$status" -eq 0 ]
	[[ "$output" == *'unknown capability "CAP_NOT_A_THING" ignored'* ]]
}

@test "no_new_privs from the config, or --no-new-privs" {
	start_container '.process.noNewPrivileges = false'
	run hk exec "$ID" grep ^NoNewPrivs /proc/self/status
	[ "$(status_field NoNewPrivs <<<"$output")" = 0 ]
	run hk exec --no-new-privs "$ID" grep ^NoNewPrivs /proc/self/status
	[ "$(status_field NoNewPrivs <<<"$output")" = 1 ]
	hk delete --force "$ID"
	start_container '.process.noNewPrivileges = true'
	run hk exec "$ID" grep ^NoNewPrivs /proc/self/status
	[ "$(status_field NoNewPrivs <<<"$output")" = 1 ]
}

@test "the config's seccomp filter and rlimits hold in exec" {
	start_container '.process.noNewPrivileges = false
		| .process.rlimits = [{"type":"RLIMIT_NOFILE","soft":777,"hard":888}]
		| .linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}'
	run hk exec "$ID" sh -c 'grep ^Seccomp: /proc/self/status; ulimit -n; ulimit -Hn; mkdir /tmp/x'
	[ "$(status_field Seccomp <<<"${lines[0]}")" = 2 ]
	[ "${lines[1]}" = 777 ]
	[ "${lines[2]}" = 888 ]
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	hk delete --force "$ID"
	# With no_new_privs the filter goes in last; same result.
	start_container '.process.noNewPrivileges = true
		| .linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}'
	run hk exec --user 1000 "$ID" mkdir /tmp/y
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "exit status: the process' own, 128+N on signal N" {
	start_container
	run hk exec "$ID" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run hk exec "$ID" true
	[ "$status" -eq 0 ]
	run hk exec "$ID" sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

@test "signals to husk exec reach the process" {
	start_container
	# husk itself, not a subshell running it, gets the signal.
	"$HUSK" --root "$STATE" exec "$ID" sh -c 'trap "exit 42" TERM; touch /tmp/up; while :; do sleep 0.1; done' &
	runner=$!
	for i in $(seq 50); do hk exec "$ID" test -e /tmp/up && break; sleep 0.1; done
	kill -TERM "$runner"
	rc=0
	wait "$runner" || rc=$?
	[ "$rc" -eq 42 ]
}

@test "--detach returns at once and --pid-file names the process, in the container and its cgroup" {
	start_container
	hk exec --detach --pid-file "$TMP/pid" "$ID" sleep 100
	pid=$(cat "$TMP/pid")
	kill -0 "$pid"
	[ "$(cat /proc/"$pid"/comm)" = sleep ]
	for n in pid mnt net ipc uts cgroup; do
		[ "$(ns_link "$pid" $n)" = "$(ns_link "$PID" $n)" ]
	done
	[ "$(cat /proc/"$pid"/cgroup)" = "$(cat /proc/"$PID"/cgroup)" ]
	[ "$(readlink /proc/"$pid"/root)" = "$(readlink /proc/"$PID"/root)" ]
	# Two pid levels, and its parent is outside the container.
	nspid=$(awk '$1 == "NSpid:" {print $3}' /proc/"$pid"/status)
	[ -n "$nspid" ]
	run hk exec "$ID" grep ^PPid: /proc/"$nspid"/status
	[ "$(status_field PPid <<<"$output")" = 0 ]
}

@test "--process FILE as containerd and conmon pass it" {
	start_container '.process.env = ["PATH=/bin"]'
	jq '.process | .args = ["sh", "-c", "echo $WHO; pwd; id -u"] | .cwd = "/tmp" | .env = ["PATH=/bin", "WHO=process"] | .user.uid = 10001' \
		"$BUNDLE/config.json" >"$TMP/process.json"
	run hk exec --process "$TMP/process.json" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = process ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 10001 ]
	jq '.args = ["sleep", "100"]' "$TMP/process.json" >"$TMP/sleep.json"
	hk exec --process "$TMP/sleep.json" --detach --pid-file "$TMP/pid" "$ID"
	[ "$(ns_link "$(cat "$TMP/pid")" pid)" = "$(ns_link "$PID" pid)" ]
	hk exec --process="$TMP/sleep.json" --detach "$ID"
	# Its errors name the field.
	echo '{"args": ["true"], "cwd": 7}' >"$TMP/bad.json"
	run hk exec --process "$TMP/bad.json" "$ID"
	[ "$status" -eq 255 ]
	[[ "$output" == *"process: cwd: expected a string, got 7"* ]]
	run hk exec --process "$TMP/sleep.json" "$ID" true
	[ "$status" -eq 2 ]
}

@test "no runtime fd reaches the process; --preserve-fds passes more" {
	start_container
	exec 7>"$TMP/seven"
	run hk exec "$ID" sh -c 'echo $(ls /proc/self/fd)'
	[ "$output" = "0 1 2 3" ]
	run hk exec --preserve-fds 2 "$ID" sh -c 'echo $(ls /proc/self/fd)' 3</dev/null 4</dev/null
	[ "$output" = "0 1 2 3 4 5" ]
	# Not `run`: the process would hold its output pipe open.
	hk exec --detach --preserve-fds 1 --pid-file "$TMP/pid" "$ID" sleep 100 3</dev/null >/dev/null
	exec 7>&-
	[ "$(ls /proc/"$(cat "$TMP/pid")"/fd | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "the runtime's binary, cwd and process are out of reach" {
	start_container
	cd "$TMP"
	run hk exec "$ID" sh -c 'readlink /proc/self/exe; readlink /proc/self/cwd; set -- /proc/[0-9]*; echo $#'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /bin/busybox ]
	[ "${lines[1]}" = / ]
	# Only the container's init and sh itself: the runtime is outside.
	[ "${lines[2]}" -eq 2 ]
	# The process is root-owned and non-dumpable until it execs: husk
	# never shows up as any container process' executable.
	run hk exec "$ID" sh -c 'for p in /proc/[0-9]*; do readlink $p/exe; done'
	[[ "$output" != *husk* ]]
}

@test "exec into a stopped, missing or paused container" {
	run hk exec nosuch-$ID true
	[ "$status" -eq 255 ]
	[ "$output" = "husk: exec failed: container does not exist" ]

	start_container
	hk pause "$ID"
	run hk exec "$ID" true
	[ "$status" -eq 255 ]
	[[ "$output" == *"cannot exec in a paused container (use --ignore-paused to override)"* ]]
	# A paused container keeps the new process frozen until it resumes.
	hk exec --ignore-paused --detach --pid-file "$TMP/pid" "$ID" sleep 100 &
	runner=$!
	sleep 0.5
	kill -0 "$runner"
	hk resume "$ID"
	wait "$runner"
	kill -0 "$(cat "$TMP/pid")"

	hk kill "$ID" KILL
	for i in $(seq 50); do [ "$(hk state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	run hk exec "$ID" true
	[ "$status" -eq 255 ]
	[ "$output" = "husk: exec failed: cannot exec in a stopped container" ]
}

@test "a missing program is an error with runc's words and status" {
	start_container
	run hk exec "$ID" no-such-program
	[ "$status" -eq 255 ]
	[[ "$output" == *'exec failed: exec: "no-such-program": executable file not found in $PATH'* ]]
	run hk exec --detach "$ID" /no/such
	[ "$status" -eq 255 ]
	[[ "$output" == *'exec failed: exec: "/no/such": stat /no/such: no such file or directory'* ]]
	run hk exec "$ID" /etc/passwd
	[ "$status" -eq 255 ]
	[[ "$output" == *'exec: "/etc/passwd": permission denied'* ]]
	run hk exec "$ID"
	[ "$status" -eq 255 ]
	[[ "$output" == *"process args cannot be empty"* ]]
}

@test "--cgroup joins a sub-cgroup of the container's" {
	start_container
	cg=$(hk state "$ID" >/dev/null; awk -F: '$2 == "pids" {print $3}' /proc/"$PID"/cgroup)
	[ -n "$cg" ] || skip "no cgroup v1 pids hierarchy"
	for h in /sys/fs/cgroup/*/; do
		[ -d "$h$cg" ] && [ ! -L "${h%/}" ] || continue
		mkdir "$h$cg/sub" || continue
		SUB_CGROUPS+=("$h$cg/sub")
		if [ -e "$h$cg/cpuset.cpus" ]; then
			cat "$h$cg/cpuset.cpus" >"$h$cg/sub/cpuset.cpus"
			cat "$h$cg/cpuset.mems" >"$h$cg/sub/cpuset.mems"
		fi
	done
	hk exec --detach --cgroup sub --pid-file "$TMP/pid" "$ID" sleep 100
	pid=$(cat "$TMP/pid")
	[ "$(awk -F: '$2 == "pids" {print $3}' /proc/"$pid"/cgroup)" = "$cg/sub" ]
	run hk exec --cgroup ../escape "$ID" true
	[ "$status" -eq 255 ]
	[[ "$output" == *'sub-cgroup "../escape"'* ]]
	run hk exec --cgroup nosuch "$ID" true
	[ "$status" -eq 255 ]
	[[ "$output" == *"join cgroup"*"nosuch"* ]]
}

@test "a terminal needs a console socket or the foreground; a socket needs a terminal" {
	start_container
	run hk exec --detach --tty "$ID" true
	[ "$status" -eq 255 ]
	[[ "$output" == *"--tty: a detached exec's terminal needs --console-socket"* ]]
	jq '.process | .terminal = true | .args = ["true"]' "$BUNDLE/config.json" >"$TMP/tty.json"
	run hk exec --detach --process "$TMP/tty.json" "$ID"
	[ "$status" -eq 255 ]
	[[ "$output" == *"process.terminal: a detached exec's terminal needs --console-socket"* ]]
	run hk exec --console-socket "$TMP/sock" "$ID" true
	[ "$status" -eq 255 ]
	[[ "$output" == *"--console-socket: only used with a terminal"* ]]
	run hk exec --detach --tty --console-socket "$TMP/nothing.sock" "$ID" true
	[ "$status" -eq 255 ]
	[[ "$output" == *"--console-socket: connect to \"$TMP/nothing.sock\""* ]]
}

@test "HOME comes from the container's /etc/passwd unless env sets it" {
	start_container
	run hk exec --user 10001 "$ID" sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/home/user" ]
	run hk exec --user 4343 "$ID" sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/" ]
	run hk exec --env HOME=/mine "$ID" sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/mine" ]
}

@test "signals the caller ignored or blocked are not the exec'd process'" {
	start_container
	# A shell that ignores SIGPIPE and SIGUSR1 and blocks SIGUSR2 for husk.
	run perl -e '$SIG{PIPE} = "IGNORE"; $SIG{USR1} = "IGNORE";
		use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR2));
		exec @ARGV' -- "$HUSK" --root "$STATE" exec "$ID" grep -E "^Sig(Ign|Blk)" /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"SigBlk:"*"0000000000000000"* ]]
	[[ "$output" == *"SigIgn:"*"0000000000000000"* ]]
}

@test "--apparmor and --process-label reach the process' setup" {
	[ ! -e /sys/kernel/security/lsm ] || ! grep -q apparmor /sys/kernel/security/lsm || skip "AppArmor is enabled"
	start_container
	run hk exec --apparmor husk-test "$ID" true
	[ "$status" -eq 255 ]
	[[ "$output" == *'process.apparmorProfile: "husk-test" requested but AppArmor is not enabled'* ]]
}

@test "exec --pidfd-socket receives a pidfd of the new process" {
	command -v python3 >/dev/null || skip "needs python3"
	start_container
	python3 "$BATS_TEST_DIRNAME/../tools/recvpidfd.py" "$TMP/pidfd.sock" >"$TMP/pidfd" 2>&1 &
	recv=$!
	for i in $(seq 100); do [ -S "$TMP/pidfd.sock" ] && break; sleep 0.05; done
	hk exec --detach --pid-file "$TMP/exec.pid" --pidfd-socket "$TMP/pidfd.sock" "$ID" sleep 1000
	for i in $(seq 100); do [ -s "$TMP/pidfd" ] && break; sleep 0.05; done
	[ "$(head -n 1 "$TMP/pidfd")" = "setns anon_inode:[pidfd] $(cat "$TMP/exec.pid")" ]
	kill "$(cat "$TMP/exec.pid")"
	wait "$recv"
	[ "$(tail -n 1 "$TMP/pidfd")" = exited ]
}
