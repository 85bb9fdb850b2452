#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# The restricted policy level is an allowlist judged on the OPENED host objects a
# config names (security.md §0, §2): devices, user namespace maps, joined
# namespaces, bind sources, hooks, filesystem types, the rootfs. Each test
# performs the attack, shows that it works where the policy does not stop it
# (the runtime under --policy baseline, or WARD_OLD_RUNTIME under restricted),
# and that restricted refuses it before anything is created.

load ../lib/common

setup() {
	setup_common
	CLEANUP=()
}

teardown() {
	local c
	for c in "${CLEANUP[@]}"; do
		eval "$c" || true
	done
	teardown_common
}

# A config the restricted level accepts: non-root, no capabilities, every namespace.
restricted_clean() {
	bundle_set '.process.user = {uid: 1000, gid: 1000}
		| .linux.namespaces += [{type: "cgroup"}]'
}

# attack_rt ARGS...: the runtime as it was without this defence: WARD_OLD_RUNTIME
# (a ward before the fix) under --policy restricted if set, else the runtime under
# test at --policy baseline (which honours risky settings, logging them).
attack_rt() {
	if [ -n "${WARD_OLD_RUNTIME:-}" ]; then
		RUNTIME=$WARD_OLD_RUNTIME rt --policy restricted "$@"
	else
		rt --policy baseline "$@"
	fi
}

# assert_refused JSONPATH...: after `run --separate-stderr rt --policy restricted run
# ...`: exit 1, the summary line first, a violation line for each JSON path, and
# nothing left behind.
assert_refused() {
	local p
	[ "$status" -eq 1 ] || fail "exit status $status, expected 1; stdout:" "$output" "stderr:" "$stderr"
	[[ ${stderr_lines[0]} == *"refused by the restricted policy ("*"):" ]] ||
		fail "first line is not the summary:" "$stderr"
	for p in "$@"; do
		printf '%s\n' "${stderr_lines[@]:1}" | grep -qF -- "  $p: " || fail "no line for $p:" "$stderr"
	done
	assert_no_container
}

# host_policy TEXT: a host policy file with TEXT, in a directory of its own (the
# policy file's directory is a sensitive tree: it must not hold the bundle).
host_policy() {
	mkdir -p "$T/hostpolicy"
	printf '%s\n' "$@" > "$T/hostpolicy/policy"
	export WARD_POLICY_FILE=$T/hostpolicy/policy
}

