# SPDX-License-Identifier: GPL-2.0-or-later
# The example profiles of configs/ (one per row of the README's device table),
# on a machine that is a board: dummy_udc, ConfigFS and the gadget modules.
#   check-NAME     gadgetd -n -p configs/NAME.cfg (remote, busid and udc on the
#                  command line, which wins): exit 0, "configuration OK",
#                  nothing on stderr, no connection to the server
#   broken-*       a copy with a mistake: -n exits 1 naming FILE:LINE, and so
#                  does the real run, before any connection
#   present-NAME   the profile on the device it is written for (QEMU's devices
#                  exported by usbipd, usbip-sim's for the classes QEMU does not
#                  emulate): its allow policy admits it, the backend it names
#                  carries it, the host side configures the gadget
#   refused-NAME   audio.cfg and cdc-large.cfg on their devices: exit 1 with the
#                  reason each backend gives, not the allow policy's
#   policy-*       a profile on another kind of device: refused by its allow
#                  policy (keyboard.cfg on a disk, mass-storage.cfg on a keyboard)
# tests/install/configs.sh (make check-configs) checks the same files on a
# machine without a UDC, with -n --profile-only.
#@qemu -device qemu-xhci,id=xhci,p2=8 -device usb-ehci,id=ehci
#@qemu -device usb-kbd,id=kbd,bus=xhci.0 -device usb-mouse,id=mouse,bus=xhci.0 -device usb-tablet,id=tablet,bus=xhci.0
# QEMU attaches its usb-serial only once its character device is connected: a
# socket, with the guest's ttyS1 at the other end, as in e2e-dev-serial
#@qemu -chardev socket,id=ser,path=@OUT@/ser.sock,server=on,wait=off
#@qemu -device usb-serial,id=serial,bus=xhci.0,chardev=ser
#@qemu -chardev socket,id=peer,path=@OUT@/ser.sock -device isa-serial,chardev=peer,index=1
#@qemu -device usb-ccid,id=ccid,bus=xhci.0
#@qemu -audiodev none,id=a0 -device usb-audio,id=audio,audiodev=a0,bus=xhci.0
#@qemu -netdev user,id=n0 -device usb-net,id=net,netdev=n0,bus=xhci.0
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@,snapshot=on,file.locking=off
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LABCFG01
#@kernels 6.1
#@timeout 560
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=configs
CFGS=$LAB_REPO/configs
sim_need $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
mods gadgetfs || { result $J FAIL "cannot load gadgetfs"; job_end; exit 1; }

# ------------------------------------------------------------------ -n
# a port that records every connection: -n must make none
socat TCP-LISTEN:3995,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo conn >> /tmp/conns.log' 2>/dev/null &
REC=$!
wait_for 5 tcp_listening 3995 || echo "recording listener on 3995 did not start"
: > /tmp/conns.log
n=0
for f in "$CFGS"/*.cfg; do
	name=${f##*/}; name=${name%.cfg}; n=$((n + 1))
	out=$(timeout 30 "$GADGETD" -n -p "$f" --remote 127.0.0.1:3995 --busid 1-1 --udc dummy_udc.0 \
		2> "$LAB_OUT/check-$name.err"); rc=$?
	if [ $rc = 0 ] && [ ! -s "$LAB_OUT/check-$name.err" ] && echo "$out" | grep -q 'configuration OK'; then
		result "check-$name" PASS "$out"
	else
		result "check-$name" FAIL "exit $rc: $out; stderr: $(head -3 "$LAB_OUT/check-$name.err" | tr '\n' ' ')"
	fi
done
[ $n -ge 14 ] || result check-count FAIL "only $n profiles in configs/ (the README's device table has 14 kinds)"

