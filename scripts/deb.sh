#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/deb.sh ARCH (`make deb ARCH=amd64|armel|armhf|arm64`): build gadgetd for
# ARCH (scripts/cross-env.sh) into build-ARCH/ and package it with dpkg-deb as
# $B/deb/gadgetd_VERSION_ARCH.deb: the binary (stripped), the man pages, the
# profiles as conffiles in /etc/gadgetd, gadgetd@.service in /lib/systemd/system,
# /usr/lib/modules-load.d/gadgetd.conf. Depends: what dpkg-shlibdeps finds for a
# dynamic binary; nothing for the static one (armhf cross-built).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
ARCH=${1:?usage: deb.sh ARCH (amd64, armel, armhf or arm64)}
B=${B:-build} VERSION=${VERSION:?VERSION is set by the Makefile}
MAINTAINER=${DEB_MAINTAINER:-gadgetd developers <gadgetd@localhost>}
# shellcheck source=scripts/cross-env.sh
. scripts/cross-env.sh
cross_setup "$ARCH"

# A package build of its own: -O2 without -g (the binary is stripped), the unit
# made again for PREFIX=/usr.
rm -f "$XB/gadgetd@.service"
CFLAGS=${DEB_CFLAGS:--O2} make -j"$(nproc)" "${XMAKE[@]}" "$XB/gadgetd"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
root=$T/root
CFLAGS=${DEB_CFLAGS:--O2} make -s "${XMAKE[@]}" DESTDIR="$root" install > /dev/null
"${XTRIPLET:+$XTRIPLET-}strip" --strip-unneeded "$root/usr/sbin/gadgetd"
gzip -9n "$root/usr/share/man/man8/gadgetd.8" "$root/usr/share/man/man5/gadgetd.profile.5"
install -d "$root/usr/share/doc/gadgetd"
cat > "$root/usr/share/doc/gadgetd/copyright" <<EOT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: gadgetd

Files: *
License: GPL-2.0-or-later
 On Debian systems, the full text of the GNU General Public License version 2
 can be found in /usr/share/common-licenses/GPL-2.
EOT

if [ "$XSTATIC" = 1 ]; then
	# the static ARMv6 build: no library, no interpreter
	if readelf -d "$root/usr/sbin/gadgetd" | grep -q NEEDED || readelf -l "$root/usr/sbin/gadgetd" | grep -q INTERP; then
		echo "deb.sh: the armhf gadgetd is not static" >&2
		exit 1
	fi
	depends=
else
	mkdir -p "$T/src/debian"
	printf 'Source: gadgetd\n\nPackage: gadgetd\nArchitecture: any\n' > "$T/src/debian/control"
	depends=$(cd "$T/src" && dpkg-architecture -a"$ARCH" -c dpkg-shlibdeps -O -e"$root/usr/sbin/gadgetd" 2> "$T/shlibdeps.err" |
		sed -n 's/^shlibs:Depends=//p') || { cat "$T/shlibdeps.err" >&2; exit 1; }
	[ -n "$depends" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; cat "$T/shlibdeps.err" >&2; exit 1; }
fi

install -d "$root/DEBIAN"
(cd "$root" && find etc -type f -printf '/%p\n' | sort) > "$root/DEBIAN/conffiles"
{
	echo "Package: gadgetd"
	echo "Version: $VERSION"
	echo "Architecture: $ARCH"
	echo "Maintainer: $MAINTAINER"
	echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
	[ -z "$depends" ] || echo "Depends: $depends"
	echo "Section: net"
	echo "Priority: optional"
	echo "Description: USB/IP client presenting a remote USB device on a USB device port"
	echo " gadgetd imports one device from a USB/IP server (usbipd) and presents it,"
	echo " through the board's USB device controller (UDC), ConfigFS and FunctionFS"
	echo " or GadgetFS, to the host cabled to that port. Start it with"
	echo " systemctl enable --now gadgetd@NAME for a profile /etc/gadgetd/NAME.cfg."
	[ "$XSTATIC" = 0 ] || echo " This armhf build is static ARMv5TE code: it runs on a Raspberry Pi Zero"
	[ "$XSTATIC" = 0 ] || echo " (ARMv6, Raspberry Pi OS 32-bit) as well as on ARMv7 boards."
} > "$root/DEBIAN/control"
# systemd rereads its units; the template is enabled per profile by the user
for s in postinst postrm; do
	printf '#!/bin/sh\nset -e\nif [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi\n' > "$root/DEBIAN/$s"
	chmod 0755 "$root/DEBIAN/$s"
done
# the account gadgetd@.service runs the network side as (gadgetd --user gadgetd)
cat >> "$root/DEBIAN/postinst" <<'EOF'
if [ "$1" = configure ] && ! getent passwd gadgetd >/dev/null; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin gadgetd
fi
EOF

install -d "$B/deb"
out=$B/deb/gadgetd_${VERSION}_$ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" > /dev/null
echo "deb.sh: $out ($(stat -c %s "$out") bytes; gadgetd $(stat -c %s "$root/usr/sbin/gadgetd") bytes)${depends:+; Depends: $depends}"
