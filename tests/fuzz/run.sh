#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/run.sh SECONDS SCRATCH TARGET... - run libFuzzer targets for a fixed time.
#
# Each $FUZZ_B/fuzz_TARGET runs for SECONDS on SCRATCH/TARGET (libFuzzer writes
# its new inputs into this first directory) and tests/fuzz/corpus/TARGET (read
# only), FUZZ_JOBS targets at a time. Logs: $FUZZ_B/logs/TARGET.log; a finding
# is written to $FUZZ_B/artifacts/TARGET/ (crash-*, leak-*, timeout-*, oom-*).
# Prints per target: executions, executions per second, coverage (cov/ft),
# corpus size, and the finding if any. Exit status: 0, 1 if any target found
# something, 2 on a usage error. Run from the top of the repository (make does).
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 SECONDS SCRATCH_DIR TARGET..." >&2
	exit 2
fi
secs=$1 scratch=$2
shift 2
B=${FUZZ_B:-build/fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
root=$(pwd)

# ASan finds llvm-symbolizer on PATH; Debian names it llvm-symbolizer-14 too.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
	for s in llvm-symbolizer llvm-symbolizer-14; do
		if command -v "$s" >/dev/null; then
			export ASAN_SYMBOLIZER_PATH=$(command -v "$s")
			break
		fi
	done
fi
# libconfig 1.5's own leaks (see lsan.supp); make passes the same.
case ${LSAN_OPTIONS:-} in
*suppressions=*) ;;
*) export LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" ;;
esac

# Per target: the largest input worth trying (a configuration is at most 32 KB,
# a profile 32 KB; libFuzzer grows towards it gradually) and a dictionary.
target_opts() {
	case $1 in
	usbip_rx) echo "-max_len=20000" ;;
	relay_rx) echo "-max_len=20000" ;;
	ffs_desc) echo "-max_len=40000 -use_value_profile=1" ;;
	gfs_desc) echo "-max_len=4096 -use_value_profile=1" ;;
	profile) echo "-max_len=40000 -dict=tests/fuzz/profile.dict" ;;
	esac
}

mkdir -p "$B/logs"
stamp=$B/logs/.start
: >"$stamp"

run_one() {
	local t=$1 art=$B/artifacts/$1/
	mkdir -p "$scratch/$t" "$art" "tests/fuzz/corpus/$t"
	# shellcheck disable=SC2046
	"$B/fuzz_$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art" $(target_opts "$t") \
		"$scratch/$t" "tests/fuzz/corpus/$t" >"$B/logs/$t.log" 2>&1
	echo $? >"$B/logs/$t.rc"
}

for t in "$@"; do
	if [ ! -x "$B/fuzz_$t" ]; then
		echo "run.sh: $B/fuzz_$t is missing (make fuzz)" >&2
		exit 2
	fi
done

echo "fuzzing $* for $secs s each, $jobs at a time"
running=0
for t in "$@"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
wait

found=0
for t in "$@"; do
	log=$B/logs/$t.log
	rc=$(cat "$B/logs/$t.rc" 2>/dev/null || echo '?')
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n1)
	[ -n "$runs" ] || runs=$(printf '%s\n' "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
	new=$(find "$scratch/$t" -type f | wc -l)
	arts=$(find "$B/artifacts/$t" -type f -newer "$stamp" 2>/dev/null)
	printf '%-9s %s s  runs %s  exec/s %s  cov %s  ft %s  corpus %s (scratch %s files)  ' \
		"$t" "$secs" "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$new"
	if [ "$rc" = 0 ] && [ -z "$arts" ]; then
		echo "no finding"
	else
		found=1
		echo "FINDING (exit $rc, log $log)"
		for a in $arts; do
			echo "    $a"
		done
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant does not hold|.*runtime error)' "$log" |
			head -n 5 | sed 's/^/    /'
	fi
done
rm -f "$stamp"
exit $found
