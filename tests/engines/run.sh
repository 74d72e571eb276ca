#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Engine test runner, called by `make check-engines` with
#   ENGINE_RUNTIME  the OCI runtime the engines run: a path, or a name on
#                   PATH (e.g. runc)
#   ENGINES         the engines to test, default "docker podman containerd"
#   ENGINE_LOGS     optional directory to keep the daemons' logs in
# As root on Debian: installs docker.io, containerd and podman when missing,
# makes a busybox image, and for each engine starts it privately (every
# root, socket and log under one temporary directory, containers under one
# cgroup of their own, no host networking), runs matrix.bats against it
# (and, for docker, docker_seccomp.bats, which also runs HUSK and SYSPROBE,
# default build/husk and build/tests/sysprobe), stops it and cleans up, on
# failure too.  Prints bats' TAP output, a line
# per engine and then:
#   engines: N passed, N failed[, N skipped]
# Further arguments are passed to bats (e.g. -f REGEX).  Exits non-zero
# when any test failed or an engine could not be set up.

# No -e: the loop and the cleanup go on past failures, on purpose; the
# setup steps check their own status.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "engines: must run as root (the engines and the runtime need it)" >&2
	exit 2
fi

runtime=${ENGINE_RUNTIME:-}
if [ -z "$runtime" ]; then
	echo "engines: ENGINE_RUNTIME must name the runtime binary" >&2
	exit 2
fi
# The engines want an absolute path; keep symlinks as given.
if [[ "$runtime" != */* ]]; then
	runtime=$(command -v "$runtime") || { echo "engines: $ENGINE_RUNTIME not found on PATH" >&2; exit 2; }
fi
runtime=$(realpath -s "$runtime")
if [ ! -x "$runtime" ]; then
	echo "engines: ENGINE_RUNTIME $runtime is not an executable" >&2
	exit 2
fi
export ENGINE_RUNTIME=$runtime

# docker_seccomp.bats compares husk's default seccomp profile with Docker's
# whatever the runtime under test: it runs this husk and probe directly.
HUSK=${HUSK:-$here/../../build/husk}
SYSPROBE=${SYSPROBE:-$here/../../build/tests/sysprobe}
export HUSK SYSPROBE

ENGINES=${ENGINES:-docker podman containerd}
for eng in $ENGINES; do
	case $eng in
	docker | podman | containerd) ;;
	*) echo "engines: unknown engine '$eng' (docker, podman, containerd)" >&2; exit 2 ;;
	esac
done

# make_busybox_rootfs
. "$here/../integration/helpers.bash"
. "$here/engines.bash"

engines_install_deps || { echo "engines: could not install ${ENGINE_DEBS}" >&2; exit 2; }

# Not under /tmp by default: that may be a tmpfs, and the engines' overlay
# storage wants a disk.
ENGINE_TMP=$(mktemp -d "${ENGINE_TMPDIR:-/var/tmp}/husk-engines.XXXXXX") || exit 2
ENGINE_CGPARENT=husk-engines-${ENGINE_TMP##*.}
export ENGINE_TMP ENGINE_CGPARENT
engine_dirs
current="" bats_job=""

# Directories outside ours that the run may create: containerd 1.6 shims
# put their sockets under /run/containerd/s whatever the configuration,
# and podman's containers keep the runtime's default state directory.
# Those that did not exist before are removed at the end if left empty.
host_dirs=()
for d in /run/containerd/s /run/containerd "$(ENGINE=podman runtime_default_root)"; do
	[ -e "$d" ] || host_dirs+=("$d")
done

cleanup() {
	local pid
	trap - EXIT INT TERM
	# A signal ends the runner while bats runs: end bats (and what it
	# started) before the engine goes away under it.
	if [ -n "$bats_job" ]; then
		kill -TERM -- -"$bats_job" 2>/dev/null
		wait "$bats_job" 2>/dev/null
	fi
	[ -n "$current" ] && engine_stop "$current"
	# Daemons of an engine whose start failed half-way.
	for pid in $(cat "$ENGINE_TMP/pids/daemons" 2>/dev/null); do
		stop_pid "$pid" 10
	done
	kill_strays "$ENGINE_TMP"
	remove_cgroups
	unmount_under "$ENGINE_TMP"
	rm -rf --one-file-system "$ENGINE_TMP"
	for d in "${host_dirs[@]}"; do
		rmdir "$d" 2>/dev/null
	done
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A test that hangs fails after this many seconds instead of stalling the run.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-180}

make_busybox_rootfs "$ENGINE_TMP/rootfs" &&
	make_oci_archive "$ENGINE_TMP/rootfs" "$ENGINE_TMP/busybox-oci.tar" "$CTR_IMAGE" ||
	{ echo "engines: could not make the busybox image" >&2; exit 2; }

# daemon_logs ENGINE: the logs worth reading when its tests failed.
daemon_logs() {
	case $1 in
	docker) echo "$DOCKER_DIR/dockerd.log" "$DOCKER_DIR/containerd/containerd.log" ;;
	containerd) echo "$CTRD_DIR/containerd.log" ;;
	esac
}

total_passed=0 total_failed=0 total_skipped=0
lines=()
tap=$ENGINE_TMP/tap

for eng in $ENGINES; do
	echo "# engine $eng, runtime $ENGINE_RUNTIME"
	began=$SECONDS
	current=$eng
	passed=0 failed=0 skipped=0
	if ! engine_start "$eng"; then
		echo "# $eng could not be set up"
		failed=1
	else
		status=0
		# In the background, as a process group of its own (set -m), so
		# that the runner's signal traps run at once and can end it.
		files=("$here/matrix.bats")
		[ "$eng" = docker ] && files+=("$here/docker_seccomp.bats")
		set -m
		{ ENGINE=$eng bats --tap "${files[@]}" "$@" </dev/null | tee "$tap"; } &
		bats_job=$!
		set +m
		wait "$bats_job" || status=$?
		bats_job=
		planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | head -n1)
		skipped=$(grep -Ec '^ok [0-9]+ .*# skip' "$tap" || true)
		passed=$(($(grep -Ec '^ok [0-9]+' "$tap" || true) - skipped))
		failed=$(grep -Ec '^not ok [0-9]+' "$tap" || true)
		# Tests that were planned but never reported (bats died) count as
		# failed, and so does a bats failure that no test accounts for.
		unreported=$((${planned:-0} - passed - failed - skipped))
		[ "$unreported" -gt 0 ] && failed=$((failed + unreported))
		[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
	fi
	if [ -n "${ENGINE_LOGS:-}" ]; then
		mkdir -p "$ENGINE_LOGS" &&
			for log in $(daemon_logs "$eng"); do
				[ -e "$log" ] && cp "$log" "$ENGINE_LOGS/$eng-$(basename "$log")"
			done
	fi
	if [ "$failed" -gt 0 ]; then
		for log in $(daemon_logs "$eng"); do
			[ -s "$log" ] || continue
			echo "# last lines of $(basename "$log"):"
			tail -n 15 "$log" | sed 's/^/#   /'
		done
	fi
	engine_stop "$eng"
	current=
	line="engine $eng: $passed passed, $failed failed"
	[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
	lines+=("$line ($((SECONDS - began)) s)")
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	total_skipped=$((total_skipped + skipped))
done

echo "# runtime: $ENGINE_RUNTIME"
printf '%s\n' "${lines[@]}"
line="engines: $total_passed passed, $total_failed failed"
[ "$total_skipped" -gt 0 ] && line="$line, $total_skipped skipped"
echo "$line"
[ "$total_failed" -eq 0 ]
