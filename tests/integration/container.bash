# SPDX-License-Identifier: Apache-2.0
#
# Helpers for tests that run real containers (as root).  One busybox
# rootfs per test file, shared read-only by every bundle of the file; each
# test gets its own bundle directory and its own --root state directory.

load helpers

# container_setup_file: build the shared rootfs (call from setup_file).
container_setup_file() {
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	export ROOTFS
	[ -d "$ROOTFS/bin" ] || make_busybox_rootfs "$ROOTFS"
	# Root of a user namespace maps to an unprivileged host uid: it must
	# be able to reach the rootfs through the private temp directories.
	chmod 0755 "$BATS_RUN_TMPDIR" "$BATS_FILE_TMPDIR" "$(dirname "$BATS_FILE_TMPDIR")" 2>/dev/null || true
}

# container_setup: per-test bundle and state directory (call from setup).
container_setup() {
	husk_setup
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	BUNDLE=$TMP/bundle
	STATE=$TMP/state
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	# Unique per run: cgroups (/husk/ID) are shared by concurrent runs.
	RUN_ID=t$BATS_TEST_NUMBER-$$
	mkdir -p "$BUNDLE"
	export BUNDLE STATE ROOTFS RUN_ID
}

# container_teardown: remove whatever a failed test left running.
container_teardown() {
	local id
	[ -d "${STATE:-}" ] || return 0
	for id in $("$HUSK" --root "$STATE" list -q 2>/dev/null); do
		"$HUSK" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
	done
}

# require_cgroup_v1 / require_cgroup_v2: skip unless the host's
# /sys/fs/cgroup is that layout.
require_cgroup_v1() {
	[ -d /sys/fs/cgroup/memory ] && [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] ||
		skip "needs cgroup v1 controllers"
}

require_cgroup_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || skip "needs a cgroup v2 host"
}

hk() {
	"$HUSK" --root "$STATE" "$@"
}

# bundle [JQ-FILTER [ARGS...]]: write $BUNDLE/config.json from husk's default
# spec (rootfs = the shared one, no terminal) with the filter applied.
# Further arguments are passed to jq (e.g. --arg name value).
bundle() {
	local filter=${1:-.}
	shift || true
	rm -f "$BUNDLE/config.json"
	"$HUSK" spec --bundle "$BUNDLE" || return 1
	jq "$@" --arg rootfs "$ROOTFS" '
		.root.path = $rootfs
		| .process.terminal = false
		| del(.linux.resources)
		| '"$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# args CMD...: a jq filter setting process.args.
args_filter() {
	local a json=
	for a in "$@"; do
		json+="${json:+,}$(printf '%s' "$a" | jq -Rs .)"
	done
	printf '.process.args = [%s]' "$json"
}

# run_in JQ-FILTER CMD...: run CMD in a fresh container ($RUN_ID) configured
# by the filter; sets $status/$output like bats' run.
run_in() {
	local filter=$1
	shift
	bundle "$filter | $(args_filter "$@")" || return 1
	run hk run --bundle "$BUNDLE" "$RUN_ID"
}

# The status line of /proc/self/status named $1 as the container sees it.
status_field() {
	awk -v k="$1:" '$1 == k { print $2 }'
}
