#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# The shipped seccomp profiles (seccomp-profiles/*.json): husk accepts them,
# ordinary busybox work runs under them, and what they refuse fails with the
# errno their README documents.  Refusals are checked with every capability
# granted, so that the errno comes from the filter and not from a missing
# capability; the static helper $BUILD/tests/sysprobe makes the calls no
# busybox applet makes.

load container

PROFILES=$BATS_TEST_DIRNAME/../../seccomp-profiles

# Every capability a refused call could need, so that only seccomp refuses.
ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_KILL",
	"CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_ADMIN",
	"CAP_NET_RAW","CAP_IPC_LOCK","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE",
	"CAP_SYS_TIME","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP","CAP_SYSLOG",
	"CAP_PERFMON","CAP_BPF"]'

setup_file() {
	container_setup_file
}

setup() {
	container_setup
	PROBE=$BUILD/tests/sysprobe
	[ -x "$PROBE" ] || skip "no $PROBE (make $PROBE)"
	export PROBE
}

teardown() {
	container_teardown
	[ -z "${NETNS:-}" ] || { umount "$NETNS" 2>/dev/null; rm -f "$NETNS"; }
}

# run_with PROFILE CAPS JQ-FILTER CMD...: run CMD in a fresh container under
# seccomp-profiles/PROFILE.json ("none": no seccomp) with no_new_privs, the
# capability list CAPS (JSON), a tmpfs on /tmp, the probe at /probe and the
# filter applied; sets $status/$output like bats' run.
run_with() {
	local profile=$1 caps=$2 filter=$3 p
	shift 3
	p=$PROFILES/$profile.json
	[ "$profile" != none ] || p=/dev/null
	bundle '.process.noNewPrivileges = true
		| .process.capabilities = {"bounding": $caps, "effective": $caps, "permitted": $caps}
		| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]},
			{"destination": "/probe", "type": "bind", "source": $probe, "options": ["bind", "ro"]}]
		| if $p | length > 0 then .linux.seccomp = $p[0] else del(.linux.seccomp) end
		| '"$filter | $(args_filter "$@")" \
		--slurpfile p "$p" --argjson caps "$caps" --arg probe "$PROBE" || return 1
	run hk run --bundle "$BUNDLE" "$RUN_ID"
}

# What a hardened container keeps.
HARDENED='["CAP_NET_BIND_SERVICE"]'

@test "both profiles are valid configs for husk" {
	for profile in default strict; do
		json_valid "$PROFILES/$profile.json"
		bundle '.linux.seccomp = $p[0]' --slurpfile p "$PROFILES/$profile.json"
		run husk validate --bundle "$BUNDLE"
		[ "$status" -eq 0 ]
	done
}

@test "the committed profiles are what the generator writes" {
	command -v python3 >/dev/null || skip "no python3"
	cp "$PROFILES/gen-profiles.py" "$TMP/"
	python3 "$TMP/gen-profiles.py"
	cmp "$TMP/default.json" "$PROFILES/default.json"
	cmp "$TMP/strict.json" "$PROFILES/strict.json"
}

@test "ordinary busybox work runs under both profiles" {
	work='set -e
		echo hello >/tmp/f; cat /tmp/f
		echo shm >/dev/shm/g; cat /dev/shm/g; rm /dev/shm/g
		mkdir /tmp/d; ln -s /tmp/f /tmp/d/l; cat /tmp/d/l; mv /tmp/d /tmp/e; rm -r /tmp/e
		seq 1000 | sha256sum | cut -c1-8
		tar -C /etc -cf /tmp/t.tar passwd; tar -tf /tmp/t.tar
		date +%Y >/dev/null; ps >/dev/null; sleep 0.1
		sleep 30 & pid=$!; kill -TERM $pid; wait $pid 2>/dev/null || echo "killed $?"
		trap "echo got USR1" USR1; kill -USR1 $$
		echo done'
	for profile in default strict; do
		run_with $profile "$HARDENED" . sh -c "$work"
		echo "$profile: $output"
		[ "$status" -eq 0 ]
		# (the shell may report the killed job on a line of its own)
		[ "$(grep -v Terminated <<<"$output" | tr '\n' ' ')" = "hello shm hello $(seq 1000 | sha256sum | cut -c1-8) passwd killed 143 got USR1 done " ]
	done
}

