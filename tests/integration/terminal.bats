#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # scripts for the container are single-quoted; bats run sets $stderr*
# terminal: true with --console-socket: the pty master is handed to a receiver
# (tests/lib/recvtty.c), the container's stdio is the pty slave.

load ../lib/common

setup() {
	setup_common
	SOCK="$T/console.sock"
	bundle_set '.process.terminal = true | .process.consoleSize = {height: 33, width: 101}'
}

# run_tty SCRIPT [INPUT]: run SCRIPT detached on a terminal; the pty's output is
# in $output (carriage returns removed) once the container has exited.
run_tty() {
	bundle_args sh -c "$1"
	recvtty_start "$SOCK" "$T/tty.out" ${2+"$2"}
	rt_detached run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	recvtty_wait
	wait_status stopped
	output=$(tr -d '\r' < "$T/tty.out")
	mapfile -t lines <<< "$output"
}

@test "the process's stdio is a pty from a fresh devpts" {
	run_tty 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; stat -L -c "%t" /proc/self/fd/0'
	assert_output_match '^/dev/pts/[0-9]+'
	assert_output_contains all-ttys
	# Unix98 pty slaves have majors 136-143 (hex 88-8f)
	assert_line_eq 2 88
}

@test "the pty has the configured console size" {
	run_tty 'stty size'
	assert_output "33 101"
}

@test "/dev/console is the container's pty" {
	run_tty 'stat -c "%F %t" /dev/console; [ "$(stat -c %t:%T /dev/console)" = "$(stat -L -c %t:%T /proc/self/fd/0)" ] && echo same'
	assert_line_eq 0 "character special file 88"
	assert_line_eq 1 same
}

@test "input written to the master reaches the process" {
	run_tty 'read -r line; echo "got [$line]"' $'typed-in\n'
	assert_output_contains "got [typed-in]"
}

@test "the process is the session leader with the pty as its controlling terminal" {
	run_tty 'echo "$$ $(cut -d" " -f6 /proc/self/stat) $(cut -d" " -f7 /proc/self/stat)"; stat -c %t:%T /proc/self/fd/0'
	local pid sid ttynr
	read -r pid sid ttynr <<< "${lines[0]}"
	[ "$pid" = 1 ]
	[ "$sid" = 1 ] || fail "session id $sid, expected 1:" "$output"
	[ "$ttynr" -ne 0 ] || fail "no controlling terminal:" "$output"
}

@test "terminal: true without --console-socket on a detached run fails cleanly" {
	bundle_args true
	run --separate-stderr rt run -d --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
}

@test "a console socket that does not exist fails create cleanly" {
	bundle_args true
	run --separate-stderr rt create --console-socket "$T/nope.sock" --bundle "$BUNDLE" "$ID" < /dev/null
	assert_clean_failure
}
