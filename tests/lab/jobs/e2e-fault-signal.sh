# SPDX-License-Identifier: GPL-2.0-or-later
# SIGTERM at every stage, resources across reconnects, and the allow policy, with
# the ASan/UBSan gadgetd (build-san/gadgetd, `make SANITIZE=1`): LeakSanitizer
# reports at exit, so every exit here is also a leak check (issue 4 part 5).
#   fault-lsan-control          a leaking ASan program is reported here (else the
#                               checks below prove nothing)
#   fault-sigterm-connect       connecting to a black-holed port (SYN dropped)
#   fault-sigterm-import        a listener that accepts and never answers
#   fault-sigterm-descriptors   a server that answers the import, then no URB
#   fault-sigterm-enumeration   right after the gadget is bound to the UDC
#   fault-allow-match           allow list that names the stick: presented, reads
#   fault-fds                   /proc/PID/fd the same after two reconnect cycles
#   fault-sigterm-transfer      during a large read
#   fault-allow-devices / fault-allow-classes
#                               allow lists that exclude the stick: refused with a
#                               log line, exit 1, the host side never sees it
# Each SIGTERM case: exit status 0 within 7 s (LeakSanitizer runs at exit), ConfigFS empty, no sanitizer report.
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001
#@timeout 330
. "$LAB_REPO/tests/lab/faultlib.sh"
J=fault-signal
GADGETD=$GADGETD_SAN
need_cmd $J "$GADGETD" nft ss socat usbip
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
if lsan_control; then result fault-lsan-control PASS "LeakSanitizer works in the lab: $LSAN_MSG"
else result fault-lsan-control FAIL "$LSAN_MSG: the leak checks below would prove nothing"; fi
fault_setup $J
blackhole_prepare || { result $J FAIL "nftables: cannot create the table"; job_end; exit 1; }
cat > /tmp/sig.cfg <<EOF
retry = { min = 1; max = 2; };
allow = { devices = [ "46f4:0001" ]; classes = [ 8 ]; };
EOF

# sigterm NAME WHAT: SIGTERM to $GPID; exit 0 within 5 s, ConfigFS empty, no report
sigterm() {
	local n=$1 what=$2 T rep
	if ! pid_alive "$GPID"; then
		wait "$GPID"; result "$n" FAIL "gadgetd exited (status $?) before SIGTERM: $(tail -2 "$GLOG" | short | tr '\n' ' ')"
		GPID=; return 1
	fi
	T=$(now_ms)
	kill -TERM "$GPID"
	gadgetd_exit_within 10 || { kill -KILL "$GPID"; wait "$GPID"; GPID=; }
	local dt=$(( $(now_ms) - T ))
	wait_for 3 configfs_clean
	rep=$(sanitizer_report "$GLOG")
	if [ "$GRC" = 0 ] && [ $dt -le 7000 ] && configfs_clean && [ -z "$rep" ]; then
		result "$n" PASS "$what: exit 0 $(secs $dt) s after SIGTERM, ConfigFS empty, no sanitizer report"
	else
		result "$n" FAIL "$what: status $GRC after $(secs $dt) s, ConfigFS: $(ls /sys/kernel/config/usb_gadget | tr '\n' ' ')${rep:+, $rep}"
	fi
}
# start_in_phase NAME WHAT SECS TEST...: start gadgetd (args in GARGS), wait for
# TEST to hold, then SIGTERM
start_in_phase() {
	local n=$1 what=$2 secs=$3; shift 3
	gadgetd_start "$n" "${GARGS[@]}" -v
	if wait_for "$secs" "$@"; then
		sigterm "$n" "$what"
	else
		result "$n" FAIL "never reached the stage ($what): $(tail -2 "$GLOG" | short | tr '\n' ' ')"
		pid_alive "$GPID" && { kill -KILL "$GPID"; wait "$GPID"; }
		GPID=
	fi
}

# ---------------------------------------------------------------- the early stages
blackhole_on 3239
GARGS=(--remote 127.0.0.1:3239 --busid "$B" --udc dummy_udc.0)
start_in_phase fault-sigterm-connect "in connect() to a black-holed port" 15 \
	eval 'ss -tnH state syn-sent "( dport = :3239 )" | grep -q .'
blackhole_off

hang_listener 3997 || log "the hanging listener did not start"
GARGS=(--remote 127.0.0.1:3997 --busid "$B" --udc dummy_udc.0)
start_in_phase fault-sigterm-import "waiting for OP_REP_IMPORT from a silent listener" 15 \
	eval 'tcp_conns 3997 | awk "\$3 !~ /:3997\$/" | grep -q .'
kill "$HANG_PID" 2>/dev/null

mute_importer 3996 "$B" 46f4 0001 || log "the mute importer did not start"
GARGS=(--remote 127.0.0.1:3996 --busid "$B" --udc dummy_udc.0)
start_in_phase fault-sigterm-descriptors "reading descriptors from a device that does not answer" 15 \
	eval 'grep -q "imported $B from 127.0.0.1:3996" "$GLOG"'
