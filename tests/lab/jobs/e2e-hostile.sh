# SPDX-License-Identifier: GPL-2.0-or-later
# A hostile USB/IP server (issue 4 part 3). usbip-sim's hostile modes
# (tests/sim/README.md, "Hostile modes") break the protocol in one way per case, and
# gadgetd -- the ASan+UBSan build (make SANITIZE=1), run with --once -- must end each
# case with a clear log line (a phrase is asserted) and a clean teardown: it exits by
# itself, non-zero but not by a signal (status 1..127), ConfigFS is empty, and its
# log has no AddressSanitizer, LeakSanitizer or UBSan report. The sim must have
# recorded its HOSTILE act (the case really happened). When the case hits a running
# gadget, the host side must have seen it come and go (dmesg) and no longer have it.
#
#   list-*    gadgetd --list: OP_REP_DEVLIST with ndev 0xffffffff, a count that lies,
#             a reply cut short, version 0x9999 (refused) and 0x0106 (listed)
#   import-*  OP_REP_IMPORT cut in its header and in its device record, naming
#             another busid, version 0x9999 (refused) and 0x0106 (accepted, logged)
#   desc-*    while gadgetd reads the descriptors: a RET_SUBMIT cut in its header and
#             in its data, unknown commands (7, CMD_SUBMIT, RET_UNLINK), an unknown
#             seqnum, actual_length of request + 1, 0x7fffffff and -1, endless bytes
#             and endless RET_UNLINKs after the import, a server that never answers
#             (the 10 s deadline per request)
#   lie-*     the descriptors lie: a device descriptor of 8 and of 17 bytes, bLength 0
#             (device, endpoint, string), wTotalLength 0xffff, 0, 9 and cut in the
#             middle of a descriptor, string descriptors of odd length
#   relay-*   the gadget is up and the host sends a vendor request (or gadgetd sends
#             its first bulk IN URB): the answer cut in its header and in its data,
#             unknown commands, an unknown seqnum, actual_length > request (ep0, bulk),
#             0x7fffffff, endless bytes; endless RET_UNLINKs (ignored, as Linux's vhci
#             does, but gadgetd's ep0 timeout and SIGTERM must still work); a server
#             that reads 640 bytes/s while the host writes: gadgetd's VmRSS stays
#             within 3 MiB of where it started (issue 9 part 3)
# One usbip-sim serves every case: it reads its hostile modes from a file for each
# new connection (--hostile-file), which saves a start per case under TCG.
#@timeout 400
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=hostile
VIDPID=1209:4854
sim_need_san $J
R=127.0.0.1:$SIM_PORT
SPEC=/tmp/hostile.spec

cat > /tmp/hostile.cfg <<'EOF'
speed = "high";
device = { idVendor = 0x1209; idProduct = 0x4854; manufacturer = "gadgetd tests";
           product = "hostile"; serial = "HOS1"; };
configurations = (
  { value = 1; name = "only"; interfaces = (
      { number = 0; name = "zero"; endpoints = (
          { address = 0x01; echo = 0x81; },
          { address = 0x81; } ); } ); }
);
control = (
  { type = 0xc0; request = 1; action = "pattern"; seed = 7; }
);
EOF

sim_gadget_side_up || { result $J FAIL "gadget side (dummy_hcd, configfs) did not come up"; sim_job_end; exit 1; }
: > $SPEC
sim_start $J /tmp/hostile.cfg --hostile-file $SPEC || { result $J FAIL "usbip-sim did not start"; sim_job_end; exit 1; }

# Forks are slow under TCG: time, sleeping and polling here use builtins only.
ms_now() { local t=${EPOCHREALTIME/./}; MS=$(( t / 1000 )); }
mkfifo /tmp/hostile.nap 2>/dev/null; exec 9<>/tmp/hostile.nap
# until SECS CMD...: run CMD every 50 ms until it succeeds; 1 on timeout
until_ok() {
	local end; ms_now; end=$(( MS + $1 * 1000 )); shift
	while ! "$@"; do
		ms_now; [ $MS -ge $end ] && return 1
		read -r -t 0.05 -u 9
	done
	return 0   # (a while loop returns its body's last status: read's timeout)
}

