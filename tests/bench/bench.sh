#!/bin/bash
# tests/bench/bench.sh: ward next to crun and runc, `run` of /bin/true in a busybox
# bundle, N times each (after a short warm-up). For each runtime: wall-clock latency
# per run (median, p90) and peak RSS of the runtime process (/usr/bin/time %M, which
# includes the children it reaps), then the ratios ward/crun and ward/runc. Then
# `exec ID /bin/true` into a running container, N times each, the same way.
#
#   tests/bench/bench.sh            # as root; N=100
#   N=300 WARD=/path/to/ward tests/bench/bench.sh
#   BEFORE=/path/to/old/ward tests/bench/bench.sh   # before/after a change, interleaved
#
# Environment: N (runs per runtime, 100), WARMUP (5), WARD (default: the build of
# tests/run.sh, tests/.work/build/src/ward), CRUN, RUNC (default: from PATH),
# RUNTIMES ("ward ward-noseccomp crun runc"; ward-noseccomp: the same bundle with
# "seccomp": null, to show what the default profile costs), RUN_TIMEOUT (seconds one run may take, 30; the
# timeout and time wrappers are in every runtime's wall-clock figure alike), BEFORE
# (another ward binary, "ward-before": its runs and execs alternate one by one with
# ward's, so that the machine's drift falls on both alike), EXEC (1: measure exec
# too; 0: not).
#
# Every container gets a cgroupsPath, so all three do their cgroup work. crun
# refuses hybrid cgroup hosts; it is run inside a private mount namespace where
# /sys/fs/cgroup/unified/cgroup.controllers is covered by an empty file (the host's
# mounts are not touched). Not part of tests/run.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
N=${N:-100}
WARMUP=${WARMUP:-5}
WARD=${WARD:-$REPO/tests/.work/build/src/ward}
CRUN=${CRUN:-$(command -v crun || true)}
RUNC=${RUNC:-$(command -v runc || true)}
RUNTIMES=${RUNTIMES:-ward ward-noseccomp crun runc}
RUN_TIMEOUT=${RUN_TIMEOUT:-30}
BEFORE=${BEFORE:-}
EXEC=${EXEC:-1}
[ -z "$BEFORE" ] || RUNTIMES="${RUNTIMES/ward-noseccomp/} ward-before"

die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_loop NAME BIN OUT [TEMPLATE]: N timed runs; one "wall_us rss_kb" line per run
# in OUT. TEMPLATE: the config.json to run (default $WORK/config.tmpl).
bench_loop() {
	local name=$1 bin=$2 out=$3 tmpl=${4:-$WORK/config.tmpl} root=$WORK/root-$1 i id t0 t1 rss
	mkdir -p "$root"
	: > "$out"
	for ((i = -WARMUP; i < N; i++)); do
		id=bench-$name-$BENCH_TAG-$((i + WARMUP))
		jq --arg cg "/ward-bench-$id" '.linux.cgroupsPath = $cg' "$tmpl" > "$WORK/bundle/config.json"
		t0=$EPOCHREALTIME
		timeout -k 2 "$RUN_TIMEOUT" /usr/bin/time -f %M -o "$WORK/rss" "$bin" --root "$root" run --bundle "$WORK/bundle" "$id" \
			< /dev/null > "$WORK/run.out" 2>&1 ||
			{ cat "$WORK/run.out" "$WORK/rss" >&2; "$bin" --root "$root" delete --force "$id" > /dev/null 2>&1 || true; return 1; }
		t1=$EPOCHREALTIME
		rss=$(tail -n 1 "$WORK/rss")
		# run deletes the container; make sure, outside the timing
		[ ! -e "$root/$id" ] || "$bin" --root "$root" delete --force "$id" > /dev/null 2>&1 || true
		[ "$i" -lt 0 ] && continue
		echo "$((${t1//[.,]/} - ${t0//[.,]/}))" "$rss" >> "$out"
	done
}

