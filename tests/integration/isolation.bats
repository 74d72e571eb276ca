#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# What the container process sees: namespaces, filesystem, /dev, masked and
# read-only paths, identity, capabilities, no_new_privs, limits, seccomp,
# file descriptors.

load container

setup_file() {
	container_setup_file
}

setup() {
	container_setup
}

teardown() {
	container_teardown
	[ -z "${NETNS:-}" ] || { umount "$NETNS" 2>/dev/null; rm -f "$NETNS"; }
}

ns_inode() {
	stat -L -c %i "/proc/$1/ns/$2"
}

@test "every namespace type in the config is new" {
	all='.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"},{"type":"time"}]'
	for ns in pid net ipc uts mnt cgroup time; do
		run_in "$all" readlink /proc/self/ns/$ns
		[ "$status" -eq 0 ]
		[ "$output" != "$(readlink /proc/self/ns/$ns)" ]
	done
	run_in '.' sh -c 'echo $$'
	[ "$output" = 1 ]
}

@test "a namespace left out is the runtime's" {
	run_in '.linux.namespaces = [{"type":"mount"}] | del(.hostname)' readlink /proc/self/ns/net
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
}

# mountinfo lines of mounts at or below the shared rootfs.
rootfs_mounts() {
	awk -v r="$ROOTFS" '$5 == r || index($5, r "/") == 1' /proc/self/mountinfo
}

@test "without a mount namespace the container shares the runtime's; delete detaches its mounts" {
	[ -z "$(rootfs_mounts)" ]
	bundle '.linux.namespaces = [] | del(.hostname) | .root.readonly = true | '"$(args_filter sh -c 'readlink /proc/self/ns/mnt; cat /etc/passwd; touch /x || echo read-only; sleep 60')"
	hk run -d --bundle "$BUNDLE" "$RUN_ID" >"$TMP/out" 2>&1
	for i in $(seq 50); do grep -q read-only "$TMP/out" && break; sleep 0.1; done
	[ "$(head -n1 "$TMP/out")" = "$(readlink /proc/self/ns/mnt)" ]
	grep -q '^user:x:10001' "$TMP/out"
	grep -q read-only "$TMP/out"
	# Its /proc, /dev and the rest are mounted inside the rootfs, here.
	rootfs_mounts | grep -q " $ROOTFS/proc "
	hk delete --force "$RUN_ID"
	[ -z "$(rootfs_mounts)" ]
	# A create failing half way leaves none either (the target is made
	# in the container's /dev tmpfs, not in the shared rootfs).
	bundle '.linux.namespaces = [] | del(.hostname) | .mounts += [{"destination": "/dev/x", "type": "nosuchfs", "source": "none"}]'
	run hk run --bundle "$BUNDLE" "$RUN_ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"(/dev/x): mount nosuchfs"* ]]
	[ -z "$(rootfs_mounts)" ]
}

@test "a namespace can be joined by path, and its type is checked" {
	NETNS=$TMP/netns
	touch "$NETNS"
	unshare --net="$NETNS" true
	run_in '.linux.namespaces |= map(if .type == "network" then .path = "'"$NETNS"'" else . end)' readlink /proc/self/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "net:[$(stat -L -c %i "$NETNS")]" ]

	run_in '.linux.namespaces |= map(if .type == "ipc" then .path = "'"$NETNS"'" else . end)' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"is a network namespace, not ipc"* ]]
}

@test "hostname and domainname are set in the new uts namespace" {
	run_in '.hostname = "box" | .domainname = "example.org"' sh -c 'hostname; cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box ]
	[ "${lines[1]}" = example.org ]
}

@test "uid and gid mappings of a new user namespace" {
	userns='.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
		| del(.mounts[] | select(.type == "cgroup"))'
	run_in "$userns" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "$(echo ${lines[1]})" = "0 200000 65536" ]
	[ "${lines[2]}" = 0 ]
}

@test "the root filesystem is read-only when asked" {
	run_in '.root.readonly = true' sh -c 'touch /x'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	run_in '.root.readonly = false' sh -c 'touch /x && rm /x'
	[ "$status" -eq 0 ]
}