# spec NAME SPEC...: the modes of the next connection; the sim must still run
spec() {
	echo "case=$*" > $SPEC
	kill -0 "$SIMPID" 2>/dev/null && return 0
	result "$J-$1" FAIL "usbip-sim is gone: $(tail -1 "$LAB_OUT/sim-$J.log")"
	sim_start $J-again /tmp/hostile.cfg --hostile-file $SPEC
	return 1
}

# gstart NAME LIMIT ARGS...: gadgetd in the background under timeout(1) (SIGTERM
# after LIMIT s, SIGKILL 5 s later), log in $GLOG; sets GPID. `wait $GPID` gives
# gadgetd's own status (124: it had to be stopped; 128+N: signal N).
gstart() {
	local name=$1 limit=$2; shift 2
	GLOG=$LAB_OUT/gadgetd-$name.log
	timeout -k 5 "$limit" "$GADGETD" --log-time=mono -v "$@" > "$GLOG" 2>&1 &
	GPID=$!
}

# verdict NAME RC MS PHRASE [ok]: the RESULT of a case. RC: gadgetd's exit status
# (non-zero wanted, or 0 with "ok"); PHRASE: an extended regexp its log must have.
# Extra problems come in $BAD.
BAD=
verdict() {
	local name=$1 rc=$2 ms=$3 phrase=$4 want=${5:-fail} out line san hostile cf
	# one awk for the log (phrase, sanitizer report, last line) and the record
	out=$(awk -v pat="$phrase" -v c="case=$name" '
		FNR == 1 { f++ }
		f == 1 { l = $0; sub(/^[^ ]* gadgetd: /, "", l)
			 if (line == "" && tolower($0) ~ tolower(pat)) line = l
			 if (san == "" && $0 ~ /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer/) san = $0
			 if ($0 ~ /^[^ ]* gadgetd: /) last = l }
		f == 2 && $1 == "CASE" { on = $2 == c }
		f == 2 && on && $1 == "HOSTILE" { h = 1 }
		END { print substr(line, 1, 170); print substr(san, 1, 200); print substr(last, 1, 150); print h + 0 }' "$GLOG" "$SIMREC")
	{ read -r line; read -r san; read -r last; read -r hostile; } <<< "$out"
	if [ "$want" = ok ]; then
		[ "$rc" = 0 ] || BAD="$BAD; exit status $rc (want 0)"
	elif [ "$rc" = 124 ]; then
		BAD="$BAD; did not exit by itself (stopped by SIGTERM)"
	elif [ "$rc" -ge 128 ]; then
		BAD="$BAD; exit status $rc: killed by signal $(( rc - 128 ))"
	elif [ "$rc" = 66 ]; then
		BAD="$BAD; exit status 66: a sanitizer report"
	elif [ "$rc" = 0 ]; then
		BAD="$BAD; exit status 0 (want non-zero)"
	fi
	[ -n "$line" ] || BAD="$BAD; no log line matching /$phrase/ (last: $last)"
	[ -z "$san" ] || BAD="$BAD; sanitizer: $san"
	for cf in /sys/kernel/config/usb_gadget/*; do
		[ -e "$cf" ] && BAD="$BAD; ConfigFS not empty: ${cf##*/}"
	done
	[ "$hostile" = 1 ] || BAD="$BAD; usbip-sim recorded no HOSTILE act for this case"
	if [ -z "$BAD" ]; then
		result "$J-$name" PASS "exit $rc after $(( ms / 1000 )).$(( ms % 1000 / 100 )) s: $line"
	else
		result "$J-$name" FAIL "${BAD#; }"
		GLOGS="${GLOGS:-} $GLOG"   # job_end shows the failed cases' logs
	fi
	BAD=
}

