#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests: set the lab up, run every job in tests/lab/jobs (or only the
# named ones: tests/lab/run-e2e.sh e2e-keyboard storage-hs ...) on each lab
# kernel, collect the RESULT lines (each prefixed with the kernel and the job:
# "[6.12] [e2e-keyboard] RESULT ...") and end with "N passed, M failed".
# Non-zero exit when anything failed on any kernel, a job timed out or died, or
# a job reported no RESULT at all.
#
#   LAB_KERNELS  the kernels to run on, in order (default "6.1 6.12"; see
#                scripts/lab.sh LAB_KERNEL)
# A job may name the kernels it runs on with a line "#@kernels 6.1" (default: all).
#
#   LAB_CACHE    the 6.1 lab's cache (default .cache/lab); another kernel K's
#                cache is beside it, "$LAB_CACHE-K" (.cache/lab-6.12)
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$REPO/scripts/lab.sh
JOBS=$REPO/tests/lab/jobs
BASE=${LAB_CACHE:-$REPO/.cache/lab}

jobs=()
if [ $# -eq 0 ]; then
	for j in "$JOBS"/*.sh; do jobs+=("$j"); done
else
	for a in "$@"; do
		a=${a%.sh}
		if [ -f "$a.sh" ]; then jobs+=("$a.sh")
		elif [ -f "$JOBS/$a.sh" ]; then jobs+=("$JOBS/$a.sh")
		elif [ -f "$JOBS/e2e-$a.sh" ]; then jobs+=("$JOBS/e2e-$a.sh")
		else echo "run-e2e: no job named $a"; echo "0 passed, 1 failed"; exit 1; fi
	done
fi

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
times=
t_all=$SECONDS
for k in ${LAB_KERNELS:-6.1 6.12}; do
	case $k in 6.1) cache=$BASE;; *) cache=$BASE-$k;; esac
	export LAB_KERNEL=$k LAB_CACHE=$cache
	t_k=$SECONDS
	echo "==== kernel $k (cache $cache)"
	if ! bash "$LAB" setup; then
		echo "[$k] RESULT lab-setup: FAIL scripts/lab.sh setup failed" >> "$summary"
		continue
	fi
	cache=$(cd "$cache" && pwd)
	for j in "${jobs[@]}"; do
		name=$(basename "$j" .sh)
		tag="[$k] [$name]"
		# "#@kernels 6.1": a job whose subject is gadgetd's own user-space logic and that
		# the other jobs already cover on every kernel (README "Kernels") runs on those only
		only=$(sed -n 's/^#@kernels //p' "$j" | head -1)
		if [ -n "$only" ] && [[ " $only " != *" $k "* ]]; then
			echo "==== $k $name: not on this kernel (#@kernels $only)"
			continue
		fi
		echo "==== $k $name"
		t0=$SECONDS
		log=$cache/out/$name.run.log
		mkdir -p "$cache/out"
		bash "$LAB" run "$j" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		grep -a '^RESULT ' "$log" | sed "s/^/$tag /" >> "$summary"
		case $rc in
			0) ;;
			124) echo "RESULT $name: FAIL timed out" | tee -a "$log" | sed "s/^/$tag /" >> "$summary";;
			*) echo "RESULT $name: FAIL the lab run failed (status $rc)" | tee -a "$log" | sed "s/^/$tag /" >> "$summary";;
		esac
		grep -aq '^RESULT ' "$log" ||
			echo "$tag RESULT $name: FAIL the job reported no RESULT" >> "$summary"
		echo "==== $k $name: $((SECONDS - t0))s"
	done
	times="$times kernel $k: $((SECONDS - t_k))s,"
done

echo
echo "==== summary ($((SECONDS - t_all))s:${times%,})"
cat "$summary"
for k in ${LAB_KERNELS:-6.1 6.12}; do
	echo "kernel $k: $(grep -c "^\[$k\] .*RESULT [^:]*: PASS" "$summary") passed," \
		"$(grep -c "^\[$k\] .*RESULT [^:]*: FAIL" "$summary") failed"
done
pass=$(grep -c 'RESULT [^:]*: PASS' "$summary")
fail=$(grep -c 'RESULT [^:]*: FAIL' "$summary")
if [ "$fail" != 0 ]; then
	# Repeated here so that the end of the output, which is what a CI log
	# shows, names what failed.
	echo "failed:"
	grep 'RESULT [^:]*: FAIL' "$summary" | sed 's/^/  /'
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
