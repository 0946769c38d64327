# SPDX-License-Identifier: GPL-2.0-or-later
# Control transfers through gadgetd, against a simulated device (usbip-sim) whose
# every request is recorded: class and vendor requests to the device, an interface
# and an endpoint (IN with data, OUT with data, no data; stalled; 4096-byte data
# stages), requests routed to interfaces numbered 2 and 5, interface GET_DESCRIPTOR,
# GET_STATUS and the host's CLEAR_FEATURE(ENDPOINT_HALT) after a device stall on a
# bulk IN and a bulk OUT endpoint, and a device with two configurations that the
# host switches between. What FunctionFS/composite decide themselves is asserted as
# documented (/work/shared/research/functionfs.md §3): an OUT request with a data
# stage cannot be stalled (the UDC completes its status stage), wLength > 4096 OUT is
# stalled by composite and never reaches gadgetd, GET_STATUS and CLEAR_FEATURE(HALT)
# are answered by the UDC.
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=control
VIDPID=1209:5153
sim_need $J

# ---- the device: configuration 1 has interfaces 2 and 5, configuration 2 one
cat > /tmp/control.cfg <<'EOF'
speed = "high";
device = { idVendor = 0x1209; idProduct = 0x5153; manufacturer = "gadgetd tests";
           product = "control"; serial = "CTL1"; };
configurations = (
  { value = 1; name = "first"; interfaces = (
      { number = 2; name = "two"; endpoints = (
          { address = 0x01; echo = 0x81; },                     # host #1
          { address = 0x81; } ); },                             # host #2
      { number = 5; name = "five"; endpoints = (
          { address = 0x02; stall_after = 1; },                 # host #3
          { address = 0x82; in = "1 2 3 4"; stall_after = 2; }, # host #4
          { address = 0x83; type = "interrupt"; mps = 16; in = "w200:5"; } ); } ); }, # host #5
  { value = 2; name = "second"; interfaces = (
      { number = 0; name = "zero"; endpoints = (
          { address = 0x04; echo = 0x85; },                     # host #1 in config 2
          { address = 0x85; } ); } ); }
);
control = (
EOF
# For T = class, vendor and R = device, interface (remote 5), endpoint (remote 0x82):
# req 1 IN pattern, 2 OUT store, 3 IN load, 4 no-data ack, 5 IN stall, 6 no-data
# stall, 7 OUT-with-data stall. The handlers match the remote wIndex exactly, so a
# request routed to the wrong interface or endpoint is stalled, not answered.
RIDX=(0 5 0x82)
for T in 0x20 0x40; do
	for R in 0 1 2; do
		ti=$(( 0x80 | T | R )); to=$(( T | R )); ix=${RIDX[$R]}
		cat >> /tmp/control.cfg <<EOF
  { type = $ti; request = 1; index = $ix; action = "pattern"; seed = $(( ti << 8 | 1 )); },
  { type = $to; request = 2; index = $ix; action = "store"; },
  { type = $ti; request = 3; index = $ix; action = "load"; },
  { type = $to; request = 4; index = $ix; action = "ack"; },
  { type = $ti; request = 5; index = $ix; action = "stall"; },
  { type = $to; request = 6; index = $ix; action = "stall"; },
  { type = $to; request = 7; index = $ix; action = "stall"; },
EOF
	done
done
cat >> /tmp/control.cfg <<'EOF'
  { type = 0xc1; request = 1; index = 2; action = "pattern"; seed = 0x4102; },
  { type = 0x81; request = 6; value = 0x2200; index = 5; action = "pattern"; seed = 0x2205; length = 50; },
  { type = 0xc1; request = 8; index = 0x0305; action = "pattern"; seed = 0x0305; }
);
EOF

