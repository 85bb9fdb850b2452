#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # container scripts are single-quoted; bats sets $output
# Podman 4.3 (Debian 12, rootful, through conmon) with ward as its runtime, set up
# by contrib/engines/podman-containers.conf (policy oci through engines.policy).
# `--runtime-flag policy=baseline` shows what ward's default policy does instead.

load lib

# PM: the podman command line with this run's private paths.
podman_cmd() {
	PM=(env "CONTAINERS_CONF=$E2E_TMP/containers.conf" podman
		--root "$E2E_TMP/storage" --runroot "$E2E_TMP/run" --tmpdir "$E2E_TMP/tmp"
		--network-config-dir "$E2E_TMP/net" --volumepath "$E2E_TMP/volumes"
		--cgroup-manager cgroupfs --events-backend file --storage-driver overlay
		--runtime "$RUNTIME")
}
# (timeout puts podman in a background process group: not for -it)
pm() {
	podman_cmd
	timeout -k 5 120 "${PM[@]}" "$@"
}

setup_file() {
	e2e_setup_file podman podman uidmap fuse-overlayfs slirp4netns catatonit conmon \
		containernetworking-plugins iproute2 python3 || return 0
	local nproc pid_max
	contrib_file podman-containers.conf "$E2E_TMP/containers.conf"
	# This host's limits, not the snippet's business: without CAP_SYS_RESOURCE
	# Podman's default rlimits (1048576) are above the hard limits.
	nproc=$(ulimit -Hu)
	pid_max=$(cat /proc/sys/kernel/pid_max)
	[ "$nproc" != unlimited ] && [ "$nproc" -le "$pid_max" ] || nproc=$pid_max
	{
		echo '[containers]'
		echo "default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=$nproc:$nproc\"]"
		# Podman's default pids limit (2048) is refused where the pids
		# controller is not on the cgroup v2 hierarchy (a hybrid host)
		if ! grep -qw pids "$(cgroup2_mount)/cgroup.controllers" 2> /dev/null; then
			echo 'pids_limit = 0'
		fi
	} >> "$E2E_TMP/containers.conf"
	pm import "$(image_rootfs_tar)" "$IMAGE" > /dev/null
}

teardown_file() {
	[ -z "${E2E_TMP:-}" ] || pm rm -a -f -t 0 > /dev/null 2>&1 || true
	e2e_teardown_file
}

teardown() {
	[ -z "${E2E_TMP:-}" ] || pm rm -a -f -t 0 > /dev/null 2>&1 || true
}

# cgroup2_mount: where the cgroup v2 hierarchy is (pure or hybrid host).
cgroup2_mount() { findmnt -rn -t cgroup2 -o TARGET | head -n 1; }

@test "podman: run prints the output and returns the exit status" {
	run pm run --name out "$IMAGE" sh -c 'echo "hello from $(hostname)"; exit 3'
	assert_status 3
	assert_output_match "^hello from [0-9a-f]{12}$"
	run pm inspect -f '{{.OCIRuntime}} {{.State.ExitCode}}' out
	assert_output "$RUNTIME 3"
}

@test "podman: ward is the runtime (its state in its root while it runs)" {
	local id
	id=$(pm run -d "$IMAGE" sleep 1000)
	# conmon gives no --root: ward's default
	assert_ward_state "/run/ward/$id/state.json"
	[ "$(jq -r .pid "/run/ward/$id/state.json")" = "$(pm inspect -f '{{.State.Pid}}' "$id")" ] ||
		fail "ward's pid is not Podman's"
	pm rm -f -t 0 "$id"
	[ ! -e "/run/ward/$id" ] || fail "ward's state remains after podman rm -f"
}

