#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# The commands on a live container's cgroup, run inside a pure cgroup v2 VM
# (../shared/vm/vm-run, by tests/run.sh's "vm" suite): pause/resume, ps,
# update and events. Each asserts an effect: a counter that stops, a fork that
# fails at the new limit, an OOM kill and its event, throttled CPU time.

load ../lib/common

@test "pause freezes the container (cgroup.events frozen, the counter stops), resume thaws it; ps lists its pids" {
	start_counter
	rt exec -d "$ID" sleep 1000 || fail "exec failed"
	run rt ps --format json "$ID"
	assert_status 0
	# the init and the exec'd sleep (the counter's own sleeps come and go)
	jq -e --argjson init "$(ctr_pid)" 'any(.[]; . == $init) and length >= 2' <<< "$output" > /dev/null ||
		fail "the init $(ctr_pid) is not listed:" "$output"
	found=
	for p in $(jq '.[]' <<< "$output"); do
		[ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)" = "sleep 1000 " ] && found=$p
	done
	[ -n "$found" ] || fail "the exec'd sleep is not listed:" "$output"
	run rt pause "$ID"
	assert_status 0
	[ "$(ctr_status)" = paused ] || fail "status $(ctr_status)"
	cg=$(jq -r .cgroup "$ROOT/$ID/state.json")
	grep -qx "frozen 1" "$cg/cgroup.events" || fail "cgroup.events: $(cat "$cg/cgroup.events")"
	a=$(cat "$SHARED/n")
	sleep 0.5
	[ "$(cat "$SHARED/n")" = "$a" ] || fail "the counter went on while paused: $a -> $(cat "$SHARED/n")"
	run rt resume "$ID"
	assert_status 0
	retry 50 0.1 test "$(cat "$SHARED/n")" != "$a" || fail "the counter did not resume"
	[ "$(ctr_status)" = running ] || fail "status $(ctr_status)"
}

@test "update --pids-limit: the running container cannot fork beyond the new limit" {
	start_sleeper
	run rt update --pids-limit 5 "$ID"
	assert_status 0
	run rt exec "$ID" sh -c 'for i in $(seq 10); do sleep 5 & echo "spawned $i"; done; echo all-10'
	n=$(grep -o 'spawned [0-9]*' <<< "$output" | tail -n 1 | cut -d' ' -f2)
	[ -n "$n" ] && [ "$n" -lt 5 ] || fail "$n spawned under a limit of 5:" "$output"
	refute_output_contains all-10
	run rt update --resources - "$ID" <<< '{"pids": {"limit": 64}, "devices": [{"allow": true, "access": "rwm"}]}'
	assert_status 0
	run rt exec "$ID" sh -c 'for i in $(seq 10); do sleep 5 & done; echo all-10'
	assert_output_contains all-10
}

@test "update --memory: an allocation beyond the new limit is OOM-killed and events streams the oom" {
	start_sleeper
	# no limit yet: 48 MiB is fine
	run rt exec "$ID" dd if=/dev/zero of=/dev/null bs=50331648 count=1
	assert_status 0
	run rt update --memory 32m --memory-swap 32m "$ID"
	assert_status 0
	# the stream itself, not rt's buffered copy
	"$RUNTIME" --root "$ROOT" events --interval 60s "$ID" > "$T/events" 2>&1 &
	ev=$!
	sleep 1
	run rt exec "$ID" dd if=/dev/zero of=/dev/null bs=50331648 count=1
	[ "$status" -eq 137 ] || fail "not OOM-killed (137): status $status" "$output"
	retry 100 0.1 grep -q '"type":"oom"' "$T/events" || fail "no oom event:" "$(cat "$T/events")"
	jq -e --arg id "$ID" 'select(.type == "oom") | .id == $id' "$T/events" > /dev/null || fail "$(cat "$T/events")"
	kill "$ev"
	run rt events --stats "$ID"
	jq -e '.data.memory.usage.limit == 33554432 and .data.memory.usage.failcnt > 0' <<< "$output" > /dev/null ||
		fail "stats do not show the limit and its hits:" "$output"
}

@test "update --cpu-quota throttles a running container; events --stats reports it" {
	bundle_args sh -c 'while :; do :; done'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	run rt update --cpu-quota 10000 --cpu-period 100000 "$ID"
	assert_status 0
	sleep 1.5
	run rt events --stats "$ID"
	assert_status 0
	jq -e '.data.cpu.throttling.throttledPeriods > 0 and .data.cpu.usage.total > 0 and .data.pids.current == 1' \
		<<< "$output" > /dev/null || fail "not throttled:" "$output"
}

# filled BYTES: the container's memory usage is above BYTES.
filled() { [ "$(rt events --stats "$ID" | jq .data.memory.usage.usage)" -gt "$1" ]; }

@test "memory.checkBeforeUpdate refuses a limit below the current usage; without it the update applies" {
	bundle_set '.linux.resources.memory = {limit: 268435456, checkBeforeUpdate: true}'
	bundle_args sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1048576 count=24 2> /dev/null; sleep 1000'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	retry 50 0.2 filled 20000000 || fail "the container did not fill its memory"
	run --separate-stderr rt update --memory 8m "$ID"
	[ "$status" -eq 1 ] && [[ $stderr == *"below the container's current memory usage"*checkBeforeUpdate* ]] ||
		fail "expected a refusal: $status" "$stderr"
	run rt events --stats "$ID"
	jq -e '.data.memory.usage.limit == 268435456' <<< "$output" > /dev/null || fail "the limit changed:" "$output"
	run rt update --resources - "$ID" <<< '{"memory": {"limit": 134217728}}'
	assert_status 0
	run rt events --stats "$ID"
	jq -e '.data.memory.usage.limit == 134217728' <<< "$output" > /dev/null || fail "not applied:" "$output"
}