@test "tmpfs options: noexec, size, mode, and ownership" {
	tmpfs='.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec","size=1m","mode=1770","uid=10001","gid=10001"]}]'
	run_in "$tmpfs" sh -c 'cp /bin/busybox /tmp/bb && /tmp/bb true'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	# (root without CAP_DAC_OVERRIDE cannot write to that 1770 10001 tmpfs)
	small='.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["size=1m"]}]'
	run_in "$small" sh -c 'dd if=/dev/zero of=/tmp/big bs=1k count=2048'
	[ "$status" -ne 0 ]
	[[ "$output" == *"No space left"* ]]
	run_in "$tmpfs" stat -c '%a %u %g' /tmp
	[ "$output" = "1770 10001 10001" ]
	run_in "$tmpfs" sh -c 'grep " /tmp " /proc/self/mountinfo'
	[[ "$output" == *nosuid,nodev,noexec* ]]
}

@test "bind mounts, read-only and read-write" {
	mkdir -p "$TMP/data"
	echo hello >"$TMP/data/file"
	bind='.mounts += [{"destination":"/data","type":"bind","source":$d,"options":["rbind","ro"]},
		{"destination":"/rw","type":"bind","source":$d,"options":["bind"]}]'
	bundle "$bind | $(args_filter sh -c 'cat /data/file; touch /data/x; touch /rw/y && echo wrote')" --arg d "$TMP/data"
	run hk run --bundle "$BUNDLE" b1
	[ "${lines[0]}" = hello ]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *wrote* ]]
	[ -e "$TMP/data/y" ]
	[ ! -e "$TMP/data/x" ]
}

@test "a symlink in the rootfs cannot redirect a mount outside it" {
	# A private rootfs for this test: it gets a hostile symlink.
	rootfs=$TMP/evilroot
	cp -a "$ROOTFS" "$rootfs"
	mkdir -p "$TMP/hostdir"
	ln -s "$TMP/hostdir" "$rootfs/evil"
	ln -s ../../../../../../../../"$TMP/hostdir" "$rootfs/evil2"
	bundle '.root.path = $r | .mounts += [{"destination":"/evil/x","type":"tmpfs","source":"tmpfs"},
		{"destination":"/evil2/y","type":"tmpfs","source":"tmpfs"}]
		| .root.readonly = false' --arg r "$rootfs"
	mounts_before=$(wc -l </proc/self/mountinfo)
	run_in '.' sh -c 'grep -c tmpfs /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	# nothing was created or mounted on the host side
	[ -z "$(ls -A "$TMP/hostdir")" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ]
}

@test "/dev holds the default devices and links" {
	run_in '.' sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done;
		for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; test -d /dev/pts && test -d /dev/shm && echo dirs'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/dev/null character special file 1:3 666" ]
	[ "${lines[1]}" = "/dev/zero character special file 1:5 666" ]
	[ "${lines[2]}" = "/dev/full character special file 1:7 666" ]
	[ "${lines[3]}" = "/dev/random character special file 1:8 666" ]
	[ "${lines[4]}" = "/dev/urandom character special file 1:9 666" ]
	[ "${lines[5]}" = "/dev/tty character special file 5:0 666" ]
	[ "${lines[6]}" = pts/ptmx ]
	[ "${lines[7]}" = /proc/self/fd ]
	[ "${lines[8]}" = /proc/self/fd/0 ]
	[ "${lines[11]}" = dirs ]
	# no other host devices leak in
	run_in '.' sh -c 'ls /dev | grep -c -e sda -e vda -e kmsg -e mem' || true
	[ "$output" = 0 ]
}

@test "linux.devices are created with mode and owner" {
	run_in '.linux.devices = [{"path":"/dev/fuse2","type":"c","major":10,"minor":229,"fileMode":432,"uid":10001,"gid":10002}]' \
		stat -c '%F %t:%T %a %u %g' /dev/fuse2
	[ "$status" -eq 0 ]
	[ "$output" = "character special file a:e5 660 10001 10002" ]
}

