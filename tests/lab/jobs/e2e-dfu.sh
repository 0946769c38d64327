# SPDX-License-Identifier: GPL-2.0-or-later
# A device with a DFU run-time interface (tests/sim/devices/dfu-runtime.cfg,
# 1209:515a: a vendor bulk loopback and a DFU run-time interface with its DFU
# functional descriptor), through gadgetd, on each lab kernel:
#   backend: Linux 6.12's FunctionFS takes the DFU functional descriptor
#     (f_fs.c ffs_do_single_desc()), so gadgetd, which asks the kernel by trying
#     it on a scratch instance, presents the device through FunctionFS; 6.1's
#     refuses it, so GadgetFS carries it there.
#   descriptor: the host sees the DFU interface and its functional descriptor
#     byte for byte (bmAttributes, wDetachTimeOut, wTransferSize, bcdDFUVersion).
#   requests: DFU_GETSTATUS and DFU_GETSTATE come back with the device's bytes,
#     DFU_DETACH reaches the device with its wValue; the loopback still echoes.
#   probe: the scratch gadget of the probe is gone (ConfigFS and /run/gadgetd).
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=dfu
VIDPID=1209:515a
sim_need $J
# ffs_do_single_desc() takes the DFU functional descriptor from 6.12 on
kv=$(uname -r); kmaj=${kv%%.*}; kmin=${kv#*.}; kmin=${kmin%%.*}
if [ "$kmaj" -gt 6 ] || { [ "$kmaj" = 6 ] && [ "$kmin" -ge 12 ]; }; then want=FunctionFS; else want=GadgetFS; fi

sim_gadget_side_up || { result $J FAIL "gadget side did not come up"; sim_job_end; exit 1; }
mods gadgetfs || { result $J FAIL "cannot load gadgetfs"; sim_job_end; exit 1; }
sim_start $J "$LAB_REPO/tests/sim/devices/dfu-runtime.cfg" || { result $J FAIL "usbip-sim did not start"; sim_job_end; exit 1; }
sim_gadget $J $VIDPID || { result $J FAIL "the gadget did not appear on dummy_hcd: $(grep -a -m2 'error\|cannot' "$GLOG" | tr '\n' ' ')"; gadgetd_stop $J; sim_job_end; exit 1; }

b=$(grep -a -m1 'backend ' "$GLOG" | sed 's/^.*info: //' | cut -c1-200)
case $b in
"backend $want"*) result $J-backend PASS "kernel $kv: $b";;
*) result $J-backend FAIL "kernel $kv: expected $want, gadgetd chose: ${b:-nothing}";;
esac

# The configuration descriptor as the host read it (sysfs: device, then configuration)
raw=$(od -An -v -tx1 "/sys/bus/usb/devices/$G/descriptors" | tr -d ' \n')
case $raw in
*0904010000fe0101??09210bff0000041001*)
	result $J-descriptor PASS "interface 1 (fe/01/01) and its DFU functional descriptor 09 21 0b ff 00 00 04 10 01";;
*)	result $J-descriptor FAIL "no DFU interface with its functional descriptor in what the host read: $raw";;
esac

# ok NAME LINE KEY=VALUE...: PASS when the host's result LINE has every KEY=VALUE
ok() {
	local name=$1 host=${2#RES } line=" $2 " kv miss=; shift 2
	for kv in "$@"; do case $line in *" $kv "*) ;; *) miss="$miss $kv";; esac; done
	[ -z "$miss" ] && result "$name" PASS "$host" || result "$name" FAIL "want$miss; host: $host"
}
n0=$(rec_lines)
lines OUT x "ctrl,type=0xa1,req=3,index=1,len=6,expect=3" "ctrl,type=0xa1,req=5,index=1,len=1,expect=5" \
	"ctrl,type=0x21,req=0,value=255,index=1,len=0" "out,ep=#1,len=1000,seed=9" "in,ep=#2,len=4096,expect=9"
ok $J-getstatus "${OUT[0]}" status=0 actual=6 match=1
ok $J-getstate "${OUT[1]}" status=0 actual=1 match=1
ok $J-detach "${OUT[2]}" status=0
if rec_since "$n0" '^CTRL .* type=0x21 req=0x00 value=0x00ff index=0x0001 ' >/dev/null; then
	result $J-detach-device-side PASS "$(rec_since "$n0" '^CTRL .* type=0x21 req=0x00 ' | head -1 | cut -d' ' -f2-7)"
else
	result $J-detach-device-side FAIL "the device saw no DFU_DETACH wValue 255 on interface 1"
fi
ok $J-loopback "${OUT[4]}" status=0 actual=1000 match=1
left=$(ls /sys/kernel/config/usb_gadget /run/gadgetd 2>/dev/null | grep -c 'gadgetd-probe')
[ "$left" = 0 ] && result $J-probe-clean PASS "no scratch gadget or mount of the probe is left" ||
	result $J-probe-clean FAIL "the probe left $left entries: $(ls /sys/kernel/config/usb_gadget /run/gadgetd | tr '\n' ' ')"
grep -q '^ERROR' "$SIMREC" && result $J-protocol FAIL "usbip-sim recorded errors: $(grep '^ERROR' "$SIMREC" | head -3 | cut -c1-150 | tr '\n' ';')" ||
	result $J-protocol PASS "no protocol errors at the device ($(rec_lines) record lines)"
gadgetd_stop $J
sim_job_end
