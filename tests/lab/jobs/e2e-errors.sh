# SPDX-License-Identifier: GPL-2.0-or-later
# gadgetd's failures a user meets first: each must exit non-zero in time, say
# what is wrong (matched case-insensitively) and leave ConfigFS empty.
# local-*: what is wrong on this machine (issue 10 part 5) is found before any
# connection (a recording listener sees none), by the real run and by -n alike,
# with a message that says what to do, and nothing else on stderr (no raw
# libusbgx line, no "gadget removed" when no gadget was made).
#@qemu -device qemu-xhci,id=xhci -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0004
#@qemu -netdev user,id=n0 -device usb-net,id=net,netdev=n0,bus=xhci.0
#@timeout 300
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

# no gadget was made above: none may be reported removed; every line is gadgetd's
# shellcheck disable=SC2086 # a list of files
if grep -l "gadget removed" $GLOGS >/dev/null 2>&1; then
	result errors-no-gadget-removed FAIL "'gadget removed' although none was made: $(grep -l 'gadget removed' $GLOGS | tr '\n' ' ')"
else
	result errors-no-gadget-removed PASS "no 'gadget removed' in the logs of the failures above"
fi
# shellcheck disable=SC2086
raw_lines=$(grep -hv '^\[[0-9.]*\] gadgetd: ' $GLOGS | head -3)
[ -z "$raw_lines" ] && result errors-no-raw-output PASS "every line on stderr is gadgetd's own" ||
	result errors-no-raw-output FAIL "lines that are not gadgetd's: $raw_lines"

# ---------------------------------------------------------------- local checks
socat TCP-LISTEN:3995,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo conn >> /tmp/conns.log' 2>/dev/null &
REC=$!
wait_for 5 tcp_listening 3995 || echo "recording listener on 3995 did not start"
: > /tmp/conns.log
# local_error NAME PATTERN [GADGETD-ARGS...]: the real run and -n against the
# recording port both exit non-zero saying PATTERN; no connection; only
# gadgetd's lines; no "gadget removed". $AS: a command to run it through.
local_error() {
	local name=$1 pat=$2 rc rcn conns bad glog=$LAB_OUT/gadgetd-$1.log; shift 2
	GLOGS="${GLOGS:-} $glog $glog.n"
	: > /tmp/conns.log
	# shellcheck disable=SC2086,SC2046 # $AS: words or nothing
	timeout 30 ${AS:-} "$GADGETD" $(gadgetd_logopt) --remote 127.0.0.1:3995 --busid "$SB" \
		--udc dummy_udc.0 "$@" > "$glog" 2>&1; rc=$?
	# shellcheck disable=SC2086,SC2046
	timeout 30 ${AS:-} "$GADGETD" $(gadgetd_logopt) -n --remote 127.0.0.1:3995 --busid "$SB" \
		--udc dummy_udc.0 "$@" > "$glog.n" 2>&1; rcn=$?
	sleep 0.3
	conns=$(wc -l < /tmp/conns.log)
	bad=$(grep -hv '^\[[0-9.]*\] gadgetd: ' "$glog" "$glog.n" | head -2)
	if [ $rc = 0 ] || [ $rc = 124 ] || [ $rcn != 1 ]; then
		result "$name" FAIL "exit $rc, -n exit $rcn (want non-zero, 1): $(tail -2 "$glog" | tr '\n' ' ')"
	elif ! grep -qi -- "$pat" "$glog" || ! grep -qi -- "$pat" "$glog.n"; then
		result "$name" FAIL "did not say '$pat': $(tail -2 "$glog" | tr '\n' ' ') / -n: $(tail -2 "$glog.n" | tr '\n' ' ')"
	elif [ "$conns" != 0 ]; then
		result "$name" FAIL "the server saw $conns connection(s) before the local check failed"
	elif [ -n "$bad" ]; then
		result "$name" FAIL "not gadgetd's lines on stderr: $bad"
	elif grep -q "gadget removed" "$glog"; then
		result "$name" FAIL "'gadget removed' although none was made"
	else
		result "$name" PASS "exit $rc, -n exit $rcn, no connection: $(grep -i -m1 -- "$pat" "$glog" | cut -d' ' -f3- | cut -c1-220)"
	fi
}

out=$(timeout 30 "$GADGETD" -n --remote 127.0.0.1:3995 --busid "$SB" --udc dummy_udc.0 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "configuration OK" && [ "$(wc -l < /tmp/conns.log)" = 0 ] &&
	result local-check-ok PASS "-n with everything in place: exit 0: $out" ||
	result local-check-ok FAIL "-n with everything in place: exit $rc: $out"

AS="setpriv --reuid=65534 --regid=65534 --clear-groups" local_error local-not-root "needs root .*sudo"

# a ConfigFS gadget of someone else holds the UDC
G1=/sys/kernel/config/usb_gadget/g1
if modprobe usb_f_acm && mkdir $G1 && mkdir $G1/functions/acm.usb0 $G1/configs/c.1 &&
   ln -s $G1/functions/acm.usb0 $G1/configs/c.1/ && echo dummy_udc.0 > $G1/UDC; then
	local_error local-udc-busy "ConfigFS gadget g1: free it with .echo > $G1/UDC."
else
	result local-udc-busy FAIL "could not bind a ConfigFS acm gadget g1 to dummy_udc.0"
fi
echo "" > $G1/UDC 2>/dev/null; rm -f $G1/configs/c.1/acm.usb0
rmdir $G1/configs/c.1 $G1/functions/acm.usb0 $G1 2>/dev/null

umount /sys/kernel/config
if mountpoint -q /sys/kernel/config; then
	result local-configfs FAIL "cannot unmount ConfigFS for the test"
else
	local_error local-configfs "ConfigFS is not mounted at /sys/kernel/config: mount it with .mount -t configfs"
fi
mount -t configfs configfs /sys/kernel/config

modprobe -r usb_f_acm usb_f_fs libcomposite
if [ -e /sys/module/libcomposite ]; then
	result local-libcomposite FAIL "cannot unload libcomposite for the test: $(cat /sys/module/libcomposite/refcnt)"
else
	local_error local-libcomposite "libcomposite is not loaded .*run .modprobe libcomposite."
fi
modprobe libcomposite

# modules.dep of a kernel installed without usb_f_fs and gadgetfs
K=/lib/modules/$(uname -r)
grep -vE '/(usb_f_fs|gadgetfs)\.ko' $K/modules.dep > /tmp/modules.dep
modprobe -r gadgetfs 2>/dev/null
if mount --bind /tmp/modules.dep $K/modules.dep && [ ! -e /sys/module/usb_f_fs ] && [ ! -e /sys/module/gadgetfs ]; then
	local_error local-module-ffs "usb_f_fs (FunctionFS) is not loaded and not installed" --backend functionfs
	local_error local-module-gfs "gadgetfs is not loaded and not installed" --backend gadgetfs
	local_error local-module-auto "neither usb_f_fs (FunctionFS) nor gadgetfs" --backend auto
else
	result local-module FAIL "cannot hide usb_f_fs and gadgetfs for the test"
fi
umount $K/modules.dep
modprobe usb_f_fs
kill $REC 2>/dev/null
job_end
