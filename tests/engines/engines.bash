# SPDX-License-Identifier: Apache-2.0
#
# The container engines under test, each run privately with the OCI runtime
# $ENGINE_RUNTIME: dockerd on a containerd of its own, a containerd driven
# with ctr, and podman (no daemon).  Every root, state directory, socket and
# log is under $ENGINE_TMP; every container cgroup is under $ENGINE_CGPARENT
# in each cgroup hierarchy.  Nothing here touches a system-wide daemon or
# the host's networking.
#
# Sourced by run.sh (installing, starting, stopping, cleaning up) and loaded
# by matrix.bats (the e_* commands, one meaning whatever the engine).
#
#   ENGINE_TMP       scratch root of the whole run
#   ENGINE_RUNTIME   absolute path of the runtime binary the engines run
#   ENGINE_CGPARENT  cgroup, relative to every hierarchy's root, holding
#                    all containers of the run
#   ENGINE           docker, podman or containerd: the engine a test drives
#
# What these engine versions (Debian 12: docker.io 20.10, containerd 1.6,
# podman 4.3) need, whatever the runtime:
# - dockerd uses a system containerd when one listens at the default
#   address: it is given one of ours (--containerd).  It gives every runtime
#   the state directory it gives runc (EXEC_ROOT/runtime-runc).
# - containerd reads runtime options (BinaryName, Root) from its config only
#   for CRI, which is off here: ctr names the runtime and its root per
#   container (--runc-binary, --runc-root).  Its shims put their sockets in
#   /run/containerd/s whatever the configuration, and their cleanup after a
#   removal may log "failed to remove runc container ... exit status 255"
#   (runc too): harmless, nothing is left behind.
# - ctr run -t and task exec -t put ctr's own terminal in raw mode and
#   fail without one: they run under script(1).  ctr has no --user,
#   --pids-limit, --init or task update (skipped), no stop (SIGTERM, wait,
#   SIGKILL by hand), no logs (--log-uri file://), and reports an exit
#   status only as task delete's warning.
# - podman asks for nofile and nproc limits of 1048576 (lowered in its
#   containers.conf) and does not hand --runtime-flag to the cleanup process
#   of an exited container, so the runtime keeps podman's containers in its
#   default state directory.

# Debian packages the harness needs (busybox-static makes the image;
# script(1) is in bsdutils, setsid in util-linux).
ENGINE_DEBS="docker.io containerd podman catatonit busybox-static bats bsdutils util-linux"

# Seconds one engine command may take before it counts as hung.
ENGINE_CMD_TIMEOUT=${ENGINE_CMD_TIMEOUT:-60}

# The docker client from the docker.io package, whatever else is on PATH.
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}

# containerd namespace of the ctr tests, and the name dockerd knows the
# runtime by.
CTR_NS=husk-engines
DOCKER_RUNTIME_NAME=husk

# A second runtime dockerd knows, whatever ENGINE_RUNTIME is: the runc of
# the runc package (docker.io depends on it), for tests that compare with
# what Docker does with its own runtime (docker_seccomp.bats).  dockerd's
# built-in "runc" would be whichever runc is first on PATH.
DOCKER_RUNC=/usr/bin/runc
DOCKER_RUNC_NAME=stock-runc

# Capabilities containerd 1.6 gives a container by default: ctr can only
# drop named ones, so "--cap-drop ALL" becomes a drop of each of these.
CTR_DEFAULT_CAPS="CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID
SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE"

engine_dirs() {
	DOCKER_DIR=$ENGINE_TMP/docker
	CTRD_DIR=$ENGINE_TMP/containerd
	PODMAN_DIR=$ENGINE_TMP/podman
}
[ -n "${ENGINE_TMP:-}" ] && engine_dirs

# ---------------------------------------------------------------------------
# Installation

deb_installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

