#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# Container escapes: one test (or a few) per attack class of docs/security.md §3.
# Each test ATTEMPTS the attack and checks, from the host and from inside, that
# it failed. Related tests elsewhere (not repeated here):
#   mounts.bats     hostile rootfs: /proc -> /; a mount destination under a
#                   symlink to a host directory; /dev -> a host directory (class 7)
#   isolation.bats  a cwd with .. or through an absolute symlink; masked paths
#   process.bats    fd 7 (a file) does not leak into run; --preserve-fds
#   exec.bats       fd 7 does not leak into exec
# Helpers compiled here (statically, into the rootfs): tests/lib/procexe.c,
# tiocsti.c, swapper.c.

load ../lib/common

# Host paths a test made outside its scratch directory (the attacks aim at host
# paths such as /tmp/x): removed whatever the outcome.
HOST_TMP=() HOST_CGROUPS=()
# Host sysctls a test saved (sysctl_save): restored first, whatever the outcome.
SYSCTL_SAVED=()
# Host processes a test started (a `sleep` whose namespaces a config joins).
HOST_PIDS=()
teardown() {
	local rc=0 i
	for ((i = 0; i < ${#SYSCTL_SAVED[@]}; i += 2)); do
		echo "${SYSCTL_SAVED[i + 1]}" > "${SYSCTL_SAVED[i]}" || rc=1
	done
	[ "${#HOST_PIDS[@]}" -eq 0 ] || kill "${HOST_PIDS[@]}" 2> /dev/null || true
	teardown_common || rc=$?
	[ "${#HOST_TMP[@]}" -eq 0 ] || rm -rf "${HOST_TMP[@]}"
	host_cgroups_cleanup || rc=$?
	return "$rc"
}

# host_tmp [-d] PREFIX: mktemp [-d] /tmp/PREFIX.XXXXXX, removed by teardown; sets HOST_PATH.
host_tmp() {
	local opt=()
	[ "$1" != -d ] || { opt=(-d) && shift; }
	HOST_PATH=$(mktemp "${opt[@]}" "/tmp/$1.XXXXXX")
	HOST_TMP+=("$HOST_PATH")
}

# static_bin NAME: tests/lib/NAME.c built with gcc -static once per run; prints its path.
static_bin() {
	local dir=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}} bin
	bin="$dir/$1.static"
	(
		flock 9
		[ -x "$bin" ] || gcc -static -O2 -Wall -Werror -o "$bin" "$LIB_DIR/$1.c"
	) 9> "$dir/.$1.lock" || return 1
	echo "$bin"
}

# rootfs_install NAME: the static helper NAME as /bin/NAME in the rootfs.
rootfs_install() {
	local bin
	bin=$(static_bin "$1") || fail "cannot build tests/lib/$1.c (gcc -static needs libc6-dev)"
	cp "$bin" "$BUNDLE/rootfs/bin/$1"
}

# rootfs_add_libs BINARY: BINARY's dynamic loader and libraries in the rootfs at
# their host paths, as a real image (glibc based) has them: the host binary then
# runs inside the container if the container ever gets to execute it.
rootfs_add_libs() {
	local f
	for f in $(ldd "$1" 2> /dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$BUNDLE/rootfs$(dirname "$f")"
		cp -L "$f" "$BUNDLE/rootfs$f"
	done
}

# runtime_id: "DEV INO" of the runtime binary, as procexe takes them.
runtime_id() { stat -L -c '%d %i' "$RUNTIME"; }

# host_mounts_of PATH...: the host's mountinfo lines that name one of the paths.
host_mounts_of() {
	local p
	for p in "$@"; do
		grep -F -- " $p " /proc/self/mountinfo || true
	done
}

# --- 1. CVE-2019-5736: the runtime binary through /proc/PID/exe -------------------

@test "CVE-2019-5736: a created container's init (still the runtime) cannot be read or opened for writing through /proc/1/exe" {
	ward_only "runc 1.1.5's init is dumpable: /proc/1/exe reads (a read-only clone of runc; writing gives ETXTBSY)"
	local sum
	sum=$(sha256sum < "$RUNTIME")
	bundle_args true
	rt_detached create --bundle "$BUNDLE" "$ID"
	wait_status created
	# dd with conv=notrunc and no input opens for writing and writes nothing.
	run rt exec "$ID" sh -c 'readlink /proc/1/exe && echo READLINK-OK
		cat /proc/1/exe > /dev/null && echo READ-OK
		dd if=/dev/null of=/proc/1/exe conv=notrunc 2>&1 && echo WRITE-OPEN-OK
		echo probe-done'
	assert_output_contains probe-done
	refute_output_contains READLINK-OK
	refute_output_contains READ-OK
	refute_output_contains WRITE-OPEN-OK
	# busybox readlink fails silently; cat and dd say why
	[ "$(grep -c -E 'Permission denied|Operation not permitted' <<< "$output")" -ge 2 ] ||
		fail "expected EACCES/EPERM from cat and dd:" "$output"
	[ "$(ctr_status)" = created ]
	[ "$(sha256sum < "$RUNTIME")" = "$sum" ] || fail "CRITICAL: the runtime binary $RUNTIME changed"
}

# The exploit of CVE-2019-5736: a program in the image whose interpreter is
# /proc/self/exe. When the runtime execve()s it, the kernel resolves the
# interpreter to the executable of the process doing the execve: unless the
# runtime runs from a sealed copy, that is the host's runtime binary, now running
# inside the container where a process of the container can open its
# /proc/PID/exe and, once it is no longer busy, reopen it for writing.
# procexe scans /proc meanwhile (never writing); runs of plain `exec true` probe
# the window between clone and PR_SET_DUMPABLE in the runtime's exec child.
# $1: "userns" for a container in a user namespace.
proc_self_exe_attack() {
	local sum result i
	sum=$(sha256sum < "$RUNTIME")
	rootfs_add_libs "$RUNTIME"
	rootfs_install procexe
	printf '#!/proc/self/exe\n' > "$BUNDLE/rootfs/evil"
	chmod 755 "$BUNDLE/rootfs/evil"
	if [ "${1:-}" = userns ]; then
		# the mapped root must be able to reach the rootfs through bats' 0700 dirs
		local d
		d=$(dirname "$BUNDLE")
		while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
			chmod o+x "$d"
			d=$(dirname "$d")
		done
		chown -R 100000:100000 "$BUNDLE/rootfs"
		bundle_set '.linux.namespaces += [{type: "user"}]
			| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
			| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	fi
	bundle_args sh -c "procexe $(runtime_id) /tmp/stop > /tmp/probe.out 2>&1; echo \"rc=\$?\" >> /tmp/probe.out; touch /tmp/probe.done; while :; do sleep 1; done"
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	retry 100 0.1 grep -q SCANNING "$BUNDLE/rootfs/tmp/probe.out" || fail "the probe did not start:" "$(cat "$BUNDLE/rootfs/tmp/probe.out" 2>&1)"
	for ((i = 0; i < 30; i++)); do
		rt exec "$ID" /evil > /dev/null 2>&1 || true
		rt exec "$ID" true > /dev/null 2>&1 || true
		# a hit: no runtime process of ours may keep the binary busy now
		grep -q HIT "$BUNDLE/rootfs/tmp/probe.out" && break
	done
	touch "$BUNDLE/rootfs/tmp/stop"
	wait_file "$BUNDLE/rootfs/tmp/probe.done"
	result=$(cat "$BUNDLE/rootfs/tmp/probe.out")
	[ "$(sha256sum < "$RUNTIME")" = "$sum" ] || fail "CRITICAL: the runtime binary $RUNTIME changed"
	[[ $result != *WRITABLE* ]] ||
		fail "CRITICAL (CVE-2019-5736): the container reopened the host's $RUNTIME for writing through /proc/PID/exe:" "$result"
	case $RUNTIME_NAME in
	ward*)
		# ward's claim is stronger: the host's binary is never reachable at all
		[[ $result != *HIT* ]] ||
			fail "the container opened the host's $RUNTIME through /proc/PID/exe (the runtime ran inside the container):" "$result"
		;;
	esac
	[[ $result == *MISS* || $result == *HIT* ]] || fail "the probe failed:" "$result"
}

@test "CVE-2019-5736: a #!/proc/self/exe program exec'd by the runtime never gives the container the host's runtime binary" {
	proc_self_exe_attack
}

@test "CVE-2019-5736: the same in a user namespace" {
	proc_self_exe_attack userns
}

# --- 2. fd leaks (CVE-2016-9962, CVE-2024-21626) ----------------------------------

# fds_of_ls OUTPUT: from the output of `ls -l /proc/self/fd`, "N:TARGET " per fd,
# without the fd ls reads the directory with.
fds_of_ls() {
	printf '%s\n' "$1" | awk '$(NF-1) == "->" && $NF !~ /^\/proc\/[0-9]+\/fd$/ { print $(NF-2) ":" $NF }' | tr '\n' ' '
}

@test "fds of the caller (a file and a host directory) never reach the container, by run or exec; --preserve-fds 1 passes exactly fd 3" {
	echo preserved > "$T/extra"
	bundle_args ls -l /proc/self/fd
	run_with_fds() { rt run "$@" --bundle "$BUNDLE" "$ID" < /dev/null 3< "$T/extra" 7< /etc/hostname 8< /; }
	run run_with_fds
	assert_status 0
	[[ "$(fds_of_ls "$output")" =~ ^0:[^\ ]+\ 1:[^\ ]+\ 2:[^\ ]+\ $ ]] || fail "fds other than 0 1 2 in the container:" "$output"
	run run_with_fds --preserve-fds 1
	assert_status 0
	[[ "$(fds_of_ls "$output")" =~ ^0:[^\ ]+\ 1:[^\ ]+\ 2:[^\ ]+\ 3:"$T/extra"\ $ ]] ||
		fail "expected fds 0 1 2 and 3 ($T/extra) only:" "$output"
	# the same for exec
	start_sleeper
	exec_with_fds() { rt exec "$@" "$ID" ls -l /proc/self/fd < /dev/null 3< "$T/extra" 7< /etc/hostname 8< /; }
	run exec_with_fds
	assert_status 0
	[[ "$(fds_of_ls "$output")" =~ ^0:[^\ ]+\ 1:[^\ ]+\ 2:[^\ ]+\ $ ]] || fail "fds other than 0 1 2 in exec:" "$output"
	run exec_with_fds --preserve-fds 1
	assert_status 0
	[[ "$(fds_of_ls "$output")" =~ ^0:[^\ ]+\ 1:[^\ ]+\ 2:[^\ ]+\ 3:"$T/extra"\ $ ]] ||
		fail "expected fds 0 1 2 and 3 ($T/extra) only in exec:" "$output"
}

@test "CVE-2024-21626: process.cwd and exec --cwd /proc/self/fd/N never put the process outside the rootfs" {
	local hostdir n
	host_tmp -d ward-fdcwd
	hostdir=$HOST_PATH
	touch "$hostdir/host-only-marker"
	# fd 8 is a host directory held by the caller; 3..12 also cover the runtime's own fds
	with_fds() { rt "$@" < /dev/null 7< /etc/hostname 8< "$hostdir"; }
	for n in 3 4 5 6 7 8 9 10 11 12; do
		bundle_set '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		bundle_args sh -c 'echo "cwd=$(pwd)"; ls -a . ..'
		run with_fds run --bundle "$BUNDLE" "$ID"
		refute_output_contains host-only-marker
		refute_output_contains unreachable
		[ "$status" -eq 0 ] || assert_no_container
		rt delete --force "$ID" > /dev/null 2>&1 || true
	done
	bundle_set '.process.cwd = "/"'
	start_sleeper
	for n in 3 4 5 6 7 8 9 10 11 12; do
		run with_fds exec --cwd "/proc/self/fd/$n" "$ID" sh -c 'echo "cwd=$(pwd)"; ls -a . ..'
		refute_output_contains host-only-marker
		refute_output_contains unreachable
	done
	[ "$(ls -A "$hostdir")" = host-only-marker ] || fail "the host directory changed: $(ls -A "$hostdir")"
}

# --- 3. mount targets: symlinks and rename races (CVE-2021-30465, CVE-2019-19921) --

@test "hostile rootfs: mount destinations that are themselves symlinks to host paths stay in the rootfs" {
	local hostdir hostfile content mtime
	host_tmp -d ward-mntdir
	hostdir=$HOST_PATH
	touch "$hostdir/host-only"
	host_tmp ward-mntfile
	hostfile=$HOST_PATH
	echo host-content > "$hostfile"
	touch -d 2001-01-01 "$hostfile"
	mtime=$(stat -c %Y "$hostfile")
	echo from-shared > "$SHARED/f"
	ln -s "$hostdir" "$BUNDLE/rootfs/data"          # an existing host directory
	ln -s "$hostfile" "$BUNDLE/rootfs/etc/conf"     # an existing host file
	ln -s "$hostdir/made" "$BUNDLE/rootfs/dangling" # a dangling link to a host path
	bundle_set '.mounts += [
		{destination: "/data", type: "tmpfs", source: "tmpfs"},
		{destination: "/etc/conf", type: "bind", source: $f, options: ["bind"]},
		{destination: "/dangling", type: "tmpfs", source: "tmpfs"}]' --arg f "$SHARED/f"
	# the script always exits 0: a failure is the runtime's refusal
	ctr_sh 'echo inside > /data/x && echo data-ok; cat /etc/conf; echo inside > /dangling/y && echo dangling-ok; true'
	local leaked_mounts
	leaked_mounts=$(host_mounts_of "$hostdir" "$hostfile" "$hostdir/made")
	[ -z "$leaked_mounts" ] || fail "a mount landed on the host:" "$leaked_mounts"
	[ "$(ls -A "$hostdir")" = host-only ] || fail "the host directory changed: $(ls -A "$hostdir")"
	content="$(cat "$hostfile") $(stat -c %Y "$hostfile")"
	[ "$content" = "host-content $mtime" ] || fail "the host file changed: $content"
	if [ "$status" -eq 0 ]; then
		assert_output_contains data-ok
		assert_output_contains from-shared
		assert_output_contains dangling-ok
	else
		assert_no_container
	fi
}

