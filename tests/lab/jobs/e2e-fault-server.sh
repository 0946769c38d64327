# SPDX-License-Identifier: GPL-2.0-or-later
# The server, the device and the link fail under a running gadgetd (issue 4
# part 2). One gadgetd (dead_peer_timeout 5 s, retry 1..2 s) on the QEMU stick:
#   fault-usbipd     usbipd killed, the device unbound on the server: the host
#                    side sees the disconnect within 2 s; usbipd back, the device
#                    bound again: the gadget is back and the disk reads identical
#   fault-unplug     the QEMU device removed (device_del) during a large read and
#                    added back: no crash, gadget unplugged, then back, disk identical
#   fault-blackhole-idle / fault-blackhole-read
#                    every packet to and from port 3240 dropped (nftables), idle
#                    and during a read: detected within dead_peer_timeout + 2 s; after
#                    the link is back the gadget returns. Linux's usbip-host sets no
#                    keepalive, so a server that had nothing to send keeps its
#                    half-open connection and answers re-imports "busy" until it
#                    notices (idle case: it does not; the test then releases the
#                    device on the server, as an administrator must); a server with
#                    data in flight notices on its next retransmission (read case).
# Times are from the guest's uptime, the clock of dmesg and of gadgetd's log.
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001
#@timeout 330
. "$LAB_REPO/tests/lab/faultlib.sh"
J=fault-server
need_gadgetd $J
need_cmd $J nft ss socat usbip usbipd pidof
fault_setup $J
blackhole_prepare || { result $J FAIL "nftables: cannot create the table (nf_tables module?)"; job_end; exit 1; }
DPT=5 RMAX=2
# read-ahead off: it makes the server send in bursts, with no data in flight
# while the host reads from the buffer, and the read case is about a server
# with data in flight (with none, it is the idle case)
cat > /tmp/fault.cfg <<EOF
dead_peer_timeout = $DPT;
retry = { min = 1; max = $RMAX; };
readahead = false;
EOF
gadgetd_start server --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --profile /tmp/fault.cfg -v
G=$(gadgetd_wait_gadget $STICK 60) && SD=$(disk_of "$G" 30) ||
	{ result $J FAIL "the gadget or its disk did not appear"; gadgetd_stop $J; job_end; exit 1; }
log "gadget $G, /dev/$SD"

alive_or_fail() {  # alive_or_fail NAME: FAIL and stop the job when gadgetd died
	pid_alive "$GPID" && return 0
	wait "$GPID"; result "$1" FAIL "gadgetd exited (status $?): $(tail -2 "$GLOG" | short | tr '\n' ' ')"
	GPID=; job_end; exit 1
}

# ---------------------------------------------------------------- usbipd killed + unbind
N=fault-usbipd
M=$(log_mark)
# shellcheck disable=SC2046 # its PIDs
kill $(pidof usbipd)
wait_for 5 eval '! tcp_listening 3240' || log "usbipd still listening"
gadget_there && log "after usbipd was killed the gadget stays: the kernel's stub holds the connection"
T=$(now_ms)
usbip unbind -b "$B" >/dev/null
wait_for 15 gadget_gone
td=$(dmesg_at "$T" " $G: USB disconnect"); tl=$(log_at "$T" "closed the connection|went away")
why=$(log_since "$M" "closed the connection: unplugging|went away: unplugging" | short)
alive_or_fail $N
# while usbipd is down gadgetd retries (connection refused) with a growing delay
# until it is capped: wait for two waits of the maximum before usbipd returns
wait_for 20 eval '[ $(backoff_since $M | tr " " "\n" | grep -cx $RMAX) -ge 2 ]' ||
	log "the backoff did not reach $RMAX s twice: $(backoff_since "$M")"
refused=$(log_since "$M" "cannot connect" | short)
usbipd -D && wait_for 10 tcp_listening 3240 || { result $N FAIL "usbipd did not come back"; job_end; exit 1; }
waiting=$(log_wait 15 "$M" "waiting for it" | short)
T2=$(now_ms)
usbip bind -b "$B" >/dev/null
disk_check 40; ok=$?
tb=$(log_at "$T2" "bound to UDC"); te=$(dmesg_at "$T2" "usb ${G%%-*}-[0-9.]+: New USB device found")
back=$(backoff_since "$M")
bad=
[ -n "$td" ] && [ $(( td - T )) -le 2000 ] || bad="host side saw no disconnect within 2 s (${td:+$(secs $(( td - T ))) s})"
[ -n "$why" ] || bad="${bad:+$bad; }gadgetd logged no reason"
[ -n "$refused" ] || bad="${bad:+$bad; }no refused connect logged while usbipd was down"
[ -n "$waiting" ] || bad="${bad:+$bad; }no 'waiting for it' while the busid was not exported"
[ -n "$te" ] && [ -n "$tb" ] && [ -n "$tl" ] || bad="${bad:+$bad; }no enumeration (dmesg) or no 'bound to UDC' (log) after the bind"
# 1 s after the session, then min doubling up to max: "1 1 2 2 ..." for 1..2
prev=0
for d in $back; do
	[ "$d" -le $RMAX ] || bad="${bad:+$bad; }backoff $d s > max $RMAX"
	[ "$d" -ge $prev ] || bad="${bad:+$bad; }backoff shrank ($back)"
	prev=$d
