#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # container scripts are single-quoted; bats sets $output
# containerd 1.6 (Debian 12) with ward as the runtime of containerd-shim-runc-v2:
# `ctr run --runc-binary ward`, and the CRI runtime "ward" of
# contrib/engines/containerd-config.toml (RuntimeClass handler "ward"), driven by
# tests/e2e/cri.py as the kubelet would. containerd runs with
# WARD_POLICY_FILE=contrib/engines/engines.policy (level = oci), as the snippet
# says; the annotation run.ward.policy=baseline shows what the default does.

load lib

c() { timeout -k 5 120 ctr -a "$E2E_TMP/containerd.sock" "$@"; }
# ctr run with ward; CTR_SHARES: see setup_file
cr() { c run --runc-binary "$RUNTIME" --runc-root "$E2E_TMP/runc-root" --cpu-shares "$CTR_SHARES" "$@"; }
REF=docker.io/library/$IMAGE:latest
PAUSE_REF=registry.k8s.io/pause:3.6 # containerd 1.6's default sandbox_image

setup_file() {
	e2e_setup_file containerd containerd python3 python3-grpcio || return 0
	local v2 cri=()
	v2=$(findmnt -rn -t cgroup2 -o TARGET | head -n 1)
	contrib_file containerd-config.toml "$E2E_TMP/ward.toml" -e "s#/run/containerd/ward#$E2E_TMP/ward-root#g"
	# This host's limits (not the snippet's business): where the cpu controller
	# is not on the cgroup v2 hierarchy (a hybrid host) ward refuses a cpu.shares,
	# which the CRI gives every pod sandbox and ctr every container (1024) unless
	# cgroups are off; without CAP_SYS_RESOURCE the sandbox's oom_score_adj
	# (-998) cannot be written.
	if grep -qw cpu "$v2/cgroup.controllers" 2> /dev/null; then
		CTR_SHARES=1024
	else
		CTR_SHARES=0
		cri+=("  disable_cgroup = true")
	fi
	(((0x$(awk '/^CapBnd:/ {print $2}' /proc/self/status) >> 24) & 1)) || # CAP_SYS_RESOURCE
		cri+=("  restrict_oom_score_adj = true")
	export CTR_SHARES
	{
		echo 'version = 2'
		echo "root = \"$E2E_TMP/root\""
		echo "state = \"$E2E_TMP/state\""
		printf '[%s]\n  address = "%s"\n' grpc "$E2E_TMP/containerd.sock" \
			ttrpc "$E2E_TMP/containerd.sock.ttrpc" debug "$E2E_TMP/debug.sock"
		# the snippet's tables as they are (its "version = 2" is above)
		grep -v '^version = 2$' "$E2E_TMP/ward.toml"
		if [ "${#cri[@]}" -gt 0 ]; then
			echo '[plugins."io.containerd.grpc.v1.cri"]'
			printf '%s\n' "${cri[@]}"
		fi
	} > "$E2E_TMP/config.toml"
	e2e_start_daemon containerd "ctr -a $E2E_TMP/containerd.sock version" \
		env "WARD_POLICY_FILE=$CONTRIB/engines.policy" containerd --config "$E2E_TMP/config.toml"
	c image import "$(oci_archive "$REF")" > /dev/null
	c -n k8s.io image import "$(oci_archive "$REF")" > /dev/null
	c -n k8s.io image import "$(oci_archive "$PAUSE_REF" '["sleep","2147483647"]')" > /dev/null
}

teardown_file() {
	e2e_teardown_file
}

teardown() {
	local id
	[ -n "${E2E_TMP:-}" ] || return 0
	for id in $(c task ls -q 2> /dev/null); do
		c task kill -s KILL "$id" > /dev/null 2>&1 || true
	done
	for id in $(c container ls -q 2> /dev/null); do
		c task rm -f "$id" > /dev/null 2>&1 || true
		c container rm "$id" > /dev/null 2>&1 || true
	done
}