# bench_pair BIN1 OUT1 TMPL1 BIN2 OUT2 TMPL2: like bench_loop for two runtimes or
# configs, alternating run by run, so that the machine's drift falls on both alike
# (the differences measured are small: what the default seccomp profile costs, or
# a change between two builds).
bench_pair() {
	local i k
	for ((i = 0; i < N + WARMUP; i++)); do
		for k in 1 2; do
			local bin out tmpl
			bin=$([ "$k" = 1 ] && echo "$1" || echo "$4")
			out=$([ "$k" = 1 ] && echo "$2" || echo "$5")
			tmpl=$([ "$k" = 1 ] && echo "$3" || echo "$6")
			N=1 WARMUP=$((i < WARMUP ? 1 : 0)) bench_loop "pair$k" "$bin" "$out.one" "$tmpl" || return 1
			[ "$i" -lt "$WARMUP" ] || cat "$out.one" >> "$out"
		done
	done
}

# exec_start NAME BIN: a container of BIN's that sleeps, for execs ("exec-NAME" in
# $WORK/root-exec-NAME).
exec_start() {
	local root=$WORK/root-exec-$1
	mkdir -p "$root"
	jq --arg cg "/ward-bench-bench-exec-$1-$BENCH_TAG" '.linux.cgroupsPath = $cg
		| .process.args = ["/bin/sh", "-c", "while :; do sleep 1; done"]' "$WORK/config.tmpl" > "$WORK/bundle/config.json"
	"$2" --root "$root" run -d --bundle "$WORK/bundle" "exec-$1" < /dev/null > /dev/null 2>&1
}

exec_stop() { "$2" --root "$WORK/root-exec-$1" delete --force "exec-$1" > /dev/null 2>&1 || true; }

# exec_once NAME BIN OUT: one timed `exec ID /bin/true`, "wall_us rss_kb" appended to OUT.
exec_once() {
	local t0 t1
	t0=$EPOCHREALTIME
	timeout -k 2 "$RUN_TIMEOUT" /usr/bin/time -f %M -o "$WORK/rss" "$2" --root "$WORK/root-exec-$1" exec "exec-$1" /bin/true \
		< /dev/null > "$WORK/run.out" 2>&1 || { cat "$WORK/run.out" >&2; return 1; }
	t1=$EPOCHREALTIME
	echo "$((${t1//[.,]/} - ${t0//[.,]/}))" "$(tail -n 1 "$WORK/rss")" >> "$3"
}

# exec_bench NAME BIN [NAME2 BIN2]: N execs of each, alternating when two are given.
exec_bench() {
	local i
	exec_start "$1" "$2" || return 1
	[ -z "${3:-}" ] || exec_start "$3" "$4" || return 1
	: > "$WORK/exec-$1.dat"
	[ -z "${3:-}" ] || : > "$WORK/exec-$3.dat"
	for ((i = -WARMUP; i < N; i++)); do
		exec_once "$1" "$2" "$WORK/exec-$1.tmp" || return 1
		[ -z "${3:-}" ] || exec_once "$3" "$4" "$WORK/exec-$3.tmp" || return 1
		[ "$i" -lt 0 ] && rm -f "$WORK"/exec-*.tmp
	done
	cat "$WORK/exec-$1.tmp" >> "$WORK/exec-$1.dat"
	[ -z "${3:-}" ] || cat "$WORK/exec-$3.tmp" >> "$WORK/exec-$3.dat"
	exec_stop "$1" "$2"
	[ -z "${3:-}" ] || exec_stop "$3" "$4"
}

# inner_crun OUT: run inside `unshare -m`: hide the hybrid hierarchy's controllers.
inner_crun() {
	mount --make-rprivate /
	mount --bind "$WORK/empty" /sys/fs/cgroup/unified/cgroup.controllers
	bench_loop crun "$CRUN" "$1"
}

# stats FILE: "median_ms p90_ms rss_median_kb rss_max_kb" of a bench_loop file.
stats() {
	sort -n -k1,1 "$1" | awk '{ w[NR] = $1 } END {
		m = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
		p = int(NR * 0.9 + 0.999999); if (p < 1) p = 1
		printf "%.2f %.2f", m / 1000, w[p] / 1000 }'
	sort -n -k2,2 "$1" | awk '{ r[NR] = $2 } END {
		m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
		printf " %d %d\n", m, r[NR] }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

