#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Bad input: each is refused with exactly one line on stderr and exit status 1, and
# leaves no state directory and no process behind.

load ../lib/common

# create_fails: create must fail cleanly with the current bundle.
create_fails() {
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
}

@test "malformed config.json" {
	printf '{"ociVersion": "1.0.2", "process": {' > "$BUNDLE/config.json"
	create_fails
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_fails
}

@test "bundle directory that does not exist" {
	run --separate-stderr rt create --bundle "$T/no-such-bundle" "$ID" < /dev/null
	assert_clean_failure
}

@test "missing rootfs" {
	rm -rf "$BUNDLE/rootfs"
	create_fails
}

@test "missing executable" {
	bundle_args /bin/does-not-exist
	create_fails
	bundle_args does-not-exist-in-path
	create_fails
}

@test "executable that is not executable" {
	printf 'data\n' > "$BUNDLE/rootfs/notexec"
	chmod 644 "$BUNDLE/rootfs/notexec"
	bundle_args /notexec
	create_fails
}

@test "relative cwd" {
	bundle_set '.process.cwd = "tmp"'
	create_fails
}

@test "empty args" {
	bundle_set '.process.args = []'
	create_fails
}

@test "wrong JSON type: args is a string" {
	bundle_set '.process.args = "sh"'
	create_fails
}

@test "wrong JSON type: uid is a string" {
	bundle_set '.process.user.uid = "root"'
	create_fails
}

@test "no process object" {
	bundle_set 'del(.process)'
	create_fails
}

@test "unknown namespace type" {
	bundle_set '.linux.namespaces += [{type: "bogus"}]'
	create_fails
}

@test "unknown rlimit type" {
	bundle_set '.process.rlimits = [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]'
	create_fails
}

@test "a mount of an unknown filesystem type" {
	bundle_set '.mounts += [{destination: "/x", type: "no-such-fs", source: "none"}]'
	create_fails
}

@test "invalid container ids" {
	local id
	for id in ../evil a/b .. ""; do
		run --separate-stderr rt create --bundle "$BUNDLE" "$id" < /dev/null
		[ "$status" -eq 1 ] || fail "id '$id': exit status $status"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "id '$id': expected one line on stderr:" "$stderr"
	done
	[ ! -e "$T/evil" ] && [ ! -e "$ROOT/a" ] || fail "an invalid id created a directory"
	run rt list -q
	assert_output ""
}

@test "commands on a container that does not exist" {
	local cmd
	for cmd in state start delete kill; do
		run --separate-stderr rt $cmd "no-such-$ID"
		[ "$status" -eq 1 ] || fail "$cmd: exit status $status"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$cmd: expected one line on stderr:" "$stderr"
		[[ $stderr == *"does not exist"* ]] || fail "$cmd: unexpected error:" "$stderr"
	done
}

@test "a missing container id argument" {
	run --separate-stderr rt create --bundle "$BUNDLE"
	assert_status 1
	[ -n "$stderr" ] || fail "no error on stderr"
	[[ $stderr == *argument* ]] || [[ $stderr == *usage* ]] || [[ $stderr == *Usage* ]] ||
		fail "the error does not explain the usage:" "$stderr"
}

@test "an unknown signal name is refused and the container keeps running" {
	start_sleeper
	run --separate-stderr rt kill "$ID" NOSUCHSIG
	assert_status 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line on stderr:" "$stderr"
	[ "$(ctr_status)" = running ]
}

@test "an unknown command exits non-zero" {
	run --separate-stderr "$RUNTIME" --root "$ROOT" no-such-command
	[ "$status" -ne 0 ]
	[ -n "$stderr" ]
}
