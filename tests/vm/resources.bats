#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Resource limits, run inside a pure cgroup v2 VM (../shared/vm/vm-run, by
# tests/run.sh's "vm" suite). Each asserts the limit's effect, not the file ward
# wrote: an OOM kill, a fork bomb stopped at the limit, throttled CPU time.

load ../lib/common

@test "memory: an allocation beyond linux.resources.memory.limit gets the container OOM-killed (run exits 137)" {
	bundle_set '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
	# the init itself allocates: dd's buffer is its block size, 128 MiB touched
	bundle_args dd if=/dev/zero of=/dev/null bs=134217728 count=1
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -eq 137 ] || fail "not OOM-killed (137): status $status" "$output"
	# and within the limit the same program is fine
	bundle_args dd if=/dev/zero of=/dev/null bs=8388608 count=1
	run rt run --bundle "$BUNDLE" "$ID-small" < /dev/null
	assert_status 0
}

# swap_on: 256 MiB of swap on a zram device (the VM has no disk; it is thrown away).
swap_on() {
	local m
	m=$(command -v modprobe || echo /run/vm/modprobe)
	grep -q zram /proc/swaps && return 0
	[ -e /sys/block/zram0 ] || "$m" zram || return 1
	echo 268435456 > /sys/block/zram0/disksize && mkswap /dev/zram0 > /dev/null && swapon /dev/zram0
}

@test "memory: swap (OCI's memory+swap) lets the container page out beyond its limit; swap == limit does not" {
	swap_on || skip "no zram swap in this VM"
	# limit 32 MiB, memory+swap 96 MiB: 48 MiB fits, part of it swapped out
	bundle_set '.linux.resources.memory = {limit: 33554432, swap: 100663296}'
	bundle_args dd if=/dev/zero of=/dev/null bs=50331648 count=1
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	# memory+swap == limit: no swap for this container, the same program is OOM-killed
	bundle_set '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
	run rt run --bundle "$BUNDLE" "$ID-noswap" < /dev/null
	[ "$status" -eq 137 ] || fail "not OOM-killed without swap (137): status $status" "$output"
}

# low_run LOW: container $ID-a (memory.low LOW; 4096 is next to none, and enables
# the memory controller as 0 would not) holds 48 MiB of shmem while its
# sibling $ID-b allocates 96 MiB under a common parent limited to 100 MiB;
# prints how much of a's memory went to swap (bytes).
low_run() {
	local parent=/sys/fs/cgroup/lowtest-$ID
	bundle_set '.linux.cgroupsPath = $p | .linux.resources.memory = {reservation: ($low | tonumber)}' \
		--arg p "/lowtest-$ID/a" --arg low "$1"
	bundle_share
	rm -f "$SHARED/held"
	bundle_args sh -c 'dd if=/dev/zero of=/dev/shm/hold bs=1048576 count=48 2> /dev/null; touch /shared/held; sleep 1000'
	rt_detached run -d --bundle "$BUNDLE" "$ID-a"
	retry 300 0.1 test -e "$SHARED/held" || fail "a did not fill its memory"
	echo 104857600 > "$parent/memory.max"
	bundle_set '.linux.cgroupsPath = $p | del(.linux.resources.memory)' --arg p "/lowtest-$ID/b"
	bundle_args dd if=/dev/zero of=/dev/null bs=100663296 count=1
	rt run --bundle "$BUNDLE" "$ID-b" < /dev/null > /dev/null 2>&1 || true
	cat "$parent/a/memory.swap.current"
	rt delete -f "$ID-a" > /dev/null
	rmdir "$parent/a" "$parent" 2> /dev/null || true
}

@test "memory: reservation (memory.low) keeps the container's memory in RAM when its sibling needs more" {
	swap_on || skip "no zram swap in this VM"
	unprotected=$(low_run 4096) || fail "the run without a reservation failed"
	protected=$(low_run 67108864) || fail "the run with a reservation failed"
	# seen: about 7 MiB without, 0 with
	[ "$unprotected" -gt 2097152 ] || fail "without a reservation, only $unprotected bytes were swapped out (the test applies no pressure)"
	[ "$protected" -lt $((unprotected / 4)) ] || fail "with memory.low, $protected bytes were swapped out (without: $unprotected)"
}

@test "pids: a fork bomb stops at linux.resources.pids.limit and the host is unaffected" {
	bundle_set '.linux.resources.pids = {limit: 16}'
	# echo is a builtin: the last "spawned N" is how far the bomb got; ash gives
	# up at its first failed fork
	bundle_args sh -c 'for i in $(seq 40); do sleep 5 & echo "spawned $i"; done; echo all-40'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	n=$(grep -o 'spawned [0-9]*' <<< "$output" | tail -n 1 | cut -d' ' -f2)
	[ -n "$n" ] || fail "nothing spawned:" "$output"
	[ "$n" -lt 16 ] && [ "$n" -ge 10 ] || fail "$n sleeps spawned under a limit of 16:" "$output"
	refute_output_contains all-40
	assert_output_match "fork"
	# the host still forks
	run true
	assert_status 0
}

