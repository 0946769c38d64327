# SPDX-License-Identifier: GPL-2.0-or-later
# Odd servers and odd input (issue 9 sections 5 and 6), gadgetd's ASan+UBSan build
# against usbip-sim, the host side being dummy_hcd's stock usbcore and usbdevfs:
#   tunnel      the server port accepts and closes at once, without a byte (an SSH
#               or socat tunnel whose far end is down): gadgetd says so, retries, and
#               presents the device once the server answers
#   busid       a usbipd-win busid "hub-port" (2-12) is imported
#   no-strings  a device whose descriptors name no string: the host enumerates the
#               gadget, and no GET_DESCRIPTOR(STRING) ever reached the device (the
#               simulator's record), not even string 0
#   policy      allow.requests = [ "!vendor/device:0x02" ]: vendor request 0x01
#               reaches the device, 0x02 is stalled for the host and never reaches
#               it, nor does the hub request SET_FEATURE(PORT_RESET) to recipient
#               "other" (stalled by the built-in rule); gadgetd logs both denials
#   win-unlink  usbipd-win's CMD_UNLINK (usbip-sim --hostile unlink=pipe: an
#               unlinked URB goes on until every pending URB of its endpoint is
#               unlinked, then the pipe is aborted): the host echoes data through
#               the device and resets the configuration in between, three times;
#               every byte comes back in order, each of gadgetd's unlink sequences
#               ends in a pipe abort (none leaves a URB running that would eat the
#               device's data), no data was discarded
#   long-string the product string is 200 bytes of UTF-8 (100 x U+00FC): the gadget
#               is presented with it cut at a character boundary to 126 bytes
#   escape      busid and path with control bytes (ESC [2J, BEL): --list and the log
#               show them as \xNN, no raw control byte reaches the terminal or log
#@timeout 400
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=interop
sim_need_san $J
R=127.0.0.1:$SIM_PORT
SPEC=/tmp/interop.spec
ESC=$'\e'
BEL=$'\a'

# sanitized NAME: RESULT NAME-sanitizers from gadgetd's log
sanitized() {
	local s
	s=$(grep -a -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer' "$GLOG")
	[ -z "$s" ] && result "$1-sanitizers" PASS "no AddressSanitizer, LeakSanitizer or UBSan report" ||
		result "$1-sanitizers" FAIL "${s:0:200}"
}
logline() { grep -a -m1 -E "$1" "$GLOG" | sed -e 's/^[^ ]* gadgetd: //' | cut -c1-190; }

cat > /tmp/interop-nostr.cfg <<'EOF'
speed = "high";
device = { idVendor = 0x1209; idProduct = 0x4e53; };
configurations = (
  { value = 1; interfaces = (
      { number = 0; endpoints = (
          { address = 0x01; echo = 0x81; },
          { address = 0x81; } ); } ); }
);
control = (
  { type = 0xc0; request = 1; action = "pattern"; seed = 7; },
  { type = 0xc0; request = 2; action = "pattern"; seed = 8; },
  { type = 0x23; request = 3; action = "ack"; }
);
EOF
cat > /tmp/interop.cfg <<'EOF'
retry = { min = 1; max = 2; };
allow = { requests = [ "!vendor/device:0x02" ]; };
EOF

sim_gadget_side_up || { result $J FAIL "gadget side (dummy_hcd, configfs) did not come up"; sim_job_end; exit 1; }

# ---------------------------------------------------------------- tunnel, busid
echo "case=tunnel accept-close" > $SPEC
sim_start $J /tmp/interop-nostr.cfg --busid 2-12 --hostile-file $SPEC ||
	{ result $J FAIL "usbip-sim did not start"; sim_job_end; exit 1; }
VIDPID=1209:4e53
gadgetd_start tunnel --remote $R --busid 2-12 --udc dummy_udc.0 --profile /tmp/interop.cfg -v
if wait_for 15 grep -aq '^HOSTILE accept-close' "$SIMREC"; then
	echo "case=served unlink=pipe" > $SPEC   # the next connection is served
	closes=$(grep -ac '^HOSTILE accept-close' "$SIMREC")
else
	result $J-tunnel FAIL "gadgetd never connected to the closing port"
fi
if G=$(gadgetd_wait_gadget $VIDPID 40); then
	said=$(logline 'accepted the connection and closed it without a reply')
	again=$(logline 'retrying in')
	if [ -n "$said" ] && [ -n "$again" ]; then
		result $J-tunnel PASS "$closes closed connection(s), then the device was presented; gadgetd said: $said; then: $again"
	else
		result $J-tunnel FAIL "the gadget came up but gadgetd's log lacks the reason or the retry: '$said' '$again'"
	fi
	l=$(logline 'imported 2-12 from')
	[ -n "$l" ] && result $J-busid-hub-port PASS "$l" || result $J-busid-hub-port FAIL "no 'imported 2-12' in the log"
else
	result $J-tunnel FAIL "no gadget after the port answered again: $(tail -2 "$GLOG" | tr '\n' ' ' | cut -c1-200)"
	gadgetd_stop $J-tunnel; sim_job_end; exit 1
fi
wait_for 10 eval 'test -n "$(cat /sys/bus/usb/devices/$G/bConfigurationValue 2>/dev/null)"'

# ---------------------------------------------------------------- no strings
cfgv=$(cat /sys/bus/usb/devices/$G/bConfigurationValue 2>/dev/null)
strreq=$(grep -a '^CTRL ' "$SIMREC" | grep -a 'req=0x06 value=0x03' | head -2 | cut -c1-120)
nctrl=$(grep -ac '^CTRL .*std=GET_DESCRIPTOR' "$SIMREC")
if [ -z "$strreq" ] && [ -n "$cfgv" ]; then
	result $J-no-strings PASS "the host configured the gadget (configuration $cfgv, product '$(cat /sys/bus/usb/devices/$G/product 2>/dev/null)'); $nctrl GET_DESCRIPTORs reached the device, none for a string"
else
	result $J-no-strings FAIL "configuration '$cfgv'; string requests at the device: $strreq"
fi

# ---------------------------------------------------------------- policy
P=$(x ctrl,type=0xc0,req=1,len=64,expect=7 ctrl,type=0xc0,req=2,len=64 \
	ctrl,type=0x23,req=3,value=4,index=1,len=0 2>&1)
r1=$(echo "$P" | sed -n 1p); r2=$(echo "$P" | sed -n 2p); r3=$(echo "$P" | sed -n 3p)
at1=$(grep -ac '^CTRL .*type=0xc0 req=0x01 ' "$SIMREC")
at2=$(grep -ac '^CTRL .*type=0xc0 req=0x02 ' "$SIMREC")
at3=$(grep -ac '^CTRL .*type=0x23 ' "$SIMREC")
case "$r1" in *status=0*) ok1=1;; *) ok1=;; esac
case "$r2" in *status=EPIPE*) ok2=1;; *) ok2=;; esac
case "$r3" in *status=EPIPE*) ok3=1;; *) ok3=;; esac
if [ -n "$ok1" ] && [ "$at1" -ge 1 ]; then
	result $J-policy-allowed PASS "vendor request c0 01 reached the device ($at1 CTRL line) and answered the host: ${r1#RES }"
