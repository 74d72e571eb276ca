#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# seccomp-profiles/default.json against Docker's own default profile, system
# call by system call.  The static probe tests/tools/sysprobe (make
# build/tests/sysprobe) makes each call and prints "name=result"; it runs
#   - under dockerd with its default seccomp profile, Docker's default
#     capabilities and the runc of the runc package (registered by
#     engines.bash as $DOCKER_RUNC_NAME), so that what is compared is
#     Docker's profile as Docker applies it, whatever runtime is under test;
#   - under husk (build/husk, run directly on a bundle, not through docker)
#     with default.json and the same capabilities, user and no_new_privs;
# and the two results must agree but for the differences listed in
# KNOWN_DIFFERENCES below, which seccomp-profiles/README.md documents too.
# A second test runs Docker's profile with the runtime under test
# ($ENGINE_RUNTIME) and with runc and compares those, with a list of its
# own (KNOWN_RUNTIME_DIFFERENCES).
#
# Run by run.sh for the docker engine only (it needs dockerd); HUSK and
# SYSPROBE name the binaries (`make check-engines` passes them), and
# HUSK_PROFILE another profile to compare instead of default.json (e.g. a
# changed copy, to see the test fail).

load engines

# The capabilities Docker 20.10 gives a container by default, as husk is
# given them.  The probe's output includes CapEff and CapBnd as each
# container sees them, so a change of Docker's defaults shows as a
# difference.
DOCKER_DEFAULT_CAPS=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW
	CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL
	CAP_AUDIT_WRITE)

# Known differences between Docker's default profile (dockerd 20.10, the
# docker.io of Debian 12) with runc and default.json, both with Docker's
# default capabilities: probe name -> "SIDE:ERRNO", where SIDE (docker or
# husk) refuses the call with ERRNO and the other side does not.  Every
# entry is in seccomp-profiles/README.md ("Compared with Docker"); one whose
# probe no longer differs so fails the test, to keep list and README true.
# (Global: bats loads this file inside a function.)
declare -gA KNOWN_DIFFERENCES=(
	# Docker allows chroot when CAP_SYS_CHROOT is among the container's
	# capabilities, as it is by default; default.json has none of the
	# capability-gated rules (it is meant for a container without them).
	[chroot]=husk:EPERM
	# Docker filters no address family but AF_VSOCK, and 20.10 not even
	# that; default.json refuses AF_ALG and AF_VSOCK.
	[socket_alg]=husk:EPERM
	[socket_vsock]=husk:EPERM
	# Docker 20.10 allows io_uring; Docker 25 removed it from its profile
	# (it bypasses seccomp for what it queues), as default.json has.
	[io_uring_setup]=husk:EPERM
	# Docker 20.10 allows process_vm_readv only with CAP_SYS_PTRACE
	# (ptrace itself from Linux 4.8), and name_to_handle_at only with a
	# capability its default set lacks; later Docker profiles allow both
	# without one (process_vm_* from Linux 4.8), as default.json does.
	[process_vm_readv]=docker:EPERM
	[name_to_handle_at]=docker:EPERM
	# Newer than every call Docker 20.10's profile names: runc answers
	# ENOSYS for such calls (a C library then falls back); default.json
	# allows them (Linux 6.5 and 6.6; no privilege needed).
	[cachestat]=docker:ENOSYS
	[fchmodat2]=docker:ENOSYS
)

# Where the runtime under test applies Docker's own profile differently
# from runc: probe -> "RUNC-RESULT RUNTIME-RESULT".  None for husk, which
# answers ENOSYS as runc does for a call newer than every call the
# profile names.
declare -gA KNOWN_RUNTIME_DIFFERENCES=()

setup() {
	[ "${ENGINE:-}" = docker ] || skip "compares with dockerd: docker engine only"
	engine_dirs
	HUSK=${HUSK:-$BATS_TEST_DIRNAME/../../build/husk}
	SYSPROBE=${SYSPROBE:-$BATS_TEST_DIRNAME/../../build/tests/sysprobe}
	PROFILE=${HUSK_PROFILE:-$BATS_TEST_DIRNAME/../../seccomp-profiles/default.json}
	[ -x "$SYSPROBE" ] || skip "no $SYSPROBE (make build/tests/sysprobe)"
	[ -x "$DOCKER_RUNC" ] || skip "no $DOCKER_RUNC to run Docker's profile with"
	STATE=$BATS_TEST_TMPDIR/state
	RUN_ID=seccomp-$BATS_TEST_NUMBER-$$
}

teardown() {
	e_rm_all
	if [ -d "${STATE:-}" ]; then
		"$HUSK" --root "$STATE" delete --force "$RUN_ID" >/dev/null 2>&1 || true
	fi
}

# What the container prints: the probe's lines, after its capabilities,
# no_new_privs and seccomp mode as "CapEff=...", so that those are compared
# too.
PROBE_SCRIPT='sed -nE "s/^(CapPrm|CapEff|CapBnd|NoNewPrivs|Seccomp):[[:space:]]+/\1=/p" /proc/self/status
exec /probe'

# docker_probe RUNTIME-NAME: the probe's lines under dockerd with its
# default seccomp profile and capabilities.  AppArmor is off so that only
# seccomp decides (where the host has no AppArmor, as here, that changes
# nothing).
docker_probe() {
	docker_cli run --rm --network none --runtime "$1" --security-opt apparmor=unconfined \
		-v "$SYSPROBE:/probe:ro" "$DOCKER_IMAGE" sh -c "$PROBE_SCRIPT"
}

