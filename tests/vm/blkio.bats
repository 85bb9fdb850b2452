#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# linux.resources.blockIO and linux.resources.rdma, run inside a pure cgroup v2 VM
# (../shared/vm/vm-run, by tests/run.sh's "vm" suite). The VM has no disk: the
# block device is null_blk's /dev/nullb0 (memory-less, a module of the guest's
# kernel), else a loop device over a file. The throttles are asserted by their
# effect: direct I/O timed inside the container, and the io controller's io.stat.

load ../lib/common

modprobe_() {
	local m
	m=$(command -v modprobe || echo /run/vm/modprobe)
	"$m" "$@" > /dev/null 2>&1
}

# blk_dev: DEV (a block device of the VM), MAJ and MIN (its numbers).
blk_dev() {
	local img
	[ -b /dev/nullb0 ] || modprobe_ null_blk || true
	if [ -b /dev/nullb0 ]; then
		DEV=/dev/nullb0
	else
		modprobe_ loop || true
		img=$BATS_RUN_TMPDIR/disk.img
		[ -e "$img" ] || truncate -s 64M "$img"
		DEV=$(losetup -j "$img" | cut -d: -f1)
		[ -n "$DEV" ] || DEV=$(losetup -f --show "$img") || fail "no null_blk and no loop device"
	fi
	MAJ=$((0x$(stat -c %t "$DEV")))
	MIN=$((0x$(stat -c %T "$DEV")))
	SYSBLK=/sys/dev/block/$MAJ:$MIN
}

# bundle_blk: the device in the container as /dev/blk (allowed by the device
# cgroup, as engines do), and the container's own cgroup at /sys/fs/cgroup.
bundle_blk() {
	bundle_set '.linux.devices = [{path: "/dev/blk", type: "b", major: $maj, minor: $min, fileMode: 432}]
		| .linux.resources.devices = [{allow: false, access: "rwm"},
			{allow: true, type: "b", major: $maj, minor: $min, access: "rw"}]' \
		--argjson maj "$MAJ" --argjson min "$MIN"
	bundle_own_cgroup
}

# The seconds a command takes in the container, from /proc/uptime: "took N".
TIMED='t0=$(cut -d" " -f1 /proc/uptime); "$@" 2> /dev/null || echo "io failed"
	t1=$(cut -d" " -f1 /proc/uptime); echo "took $(awk "BEGIN { print $t1 - $t0 }")"'

took() { sed -n 's/^took //p' <<< "$output"; }

# io_stat KEY: the container's KEY= count for the device, as its io.stat printed it.
io_stat() {
	awk -v dev="$MAJ:$MIN" -v key="$1" '$1 == dev {
		for (i = 2; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[1] == key) print kv[2] }' <<< "$output"
}

cgroup_gone() {
	[ ! -d "/sys/fs/cgroup/ward/$ID" ] || fail "cgroup /sys/fs/cgroup/ward/$ID remains"
}

# read_4m RATE: a container reading 4 MiB from the device with direct I/O, under
# throttleReadBpsDevice RATE, then printing its io.max and io.stat.
read_4m() {
	blk_dev
	bundle_blk
	bundle_set '.linux.resources.blockIO = {throttleReadBpsDevice: [{major: $maj, minor: $min, rate: $rate}]}' \
		--argjson maj "$MAJ" --argjson min "$MIN" --argjson rate "$1"
	bundle_args sh -c "$TIMED"'; cat /sys/fs/cgroup/io.max /sys/fs/cgroup/io.stat' \
		sh dd if=/dev/blk of=/dev/null bs=1048576 count=4 iflag=direct
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	refute_output_contains "io failed"
	[ "$(io_stat rbytes)" -ge 4194304 ] || fail "io.stat does not count the 4 MiB read" "$output"
}

@test "blockIO: throttleReadBpsDevice holds direct reads of the device to its rate; io.stat counts them" {
	# 4 MiB at 1 MiB/s: about 4 s (the first MiB may pass at once)
	read_4m 1048576
	assert_output_contains "$MAJ:$MIN rbps=1048576 wbps=max riops=max wiops=max"
	awk -v t="$(took)" 'BEGIN { exit !(t >= 2.5) }' || fail "4 MiB read at 1 MiB/s in $(took) s" "$output"
}

@test "blockIO: a throttle rate of 0 is no limit (as in cgroup v1): the same read is fast" {
	read_4m 0
	refute_output_contains "rbps="
	awk -v t="$(took)" 'BEGIN { exit !(t < 1.5) }' || fail "an unlimited 4 MiB read took $(took) s" "$output"
}

