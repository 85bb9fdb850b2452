#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Container lifecycle: run, create/start/state/delete, kill, duplicate ids.

load ../lib/common

@test "run prints the container's stdout and stderr and exits 0" {
	ctr_sh_ok 'echo "hello from $(hostname)"; echo oops >&2'
	assert_output_contains "hello from ward"
	assert_output_contains "oops"
	run rt list -q
	assert_output ""
}

@test "run propagates the exit status of the container's process" {
	ctr_sh 'exit 3'
	assert_status 3
	ctr_sh 'exit 0'
	assert_status 0
}

@test "run exits 128+9 when the container's init is killed with SIGKILL" {
	bundle_args sleep 1000
	rt run --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 &
	local runner=$!
	wait_status running
	rt kill "$ID" KILL
	local rc=0
	wait "$runner" || rc=$?
	[ "$rc" -eq 137 ] || fail "run exited $rc, expected 137"
}

@test "run without a pid namespace: kill -9 \$\$ gives 137" {
	bundle_set '.linux.namespaces |= map(select(.type != "pid"))'
	ctr_sh 'kill -9 $$; echo survived'
	assert_status 137
	refute_output_contains survived
}

@test "create/start/state/delete: the program runs only after start" {
	bundle_share
	bundle_args sh -c 'touch /shared/started; while [ ! -e /shared/go ]; do sleep 0.1; done; touch /shared/finished'
	rt_detached create --bundle "$BUNDLE" --pid-file "$T/pid" "$ID"

	run rt state "$ID"
	assert_status 0
	[ "$(jq -r .status <<< "$output")" = created ] || fail "status is not created: $output"
	[ -s "$T/pid" ] || fail "pid file not written"
	local pid
	pid=$(cat "$T/pid")
	[ "$(jq -r .pid <<< "$output")" = "$pid" ] || fail "state pid differs from pid file $pid: $output"
	pid_alive "$pid" || fail "init process $pid does not exist"
	sleep 0.3
	[ ! -e "$SHARED/started" ] || fail "the program ran before start"

	rt start "$ID"
	wait_file "$SHARED/started"
	[ "$(ctr_status)" = running ] || fail "not running after start"
	[ ! -e "$SHARED/finished" ]

	touch "$SHARED/go"
	wait_file "$SHARED/finished"
	wait_status stopped
	wait_pid_gone "$pid"

	rt delete "$ID"
	run rt list -q
	assert_output ""
	run --separate-stderr rt state "$ID"
	assert_status 1
	[[ $stderr == *"does not exist"* ]] || fail "state after delete: $stderr"
	[ ! -e "$ROOT/$ID" ] || fail "state directory remains"
}

@test "state reports the runtime-spec fields" {
	rt_detached create --bundle "$BUNDLE" "$ID"
	run rt state "$ID"
	assert_status 0
	jq -e --arg id "$ID" --arg b "$BUNDLE" '
		.id == $id and .status == "created" and .bundle == $b and
		(.pid | type == "number" and . > 1) and (.ociVersion | type == "string") and
		(.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' <<< "$output" ||
		fail "unexpected state:" "$output"
}

@test "run -d returns while the container keeps running" {
	bundle_share
	bundle_args sh -c 'while :; do date +%s > /shared/tick; sleep 0.2; done'
	rt_detached run -d --bundle "$BUNDLE" --pid-file "$T/pid" "$ID"
	[ "$(ctr_status)" = running ]
	pid_alive "$(cat "$T/pid")"
	[ "$(ctr_pid)" = "$(cat "$T/pid")" ]
	wait_file "$SHARED/tick"
}

@test "delete refuses a running container; delete --force kills it" {
	start_sleeper
	local pid
	pid=$(ctr_pid)
	run --separate-stderr rt delete "$ID"
	assert_status 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one error line:" "$stderr"
	[ "$(ctr_status)" = running ] || fail "container no longer running after a refused delete"
	pid_alive "$pid"

	rt delete --force "$ID"
	wait_pid_gone "$pid"
	[ ! -e "$ROOT/$ID" ]
	run rt list -q
	assert_output ""
}

@test "a duplicate id is refused and the first container is unaffected" {
	start_sleeper
	local pid
	pid=$(ctr_pid)
	run --separate-stderr rt run -d --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one error line:" "$stderr"
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 1
	[ "$(ctr_status)" = running ]
	[ "$(ctr_pid)" = "$pid" ] || fail "the first container's pid changed"
	pid_alive "$pid"
	run rt list -q
	assert_output "$ID"
}

@test "kill sends SIGTERM by default" {
	bundle_share
	bundle_args sh -c 'trap "echo term > /shared/got; exit 0" TERM; touch /shared/ready; while :; do sleep 0.1; done'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_file "$SHARED/ready"
	rt kill "$ID"
	wait_status stopped
	[ "$(cat "$SHARED/got")" = term ]
}

@test "kill accepts a signal by name, SIG-name and number" {
	bundle_share
	bundle_args sh -c 'trap "echo usr1 >> /shared/got" USR1; touch /shared/ready; while :; do sleep 0.1; done'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_file "$SHARED/ready"
	local sig n
	n=0
	for sig in USR1 SIGUSR1 10; do
		rt kill "$ID" "$sig"
		n=$((n + 1))
		retry 50 0.1 eval '[ "$(wc -l < "$SHARED/got")" -eq '"$n"' ]' ||
			fail "signal $sig was not delivered"
	done
	[ "$(ctr_status)" = running ]
}

@test "kill of a stopped container fails with 'not running'" {
	bundle_args true
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status stopped
	run --separate-stderr rt kill "$ID" KILL
	assert_status 1
	[[ $stderr == *"not running"* ]] || fail "unexpected error:" "$stderr"
}

@test "kill --all reaches every process, also without a pid namespace" {
	# Without a pid namespace the child does not die with init: only --all reaches it.
	bundle_set '.linux.namespaces |= map(select(.type != "pid"))'
	bundle_share
	bundle_args sh -c 'sleep 1000 & echo $! > /shared/child; sleep 1000'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_file "$SHARED/child"
	local init child
	init=$(ctr_pid)
	child=$(cat "$SHARED/child")
	pid_alive "$child" || fail "child $child not running"
	rt kill --all "$ID" KILL
	wait_status stopped
	wait_pid_gone "$init"
	wait_pid_gone "$child"
}

@test "start of a running container fails and leaves it running" {
	start_sleeper
	run --separate-stderr rt start "$ID"
	assert_status 1
	[ "$(ctr_status)" = running ]
}
