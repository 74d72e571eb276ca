#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# build.sh DIR: cross compile husk for aarch64 the documented way, with
# `./configure --host=aarch64-linux-gnu [--enable-static]` and make, in
# copies of the source tree under DIR (configure writes config.mak in its
# working directory; the tree itself is left alone):
#   DIR/aarch64/build/husk          dynamic
#   DIR/aarch64-static/build/husk   static-pie
# with each build's output in DIR/aarch64.log and DIR/aarch64-static.log.
# Rebuilds only what changed (configure reruns when configure.ac,
# config.mak.in or this script change).
#
# Installs what is missing from Debian's archive: the cross compiler, the
# arm64 development files of libseccomp, libcap and yajl (adding the arm64
# dpkg architecture only then) and qemu-user-static, which runs the
# binaries in the tests.
#
# Environment: CROSS_JOBS (make -j, default 2).

set -euo pipefail

{
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
dir=$(cd "$1" && pwd)
host=aarch64-linux-gnu
jobs=${CROSS_JOBS:-2}

note() { echo "cross: $*" >&2; }
die() { echo "cross: $*" >&2; exit 2; }

# --- dependencies -----------------------------------------------------------

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

ensure_packages() {
	local p missing=() foreign=0
	for p in gcc-$host libc6-dev-arm64-cross binutils-$host qemu-user-static \
		autoconf make pkg-config file \
		libseccomp-dev:arm64 libcap-dev:arm64 libyajl-dev:arm64; do
		installed "$p" || missing+=("$p")
		case $p in *:arm64) installed "$p" || foreign=1 ;; esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing ${missing[*]} (run as root to install them)"
	if [ $foreign = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
		note "adding the arm64 dpkg architecture"
		dpkg --add-architecture arm64
	fi
	note "installing ${missing[*]}"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		--no-install-recommends "${missing[@]}"
}
ensure_packages

# --- builds -----------------------------------------------------------------

# The cross build is its own: nothing of a calling make (SANITIZE=1,
# BUILD=..., jobserver) leaks into it.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

# `husk --version` names the commit of the tree, as build/husk does.
git_env=()
if gitdir=$(git -C "$repo" rev-parse --absolute-git-dir 2>/dev/null); then
	git_env=(GIT_DIR="$gitdir" GIT_WORK_TREE="$repo")
fi

# build NAME CONFIGURE-ARGS...: configure and make in DIR/NAME, a copy of
# the sources, with BUILD=build there, so that husk finds the shipped
# seccomp profiles beside its build directory as it does uninstalled.
build() {
	local name=$1 src=$dir/$1 stamp log=$dir/$1.log keep=(build) f
	shift
	stamp=$(cat "$repo/configure.ac" "$repo/config.mak.in" "$0" | sha256sum | cut -d' ' -f1)
	# A fresh copy of the sources (tar keeps their times, so make
	# rebuilds only what changed), keeping the build and, when still
	# current, the configure output.
	[ "$(cat "$dir/$name.stamp" 2>/dev/null)" = "$stamp" ] &&
		keep+=(config.mak config.status config.log configure)
	mkdir -p "$src"
	for f in "$src"/* "$src"/.[!.]*; do
		[ -e "$f" ] || continue
		[[ " ${keep[*]} " == *" ${f##*/} "* ]] || rm -rf "$f"
	done
	(cd "$repo" && tar --exclude='./build*' --exclude=./demo --exclude=./config.mak \
		--exclude=./config.status --exclude=./config.log --exclude=./configure \
		--exclude=./autom4te.cache --exclude=./.git -cf - .) | tar -xf - -C "$src"
	: >"$log"
	if [ ! -f "$src/config.mak" ]; then
		note "configure --host=$host${*:+ $*}"
		if ! (cd "$src" && autoconf && ./configure --host=$host "$@") >>"$log" 2>&1; then
			tail -n 30 "$log" >&2
			die "configure failed (see $log)"
		fi
		echo "$stamp" >"$dir/$name.stamp"
	fi
	note "make $name/build/husk"
	if ! env "${git_env[@]}" make -C "$src" -j"$jobs" BUILD=build build/husk >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "make failed (see $log)"
	fi
}

build aarch64
build aarch64-static --enable-static
file "$dir/aarch64/build/husk" "$dir/aarch64-static/build/husk" | sed "s|^$dir/|cross: |; s|, BuildID[^,]*||"
}
