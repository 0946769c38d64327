# SPDX-License-Identifier: GPL-2.0-or-later
# The GadgetFS backend (gadgetd/backend_gfs.c) on the real kernel, without USB/IP:
# tests/tools/gfs-probe presents a hand-built device (1209:0001: CDC ACM control +
# data interfaces, and a vendor interface with three alternate settings) through
# gadgetfs.ko on dummy_udc.0, answers its control requests itself and echoes bulk
# OUT to IN. From dummy_hcd's host side, with stock cdc_acm and usbfs
# (usbhost-xfer): the descriptors arrive byte for byte (sysfs raw descriptors =
# the probe's configuration write; lsusb -v shows the CDC functional descriptors
# and the alt settings), strings answered by the probe, a loopback through
# /dev/ttyACM0 (SET_LINE_CODING is an OUT request with data), SET_INTERFACE
# switches that reopen the same endpoint file (ep7out-bulk) with another
# descriptor, GET_INTERFACE, control IN/OUT data and stalls, endpoint halts from
# the gadget, and teardown (unmounted, UDC free). Then the same at full speed
# with a configuration write that has no high-speed configuration.
# What GadgetFS decides itself is asserted as documented in
# /work/shared/research/gadgetfs.md: an OUT request with data cannot be stalled.
#@qemu -device qemu-xhci,id=xhci
#@timeout 420
. "$LAB_REPO/tests/lab/lib.sh"
J=gfs-probe
T=$LAB_REPO/build/tools
PROBE=$T/gfs-probe
XFER=$T/usbhost-xfer
ID=1209:0001
MNT=/run/gadgetd/gadgetfs
UDC=dummy_udc.0

[ -x "$PROBE" ] && [ -x "$XFER" ] ||
	{ result $J FAIL "$PROBE or $XFER is missing: run make"; exit 1; }
mods dummy_hcd gadgetfs cdc_acm || { result $J FAIL "cannot load dummy_hcd, gadgetfs, cdc_acm"; job_end; exit 1; }
wait_for 5 test -e /sys/class/udc/$UDC || { result $J FAIL "no $UDC"; job_end; exit 1; }

