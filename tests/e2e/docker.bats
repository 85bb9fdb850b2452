#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # container scripts are single-quoted; bats sets $output
# Docker (dockerd 20.10 from Debian 12, through containerd-shim-runc-v2) with ward
# as its runtime, registered by contrib/engines/docker-daemon.json (--policy oci).
# "ward-baseline" is the same binary without runtime arguments, to show what the
# default policy does to Docker's configs.

load lib

dk() { timeout -k 5 120 /usr/bin/docker -H "unix://$E2E_TMP/docker.sock" "$@"; }

setup_file() {
	e2e_setup_file docker docker.io iptables python3 || return 0
	# a bridge that another dockerd of this host already uses is left alone
	if ip link show docker0 > /dev/null 2>&1; then : > "$E2E_TMP/docker0.existed"; fi
	contrib_file docker-daemon.json "$E2E_TMP/daemon.json"
	# no systemd here: cgroupfs (Docker's own cgroups are v1 on a hybrid host;
	# ward uses the v2 hierarchy); no iptables rules on the host: the default
	# bridge still connects the containers to the host
	e2e_start_daemon dockerd "/usr/bin/docker -H unix://$E2E_TMP/docker.sock version" \
		/usr/sbin/dockerd --config-file "$E2E_TMP/daemon.json" \
		--add-runtime "ward-baseline=$RUNTIME" \
		--data-root "$E2E_TMP/data" --exec-root "$E2E_TMP/exec" \
		--pidfile "$E2E_TMP/dockerd.pid" -H "unix://$E2E_TMP/docker.sock" \
		--exec-opt native.cgroupdriver=cgroupfs --iptables=false --ip-masq=false
	dk import "$(image_rootfs_tar)" "$IMAGE" > /dev/null
}

teardown_file() {
	local keep_bridge=0
	[ -n "${E2E_TMP:-}" ] || return 0
	[ ! -e "${E2E_TMP:-/nonexistent}/docker0.existed" ] || keep_bridge=1
	e2e_teardown_file
	[ "$keep_bridge" = 1 ] || ip link del docker0 2> /dev/null || true
}

teardown() {
	local ids
	[ -n "${E2E_TMP:-}" ] || return 0
	ids=$(dk ps -aq 2> /dev/null) || return 0
	# shellcheck disable=SC2086 # one id per word
	[ -z "$ids" ] || dk rm -f $ids > /dev/null 2>&1 || true
}

# The directory where the shim keeps ward's state for container ID.
state_file() { echo "$E2E_TMP/exec/runtime-runc/moby/$1/state.json"; }

@test "docker: the daemon lists ward, and runs it with the snippet's --policy oci" {
	run dk info --format '{{json .Runtimes}}'
	assert_status 0
	[ "$(jq -r '.ward.path' <<< "$output")" = "$RUNTIME" ] ||
		fail "runtime ward is not $RUNTIME:" "$output"
	[ "$(jq -c '.ward.runtimeArgs' <<< "$output")" = '["--policy","oci"]' ] ||
		fail "runtimeArgs:" "$output"
}

@test "docker: run prints the output and returns the exit status" {
	run dk run --runtime ward --name out "$IMAGE" sh -c 'echo "hello from $(hostname)"; exit 3'
	assert_status 3
	assert_output_match "^hello from [0-9a-f]{12}$"
	run dk inspect -f '{{.HostConfig.Runtime}} {{.State.ExitCode}}' out
	assert_output "ward 3"
}

@test "docker: ward is the runtime (its state under the shim's root while it runs)" {
	local id
	id=$(dk run -d --runtime ward "$IMAGE" sleep 1000)
	assert_ward_state "$(state_file "$id")"
	[ "$(jq -r .pid "$(state_file "$id")")" = "$(dk inspect -f '{{.State.Pid}}' "$id")" ] ||
		fail "ward's pid is not Docker's"
	dk rm -f "$id"
	[ ! -e "$(state_file "$id")" ] || fail "ward's state remains after docker rm -f"
}

@test "docker: run --rm removes the container and ward's state" {
	run dk run --rm --runtime ward --name gone "$IMAGE" sh -c 'echo bye; exit 2'
	assert_status 2
	assert_output bye
	run dk ps -aq --filter name=gone
	assert_output ""
	[ -z "$(ls -A "$E2E_TMP/exec/runtime-runc/moby" 2> /dev/null)" ] ||
		fail "state left:" "$(ls "$E2E_TMP/exec/runtime-runc/moby")"
}

@test "docker: detached run, then logs" {
	dk run -d --runtime ward --name logs "$IMAGE" sh -c 'echo out-line; echo err-line >&2; sleep 1000'
	wait_output_lines 2 dk logs logs
	run dk logs logs
	assert_output_contains out-line
	assert_output_contains err-line
	run dk inspect -f '{{.State.Status}}' logs
	assert_output running
}

@test "docker: stop sends TERM (handled: the container's own exit status)" {
	dk run -d --runtime ward --name stop1 "$IMAGE" sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.2; done'
	wait_output_lines 1 dk logs stop1
	SECONDS=0
	dk stop -t 10 stop1
	[ "$SECONDS" -lt 5 ] || fail "stop took ${SECONDS}s: TERM was not delivered"
	run dk inspect -f '{{.State.ExitCode}}' stop1
	assert_output 42
}

@test "docker: stop sends KILL after the grace period when TERM is ignored" {
	dk run -d --runtime ward --name stop2 "$IMAGE" sh -c "$TERM_IGNORER"
	wait_output_lines 1 dk logs stop2
	SECONDS=0
	dk stop -t 2 stop2
	[ "$SECONDS" -ge 2 ] || fail "stopped after ${SECONDS}s, before the grace period"
	run dk inspect -f '{{.State.ExitCode}} {{.State.Status}}' stop2
	assert_output "137 exited"
}