# xcase NAME PHRASE [ok] -- SIM-HOSTILE... -- GADGETD-ARGS...: gadgetd must end by
# itself within $XLIMIT s (default 30)
xcase() {
	local name=$1 phrase=$2 want=fail t0 rc sp=()
	shift 2
	[ "$1" = ok ] && { want=ok; shift; }
	shift # --
	while [ "$1" != -- ]; do sp+=("$1"); shift; done
	shift
	spec "$name" "${sp[@]}" || return
	ms_now; t0=$MS
	gstart "$name" "${XLIMIT:-30}" "$@"
	wait "$GPID"; rc=$?
	GPID=
	ms_now; XMS=$(( MS - t0 ))
	verdict "$name" "$rc" "$XMS" "$phrase" "$want"
}
# icase NAME PHRASE SIM-HOSTILE...: a case that ends before the gadget exists
icase() {
	local name=$1 phrase=$2; shift 2
	xcase "$name" "$phrase" -- "$@" -- --remote $R --busid 1-1 --udc dummy_udc.0 --once
}
# lcase NAME PHRASE [ok] SIM-HOSTILE...: gadgetd --list
lcase() {
	local name=$1 phrase=$2 ok=; shift 2
	[ "$1" = ok ] && { ok=ok; shift; }
	xcase "$name" "$phrase" $ok -- "$@" -- --remote $R --list
}

# gadget_ready: G = the configured gadget on the host side (no forks: polled often)
gadget_ready() {
	local f d v
	for f in /sys/bus/usb/devices/*/idProduct; do
		read -r v < "$f" 2>/dev/null && [ "$v" = 4854 ] || continue
		d=${f%/idProduct}
		read -r v < "$d/idVendor" 2>/dev/null && [ "$v" = 1209 ] || continue
		read -r v < "$d/bConfigurationValue" 2>/dev/null && [ -n "$v" ] || continue
		G=${d##*/}
		return 0
	done
	return 1
}
gadget_absent() {
	local f v
	for f in /sys/bus/usb/devices/*/idProduct; do
		read -r v < "$f" 2>/dev/null && [ "$v" = 4854 ] || continue
		read -r v < "${f%/idProduct}/idVendor" 2>/dev/null && [ "$v" = 1209 ] && return 1
	done
	return 0
}

# rcase NAME PHRASE TRIGGER SIM-HOSTILE...: the gadget comes up, then TRIGGER:
#   vendor   the host sends a vendor IN request (the sim's trigger @vendor)
#   none     the sim fires by itself (@in: gadgetd's first bulk IN URB)
# gadgetd must then exit by itself, the host side must have seen the gadget appear
# and disappear (dmesg) and no longer have it. Sets PROD (the host's product string).
rcase() {
	local name=$1 phrase=$2 trig=$3 up t0 rc dm; shift 3
	PROD=
	spec "$name" "$@" || return
	read -r up _ < /proc/uptime
	ms_now; t0=$MS
	gstart "$name" 60 --remote $R --busid 1-1 --udc dummy_udc.0 --once
	if [ "$trig" = vendor ]; then
		if until_ok 30 gadget_ready; then
			read -r PROD < "/sys/bus/usb/devices/$G/product" 2>/dev/null
			ms_now; t0=$MS
			XOUT=$(x "ctrl,type=0xc0,req=1,len=64,expect=7,timeout=8000" 2>&1)
			XOUT=${XOUT%%$'\n'*}
		else
			BAD="; the gadget did not appear within 30 s"
		fi
	fi
	wait "$GPID"; rc=$?
	GPID=
	ms_now; XMS=$(( MS - t0 ))
	until_ok 5 gadget_absent || BAD="$BAD; the host side still has the gadget"
	# the kernel's messages since the case began: did the host see it come and go?
	dm=$(dmesg | awk -v t="$up" '{ s = $0; sub(/^\[ */, "", s) } s + 0 >= t &&
		/New USB device found, idVendor=1209, idProduct=4854/ { n = 1 }
		s + 0 >= t && n && /USB disconnect/ { d = 1 } END { print n + 0, d + 0 }')
	[ "${dm% *}" = 1 ] || BAD="$BAD; the host side never saw the gadget (dmesg)"
	[ "${dm#* }" = 1 ] || BAD="$BAD; the host side saw no disconnect (dmesg)"
	verdict "$name" "$rc" "$XMS" "$phrase"
}

