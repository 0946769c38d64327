# SPDX-License-Identifier: GPL-2.0-or-later
# A host that gives up on a control transfer cannot freeze the relay (issue 9 §2),
# with the ASan/UBSan gadgetd and a simulated device (usbip-sim) that answers some
# vendor requests 1.5 s late. The host (usbhost-xfer) gives each of them 200 ms,
# then discards its URB, so the device's answer reaches a gadget whose host has
# moved on: FunctionFS would wait for the host in __ffs_ep0_queue_wait() until its
# next SETUP.
#   fault-ep0-late-in-dropped       a late IN reply is dropped (logged), the next
#                                   control request and bulk traffic work
#   fault-ep0-late-nodata-dropped   the same for the status stage of an OUT request
#                                   without data
#   fault-ep0-stalled-host-sigterm  SIGTERM right after the late reply reached
#                                   gadgetd: exit 0 within 1 s, ConfigFS empty, no
#                                   mount left, no sanitizer report
#   fault-ep0-waiting-sigterm       SIGTERM while the device is still answering:
#                                   the same
#   fault-ep0-gfs-*                 the late replies and the stalled-host SIGTERM
#                                   through GadgetFS (--backend gadgetfs)
#@timeout 300
. "$LAB_REPO/tests/lab/faultlib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=fault-ep0
GADGETD=$GADGETD_SAN
VIDPID=1209:5159
sim_need $J
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1

cat > /tmp/fault-ep0.cfg <<'EOF2'
speed = "high";
device = { idVendor = 0x1209; idProduct = 0x5159; product = "slow control"; };
configurations = (
  { value = 1; interfaces = (
      { number = 0; endpoints = ( { address = 0x01; echo = 0x81; }, { address = 0x81; } ); } ); }
);
control = (
  { type = 0xc0; request = 1; action = "pattern"; delay_ms = 1500; },
  { type = 0x40; request = 3; action = "ack"; delay_ms = 1500; },
  { type = 0xc0; request = 2; action = "pattern"; }
);
EOF2

sim_gadget_side_up || { result $J FAIL "gadget side (dummy_hcd, configfs) did not come up"; job_end; exit 1; }
sim_start $J /tmp/fault-ep0.cfg || { result $J FAIL "usbip-sim did not start"; job_end; exit 1; }

# answered TYPE REQ: how many times the device has answered that request
answered() { grep -c "^CTRL .* type=$1 req=$2 " "$SIMREC"; }
# works NAME WHAT: a prompt control request and a bulk echo through the gadget
works() {
	local a b c
	a=$(x "ctrl,type=0xc0,req=2,len=64,expect=$(( 0xc0 << 8 | 2 ))")
	b=$(x "out,ep=#1,len=700,seed=9"); c=$(x "in,ep=#2,len=4096,expect=9")
	if getf "$a" status && [ "$FV" = 0 ] && getf "$a" match && [ "$FV" = 1 ] &&
	   getf "$b" status && [ "$FV" = 0 ] && getf "$c" match && [ "$FV" = 1 ]; then
		result "$1" PASS "$2; then a control request and a 700-byte bulk echo work"
	else
		result "$1" FAIL "$2; then: ${a#RES } / ${b#RES } / ${c#RES }"
	fi
}
# late NAME OP TYPE REQ [gadgetfs]: the host gives up on OP after 200 ms, the
# device answers 1.5 s after it was asked, gadgetd drops the answer (GadgetFS:
# queues it on ep0, where the host's next SETUP ends it)
late() {
	local n=$1 op=$2 t=$3 q=$4 n0 M out dropped
	n0=$(answered "$t" "$q"); M=$(log_mark)
	out=$(x "$op,timeout=200")
	getf "$out" status
	[ "$FV" = ETIMEDOUT ] || { result "$n" FAIL "the host's request did not time out: ${out#RES }"; return; }
	wait_for 5 eval '[ "$(answered "$t" "$q")" -gt "$n0" ]' ||
		{ result "$n" FAIL "the device never answered"; return; }
	if [ -n "${5:-}" ]; then  # GadgetFS: the reply is queued on ep0, the write returns
		sleep 0.5; works "$n" "host gave up after 200 ms, device answered after 1.5 s"; return
	fi
	dropped=$(log_wait 3 "$M" "did not take the reply.*dropped" | short)
	if [ -n "$dropped" ]; then works "$n" "host gave up after 200 ms, device answered after 1.5 s; gadgetd: $dropped"
	else result "$n" FAIL "no 'dropped' line: $(log_since "$M" "ep0" | short)"; fi
}
# stop_within NAME WHAT: SIGTERM now; exit 0 within 1 s, nothing left, no report
stop_within() {
	local n=$1 what=$2 T dt rep left td
	T=$(now_ms)
	kill -TERM "$GPID"
	gadgetd_exit_within 10 || { kill -KILL "$GPID"; wait "$GPID"; GPID=; }
	dt=$(( $(now_ms) - T ))
	left=$(grep -c ' /run/gadgetd/' /proc/self/mountinfo)
	rep=$(sanitizer_report "$GLOG")
	td=$(log_at "$T" "gadget removed|connection closed|GadgetFS.*closed")
	td=${td:+torn down $(secs $(( td - T ))) s after SIGTERM, }
	log "$n: ${td}exited $(secs $dt) s after SIGTERM ($what)"
	if [ "$GRC" = 0 ] && [ "$dt" -le 1000 ] && configfs_clean && [ "$left" = 0 ] && [ -z "$rep" ]; then
		result "$n" PASS "$what: ${td}exit 0 $(secs $dt) s after SIGTERM (LeakSanitizer included), ConfigFS empty, no mount left, no sanitizer report"
	else
		result "$n" FAIL "$what: status $GRC $(secs $dt) s after SIGTERM, ConfigFS: $(ls /sys/kernel/config/usb_gadget | tr '\n' ' '), $left mounts under /run/gadgetd${rep:+, $rep}"
	fi
}

