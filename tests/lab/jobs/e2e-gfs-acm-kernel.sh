# SPDX-License-Identifier: GPL-2.0-or-later
# CDC-ACM through gadgetd's GadgetFS backend, from a second source: the Linux
# kernel's own CDC-ACM function (usb_f_acm, through ConfigFS) on a second
# dummy_hcd UDC, whose host side sees a real USB CDC-ACM device; usbipd exports
# it, gadgetd imports it onto dummy_udc.0, and the host side of that binds
# cdc_acm. The serial line then runs end to end: bytes written to the host's
# ttyACM come out of the device's own end, /dev/ttyGS0, and back, intact, at
# 9600, 115200 and 921600 baud.
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
J=gfs-acm-kernel
SRC=1209:5158
SRCG=/sys/kernel/config/usb_gadget/acmsource
BAUDS="9600 115200 921600"
BYTES=4096
need_gadgetd $J
need_tool $J dev-serial
mods libcomposite usb_f_acm usb_f_fs gadgetfs cdc_acm usbip_core usbip_host ||
	{ result $J FAIL "cannot load the gadget, USB/IP and CDC-ACM modules"; job_end; exit 1; }
modprobe dummy_hcd num=2 || { result $J FAIL "cannot load dummy_hcd with two UDCs"; job_end; exit 1; }
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
wait_for 5 test -e /sys/class/udc/dummy_udc.1 || { result $J FAIL "no dummy_udc.1"; job_end; exit 1; }

# on_hcd N DEV: DEV sits on dummy_hcd.N's bus
on_hcd() { case $(usb_real "$2") in */dummy_hcd."$1"/*) return 0;; esac; return 1; }
# dev_on N VID:PID: the device with that id on dummy_hcd.N's bus
dev_on() {
	local n
	for n in $(usb_devs); do
		on_hcd "$1" "$n" && [ "$(usb_id "$n")" = "$2" ] && { echo "$n"; return 0; }
	done
	return 1
}
source_down() {
	[ -d $SRCG ] || return 0
	echo "" > $SRCG/UDC 2>/dev/null
	rm -f $SRCG/configs/c.1/acm.gs0
	rmdir $SRCG/configs/c.1/strings/0x409 $SRCG/configs/c.1 $SRCG/functions/acm.gs0 \
		$SRCG/strings/0x409 $SRCG 2>/dev/null
}

# the source: f_acm on dummy_udc.1
mkdir -p $SRCG/strings/0x409 $SRCG/configs/c.1/strings/0x409 $SRCG/functions/acm.gs0
echo 0x1209 > $SRCG/idVendor; echo 0x5158 > $SRCG/idProduct; echo 0x0100 > $SRCG/bcdDevice
echo "gadgetd tests" > $SRCG/strings/0x409/manufacturer
echo "kernel f_acm" > $SRCG/strings/0x409/product
echo ACMK0001 > $SRCG/strings/0x409/serialnumber
echo "CDC ACM" > $SRCG/configs/c.1/strings/0x409/configuration
ln -s $SRCG/functions/acm.gs0 $SRCG/configs/c.1/
if ! echo dummy_udc.1 > $SRCG/UDC; then
	result $J FAIL "cannot bind the f_acm source to dummy_udc.1"; source_down; job_end; exit 1
fi
if ! wait_for 20 eval 'B=$(dev_on 1 $SRC)'; then
	result $J FAIL "the f_acm source did not appear on dummy_hcd.1's host side"; source_down; job_end; exit 1
fi
pgrep -x usbipd >/dev/null || usbipd -D
wait_for 10 tcp_listening 3240 && export_busid "$B" ||
	{ result $J FAIL "cannot export $B with usbipd"; source_down; job_end; exit 1; }
result $J-source PASS "f_acm on dummy_udc.1 is $B ($SRC) on dummy_hcd.1's host side, exported by usbipd; its end of the line is /dev/ttyGS0"

gadgetd_start $J --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -v
if ! wait_for 30 eval 'G=$(dev_on 0 $SRC)'; then
	result $J FAIL "no gadget on dummy_hcd.0: $(grep -a -m2 error "$GLOG" | sed 's/^[^ ]* gadgetd: //' | tr '\n' ' ')"
	gadgetd_stop $J any; source_down; job_end; exit 1
fi
grep -aq 'backend GadgetFS' "$GLOG" &&
	result $J-backend PASS "$(grep -a -m1 'backend GadgetFS' "$GLOG" | sed 's/^[^ ]* gadgetd: info: //' | cut -c1-160)" ||
	result $J-backend FAIL "gadgetd did not choose GadgetFS: $(grep -a -m1 'backend' "$GLOG")"
if wait_for 20 eval 'T=$(tty_behind $G)'; then
	result $J-driver PASS "$(basename "$(readlink -f /sys/class/tty/$T/device/driver)") bound the gadget $G: /dev/$T"
	for baud in $BAUDS; do
		if timeout 60 "$DEVTOOLS/dev-serial" "/dev/$T" /dev/ttyGS0 "$baud" "$BYTES" > /tmp/acmk.out 2>&1; then
			result "$J-$baud" PASS "$(tr '\n' ';' < /tmp/acmk.out | sed 's/;$//; s/;/; /g')"
		else
			result "$J-$baud" FAIL "$(tr '\n' ';' < /tmp/acmk.out | sed 's/;$//; s/;/; /g')"
		fi
	done
else
	result $J-driver FAIL "no ttyACM behind the gadget $G (is cdc_acm bound?)"
fi
gadgetd_stop $J any
mountpoint -q /run/gadgetd/gadgetfs && result $J-gadgetfs FAIL "GadgetFS is still mounted" ||
	result $J-gadgetfs PASS "GadgetFS unmounted after SIGTERM"
usbip unbind -b "$B" >/dev/null 2>&1
source_down
job_end