# engines_install_deps: apt-get install whatever of ENGINE_DEBS is missing.
engines_install_deps() {
	local missing=() p rc=0 policy=/usr/sbin/policy-rc.d made=0
	for p in $ENGINE_DEBS; do
		deb_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "engines: installing ${missing[*]}"
	# The packages' maintainer scripts would start the system-wide docker
	# and containerd services; the tests use only daemons of their own, so
	# service starts are refused for the install unless a policy exists.
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && made=1
	fi
	apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
		rc=$?
	[ "$made" -eq 1 ] && rm -f "$policy"
	return "$rc"
}

# ---------------------------------------------------------------------------
# Images

# make_oci_archive ROOTFS OUT REF: an OCI image layout tarball with ROOTFS
# as its only (uncompressed) layer, named REF for containerd.
make_oci_archive() {
	local rootfs=$1 out=$2 ref=$3 dir arch ldigest lsize cdigest csize mdigest msize
	dir=$(mktemp -d "$ENGINE_TMP/oci.XXXXXX") || return 1
	mkdir -p "$dir/blobs/sha256"
	# Image platforms use Go's architecture names.
	case $(dpkg --print-architecture) in
	i386) arch=386 ;;
	armel | armhf) arch=arm ;;
	ppc64el) arch=ppc64le ;;
	mips64el) arch=mips64le ;;
	*) arch=$(dpkg --print-architecture) ;;
	esac
	tar -C "$rootfs" --numeric-owner -cf "$dir/blob" . || return 1
	read -r ldigest lsize < <(oci_blob "$dir") && [ -n "$lsize" ] || return 1
	printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$arch" "$ldigest" >"$dir/blob"
	read -r cdigest csize < <(oci_blob "$dir") && [ -n "$csize" ] || return 1
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$cdigest" "$csize" "$ldigest" "$lsize" >"$dir/blob"
	read -r mdigest msize < <(oci_blob "$dir") && [ -n "$msize" ] || return 1
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
		"$mdigest" "$msize" "$ref" "${ref##*:}" >"$dir/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$out" oci-layout index.json blobs && rm -rf "$dir"
}

# oci_blob DIR: move DIR/blob to its content address, print "DIGEST SIZE".
oci_blob() {
	local digest size
	digest=$(sha256sum <"$1/blob") && digest=${digest%% *} || return 1
	size=$(stat -c %s "$1/blob") || return 1
	mv "$1/blob" "$1/blobs/sha256/$digest" && echo "$digest $size"
}

# ---------------------------------------------------------------------------
# Daemons

# start_daemon LOG CMD...: CMD in the background, in a session of its own
# (a ^C at the terminal reaches the runner, which then stops the daemons in
# order), its pid in DAEMON_PID and in $ENGINE_TMP/pids for the cleanup.
start_daemon() {
	local log=$1
	shift
	setsid "$@" </dev/null >"$log" 2>&1 &
	DAEMON_PID=$!
	mkdir -p "$ENGINE_TMP/pids"
	echo "$DAEMON_PID" >>"$ENGINE_TMP/pids/daemons"
}

# pid_alive PID: running and not a zombie.
pid_alive() {
	local stat
	stat=$(cat /proc/"$1"/stat 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 30).
stop_pid() {
	local pid=$1 secs=${2:-30} i
	pid_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < secs * 10; i++)); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	if pid_alive "$pid"; then
		echo "engines: pid $pid ignored SIGTERM for ${secs}s, killing it" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# wait_until SECONDS CMD...: poll CMD (quietly) until it succeeds.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# containerd_config DIR: DIR/config.toml for a containerd whose root,
# state, sockets and plugin directories are all under DIR.  CRI is off:
# neither ctr nor dockerd uses it, and it would listen on a TCP port and
# read the host's CNI setup.  (The runtime binary is therefore given per
# container, by ctr's --runc-binary or dockerd's runtime options: CRI is the
# only reader of runtime options in containerd's config.)
containerd_config() {
	local dir=$1
	mkdir -p "$dir"
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.zfs"]

		[grpc]
		  address = "$dir/containerd.sock"

		[ttrpc]
		  address = "$dir/containerd.sock.ttrpc"

		[plugins."io.containerd.internal.v1.opt"]
		  path = "$dir/opt"
	EOF
}

