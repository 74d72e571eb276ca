#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Integration test runner, called by `make check-integration` with
#   HUSK   absolute path of the husk binary under test
#   BUILD  absolute path of the build directory
# Runs the given .bats files, by default every tests/integration/*.bats,
# with bats, prints bats' TAP output and ends with one line:
#   integration: N passed, N failed[, N skipped]
# (SUITE=NAME prints NAME instead of integration, for other suites run the
# same way).  Exits non-zero when any test failed or bats itself failed.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
suite=${SUITE:-integration}

if [ -z "${HUSK:-}" ] || [ ! -x "$HUSK" ]; then
	echo "$suite: HUSK must name the husk binary (got '${HUSK:-}')" >&2
	exit 2
fi
export HUSK BUILD="${BUILD:-$(dirname "$HUSK")}"

if ! command -v bats >/dev/null; then
	echo "$suite: bats not found (Debian: apt-get install bats, or run 'make deps')" >&2
	exit 2
fi

# A test that hangs fails after this many seconds instead of stalling the run.
export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-120}"

if [ $# -eq 0 ]; then
	set -- "$here"/*.bats
fi

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

# husk keeps its default cgroup parent (/husk) once made, as engines keep
# theirs; the tests remove those they made, when empty.
new_parents=()
for h in /sys/fs/cgroup /sys/fs/cgroup/*/; do
	[ -e "${h%/}/cgroup.procs" ] && [ ! -e "${h%/}/husk" ] && new_parents+=("${h%/}/husk")
done
remove_new_parents() {
	local d
	for d in "${new_parents[@]}"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

bats --tap "$@" | tee "$tap"
status=$?
remove_new_parents

planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | head -n1)
skipped=$(grep -Ec '^ok [0-9]+ .*# skip' "$tap")
passed=$(( $(grep -Ec '^ok [0-9]+' "$tap") - skipped ))
failed=$(grep -Ec '^not ok [0-9]+' "$tap")

# Tests that were planned but never reported (bats died) count as failed,
# and so does a bats failure that no test accounts for.
missing=$(( ${planned:-0} - passed - failed - skipped ))
[ "$missing" -gt 0 ] && failed=$(( failed + missing ))
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1

line="$suite: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
