#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# Compiled seccomp programs are kept under the state root (@seccomp) and
# reused for exactly the same section only; an entry that is not exactly
# that, or not the runtime's own, is never used.

load container

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	CACHE=$STATE/@seccomp
}

teardown() {
	container_teardown
}

# filter ERRNO: mkdir and mkdirat fail with ERRNO.
filter() {
	printf '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":%d}]}' "$1"
}

# run_logged FILTER: run `mkdir /tmp/d` under it with debug logging; the
# log in $TMP/log, the container's output in $output.
run_logged() {
	bundle "$1 | $(args_filter sh -c 'mkdir /tmp/d 2>&1; exit 0')"
	: >"$TMP/log"
	run "$HUSK" --root "$STATE" --debug --log "$TMP/log" run --bundle "$BUNDLE" "$RUN_ID"
	[ "$status" -eq 0 ]
}

@test "a section is compiled once, then read back; the program still works" {
	run_logged "$(filter 38)"
	[[ "$output" == *"not implemented"* ]]
	! grep -q "from the cache" "$TMP/log"
	[ "$(find "$CACHE" -name '*.bpf' | wc -l)" -eq 1 ]
	[ "$(stat -c %a "$CACHE")" = 700 ]
	run_logged "$(filter 38)"
	[[ "$output" == *"not implemented"* ]]
	grep -q "from the cache" "$TMP/log"
	# Not a container.
	[ -z "$(hk list -q)" ]
}

@test "exec reads the container's program from the cache" {
	bundle "$(filter 38) | $(args_filter sleep 1000)"
	hk run -d --bundle "$BUNDLE" "$RUN_ID"
	: >"$TMP/log"
	run "$HUSK" --root "$STATE" --debug --log "$TMP/log" exec "$RUN_ID" sh -c 'mkdir /tmp/e 2>&1; exit 0'
	[[ "$output" == *"not implemented"* ]]
	grep -q "from the cache" "$TMP/log"
}

@test "another section gets its own program" {
	run_logged "$(filter 38)"
	run_logged "$(filter 13)"
	[[ "$output" == *"denied"* ]]
	! grep -q "from the cache" "$TMP/log"
	[ "$(find "$CACHE" -name '*.bpf' | wc -l)" -eq 2 ]
}

@test "an entry whose key differs by one byte is not used, and is replaced" {
	run_logged "$(filter 38)"
	entry=$(find "$CACHE" -name '*.bpf')
	# Flip a byte inside the stored key (after the 24-byte header).
	printf '\xff' | dd of="$entry" bs=1 seek=100 conv=notrunc status=none
	run_logged "$(filter 38)"
	[[ "$output" == *"not implemented"* ]]
	! grep -q "from the cache" "$TMP/log"
	run_logged "$(filter 38)"
	grep -q "from the cache" "$TMP/log"
}

@test "a program that is not the runtime's own is never used" {
	run_logged "$(filter 38)"
	entry=$(find "$CACHE" -name '*.bpf')
	chown 1000 "$entry"
	run_logged "$(filter 38)"
	! grep -q "from the cache" "$TMP/log"
	chown 0 "$entry"
	chmod 0660 "$entry"
	chmod 0770 "$CACHE"
	run_logged "$(filter 38)"
	! grep -q "from the cache" "$TMP/log"
	[[ "$output" == *"not implemented"* ]]
}

@test "an errnoRet wider than 16 bits is compiled every time, so its warning stays" {
	run_logged "$(filter 65574)"
	grep -q "does not fit the kernel's 16 bits" "$TMP/log"
	run_logged "$(filter 65574)"
	grep -q "does not fit the kernel's 16 bits" "$TMP/log"
	[ -z "$(find "$CACHE" -name '*.bpf' 2>/dev/null)" ]
}
