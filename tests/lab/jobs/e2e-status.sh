# SPDX-License-Identifier: GPL-2.0-or-later
# `gadgetd --status` (issue 10 part 3), asked as a user would, of real daemons:
#   status-none          no gadgetd running: says so, exit 1
#   status-relaying      the stick relayed with --user (the relay in the
#                        unprivileged child): server, busid, VID:PID, backend,
#                        state relaying, host configured yes
#   status-bytes         bytes and URBs of the bulk IN endpoint grow by what a
#                        read of 8 MiB on the host side moved
#   status-unprivileged  a user without privileges reads the status too
#   status-two           a second gadgetd (dummy_udc.1, a refused port): both
#                        listed; NAME picks one (UDC, pid, busid)
#   status-reconnecting  usbipd killed, the device unbound on the server: the
#                        state is reconnecting, reconnects counted, the last
#                        error said; usbipd back: relaying and configured again,
#                        the count kept
#   status-stale         the second gadgetd SIGKILLed: its socket is left, and
#                        is not shown as running (a note, then removed)
#   status-stopped       after SIGTERM: no socket left, "no gadgetd is running"
#   status-gadgetfs      the stick through GadgetFS, relay in the root process:
#                        backend GadgetFS, relaying, configured, bytes growing
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001
#@timeout 300
. "$LAB_REPO/tests/lab/faultlib.sh"
J=status
need_gadgetd $J
need_cmd $J usbip usbipd pidof setpriv useradd
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
B=$(export_dev $STICK) || { result $J FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
gadget_side_up num=2 || { result $J FAIL "gadget side (dummy_hcd num=2, configfs) did not come up"; job_end; exit 1; }
wait_for 5 test -e /sys/class/udc/dummy_udc.1 || { result $J FAIL "no dummy_udc.1"; job_end; exit 1; }
RUSER=gdrelay
id -u $RUSER >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $RUSER ||
	{ result $J FAIL "useradd $RUSER failed"; job_end; exit 1; }

ST=$LAB_OUT/status.txt
status() { "$GADGETD" --status "$@" > "$ST" 2> "$ST.err"; }
# raw KEY [NAME]: a value of --status --raw
raw() { "$GADGETD" --status --raw ${2:+"$2"} 2>/dev/null | awk -v k="$1" '$1 == k { sub(/^[^ ]* /, ""); print; exit }'; }
# bulk_in FIELD: URBs ($4) or bytes ($5) of the bulk IN endpoint
bulk_in() { "$GADGETD" --status --raw "$B" 2>/dev/null | awk -v f="$1" '$1 == "ep" && $3 == "bulk" && $2 ~ /^0x[89a-f]/ { print $f; exit }'; }
# has TEXT...: every TEXT in the table of the last status()
has() { local t; for t in "$@"; do grep -qF -- "$t" "$ST" || { MISSING="'$t'"; return 1; }; done; }
flat() { tr -s ' \n' '  ' < "$ST" | cut -c1-600; }

# ---------------------------------------------------------------- none
status; rc=$?
if [ $rc = 1 ] && grep -qx "no gadgetd is running" "$ST"; then
	result status-none PASS "exit 1: $(cat "$ST")"
else
	result status-none FAIL "exit $rc: $(flat)"
fi

# ---------------------------------------------------------------- relaying
gadgetd_start status --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --user $RUSER -v
MAIN=$GPID
G=$(gadgetd_wait_gadget $STICK 60) && SD=$(disk_of "$G" 30) ||
	{ result $J FAIL "the gadget or its disk did not appear"; gadgetd_stop $J; job_end; exit 1; }
wait_for 10 eval '[ "$(raw host_config)" = 1 ]'
status "$B"; rc=$?
if [ $rc = 0 ] && has "gadgetd $MAIN " "UDC dummy_udc.0" "server       127.0.0.1:3240" "busid        $B" \
	"device       46f4:0001 " "backend      FunctionFS" "state        relaying since" \
	"host         configured: yes (configuration 1)" "relay as $RUSER"; then
	result status-relaying PASS "$(flat)"
else
	result status-relaying FAIL "exit $rc, missing ${MISSING:-?}: $(flat)"
fi

# ---------------------------------------------------------------- bytes
u0=$(bulk_in 4) b0=$(bulk_in 5)
sync; echo 3 > /proc/sys/vm/drop_caches
timeout 60 dd if=/dev/$SD of=/dev/null bs=1M count=8 iflag=direct 2>/dev/null
u1=$(bulk_in 4) b1=$(bulk_in 5)
if [ -n "$b0" ] && [ -n "$b1" ] && [ $(( b1 - b0 )) -ge $(( 8 << 20 )) ] && [ "$u1" -gt "$u0" ]; then
	result status-bytes PASS "bulk IN: $b0 -> $b1 bytes (+$(( (b1 - b0) >> 10 )) KiB), $u0 -> $u1 URBs after an 8 MiB read"
else
	result status-bytes FAIL "bulk IN: bytes '$b0' -> '$b1', URBs '$u0' -> '$u1' after an 8 MiB read (want +8 MiB)"
fi

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$GADGETD" --status 2>&1); rc=$?
if [ $rc = 0 ] && echo "$out" | grep -q "state        relaying"; then
	result status-unprivileged PASS "uid 65534 reads it: $(echo "$out" | grep 'state ')"
else
	result status-unprivileged FAIL "uid 65534: exit $rc: $(echo "$out" | head -3 | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- two
"$GADGETD" $(gadgetd_logopt) --remote 127.0.0.1:3999 --busid 9-9 --udc dummy_udc.1 -v \
	> "$LAB_OUT/gadgetd-status2.log" 2>&1 &
SECOND=$!
GLOGS="$GLOGS $LAB_OUT/gadgetd-status2.log"
wait_for 10 eval '[ "$(raw reconnects dummy_udc.1)" -ge 1 ] 2>/dev/null'
status; rc=$?
n=$(grep -c '^gadgetd [0-9]' "$ST")
"$GADGETD" --status dummy_udc.1 > "$ST.1"; r1=$?
"$GADGETD" --status "$MAIN" > "$ST.2"; r2=$?
if [ $rc = 0 ] && [ "$n" = 2 ] && has "gadgetd $MAIN " "gadgetd $SECOND " &&
   [ $r1 = 0 ] && grep -q "^gadgetd $SECOND " "$ST.1" && ! grep -q "^gadgetd $MAIN " "$ST.1" &&
   grep -q "busid        9-9" "$ST.1" && grep -qi "last error .*refused" "$ST.1" &&
   [ $r2 = 0 ] && grep -q "^gadgetd $MAIN " "$ST.2" && ! grep -q "^gadgetd $SECOND " "$ST.2"; then
	result status-two PASS "both listed; dummy_udc.1: $(grep -E 'state|last error|reconnects' "$ST.1" | tr -s ' \n' '  ')"
else
	result status-two FAIL "exit $rc, $n listed; by UDC (exit $r1): $(tr -s ' \n' '  ' < "$ST.1" | cut -c1-300); by pid (exit $r2)"
fi

# ---------------------------------------------------------------- reconnecting
kill $(pidof usbipd)
wait_for 5 eval '! tcp_listening 3240'
usbip unbind -b "$B" >/dev/null
if wait_for 30 eval '[ "$(raw state "$B")" = reconnecting ] && [ "$(raw reconnects "$B")" -ge 2 ] 2>/dev/null'; then
	status "$B"
	if has "state        reconnecting since" "next attempt in" "host         configured: no" &&
	   grep -qiE "last error +[0-9-]+ [0-9:]+ .*(refused|closed)" "$ST"; then
		result status-reconnecting PASS "$(grep -E 'state|reconnects|last error|host ' "$ST" | tr -s ' \n' '  ')"
	else
		result status-reconnecting FAIL "missing ${MISSING:-a last error}: $(flat)"
	fi
else
	result status-reconnecting FAIL "not reconnecting twice within 30 s: state $(raw state "$B"), reconnects $(raw reconnects "$B")"
fi
n0=$(raw reconnects "$B")
usbipd -D; wait_for 10 tcp_listening 3240
usbip bind -b "$B" >/dev/null
if wait_for 60 eval '[ "$(raw state "$B")" = relaying ] && [ "$(raw host_config "$B")" = 1 ]'; then
	n1=$(raw reconnects "$B")
	[ "$n1" -ge "$n0" ] && result status-reconnected PASS "relaying, host configured again; reconnects $n0 -> $n1" ||
		result status-reconnected FAIL "reconnects went from $n0 to $n1"
else
	result status-reconnected FAIL "usbipd back: state $(raw state "$B"), host_config $(raw host_config "$B") after 60 s"
fi

# ---------------------------------------------------------------- stale
kill -KILL $SECOND; wait $SECOND 2>/dev/null
sock=/run/gadgetd/gadgetd-$SECOND.sock
left=no; [ -S "$sock" ] && left=yes
status; rc=$?
if [ $left = yes ] && [ $rc = 0 ] && ! grep -q "^gadgetd $SECOND " "$ST" && grep -q "^gadgetd $MAIN " "$ST" &&
   grep -q "gadgetd-$SECOND.sock: left by gadgetd $SECOND, which is not running" "$ST.err" && [ ! -e "$sock" ]; then
	result status-stale PASS "SIGKILLed $SECOND's socket was left, not shown: $(cat "$ST.err")"
else
	result status-stale FAIL "socket left: $left; exit $rc; listed: $(grep '^gadgetd ' "$ST" | tr '\n' ' '); stderr: $(cat "$ST.err"); still there: $([ -e "$sock" ] && echo yes || echo no)"
fi

# ---------------------------------------------------------------- stopped
gadgetd_stop $J
status; rc=$?
if [ $rc = 1 ] && grep -qx "no gadgetd is running" "$ST" && [ ! -e "/run/gadgetd/gadgetd-$MAIN.sock" ]; then
	result status-stopped PASS "socket removed at exit; $(cat "$ST")"
else
	result status-stopped FAIL "exit $rc: $(flat); socket: $(ls /run/gadgetd/*.sock 2>/dev/null | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- GadgetFS, in-process relay
gadgetd_start status-gfs --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --backend gadgetfs -v
if G=$(gadgetd_wait_gadget $STICK 60) && SD=$(disk_of "$G" 30) &&
   wait_for 10 eval '[ "$(raw host_config)" = 1 ]'; then
	b0=$(bulk_in 5)
	timeout 60 dd if=/dev/$SD of=/dev/null bs=1M count=2 iflag=direct 2>/dev/null
	b1=$(bulk_in 5)
	status
	if has "backend      GadgetFS" "state        relaying since" "host         configured: yes" &&
	   [ -n "$b1" ] && [ $(( b1 - ${b0:-0} )) -ge $(( 2 << 20 )) ]; then
		result status-gadgetfs PASS "GadgetFS, relay in the root process: relaying, configured, bulk IN $b0 -> $b1 bytes after a 2 MiB read"
	else
		result status-gadgetfs FAIL "missing ${MISSING:-bytes '$b0' -> '$b1'}: $(flat)"
	fi
else
	result status-gadgetfs FAIL "the GadgetFS gadget did not come up configured: $(tail -2 "$GLOG" | tr '\n' ' ')"
fi
gadgetd_stop status-gfs
job_end
