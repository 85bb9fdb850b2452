#!/bin/bash
# contrib/demo.sh: build ward and show, from inside a container, what it isolates.
# As root on a fresh Debian 12 machine, from any directory:
#
#   contrib/demo.sh
#
# Installs the build dependencies and busybox-static (only what is missing), builds
# ward out of tree in tests/.work/demo-build, makes a busybox bundle whose config.json
# is `ward spec`'s hardened default (with only the command changed), runs it and
# prints what the container sees next to what the host sees.
#
# Environment: WARD=/path/to/binary to use an existing binary instead of building
# (any runc-compatible runtime works, e.g. WARD=/usr/sbin/runc for comparison);
# WARD_NO_INSTALL=1 to skip apt-get.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=SCRIPTDIR/../tests/lib/deps.sh
source "$REPO/tests/lib/deps.sh"
# shellcheck source=SCRIPTDIR/../tests/lib/bundle.sh
source "$REPO/tests/lib/bundle.sh"

die() {
	echo "demo: $*" >&2
	exit 1
}

# What the container reports about itself, one "key value" per line.
# shellcheck disable=SC2016 # expanded inside the container
PROBE='
st() { sed -n "s/^$1:[[:space:]]*//p" /proc/self/status; }
echo "ids $(id -u)/$(id -g)"
echo "capeff $(st CapEff)"
echo "capbnd $(st CapBnd)"
echo "nnp $(st NoNewPrivs)"
echo "seccomp $(st Seccomp)"
echo "hostname $(hostname)"
echo "pid $$"
echo "procs $(ps -o pid,comm | awk "NR > 1 { printf \"%s %s, \", \$1, \$2 }")"
if touch /.ward-demo 2> /dev/null; then echo "rootfs writable"; else echo "rootfs read-only"; fi
for ns in pid net ipc uts mnt cgroup user; do echo "ns.$ns $(readlink /proc/self/ns/$ns)"; done
'

main() {
	[ "$(id -u)" -eq 0 ] || die "run me as root (sudo $0)"
	ensure_packages "${WARD_BUILD_DEPS[@]}" busybox-static jq || die "installing packages failed"

	local ward=${WARD:-}
	if [ -z "$ward" ]; then
		echo "building ward in $REPO/tests/.work/demo-build ..."
		ward_build "$REPO/tests/.work/demo-build" ||
			{ tail -n 30 "$REPO/tests/.work/demo-build.log" >&2; die "build failed (log: $REPO/tests/.work/demo-build.log)"; }
		ward=$REPO/tests/.work/demo-build/src/ward
	fi

	local work
	work=$(mktemp -d /tmp/ward-demo.XXXXXX)
	# shellcheck disable=SC2064 # expand now
	trap "'$ward' --root '$work/state' delete --force demo > /dev/null 2>&1; rm -rf '$work'" EXIT
	BUNDLE_CACHE=$work/cache
	BUNDLE=$work/bundle
	mkdir -p "$BUNDLE"
	cp -a "$(bundle_rootfs_base)" "$BUNDLE/rootfs"
	"$ward" spec --bundle "$BUNDLE"
	bundle_set '.process.terminal = false'
	bundle_args sh -c "$PROBE"

	echo
	"$ward" --version | head -n 1
	echo "config.json: $(basename "$ward") spec (hardened defaults), only .process.args replaced by a probe"
	local out
	out=$("$ward" --root "$work/state" run --bundle "$BUNDLE" demo < /dev/null) ||
		die "the container failed: $out"
	get() { sed -n "s/^$1 //p" <<< "$out"; }

	local seccomp
	case $(get seccomp) in
	0) seccomp="0 (off)" ;; 1) seccomp="1 (strict)" ;; 2) seccomp="2 (filter)" ;; *) seccomp=$(get seccomp) ;;
	esac
	echo
	echo "Inside the container:"
	printf '  %-12s %s\n' \
		"uid/gid" "$(get ids)" \
		"CapEff" "$(get capeff)" \
		"CapBnd" "$(get capbnd)" \
		"NoNewPrivs" "$(get nnp)" \
		"Seccomp" "$seccomp" \
		"hostname" "$(get hostname) (host: $(hostname))" \
		"its pid" "$(get pid)" \
		"processes" "$(get procs | sed 's/, $//') (the probe's own; host: $(find /proc -maxdepth 1 -name '[0-9]*' | wc -l))" \
		"root fs" "$(get rootfs)"
	echo
	printf '  %-8s %-22s %s\n' namespace container host
	local ns inside host
	for ns in pid net ipc uts mnt cgroup user; do
		inside=$(get "ns.$ns")
		host=$(readlink "/proc/self/ns/$ns")
		printf '  %-8s %-22s %-22s %s\n' "$ns" "$inside" "$host" "$([ "$inside" = "$host" ] && echo shared || echo own)"
	done
}

main "$@"