# husk_probe PROFILE|none: the probe's lines under husk run directly, with
# the profile (none: no seccomp) and Docker's default capabilities, as root
# without no_new_privs, as docker runs a container.
husk_probe() {
	local bundle=$BATS_TEST_TMPDIR/bundle caps profile=$1
	caps=$(printf '%s\n' "${DOCKER_DEFAULT_CAPS[@]}" | jq -R . | jq -sc .)
	[ "$profile" != none ] || profile=/dev/null
	rm -rf "$bundle" && mkdir -p "$bundle" "$STATE" || return 1
	"$HUSK" spec --bundle "$bundle" || return 1
	jq --arg rootfs "$ENGINE_TMP/rootfs" --arg probe "$SYSPROBE" --arg script "$PROBE_SCRIPT" \
		--arg cg "/$ENGINE_CGPARENT/husk/$RUN_ID" --argjson caps "$caps" --slurpfile p "$profile" '
		.root = {"path": $rootfs, "readonly": true}
		| .process.terminal = false
		| .process.user = {"uid": 0, "gid": 0}
		| .process.args = ["sh", "-c", $script]
		| .process.noNewPrivileges = false
		| .process.capabilities = {"bounding": $caps, "effective": $caps, "permitted": $caps}
		| .mounts += [{"destination": "/probe", "type": "bind", "source": $probe, "options": ["bind", "ro"]}]
		| .linux.cgroupsPath = $cg
		| del(.linux.resources)
		| if $p | length > 0 then .linux.seccomp = $p[0] else del(.linux.seccomp) end' \
		"$bundle/config.json" >"$bundle/config.json.new" &&
		mv "$bundle/config.json.new" "$bundle/config.json" || return 1
	"$HUSK" --root "$STATE" run --bundle "$bundle" "$RUN_ID"
}

# results NAME CMD...: run CMD, keep its "probe=result" lines in the
# associative array NAME; fails (showing the output) if CMD fails or prints
# no probe lines.
results() {
	local -n into=$1
	local out line
	shift
	out=$("$@" 2>&1) || { printf '%s failed:\n%s\n' "$*" "$out"; return 1; }
	while IFS= read -r line; do
		[[ "$line" =~ ^([A-Za-z0-9_]+)=(.*)$ ]] || continue
		into[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	done <<<"$out"
	[ ${#into[@]} -gt 10 ] || { printf '%s printed no probe results:\n%s\n' "$*" "$out"; return 1; }
}

# table NAME...: one row per probe with each array's result (as TAP
# comments, so that the run shows them).
table() {
	local -n first=$1
	local p a row
	printf '# %-24s' probe >&3
	for a; do printf ' %-14s' "$a" >&3; done
	printf '\n' >&3
	for p in $(printf '%s\n' "${!first[@]}" | sort); do
		row=$(printf '%-24s' "$p")
		for a; do
			local -n col=$a
			row+=$(printf ' %-14s' "${col[$p]:--}")
		done
		printf '# %s\n' "$row" >&3
	done
}

@test "docker's default seccomp profile and husk's default.json give the same results" {
	[ -x "$HUSK" ] || skip "no $HUSK (make build/husk)"
	declare -A docker husk unconfined
	results docker docker_probe "$DOCKER_RUNC_NAME"
	results husk husk_probe "$PROFILE"
	# For the table only: what the kernel answers without any filter.
	results unconfined husk_probe none
	table docker husk unconfined
	local p bad=0 want
	for p in $(printf '%s\n' "${!docker[@]}" "${!husk[@]}" | sort -u); do
		want=${KNOWN_DIFFERENCES[$p]:-}
		if [ -z "$want" ]; then
			[ "${docker[$p]:-missing}" = "${husk[$p]:-missing}" ] && continue
			echo "$p: docker ${docker[$p]:-missing}, husk ${husk[$p]:-missing}"
			bad=1
			continue
		fi
		# A known difference: the side named refuses with that errno,
		# the other does not.
		local refuses=${docker[$p]:-missing} allows=${husk[$p]:-missing}
		[ "${want%%:*}" = husk ] && { refuses=${husk[$p]:-missing} allows=${docker[$p]:-missing}; }
		if [ "$refuses" = "${want#*:}" ] && [ "$allows" != "$refuses" ] && [ "$allows" != missing ]; then
			echo "# known difference: $p (docker ${docker[$p]}, husk ${husk[$p]})" >&3
			continue
		fi
		echo "$p: docker ${docker[$p]:-missing}, husk ${husk[$p]:-missing}, but KNOWN_DIFFERENCES says $want: update it and seccomp-profiles/README.md"
		bad=1
	done
	[ "$bad" -eq 0 ]
}

@test "docker's default seccomp profile gives the same results with the runtime under test as with runc" {
	declare -A runc runtime
	results runc docker_probe "$DOCKER_RUNC_NAME"
	results runtime docker_probe "$DOCKER_RUNTIME_NAME"
	local p bad=0
	for p in $(printf '%s\n' "${!runc[@]}" "${!runtime[@]}" | sort -u); do
		[ "${runc[$p]:-missing}" = "${runtime[$p]:-missing}" ] && continue
		if [ "${runc[$p]:-missing} ${runtime[$p]:-missing}" = "${KNOWN_RUNTIME_DIFFERENCES[$p]:-}" ]; then
			echo "# known difference: $p (runc ${runc[$p]}, $ENGINE_RUNTIME ${runtime[$p]})" >&3
			continue
		fi
		echo "$p: runc ${runc[$p]:-missing}, $ENGINE_RUNTIME ${runtime[$p]:-missing}"
		bad=1
	done
	[ "$bad" -eq 0 ]
}