# count_of KEY: N of the "KEY N" line in $output (a kernel counter the container printed).
count_of() { sed -n "s/^$1 \([0-9]*\)/\1/p" <<< "$output"; }

@test "cpu: quota/period throttle the container (the kernel counts throttled periods)" {
	bundle_set '.linux.resources.cpu = {quota: 10000, period: 100000}'
	bundle_own_cgroup
	bundle_args sh -c 'timeout 1 sh -c "while :; do :; done"; grep nr_throttled /sys/fs/cgroup/cpu.stat'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	n=$(count_of nr_throttled)
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "never throttled:" "$output"
}

@test "cpu: burst lets a container that was idle run beyond its quota for a while (the kernel counts bursts)" {
	bundle_set '.linux.resources.cpu = {quota: 20000, period: 100000, burst: 20000}'
	bundle_own_cgroup
	bundle_args sh -c 'sleep 1; timeout 1 sh -c "while :; do :; done"; grep -E "^(nr_bursts|burst_usec) " /sys/fs/cgroup/cpu.stat'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	n=$(count_of nr_bursts)
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "no burst counted:" "$output"
}

@test "the default pids limit applies when the config has none; unified keys take effect (memory.high reclaims)" {
	swap_on || skip "no zram swap in this VM"
	bundle_set 'del(.linux.resources.pids) | .linux.resources.unified = {"memory.high": "16777216"}'
	bundle_own_cgroup
	# 32 MiB past a memory.high of 16: the kernel reclaims (to swap) and counts it
	bundle_args sh -c 'cat /sys/fs/cgroup/pids.max; dd if=/dev/zero of=/dev/null bs=33554432 count=1 2> /dev/null
		grep "^high " /sys/fs/cgroup/memory.events'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_line_eq 0 4096
	n=$(count_of high)
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "memory.high never reclaimed:" "$output"
	bundle_set '.linux.resources.unified = {"../memory.max": "1"}'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
}

# busy ID [SHARES [IDLE]]: a detached container spinning on CPU 0 alone.
busy() {
	bundle_set '.linux.resources.cpu = {cpus: "0"}'
	[ -z "${2:-}" ] || bundle_set '.linux.resources.cpu.shares = ($s | tonumber)' --arg s "$2"
	[ -z "${3:-}" ] || bundle_set '.linux.resources.cpu.idle = ($i | tonumber)' --arg i "$3"
	bundle_args sh -c 'while :; do :; done'
	rt_detached run -d --bundle "$BUNDLE" "$1"
	wait_status running "$1"
}

cpu_ns() { rt events --stats "$1" | jq .data.cpu.usage.total; }

# split A B: the CPU time (ns) containers A and B get in 3 s, as "A B"; then
# both are deleted.
split() {
	local a0 b0 a b
	a0=$(cpu_ns "$1") b0=$(cpu_ns "$2")
	sleep 3
	a=$(($(cpu_ns "$1") - a0)) b=$(($(cpu_ns "$2") - b0))
	rt delete -f "$1" && rt delete -f "$2"
	echo "$a $b"
}

@test "cpu: cpus/mems confine the container (Cpus_allowed_list); shares become weights that split a contended CPU" {
	bundle_set '.linux.resources.cpu = {cpus: "1", mems: "0"}'
	ctr_sh 'grep -E "^(Cpus|Mems)_allowed_list" /proc/self/status'
	grep -qx "$(printf 'Cpus_allowed_list:\t1')" <<< "$output" || fail "not confined to cpu 1:" "$output"
	grep -qx "$(printf 'Mems_allowed_list:\t0')" <<< "$output" || fail "not confined to node 0:" "$output"
	busy "$ID-lo" 2
	busy "$ID-hi" 1024
	read -r lo hi < <(split "$ID-lo" "$ID-hi")
	# weights 1 and 39 (runc's and crun's mapping): far more than 4:1 in practice
	[ "$lo" -gt 0 ] && [ "$hi" -gt $((lo * 4)) ] || fail "shares 1024 got ${hi}ns, shares 2 got ${lo}ns"
}

@test "cpu: idle makes the container yield a contended CPU to a normal one" {
	busy "$ID-idle" 1024 1
	busy "$ID-normal" 1024
	read -r idle normal < <(split "$ID-idle" "$ID-normal")
	# equal shares: only cpu.idle tells them apart
	[ "$normal" -gt $((idle * 4)) ] || fail "normal got ${normal}ns, idle got ${idle}ns"
}

@test "hugetlb: hugepageLimits stop the container's huge page faults at the limit (SIGBUS)" {
	echo 8 > /proc/sys/vm/nr_hugepages # the VM is thrown away
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 4 ] || skip "no huge pages in this VM"
	gcc -static -O2 -o "$BUNDLE/rootfs/bin/hugepage" "$BATS_TEST_DIRNAME/../lib/hugepage.c"
	bundle_set '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
	bundle_args hugepage 2
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_output_contains "touched 2"
	bundle_args hugepage 4
	run rt run --bundle "$BUNDLE" "$ID-over" < /dev/null
	[ "$status" -eq 135 ] || fail "not stopped by SIGBUS (135): $status" "$output"
	assert_output_contains "touched 2"
	refute_output_contains "touched 3"
}
