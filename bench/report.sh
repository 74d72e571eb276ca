# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# The benchmark's report, sourced by bench.sh: medians of the samples, the
# Markdown table (results.md) and every figure as CSV (results.csv).
#
# Figures are keyed "SECTION|RUNTIME|METRIC": METRIC is wall (ms per
# container), cpu (user+sys ms per container), rss (MiB) for timed
# samples, and value for the others (syscalls, sizes, memory limits).
#
# shellcheck disable=SC2016 # backquotes in labels are Markdown, not shell

declare -A VAL=() CNT=() FAILED=()

# median_of: "KEY VALUE" lines in; "KEY MEDIAN COUNT" out, one per KEY.
# (sort does the ordering: mawk, Debian's awk, has no asort.)
median_of() {
	sort -k1,1 -k2,2g | awk '
		function flush() {
			if (n)
				print key, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2), n
		}
		$1 != key { flush(); key = $1; n = 0 }
		{ v[++n] = $2 }
		END { flush() }'
}

# merged_samples: the samples without the header, the lines of one
# sample (chunks of a batch: same section, runtime and iteration) added up.
merged_samples() {
	awk -F, 'NR > 1 {
		k = $1 "," $2 "," $3
		c[k] += $4; w[k] += $5; u[k] += $6; s[k] += $7; f[k] += $9
		if ($8 > m[k]) m[k] = $8
	}
	END {
		for (k in c)
			print k "," c[k] "," w[k] "," u[k] "," s[k] "," m[k] "," f[k]
	}' "$SAMPLES"
}

# load_results: VAL, CNT and FAILED from the samples and the extra
# figures.  A sample with a failed command counts in FAILED only.
load_results() {
	local key v n
	while read -r key v n; do
		VAL[$key]=$v
		CNT[$key]=$n
	done < <(
		merged_samples | awk -F, '$9 == 0 {
			k = $1 "|" $2
			print k "|wall", $5 / $4 / 1e6
			print k "|cpu", ($6 + $7) / $4 / 1e3
			print k "|rss", $8 / 1024
		}' | median_of
		awk -F, 'NR > 1 && $3 != "" { print $1 "|" $2 "|value", $3 }' "$EXTRA" | median_of
	)
	while read -r key n; do
		FAILED[$key]=$n
	done < <(merged_samples | awk -F, '$9 > 0 { f[$1 "|" $2]++ } END { for (k in f) print k, f[k] }')
}

# cell KEY FORMAT: one table cell.
cell() {
	local key=$1 fmt=$2 sr=${1%|*} text
	if [ -n "${NA[$sr]:-}" ]; then
		echo "n/a"
		return
	fi
	if [ -n "${VAL[$key]:-}" ]; then
		# shellcheck disable=SC2059 # the format is the caller's
		text=$(printf "$fmt" "${VAL[$key]}")
		[ -z "${FAILED[$sr]:-}" ] || text+=" (${FAILED[$sr]} failed)"
	elif [ -n "${FAILED[$sr]:-}" ]; then
		text="failed"
	else
		text="—"
	fi
	echo "$text"
}

# ratio KEY-A KEY-B: A / B to two places, or a dash.
ratio() {
	local a=${VAL[$1]:-} b=${VAL[$2]:-}
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "—"
		return
	fi
	awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "—" }'
}

# row LABEL SECTION METRIC FORMAT: one table row, with the ratios.
row() {
	local label=$1 section=$2 metric=$3 fmt=$4 r line
	line="| $label"
	for r in husk crun runc floor; do
		line+=" | $(cell "$section|$r|$metric" "$fmt")"
	done
	line+=" | $(ratio "$section|husk|$metric" "$section|crun|$metric")"
	line+=" | $(ratio "$section|husk|$metric" "$section|runc|$metric") |"
	echo "$line"
}

# timed_rows WHAT SECTION: the wall and CPU rows of a timed section.
timed_rows() {
	row "$1, wall (ms)" "$2" wall %.2f
	row "$1, CPU user+sys (ms)" "$2" cpu %.2f
}

machine_info() {
	local os=
	[ ! -r /etc/os-release ] || os=$(. /etc/os-release && echo "${PRETTY_NAME:-}")
	INFO_CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	INFO_CORES=$(nproc)
	INFO_MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	INFO_KERNEL="$(uname -sr)${os:+ ($os)}"
	INFO_DATE=$(date -u +'%Y-%m-%d %H:%M UTC')
	INFO_HUSK="$("$HUSK" --version | head -n 1)"
	if git -C "$TOP" rev-parse --short HEAD >/dev/null 2>&1; then
		INFO_HUSK+=" (git $(git -C "$TOP" rev-parse --short HEAD))"
	fi
	INFO_CRUN=$("$CRUN" --version | head -n 1)
	INFO_RUNC=$("$RUNC" --version | head -n 1)
}