@test "podman: run --rm removes the container and ward's state" {
	local before after
	before=$(find /run/ward -mindepth 1 -maxdepth 1 2> /dev/null | wc -l)
	run pm run --rm --name gone "$IMAGE" sh -c 'echo bye; exit 2'
	assert_status 2
	assert_output bye
	run pm ps -aq --filter name=gone
	assert_output ""
	after=$(find /run/ward -mindepth 1 -maxdepth 1 2> /dev/null | wc -l)
	[ "$after" -le "$before" ] || fail "state left in /run/ward:" "$(ls /run/ward)"
}

@test "podman: detached run, then logs" {
	pm run -d --name logs "$IMAGE" sh -c 'echo out-line; echo err-line >&2; sleep 1000'
	wait_output_lines 2 pm logs logs
	run pm logs logs
	assert_output_contains out-line
	assert_output_contains err-line
	run pm inspect -f '{{.State.Status}}' logs
	assert_output running
}

@test "podman: stop sends TERM (handled: the container's own exit status)" {
	pm run -d --name stop1 "$IMAGE" sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.2; done'
	wait_output_lines 1 pm logs stop1
	SECONDS=0
	pm stop -t 10 stop1
	[ "$SECONDS" -lt 5 ] || fail "stop took ${SECONDS}s: TERM was not delivered"
	run pm inspect -f '{{.State.ExitCode}}' stop1
	assert_output 42
}

@test "podman: stop sends KILL after the grace period when TERM is ignored" {
	pm run -d --name stop2 "$IMAGE" sh -c "$TERM_IGNORER"
	wait_output_lines 1 pm logs stop2
	SECONDS=0
	pm stop -t 2 stop2
	[ "$SECONDS" -ge 2 ] || fail "stopped after ${SECONDS}s, before the grace period"
	run pm inspect -f '{{.State.ExitCode}} {{.State.Status}}' stop2
	assert_output "137 exited"
}

@test "podman: kill, with the default KILL and with a chosen signal" {
	pm run -d --name kill1 "$IMAGE" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.2; done'
	wait_output_lines 1 pm logs kill1
	pm kill -s USR1 kill1
	wait_output_lines 2 pm logs kill1
	run pm logs kill1
	assert_output_contains got-usr1
	pm kill kill1
	pm wait kill1 > /dev/null || true
	run pm inspect -f '{{.State.ExitCode}} {{.State.Status}}' kill1
	assert_output "137 exited"
}

@test "podman: pause freezes the container, unpause thaws it" {
	pm run -d --name pause "$IMAGE" sh -c "$TICKER"
	assert_paused_then_resumed "pm pause pause" "pm unpause pause" pm logs pause
	run pm inspect -f '{{.State.Status}}' pause
	assert_output running
}

@test "podman: exec runs in the container, with its output and exit status" {
	pm run -d --name exec "$IMAGE" sh -c 'echo $$ > /tmp/init; sleep 1000'
	run pm exec exec sh -c 'echo "init $(cat /tmp/init) $(cat /proc/1/comm)"; exit 5'
	assert_status 5
	assert_output "init 1 sleep"
}

@test "podman: exec -it gets a terminal of the client's size" {
	pm run -d --name exectty "$IMAGE" sleep 1000
	podman_cmd
	run "$PTY" 41 101 -- "${PM[@]}" exec -it exectty sh -c "$STTY_SIZE; exit 6"
	assert_status 6
	assert_output_contains "/dev/pts/0"
	assert_output_contains "size 41 101"
}

@test "podman: run -it: a terminal, its size, and typed input" {
	podman_cmd
	run "$PTY" 33 77 --input 'echo typed-$((6*7)); stty size; exit 9\n' -- "${PM[@]}" run --rm -it "$IMAGE" sh
	assert_status 9
	assert_output_contains "typed-42"
	assert_output_contains "33 77"
}

@test "podman: --read-only makes the root filesystem read-only" {
	run pm run --rm --read-only "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field RootRW no
	assert_field Root ro
	run pm run --rm "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field RootRW yes
}

@test "podman: --user 1000:1000 runs as that user, without capabilities" {
	run pm run --rm --user 1000:1000 "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Uid "$(printf '1000\t1000\t1000\t1000')"
	assert_field Gid "$(printf '1000\t1000\t1000\t1000')"
	assert_field CapEff 0000000000000000
}

