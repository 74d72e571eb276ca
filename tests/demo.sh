#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Usage: tests/demo.sh BINARY    (what `make demo` runs; needs root)
#
# Builds the bundle demo/bundle from Debian's busybox-static, writes its
# config with `husk spec`, hardens it, checks it with `husk validate` and
# runs it: the container prints what it is allowed to do.  Safe to run again.

set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: must run as root" >&2
	exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
export HUSK; HUSK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source-path=SCRIPTDIR source=integration/helpers.bash
. "$here/integration/helpers.bash"

cd "$(dirname "$here")"
bundle=demo/bundle
id=husk-demo

step() {
	echo "+ husk $*"
	husk "$@"
}

# A container left behind by an interrupted earlier run.
husk delete --force "$id" >/dev/null 2>&1 || true

rm -rf "$bundle"
mkdir -p "$bundle"
make_busybox_rootfs "$bundle/rootfs"
echo "demo: built $bundle/rootfs from busybox-static"

step spec --bundle "$bundle"
# Harden the default config: non-root user, read-only root, a noexec tmpfs
# on /tmp, no capabilities, no_new_privs, a seccomp filter and husk's
# reaper as PID 1.
jq '
	.process.terminal = false
	| .process.user = {"uid": 10001, "gid": 10001}
	| .process.cwd = "/tmp"
	| .process.args = ["sh", "-c",
		"echo hello from husk; id; grep -E \"^(Cap(Eff|Bnd)|NoNewPrivs|Seccomp):\" /proc/self/status; echo pid 1 is $(cat /proc/1/comm); touch /etc/x 2>&1; cp /bin/busybox /tmp/bb && /tmp/bb true 2>&1; unshare -r true 2>&1; true"]
	| .process.capabilities = {"bounding": [], "effective": [], "permitted": [], "inheritable": [], "ambient": []}
	| .process.noNewPrivileges = true
	| .root.readonly = true
	| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "noexec", "size=16m", "mode=1777"]}]
	| .annotations["run.oci.husk.init"] = "true"
	| del(.linux.resources)
	| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ERRNO",
		"names": ["mount", "umount2", "unshare", "setns", "ptrace", "keyctl", "add_key",
			"request_key", "bpf", "perf_event_open", "kexec_load", "init_module",
			"finit_module", "delete_module", "reboot", "swapon", "swapoff", "pivot_root",
			"chroot", "userfaultfd", "io_uring_setup"]}]}
' "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
echo "demo: hardened $bundle/config.json (uid 10001, read-only root, noexec /tmp, no capabilities, no_new_privs, seccomp, reaper)"
step validate --bundle "$bundle"
step run --bundle "$bundle" "$id"
