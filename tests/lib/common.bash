# shellcheck shell=bash
# shellcheck disable=SC2154 # status, output, lines, stderr* are set by bats' run
# tests/lib/common.bash: shared setup, teardown and assertions for the bats suites.
# Every .bats file starts with `load ../lib/common` and uses the default setup and
# teardown below (or calls setup_common / teardown_common from its own).
#
# Environment:
#   RUNTIME       the runtime binary under test (default: the out-of-tree build's src/ward)
#   RUNTIME_NAME  its name, used by ward_only (default: basename of RUNTIME)
#   RT_TIMEOUT    seconds any one runtime command may take (default 10)
#   BATS_TEST_TIMEOUT  seconds a whole test may take (default 120)
#
# Per test: ID (unique container id), ROOT (the runtime's --root), T (scratch dir),
# BUNDLE (a fresh busybox bundle at $T/bundle), SHARED (host dir for bind mounts).

bats_require_minimum_version 1.5.0

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LIB_DIR/../.." && pwd)
# shellcheck source=SCRIPTDIR/bundle.sh
source "$LIB_DIR/bundle.sh"

RUNTIME=${RUNTIME:-$REPO_DIR/tests/.work/build/src/ward}
RUNTIME_NAME=${RUNTIME_NAME:-$(basename "$RUNTIME")}
export RUNTIME RUNTIME_NAME
# A runtime that hangs must fail the test, not the whole run.
RT_TIMEOUT=${RT_TIMEOUT:-10}
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

setup() { setup_common; }
teardown() { teardown_common; }

setup_common() {
	[ -x "$RUNTIME" ] || fail "RUNTIME=$RUNTIME is not an executable (build ward or set RUNTIME)"
	T=$BATS_TEST_TMPDIR
	ID="wt-$$-${BATS_SUITE_TEST_NUMBER}"
	ROOT="$T/state"
	SHARED="$T/shared"
	mkdir -p "$SHARED"
	bundle_new "$T/bundle"
}

# Force-delete every container this test left in its root, then check that the
# runtime's list is empty and that no process of the test is still running (those
# are killed, so that a broken runtime does not litter the host, and reported).
teardown_common() {
	local id left=() in_bundle runtime problems=()
	[ -n "${ROOT:-}" ] || return 0
	if [ -d "$ROOT" ]; then
		for id in $(rt list -q 2> /dev/null); do
			rt delete --force "$id" > /dev/null 2>&1 || true
		done
		mapfile -t left < <(rt list -q 2> /dev/null)
		[ "${#left[@]}" -eq 0 ] || problems+=("containers remain after delete --force: ${left[*]}")
	fi
	in_bundle=$(wait_no_procs_in_bundle | tr '\n' ' ')
	[ -z "$in_bundle" ] || problems+=("processes still run in $BUNDLE/rootfs: $in_bundle")
	runtime=$(runtime_procs | tr '\n' ' ')
	[ -z "$runtime" ] || problems+=("runtime processes of this test left running: $runtime")
	# shellcheck disable=SC2086 # one pid per word
	kill -9 $in_bundle $runtime 2> /dev/null || true
	[ "${#problems[@]}" -eq 0 ] || fail "${problems[@]/#/teardown: }"
}

# runtime_procs: live processes running the runtime's binary with this test's --root
# on their command line (e.g. a container init stuck before its execve).
runtime_procs() {
	local p
	for p in /proc/[0-9]*; do
		[ "$p/exe" -ef "$RUNTIME" ] || continue
		tr '\0' ' ' < "$p/cmdline" 2> /dev/null | grep -qF -- " $ROOT " || continue
		pid_alive "${p#/proc/}" && echo "${p#/proc/}"
	done
}

# rt ARGS...: the runtime with this test's state root, killed after RT_TIMEOUT s.
# Its stdout and stderr go through files, so that a process it leaves behind can
# never hold bats' pipes open (and hang the run); they are copied out afterwards.
rt() {
	local out=$T/.rt.$BASHPID.out err=$T/.rt.$BASHPID.err rc=0
	# warnings go to a log file, as with engines (errors still reach stderr), so
	# that a container's output is its own
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" --log "$T/runtime.log" "$@" > "$out" 2> "$err" || rc=$?
	cat "$out"
	cat "$err" >&2
	rm -f "$out" "$err"
	[ "$rc" -ne 124 ] || echo "rt: '$RUNTIME $*' timed out after ${RT_TIMEOUT}s" >&2
	return "$rc"
}

# ward_only [WHY]: skip a test of ward's own hardening (a default other runtimes do
# not have, or an attack they do not stop) when testing another runtime.
ward_only() {
	case $RUNTIME_NAME in
	ward*) ;;
	*) skip "ward-only: ${1:-hardening other runtimes lack} (RUNTIME is $RUNTIME_NAME)" ;;
	esac
}