kill "$MUTE_PID" 2>/dev/null

T=$(now_ms)
GARGS=(--remote 127.0.0.1 --busid "$B" --udc dummy_udc.0)
start_in_phase fault-sigterm-enumeration "just bound to the UDC, the host enumerating" 40 \
	eval 'grep -q "bound to UDC" "$GLOG"'
# the host saw the gadget come and go, and the server has the device available again
if wait_for 10 gadget_gone && wait_for 10 grep -qx 1 "/sys/bus/usb/devices/$B/usbip_status"; then
	log "after the enumeration SIGTERM: gadget gone, $B available again"
else
	result fault-sigterm-enumeration-after FAIL "gadget $(gadget_dev $STICK) still there or $B usbip_status $(cat "/sys/bus/usb/devices/$B/usbip_status")"
fi

# ---------------------------------------------------------------- a session: policy, fds, transfer
N=fault-allow-match
gadgetd_start sig-session --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --profile /tmp/sig.cfg -v
if disk_check 60; then
	result $N PASS "allow devices [46f4:0001] classes [8]: presented; $DISK_MSG"
else
	result $N FAIL "allow devices [46f4:0001] classes [8]: $DISK_MSG; $(tail -2 "$GLOG" | short | tr '\n' ' ')"
fi

N=fault-fds
f0=$(fd_count "$GPID") l0=$(fd_list "$GPID")
counts="$f0"
for cyc in 1 2; do
	M=$(log_mark); T=$(now_ms)
	usbip unbind -b "$B" >/dev/null
	wait_for 10 gadget_gone
	log_wait 10 "$M" "waiting for it|cannot connect|retrying" >/dev/null
	usbip bind -b "$B" >/dev/null
	G=$(gadgetd_wait_gadget $STICK 30) && disk_of "$G" 30 >/dev/null || break
	counts="$counts -> $(fd_count "$GPID")"
done
f2=$(fd_count "$GPID") l2=$(fd_list "$GPID")
if [ "$cyc" = 2 ] && [ -n "$G" ] && [ "$f2" = "$f0" ] && [ "$l2" = "$l0" ]; then
	result $N PASS "open fds $counts over two reconnect cycles (usbip unbind/bind): $l0"
else
	result $N FAIL "open fds $counts (cycle $cyc, gadget ${G:-gone}): before $l0, after $l2"
fi

N=fault-sigterm-transfer
if G=$(gadgetd_wait_gadget $STICK 20) && SD=$(disk_of "$G" 20); then
	bg_read "$SD"
	if wait_for 30 read_started 2097152; then
		sigterm $N "during a full-disk read ($(awk '$1 == "rchar:" { print int($2 / 1048576) }' /proc/$(pgrep -P "$READ_PID" -x dd)/io 2>/dev/null) MiB in)"
		wait_for 20 test -n "$(bg_read_rc)"
		log "the read ended with status $(bg_read_rc): $(tail -1 /tmp/bg_read.err)"
	else
		result $N FAIL "the read did not start"; sigterm $N-anyway "after a read that did not start"
	fi
else
	result $N FAIL "no gadget or disk for the transfer case"; sigterm $N-anyway "without a gadget"
fi

# ---------------------------------------------------------------- refused by the policy
refused() {  # refused NAME PROFILE-ALLOW-LINE EXPECTED-REASON
	local n=$1 allow=$2 want=$3 T rc seen='' rep msg
	printf 'allow = %s;\n' "$allow" > "/tmp/$n.cfg"
	wait_for 10 gadget_gone
	T=$(now_ms)
	gadgetd_start "$n" --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --profile "/tmp/$n.cfg" -v
	while pid_alive "$GPID" && [ $(( $(now_ms) - T )) -lt 30000 ]; do
		gadget_there && seen=yes
		configfs_clean || seen="${seen:+$seen, }configfs"
		sleep 0.2
	done
	gadgetd_exit_within 1 || { kill -KILL "$GPID"; wait "$GPID"; GPID=; }
	rc=$GRC
	msg=$(grep -m1 "refused by the profile's allow policy" "$GLOG" | short)
	rep=$(sanitizer_report "$GLOG")
	[ -n "$(dmesg_at "$T" "New USB device found")" ] && seen="${seen:+$seen, }dmesg"
	if [ "$rc" = 1 ] && [ -n "$msg" ] && case $msg in *"$want"*) true;; *) false;; esac &&
	   [ -z "$seen" ] && configfs_clean && [ -z "$rep" ]; then
		result "$n" PASS "status 1 in $(secs $(( $(now_ms) - T ))) s: $msg; never on the host side, ConfigFS stayed empty"
	else
		result "$n" FAIL "status $rc, said: ${msg:-$(tail -2 "$GLOG" | short | tr '\n' ' ')}; seen: ${seen:-no}${rep:+; $rep}"
	fi
}
refused fault-allow-devices '{ devices = [ "1234:5678", "46f4:0002" ]; }' "46f4:0001 is not in allow.devices"
refused fault-allow-classes '{ classes = [ 3 ]; }' "0x08"
job_end
