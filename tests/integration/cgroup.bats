#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Commands on the container's cgroup v2 (on a hybrid host: its unified hierarchy,
# where cgroup.freeze, cgroup.kill and cgroup.procs work): pause, resume, ps, kill --all.
# Resource limits need every controller and are tested in the v2 VM (tests/vm).

load ../lib/common

# A container whose init never forks: exactly one process until exec adds one.
start_still() {
	bundle_args sleep 1000
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
}

@test "pause freezes every process (the counter stops) and resume thaws them" {
	start_counter
	run rt pause "$ID"
	assert_status 0
	[ "$(ctr_status)" = paused ] || fail "status is $(ctr_status), expected paused"
	a=$(cat "$SHARED/n")
	sleep 0.6
	b=$(cat "$SHARED/n")
	[ "$a" = "$b" ] || fail "the counter moved while paused: $a -> $b"
	run rt pause "$ID"
	[ "$status" -eq 1 ] && [[ $output == *"already paused"* ]] || fail "second pause: $output"
	run rt exec "$ID" true
	[ "$status" -ne 0 ] && [[ $output == *"paused"* ]] || fail "exec into a paused container: $output"
	run rt resume "$ID"
	assert_status 0
	[ "$(ctr_status)" = running ] || fail "status is $(ctr_status), expected running"
	retry 40 0.05 test "$(cat "$SHARED/n")" != "$b" || fail "the counter did not move after resume"
	run rt resume "$ID"
	[ "$status" -eq 1 ] && [[ $output == *"not paused"* ]] || fail "resume of a running container: $output"
}

@test "a paused container can be deleted with --force, leaving no process and no cgroup" {
	start_counter
	pid=$(ctr_pid)
	cg=$(jq -r .cgroup "$ROOT/$ID/state.json")
	rt pause "$ID"
	run rt delete "$ID"
	[ "$status" -eq 1 ] || fail "delete of a paused container without --force succeeded"
	run rt delete --force "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	[ ! -d "$cg" ] || fail "cgroup $cg remains"
}

@test "ps lists the container's processes: pids in json, ps's lines in a table" {
	start_still
	rt exec --detach "$ID" sleep 300
	init=$(ctr_pid)
	run rt ps --format json "$ID"
	assert_status 0
	jq -e --argjson init "$init" 'type == "array" and length == 2 and (index($init) != null)' <<< "$output" > /dev/null ||
		fail "ps json: $output"
	other=$(jq --argjson init "$init" '.[] | select(. != $init)' <<< "$output")
	[ "$(tr '\0' ' ' < "/proc/$other/cmdline")" = "sleep 300 " ] || fail "pid $other is not the exec'd sleep"
	run rt ps "$ID"
	assert_status 0
	[[ ${lines[0]} == *PID* ]] || fail "no ps header: $output"
	[ "${#lines[@]}" -eq 3 ] || fail "expected the header and two processes:" "$output"
	assert_output_contains "sleep 300"
	run rt ps "$ID" -- -o pid,comm
	assert_status 0
	[[ ${lines[0]} =~ PID[[:space:]]+COMMAND ]] || fail "ps-args not used: $output"
}

@test "kill --all signals every process of the container" {
	start_still
	rt exec --detach "$ID" sh -c 'trap "" TERM; exec sleep 300'
	run rt ps --format json "$ID"
	pids=$(jq -r '.[]' <<< "$output")
	[ "$(wc -w <<< "$pids")" -eq 2 ] || fail "expected two processes: $output"
	run rt kill --all "$ID" KILL
	assert_status 0
	for p in $pids; do wait_pid_gone "$p"; done
	wait_status stopped
}

@test "a hybrid host refuses a limit whose controller is not on its v2 hierarchy; the default pids limit is skipped with a warning" {
	ward_only "cgroup v2 placement"
	[ -r /sys/fs/cgroup/unified/cgroup.controllers ] || skip "not a hybrid host"
	grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers && skip "memory is on this host's v2 hierarchy"
	bundle_set '.linux.resources.memory = {limit: 33554432}'
	bundle_args true
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.memory.limit: the memory controller is not on this host's cgroup v2 hierarchy"*cgroup_no_v1=all* ]] ||
		fail "$stderr"
	grep -qw pids /sys/fs/cgroup/unified/cgroup.controllers && return 0
	bundle_set 'del(.linux.resources)'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	grep -q "default limits skipped: the pids controller" "$T/runtime.log" || fail "no warning:" "$(cat "$T/runtime.log")"
}

