#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# The device cgroup: linux.resources.devices as a BPF program on the container's
# cgroup v2 (on a hybrid host: its unified hierarchy). Default deny; the rules,
# the last match winning; ward's default devices always allowed. linux.devices
# makes nodes, it grants no access: a node gets what the rules give it.
# Every test grants CAP_MKNOD, so that only the device cgroup stands in the way.

load ../lib/common

mknod_caps() {
	bundle_set '.process.capabilities = {bounding: ["CAP_MKNOD"], effective: ["CAP_MKNOD"], permitted: ["CAP_MKNOD"]}'
}

@test "devices: default deny: a host disk and /dev/mem cannot be made or opened, the default devices work" {
	mknod_caps
	bundle_set 'del(.linux.resources)'
	ctr_sh 'mknod /tmp/sda b 8 0 && echo made-sda; mknod /tmp/mem c 1 1 && echo made-mem;
		mknod /tmp/null2 c 1 3 && cat /tmp/null2 && echo null2-ok; cat /dev/zero | head -c 1 > /dev/null && echo zero-ok;
		echo x > /dev/full || echo full-enospc; ls /dev/pts/ptmx > /dev/null && echo ptmx-ok'
	assert_status 0
	refute_output_contains made-sda
	refute_output_contains made-mem
	assert_output_contains null2-ok
	assert_output_contains zero-ok
	assert_output_contains full-enospc
	assert_output_contains ptmx-ok
}

@test "devices: an allow rule grants only its access: c 1:1 allowed \"r\" cannot be mknod'ed" {
	mknod_caps
	bundle_set '.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 1, access: "r"}]'
	ctr_sh 'mknod /tmp/mem c 1 1 && echo made-mem; mknod /tmp/rnd c 1 8 && echo made-random; true'
	assert_status 0
	refute_output_contains made-mem
	assert_output_contains made-random
}

@test "devices: the last matching rule wins" {
	mknod_caps
	bundle_set '.linux.resources.devices = [{allow: true, type: "b", major: 7, access: "rwm"},
		{allow: false, type: "b", major: 7, minor: 3, access: "m"}]'
	ctr_sh 'mknod /tmp/loop2 b 7 2 && echo made-loop2; mknod /tmp/loop3 b 7 3 && echo made-loop3; true'
	assert_status 0
	assert_output_contains made-loop2
	refute_output_contains made-loop3
}

@test "devices: linux.devices nodes get only what the rules grant, also for exec" {
	mknod_caps
	bundle_set '.linux.resources.devices = [{allow: false, access: "rwm"}]
		| .linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]'
	bundle_args sleep 1000
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	run rt exec "$ID" sh -c 'test -c /dev/fuse && echo fuse-node; (exec 3<> /dev/fuse) && echo fuse-open;
		mknod /tmp/f2 c 10 229 && echo fuse-mknod; mknod /tmp/sda b 8 0 && echo made-sda;
		cat /dev/null && echo null-ok; true'
	assert_status 0
	assert_output_contains fuse-node
	refute_output_contains fuse-open
	refute_output_contains fuse-mknod
	refute_output_contains made-sda
	assert_output_contains null-ok
}

# Docker's --device /dev/sdb:/dev/sdb:r sends the node and an "r" rule: the node
# must be read-only. /dev/kmsg shows it on the host: what is written to it lands
# in the host's kernel log. Opening it for reading needs CAP_SYSLOG (dmesg_restrict).
@test "devices: /dev/kmsg in linux.devices allowed \"r\" can be read but not written (the host's kernel log stays clean)" {
	local mark="ward-kmsg-$$-$RANDOM-$ID"
	bundle_set '.process.capabilities = {bounding: ["CAP_MKNOD", "CAP_SYSLOG"], effective: ["CAP_MKNOD", "CAP_SYSLOG"], permitted: ["CAP_MKNOD", "CAP_SYSLOG"]}
		| .linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 11, access: "r"}]
		| .linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: 420}]'
	ctr_sh "test -c /dev/kmsg && echo kmsg-node; grep -q ' /dev/kmsg ' /proc/self/mountinfo && echo KMSG-BOUND;
		echo $mark > /dev/kmsg && echo WRITE-OK;
		dd if=/dev/kmsg of=/dev/null bs=8192 count=1 2> /dev/null && echo read-ok; true"
	assert_status 0
	if dmesg | grep -qF -- "$mark"; then
		fail "CRITICAL: the container wrote to the host's kernel log through an \"r\" device:" "$output"
	fi
	refute_output_contains WRITE-OK
	assert_output_contains "Operation not permitted"
	assert_output_contains kmsg-node
	refute_output_contains KMSG-BOUND # made with mknod, not the host's node
	assert_output_contains read-ok
}

@test "devices: a bad rule is refused at create, naming its JSON path" {
	bundle_set '.linux.resources.devices = [{allow: true, type: "x"}]'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.devices[0].type"* ]] || fail "$stderr"
}