# start_containerd DIR: a containerd on DIR/config.toml, ready for clients.
start_containerd() {
	local dir=$1
	containerd_config "$dir" || return 1
	start_daemon "$dir/containerd.log" containerd --config "$dir/config.toml"
	echo "$DAEMON_PID" >"$dir/containerd.pid"
	if ! wait_until 30 ctr --address "$dir/containerd.sock" version; then
		echo "engines: containerd in $dir did not come up; its log:" >&2
		tail -n 30 "$dir/containerd.log" >&2
		return 1
	fi
}

docker_start() {
	local d=$DOCKER_DIR runc=()
	[ -x "$DOCKER_RUNC" ] && runc=(--add-runtime "$DOCKER_RUNC_NAME=$DOCKER_RUNC")
	mkdir -p "$d/cli"
	# A config file of its own keeps /etc/docker/daemon.json out, and
	# dockerd keeps its key.json beside it.
	echo '{}' >"$d/daemon.json"
	# dockerd would use a system containerd if one listens at the default
	# address, and otherwise start one itself: hand it one of ours instead.
	start_containerd "$d/containerd" || return 1
	start_daemon "$d/dockerd.log" dockerd \
		--config-file "$d/daemon.json" \
		--data-root "$d/root" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
		-H "unix://$d/docker.sock" --containerd "$d/containerd/containerd.sock" \
		--bridge=none --iptables=false --ip-forward=false --ip-masq=false \
		--userland-proxy=false \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$ENGINE_CGPARENT/docker" \
		--add-runtime "$DOCKER_RUNTIME_NAME=$ENGINE_RUNTIME" --default-runtime "$DOCKER_RUNTIME_NAME" \
		"${runc[@]}"
	echo "$DAEMON_PID" >"$d/dockerd.daemon-pid"
	if ! wait_until 60 docker_cli version; then
		echo "engines: dockerd did not come up; its log:" >&2
		tail -n 30 "$d/dockerd.log" >&2
		return 1
	fi
	tar -C "$ENGINE_TMP/rootfs" --numeric-owner -c . | docker_cli import - "$DOCKER_IMAGE" >/dev/null
}

containerd_start() {
	mkdir -p "$CTRD_DIR/fifo" "$CTRD_DIR/logs" "$CTRD_DIR/runtime"
	start_containerd "$CTRD_DIR" || return 1
	ctr_cli images import "$ENGINE_TMP/busybox-oci.tar" >/dev/null || return 1
	ctr_cli images ls -q | grep -qxF "$CTR_IMAGE" || {
		echo "engines: ctr import did not make $CTR_IMAGE" >&2
		return 1
	}
}

podman_start() {
	local p=$PODMAN_DIR
	mkdir -p "$p/storage" "$p/run" "$p/tmp" "$p/net"
	# Only these files are read (not /etc/containers).  podman 4.3 asks
	# for nofile and nproc limits of 1048576 by default, more than a
	# runtime without CAP_SYS_RESOURCE may grant: ask for small ones.
	cat >"$p/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		netns = "none"

		[network]
		network_config_dir = "$p/net"

		[engine]
		events_logger = "file"
		cgroup_manager = "cgroupfs"
		tmp_dir = "$p/tmp"
	EOF
	cat >"$p/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$p/storage"
		runroot = "$p/run"
	EOF
	podman_cli info >"$p/info.log" 2>&1 || {
		echo "engines: podman info failed:" >&2
		tail -n 30 "$p/info.log" >&2
		return 1
	}
	tar -C "$ENGINE_TMP/rootfs" --numeric-owner -c . | podman_cli import -q - "$PODMAN_IMAGE" >/dev/null
}

# engine_start ENGINE: start it and import the busybox image.
engine_start() {
	"$1_start"
}