# open_tmp_dirs: let other users reach $T through bats' 0700 directories.
open_tmp_dirs() {
	local d=$T
	while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# start_agent: a seccomp agent on $T/agent.sock that writes what it receives
# (the number of fds, the start of the message) to $T/agent.got, once.
start_agent() {
	rm -f "$T/agent.sock" "$T/agent.sock.ready" "$T/agent.got"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(65536, socket.CMSG_SPACE(64))
open(sys.argv[2], "w").write("%d fds, %s" % (len(anc), msg[:40]))
' "$T/agent.sock" "$T/agent.got" < /dev/null > /dev/null 2>&1 &
	CLEANUP+=("kill $!")
	wait_file "$T/agent.sock.ready"
}

# loop_dev FILE: attach FILE to a free loop device (detached at teardown); its path.
loop_dev() {
	local dev
	dev=$(losetup -f --show "$1") || fail "losetup failed"
	CLEANUP+=("losetup -d $dev")
	echo "$dev"
}

@test "restricted: a host block device in linux.devices is refused unless the host policy allows it" {
	ward_only "restricted policy"
	command -v losetup > /dev/null || skip "no losetup"
	dd if=/dev/zero of="$T/disk.img" bs=1k count=1024 status=none
	printf 'HOSTDATA-%s' "$ID" | dd of="$T/disk.img" bs=1 seek=4096 conv=notrunc status=none
	dev=$(loop_dev "$T/disk.img")
	maj=$((0x$(stat -c %t "$dev"))) min=$((0x$(stat -c %T "$dev")))
	restricted_clean
	bundle_set '.linux.devices = [{path: "/dev/xdisk", type: "b", major: $ma, minor: $mi}]
		| .linux.resources.devices = [{allow: false, access: "rwm"},
			{allow: true, type: "b", major: $ma, minor: $mi, access: "rw"}]' \
		--argjson ma "$maj" --argjson mi "$min"
	bundle_args sh -c 'id -u; dd if=/dev/xdisk bs=1 skip=4096 count=40 2>/dev/null; echo;
		printf "CTRWROTE" | dd of=/dev/xdisk bs=1 seek=8192 conv=notrunc,fsync 2>/dev/null'
	# the attack: a uid-1000 process without capabilities reads and writes the raw disk
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	[[ $output == *"HOSTDATA-$ID"* ]] || fail "the container did not read the raw device:" "$output"
	grep -q CTRWROTE "$T/disk.img" || fail "the container's write did not reach the backing file"
	# restricted refuses it, by JSON path
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "linux.devices[0]" "linux.resources.devices[1]"
	# the host policy file can allow that device (type major:minor, * for any minor)
	host_policy "allow-device = b $maj:*"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-allowed" < /dev/null
	[ "$status" -eq 0 ] || fail "an allowed device was refused:" "$stderr"
	[[ $output == *"HOSTDATA-$ID"* ]] || fail "the allowed device did not work:" "$output"
}

@test "restricted: a user namespace whose maps contain host id 0 is refused; one mapping 0 to 100000 runs" {
	ward_only "restricted policy"
	restricted_clean
	chmod 777 "$SHARED"
	bundle_share
	bundle_set '.process.user = {uid: 0, gid: 0} | .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 0, size: 65536}]'
	bundle_args sh -c 'cat /proc/self/uid_map; touch /shared/made-by-root'
	# the attack: container root is host uid 0 (a file it makes is root's on the host)
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	[ "$(stat -c %u "$SHARED/made-by-root")" = 0 ] || fail "the container's file is not host root's:" "$output"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "linux.uidMappings[0]" "linux.gidMappings[0]"
	# host ids from 100000: container root is nobody on the host
	open_tmp_dirs
	bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	bundle_args sh -c 'cat /proc/self/uid_map'
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-ok" < /dev/null
	[ "$status" -eq 0 ] || fail "mapping 0 to 100000 was refused:" "$stderr"
	[[ $output =~ 0[[:space:]]+100000[[:space:]]+65536 ]] || fail "wrong map inside:" "$output"
}

@test "restricted: the host's network namespace is refused by identity, whatever the path" {
	ward_only "restricted policy"
	sleep 1000 < /dev/null > /dev/null 2>&1 &
	host_pid=$!
	CLEANUP+=("kill $host_pid")
	unshare -n sleep 1000 < /dev/null > /dev/null 2>&1 &
	own_pid=$!
	CLEANUP+=("kill $own_pid")
	touch "$T/netns-file"
	mount --bind "/proc/$host_pid/ns/net" "$T/netns-file"
	CLEANUP+=("umount '$T/netns-file'")
	host_net=$(readlink /proc/self/ns/net)
	restricted_clean
	bundle_args sh -c 'readlink /proc/self/ns/net'
	try=0
	for path in "/proc/$host_pid/ns/net" "/proc/$host_pid/task/$host_pid/ns/net" "$T/netns-file"; do
		try=$((try + 1))
		bundle_set '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then {type: "network", path: $p} else . end]' --arg p "$path"
		net_index=$(jq '[.linux.namespaces[].type] | index("network")' "$BUNDLE/config.json")
		# the attack: the container is in the host's network namespace
		run attack_rt run --bundle "$BUNDLE" "$ID-old$try" < /dev/null
		[ "$output" = "$host_net" ] || fail "$path: the container is not in the host's netns:" "$output"
		run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
		assert_refused "linux.namespaces[$net_index].path"
	done
	# a network namespace that is not the host's is fine
	bundle_set '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then {type: "network", path: $p} else . end]' --arg p "/proc/$own_pid/ns/net"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-own" < /dev/null
	[ "$status" -eq 0 ] || fail "a netns of its own was refused:" "$stderr"
	[ "$output" = "$(readlink "/proc/$own_pid/ns/net")" ] && [ "$output" != "$host_net" ] ||
		fail "not in the joined netns:" "$output"
}

@test "restricted: binds of sensitive host subtrees, symlinks to them and unix sockets are refused" {
	ward_only "restricted policy"
	if [ ! -e /var/spool/cron ]; then
		mkdir /var/spool/cron
		CLEANUP+=("rmdir /var/spool/cron")
	fi
	lib_dir=/lib/modules
	[ -d "$lib_dir" ] || lib_dir=$(find /lib/ -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$lib_dir" ] || skip "no directory under /lib"
	ln -s /etc "$T/etclink"
	# a bind-mount alias of a subtree of /etc: its path says nothing, its mount's root does
	mkdir "$T/cronalias"
	mount --bind /etc/cron.d "$T/cronalias"
	CLEANUP+=("umount '$T/cronalias'")
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/sock" ||
		skip "cannot make a unix socket"
	restricted_clean
	n=0
	for src in /etc/cron.d /root /var/spool/cron "$lib_dir" /usr "$T/etclink" "$T/sock" "$T/cronalias"; do
		bundle_set '.mounts += [{destination: $d, type: "bind", source: $s, options: ["rbind", "ro"]}]' \
			--arg d "/m$n" --arg s "$src"
		n=$((n + 1))
	done
	first=$(($(jq '.mounts | length' "$BUNDLE/config.json") - n))
	bundle_args sh -c 'for i in 0 1 2 3 4 5 6 7; do grep -c " /m$i " /proc/self/mountinfo; done
		ls /m0 /m5 /m7 | head -n 3; [ -S /m6 ] && echo socket'
	# the attack: each is mounted in the container
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	[ "$(grep -c '^1$' <<< "$output")" -eq 8 ] || fail "not every bind was mounted:" "$output"
	assert_output_contains socket
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	paths=()
	for ((k = 0; k < n; k++)); do paths+=("mounts[$((first + k))].source"); done
	[ "$(printf '%s\n' "${stderr_lines[@]:1}" | grep -c '^  mounts\[.*\]\.source: ')" -eq "$n" ] ||
		fail "expected $n lines, one per bind:" "$stderr"
	assert_refused "${paths[@]}"
}

@test "restricted: a prestart hook runs on the host as root: refused unless the host policy allows its binary" {
	ward_only "restricted policy"
	restricted_clean
	bundle_set '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", $c]}]' --arg c "touch $T/pwned"
	bundle_args true
	# the attack: the config runs a command of its choice on the host
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	[ -e "$T/pwned" ] || fail "the hook did not run on the host:" "$output"
	rm -f "$T/pwned"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "hooks.prestart[0].path"
	[ ! -e "$T/pwned" ] || fail "the refused hook ran"
	# the host policy file allows the binary by identity (a symlink names it too)
	host_policy "allow-hook = $(readlink -f /bin/sh)"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-allowed" < /dev/null
	[ "$status" -eq 0 ] || fail "an allowed hook was refused:" "$stderr"
	[ -e "$T/pwned" ] || fail "the allowed hook did not run"
}

@test "restricted: a mount of a host disk's filesystem (type ext4) is refused" {
	ward_only "restricted policy"
	command -v mkfs.ext4 > /dev/null && command -v losetup > /dev/null || skip "no mkfs.ext4 or losetup"
	dd if=/dev/zero of="$T/fs.img" bs=1M count=8 status=none
	mkfs.ext4 -q -E root_owner=1000:1000 "$T/fs.img"
	dev=$(loop_dev "$T/fs.img")
	restricted_clean
	maj=$((0x$(stat -c %t "$dev"))) min=$((0x$(stat -c %T "$dev")))
	bundle_set '.mounts += [{destination: "/mnt", type: "ext4", source: $s}]
		| .linux.resources.devices = [{allow: false, access: "rwm"},
			{allow: true, type: "b", major: $ma, minor: $mi, access: "rwm"}]' \
		--arg s "$dev" --argjson ma "$maj" --argjson mi "$min"
	bundle_args sh -c 'echo written-by-container > /mnt/marker && cat /mnt/marker'
	# the attack: the init (all capabilities while mounting) mounts the disk, writable
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	assert_output_contains written-by-container
	n=$(($(jq '.mounts | length' "$BUNDLE/config.json") - 1))
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "mounts[$n].type"
}

@test "restricted: a rootfs that is, or contains, a sensitive host tree is refused" {
	ward_only "restricted policy"
	echo "host-marker-$ID" > "$T/marker"
	open_tmp_dirs
	# an alias of the host's / (a read-only bind mount), as a config may name it
	mkdir "$T/hostroot"
	mount -o bind,ro / "$T/hostroot"
	CLEANUP+=("umount '$T/hostroot'")
	restricted_clean
	bundle_set '.root = {path: $r, readonly: true}' --arg r "$T/hostroot"
	bundle_args cat "$T/marker"
	# the attack: the container's / is the host's
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	assert_output_contains "host-marker-$ID"
	for root in "$T/hostroot" / /etc /var; do
		bundle_set '.root = {path: $r, readonly: true}' --arg r "$root"
		run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
		assert_refused "root.path"
	done
}

@test "restricted: a bind source swapped after the check is refused by the init (check-to-use race)" {
	ward_only "restricted policy"
	mkdir -p "$T/safe"
	echo safe > "$T/safe/marker"
	ln -s "$T/safe" "$T/src"
	restricted_clean
	open_tmp_dirs
	bundle_set '.mounts += [{destination: "/m", type: "bind", source: $s, options: ["rbind", "ro"]}]' \
		--arg s "$T/src"
	bundle_args sh -c 'cat /m/marker 2>/dev/null; [ -e /m/passwd ] && echo HOST-ETC; true'
	# the symlink flips between a safe directory and /etc, atomically (rename)
	(
		while :; do
			ln -sfn /etc "$T/src.new" && mv -T "$T/src.new" "$T/src"
			ln -sfn "$T/safe" "$T/src.new" && mv -T "$T/src.new" "$T/src"
		done
	) &
	swapper=$!
	CLEANUP+=("kill $swapper")
	refused=0 ran=0 changed=0
	for ((k = 0; k < 40; k++)); do
		run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-$k" < /dev/null
		[[ $output != *HOST-ETC* ]] || fail "attempt $k: the container saw the host's /etc:" "$output"
		if [ "$status" -eq 0 ]; then
			ran=$((ran + 1))
		elif [[ $stderr == *"changed since it was checked"* ]]; then
			changed=$((changed + 1))
		elif [[ $stderr == *"refused by the restricted policy"* ]]; then
			refused=$((refused + 1))
		else
			fail "attempt $k: unexpected failure:" "$stderr"
		fi
	done
	echo "# ran $ran, refused $refused, changed after the check $changed" >&3
	[ $((ran + refused + changed)) -eq 40 ]
}

@test "audit: objects that exist on this host are judged as opened; the report says which" {
	ward_only "ward audit"
	ln -s /etc "$T/etclink"
	restricted_clean
	bundle_set '.mounts += [{destination: "/a", type: "bind", source: $a, options: ["rbind", "ro"]},
		{destination: "/b", type: "bind", source: "/nonexistent/etc/x", options: ["rbind", "ro"]}]' \
		--arg a "$T/etclink"
	run rt audit "$BUNDLE"
	assert_status 0
	assert_output_contains "which is the host's /etc (checked on this host)"
	assert_output_contains "checked on this host  mounts[6].source  $T/etclink -> /etc"
	assert_output_contains "string only           mounts[7].source  /nonexistent/etc/x (No such file or directory)"
	run rt audit --json "$BUNDLE"
	assert_status 0
	jq -e '(.host_objects[] | select(.path == "mounts[6].source") | .checked and .canonical == "/etc")
		and (.host_objects[] | select(.path == "mounts[7].source") | .checked == false)
		and ([.findings[] | select(.id == "W130" and .restricted)] | length == 1)' <<< "$output" > /dev/null ||
		fail "$output"
}

@test "restricted: a host device node or fifo as a bind source is refused" {
	ward_only "restricted policy"
	command -v losetup > /dev/null || skip "no losetup"
	dd if=/dev/zero of="$T/disk.img" bs=1k count=64 status=none
	printf 'RAWDISK-%s' "$ID" | dd of="$T/disk.img" conv=notrunc status=none
	dev=$(loop_dev "$T/disk.img")
	maj=$((0x$(stat -c %t "$dev"))) min=$((0x$(stat -c %T "$dev")))
	# a node of the host's disk that uid 1000 may open (as a disk group would give it)
	mknod -m 666 "$T/xdisk" b "$maj" "$min"
	mkfifo "$T/fifo"
	open_tmp_dirs
	chmod 666 "$T/fifo"
	restricted_clean
	# the rule lets the device cgroup allow it
	bundle_set '.mounts += [{destination: "/disk", type: "bind", source: $d},
			{destination: "/f", type: "bind", source: $f}]
		| .linux.resources.devices = [{allow: false, access: "rwm"},
			{allow: true, type: "b", major: $ma, minor: $mi, access: "rw"}]' \
		--arg d "$T/xdisk" --arg f "$T/fifo" --argjson ma "$maj" --argjson mi "$min"
	n=$(($(jq '.mounts | length' "$BUNDLE/config.json") - 2))
	bundle_args sh -c 'head -c 20 /disk; echo; echo to-the-host > /f'
	timeout 20 cat "$T/fifo" > "$T/fifo.out" &
	reader=$!
	CLEANUP+=("kill $reader")
	# the attack: the raw host disk is readable, the host's fifo writable
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	assert_output_contains "RAWDISK-$ID"
	wait "$reader" || true
	grep -q to-the-host "$T/fifo.out" || fail "nothing reached the host's fifo:" "$output"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "mounts[$n].source" "mounts[$((n + 1))].source" "linux.resources.devices[1]"
}

