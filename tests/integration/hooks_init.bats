#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# OCI hooks (kinds, order, namespaces, state on stdin, failures) and the
# built-in PID 1 reaper.

load container

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	# A hook script on the host: records its kind, its view of the mount
	# namespace and the state it read on stdin.
	HOOK=$TMP/hook.sh
	cat >"$HOOK" <<-'EOF'
		#!/bin/sh
		kind=$1 log=$2
		state=$(cat)
		echo "$kind $(echo "$state" | tr -d ' \n\t' | sed 's/.*"status":"\([a-z]*\)".*/\1/') $(readlink /proc/self/ns/mnt)" >>"$log"
		echo "$state" >"$log.$kind.json"
		[ "$kind" != fail ] || exit 3
	EOF
	chmod +x "$HOOK"
	# The container sees the hook log through a bind mount.
	mkdir -p "$TMP/log"
	# startContainer hooks run inside the container: a copy of the script there.
	cp "$HOOK" "$TMP/log/hook.sh"
}

teardown() {
	container_teardown
}

hook() {
	printf '{"path":"%s","args":["hook","%s","%s"]}' "$HOOK" "$1" "$TMP/log/hooks"
}

all_hooks_filter() {
	printf '.hooks = {"prestart":[%s],"createRuntime":[%s],"createContainer":[%s],"startContainer":[{"path":"/log/hook.sh","args":["hook","startContainer","/log/hooks"]}],"poststart":[%s],"poststop":[%s]}' \
		"$(hook prestart)" "$(hook createRuntime)" "$(hook createContainer)" "$(hook poststart)" "$(hook poststop)"
	printf ' | .mounts += [{"destination":"/log","type":"bind","source":"%s","options":["rbind"]}]' "$TMP/log"
}

@test "every hook kind runs in order, in the right namespace, with the state on stdin" {
	bundle "$(all_hooks_filter) | $(args_filter sh -c 'sleep 0.2')"
	hk create --bundle "$BUNDLE" h1
	hk start h1
	for i in $(seq 50); do [ "$(hk state h1 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	hk delete h1
	run cut -d' ' -f1 "$TMP/log/hooks"
	[ "$output" = "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart poststop)" ]
	host_mnt=$(readlink /proc/self/ns/mnt)
	# prestart, createRuntime, poststart, poststop: the runtime namespace
	for kind in prestart createRuntime poststart poststop; do
		[ "$(grep "^$kind " "$TMP/log/hooks" | cut -d' ' -f3)" = "$host_mnt" ]
	done
	# createContainer and startContainer: the container's
	for kind in createContainer startContainer; do
		[ "$(grep "^$kind " "$TMP/log/hooks" | cut -d' ' -f3)" != "$host_mnt" ]
	done
	[ "$(jq -r .id "$TMP/log/hooks.prestart.json")" = h1 ]
	[ "$(jq -r .bundle "$TMP/log/hooks.createRuntime.json")" = "$BUNDLE" ]
	[ "$(jq -r .pid "$TMP/log/hooks.createRuntime.json")" -gt 0 ]
	[ "$(jq -r .status "$TMP/log/hooks.poststop.json")" = stopped ]
}

@test "a failing createRuntime hook aborts create and cleans up" {
	bundle ".hooks.createRuntime = [$(hook fail)] | $(args_filter true)"
	run hk create --bundle "$BUNDLE" h2
	[ "$status" -ne 0 ]
	[[ "$output" == *"createRuntime hook 0"* ]]
	[[ "$output" == *"status 3"* ]]
	[ ! -e "$STATE/h2" ]
}

@test "a failing poststart hook is an error and stops the container" {
	bundle ".hooks.poststart = [$(hook fail)] | $(args_filter sleep 100)"
	hk create --bundle "$BUNDLE" h3
	pid=$(hk state h3 | jq -r .pid)
	run hk start h3
	[ "$status" -ne 0 ]
	[[ "$output" == *"poststart hook 0"* ]]
	[ "$(hk state h3 | jq -r .status)" = stopped ]
	hk delete h3
}

@test "a failing poststop hook is logged and delete goes on" {
	bundle ".hooks.poststop = [$(hook fail)] | $(args_filter true)"
	run hk run --bundle "$BUNDLE" h4
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststop hook 0"* ]]
	[ ! -e "$STATE/h4" ]
}

@test "a hook that outlives its timeout is killed" {
	printf '#!/bin/sh\nsleep 100\n' >"$TMP/slow.sh"
	chmod +x "$TMP/slow.sh"
	bundle '.hooks.createRuntime = [{"path":$p,"timeout":1}] | '"$(args_filter true)" --arg p "$TMP/slow.sh"
	run hk run --bundle "$BUNDLE" h5
	[ "$status" -ne 0 ]
	[[ "$output" == *"timed out"* ]]
	! pgrep -f "$TMP/slow.sh"
}

@test "--init: PID 1 is the reaper and the exit code is the child's" {
	bundle "$(args_filter sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "; exit 5')"
	run hk run --init --bundle "$BUNDLE" r1
	[ "$status" -eq 5 ]
	[ "${lines[0]}" != 1 ]
}

@test "the reaper is on by annotation too, and propagates 128+N" {
	bundle '.annotations["run.oci.husk.init"] = "true" | '"$(args_filter sh -c 'kill -TERM $$')"
	run hk run --bundle "$BUNDLE" r2
	[ "$status" -eq 143 ]
}

@test "the reaper reaps orphaned zombies" {
	# Orphans re-parented to PID 1 must not stay zombies.
	bundle "$(args_filter sh -c '(sh -c "sleep 0.1 &" ); (sh -c "true &"); sleep 1; ps -o stat,comm | grep -c "^Z" || true')"
	run hk run --init --bundle "$BUNDLE" r3
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = 0 ]
}

@test "the reaper forwards signals to the process" {
	bundle "$(args_filter sh -c 'trap "echo got-usr1; exit 7" USR1; while :; do sleep 0.1; done')"
	hk run --init --detach --bundle "$BUNDLE" r4 >"$TMP/out" 2>&1
	for i in $(seq 30); do [ "$(hk state r4 | jq -r .status)" = running ] && break; sleep 0.1; done
	sleep 0.3
	hk kill r4 USR1
	for i in $(seq 50); do [ "$(hk state r4 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	[ "$(hk state r4 | jq -r .status)" = stopped ]
	grep -q got-usr1 "$TMP/out"
	hk delete r4
}

@test "the reaper holds no fd of the runtime's caller and its binary is out of reach" {
	exec 9>"$TMP/nine"
	bundle '.process.capabilities = {} | '"$(args_filter sh -c 'echo $(ls /proc/1/fd); readlink /proc/1/exe || echo unreadable')"
	run hk run --init --bundle "$BUNDLE" r5
	exec 9>&-
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 1 2" ]
	[ "${lines[1]}" = unreadable ]
}