# engine_stop ENGINE: remove its containers, stop its daemons, end what
# they left running and unmount what they left mounted.  Never fails.
engine_stop() {
	local ENGINE=$1 dir pid
	case $ENGINE in
	docker)
		dir=$DOCKER_DIR
		[ -S "$dir/docker.sock" ] && e_rm_all >/dev/null 2>&1
		pid=$(cat "$dir/dockerd.daemon-pid" 2>/dev/null) && stop_pid "$pid" 60
		pid=$(cat "$dir/containerd/containerd.pid" 2>/dev/null) && stop_pid "$pid"
		;;
	containerd)
		dir=$CTRD_DIR
		[ -S "$dir/containerd.sock" ] && e_rm_all >/dev/null 2>&1
		pid=$(cat "$dir/containerd.pid" 2>/dev/null) && stop_pid "$pid"
		;;
	podman)
		dir=$PODMAN_DIR
		[ -d "$dir/storage" ] && e_rm_all >/dev/null 2>&1
		podman_runtime_leftovers
		;;
	*) return 0 ;;
	esac
	kill_strays "$dir"
	unmount_under "$dir"
	return 0
}

# podman_runtime_leftovers: delete what the runtime still keeps, in its
# default state directory, of this run's podman containers (podman's event
# log names every container it created).
podman_runtime_leftovers() {
	local root id
	root=$(runtime_default_root)
	for id in $(grep '"Type":"container"' "$PODMAN_DIR/tmp/events/events.log" 2>/dev/null |
		sed -n 's/^{"ID":"\([0-9a-f]\{64\}\)".*/\1/p' | sort -u); do
		[ -e "$root/$id" ] || continue
		echo "engines: deleting the runtime's leftover state of podman container $id" >&2
		timeout 30 "$ENGINE_RUNTIME" --root "$root" delete --force "$id" >/dev/null 2>&1
		rm -rf "${root:?}/$id"
	done
}

# kill_strays DIR: SIGKILL what the engine left behind: processes whose
# command line names DIR (shims, conmon) and processes in the run's cgroups.
kill_strays() {
	local dir=$1 p cmd pids=() mp f
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] && continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
		[[ "$cmd" == *"$dir/"* ]] && pids+=("$p")
	done
	for mp in $(cgroup_mountpoints); do
		[ -d "$mp/$ENGINE_CGPARENT" ] || continue
		# A frozen process dies only when thawed.
		find "$mp/$ENGINE_CGPARENT" -name freezer.state -exec sh -c 'echo THAWED >"$1"' sh {} \; 2>/dev/null
		find "$mp/$ENGINE_CGPARENT" -name cgroup.freeze -exec sh -c 'echo 0 >"$1"' sh {} \; 2>/dev/null
		while IFS= read -r f; do
			while read -r p; do pids+=("$p"); done <"$f"
		done < <(find "$mp/$ENGINE_CGPARENT" -name cgroup.procs 2>/dev/null)
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	echo "engines: killing leftover processes ${pids[*]}" >&2
	kill -KILL "${pids[@]}" 2>/dev/null
	sleep 0.5
	return 0
}

# mounts_under DIR: mount points at or below DIR, deepest first.
mounts_under() {
	awk -v d="$1" '{ mp = $5; gsub(/\\040/, " ", mp)
		if (mp == d || index(mp, d "/") == 1) print length(mp), mp }' /proc/self/mountinfo |
		sort -rn | cut -d' ' -f2-
}

# unmount_under DIR: unmount everything at or below DIR (lazily if busy).
unmount_under() {
	local mp _
	for _ in 1 2 3; do
		[ -n "$(mounts_under "$1")" ] || return 0
		while IFS= read -r mp; do
			umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null
		done < <(mounts_under "$1")
	done
	[ -z "$(mounts_under "$1")" ] || echo "engines: could not unmount all of $1" >&2
}

# remove_cgroups: remove the run's cgroups in every hierarchy.
remove_cgroups() {
	local mp
	for mp in $(cgroup_mountpoints); do
		[ -d "$mp/$ENGINE_CGPARENT" ] || continue
		find "$mp/$ENGINE_CGPARENT" -depth -type d -exec rmdir {} \; 2>/dev/null
		[ -d "$mp/$ENGINE_CGPARENT" ] && echo "engines: could not remove $mp/$ENGINE_CGPARENT" >&2
	done
	return 0
}