write_markdown() {
	local size
	echo "### husk, crun and runc, $INFO_DATE"
	echo
	echo "- Machine: $INFO_CPU, $INFO_CORES cores, $INFO_MEM"
	echo "- Kernel: $INFO_KERNEL"
	echo "- Runtimes: $INFO_HUSK; $INFO_CRUN; $INFO_RUNC"
	echo "- cgroups: $CGROUPS, the same view for all three"
	echo "- Counts: BENCH_N=$BENCH_N, BENCH_MANY=$BENCH_MANY, BENCH_SCALE=\"$BENCH_SCALE\", BENCH_PARALLEL=\"$BENCH_PARALLEL\""
	echo
	echo "| | husk | crun | runc | floor | husk/crun | husk/runc |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	timed_rows '`run` /bin/true' run
	timed_rows '`create`' create
	timed_rows '`start`' start
	timed_rows '`delete`' delete
	timed_rows '`exec` /bin/true' exec
	timed_rows "\`state\`, $BENCH_MANY containers" state
	timed_rows "\`list\`, $BENCH_MANY containers" list
	timed_rows "\`run\`, seccomp ($SECCOMP_RULES rules)" run-seccomp
	timed_rows '`run`, user namespace' run-userns
	row 'peak RSS of `run` (MiB)' run rss %.1f
	row '`run`, static husk, wall (ms)' run-static wall %.2f
	row '`run`, dynamic husk beside it, wall (ms)' run-dynamic wall %.2f
	row 'peak RSS of `run`, static husk (MiB)' run-static rss %.1f
	row 'syscalls per `run`' syscalls value %.0f
	row 'binary, stripped (KiB)' size value %.0f
	row 'binary, static, stripped (KiB)' size-static value %.0f
	row 'shared libraries needed' libs value %.0f
	row 'smallest memory limit for `run` (KiB)' memlimit value %.0f
	for size in $BENCH_SCALE; do
		row "$size sequential \`run\`s, wall per container (ms)" "seq-$size" wall %.2f
	done
	for size in $BENCH_PARALLEL; do
		row "$size parallel \`run\`s, wall / $size (ms)" "par-$size" wall %.2f
	done
	echo
	echo "Medians. Wall: the whole runtime process, fork to exit. CPU: user+sys of"
	echo "the runtime and the processes it waited for. floor: bench/floor.c, only"
	echo "clone (same namespaces), pivot_root and execve of /bin/true. Syscalls:"
	echo "strace -f -c, the container's /bin/true included. Memory limit: the"
	echo "smallest cgroup limit under which \`run\` of \`echo ok\` succeeds (bisection)."
	echo "Sequential batches run in chunks of $SCALE_CHUNK, interleaved; parallel ones"
	echo "all at once. Ratios below 1 mean husk is cheaper. n/a: the runtime cannot"
	echo "do it."
	echo "cgroup directories left by the containers: ${CGROUPS_LEFT:-none}."
}

# csv_field TEXT: TEXT as one CSV field.
csv_field() {
	case $1 in
	*[,\"]*) printf '"%s"' "${1//\"/\"\"}" ;;
	*) printf '%s' "$1" ;;
	esac
}

# unit_of SECTION METRIC
unit_of() {
	case $2/$1 in
	wall/* | cpu/*) echo ms ;;
	rss/*) echo MiB ;;
	value/syscalls) echo calls ;;
	value/libs) echo libraries ;;
	*) echo KiB ;;
	esac
}

write_csv() {
	local key sr section runtime metric name
	echo "section,metric,runtime,value,unit,samples,failed"
	for name in CPU CORES MEM KERNEL DATE HUSK CRUN RUNC; do
		key=INFO_$name
		echo "machine,${name,,},,$(csv_field "${!key}"),,,"
	done
	echo "machine,cgroups,,$CGROUPS,,,"
	for key in "${!VAL[@]}"; do
		sr=${key%|*}
		IFS='|' read -r section runtime metric <<<"$key"
		echo "$section,$metric,$runtime,${VAL[$key]},$(unit_of "$section" "$metric"),${CNT[$key]},${FAILED[$sr]:-0}"
	done | sort
	for sr in "${!NA[@]}"; do
		IFS='|' read -r section runtime <<<"$sr"
		echo "$section,,$runtime,n/a,,0,0"
	done | sort
}

write_report() {
	load_results
	machine_info
	write_markdown >"$BENCH_OUT/results.md"
	write_csv >"$BENCH_OUT/results.csv"
	echo
	cat "$BENCH_OUT/results.md"
	echo
	say "results in $BENCH_OUT/results.md and results.csv"
}