@test "restricted: a seccomp listener (ward connects to a host socket the config names) is refused unless allowed" {
	ward_only "restricted policy"
	command -v python3 > /dev/null || skip "no python3"
	start_agent
	restricted_clean
	bundle_set '.linux.seccomp = ($p[0] | .listenerPath = $s
		| .syscalls += [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}])' \
		--slurpfile p "$REPO_DIR/seccomp-profiles/default.json" --arg s "$T/agent.sock"
	bundle_args true
	# the attack: ward hands a host service of the config's choosing the container's seccomp fd
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	wait_file "$T/agent.got"
	grep -q '^1 fds' "$T/agent.got" || fail "the host socket got no fd:" "$(cat "$T/agent.got")"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "linux.seccomp.listenerPath"
	# the host policy file allows that socket, by its path
	start_agent
	host_policy "allow-listener = $T/agent.sock"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-allowed" < /dev/null
	[ "$status" -eq 0 ] || fail "an allowed listener was refused:" "$stderr"
	wait_file "$T/agent.got"
}

@test "restricted: incomplete masked paths, shared mount propagation and unsafe sysctls are refused" {
	ward_only "restricted policy"
	restricted_clean
	bundle_share
	bundle_set '.linux.maskedPaths = ["/proc/acpi"]
		| .mounts[-1].options += ["rshared"]
		| .linux.sysctl = {"kernel.msgmnb": "65537", "net.ipv4.tcp_syncookies": "1"}'
	n=$(($(jq '.mounts | length' "$BUNDLE/config.json") - 1))
	o=$(($(jq '.mounts[-1].options | length' "$BUNDLE/config.json") - 1))
	bundle_args sh -c 'grep -c " /proc/keys " /proc/self/mountinfo; [ -r /proc/keys ] && echo keys-readable;
		cat /proc/sys/kernel/msgmnb'
	# the attack: kernel files ward masks by default are not masked, an IPC limit
	# outside the safe set is set, the shared bind is accepted
	run attack_rt run --bundle "$BUNDLE" "$ID-old" < /dev/null
	assert_status 0
	[ "${lines[0]}" = 0 ] || fail "/proc/keys is masked:" "$output"
	assert_output_contains keys-readable
	assert_output_contains 65537
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "linux.maskedPaths" "mounts[$n].options[$o]" 'linux.sysctl.kernel.msgmnb'
	[[ $stderr != *tcp_syncookies* ]] || fail "a safe sysctl was refused:" "$stderr"
	# an empty list is refused too; allow-sysctl allows a name
	bundle_set '.linux.maskedPaths = [] | .mounts[-1].options -= ["rshared"]'
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_refused "linux.maskedPaths" 'linux.sysctl.kernel.msgmnb'
	host_policy "allow-sysctl = kernel.msgmnb"
	bundle_set 'del(.linux.maskedPaths)'
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-ok" < /dev/null
	[ "$status" -eq 0 ] || fail "allow-sysctl did not allow it:" "$stderr"
	assert_output_contains 65537
}