# ---------------------------------------------------------------- --list
lcase list-ndev-huge    "claims 4294967295 exported devices .*refusing" devlist-ndev=0xffffffff
lcase list-ndev-lie     "OP_REP_DEVLIST ended early" devlist-ndev=3
lcase list-truncated    "OP_REP_DEVLIST ended early" devlist-trunc=100
lcase list-version-9999 "does not speak USB/IP: its reply starts 99 99" version=0x9999
lcase list-version-0106 "^  1-1 +1209:4854" ok version=0x0106

# ---------------------------------------------------------------- the import
icase import-cut-header   "closed the connection without a USB/IP reply" import-trunc=5
icase import-cut-device   "OP_REP_IMPORT for 1-1 is truncated or malformed" import-trunc=100
icase import-wrong-busid  "answered the import of 1-1 with device 9-9" import-busid=9-9
icase import-version-9999 "does not speak USB/IP: its reply starts 99 99 00 03" version=0x9999
# accepted: the gadget comes up; then the server goes away (closes at the host's request)
rcase import-version-0106 "answered with USB/IP version 0x0106.*carrying on" vendor version=0x0106 trunc-hdr=0@vendor
grep -aq "closed the connection" "$GLOG" && result $J-import-version-0106-end PASS "then: $(grep -a -m1 'closed the connection' "$GLOG" | sed -e 's/^[^ ]* gadgetd: //')" ||
	result $J-import-version-0106-end FAIL "after the server went away gadgetd logged no 'closed the connection'"

# ---------------------------------------------------------------- reading the descriptors
icase desc-cut-header     "control request from $R: connection closed" trunc-hdr@ctrl:1
icase desc-cut-data       "control reply data truncated" trunc-data@ctrl:2
icase desc-command-7      "unknown PDU \(command 7\)" command=7@ctrl:1
icase desc-cmd-submit     "unknown PDU \(command 1\)" command=1@ctrl:2
# (a gadgetd that took the answer has its gadget up within a few seconds)
XLIMIT=12 icase desc-unknown-seqnum "seqnum" seqnum=0x1000@ctrl:1
icase desc-actual-plus-1  "returned actual_length 19 for a 18-byte control request" actual=+1@ctrl:1
icase desc-actual-2g      "returned actual_length 2147483647 for a 18-byte" actual=0x7fffffff@ctrl:1
icase desc-actual-minus-1 "returned actual_length -1 " actual=-1@ctrl:2
icase desc-flood-bytes    "unknown PDU \(command 0\)" flood@import
icase desc-flood-unlink   "unknown PDU \(command 4\)" flood-unlink@import
icase desc-silent         "control request from $R: Connection timed out" silent@import
[ "$XMS" -ge 9000 ] && [ "$XMS" -le 16000 ] &&
	result $J-desc-silent-deadline PASS "gave up after $(( XMS / 100 ))00 ms (deadline 10 s per request)" ||
	result $J-desc-silent-deadline FAIL "gave up after $XMS ms, not about 10 s"

