#!/bin/bash
# tests/bench/engines.sh: engine-level latency of ward next to runc and crun: N
# (default 20) runs of `run --rm IMAGE true` per runtime through Docker, Podman
# and containerd (ctr), the runtimes interleaved run by run, printing the median
# (and min/max) wall time per engine and runtime. A benchmark, not a test. Run as
# root on Debian 12 from anywhere:
#
#   tests/bench/engines.sh            # RUNTIME=path/to/ward N=20 ENGINES="docker podman containerd"
#
# The engines run with private roots and sockets under a temporary directory (as
# tests/e2e does), ward registered with the contrib/engines/ snippets (--policy
# oci). crun 1.8.1 refuses a hybrid cgroup host ("drop all controllers from
# cgroupv2"); there every engine runs in a private mount namespace whose
# /sys/fs/cgroup/unified/cgroup.controllers is an empty file, for all three
# runtimes alike (ward and runc use no v2 controller here anyway). Without a way
# to do that, crun is left out, saying so.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
RUNTIME=${RUNTIME:-$REPO/tests/.work/build/src/ward}
N=${N:-20}
ENGINES=${ENGINES:-docker podman containerd}
# shellcheck source=SCRIPTDIR/../lib/deps.sh
source "$REPO/tests/lib/deps.sh"
BUNDLE_CACHE=${BUNDLE_CACHE:-${TMPDIR:-/tmp}/ward-bench-rootfs}
# shellcheck source=SCRIPTDIR/../lib/bundle.sh
source "$REPO/tests/lib/bundle.sh"

[ "$(id -u)" -eq 0 ] || { echo "engines.sh: run as root" >&2; exit 1; }
[ -x "$RUNTIME" ] || { echo "engines.sh: no ward at $RUNTIME (build it or set RUNTIME)" >&2; exit 1; }
ensure_packages docker.io podman uidmap fuse-overlayfs slirp4netns catatonit conmon containerd \
	containernetworking-plugins runc crun busybox-static jq

TMP=$(mktemp -d /tmp/ward-bench.XXXXXX)
PIDS=()
cleanup() {
	local pid mnt
	[ ! -e "$TMP/containers.conf" ] || "${PODMAN[@]}" rm -a -f -t 0 > /dev/null 2>&1 || true
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2> /dev/null || continue
		for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2> /dev/null || true
	done
	{ findmnt -rn -o TARGET | grep -F "$TMP/" || true; } | sort -r | while read -r mnt; do
		umount -l "$mnt" || true
	done
	[ -e "$TMP/docker0.existed" ] || ip link del docker0 2> /dev/null || true
	rm -rf --one-file-system "$TMP"
}
trap cleanup EXIT

# NS: the command prefix that runs an engine where crun accepts this host.
NS=()
RUNTIMES=(ward runc crun)
CRUN_NOTE=""
if [ "$(findmnt -rn -o FSTYPE /sys/fs/cgroup)" != cgroup2 ] &&
	[ -e /sys/fs/cgroup/unified/cgroup.controllers ]; then
	: > "$TMP/empty"
	# shellcheck disable=SC2016 # for the inner shell
	NS=(unshare -m --propagation private sh -c
		'mount --bind "$0" /sys/fs/cgroup/unified/cgroup.controllers && exec "$@"' "$TMP/empty")
	if ! "${NS[@]}" true 2> /dev/null; then
		NS=()
		RUNTIMES=(ward runc)
		CRUN_NOTE="crun left out: it refuses this hybrid cgroup host and no private mount namespace could hide the v2 controllers"
	fi
fi

tar -C "$(bundle_rootfs_base)" --exclude ./.complete -cf "$TMP/rootfs.tar" .

# wait_for CMD...: until CMD succeeds (60 s).
wait_for() {
	for _ in $(seq 600); do "$@" > /dev/null 2>&1 && return 0; sleep 0.1; done
	echo "engines.sh: timed out waiting for: $*" >&2
	return 1
}

# now_ms: wall clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# stats NAME FILE: "NAME  median  min  max" in ms.
stats() {
	sort -n "$2" | awk -v name="$1" '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "  %-8s median %6.0f ms   min %6.0f   max %6.0f   (%d runs)\n", name, m, v[1], v[NR], NR }'
}

# bench ENGINE: N interleaved runs per runtime of the engine's run_one RUNTIME.
bench() {
	local engine=$1 i rt t0
	for rt in "${RUNTIMES[@]}"; do : > "$TMP/$engine.$rt"; done
	for rt in "${RUNTIMES[@]}"; do "run_$engine" "$rt" > /dev/null; done # warm up
	for ((i = 0; i < N; i++)); do
		for rt in "${RUNTIMES[@]}"; do
			t0=$(now_ms)
			"run_$engine" "$rt" > /dev/null || { echo "engines.sh: $engine run with $rt failed" >&2; return 1; }
			echo $(($(now_ms) - t0)) >> "$TMP/$engine.$rt"
		done
	done
	echo "$engine: run --rm IMAGE true"
	for rt in "${RUNTIMES[@]}"; do stats "$rt" "$TMP/$engine.$rt"; done
}