task_status() { c task ls | awk -v id="$1" '$1 == id {print $3}'; }
_task_is() { [ "$(task_status "$2")" = "$1" ]; }
# wait_task STATUS ID: wait (10 s) until ctr shows the task in STATUS.
wait_task() { retry 100 0.1 _task_is "$1" "$2" || fail "task $2 is '$(task_status "$2")', expected $1"; }
# task_exit ID: the exit status of a stopped task (ctr prints it when deleting).
task_exit() {
	local out
	out=$(c task rm "$1" 2>&1)
	[[ $out =~ exit\ code\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

@test "containerd: ctr run prints the output and returns the exit status" {
	run cr --rm "$REF" out sh -c 'echo "hello from pid $$"; exit 3'
	assert_status 3
	assert_output "hello from pid 1"
}

@test "containerd: ward is the runtime (its state under --runc-root), ps through it" {
	cr -d "$REF" there sleep 1000
	assert_ward_state "$E2E_TMP/runc-root/default/there/state.json"
	run c task ps there
	assert_status 0
	assert_output_contains "$(jq -r .pid "$E2E_TMP/runc-root/default/there/state.json")"
	c task kill -s KILL there
	wait_task STOPPED there
	c task rm there
	[ ! -e "$E2E_TMP/runc-root/default/there" ] || fail "ward's state remains after task rm"
}

@test "containerd: ctr run with ctr's default --cpu-shares 1024" {
	run c run --rm --runc-binary "$RUNTIME" --runc-root "$E2E_TMP/runc-root" "$REF" shares true
	if [ "$CTR_SHARES" = 1024 ]; then
		assert_status 0
	else # the cpu controller is on cgroup v1 here: refused, naming the field and the fix
		[ "$status" -ne 0 ] || fail "a cpu.shares ward cannot enforce was accepted"
		assert_output_contains "linux.resources.cpu.shares: the cpu controller is not on this host's cgroup v2 hierarchy"
	fi
}

@test "containerd: run --rm removes the container and ward's state" {
	run cr --rm "$REF" gone sh -c 'echo bye; exit 2'
	assert_status 2
	assert_output bye
	run c container ls -q
	assert_output ""
	[ ! -e "$E2E_TMP/runc-root/default/gone" ] || fail "ward's state remains"
}

@test "containerd: detached run, then its log" {
	cr -d --log-uri "file://$E2E_TMP/logs.log" "$REF" logs sh -c 'echo out-line; echo err-line >&2; sleep 1000'
	wait_output_lines 2 cat "$E2E_TMP/logs.log"
	run cat "$E2E_TMP/logs.log"
	assert_output_contains out-line
	assert_output_contains err-line
	wait_task RUNNING logs
}

@test "containerd: kill TERM (handled: the container's own exit status)" {
	cr -d --log-uri "file://$E2E_TMP/stop1.log" "$REF" stop1 sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.2; done'
	wait_output_lines 1 cat "$E2E_TMP/stop1.log"
	c task kill stop1
	wait_task STOPPED stop1
	[ "$(task_exit stop1)" = 42 ] || fail "exit status is not 42"
}

@test "containerd: TERM ignored, then KILL after a grace period (a stop)" {
	cr -d --log-uri "file://$E2E_TMP/stop2.log" "$REF" stop2 sh -c "$TERM_IGNORER"
	wait_output_lines 1 cat "$E2E_TMP/stop2.log"
	c task kill -s TERM stop2
	sleep 2
	[ "$(task_status stop2)" = RUNNING ] || fail "the task did not survive an ignored TERM"
	c task kill -s KILL stop2
	wait_task STOPPED stop2
	[ "$(task_exit stop2)" = 137 ] || fail "exit status is not 137"
}

@test "containerd: kill with a chosen signal, and --all" {
	cr -d --log-uri "file://$E2E_TMP/kill.log" "$REF" kill1 sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.2; done'
	wait_output_lines 1 cat "$E2E_TMP/kill.log"
	c task kill -s USR1 kill1
	wait_output_lines 2 cat "$E2E_TMP/kill.log"
	grep -q got-usr1 "$E2E_TMP/kill.log" || fail "USR1 not delivered:" "$(cat "$E2E_TMP/kill.log")"
	c task kill --all -s KILL kill1
	wait_task STOPPED kill1
}

@test "containerd: pause freezes the task, resume thaws it" {
	cr -d --log-uri "file://$E2E_TMP/pause.log" "$REF" pause sh -c "$TICKER"
	assert_paused_then_resumed "c task pause pause" "c task resume pause" cat "$E2E_TMP/pause.log"
	wait_task RUNNING pause
}

@test "containerd: exec runs in the container, with its output, exit status and --user" {
	cr -d "$REF" exec sh -c 'echo $$ > /tmp/init; sleep 1000'
	run c task exec --exec-id e1 exec sh -c 'echo "init $(cat /tmp/init) $(cat /proc/1/comm)"; exit 5'
	assert_status 5
	assert_output "init 1 sleep"
	run c task exec --exec-id e2 --user 1000:1000 exec sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Uid "$(printf '1000\t1000\t1000\t1000')"
	assert_field Gid "$(printf '1000\t1000\t1000\t1000')"
	assert_field CapEff 0000000000000000
}

@test "containerd: exec -t gets a terminal of the client's size" {
	cr -d "$REF" exectty sleep 1000
	run "$PTY" 41 101 -- ctr -a "$E2E_TMP/containerd.sock" task exec -t --exec-id t1 exectty sh -c "$STTY_SIZE; exit 6"
	assert_status 6
	assert_output_contains "/dev/pts/0"
	assert_output_contains "size 41 101"
}

@test "containerd: run -t: a terminal, its size, and typed input" {
	run "$PTY" 33 77 --input 'echo typed-$((6*7)); stty size; exit 9\n' -- \
		ctr -a "$E2E_TMP/containerd.sock" run --rm -t --runc-binary "$RUNTIME" \
		--runc-root "$E2E_TMP/runc-root" --cpu-shares "$CTR_SHARES" "$REF" tty sh
	assert_status 9
	assert_output_contains "typed-42"
	assert_output_contains "33 77"
}

@test "containerd: --read-only makes the root filesystem read-only" {
	run cr --rm --read-only "$REF" ro sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field RootRW no
	assert_field Root ro
	run cr --rm "$REF" rw sh -c "$STATUS_SCRIPT"
	assert_field RootRW yes
}

@test "containerd: default capabilities, and --cap-drop of every one (ctr has no ALL)" {
	local cap drop=()
	run cr --rm "$REF" caps sh -c "$STATUS_SCRIPT"
	assert_field CapEff "$(cap_mask "${DEFAULT_CAPS[@]}")"
	assert_field CapInh 0000000000000000
	for cap in "${DEFAULT_CAPS[@]}"; do drop+=(--cap-drop "$cap"); done
	run cr --rm "${drop[@]}" "$REF" nocaps sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field CapEff 0000000000000000
	assert_field CapBnd 0000000000000000
}

@test "containerd: no_new_privs by default, and --allow-new-privs" {
	run cr --rm "$REF" nnp sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field NoNewPrivs 1
	run cr --rm --allow-new-privs "$REF" nonnp sh -c "$STATUS_SCRIPT"
	assert_field NoNewPrivs 0
}

@test "containerd: a new network namespace with only lo, and --net-host" {
	run cr --rm "$REF" net sh -c 'cat /proc/net/dev; ip -4 addr'
	assert_status 0
	[ "$(grep -c ':' <<< "$(sed 1,2d <<< "$output" | grep -E '^ *[a-z0-9]+:.*[0-9]+ +[0-9]+')")" -eq 1 ] ||
		fail "more than lo:" "$output"
	assert_output_contains "inet 127.0.0.1/8"
	run cr --rm --net-host "$REF" hostnet cat /proc/net/dev
	[ "$(grep -c ':' <<< "$output")" -eq "$(grep -c ':' /proc/net/dev)" ] ||
		fail "not the host's interfaces:" "$output"
}

# The policy: what ctr asks for by leaving fields out.
@test "containerd policy oci (engines.policy): no seccomp and --allow-new-privs hold" {
	run cr --rm --allow-new-privs "$REF" oci sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Seccomp 0 # ctr asks for none unless --seccomp
	assert_field NoNewPrivs 0
	run cr --rm --seccomp "$REF" seccomp sh -c "$STATUS_SCRIPT"
	assert_field Seccomp 2
}

@test "containerd policy baseline (run.ward.policy annotation): ward's defaults fill the gaps" {
	run cr --rm --allow-new-privs --annotation run.ward.policy=baseline "$REF" base sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Seccomp 2 # not asked for
	assert_field NoNewPrivs 1
}

# CRI: the RuntimeClass handler "ward" of the snippet, as the kubelet uses it.
cri() { timeout -k 5 120 /usr/bin/python3 "$E2E_DIR/cri.py" "$E2E_TMP/containerd.sock" run "$@"; }

@test "containerd CRI: a pod with runtime handler ward (BinaryName) runs with ward" {
	run cri ward "$REF" "$PAUSE_REF" --state-dir "$E2E_TMP/ward-root/k8s.io" -- sh -c "$STATUS_SCRIPT; exit 3"
	assert_status 3
	[[ ${lines[1]} == "state: {"* ]] || fail "no ward state for the container:" "$output"
	jq -e 'has("start_time") and has("has_tty")' <<< "${lines[1]#state: }" > /dev/null ||
		fail "not ward's state:" "${lines[1]}"
	assert_field NoNewPrivs 0
	assert_field Seccomp 0 # a pod without seccompProfile: unconfined
	assert_field CapEff "$(cap_mask "${DEFAULT_CAPS[@]}")"
}

@test "containerd CRI: runAsUser/Group 1000, readOnlyRootFilesystem, drop ALL, no privilege escalation" {
	run cri ward "$REF" "$PAUSE_REF" --user 1000:1000 --read-only --drop-all-caps --no-new-privs -- sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Uid "$(printf '1000\t1000\t1000\t1000')"
	assert_field Gid "$(printf '1000\t1000\t1000\t1000')"
	assert_field RootRW no
	assert_field CapEff 0000000000000000
	assert_field CapBnd 0000000000000000
	assert_field NoNewPrivs 1
}