main() {
	[ "$(id -u)" -eq 0 ] || die "run as root"
	if [ ! -x /usr/bin/time ]; then
		DEBIAN_FRONTEND=noninteractive apt-get -q -y install time < /dev/null > /dev/null ||
			{ apt-get -q update < /dev/null > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get -q -y install time < /dev/null > /dev/null; } ||
			die "cannot install GNU time"
	fi
	command -v jq > /dev/null || die "jq is needed (apt-get install jq)"

	WORK=$(mktemp -d /tmp/ward-bench.XXXXXX)
	BENCH_TAG=$$
	export WORK N WARMUP CRUN RUN_TIMEOUT BENCH_TAG WARD
	# Remove the work dir, and any cgroup a failed run left (rmdir: only if empty).
	trap 'rm -rf "$WORK"; rmdir /sys/fs/cgroup/*/ward-bench-bench-*-"$BENCH_TAG"-* 2> /dev/null || true' EXIT
	: > "$WORK/empty"
	export BUNDLE_CACHE=$WORK/cache
	# shellcheck source=SCRIPTDIR/../lib/bundle.sh
	source "$REPO/tests/lib/bundle.sh"
	bundle_new "$WORK/bundle" > /dev/null
	bundle_args /bin/true
	cp "$WORK/bundle/config.json" "$WORK/config.tmpl"
	# the same container without a seccomp filter: what ward's default profile costs
	jq '.linux.seccomp = null' "$WORK/config.tmpl" > "$WORK/config-noseccomp.tmpl"

	declare -A bin=([ward]=$WARD [ward-noseccomp]=$WARD [ward-before]=$BEFORE [crun]=$CRUN [runc]=$RUNC) result=()
	local name
	for name in $RUNTIMES; do
		if [ -z "${bin[$name]:-}" ] || [ ! -x "${bin[$name]}" ]; then
			echo "bench: $name: not found (${bin[$name]:-}), skipped" >&2
			continue
		fi
		printf 'bench: %s (%s), %d runs...\n' "$name" "${bin[$name]}" "$N" >&2
		if [ "$name" = crun ]; then
			unshare -m -- "$BASH" "${BASH_SOURCE[0]}" --inner-crun "$WORK/$name.dat" || { echo "bench: crun failed" >&2; continue; }
		elif [ "$name" = ward ] && [[ " $RUNTIMES " == *" ward-noseccomp "* ]]; then
			: > "$WORK/ward.dat"
			: > "$WORK/ward-noseccomp.dat"
			bench_pair "${bin[$name]}" "$WORK/ward.dat" "$WORK/config.tmpl" \
				"${bin[$name]}" "$WORK/ward-noseccomp.dat" "$WORK/config-noseccomp.tmpl" ||
				{ echo "bench: $name failed" >&2; continue; }
			result[ward-noseccomp]=$(stats "$WORK/ward-noseccomp.dat")
		elif [ "$name" = ward ] && [ -n "$BEFORE" ]; then
			: > "$WORK/ward.dat"
			: > "$WORK/ward-before.dat"
			bench_pair "${bin[$name]}" "$WORK/ward.dat" "$WORK/config.tmpl" \
				"$BEFORE" "$WORK/ward-before.dat" "$WORK/config.tmpl" ||
				{ echo "bench: $name failed" >&2; continue; }
			result[ward-before]=$(stats "$WORK/ward-before.dat")
		elif [ "$name" = ward-before ]; then
			continue # measured with ward, interleaved
		elif [ "$name" = ward-noseccomp ]; then
			[ -n "${result[ward-noseccomp]:-}" ] && continue # measured with ward, interleaved
			bench_loop "$name" "${bin[$name]}" "$WORK/$name.dat" "$WORK/config-noseccomp.tmpl" ||
				{ echo "bench: $name failed" >&2; continue; }
		else
			bench_loop "$name" "${bin[$name]}" "$WORK/$name.dat" || { echo "bench: $name failed" >&2; continue; }
		fi
		result[$name]=$(stats "$WORK/$name.dat")
	done

	echo
	printf '%-15s %10s %10s %14s %12s   %s\n' runtime "median ms" "p90 ms" "RSS median KB" "RSS max KB" version
	for name in $RUNTIMES; do
		[ -n "${result[$name]:-}" ] || { printf '%-15s %10s\n' "$name" n/a; continue; }
		read -r med p90 rss rssmax <<< "${result[$name]}"
		printf '%-15s %10s %10s %14s %12s   %s\n' "$name" "$med" "$p90" "$rss" "$rssmax" \
			"$("${bin[$name]}" --version 2> /dev/null | head -n 1)"
	done
	if [ -n "${result[ward]:-}" ]; then
		local other wm wp wr om op or
		read -r wm wp wr _ <<< "${result[ward]}"
		echo
		for other in crun runc; do
			[ -n "${result[$other]:-}" ] || continue
			read -r om op or _ <<< "${result[$other]}"
			printf 'ward/%s: median %s, p90 %s, RSS %s\n' "$other" \
				"$(ratio "$wm" "$om")" "$(ratio "$wp" "$op")" "$(ratio "$wr" "$or")"
		done
		if [ -n "${result[ward-noseccomp]:-}" ]; then
			read -r om _ <<< "${result[ward-noseccomp]}"
			# (in awk, a bare ">" among printf's arguments is an output redirection)
			awk -v a="$wm" -v b="$om" 'BEGIN { d = a - b; printf "default seccomp profile: %+.2f ms a run (%+.1f%% of a run without it)\n", d, (b > 0 ? 100 * d / b : 0) }'
		fi
	fi
	[ "$EXEC" = 1 ] && exec_report
	echo
	echo "($N runs each after $WARMUP warm-up runs; kernel $(uname -r), $(nproc) CPUs)"
}

