#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install-test`: what a user of `make install` and of gadgetd@.service
# relies on, without root and without touching the system:
#   install     everything lands under DESTDIR (PREFIX=/usr), the unit names
#               the installed binary and profile
#   conffiles   an edited profile survives a second install (the shipped one
#               goes beside it as .new); uninstall removes what it installed
#               and keeps the edited profile
#   unit        systemd-analyze verify accepts gadgetd@.service
#   notify      gadgetd speaks sd_notify(3) to $NOTIFY_SOCKET: STATUS while it
#               imports, STOPPING=1 when it ends
#   deps        scripts/deps.sh installs clang only for fuzzing
# Prints "RESULT name: PASS|FAIL ..." lines and exits non-zero on any FAIL.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
cd "$REPO" || exit 1
T=$(mktemp -d)
trap 'kill $SOCAT 2>/dev/null; rm -rf "$T"' EXIT
SOCAT=
fails=0
result() { echo "RESULT $1: $2${3:+ $3}"; [ "$2" = PASS ] || fails=$((fails + 1)); }
mk() { make --no-print-directory -s B="$B" PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$T/root" "$@"; }

# install
mk install > "$T/install.log" 2>&1 || { cat "$T/install.log"; result install FAIL "make install failed"; exit 1; }
missing=
for f in usr/sbin/gadgetd usr/share/man/man8/gadgetd.8 usr/share/man/man5/gadgetd.profile.5 \
	usr/lib/systemd/system/gadgetd@.service usr/lib/modules-load.d/gadgetd.conf; do
	[ -e "$T/root/$f" ] || missing="$missing /$f"
done
# every example profile, as shipped (the deb lists what is under etc/ as conffiles)
for f in configs/*.cfg; do
	cmp -s "$f" "$T/root/etc/gadgetd/${f##*/}" || missing="$missing /etc/gadgetd/${f##*/}"
done
unit=$T/root/usr/lib/systemd/system/gadgetd@.service
if [ -z "$missing" ] && grep -qx 'ExecStart=/usr/sbin/gadgetd --user gadgetd --profile /etc/gadgetd/%i.cfg' "$unit" &&
	grep -qx libcomposite "$T/root/usr/lib/modules-load.d/gadgetd.conf"; then
	result install PASS "binary, man pages, gadgetd@.service, modules-load.d/gadgetd.conf, the $(ls configs/*.cfg | wc -l) profiles of configs/ under DESTDIR"
else
	result install FAIL "missing:${missing:- none}; ExecStart: $(grep ExecStart "$unit")"
fi

# conffiles
echo '# edited by the user' >> "$T/root/etc/gadgetd/keyboard.cfg"
mk install > "$T/install2.log" 2>&1
if tail -1 "$T/root/etc/gadgetd/keyboard.cfg" | grep -q 'edited by the user' &&
	cmp -s configs/keyboard.cfg "$T/root/etc/gadgetd/keyboard.cfg.new" &&
	grep -q 'keyboard.cfg was edited: kept' "$T/install2.log" &&
	[ "$(ls "$T/root/etc/gadgetd/" | grep -c '\.new$')" = 1 ]; then
	result conffiles-install PASS "the edited keyboard.cfg was kept, the shipped one is keyboard.cfg.new"
else
	result conffiles-install FAIL "$(cat "$T/install2.log")"
fi
mk uninstall > "$T/uninstall.log" 2>&1
left=$(cd "$T/root" && find . -type f | sort | tr '\n' ' ')
if [ "$left" = "./etc/gadgetd/keyboard.cfg " ]; then
	result conffiles-uninstall PASS "uninstall removed everything but the edited keyboard.cfg"
else
	result conffiles-uninstall FAIL "left after uninstall: $left"
fi

# unit: the template as installed, with the binary this tree built
sed "s|^ExecStart=/usr/sbin/gadgetd|ExecStart=$REPO/$B/gadgetd|" "$B/gadgetd@.service" > "$T/gadgetd@.service"
if ! command -v systemd-analyze > /dev/null; then
	result unit FAIL "systemd-analyze is missing (scripts/deps.sh lab installs systemd)"
elif out=$(systemd-analyze verify --man=no "$T/gadgetd@.service" 2>&1) && [ -z "$out" ]; then
	result unit PASS "systemd-analyze verify: no complaint about gadgetd@.service"
else
	result unit FAIL "systemd-analyze verify: $out"
fi

# notify: a datagram socket as systemd would give it
socat -u "UNIX-RECV:$T/notify.sock" "OPEN:$T/notify.log,creat,append" & SOCAT=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$T/notify.sock timeout 20 "$B/gadgetd" --remote 127.0.0.1:1 --busid 1-1 --once \
	> "$T/gadgetd.log" 2>&1
rc=$?
sleep 0.3
# without a UDC (a CI machine) gadgetd stops before the network, and says why
if [ -n "$(ls /sys/class/udc 2>/dev/null)" ]; then want='STATUS=importing 1-1 from 127.0.0.1:1'
else want='STATUS=no UDC in /sys/class/udc'; fi
if [ $rc = 1 ] && grep -q "$want" "$T/notify.log" &&
	grep -q 'STOPPING=1' "$T/notify.log" && ! grep -q 'READY=1' "$T/notify.log"; then
	result notify PASS "$want..., then STOPPING=1; no READY=1 without a host (exit 1)"
else
	result notify FAIL "exit $rc; received: $(tr '\n' '|' < "$T/notify.log" 2>/dev/null); log: $(tail -2 "$T/gadgetd.log")"
fi
# deps: the default set builds and unit-tests; clang comes with fuzz (and all)
d0=$(sh scripts/deps.sh --list) df=$(sh scripts/deps.sh --list fuzz) da=$(sh scripts/deps.sh --list all)
case " $d0 " in *" clang "*) result deps FAIL "the default set has clang: $d0";;
*) case " $df $da " in *" clang "*" clang "*) result deps PASS "clang only with fuzz and all";;
	*) result deps FAIL "fuzz: $df; all: $da";; esac;; esac
[ $fails = 0 ]
