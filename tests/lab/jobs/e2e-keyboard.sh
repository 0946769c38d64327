# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's usb-kbd through gadgetd: the host side of dummy_hcd binds usbhid to the
# gadget, reads the same HID report descriptor as the remote's, and a key pressed
# on the emulated keyboard (QEMU monitor: sendkey a) arrives as KEY_A on its evdev.
#@qemu -device qemu-xhci,id=xhci
#@qemu -device usb-kbd,id=kbd,bus=xhci.0
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
J=keyboard
need_gadgetd $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
# The remote's report descriptor, read while the server side's usbhid still owns it
mods usbhid hid_generic
wait_for 20 eval 'R=$(server_dev 0627:0001 Keyboard) && RH=$(hid_behind $R) && test -s $RH/report_descriptor' ||
	{ result $J-rdesc FAIL "cannot read the remote keyboard's report descriptor"; job_end; exit 1; }
cat "$RH/report_descriptor" > /tmp/remote.rdesc
log "remote keyboard $R: report descriptor $(stat -c %s /tmp/remote.rdesc) bytes"
B=$(export_dev 0627:0001 Keyboard) || { result $J FAIL "cannot export the usb-kbd"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
gadgetd_start $J --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -v
G=$(gadgetd_wait_gadget 0627:0001 60) ||
	{ result $J FAIL "the gadget did not appear on dummy_hcd"; gadgetd_stop $J; job_end; exit 1; }
if wait_for 20 eval 'GH=$(hid_behind $G) && test -s $GH/report_descriptor'; then
	cat "$GH/report_descriptor" > /tmp/gadget.rdesc
	if cmp -s /tmp/remote.rdesc /tmp/gadget.rdesc; then
		result $J-rdesc PASS "host side read the remote's report descriptor ($(stat -c %s /tmp/gadget.rdesc) bytes)"
	else
		result $J-rdesc FAIL "report descriptors differ (remote, then host side):"
		od -An -tx1 /tmp/remote.rdesc; echo; od -An -tx1 /tmp/gadget.rdesc
	fi
else
	result $J-rdesc FAIL "usbhid did not bind to the gadget $G on the host side"
fi
if wait_for 20 eval 'EV=$(event_behind $G)'; then
	log "host side keyboard: /dev/input/$EV ($(cat /sys/class/input/$EV/device/name))"
	timeout 20 evtest /dev/input/$EV > /tmp/ev.log 2>&1 & EVPID=$!
	wait_for 5 grep -q '^Testing' /tmp/ev.log
	qemu_monitor "sendkey a" >/dev/null
	if wait_for 10 grep -q 'KEY_A), value 0' /tmp/ev.log; then
		result $J-key PASS "sendkey a -> KEY_A press and release on /dev/input/$EV"
	elif grep -q 'KEY_A), value 1' /tmp/ev.log; then
		result $J-key FAIL "KEY_A pressed but never released on /dev/input/$EV"
	else
		result $J-key FAIL "no KEY_A on /dev/input/$EV"; tail -5 /tmp/ev.log
	fi
else
	result $J-key FAIL "no keyboard event node behind the gadget $G"
fi
[ -n "${EVPID:-}" ] && { kill $EVPID 2>/dev/null; wait $EVPID 2>/dev/null; }
gadgetd_stop $J
job_end
