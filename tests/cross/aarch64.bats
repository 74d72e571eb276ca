#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# The aarch64 cross builds (tests/cross/build.sh), run with `make
# check-cross`: what the binaries are, and the static one's commands that
# need no container, run on this machine under qemu-aarch64-static.
#
#   HUSK          the static aarch64 husk
#   HUSK_DYNAMIC  the dynamic aarch64 husk
#   BUILD         the directory of both builds and their logs

load ../integration/helpers

QEMU=${QEMU:-qemu-aarch64-static}
NM=aarch64-linux-gnu-nm
export NM

setup() {
	husk_setup
	[ -x "${HUSK_DYNAMIC:-}" ] || {
		echo "HUSK_DYNAMIC must name the dynamic aarch64 husk" >&2
		return 1
	}
}

# Through QEMU: binfmt_misc need not be set up.
husk() {
	"$QEMU" "$HUSK" "$@"
}

@test "the static build is a static-pie aarch64 binary" {
	run file "$HUSK"
	[[ "$output" == *"ARM aarch64"* ]]
	[[ "$output" == *"static-pie linked"* ]]
	[[ "$output" != *interpreter* ]]
}

@test "the dynamic build is an aarch64 binary with the aarch64 loader" {
	run file "$HUSK_DYNAMIC"
	[[ "$output" == *"ARM aarch64"* ]]
	[[ "$output" == *"interpreter /lib/ld-linux-aarch64.so.1"* ]]
	run aarch64-linux-gnu-readelf -d "$HUSK_DYNAMIC"
	[[ "$output" == *"libseccomp.so"* ]]
}

@test "no NSS: the dynamic build imports none, the static one holds none" {
	run nss_symbols -D "$HUSK_DYNAMIC"
	echo "imported: $output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run nss_symbols "$HUSK"
	echo "linked: $output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run grep -F 'in statically linked applications requires at runtime' "$BUILD/aarch64-static.log"
	[ "$status" -eq 1 ]
}

@test "the stripped static binary is under 1.5 MiB" {
	aarch64-linux-gnu-strip -o "$TMP/husk" "$HUSK"
	size=$(stat -c %s "$TMP/husk")
	echo "stripped static aarch64 husk: $size bytes"
	[ "$size" -lt $((1536 * 1024)) ]
}

@test "--version: version, commit, spec and libseccomp" {
	version=$(sed -n 's/^VERSION *?= *//p' "$BATS_TEST_DIRNAME/../../Makefile")
	run --separate-stderr husk --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "husk version $version" ]
	[[ "${lines[1]}" == "commit: "?* ]]
	[[ "$output" == *"spec: 1."* ]]
	[[ "$output" == *"libseccomp: 2."* ]]
}

@test "the dynamic build runs too, with the arm64 libraries" {
	run --separate-stderr "$QEMU" "$HUSK_DYNAMIC" --version
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "husk version "* ]]
}

@test "features prints valid JSON with seccomp support" {
	run --separate-stderr husk features
	[ "$status" -eq 0 ]
	jq -e '.ociVersionMax and (.linux.namespaces | index("pid")) and .linux.seccomp.enabled' <<<"$output"
}

@test "spec --hardened writes a config that validate --strict accepts" {
	mkdir -p "$TMP/bundle/rootfs"
	run --separate-stderr husk spec --hardened --bundle "$TMP/bundle"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jq -r .process.user.uid "$TMP/bundle/config.json")" = 10001 ]
	[ "$(jq -r .linux.seccomp.defaultAction "$TMP/bundle/config.json")" != null ]
	run --separate-stderr husk validate --strict --bundle "$TMP/bundle"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "validate of a broken config fails naming the field" {
	mkdir -p "$TMP/bundle/rootfs"
	write_config "$TMP/bundle/config.json" '{
		"ociVersion": "1.3.0",
		"root": { "path": "rootfs" },
		"process": { "cwd": "not/absolute", "args": [ "sh" ], "user": { "uid": 0, "gid": 0 } }
	}'
	run --separate-stderr husk validate --bundle "$TMP/bundle"
	echo "$stderr"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *process.cwd* ]]
}