sim_gadget_side_up || { result $J FAIL "gadget side (dummy_hcd, configfs) did not come up"; sim_job_end; exit 1; }
sim_start $J /tmp/control.cfg || { result $J FAIL "usbip-sim did not start"; sim_job_end; exit 1; }
sim_gadget $J $VIDPID || { result $J FAIL "the gadget did not appear on dummy_hcd"; gadgetd_stop $J; sim_job_end; exit 1; }
lines OUT x eps; EPS=${OUT[0]}
log "host side: $EPS"
case $EPS in
*"cfg=1 interfaces=0,1 endpoints=#1:if0:0x"*":bulk:512,#2:if0:0x"*":bulk:512,#3:if1:0x"*":bulk:512,#4:if1:0x"*":bulk:512,#5:if1:0x"*":interrupt:16 "*)
	result $J-layout PASS "host sees configuration 1 with interfaces 0,1 (remote 2,5): $(field "$EPS" endpoints)";;
*)	result $J-layout FAIL "unexpected layout on the host side: $EPS";;
esac

# chk NAME LINE KEY=VALUE...: PASS when every KEY has VALUE in LINE
chk() {
	local name=$1 line=$2 kv k v got bad=; shift 2
	for kv in "$@"; do
		k=${kv%%=*}; v=${kv#*=}
		getf "$line" "$k" || FV="(none)"
		[ "$FV" = "$v" ] || bad="$bad $k=$FV (want $v)"
	done
	if [ -z "$bad" ]; then result "$name" PASS "${line#RES }"
	else result "$name" FAIL "${bad# }; host: ${line#RES }"; fi
}
# rec_ctrl TYPE REQ LENGTH: the device's last record of that request ("" if none)
rec_ctrl() { grep -E "^CTRL .* type=$(printf 0x%02x "$1") req=$(printf 0x%02x "$2") .*length=$3 " "$SIMREC" | tail -n 1; }
# chk_rec NAME TYPE REQ LENGTH KEY=VALUE...: the device saw it, with those fields
chk_rec() {
	local name=$1 t=$2 q=$3 l=$4 line kv k v got bad=; shift 4
	line=$(rec_ctrl "$t" "$q" "$l")
	[ -n "$line" ] || { result "$name" FAIL "the device never saw $(printf '%02x %02x' "$t" "$q") wLength $l"; return; }
	for kv in "$@"; do
		k=${kv%%=*}; v=${kv#*=}
		getf "$line" "$k" || FV="(none)"
		[ "$FV" = "$v" ] || bad="$bad $k=$FV (want $v)"
	done
	if [ -z "$bad" ]; then result "$name" PASS "device: $(echo "$line" | cut -d' ' -f3-10)"
	else result "$name" FAIL "${bad# }; device: $(echo "$line" | cut -c1-160)"; fi
}

# ---- the class/vendor x device/interface/endpoint matrix
HIDX=(0 1 '#4')   # host-side wIndex for remote 0, interface 5, endpoint 0x82
NAMES=(device interface endpoint)
ops=()
for T in 0x20 0x40; do
	for R in 0 1 2; do
		ti=$(( 0x80 | T | R )); to=$(( T | R )); ix=${HIDX[$R]}
		ops+=("ctrl,type=$ti,req=1,index=$ix,len=64,expect=$(( ti << 8 | 1 ))"
		      "ctrl,type=$to,req=2,index=$ix,len=100,seed=$(( to + 1000 ))"
		      "ctrl,type=$ti,req=3,index=$ix,len=100,expect=$(( to + 1000 ))"
		      "ctrl,type=$to,req=4,index=$ix,len=0"
		      "ctrl,type=$ti,req=5,index=$ix,len=16"
		      "ctrl,type=$to,req=6,index=$ix,len=0"
		      "ctrl,type=$to,req=7,index=$ix,len=8,seed=7"
		      "ctrl,type=$ti,req=1,index=$ix,len=4096,expect=$(( ti << 8 | 1 ))"
		      "ctrl,type=$to,req=2,index=$ix,len=4096,seed=$(( to + 2000 ))"
		      "ctrl,type=$ti,req=3,index=$ix,len=4096,expect=$(( to + 2000 ))")
	done
done
lines OUT x "${ops[@]}"
i=0
for T in 0x20 0x40; do
	for R in 0 1 2; do
		ti=$(( 0x80 | T | R )); to=$(( T | R ))
		tn=$([ "$T" = 0x20 ] && echo class || echo vendor)-${NAMES[$R]}
		ri=$(printf 0x%04x "${RIDX[$R]}")
		chk $J-$tn-in "${OUT[i]}" status=0 actual=64 match=1
		chk_rec $J-$tn-in-device-side $ti 1 64 index=$ri status=0
		chk $J-$tn-out "${OUT[i+1]}" status=0 actual=100
		chk $J-$tn-out-readback "${OUT[i+2]}" status=0 actual=100 match=1
		chk $J-$tn-nodata "${OUT[i+3]}" status=0 actual=0
		chk_rec $J-$tn-nodata-device-side $to 4 0 index=$ri status=0
		chk $J-$tn-in-stall "${OUT[i+4]}" status=EPIPE
		chk $J-$tn-nodata-stall "${OUT[i+5]}" status=EPIPE
		# documented: the UDC completes the status stage of an OUT data stage
		# before gadgetd can forward it, so the device's stall cannot reach the host
		chk $J-$tn-out-stall-not-carried "${OUT[i+6]}" status=0 actual=8
		chk_rec $J-$tn-out-stall-device-side $to 7 8 index=$ri status=-EPIPE
		chk $J-$tn-in-4096 "${OUT[i+7]}" status=0 actual=4096 match=1
		chk $J-$tn-out-4096 "${OUT[i+8]}" status=0 actual=4096
		chk $J-$tn-out-4096-readback "${OUT[i+9]}" status=0 actual=4096 match=1
		i=$(( i + 10 ))
	done
done

# ---- interface routing (host interface 0 -> remote 2, 1 -> 5; the high byte of
# wIndex), wLength > 4096 OUT (stalled by composite, never forwarded), GET_STATUS
# (answered by the UDC): one usbhost-xfer run
n0=$(rec_lines)
lines OUT x "ctrl,type=0xc1,req=1,index=0,len=32,expect=$(( 0x4102 ))" \
	"ctrl,type=0x81,req=6,value=0x2200,index=1,len=64,expect=$(( 0x2205 ))" \
	"ctrl,type=0xc1,req=8,index=0x0301,len=16,expect=$(( 0x0305 ))" \
	"ctrl,type=0x40,req=2,len=4097,seed=3" "ctrl,type=0xc0,req=1,len=16,expect=$(( 0xc0 << 8 | 1 ))" \
	status,recip=device status,recip=interface,index=1 status,recip=endpoint,index=#4
chk $J-interface0-to-remote2 "${OUT[0]}" status=0 actual=32 match=1
chk $J-interface-get-descriptor "${OUT[1]}" status=0 actual=50 match=1
chk_rec $J-interface-get-descriptor-device-side 0x81 6 64 index=0x0005 value=0x2200
# FunctionFS replaces the whole wIndex by the interface index (functionfs.md §3.4):
# the high byte (an entity ID for UAC/UVC) is lost, so the device sees 0x0005
if getf "${OUT[2]}" status && [ "$FV" = 0 ]; then
	result $J-windex-high-byte PASS "carried: ${OUT[2]#RES }"
else
	seen=$(rec_ctrl 0xc1 8 16)
	if getf "$seen" index && [ "$FV" = 0x0005 ]; then
		result $J-windex-high-byte PASS "documented FunctionFS limit: host wIndex 0x0301 reached the device as 0x0005 (high byte lost), device stalled"
	else
		result $J-windex-high-byte FAIL "host: ${OUT[2]#RES }; device: ${seen:-nothing}"
	fi
fi
chk $J-out-4097-stalled-by-composite "${OUT[3]}" status=EPIPE
if rec_since "$n0" '^CTRL .*length=4097 ' >/dev/null; then
	result $J-out-4097-not-forwarded FAIL "the device saw it: $(rec_since "$n0" '^CTRL .*length=4097 ' | cut -c1-120)"
else
	result $J-out-4097-not-forwarded PASS "the device saw no 4097-byte request"
fi
chk $J-after-4097 "${OUT[4]}" status=0 actual=16 match=1
chk $J-get-status-device "${OUT[5]}" status=0 actual=2
chk $J-get-status-interface "${OUT[6]}" status=0 actual=2 value=0
chk $J-get-status-endpoint "${OUT[7]}" status=0 actual=2 value=0

# ---- a bulk IN stall (device stalls after 2 transfers), host clears it
S82=$(( 0x82 << 8 ))
lines OUT x "in,ep=#4,len=512,expect=$S82" "in,ep=#4,len=512,expect=$(( S82 + 1 ))" \
	"in,ep=#4,len=512" status,recip=endpoint,index=#4 clearhalt,ep=#4 \
	status,recip=endpoint,index=#4 "in,ep=#4,len=512,expect=$(( S82 + 2 ))" \
	"in,ep=#4,len=512,expect=$(( S82 + 3 ))"
chk $J-in-before-stall-1 "${OUT[0]}" status=0 actual=1 match=1
chk $J-in-before-stall-2 "${OUT[1]}" status=0 actual=2 match=1
chk $J-in-stall "${OUT[2]}" status=EPIPE
chk $J-in-stall-get-status "${OUT[3]}" status=0 value=1
chk $J-in-stall-clear-halt "${OUT[4]}" status=0
chk $J-in-stall-get-status-cleared "${OUT[5]}" status=0 value=0
chk $J-in-after-clear-1 "${OUT[6]}" status=0 actual=3 match=1
chk $J-in-after-clear-2 "${OUT[7]}" status=0 actual=4 match=1
log "one device stall on 0x82 (record: $(grep -c '^HALT ep=0x82' "$SIMREC") HALT, $(grep -c '^IN ep=2 .*status=-EPIPE' "$SIMREC") URBs failed -EPIPE): gadgetd halted the gadget endpoint $(grep -c 'device stalled, gadget endpoint halted' "$GLOG") times"
grep -q '^CLEAR_HALT ep=0x82 halted=1' "$SIMREC" &&
	result $J-in-stall-device-cleared PASS "gadgetd cleared the halt on the device: $(grep -c '^CLEAR_HALT ep=0x82' "$SIMREC") CLEAR_FEATURE(HALT) on 0x82" ||
	result $J-in-stall-device-cleared FAIL "gadgetd never cleared the device's halt on 0x82"

# ---- a bulk OUT stall (device stalls its 2nd transfer): the host sees it one
# transfer late (the UDC had already taken that transfer's data)
L1=$(x "out,ep=#3,len=10,seed=1" "out,ep=#3,len=20,seed=2")
wait_for 5 grep -q '^CLEAR_HALT ep=0x02' "$SIMREC"
lines OUT x "out,ep=#3,len=30,seed=3" status,recip=endpoint,index=#3 clearhalt,ep=#3 \
	status,recip=endpoint,index=#3 "out,ep=#3,len=40,seed=4"
chk $J-out-before-stall "$(echo "$L1" | head -1)" status=0 actual=10
chk $J-out-stalled-by-device-accepted-by-udc "$(echo "$L1" | tail -1)" status=0 actual=20
chk $J-out-stall "${OUT[0]}" status=EPIPE
chk $J-out-stall-get-status "${OUT[1]}" status=0 value=1
chk $J-out-stall-clear-halt "${OUT[2]}" status=0
chk $J-out-stall-get-status-cleared "${OUT[3]}" status=0 value=0
chk $J-out-after-clear "${OUT[4]}" status=0 actual=40
wait_for 3 eval 'grep -q "^OUT ep=2 .*urb_len=40 .*status=0 " "$SIMREC"'
seq2=$(grep '^OUT ep=2 ' "$SIMREC" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(urb_len|status)=/) printf "%s ", $i; print "" }' | tr '\n' ';')
case $seq2 in
"urb_len=10 status=0 ;urb_len=20 status=-EPIPE ;urb_len=40 status=0 ;")
	result $J-out-stall-device-side PASS "device saw 10 (ok), 20 (stalled), 40 (ok); the 30 bytes stopped at the host";;
