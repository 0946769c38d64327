#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: boot the QEMU lab (scripts/lab.sh), run gadgetd on the lab's USB
# stick and keyboard, and show what the machine on the other end of the cable
# (dummy_hcd's host side) sees: lsusb, the disk and its checksum, a key press.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -x "${GADGETD:-$REPO/build/gadgetd}" ] || { echo "demo: build gadgetd first (make)" >&2; exit 1; }
bash "$REPO/scripts/lab.sh" setup
echo "demo: booting the lab (about 20 s under TCG)..."
out=$(mktemp); trap 'rm -f "$out"' EXIT
LAB_QUIET=1 bash "$REPO/scripts/lab.sh" run "$REPO/tests/lab/guest/demo-job.sh" > "$out" 2>&1 || true
grep -v -e '^LAB_READY' -e '^LAB_DONE' -e '^usbip: info' -e '^lab.sh: ' "$out"
if grep -q '^RESULT .*FAIL' "$out" || ! grep -q '^RESULT demo-disk: PASS' "$out"; then
	echo; echo "demo: something did not work (full output above)"; exit 1
fi
echo; echo "demo: done"