else
	result $J-policy-allowed FAIL "c0 01: host '${r1#RES }', $at1 at the device"
fi
if [ -n "$ok2" ] && [ "$at2" = 0 ] && [ -n "$(logline 'request c0 02 .*denied by allow.requests\[0\]')" ]; then
	result $J-policy-denied PASS "c0 02 stalled for the host, never at the device; gadgetd: $(logline 'request c0 02 ')"
else
	result $J-policy-denied FAIL "c0 02: host '${r2#RES }', $at2 at the device, log '$(logline 'request c0 02')'"
fi
if [ -n "$ok3" ] && [ "$at3" = 0 ] && [ -n "$(logline 'request 23 03 .*built-in rule')" ]; then
	result $J-policy-port-reset PASS "SET_FEATURE(PORT_RESET) to recipient other stalled, never at the device; gadgetd: $(logline 'request 23 03 ')"
else
	result $J-policy-port-reset FAIL "23 03: host '${r3#RES }', $at3 at the device, log '$(logline 'request 23 03')'"
fi

# ---------------------------------------------------------------- usbipd-win unlinks
# three rounds: echo 700 and 1024 bytes (read back whole), then SET_CONFIGURATION
# again (usb_reset_configuration(): gadgetd unlinks what it has at the server).
# The gadget's endpoint numbers are the UDC's: #1 is the OUT endpoint, #2 the IN one.
OPS=
for r in 1 2 3; do
	OPS="$OPS out,ep=#1,len=700,seed=$r in,ep=#2,len=1212,expect=$r"
	OPS="$OPS out,ep=#1,len=1024,zlp,seed=$((r + 10)) in,ep=#2,len=1536,expect=$((r + 10))"
	OPS="$OPS setconfig,value=1 sleep,ms=300"
