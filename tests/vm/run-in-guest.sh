#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# run-in-guest.sh CMD...: run CMD as root inside a small QEMU guest whose
# only cgroup hierarchy is cgroup2, so that cgroup v2 code paths can be
# tested on hosts that use a hybrid or v1 hierarchy.
#
# The guest boots Debian's generic kernel with an initramfs made of
# busybox-static and the virtio, 9p and overlay modules.  Its root is the
# host's / (shared read-only over virtio-9p) under an overlay with a tmpfs
# upper layer, so every host binary and library is available; the repository
# is shared read-write at the same path.  CMD runs with cwd = the repository,
# TMPDIR=/tmp (tmpfs: QEMU's 9p refuses mknod, mkfifo and socket bind), its
# output goes to stdout, and this script exits with CMD's status.
#
# Environment:
#   VM_DIR       cache and scratch directory (default REPO/build/vm)
#   VM_TIMEOUT   seconds before the guest is killed (default 900)
#   VM_MEM       guest memory in MiB (default 1536)
#   VM_SMP       guest CPUs (default 2)
#   VM_KERNEL    kernel version to boot (default: newest /boot/vmlinuz-*
#                with modules in /lib/modules)
#   HUSK         passed to CMD (default REPO/build/husk when it exists)
#
# Missing Debian packages are installed with apt-get.

set -euo pipefail

# The whole script is one compound command, read before any of it runs, so
# that editing this file during a run cannot derail the running instance.
{
repo=$(cd "$(dirname "$0")/../.." && pwd)
vm_dir=${VM_DIR:-$repo/build/vm}
timeout=${VM_TIMEOUT:-900}
mem=${VM_MEM:-1536}
smp=${VM_SMP:-2}

die() { echo "run-in-guest: $*" >&2; exit 2; }
note() { echo "run-in-guest: $*" >&2; }

[ $# -gt 0 ] || die "usage: $0 CMD [ARG...]"
[ "$(id -u)" -eq 0 ] || die "must run as root"
case $repo in
*[[:space:]]*) die "the repository path must not contain white space: $repo" ;;
esac

# --- dependencies -----------------------------------------------------------

ensure_packages() {
	local p missing=()
	for p in qemu-system-x86 linux-image-amd64 busybox-static cpio kmod xz-utils; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	note "installing ${missing[*]}"
	apt-get update -qq
	# The kernel's postinst hooks (initramfs-tools, bootloaders) may fail
	# on a machine that does not boot from /boot; the files we need are
	# unpacked regardless, so tolerate that and check for them below.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
		note "apt-get reported errors (often a kernel hook); continuing"
}

ensure_packages
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found"
[ -x /bin/busybox ] || die "/bin/busybox (busybox-static) not found"

# --- kernel -----------------------------------------------------------------

kver=${VM_KERNEL:-}
if [ -z "$kver" ]; then
	kver=$(for img in /boot/vmlinuz-*; do
		v=${img#/boot/vmlinuz-}
		[ -f "/lib/modules/$v/modules.dep" ] && echo "$v"
	done | sort -V | tail -n1)
fi
[ -n "$kver" ] || die "no /boot/vmlinuz-* with modules found (apt-get install linux-image-amd64)"
bzimage=/boot/vmlinuz-$kver
[ -r "$bzimage" ] || die "$bzimage not readable"
mkdir -p "$vm_dir"

# extract_vmlinux BZIMAGE OUT: find the compressed kernel in BZIMAGE by its
# magic number and decompress it (as the kernel's scripts/extract-vmlinux).
extract_vmlinux() {
	local img=$1 out=$2 magic cmd off
	for spec in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08' 'lzma:\x5d\x00\x00\x00'; do
		cmd=${spec%%:*} magic=${spec#*:}
		case $cmd in
		xz | lzma) command -v xz >/dev/null || continue ;;
		*) command -v "$cmd" >/dev/null || continue ;;
		esac
		while read -r off; do
			case $cmd in
			xz) tail -c +$((off + 1)) "$img" | xz -dc --single-stream >"$out.tmp" 2>/dev/null || true ;;
			lzma) tail -c +$((off + 1)) "$img" | xz -dc --format=lzma >"$out.tmp" 2>/dev/null || true ;;
			zstd) tail -c +$((off + 1)) "$img" | zstd -dcq >"$out.tmp" 2>/dev/null || true ;;
			gzip) tail -c +$((off + 1)) "$img" | gzip -dc >"$out.tmp" 2>/dev/null || true ;;
			esac
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done < <(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1)
	done
	rm -f "$out.tmp"
	return 1
}

# Direct (PVH) boot of the uncompressed vmlinux with qboot is the fastest
# under TCG; fall back to SeaBIOS with the bzImage.
qboot=/usr/share/qemu/qboot.rom
boot_args=(-kernel "$bzimage")
if [ -r "$qboot" ]; then
	vmlinux=$vm_dir/vmlinux-$kver
	if [ ! -s "$vmlinux" ] || [ "$vmlinux" -ot "$bzimage" ]; then
		extract_vmlinux "$bzimage" "$vmlinux" || note "cannot extract vmlinux; booting the bzImage"
	fi
	[ -s "$vmlinux" ] && boot_args=(-bios "$qboot" -kernel "$vmlinux")
fi

# --- initramfs --------------------------------------------------------------

modules=(virtio_pci virtio_rng 9pnet_virtio 9p overlay)
initrd=$vm_dir/initramfs-$kver.cpio.gz
stamp=$(cat "$0" /bin/busybox "/lib/modules/$kver/modules.dep" | sha256sum | cut -d' ' -f1)