# ---------------------------------------------------------------------------
# cgroups as the host sees them

# cgroup_mountpoints: every cgroup (v1) and cgroup2 mount point.
cgroup_mountpoints() {
	awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' \
		/proc/self/mountinfo
}

# cgroup_dir PID CONTROLLER: the directory of PID's cgroup that holds
# CONTROLLER's files: its v1 hierarchy if there is one, else cgroup2.
cgroup_dir() {
	local pid=$1 ctl=$2 hier ctls path mp
	while IFS=: read -r hier ctls path; do
		[ "$hier" = 0 ] && continue
		[[ ",$ctls," == *",$ctl,"* ]] || continue
		mp=$(awk -v c="$ctl" '{ for (i = 7; $i != "-"; i++);
			if ($(i + 1) == "cgroup" && index("," $(i + 3) ",", "," c ",")) { print $5; exit } }' /proc/self/mountinfo)
		[ -n "$mp" ] && { echo "$mp$path"; return 0; }
	done <"/proc/$pid/cgroup"
	path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	mp=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
	[ -n "$mp" ] && [ -n "$path" ] && echo "$mp$path"
}

# cgroup_read PID CONTROLLER V1FILE V2FILE: the value of a limit of PID's
# cgroup, whichever cgroup version carries the controller.
cgroup_read() {
	local dir
	dir=$(cgroup_dir "$1" "$2") || return 1
	if [ -e "$dir/$3" ]; then
		cat "$dir/$3"
	elif [ -e "$dir/$4" ]; then
		cat "$dir/$4"
	else
		echo "cgroup_read: neither $3 nor $4 in $dir" >&2
		return 1
	fi
}

# ---------------------------------------------------------------------------
# Engine command lines

DOCKER_IMAGE=busybox-local:latest
PODMAN_IMAGE=localhost/busybox-local:latest
CTR_IMAGE=docker.io/library/busybox-local:latest

docker_cli() {
	DOCKER_HOST=unix://$DOCKER_DIR/docker.sock DOCKER_CONFIG=$DOCKER_DIR/cli \
		timeout -k 5 "$ENGINE_CMD_TIMEOUT" "$DOCKER_CLI" "$@"
}

ctr_cli() {
	timeout -k 5 "$ENGINE_CMD_TIMEOUT" ctr --address "$CTRD_DIR/containerd.sock" --namespace "$CTR_NS" "$@"
}

# The runtime keeps podman's containers in its default state directory:
# podman 4.3 does not hand --runtime-flag (root=...) to the cleanup process
# conmon runs when a container exits, whose delete then looks in the
# default one, so a root of our own would leave every container's state.
podman_cli() {
	CONTAINERS_CONF=$PODMAN_DIR/containers.conf CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf \
		timeout -k 5 "$ENGINE_CMD_TIMEOUT" podman \
		--root "$PODMAN_DIR/storage" --runroot "$PODMAN_DIR/run" --tmpdir "$PODMAN_DIR/tmp" \
		--runtime "$ENGINE_RUNTIME" --cgroup-manager cgroupfs --events-backend file "$@"
}

# runtime_default_root: the state directory the runtime uses without
# --root, from its --help (runc and husk both print it).
runtime_default_root() {
	local root
	root=$("$ENGINE_RUNTIME" --help 2>&1 |
		sed -n 's/.*--root.*default:\{0,1\} "\{0,1\}\(\/[^")]*\).*/\1/p' | head -n1)
	echo "${root:-/run/$(basename "$ENGINE_RUNTIME")}"
}

# with_pty CMD...: CMD with a terminal as its standard streams (ctr puts its
# own terminal in raw mode for -t and fails without one).
with_pty() {
	local cmd
	printf -v cmd '%q ' "$@"
	script -qefc "$cmd" /dev/null
}

# The directory where the runtime keeps its per-container state, as each
# engine asks for it (dockerd 20.10 gives every runtime the root it gives
# runc, namespaced by containerd's namespace).
runtime_state_dir() {
	case $ENGINE in
	docker) echo "$DOCKER_DIR/exec/runtime-runc/moby" ;;
	containerd) echo "$CTRD_DIR/runtime/$CTR_NS" ;;
	podman) runtime_default_root ;;
	esac
}

