#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Usage: tests/demo.sh BINARY    (what `make demo` runs; needs root)
#
# Builds the bundle demo/bundle from Debian's busybox-static, writes its
# config with `husk spec`, checks it with `husk validate` and, once husk can
# run containers, runs `echo hello from husk` in it.  Safe to run again.

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

can() {
	husk "$1" --help >/dev/null 2>&1
}

# A container left behind by an interrupted earlier run.
if can delete; then
	husk delete --force "$id" >/dev/null 2>&1 || true
fi

rm -rf "$bundle"
mkdir -p "$bundle"
make_busybox_rootfs "$bundle/rootfs"
echo "demo: built $bundle/rootfs from busybox-static"

step spec --bundle "$bundle"
python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["process"]["args"] = ["echo", "hello", "from", "husk"]
config["process"]["terminal"] = False
with open(path, "w") as f:
    json.dump(config, f, indent="\t")
    f.write("\n")
PY
echo "demo: set process.args to \"echo hello from husk\" and process.terminal to false"
step validate --bundle "$bundle"

if can run; then
	step run --bundle "$bundle" "$id"
else
	echo "demo: husk cannot run containers yet; the bundle is ready for when it can"
fi
