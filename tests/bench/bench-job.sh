# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`, the guest half (tests/bench/run-bench.sh boots it once): gadgetd
# against the kernel's own USB/IP client (vhci_hcd) on the same exported devices,
# one after the other:
#   storage   QEMU usb-storage (high speed, usbipd): dd read and write, 1 MiB
#             blocks, O_DIRECT, at 0, 2, 10 and 50 ms RTT (netem on lo, delay
#             RTT/2 each way); at each RTT the clients take two turns, A B B A,
#             vhci first at 0 and 10 ms, gadgetd first at 2 and 50 ms
#   keyboard  QEMU usb-kbd: `sendkey a` through the monitor; latency from the
#             server-side URB completion (usbmon, the keyboard's bus) to the
#             host-side evdev event (both CLOCK_MONOTONIC), press and release
#   bulk      usbip-sim (tests/bench/bulk.cfg): bulk OUT and IN at 512 B, 16 KiB
#             and 64 KiB URBs one at a time, and 64 KiB with 8 in flight; the
#             control round trip of a 64-byte vendor IN request
# and gadgetd's CPU time per MiB relayed (utime + stime) and peak RSS (VmHWM);
# then storage through gadgetd with and without --capture.
# Writes tab-separated lines "TEST RTT CLIENT VALUE" (and "# NOTE" lines) to
# $LAB_OUT/bench.tsv; run-bench.sh makes the table. Nothing here is asserted:
# a measurement that cannot be made is missing from the file, and said why.
#@qemu -device qemu-xhci,id=xhci -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0001
#@qemu -device usb-kbd,id=kbd,bus=xhci.0
#@timeout 1800
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
BIN=$(dirname "$GADGETD")
SIM=$BIN/tools/usbip-sim
BX=$BIN/tools/bench-xfer
SIMDEV=$LAB_REPO/tests/bench/bulk.cfg
SIMID=1209:5159
TSV=$LAB_OUT/bench.tsv
RTTS="0 2 10 50"
KEYS=10          # sendkey a, per client: 2 events each (press, release)
CTRLS=300        # control round trips per client
BULK_SECS=3      # per bulk run (or until its byte limit)
TICK=$(getconf CLK_TCK)
: > "$TSV"
T_START=$SECONDS

rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$TSV"; log "bench: $1, RTT $2, $3: $4"; }
note() { printf '#\t%s\n' "$*" >> "$TSV"; log "bench: note: $*"; }
phase() { log "==== $* (at $((SECONDS - T_START)) s)"; }
missing() { note "MISSING: $*"; }

for b in "$GADGETD" "$SIM" "$BX"; do
	[ -x "$b" ] || { missing "$b is missing (make bench builds it)"; exit 1; }
done

# ------------------------------------------------------------ helpers
# netem RTT-MS: delay RTT/2 on lo, so a round trip over loopback takes RTT more
netem() {
	tc qdisc del dev lo root 2>/dev/null
	[ "$1" = 0 ] && return 0
	tc qdisc add dev lo root netem delay "$(awk -v r="$1" 'BEGIN { printf "%gms", r / 2 }')" limit 100000
}
# ping_rtt: the measured loopback round trip (ms, mean of 5)
ping_rtt() { ping -n -q -c 5 -i 0.2 127.0.0.1 2>/dev/null | awk -F/ '/^rtt|^round-trip/ { print $5 }'; }

# cpu_ticks PID...: utime + stime of the processes (clock ticks)
cpu_ticks() {
	local p s=0 v
	for p in "$@"; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		s=$((s + ${v:-0}))
	done
	echo $s
}
# vhci_threads: the pids of the vhci_rx/vhci_tx kernel threads (the kernel client's relay)
vhci_threads() { grep -lx 'vhci_[rt]x' /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3 | tr '\n' ' '; }
hwm_kib() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
# ms_per_mib TICKS BYTES
ms_per_mib() { awk -v t="$1" -v b="$2" -v k="$TICK" 'BEGIN { if (b > 0) printf "%.1f", t * 1000 / k / (b / 1048576) }'; }