@test "blockIO: throttleWriteIOPSDevice holds direct writes to its rate" {
	blk_dev
	bundle_blk
	bundle_set '.linux.resources.blockIO = {throttleWriteIOPSDevice: [{major: $maj, minor: $min, rate: 2}]}' \
		--argjson maj "$MAJ" --argjson min "$MIN"
	# 6 writes at 2 a second: about 3 s
	bundle_args sh -c "$TIMED"'; cat /sys/fs/cgroup/io.stat' \
		sh dd if=/dev/zero of=/dev/blk bs=4096 count=6 oflag=direct
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	refute_output_contains "io failed"
	awk -v t="$(took)" 'BEGIN { exit !(t >= 2) }' || fail "6 writes at 2 IOPS in $(took) s" "$output"
	[ "$(io_stat wios)" -ge 6 ] || fail "io.stat does not count the 6 writes" "$output"
}

# A weight has no effect to observe without two cgroups contending for a device
# that BFQ or iocost schedules, so these read the files it lands in.
@test "blockIO: weight lands in io.weight (iocost's 1..10000 scale) and, with BFQ loaded, in io.bfq.weight" {
	bundle_set '.linux.resources.blockIO = {weight: 100}'
	bundle_own_cgroup
	bundle_args sh -c 'cat /sys/fs/cgroup/io.weight; cat /sys/fs/cgroup/io.bfq.weight 2> /dev/null || echo no-bfq'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_line_eq 0 "default 910"
	# BFQ, when it is there (the guest loads it on demand), takes the weight as it is
	[ "${lines[1]}" = no-bfq ] || assert_line_eq 1 "default 100"

	modprobe_ bfq || skip "no BFQ module"
	bundle_set '.linux.resources.blockIO.weight = 1000'
	run rt run --bundle "$BUNDLE" "$ID-bfq" < /dev/null
	assert_status 0
	assert_line_eq 0 "default 10000"
	assert_line_eq 1 "default 1000"
}

@test "blockIO: a device's weight goes to BFQ when BFQ runs the device, and is refused when no scheduler weighs it" {
	blk_dev
	modprobe_ bfq || skip "no BFQ module"
	bundle_blk
	bundle_set '.linux.resources.blockIO = {weightDevice: [{major: $maj, minor: $min, weight: 500}]}' \
		--argjson maj "$MAJ" --argjson min "$MIN"
	bundle_args cat /sys/fs/cgroup/io.bfq.weight
	echo none > "$SYSBLK/queue/scheduler"
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.blockIO.weightDevice[0].weight: neither BFQ nor iocost schedules this device"* ]] ||
		fail "$stderr"
	cgroup_gone

	echo bfq > "$SYSBLK/queue/scheduler"
	run rt run --bundle "$BUNDLE" "$ID-bfq" < /dev/null
	echo none > "$SYSBLK/queue/scheduler"
	assert_status 0
	assert_output_contains "$MAJ:$MIN 500"
}

@test "blockIO: leafWeight is refused at create with one line and nothing left behind; engines' zeros are fine" {
	bundle_set '.linux.resources.blockIO = {weight: 500, leafWeight: 500}'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.blockIO.leafWeight: leaf weights do not exist in cgroup v2"* ]] || fail "$stderr"
	cgroup_gone

	bundle_set '.linux.resources.blockIO = {weightDevice: [{major: 8, minor: 0, weight: 500, leafWeight: 10}]}'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.blockIO.weightDevice[0].leafWeight: leaf weights do not exist"* ]] ||
		fail "$stderr"

	bundle_set '.linux.resources.blockIO = {weight: 0, leafWeight: 0, weightDevice: [],
		throttleReadBpsDevice: [], throttleWriteBpsDevice: [], throttleReadIOPSDevice: [],
		throttleWriteIOPSDevice: []} | .linux.resources.rdma = {}'
	bundle_args true
	run rt run --bundle "$BUNDLE" "$ID-zeros" < /dev/null
	assert_status 0
}

@test "blockIO: a throttle on a device the kernel does not have fails create cleanly, naming its JSON path" {
	bundle_set '.linux.resources.blockIO = {throttleWriteBpsDevice: [{major: 4000, minor: 4000, rate: 1048576}]}'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.resources.blockIO.throttleWriteBpsDevice[0]: "*"io.max: ENODEV"* ]] || fail "$stderr"
	cgroup_gone
}

@test "rdma: a limit for an RDMA device the host lacks fails create cleanly, naming linux.resources.rdma" {
	bundle_set '.linux.resources.rdma = {mlx5_0: {hcaHandles: 2, hcaObjects: 100}}'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	if grep -qw rdma /sys/fs/cgroup/cgroup.controllers; then
		# the kernel knows no device mlx5_0 (the guest has no RDMA drivers)
		[[ $stderr == *"linux.resources.rdma.mlx5_0: "*"rdma.max: ENODEV"* ]] || fail "$stderr"
	else
		[[ $stderr == *"linux.resources.rdma.mlx5_0: the rdma controller is not on this host's cgroup v2 hierarchy"* ]] ||
			fail "$stderr"
	fi
	cgroup_gone
}