done
case " $back " in *" $RMAX $RMAX "*) ;; *) bad="${bad:+$bad; }backoff not capped at $RMAX s ($back)";; esac
[ $ok = 0 ] || bad="${bad:+$bad; }$DISK_MSG"
if [ -z "$bad" ]; then
	result $N PASS "detect $(secs $(( td - T ))) s (unbind -> host disconnect; gadgetd $(secs $(( tl - T ))) s: $why)," \
		"recover $(secs $(( te - T2 ))) s (bind -> host enumerates; gadget bound $(secs $(( tb - T2 ))) s)," \
		"backoff $back s; $DISK_MSG"
else
	result $N FAIL "$bad"
fi
alive_or_fail $N

# ---------------------------------------------------------------- device_del during a read
N=fault-unplug
G=$DISK_G SD=$DISK_SD
M=$(log_mark)
bg_read "$SD"
wait_for 30 read_started 1048576 || log "the background read did not start"
T=$(now_ms)
qemu_monitor "device_del stickdev" >/dev/null
wait_for 20 gadget_gone
wait_for 20 eval '! test -e /sys/bus/usb/devices/$B'
ts=$(dmesg_at "$T" " $B: USB disconnect"); td=$(dmesg_at "$T" " $G: USB disconnect")
why=$(log_since "$M" "closed the connection: unplugging|went away: unplugging" | short)
wait_for 30 test -n "$(bg_read_rc)"
rrc=$(bg_read_rc)
alive_or_fail $N
# the drive went with the device (QEMU deletes a -drive backend with its device)
qemu_monitor "drive_add 0 if=none,id=stick,format=raw,file=$LAB_CACHE/out/$LAB_NAME/disk.img" >/dev/null
T2=$(now_ms)
qemu_monitor "device_add usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001" >/dev/null
how="usbip-host took it back by itself"
if wait_for 20 test -e "/sys/bus/usb/devices/$B/driver" && ! wait_for 3 bound_to_usbip "$B"; then
	how="bound again with usbip bind (it came back on driver $(basename "$(readlink -f "/sys/bus/usb/devices/$B/driver")"))"
	usbip bind -b "$B" >/dev/null
fi
disk_check 40; ok=$?
tb=$(log_at "$T2" "bound to UDC")
trouble=$(kernel_trouble "$T")
bad=
[ -n "$td" ] && [ -n "$ts" ] || bad="no disconnect in dmesg (server side ${ts:-none}, host side ${td:-none})"
[ -n "$tb" ] || bad="${bad:+$bad; }no 'bound to UDC' after device_add"
[ -n "$why" ] || bad="${bad:+$bad; }gadgetd logged no reason"
[ "$rrc" != 0 ] || bad="${bad:+$bad; }the read ended without an error: the unplug was not during the read"
[ -z "$trouble" ] || bad="${bad:+$bad; }kernel: $trouble"
[ $ok = 0 ] || bad="${bad:+$bad; }$DISK_MSG"
if [ -z "$bad" ]; then
	result $N PASS "detect $(secs $(( td - ts ))) s (server-side disconnect -> host disconnect; device_del itself" \
		"$(secs $(( ts - T ))) s; $why), read failed (dd status $rrc: $(grep -m1 -i error /tmp/bg_read.err | cut -c1-50))," \
		"recover $(secs $(( tb - T2 ))) s after device_add ($how); $DISK_MSG"
else
	result $N FAIL "$bad"
fi
alive_or_fail $N

