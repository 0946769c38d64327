#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: boot the QEMU lab once (scripts/lab.sh run tests/bench/bench-job.sh),
# measure gadgetd against the kernel's own USB/IP client (vhci_hcd) on the same
# exported devices, and print one table with the ratios (gadgetd / vhci). The table
# also goes to $BENCH_DIR/results.md (default .cache/bench), with the date and the
# machine, and to a dated copy beside it. Numbers only: nothing is asserted.
#
# Environment: GADGETD (default build/gadgetd; its directory's tools/ must hold
# usbip-sim and bench-xfer, as `make bench` builds them), BENCH_DIR, and
# scripts/lab.sh's LAB_CACHE, LAB_ACCEL, LAB_QUIET.
# Exit status: 0 when every measurement was made, 1 otherwise (the table shows
# what was measured, and why the rest was not).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GADGETD=${GADGETD:-$REPO/build/gadgetd}
case $GADGETD in /*) ;; *) GADGETD=$PWD/$GADGETD;; esac
export GADGETD
BIN=$(dirname "$GADGETD")
for b in "$GADGETD" "$BIN/tools/usbip-sim" "$BIN/tools/bench-xfer"; do
	[ -x "$b" ] || { echo "bench: $b is missing: run make bench" >&2; exit 1; }
done
RES=${BENCH_DIR:-$REPO/.cache/bench}
mkdir -p "$RES"

bash "$REPO/scripts/lab.sh" setup
CACHE=$(cd "${LAB_CACHE:-$REPO/.cache/lab}" && pwd)
OUT=$CACHE/out/bench-job
echo "bench: booting the lab once; 5 to 10 minutes under TCG"
t0=$SECONDS
load0=$(cut -d' ' -f1 /proc/loadavg)
# progress: the job's own lines; everything is in $RES/lab.log
set +e
bash "$REPO/scripts/lab.sh" run "$REPO/tests/bench/bench-job.sh" 2>&1 | tee "$RES/lab.log" |
	if [ "${LAB_QUIET:-0}" = 1 ]; then cat > /dev/null
	else grep --line-buffered -a -e '] bench: ' -e '] ==== ' -e '^lab.sh: '; fi
rc=${PIPESTATUS[0]}
set -e
secs=$((SECONDS - t0))
load1=$(cut -d' ' -f1 /proc/loadavg)
TSV=$OUT/bench.tsv
if [ ! -s "$TSV" ]; then
	echo "bench: the lab run produced no measurements (status $rc); the end of its log:" >&2
	tail -30 "$RES/lab.log" >&2
	exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
stamp=$(date '+%Y-%m-%d %H:%M %Z')
rev=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
qemu=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
{
	echo "gadgetd benchmark, $stamp"
	echo
	echo "Machine: $(uname -m), ${cpu:-unknown CPU}, $(nproc) CPUs, Linux $(uname -r); lab: QEMU $qemu," \
	     "${LAB_ACCEL:-tcg}, 2 guest CPUs, guest kernel $(cat "$CACHE/kpkg" 2>/dev/null || echo '?');" \
	     "gadgetd $rev; one lab run, ${secs} s; host load average $load0 before, $load1 after" \
	     "(the lab's QEMU alone makes about 2; more means something else ran too, and TCG numbers drop with it)."
	echo
	echo "| test | RTT | gadgetd | vhci | ratio |"
	echo "|---|---|---|---|---|"
	awk -F'\t' '
	function fmt(x) {
		if (x == "" || x !~ /^[0-9.]+$/) return x == "" ? "-" : x
		return sprintf(x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : x >= 1 ? "%.2f" : "%.3f", x)
	}
	$1 == "#" { next }
	{ k = $1 SUBSEP $2; if (!(k in seen)) { seen[k] = 1; order[++n] = k }; val[k, $3] = $4 }
	END {
		for (i = 1; i <= n; i++) {
			split(order[i], a, SUBSEP)
			g = ((order[i], "gadgetd") in val) ? val[order[i], "gadgetd"] : ""
			v = ((order[i], "vhci") in val) ? val[order[i], "vhci"] : ""
			r = (g != "" && v != "" && v + 0 > 0) ? sprintf("%.2fx", g / v) : "-"
			rtt = a[2] ~ /^[0-9]+$/ ? a[2] " ms" : a[2]
			printf "| %s | %s | %s | %s | %s |\n", a[1], rtt, fmt(g), fmt(v), r
		}
	}' "$TSV"
	echo
	echo "ratio = gadgetd / vhci: above 1 is better for MB/s, worse for ms and CPU."
	echo "vhci's CPU is its kernel threads' (vhci_rx, vhci_tx); gadgetd's is the process's user + system time."
	echo
	awk -F'\t' '$1 == "#" { print "- " $2 }' "$TSV"
} > "$RES/results.md.tmp"
mv "$RES/results.md.tmp" "$RES/results.md"
cp "$RES/results.md" "$RES/results-$(date +%Y%m%d-%H%M%S).md"
echo
cat "$RES/results.md"
echo
echo "bench: $RES/results.md (lab log: $RES/lab.log, raw: $TSV)"
if grep -q $'^#\tMISSING' "$TSV" || [ "$rc" != 0 ]; then
	echo "bench: some measurements are missing (lab run status $rc)" >&2
	exit 1
fi