# in_order FILE ERE...: the EREs match lines of FILE in this order; else prints
# the first one missing
in_order() {
	local f=$1 p i=0 lines
	mapfile -t lines < "$f"
	shift
	for p in "$@"; do
		while [ $i -lt ${#lines[@]} ] && ! [[ ${lines[$i]} =~ $p ]]; do i=$((i + 1)); done
		[ $i -lt ${#lines[@]} ] || { echo "missing: $p"; return 1; }
		i=$((i + 1))
	done
}

# probe_start TAG ARGS: gfs-probe in the background, its output in $LAB_OUT/probe-TAG.log
probe_start() {
	local tag=$1; shift
	mkdir -p "$LAB_OUT/$tag"
	PLOG=$LAB_OUT/probe-$tag.log
	log "gfs-probe -v -d $LAB_OUT/$tag $*"
	"$PROBE" -v -d "$LAB_OUT/$tag" "$@" > "$PLOG" 2>&1 &
	PRB=$!
	GLOGS="${GLOGS:-} $PLOG"
}

# probe_wait: the gadget on dummy_hcd's host side with its three interfaces; sets G
probe_wait() {
	local end=$(( $(date +%s) + 60 ))
	while [ "$(date +%s)" -lt $end ]; do
		G=$(gadget_dev $ID) && wait_for 10 test -e "/sys/bus/usb/devices/$G/$G:1.2" && return 0
		pid_alive "$PRB" || { echo "gfs-probe exited:"; cat "$PLOG"; return 1; }
		sleep 0.2
	done
	return 1
}

# probe_stop NAME: SIGTERM; the gadget leaves the host, GadgetFS is unmounted, its
# directory removed and the UDC free
probe_stop() {
	local name=$1 rc fn
	kill -TERM "$PRB"
	for _ in $(seq 100); do pid_alive "$PRB" || break; sleep 0.1; done
	if pid_alive "$PRB"; then
		kill -KILL "$PRB"; wait "$PRB" 2>/dev/null
		result "$name" FAIL "gfs-probe did not exit within 10 s of SIGTERM"; return 1
	fi
	wait "$PRB"; rc=$?
	wait_for 5 eval '! gadget_dev $ID >/dev/null'
	fn=$(cat /sys/class/udc/$UDC/function 2>/dev/null)
	if [ $rc != 0 ]; then result "$name" FAIL "gfs-probe exited with status $rc"
	elif gadget_dev $ID >/dev/null; then result "$name" FAIL "the host still sees $ID"
	elif mountpoint -q $MNT || [ -e $MNT ]; then result "$name" FAIL "$MNT is still there"
	elif [ -n "$fn" ]; then result "$name" FAIL "$UDC is still bound to '$fn'"
	else result "$name" PASS "exit 0 on SIGTERM, the host saw the disconnect, $MNT unmounted and removed, $UDC free"; fi
}

# ================================================================ high speed
# A GadgetFS mount already there (as a previous run would leave it) is reused.
mkdir -p $MNT && mount -t gadgetfs gadgetfs $MNT || result $J-premount FAIL "cannot mount gadgetfs at $MNT"
probe_start hs
if ! probe_wait; then
	result $J FAIL "the gadget $ID did not appear on dummy_hcd"; probe_stop $J-teardown; job_end; exit 1
fi
fn=$(cat /sys/class/udc/$UDC/function)
s="$(cat /sys/bus/usb/devices/$G/speed) Mb/s, configuration $(cat /sys/bus/usb/devices/$G/bConfigurationValue), $(cat /sys/bus/usb/devices/$G/bNumInterfaces | tr -d ' ') interfaces"
if [ "$s" = "480 Mb/s, configuration 1, 3 interfaces" ] && [ "$fn" = "USB Gadget filesystem" ] &&
   grep -q "reusing the mount at $MNT" "$PLOG" && grep -q '^PROBE event ENABLE' "$PLOG"; then
	result $J-open PASS "$G at $s; $UDC bound to '$fn' through the reused mount $MNT; ENABLE after SET_CONFIGURATION"
else
	result $J-open FAIL "$G at $s, $UDC function '$fn'; probe log:"; cat "$PLOG"
fi

# ---- descriptors: byte for byte, as the probe wrote them
cat "$LAB_OUT/hs/device.bin" "$LAB_OUT/hs/config-hs.bin" > /tmp/expect.bin
# (through a pipe: cmp compares the sizes of regular files first, and sysfs's is not the content's)
if cat "/sys/bus/usb/devices/$G/descriptors" | cmp -s /tmp/expect.bin -; then
	result $J-descriptors PASS "sysfs raw descriptors of $G = device + high-speed configuration written to ep0 ($(stat -c %s /tmp/expect.bin) bytes)"
else
	result $J-descriptors FAIL "sysfs raw descriptors differ from what the probe wrote:"
	od -An -tx1 "/sys/bus/usb/devices/$G/descriptors" | head -20; od -An -tx1 /tmp/expect.bin | head -20
fi
lsusb -v -s "$(busdev "$G")" > "$LAB_OUT/lsusb-hs.txt" 2>&1
if m=$(in_order "$LAB_OUT/lsusb-hs.txt" 'iManufacturer +1 gadgetd' 'iProduct +2 GadgetFS probe' \
	'iSerial +3 GFS0001' 'bInterfaceClass +2 *$' 'CDC Header:' 'bcdCDC +1\.10' \
	'CDC Call Management:' 'CDC ACM:' 'CDC Union:' 'bSlaveInterface +1' \
	'bEndpointAddress +0x85' 'bInterfaceClass +10 *$' 'bEndpointAddress +0x81' \
	'wMaxPacketSize +0x0200' 'bEndpointAddress +0x02' 'bInterfaceNumber +2' \
	'bAlternateSetting +0' 'iInterface +4 gfs-probe vendor interface' 'bAlternateSetting +1' \
	'bEndpointAddress +0x86' 'bEndpointAddress +0x07' 'bAlternateSetting +2' \
	'bEndpointAddress +0x8a' 'bEndpointAddress +0x07' 'Device Qualifier'); then
	result $J-lsusb PASS "lsusb -v: strings from the probe, CDC Header/Call Management/ACM/Union, interface 2 alt 0/1/2 with their endpoints, qualifier"
else
	result $J-lsusb FAIL "lsusb -v of $G, $m:"; cat "$LAB_OUT/lsusb-hs.txt"
fi

# ---- CDC ACM: a loopback through cdc_acm (SET_LINE_CODING carries 7 bytes OUT)
if wait_for 10 test -c /dev/ttyACM0 && exec 3<>/dev/ttyACM0; then
	stty -F /dev/ttyACM0 raw -echo 115200
	want="gadgetfs-acm-loopback-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	printf '%s\n' "$want" >&3
	got=; read -r -t 5 got <&3
	exec 3>&-
	sleep 0.3
	if [ "$got" = "$want" ] && grep -q '^PROBE line-coding 7 bytes: 115200 baud' "$PLOG" &&
	   grep -q '^PROBE control-line-state' "$PLOG"; then
		result $J-acm PASS "/dev/ttyACM0 echoed ${#want}+1 bytes; SET_LINE_CODING 115200 read through ep0_read, SET_CONTROL_LINE_STATE acknowledged"
	else
		result $J-acm FAIL "sent '$want', read '$got'; probe log:"; grep -E 'line|PROBE (xfer|error)' "$PLOG"
	fi
else
	result $J-acm FAIL "no /dev/ttyACM0 (cdc_acm did not bind)"
fi

# ---- SET_INTERFACE: interface 2, alt 0 -> 1 -> 2 -> 1 -> 0; ep7out-bulk is reopened
getintf='ctrl,type=0x81,req=10,index=2,len=1,hex'
"$XFER" -d $ID -w 10 $getintf \
	setintf,intf=2,alt=1 out,ep=0x07,len=1000,seed=5 in,ep=0x86,len=1000,expect=5 $getintf \
	setintf,intf=2,alt=2 out,ep=0x07,len=50,seed=6 in,ep=0x8a,len=64,expect=6 $getintf \
	setintf,intf=2,alt=1 out,ep=0x07,len=1024,zlp,seed=7 in,ep=0x86,len=2048,expect=7 \
	setintf,intf=2,alt=0 $getintf > "$LAB_OUT/setintf.txt" 2>&1
if m=$(in_order "$LAB_OUT/setintf.txt" 'ctrl type=0x81 .* status=0 actual=1 data=00' \
	'setintf intf=2 alt=1 status=0' 'out ep=0x07 len=1000 zlp=0 status=0 actual=1000' \
	'in ep=0x86 len=1000 status=0 actual=1000 match=1' 'status=0 actual=1 data=01' \
	'setintf intf=2 alt=2 status=0' 'out ep=0x07 len=50 zlp=0 status=0 actual=50' \
	'in ep=0x8a len=64 status=0 actual=50 match=1' 'status=0 actual=1 data=02' \
	'setintf intf=2 alt=1 status=0' 'out ep=0x07 len=1024 zlp=1 status=0 actual=1024' \
	'in ep=0x86 len=2048 status=0 actual=1024 match=1' 'setintf intf=2 alt=0 status=0' \
	'status=0 actual=1 data=00'); then
	busy=$(grep -c 'opens failed EBUSY' "$PLOG")
	result $J-setintf PASS "alt 0->1->2->1->0 on interface 2: bulk echo 0x07->0x86 (1000 bytes; 1024 + ZLP), 0x07->interrupt 0x8a, GET_INTERFACE 0/1/2/0; ep7out-bulk reopened ($busy waits for its release)"
else
	result $J-setintf FAIL "$m:"; cat "$LAB_OUT/setintf.txt"
fi

# ---- ep0: OUT data read back, stalls, and the OUT-with-data request GadgetFS cannot stall
# (sleeps: the host may send the next request before the probe read an OUT-with-data
# SETUP event, which GadgetFS then drops; see the NOTE below)
"$XFER" -d $ID -w 10 ctrl,type=0x41,req=3,index=2,len=16,seed=9 sleep,ms=300 \
	ctrl,type=0xc1,req=4,index=2,len=16,expect=9 ctrl,type=0xc1,req=0x7f,index=2,len=4 \
	ctrl,type=0x41,req=0x7f,index=2,len=0 ctrl,type=0xc1,req=5,value=3,index=2,len=200,expect=3 \
	ctrl,type=0x41,req=0x7f,index=2,len=8,seed=1 sleep,ms=300 ctrl,type=0xc1,req=4,index=2,len=16,expect=9 \
	> "$LAB_OUT/ep0.txt" 2>&1
if m=$(in_order "$LAB_OUT/ep0.txt" 'type=0x41 req=0x03 .* len=16 status=0 actual=16' \
	'type=0xc1 req=0x04 .* status=0 actual=16 match=1' 'type=0xc1 req=0x7f .* status=EPIPE' \
	'type=0x41 req=0x7f .* len=0 status=EPIPE' 'type=0xc1 req=0x05 .* len=200 status=0 actual=200 match=1' \
	'type=0x41 req=0x7f .* len=8 status=0 actual=8' 'type=0xc1 req=0x04 .* status=0 actual=16 match=1'); then
	result $J-ep0 PASS "16 bytes OUT (ep0_read) read back IN; IN and no-data OUT stalled; 200-byte IN reply; an unknown OUT request with 8 bytes completes (GadgetFS cannot stall it)"
else
	result $J-ep0 FAIL "$m:"; cat "$LAB_OUT/ep0.txt"
fi

# ---- a request the host gave up on: the late reply fails EIDRM, the newer request
# (whose event cannot be read first) is refused blind, the next one is answered
"$XFER" -d $ID -w 10 ctrl,type=0xc1,req=6,value=1500,index=2,len=4,timeout=500 \
	ctrl,type=0xc1,req=5,value=5,index=2,len=10,expect=5 sleep,ms=1500 \
	ctrl,type=0xc1,req=5,value=6,index=2,len=10,expect=6 > "$LAB_OUT/abort.txt" 2>&1
if m=$(in_order "$LAB_OUT/abort.txt" 'req=0x06 .* status=ETIMEDOUT' 'req=0x05 value=0x0005 .* status=EPIPE' \
	'req=0x05 value=0x0006 .* status=0 actual=10 match=1') &&
   grep -q '^PROBE late reply: Identifier removed' "$PLOG"; then
	result $J-abort PASS "the late reply failed EIDRM; the superseding request was refused (EPIPE) without being read; the next one was answered"
else
	result $J-abort FAIL "${m:-no 'late reply: Identifier removed' in the probe log}:"; cat "$LAB_OUT/abort.txt"
	grep -E 'late|setup c1 0[56]|stall' "$PLOG"
fi

# ---- NOTE: an OUT request with data followed at once by another request
"$XFER" -d $ID ctrl,type=0x41,req=3,index=2,len=16,seed=10 ctrl,type=0xc1,req=4,index=2,len=16,expect=10 \
	> "$LAB_OUT/race.txt" 2>&1
echo "NOTE $J: OUT-with-data then IN at once: $(grep -c 'setup 41 03' "$PLOG") of the 41 03 SETUPs reached the probe; read back: $(grep 'req=0x04' "$LAB_OUT/race.txt")"

# ---- halts from the gadget: IN and OUT, cleared by the host, then by the gadget
"$XFER" -d $ID -w 10 setintf,intf=2,alt=1 \
	ctrl,type=0x41,req=1,value=0x86,index=2 in,ep=0x86,len=64,timeout=1000 clearhalt,ep=0x86 \
	out,ep=0x07,len=100,seed=11 in,ep=0x86,len=100,expect=11 \
	ctrl,type=0x41,req=1,value=0x07,index=2 out,ep=0x07,len=100,seed=12,timeout=1000 clearhalt,ep=0x07 \
	out,ep=0x07,len=100,seed=12 in,ep=0x86,len=100,expect=12 \
	ctrl,type=0x41,req=1,value=0x86,index=2 ctrl,type=0x41,req=2,value=0x86,index=2 \
	out,ep=0x07,len=100,seed=13 in,ep=0x86,len=100,expect=13 setintf,intf=2,alt=0 \
	> "$LAB_OUT/halt.txt" 2>&1
if m=$(in_order "$LAB_OUT/halt.txt" 'setintf intf=2 alt=1 status=0' 'req=0x01 value=0x0086 .* status=0' \
	'in ep=0x86 len=64 status=EPIPE' 'clearhalt ep=0x86 status=0' 'in ep=0x86 len=100 status=0 actual=100 match=1' \
	'req=0x01 value=0x0007 .* status=0' 'out ep=0x07 len=100 zlp=0 status=EPIPE' 'clearhalt ep=0x07 status=0' \
	'in ep=0x86 len=100 status=0 actual=100 match=1' 'req=0x01 value=0x0086 .* status=0' \
	'req=0x02 value=0x0086 .* status=0' 'in ep=0x86 len=100 status=0 actual=100 match=1'); then
	result $J-halt PASS "ep_halt stalls bulk IN 0x86 and bulk OUT 0x07 (host EPIPE), cleared by the host's CLEAR_FEATURE; ep_clear_halt clears 0x86 from the gadget"
else
	result $J-halt FAIL "$m:"; cat "$LAB_OUT/halt.txt"
fi

# ---- what a 300-byte control IN request becomes (the kernel clamps wLength to 256)
"$XFER" -d $ID ctrl,type=0xc1,req=5,value=4,index=2,len=300,expect=4,timeout=7000 > "$LAB_OUT/clamp.txt" 2>&1
echo "NOTE $J: control IN wLength 300: the probe saw '$(grep 'PROBE pattern' "$PLOG" | tail -1)', the host got: $(grep 'RES ctrl' "$LAB_OUT/clamp.txt")"
grep -E '^PROBE (error|xfer)' "$PLOG" | sed "s/^/NOTE $J: /"
probe_stop $J-teardown

# ================================================================ full speed
# No high-speed configuration: GadgetFS registers a full-speed driver and
# dummy_hcd links at 12 Mb/s (udc_set_speed); endpoints get their FS descriptors.
probe_start fs -f
if probe_wait; then
	s="$(cat /sys/bus/usb/devices/$G/speed) Mb/s, bulk $(bulk_mps "$G") bytes"
	cat "$LAB_OUT/fs/device.bin" "$LAB_OUT/fs/config-fs.bin" > /tmp/expect.bin
	if [ "$s" = "12 Mb/s, bulk 64 bytes" ] && cat "/sys/bus/usb/devices/$G/descriptors" | cmp -s /tmp/expect.bin - &&
	   ! grep -q 'reusing the mount' "$PLOG"; then
		result $J-fs-open PASS "$G at $s, raw descriptors = the full-speed configuration written, GadgetFS freshly mounted"
	else
		result $J-fs-open FAIL "$G at $s (want 12 Mb/s, bulk 64), descriptors equal: $(cat /sys/bus/usb/devices/$G/descriptors | cmp -s /tmp/expect.bin - && echo yes || echo no)"
	fi
	"$XFER" -d $ID -w 10 setintf,intf=2,alt=1 out,ep=0x07,len=200,seed=21 in,ep=0x86,len=200,expect=21 \
		out,ep=0x07,len=128,zlp,seed=22 in,ep=0x86,len=256,expect=22 \
		setintf,intf=2,alt=2 out,ep=0x07,len=40,seed=23 in,ep=0x8a,len=64,expect=23 \
		setintf,intf=2,alt=0 > "$LAB_OUT/fs-xfer.txt" 2>&1
	if m=$(in_order "$LAB_OUT/fs-xfer.txt" 'setintf intf=2 alt=1 status=0' \
		'in ep=0x86 len=200 status=0 actual=200 match=1' 'in ep=0x86 len=256 status=0 actual=128 match=1' \
		'setintf intf=2 alt=2 status=0' 'in ep=0x8a len=64 status=0 actual=40 match=1' \
		'setintf intf=2 alt=0 status=0'); then
		result $J-fs-xfer PASS "full speed: bulk echo (200 bytes; 128 + ZLP with 64-byte packets), alt 2 interrupt echo"
	else
		result $J-fs-xfer FAIL "$m:"; cat "$LAB_OUT/fs-xfer.txt"
	fi
else
	result $J-fs-open FAIL "the full-speed gadget $ID did not appear"
fi
probe_stop $J-fs-teardown
job_end