@test "rename race: a mount destination swapped between a directory and a symlink to a host directory stays in the rootfs" {
	local hostdir swapper i stop=$T/swap.stop
	host_tmp -d ward-race
	hostdir=$HOST_PATH
	touch "$hostdir/host-only"
	swapper=$(static_bin swapper) || fail "cannot build tests/lib/swapper.c"
	mkdir -p "$BUNDLE/rootfs/data/sub"
	ln -s "$hostdir" "$BUNDLE/rootfs/data.link"
	bundle_set '.mounts += [{destination: "/data/sub", type: "tmpfs", source: "tmpfs"}]'
	bundle_args true
	"$swapper" "$BUNDLE/rootfs/data" "$BUNDLE/rootfs/data.link" "$stop" > "$T/swap.out" 2>&1 3>&- &
	local swap_pid=$!
	for ((i = 0; i < 15; i++)); do
		rt run --bundle "$BUNDLE" "$ID-$i" < /dev/null > /dev/null 2>&1 || true
		rt delete --force "$ID-$i" > /dev/null 2>&1 || true
	done
	touch "$stop"
	wait "$swap_pid" || fail "swapper failed: $(cat "$T/swap.out")"
	local leaked_mounts
	leaked_mounts=$(host_mounts_of "$hostdir" "$hostdir/sub")
	[ -z "$leaked_mounts" ] || fail "a mount landed on the host:" "$leaked_mounts"
	[ "$(ls -A "$hostdir")" = host-only ] || fail "the runtime created '$(ls -A "$hostdir")' in the host directory"
}