@test "the host policy file: allow keys apply with --policy too; an unknown key is refused, quoted" {
	ward_only "policy levels"
	restricted_clean
	bundle_set '.linux.sysctl = {"kernel.msgmnb": "65537"}'
	bundle_args true
	host_policy "# the host" "allow-sysctl = kernel.msgmnb"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -eq 0 ] || fail "allow-sysctl ignored under --policy:" "$stderr"
	host_policy "level = baseline" "allow-sysctls = kernel.msgmnb"
	run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-2" < /dev/null
	assert_clean_failure "$ID-2"
	[[ ${stderr_lines[0]} == *"policy file $T/hostpolicy/policy: unknown key \"allow-sysctls\""*'"allow-sysctls = kernel.msgmnb"'* ]] ||
		fail "the error does not quote the line:" "$stderr"
}

# flipper LINK A B: LINK flips between A and B (atomic renames) until killed.
flipper() {
	(
		while :; do
			ln -sfn "$2" "$1.new" && mv -T "$1.new" "$1"
			ln -sfn "$3" "$1.new" && mv -T "$1.new" "$1"
		done
	) < /dev/null > /dev/null 2>&1 &
	CLEANUP+=("kill $!")
}

@test "restricted: a namespace path, a rootfs and a hook binary swapped after the check are never what runs (check-to-use races)" {
	ward_only "restricted policy"
	local k host_net out ran=0
	unshare -n sleep 1000 < /dev/null > /dev/null 2>&1 &
	CLEANUP+=("kill $!")
	own_net=/proc/$!/ns/net
	host_net=$(readlink /proc/self/ns/net)
	echo host-only > "$T/host-only"
	printf '#!/bin/sh\ntouch %s/pwned\n' "$T" > "$T/evil"
	chmod 755 "$T/evil"
	restricted_clean
	open_tmp_dirs
	host_policy "allow-hook = $(readlink -f /bin/true)"
	cp -a "$BUNDLE/rootfs" "$T/rootfs2"
	flipper "$T/net" "$own_net" /proc/self/ns/net
	flipper "$T/root" "$BUNDLE/rootfs" /
	flipper "$T/hook" "$(readlink -f /bin/true)" "$T/evil"
	bundle_set '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then {type: "network", path: $n} else . end]
		| .root.path = $r | .root.readonly = true
		| .hooks.prestart = [{path: $h}]' --arg n "$T/net" --arg r "$T/root" --arg h "$T/hook"
	bundle_args sh -c "readlink /proc/self/ns/net; cat $T/host-only 2> /dev/null; true"
	for ((k = 0; k < 30; k++)); do
		run --separate-stderr rt --policy restricted run --bundle "$BUNDLE" "$ID-$k" < /dev/null
		[[ $output != *"$host_net"* ]] || fail "attempt $k: the container is in the host's network namespace:" "$output"
		[[ $output != *host-only* ]] || fail "attempt $k: the container's root is the host's:" "$output"
		[ ! -e "$T/pwned" ] || fail "attempt $k: a hook binary the policy does not allow ran on the host"
		[ "$status" -ne 0 ] || ran=$((ran + 1))
		[ "$status" -eq 0 ] || [[ $stderr == *"refused by the restricted policy"* || $stderr == *"changed since it was checked"* || $stderr == *"changed while it was opened"* ]] ||
			fail "attempt $k: unexpected failure:" "$stderr"
	done
	echo "# $ran of 30 ran (when every swap fell right)" >&3
}

