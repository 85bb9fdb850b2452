#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Mounts and /dev: OCI mounts, hostile rootfs symlinks, default devices, linux.devices.

load ../lib/common

# add_mount JSON: append one mount object to .mounts.
add_mount() { bundle_set '.mounts += [$m]' --argjson m "$1"; }

@test "a read-only bind mount can be read but not written" {
	echo host-data > "$SHARED/file"
	bundle_share /data ro
	ctr_sh 'cat /data/file; echo x > /data/file; echo "rc=$?"; touch /data/new; echo "rc=$?"'
	assert_output_contains host-data
	assert_output_contains "Read-only file system"
	assert_output_contains "rc=1"
	[ "$(cat "$SHARED/file")" = host-data ]
	[ ! -e "$SHARED/new" ]
}

@test "a read-write bind mount writes through to the host" {
	bundle_share /data
	ctr_sh_ok 'echo from-container > /data/out'
	[ "$(cat "$SHARED/out")" = from-container ]
}

@test "a tmpfs mount gets its size and mode" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=1770", "nodev"]}'
	ctr_sh_ok 'df -k /scratch | tail -n 1; stat -c %a /scratch; grep " /scratch " /proc/mounts'
	[ "$(awk '{print $2}' <<< "${lines[0]}")" = 1024 ] || fail "tmpfs size is not 1024k:" "$output"
	assert_line_eq 1 1770
	assert_output_match ' /scratch tmpfs [^ ]*nodev'
}

@test "a bind mount destination that does not exist is created, also for a file" {
	mkdir -p "$SHARED/dir"
	echo content > "$SHARED/dir/f"
	echo single > "$SHARED/file"
	add_mount "$(jq -n --arg s "$SHARED/dir" '{destination: "/new/deep/dir", type: "bind", source: $s, options: ["rbind"]}')"
	add_mount "$(jq -n --arg s "$SHARED/file" '{destination: "/etc/new/file.conf", type: "bind", source: $s, options: ["bind", "ro"]}')"
	ctr_sh_ok 'cat /new/deep/dir/f /etc/new/file.conf; [ -f /etc/new/file.conf ] && echo is-file'
	assert_line_eq 0 content
	assert_line_eq 1 single
	assert_line_eq 2 is-file
	[ -d "$BUNDLE/rootfs/new/deep/dir" ]
}

@test "mount options nosuid/noexec/nodev are applied" {
	add_mount '{"destination": "/noexec", "type": "tmpfs", "source": "tmpfs", "options": ["noexec", "nosuid", "nodev"]}'
	ctr_sh 'cp /bin/busybox /noexec/bb && /noexec/bb true && echo exec-ok; grep " /noexec " /proc/mounts'
	refute_output_contains exec-ok
	assert_output_contains "Permission denied"
	assert_output_match ' /noexec tmpfs [^ ]*nosuid,nodev,noexec'
}

@test "mounts made in the container do not appear on the host" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}'
	ctr_sh_ok 'touch /scratch/x; grep -c " /scratch " /proc/mounts'
	assert_output 1
	! grep -q "$BUNDLE" /proc/self/mountinfo || fail "a container mount leaked to the host:" "$(grep "$BUNDLE" /proc/self/mountinfo)"
	[ ! -e "$BUNDLE/rootfs/scratch/x" ]
}

@test "hostile rootfs: /proc -> / does not mount procfs over the host or the rootfs" {
	rm -rf "$BUNDLE/rootfs/proc"
	ln -s / "$BUNDLE/rootfs/proc"
	local before
	before=$(ls -A /)
	ctr_sh 'ls /bin/busybox && echo root-intact'
	# Refusing is fine; if it runs, the rootfs must not be covered by procfs.
	if [ "$status" -eq 0 ]; then
		assert_output_contains root-intact
	fi
	[ "$(ls -A /)" = "$before" ] || fail "the host's / changed"
	[ -x /bin/sh ] && [ -d /proc/self ] || fail "the host's /proc or /bin are broken"
	[ -L "$BUNDLE/rootfs/proc" ]
	assert_no_container
}

