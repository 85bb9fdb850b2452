#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# The process settings, read back from inside: capabilities, no_new_privs, seccomp,
# user and groups, umask, rlimits, environment, cwd, read-only root.

load ../lib/common

CAPS_SCRIPT='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status'

# assert_caps INH PRM EFF BND AMB: the masks in $output (from CAPS_SCRIPT).
assert_caps() {
	local fields=(CapInh CapPrm CapEff CapBnd CapAmb) want=("$@") i
	for i in "${!fields[@]}"; do
		[ "$(status_field "${fields[i]}")" = "${want[i]}" ] ||
			fail "${fields[i]} is $(status_field "${fields[i]}"), expected ${want[i]}:" "$output"
	done
}

@test "no capabilities in the config: every capability set is empty" {
	bundle_set 'del(.process.capabilities)'
	ctr_sh_ok "$CAPS_SCRIPT"
	local z=0000000000000000
	assert_caps $z $z $z $z $z
}

@test "empty capability lists: every capability set is empty" {
	bundle_set '.process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []}'
	ctr_sh_ok "$CAPS_SCRIPT"
	local z=0000000000000000
	assert_caps $z $z $z $z $z
}

@test "listed capabilities give exactly that mask, nothing inheritable or ambient" {
	local caps='["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]' m z=0000000000000000
	bundle_set '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' --argjson c "$caps"
	ctr_sh_ok "$CAPS_SCRIPT; chown 65534 /tmp && echo chown-ok"
	m=$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)
	[ "$m" = 0000000000000421 ]
	assert_caps $z "$m" "$m" "$m" $z
	assert_output_contains chown-ok
}

@test "a capability outside the bounding set is not usable" {
	bundle_set '.process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}'
	ctr_sh 'chown 65534 /tmp && echo chown-ok; hostname other || echo hostname-denied'
	refute_output_contains chown-ok
	assert_output_contains hostname-denied
}

@test "inheritable and ambient capabilities are set only as listed" {
	local c='["CAP_NET_BIND_SERVICE"]' m
	bundle_set '.process.capabilities = {bounding: $c, effective: $c, permitted: $c, inheritable: $c, ambient: $c}' --argjson c "$c"
	ctr_sh_ok "$CAPS_SCRIPT"
	m=$(cap_mask CAP_NET_BIND_SERVICE)
	assert_caps "$m" "$m" "$m" "$m" "$m"
}

@test "a non-root user has capabilities after execve only through ambient" {
	local c='["CAP_NET_BIND_SERVICE"]' m z=0000000000000000
	m=$(cap_mask CAP_NET_BIND_SERVICE)
	bundle_set '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {bounding: $c, effective: $c, permitted: $c}' --argjson c "$c"
	ctr_sh_ok "id -u; $CAPS_SCRIPT"
	assert_line_eq 0 1000
	assert_caps $z $z $z "$m" $z
	bundle_set '.process.capabilities += {inheritable: $c, ambient: $c}' --argjson c "$c"
	ctr_sh_ok "id -u; $CAPS_SCRIPT"
	assert_line_eq 0 1000
	assert_caps "$m" "$m" "$m" "$m" "$m"
}

@test "noNewPrivileges false gives NoNewPrivs 0, true gives 1" {
	bundle_set '.process.noNewPrivileges = false'
	ctr_sh_ok "$CAPS_SCRIPT"
	[ "$(status_field NoNewPrivs)" = 0 ] || fail "NoNewPrivs not 0:" "$output"
	bundle_set '.process.noNewPrivileges = true'
	ctr_sh_ok "$CAPS_SCRIPT"
	[ "$(status_field NoNewPrivs)" = 1 ] || fail "NoNewPrivs not 1:" "$output"
}

@test "ward: NoNewPrivs is on when the config omits noNewPrivileges" {
	ward_only
	bundle_set 'del(.process.noNewPrivileges)'
	ctr_sh_ok "$CAPS_SCRIPT"
	[ "$(status_field NoNewPrivs)" = 1 ] || fail "NoNewPrivs not 1:" "$output"
}

@test "ward: the default seccomp filter is on when the config omits linux.seccomp" {
	ward_only
	bundle_set 'del(.linux.seccomp)'
	ctr_sh_ok "$CAPS_SCRIPT; ls / > /dev/null && echo works"
	[ "$(status_field Seccomp)" = 2 ] || fail "Seccomp is not in filter mode:" "$output"
	assert_output_contains works
}