@test "a namespace path that names a fifo (or any file that is no namespace) fails at once, at every level" {
	mkfifo "$T/fifo"
	bundle_set '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then {type: "network", path: $p} else . end]' --arg p "$T/fifo"
	bundle_args true
	run --separate-stderr timeout 5 "$RUNTIME" --root "$ROOT" --log "$T/runtime.log" run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -ne 124 ] || fail "the runtime blocked opening the fifo"
	assert_clean_failure
	[[ $stderr == *"$T/fifo is not a namespace"* ]] || fail "$stderr"
}

@test "restricted: poststop hooks are judged again when they run: a binary swapped since create does not run" {
	ward_only "restricted policy"
	printf '#!/bin/sh\ntouch %s/pwned\n' "$T" > "$T/evil"
	chmod 755 "$T/evil"
	ln -s "$(readlink -f /bin/true)" "$T/hook"
	host_policy "level = restricted" "allow-hook = $(readlink -f /bin/true)"
	restricted_clean
	bundle_set '.hooks.poststop = [{path: $h}]' --arg h "$T/hook"
	start_sleeper
	ln -sfn "$T/evil" "$T/hook"
	run --separate-stderr rt delete --force "$ID"
	[ ! -e "$T/pwned" ] || fail "the swapped poststop hook ran on the host"
	grep -q "poststop hooks not run" "$T/runtime.log" || fail "no warning:" "$(cat "$T/runtime.log")"
}
