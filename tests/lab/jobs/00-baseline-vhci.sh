# SPDX-License-Identifier: GPL-2.0-or-later
# Lab baseline, no gadgetd: export QEMU's usb-storage and usb-kbd with usbipd and
# import them with the kernel's own USB/IP client (vhci_hcd). Proves the lab
# itself: the kernel, usbipd, the disk check, and the host command channel
# (qemu_monitor "sendkey a" must reach evdev through vhci; device_del/device_add
# unplug and replug the keyboard).
#@qemu -device qemu-xhci,id=xhci -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0001
#@qemu -device usb-kbd,id=kbd,bus=xhci.0
#@timeout 180
. "$LAB_REPO/tests/lab/lib.sh"
J=baseline
server_up || { result $J-server FAIL "usbip server side did not come up"; job_end; exit 1; }
SB=$(export_dev 46f4:0001) || { result $J-server FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
KB=$(export_dev 0627:0001 Keyboard) || { result $J-server FAIL "cannot export the usb-kbd"; job_end; exit 1; }
log "exported storage=$SB keyboard=$KB"
mods vhci_hcd usb_storage sd_mod usbhid hid_generic evdev
usbip attach -r 127.0.0.1 -b "$SB" && usbip attach -r 127.0.0.1 -b "$KB" ||
	{ result $J-attach FAIL "usbip attach failed"; job_end; exit 1; }
if wait_for 20 eval 'V=$(vhci_dev 46f4:0001) && SD=$(block_behind $V)'; then
	got=$(sha256sum < /dev/$SD | cut -c1-64)
	[ "$got" = "$LAB_IMG_SHA256" ] && result $J-disk PASS "/dev/$SD sha256 = image" ||
		result $J-disk FAIL "/dev/$SD sha256 $got != image $LAB_IMG_SHA256"
else
	result $J-disk FAIL "no block device behind vhci_hcd"
fi
if wait_for 20 eval 'K=$(vhci_dev 0627:0001) && EV=$(event_behind $K)'; then
	log "keyboard: /dev/input/$EV"
	timeout 10 evtest /dev/input/$EV > /tmp/ev.log 2>&1 &
	wait_for 5 grep -q 'Testing' /tmp/ev.log
	qemu_monitor "sendkey a"
	if wait_for 8 grep -q 'KEY_A), value 1' /tmp/ev.log; then
		result $J-key PASS "sendkey a -> KEY_A on /dev/input/$EV"
	else
		result $J-key FAIL "no KEY_A press on /dev/input/$EV"; tail -5 /tmp/ev.log
	fi
else
	result $J-key FAIL "no keyboard event node behind vhci_hcd"
fi
# hotplug through the command channel: unplug the exported keyboard, plug a new one
qemu_monitor "device_del kbd"
if wait_for 15 eval '! server_dev 0627:0001 Keyboard >/dev/null && ! vhci_dev 0627:0001 >/dev/null'; then
	qemu_monitor "device_add usb-kbd,id=kbd,bus=xhci.0"
	if wait_for 15 server_dev 0627:0001 Keyboard >/dev/null; then
		result $J-hotplug PASS "device_del kbd: gone from the server and vhci; device_add: back as $(server_dev 0627:0001 Keyboard)"
	else
		result $J-hotplug FAIL "device_add usb-kbd: no keyboard on the server side"
	fi
else
	result $J-hotplug FAIL "device_del kbd: the keyboard is still there"
fi
job_end