@test "masked paths are empty and read-only paths refuse writes" {
	run_in '.' sh -c 'wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/hostname'
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "sysctl: namespaced keys are applied, others refused" {
	run_in '.linux.sysctl = {"kernel.shmmax": "12345678", "net.ipv4.ip_forward": "1"}' \
		sh -c 'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 12345678 ]
	[ "${lines[1]}" = 1 ]
	run_in '.linux.sysctl = {"vm.swappiness": "10"}' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"vm.swappiness"* ]]
}

@test "user, groups, umask and cwd" {
	run_in '.process.user = {"uid": 10001, "gid": 10002, "additionalGids": [3, 4], "umask": 63} | .process.cwd = "/tmp"' \
		sh -c 'id -u; id -g; id -G; umask; pwd'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 10001 ]
	[ "${lines[1]}" = 10002 ]
	[ "${lines[2]}" = "10002 3 4" ]
	[ "${lines[3]}" = 0077 ]
	[ "${lines[4]}" = /tmp ]
}

@test "capabilities per set as /proc/self/status shows them" {
	# CAP_CHOWN=0, CAP_KILL=5, CAP_NET_BIND_SERVICE=10
	caps='.process.capabilities = {"bounding":["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
		"effective":["CAP_KILL"],"permitted":["CAP_KILL","CAP_NET_BIND_SERVICE"],
		"inheritable":["CAP_NET_BIND_SERVICE"],"ambient":["CAP_NET_BIND_SERVICE"]}
		| .process.user.uid = 10001'
	run_in "$caps" cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapBnd <<<"$output")" = 0000000000000421 ]
	[ "$(status_field CapInh <<<"$output")" = 0000000000000400 ]
	[ "$(status_field CapAmb <<<"$output")" = 0000000000000400 ]
	# after execve a non-root user keeps permitted/effective = ambient
	[ "$(status_field CapPrm <<<"$output")" = 0000000000000400 ]
	[ "$(status_field CapEff <<<"$output")" = 0000000000000400 ]

	run_in '.process.capabilities = {"bounding":[],"effective":[],"permitted":[]}' cat /proc/self/status
	[ "$(status_field CapBnd <<<"$output")" = 0000000000000000 ]
	[ "$(status_field CapEff <<<"$output")" = 0000000000000000 ]
}