@test "without clone3 (ENOSYS) run and exec fall back to clone(2) and still place the processes in the container's cgroup" {
	command -v gcc > /dev/null || skip "no gcc on this host"
	gcc -O1 -o "$T/noclone3" "$BATS_TEST_DIRNAME/../lib/noclone3.c" -lseccomp
	# the filter is real: clone3 fails under it
	run "$T/noclone3" python3 -c 'import ctypes, sys; r = ctypes.CDLL(None, use_errno=True).syscall(435, 0, 0); sys.exit(ctypes.get_errno())'
	[ "$status" -eq 38 ] || fail "clone3 did not fail with ENOSYS under noclone3: $status"
	bundle_args sh -c 'cat /proc/self/cgroup; sleep 1000'
	"$T/noclone3" "$RUNTIME" --root "$ROOT" --log "$T/runtime.log" run -d --bundle "$BUNDLE" "$ID" \
		> "$T/out" 2> "$T/err" < /dev/null || fail "run under noclone3 failed" "$(cat "$T/err")"
	wait_status running
	ward_only "ward's state.json records the cgroup"
	cg=$(jq -r .cgroup "$ROOT/$ID/state.json")
	pid=$(ctr_pid)
	grep -qx "$pid" "$cg/cgroup.procs" || fail "init $pid not in $cg: $(cat "$cg/cgroup.procs")"
	"$T/noclone3" "$RUNTIME" --root "$ROOT" exec -d "$ID" sleep 999 < /dev/null 2> "$T/err" ||
		fail "exec under noclone3 failed" "$(cat "$T/err")"
	retry 50 0.1 test "$(wc -l < "$cg/cgroup.procs")" -eq 2 || fail "exec's process not in $cg: $(cat "$cg/cgroup.procs")"
	for p in $(cat "$cg/cgroup.procs"); do
		grep -q "sleep" "/proc/$p/cmdline" || fail "pid $p in the cgroup is not the container's: $(tr '\0' ' ' < "/proc/$p/cmdline")"
	done
}

@test "events --stats: one stats event in runc's shape whose cpu time grows while the container works" {
	bundle_args sh -c 'while :; do :; done'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	run --separate-stderr rt events --stats "$ID"
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line:" "$output"
	jq -e --arg id "$ID" '.type == "stats" and .id == $id and (.data | has("cpu") and has("memory")
		and has("pids") and has("blkio") and has("hugetlb")) and .data.cpu.usage.total > 0' <<< "$output" > /dev/null ||
		fail "not a stats event:" "$output"
	a=$(jq .data.cpu.usage.total <<< "$output")
	sleep 0.3
	b=$(rt events --stats "$ID" | jq .data.cpu.usage.total)
	[ "$b" -gt "$a" ] || fail "cpu time did not grow: $a then $b"
}

@test "events streams stats every --interval and ends when the container's init exits" {
	bundle_args sleep 2
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	SECONDS=0
	run --separate-stderr rt events --interval 300ms "$ID"
	assert_status 0
	[ "$SECONDS" -le 4 ] || fail "the stream did not end with the container (${SECONDS}s)"
	[ "${#lines[@]}" -ge 3 ] || fail "expected a stats event every 300ms for ~2s:" "$output"
	for l in "${lines[@]}"; do
		jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<< "$l" > /dev/null || fail "bad event: $l"
	done
	run --separate-stderr rt events --stats "$ID"
	[ "$status" -eq 1 ] && [[ $stderr == *"is not running"* ]] || fail "events of a stopped container: $status $stderr"
	run --separate-stderr rt events --interval 5x "$ID"
	[ "$status" -eq 1 ] && [[ $stderr == *"--interval"* ]] || fail "a bad --interval: $status $stderr"
}