@test "hostile rootfs: a mount destination under a symlink to a host directory stays in the rootfs" {
	local hostdir
	hostdir=$(mktemp -d /tmp/ward-target.XXXXXX)
	ln -s "$hostdir" "$BUNDLE/rootfs/evil"
	ln -s / "$BUNDLE/rootfs/evilroot"
	echo data > "$SHARED/f"
	add_mount '{"destination": "/evil/sub/dir", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "$(jq -n --arg s "$SHARED/f" '{destination: "/evilroot/ward-evil-file", type: "bind", source: $s, options: ["bind"]}')"
	ctr_sh 'true'
	local leaked
	leaked=$(ls -A "$hostdir")
	rm -rf "$hostdir"
	[ -z "$leaked" ] || fail "the runtime created '$leaked' in the host directory $hostdir"
	[ ! -e /ward-evil-file ] || { rm -f /ward-evil-file; fail "the runtime created /ward-evil-file on the host"; }
	assert_no_container
}

@test "hostile rootfs: /dev -> host directory does not put device nodes on the host" {
	ward_only "runc 1.1.5 creates the /dev symlinks through it (fd, ptmx, stdin...)"
	local hostdir
	hostdir=$(mktemp -d /tmp/ward-dev.XXXXXX)
	rm -rf "$BUNDLE/rootfs/dev"
	ln -s "$hostdir" "$BUNDLE/rootfs/dev"
	ctr_sh 'ls -l /dev/null'
	local leaked
	leaked=$(ls -A "$hostdir")
	rm -rf "$hostdir"
	[ -z "$leaked" ] || fail "the runtime created '$leaked' in the host directory"
	assert_no_container
}

@test "the default devices exist with the right numbers" {
	ctr_sh_ok 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
	assert_line_eq 0 "/dev/null character special file 1:3 666"
	assert_line_eq 1 "/dev/zero character special file 1:5 666"
	assert_line_eq 2 "/dev/full character special file 1:7 666"
	assert_line_eq 3 "/dev/random character special file 1:8 666"
	assert_line_eq 4 "/dev/urandom character special file 1:9 666"
	assert_line_eq 5 "/dev/tty character special file 5:0 666"
}

@test "the default devices work and nothing else is in /dev" {
	ctr_sh 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; echo x > /dev/full; head -c 8 /dev/urandom | wc -c; ls /dev'
	assert_output_contains null-ok
	assert_line_eq 1 4
	assert_output_contains "No space left on device"
	refute_output_contains kmsg
	refute_output_contains vda
	refute_output_contains mem
}

@test "/dev symlinks, devpts, ptmx and /dev/shm are set up" {
	ctr_sh_ok 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
		grep -E " /dev/(pts|shm|mqueue) " /proc/mounts | cut -d" " -f2,3
		echo hi > /dev/shm/x && cat /dev/shm/x'
	assert_line_eq 0 "fd -> /proc/self/fd"
	assert_line_eq 1 "stdin -> /proc/self/fd/0"
	assert_line_eq 2 "stdout -> /proc/self/fd/1"
	assert_line_eq 3 "stderr -> /proc/self/fd/2"
	assert_line_eq 4 "ptmx -> pts/ptmx"
	assert_output_contains "/dev/pts devpts"
	assert_output_contains "/dev/shm tmpfs"
	assert_output_contains "/dev/mqueue mqueue"
	assert_output_contains hi
}

@test "linux.devices adds a device with its mode and owner" {
	bundle_set '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 384, uid: 1000, gid: 1001}]
		| .linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]
		| .process.user = {uid: 1000, gid: 1001}'
	ctr_sh_ok 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo x > /dev/mynull && echo write-ok'
	assert_line_eq 0 "character special file 1:3 600 1000:1001"
	assert_line_eq 1 write-ok
}

@test "/dev/console is not created without terminal: true" {
	ctr_sh 'ls /dev/console'
	assert_output_contains "No such file or directory"
}
