#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages gadgetd needs (idempotent).
#   scripts/deps.sh          build + unit-test dependencies (make, make unit, make asan)
#   scripts/deps.sh fuzz     also clang and its runtimes (make fuzz*: libFuzzer), ~260 MB
#   scripts/deps.sh lab      also what the QEMU test lab needs (make e2e, demo, bench)
#   scripts/deps.sh cross    also the armel/arm64 cross toolchains, the armel and arm64
#                            -dev packages (multiarch) and qemu-user (make deb ARCH=..., cross-test)
#   scripts/deps.sh all      all of it (make check)
#   scripts/deps.sh --list [MODE]   print the packages of MODE, install nothing
set -eu
BUILD="build-essential pkg-config libusbgx-dev libconfig-dev libaio-dev libcmocka-dev libsystemd-dev libpcap-dev libseccomp-dev"
FUZZ="clang libclang-rt-dev"
# armhf is built with the armel toolchain (static, ARMv6: README "Which package"),
# so Debian's armhf toolchain and libraries are not needed.
CROSS_ARCHS="armel arm64"
# No libsystemd-dev:armel: bookworm-security has no armel, and libsystemd0:armel needs
# liblzma5/libzstd1 at the same version as the (security-updated) amd64 ones; the
# armel build speaks sd_notify itself (gadgetd/notify.h).
CROSS="qemu-user binutils socat libsystemd-dev:arm64 libpcap-dev:arm64 libseccomp-dev:arm64"
for a in $CROSS_ARCHS; do
	CROSS="$CROSS crossbuild-essential-$a libusbgx-dev:$a libconfig-dev:$a libaio-dev:$a libcmocka-dev:$a"
done
LAB="qemu-system-x86 busybox-static usbip usbutils kmod cpio xz-utils zstd socat evtest util-linux nftables mtp-tools libnss3-tools iputils-ping iproute2 alsa-utils sg3-utils systemd tshark openssh-server openssh-client"
list=0
[ "${1:-}" = --list ] && { list=1; shift; }
case "${1:-}" in
	"") want=$BUILD ;;
	fuzz) want="$BUILD $FUZZ" ;;
	lab) want="$BUILD $LAB" ;;
	cross) want="$BUILD $CROSS" ;;
	all) want="$BUILD $FUZZ $LAB $CROSS" ;;
	*) echo "deps.sh: unknown mode '$1' (none, fuzz, lab, cross or all)" >&2; exit 2 ;;
esac
[ $list = 1 ] && { echo "$want"; exit 0; }
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
case "$want" in *:arm*)	# multiarch: the foreign architectures before apt-get update
	for a in $CROSS_ARCHS; do
		dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
	done ;;
esac
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