*)	result $J-out-stall-device-side FAIL "device saw: $seq2";;
esac

# ---- echo (interface 2) and a delayed interrupt IN (interface 5)
lines OUT x "out,ep=#1,len=700,seed=77" "in,ep=#2,len=4096,expect=77" "in,ep=#5,len=16,expect=$(( 0x83 << 8 ))"
chk $J-echo-out "${OUT[0]}" status=0 actual=700
chk $J-echo-in "${OUT[1]}" status=0 actual=700 match=1
chk $J-interrupt-delayed "${OUT[2]}" status=0 actual=5 match=1

# ---- two configurations
n0=$(rec_lines)
lines OUT x getconfig setconfig,value=2 getconfig eps \
	"out,ep=#1,len=600,seed=5" "in,ep=#2,len=4096,expect=5"
chk $J-config-initial "${OUT[0]}" status=0 value=1
chk $J-config-set-2 "${OUT[1]}" status=0 active=2
chk $J-config-get-2 "${OUT[2]}" status=0 value=2
log "configuration 2: ${OUT[3]}"
chk $J-config-2-echo-out "${OUT[4]}" status=0 actual=600
chk $J-config-2-echo-in "${OUT[5]}" status=0 actual=600 match=1
if rec_since "$n0" '^SET_CONFIGURATION value=2 ' >/dev/null; then
	result $J-config-2-device-side PASS "$(rec_since "$n0" '^SET_CONFIGURATION value=2 ' | head -1 | cut -d' ' -f1-3); $(rec_since "$n0" '^OUT ep=4 ' | head -1 | cut -d' ' -f1-9)"
