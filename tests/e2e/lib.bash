# shellcheck shell=bash
# shellcheck disable=SC2154 # status, output, lines are set by bats' run
# shellcheck disable=SC2034 # PTY, IMAGE, DEFAULT_CAPS... are for the .bats files
# tests/e2e/lib.bash: the engines (dockerd, podman, containerd) with ward as their
# runtime, each with private roots, exec roots, sockets and pid files under one
# temporary directory, started in setup_file and stopped by pid in teardown_file.
# The host's own /var/lib/docker, /run/docker.sock, /var/lib/containerd and
# /var/lib/containers are never used.
#
# Environment:
#   RUNTIME        ward (default: tests/.work/build/src/ward, as tests/lib/common.bash)
#   E2E_KEEP=1     leave the temporary directory (logs, daemon state) behind
#
# Every file of contrib/engines/ is used as it is; only the path of ward (and of
# the policy file next to it) is replaced with sed.

load ../lib/common
# shellcheck source=SCRIPTDIR/../lib/deps.sh
source "$LIB_DIR/deps.sh"

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONTRIB=$REPO_DIR/contrib/engines
PTY=$E2E_DIR/pty.py
IMAGE=e2e-busybox
# where contrib/engines/ expects ward and its engine policy file
INSTALLED_WARD=/usr/local/bin/ward
INSTALLED_POLICY=/usr/local/etc/ward/engines.policy

# The tests' own setup and teardown (common.bash's are for bundles): every test
# of a file whose engine could not be installed is skipped, saying why (bats
# 1.8 cannot skip from setup_file).
setup() { [ -z "${E2E_SKIP:-}" ] || skip "$E2E_SKIP"; }
teardown() { :; }

# e2e_setup_file NAME PACKAGE...: install the engine's packages, check ward and
# make the temporary directory E2E_TMP (short: unix socket paths are limited to
# 107 bytes). Returns 1 with E2E_SKIP set to the reason when the packages cannot
# be installed: `e2e_setup_file ... || return 0`.
e2e_setup_file() {
	local name=$1 log missing
	shift
	export E2E_SKIP=
	[ -x "$RUNTIME" ] || fail "RUNTIME=$RUNTIME is not an executable (build ward or set RUNTIME)"
	log=$(mktemp)
	if [ "$(id -u)" -ne 0 ]; then
		E2E_SKIP="$name: the engines need root"
	elif ! ensure_packages "$@" > "$log" 2>&1; then
		E2E_SKIP="$name: cannot install $* ($(tail -n 1 "$log"))"
	# (WARD_NO_INSTALL=1 reports what is missing instead of installing it)
	elif missing=$(missing_packages "$@") && [ -n "$missing" ]; then
		E2E_SKIP="$name: not installed: ${missing//$'\n'/ }"
	fi
	rm -f "$log"
	[ -z "$E2E_SKIP" ] || return 1
	E2E_TMP=$(mktemp -d "/tmp/ward-e2e-$name.XXXXXX")
	chmod 711 "$E2E_TMP"
	export E2E_TMP
}