# ---------------------------------------------------------------- descriptors that lie
icase lie-devdesc-8       "device descriptor: 8 bytes, shorter than 18" devdesc-len=8
icase lie-devdesc-17      "device descriptor: 17 bytes, shorter than 18" devdesc-len=17
icase lie-blength0-device "device descriptor: bLength 0 " blength0=device
icase lie-blength0-endpoint "ENDPOINT descriptor has bLength 0 " blength0=config
icase lie-wtotal-65535    "wTotalLength says 65535 bytes but the device sent 32" wtotal=0xffff
icase lie-wtotal-0        "wTotalLength 0 is less than 9" wtotal=0
icase lie-wtotal-29       "ENDPOINT descriptor has bLength 7, past the end" wtotal=29
icase lie-wtotal-9        "the configuration has no interfaces" wtotal=9
# A string that cannot be decoded: the gadget must still come up, with the string
# decoded as far as it goes (as Linux's usb_string() does) or with a log line that
# says which string was dropped.
for m in string-odd blength0=string; do
	n=lie-${m/=/-}
	rcase $n "closed the connection" vendor $m trunc-hdr=0@vendor
	p=$(grep -aiE -m1 "string (descriptor )?[0-9]|string.*(odd|bLength|dropped|ignored)" "$GLOG" | sed -e 's/^[^ ]* gadgetd: //' | cut -c1-150)
	if [ -n "$p" ]; then
		result $J-$n-string PASS "host side product '${PROD:-(none)}'; gadgetd said: $p"
	elif [ "$PROD" = hostile ]; then
		result $J-$n-string PASS "host side product '$PROD' (decoded as far as it goes)"
	else
		result $J-$n-string FAIL "host side product '${PROD:-(none)}': the device's strings ($(grep -a -m1 "^HOSTILE $m" "$SIMREC" | cut -d' ' -f2-7)) were dropped and gadgetd logged nothing about it"
	fi
done

# ---------------------------------------------------------------- the relay
rcase relay-cut-header     "closed the connection" vendor trunc-hdr=30@vendor
rcase relay-cut-data       "closed the connection" vendor trunc-data@vendor
rcase relay-command-7      "broke the USB/IP protocol" vendor command=7@vendor
rcase relay-cmd-submit     "unexpected CMD_SUBMIT from the server" vendor command=1@vendor
rcase relay-unknown-seqnum "RET_SUBMIT for unknown seqnum [0-9]+" vendor seqnum=0x1000@vendor
rcase relay-actual-plus-1  "actual_length 65 exceeds the 64 bytes requested" vendor actual=+1@vendor
rcase relay-actual-2g      "actual_length 2147483647 exceeds the 64 bytes" vendor actual=0x7fffffff@vendor
rcase relay-bulk-actual-plus-1 "actual_length 513 exceeds the 512 bytes requested" none actual=+1@in
rcase relay-flood-bytes    "broke the USB/IP protocol" vendor flood=0x5a@vendor