done
OPS="$OPS out,ep=#1,len=513,seed=99 in,ep=#2,len=1025,expect=99"
# shellcheck disable=SC2086 # one op per word
x -t 5000 $OPS > $LAB_OUT/interop-win.txt 2>&1
bad=$(grep -a '^RES' $LAB_OUT/interop-win.txt | grep -av 'status=0' | head -3 | cut -c1-150 | tr '\n' ';')
# each echo: the pattern written, as long as what was written
nomatch=$(awk '$1 == "RES" && $2 == "out" { split($4, a, "="); want = a[2] }
	$1 == "RES" && $2 == "in" && ($0 !~ / match=1/ || $0 !~ (" actual=" want " ")) { printf "%s (want %s);", substr($0, 1, 90), want }' $LAB_OUT/interop-win.txt | cut -c1-300)
nres=$(grep -ac '^RES' $LAB_OUT/interop-win.txt)
[ -z "$bad$nomatch" ] && [ "$nres" = 17 ] &&
	result $J-win-unlink-data PASS "$nres operations: every echo (700, 1024, 513 bytes) read back whole and in order (pattern and length) across 3 configuration resets" ||
	result $J-win-unlink-data FAIL "$nres operations; not status 0: $bad; not matching: $nomatch"
# each endpoint's unlinks must end in an abort before the device is configured again
ab=$(awk '$1 == "HOSTILE" && $2 == "unlink=pipe" { split($3, a, "="); ep = a[2]; sub(/:$/, "", ep)
		st[ep] = ($0 ~ /USB_ABORT_ENDPOINT/) ? "aborted" : "open"; if (st[ep] == "aborted") n++ }
	$1 == "SET_CONFIGURATION" || $1 == "DISCONNECT" { for (e in st) if (st[e] == "open") bad = bad " " e "@" NR; delete st }
	$1 == "DROP" && $0 ~ /why=unlinked_urb/ && $0 !~ /bytes=0 / { lost = lost " " NR }
	END { for (e in st) if (st[e] == "open") bad = bad " " e "@end"; print n + 0, (bad == "" ? "-" : bad), (lost == "" ? "-" : lost) }' "$SIMREC")
read -r naborts openeps lostlines <<< "$ab"
nunl=$(grep -ac '^UNLINK .*unlink=pipe' "$SIMREC")
if [ "$nunl" -ge 1 ] && [ "$naborts" -ge 1 ] && [ "$openeps" = - ] && [ "$lostlines" = - ]; then
	result $J-win-unlink-aborts PASS "$nunl unlinks of pending URBs, $naborts pipe aborts; no unlinked URB left running, none took data"
else
	result $J-win-unlink-aborts FAIL "$nunl unlinks, $naborts aborts; endpoints left with running unlinked URBs: $openeps; data discarded at record lines: $lostlines"
fi
gadgetd_stop $J-a
sanitized $J-a
sim_stop

# ---------------------------------------------------------------- long string, escapes
B="3-1${ESC}[2J${BEL}"
U=$(printf '\xc3\xbc%.0s' $(seq 100))                      # 200 bytes
{ printf 'speed = "full";\ndevice = { idVendor = 0x1209; idProduct = 0x4e54;\n'
  printf '  manufacturer = "gadgetd tests"; product = "%s"; serial = "S%sN"; };\n' "$U" "$BEL"
  printf 'configurations = ( { value = 1; interfaces = ( { number = 0; endpoints = (\n'
  printf '  { address = 0x01; echo = 0x81; }, { address = 0x81; } ); } ); } );\n'; } > /tmp/interop-str.cfg
: > $SPEC
sim_start $J-b /tmp/interop-str.cfg --busid "$B" ||
	{ result $J-long-string FAIL "usbip-sim did not start: $(tail -2 "$LAB_OUT/sim-$J-b.log")"; sim_job_end; exit 1; }
"$GADGETD" --remote $R --list > $LAB_OUT/interop-list.txt 2>&1
want='3-1\x1b[2J\x07'
if [ "$(grep -acF "$want" $LAB_OUT/interop-list.txt)" = 2 ] && ! grep -aq "[$ESC$BEL]" $LAB_OUT/interop-list.txt; then
	result $J-escape-list PASS "--list shows busid and path as '$(grep -a -m1 -F '3-1' $LAB_OUT/interop-list.txt | sed 's/^ *//' | cut -c1-16)' and '$(grep -a -m1 -F 'usbip-sim' $LAB_OUT/interop-list.txt | sed 's/^ *//')', no raw control byte"
else
	result $J-escape-list FAIL "--list: $(head -4 $LAB_OUT/interop-list.txt | cat -v | tr '\n' ' ' | cut -c1-200)"
fi
VIDPID=1209:4e54
gadgetd_start long --remote $R --busid "$B" --udc dummy_udc.0 -v
if G=$(gadgetd_wait_gadget $VIDPID 40); then
	prod=$(cat /sys/bus/usb/devices/$G/product 2>/dev/null)
	want=$(printf '\xc3\xbc%.0s' $(seq 63))
	if [ "$prod" = "$want" ]; then
		result $J-long-string PASS "the host sees the product as 63 x U+00FC (${#want} characters, 126 bytes); gadgetd: $(logline 'bytes of UTF-8, more than a gadget carries')"
	else
		result $J-long-string FAIL "product on the host: $(printf %s "$prod" | wc -c) bytes '$(printf %s "$prod" | cut -c1-40)'"
	fi
else
	result $J-long-string FAIL "no gadget: $(grep -a -m2 -i 'error\|refused\|overflow' "$GLOG" | cat -v | tr '\n' ' ' | cut -c1-200)"
fi
gadgetd_stop $J-b
if grep -aqF 'imported 3-1\x1b[2J\x07' "$GLOG"; then
	if grep -aq "[$ESC$BEL]" "$GLOG"; then
		result $J-escape-log FAIL "the log has a raw control byte: $(grep -a -m1 "[$ESC$BEL]" "$GLOG" | cat -v | cut -c1-160)"
	else
		result $J-escape-log PASS "$(logline 'imported 3-1')"
	fi
else
	result $J-escape-log FAIL "no escaped 'imported 3-1\\x1b[2J\\x07' in the log: $(grep -a -m1 'imported' "$GLOG" | cat -v | cut -c1-160)"
fi
sanitized $J-b
sim_job_end
