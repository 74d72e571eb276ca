# SPDX-License-Identifier: Apache-2.0
#
# husk build.  Plain `make` works on its own; `./configure` (optional, from
# configure.ac) writes config.mak, which overrides the defaults below.
#
#   make                 build build/husk
#   make static          a static (static-pie) husk in build-static/ ($(BUILD)-static)
#   make check           man lint, unit (Check), integration, guest and engine tests
#   make check-vm        cgroup tests (VM_TESTS) in a cgroup2-only QEMU guest
#   make check-engines   docker, podman and containerd running ENGINE_RUNTIME
#   make sanitize        the same tests (but the engines) against an ASan+UBSan build
#   make fuzz            build and run the config parser fuzz target
#   make install         install binary, man pages and seccomp profiles
#   make deps            install Debian build and test dependencies
#   make bench           husk, crun and runc side by side (minutes; as root)
#   make bench-quick     the same with small counts, as a smoke run
#
# Variables: CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR, BUILD (object dir),
# STATIC=1, SANITIZE=1, WERROR=0, PKG_CONFIG, V=1 (verbose), VM=0 and
# ENGINE_TESTS=0 and CROSS=0 (make check without the guest, the engine or
# the aarch64 cross tests),
# ENGINE_RUNTIME (default build/husk), ENGINES (check-engines).

-include config.mak

VERSION     ?= 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
BUILD       ?= build
CC          ?= cc
PKG_CONFIG  ?= pkg-config
WERROR      ?= 1
STATIC      ?= 0
SANITIZE    ?= 0
INSTALL     ?= install

PKGS := libseccomp libcap yajl

# pkg-config runs when a flag is first needed, not when the Makefile is
# read, so that `make deps all` works before pkg-config is installed.
ifeq ($(STATIC),1)
  # Debian ships yajl's static library as libyajl_s.a.
  PKG_LIBS = $(eval PKG_LIBS := $(patsubst -lyajl,-l:libyajl_s.a,$(shell $(PKG_CONFIG) --static --libs $(PKGS))))$(PKG_LIBS)
  STATIC_LDFLAGS := -static
else
  PKG_LIBS = $(eval PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)))$(PKG_LIBS)
endif
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS)))$(PKG_CFLAGS)

# -Os: husk spends its time in system calls, not in its own code; the
# smaller binary loads and maps faster (measured: no slower than -O2).
CFLAGS ?= -Os -g
HUSK_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla \
	-fstack-protector-strong -fPIE -fno-strict-aliasing \
	-Iinclude $(PKG_CFLAGS) \
	-DHUSK_VERSION='"$(VERSION)"' \
	-DHUSK_DATADIR='"$(DATADIR)/husk"'
ifeq ($(WERROR),1)
  HUSK_CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
  HUSK_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  HUSK_LDFLAGS += -fsanitize=address,undefined
else
  # C needs no unwind tables (no exceptions); -g keeps .debug_frame for
  # debuggers.  About a tenth of the stripped binary.
  HUSK_CFLAGS += -D_FORTIFY_SOURCE=2 -fno-asynchronous-unwind-tables
endif
HUSK_LDFLAGS += -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(STATIC_LDFLAGS)
ifeq ($(STATIC),1)
  HUSK_LDFLAGS := $(filter-out -pie -static,$(HUSK_LDFLAGS)) -static-pie
endif

ifneq ($(V),1)
  Q := @
  QUIET_CC = @echo '   CC    ' $@;
  QUIET_LD = @echo '   LD    ' $@;
  QUIET_AR = @echo '   AR    ' $@;
endif

