# SPDX-License-Identifier: GPL-2.0-or-later
# Devices neither backend can carry are refused with a message that names, for
# FunctionFS and for GadgetFS, what it cannot carry; nothing is left behind
# (ConfigFS empty, no GadgetFS mount, no gadget on the host side, the server's
# connection closed):
#   - a configuration descriptor of 309 bytes with class-specific descriptors
#     (usbip-sim, tests/sim/devices/big-config.cfg): FunctionFS refuses the
#     CS_INTERFACE descriptors, GadgetFS the length (256 bytes at most per control
#     transfer);
#   - --backend functionfs on a CDC-ACM device: refused, naming FunctionFS's reason.
# QEMU's usb-audio (isochronous endpoints, which dummy_hcd has none of) is in
# e2e-dev-ccid-audio.sh.
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=gfs-refused
sim_need $J
sim_gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
mods gadgetfs || { result $J FAIL "cannot load gadgetfs"; job_end; exit 1; }

# refuse NAME DEVICE-FILE PATTERN [GADGETD OPTIONS...]
refuse() {
	local name=$1 dev=$2 pat=$3 rc t0 dt glog=$LAB_OUT/gadgetd-$1.log; shift 3
	sim_start "$name" "$dev" || { result "$name" FAIL "usbip-sim did not start"; return; }
	GLOGS="${GLOGS:-} $glog"
	t0=$(date +%s%N)
	# shellcheck disable=SC2046 # one word or none
	timeout 30 "$GADGETD" $(gadgetd_logopt) --remote 127.0.0.1:$SIM_PORT --busid 1-1 \
		--udc dummy_udc.0 "$@" -v > "$glog" 2>&1; rc=$?
	dt=$(( ($(date +%s%N) - t0) / 1000000 ))
	wait_for 3 configfs_clean
	if [ $rc = 124 ]; then result "$name" FAIL "gadgetd did not exit within 30 s"
	elif [ $rc = 0 ]; then result "$name" FAIL "gadgetd exited 0"
	elif ! grep -Eqi -- "$pat" "$glog"; then
		result "$name" FAIL "gadgetd (status $rc) did not say '$pat'; it said: $(grep -a 'error' "$glog" | tail -2 | tr '\n' ' ')"
	elif ! configfs_clean; then result "$name" FAIL "ConfigFS not empty: $(ls /sys/kernel/config/usb_gadget | tr '\n' ' ')"
	elif mountpoint -q /run/gadgetd/gadgetfs; then result "$name" FAIL "GadgetFS is still mounted"
	elif gadget_dev >/dev/null; then result "$name" FAIL "a gadget is on dummy_hcd after the refusal: $(gadget_dev)"
	elif ! wait_for 5 grep -q '^DISCONNECT .*closed by the client' "$SIMREC"; then
		result "$name" FAIL "the server's connection was not closed: $(tail -2 "$SIMREC" | cut -c1-120 | tr '\n' ' ')"
	else
		result "$name" PASS "status $rc in ${dt} ms, nothing left, connection closed: $(grep -Eai -m1 -- "$pat" "$glog" | sed 's/^[^ ]* gadgetd: //' | cut -c1-400)"
	fi
	sim_stop
}
refuse $J-over-256 "$LAB_REPO/tests/sim/devices/big-config.cfg" \
	"FunctionFS: .*CS_INTERFACE.*GadgetFS: .*309 bytes.*256"
refuse $J-forced-functionfs "$LAB_REPO/tests/sim/devices/cdc-acm-fs.cfg" \
	"cannot be presented: FunctionFS: .*CS_INTERFACE" --backend functionfs
sim_job_end
