#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# husk, crun and runc side by side (`make bench`; `make bench-quick` for a
# smoke run).  Every runtime runs the same bundles from one busybox rootfs,
# interleaved (husk crun runc floor, crun runc floor husk, ...) so that a
# busy machine slows all of them alike and the ratios hold.  "floor" is
# bench/floor.c: the kernel's own cost of a container (clone, pivot_root,
# execve), with nothing of a runtime.
#
# Environment (defaults in brackets):
#   BENCH_N         repetitions of each timed command [100]
#   BENCH_MANY      containers present for `state` and `list` [1000]
#   BENCH_SCALE     sequential batch sizes of the scale curve ["1 10 100 1000"]
#   BENCH_PARALLEL  parallel batch sizes of the scale curve ["10 50"]
#   BENCH_OUT       results directory [build/bench]
#   BENCH_BIN       where measure, floor and seccomp-profile are [build/bench]
#   HUSK, HUSK_STATIC, CRUN, RUNC   the binaries compared
#
# Results: BENCH_OUT/results.md (Markdown table, printed at the end),
# results.csv (every figure, one a line), samples.csv (every measurement),
# bench.log (what the runtimes said on stderr).
#
# Needs root.  Everything runs in a private mount namespace (see
# cgroupfs.sh) with state directories and bundles in a temporary
# directory; all of it is removed at the end, or on Ctrl-C.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$HERE")

: "${HUSK:=$TOP/build/husk}"
: "${HUSK_STATIC:=}"
: "${CRUN:=/usr/bin/crun}"
: "${RUNC:=/usr/sbin/runc}"
: "${BENCH_N:=100}"
: "${BENCH_MANY:=1000}"
: "${BENCH_SCALE:=1 10 100 1000}"
: "${BENCH_PARALLEL:=10 50}"
: "${BENCH_OUT:=$TOP/build/bench}"
: "${BENCH_BIN:=$TOP/build/bench}"
# Memory bisection: the ceiling tried first, and the precision.
: "${BENCH_MEM_MAX:=268435456}"
: "${BENCH_MEM_STEP:=16384}"

MEASURE=$BENCH_BIN/measure
FLOOR=$BENCH_BIN/floor
SECCOMP_PROFILE=$BENCH_BIN/seccomp-profile
UNISTD=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
# The user namespace maps container ids 0..65535 to these host ids.
USERNS_HOST_ID=100000
USERNS_SIZE=65536

RUNTIMES=(husk crun runc)
declare -A BIN=([husk]=$HUSK [crun]=$CRUN [runc]=$RUNC)
# Why a runtime has no figure in a section ("section|runtime" -> reason).
declare -A NA=()

source "$HERE/cgroupfs.sh"
source "$HERE/report.sh"

say() {
	printf 'bench: %s\n' "$*" >&2
}

die() {
	say "$*"
	exit 1
}

# preflight: what must hold before anything is touched.
preflight() {
	local f
	[ "$(id -u)" = 0 ] || die "needs root (containers, namespaces, cgroups)"
	for f in "$HUSK" "$CRUN" "$RUNC" "$MEASURE" "$FLOOR" "$SECCOMP_PROFILE"; do
		[ -x "$f" ] || die "$f is missing (make bench builds and installs what it needs)"
	done
	for f in jq strace strip readelf unshare timeout perl; do
		command -v "$f" >/dev/null || die "$f is missing (make bench-deps installs it)"
	done
	[ -r "$UNISTD" ] || die "$UNISTD is missing (linux-libc-dev)"
}

