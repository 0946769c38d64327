# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo` guest job (scripts/demo.sh): QEMU's usb-storage stick and usb-kbd,
# exported by usbipd, each imported by a gadgetd onto its own dummy_hcd UDC; then
# what the host side of dummy_hcd sees, as a user would look at it.
#@qemu -device qemu-xhci,id=xhci -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=DEMO0001
#@qemu -device usb-kbd,id=kbd,bus=xhci.0
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
say() { printf '\n== %s\n' "$*"; }
need_gadgetd demo
server_up || { result demo FAIL "usbip server side did not come up"; exit 1; }
SB=$(export_dev 46f4:0001) && KB=$(export_dev 0627:0001 Keyboard) ||
	{ result demo FAIL "cannot export QEMU's devices"; exit 1; }
gadget_side_up num=2 || { result demo FAIL "gadget side did not come up"; exit 1; }

say "the USB/IP server (usbipd on 127.0.0.1:3240) as gadgetd sees it"
"$GADGETD" --remote 127.0.0.1 --list

say "gadgetd: stick $SB -> dummy_udc.0, keyboard $KB -> dummy_udc.1"
gadgetd_start demo-storage --remote 127.0.0.1 --busid "$SB" --udc dummy_udc.0 -v; SPID=$GPID
gadgetd_start demo-keyboard --remote 127.0.0.1 --busid "$KB" --udc dummy_udc.1 -v; KPID=$GPID
GPID=$SPID; G1=$(gadgetd_wait_gadget 46f4:0001 60)
GPID=$KPID; G2=$(gadgetd_wait_gadget 0627:0001 60)
sleep 1
ls /sys/kernel/config/usb_gadget | sed 's/^/  ConfigFS gadget: /'

say "the host side (dummy_hcd buses): lsusb"
for G in $G1 $G2; do lsusb -s "$(busdev $G)"; done
lsusb -t | awk '/^\/:/ {show = /dummy_hcd/} show' 
if [ -n "$G1" ]; then
	say "lsusb -v of the stick as the host side sees it (first lines)"
	lsusb -v -s "$(busdev $G1)" 2>/dev/null | sed -n '1,40p'
fi

say "the stick's disk on the host side"
if [ -n "$G1" ] && wait_for 30 eval 'SD=$(block_behind $G1)'; then
	echo "  /dev/$SD: $(( $(cat /sys/block/$SD/size) / 2048 )) MiB, $(cat /sys/block/$SD/device/vendor) $(cat /sys/block/$SD/device/model)"
	got=$(dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
	echo "  sha256 /dev/$SD:      $got"
	echo "  sha256 lab disk.img:  $LAB_IMG_SHA256"
	[ "$got" = "$LAB_IMG_SHA256" ] && result demo-disk PASS "identical" || result demo-disk FAIL "different"
else
	result demo-disk FAIL "no disk behind the gadget"
fi

say "the keyboard on the host side: QEMU monitor 'sendkey a' -> evtest"
if [ -n "$G2" ] && wait_for 20 eval 'EV=$(event_behind $G2)'; then
	echo "  /dev/input/$EV: $(cat /sys/class/input/$EV/device/name)"
	timeout 10 evtest /dev/input/$EV > /tmp/ev.log 2>&1 & EVPID=$!
	wait_for 5 grep -q '^Testing' /tmp/ev.log
	qemu_monitor "sendkey a" >/dev/null
	wait_for 8 grep -q 'KEY_A), value 0' /tmp/ev.log
	grep 'EV_KEY' /tmp/ev.log | sed 's/^/  /'
	grep -q 'KEY_A), value 1' /tmp/ev.log && result demo-key PASS "KEY_A arrived" || result demo-key FAIL "no KEY_A"
	kill $EVPID 2>/dev/null; wait $EVPID 2>/dev/null
else
	result demo-key FAIL "no keyboard behind the gadget"
fi

say "stopping gadgetd (SIGTERM)"
GPID=$SPID; gadgetd_stop demo-storage any
GPID=$KPID; gadgetd_stop demo-keyboard
say "gadgetd's log (storage)"
sed 's/^/  /' "$LAB_OUT/gadgetd-demo-storage.log" | tail -n 15