# broken copies: -n and the real run name the file and the line, exit 1
broken() {  # broken NAME SED-EXPR LINE-PATTERN
	local f=/tmp/$1.cfg line rc rcr
	sed "$2" "$CFGS/keyboard.cfg" > "$f"
	line=$(grep -n -- "$3" "$f" | head -1 | cut -d: -f1)
	timeout 30 "$GADGETD" -n -p "$f" --remote 127.0.0.1:3995 --busid 1-1 --udc dummy_udc.0 \
		> "$LAB_OUT/broken-$1.out" 2> "$LAB_OUT/broken-$1.err"; rc=$?
	# shellcheck disable=SC2046 # one word or none
	timeout 30 "$GADGETD" $(gadgetd_logopt) -p "$f" --remote 127.0.0.1:3995 --busid 1-1 \
		--udc dummy_udc.0 > "$LAB_OUT/broken-$1.run" 2>&1; rcr=$?
	if [ -z "$line" ]; then
		result "broken-$1" FAIL "the test's edit did not apply ($2)"
	elif [ $rc = 1 ] && [ $rcr = 1 ] && grep -q "$f:$line: " "$LAB_OUT/broken-$1.err" &&
	     grep -q "$f:$line: " "$LAB_OUT/broken-$1.run" && [ ! -s "$LAB_OUT/broken-$1.out" ]; then
		result "broken-$1" PASS "-n and the real run exit 1: $(head -1 "$LAB_OUT/broken-$1.err" | sed 's/^.*error: //')"
	else
		result "broken-$1" FAIL "-n exit $rc, run exit $rcr (want 1, 1), want '$f:$line:': $(head -2 "$LAB_OUT/broken-$1.err" "$LAB_OUT/broken-$1.run" | tr '\n' ' ')"
	fi
}
broken unknown-key 's/^dead_peer_timeout = 5;/dead_peer_timout = 5;/' '^dead_peer_timout'
broken bad-class 's/^\tclasses = \[ 0x03 \];/\tclasses = [ 0x103 ];/' 'classes = \[ 0x103 \]'
sleep 0.3
conns=$(wc -l < /tmp/conns.log)
[ "$conns" = 0 ] && result check-no-connection PASS "-n and the broken profiles made no connection" ||
	result check-no-connection FAIL "the server saw $conns connection(s)"
kill $REC 2>/dev/null

# ------------------------------------------------------------------ devices
BK=$(export_dev 0627:0001 Keyboard) || result $J FAIL "cannot export the usb-kbd"
BM=$(export_dev 0627:0001 Mouse) || result $J FAIL "cannot export the usb-mouse"
BT=$(export_dev 0627:0001 Tablet) || result $J FAIL "cannot export the usb-tablet"
BF=$(export_dev 0403:6001) || result $J FAIL "cannot export the usb-serial"
BC=$(export_dev 08e6:4433) || result $J FAIL "cannot export the usb-ccid"
BS=$(export_dev 46f4:0001) || result $J FAIL "cannot export the usb-storage"
BA=$(export_dev 46f4:0002) || result $J FAIL "cannot export the usb-audio"
# usb-net: the CDC Ethernet configuration selected after the bind, as in e2e-gfs-ecm
if wait_for 20 server_dev 0525:a4a2 >/dev/null && BN=$(server_dev 0525:a4a2) && export_busid "$BN"; then
	echo 1 > "/sys/bus/usb/devices/$BN/bConfigurationValue"
else
	result $J FAIL "cannot export the usb-net"; BN=
fi
# usb-mtp serves a directory of the machine that runs QEMU, as in e2e-dev-mtp
mkdir -p "$LAB_OUT/mtp" && echo "gadgetd lab: e2e-configs" > "$LAB_OUT/mtp/hello.txt" && sync
out=$(qemu_monitor "device_add usb-mtp,id=mtp,bus=ehci.0,rootdir=$LAB_CACHE/out/$LAB_NAME/mtp,readonly=on,desc=gadgetd-lab")
[ -z "$out" ] || result $J FAIL "device_add usb-mtp: $out"
BP=$(export_dev 46f4:0004) || result $J FAIL "cannot export the usb-mtp"

# present NAME VID:PID REMOTE BUSID [BACKEND]: configs/NAME.cfg on that device
present() {
	local name=$1 id=$2 rem=$3 b=$4 be=${5:-} tag=cfg-$1 G= cfgv= bl
	[ -n "$b" ] || { result "present-$name" FAIL "no device to present"; return 1; }
	gadgetd_start "$tag" -p "$CFGS/$name.cfg" --remote "$rem" --busid "$b" --udc dummy_udc.0 -v
	if ! G=$(gadgetd_wait_gadget "$id" 60); then
		result "present-$name" FAIL "no gadget $id: $(grep -a -m2 'error\|refused' "$GLOG" | sed 's/^[^ ]* gadgetd: //' | tr '\n' ' ')"
		gadgetd_stop "$tag"; return 1
	fi
	wait_for 20 eval 'cfgv=$(cat /sys/bus/usb/devices/$G/bConfigurationValue 2>/dev/null) && [ -n "$cfgv" ]'
	bl=$(grep -a -m1 'info: backend ' "$GLOG" | sed 's/^[^ ]* gadgetd: info: //' | cut -c1-120)
	if [ -z "$cfgv" ]; then
		result "present-$name" FAIL "the host side did not configure the gadget $G ($id)"
	elif grep -aq 'allow policy' "$GLOG"; then
		result "present-$name" FAIL "the allow policy spoke: $(grep -a -m1 'allow policy' "$GLOG")"
	elif [ -n "$be" ] && ! echo "$bl" | grep -qi "backend $be"; then
		result "present-$name" FAIL "not through $be: $bl"
	else
		result "present-$name" PASS "$id configured by the host side as $G (configuration $cfgv); $bl"
	fi
	gadgetd_stop "$tag"
	wait_for 10 eval '! gadget_dev'
	[ "$rem" != 127.0.0.1 ] || wait_for 10 usbip_available "$b"
}

