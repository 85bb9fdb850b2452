#!/bin/bash
# tests/run.sh: the one command that tests ward on this host. Run it as root on a
# (possibly fresh) Debian 12 machine, from any directory:
#
#   tests/run.sh
#
# It installs the build and test dependencies with apt-get, builds ward out of tree
# in tests/.work/build (and a sanitizer build in tests/.work/build-asan), and runs the
# suites, printing each suite's TAP output as it goes. The last line is always
#
#   N passed, N failed, N skipped
#
# and the exit status is non-zero when anything failed (a failed build counts as a
# failed test).
#
# Environment:
#   WARD_TESTS="unit valgrind sanitizers integration vm e2e"  the suites to run (default: all)
#       unit         the unit test binaries (TAP)
#       valgrind     each unit test binary under valgrind (one test per binary)
#       sanitizers   the unit tests of an ASan+UBSan build
#       integration  tests/integration/*.bats against the built ward (or $RUNTIME)
#       vm           tests/vm/*.bats (resource limits) in ../shared/vm/vm-run's cgroup v2 VM
#       e2e          tests/e2e/*.bats: Docker, Podman and containerd (ctr and CRI) with ward
#                    as their runtime; each installs its engine with apt (a file is
#                    skipped, saying so, when its packages cannot be installed)
#   WARD_NO_INSTALL=1   do not apt-get anything
#   WARD_AUTORECONF=1   always run autoreconf -fi (default: when configure is missing or stale)
#   WARD_WORK=DIR       where to build (default tests/.work)
#   RUNTIME=/path       run the integration and e2e tests against another ward (or runc)
#   JOBS=N              make -j (default 2)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
WORK=${WARD_WORK:-$REPO/tests/.work}
JOBS=${JOBS:-2}
WARD_TESTS=${WARD_TESTS:-unit valgrind sanitizers integration vm e2e}
# shellcheck source=SCRIPTDIR/lib/deps.sh
source "$REPO/tests/lib/deps.sh"

PASSED=0 FAILED=0 SKIPPED=0

say() { printf '\n=== %s  [%ds]\n' "$*" "$SECONDS"; }
want() { [[ " $WARD_TESTS " == *" $1 "* ]]; }