# ---------------------------------------------------------------- black hole, idle
# detect: dead_peer_timeout + 2 s from the moment the rules are in place
N=fault-blackhole-idle
G=$DISK_G SD=$DISK_SD
M=$(log_mark)
T0=$(now_ms); blackhole_on 3240 || { result $N FAIL "nft: cannot add the rules"; job_end; exit 1; }; T=$(now_ms)
wait_for $(( DPT + 10 )) gadget_gone
td=$(dmesg_at "$T0" " $G: USB disconnect"); tl=$(log_at "$T0" "dead-peer timeout")
alive_or_fail $N
blackhole_off; T2=$(now_ms)
# the server has nothing in flight: does it ever notice? 10 s is 5 retries
back=no
wait_for 10 gadget_there && back=yes
st=$(cat "/sys/bus/usb/devices/$B/usbip_status" 2>/dev/null)
stale=$(tcp_conns 3240 | awk '$3 ~ /:3240$/ { print $4 }' | head -1)
busy=$(tail -n +$(( M + 1 )) "$GLOG" | grep -c "is busy")
alive_or_fail $N
how=
if [ $back = no ] && [ "$st" = 2 ] && [ -n "$stale" ] && [ "$busy" -gt 0 ]; then
	# what an administrator does: release the device on the server
	T3=$(now_ms)
	usbip unbind -b "$B" >/dev/null; usbip bind -b "$B" >/dev/null
	gadgetd_wait_gadget $STICK 30 >/dev/null && back=yes
	how="the server kept its half-open connection (usbip_status $st, peer $stale, no keepalive on the stub) and answered 'busy' ($busy times, gadgetd kept retrying); back $(secs $(( $(log_at "$T3" "bound to UDC") - T3 ))) s after usbip unbind + bind on the server"
elif [ $back = yes ]; then
	how="back by itself $(secs $(( $(log_at "$T2" "bound to UDC") - T2 ))) s after the link returned"
fi
bad=
[ -n "$tl" ] || bad="gadgetd logged no dead-peer timeout"
[ -n "$td" ] && [ $(( td - T )) -le $(( DPT * 1000 + 2000 )) ] ||
	bad="${bad:+$bad; }host side saw no disconnect within ${DPT}+2 s${td:+ ($(secs $(( td - T ))) s)}"
[ $back = yes ] || bad="${bad:+$bad; }not back (usbip_status $st, stale ${stale:-none}, busy $busy)"
if [ -z "$bad" ]; then
	result $N PASS "detect $(secs $(( td - T ))) s (bound $DPT + 2 s; gadgetd $(secs $(( tl - T ))) s; nft took $(secs $(( T - T0 ))) s), $how"
else
	result $N FAIL "$bad"
fi

# ---------------------------------------------------------------- black hole during a read
N=fault-blackhole-read
G=$(gadgetd_wait_gadget $STICK 30) && SD=$(disk_of "$G" 30) ||
	{ result $N FAIL "the gadget or its disk is not there"; gadgetd_stop $J; job_end; exit 1; }
M=$(log_mark)
bg_read "$SD"
wait_for 30 read_started 1048576 || log "the background read did not start"
T0=$(now_ms); blackhole_on 3240; T=$(now_ms)
wait_for $(( DPT + 10 )) gadget_gone
td=$(dmesg_at "$T0" " $G: USB disconnect"); tl=$(log_at "$T0" "dead-peer timeout")
alive_or_fail $N
inflight=$(tcp_conns 3240 | awk '$3 ~ /:3240$/ { print $2 }' | head -1)
blackhole_off; T2=$(now_ms)
disk_check 45; ok=$?
tb=$(log_at "$T2" "bound to UDC")
busy=$(tail -n +$(( M + 1 )) "$GLOG" | grep -c "is busy")
bad=
[ -n "$tl" ] || bad="gadgetd logged no dead-peer timeout"
[ -n "$td" ] && [ $(( td - T )) -le $(( DPT * 1000 + 2000 )) ] ||
	bad="${bad:+$bad; }host side saw no disconnect within ${DPT}+2 s${td:+ ($(secs $(( td - T ))) s)}"
[ -n "$tb" ] || bad="${bad:+$bad; }no 'bound to UDC' after the link returned"
[ $ok = 0 ] || bad="${bad:+$bad; }after the link returned: $DISK_MSG (usbip_status $(cat /sys/bus/usb/devices/$B/usbip_status))"
if [ -z "$bad" ]; then
	result $N PASS "detect $(secs $(( td - T ))) s (bound $DPT + 2 s; gadgetd $(secs $(( tl - T ))) s)," \
		"recover $(secs $(( tb - T2 ))) s after the link returned by itself (server had ${inflight:-?} bytes" \
		"unacknowledged: its retransmission met a RST; 'busy' $busy times before); $DISK_MSG"
else
	result $N FAIL "$bad"
fi
gadgetd_stop $J
job_end