# rotate K WORD...: the words starting from the (K mod n)-th.  Rounds
# start with a different runtime each time so that none always runs right
# after the same other one (warm caches, CPU frequency).
rotate() {
	local k=$1 j
	shift
	local -a w=("$@")
	for ((j = 0; j < ${#w[@]}; j++)); do
		echo "${w[(k + j) % ${#w[@]}]}"
	done
}

# rt RUNTIME ARGS...: the runtime with its own state directory.
rt() {
	local name=$1
	shift
	"${BIN[$name]}" --root "$STATE/$name" "$@"
}

# cid RUNTIME WHAT: a container id unique to this run of the benchmark.
cid() {
	echo "b$$-$1-$2"
}

# sample SECTION RUNTIME ITER [MEASURE OPTIONS] -- ARGV...: one
# measurement, appended to the samples file.
sample() {
	local label="$1,$2,$3"
	shift 3
	"$MEASURE" -o "$SAMPLES" -l "$label" "$@" </dev/null >/dev/null 2>>"$LOG"
}

# run_argv RUNTIME BUNDLE ID: ARGV becomes the command that runs BUNDLE
# to the end; for the floor, the same namespaces and rootfs.
run_argv() {
	case $1 in
	floor)
		# shellcheck disable=SC2206 # FLOOR_ARGS holds words on purpose
		ARGV=("$FLOOR" ${FLOOR_ARGS[$2]})
		;;
	*)
		ARGV=("${BIN[$1]}" --root "$STATE/$1" run --bundle "$TMP/$2" "$3")
		;;
	esac
}

# with_floor BUNDLE: the runtimes, and the floor where it can run BUNDLE.
with_floor() {
	printf '%s\n' "${RUNTIMES[@]}"
	[ -z "${FLOOR_ARGS[$1]:-}" ] || echo floor
}

# round K BUNDLE: who runs BUNDLE in round K, in order (see rotate).
round() {
	local -a who
	mapfile -t who < <(with_floor "$2")
	rotate "$1" "${who[@]}"
}

# make_bundle NAME ROOTFS JQ-FILTER [JQ-ARGS...]: bundle $TMP/NAME whose
# config is `runc spec`'s without a terminal, on ROOTFS, changed by
# JQ-FILTER.
make_bundle() {
	local name=$1 rootfs=$2 filter=$3
	shift 3
	mkdir -p "$TMP/$name"
	jq --arg root "$rootfs" "$@" ".process.terminal = false | .root.path = \$root | $filter" \
		"$TMP/spec.json" >"$TMP/$name/config.json"
}

prepare_bundles() {
	say "making the busybox rootfs and the bundles"
	# shellcheck source=../tests/integration/helpers.bash
	source "$TOP/tests/integration/helpers.bash"
	make_busybox_rootfs "$TMP/rootfs"
	mkdir "$TMP/spec"
	"$RUNC" spec --bundle "$TMP/spec"
	mv "$TMP/spec/config.json" "$TMP/spec.json"
	rmdir "$TMP/spec"

	make_bundle true "$TMP/rootfs" '.process.args = ["/bin/true"]'
	make_bundle sleep "$TMP/rootfs" '.process.args = ["/bin/sleep", "3600"]'
	make_bundle echo "$TMP/rootfs" '.process.args = ["/bin/echo", "ok"]'

	"$SECCOMP_PROFILE" "$UNISTD" >"$TMP/seccomp.json" 2>>"$LOG"
	SECCOMP_RULES=$(jq '.syscalls | length' "$TMP/seccomp.json")
	# shellcheck disable=SC2016 # $p is jq's
	make_bundle seccomp "$TMP/rootfs" '.process.args = ["/bin/true"] | .linux.seccomp = $p[0]' \
		--slurpfile p "$TMP/seccomp.json"

	# The mapped root must own (and so read) its rootfs: a copy shifted
	# by the mapping (root, and the rootfs' one other user 10001).
	cp -a "$TMP/rootfs" "$TMP/rootfs-userns"
	chown -R -h "$USERNS_HOST_ID:$USERNS_HOST_ID" "$TMP/rootfs-userns"
	chown -h "$((USERNS_HOST_ID + 10001)):$((USERNS_HOST_ID + 10001))" "$TMP/rootfs-userns/home/user"
	local map="[{\"containerID\": 0, \"hostID\": $USERNS_HOST_ID, \"size\": $USERNS_SIZE}]"
	# shellcheck disable=SC2016 # $map is jq's
	make_bundle userns "$TMP/rootfs-userns" '.process.args = ["/bin/true"]
		| .linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = $map | .linux.gidMappings = $map' --argjson map "$map"

	declare -gA FLOOR_ARGS=(
		[true]="$TMP/rootfs"
		[userns]="-U $USERNS_HOST_ID:$USERNS_SIZE $TMP/rootfs-userns"
	)
}

# wait_stopped RUNTIME ID: until the container's process has exited (not
# timed; `delete` of a running container would fail).
wait_stopped() {
	local i
	for ((i = 0; i < 500; i++)); do
		rt "$1" state "$2" 2>/dev/null | jq -e '.status == "stopped"' >/dev/null && return 0
		sleep 0.01
	done
	say "$1: $2 did not stop"
	return 0
}

# run_section SECTION BUNDLE: BENCH_N interleaved `run`s of BUNDLE.
run_section() {
	local section=$1 bundle=$2 i r
	say "$section: $BENCH_N x run ($bundle)"
	for ((i = 0; i < BENCH_N; i++)); do
		for r in $(round "$i" "$bundle"); do
			run_argv "$r" "$bundle" "$(cid "$r" "$section-$i")"
			sample "$section" "$r" "$i" -- "${ARGV[@]}"
		done
	done
}

# static_section: husk's static build runs the same bundle, BENCH_N times
# interleaved with the dynamic one (its rows: wall time and peak RSS).
static_section() {
	local i
	if [ -z "$HUSK_STATIC" ] || [ ! -x "$HUSK_STATIC" ]; then
		NA["run-static|husk"]="no static build"
		return 0
	fi
	say "run-static: $BENCH_N x run (true), static husk against dynamic husk"
	for ((i = 0; i < BENCH_N; i++)); do
		sample run-static husk "$i" -- "$HUSK_STATIC" --root "$STATE/husk" run --bundle "$TMP/true" \
			"$(cid husk "static-$i")"
		run_argv husk true "$(cid husk "dynamic-$i")"
		sample run-dynamic husk "$i" -- "${ARGV[@]}"
	done
}

# lifecycle_section: create, start and delete timed one by one.
lifecycle_section() {
	local i r id
	local -a order
	say "create/start/delete: $BENCH_N x each"
	for ((i = 0; i < BENCH_N; i++)); do
		mapfile -t order < <(rotate "$i" "${RUNTIMES[@]}")
		for r in "${order[@]}"; do
			sample create "$r" "$i" -- "${BIN[$r]}" --root "$STATE/$r" \
				create --bundle "$TMP/true" "$(cid "$r" "life-$i")"
		done
		for r in "${order[@]}"; do
			sample start "$r" "$i" -- "${BIN[$r]}" --root "$STATE/$r" start "$(cid "$r" "life-$i")"
		done
		for r in "${order[@]}"; do
			wait_stopped "$r" "$(cid "$r" "life-$i")"
		done
		for r in "${order[@]}"; do
			id=$(cid "$r" "life-$i")
			sample delete "$r" "$i" -- "${BIN[$r]}" --root "$STATE/$r" delete "$id"
			rt "$r" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
}

# exec_supported RUNTIME ID: can RUNTIME exec into running container ID?
# A runtime without the command says so; anything else is measured (and
# shows up as failures).
exec_supported() {
	local err
	if err=$(rt "$1" exec "$2" /bin/true 2>&1 >/dev/null); then
		return 0
	fi
	if grep -qiE 'unknown command|not (yet )?supported|unsupported|not implemented' <<<"$err"; then
		NA["exec|$1"]="no exec"
		say "exec: $1 has no exec ($err)"
		return 1
	fi
	return 0
}

exec_section() {
	local i r
	local -a able=()
	say "exec: $BENCH_N x exec into a running container"
	for r in "${RUNTIMES[@]}"; do
		rt "$r" create --bundle "$TMP/sleep" "$(cid "$r" exec)" </dev/null >/dev/null 2>>"$LOG"
		rt "$r" start "$(cid "$r" exec)" </dev/null >/dev/null 2>>"$LOG"
		if exec_supported "$r" "$(cid "$r" exec)"; then
			able+=("$r")
		fi
	done
	if [ "${#able[@]}" -gt 0 ]; then
		for ((i = 0; i < BENCH_N; i++)); do
			for r in $(rotate "$i" "${able[@]}"); do
				sample exec "$r" "$i" -- "${BIN[$r]}" --root "$STATE/$r" exec "$(cid "$r" exec)" /bin/true
			done
		done
	fi
	for r in "${RUNTIMES[@]}"; do
		rt "$r" delete -f "$(cid "$r" exec)" >/dev/null 2>>"$LOG" || true
	done
}

# many_section: `state` and `list` with BENCH_MANY created containers
# per runtime present (all three runtimes' at once, so the machine is
# equally loaded for each).
many_section() {
	local k i r
	say "state/list: creating $BENCH_MANY containers per runtime"
	for ((k = 0; k < BENCH_MANY; k++)); do
		for r in $(rotate "$k" "${RUNTIMES[@]}"); do
			rt "$r" create --bundle "$TMP/true" "$(cid "$r" "many-$k")" </dev/null >/dev/null 2>>"$LOG" ||
				say "$r: create $(cid "$r" "many-$k") failed"
		done
		if (((k + 1) % 100 == 0)); then say "  $((k + 1)) of $BENCH_MANY"; fi
	done
	note_cgroup_parents
	say "state/list: $BENCH_N x each"
	for ((i = 0; i < BENCH_N; i++)); do
		# Spread over the containers: not always the first one listed.
		k=$(((i * 7919) % BENCH_MANY))
		for r in $(rotate "$i" "${RUNTIMES[@]}"); do
			sample state "$r" "$i" -- "${BIN[$r]}" --root "$STATE/$r" state "$(cid "$r" "many-$k")"
		done
	done
	for ((i = 0; i < BENCH_N; i++)); do
		for r in $(rotate "$i" "${RUNTIMES[@]}"); do
			sample list "$r" "$i" -- "${BIN[$r]}" --root "$STATE/$r" list
		done
	done
	say "state/list: deleting them"
	for ((k = 0; k < BENCH_MANY; k++)); do
		for r in "${RUNTIMES[@]}"; do
			rt "$r" delete -f "$(cid "$r" "many-$k")" >/dev/null 2>>"$LOG" || true
		done
	done
}

# scale_section: time per container for batches of sequential runs, and
# for batches started all at once.  Small batches are repeated so that
# their median means something; the largest runs once.  A sequential
# batch runs in chunks of SCALE_CHUNK, interleaved like everything else:
# one runtime's 1000 runs in a row would meet another load on the machine
# than the next runtime's.  The report adds the chunks up.
SCALE_CHUNK=10
scale_section() {
	local size reps rep r ran n
	for size in $BENCH_SCALE; do
		reps=$((300 / size))
		reps=$((reps < 1 ? 1 : reps > 5 ? 5 : reps))
		say "scale: $reps x $size sequential runs"
		for ((rep = 0; rep < reps; rep++)); do
			for ((ran = 0; ran < size; ran += n)); do
				n=$((size - ran < SCALE_CHUNK ? size - ran : SCALE_CHUNK))
				for r in $(round "$((rep + ran / SCALE_CHUNK))" true); do
					run_argv "$r" true "$(cid "$r" "seq$size-$rep-$ran-{}")"
					sample "seq-$size" "$r" "$rep" -S "$n" -- "${ARGV[@]}"
				done
			done
		done
	done
	for size in $BENCH_PARALLEL; do
		say "scale: 3 x $size parallel runs"
		for ((rep = 0; rep < 3; rep++)); do
			for r in $(round "$rep" true); do
				run_argv "$r" true "$(cid "$r" "par$size-$rep-{}")"
				sample "par-$size" "$r" "$rep" -P "$size" -- "${ARGV[@]}"
			done
		done
	done
}

# syscall_section: system calls of one `run` (strace -f -c: the runtime
# and every process it starts, the container's /bin/true included).
syscall_section() {
	local rep r calls
	say "syscalls: strace -f -c of run, 3 x"
	for ((rep = 0; rep < 3; rep++)); do
		for r in $(round "$rep" true); do
			run_argv "$r" true "$(cid "$r" "strace-$rep")"
			if strace -f -c -o "$TMP/strace.out" -- "${ARGV[@]}" </dev/null >/dev/null 2>>"$LOG"; then
				calls=$(awk '$NF == "total" { print $4 }' "$TMP/strace.out")
				echo "syscalls,$r,$calls" >>"$EXTRA"
			else
				say "syscalls: $r failed under strace"
			fi
		done
	done
}

# size_kib FILE: KiB of a stripped copy of FILE.
size_kib() {
	strip -o "$TMP/stripped" "$1"
	echo $(($(stat -c %s "$TMP/stripped") / 1024))
	rm -f "$TMP/stripped"
}

# size_section: stripped binary sizes, and the shared libraries each needs.
size_section() {
	local r
	say "binary sizes"
	for r in "${RUNTIMES[@]}"; do
		echo "size,$r,$(size_kib "${BIN[$r]}")" >>"$EXTRA"
		echo "libs,$r,$(readelf -d "${BIN[$r]}" | grep -c NEEDED || true)" >>"$EXTRA"
	done
	if [ -n "$HUSK_STATIC" ] && [ -x "$HUSK_STATIC" ]; then
		echo "size-static,husk,$(size_kib "$HUSK_STATIC")" >>"$EXTRA"
	else
		NA["size-static|husk"]="no static build"
	fi
}

# mem_ok RUNTIME LIMIT: does `run` of `echo ok` succeed with a cgroup
# memory limit of LIMIT bytes?
mem_ok() {
	local r=$1 limit=$2 out id
	id=$(cid "$r" "mem-$limit")
	mkdir -p "$TMP/mem-$r"
	jq --argjson l "$limit" '.linux.resources.memory = {"limit": $l}' \
		"$TMP/echo/config.json" >"$TMP/mem-$r/config.json"
	# A runtime killed by the OOM killer half-way might never return.
	out=$(timeout -k 5 30 "${BIN[$r]}" --root "$STATE/$r" run --bundle "$TMP/mem-$r" "$id" \
		</dev/null 2>>"$LOG") || true
	rt "$r" delete -f "$id" >/dev/null 2>&1 || true
	[ "$out" = ok ]
}

# mem_section: the smallest memory limit `run` of `echo ok` survives, by
# bisection between 0 and BENCH_MEM_MAX to within BENCH_MEM_STEP.
mem_section() {
	local r lo hi mid
	for r in "${RUNTIMES[@]}"; do
		say "memory: bisecting $r's smallest limit"
		lo=0
		hi=$BENCH_MEM_MAX
		if ! mem_ok "$r" "$hi"; then
			NA["memlimit|$r"]="fails at $((hi / 1048576)) MiB"
			continue
		fi
		while ((hi - lo > BENCH_MEM_STEP)); do
			mid=$(((lo + hi) / 2 / 4096 * 4096))
			if mem_ok "$r" "$mid"; then hi=$mid; else lo=$mid; fi
		done
		echo "memlimit,$r,$((hi / 1024))" >>"$EXTRA"
	done
}

# note_cgroup_parents: remember the directories the runtimes put their
# containers' cgroups in, to remove the ones made for the benchmark.
note_cgroup_parents() {
	cgroup_dirs "b$$-*" | sed 's|/[^/]*$||' | sort -u >>"$TMP/cgroup-parents"
}

# check_cgroups: every cgroup the benchmark's containers had is gone
# (each runtime removes its own); remove and report any that is not, and
# the parent directories made for them, if now empty and new.
check_cgroups() {
	local d
	local -a left
	# Deepest first, so that rmdir can work.
	mapfile -t left < <(cgroup_dirs "b$$-*" | sort -r)
	if [ "${#left[@]}" -gt 0 ]; then
		say "cgroup directories left behind (removed now):"
		for d in "${left[@]}"; do
			say "  $d"
			rmdir "$d" 2>/dev/null || say "cannot remove $d"
		done
		# Per runtime: the id says whose container it was.
		CGROUPS_LEFT=$(printf '%s\n' "${left[@]}" | sed -n "s|.*/b$$-\([a-z]*\)-.*|\1|p" |
			sort | uniq -c | awk '{ printf "%s%s: %s", sep, $2, $1; sep = ", " }')
	fi
	[ -s "$TMP/cgroup-parents" ] || return 0
	sort -ru "$TMP/cgroup-parents" | while read -r d; do
		grep -qxF "$d" "$TMP/cgroups-before" || rmdir "$d" 2>/dev/null || true
	done
}

# cleanup: containers, cgroups, temporary files; on any exit.
# crun 1.8.1, run in a user namespace, chowns the host's /dev/null to the
# namespace's root (its bind target is the host's node): put it back.
save_dev_null() {
	DEV_NULL_OWNER=$(stat -c %u:%g /dev/null)
	DEV_NULL_MODE=$(stat -c %a /dev/null)
}

restore_dev_null() {
	[ -n "${DEV_NULL_OWNER:-}" ] || return 0
	if [ "$(stat -c %u:%g:%a /dev/null)" != "$DEV_NULL_OWNER:$DEV_NULL_MODE" ]; then
		say "a runtime changed the owner or mode of /dev/null: restored"
		chown "$DEV_NULL_OWNER" /dev/null && chmod "$DEV_NULL_MODE" /dev/null
	fi
}

cleanup() {
	local r id
	trap - EXIT INT TERM
	restore_dev_null
	if [ -n "${STATE:-}" ]; then
		for r in "${RUNTIMES[@]}"; do
			[ -d "$STATE/$r" ] || continue
			for id in $(rt "$r" list -q 2>/dev/null); do
				rt "$r" delete -f "$id" >/dev/null 2>&1 || true
			done
		done
		check_cgroups || true
	fi
	if [ -n "${TMP:-}" ] && [ -d "$TMP" ]; then
		# Nothing may still be mounted under it (an interrupted setup).
		awk -v t="$TMP" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null || true; done
		rm -rf "$TMP"
	fi
}

inner_main() {
	save_dev_null
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk-bench.XXXXXX")
	# The user namespace's root must get through to its rootfs.
	chmod 0755 "$TMP"
	trap cleanup EXIT
	trap 'say "interrupted: removing the containers"; exit 130' INT
	trap 'say "terminated: removing the containers"; exit 143' TERM
	STATE=$TMP/state
	mkdir -p "$STATE" "$TMP/stage" "$BENCH_OUT"
	SAMPLES=$BENCH_OUT/samples.csv
	EXTRA=$TMP/extra.csv
	LOG=$BENCH_OUT/bench.log
	echo "section,runtime,iter,count,wall_ns,user_us,sys_us,maxrss_kb,failed" >"$SAMPLES"
	echo "metric,runtime,value" >"$EXTRA"
	: >"$LOG"
	CGROUPS_LEFT=

	legacy_cgroupfs "$TMP/stage"
	CGROUPS=$(cgroup_layout)
	say "cgroups as the runtimes see them: $CGROUPS"
	cgroup_dirs '*' | sort >"$TMP/cgroups-before"

	prepare_bundles
	run_section run true
	static_section
	lifecycle_section
	exec_section
	many_section
	run_section run-seccomp seccomp
	run_section run-userns userns
	restore_dev_null
	scale_section
	syscall_section
	size_section
	mem_section
	check_cgroups
	write_report
}

if [ "${1:-}" = --in-namespace ]; then
	inner_main
else
	preflight
	# One private mount namespace for every runtime (see cgroupfs.sh).
	exec unshare --mount --propagation private "$0" --in-namespace
fi