@test "update refuses bad input with one line naming it, and what the hybrid host cannot enforce" {
	start_sleeper
	for args in "--memory 12q" "--pids-limit many" "--cpu-rt-runtime 1000" "--kernel-memory 1m" \
		"--l3-cache-schema L3:0=f" "--resources /nonexistent" "--resources - --memory 1m" ""; do
		# shellcheck disable=SC2086 # one flag and its value per word
		run --separate-stderr rt update $args "$ID" < /dev/null
		[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "update $args: status $status:" "$stderr"
	done
	run --separate-stderr rt update --resources - "$ID" <<< '{"cpu": '
	[ "$status" -eq 1 ] && [[ $stderr == *"invalid JSON"* ]] || fail "bad JSON: $stderr"
	run --separate-stderr rt update --resources - "$ID" <<< '{"unified": {"../cgroup.procs": "1"}}'
	[ "$status" -eq 1 ] && [[ $stderr == *"linux.resources.unified"* ]] || fail "escaping unified key: $stderr"
	run --separate-stderr rt update --cpu-rt-period 1000 "$ID"
	[[ $stderr == *"linux.resources.cpu.realtimePeriod"* ]] || fail "realtime: $stderr"
	if ! grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers 2> /dev/null && [ -r /sys/fs/cgroup/unified/cgroup.controllers ]; then
		run --separate-stderr rt update --memory 64m "$ID"
		[ "$status" -eq 1 ] && [[ $stderr == *"memory controller is not on this host's cgroup v2 hierarchy"* ]] ||
			fail "hybrid host: $stderr"
	fi
	# the container is unharmed, and a stopped one cannot be updated
	[ "$(ctr_status)" = running ] || fail "status $(ctr_status)"
	rt kill "$ID" KILL
	wait_status stopped
	run --separate-stderr rt update --pids-limit 10 "$ID"
	[ "$status" -eq 1 ] && [[ $stderr == *"not running"* ]] || fail "stopped: $stderr"
}

# cg_of PID: the process's cgroup v2 path ("0::" line of /proc/PID/cgroup).
cg_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

# placed CGROUPSPATH WANT: a container with that cgroupsPath ("" for none) runs in
# the cgroup WANT, and delete removes it ($mnt: the v2 hierarchy).
placed() {
	if [ -z "$1" ]; then
		bundle_set 'del(.linux.cgroupsPath)'
	else
		bundle_set '.linux.cgroupsPath = $p' --arg p "$1"
	fi
	start_sleeper
	[ "$(cg_of "$(ctr_pid)")" = "$2" ] || fail "cgroupsPath \"$1\": in $(cg_of "$(ctr_pid)"), expected $2"
	rt delete -f "$ID"
	[ ! -d "$mnt$2" ] || fail "$mnt$2 remains"
}

@test "placement: absent, relative and absolute cgroupsPath; '..' refused; delete removes the cgroup" {
	ward_only "ward's cgroup layout"
	local mnt=/sys/fs/cgroup/unified
	[ -r $mnt/cgroup.procs ] || mnt=/sys/fs/cgroup
	placed "" "/ward/$ID"
	placed "rel-$ID/c" "/ward/rel-$ID/c"
	rmdir "$mnt/ward/rel-$ID"
	placed "/abs-$ID/c" "/abs-$ID/c"
	rmdir "$mnt/abs-$ID"
	bundle_set '.linux.cgroupsPath = "/ok/../../escape"'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *cgroupsPath* ]] || fail "$stderr"
}

@test "a cgroup namespace shows the container its own cgroup as root, mounted read-only unless the config says rw" {
	bundle_own_cgroup
	ctr_sh 'echo "v2 $(grep ^0:: /proc/self/cgroup)"; echo "procs $(wc -l < /sys/fs/cgroup/cgroup.procs)"
		echo 0 > /sys/fs/cgroup/cgroup.freeze && echo wrote'
	assert_output_contains "v2 0::/"$'\n'
	n=$(sed -n 's/^procs //p' <<< "$output")
	[ -n "$n" ] && [ "$n" -le 3 ] || fail "the mount is not the container's own cgroup ($n processes)"
	refute_output_contains wrote
	assert_output_contains "Read-only file system"
	bundle_set '.mounts |= map(if .type == "cgroup2" then .options = ["rw"] else . end)'
	ctr_sh 'echo 0 > /sys/fs/cgroup/cgroup.freeze && echo wrote'
	assert_output_contains wrote
}