@test "an explicit seccomp profile denies the listed syscalls with errnoRet" {
	bundle_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	ctr_sh "$CAPS_SCRIPT; mkdir /tmp/d && echo mkdir-ok; touch /tmp/f && echo touch-ok"
	[ "$(status_field Seccomp)" = 2 ] || fail "Seccomp is not in filter mode:" "$output"
	assert_output_contains "Operation not permitted"
	refute_output_contains mkdir-ok
	assert_output_contains touch-ok
}

@test "uid, gid and additional gids are applied" {
	bundle_set '.process.user = {uid: 1000, gid: 1001, additionalGids: [10, 20]}'
	ctr_sh_ok 'id -u; id -g; id -G; echo x > /tmp/f; stat -c "%u:%g" /tmp/f'
	assert_line_eq 0 1000
	assert_line_eq 1 1001
	[ "$(tr ' ' '\n' <<< "${lines[2]}" | sort -n | tr '\n' ' ')" = "10 20 1001 " ] ||
		fail "groups are '${lines[2]}', expected 1001 10 20"
	assert_line_eq 3 1000:1001
}

@test "a uid without additionalGids has no supplementary groups" {
	bundle_set '.process.user = {uid: 65534, gid: 65534}'
	ctr_sh_ok 'id -u; id -G'
	assert_line_eq 0 65534
	assert_line_eq 1 65534
}

@test "umask is applied" {
	bundle_set '.process.user.umask = 23' # 027
	ctr_sh_ok 'umask; touch /tmp/f; stat -c %a /tmp/f'
	assert_line_eq 0 0027
	assert_line_eq 1 640
}

@test "rlimits are applied (soft and hard)" {
	bundle_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 456}, {type: "RLIMIT_NPROC", soft: 777, hard: 888}]'
	ctr_sh_ok 'ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu; ls -d /proc/self/fd/* | wc -l'
	assert_line_eq 0 123
	assert_line_eq 1 456
	assert_line_eq 2 777
	assert_line_eq 3 888
}

@test "the environment is exactly the config's, nothing leaks from the runtime's" {
	bundle_set '.process.env += ["FOO=bar baz", "EMPTY="]'
	WARD_TEST_SECRET=leaked ctr_sh_ok 'echo "FOO=$FOO"; echo "PATH=$PATH"; env'
	assert_line_eq 0 "FOO=bar baz"
	assert_line_eq 1 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_output_contains "EMPTY="
	refute_output_contains WARD_TEST_SECRET
	refute_output_contains leaked
}

@test "cwd is applied" {
	mkdir -p "$BUNDLE/rootfs/srv/app"
	bundle_set '.process.cwd = "/srv/app"'
	ctr_sh_ok 'pwd; touch here'
	assert_output /srv/app
	[ -e "$BUNDLE/rootfs/srv/app/here" ]
}

@test "a read-only root refuses writes with EROFS, the mounts on it stay writable" {
	bundle_set '.root.readonly = true | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]'
	ctr_sh 'touch /newfile; echo "rc=$?"; touch /tmp/ok && echo tmp-ok; echo x > /dev/shm/x && echo shm-ok'
	assert_output_contains "Read-only file system"
	assert_output_contains "rc=1"
	assert_output_contains tmp-ok
	assert_output_contains shm-ok
	[ ! -e "$BUNDLE/rootfs/newfile" ]
}

@test "no file descriptor leaks into the container beyond stdio" {
	ctr_sh_ok 'ls /proc/self/fd'
	# 0 1 2 and the fd ls uses to read the directory
	[ "${#lines[@]}" -le 4 ] || fail "unexpected open fds:" "$output"
	exec 7< /dev/null
	ctr_sh_ok 'ls /proc/self/fd'
	exec 7<&-
	[ "${#lines[@]}" -le 4 ] || fail "fd 7 leaked into the container:" "$output"
}

@test "--preserve-fds passes extra file descriptors" {
	echo preserved-content > "$T/extra"
	bundle_args sh -c 'cat <&3'
	# fd 3 is bats' own: give the file as fd 3 to this one command only.
	run_with_fd3() { rt run --preserve-fds 1 --bundle "$BUNDLE" "$ID" < /dev/null 3< "$T/extra"; }
	run run_with_fd3
	assert_status 0
	assert_output preserved-content
}