# getv LINE KEY: FV = the value of KEY=... in a RES line
getv() { local l=" $1 "; FV=; case $l in *" $2="*) l=${l#* "$2"=}; FV=${l%% *};; *) return 1;; esac; }
usbnode() { printf '/dev/bus/usb/%03d/%03d' "$(cat "/sys/bus/usb/devices/$1/busnum")" "$(cat "/sys/bus/usb/devices/$1/devnum")"; }
configured() { [ -n "$(cat "/sys/bus/usb/devices/$1/bConfigurationValue" 2>/dev/null)" ]; }

# vhci_attach BUSID [PORT]: the kernel's client imports BUSID from 127.0.0.1
vhci_attach() { usbip ${2:+--tcp-port "$2"} attach -r 127.0.0.1 -b "$1"; }
vhci_detach() {
	local p
	for p in $(usbip port 2>/dev/null | sed -n 's/^Port \([0-9]*\):.*/\1/p'); do
		usbip detach -p $((10#$p)) >/dev/null 2>&1
	done
	wait_for 15 eval '! vhci_dev >/dev/null'
}

# gd_start TAG ARGS...: gadgetd at its usual log level (no -v), its log on the
# guest's tmpfs (GLOG; copied to $LAB_OUT when it stops): a log line written
# through 9p to the host would cost more than one on a real board
gd_start() {
	local t=$1; shift
	GLOG=/tmp/gadgetd-bench-$t.log
	log "gadgetd $* --udc dummy_udc.0"
	"$GADGETD" --log-time=mono "$@" --udc dummy_udc.0 > "$GLOG" 2>&1 &
	GPID=$!
}
gd_stop() {
	[ -n "${GPID:-}" ] || return 0
	kill -TERM "$GPID" 2>/dev/null
	for _ in $(seq 100); do pid_alive "$GPID" || break; sleep 0.1; done
	pid_alive "$GPID" && { echo "bench: gadgetd did not exit on SIGTERM" >&2; kill -KILL "$GPID"; }
	wait "$GPID" 2>/dev/null
	GPID=
	cp "$GLOG" "$LAB_OUT/"
	wait_for 10 eval '! gadget_dev >/dev/null'
}

# ------------------------------------------------------------ the sides
phase "setting up"
mods vhci_hcd usb_storage sd_mod usbhid hid_generic evdev sch_netem usbmon
server_up || { missing "the usbip server side did not come up"; exit 1; }
SB=$(export_dev 46f4:0001) || { missing "cannot export the usb-storage stick"; exit 1; }
KB=$(export_dev 0627:0001 Keyboard) || { missing "cannot export the usb-kbd"; exit 1; }
gadget_side_up || { missing "the gadget side (dummy_hcd, ConfigFS) did not come up"; exit 1; }
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
log "storage $SB ($(cat /sys/bus/usb/devices/$SB/speed) Mb/s), keyboard $KB; $(nproc) CPUs in the guest"
head -c 8M /dev/urandom > /tmp/wpat

# ------------------------------------------------------------ storage
# dd_io DD-ARGS...: one timed dd; DD_B bytes in DD_S seconds (dd's own "N bytes
# ... copied, S s, ..."); 1 and DD_ERR when dd failed
dd_io() {
	local out
	DD_B='' DD_S=''
	out=$(timeout 600 dd "$@" 2>&1) || { DD_ERR=$(echo "$out" | tail -1); return 1; }
	read -r DD_B DD_S <<< "$(echo "$out" | awk '/copied/ { print $1, $(NF - 3) }')"
	[ -n "$DD_S" ] || { DD_ERR="no summary from dd"; return 1; }
}
addf() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.2f", b / s / 1e6 }'; }
# storage_run CLIENT RTT SD PID...: one turn: a 16 MiB read, then an 8 MiB write
# (4 and 2 MiB at 50 ms), 1 MiB blocks, O_DIRECT; adds the bytes and seconds to
# RB/RS/WB/WS[CLIENT], the bytes to MOVED[CLIENT], the CPU ticks of PIDs to CPU[CLIENT]
storage_run() {
	local c=$1 rtt=$2 sd=$3 rd=16 wr=8 t0 ok=1; shift 3
	[ "$rtt" -ge 50 ] && { rd=4; wr=2; }
	timeout 120 dd if="/dev/$sd" of=/dev/null bs=1M count=2 iflag=direct 2>/dev/null  # warm-up
	netem "$rtt" || { missing "tc netem on lo failed"; return 1; }
	t0=$(cpu_ticks "$@")
	if dd_io if="/dev/$sd" of=/dev/null bs=1M count=$rd iflag=direct; then
		RB[$c]=$((RB[$c] + DD_B)); RS[$c]=$(addf "${RS[$c]}" "$DD_S")
		if dd_io if=/tmp/wpat of="/dev/$sd" bs=1M count=$wr oflag=direct conv=fsync; then
			WB[$c]=$((WB[$c] + DD_B)); WS[$c]=$(addf "${WS[$c]}" "$DD_S")
		else ok=; fi
	else ok=; fi
	CPU[$c]=$((CPU[$c] + $(cpu_ticks "$@") - t0))
	netem 0
	[ -n "$ok" ] || { missing "storage, $c, $rtt ms: dd failed: $DD_ERR"; return 1; }
	MOVED[$c]=$((MOVED[$c] + rd * 1048576 + wr * 1048576))
}
storage_vhci() {
	local rtt=$1 V SD
	vhci_attach "$SB" || { missing "usbip attach $SB failed"; return 1; }
	if wait_for 30 eval 'V=$(vhci_dev 46f4:0001) && SD=$(block_behind $V)'; then
		# shellcheck disable=SC2046 # one word per thread
		storage_run vhci "$rtt" "$SD" $(vhci_threads)
	else
		missing "storage, vhci, $rtt ms: no disk behind vhci_hcd"
	fi
	vhci_detach
	wait_for 15 usbip_available "$SB" || missing "$SB is not available again after usbip detach"
}
storage_gadgetd() {
	local rtt=$1 G SD h
	gd_start "storage-$rtt-$2" --remote 127.0.0.1 --busid "$SB"
	if G=$(gadgetd_wait_gadget 46f4:0001 60) && wait_for 30 eval 'SD=$(block_behind $G)'; then
		storage_run gadgetd "$rtt" "$SD" "$GPID"
		h=$(hwm_kib "$GPID"); [ "${h:-0}" -gt "$HWM_storage" ] && HWM_storage=$h
	else
		missing "storage, gadgetd, $rtt ms: no disk behind the gadget ($(tail -2 "$GLOG" | tr '\n' ' '))"
	fi
	gd_stop
	wait_for 15 usbip_available "$SB" || missing "$SB is not available again after gadgetd"
}

phase "storage"
declare -A MOVED=([vhci]=0 [gadgetd]=0) CPU=([vhci]=0 [gadgetd]=0) RB RS WB WS
HWM_storage=0
i=0
for rtt in $RTTS; do
	netem "$rtt"; note "RTT $rtt ms: ping 127.0.0.1 measures $(ping_rtt) ms"; netem 0
	RB=([vhci]=0 [gadgetd]=0) RS=([vhci]=0 [gadgetd]=0) WB=([vhci]=0 [gadgetd]=0) WS=([vhci]=0 [gadgetd]=0)
	if [ $((i % 2)) = 0 ]; then order="vhci gadgetd gadgetd vhci"; else order="gadgetd vhci vhci gadgetd"; fi
	turn=0
	for c in $order; do
		turn=$((turn + 1))
		if [ "$c" = vhci ]; then storage_vhci "$rtt"; else storage_gadgetd "$rtt" "$turn"; fi
	done
	for c in vhci gadgetd; do
		[ "${RS[$c]}" != 0 ] || continue
		rec "storage read, MB/s" "$rtt" "$c" "$(mbps "${RB[$c]}" "${RS[$c]}")"
		rec "storage write, MB/s" "$rtt" "$c" "$(mbps "${WB[$c]}" "${WS[$c]}")"
	done
	i=$((i + 1))
done
rec "CPU per MiB relayed, storage, ms" "all" gadgetd "$(ms_per_mib "${CPU[gadgetd]}" "${MOVED[gadgetd]}")"
rec "CPU per MiB relayed, storage, ms" "all" vhci "$(ms_per_mib "${CPU[vhci]}" "${MOVED[vhci]}")"
rec "peak RSS (VmHWM), storage, MiB" "-" gadgetd "$(awk -v k=$HWM_storage 'BEGIN { printf "%.1f", k / 1024 }')"

# ------------------------------------------------------------ --capture
# What --capture costs: gadgetd at 0 ms without it and with a pcap file (every
# URB, data up to the default snaplen) on the guest's tmpfs, two turns each,
# alternating; the same reads and writes as above.
phase "storage, --capture"
RB=([cap0]=0 [cap1]=0) RS=([cap0]=0 [cap1]=0) WB=([cap0]=0 [cap1]=0) WS=([cap0]=0 [cap1]=0)
for c in cap0 cap1 cap1 cap0; do
	capargs=()
	[ "$c" = cap1 ] && capargs=(--capture /tmp/bench.pcap)
	gd_start "capture-$c" --remote 127.0.0.1 --busid "$SB" "${capargs[@]}"
	if G=$(gadgetd_wait_gadget 46f4:0001 60) && wait_for 30 eval 'SD=$(block_behind $G)'; then
		storage_run "$c" 0 "$SD" "$GPID"
	else
		missing "storage, gadgetd $c: no disk behind the gadget ($(tail -2 "$GLOG" | tr '\n' ' '))"
	fi
	gd_stop
	[ "$c" = cap1 ] && note "--capture wrote $(stat -c %s /tmp/bench.pcap 2>/dev/null || echo 0) bytes in one turn"
	rm -f /tmp/bench.pcap /tmp/bench.pcap.1
	wait_for 15 usbip_available "$SB" || missing "$SB is not available again after gadgetd"
done
for c in cap0 cap1; do
	[ "${RS[$c]}" != 0 ] || continue
	if [ "$c" = cap1 ]; then w="with --capture"; else w="without --capture"; fi
	rec "storage read, $w, MB/s" 0 gadgetd "$(mbps "${RB[$c]}" "${RS[$c]}")"
	rec "storage write, $w, MB/s" 0 gadgetd "$(mbps "${WB[$c]}" "${WS[$c]}")"
done

# ------------------------------------------------------------ keyboard
# hid_run CLIENT EVENTN: KEYS x sendkey a; the latency of each press and release
# from the server-side completion (usbmon, text: CLOCK_MONOTONIC mod 4096 s in µs)
# to the host-side evdev event
hid_run() {
	local c=$1 ev=$2 bus dev monpid evpid res
	bus=$(cat "/sys/bus/usb/devices/$KB/busnum"); dev=$(printf '%03d' "$(cat "/sys/bus/usb/devices/$KB/devnum")")
	cat "/sys/kernel/debug/usb/usbmon/${bus}u" > "/tmp/mon-$c.txt" & monpid=$!
	"$BX" evdev "/dev/input/$ev" 120 $((2 * KEYS)) > "/tmp/ev-$c.txt" & evpid=$!
	wait_for 5 grep -q READY "/tmp/ev-$c.txt"
	sleep 1
	for _ in $(seq "$KEYS"); do qemu_monitor "sendkey a" >/dev/null; sleep 0.2; done
	wait_for 10 eval '[ "$(grep -c "^KEY code=30 " /tmp/ev-$c.txt)" -ge $((2 * KEYS)) ]'
	kill "$monpid" "$evpid" 2>/dev/null; wait "$monpid" "$evpid" 2>/dev/null
	cp "/tmp/mon-$c.txt" "/tmp/ev-$c.txt" "$LAB_OUT/" 2>/dev/null
	# pair the k-th press (release) on the server with the k-th press (release) on evdev
	res=$( { awk -v a="Ii:$bus:$dev:" '$3 == "C" && index($4, a) == 1 && $5 ~ /^0(:|$)/ && $6 == 8 {
			kind = ($8 $9 == "0000000000000000") ? "r" : "p"; print "M", kind, $2 }' "/tmp/mon-$c.txt"
		awk '$1 == "KEY" && $2 == "code=30" && ($3 == "value=1" || $3 == "value=0") {
			split($4, t, "="); split(t[2], s, "."); kind = ($3 == "value=1") ? "p" : "r"
			print "E", kind, (s[1] % 4096) * 1000000 + s[2] }' "/tmp/ev-$c.txt"; } |
		awk '$1 == "M" { m[$2, ++nm[$2]] = $3 } $1 == "E" { e[$2, ++ne[$2]] = $3 }
		END { for (k = 1; k <= 2; k++) { kind = k == 1 ? "p" : "r"
			for (i = 1; i <= ne[kind] && i <= nm[kind]; i++) {
				d = e[kind, i] - m[kind, i]; if (d < -2048e6) d += 4096e6
				if (d >= 0 && d < 5e6) print d / 1000; else bad++ } }
			if (bad) print "bad", bad }' | sort -n |
		awk '$1 == "bad" { bad = $2; next } { v[++n] = $1; s += $1 }
		END { if (n) printf "%.2f %.2f %.2f %.2f %d %d\n", s / n, v[int((n + 1) / 2)], v[1], v[n], n, bad }')
	if [ -n "$res" ]; then
		set -- $res
		rec "HID key to evdev event, mean ms" 0 "$c" "$1"
		rec "HID key to evdev event, median ms" 0 "$c" "$2"
		note "HID $c: $5 events (of $((2 * KEYS))): mean $1 ms, median $2, min $3, max $4$([ "$6" = 0 ] || echo ", $6 unpaired")"
	else
		missing "HID, $c: no latency measured ($(grep -c '^KEY' /tmp/ev-$c.txt) evdev key events, $(grep -c ' C Ii:' /tmp/mon-$c.txt) usbmon completions)"
	fi
}

phase "keyboard"
vhci_attach "$KB" || missing "usbip attach $KB failed"
if wait_for 30 eval 'K=$(vhci_dev 0627:0001) && EV=$(event_behind $K)'; then
	hid_run vhci "$EV"
else
	missing "HID, vhci: no keyboard event node behind vhci_hcd"
fi
vhci_detach
wait_for 15 usbip_available "$KB" || missing "$KB is not available again after usbip detach"
gd_start kbd --remote 127.0.0.1 --busid "$KB"
if G=$(gadgetd_wait_gadget 0627:0001 60) && wait_for 30 eval 'EV=$(event_behind $G)'; then
	hid_run gadgetd "$EV"
else
	missing "HID, gadgetd: no keyboard event node behind the gadget"
fi
gd_stop

# ------------------------------------------------------------ simulated bulk device
sim_up() {
	"$SIM" --listen 127.0.0.1:3241 --device "$SIMDEV" > "$LAB_OUT/sim-$1.log" 2>&1 & SIMPID=$!
	wait_for 20 grep -q 'ready on' "$LAB_OUT/sim-$1.log"
}
sim_down() { kill -TERM "$SIMPID" 2>/dev/null; wait "$SIMPID" 2>/dev/null; SIMPID=; }
# sim_idle: wait (at most 60 s) until usbip-sim has filled its IN programs, i.e.
# used no CPU for a second
sim_idle() {
	local a b
	for _ in $(seq 60); do
		a=$(cpu_ticks "$SIMPID"); sleep 1; b=$(cpu_ticks "$SIMPID")
		[ "$a" = "$b" ] && return 0
	done
	note "usbip-sim was still busy after 60 s"
}

# bulk_runs CLIENT NODE PID...: the control round trip, then OUT and IN at each
# size; the CPU time of PIDs per MiB over the bulk runs. Endpoints by position
# (#1 is the OUT sink, #2..#5 the IN sources): FunctionFS renumbers them.
bulk_runs() {
	local c=$1 n=$2 l size depth ep mb lab t0 t1 bytes=0; shift 2
	l=$("$BX" "$n" ctrl 0xc0 1 64 "$CTRLS")
	if getv "$l" mean_ms; then
		rec "control IN 64 B (vendor), mean ms" 0 "$c" "$FV"
		getv "$l" median_ms; rec "control IN 64 B (vendor), median ms" 0 "$c" "$FV"
	else
		missing "control, $c: $l"
	fi
	note "control $c: ${l#RES ctrl }"
	t0=$(cpu_ticks "$@")
	# SIZE DEPTH IN-EP MAX-MiB (each IN source holds 1 MiB more than its run may take)
	for run in "512 1 #2 3" "16384 1 #3 11" "65536 1 #4 19" "65536 8 #5 31"; do
		read -r size depth ep mb <<< "$run"
		case $size in 512) lab="512 B";; 16384) lab="16 KiB";; 65536) lab="64 KiB";; esac
		[ "$depth" = 1 ] || lab="$lab x$depth"
		for dir in out in; do
			l=$("$BX" "$n" "$dir" "$([ $dir = out ] && echo '#1' || echo "$ep")" "$size" "$depth" "$BULK_SECS" $((mb * 1048576)))
			if getv "$l" status && [ "$FV" = 0 ]; then
				getv "$l" mbps; rec "sim bulk $(echo $dir | tr a-z A-Z) $lab, MB/s" 0 "$c" "$FV"
				getv "$l" bytes; bytes=$((bytes + FV))
			else
				missing "sim bulk $dir $lab, $c: ${l:-no output}"
			fi
			[ $dir = out ] && "$BX" "$n" zlp '#1' >/dev/null
		done
	done
	t1=$(cpu_ticks "$@")
	rec "CPU per MiB relayed, sim bulk, ms" 0 "$c" "$(ms_per_mib $((t1 - t0)) $bytes)"
}