# --- Docker ----------------------------------------------------------------------
DOCKER=(/usr/bin/docker -H "unix://$TMP/docker.sock")
run_docker() { "${DOCKER[@]}" run --rm --runtime "$1" e2e-busybox true; }
bench_docker() {
	if ip link show docker0 > /dev/null 2>&1; then : > "$TMP/docker0.existed"; fi
	sed "s#/usr/local/bin/ward#$RUNTIME#g" "$REPO/contrib/engines/docker-daemon.json" > "$TMP/daemon.json"
	setsid "${NS[@]}" /usr/sbin/dockerd --config-file "$TMP/daemon.json" --add-runtime crun=/usr/bin/crun \
		--data-root "$TMP/docker" --exec-root "$TMP/dexec" --pidfile "$TMP/dockerd.pid" \
		-H "unix://$TMP/docker.sock" --exec-opt native.cgroupdriver=cgroupfs \
		--iptables=false --ip-masq=false < /dev/null > "$TMP/dockerd.log" 2>&1 &
	PIDS+=($!)
	wait_for "${DOCKER[@]}" version
	"${DOCKER[@]}" import "$TMP/rootfs.tar" e2e-busybox > /dev/null
	bench docker
}

# --- Podman ----------------------------------------------------------------------
PODMAN=(env CONTAINERS_CONF="$TMP/containers.conf" podman --root "$TMP/pstorage"
	--runroot "$TMP/prun" --tmpdir "$TMP/ptmp" --network-config-dir "$TMP/pnet"
	--volumepath "$TMP/pvolumes" --cgroup-manager cgroupfs --events-backend file
	--storage-driver overlay)
run_podman() { "${NS[@]}" "${PODMAN[@]}" run --rm --runtime "$1" e2e-busybox true; }
bench_podman() {
	local nproc pid_max
	nproc=$(ulimit -Hu)
	pid_max=$(cat /proc/sys/kernel/pid_max)
	[ "$nproc" != unlimited ] && [ "$nproc" -le "$pid_max" ] || nproc=$pid_max
	{
		sed -e "s#/usr/local/bin/ward#$RUNTIME#g" \
			-e "s#/usr/local/etc/ward/engines.policy#$REPO/contrib/engines/engines.policy#g" \
			"$REPO/contrib/engines/podman-containers.conf"
		# as in tests/e2e/podman.bats: this host's limits
		echo '[containers]'
		echo "default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=$nproc:$nproc\"]"
		grep -qw pids "$(findmnt -rn -t cgroup2 -o TARGET | head -n 1)/cgroup.controllers" ||
			echo 'pids_limit = 0'
	} > "$TMP/containers.conf"
	"${PODMAN[@]}" import "$TMP/rootfs.tar" e2e-busybox > /dev/null 2>&1
	bench podman
}

# --- containerd (ctr) ----------------------------------------------------------------
CTR=(ctr -a "$TMP/containerd.sock")
run_containerd() {
	local bin=$RUNTIME
	[ "$1" = ward ] || bin=$(command -v "$1")
	# --cpu-shares 0: no cpu.shares, which ward refuses where the cpu controller
	# is on cgroup v1 (ctr's default is 1024); the same for every runtime
	"${CTR[@]}" run --rm --cpu-shares 0 --runc-binary "$bin" --runc-root "$TMP/runc-root/$1" \
		docker.io/library/e2e-busybox:latest "bench-$1-$RANDOM" true
}
bench_containerd() {
	printf 'version = 2\nroot = "%s"\nstate = "%s"\n[grpc]\n  address = "%s"\n[ttrpc]\n  address = "%s"\n' \
		"$TMP/croot" "$TMP/cstate" "$TMP/containerd.sock" "$TMP/containerd.sock.ttrpc" > "$TMP/containerd.toml"
	setsid "${NS[@]}" env "WARD_POLICY_FILE=$REPO/contrib/engines/engines.policy" \
		containerd --config "$TMP/containerd.toml" < /dev/null > "$TMP/containerd.log" 2>&1 &
	PIDS+=($!)
	wait_for "${CTR[@]}" version
	mkdir -p "$TMP/oci/blobs/sha256"
	local l c m
	l=$(sha256sum "$TMP/rootfs.tar" | cut -d' ' -f1)
	cp "$TMP/rootfs.tar" "$TMP/oci/blobs/sha256/$l"
	jq -cn --arg l "sha256:$l" '{architecture: "amd64", os: "linux", config: {Cmd: ["sh"]},
		rootfs: {type: "layers", diff_ids: [$l]}}' > "$TMP/oci/c"
	c=$(sha256sum "$TMP/oci/c" | cut -d' ' -f1)
	jq -cn --arg c "sha256:$c" --argjson cs "$(stat -c %s "$TMP/oci/c")" --arg l "sha256:$l" \
		--argjson ls "$(stat -c %s "$TMP/rootfs.tar")" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' > "$TMP/oci/m"
	m=$(sha256sum "$TMP/oci/m" | cut -d' ' -f1)
	jq -cn --arg m "sha256:$m" --argjson ms "$(stat -c %s "$TMP/oci/m")" '{schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
		annotations: {"io.containerd.image.name": "docker.io/library/e2e-busybox:latest"}}]}' > "$TMP/oci/index.json"
	mv "$TMP/oci/c" "$TMP/oci/blobs/sha256/$c"
	mv "$TMP/oci/m" "$TMP/oci/blobs/sha256/$m"
	echo '{"imageLayoutVersion":"1.0.0"}' > "$TMP/oci/oci-layout"
	tar -C "$TMP/oci" -cf "$TMP/image.tar" oci-layout index.json blobs
	"${CTR[@]}" image import "$TMP/image.tar" > /dev/null
	bench containerd
}

echo "ward: $RUNTIME ($("$RUNTIME" --version | head -n 1)); runc $(runc --version | head -n 1 | cut -d' ' -f3);" \
	"crun $(crun --version | head -n 1 | cut -d' ' -f3); $N runs each, interleaved"
[ -z "$CRUN_NOTE" ] || echo "$CRUN_NOTE"
[ "${#NS[@]}" -eq 0 ] || echo "(engines run in a private mount namespace with an empty unified cgroup.controllers, for crun)"
for engine in $ENGINES; do
	"bench_$engine"
done