# ---------------------------------------------------------------------------
# e_*: one operation, whichever engine; options in docker's syntax.

# need FEATURE: skip the test where the engine cannot express FEATURE.
need() {
	local why=
	case $ENGINE:$1 in
	containerd:user) why="ctr 1.6 run has no --user" ;;
	containerd:pids-limit) why="ctr 1.6 run has no --pids-limit" ;;
	containerd:init) why="ctr 1.6 run has no --init" ;;
	containerd:update) why="ctr 1.6 has no task update" ;;
	esac
	[ -z "$why" ] || skip "$why"
}

# e_run [OPTIONS] -- CMD...: run CMD in a new container from the busybox
# image.  Options: -d, -t, --name N, --user U, --read-only, --tmpfs
# DST:OPTS, --cap-drop C, --cap-add C, --security-opt no-new-privileges,
# -m SIZE, --pids-limit N, --init.  Without -d the container is removed
# afterwards and the status is CMD's; with -d the container keeps running.
e_run() {
	local opts=() rm=(--rm)
	[ "$ENGINE" = containerd ] && { ctr_run "$@"; return; }
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ "$1" = -d ] && rm=()
		opts+=("$1")
		shift
	done
	shift
	case $ENGINE in
	docker) docker_cli run --network none "${rm[@]}" "${opts[@]}" "$DOCKER_IMAGE" "$@" ;;
	podman)
		podman_cli run --network none --cgroup-parent "/$ENGINE_CGPARENT/podman" \
			"${rm[@]}" "${opts[@]}" "$PODMAN_IMAGE" "$@"
		;;
	esac
}

# ctr_run: e_run for ctr.  ctr has no image defaults to drop options into,
# so the docker-style options are translated; ctr runs every container with
# its default seccomp profile (--seccomp), as docker and podman do.
ctr_run() {
	local args=() id="" detach=0 tty=0 drop_all=0 adds=() c dst mount_opts
	while [ $# -gt 0 ]; do
		case $1 in
		--) shift; break ;;
		-d) detach=1 ;;
		-t) tty=1; args+=(-t) ;;
		--name) id=$2; shift ;;
		--read-only) args+=(--read-only) ;;
		--tmpfs)
			dst=${2%%:*} mount_opts=${2#*:}
			args+=(--mount "type=tmpfs,src=tmpfs,dst=$dst,options=${mount_opts//,/:}")
			shift ;;
		--cap-drop)
			if [ "$2" = ALL ]; then drop_all=1; else args+=(--cap-drop "CAP_$2"); fi
			shift ;;
		--cap-add) adds+=("$2"); shift ;;
		--security-opt)
			# ctr sets no_new_privileges unless told --allow-new-privs.
			[ "$2" = no-new-privileges ] || { echo "ctr_run: unsupported --security-opt $2" >&2; return 2; }
			shift ;;
		-m) args+=(--memory-limit "$(size_bytes "$2")"); shift ;;
		*) echo "ctr_run: unsupported option $1" >&2; return 2 ;;
		esac
		shift
	done
	if [ "$drop_all" -eq 1 ]; then
		for c in $CTR_DEFAULT_CAPS; do
			[[ " ${adds[*]} " == *" $c "* ]] || args+=(--cap-drop "CAP_$c")
		done
	fi
	for c in "${adds[@]}"; do
		[[ " $CTR_DEFAULT_CAPS " == *[[:space:]]"$c"[[:space:]]* ]] && [ "$drop_all" -eq 1 ] && continue
		args+=(--cap-add "CAP_$c")
	done
	[ -n "$id" ] || id=run-$BATS_TEST_NUMBER-$RANDOM
	args=(--fifo-dir "$CTRD_DIR/fifo" --runc-binary "$ENGINE_RUNTIME" --runc-root "$CTRD_DIR/runtime"
		--cgroup "/$ENGINE_CGPARENT/containerd/$id" --seccomp "${args[@]}")
	if [ "$detach" -eq 1 ]; then
		args=(-d --log-uri "file://$CTRD_DIR/logs/$id.log" "${args[@]}")
	else
		args=(--rm "${args[@]}")
	fi
	if [ "$tty" -eq 1 ]; then
		with_pty ctr --address "$CTRD_DIR/containerd.sock" --namespace "$CTR_NS" run "${args[@]}" "$CTR_IMAGE" "$id" "$@"
	else
		ctr_cli run "${args[@]}" "$CTR_IMAGE" "$id" "$@"
	fi
}

