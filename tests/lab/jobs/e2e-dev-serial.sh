# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's usb-serial (FTDI FT232, 0403:6001) through gadgetd: the host side of
# dummy_hcd binds ftdi_sio to the gadget, and at several baud rates (stty through
# the FTDI vendor requests) random bytes written to its ttyUSB come out of QEMU's
# character device, and bytes fed into that character device come back on the
# ttyUSB. QEMU's end is a socket chardev connected to another one that backs the
# guest's ttyS1 (a 16550), so the job reads and feeds QEMU's end through ttyS1
# (tests/tools/dev-serial.c). QEMU's trace shows the baud rate the device was set to.
# Keep BYTES small: QEMU's usb-serial writes to its chardev with a blocking
# write_all in QEMU's main loop, and the reader of that socket is the same main
# loop, so once the socket's buffer is full QEMU deadlocks (256 KiB at once did;
# 4096 bytes are about 70 writes of one packet each, a third of the buffer).
#@qemu -device qemu-xhci,id=xhci
#@qemu -chardev socket,id=ser,path=@OUT@/ser.sock,server=on,wait=off
#@qemu -device usb-serial,id=serial,bus=xhci.0,chardev=ser
#@qemu -chardev socket,id=peer,path=@OUT@/ser.sock -device isa-serial,chardev=peer,index=1
#@qemu -trace usb_serial_set_baud -D @OUT@/qemu-trace.log
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
J=serial
BAUDS="9600 115200 921600"
BYTES=4096
need_gadgetd $J
need_tool $J dev-serial
# QEMU's end is made raw before anything can arrive: a tty that echoes would
# send every byte straight back
stty -F /dev/ttyS1 raw -echo -echoe -echok -ixon -crtscts clocal 115200 ||
	{ result $J FAIL "cannot set up ttyS1, QEMU's end of the usb-serial chardev"; job_end; exit 1; }
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
B=$(export_dev 0403:6001) || { result $J FAIL "cannot export QEMU's usb-serial"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
mods usbserial ftdi_sio || { result $J FAIL "cannot load ftdi_sio"; job_end; exit 1; }
# baud_set_since N BAUD: a usb_serial_set_baud trace line after the first N, within 3 % of BAUD
baud_set_since() {
	local got
	got=$(grep 'usb_serial_set_baud' "$LAB_OUT/qemu-trace.log" 2>/dev/null | tail -n +$(( $1 + 1 )) |
		sed -n 's/.*baud rate \([0-9]*\)$/\1/p' | tail -1)
	[ -n "$got" ] && [ $(( (got > $2 ? got - $2 : $2 - got) * 100 )) -le $(( $2 * 3 )) ]
}
dev_gadget_up $J "$B" 0403:6001 || { job_end; exit 1; }
if wait_for 20 eval 'T=$(tty_behind $G)'; then
	result $J-driver PASS "ftdi_sio bound the gadget $G: /dev/$T ($(basename "$(readlink -f /sys/class/tty/$T/device/driver)"))"
	for baud in $BAUDS; do
		n0=$(grep -c 'usb_serial_set_baud' "$LAB_OUT/qemu-trace.log" 2>/dev/null)
		if timeout 60 "$DEVTOOLS/dev-serial" "/dev/$T" /dev/ttyS1 "$baud" "$BYTES" > /tmp/ser.out 2>&1; then
			# the FTDI SET_BAUDRATE request of the open must have reached QEMU: the
			# divisor ftdi_sio chose gives the rate within 3 %
			if wait_for 3 baud_set_since "${n0:-0}" "$baud"; then
				result "$J-$baud" PASS "$(tr '\n' ';' < /tmp/ser.out | sed 's/;$//; s/;/; /g'); QEMU: $(tail -1 "$LAB_OUT/qemu-trace.log" | sed 's/^[0-9]*@[0-9.]*://')"
			else
				result "$J-$baud" FAIL "bytes intact, but QEMU's usb-serial was not set to $baud baud: $(tail -2 "$LAB_OUT/qemu-trace.log" | tr '\n' ' ')"
			fi
		else
			result "$J-$baud" FAIL "$(tr '\n' ';' < /tmp/ser.out | sed 's/;$//; s/;/; /g')"
		fi
	done
else
	result $J-driver FAIL "no ttyUSB behind the gadget $G (is ftdi_sio bound?)"
fi
dev_gadget_down $J "$B"
job_end