@test "podman: default capabilities, and --cap-drop ALL" {
	run pm run --rm "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field CapEff "$(cap_mask "${DEFAULT_CAPS[@]}")"
	assert_field CapInh 0000000000000000
	assert_field CapAmb 0000000000000000
	run pm run --rm --cap-drop ALL "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field CapEff 0000000000000000
	assert_field CapPrm 0000000000000000
	assert_field CapBnd 0000000000000000
	run pm run --rm --cap-drop ALL --cap-add NET_BIND_SERVICE "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field CapEff "$(cap_mask CAP_NET_BIND_SERVICE)"
}

@test "podman: --security-opt no-new-privileges sets no_new_privs" {
	run pm run --rm --security-opt no-new-privileges "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field NoNewPrivs 1
	assert_field Seccomp 2
}

@test "podman: the default bridge network gives eth0 an address and a route to the host" {
	local gw subnet addr
	gw=$(pm network inspect podman | jq -r '.[0].subnets[0].gateway')
	subnet=$(pm network inspect podman | jq -r '.[0].subnets[0].subnet')
	[ -n "$gw" ] && [ "$gw" != null ] || fail "no gateway on the podman network"
	run pm run --rm "$IMAGE" sh -c "ip -4 addr show eth0; ip route; ping -c 1 -W 5 $gw"
	assert_status 0
	# an address of the network's subnet (the host's CNI leases decide which)
	addr=$(sed -n 's|.*inet \([0-9.]*\)/.*|\1|p' <<< "$output" | head -n 1)
	[ -n "$addr" ] || fail "eth0 has no IPv4 address:" "$output"
	python3 -c 'import ipaddress, sys; sys.exit(ipaddress.ip_address(sys.argv[1]) not in ipaddress.ip_network(sys.argv[2]))' \
		"$addr" "$subnet" || fail "$addr is not in $subnet:" "$output"
	assert_output_contains "default via $gw dev eth0"
	assert_output_contains "1 packets received"
}

@test "podman: --network none leaves only the loopback interface" {
	run pm run --rm --network none "$IMAGE" sh -c 'cat /proc/net/dev; ip -4 addr'
	assert_status 0
	refute_output_contains eth0
	assert_output_contains "lo:"
	assert_output_contains "inet 127.0.0.1/8"
}

# The policy: what Podman asks for by leaving fields out.
@test "podman: --cgroups=disabled runs the container in conmon's cgroup, none of its own" {
	run pm run --rm --cgroups=disabled "$IMAGE" sh -c 'grep "^0::" /proc/self/cgroup'
	assert_status 0
	[[ $output == 0::/* ]] || fail "no cgroup v2 line:" "$output"
	[[ $output != *"/ward/"* && $output != *libpod* ]] || fail "the container got a cgroup of its own:" "$output"
}

@test "podman policy oci (the snippet's): --privileged and seccomp=unconfined hold" {
	run pm run --rm "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field NoNewPrivs 0
	assert_field Seccomp 2
	assert_field Masked yes
	run pm run --rm --security-opt seccomp=unconfined "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field Seccomp 0
	run pm run --rm --privileged "$IMAGE" sh -c "$STATUS_SCRIPT; grep -E \" /proc/sys \" /proc/self/mountinfo | wc -l"
	assert_status 0
	assert_field Seccomp 0
	assert_field Masked no
	assert_field NoNewPrivs 0
	assert_field CapEff "$(grep CapBnd /proc/self/status | cut -f2)"
}

@test "podman policy baseline (ward's default): the same requests get ward's hardened defaults" {
	run pm --runtime-flag policy=baseline run --rm "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field NoNewPrivs 1 # not asked for
	run pm --runtime-flag policy=baseline run --rm --privileged "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Seccomp 2 # --privileged turns seccomp off
	assert_field Masked yes
	assert_field NoNewPrivs 1
}