# --- 4. /dev/null swapped while masking (CVE-2025-31133) ---------------------------

@test "CVE-2025-31133: maskedPaths use the real null device, never the image's /dev/null (a regular file or a symlink to a host file)" {
	ward_only "runc 1.1.5 masks with the image's /dev/null (CVE-2025-31133)"
	read -r _ < /proc/timer_list || skip "the host has no readable /proc/timer_list"
	local hostfile kind before
	host_tmp ward-null
	hostfile=$HOST_PATH
	echo host-secret > "$hostfile"
	touch -d 2001-01-01 "$hostfile"
	before=$(stat -c '%s %Y' "$hostfile")
	# /dev is the image's own directory (a bind), so /dev/null is what the image says
	bundle_set '.mounts |= map(if .destination == "/dev" then {destination: "/dev", type: "bind", source: "devdir", options: ["rbind"]} else . end)
		| .linux.maskedPaths = ["/proc/timer_list", "/proc/keys"]'
	for kind in file symlink; do
		rm -rf "$BUNDLE/devdir"
		mkdir "$BUNDLE/devdir"
		if [ "$kind" = file ]; then
			echo not-the-null-device > "$BUNDLE/devdir/null"
		else
			ln -s "$hostfile" "$BUNDLE/devdir/null"
		fi
		ctr_sh_ok 'echo "timer_list $(wc -c < /proc/timer_list)"; stat -c "%n %F %t,%T" /proc/timer_list /proc/keys
			cat /proc/keys /proc/timer_list'
		assert_line_eq 0 "timer_list 0"
		assert_line_eq 1 "/proc/timer_list character special file 1,3"
		assert_line_eq 2 "/proc/keys character special file 1,3"
		refute_output_contains not-the-null-device
		refute_output_contains host-secret
	done
	[ "$(stat -c '%s %Y' "$hostfile")" = "$before" ] && [ "$(cat "$hostfile")" = host-secret ] ||
		fail "the host file behind the image's /dev/null changed"
}

@test "masked paths: a root container cannot chmod, chown or touch the host's /dev/null through a masked file" {
	ward_only "runc 1.1.5 masks with a writable bind of /dev/null"
	local before
	before=$(stat -c '%a %u %g %Z %Y' /dev/null)
	bundle_set '.linux.maskedPaths = ["/proc/timer_list", "/proc/kcore"]'
	# the same mode and owner: harmless even where it succeeds, but it changes the ctime
	ctr_sh 'chmod 666 /proc/timer_list && echo CHMOD-OK; chown 0:0 /proc/timer_list && echo CHOWN-OK
		touch /proc/timer_list && echo TOUCH-OK; cat /proc/timer_list; echo read-done'
	assert_output_contains read-done
	refute_output_contains CHMOD-OK
	refute_output_contains CHOWN-OK
	refute_output_contains TOUCH-OK
	[ "$(stat -c '%a %u %g %Z %Y' /dev/null)" = "$before" ] ||
		fail "the host's /dev/null changed: $before -> $(stat -c '%a %u %g %Z %Y' /dev/null)"
}

# --- 5. procfs writes redirected (CVE-2019-16884, CVE-2025-52881) ------------------

@test "CVE-2025-52881: sysctl and oomScoreAdj writes reach the real procfs, not a fake /proc of the image or a mount over it" {
	local fake pid
	# /proc is a symlink to a directory of the image holding a fake sysctl file ...
	mkdir -p "$BUNDLE/rootfs/fakeproc/sys/net/ipv4"
	echo fake > "$BUNDLE/rootfs/fakeproc/sys/net/ipv4/ip_forward"
	rm -rf "$BUNDLE/rootfs/proc"
	ln -s /fakeproc "$BUNDLE/rootfs/proc"
	# ... and a file of the bundle is mounted over the real sysctl file
	echo fake > "$BUNDLE/fake_ip_forward"
	touch -d 2001-01-01 "$BUNDLE/fake_ip_forward" "$BUNDLE/rootfs/fakeproc/sys/net/ipv4/ip_forward"
	bundle_set '.mounts += [{destination: "/proc/sys/net/ipv4/ip_forward", type: "bind", source: "fake_ip_forward", options: ["bind"]}]
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.oomScoreAdj = 123 | .linux.readonlyPaths = []'
	bundle_args sh -c 'cat /proc/self/oom_score_adj > /tmp/oom; trap "exit 0" TERM; while :; do sleep 1; done'
	run rt run -d --bundle "$BUNDLE" "$ID" < /dev/null
	if [ "$status" -eq 0 ]; then
		wait_status running
		pid=$(ctr_pid)
		wait_file "$BUNDLE/rootfs/tmp/oom"
		# the container's network namespace, through the host's procfs
		[ "$(nsenter --net="/proc/$pid/ns/net" cat /proc/sys/net/ipv4/ip_forward)" = 1 ] ||
			fail "net.ipv4.ip_forward is not 1 in the container's network namespace"
		[ "$(cat "/proc/$pid/oom_score_adj")" = 123 ] || fail "oom_score_adj of the init is $(cat "/proc/$pid/oom_score_adj")"
		[ "$(cat "$BUNDLE/rootfs/tmp/oom")" = 123 ] || fail "oom_score_adj inside is $(cat "$BUNDLE/rootfs/tmp/oom")"
	else
		assert_no_container
	fi
	for fake in "$BUNDLE/fake_ip_forward" "$BUNDLE/rootfs/fakeproc/sys/net/ipv4/ip_forward"; do
		[ "$(cat "$fake")" = fake ] && [ "$(stat -c %Y "$fake")" = "$(date -d 2001-01-01 +%s)" ] ||
			fail "a sysctl write went to the fake file $fake: $(cat "$fake")"
	done
}

# --- 5a. sysctl names that walk out of their namespace's subtree ---------------------
# A '/' in a sysctl name stands for a '.' inside a component, so "net.//.x" is
# net/../x: it must be judged as a path, or a namespaced prefix reaches the host's
# settings (ward 7d7cbfc wrote the host's kernel.core_pattern from a config that
# passed `--policy restricted`). The target here is a harmless host sysctl that
# no namespace has, saved and restored by teardown.

SYSCTL_TARGET=vm.stat_interval

# sysctl_save FILE: remember a host sysctl's value; teardown writes it back.
sysctl_save() {
	SYSCTL_SAVED+=("$1" "$(cat "$1")")
}

# sysctl_hardened: the bundle's config is `ward spec`'s (uid 65534, no
# capabilities, no_new_privs, every namespace but user, read-only root).
sysctl_hardened() {
	(cd "$BUNDLE" && rm -f config.json && "$RUNTIME" spec) || fail "$RUNTIME spec failed"
	bundle_args true
}