# exec_report: exec latency of ward (and ward-before, interleaved), runc and crun
# (crun in its private mount namespace).
exec_report() {
	local name
	declare -A ex=()
	printf 'bench: exec, %d each...\n' "$N" >&2
	if [ -n "$BEFORE" ]; then
		exec_bench ward "$WARD" ward-before "$BEFORE" && ex[ward]=1 && ex[ward-before]=1
	else
		exec_bench ward "$WARD" && ex[ward]=1
	fi
	[ -x "${RUNC:-}" ] && exec_bench runc "$RUNC" && ex[runc]=1
	[ -x "${CRUN:-}" ] && unshare -m -- "$BASH" "${BASH_SOURCE[0]}" --inner-crun-exec && ex[crun]=1
	echo
	printf '%-15s %10s %10s %14s\n' "exec" "median ms" "p90 ms" "RSS median KB"
	declare -A med=()
	for name in ward ward-before crun runc; do
		[ -n "${ex[$name]:-}" ] && [ -s "$WORK/exec-$name.dat" ] || continue
		read -r m p90 rss _ <<< "$(stats "$WORK/exec-$name.dat")"
		med[$name]=$m
		printf '%-15s %10s %10s %14s\n' "$name" "$m" "$p90" "$rss"
	done
	echo
	for name in ward-before crun runc; do
		[ -n "${med[ward]:-}" ] && [ -n "${med[$name]:-}" ] || continue
		printf 'exec ward/%s: median %s\n' "$name" "$(ratio "${med[ward]}" "${med[$name]}")"
	done
}

if [ "${1:-}" = --inner-crun ]; then
	# shellcheck disable=SC2034 # used by bench_loop
	inner_crun "$2"
elif [ "${1:-}" = --inner-crun-exec ]; then
	mount --make-rprivate /
	mount --bind "$WORK/empty" /sys/fs/cgroup/unified/cgroup.controllers
	exec_bench crun "$CRUN"
else
	main "$@"
fi