@test "delete removes the cgroup of a SIGKILLed init whose children live on (no pid namespace)" {
	bundle_set '.linux.namespaces |= map(select(.type != "pid"))'
	bundle_args sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	ward_only "state.json records the cgroup"
	cg=$(jq -r .cgroup "$ROOT/$ID/state.json")
	retry 50 0.1 test "$(wc -l < "$cg/cgroup.procs")" -eq 3 || fail "expected 3 processes: $(cat "$cg/cgroup.procs")"
	kids=$(cat "$cg/cgroup.procs")
	kill -9 "$(ctr_pid)"
	wait_status stopped
	[ "$(wc -l < "$cg/cgroup.procs")" -eq 2 ] || fail "the children did not outlive the init"
	run rt delete "$ID"
	assert_status 0
	for p in $kids; do wait_pid_gone "$p"; done
	[ ! -d "$cg" ] || fail "cgroup $cg remains"
}

@test "--cgroup-manager disabled: no cgroup of its own; a limit is refused; the commands that need one say so" {
	ward_only "ward's cgroup layout"
	bundle_set 'del(.linux.resources)'
	bundle_args sh -c 'grep "^0::" /proc/self/cgroup; sleep 1000'
	"$RUNTIME" --root "$ROOT" --log "$T/runtime.log" --cgroup-manager disabled run -d --bundle "$BUNDLE" "$ID" \
		< /dev/null > "$T/out" 2> "$T/err" || fail "run failed" "$(cat "$T/err")"
	wait_status running
	[ "$(jq -r .cgroup "$ROOT/$ID/state.json")" = null ] || fail "state records a cgroup"
	[ "$(sed -n 's/^0:://p' "/proc/$(ctr_pid)/cgroup")" = "$(sed -n 's/^0:://p' /proc/self/cgroup)" ] ||
		fail "the init is not in the caller's cgroup: $(cat "/proc/$(ctr_pid)/cgroup")"
	grep -q "no cgroup, so no resource limits" "$T/runtime.log" || fail "no warning:" "$(cat "$T/runtime.log")"
	for cmd in pause ps; do
		run --separate-stderr rt "$cmd" "$ID"
		[ "$status" -eq 1 ] && [[ $stderr == *"no cgroup"* ]] || fail "$cmd: $status $stderr"
	done
	run rt delete -f "$ID"
	assert_status 0
	bundle_set '.linux.resources.memory = {limit: 33554432}'
	run --separate-stderr "$RUNTIME" --root "$ROOT" --cgroup-manager=disabled create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.memory.limit: the container has no cgroup"* ]] || fail "$stderr"
}

@test "--systemd-cgroup: slice:prefix:name becomes the path systemd would give the unit" {
	ward_only "ward's cgroup layout"
	local mnt=/sys/fs/cgroup/unified
	[ -r $mnt/cgroup.procs ] || mnt=/sys/fs/cgroup
	bundle_set '.linux.cgroupsPath = $p' --arg p "wardtest-sd.slice:pfx:$ID"
	bundle_args sleep 1000
	"$RUNTIME" --root "$ROOT" --log "$T/runtime.log" --systemd-cgroup run -d --bundle "$BUNDLE" "$ID" \
		< /dev/null > "$T/out" 2> "$T/err" || fail "run failed" "$(cat "$T/err")"
	wait_status running
	want="/wardtest.slice/wardtest-sd.slice/pfx-$ID.scope"
	[ "$(sed -n 's/^0:://p' "/proc/$(ctr_pid)/cgroup")" = "$want" ] || fail "not in $want: $(cat "/proc/$(ctr_pid)/cgroup")"
	rt delete -f "$ID"
	[ ! -d "$mnt$want" ] || fail "$mnt$want remains"
	rmdir "$mnt/wardtest.slice/wardtest-sd.slice" "$mnt/wardtest.slice"
	bundle_set '.linux.cgroupsPath = "bad--name.slice:p:x"'
	run --separate-stderr "$RUNTIME" --root "$ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.cgroupsPath"*"bad slice name"* ]] || fail "$stderr"
}
