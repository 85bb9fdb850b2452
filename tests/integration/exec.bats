#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# exec: a new process in a running container, in all of its namespaces, with the
# container's security settings and the exec's own process settings.

load ../lib/common

# ward's errors exit 1; runc's exec uses 255 for its own errors.
assert_exec_error_status() {
	[ "$status" -eq 1 ] || { [ "$RUNTIME_NAME" = runc ] && [ "$status" -eq 255 ]; } ||
		fail "exit status $status, expected 1; stderr:" "$stderr"
}

@test "exec joins every namespace and the cgroup of the container" {
	bundle_set '.linux.namespaces += [{type: "cgroup"}]'
	start_sleeper
	run rt exec "$ID" sh -c 'for ns in pid net ipc uts mnt cgroup; do echo "$ns $(readlink /proc/self/ns/$ns) $(readlink /proc/1/ns/$ns)"; done
		[ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo same-cgroup'
	assert_status 0
	local ns self init
	while read -r ns self init; do
		[ "$ns" = same-cgroup ] && continue
		[ -n "$init" ] || fail "no /proc/1/ns/$ns inside:" "$output"
		[ "$self" = "$init" ] || fail "exec's $ns namespace $self is not the container's $init"
		[ "$self" != "$(readlink "/proc/self/ns/$ns")" ] || fail "exec is in the host's $ns namespace"
	done <<< "$output"
	assert_output_contains same-cgroup
}

@test "exec sees the container's filesystem and hostname" {
	bundle_set '.hostname = "exec-host"'
	start_sleeper
	touch "$BUNDLE/rootfs/only-in-rootfs"
	run rt exec "$ID" sh -c 'hostname; ls /only-in-rootfs; echo "pid $$"'
	assert_status 0
	assert_line_eq 0 exec-host
	assert_line_eq 1 /only-in-rootfs
	[[ ${lines[2]} =~ ^pid\ [0-9]+$ ]] && [ "${lines[2]}" != "pid 1" ] || fail "exec pid: ${lines[2]}"
}

@test "exec propagates the exit status" {
	start_sleeper
	run rt exec "$ID" sh -c 'exit 7'
	assert_status 7
	run rt exec "$ID" true
	assert_status 0
	[ "$(ctr_status)" = running ]
}

@test "exec --user sets uid and gid" {
	start_sleeper
	run rt exec --user 1000:1001 "$ID" sh -c 'id -u; id -g'
	assert_status 0
	assert_line_eq 0 1000
	assert_line_eq 1 1001
	run rt exec --user 65534 "$ID" id -u
	assert_output 65534
}

@test "exec --env adds to the config's environment" {
	start_sleeper
	run rt exec --env FOO=bar --env "SPACED=a b" "$ID" sh -c 'echo "$FOO|$SPACED|$PATH"'
	assert_status 0
	assert_output "bar|a b|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

@test "exec --cwd sets the working directory" {
	start_sleeper
	mkdir -p "$BUNDLE/rootfs/work"
	run rt exec --cwd /work "$ID" pwd
	assert_status 0
	assert_output /work
}

@test "exec --process runs a process.json" {
	start_sleeper
	jq -n '{args: ["sh", "-c", "echo \"$(id -u) $PWD $X\""], env: ["X=from-json", "PATH=/bin"], cwd: "/tmp",
		user: {uid: 123, gid: 456}, terminal: false}' > "$T/process.json"
	run rt exec --process "$T/process.json" "$ID"
	assert_status 0
	assert_output "123 /tmp from-json"
}

@test "exec --detach returns at once and writes the pid file" {
	bundle_share
	start_sleeper
	rt_detached exec --detach --pid-file "$T/exec.pid" "$ID" sh -c 'touch /shared/started; sleep 1000'
	wait_file "$SHARED/started"
	[ -s "$T/exec.pid" ]
	pid_alive "$(cat "$T/exec.pid")" || fail "the exec'd process $(cat "$T/exec.pid") is not running"
	[ "$(cat "$T/exec.pid")" != "$(ctr_pid)" ]
}

@test "exec gets the container's capabilities, no_new_privs and seccomp" {
	bundle_set '.process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}
		| .process.noNewPrivileges = true
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	start_sleeper
	run rt exec "$ID" sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/x || echo mkdir-denied'
	assert_status 0
	[ "$(status_field CapEff)" = "$(cap_mask CAP_KILL)" ] || fail "CapEff:" "$output"
	[ "$(status_field CapBnd)" = "$(cap_mask CAP_KILL)" ] || fail "CapBnd:" "$output"
	[ "$(status_field NoNewPrivs)" = 1 ]
	[ "$(status_field Seccomp)" = 2 ]
	assert_output_contains mkdir-denied
}

@test "exec --tty with --console-socket gives the process a pty" {
	start_sleeper
	recvtty_start "$T/exec.sock" "$T/tty.out"
	rt_detached exec --tty --detach --console-socket "$T/exec.sock" "$ID" sh -c 'tty; stty size'
	recvtty_wait
	run tr -d '\r' < "$T/tty.out"
	assert_output_match '^/dev/pts/[0-9]+'
}

@test "exec into a stopped container fails cleanly" {
	bundle_args true
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status stopped
	run --separate-stderr rt exec "$ID" true
	assert_exec_error_status
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one error line:" "$stderr"
}

@test "exec into a container that does not exist fails cleanly" {
	run --separate-stderr rt exec nope-"$ID" true
	assert_exec_error_status
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one error line:" "$stderr"
	[[ $stderr == *"does not exist"* ]] || fail "unexpected error:" "$stderr"
}

@test "exec'd processes die with the container on delete --force" {
	bundle_share
	start_sleeper
	rt_detached exec --detach --pid-file "$T/exec.pid" "$ID" sleep 1000
	local pid
	pid=$(cat "$T/exec.pid")
	pid_alive "$pid"
	rt delete --force "$ID"
	wait_pid_gone "$pid"
}

@test "exec does not leak the runtime's file descriptors" {
	start_sleeper
	exec 7< /dev/null
	run rt exec "$ID" ls /proc/self/fd
	exec 7<&-
	assert_status 0
	[ "${#lines[@]}" -le 4 ] || fail "unexpected open fds:" "$output"
}