# sysctl_walks_out LEVEL: each name that leaves its subtree for the target is
# refused by create under --policy LEVEL, cleanly, and the host's value stays.
sysctl_walks_out() {
	local file=/proc/sys/${SYSCTL_TARGET//.//} name before value i=0
	sysctl_save "$file"
	before=$(cat "$file")
	sysctl_hardened
	for name in "net.//.$SYSCTL_TARGET" "fs.mqueue.//.//.$SYSCTL_TARGET" "net.ipv4.//.//.$SYSCTL_TARGET" \
		"net.ipv4.conf.all.//.//.//.//.$SYSCTL_TARGET" "net.//.vm.//.$SYSCTL_TARGET"; do
		i=$((i + 1))
		value=$((before + 6 + i))
		bundle_set '.linux.sysctl = {($n): $v}' --arg n "$name" --arg v "$value"
		run --separate-stderr rt --policy "$1" create --bundle "$BUNDLE" "$ID"
		[ "$(cat "$file")" = "$before" ] ||
			fail "$name=$value under --policy $1 changed the host's $SYSCTL_TARGET to $(cat "$file")" "$stderr"
		assert_clean_failure
		[[ ${stderr_lines[0]} == *"linux.sysctl.$name"* ]] ||
			fail "the error does not name linux.sysctl.$name:" "$stderr"
	done
}

@test "sysctl names: \"net.//.<host sysctl>\" and other walks out of a namespaced subtree, under --policy restricted with ward spec's config, never reach the host" {
	ward_only "--policy is ward's (runc and crun: ENOENT)"
	sysctl_walks_out restricted
}

@test "sysctl names: the same walks under --policy baseline" {
	ward_only "--policy is ward's"
	sysctl_walks_out baseline
}

@test "sysctl names: the same walks under --policy oci" {
	ward_only "--policy is ward's"
	sysctl_walks_out oci
}

@test "sysctl names: net.ipv4.ip_forward=1 is applied in the container's network namespace only" {
	local policy=()
	# restricted, with the sysctl allowed by the host policy (it is not one of the
	# Kubernetes-safe ones restricted takes by itself)
	if [[ $RUNTIME_NAME == ward* ]]; then
		policy=(--policy restricted)
		mkdir -p "$T/hostpolicy"
		echo "allow-sysctl = net.ipv4.ip_forward" > "$T/hostpolicy/policy"
		export WARD_POLICY_FILE=$T/hostpolicy/policy
	fi
	sysctl_save /proc/sys/net/ipv4/ip_forward
	echo 0 > /proc/sys/net/ipv4/ip_forward
	sysctl_hardened
	bundle_set '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	bundle_args cat /proc/sys/net/ipv4/ip_forward
	run rt "${policy[@]}" run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_output 1
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] || fail "the host's net.ipv4.ip_forward changed"
}

@test "sysctl names: a net.* sysctl is refused when the network namespace joined by path is the runtime's own" {
	ward_only "runc refuses a sysctl in the host's network namespace by its path string only"
	local ns paths=(/proc/self/ns/net)
	sysctl_save /proc/sys/net/ipv4/ip_forward
	echo 0 > /proc/sys/net/ipv4/ip_forward
	# a host process's namespace, under a path no string check knows
	sleep 1000 &
	HOST_PIDS+=("$!")
	paths+=("/proc/$!/ns/net")
	if readlink /proc/1/ns/net > /dev/null 2>&1; then
		paths+=(/proc/1/ns/net)
	else
		echo "# /proc/1/ns/net cannot be opened on this host: not tried" >&3
	fi
	sysctl_hardened
	for ns in "${paths[@]}"; do
		bundle_set '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
			| .linux.sysctl = {"net.ipv4.ip_forward": "1"}' --arg p "$ns"
		run --separate-stderr rt create --bundle "$BUNDLE" "$ID"
		[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] ||
			fail "joined $ns: the host's net.ipv4.ip_forward changed" "$stderr"
		assert_clean_failure
		[[ ${stderr_lines[0]} == *"linux.sysctl.net.ipv4.ip_forward"*"runtime's own"* ]] ||
			fail "joined $ns: the error does not say why:" "$stderr"
	done
}

# --- 6. inheritable and ambient capabilities (CVE-2022-29162) ----------------------

@test "CVE-2022-29162: inheritable and ambient stay empty unless listed; a cap_net_raw+ei binary gives a non-root user nothing" {
	command -v setcap > /dev/null || skip "setcap (libcap2-bin) is not installed"
	mkdir -p "$BUNDLE/rootfs/capbin"
	cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/capbin/grep"
	setcap cap_net_raw+ei "$BUNDLE/rootfs/capbin/grep"
	getcap "$BUNDLE/rootfs/capbin/grep" | grep -q cap_net_raw || skip "file capabilities are not supported on $T"
	local caps
	caps=$(json_array CAP_NET_RAW CAP_CHOWN CAP_DAC_OVERRIDE CAP_SETUID CAP_SETGID CAP_KILL)
	bundle_set '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}
		| .process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}' --argjson c "$caps"
	ctr_sh_ok 'grep -E "^Cap(Inh|Amb)" /proc/self/status; /capbin/grep -E "^Cap(Eff|Prm)" /proc/self/status'
	[ "$(status_field CapInh)" = 0000000000000000 ] || fail "inheritable capabilities not listed in the config:" "$output"
	[ "$(status_field CapAmb)" = 0000000000000000 ] || fail "ambient capabilities not listed in the config:" "$output"
	[ "$(status_field CapEff)" = 0000000000000000 ] || fail "the file-capability binary gained capabilities:" "$output"
	[ "$(status_field CapPrm)" = 0000000000000000 ] || fail "the file-capability binary gained capabilities:" "$output"
}

# --- 8. signalling a recycled pid ---------------------------------------------------

@test "a pid recycled by a host process is never signalled by kill or delete, nor reported as the container" {
	local state sleeper real
	start_sleeper
	real=$(ctr_pid)
	state="$ROOT/$ID/state.json"
	[ -f "$state" ] || fail "no state file at $state"
	sleep 1000 > /dev/null 2>&1 3>&- &
	sleeper=$!
	# the pid now names a host process; the recorded start time stays the container's
	jq --argjson p "$sleeper" 'if has("init_process_pid") then .init_process_pid = $p else .pid = $p end' "$state" > "$T/state.new"
	chmod 600 "$T/state.new"
	mv "$T/state.new" "$state"
	run rt state "$ID"
	[ "$(jq -r .pid <<< "$output" 2> /dev/null)" != "$sleeper" ] || fail "state reports the host's sleeper as the container's process:" "$output"
	[ "$(jq -r .status <<< "$output" 2> /dev/null)" = stopped ] || fail "state should say stopped:" "$output"
	run rt kill "$ID" KILL
	sleep 0.2
	pid_alive "$sleeper" || fail "kill signalled the host process $sleeper that reused the pid"
	run rt delete --force "$ID"
	sleep 0.2
	pid_alive "$sleeper" || fail "delete --force signalled the host process $sleeper that reused the pid"
	kill "$sleeper"
	# delete removed the container by its cgroup; if it could not, clean up the real init
	if pid_alive "$real"; then
		kill -9 "$real" 2> /dev/null || true
		wait_pid_gone "$real"
	fi
	rt delete --force "$ID" > /dev/null 2>&1 || true
}

