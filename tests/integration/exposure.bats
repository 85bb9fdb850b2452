#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# What a container can see of the runtime's own processes (security.md §0:
# "nothing of the host is visible inside"). No process may be visible in a
# container's pid namespace while it holds a host directory fd, has not joined
# every other namespace, or is the host's runtime binary: at exec, at create in
# a joined pid namespace, and while a created container waits for start. A spy
# in the container (tests/lib/nsspy.c) watches every process of its pid
# namespace while the runtime works, and reports what it reached.

load ../lib/common

MOUNTED=()
teardown() {
	local rc=0 m
	teardown_common || rc=$?
	for m in "${MOUNTED[@]}"; do umount -l "$m" 2> /dev/null || true; done
	return "$rc"
}

# static_bin NAME: tests/lib/NAME.c built with gcc -static once per run; prints its path.
static_bin() {
	local dir=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}} bin
	bin="$dir/$1.static"
	(
		flock 9
		[ -x "$bin" ] || gcc -static -O2 -Wall -Werror -o "$bin" "$LIB_DIR/$1.c"
	) 9> "$dir/.$1.lock" || return 1
	echo "$bin"
}

# spy_bundle [ptrace]: the bundle runs the spy as its init; with "ptrace" as
# root with CAP_SYS_PTRACE (what `docker run --cap-add SYS_PTRACE` gives), else
# as uid 1000 without capabilities. A host-only mount (a tmpfs under $T) is the
# marker the spy looks for in mountinfo.
spy_bundle() {
	local bin marker=ward-hostonly-$$-$RANDOM
	bin=$(static_bin nsspy) || fail "cannot build tests/lib/nsspy.c"
	cp "$bin" "$BUNDLE/rootfs/bin/nsspy"
	mkdir -p "$T/$marker"
	mount -t tmpfs tmpfs "$T/$marker"
	MOUNTED+=("$T/$marker")
	if [ "${1:-}" = ptrace ]; then
		bundle_set '.process.user = {uid: 0, gid: 0}
			| .process.capabilities = {bounding: ["CAP_SYS_PTRACE"], effective: ["CAP_SYS_PTRACE"], permitted: ["CAP_SYS_PTRACE"]}'
	else
		bundle_set '.process.user = {uid: 1000, gid: 1000} | del(.process.capabilities)'
	fi
	chmod 1777 "$BUNDLE/rootfs/tmp"
	# shellcheck disable=SC2046 # the stat words are the spy's arguments
	bundle_args sh -c "nsspy $(stat -c '%d %i' /) $(stat -L -c '%d %i' "$RUNTIME") $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/net) $marker /tmp/stop > /tmp/spy.out 2>&1; touch /tmp/spy.done; while :; do sleep 1; done"
}

# spy_start ID: run the spy's bundle detached and wait until it scans.
spy_start() {
	rt_detached run -d --bundle "$BUNDLE" "$1"
	retry 100 0.1 grep -q SCANNING "$BUNDLE/rootfs/tmp/spy.out" ||
		fail "the spy did not start:" "$(cat "$BUNDLE/rootfs/tmp/spy.out" 2>&1)"
}

# spy_result: stop the spy; its report in $output. Fails on any HIT.
spy_result() {
	touch "$BUNDLE/rootfs/tmp/stop"
	wait_file "$BUNDLE/rootfs/tmp/spy.done"
	output=$(cat "$BUNDLE/rootfs/tmp/spy.out")
	[[ $output == *DONE* ]] || fail "the spy failed:" "$output"
	[[ $output != *HIT* ]] || fail "the container reached the host through a runtime process:" "$output"
}

