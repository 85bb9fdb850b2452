#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Policy levels (security.md §2): restricted refuses risky configs before anything
# is created, listing every violation; the host sets the level (flag or host file);
# a container's run.ward.policy annotation can tighten it, never loosen it; baseline
# logs each risky setting it honours. And ward audit / ward check (§5).

load ../lib/common

# A config the restricted level accepts: non-root, no capabilities, every namespace.
restricted_clean() {
	bundle_set '.process.user = {uid: 1000, gid: 1000}
		| .linux.namespaces += [{type: "cgroup"}]'
}

@test "restricted refuses a root config, one violation per line with its JSON path and fix" {
	ward_only "policy levels"
	bundle_set '.process.capabilities = {bounding: ["CAP_SYS_ADMIN"], effective: ["CAP_SYS_ADMIN"],
		permitted: ["CAP_SYS_ADMIN"]} | .process.noNewPrivileges = false'
	bundle_args true
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -eq 1 ] || fail "exit status $status, expected 1" "$stderr"
	[[ ${stderr_lines[0]} == *"refused by the restricted policy ("*" violations):" ]] ||
		fail "first line is not the summary:" "$stderr"
	for want in "process.user.uid: " "process.capabilities.bounding[0]: CAP_SYS_ADMIN" \
		"process.capabilities.effective[0]: " "process.noNewPrivileges: " "linux.namespaces: "; do
		printf '%s\n' "${stderr_lines[@]:1}" | grep -qF -- "  $want" || fail "no line for $want:" "$stderr"
	done
	# every violation line names a fix
	for line in "${stderr_lines[@]:1}"; do
		[[ $line == "  "*"(fix: "*")" ]] || fail "violation line without a fix: $line"
	done
	assert_no_container
}

@test "restricted runs a config without violations" {
	ward_only "policy levels"
	restricted_clean
	ctr_sh 'id -u; grep NoNewPrivs /proc/self/status'
	run rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_output_contains 1000
	assert_output_match "NoNewPrivs:[[:space:]]+1"
}

@test "the run.ward.policy annotation tightens the host's level" {
	ward_only "policy levels"
	bundle_set '.annotations = {"run.ward.policy": "restricted"}'
	bundle_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -eq 1 ] || fail "exit status $status, expected 1" "$stderr"
	[[ $stderr == *"refused by the restricted policy"* ]] || fail "not refused:" "$stderr"
	assert_no_container
}

@test "the run.ward.policy annotation cannot loosen the host's level" {
	ward_only "policy levels"
	bundle_set '.annotations = {"run.ward.policy": "oci"} | del(.process.noNewPrivileges)'
	bundle_args sh -c 'grep NoNewPrivs /proc/self/status'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	[[ $output =~ NoNewPrivs:[[:space:]]+1 ]] || fail "no_new_privs was loosened:" "$output"
	grep -q 'cannot loosen the host' "$T/runtime.log" || fail "no warning about the annotation:" "$(cat "$T/runtime.log")"
	# with the host at oci, the same config gets the spec's default
	run --separate-stderr rt --policy oci run --bundle "$BUNDLE" "$ID-oci" < /dev/null
	[[ $output =~ NoNewPrivs:[[:space:]]+0 ]] || fail "host level oci not honoured:" "$output"
}

@test "the host policy file sets the level; --policy overrides it" {
	ward_only "policy levels"
	printf '# host default\n\nlevel = restricted\n' > "$T/policy"
	bundle_args true
	WARD_POLICY_FILE=$T/policy run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -eq 1 ] && [[ $stderr == *"refused by the restricted policy"* ]] ||
		fail "the host file's restricted level was not applied:" "$stderr"
	WARD_POLICY_FILE=$T/policy run rt --policy baseline run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	printf 'level = lax\n' > "$T/policy"
	WARD_POLICY_FILE=$T/policy run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -eq 1 ] && [[ $stderr == *"policy file $T/policy"* ]] || fail "bad host file accepted:" "$stderr"
}

@test "baseline logs each honoured risky setting once, with its JSON path" {
	ward_only "policy levels"
	bundle_set '.process.capabilities = {bounding: ["CAP_NET_ADMIN"], effective: ["CAP_NET_ADMIN"],
		permitted: ["CAP_NET_ADMIN"]}'
	bundle_args true
	run rt --log "$T/log.json" --log-format json run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	run jq -r 'select(.level == "warning") | .msg' "$T/log.json"
	assert_output_contains "risky setting honoured: process.user.uid:"
	assert_output_contains "risky setting honoured: process.capabilities.effective[0]: CAP_NET_ADMIN"
	[ "$(grep -c 'capabilities.effective\[0\]' <<< "$output")" -eq 1 ] || fail "logged more than once:" "$output"
}

@test "an unknown syscall name: a warning in baseline, an error in restricted" {
	ward_only "policy levels"
	restricted_clean
	bundle_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "no_such_syscall"], action: "SCMP_ACT_ERRNO"}]}'
	bundle_args sh -c 'mkdir /tmp/x || echo denied'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_output_contains denied
	grep -qF 'linux.seccomp.syscalls[0].names[1]' "$T/runtime.log" || fail "no warning:" "$(cat "$T/runtime.log")"
	# restricted also refuses a default-allow profile: give it an allow-list one
	bundle_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO",
		syscalls: [{names: ["mkdir", "no_such_syscall"], action: "SCMP_ACT_ALLOW"}]}'
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -eq 1 ] && [[ $stderr == *'linux.seccomp.syscalls[0].names[1]'*no_such_syscall* ]] ||
		fail "restricted accepted an unknown syscall:" "$stderr"
	assert_no_container
}

@test "audit: ward spec scores at most 1.0; Docker's default scores above its --cap-drop ALL --user 1000 form" {
	ward_only "ward audit"
	mkdir "$T/spec"
	run rt spec --bundle "$T/spec"
	assert_status 0
	run rt audit --json "$T/spec"
	assert_status 0
	jq -e '.score <= 1.0 and (.findings | type == "array")' <<< "$output" > /dev/null || fail "$output"
	docker='.process.user = {uid: 0, gid: 0} | .root.readonly = false
		| .process.capabilities = ([
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"] as $c
		| {bounding: $c, effective: $c, permitted: $c})'
	jq "$docker" "$T/spec/config.json" > "$T/docker.json"
	jq "$docker | .process.capabilities = {bounding: [], effective: [], permitted: []}
		| .process.user = {uid: 1000, gid: 1000}" "$T/spec/config.json" > "$T/dropped.json"
	a=$(rt audit --json "$T/docker.json" | jq .score)
	b=$(rt audit --json "$T/dropped.json" | jq .score)
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(a > b) }' || fail "docker default $a is not above cap-drop $b"
	run rt audit --fail-above "$b" "$T/docker.json"
	assert_status 1
	assert_output_contains "exposure score: $a/10"
	assert_output_contains "W102"
}

@test "check: this host is ready, in both forms" {
	ward_only "ward check"
	run rt check
	assert_status 0
	assert_output_contains "openat2"
	run rt check --json
	assert_status 0
	jq -e '.ready == true and ([.checks[] | select(.verdict == "fail")] | length == 0)' <<< "$output" > /dev/null ||
		fail "$output"
}
