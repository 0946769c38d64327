#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests: set the lab up, run every job in tests/lab/jobs (or only the
# named ones: tests/lab/run-e2e.sh e2e-keyboard storage-hs ...), collect the
# RESULT lines and end with "N passed, M failed". Non-zero exit when anything
# failed, a job timed out or died, or a job reported no RESULT at all.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$REPO/scripts/lab.sh
JOBS=$REPO/tests/lab/jobs

bash "$LAB" setup || { echo "run-e2e: lab setup failed"; echo "0 passed, 1 failed"; exit 1; }
CACHE=$(cd "${LAB_CACHE:-$REPO/.cache/lab}" && pwd)

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
t_all=$SECONDS
for j in "${jobs[@]}"; do
	name=$(basename "$j" .sh)
	echo "==== $name"
	t0=$SECONDS
	log=$CACHE/out/$name.run.log
	mkdir -p "$CACHE/out"
	bash "$LAB" run "$j" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	grep -a '^RESULT ' "$log" | sed "s/^/[$name] /" >> "$summary"
	case $rc in
		0) ;;
		124) echo "RESULT $name: FAIL timed out" | tee -a "$log" | sed "s/^/[$name] /" >> "$summary";;
		*) echo "RESULT $name: FAIL the lab run failed (status $rc)" | tee -a "$log" | sed "s/^/[$name] /" >> "$summary";;
	esac
	grep -aq '^RESULT ' "$log" ||
		echo "[$name] RESULT $name: FAIL the job reported no RESULT" >> "$summary"
	echo "==== $name: $((SECONDS - t0))s"
done

echo
echo "==== summary ($((SECONDS - t_all))s)"
cat "$summary"
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
