#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make cross-test` (part of `make check`): the ARM builds, run under qemu-user.
#   unit-ARCH    the cmocka unit tests built for ARCH (armel, arm64; armhf as its
#                package is built: static armel libraries, under qemu-arm -cpu
#                arm1176, the Pi Zero's ARMv6 core, which refuses ARMv7 and Thumb-2)
#   deb-ARCH     make deb ARCH=... gives a package of that architecture whose
#                Depends name the Debian 12 run-time libraries (armhf: none)
#   version-ARCH the packaged gadgetd prints its version
#   armhf-cpu-model  a Thumb-2 instruction dies with SIGILL under -cpu arm1176
#   armhf-*      the packaged armhf binary under -cpu arm1176: its ELF attributes
#                (readelf -A: ARMv6 or lower, no Thumb-2), static, -n on each
#                example profile, sd_notify datagrams to $NOTIFY_SOCKET (the build
#                without libsystemd), --list against usbip-sim on loopback (the
#                same listing as the host's gadgetd)
# Needs scripts/deps.sh cross and the host build (make all: build/tools/usbip-sim).
# Prints "RESULT name: PASS|FAIL ..." lines and exits non-zero on any FAIL.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
B=${B:-build} VERSION=${VERSION:?VERSION is set by the Makefile}
# shellcheck source=scripts/cross-env.sh
. scripts/cross-env.sh
T=$(mktemp -d)
SIM=
trap '[ -z "$SIM" ] || kill "$SIM" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
result() { echo "RESULT $1: $2${3:+ $3}"; [ "$2" = PASS ] || fails=$((fails + 1)); }
start=$SECONDS

for arch in armel arm64 armhf; do
	cross_setup "$arch"
	tests=
	for c in tests/unit/test_*.c; do
		# a build without libpcap has no capture to test (Makefile NO_PCAP)
		case "$c ${XMAKE[*]}" in *test_capture.c*NO_PCAP=1*) continue ;; esac
		tests="$tests $XB/tests/$(basename "$c" .c)"
	done
	# shellcheck disable=SC2086
	if ! CFLAGS=-O2 make -s -j"$(nproc)" "${XMAKE[@]}" $tests > "$T/build-$arch.log" 2>&1; then
		result "unit-$arch" FAIL "build: $(grep -m3 -E 'error|Error' "$T/build-$arch.log" | tr '\n' ' ')"
	else
		bad='' n=0
		for t in $tests; do
			n=$((n + 1))
			timeout 300 "${XQEMU[@]}" "$t" > "$T/$arch-${t##*/}.log" 2>&1 ||
				{ bad="$bad ${t##*/}"; tail -5 "$T/$arch-${t##*/}.log"; }
		done
		cases=$(cat "$T/$arch"-test_*.log | grep -c '^\[       OK \]')
		if [ -z "$bad" ]; then
			result "unit-$arch" PASS "$n programs, $cases cases under ${XQEMU[*]}"
		else
			result "unit-$arch" FAIL "failed under ${XQEMU[*]}:$bad"
		fi
	fi

	if ! bash scripts/deb.sh "$arch" > "$T/deb-$arch.log" 2>&1; then
		result "deb-$arch" FAIL "$(tail -3 "$T/deb-$arch.log" | tr '\n' ' ')"
		continue
	fi
	deb=$B/deb/gadgetd_${VERSION}_$arch.deb
	rm -rf "${T:?}/$arch" && dpkg-deb -x "$deb" "$T/$arch"
	a=$(dpkg-deb -f "$deb" Architecture) dep=$(dpkg-deb -f "$deb" Depends)
	case $arch in
	armhf) want= ;;
	armel) want="libaio1 libc6 libconfig9 libusbgx2" ;;
	*) want="libaio1 libc6 libconfig9 libpcap0.8 libseccomp2 libsystemd0 libusbgx2" ;;
	esac
	got=$(echo "$dep" | tr ',' '\n' | sed 's/^ *\([^ ]*\).*/\1/' | grep . | sort | tr '\n' ' ' | sed 's/ $//')
	if [ "$a" = "$arch" ] && [ "$got" = "$want" ]; then
		result "deb-$arch" PASS "Architecture: $a, Depends: ${dep:-none}"
	else
		result "deb-$arch" FAIL "Architecture: $a, Depends: ${dep:-none} (want the packages: ${want:-none})"
	fi
	gd=$T/$arch/usr/sbin/gadgetd
	out=$(timeout 60 "${XQEMU[@]}" "$gd" --version 2>&1)
	if [ "$out" = "gadgetd $VERSION" ]; then
		result "version-$arch" PASS "${XQEMU[*]} gadgetd --version: $out"
	else
		result "version-$arch" FAIL "${XQEMU[*]} gadgetd --version: $out"
	fi
done

# ---- the armhf package's binary, the one a Pi Zero runs ----
gd=$T/armhf/usr/sbin/gadgetd
QV6=(qemu-arm -cpu arm1176)
if [ ! -x "$gd" ]; then
	result armhf-binary FAIL "no armhf package"
