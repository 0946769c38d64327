# SPDX-License-Identifier: GPL-2.0-or-later
# gadgetd's failures a user meets first: each must exit non-zero in time, say
# what is wrong (matched case-insensitively) and leave ConfigFS empty.
#@qemu -device qemu-xhci,id=xhci -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0004
#@qemu -netdev user,id=n0 -device usb-net,id=net,netdev=n0,bus=xhci.0
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
J=errors
need_gadgetd $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
SB=$(export_dev 46f4:0001) || { result $J FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
# QEMU usb-net (RNDIS/CDC Ethernet, Netchip 0525:a4a2): class-specific descriptors
NB=$(export_dev 0525:a4a2) || result $J-cs-interface FAIL "cannot export QEMU's usb-net"
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }

# A port that does not speak USB/IP: answers an HTTP error and closes
socat -t 1 TCP-LISTEN:3998,bind=127.0.0.1,reuseaddr,fork \
	SYSTEM:'printf "HTTP/1.0 400 Bad Request\r\n\r\n"; sleep 0.5' 2>/dev/null &
SOCAT=$!
wait_for 5 tcp_listening 3998 || echo "socat listener on 3998 did not start"

expect_error() {  # expect_error NAME PATTERN GADGETD-ARGS...
	local name=$1 pat=$2 rc t0 dt; shift 2
	local glog=$LAB_OUT/gadgetd-$name.log
	GLOGS="${GLOGS:-} $glog"
	t0=$(date +%s%N)
	# shellcheck disable=SC2046 # one word or none
	timeout 30 "$GADGETD" $(gadgetd_logopt) "$@" -v > "$glog" 2>&1; rc=$?
	dt=$(( ($(date +%s%N) - t0) / 1000000 ))
	wait_for 3 configfs_clean
	if [ $rc = 124 ]; then
		result $name FAIL "gadgetd $* did not exit within 30 s"
	elif [ $rc = 0 ]; then
		result $name FAIL "gadgetd $* exited 0"
	elif ! grep -qi -- "$pat" "$glog"; then
		result $name FAIL "gadgetd $* (status $rc) did not say '$pat'; it said: $(tail -3 "$glog" | tr '\n' ' ')"
	elif ! configfs_clean; then
		result $name FAIL "ConfigFS not empty after '$*': $(ls /sys/kernel/config/usb_gadget | tr '\n' ' ')"
	else
		result $name PASS "status $rc in ${dt} ms: $(grep -i -m1 -- "$pat" "$glog")"
	fi
}
expect_error errors-busid "not exported" --once --remote 127.0.0.1 --busid 9-9 --udc dummy_udc.0
expect_error errors-refused "refused" --once --remote 127.0.0.1:3999 --busid "$SB" --udc dummy_udc.0
expect_error errors-not-usbip "does not speak USB/IP" --remote 127.0.0.1:3998 --busid "$SB" --udc dummy_udc.0
expect_error errors-udc "does not exist" --remote 127.0.0.1 --busid "$SB" --udc nosuch.0
[ -n "$NB" ] && expect_error errors-cs-interface "FunctionFS: interface 0 .*CS_INTERFACE" --backend functionfs --remote 127.0.0.1 --busid "$NB" --udc dummy_udc.0
# nothing may be left half-imported: the stick is available again (usbip_status 1)
if wait_for 10 grep -qx 1 /sys/bus/usb/devices/$SB/usbip_status; then
	result errors-released PASS "$SB is available for import again after the failures"
else
	result errors-released FAIL "$SB usbip_status is $(cat /sys/bus/usb/devices/$SB/usbip_status), not 1 (available)"
fi
kill $SOCAT 2>/dev/null
job_end