sim_gadget ep0 $VIDPID || { result $J FAIL "the gadget did not appear on dummy_hcd"; gadgetd_stop $J; sim_stop; job_end; exit 1; }
late $J-late-in-dropped "ctrl,type=0xc0,req=1,len=64" 0xc0 0x01
late $J-late-nodata-dropped "ctrl,type=0x40,req=3,len=0" 0x40 0x03

# stalled_host NAME: SIGTERM while gadgetd writes the late reply to a host that is gone
stalled_host() {
	local n0 xp T
	n0=$(answered 0xc0 0x01)
	x "ctrl,type=0xc0,req=1,len=64,timeout=200" > /dev/null &
	xp=$!
	T=$(now_ms)
	while [ "$(answered 0xc0 0x01)" = "$n0" ] && [ $(( $(now_ms) - T )) -lt 5000 ]; do sleep 0.02; done
	stop_within "$1" "the device's late reply just reached gadgetd, the host gone"
	wait $xp
}
stalled_host $J-stalled-host-sigterm

# SIGTERM while the device is still answering (the host waits for it)
sim_gadget ep0-wait $VIDPID || { result $J-waiting-sigterm FAIL "the gadget did not come back"; sim_stop; job_end; exit 1; }
x "ctrl,type=0xc0,req=1,len=64,timeout=3000" > /dev/null &
XP=$!
sleep 0.6   # the request is at the device, which answers after 1.5 s
stop_within $J-waiting-sigterm "a control request forwarded, the device answering"
wait $XP

# ---- the same through GadgetFS (its IN data stage returns once queued; its OUT
# data stage is waited for on the relay's thread)
if mods gadgetfs && wait_for 10 gadget_gone $VIDPID; then
	gadgetd_start ep0-gfs --remote 127.0.0.1:$SIM_PORT --busid 1-1 --udc dummy_udc.0 --backend gadgetfs -v
	if G=$(gadgetd_wait_gadget $VIDPID 30) &&
	   wait_for 10 eval 'test -n "$(cat /sys/bus/usb/devices/$G/bConfigurationValue 2>/dev/null)"'; then
		late $J-gfs-late-in "ctrl,type=0xc0,req=1,len=64" 0xc0 0x01 gadgetfs
		late $J-gfs-late-nodata "ctrl,type=0x40,req=3,len=0" 0x40 0x03 gadgetfs
		stalled_host $J-gfs-stalled-host-sigterm
	else
		result $J-gfs FAIL "no gadget through GadgetFS: $(tail -2 "$GLOG" | short | tr '\n' ' ')"
		gadgetd_stop $J-gfs
	fi
else
	result $J-gfs FAIL "cannot load gadgetfs, or the FunctionFS gadget stayed"
fi
sim_stop
job_end
