# SPDX-License-Identifier: GPL-2.0-or-later
# What `lsusb -v` shows of the gadget on dummy_hcd's host side must match the
# remote device (read through usbfs while bound to usbip-host): IDs, bcdDevice,
# class triple, string texts (indices may differ), configuration attributes and
# power, interfaces and endpoints (type, direction, wMaxPacketSize; endpoint
# numbers may differ). For the high-speed stick and the keyboard, one at a time.
#@qemu -device qemu-xhci,id=xhci -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0003
#@qemu -device usb-kbd,id=kbd,bus=xhci.0
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
J=lsusb
need_gadgetd $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
SB=$(export_dev 46f4:0001) || { result $J-storage FAIL "cannot export the usb-storage stick"; }
KB=$(export_dev 0627:0001 Keyboard) || { result $J-keyboard FAIL "cannot export the usb-kbd"; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }

# gadgetd --list shows what `usbip list -r` shows: busid, VID:PID, speed, names
"$GADGETD" --remote 127.0.0.1 --list > $LAB_OUT/list.txt 2>&1
if grep -q "^  $SB  *46f4:0001 .* high  *speed" $LAB_OUT/list.txt &&
   grep -q "^  $KB  *0627:0001 .* speed  *Adomax" $LAB_OUT/list.txt; then
	result $J-list PASS "gadgetd --list names $SB (46f4:0001, high speed) and $KB (0627:0001, usb.ids name)"
else
	result $J-list FAIL "gadgetd --list output:"; cat $LAB_OUT/list.txt
fi

compare() {  # compare NAME BUSID VID:PID
	local name=$1 b=$2 id=$3 G n
	[ -n "$b" ] || return 1
	lsusb_norm "$(busdev "$b")" > $LAB_OUT/$name.remote
	gadgetd_start $name --remote 127.0.0.1 --busid "$b" --udc dummy_udc.0 -v
	if G=$(gadgetd_wait_gadget "$id" 60); then
		# let the host side finish enumerating before reading descriptors
		wait_for 10 test -e "/sys/bus/usb/devices/$G/$G:1.0"
		lsusb_norm "$(busdev "$G")" > $LAB_OUT/$name.gadget
		n=$(wc -l < $LAB_OUT/$name.remote)
		if [ "$n" -lt 10 ]; then
			result $name FAIL "could not read the remote's descriptors with lsusb ($n fields)"
		elif diff -u $LAB_OUT/$name.remote $LAB_OUT/$name.gadget > $LAB_OUT/$name.diff; then
			result $name PASS "$n descriptor fields equal (remote $b, gadget $G)"
		else
			result $name FAIL "lsusb -v differs (- remote $b, + gadget $G):"
			cat $LAB_OUT/$name.diff
		fi
	else
		result $name FAIL "the gadget $id did not appear on dummy_hcd"
	fi
	gadgetd_stop $name
	wait_for 10 eval '! gadget_dev '"$id"
}
compare lsusb-storage "$SB" 46f4:0001
compare lsusb-keyboard "$KB" 0627:0001
job_end