# refuse NAME PROFILE REMOTE BUSID PATTERN: gadgetd -p PROFILE exits 1 saying PATTERN
refuse() {
	local name=$1 glog=$LAB_OUT/gadgetd-$1.log rc; shift
	GLOGS="${GLOGS:-} $glog"
	[ -n "$3" ] || { result "$name" FAIL "no device to try"; return 1; }
	# shellcheck disable=SC2046 # one word or none
	timeout 30 "$GADGETD" $(gadgetd_logopt) -p "$CFGS/$1.cfg" --remote "$2" --busid "$3" \
		--udc dummy_udc.0 -v > "$glog" 2>&1; rc=$?
	wait_for 3 configfs_clean
	if [ $rc != 1 ]; then result "$name" FAIL "exit $rc (want 1): $(tail -2 "$glog" | tr '\n' ' ')"
	elif ! grep -Eaq -- "$4" "$glog"; then
		result "$name" FAIL "did not say '$4': $(grep -a 'error' "$glog" | tail -2 | tr '\n' ' ')"
	elif ! configfs_clean || gadget_dev > /dev/null; then
		result "$name" FAIL "something was left: ConfigFS $(ls /sys/kernel/config/usb_gadget | tr '\n' ' '), gadget $(gadget_dev)"
	else
		result "$name" PASS "exit 1: $(grep -Eai -m1 -- "$4" "$glog" | sed 's/^[^ ]* gadgetd: //' | cut -c1-300)"
	fi
	[ "$2" != 127.0.0.1 ] || wait_for 10 usbip_available "$3"
}

present keyboard 0627:0001 127.0.0.1 "$BK" FunctionFS
present mouse 0627:0001 127.0.0.1 "$BM" FunctionFS
present tablet 0627:0001 127.0.0.1 "$BT" FunctionFS
present ftdi-serial 0403:6001 127.0.0.1 "$BF" FunctionFS
present ccid-reader 08e6:4433 127.0.0.1 "$BC" FunctionFS
present mass-storage 46f4:0001 127.0.0.1 "$BS" FunctionFS
present mtp 46f4:0004 127.0.0.1 "$BP" FunctionFS
present cdc-ecm 0525:a4a2 127.0.0.1 "$BN" GadgetFS
refuse refused-audio audio 127.0.0.1 "$BA" 'cannot be presented: FunctionFS: .*CS_INTERFACE.*GadgetFS: .*isochronous'
refuse policy-keyboard-on-disk keyboard 127.0.0.1 "$BS" 'refused by the profile.s allow policy: interface class 0x08'
refuse policy-disk-on-keyboard mass-storage 127.0.0.1 "$BK" 'refused by the profile.s allow policy: interface class 0x03'

# the classes QEMU does not emulate: usbip-sim's devices (tests/sim/devices/)
sim_present() {  # sim_present NAME DEVICE-FILE VID:PID [BACKEND]
	sim_start "cfg-$1" "$LAB_REPO/tests/sim/devices/$2" || { result "present-$1" FAIL "usbip-sim did not start"; return 1; }
	present "$1" "$3" 127.0.0.1:$SIM_PORT 1-1 "${4:-}"
	sim_stop
}
sim_present cdc-acm cdc-acm-hs.cfg 0483:5740 GadgetFS
sim_present midi usb-midi.cfg 1209:5156 GadgetFS
sim_present vendor-altsetting altsetting.cfg 1209:5155 GadgetFS
sim_present dfu dfu-runtime.cfg 1209:515a
if sim_start cfg-cdc-large "$LAB_REPO/tests/sim/devices/big-config.cfg"; then
	refuse refused-cdc-large cdc-large 127.0.0.1:$SIM_PORT 1-1 'cannot be presented: FunctionFS: .*CS_INTERFACE.*GadgetFS: .*309 bytes.*256'
	sim_stop
else
	result refused-cdc-large FAIL "usbip-sim did not start"
fi

# every profile was tried on a device
for f in "$CFGS"/*.cfg; do
	name=${f##*/}; name=${name%.cfg}
	grep -q "^[[:space:]]*\(present\|sim_present\|refuse [a-z-]*\) $name " "$LAB_REPO/tests/lab/jobs/e2e-configs.sh" ||
		result "tried-$name" FAIL "configs/$name.cfg is not tried on a device by e2e-configs"
done
sim_job_end