# Endless RET_UNLINKs for seqnums gadgetd never unlinked: Linux's vhci ignores those,
# and so may gadgetd, but they must not starve its loop: the ep0 request the sim did
# not answer is stalled for the host after 4 s, and SIGTERM still stops it.
N=relay-flood-unlink
if spec $N flood-unlink@vendor; then
	gstart $N 60 --remote $R --busid 1-1 --udc dummy_udc.0 --once
	if until_ok 30 gadget_ready; then
		ms_now; t0=$MS
		XOUT=$(x "ctrl,type=0xc0,req=1,len=64,timeout=9000" 2>&1)
		XOUT=${XOUT%%$'\n'*}
		ms_now; tx=$(( MS - t0 ))
		if kill -0 "$GPID" 2>/dev/null && ! grep -aq 'gadget removed' "$GLOG"; then
			ms_now; t1=$MS
			kill -TERM "$GPID"   # timeout(1) passes it on
			if ! wait_for 10 grep -aq 'gadget removed' "$GLOG"; then
				BAD="$BAD; SIGTERM did not stop it within 10 s (its loop is starved)"
				for p in $(cat /proc/$GPID/task/*/children 2>/dev/null); do kill -KILL "$p"; done
			fi
			wait "$GPID"; rc=$?
			ms_now; XMS=$(( MS - t1 ))
			case $XOUT in *status=EPIPE*) ;; *) BAD="$BAD; the host's request got '${XOUT#RES }' after $tx ms (want EPIPE after about 4 s)";; esac
			log "$N: host request ${XOUT#RES } after $tx ms; $(grep -a 'HOSTILE flood stopped' "$SIMREC" | tail -1 | cut -d' ' -f3-9)"
			verdict $N "$rc" "$XMS" "did not answer request c0 01 within 4 s" ok
		else
			wait "$GPID"; rc=$?
			verdict $N "$rc" "$tx" "broke the USB/IP protocol|unknown seqnum|RET_UNLINK"
		fi
	else
		result $J-$N FAIL "the gadget did not appear"
		kill -TERM "$GPID"; wait "$GPID"
	fi
	GPID=
fi
# A server that reads a trickle (trickle=640: 640 bytes/s, alive and ahead of any TCP
# timeout) while the host writes as fast as it can (64 KiB bulk OUT transfers, each
# given 2 s): gadgetd must stop reading from the host (its URBs in flight wait for
# the server; past CONN_TX_SOFT, 1 MiB queued, back-pressure), so its memory stays bounded
# (before back-pressure: 2.2 -> 9.1 MB in 150 s, then an OOM kill). The plain build
# (ASan's quarantine would blur the figure); VmRSS is read every 5 s for 15 s, then
# SIGTERM must still stop it at once.
N=relay-trickle
if spec $N trickle=640; then
	GADGETD=$LAB_REPO/build/gadgetd gstart $N 200 --remote $R --busid 1-1 --udc dummy_udc.0 --once
	if until_ok 30 gadget_ready; then
		read -r GD _ < /proc/$GPID/task/$GPID/children
		rss() { RSS=; while read -r k v _; do [ "$k" = "$1:" ] && RSS=$v; done < /proc/$GD/status; }
		rss VmRSS; rss0=$RSS; max=$RSS; series=
		ops=(); for i in {1..500}; do ops+=("out,ep=#1,len=65536,timeout=2000"); done
		"$XFER" -d "$VIDPID" -w 5 "${ops[@]}" > $LAB_OUT/trickle-xfer.out 2>&1 &
		XP=$!
		for i in {1..3}; do
			read -r -t 5 -u 9
			rss VmRSS 2>/dev/null
			[ -n "$RSS" ] || { BAD="$BAD; gadgetd ended while the server trickled"; break; }
			series="$series $(( RSS / 1024 )).$(( RSS % 1024 * 10 / 1024 ))"
			[ "$RSS" -gt "$max" ] && max=$RSS
		done
		rss VmHWM; hwm=$RSS
		kill "$XP" 2>/dev/null; wait "$XP" 2>/dev/null
		done_ok=$(grep -c 'status=0' $LAB_OUT/trickle-xfer.out)
		grow=$(( max - rss0 ))
		log "$N: VmRSS (MiB) every 5 s:$series"
		ms_now; t1=$MS
		kill -TERM "$GPID"
		wait "$GPID"; rc=$?
		ms_now; XMS=$(( MS - t1 ))
		[ "$XMS" -le 2000 ] || BAD="$BAD; SIGTERM took $XMS ms to stop it (want within 1 s plus the teardown)"
		verdict $N "$rc" "$XMS" "gadget removed" ok
		mib() { MIB="$(( $1 / 1024 )).$(( $1 % 1024 * 10 / 1024 ))"; }
		mib "$rss0"; f="VmRSS $MIB MiB -> peak"; mib "$max"; f="$f $MIB MiB over 15 s of writes (+$grow KiB"
		mib "$hwm"; f="$f, VmHWM $MIB MiB); the host completed $done_ok transfers of 64 KiB"
		# the bound: CONN_TX_SOFT (1 MiB) and one 64 KiB read past it, twice over; and
		# the case happened: the host's data waited (at 640 bytes/s the server takes
		# 9.6 KiB in 15 s; the sim counts what it read once it reaches the EOF)
		if [ "$grow" -le 3072 ] && [ "$done_ok" -lt 8 ]; then
			result $J-$N-rss PASS "$f"
		else
			result $J-$N-rss FAIL "$f (want: +3072 KiB at most, the host's writes held back)"
		fi
	else
		result $J-$N FAIL "the gadget did not appear"
		kill -TERM "$GPID"; wait "$GPID"
	fi
	GPID=
fi
grep -a '^ERROR' "$SIMREC" | grep -v 'unexpected\|bad USB/IP stream' | head -3 | while read -r l; do log "usbip-sim: $l"; done
sim_job_end
