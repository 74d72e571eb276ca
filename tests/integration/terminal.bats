#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# process.terminal with --console-socket: the container gets a pty of its
# own devpts; the master reaches the socket's listener (tests/tools/recvtty.py
# plays containerd's part).

load container

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	command -v python3 >/dev/null || skip "needs python3"
	RECVTTY=$BATS_TEST_DIRNAME/../tools/recvtty.py
	SOCK=$TMP/tty.sock
}

teardown() {
	container_teardown
	[ -z "${RECV_PID:-}" ] || kill "$RECV_PID" 2>/dev/null || true
}

# listen [INPUT]: start the receiver on $SOCK, its output in $TMP/tty.
listen() {
	python3 "$RECVTTY" "$SOCK" "$@" >"$TMP/tty" 2>&1 &
	RECV_PID=$!
	for i in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	echo "the receiver did not start"; return 1
}

# The receiver ends when the container's last process is gone.
tty_output() {
	wait "$RECV_PID"
	RECV_PID=
	tr -d '\r' <"$TMP/tty"
}

terminal='.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'

@test "the container gets a pty from its devpts as stdio and controlling terminal" {
	listen
	bundle "$terminal | $(args_filter sh -c 'tty; stty size; ls -l /dev/console; test -t 0 && test -t 1 && test -t 2 && echo all-ttys; cut -d" " -f7 /proc/self/stat; stat -f -c %T /dev/pts')"
	hk run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$RUN_ID"
	out=$(tty_output)
	echo "$out"
	[[ "$out" == */dev/pts/0* ]]
	[[ "$out" == *"30 100"* ]]
	[[ "$out" == *"136,   0"*/dev/console* ]]
	[[ "$out" == *all-ttys* ]]
	# tty_nr of the process: major 136 (pts), minor 0.
	[[ "$out" == *$'\n'34816$'\n'* ]]
	[[ "$out" == *devpts* ]]
}

@test "input typed on the master reaches the process" {
	listen $'hello\n'
	bundle "$terminal | $(args_filter sh -c 'read -r line; echo "got:$line"')"
	hk create --console-socket "$SOCK" --bundle "$BUNDLE" "$RUN_ID"
	hk start "$RUN_ID"
	[[ "$(tty_output)" == *got:hello* ]]
}

@test "with the reaper as PID 1 the process still gets the controlling terminal" {
	listen
	bundle "$terminal | $(args_filter sh -c 'echo pid=$$; cut -d" " -f7 /proc/self/stat')"
	hk run -d --init --console-socket "$SOCK" --bundle "$BUNDLE" "$RUN_ID"
	out=$(tty_output)
	echo "$out"
	[[ "$out" == *pid=2* ]]
	[[ "$out" == *$'\n'34816* ]]
}

@test "the runtime's own warnings stay on its stderr, off the terminal" {
	listen
	bundle "$terminal"' | .process.capabilities.ambient = ["CAP_SYS_NICE"] | '"$(args_filter echo done)"
	run --separate-stderr hk run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$RUN_ID"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"CAP_SYS_NICE"* ]]
	out=$(tty_output)
	[[ "$out" == *done* ]]
	[[ "$out" != *CAP_SYS_NICE* ]]
}

@test "run in the foreground serves the terminal itself: input, output, exit status" {
	bundle "$terminal | $(args_filter sh -c 'read -r l; echo "got:$l"; tty; exit 3')"
	run hk run --bundle "$BUNDLE" "$RUN_ID" <<<hello
	[ "$status" -eq 3 ]
	[[ "$output" == *got:hello* ]]
	[[ "$output" == */dev/pts/0* ]]
}

@test "run on a terminal: raw mode, the caller's window size, restored after" {
	command -v script >/dev/null || skip "needs script(1)"
	bundle "$terminal | $(args_filter sh -c 'stty size; exit 4')"
	run script -qec "stty cols 91 rows 33; $HUSK --root $STATE run --bundle $BUNDLE $RUN_ID; echo status=\$?; stty -a" /dev/null
	[[ "$output" == *"33 91"* ]]
	[[ "$output" == *status=4* ]]
	# Cooked again: echo and canonical mode are back on.
	[[ "$output" == *" icanon "* || "$output" == *" icanon"$'\r'* ]]
	[[ "$output" == *" echo "* ]]
}

@test "terminal and console socket must come together; a bad socket is named" {
	bundle "$terminal | $(args_filter true)"
	run hk run -d --bundle "$BUNDLE" "$RUN_ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.terminal: a detached container's terminal needs --console-socket"* ]]
	run hk create --bundle "$BUNDLE" "$RUN_ID"
	[[ "$output" == *"needs --console-socket"* ]]
	run hk run -d --console-socket "$TMP/nothing.sock" --bundle "$BUNDLE" "$RUN_ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket: connect to \"$TMP/nothing.sock\""* ]]
	bundle "$(args_filter true)"
	listen
	run hk run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$RUN_ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket: the config asks for no terminal"* ]]
	[ ! -e "$STATE/$RUN_ID" ]
}

# ---- exec -------------------------------------------------------------------

start_sleeper() {
	bundle "$(args_filter sleep 1000)"
	hk run -d --bundle "$BUNDLE" "$RUN_ID"
}

@test "exec --tty --console-socket --detach: the master goes to the socket, as containerd asks" {
	start_sleeper
	listen $'hello\n'
	hk exec --tty --detach --console-socket "$SOCK" --pid-file "$TMP/exec.pid" "$RUN_ID" \
		sh -c 'read -r l; echo "got:$l"; tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys; cut -d" " -f7 /proc/self/stat'
	out=$(tty_output)
	echo "$out"
	[[ "$out" == *got:hello* ]]
	[[ "$out" == */dev/pts/* ]]
	[[ "$out" == *all-ttys* ]]
	# Its own controlling terminal: tty_nr names a pts (major 136).
	tty_nr=$(echo "$out" | tail -n 1)
	[ $((tty_nr >> 8)) -eq 136 ]
	[ -s "$TMP/exec.pid" ]
}

@test "exec --process with a terminal: consoleSize applied, /dev/console of the container untouched" {
	start_sleeper
	pid=$(hk state "$RUN_ID" | jq -r .pid)
	before=$(grep -c ' /dev/console ' "/proc/$pid/mountinfo" || true)
	jq '.process | .terminal = true | .consoleSize = {"height": 21, "width": 77}
		| .args = ["sh", "-c", "stty size"]' "$BUNDLE/config.json" >"$TMP/process.json"
	listen
	hk exec --process "$TMP/process.json" --detach --console-socket "$SOCK" "$RUN_ID"
	out=$(tty_output)
	[[ "$out" == *"21 77"* ]]
	[ "$(grep -c ' /dev/console ' "/proc/$pid/mountinfo" || true)" = "$before" ]
}

@test "exec -t in the foreground serves the terminal itself: input, output, exit status" {
	start_sleeper
	run hk exec -t "$RUN_ID" sh -c 'read -r l; echo "got:$l"; tty; exit 3' <<<hello
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *got:hello* ]]
	[[ "$output" == */dev/pts/* ]]
}

@test "exec -t on a terminal: the caller's window size, cooked mode restored after" {
	command -v script >/dev/null || skip "needs script(1)"
	start_sleeper
	run script -qec "stty cols 83 rows 27; $HUSK --root $STATE exec -t $RUN_ID sh -c 'stty size; exit 5'; echo status=\$?; stty -a" /dev/null
	echo "$output"
	[[ "$output" == *"27 83"* ]]
	[[ "$output" == *status=5* ]]
	[[ "$output" == *" echo "* ]]
}