else
	# the CPU model: a Thumb-2 instruction (movw, ARMv6T2/ARMv7) is refused
	printf 'int main(void) { __asm__ volatile("movw r0, #1" ::: "r0"); return 0; }\n' > "$T/t2.c"
	if arm-linux-gnueabi-gcc -march=armv7-a -mthumb -static "$T/t2.c" -o "$T/t2"; then
		rc=$( ("${QV6[@]}" "$T/t2") 2> /dev/null; echo $?) rc2=$(qemu-arm "$T/t2"; echo $?)
	else
		rc=none rc2=none
	fi
	if [ "$rc" = 132 ] && [ "$rc2" = 0 ]; then
		result armhf-cpu-model PASS "qemu-arm -cpu arm1176 kills a Thumb-2 movw with SIGILL (the default CPU runs it)"
	else
		result armhf-cpu-model FAIL "Thumb-2 movw under arm1176: exit $rc, default CPU: exit $rc2"
	fi
	attrs=$(readelf -A "$gd")
	arch_tag=$(echo "$attrs" | sed -n 's/^ *Tag_CPU_arch: //p')
	thumb=$(echo "$attrs" | sed -n 's/^ *Tag_THUMB_ISA_use: //p')
	case $arch_tag in
	Pre-v4 | v4 | v4T | v5T | v5TE | v5TEJ | v6 | v6KZ | v6K) arch_ok=1 ;;
	*) arch_ok=0 ;;
	esac
	if [ $arch_ok = 1 ] && { [ -z "$thumb" ] || [ "$thumb" = Thumb-1 ]; }; then
		result armhf-readelf PASS "Tag_CPU_arch: $arch_tag, Tag_THUMB_ISA_use: ${thumb:-absent} ($(stat -c %s "$gd") bytes)"
	else
		result armhf-readelf FAIL "Tag_CPU_arch: ${arch_tag:-absent}, Tag_THUMB_ISA_use: ${thumb:-absent} (want v6 or lower, no Thumb-2)"
	fi
	if readelf -l "$gd" | grep -q INTERP || readelf -d "$gd" | grep -q NEEDED; then
		result armhf-static FAIL "$(readelf -d "$gd" | grep NEEDED | tr '\n' ' ')"
	else
		result armhf-static PASS "no interpreter, no shared library (nothing Raspberry Pi OS could lack)"
	fi

	# -n --profile-only: each example profile, as the host's build reads it
	# (plain -n also checks the machine: a UDC, ConfigFS, the gadget modules)
	for f in configs/*.cfg; do
		out=$(timeout 60 "${QV6[@]}" "$gd" -n --profile-only -p "$f" 2>&1)
		rc=$? host=$("$B/gadgetd" -n --profile-only -p "$f" 2>&1)
		if [ $rc = 0 ] && [ "$out" = "$host" ] && echo "$out" | grep -q 'profile OK'; then
			result "armhf-check-${f##*/}" PASS "$out"
		else
			result "armhf-check-${f##*/}" FAIL "exit $rc: $out (host: $host)"
		fi
	done

	# sd_notify without libsystemd: the datagrams systemd would get (as in
	# tests/install/run.sh, which checks the libsystemd build)
	socat -u "UNIX-RECV:$T/notify.sock" "OPEN:$T/notify.log,creat,append" & SOCAT=$!
	for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
	NOTIFY_SOCKET=$T/notify.sock timeout 60 "${QV6[@]}" "$gd" --remote 127.0.0.1:1 --busid 1-1 --once \
		> "$T/notify-gadgetd.log" 2>&1
	rc=$?
	sleep 0.3
	kill "$SOCAT" 2>/dev/null; wait "$SOCAT" 2>/dev/null
	# datagrams follow each other in the file without a separator; without a
	# UDC (a CI machine) gadgetd stops before the network, and says why
	if [ -n "$(ls /sys/class/udc 2>/dev/null)" ]; then want='STATUS=importing 1-1 from 127.0.0.1:1'
	else want='STATUS=no UDC in /sys/class/udc'; fi
	if [ $rc = 1 ] && grep -q "$want" "$T/notify.log" && grep -q 'STOPPING=1' "$T/notify.log"; then
		result armhf-notify PASS "$want..., then STOPPING=1 (exit 1)"
	else
		result armhf-notify FAIL "exit $rc; received: $(tr '\n' '|' < "$T/notify.log" 2>/dev/null); log: $(tail -2 "$T/notify-gadgetd.log")"
	fi

	# --list: the simulated device behind usbip-sim on loopback
	for port in $((20000 + RANDOM % 20000)) $((20000 + RANDOM % 20000)) $((20000 + RANDOM % 20000)); do
		"$B/tools/usbip-sim" --device tests/sim/devices/cdc-acm-hs.cfg --listen "127.0.0.1:$port" \
			> "$T/sim.log" 2>&1 & SIM=$!
		for _ in $(seq 50); do grep -q 'ready on' "$T/sim.log" && break; kill -0 "$SIM" 2>/dev/null || break; sleep 0.1; done
		grep -q 'ready on' "$T/sim.log" && break
		kill "$SIM" 2>/dev/null; wait "$SIM" 2>/dev/null; SIM=
	done
	if [ -z "$SIM" ]; then
		result armhf-list FAIL "usbip-sim did not start: $(cat "$T/sim.log")"
	else
		out=$(timeout 60 "${QV6[@]}" "$gd" --remote "127.0.0.1:$port" --list 2>&1)
		rc=$? host=$("$B/gadgetd" --remote "127.0.0.1:$port" --list 2>&1)
		if [ $rc = 0 ] && [ "$out" = "$host" ] && echo "$out" | grep -q '^  1-1 .*0483:5740'; then
			result armhf-list PASS "usbip-sim's 1-1 0483:5740 listed as the host's gadgetd lists it"
		else
			result armhf-list FAIL "exit $rc: $out (host: $host)"
		fi
		kill "$SIM"; wait "$SIM" 2>/dev/null; SIM=
	fi
fi
echo "cross-test: $((SECONDS - start)) s"
[ $fails = 0 ]