# fail MESSAGE [DETAIL...]: print each argument on its own line and fail.
fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# --- running containers ----------------------------------------------------------

# ctr_sh SCRIPT: run `sh -c SCRIPT` in a container in the foreground, output in
# $output, exit status in $status (bats run semantics).
ctr_sh() {
	bundle_args sh -c "$1"
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
}

# ctr_sh_ok SCRIPT: like ctr_sh, and the container must exit 0.
ctr_sh_ok() {
	ctr_sh "$1"
	assert_status 0
}

# rt_detached CMD [ARGS...]: run -d (or create, etc.) with stdio on files, so that the
# container never holds bats' pipes. Its stdout/stderr land in $T/ctr.out, $T/ctr.err.
rt_detached() {
	rt "$@" < /dev/null > "$T/ctr.out" 2> "$T/ctr.err" ||
		fail "rt $* failed: $(cat "$T/ctr.err")"
}

# bundle_own_cgroup: a cgroup namespace and the container's own cgroup mounted at
# /sys/fs/cgroup, so that a test reads what the kernel counts for it from inside.
bundle_own_cgroup() {
	bundle_set '.linux.namespaces += [{type: "cgroup"}]
		| .mounts += [{destination: "/sys/fs/cgroup", type: "cgroup2", source: "cgroup"}]'
}

# start_counter: a detached container whose init counts in /shared/n every 50 ms
# (pause and resume tests watch it stop and go on).
start_counter() {
	bundle_share
	bundle_args sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /shared/n; sleep 0.05; done'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	wait_file "$SHARED/n"
}

# start_sleeper [ID]: a detached container whose init waits forever (until signalled).
start_sleeper() {
	bundle_args sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
	rt_detached run -d --bundle "$BUNDLE" "${1:-$ID}"
	wait_status running "${1:-$ID}"
}

# bundle_share [DEST] [OPTIONS...]: bind $SHARED into the container at DEST (/shared).
bundle_share() {
	local dest=${1:-/shared}
	shift || true
	local opts
	opts=$(json_array rbind "$@")
	# shellcheck disable=SC2016 # $d $s $o are jq's
	bundle_set '.mounts += [{destination: $d, type: "bind", source: $s, options: $o}]' \
		--arg d "$dest" --arg s "$SHARED" --argjson o "$opts"
}

ctr_status() { rt state "${1:-$ID}" | jq -r .status; }
ctr_pid() { rt state "${1:-$ID}" | jq -r .pid; }

# retry TRIES DELAY CMD...: run CMD until it succeeds.
retry() {
	local tries=$1 delay=$2 i
	shift 2
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep "$delay"
	done
	return 1
}

_status_is() { [ "$(ctr_status "$2" 2> /dev/null)" = "$1" ]; }
# wait_status STATUS [ID]: wait up to 10 s for the container's state.
wait_status() {
	retry 100 0.1 _status_is "$1" "${2:-$ID}" ||
		fail "container ${2:-$ID} not '$1' (is '$(ctr_status "${2:-$ID}" 2>&1)')"
}

# wait_file PATH: wait up to 10 s for PATH to exist.
wait_file() { retry 100 0.1 test -e "$1" || fail "$1 did not appear"; }

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

_pid_gone() { ! pid_alive "$1"; }
# wait_pid_gone PID: wait up to 10 s for PID to exit.
wait_pid_gone() { retry 100 0.1 _pid_gone "$1" || fail "process $1 still alive"; }

# procs_in_bundle: pids of live processes whose root directory is this bundle's rootfs.
procs_in_bundle() {
	local p
	[ -d "${BUNDLE:-}/rootfs" ] || return 0
	for p in /proc/[0-9]*; do
		if [ "$p/root" -ef "$BUNDLE/rootfs" ] && pid_alive "${p#/proc/}"; then
			echo "${p#/proc/}"
		fi
	done
}

# wait_no_procs_in_bundle: up to 5 s; prints the leftovers and fails if any remain.
wait_no_procs_in_bundle() {
	local i procs
	for ((i = 0; i < 50; i++)); do
		procs=$(procs_in_bundle)
		[ -z "$procs" ] && return 0
		sleep 0.1
	done
	echo "$procs"
	return 1
}

# --- assertions ------------------------------------------------------------------

assert_status() {
	[ "$status" -eq "$1" ] || fail "exit status $status, expected $1; output:" "$output"
}

assert_output() {
	[ "$output" = "$1" ] || fail "output differs; expected:" "$1" "got:" "$output"
}