phase "simulated bulk device, vhci"
if sim_up vhci; then
	vhci_attach 1-1 3241 || missing "usbip --tcp-port 3241 attach -b 1-1 failed"
	if wait_for 60 eval 'V=$(vhci_dev $SIMID) && configured $V'; then
		N=$(usbnode "$V"); wait_for 10 test -c "$N"
		sim_idle
		# shellcheck disable=SC2046 # one word per thread
		bulk_runs vhci "$N" $(vhci_threads)
	else
		missing "sim, vhci: no device $SIMID behind vhci_hcd"
	fi
	vhci_detach
	sim_down
else
	missing "usbip-sim did not start: $(tail -2 "$LAB_OUT/sim-vhci.log")"
fi

phase "simulated bulk device, gadgetd"
if sim_up gadgetd; then
	gd_start sim --remote 127.0.0.1:3241 --busid 1-1
	if G=$(gadgetd_wait_gadget $SIMID 60) && wait_for 30 configured "$G"; then
		N=$(usbnode "$G"); wait_for 10 test -c "$N"
		sim_idle
		bulk_runs gadgetd "$N" "$GPID"
		rec "peak RSS (VmHWM), sim bulk, MiB" "-" gadgetd "$(awk -v k="$(hwm_kib "$GPID")" 'BEGIN { printf "%.1f", k / 1024 }')"
	else
		missing "sim, gadgetd: no gadget $SIMID on dummy_hcd ($(tail -2 "$GLOG" | tr '\n' ' '))"
	fi
	gd_stop
	sim_down
else
	missing "usbip-sim did not start: $(tail -2 "$LAB_OUT/sim-gadgetd.log")"
fi

phase "done"
note "guest: $(nproc) CPUs, kernel $(uname -r); lab time in the guest $((SECONDS - T_START)) s"
