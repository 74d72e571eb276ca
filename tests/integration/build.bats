#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# The build itself: the optional ./configure path, install with DESTDIR and
# PREFIX, a static binary, no NSS in any binary, and the fuzz target.  Each
# build runs in a copy of the source tree so the tree under test is never
# touched.

load helpers

setup_file() {
	SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	COPY=$BATS_FILE_TMPDIR/src
	mkdir -p "$COPY"
	# the sources only: no build directories, no config.mak
	(cd "$SRC" && tar --exclude='./build*' --exclude=./demo --exclude=./config.mak \
		--exclude=./config.status --exclude=./config.log --exclude=./.git -cf - .) |
		tar -xf - -C "$COPY"
	export SRC COPY
}

setup() {
	husk_setup
}

@test "./configure writes config.mak and the build uses it" {
	cd "$COPY"
	autoconf
	./configure --prefix=/opt/husk --disable-werror >"$TMP/configure.log"
	grep -q '^PREFIX = /opt/husk$' config.mak
	grep -q '^WERROR = 0$' config.mak
	make -s BUILD=build-conf >/dev/null
	run build-conf/husk --version
	[ "$status" -eq 0 ]
	# install follows the configured prefix
	make -s BUILD=build-conf DESTDIR="$TMP/r" install >/dev/null
	[ -x "$TMP/r/opt/husk/bin/husk" ]
	make -s distclean >/dev/null
	[ ! -e config.mak ]
}

@test "make install honours DESTDIR and PREFIX" {
	cd "$COPY"
	make -s BUILD=build-inst PREFIX=/usr DESTDIR="$TMP/root" install >/dev/null
	[ -x "$TMP/root/usr/bin/husk" ]
	[ -f "$TMP/root/usr/share/man/man1/husk.1" ]
	[ -f "$TMP/root/usr/share/man/man1/husk-run.1" ] || [ -f "$TMP/root/usr/share/man/man1/husk-spec.1" ]
	[ -d "$TMP/root/usr/share/husk/seccomp-profiles" ]
	"$TMP/root/usr/bin/husk" --version
	make -s BUILD=build-inst PREFIX=/usr DESTDIR="$TMP/root" uninstall >/dev/null
	[ ! -e "$TMP/root/usr/bin/husk" ]
}

@test "make static links a static binary that runs, without NSS" {
	cd "$COPY"
	# BUILD=build: the environment names the build under test
	make -s BUILD=build static >"$TMP/static.log" 2>&1 || { cat "$TMP/static.log"; false; }
	[ -x build-static/husk ]
	[ ! -e build/husk ]
	run file build-static/husk
	[[ "$output" == *"static"* ]]
	! ldd build-static/husk >/dev/null 2>&1 || [[ "$(ldd build-static/husk 2>&1)" == *"statically linked"* ]]
	build-static/husk features >/dev/null
	# glibc warns when a static link pulls in NSS (or dlopen): nothing may
	# need shared libraries at run time.
	cat "$TMP/static.log"
	run grep -F 'in statically linked applications requires at runtime' "$TMP/static.log"
	[ "$status" -eq 1 ]
	# and none of them is in the binary, from husk or from its libraries
	run nss_symbols build-static/husk
	echo "NSS functions in build-static/husk: $output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# stripped, it stays small
	strip -o "$TMP/husk.stripped" build-static/husk
	size=$(stat -c %s "$TMP/husk.stripped")
	echo "stripped static husk: $size bytes"
	[ "$size" -lt $((1536 * 1024)) ]
}

@test "husk imports no NSS function (getpwnam, getgrouplist, getaddrinfo, ...)" {
	if readelf -d "$HUSK" | grep -q '(NEEDED)'; then
		run nss_symbols -D "$HUSK"
	else
		run nss_symbols "$HUSK"
	fi
	echo "NSS functions imported by $HUSK: $output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the config parser fuzz target builds and runs" {
	cd "$COPY"
	make -s fuzz FUZZ_SECONDS=5 >"$TMP/fuzz.log" 2>&1 || { cat "$TMP/fuzz.log"; false; }
	grep -q 'Done [0-9]* runs' "$TMP/fuzz.log"
}