assert_output_match() {
	[[ $output =~ $1 ]] || fail "output does not match /$1/:" "$output"
}

assert_output_contains() {
	[[ $output == *"$1"* ]] || fail "output does not contain '$1':" "$output"
}

refute_output_contains() {
	[[ $output != *"$1"* ]] || fail "output contains '$1':" "$output"
}

# assert_line_eq N TEXT: line N (0-based) of $output equals TEXT.
assert_line_eq() {
	[ "${lines[$1]-}" = "$2" ] || fail "line $1 is '${lines[$1]-}', expected '$2'; output:" "$output"
}

# assert_clean_failure: after `run --separate-stderr rt ...` of a bad request:
# exit status 1, exactly one line on stderr, no state left for $ID, and no process.
assert_clean_failure() {
	[ "$status" -eq 1 ] || fail "exit status $status, expected 1; stderr:" "$stderr"
	[ "${#stderr_lines[@]}" -eq 1 ] ||
		fail "expected one line on stderr, got ${#stderr_lines[@]}:" "$stderr"
	[ -n "${stderr_lines[0]}" ] || fail "the error line is empty"
	assert_no_container "${1:-$ID}"
}

# assert_no_container [ID]: the runtime knows nothing about ID and nothing runs.
assert_no_container() {
	local id=${1:-$ID} procs
	[ ! -e "$ROOT/$id" ] || fail "state directory $ROOT/$id remains"
	run -1 rt state "$id"
	[[ $output == *"does not exist"* ]] || fail "state $id: expected 'does not exist', got: $output"
	procs=$(wait_no_procs_in_bundle) || fail "processes remain in the bundle: $procs"
}

# cap_mask NAME...: the capability mask (16 hex digits, as /proc/PID/status shows it)
# for capability names such as CAP_CHOWN.
cap_mask() {
	local mask=0 name bit
	for name in "$@"; do
		bit=$(cap_bit "$name") || return 1
		mask=$((mask | (1 << bit)))
	done
	printf '%016x\n' "$mask"
}

cap_bit() {
	local -A bits=(
		[CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3
		[CAP_FSETID]=4 [CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8
		[CAP_LINUX_IMMUTABLE]=9 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_BROADCAST]=11
		[CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13 [CAP_IPC_LOCK]=14 [CAP_IPC_OWNER]=15
		[CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18 [CAP_SYS_PTRACE]=19
		[CAP_SYS_PACCT]=20 [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22 [CAP_SYS_NICE]=23
		[CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25 [CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27
		[CAP_LEASE]=28 [CAP_AUDIT_WRITE]=29 [CAP_AUDIT_CONTROL]=30 [CAP_SETFCAP]=31
		[CAP_MAC_OVERRIDE]=32 [CAP_MAC_ADMIN]=33 [CAP_SYSLOG]=34 [CAP_WAKE_ALARM]=35
		[CAP_BLOCK_SUSPEND]=36 [CAP_AUDIT_READ]=37 [CAP_PERFMON]=38 [CAP_BPF]=39
		[CAP_CHECKPOINT_RESTORE]=40
	)
	[ -n "${bits[$1]-}" ] || fail "unknown capability $1"
	echo "${bits[$1]}"
}

# status_field NAME: the value of NAME: in /proc/self/status lines held in $output.
status_field() {
	printf '%s\n' "$output" | sed -n "s/^$1:[[:space:]]*//p"
}

# --- console socket --------------------------------------------------------------

# recvtty_bin: path of the console-socket receiver, compiled once per test run.
recvtty_bin() {
	local dir=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}} bin
	bin="$dir/recvtty"
	(
		flock 9
		[ -x "$bin" ] || gcc -O2 -Wall -Werror -o "$bin" "$LIB_DIR/recvtty.c"
	) 9> "$dir/.recvtty.lock" || return 1
	echo "$bin"
}

# recvtty_start SOCKET OUTFILE [INPUT]: receive the pty master on SOCKET in the
# background, copy its output to OUTFILE (and INPUT to it). Waits until it listens;
# RECVTTY_PID is its pid.
recvtty_start() {
	local bin
	bin=$(recvtty_bin) || fail "cannot build recvtty"
	"$bin" "$@" < /dev/null > "$2.log" 2>&1 &
	RECVTTY_PID=$!
	wait_file "$1"
}

# recvtty_wait: wait (up to 10 s) for the receiver to see the pty close.
recvtty_wait() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$RECVTTY_PID" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$RECVTTY_PID" 2> /dev/null; then
		kill "$RECVTTY_PID"
		fail "recvtty did not finish"
	fi
	wait "$RECVTTY_PID" || fail "recvtty failed: $(cat "$T"/*.log 2> /dev/null)"
}