CORE_SRC := $(sort $(wildcard src/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
HEADERS  := $(wildcard include/husk/*.h src/*.h src/cli/*.h)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)

LIBHUSK  := $(BUILD)/libhusk.a
HUSK     := $(BUILD)/husk
UNIT     := $(BUILD)/husk-unit
SYSPROBE := $(BUILD)/tests/sysprobe

.PHONY: all check check-unit check-integration check-vm check-cross check-arm64-vm check-engines sanitize fuzz fuzz-build \
	install uninstall clean distclean deps demo man-lint bench bench-quick bench-deps bench-tools \
	static

all: $(HUSK)

# The static binary in a directory of its own, beside $(BUILD), which it
# leaves alone.
STATIC_BUILD ?= $(BUILD)-static
static:
	$(MAKE) --no-print-directory STATIC=1 BUILD=$(STATIC_BUILD) $(STATIC_BUILD)/husk

$(BUILD)/%.o: %.c $(HEADERS) $(wildcard config.mak)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(HUSK_CFLAGS) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

# The commit `husk --version` prints, as runc does; the header is rewritten
# only when the commit changes, so that only main.o is rebuilt then.
COMMIT_H := $(BUILD)/commit.h
$(COMMIT_H): FORCE
	@mkdir -p $(dir $@)
	@c=$$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown); \
	printf '#define HUSK_COMMIT "%s"\n' "$$c" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/src/cli/main.o: $(COMMIT_H)
$(BUILD)/src/cli/main.o: HUSK_CFLAGS += -include $(COMMIT_H)
FORCE:

$(LIBHUSK): $(CORE_OBJ)
	$(QUIET_AR)rm -f $@ && $(AR) rcs $@ $^

$(HUSK): $(CLI_OBJ) $(LIBHUSK)
	$(QUIET_LD)$(CC) $(HUSK_CFLAGS) $(CFLAGS) $(HUSK_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBHUSK) $(PKG_LIBS)

# The unit tests link the core library, never the CLI.
CHECK_CFLAGS = $(eval CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null))$(CHECK_CFLAGS)
CHECK_LIBS   = $(eval CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null))$(CHECK_LIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(HEADERS) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(HUSK_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -c -o $@ $<

$(UNIT): $(UNIT_OBJ) $(LIBHUSK)
	$(QUIET_LD)$(CC) $(HUSK_CFLAGS) $(CFLAGS) $(filter-out -static-pie,$(HUSK_LDFLAGS)) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIBHUSK) $(PKG_LIBS) $(CHECK_LIBS)

# A helper the seccomp profile tests run inside containers: static, so it
# needs nothing from the container's rootfs, and without the hardening and
# sanitizer flags, which do not all go with -static.
PROBE_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -O2
$(SYSPROBE): tests/tools/sysprobe.c
	@mkdir -p $(dir $@)
	$(QUIET_LD)$(CC) $(PROBE_CFLAGS) -static -o $@ $<

# VM=0 leaves out the guest (e.g. where QEMU cannot run).
VM ?= 1
ENGINE_TESTS ?= 1
CROSS ?= 1
check: man-lint check-unit check-integration $(if $(filter 1,$(VM)),check-vm) \
	$(if $(filter 1,$(CROSS)),check-cross) $(if $(filter 1,$(ENGINE_TESTS)),check-engines)

check-unit: $(UNIT)
	HUSK_FIXTURES=$(CURDIR)/tests/fixtures $(UNIT)

check-integration: $(HUSK) $(SYSPROBE)
	HUSK=$(CURDIR)/$(HUSK) BUILD=$(CURDIR)/$(BUILD) tests/integration/run.sh

# The cgroup tests as root in a QEMU guest with a pure cgroup2 hierarchy,
# so cgroup v2 is tested whatever the host uses.  Installs QEMU and a kernel.
VM_TESTS ?= tests/integration/cgroups_v2.bats tests/integration/pause_update.bats
check-vm: $(HUSK)
	tests/vm/run-in-guest.sh env HUSK=$(CURDIR)/$(HUSK) BUILD=$(CURDIR)/$(BUILD) \
		tests/integration/run.sh $(VM_TESTS)

# aarch64 cross builds, dynamic and static, the documented way (./configure
# --host=aarch64-linux-gnu in copies of the sources under CROSS_DIR), and
# tests of them under qemu-aarch64-static.  Installs the cross compiler, the
# arm64 libraries (adding the arm64 dpkg architecture) and QEMU when missing.
CROSS_DIR ?= $(BUILD)/cross
CROSS_HUSK = $(abspath $(CROSS_DIR))/aarch64-static/build/husk
check-cross:
	tests/cross/build.sh $(CROSS_DIR)
	SUITE=cross HUSK=$(CROSS_HUSK) HUSK_DYNAMIC=$(abspath $(CROSS_DIR))/aarch64/build/husk \
		BUILD=$(abspath $(CROSS_DIR)) tests/integration/run.sh tests/cross/aarch64.bats

# Real engines (dockerd, podman, containerd with ctr), each started
# privately under a temporary directory, run containers with
# ENGINE_RUNTIME: husk by default, or e.g. ENGINE_RUNTIME=/usr/bin/runc
# to run the same tests with runc.  Root; installs the engines when
# missing.  Not part of `check`: it takes minutes and needs the engines.
ENGINE_RUNTIME ?= $(CURDIR)/$(HUSK)
ENGINES ?= docker podman containerd
# The docker stage also compares seccomp-profiles/default.json, run by
# build/husk, with Docker's default profile: it needs husk and the probe
# whatever ENGINE_RUNTIME is.
check-engines: $(HUSK) $(SYSPROBE)
	ENGINE_RUNTIME='$(ENGINE_RUNTIME)' ENGINES='$(ENGINES)' HUSK=$(CURDIR)/$(HUSK) \
		SYSPROBE=$(CURDIR)/$(SYSPROBE) tests/engines/run.sh

sanitize:
	$(MAKE) BUILD=build-san SANITIZE=1 ENGINE_TESTS=0 CROSS=0 check

# libFuzzer needs clang; the fuzz build lives in its own object dir.
FUZZ_SECONDS ?= 60
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang SANITIZE=1 \
		CFLAGS='-O1 -g -fsanitize=fuzzer-no-link' build-fuzz/libhusk.a
	@mkdir -p build-fuzz/corpus
	cp -n tests/fixtures/config/*/*.json build-fuzz/corpus/ 2>/dev/null || true
	clang -std=gnu11 -O1 -g -Iinclude $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-o build-fuzz/fuzz-config tests/fuzz/fuzz_config.c build-fuzz/libhusk.a $(PKG_LIBS)

fuzz: fuzz-build
	build-fuzz/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-artifact_prefix=build-fuzz/ -dict=tests/fuzz/config.dict build-fuzz/corpus

MANPAGES := $(wildcard man/*.1)
man-lint:
	mandoc -T lint -W warning $(MANPAGES)

install: $(HUSK)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/husk/seccomp-profiles
	$(INSTALL) -m 0755 $(HUSK) $(DESTDIR)$(BINDIR)/husk
	$(INSTALL) -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	for f in seccomp-profiles/*.json; do [ -e "$$f" ] || continue; \
		$(INSTALL) -m 0644 "$$f" $(DESTDIR)$(DATADIR)/husk/seccomp-profiles/; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/husk $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))
	rm -rf $(DESTDIR)$(DATADIR)/husk

clean:
	rm -rf build build-static build-san build-fuzz demo

distclean: clean
	rm -rf config.mak config.status config.log configure configure~ autom4te.cache

# Debian packages needed to build and test.  Idempotent: apt runs only when
# something is missing.
DEB_BUILD_DEPS := gcc make pkg-config libseccomp-dev libcap-dev libyajl-dev
DEB_TEST_DEPS  := check busybox-static mandoc clang libclang-rt-14-dev autoconf valgrind bats python3 jq procps util-linux
deps:
	@missing=$$(for p in $(DEB_BUILD_DEPS) $(DEB_TEST_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "all build and test dependencies are installed"; fi

demo: $(HUSK)
	tests/demo.sh $(HUSK)

# The benchmark (bench/bench.sh says what it measures).  Its C helpers are
# built with the project's flags; the floor is linked static so that it pays
# no dynamic loader.  A static husk is built too, for its size, when it can be.
BENCH_OUT   ?= $(BUILD)/bench
BENCH_TOOLS := $(BUILD)/bench/measure $(BUILD)/bench/floor $(BUILD)/bench/seccomp-profile
bench-tools: $(BENCH_TOOLS)

$(BUILD)/bench/measure: $(BUILD)/bench/measure.o
	$(QUIET_LD)$(CC) $(CFLAGS) $(filter-out -static-pie,$(HUSK_LDFLAGS)) $(LDFLAGS) -o $@ $<

$(BUILD)/bench/floor: $(BUILD)/bench/floor.o
	$(QUIET_LD)$(CC) $(CFLAGS) $(filter-out -pie -static-pie,$(HUSK_LDFLAGS)) -static-pie $(LDFLAGS) -o $@ $<

$(BUILD)/bench/seccomp-profile: $(BUILD)/bench/seccomp-profile.o
	$(QUIET_LD)$(CC) $(CFLAGS) $(filter-out -static-pie,$(HUSK_LDFLAGS)) $(LDFLAGS) -o $@ $< $(PKG_LIBS)

DEB_BENCH_DEPS := crun runc strace busybox-static jq binutils util-linux coreutils perl linux-libc-dev
bench-deps:
	@missing=$$(for p in $(DEB_BUILD_DEPS) $(DEB_BENCH_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

bench: bench-deps
	$(MAKE) --no-print-directory $(HUSK) $(BENCH_TOOLS)
	@mkdir -p $(BENCH_OUT) && rm -f $(BENCH_OUT)/static/husk
	@$(MAKE) --no-print-directory STATIC=1 BUILD=$(BENCH_OUT)/static $(BENCH_OUT)/static/husk \
		>$(BENCH_OUT)/static-build.log 2>&1 || \
		echo "bench: make STATIC=1 failed (see $(BENCH_OUT)/static-build.log): no static size"
	HUSK=$(abspath $(HUSK)) HUSK_STATIC=$(abspath $(BENCH_OUT)/static/husk) \
		BENCH_BIN=$(abspath $(BUILD)/bench) BENCH_OUT=$(abspath $(BENCH_OUT)) bench/bench.sh

# Small counts: every section once over, in a minute or two.
bench-quick:
	BENCH_N=$${BENCH_N:-5} BENCH_MANY=$${BENCH_MANY:-20} BENCH_SCALE="$${BENCH_SCALE:-1 10}" \
		BENCH_PARALLEL="$${BENCH_PARALLEL:-10}" $(MAKE) --no-print-directory bench
