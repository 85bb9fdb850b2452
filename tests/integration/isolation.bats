#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Isolation as seen from inside: namespaces, filesystem view, network, masked and
# read-only paths, sysctls.

load ../lib/common

@test "every configured namespace differs from the host's" {
	bundle_set '.linux.namespaces += [{type: "cgroup"}]'
	ctr_sh_ok 'for ns in pid net ipc uts mnt cgroup; do echo "$ns $(readlink /proc/self/ns/$ns)"; done'
	local ns inside host
	for ns in pid net ipc uts mnt cgroup; do
		inside=$(printf '%s\n' "$output" | sed -n "s/^$ns //p")
		host=$(readlink "/proc/self/ns/$ns")
		[[ $inside == "$ns:["*"]" ]] || fail "no $ns namespace link inside:" "$output"
		[ "$inside" != "$host" ] || fail "$ns namespace is the host's ($host)"
	done
}

@test "a namespace left out of the config is shared with the host" {
	bundle_set '.linux.namespaces |= map(select(.type != "ipc"))'
	ctr_sh_ok 'readlink /proc/self/ns/ipc'
	assert_output "$(readlink /proc/self/ns/ipc)"
}

@test "the hostname is set and the process is pid 1 alone in its pid namespace" {
	bundle_set '.hostname = "box-under-test"'
	ctr_sh_ok 'hostname; echo "pid $$"; ls /proc | grep -c "^[0-9]"'
	assert_line_eq 0 box-under-test
	assert_line_eq 1 "pid 1"
	# sh itself and the ls of the pipeline: nothing else is visible
	[ "${lines[2]}" -le 3 ] || fail "too many processes visible: ${lines[2]}"
	[ "$(hostname)" != box-under-test ] || fail "the host's hostname changed"
}

@test "the host's root filesystem is invisible inside" {
	local marker
	marker=$(mktemp /tmp/ward-host-marker.XXXXXX)
	ctr_sh "test -e $marker && echo visible; ls -a /tmp; ls /"
	rm -f "$marker"
	assert_status 0
	refute_output_contains visible
	refute_output_contains "$(basename "$marker")"
	assert_output_contains bin
	refute_output_contains boot
}

@test "lo is up in a new network namespace and is the only interface" {
	ctr_sh_ok 'ip link show lo; echo "ifaces: $(ls /sys/class/net | tr "\n" " ")"'
	assert_output_match 'lo: <([A-Z_]+,)*UP(,[A-Z_]+)*>'
	assert_output_contains "ifaces: lo "
}

@test "masked paths: files read as empty, directories are empty" {
	read -r _ < /proc/timer_list || skip "the host has no readable /proc/timer_list"
	bundle_set '.linux.maskedPaths = ["/proc/kcore", "/proc/timer_list", "/proc/keys", "/sys/firmware", "/proc/does-not-exist"]'
	ctr_sh_ok 'echo "timer_list $(wc -c < /proc/timer_list)"; echo "keys $(cat /proc/keys | wc -c)";
		echo "firmware [$(ls -A /sys/firmware)]"; stat -c "%F %t:%T" /proc/keys
		[ ! -e /proc/kcore ] || echo "kcore $(stat -c "%F %t:%T" /proc/kcore)"'
	assert_output_contains "timer_list 0"
	if [ -e /proc/kcore ]; then
		assert_output_contains "kcore character special file 1:3"
	fi
	assert_output_contains "keys 0"
	assert_output_contains "firmware []"
	assert_output_contains "character special file 1:3"
}

@test "readonly paths refuse writes with EROFS" {
	bundle_set '.linux.readonlyPaths = ["/proc/sys", "/proc/bus"]'
	ctr_sh 'echo ward > /proc/sys/kernel/domainname; echo "rc=$?"; cat /proc/sys/kernel/ostype'
	assert_output_contains "Read-only file system"
	assert_output_contains "rc=1"
	assert_output_contains "Linux"
}

@test "without readonlyPaths /proc/sys/kernel/domainname is writable (uts namespace)" {
	bundle_set '.process.capabilities = {bounding: ["CAP_SYS_ADMIN"], effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"]}
		| .linux.readonlyPaths = []'
	ctr_sh_ok 'echo inner.example > /proc/sys/kernel/domainname && cat /proc/sys/kernel/domainname'
	assert_output inner.example
	[ "$(cat /proc/sys/kernel/domainname)" != inner.example ] || fail "the host's domainname changed"
}

@test "ward: default masked and read-only paths when the config omits them" {
	ward_only
	read -r _ < /proc/timer_list || skip "the host has no readable /proc/timer_list"
	bundle_set 'del(.linux.maskedPaths, .linux.readonlyPaths)'
	ctr_sh 'echo "timer_list $(wc -c < /proc/timer_list)"; echo "firmware [$(ls -A /sys/firmware)]";
		echo ward > /proc/sys/kernel/domainname'
	assert_output_contains "timer_list 0"
	assert_output_contains "firmware []"
	assert_output_contains "Read-only file system"
}

@test "sysctls are applied inside the container's namespaces only" {
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	bundle_set '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.domainname": "sysctl.example"}'
	ctr_sh_ok 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/domainname'
	assert_line_eq 0 1
	assert_line_eq 1 sysctl.example
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] || fail "the host's ip_forward changed"
	[ "$(cat /proc/sys/kernel/domainname)" != sysctl.example ] || fail "the host's domainname changed"
}

@test "a cwd with .. or through an absolute symlink stays inside the rootfs" {
	local hostdir
	hostdir=$(mktemp -d /tmp/ward-escape.XXXXXX)
	touch "$hostdir/host-secret"
	ln -s "$hostdir" "$BUNDLE/rootfs/escape"
	for cwd in "/../../../../../..$hostdir" /escape; do
		bundle_set '.process.cwd = $c' --arg c "$cwd"
		ctr_sh 'ls -a .; ls -a /'
		refute_output_contains host-secret
		if [ "$status" -ne 0 ]; then
			[ "${#lines[@]}" -ge 1 ] || fail "failed without an error message"
		fi
		assert_no_container
	done
	[ "$(ls -A "$hostdir")" = host-secret ] || fail "the host directory changed: $(ls -A "$hostdir")"
	rm -rf "$hostdir"
}