# --- 9. state tampering -------------------------------------------------------------

@test "state tampering: a symlinked or world-writable state root and a symlinked state.json are refused" {
	ward_only "runc 1.1.5 accepts a symlinked and a world-writable --root"
	local target
	bundle_args true
	target=$T/real-root
	mkdir -m 700 "$target"
	ln -s "$target" "$T/root-link"
	run --separate-stderr timeout 10 "$RUNTIME" --root "$T/root-link" run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -ne 0 ] || fail "run with a symlinked --root succeeded"
	[[ $stderr == *symlink* ]] || fail "no clear error for a symlinked --root:" "$stderr"
	[ -z "$(ls -A "$target")" ] || fail "state was written through the symlink: $(ls -A "$target")"

	mkdir -p "$ROOT"
	chmod 0777 "$ROOT"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$status" -ne 0 ] || fail "run with a world-writable --root succeeded"
	[[ $stderr == *"writable by others"* ]] || fail "no clear error for a world-writable --root:" "$stderr"
	[ -z "$(ls -A "$ROOT")" ] || fail "state was written in the world-writable root: $(ls -A "$ROOT")"
	chmod 0700 "$ROOT"

	start_sleeper
	jq '.bundle = "/crafted-bundle"' "$ROOT/$ID/state.json" > "$T/crafted.json"
	mv "$ROOT/$ID/state.json" "$T/saved.json"
	ln -s "$T/crafted.json" "$ROOT/$ID/state.json"
	run --separate-stderr rt state "$ID"
	[ "$status" -ne 0 ] || fail "state followed a symlinked state.json:" "$output"
	[[ $output != *crafted-bundle* ]] || fail "state read the symlink's target:" "$output"
	run --separate-stderr rt kill "$ID" KILL
	[ "$status" -ne 0 ] || fail "kill followed a symlinked state.json"
	[ "$(jq -r .bundle "$T/crafted.json")" = /crafted-bundle ] || fail "the symlink's target was rewritten"
	rm "$ROOT/$ID/state.json"
	mv "$T/saved.json" "$ROOT/$ID/state.json"
	[ "$(ctr_status)" = running ] || fail "the container was disturbed"
}

# --- 10. TIOCSTI ----------------------------------------------------------------------

