# SPDX-License-Identifier: GPL-2.0-or-later
# CDC-ACM through gadgetd's GadgetFS backend: a simulated CDC-ACM serial port
# (usbip-sim, tests/sim/devices/cdc-acm-hs.cfg: IAD, CDC Header/Call Management/
# ACM/Union descriptors, an interrupt notification endpoint, a bulk pair that
# loops back what it gets). FunctionFS cannot carry the CS_INTERFACE descriptors,
# so gadgetd must choose GadgetFS by itself. On dummy_hcd's host side cdc_acm
# binds (ttyACM); at 9600, 115200 and 921600 baud random bytes written to the
# ttyACM come back intact; the host's SET_LINE_CODING and SET_CONTROL_LINE_STATE
# reach the device with the host's values (the simulator's record); the device's
# SERIAL_STATE notification (sent when the host raises DTR) reaches the host as
# the DCD and DSR modem lines.
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=gfs-acm
VIDPID=0483:5740
BAUDS="9600 115200 921600"
BYTES=4096
sim_need $J
need_tool $J dev-serial lsusb
sim_gfs_up $J acm "$LAB_REPO/tests/sim/devices/cdc-acm-hs.cfg" $VIDPID cdc_acm
# the class descriptors as the host reads them
lsusb -v -d $VIDPID > $LAB_OUT/acm-lsusb.txt 2>&1
miss=
for want in "bcdCDC *1.10" "CDC Call Management" "bmCapabilities *0x02" "CDC Union" \
	"bMasterInterface *0" "bSlaveInterface *1" "bFunctionClass *2( |$)" \
	"bInterfaceClass *10( |$)"; do
	grep -Eq "$want" $LAB_OUT/acm-lsusb.txt || miss="$miss '$want'"
done
[ -z "$miss" ] && result $J-descriptors PASS "lsusb -v shows the IAD, CDC Header 1.10, Call Management, ACM (bmCapabilities 0x02) and Union (0 -> 1)" ||
	result $J-descriptors FAIL "lsusb -v lacks$miss"
if wait_for 20 eval 'T=$(tty_behind $G)'; then
	result $J-driver PASS "$(basename "$(readlink -f /sys/class/tty/$T/device/driver)") bound the gadget $G: /dev/$T"
	# DTR up -> SERIAL_STATE 0x03 from the device -> DCD and DSR on the host (0x40 | 0x100)
	out=$("$DEVTOOLS/dev-serial" --modem /dev/$T 140 2>&1); rc=$?
	[ $rc = 0 ] && result $J-notification PASS "$out; the device sent $(grep -m1 '^SERIAL_STATE' "$SIMREC" | cut -d' ' -f1-5)" ||
		result $J-notification FAIL "$out; record: $(grep -m1 '^SERIAL_STATE' "$SIMREC")"
	if wait_for 3 grep -q '^SET_CONTROL_LINE_STATE interface=0 value=0x0003 dtr=1 rts=1' "$SIMREC"; then
		result $J-line-state PASS "$(grep -m1 '^SET_CONTROL_LINE_STATE interface=0 value=0x0003' "$SIMREC" | cut -d' ' -f1-5)"
	else
		result $J-line-state FAIL "no SET_CONTROL_LINE_STATE with DTR and RTS: $(grep '^SET_CONTROL_LINE_STATE' "$SIMREC" | tr '\n' ';')"
	fi
	for baud in $BAUDS; do
		if timeout 60 "$DEVTOOLS/dev-serial" /dev/$T - "$baud" "$BYTES" > /tmp/acm.out 2>&1; then
			if grep -q "^SET_LINE_CODING interface=0 baud=$baud data_bits=8 parity=none stop_bits=1" "$SIMREC"; then
				result "$J-$baud" PASS "$(tr '\n' ' ' < /tmp/acm.out); device got SET_LINE_CODING baud=$baud 8N1"
			else
				result "$J-$baud" FAIL "bytes intact, but no SET_LINE_CODING baud=$baud 8N1 reached the device: $(grep '^SET_LINE_CODING' "$SIMREC" | tail -2 | tr '\n' ';')"
			fi
		else
			result "$J-$baud" FAIL "$(tr '\n' ' ' < /tmp/acm.out)"
		fi
	done
else
	result $J-driver FAIL "no ttyACM behind the gadget $G (is cdc_acm bound?)"
fi
gadgetd_stop $J
sim_job_end
