#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages gadgetd needs to build and test (idempotent).
#   scripts/deps.sh         build + unit-test dependencies
#   scripts/deps.sh lab     also what the QEMU test lab needs
set -eu
BUILD="build-essential pkg-config libusbgx-dev libconfig-dev libaio-dev libcmocka-dev"
BUILD="$BUILD clang libclang-rt-dev" # tests/fuzz: libFuzzer, ASan/UBSan runtimes (make fuzz)
LAB="qemu-system-x86 busybox-static usbip usbutils kmod cpio xz-utils socat evtest util-linux nftables mtp-tools libnss3-tools iputils-ping iproute2 alsa-utils sg3-utils"
want=$BUILD
[ "${1:-}" = lab ] && want="$BUILD $LAB"
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
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
