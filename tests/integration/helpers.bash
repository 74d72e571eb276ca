# SPDX-License-Identifier: Apache-2.0
#
# Shared setup for the integration tests (loaded with `load helpers`).
# make_busybox_rootfs is plain bash and is also used by tests/demo.sh.

if declare -F bats_require_minimum_version >/dev/null; then
	bats_require_minimum_version 1.5.0 # run --separate-stderr
fi

# The busybox-static binary a test rootfs is made from.
BUSYBOX=${BUSYBOX:-/bin/busybox}

# Per-test setup: a fresh scratch directory $TMP (removed by bats) and the
# binary under test in $HUSK.
husk_setup() {
	if [ -z "${HUSK:-}" ] || [ ! -x "$HUSK" ]; then
		echo "HUSK must name the husk binary under test" >&2
		return 1
	fi
	TMP=$BATS_TEST_TMPDIR
	export TMP
}

husk() {
	"$HUSK" "$@"
}

# make_busybox_rootfs DIR: a minimal root filesystem in DIR made from
# Debian's busybox-static: bin/busybox, a symlink to /bin/busybox for every
# applet at its usual path (what `busybox --install -s` would create), the
# usual empty directories, and /etc/passwd and /etc/group with root and an
# unprivileged user 10001.  Nothing runs inside DIR.
make_busybox_rootfs() {
	local root=${1:?usage: make_busybox_rootfs DIR} applet
	if ! dpkg-query -W -f='${Status}\n' busybox-static 2>/dev/null | grep -q '^install ok installed'; then
		echo "make_busybox_rootfs: busybox-static is not installed (apt-get install busybox-static)" >&2
		return 1
	fi
	mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin \
		"$root"/etc "$root"/dev "$root"/proc "$root"/sys "$root"/run \
		"$root"/root "$root"/home/user "$root"/tmp || return 1
	chmod 1777 "$root"/tmp
	chmod 0700 "$root"/root
	install -m 0755 "$BUSYBOX" "$root"/bin/busybox || return 1
	# --list-full names each applet's install path, e.g. "usr/bin/awk".
	# One perl (essential on Debian) makes them all: a process per link
	# takes minutes in an emulated test guest.
	"$BUSYBOX" --list-full | perl -e '
		my $root = shift;
		while (my $a = <STDIN>) {
			chomp $a;
			next if $a eq "" || $a eq "bin/busybox";
			(my $d = "$root/$a") =~ s{/[^/]*$}{};
			mkdir $d unless -d $d;
			unlink "$root/$a";
			symlink("/bin/busybox", "$root/$a") or die "symlink $root/$a: $!\n";
		}' "$root" || return 1
	[ -L "$root"/bin/sh ] || {
		echo "make_busybox_rootfs: $BUSYBOX has no sh applet" >&2
		return 1
	}
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'user:x:10001:10001:user:/home/user:/bin/sh' >"$root"/etc/passwd
	printf '%s\n' 'root:x:0:' 'user:x:10001:' >"$root"/etc/group
	chown 10001:10001 "$root"/home/user 2>/dev/null || true
}

# write_config FILE JSON: write a config.json by hand (for broken configs).
write_config() {
	mkdir -p "$(dirname "$1")" && printf '%s\n' "$2" >"$1"
}

# json_valid FILE: FILE holds one JSON document.
json_valid() {
	python3 -m json.tool "$1" >/dev/null
}

# nss_symbols [-D] FILE: the NSS-backed C library functions (user, group,
# shadow, host, service, protocol and network databases) FILE imports (-D:
# its undefined dynamic symbols) or holds (its symbol table, for a static
# binary, glibc's internal __nss_* too), one a line; none, and exit 0, when
# it has none.  NM names the nm to use (e.g. aarch64-linux-gnu-nm).  husk
# resolves users and groups from the container's /etc/passwd and /etc/group
# itself: glibc's NSS would load the host's modules, and cannot be linked
# statically.
NSS_FUNCS='getpw|getpw(nam|uid|ent)|getgr(nam|gid|ent)|getgrouplist|initgroups|getsp(nam|ent)|(set|end)(pw|gr|sp|host|serv|proto|net|netgr|rpc|alias)ent|gethostby(name|name2|addr)|gethostent|getaddrinfo|getnameinfo|getserv(byname|byport|ent)|getproto(byname|bynumber|ent)|getnet(byname|byaddr|ent|grent)|innetgr|getrpc(byname|bynumber|ent)|getalias(byname|ent)|ether_(hostton|ntohost)|getlogin|cuserid|nss_[a-z_]*'
nss_symbols() {
	local nm=${NM:-nm} out
	if [ "$1" = -D ]; then
		out=$("$nm" -D --undefined-only "$2") || return 2
	else
		out=$("$nm" "$1") || return 2
		[ -n "$out" ] || return 2
	fi
	# "   U getpwnam@GLIBC_2.2.5", "0000 T getpwnam": the last field, without version
	awk '{ sub(/@.*/, "", $NF); print $NF }' <<<"$out" | grep -E "^_*($NSS_FUNCS)(_r)?$" | sort -u
	return 0
}
