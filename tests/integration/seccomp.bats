#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# The default seccomp profile (seccomp-profiles/default.json, built in): ordinary
# programs run unchanged under it with no capabilities, and what it denies is
# denied, observed from inside the container.

load ../lib/common

# A bundle whose rootfs is the host's /usr, /lib, /lib64, /bin and /etc, bound
# read-only, so that the host's own python3, perl and gcc run in it; uid 1000,
# no capabilities, default profile (no linux.seccomp), fresh /tmp.
host_tools_bundle() {
	rm -rf "$BUNDLE/rootfs"
	mkdir -p "$BUNDLE/rootfs"/{usr,lib,lib64,bin,etc,proc,dev,tmp,sys,work}
	bundle_set '.process.user = {uid: 1000, gid: 1000}
		| .process.env += ["HOME=/tmp", "LANG=C.UTF-8"] | .process.cwd = "/tmp"
		| .root.readonly = true | del(.linux.seccomp) | del(.process.capabilities)
		| .mounts += ([["/usr", "/usr"], ["/lib", "/lib"], ["/lib64", "/lib64"], ["/bin", "/bin"], ["/etc", "/etc"]]
			| map({destination: .[0], type: "bind", source: .[1], options: ["rbind", "ro", "nosuid", "nodev"]}))
		| .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]}]'
}

# run_host_tool SCRIPT: run it in the host-tools bundle; status and output as bats run.
run_host_tool() {
	bundle_args sh -c "grep -E '^(CapEff|Seccomp):' /proc/self/status; $1"
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
}

assert_filtered_unprivileged() {
	[ "$(status_field Seccomp)" = 2 ] || fail "not under a seccomp filter:" "$output"
	[ "$(status_field CapEff)" = 0000000000000000 ] || fail "has capabilities:" "$output"
}

@test "default profile: busybox sh and its applets run unchanged" {
	ward_only "the default profile"
	bundle_set 'del(.linux.seccomp) | .process.user = {uid: 1000, gid: 1000}'
	ctr_sh_ok 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /bin > /dev/null && ps > /dev/null &&
		sort /etc/passwd > /dev/null && echo a > /tmp/x && cat /tmp/x && sleep 0 && echo done'
	assert_filtered_unprivileged
	assert_output_contains done
}

@test "default profile: the host's python3 runs (threads, subprocess, sockets, sqlite, ssl)" {
	ward_only "the default profile"
	[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 on this host"
	host_tools_bundle
	run_host_tool '/usr/bin/python3 -c "
import ssl, sqlite3, subprocess, threading, socket, asyncio
t = threading.Thread(target=lambda: None); t.start(); t.join()
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.close()
db = sqlite3.connect(\":memory:\"); db.execute(\"select 1\")
print(\"py\", subprocess.run([\"true\"]).returncode, asyncio.run(asyncio.sleep(0, \"ok\")))"'
	assert_status 0
	assert_filtered_unprivileged
	assert_output_contains "py 0 ok"
}

@test "default profile: perl runs" {
	ward_only "the default profile"
	[ -x /usr/bin/perl ] || skip "no /usr/bin/perl on this host"
	host_tools_bundle
	run_host_tool '/usr/bin/perl -e "use POSIX; my \$p = fork(); if (!\$p) { exit 3 } waitpid(\$p, 0); print q(perl ), \$? >> 8, qq(\n)"'
	assert_status 0
	assert_filtered_unprivileged
	assert_output_contains "perl 3"
}

@test "default profile: gcc compiles and runs a program" {
	ward_only "the default profile"
	command -v gcc > /dev/null || skip "no gcc on this host"
	host_tools_bundle
	run_host_tool 'printf "#include <stdio.h>\nint main(void) { puts(\"compiled\"); return 0; }\n" > /tmp/h.c &&
		gcc -O1 -o /tmp/h /tmp/h.c && /tmp/h'
	assert_status 0
	assert_filtered_unprivileged
	assert_output_contains compiled
}

@test "default profile: a static binary runs" {
	ward_only "the default profile"
	host_tools_bundle
	cp "$BUSYBOX" "$BUNDLE/rootfs/work/busybox-static"
	run_host_tool '/work/busybox-static sh -c "echo static \$(/work/busybox-static uname -s)"'
	assert_status 0
	assert_filtered_unprivileged
	assert_output_contains "static Linux"
}

@test "default profile: keyrings, io_uring, userfaultfd, namespaces, mount and odd personalities are denied" {
	ward_only "the default profile"
	command -v gcc > /dev/null || skip "no gcc on this host"
	gcc -static -O1 -o "$BUNDLE/rootfs/denied" "$BATS_TEST_DIRNAME/../lib/seccomp-probe.c"
	bundle_set 'del(.linux.seccomp) | .process.user = {uid: 1000, gid: 1000}'
	bundle_args /denied
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	for want in "add_key EPERM" "keyctl EPERM" "io_uring_setup EPERM" "userfaultfd EPERM" \
		"unshare(CLONE_NEWUSER) EPERM" "mount EPERM" "personality(ADDR_NO_RANDOMIZE) EPERM" \
		"socket(AF_ALG) EPERM" "socket(AF_VSOCK) EPERM" "ptrace EPERM" "clone3 ENOSYS" \
		"personality(PER_LINUX) ok" "socket(AF_INET) ok" "getpid ok"; do
		assert_output_contains "$want"
	done
}

@test "default profile: a capability in the effective set lets its syscalls through" {
	ward_only "the default profile"
	command -v gcc > /dev/null || skip "no gcc on this host"
	gcc -static -O1 -o "$BUNDLE/rootfs/denied" "$BATS_TEST_DIRNAME/../lib/seccomp-probe.c"
	bundle_set 'del(.linux.seccomp) | .process.capabilities = {bounding: ["CAP_SYS_ADMIN"],
		effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"]}'
	bundle_args /denied
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	# past the filter: mount(2) now fails for its own reasons, not with EPERM from seccomp
	refute_output_contains "mount EPERM"
	refute_output_contains "unshare(CLONE_NEWUSER) EPERM"
	assert_output_contains "add_key EPERM"
}

@test "SCMP_ACT_NOTIFY: the listener fd and the state with listenerMetadata reach listenerPath" {
	command -v gcc > /dev/null || skip "no gcc on this host"
	gcc -O1 -o "$T/agent" "$BATS_TEST_DIRNAME/../lib/seccomp-agent.c"
	"$T/agent" "$T/agent.sock" "$T/agent.state" > "$T/agent.out" 2>&1 &
	agent=$!
	retry 50 0.1 test -S "$T/agent.sock" || fail "the agent did not start"
	bundle_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		listenerPath: $sock, listenerMetadata: "meta-\"x\"",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}' --arg sock "$T/agent.sock"
	bundle_args sh -c 'mkdir /tmp/d; echo "rc=$?"; touch /tmp/f && echo touched'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	# the agent answered mkdir with EOPNOTSUPP; other syscalls were untouched
	assert_output_contains "Operation not supported"
	assert_output_contains touched
	wait "$agent" # (a bare wait would also wait for bats' own timeout watchdog)
	jq -e --arg id "$ID" '.fds == ["seccompFd"] and .metadata == "meta-\"x\"" and .pid > 0
		and .state.id == $id and (.ociVersion | type == "string")' "$T/agent.state" > /dev/null ||
		fail "bad containerProcessState:" "$(cat "$T/agent.state")"
	grep -q "answered [1-9]" "$T/agent.out" || fail "the agent answered nothing:" "$(cat "$T/agent.out")"
}