else
	result $J-config-2-device-side FAIL "the device saw no SET_CONFIGURATION(2): $(rec_since "$n0" '^(SET_CONF|CTRL .*req=0x09)' | cut -c1-100 | tr '\n' ';')"
fi
n0=$(rec_lines)
lines OUT x setconfig,value=1 getconfig "out,ep=#1,len=300,seed=6" "in,ep=#2,len=4096,expect=6"
chk $J-config-set-1 "${OUT[0]}" status=0 active=1
chk $J-config-get-1 "${OUT[1]}" status=0 value=1
chk $J-config-1-echo-out "${OUT[2]}" status=0 actual=300
chk $J-config-1-echo-in "${OUT[3]}" status=0 actual=300 match=1
if rec_since "$n0" '^SET_CONFIGURATION value=1 ' >/dev/null; then
	result $J-config-1-device-side PASS "$(rec_since "$n0" '^SET_CONFIGURATION value=1 ' | head -1 | cut -d' ' -f1-3)"
else
	result $J-config-1-device-side FAIL "the device saw no SET_CONFIGURATION(1)"
fi
# SET_CONFIGURATION with the active value (usbfs: usb_reset_configuration): the host
# resets the configuration, so must the device
n0=$(rec_lines)
lines OUT x setconfig,value=1 "out,ep=#1,len=200,seed=8" "in,ep=#2,len=4096,expect=8"
chk $J-config-reset-1 "${OUT[0]}" status=0 active=1
chk $J-config-reset-1-echo "${OUT[2]}" status=0 actual=200 match=1
if rec_since "$n0" '^SET_CONFIGURATION value=1 ' >/dev/null; then
	result $J-config-reset-1-device-side PASS "$(rec_since "$n0" '^SET_CONFIGURATION value=1 ' | head -1 | cut -d' ' -f1-3)"
else
	result $J-config-reset-1-device-side FAIL "the host set configuration 1 again (it was active); the device saw no SET_CONFIGURATION: $(grep -c 'event ENABLE' "$GLOG") ENABLE events in gadgetd's log"
fi
grep -q '^ERROR' "$SIMREC" && result $J-protocol FAIL "usbip-sim recorded errors: $(grep '^ERROR' "$SIMREC" | head -3 | cut -c1-150 | tr '\n' ';')" ||
	result $J-protocol PASS "no protocol errors at the device ($(rec_lines) record lines)"
gadgetd_stop $J
sim_job_end