# e2e_teardown_file: stop what e2e_start_daemon started (TERM, then KILL after
# 20 s), unmount what the engines left mounted under E2E_TMP and remove it.
e2e_teardown_file() {
	local pidfile pid mnt
	[ -n "${E2E_TMP:-}" ] && [ -d "$E2E_TMP" ] || return 0
	for pidfile in "$E2E_TMP"/*.daemon.pid; do
		[ -e "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		kill -TERM "$pid" 2> /dev/null || continue
		retry 200 0.1 _pid_gone "$pid" || kill -KILL "$pid" 2> /dev/null || true
	done
	# shims and conmons of this run whose daemon is gone (by pid, found by our paths)
	for pid in $(e2e_engine_procs); do
		kill -KILL "$pid" 2> /dev/null || true
	done
	{ findmnt -rn -o TARGET | grep -F "$E2E_TMP/" || true; } | sort -r | while read -r mnt; do
		umount -l "$mnt" 2> /dev/null || true
	done
	[ "${E2E_KEEP:-}" = 1 ] || rm -rf --one-file-system "$E2E_TMP"
}

# e2e_engine_procs: pids of processes whose command line names E2E_TMP.
e2e_engine_procs() {
	local p
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" != "$$" ] || continue
		tr '\0' ' ' < "$p/cmdline" 2> /dev/null | grep -qF -- "$E2E_TMP/" && echo "${p#/proc/}"
	done
	return 0
}

# e2e_start_daemon NAME READY-CMD CMD...: start CMD in its own session with its
# output in $E2E_TMP/NAME.log, wait (60 s) until READY-CMD (a shell command)
# succeeds; its pid goes to $E2E_TMP/NAME.daemon.pid.
e2e_start_daemon() {
	local name=$1 ready=$2 pid i
	shift 2
	setsid "$@" < /dev/null > "$E2E_TMP/$name.log" 2>&1 3>&- &
	pid=$!
	echo "$pid" > "$E2E_TMP/$name.daemon.pid"
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$pid" 2> /dev/null; then
			fail "$name exited at start:" "$(tail -n 20 "$E2E_TMP/$name.log")"
			return 1
		fi
		eval "$ready" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "$name did not become ready in 60 s:" "$(tail -n 20 "$E2E_TMP/$name.log")"
}

# contrib_file NAME DEST [SED ARGS...]: contrib/engines/NAME with ward's (and its
# policy file's) installed path replaced by this test run's (and other paths by
# the extra sed expressions).
contrib_file() {
	local name=$1 dest=$2
	shift 2
	sed -e "s#$INSTALLED_WARD#$RUNTIME#g" -e "s#$INSTALLED_POLICY#$CONTRIB/engines.policy#g" "$@" \
		"$CONTRIB/$name" > "$dest"
}

# image_rootfs_tar: a tar of the busybox-static rootfs the integration tests use.
image_rootfs_tar() {
	local tar=$E2E_TMP/rootfs.tar
	[ -e "$tar" ] || tar -C "$(bundle_rootfs_base)" --exclude ./.complete -cf "$tar" .
	echo "$tar"
}

# oci_archive REF [CMD-JSON]: an OCI image archive (one uncompressed layer, the
# busybox rootfs, Cmd ["sh"] or CMD-JSON) named REF, as `ctr image import` reads
# it. Prints its path.
oci_archive() {
	local ref=$1 cmd=${2:-'["sh"]'} dir=$E2E_TMP/oci layer lsha csha msha
	layer=$(image_rootfs_tar)
	rm -rf "$dir"
	mkdir -p "$dir/blobs/sha256"
	lsha=$(sha256sum "$layer" | cut -d' ' -f1)
	cp "$layer" "$dir/blobs/sha256/$lsha"
	jq -cn --arg l "sha256:$lsha" --argjson cmd "$cmd" '{architecture: "amd64", os: "linux",
	  config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: $cmd},
	  rootfs: {type: "layers", diff_ids: [$l]}}' > "$dir/c"
	csha=$(sha256sum "$dir/c" | cut -d' ' -f1)
	jq -cn --arg c "sha256:$csha" --argjson cs "$(stat -c %s "$dir/c")" \
		--arg l "sha256:$lsha" --argjson ls "$(stat -c %s "$layer")" '{schemaVersion: 2,
	  mediaType: "application/vnd.oci.image.manifest.v1+json",
	  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
	  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' > "$dir/m"
	msha=$(sha256sum "$dir/m" | cut -d' ' -f1)
	jq -cn --arg m "sha256:$msha" --argjson ms "$(stat -c %s "$dir/m")" --arg r "$ref" '{schemaVersion: 2,
	  manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
	    annotations: {"io.containerd.image.name": $r, "org.opencontainers.image.ref.name": "latest"}}]}' \
		> "$dir/index.json"
	mv "$dir/c" "$dir/blobs/sha256/$csha"
	mv "$dir/m" "$dir/blobs/sha256/$msha"
	echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
	tar -C "$dir" -cf "$E2E_TMP/image-oci.tar" oci-layout index.json blobs
	rm -rf "$dir"
	echo "$E2E_TMP/image-oci.tar"
}

# --- assertions on what a container printed ----------------------------------------

# The capability sets Docker, Podman and containerd give by default (runc's
# `spec` set minus NET_RAW for Podman; checked against the engine's own runc).
DEFAULT_CAPS=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW CAP_SETGID CAP_SETUID
	CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL CAP_AUDIT_WRITE)

# STATUS_SCRIPT: what a container prints about itself, for assert_field.
# shellcheck disable=SC2016 # for the container's shell
STATUS_SCRIPT='grep -E "^(Uid|Gid|CapEff|CapPrm|CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
if touch /.ward-e2e-rw 2> /dev/null; then echo "RootRW: yes"; else echo "RootRW: no"; fi
if grep -q " /proc/keys " /proc/self/mountinfo; then echo "Masked: yes"; else echo "Masked: no"; fi
echo "Root: $(awk "\$5 == \"/\" {print \$6}" /proc/self/mountinfo | cut -d, -f1)"'

# assert_field NAME VALUE: line "NAME: VALUE" (tabs or spaces) in $output.
assert_field() {
	local got
	got=$(status_field "$1")
	[ "$got" = "$2" ] || fail "$1 is '$got', expected '$2'; output:" "$output"
}

# assert_ward_state FILE: FILE is a state.json that ward wrote (runc's and
# crun's have other keys), i.e. ward really was the engine's runtime.
assert_ward_state() {
	[ -f "$1" ] || fail "no state file $1: was ward the runtime?" "$(ls -la "$(dirname "$1")" 2>&1)"
	jq -e 'has("start_time") and has("has_tty") and (has("init_process_pid") | not)' "$1" > /dev/null ||
		fail "$1 is not ward's state:" "$(head -c 400 "$1")"
}

# wait_output_lines N CMD...: wait (10 s) until CMD prints at least N lines; the
# count is in LINES_SEEN.
wait_output_lines() {
	local n=$1 i
	shift
	for ((i = 0; i < 100; i++)); do
		LINES_SEEN=$("$@" 2>&1 | wc -l)
		[ "$LINES_SEEN" -ge "$n" ] && return 0
		sleep 0.1
	done
	fail "'$*' printed $LINES_SEEN lines, expected at least $n"
}

# TICKER: a container command printing a line every 0.1 s (for pause).
# shellcheck disable=SC2016
TICKER='i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'
# TERM_IGNORER: a container init that ignores SIGTERM (for stop's grace period).
# shellcheck disable=SC2016
TERM_IGNORER='trap "" TERM; echo ready; while :; do sleep 0.2; done'
# STTY_SIZE: the terminal size once the engine has set it (docker exec -it
# resizes after the process started, with runc too).
# shellcheck disable=SC2016
# (busybox's stty may exit 0 after failing on a 0x0 terminal: check what it printed)
STTY_SIZE='tty; for i in $(seq 50); do s=$(stty size 2> /dev/null); case $s in [1-9]*" "[1-9]*) break ;; esac; sleep 0.1; done; echo "size $s"'

# assert_paused_then_resumed "PAUSE CMD" "RESUME CMD" LOGCMD...: with a TICKER
# container, its output stops growing while paused and grows again after resuming.
assert_paused_then_resumed() {
	local pause=$1 resume=$2 before after
	shift 2
	wait_output_lines 3 "$@"
	# shellcheck disable=SC2086 # a command line
	run $pause
	assert_status 0
	sleep 0.3 # a line being written when the freeze happened
	before=$("$@" 2>&1 | wc -l)
	sleep 1
	after=$("$@" 2>&1 | wc -l)
	[ "$after" -eq "$before" ] || fail "the paused container printed $((after - before)) lines in 1 s"
	# shellcheck disable=SC2086
	run $resume
	assert_status 0
	wait_output_lines $((after + 3)) "$@"
}