@test "docker: kill, with the default KILL and with a chosen signal" {
	dk run -d --runtime ward --name kill1 "$IMAGE" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.2; done'
	wait_output_lines 1 dk logs kill1
	dk kill -s USR1 kill1
	wait_output_lines 2 dk logs kill1
	run dk logs kill1
	assert_output_contains got-usr1
	dk kill kill1
	run dk inspect -f '{{.State.ExitCode}} {{.State.Status}}' kill1
	assert_output "137 exited"
}

@test "docker: pause freezes the container, unpause thaws it" {
	dk run -d --runtime ward --name pause "$IMAGE" sh -c "$TICKER"
	assert_paused_then_resumed "dk pause pause" "dk unpause pause" dk logs pause
	run dk inspect -f '{{.State.Status}}' pause
	assert_output running
}

@test "docker: exec runs in the container, with its output and exit status" {
	dk run -d --runtime ward --name exec "$IMAGE" sh -c 'echo $$ > /tmp/init; sleep 1000'
	run dk exec exec sh -c 'echo "init $(cat /tmp/init) $(cat /proc/1/comm)"; exit 5'
	assert_status 5
	assert_output "init 1 sleep"
}

@test "docker: exec -it gets a terminal of the client's size" {
	dk run -d --runtime ward --name exectty "$IMAGE" sleep 1000
	run "$PTY" 41 101 -- /usr/bin/docker -H "unix://$E2E_TMP/docker.sock" exec -it exectty sh -c "$STTY_SIZE; exit 6"
	assert_status 6
	assert_output_contains "/dev/pts/0"
	assert_output_contains "size 41 101"
}

@test "docker: run -it: a terminal, its size, and typed input" {
	run "$PTY" 33 77 --input 'echo typed-$((6*7)); stty size; exit 9\n' -- \
		/usr/bin/docker -H "unix://$E2E_TMP/docker.sock" run --rm -it --runtime ward "$IMAGE" sh
	assert_status 9
	assert_output_contains "typed-42"
	assert_output_contains "33 77"
}

@test "docker: --read-only makes the root filesystem read-only" {
	run dk run --rm --runtime ward --read-only "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field RootRW no
	assert_field Root ro
	run dk run --rm --runtime ward "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field RootRW yes
}

@test "docker: --user 1000:1000 runs as that user, without capabilities" {
	run dk run --rm --runtime ward --user 1000:1000 "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Uid "$(printf '1000\t1000\t1000\t1000')"
	assert_field Gid "$(printf '1000\t1000\t1000\t1000')"
	assert_field CapEff 0000000000000000
}

@test "docker: default capabilities, and --cap-drop ALL" {
	run dk run --rm --runtime ward "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field CapEff "$(cap_mask "${DEFAULT_CAPS[@]}")"
	assert_field CapBnd "$(cap_mask "${DEFAULT_CAPS[@]}")"
	assert_field CapInh 0000000000000000
	assert_field CapAmb 0000000000000000
	run dk run --rm --runtime ward --cap-drop ALL "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field CapEff 0000000000000000
	assert_field CapPrm 0000000000000000
	assert_field CapBnd 0000000000000000
	run dk run --rm --runtime ward --cap-drop ALL --cap-add NET_BIND_SERVICE "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field CapEff "$(cap_mask CAP_NET_BIND_SERVICE)"
}

@test "docker: --security-opt no-new-privileges sets no_new_privs" {
	run dk run --rm --runtime ward --security-opt no-new-privileges "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field NoNewPrivs 1
	assert_field Seccomp 2
}

@test "docker: the default bridge gives eth0 an address and a route to the host" {
	local bridge gw
	bridge=$(dk network inspect bridge -f '{{index .Options "com.docker.network.bridge.name"}}')
	gw=$(ip -4 -o addr show dev "$bridge" | awk '{print $4}' | cut -d/ -f1)
	[ -n "$gw" ] || fail "no address on the default bridge '$bridge'"
	run dk run --rm --runtime ward "$IMAGE" sh -c "ip -4 addr show eth0; ip route; ping -c 1 -W 5 $gw"
	assert_status 0
	assert_output_match "inet ${gw%.*}\.[0-9]+/"
	assert_output_contains "default via $gw dev eth0"
	assert_output_contains "1 packets received"
	run dk run --rm --runtime ward --network none "$IMAGE" cat /proc/net/dev
	refute_output_contains eth0
}

# The policy: what Docker asks for by leaving fields out.
@test "docker policy oci (the snippet's): unconfined seccomp, unmasked paths and no no_new_privs hold" {
	run dk run --rm --runtime ward "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_field NoNewPrivs 0
	assert_field Seccomp 2
	assert_field Masked yes
	run dk run --rm --runtime ward --security-opt seccomp=unconfined \
		--security-opt systempaths=unconfined "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Seccomp 0
	assert_field Masked no
	assert_field NoNewPrivs 0
}

@test "docker policy baseline (ward's default): the same requests get ward's hardened defaults" {
	run dk run --rm --runtime ward-baseline "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field NoNewPrivs 1 # not asked for
	run dk run --rm --runtime ward-baseline --security-opt seccomp=unconfined \
		--security-opt systempaths=unconfined "$IMAGE" sh -c "$STATUS_SCRIPT"
	assert_status 0
	assert_field Seccomp 2 # unconfined was asked for
	assert_field Masked yes
}