# count_tap FILE: add the TAP results in FILE to the totals. A plan ("1..N") that
# promises more tests than ran counts the missing ones as failed (a crash mid-way).
count_tap() {
	local file=$1 line plan=0 ran=0
	while IFS= read -r line; do
		if [[ $line =~ ^not\ ok($|\ ) ]]; then
			FAILED=$((FAILED + 1)) ran=$((ran + 1))
		elif [[ $line =~ ^ok($|\ ) ]]; then
			ran=$((ran + 1))
			if [[ ${line,,} =~ ^ok[^#]*#\ *skip ]]; then
				SKIPPED=$((SKIPPED + 1))
			else
				PASSED=$((PASSED + 1))
			fi
		elif [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		fi
	done < "$file"
	if [ "$ran" -lt "$plan" ]; then
		echo "not ok - $((plan - ran)) of $plan planned tests did not run"
		FAILED=$((FAILED + plan - ran))
	fi
}

# tap_result OK|FAIL NAME: one synthetic TAP line (builds, valgrind runs).
tap_result() {
	if [ "$1" = OK ]; then
		echo "ok - $2"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - $2"
		FAILED=$((FAILED + 1))
	fi
}

# run_tap NAME CMD...: run a TAP producer, stream its output, count it. A non-zero
# exit without any "not ok" line (a crash, a missing plan) counts as one failure.
run_tap() {
	local name=$1 log rc=0 before=$FAILED
	shift
	log=$(mktemp "$WORK/tap.XXXXXX")
	"$@" 2>&1 < /dev/null | tee "$log" || rc=${PIPESTATUS[0]}
	count_tap "$log"
	rm -f "$log"
	if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$before" ]; then
		tap_result FAIL "$name exited with status $rc"
	fi
}

summary() {
	printf '\n(%ds)\n' "$SECONDS"
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
}

# build DIR [CONFIGURE ARGS...]: ward and the unit tests, as one TAP result; on
# failure the tail of the build log is shown. Two runs building in the same
# directory take turns (the lock is held only while building).
build() {
	local dir=$1 ok=0
	shift
	{
		flock -n 9 || { echo "waiting for another build in $dir ..."; flock 9; }
		ward_build "$dir" "$@" && make -C "$dir" -j"$JOBS" check TESTS= >> "$dir.log" 2>&1 && ok=1
	} 9> "$dir.lock"
	if [ "$ok" = 1 ]; then
		tap_result OK "build $(basename "$dir") ($*)"
	else
		tail -n 60 "$dir.log" | sed 's/^/# /'
		tap_result FAIL "build $(basename "$dir") ($*), full log: $dir.log"
		return 1
	fi
}

# unit_tests DIR: the unit test binaries of a build (Makefile.am's check_PROGRAMS).
unit_tests() {
	# shellcheck disable=SC2016 # $(check_PROGRAMS) is for make
	printf 'print-check-programs:\n\t@echo $(check_PROGRAMS)\n' |
		make -s -C "$1" -f Makefile -f - print-check-programs | tr ' ' '\n' | grep .
}

# unit_suite DIR LABEL: run every unit test binary of the build in DIR.
unit_suite() {
	local dir=$1 label=$2 t tests
	tests=$(unit_tests "$dir") || { tap_result FAIL "$label: no check_PROGRAMS in $dir"; return; }
	for t in $tests; do
		say "$label: $t"
		if [ -x "$dir/$t" ]; then
			run_tap "$label $t" "$dir/$t"
		else
			tap_result FAIL "$label $t: not built"
		fi
	done
}

# valgrind_suite DIR: every unit test binary under valgrind, one result each.
valgrind_suite() {
	local dir=$1 t log tests
	tests=$(unit_tests "$dir") || { tap_result FAIL "valgrind: no check_PROGRAMS in $dir"; return; }
	for t in $tests; do
		say "valgrind: $t"
		log=$WORK/valgrind-$(basename "$t").log
		if [ -x "$dir/$t" ] &&
			valgrind -q --error-exitcode=1 --leak-check=full \
				"$dir/$t" > "$log" 2>&1 < /dev/null; then
			tap_result OK "valgrind $t"
		else
			sed 's/^/# /' "$log" 2> /dev/null | tail -n 80
			tap_result FAIL "valgrind $t (log: $log)"
		fi
	done
}

main() {
	mkdir -p "$WORK"
	local suite
	for suite in $WARD_TESTS; do
		case $suite in
		unit | valgrind | sanitizers | integration | vm | e2e) ;;
		*)
			tap_result FAIL "unknown suite '$suite' in WARD_TESTS (unit valgrind sanitizers integration vm e2e)"
			summary
			return 1
			;;
		esac
	done
	local build_dir=$WORK/build asan_dir=$WORK/build-asan built=0

	if ! ensure_packages "${WARD_BUILD_DEPS[@]}" "${WARD_TEST_DEPS[@]}"; then
		tap_result FAIL "install dependencies"
		summary
		return 1
	fi

	if want unit || want valgrind || { { want integration || want e2e; } && [ -z "${RUNTIME:-}" ]; }; then
		say "build $build_dir"
		build "$build_dir" --enable-werror && built=1
	fi
	if [ "$built" = 1 ]; then
		if want unit; then unit_suite "$build_dir" unit; fi
		if want valgrind; then valgrind_suite "$build_dir"; fi
	fi

	if want sanitizers; then
		say "build $asan_dir"
		if build "$asan_dir" --enable-werror --enable-sanitizers; then
			ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
				UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
				unit_suite "$asan_dir" sanitizers
		fi
	fi

	if want integration; then
		bats_suite integration "${RUNTIME:-$build_dir/src/ward}" "$built"
	fi

	if want vm; then
		vm_suite "${RUNTIME:-$build_dir/src/ward}"
	fi

	if want e2e; then
		bats_suite e2e "${RUNTIME:-$build_dir/src/ward}" "$built"
	fi

	summary
	[ "$FAILED" -eq 0 ] && [ $((PASSED + SKIPPED)) -gt 0 ]
}

# vm_suite RUNTIME: tests/vm (resource limits) inside the pure cgroup v2 VM of
# ../shared/vm/vm-run, which sees this filesystem (read-only) and the repository
# (read-write). Absent vm-run (a clone on its own): skipped, saying so.
vm_suite() {
	local runtime=$1 vmrun
	vmrun=$(cd "$REPO/.." && pwd -P)/shared/vm/vm-run
	say "vm: bats tests/vm in a cgroup v2 VM ($vmrun)"
	if [ ! -x "$vmrun" ]; then
		echo "ok 1 # skip vm: no $vmrun (the workplace's shared/ is not beside this clone)" > "$WORK/vm.tap"
		cat "$WORK/vm.tap"
		count_tap "$WORK/vm.tap"
	elif [ ! -x "$runtime" ]; then
		tap_result FAIL "vm: no runtime at $runtime"
	else
		# vm-run shares the current directory read-write: run it from the repository
		# (not in a subshell: run_tap's counts must reach the summary)
		pushd "$REPO" > /dev/null
		RUNTIME=$runtime VM_ENV=RUNTIME run_tap vm "$vmrun" "$REPO/tests/vm/in-vm.sh"
		popd > /dev/null
	fi
}

# bats_suite NAME RUNTIME BUILT: bats --tap tests/NAME as root against RUNTIME
# (integration: real containers on this host; e2e: the engines with ward as their
# runtime, whose packages each file's setup_file installs). A failed build of
# ward (BUILT 0, no RUNTIME given) is already counted.
bats_suite() {
	local name=$1 runtime=$2 built=$3
	say "$name: bats tests/$name (RUNTIME=$runtime)"
	if [ "$(id -u)" -ne 0 ]; then
		tap_result FAIL "$name tests need root"
	elif [ -x "$runtime" ]; then
		RUNTIME=$runtime run_tap "$name" bats --tap "$REPO/tests/$name"
	elif [ -z "${RUNTIME:-}" ] && [ "$built" = 0 ]; then
		: # the build failure is already counted
	else
		tap_result FAIL "$name: no runtime at $runtime"
	fi
}

main "$@"
