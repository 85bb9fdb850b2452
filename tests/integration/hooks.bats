#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# OCI hooks: all six kinds, the state they get on stdin, their namespaces, failures.

load ../lib/common

# A host-side hook: appends "KIND <mnt ns> <state json>" to $SHARED/log.
write_hook() {
	cat > "$T/hook.sh" <<-'HOOK'
		#!/bin/sh
		printf '%s %s %s\n' "$1" "$(readlink /proc/self/ns/mnt)" "$(tr -d '\n')" >> "$2"
	HOOK
	chmod +x "$T/hook.sh"
}

# hook_entry KIND: the JSON for a host hook of that kind.
hook_entry() {
	jq -n --arg p "$T/hook.sh" --arg k "$1" --arg log "$SHARED/log" '{path: $p, args: ["hook.sh", $k, $log]}'
}

# Sets up all six hooks; startContainer runs in the container, so it is busybox sh
# writing to the shared directory mounted at /shared.
all_hooks() {
	write_hook
	bundle_share
	local start
	start=$(jq -n '{path: "/bin/sh", args: ["sh", "-c",
		"printf \"%s %s %s\\n\" startContainer \"$(readlink /proc/self/ns/mnt)\" \"$(tr -d \"\\n\")\" >> /shared/log"]}')
	bundle_set '.hooks = {prestart: [$pre], createRuntime: [$cr], createContainer: [$cc],
		startContainer: [$sc], poststart: [$ps], poststop: [$pst]}' \
		--argjson pre "$(hook_entry prestart)" --argjson cr "$(hook_entry createRuntime)" \
		--argjson cc "$(hook_entry createContainer)" --argjson sc "$start" \
		--argjson ps "$(hook_entry poststart)" --argjson pst "$(hook_entry poststop)"
}

# From the log line of a hook kind: the line, its state JSON, its mnt namespace, its line number.
hook_line() { grep "^$1 " "$SHARED/log" | head -n 1; }
hook_state() { hook_line "$1" | cut -d' ' -f3-; }
hook_ns() { hook_line "$1" | cut -d' ' -f2; }
hook_pos() { grep -n "^$1 " "$SHARED/log" | head -n 1 | cut -d: -f1; }
assert_before() {
	[ "$(hook_pos "$1")" -lt "$(hook_pos "$2")" ] || fail "$1 did not run before $2; log:" "$(cat "$SHARED/log")"
}

@test "all six hooks run, in order, with the state on stdin" {
	all_hooks
	bundle_args sh -c 'echo "main $(readlink /proc/self/ns/mnt)" >> /shared/log'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	local kind
	for kind in prestart createRuntime createContainer startContainer poststart poststop main; do
		[ -n "$(hook_pos $kind)" ] || fail "$kind did not run; log:" "$(cat "$SHARED/log")"
	done
	# creation hooks before the start hooks, startContainer before the program, poststop last
	assert_before prestart createContainer
	assert_before createRuntime createContainer
	assert_before createContainer startContainer
	assert_before createContainer poststart
	assert_before startContainer main
	[ "$(hook_pos poststop)" -eq "$(wc -l < "$SHARED/log")" ] || fail "poststop is not last:" "$(cat "$SHARED/log")"

	for kind in prestart createRuntime createContainer startContainer poststart poststop; do
		hook_state $kind | jq -e --arg id "$ID" --arg b "$BUNDLE" '.id == $id and .bundle == $b and (.ociVersion | type == "string")' > /dev/null ||
			fail "$kind: bad state: $(hook_state $kind)"
	done
	# The spec's lifecycle runs these hooks after step 2, the end of "creating",
	# but before the create operation returns: runc says creating, others created.
	assert_hook_status prestart 'creating|created'
	assert_hook_status createRuntime 'creating|created'
	assert_hook_status createContainer 'creating|created'
	assert_hook_status startContainer created
	assert_hook_status poststart 'created|running'
	assert_hook_status poststop stopped
	hook_state createRuntime | jq -e '.pid > 1' > /dev/null || fail "createRuntime: no host pid:" "$(cat "$SHARED/log")"
}

# assert_hook_status KIND REGEX: the status in the state the hook got.
assert_hook_status() {
	local got
	got=$(hook_state "$1" | jq -r .status)
	[[ $got =~ ^($2)$ ]] || fail "$1 hook got status '$got', expected '$2'; log:" "$(cat "$SHARED/log")"
}

@test "hooks run in the right mount namespace" {
	all_hooks
	bundle_args sh -c 'echo "main $(readlink /proc/self/ns/mnt)" >> /shared/log'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	local host ctr kind
	host=$(readlink /proc/self/ns/mnt)
	ctr=$(grep '^main ' "$SHARED/log" | cut -d' ' -f2)
	[ "$ctr" != "$host" ]
	for kind in prestart createRuntime poststart poststop; do
		[ "$(hook_ns $kind)" = "$host" ] || fail "$kind ran in $(hook_ns $kind), not the runtime's $host"
	done
	for kind in createContainer startContainer; do
		[ "$(hook_ns $kind)" = "$ctr" ] || fail "$kind ran in $(hook_ns $kind), not the container's $ctr"
	done
}

@test "a failing createRuntime hook fails create and leaves nothing behind" {
	bundle_share
	bundle_set '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "exit 7"]}]'
	bundle_args sh -c 'touch /shared/ran'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[ ! -e "$SHARED/ran" ]
}

@test "a failing prestart hook fails run; the program never runs" {
	bundle_share
	bundle_set '.hooks.prestart = [{path: "/bin/false", args: ["false"]}]'
	bundle_args sh -c 'touch /shared/ran'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -ne 0 ]
	[ ! -e "$SHARED/ran" ]
	assert_no_container
}

@test "a hook that does not finish within its timeout fails the create" {
	bundle_set '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	local start=$SECONDS
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -ne 0 ]
	[ $((SECONDS - start)) -lt 20 ] || fail "the timeout was not applied"
	assert_no_container
}

@test "hook args and env are passed" {
	bundle_share
	bundle_set '.hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "echo \"$0 $1 $HOOKVAR\" > \($d)/hookenv", "arg0", "arg1"], env: ["HOOKVAR=hv"]}]' \
		--arg d "$SHARED"
	ctr_sh_ok true
	[ "$(cat "$SHARED/hookenv")" = "arg0 arg1 hv" ]
}