@test "a capability the runtime lacks is skipped with a warning" {
	grep -q '^CapBnd:.*' /proc/self/status
	bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
	# CAP_SYS_RESOURCE is 24
	if (( (16#$bnd >> 24) & 1 )); then skip "this host grants CAP_SYS_RESOURCE"; fi
	run_in '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"] | .process.capabilities.effective += ["CAP_SYS_RESOURCE"] | .process.capabilities.permitted += ["CAP_SYS_RESOURCE"]' true
	[ "$status" -eq 0 ]
	[[ "$output" == *"CAP_SYS_RESOURCE is not available"* ]]
}

@test "no_new_privs follows process.noNewPrivileges" {
	run_in '.process.noNewPrivileges = true' cat /proc/self/status
	[ "$(status_field NoNewPrivs <<<"$output")" = 1 ]
	run_in '.process.noNewPrivileges = false' cat /proc/self/status
	[ "$(status_field NoNewPrivs <<<"$output")" = 0 ]
}

@test "rlimits are applied and one above the hard limit is a clear error" {
	run_in '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":123,"hard":456},{"type":"RLIMIT_CORE","soft":0,"hard":0}]' \
		sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 123 ]
	[ "${lines[1]}" = 456 ]
	[ "${lines[2]}" = 0 ]
	bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
	if (( (16#$bnd >> 24) & 1 )); then skip "this host grants CAP_SYS_RESOURCE"; fi
	hard=$(ulimit -Hn)
	run_in '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":1024,"hard":'"$((hard * 2))"'}]' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.rlimits[0]: RLIMIT_NOFILE hard limit"* ]]
}

@test "oomScoreAdj is applied" {
	run_in '.process.oomScoreAdj = 500' cat /proc/self/oom_score_adj
	[ "$status" -eq 0 ]
	[ "$output" = 500 ]
}

@test "seccomp: an EPERM rule and an argument filter" {
	seccomp='.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"},
		{"names":["chmod"],"action":"SCMP_ACT_ERRNO","errnoRet":38,"args":[{"index":1,"value":511,"op":"SCMP_CMP_EQ"}]},
		{"names":["fchmodat","fchmodat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38,"args":[{"index":2,"value":511,"op":"SCMP_CMP_EQ"}]}]}
		| .root.readonly = false'
	run_in "$seccomp" sh -c 'mkdir /tmp/d'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run_in "$seccomp" sh -c 'touch /tmp/f && chmod 777 /tmp/f'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Function not implemented"* ]]
	run_in "$seccomp" sh -c 'touch /tmp/f && chmod 755 /tmp/f && echo ok'
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "only stdio reaches the container; --preserve-fds passes more" {
	exec 7>"$TMP/seven"
	bundle "$(args_filter ls /proc/self/fd)"
	run hk run --bundle "$BUNDLE" f1
	exec 7>&-
	[ "$status" -eq 0 ]
	# ls itself opens fd 3 for the directory
	[ "$(echo $output)" = "0 1 2 3" ]

	# bats owns fd 3 of this shell: hand the container a fresh one from a child shell.
	bundle "$(args_filter sh -c 'echo through >&3; ls /proc/self/fd')"
	run bash -c 'exec 3>"$1"; shift; "$@"' _ "$TMP/three" "$HUSK" --root "$STATE" run --preserve-fds 1 --bundle "$BUNDLE" f2
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/three")" = through ]
}

@test "a device node of the host bound in by a mount is never chowned" {
	before=$(stat -c %u:%g:%a /dev/null)
	run_in '.mounts += [{"destination": "/dev/null", "type": "bind", "source": "/dev/null", "options": ["bind"]}]
		| .linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 384, "uid": 1234, "gid": 1234}]' true
	after=$(stat -c %u:%g:%a /dev/null)
	# Put the host right first should husk have broken it.
	[ "$after" = "$before" ] || { chown "${before%:*}" /dev/null; chmod "${before##*:}" /dev/null; }
	[ "$status" -eq 0 ]
	[ "$after" = "$before" ]
}

@test "the runtime's cwd and binary are out of reach" {
	cd "$TMP"
	run_in '.' sh -c 'readlink /proc/self/cwd; ls -l /proc/1/exe | grep -c husk' || true
	[ "${lines[0]}" = / ]
	[ "${lines[1]}" = 0 ]
}

@test "memoryPolicy binds the process' memory to the given nodes" {
	[ -e /proc/self/numa_maps ] || skip "kernel without NUMA"
	run_in '.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"0"}' head -1 /proc/self/numa_maps
	[ "$status" -eq 0 ]
	[[ "$output" == *"bind:0"* ]]
}

@test "fields husk does not implement are refused, not ignored" {
	run_in '.linux.netDevices = {"eth0": {}}' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.netDevices"*"not implemented"* ]]
	run_in '.linux.intelRdt = {"closID": "x"}' true
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.intelRdt"* ]]
	[ ! -e "$STATE/$RUN_ID" ]
}

@test "the time namespace gets the configured offsets" {
	run_in '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}' cat /proc/self/timens_offsets
	[ "$status" -eq 0 ]
	[[ "$output" == *"monotonic"*"86400"* ]]
}

@test "a seccomp profile that refuses close_range does not break start" {
	# Profiles written before close_range existed deny it by default.
	deny='.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["close_range"],"action":"SCMP_ACT_ERRNO"}]}'
	exec 9>"$TMP/nine"
	run_in "$deny" sh -c 'echo $(ls /proc/self/fd)'
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3" ]
	bundle "$deny | $(args_filter sh -c 'echo $(ls /proc/1/fd)')"
	run hk run --init --bundle "$BUNDLE" cr2
	exec 9>&-
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2" ]
}
