#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# The command line: --version, logging, list, spec, features, global flag forms.

load ../lib/common

@test "--version prints name and version, then commit: and spec: lines" {
	run --separate-stderr "$RUNTIME" --version
	assert_status 0
	[[ ${lines[0]} =~ ^$RUNTIME_NAME\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "first line: ${lines[0]}"
	[[ ${lines[1]} =~ ^commit:\ .+ ]] || fail "second line: ${lines[1]-}"
	[[ ${lines[2]} =~ ^spec:\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "third line: ${lines[2]-}"
}

@test "--log-format json writes {level,msg,time} lines to --log" {
	run --separate-stderr rt --log "$T/log.json" --log-format json state "no-such-$ID"
	assert_status 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line on stderr:" "$stderr"
	[ -s "$T/log.json" ] || fail "nothing logged"
	jq -e -s 'length >= 1 and all(.[]; (.level | type == "string") and (.msg | type == "string") and
		(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")))' "$T/log.json" > /dev/null ||
		fail "bad log lines:" "$(cat "$T/log.json")"
	jq -e -s 'any(.[]; .level == "error" and (.msg | contains("does not exist")))' "$T/log.json" > /dev/null ||
		fail "the error is not logged:" "$(cat "$T/log.json")"
}

@test "--log in text format gets the error too" {
	run --separate-stderr rt --log "$T/log.txt" state "no-such-$ID"
	assert_status 1
	grep -q "does not exist" "$T/log.txt" || fail "log:" "$(cat "$T/log.txt")"
}

@test "list: table, json and quiet formats" {
	start_sleeper "$ID-a"
	bundle_args true
	rt_detached create --bundle "$BUNDLE" "$ID-b"
	local pid_a
	pid_a=$(ctr_pid "$ID-a")

	run rt list
	assert_status 0
	[[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER ]] || fail "header: ${lines[0]}"
	assert_output_match "$ID-a +$pid_a +running +$BUNDLE +[0-9]{4}-"
	assert_output_match "$ID-b +[0-9]+ +created +$BUNDLE"
	[ "${#lines[@]}" -eq 3 ]

	run rt list --format json
	assert_status 0
	jq -e --arg a "$ID-a" --arg b "$ID-b" --arg bundle "$BUNDLE" --argjson pid "$pid_a" '
		length == 2 and
		(map(select(.id == $a))[0] | .status == "running" and .pid == $pid and .bundle == $bundle and (.created | type == "string")) and
		(map(select(.id == $b))[0] | .status == "created")' <<< "$output" || fail "list json:" "$output"

	run rt list -q
	assert_status 0
	[ "$(sort <<< "$output")" = "$(printf '%s\n' "$ID-a" "$ID-b")" ] || fail "list -q:" "$output"
}

@test "list of an empty root" {
	run rt list -q
	assert_status 0
	assert_output ""
	run rt list --format json
	assert_status 0
	jq -e 'length == 0' <<< "$output" > /dev/null || fail "list json: $output"
}

@test "global flags also work as --flag=value" {
	start_sleeper
	run "$RUNTIME" --root="$ROOT" list -q
	assert_status 0
	assert_output "$ID"
	run "$RUNTIME" --root="$ROOT" --log="$T/log" --log-format=json state "$ID"
	assert_status 0
	[ "$(jq -r .status <<< "$output")" = running ]
}

@test "spec writes a valid config.json and refuses to overwrite one" {
	local dir=$T/spec
	mkdir "$dir"
	run rt spec --bundle "$dir"
	assert_status 0
	jq -e '(.ociVersion | test("^1\\.")) and .root.path == "rootfs" and (.process.args | length > 0) and
		(.mounts | map(.destination) | index("/proc") != null) and
		(.linux.namespaces | map(.type) | index("mount") != null)' "$dir/config.json" > /dev/null ||
		fail "unexpected spec:" "$(cat "$dir/config.json")"
	run --separate-stderr rt spec --bundle "$dir"
	assert_status 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line on stderr:" "$stderr"
}

@test "the config from spec runs the busybox rootfs as its configured user" {
	rm "$BUNDLE/config.json"
	rt spec --bundle "$BUNDLE"
	bundle_set '.process.terminal = false'
	bundle_args sh -c 'id -u; touch / 2>/dev/null && echo root-writable; true'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_line_eq 0 "$(jq -r .process.user.uid "$BUNDLE/config.json")"
	if [ "$(jq -r .root.readonly "$BUNDLE/config.json")" = true ]; then
		refute_output_contains root-writable
	fi
}

@test "spec --rootless adds a user namespace with id mappings" {
	local dir=$T/spec
	mkdir "$dir"
	rt spec --rootless --bundle "$dir"
	jq -e '(.linux.namespaces | map(.type) | index("user") != null) and
		(.linux.uidMappings | length > 0) and (.linux.gidMappings | length > 0)' "$dir/config.json" > /dev/null ||
		fail "not rootless:" "$(cat "$dir/config.json")"
}

@test "ward: spec is hardened (nobody, no capabilities, no_new_privs, read-only root)" {
	ward_only
	local dir=$T/spec
	mkdir "$dir"
	rt spec --bundle "$dir"
	jq -e '.process.user.uid == 65534 and .process.user.gid == 65534 and
		([.process.capabilities // {} | .[]? | .[]?] | length == 0) and
		.process.noNewPrivileges == true and .root.readonly == true' "$dir/config.json" > /dev/null ||
		fail "spec is not hardened:" "$(cat "$dir/config.json")"
}

@test "features lists the hooks and namespaces supported" {
	run --separate-stderr rt features
	assert_status 0
	jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string") and
		(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"] - .hooks | length == 0) and
		(["pid", "network", "ipc", "uts", "mount", "cgroup"] - .linux.namespaces | length == 0)' <<< "$output" > /dev/null ||
		fail "features:" "$output"
}