@test "exec: a container with CAP_SYS_PTRACE never sees an exec'd process as the runtime binary, with host fds, root or namespaces" {
	local i
	spy_bundle ptrace
	spy_start "$ID"
	for ((i = 0; i < 60; i++)); do
		rt exec "$ID" true > /dev/null 2>&1 || fail "exec $i failed"
	done
	spy_result
	# the spy saw the exec'd processes: the test cannot pass by looking away
	[[ $output =~ DONE\ pids=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 30 ] ||
		fail "the spy saw fewer than 30 of the 60 exec'd processes:" "$output"
}

@test "exec: a capability-less container never reads the host's mounts or network through an exec'd process" {
	local i
	spy_bundle
	spy_start "$ID"
	for ((i = 0; i < 60; i++)); do
		rt exec "$ID" true > /dev/null 2>&1 || fail "exec $i failed"
	done
	spy_result
	[[ $output =~ DONE\ pids=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 30 ] ||
		fail "the spy saw fewer than 30 of the 60 exec'd processes:" "$output"
}

@test "create: a container joining another's pid namespace is never seen there as the runtime, with host fds, root or namespaces" {
	local spy_pid i joiner
	spy_bundle ptrace
	spy_start "$ID"
	spy_pid=$(ctr_pid)
	joiner=$T/joiner
	bundle_new "$joiner"
	bundle_set '.process.user = {uid: 1000, gid: 1000}
		| .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "/proc/$spy_pid/ns/pid"
	bundle_args sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	for ((i = 0; i < 15; i++)); do
		run rt run --bundle "$joiner" "$ID-j$i" < /dev/null
		assert_status 0
		# its /proc is the joined namespace's: pid 1 there is the spy's shell
		assert_output_contains nsspy
	done
	BUNDLE=$T/bundle spy_result
}

@test "create: a created container's init, waiting for start, is not the runtime binary and holds no host directory" {
	local i pid fd
	bundle_set '.process.capabilities = {bounding: ["CAP_SYS_PTRACE"], effective: ["CAP_SYS_PTRACE"], permitted: ["CAP_SYS_PTRACE"]}'
	bundle_args true
	rt_detached create --bundle "$BUNDLE" "$ID"
	wait_status created
	pid=$(ctr_pid)
	[ ! "/proc/$pid/exe" -ef "$RUNTIME" ] || fail "the created container's init is the runtime binary $RUNTIME"
	[ "/proc/$pid/root" -ef "$BUNDLE/rootfs" ] || fail "the created container's init is not in its root"
	for fd in "/proc/$pid"/fd/*; do
		[ -d "$fd" ] && fail "the created container's init holds a directory: $fd -> $(readlink "$fd")"
	done
	# and from inside: pid 1's exe is not the runtime
	run rt exec "$ID" sh -c 'stat -L -c "%d %i" /proc/1/exe'
	assert_status 0
	[ "$output" != "$(stat -L -c '%d %i' "$RUNTIME")" ] || fail "pid 1 of the created container is the runtime binary"
}

@test "an image's /etc/passwd that links through /proc/self/fd never makes the runtime read a host file (run and exec)" {
	local n hostfile
	hostfile=$(mktemp /tmp/ward-passwd.XXXXXX)
	printf 'root:x:0:0:root:/HOST-PASSWD-LEAK:/bin/sh\n' > "$hostfile"
	bundle_set '.process.env = ["PATH=/bin"]'
	bundle_args sh -c 'echo "home=$HOME"'
	for n in 3 4 5 6 7 8 9 10 11 12; do
		rm -f "$BUNDLE/rootfs/etc/passwd"
		ln -s "/proc/self/fd/$n/../../../../../../../../../../$hostfile" "$BUNDLE/rootfs/etc/passwd"
		run rt run --bundle "$BUNDLE" "$ID-$n" < /dev/null
		refute_output_contains HOST-PASSWD-LEAK
	done
	rm -f "$BUNDLE/rootfs/etc/passwd"
	printf 'root:x:0:0:root:/root:/bin/sh\n' > "$BUNDLE/rootfs/etc/passwd"
	start_sleeper
	rm -f "$BUNDLE/rootfs/etc/passwd"
	for n in 3 4 5 6 7 8 9 10 11 12; do
		ln -sf "/proc/self/fd/$n/../../../../../../../../../../$hostfile" "$BUNDLE/rootfs/etc/passwd"
		run rt exec "$ID" sh -c 'echo "home=$HOME"'
		refute_output_contains HOST-PASSWD-LEAK
	done
	rm -f "$hostfile"
}

@test "startContainer hooks run under the container's seccomp filter, user and capabilities" {
	ward_only "runc 1.1.5 runs startContainer hooks under the filter only with noNewPrivileges"
	chmod 1777 "$SHARED"
	bundle_share
	bundle_set '.process.user = {uid: 1000, gid: 1000}
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "grep -E \"^(Seccomp|Uid|CapEff):\" /proc/self/status > /shared/hook.out; cat > /shared/hook.state"]}]'
	bundle_args true
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	output=$(cat "$SHARED/hook.out")
	[ "$(status_field Seccomp)" = 2 ] || fail "the startContainer hook ran without the seccomp filter:" "$output"
	[[ $(status_field Uid) == "1000"* ]] || fail "the startContainer hook did not run as the container's user:" "$output"
	[ "$(status_field CapEff)" = 0000000000000000 ] || fail "the startContainer hook had capabilities:" "$output"
	[ "$(jq -r .status "$SHARED/hook.state")" = created ] || fail "hook state: $(cat "$SHARED/hook.state")"
}

@test "exec joins the container's time namespace" {
	ward_only "runc 1.1.5 has no time namespaces"
	[ -e /proc/self/ns/time ] || skip "no time namespaces on this kernel"
	bundle_set '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {boottime: {secs: 864000, nanosecs: 0}}'
	start_sleeper
	run rt exec "$ID" sh -c 'readlink /proc/self/ns/time; readlink /proc/1/ns/time; cut -d. -f1 /proc/uptime'
	assert_status 0
	[ "${lines[0]}" = "${lines[1]}" ] || fail "the exec'd process is not in the init's time namespace:" "$output"
	[ "${lines[2]}" -ge 864000 ] || fail "the exec'd process does not see the container's clock offset:" "$output"
}

@test "exec --pid-file replaces a symlink rather than writing through it" {
	start_sleeper
	echo victim > "$T/victim"
	ln -s "$T/victim" "$T/exec.pid"
	rt_detached exec --detach --pid-file "$T/exec.pid" "$ID" sleep 100
	[ "$(cat "$T/victim")" = victim ] || fail "exec --pid-file wrote through a symlink: $(cat "$T/victim")"
	[ ! -L "$T/exec.pid" ] || fail "the pid file is still the symlink"
	pid_alive "$(cat "$T/exec.pid")" || fail "the pid file does not name a live process: $(cat "$T/exec.pid")"
}

@test "create: a container cannot join the pid namespace of one still being created (its init is the runtime, with the host's root)" {
	ward_only "runc 1.1.5 lets a container join a pid namespace whose init is still runc init"
	local host_marker joiner first
	host_marker=$(mktemp /tmp/ward-marker.XXXXXX)
	echo host-only > "$host_marker"
	# the first container's createRuntime hook holds its init in setup
	bundle_set '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "jq -r .pid > '"$T"'/init.pid; sleep 4"]}]'
	bundle_args true
	rt run --bundle "$BUNDLE" "$ID" < /dev/null > "$T/first.out" 2>&1 &
	first=$!
	wait_file "$T/init.pid"
	retry 50 0.1 test -s "$T/init.pid"
	joiner=$T/joiner
	bundle_new "$joiner"
	bundle_set '.process.capabilities = {bounding: ["CAP_SYS_PTRACE"], effective: ["CAP_SYS_PTRACE"], permitted: ["CAP_SYS_PTRACE"]}
		| .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "/proc/$(cat "$T/init.pid")/ns/pid"
	bundle_args sh -c "cat /proc/1/root$host_marker"
	run --separate-stderr rt run --bundle "$joiner" "$ID-j" < /dev/null
	rm -f "$host_marker"
	[[ $output != *host-only* ]] || fail "CRITICAL: the joining container read a host file through the first one's init:" "$output"
	assert_clean_failure "$ID-j"
	[[ $stderr == *"still being created"* ]] || fail "$stderr"
	wait "$first" || fail "the first container failed:" "$(cat "$T/first.out")"
}