# size_bytes 64m: 67108864
size_bytes() {
	local n=${1%[kKmMgG]}
	case $1 in
	*[kK]) echo $((n * 1024)) ;;
	*[mM]) echo $((n * 1024 * 1024)) ;;
	*[gG]) echo $((n * 1024 * 1024 * 1024)) ;;
	*) echo "$1" ;;
	esac
}

# e_exec [-t] NAME CMD...
e_exec() {
	local tty=()
	if [ "$1" = -t ]; then tty=(-t); shift; fi
	case $ENGINE in
	docker) docker_cli exec "${tty[@]}" "$@" ;;
	podman) podman_cli exec "${tty[@]}" "$@" ;;
	containerd)
		local id=$1
		shift
		if [ ${#tty[@]} -gt 0 ]; then
			with_pty ctr --address "$CTRD_DIR/containerd.sock" --namespace "$CTR_NS" \
				task exec -t --fifo-dir "$CTRD_DIR/fifo" --exec-id "exec-$RANDOM" "$id" "$@"
		else
			ctr_cli task exec --fifo-dir "$CTRD_DIR/fifo" --exec-id "exec-$RANDOM" "$id" "$@"
		fi
		;;
	esac
}

# ctr_task NAME: "PID STATUS" of the task, as ctr lists it.
ctr_task() {
	ctr_cli task ls | awk -v id="$1" '$1 == id { print $2, $3; found = 1 } END { exit !found }'
}

# e_status NAME: created, running, paused or exited.
e_status() {
	case $ENGINE in
	docker) docker_cli inspect -f '{{.State.Status}}' "$1" ;;
	podman) podman_cli inspect -f '{{.State.Status}}' "$1" ;;
	containerd)
		local t
		t=$(ctr_task "$1") || return 1
		case ${t#* } in
		RUNNING) echo running ;;
		PAUSED) echo paused ;;
		STOPPED) echo exited ;;
		CREATED) echo created ;;
		*) echo "${t#* }" ;;
		esac
		;;
	esac
}

# e_pid NAME: host pid of the container's first process.
e_pid() {
	case $ENGINE in
	docker) docker_cli inspect -f '{{.State.Pid}}' "$1" ;;
	podman) podman_cli inspect -f '{{.State.Pid}}' "$1" ;;
	containerd) local t; t=$(ctr_task "$1") && echo "${t%% *}" ;;
	esac
}

# e_wait_status NAME STATUS [SECONDS]
e_wait_status() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		[ "$(e_status "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "status of $1: $(e_status "$1" 2>&1), not $2" >&2
	return 1
}

# e_logs NAME: what the container wrote (ctr: its --log-uri file).
e_logs() {
	case $ENGINE in
	docker) docker_cli logs "$1" ;;
	podman) podman_cli logs "$1" ;;
	containerd) cat "$CTRD_DIR/logs/$1.log" ;;
	esac
}

# e_wait_log NAME TEXT [SECONDS]
e_wait_log() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		[[ "$(e_logs "$1" 2>&1)" == *"$2"* ]] && return 0
		sleep 0.1
	done
	echo "log of $1 lacks '$2':" >&2
	e_logs "$1" >&2
	return 1
}

# e_kill NAME SIGNAL (name without SIG)
e_kill() {
	case $ENGINE in
	docker) docker_cli kill -s "$2" "$1" ;;
	podman) podman_cli kill -s "$2" "$1" ;;
	containerd) ctr_cli task kill -s "SIG$2" "$1" ;;
	esac
}

