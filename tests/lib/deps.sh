# shellcheck shell=bash
# tests/lib/deps.sh: installing packages and building ward out of tree, shared by
# tests/run.sh and contrib/demo.sh.
#
#   source tests/lib/deps.sh
#   ensure_packages jq busybox-static     # apt-get only what is missing
#   ward_build DIR [CONFIGURE ARGS...]    # autoreconf if needed, configure once, make
#
# WARD_NO_INSTALL=1 makes ensure_packages report what is missing instead of
# installing it; WARD_AUTORECONF=1 forces autoreconf -fi; JOBS sets make -j (2).

WARD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

# The packages to build ward and run every test suite on Debian 12.
# shellcheck disable=SC2034 # used by the scripts that source this file
WARD_BUILD_DEPS=(build-essential autoconf automake libtool pkg-config libseccomp-dev
	libcap-dev libyajl-dev libmnl-dev)
# shellcheck disable=SC2034
WARD_TEST_DEPS=(busybox-static bats valgrind clang jq runc crun iproute2 man-db mandoc)

# missing_packages PKG...: the ones dpkg does not have installed.
missing_packages() {
	local -A have=()
	local pkg status
	# One dpkg-query for all; unknown packages are left out of its output.
	while read -r pkg status; do
		[ "$status" = "install ok installed" ] && have[$pkg]=1
	done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2> /dev/null || true)
	for pkg in "$@"; do
		[ -n "${have[$pkg]:-}" ] || echo "$pkg"
	done
}

# ensure_packages PKG...: install the missing ones (apt-get update once, when the
# package lists are absent or the install fails with them).
ensure_packages() {
	local missing apt=(apt-get -q -y -o DPkg::Lock::Timeout=600)
	missing=$(missing_packages "$@")
	[ -n "$missing" ] || return 0
	# shellcheck disable=SC2086 # one package name per word
	set -- $missing
	if [ "${WARD_NO_INSTALL:-}" = 1 ]; then
		echo "WARD_NO_INSTALL=1: not installing missing packages: $*" >&2
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "run as root to install: $*" >&2
		return 1
	fi
	echo "installing: $*" >&2
	export DEBIAN_FRONTEND=noninteractive
	if ! compgen -G '/var/lib/apt/lists/*_Packages' > /dev/null; then
		"${apt[@]}" update < /dev/null > /dev/null
	fi
	"${apt[@]}" install --no-install-recommends "$@" < /dev/null > /dev/null ||
		{ "${apt[@]}" update < /dev/null > /dev/null &&
			"${apt[@]}" install --no-install-recommends "$@" < /dev/null > /dev/null; }
}

# ward_autoreconf: generate configure when it is missing or older than its inputs.
ward_autoreconf() (
	cd "$WARD_SRC" || return
	if [ "${WARD_AUTORECONF:-}" = 1 ] || [ ! -x configure ] || [ ! -f Makefile.in ] ||
		[ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
		autoreconf -fi
	fi
	if [ -f config.status ]; then
		echo "$WARD_SRC is configured in place; out-of-tree builds need 'make distclean' there" >&2
		return 1
	fi
)

# ward_build DIR [CONFIGURE ARGS...]: configure DIR (again only when the arguments
# differ; automake's rules redo it when configure changes) and make. All output goes
# to DIR.log.
ward_build() {
	local dir=$1 want
	shift
	mkdir -p "$dir"
	want="$*" # as config.status --config prints plain arguments
	(
		ward_autoreconf
		cd "$dir" || return
		if [ ! -f Makefile ] || [ "$(./config.status --config 2> /dev/null)" != "$want" ]; then
			"$WARD_SRC/configure" "$@"
		fi
		make -j"${JOBS:-2}" all
	) > "$dir.log" 2>&1
}
