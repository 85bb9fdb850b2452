#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# The device cgroup: linux.resources.devices as a BPF program on the container's
# cgroup v2 (on a hybrid host: its unified hierarchy). Default deny; the rules,
# the last match winning; ward's default devices and linux.devices always allowed.
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

@test "devices: linux.devices nodes are allowed whatever the rules say, also for exec" {
	mknod_caps
	bundle_set '.linux.resources.devices = [{allow: false, access: "rwm"}]
		| .linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]'
	bundle_args sleep 1000
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	run rt exec "$ID" sh -c 'test -c /dev/fuse && echo fuse-node; mknod /tmp/f2 c 10 229 && echo fuse-mknod;
		mknod /tmp/sda b 8 0 && echo made-sda; true'
	assert_status 0
	assert_output_contains fuse-node
	assert_output_contains fuse-mknod
	refute_output_contains made-sda
}

@test "devices: a bad rule is refused at create, naming its JSON path" {
	bundle_set '.linux.resources.devices = [{allow: true, type: "x"}]'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.devices[0].type"* ]] || fail "$stderr"
}