@test "a TCP server on port 80 and a client in the container's network namespace" {
	# A network namespace of its own whose loopback is up (a new one has
	# it down, and the hardened container may not bring it up).
	NETNS=$TMP/netns
	touch "$NETNS"
	unshare --net="$NETNS" true
	nsenter --net="$NETNS" ip link set lo up
	netns='.linux.namespaces |= map(if .type == "network" then .path = "'"$NETNS"'" else . end)'
	serve='mkdir /tmp/www; echo "it works" >/tmp/www/index.html
		httpd -f -p 127.0.0.1:80 -h /tmp/www & pid=$!
		for i in $(seq 50); do wget -q -O - http://127.0.0.1/index.html 2>/dev/null && break; sleep 0.1; done
		kill $pid'
	for profile in default strict; do
		run_with $profile "$HARDENED" "$netns" sh -c "$serve"
		echo "$profile: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "it works" ]
	done
}

@test "busybox applets that need refused calls fail with EPERM" {
	# Unconfined with every capability they all work ...
	run_with none "$ALL_CAPS" . sh -c 'unshare -U true && unshare -n true && mount -t tmpfs none /tmp && chroot / true && nsenter -t 1 -n true && echo all-ok'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = all-ok ]
	# ... and under each profile, with the same capabilities, none does.
	for profile in default strict; do
		for cmd in 'unshare -U true' 'unshare -n true' 'mount -t tmpfs none /tmp' 'chroot / true' 'nsenter -t 1 -n true'; do
			run_with $profile "$ALL_CAPS" . sh -c "$cmd"
			echo "$profile: $cmd: $output"
			[ "$status" -ne 0 ]
			# (busybox mount words EPERM its own way)
			[[ "$output" == *"Operation not permitted"* || "$output" == *"permission denied (are you root?)"* ]]
		done
	done
}

# The probes and the result each profile documents (see the README).
PROBES=(socket_inet socket_unix socket_alg socket_vsock clone clone_newuser clone_newns clone_newnet
	clone3 unshare setns personality_query personality_linux personality_linux32 personality_bsd
	ptrace process_vm_readv pidfd_getfd keyctl add_key request_key bpf perf_event_open userfaultfd
	io_uring_setup mount umount2 fsopen open_tree pivot_root chroot reboot sethostname
	open_by_handle_at)

# probe_results PROFILE: "name=result" lines of every probe under PROFILE.
probe_results() {
	run_with "$1" "$ALL_CAPS" . /probe "${PROBES[@]}"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# Leave out husk's warnings about capabilities this host lacks.
	output=$(grep -v '^husk: ' <<<"$output")
	mapfile -t lines <<<"$output"
}

# expect NAME=RESULT...: each probe named gave that result.
expect() {
	local want
	for want in "$@"; do
		grep -qx -- "$want" <<<"$output" || { echo "expected $want in: $output"; return 1; }
	done
}

@test "sysprobe: unconfined, no probe fails with EPERM or ENOSYS" {
	probe_results none
	echo "$output"
	[ "${#lines[@]}" -eq "${#PROBES[@]}" ]
	! grep -E '=(EPERM|ENOSYS)$' <<<"$output"
}

# What both profiles refuse, with its errno.
REFUSED_BY_BOTH=(socket_alg=EPERM socket_vsock=EPERM clone_newuser=EPERM clone_newns=EPERM
	clone_newnet=EPERM clone3=ENOSYS unshare=EPERM setns=EPERM personality_bsd=EPERM
	pidfd_getfd=EPERM keyctl=EPERM add_key=EPERM request_key=EPERM bpf=EPERM
	perf_event_open=EPERM userfaultfd=EPERM io_uring_setup=EPERM mount=EPERM umount2=EPERM
	fsopen=EPERM open_tree=EPERM pivot_root=EPERM chroot=EPERM reboot=EPERM sethostname=EPERM
	open_by_handle_at=EPERM)

@test "sysprobe: default.json refuses with the documented errno" {
	probe_results default
	echo "$output"
	expect socket_inet=ok socket_unix=ok clone=ok personality_query=ok personality_linux=ok \
		personality_linux32=ok ptrace=ESRCH process_vm_readv=ok "${REFUSED_BY_BOTH[@]}"
}

@test "sysprobe: strict.json also refuses ptrace and other personalities" {
	probe_results strict
	echo "$output"
	expect socket_inet=ok socket_unix=ok clone=ok personality_query=ok personality_linux=ok \
		personality_linux32=EPERM ptrace=EPERM process_vm_readv=EPERM "${REFUSED_BY_BOTH[@]}"
}
