# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
# Sourced by scripts/deb.sh and tests/cross/run.sh: how to build gadgetd for one
# Debian architecture. cross_setup ARCH sets
#   XB       the build directory (build-ARCH/)
#   XMAKE    the make arguments (an array): compiler, pkg-config, variant, paths
#   XTRIPLET the GNU triplet of the toolchain ("" for a native build)
#   XQEMU    how to run its binaries here (an array; empty when native)
#   XSTATIC  1 for the static build (armhf, cross-built)
# armhf is the static ARMv6 build from Debian's armel toolchain (ARMv5TE code,
# its libc included): it runs on a Pi Zero's ARM1176 under Raspberry Pi OS
# 32-bit, on a BeagleBone and on a Pi Zero 2 / 4 with a 32-bit OS. armel has
# no libsystemd (scripts/deps.sh says why); both speak sd_notify themselves.
# Neither has libpcap (armel's -dev cannot be installed beside amd64's for the
# same reason, and a static libpcap needs libdbus and libsystemd): --capture is
# refused there. Nor libseccomp (NO_SECCOMP=1, for the same reasons): --user's
# relay runs there without a system call filter, its other limits kept.
# A build on the machine itself (ARCH is its own) is the plain one.
cross_setup() {
	local host
	host=$(dpkg --print-architecture)
	XB=build-$1
	XMAKE=(--no-print-directory B="$XB" PREFIX=/usr SYSCONFDIR=/etc
		UNITDIR=/lib/systemd/system MODLOADDIR=/usr/lib/modules-load.d)
	XQEMU=() XTRIPLET='' XSTATIC=0
	case $1 in
	"$host") return 0 ;; # on the board itself: the plain build
	armhf) XTRIPLET=arm-linux-gnueabi XQEMU=(qemu-arm -cpu arm1176) XSTATIC=1
		XMAKE+=(STATIC=1 NO_LIBSYSTEMD=1 NO_PCAP=1 NO_SECCOMP=1) ;;
	armel) XTRIPLET=arm-linux-gnueabi XQEMU=(qemu-arm) XMAKE+=(NO_LIBSYSTEMD=1 NO_PCAP=1 NO_SECCOMP=1) ;;
	arm64) XTRIPLET=aarch64-linux-gnu XQEMU=(qemu-aarch64) ;;
	*) echo "cannot build for '$1' on $host (amd64, armel, armhf or arm64)" >&2; return 2 ;;
	esac
	# -Werror with Debian 12's cross compilers (a board's own compiler may warn more)
	XMAKE+=(WERROR=1 CC="$XTRIPLET-gcc" AR="$XTRIPLET-ar" PKG_CONFIG="$XTRIPLET-pkg-config")
}