build_initramfs() {
	local tmp ko m line dst list
	tmp=$(mktemp -d "$vm_dir/initramfs.XXXXXX")
	mkdir -p "$tmp"/bin "$tmp"/dev "$tmp"/proc "$tmp"/sys "$tmp"/newroot "$tmp"/rw "$tmp"/lower "$tmp"/modules
	cp /bin/busybox "$tmp"/bin/busybox
	ln -s busybox "$tmp"/bin/sh
	mknod "$tmp"/dev/console c 5 1 2>/dev/null || true
	list=$tmp/modules/order
	: >"$list"
	for m in "${modules[@]}"; do
		while read -r line; do
			case $line in
			insmod\ *)
				ko=${line#insmod }
				ko=${ko%% *}
				dst=$(basename "$ko")
				dst=${dst%.xz}
				dst=${dst%.zst}
				dst=${dst%.gz}
				grep -qx "$dst" "$list" && continue
				case $ko in
				*.xz) xz -dc "$ko" >"$tmp/modules/$dst" ;;
				*.zst) zstd -dcq "$ko" >"$tmp/modules/$dst" ;;
				*.gz) gzip -dc "$ko" >"$tmp/modules/$dst" ;;
				*) cp "$ko" "$tmp/modules/$dst" ;;
				esac
				echo "$dst" >>"$list"
				;;
			esac
		done < <(modprobe --show-depends -S "$kver" "$m")
	done
	cat >"$tmp"/init <<'INIT'
#!/bin/sh
# Stage 1: mount the host's / under an overlay and switch to it.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
busybox --install -s /bin
fail() { echo "vm-init: $*"; echo "HUSK-VM-EXIT-STATUS=125"; poweroff -f; }
while read -r m; do
	insmod "/modules/$m" || fail "insmod $m failed"
done </modules/order
repo= job=
for arg in $(cat /proc/cmdline); do
	case $arg in
	husk.repo=*) repo=${arg#husk.repo=} ;;
	husk.job=*) job=${arg#husk.job=} ;;
	esac
done
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /lower ||
	fail "cannot mount the host root"
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "cannot mount the overlay root"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t cgroup2 -o nsdelegate cgroup2 /newroot/sys/fs/cgroup || fail "cannot mount cgroup2"
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
ln -sf /proc/self/fd /newroot/dev/fd
ln -sf /proc/self/fd/0 /newroot/dev/stdin
ln -sf /proc/self/fd/1 /newroot/dev/stdout
ln -sf /proc/self/fd/2 /newroot/dev/stderr
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mkdir -p "/newroot$repo"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap repo "/newroot$repo" ||
	fail "cannot mount the repository"
mkdir -p /newroot/run/vm
cp /bin/busybox /stage2 /newroot/run/vm/
exec switch_root /newroot /run/vm/busybox sh /run/vm/stage2 "$repo" "$job"
INIT
	cat >"$tmp"/stage2 <<'STAGE2'
# Stage 2, in the new root: run the job, report its status, power off.
repo=$1 job=$2
bb=/run/vm/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp BATS_TMPDIR=/tmp TERM=dumb LANG=C.UTF-8
$bb hostname husk-vm
$bb ip link set lo up 2>/dev/null
echo "vm: booted in $($bb cut -d' ' -f1 /proc/uptime)s, kernel $($bb uname -r)"
echo "vm: $($bb grep ' /sys/fs/cgroup ' /proc/mounts)"
echo "vm: cgroup.controllers: $($bb cat /sys/fs/cgroup/cgroup.controllers)"
cd "$repo" && /bin/bash "$job" </dev/null
status=$?
echo "$status" >"$job.status"
$bb sync
echo "HUSK-VM-EXIT-STATUS=$status"
$bb poweroff -f
STAGE2
	chmod 0755 "$tmp"/init
	(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	echo "$stamp" >"$initrd.stamp"
	rm -rf "$tmp"
}

if [ ! -s "$initrd" ] || [ "$(cat "$initrd.stamp" 2>/dev/null)" != "$stamp" ]; then
	note "building $initrd"
	build_initramfs
fi

# --- job --------------------------------------------------------------------

# The job script lives on the shared repository so the guest can read it
# and write its exit status next to it.
job=$(mktemp "$vm_dir/job.XXXXXX")
qpid=
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
	fi
	rm -f "$job" "$job.status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
{
	echo '#!/bin/bash'
	echo '# generated by run-in-guest.sh'
	husk=${HUSK:-$repo/build/husk}
	[ -x "$husk" ] && printf 'export HUSK=%q\n' "$husk"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$job"

# --- boot -------------------------------------------------------------------

cmdline="console=ttyS0 quiet panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1"
cmdline="$cmdline husk.repo=$repo husk.job=$job"

# The serial console ends lines with CR LF; pass the output on line by line.
exec {out}> >(sed -u 's/\r$//')
outpid=$!
start=$(date +%s)
qemu-system-x86_64 \
	-machine q35 -accel tcg,thread=multi -cpu max -smp "$smp" -m "$mem" \
	-nodefaults -no-user-config -display none -monitor none -no-reboot \
	-serial stdio \
	"${boot_args[@]}" -initrd "$initrd" -append "$cmdline" \
	-device virtio-rng-pci \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$repo,mount_tag=repo,security_model=none,multidevs=remap" \
	</dev/null >&"$out" &
qpid=$!

while kill -0 "$qpid" 2>/dev/null; do
	if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
		note "timed out after ${timeout}s; killing the guest"
		kill "$qpid" 2>/dev/null || true
		break
	fi
	sleep 1
done
qstatus=0
wait "$qpid" || qstatus=$?
qpid=
exec {out}>&-
wait "$outpid" 2>/dev/null || true
note "guest ran for $(($(date +%s) - start))s"

if [ -s "$job.status" ]; then
	exit "$(cat "$job.status")"
fi
note "the guest did not report a status (qemu exit $qstatus)"
exit 125
}
