# SPDX-License-Identifier: GPL-2.0-or-later
# The device by identity, not by port (issue 13 part 1): two QEMU keyboards with
# the same VID:PID (0627:0001) and different serial numbers, both exported.
#   match-list       gadgetd --list names both under --device 0627:0001, marked shared
#   match-ambiguous  --device 0627:0001 without a serial is refused, naming both busids
#   match-serial     a profile's match = { vid; pid; serial = "..."; } naming the
#                    keyboard the server lists second presents it (the host side
#                    reads its serial); the one listed first, imported and released
#                    when its serial was read, is free again on the server
#   match-moved      that keyboard unplugged and plugged into another port (QEMU monitor
#                    device_del / device_add), exported under its new busid: gadgetd
#                    presents it again without being told; the time from the export
#                    to the host side having it again is printed
#@qemu -device qemu-xhci,id=xhci
#@qemu -device usb-kbd,id=kbd1,bus=xhci.0,port=1,serial=KBD-ONE
#@qemu -device usb-kbd,id=kbd2,bus=xhci.0,port=2,serial=KBD-TWO
#@kernels 6.1
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
J=match
need_gadgetd $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
mods usbhid hid_generic
wait_for 20 eval 'B1=$(server_dev_serial KBD-ONE) && B2=$(server_dev_serial KBD-TWO)' ||
	{ result $J FAIL "the two keyboards KBD-ONE and KBD-TWO are not on the server side"; job_end; exit 1; }
export_busid "$B1" && export_busid "$B2" ||
	{ result $J FAIL "cannot export $B1 and $B2"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
log "KBD-ONE is $B1, KBD-TWO is $B2"
ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }

# ---- --list: the identity each device matches under
out=$("$GADGETD" --remote 127.0.0.1 --list 2>&1)
n=$(grep -c -- '--device 0627:0001  (shared by several: add :SERIAL' <<< "$out")
if [ "$n" = 2 ]; then
	result $J-list PASS "both keyboards listed with '--device 0627:0001', marked shared"
else
	result $J-list FAIL "want 2 lines '--device 0627:0001 (shared...)', got $n:"; echo "$out"
fi
# the target: the keyboard listed second, so that the first is imported and released
first=$(awk '$2 == "0627:0001" {print $1; exit}' <<< "$out")
if [ "$first" = "$B1" ]; then TSER=KBD-TWO TID=kbd2 TB=$B2 OSER=KBD-ONE OB=$B1
else TSER=KBD-ONE TID=kbd1 TB=$B1 OSER=KBD-TWO OB=$B2; fi
log "the server lists $first first: asking for $TSER ($TB)"

# ---- two candidates, no serial: refused, each named
L=$LAB_OUT/gadgetd-ambiguous.log
"$GADGETD" --log-time=none --remote 127.0.0.1 --device 0627:0001 --udc dummy_udc.0 --once > "$L" 2>&1
rc=$?
if [ $rc = 1 ] && grep -qE "exports 2 devices 0627:0001 \(busids ($B1, $B2|$B2, $B1)\): refusing to choose" "$L" &&
	configfs_clean && usbip_available "$B1" && usbip_available "$B2"; then
	result $J-ambiguous PASS "exit 1: $(grep -m1 'refusing' "$L" | cut -c1-160)"
else
	result $J-ambiguous FAIL "exit $rc; log: $(tail -2 "$L" | tr '\n' ' ')"
fi

# ---- the serial decides
cat > /tmp/match.cfg <<EOF
match = { vid = 0x0627; pid = 0x0001; serial = "$TSER"; };
retry = { min = 1; max = 2; };
EOF
gadgetd_start $J -p /tmp/match.cfg --remote 127.0.0.1 --udc dummy_udc.0 -v
if G=$(gadgetd_wait_gadget 0627:0001 60) && wait_for 10 test -s "/sys/bus/usb/devices/$G/serial"; then
	ser=$(cat "/sys/bus/usb/devices/$G/serial")
	rel=$(grep -a -m1 'not the one asked for: releasing it' "$GLOG" | sed -e 's/^[^ ]* gadgetd: //')
	if [ "$ser" != "$TSER" ]; then
		result $J-serial FAIL "the host side has the gadget with serial '$ser', want $TSER"
	elif [ -z "$rel" ]; then
		result $J-serial FAIL "no log line says $OSER ($OB) was released"
	elif ! wait_for 10 usbip_available "$OB"; then
		result $J-serial FAIL "$OSER ($OB) is not free on the server: $(cat /sys/bus/usb/devices/$OB/usbip_status)"
	else
		result $J-serial PASS "host side serial $TSER ($TB); gadgetd: $rel; $OB free again"
	fi
else
	result $J-serial FAIL "the gadget with serial $TSER did not appear"
	gadgetd_stop $J; job_end; exit 1
fi

# ---- moved to another port
qemu_monitor "device_del $TID" > /dev/null
if ! wait_for 20 eval '! gadget_dev 0627:0001 > /dev/null'; then
	result $J-moved FAIL "the gadget stayed on the host side after $TSER was unplugged"
else
	qemu_monitor "device_add usb-kbd,id=$TID,bus=xhci.0,port=3,serial=$TSER" > /dev/null
	if wait_for 20 eval 'B3=$(server_dev_serial $TSER)' && export_busid "$B3"; then
		t0=$(ms)
		if G=$(gadgetd_wait_gadget 0627:0001 60) && wait_for 10 test -s "/sys/bus/usb/devices/$G/serial" &&
			[ "$(cat "/sys/bus/usb/devices/$G/serial")" = "$TSER" ]; then
			t1=$(ms)
			reads=$(grep -ac "has serial \"$OSER\"" "$GLOG")
			if [ "$B3" != "$TB" ] && grep -aq "serial \"$TSER\" is busid $B3 " "$GLOG" && [ "$reads" = 1 ]; then
				result $J-moved PASS "$TSER moved $TB -> $B3: presented again $(( t1 - t0 )) ms after its export (retry max 2 s); $OSER was imported once in all (its serial remembered)"
			else
				result $J-moved FAIL "busid $TB -> $B3; gadgetd's log: 'is busid $B3' $(grep -ac "is busid $B3 " "$GLOG") time(s), $OSER's serial read $reads time(s) (want 1)"
			fi
		else
			result $J-moved FAIL "$TSER at $B3 was not presented again within 60 s"
		fi
	else
		result $J-moved FAIL "$TSER did not come back on the server side at port 3"
	fi
fi
gadgetd_stop $J
job_end