# e_stop NAME SECONDS: SIGTERM, SIGKILL after SECONDS.  ctr has no stop:
# the same two steps by hand.
e_stop() {
	case $ENGINE in
	docker) docker_cli stop -t "$2" "$1" ;;
	podman) podman_cli stop -t "$2" "$1" ;;
	containerd)
		ctr_cli task kill -s SIGTERM "$1" || return 1
		e_wait_status "$1" exited "$2" 2>/dev/null && return 0
		ctr_cli task kill -s SIGKILL "$1" && e_wait_status "$1" exited 10
		;;
	esac
}

# e_exit_code NAME: exit status of a container that has exited.
e_exit_code() {
	case $ENGINE in
	docker) docker_cli inspect -f '{{.State.ExitCode}}' "$1" ;;
	podman) podman_cli inspect -f '{{.State.ExitCode}}' "$1" ;;
	containerd)
		# ctr 1.6 has no wait and lists no exit status: task delete
		# warns "task ID exit with non-zero exit code N" (and exits 0).
		local out code
		out=$(ctr_cli task delete "$1" 2>&1) || { echo "$out" >&2; return 1; }
		code=$(sed -n 's/.*exit with non-zero exit code \([0-9]*\).*/\1/p' <<<"$out")
		echo "${code:-0}"
		;;
	esac
}

e_pause() {
	case $ENGINE in
	docker) docker_cli pause "$1" ;;
	podman) podman_cli pause "$1" ;;
	containerd) ctr_cli task pause "$1" ;;
	esac
}

e_unpause() {
	case $ENGINE in
	docker) docker_cli unpause "$1" ;;
	podman) podman_cli unpause "$1" ;;
	containerd) ctr_cli task resume "$1" ;;
	esac
}

# e_top NAME: the engine's process listing of the container.
e_top() {
	case $ENGINE in
	docker) docker_cli top "$1" ;;
	podman) podman_cli top "$1" ;;
	containerd) ctr_cli task ps "$1" ;;
	esac
}

# e_update_memory NAME SIZE
e_update_memory() {
	case $ENGINE in
	docker) docker_cli update --memory "$2" "$1" ;;
	podman) podman_cli update --memory "$2" "$1" ;;
	esac
}

# e_rm NAME...: remove the containers, running or not.
e_rm() {
	case $ENGINE in
	docker) docker_cli rm -f "$@" ;;
	podman) podman_cli rm -f -t 0 "$@" ;;
	containerd)
		local tasks=() id
		for id in $(ctr_cli task ls -q); do
			[[ " $* " == *" $id "* ]] && tasks+=("$id")
		done
		if [ ${#tasks[@]} -gt 0 ]; then
			ctr_cli task delete -f "${tasks[@]}" || return 1
		fi
		ctr_cli container rm "$@" || return 1
		for id; do rm -f "$CTRD_DIR/logs/$id.log"; done
		;;
	esac
}

# e_exists NAME: the engine still knows the container.
e_exists() {
	case $ENGINE in
	docker) docker_cli inspect "$1" >/dev/null 2>&1 ;;
	podman) podman_cli container exists "$1" ;;
	containerd) ctr_cli container ls -q | grep -qxF "$1" ;;
	esac
}

# e_ids: names/ids of all containers of the engine.
e_ids() {
	case $ENGINE in
	docker) docker_cli ps -aq ;;
	podman) podman_cli ps -aq ;;
	containerd) ctr_cli container ls -q ;;
	esac
}

# e_rm_all: remove every container of the engine (all are the tests').
e_rm_all() {
	local ids id
	mapfile -t ids < <(e_ids) || return 1
	[ ${#ids[@]} -gt 0 ] || return 0
	e_rm "${ids[@]}" >/dev/null 2>&1 && return 0
	# One at a time, to tell which one resists.
	for id in "${ids[@]}"; do
		e_rm "$id" >/dev/null 2>&1 || echo "engines: could not remove $ENGINE container $id" >&2
	done
}