@test "TIOCSTI: a container on the caller's terminal cannot push input into it (run and exec)" {
	local tiocsti marker=$T/injected out
	tiocsti=$(static_bin tiocsti) || fail "cannot build tests/lib/tiocsti.c"
	rootfs_install tiocsti
	bundle_args tiocsti "touch $marker"
	# script gives the caller a terminal of its own session: the runtime's stdin is
	# that tty. After the container, the caller's shell reads and runs the lines the
	# terminal holds, as an interactive shell would, up to END (pushed by the caller,
	# which may: it is its session's tty). script turns its own stdin's EOF into an
	# EOF on the terminal: a few of those are skipped.
	local reader="; $tiocsti END > /dev/null; eofs=0; while [ \$eofs -lt 3 ]; do
		IFS= read -r line || { eofs=\$((eofs + 1)); continue; }
		[ \"\$line\" = END ] && break; echo \"ran: \$line\"; eval \"\$line\"; done"
	out=$(timeout 20 script -qec "$RUNTIME --root $ROOT run --bundle $BUNDLE $ID $reader" /dev/null < /dev/null 2>&1) || true
	[ ! -e "$marker" ] || fail "CRITICAL: text pushed by the container (run) ran on the host:" "$out"
	[[ $out == *"TIOCSTI: "* ]] || fail "the injection did not fail inside the container (run):" "$out"
	start_sleeper
	out=$(timeout 20 script -qec "$RUNTIME --root $ROOT exec $ID tiocsti 'touch $marker' $reader" /dev/null < /dev/null 2>&1) || true
	[ ! -e "$marker" ] || fail "CRITICAL: text pushed by the container (exec) ran on the host:" "$out"
	[[ $out == *"TIOCSTI: "* ]] || fail "the injection did not fail inside the container (exec):" "$out"
}

# --- 11. out-of-range ids: (uid_t)-1 --------------------------------------------------
# 4294967295 is (uid_t)-1, which setresuid, setresgid and chown read as "leave
# unchanged": a runtime that passes it on leaves the process as root (uid 0, gid
# 0) in a container whose config asked for a user that is not root, which also
# slips past restricted's "no uid 0" rule. Like runc, ward takes ids 0 to 2^31-1.

OOR_MSG='is out of range (0 to 2147483647)'

# oor_host_dir MODE: a root-owned host directory with MODE, bound read-write at /h;
# sets OOR_DIR.
oor_host_dir() {
	host_tmp -d ward-ids
	OOR_DIR=$HOST_PATH
	chown 0:0 "$OOR_DIR"
	chmod "$1" "$OOR_DIR"
	# shellcheck disable=SC2016 # $s is jq's
	bundle_set '.mounts += [{destination: "/h", type: "bind", source: $s, options: ["rbind", "rw"]}]
		| .linux.namespaces += [{type: "cgroup"}]' --arg s "$OOR_DIR"
	bundle_args sh -c 'echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"; echo owned > /h/owned && echo WROTE'
}

# oor_refused USER FIELD: with process.user = USER (jq), run under each policy
# level is refused before anything is created: exit 1, one line naming FIELD, no
# state, no process, and the host directory stays empty. Every level is tried
# before the test fails, so that a failure shows each one.
oor_refused() {
	local level out err=() rc problems=()
	bundle_set ".process.user = $1"
	for level in restricted baseline oci; do
		rc=0
		out=$(rt --policy "$level" run --bundle "$BUNDLE" "$ID" < /dev/null 2> "$T/oor.err") || rc=$?
		mapfile -t err < "$T/oor.err"
		if [ -n "$(ls -A "$OOR_DIR")" ]; then
			problems+=("CRITICAL ($level): the container wrote into the root-owned host directory: ${out//$'\n'/ }")
			rm -f "$OOR_DIR"/*
		elif [ "$rc" -eq 0 ]; then
			problems+=("$level: process.user $1 was accepted: ${out//$'\n'/ }")
		elif [ "$rc" -ne 1 ] || [ "${#err[@]}" -ne 1 ] || [[ ${err[0]} != *"$2: 4294967295 $OOR_MSG"* ]]; then
			problems+=("$level: expected exit 1 and one line naming $2 and the range, got exit $rc: ${err[*]}")
		else
			assert_no_container
		fi
		rt delete --force "$ID" > /dev/null 2>&1 || true
	done
	[ "${#problems[@]}" -eq 0 ] || fail "${problems[@]}"
}

@test "out-of-range ids: process.user.uid 4294967295 never leaves the process root (restricted, baseline, oci)" {
	ward_only "--policy is ward's"
	oor_host_dir 0755
	oor_refused '{uid: 4294967295, gid: 1000}' process.user.uid
}

@test "out-of-range ids: process.user.gid 4294967295 never leaves the process in group 0 (restricted, baseline, oci)" {
	ward_only "--policy is ward's"
	# group-writable: what a process left in group 0 could write
	oor_host_dir 0775
	oor_refused '{uid: 1000, gid: 4294967295}' process.user.gid
}

@test "out-of-range ids: process.user.additionalGids [4294967295] is refused before anything is created" {
	ward_only "--policy is ward's"
	oor_host_dir 0775
	oor_refused '{uid: 1000, gid: 1000, additionalGids: [4294967295]}' 'process.user.additionalGids[0]'
}

@test "out-of-range ids: exec --process with uid 4294967295 and exec --user above 2^31-1 are refused; the container keeps running" {
	local pid user
	oor_host_dir 0755
	start_sleeper
	pid=$(ctr_pid)
	jq -n '{args: ["sh", "-c", "echo uid=$(id -u); echo owned > /h/owned && echo WROTE"], cwd: "/",
		user: {uid: 4294967295, gid: 1000}}' > "$T/process.json"
	run --separate-stderr rt exec --process "$T/process.json" "$ID"
	[ -z "$(ls -A "$OOR_DIR")" ] || fail "CRITICAL: exec --process wrote into the root-owned host directory:" "$output"
	[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] ||
		fail "exec --process with uid 4294967295: exit $status, expected 1 and one line:" "$output" "$stderr"
	[[ $stderr == *"process.user.uid: 4294967295 $OOR_MSG"* ]] || fail "the error does not name process.user.uid:" "$stderr"
	for user in 4294967295 0:4294967295 2147483648 1000:2147483648 4294967296; do
		run --separate-stderr rt exec --user "$user" "$ID" sh -c 'id -u; echo owned > /h/owned && echo WROTE'
		[ -z "$(ls -A "$OOR_DIR")" ] || fail "CRITICAL: exec --user $user wrote into the root-owned host directory:" "$output"
		[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] ||
			fail "exec --user $user: exit $status, expected 1 and one line:" "$output" "$stderr"
		[[ $stderr == *"--user \"$user\""*"$OOR_MSG"* ]] || fail "exec --user $user: the error does not give the range:" "$stderr"
	done
	[ "$(ctr_status)" = running ] && [ "$(ctr_pid)" = "$pid" ] || fail "the container did not keep running"
	run rt exec --user 2147483647:2147483647 "$ID" sh -c 'id -u; id -g'
	assert_status 0
	assert_output "$(printf '2147483647\n2147483647')"
}

# --- 12. cgroups ward did not make ----------------------------------------------------
# A cgroupsPath may name a cgroup someone else made, and linux.resources.unified names
# files of the container's cgroup: neither may reach a host process (the device
# program over it, a kill at delete, a move into the container), and delete removes
# what the container made however deep.

# The v2 hierarchy (a hybrid host's unified one).
cg_mnt() {
	if [ -r /sys/fs/cgroup/unified/cgroup.procs ]; then echo /sys/fs/cgroup/unified; else echo /sys/fs/cgroup; fi
}

# host_cg_tree [CHILD...]: a test-unique cgroup CGT=$MNT/ward-test-PID-N (its path in
# the hierarchy: CGP) with the given children, removed by teardown.
host_cg_tree() {
	MNT=$(cg_mnt)
	CGP=/ward-test-$$-$BATS_SUITE_TEST_NUMBER
	CGT=$MNT$CGP
	HOST_CGROUPS+=("$CGT")
	mkdir "$CGT"
	for c in "$@"; do mkdir "$CGT/$c"; done
}

# host_sleep CGROUP: a host `sleep 1000` moved into CGROUP; SLEEP_PID, killed by teardown.
host_sleep() {
	sleep 1000 > /dev/null 2>&1 3>&- &
	SLEEP_PID=$!
	HOST_PIDS+=("$SLEEP_PID")
	echo "$SLEEP_PID" > "$1/cgroup.procs"
	SLEEP_CG=${1#"$MNT"}
}

# The host sleep is alive, in the cgroup it was put in, and not frozen.
assert_sleep_untouched() {
	pid_alive "$SLEEP_PID" || fail "the host process $SLEEP_PID was killed ($1)"
	[ "$(sed -n 's/^0:://p' "/proc/$SLEEP_PID/cgroup")" = "$SLEEP_CG" ] ||
		fail "the host process $SLEEP_PID was moved to $(sed -n 's/^0:://p' "/proc/$SLEEP_PID/cgroup") ($1)"
	grep -qx "frozen 0" "$MNT$SLEEP_CG/cgroup.events" || fail "the host process's cgroup is frozen ($1)"
}

# can_open_kmsg CGROUP: a host process placed in CGROUP can open /dev/kmsg (1:11),
# which ward's device program never allows: no such program is over CGROUP.
can_open_kmsg() {
	sh -c 'echo $$ > "$1/cgroup.procs" && : < /dev/kmsg' sh "$1" 2> /dev/null
}

# Kill the test's host processes, then everything left in the test's cgroups (only
# the test's sleeps and containers are in them) and remove them, deepest first.
host_cgroups_cleanup() {
	local p cg rc=0
	for p in "${HOST_PIDS[@]}"; do kill -9 "$p" 2> /dev/null || true; done
	for cg in "${HOST_CGROUPS[@]}"; do
		[ -d "$cg" ] || continue
		echo 1 > "$cg/cgroup.kill" 2> /dev/null || true
		retry 50 0.1 grep -qx "populated 0" "$cg/cgroup.events" || true
		find "$cg" -depth -type d -exec rmdir {} + 2> /dev/null || rc=1
	done
	return "$rc"
}

@test "cgroupsPath naming a cgroup with host processes (or cgroups) below it is refused: nothing attached to it, nothing killed" {
	ward_only "ward's message names linux.cgroupsPath"
	host_cg_tree a b parent-of-empty parent-of-empty/c
	host_sleep "$CGT/a"
	can_open_kmsg "$CGT/b" || fail "/dev/kmsg cannot be opened on this host to begin with"
	bundle_args true
	for cgp in "$CGP" "$CGP/parent-of-empty"; do
		bundle_set '.linux.cgroupsPath = $p' --arg p "$cgp"
		run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
		assert_clean_failure
		[[ $stderr == *linux.cgroupsPath*"$MNT$cgp"* ]] || fail "the error does not name linux.cgroupsPath and $MNT$cgp:" "$stderr"
		assert_sleep_untouched "cgroupsPath $cgp"
		can_open_kmsg "$CGT/b" || fail "a device program was left over $cgp: a host process below it cannot open /dev/kmsg"
		[ -d "$MNT$cgp" ] || fail "$MNT$cgp was removed"
	done
	# nothing was enabled on the refused cgroup for the container
	[ -z "$(cat "$CGT/cgroup.subtree_control")" ] || fail "controllers enabled on $CGT: $(cat "$CGT/cgroup.subtree_control")"
	# and delete --force of what does not exist touches nothing
	run rt delete --force "$ID"
	assert_sleep_untouched "delete --force"
}

@test "linux.resources.unified: cgroup.procs and the other cgroup.* core files are refused by their JSON path at create and at update; a host process is never moved in" {
	ward_only "ward allows only controllers' interface files"
	local kv key val cg
	host_cg_tree a
	host_sleep "$CGT/a"
	bundle_args true
	for kv in "cgroup.procs=$SLEEP_PID" "cgroup.threads=$SLEEP_PID" cgroup.kill=1 cgroup.freeze=0 \
		cgroup.type=threaded cgroup.subtree_control=+pids cgroup.pressure=0 memory/../cgroup.procs=1; do
		key=${kv%%=*} val=${kv#*=}
		bundle_set '.linux.resources.unified = {($k): $v}' --arg k "$key" --arg v "$val"
		run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
		assert_clean_failure
		[[ $stderr == *"linux.resources.unified.$key: not "* ]] || fail "create with unified $key: not refused by its JSON path:" "$stderr"
		[ ! -e "$MNT/ward/$ID" ] || fail "create with unified $key left $MNT/ward/$ID"
		assert_sleep_untouched "create with unified $key"
	done
	# the same through update, on a running container
	bundle_set 'del(.linux.resources.unified)'
	start_sleeper
	cg=$(jq -r .cgroup "$ROOT/$ID/state.json")
	for kv in "cgroup.procs=$SLEEP_PID" "cgroup.threads=$SLEEP_PID" cgroup.kill=1 cgroup.freeze=1 \
		cgroup.type=threaded cgroup.subtree_control=+pids; do
		key=${kv%%=*} val=${kv#*=}
		run --separate-stderr rt update --resources - "$ID" <<< "$(jq -n --arg k "$key" --arg v "$val" '{unified: {($k): $v}}')"
		[ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ] || fail "update with unified $key: status $status:" "$stderr"
		[[ $stderr == *"linux.resources.unified.$key: not "* ]] || fail "update with unified $key: not refused by its JSON path:" "$stderr"
		assert_sleep_untouched "update with unified $key"
		[ "$(ctr_status)" = running ] || fail "the container is $(ctr_status) after update with unified $key"
		[ "$(cat "$cg/cgroup.type")" = domain ] && grep -qx "frozen 0" "$cg/cgroup.events" ||
			fail "update with unified $key changed the container's cgroup"
	done
	# what a config may say: a controller's file and the two cgroup.max.* limits
	run --separate-stderr rt update --resources - "$ID" <<< '{"unified": {"cgroup.max.depth": "3", "cgroup.max.descendants": "7"}}'
	assert_status 0
	[ "$(cat "$cg/cgroup.max.depth") $(cat "$cg/cgroup.max.descendants")" = "3 7" ] ||
		fail "cgroup.max.*: $(cat "$cg/cgroup.max.depth") $(cat "$cg/cgroup.max.descendants")"
}

# nest_and_delete SCRIPT: run a container (own cgroup namespace, its cgroup mounted
# rw) whose init runs SCRIPT and then writes /shared/ready; delete --force must end
# it and remove its cgroup, with everything below it.
nest_and_delete() {
	local cg
	bundle_args sh -c "$1"' && echo ok > /shared/ready; exec sleep 1000'
	rm -f "$SHARED/ready"
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	cg=$(jq -r .cgroup "$ROOT/$ID/state.json")
	HOST_CGROUPS+=("$cg")
	wait_file "$SHARED/ready"
	rt delete --force "$ID" 2> "$T/delete.err" || fail "delete --force failed:" "$(cat "$T/delete.err")"
	[ ! -d "$cg" ] || fail "$cg remains ($(find "$cg" -type d | wc -l) cgroups)"
	assert_no_container
}

@test "a container that nests cgroups 70 and 300 deep below its own, or keeps making them until killed, is deleted with all of them" {
	ward_only "state.json records the cgroup"
	bundle_own_cgroup
	bundle_share
	bundle_set '.mounts |= map(if .type == "cgroup2" then .options = ["rw"] else . end)'
	nest_and_delete 'cd /sys/fs/cgroup && i=0 && while [ $i -lt 70 ]; do mkdir n && cd n || exit 1; i=$((i + 1)); done'
	nest_and_delete 'cd /sys/fs/cgroup && i=0 && while [ $i -lt 300 ]; do mkdir n && cd n || exit 1; i=$((i + 1)); done'
	# a background loop that keeps nesting (and branching) while delete runs
	nest_and_delete 'cd /sys/fs/cgroup && (while :; do mkdir a b && cd a || cd b || exit 1; done) & sleep 0.5'
}

@test "a pre-existing empty cgroup named by cgroupsPath is used; delete kills the (paused) container and removes what it made there, and leaves the cgroup, usable again" {
	ward_only "ward's cgroup layout"
	local pid
	host_cg_tree leaf
	bundle_own_cgroup
	bundle_share
	bundle_set '.mounts |= map(if .type == "cgroup2" then .options = ["rw"] else . end) | .linux.cgroupsPath = $p' \
		--arg p "$CGP/leaf"
	bundle_args sh -c 'mkdir /sys/fs/cgroup/sub && sh -c "echo \$\$ > /sys/fs/cgroup/sub/cgroup.procs; exec sleep 1000" &
		echo ok > /shared/ready; exec sleep 1000'
	rt_detached run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	wait_file "$SHARED/ready"
	pid=$(ctr_pid)
	[ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "$CGP/leaf" ] || fail "the init is in $(cat "/proc/$pid/cgroup"), not $CGP/leaf"
	retry 50 0.1 grep -q . "$CGT/leaf/sub/cgroup.procs" || fail "no process in the container's child cgroup"
	rt pause "$ID"
	run --separate-stderr rt delete --force "$ID"
	[ "$status" -eq 0 ] || fail "delete --force: status $status:" "$stderr"
	wait_pid_gone "$pid"
	[ -d "$CGT/leaf" ] || fail "delete removed $CGT/leaf, which ward did not make"
	[ -z "$(find "$CGT/leaf" -mindepth 1 -type d)" ] || fail "the container's child cgroups remain: $(find "$CGT/leaf" -mindepth 1 -type d)"
	[ -z "$(cat "$CGT/leaf/cgroup.procs")" ] && grep -qx "populated 0" "$CGT/leaf/cgroup.events" ||
		fail "processes remain in $CGT/leaf: $(cat "$CGT/leaf/cgroup.procs")"
	[ "$(cat "$CGT/leaf/cgroup.freeze")" = 0 ] || fail "the paused container left $CGT/leaf frozen"
	assert_no_container
	# and the next containers can have it (it was not left killed or frozen),
	# also after a kill --all
	start_sleeper
	rt kill --all "$ID" KILL
	wait_status stopped
	rt delete "$ID"
	bundle_args sh -c 'grep "^0::" /proc/self/cgroup'
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	assert_status 0
	assert_output "0::/"
	[ -d "$CGT/leaf" ] || fail "the next containers' delete removed $CGT/leaf"
	echo 1 > "$CGT/leaf/cgroup.freeze"
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
	[[ $stderr == *"linux.cgroupsPath: cgroup $CGT/leaf is frozen"* ]] || fail "a frozen cgroup: $stderr"
}

# killed_create: a create killed (SIGKILL) in its createRuntime hook, which runs once
# the init is in its cgroup; the hook goes too.
killed_create() {
	local ward hook
	bundle_set '.hooks = {createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "echo $$ > \($d)/hook; exec sleep 1000"]}]}' --arg d "$T"
	rm -f "$T/hook"
	"$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 3>&- &
	ward=$!
	disown "$ward"
	wait_file "$T/hook"
	hook=$(cat "$T/hook")
	HOST_PIDS+=("$hook")
	[ -d "$1" ] || fail "no cgroup $1 during the hook"
	kill -9 "$ward" "$hook"
	wait_pid_gone "$ward"
	bundle_set 'del(.hooks)'
}

@test "a create killed after it placed the container in a cgroup: delete --force and a re-create remove the cgroup ward made, and leave one it did not" {
	ward_only "ward's leftover reclaim"
	local cg how round
	host_cg_tree leaf
	bundle_args true
	for how in made given; do
		if [ "$how" = made ]; then
			bundle_set 'del(.linux.cgroupsPath)'
			cg=$MNT/ward/$ID
		else
			bundle_set '.linux.cgroupsPath = $p' --arg p "$CGP/leaf"
			cg=$CGT/leaf
		fi
		for round in "delete --force" "a re-create"; do
			killed_create "$cg"
			if [ "$round" = "delete --force" ]; then
				run --separate-stderr rt delete --force "$ID"
			else
				run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
			fi
			[ "$status" -eq 0 ] || fail "$how, $round: status $status:" "$stderr"
			if [ "$how" = made ]; then
				[ ! -d "$cg" ] || fail "$how, $round: $cg remains"
			else
				[ -d "$cg" ] || fail "$how, $round: $cg, which ward did not make, was removed"
				[ -z "$(cat "$cg/cgroup.procs")" ] || fail "$how, $round: processes remain in $cg"
			fi
			assert_no_container
		done
	done
}

# --- 13. devices: host nodes bound into a user namespace ------------------------------
# In a user namespace a node made with mknod is unusable, so the runtime binds the
# host's node at the path linux.devices names (as runc does). That path is the
# config's: whatever the host has there must be the device the entry names, and
# every such bind is nosuid,noexec.

# devices_userns HOSTID: a user namespace mapping ids 0-65535 to HOSTID-. With 0 the
# container's root owns what the host's root owns (as in some setups), so only the
# runtime stands between it and a root-only host file; otherwise the rootfs is
# chowned and bats' 0700 directories made reachable for the mapped root.
devices_userns() {
	local d
	if [ "$1" != 0 ]; then
		d=$(dirname "$BUNDLE")
		while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
			chmod o+x "$d"
			d=$(dirname "$d")
		done
		chown -R "$1:$1" "$BUNDLE/rootfs"
	fi
	bundle_set '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: $h, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $h, size: 65536}]' --argjson h "$1"
}

# mount_opts_of PATH MOUNTINFO: the per-mount options (the 6th field) of the mount
# at PATH in the text MOUNTINFO; fails when there is none.
mount_opts_of() {
	local opts
	opts=$(awk -v p="$1" '$5 == p { print $6 }' <<< "$2" | tail -n 1)
	[ -n "$opts" ] || fail "$1 is not a mount point:" "$2"
	echo "$opts"
}

@test "devices: in a user namespace, a linux.devices path that is not that device on the host (a root-only file, a directory, symlinks) is refused, never bound" {
	ward_only "runc 1.1.5 binds whatever the host has at the path"
	local secret text kind path want dir
	host_tmp ward-devsecret
	secret=$HOST_PATH
	text="host-secret-$$-$RANDOM"
	echo "$text" > "$secret"
	chmod 600 "$secret"
	host_tmp -d ward-devdir
	dir=$HOST_PATH
	cp -p "$secret" "$dir/secret"
	chmod 700 "$dir"
	devices_userns 0
	for kind in file directory symlink-to-file symlink-to-zero; do
		case $kind in
		file) path=$secret want="is a regular file, not the character device 1:3" ;;
		directory) path=$dir want="is a directory, not the character device 1:3" ;;
		symlink-to-file | symlink-to-zero)
			host_tmp ward-devlink
			path=$HOST_PATH
			rm "$path"
			if [ "$kind" = symlink-to-file ]; then
				ln -s "$secret" "$path"
				want="is a regular file, not the character device 1:3"
			else
				ln -s /dev/zero "$path"
				want="is the character device 1:5, not the character device 1:3"
			fi
			;;
		esac
		bundle_set '.linux.devices = [{path: $p, type: "c", major: 1, minor: 3}]' --arg p "$path"
		bundle_args sh -c 'stat -c "%F %t:%T" "$0"; head -c 64 "$0" | tr "\000" 0; cat "$0/secret"; true' "$path"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
		[[ "$output $stderr" != *"$text"* ]] || fail "CRITICAL: the container read the host's $path ($kind):" "$output"
		assert_clean_failure
		[[ $stderr == *"linux.devices[0]"*"$path"*"$want"* ]] || fail "$kind: expected linux.devices[0], $path and '$want':" "$stderr"
	done
	[ "$(cat "$secret")" = "$text" ] && [ "$(stat -c '%u:%g %a' "$secret")" = "0:0 600" ] || fail "the host's secret file changed"
}

@test "devices: in a user namespace, the host's node bound for linux.devices never changes: a uid, gid or fileMode it lacks is refused, chmod and chown inside fail" {
	ward_only "runc 1.1.5 ignores them and binds the node writable"
	local node
	host_tmp ward-devnode
	node=$HOST_PATH
	rm "$node"
	mknod -m 600 "$node" c 1 3
	devices_userns 0
	bundle_args sh -c 'stat -c "%u:%g %a %t:%T" "$0"; chmod 666 "$0" && echo CHMOD-OK; chown 1234 "$0" && echo CHOWN-OK
		echo x > "$0" && echo write-ok; true' "$node"
	bundle_set '.linux.devices = [{path: $p, type: "c", major: 1, minor: 3, uid: 1234, gid: 1234, fileMode: 438}]' --arg p "$node"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$(stat -c '%u:%g %a' "$node")" = "0:0 600" ] || fail "CRITICAL: the host's node $node is now $(stat -c '%u:%g %a' "$node")"
	assert_clean_failure
	[[ $stderr == *"linux.devices[0]: uid 1234 cannot be applied: $node"* ]] || fail "expected linux.devices[0], uid and $node:" "$stderr"
	# what the host's node already has changes nothing: it is bound, and stays the host's
	bundle_set '.linux.devices = [{path: $p, type: "c", major: 1, minor: 3, uid: 0, gid: 0, fileMode: 384}]' --arg p "$node"
	run rt run --bundle "$BUNDLE" "$ID" < /dev/null
	[ "$(stat -c '%u:%g %a' "$node")" = "0:0 600" ] || fail "CRITICAL: the host's node $node is now $(stat -c '%u:%g %a' "$node"):" "$output"
	assert_status 0
	assert_line_eq 0 "0:0 600 1:3"
	refute_output_contains CHMOD-OK
	refute_output_contains CHOWN-OK
	assert_output_contains write-ok
}

@test "devices: in a user namespace, the host's nodes ward binds in /dev are nosuid,noexec" {
	ward_only "runc 1.1.5 binds them without nosuid,noexec"
	local n opts
	devices_userns 100000
	ctr_sh_ok 'cat /proc/self/mountinfo'
	for n in null zero full random urandom tty; do
		opts=$(mount_opts_of "/dev/$n" "$output") || return 1
		[[ ,$opts, == *,nosuid,* && ,$opts, == *,noexec,* ]] || fail "/dev/$n is mounted $opts"
	done
}

@test "devices: in a user namespace, a linux.devices entry for a host device node is bound, usable, nosuid,noexec; a fifo is made" {
	local opts
	devices_userns 100000
	bundle_set '.linux.devices = [{path: "/dev/zero", type: "c", major: 1, minor: 5}, {path: "/dev/myfifo", type: "p"}]'
	ctr_sh_ok 'stat -c "%F %t:%T" /dev/zero; head -c 4 /dev/zero | od -An -tx1; stat -c %F /dev/myfifo
		cat /proc/self/mountinfo'
	assert_line_eq 0 "character special file 1:5"
	[[ ${lines[1]} =~ ^\ *00\ 00\ 00\ 00\ *$ ]] || fail "reading /dev/zero gave '${lines[1]}'"
	assert_line_eq 2 "fifo"
	refute_output_contains " /dev/myfifo " # made, never bound
	case $RUNTIME_NAME in
	ward*)
		opts=$(mount_opts_of /dev/zero "$output") || return 1
		[[ ,$opts, == *,nosuid,* && ,$opts, == *,noexec,* ]] || fail "/dev/zero is mounted $opts"
		;;
	esac
}
