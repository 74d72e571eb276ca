#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# The command line: version, help, usage errors, logging, and the commands
# that need no container (spec, validate, features).

# shellcheck disable=SC2154 # bats sets stderr and stderr_lines
load helpers

setup() {
	husk_setup
}

# A config.json with two independent problems: a relative process.cwd and
# a hostname that is not a string.
bad_config='{
	"ociVersion": "1.3.0",
	"root": { "path": "rootfs" },
	"hostname": 5,
	"process": {
		"cwd": "not/absolute",
		"args": [ "sh" ],
		"user": { "uid": 0, "gid": 0 }
	}
}'

@test "--version prints version, commit and spec version like runc" {
	run --separate-stderr husk --version
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 3 ]
	[[ "${lines[0]}" =~ ^husk\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	[[ "${lines[1]}" =~ ^commit:\ .+ ]]
	[ "${lines[2]}" = "spec: 1.3.0" ]
	[ -z "$stderr" ]
}

@test "--help lists the commands" {
	run --separate-stderr husk --help
	[ "$status" -eq 0 ]
	for cmd in spec validate features; do
		grep -Eq "^ +$cmd " <<<"$output" || {
			echo "command $cmd not listed"
			return 1
		}
	done
	[ -z "$stderr" ]
}

@test "unknown command: non-zero exit, one line on stderr" {
	run --separate-stderr husk nosuch
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *nosuch* ]]
	[ -z "$output" ]
}

@test "unknown global option: non-zero exit, one line on stderr" {
	run --separate-stderr husk --nosuch
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *--nosuch* ]]
	[ -z "$output" ]
}

@test "unknown command option: non-zero exit, one line on stderr" {
	run --separate-stderr husk validate --nosuch
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *--nosuch* ]]
}

@test "spec --help exits 0 and prints usage" {
	run --separate-stderr husk spec --help
	[ "$status" -eq 0 ]
	[[ "$output" == *Usage* ]]
	[[ "$output" == *--bundle* ]]
}

@test "spec writes a config.json that validate accepts" {
	make_busybox_rootfs "$TMP/rootfs"
	cd "$TMP"
	run --separate-stderr husk spec
	[ "$status" -eq 0 ]
	[ -f config.json ]
	json_valid config.json
	run --separate-stderr husk validate
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "spec --bundle and validate --bundle work from elsewhere" {
	mkdir -p "$TMP/bundle/rootfs"
	cd /
	run --separate-stderr husk spec --bundle "$TMP/bundle"
	[ "$status" -eq 0 ]
	[ -f "$TMP/bundle/config.json" ]
	[ ! -e /config.json ]
	run --separate-stderr husk validate -b "$TMP/bundle"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "spec --rootless writes a config that validate accepts" {
	mkdir -p "$TMP/bundle/rootfs"
	run --separate-stderr husk spec --rootless --bundle "$TMP/bundle"
	[ "$status" -eq 0 ]
	json_valid "$TMP/bundle/config.json"
	run --separate-stderr husk validate --bundle "$TMP/bundle"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "validate of a broken config fails and names every bad field" {
	mkdir -p "$TMP/bundle/rootfs"
	write_config "$TMP/bundle/config.json" "$bad_config"
	run --separate-stderr husk validate --bundle "$TMP/bundle"
	echo "$stderr"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -ge 2 ]
	[[ "$stderr" == *process.cwd* ]]
	[[ "$stderr" == *hostname* ]]
}

@test "validate of a config that is not JSON fails" {
	mkdir -p "$TMP/bundle/rootfs"
	write_config "$TMP/bundle/config.json" '{ "ociVersion": "1.3.0", '
	run --separate-stderr husk validate --bundle "$TMP/bundle"
	[ "$status" -ne 0 ]
	[ -n "$stderr" ]
}

@test "validate fails when root.path does not exist" {
	mkdir -p "$TMP/bundle"
	run --separate-stderr husk spec --bundle "$TMP/bundle"
	[ "$status" -eq 0 ]
	run --separate-stderr husk validate --bundle "$TMP/bundle"
	echo "$stderr"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *root* ]]
}

@test "validate fails without a config.json" {
	mkdir -p "$TMP/empty"
	run --separate-stderr husk validate --bundle "$TMP/empty"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *config.json* ]]
}

@test "--log FILE --log-format json writes JSON lines with level, msg and time" {
	mkdir -p "$TMP/bundle/rootfs"
	write_config "$TMP/bundle/config.json" "$bad_config"
	run --separate-stderr husk --log "$TMP/log.json" --log-format json \
		validate --bundle "$TMP/bundle"
	[ "$status" -ne 0 ]
	[ -s "$TMP/log.json" ]
	cat "$TMP/log.json"
	python3 - "$TMP/log.json" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    lines = f.read().splitlines()
assert lines, "empty log"
for line in lines:
    entry = json.loads(line)
    for key in ("level", "msg", "time"):
        assert isinstance(entry.get(key), str), "no %s in %r" % (key, line)
assert any(json.loads(l)["level"] == "error" and "process.cwd" in json.loads(l)["msg"]
           for l in lines), "no error naming process.cwd"
PY
}

@test "--log-format with an unknown format is a usage error" {
	run --separate-stderr husk --log-format yaml features
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "features prints valid JSON" {
	run --separate-stderr husk features
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$TMP/features.json"
	json_valid "$TMP/features.json"
	[[ "$output" == *'"ociVersionMin"'* ]]
	[[ "$output" == *'"ociVersionMax"'* ]]
}
