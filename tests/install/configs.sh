#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make check-configs`: every example profile in configs/ on the machine that
# builds gadgetd, which need not be a board (no UDC, ConfigFS or gadget
# modules), so with `gadgetd -n --profile-only`: the profile and the options,
# not the machine. The lab job e2e-configs runs plain -n on a machine that has
# them, and presents each profile's device.
#   valid-NAME   exit 0, "profile OK" on stdout, nothing on stderr
#   header-NAME  the first line names the file ("# NAME.cfg - what it is for")
#   readme-NAME  README.md links it (configs/NAME.cfg)
#   broken-*     a copy with an unknown key, or a value out of range: exit 1,
#                FILE:LINE of the bad line on stderr
#   bad-busid    --profile-only still checks the options: exit 2
# Prints "RESULT name: PASS|FAIL ..." lines and exits non-zero on any FAIL.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
GD=${GADGETD:-$REPO/$B/gadgetd}
cd "$REPO" || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
result() { echo "RESULT $1: $2${3:+ $3}"; [ "$2" = PASS ] || fails=$((fails + 1)); }
[ -x "$GD" ] || { result configs FAIL "$GD is missing: run make"; exit 1; }

n=0
for f in configs/*.cfg; do
	name=${f##*/}; name=${name%.cfg}; n=$((n + 1))
	out=$("$GD" -n --profile-only -p "$f" 2> "$T/err"); rc=$?
	if [ $rc = 0 ] && [ ! -s "$T/err" ] && echo "$out" | grep -q 'profile OK'; then
		result "valid-$name" PASS "$out"
	else
		result "valid-$name" FAIL "exit $rc: $out; stderr: $(tr '\n' ' ' < "$T/err")"
	fi
	if head -1 "$f" | grep -q "^# $name\.cfg - ."; then
		result "header-$name" PASS "$(head -1 "$f")"
	else
		result "header-$name" FAIL "first line is not '# $name.cfg - ...': $(head -1 "$f")"
	fi
	if grep -q "configs/$name\.cfg" README.md; then
		result "readme-$name" PASS "README.md links configs/$name.cfg"
	else
		result "readme-$name" FAIL "README.md does not link configs/$name.cfg"
	fi
done
[ $n -ge 2 ] || result configs FAIL "only $n profiles in configs/"

# broken copies: gadgetd names the file and the line of the mistake
broken() {  # broken NAME SED-EXPR WANT-LINE-PATTERN
	local f=$T/$1.cfg rc line
	sed "$2" configs/keyboard.cfg > "$f"
	line=$(grep -n -- "$3" "$f" | head -1 | cut -d: -f1)
	"$GD" -n --profile-only -p "$f" > "$T/out" 2> "$T/err"; rc=$?
	if [ -z "$line" ]; then
		result "broken-$1" FAIL "the test's edit did not apply ($2)"
	elif [ $rc = 1 ] && grep -q "$f:$line: " "$T/err" && [ ! -s "$T/out" ]; then
		result "broken-$1" PASS "exit 1: $(head -1 "$T/err" | sed "s|$T/||")"
	else
		result "broken-$1" FAIL "exit $rc (want 1), want '$f:$line:' on stderr: $(tr '\n' ' ' < "$T/err")"
	fi
}
broken unknown-key 's/^dead_peer_timeout = 5;/dead_peer_timout = 5;/' '^dead_peer_timout'
broken out-of-range 's/^dead_peer_timeout = 5;/dead_peer_timeout = 7200;/' '^dead_peer_timeout = 7200'
broken bad-rule 's|"class/interface", "!\*/\*"|"class/interfaces", "!*/*"|' 'class/interfaces'

"$GD" -n --profile-only -p configs/keyboard.cfg --busid 'a b' > /dev/null 2> "$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'not a valid busid' "$T/err" &&
	result bad-busid PASS "exit 2: $(head -1 "$T/err")" ||
	result bad-busid FAIL "exit $rc (want 2): $(tr '\n' ' ' < "$T/err")"
[ $fails = 0 ]
