# SPDX-License-Identifier: GPL-2.0-or-later
# Alternate settings through gadgetd's GadgetFS backend, against a simulated
# vendor device (tests/sim/devices/altsetting.cfg, 1209:5155): interface 0 has
# settings 0, 1, 2 and 3 with different endpoints (bulk 0x01/0x81, bulk
# 0x02/0x82, bulk 0x03 + interrupt 0x83, none); interface 1 is a loopback that
# stays up throughout. Every transfer the device gets comes back on the same
# setting's IN endpoint, tagged with the setting that received it.
#   lossless: the host switches 0 -> 1 -> 2 -> 1 -> 0 -> 3 -> 1, each time moving
#     data through the new setting's endpoints and reading every echo: each
#     SET_INTERFACE reaches the device, in order; each echo carries the right tag;
#     what the host read on each IN endpoint is byte for byte what the device
#     sent there (the simulator's record), and the device got every byte the
#     host wrote, once (rec_echo_check: SAME, nothing dropped).
#   mid-stream: the host writes on setting 1 and switches to 2 before reading
#     the echo: nothing of setting 1 reaches the host on setting 2, and back on
#     setting 1 the first echo read is the new one, not the stale one.
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=gfs-alt
VIDPID=1209:5155
sim_need $J
sim_gfs_up $J alt "$LAB_REPO/tests/sim/devices/altsetting.cfg" $VIDPID
n=$(lsusb -v -d $VIDPID 2>/dev/null | grep -c 'bAlternateSetting')
[ "$n" = 5 ] && result $J-descriptors PASS "the host sees 5 interface descriptors (interface 0 alt 0-3, interface 1)" ||
	result $J-descriptors FAIL "the host sees $n interface descriptors, not 5"

# xfer SETTING OUT IN LEN SEED: write LEN bytes on OUT, read the echo on IN; a
# whole number of 512-byte packets ends with a ZLP (URB_ZERO_PACKET), as a
# host's class driver ends such a transfer
xfer() {
	local z=
	[ $(( $4 % 512 )) = 0 ] && z=,zlp
	echo "out,ep=$2,len=$4,seed=$5$z in,ep=$3,len=$(( $4 + 512 )),hex"
}
OPS="$(xfer 0 0x01 0x81 100 1) $(xfer 0 0x04 0x84 600 2)
setintf,intf=0,alt=1 $(xfer 1 0x02 0x82 700 3) $(xfer 1 0x02 0x82 510 4)
setintf,intf=0,alt=2 $(xfer 2 0x03 0x83 50 5) $(xfer 0 0x04 0x84 33 6)
setintf,intf=0,alt=1 $(xfer 1 0x02 0x82 1024 7)
setintf,intf=0,alt=0 $(xfer 0 0x01 0x81 512 8)
setintf,intf=0,alt=3 $(xfer 0 0x04 0x84 1 9)
setintf,intf=0,alt=1 $(xfer 1 0x02 0x82 64 10)"
# shellcheck disable=SC2086 # one op per word
x -t 5000 $OPS > $LAB_OUT/alt-lossless.txt 2>&1
bad=$(grep -v 'status=0' $LAB_OUT/alt-lossless.txt | head -3 | cut -c1-160 | tr '\n' ';')
[ -z "$bad" ] && result $J-lossless-ops PASS "$(grep -c '^RES' $LAB_OUT/alt-lossless.txt) operations, every one status=0" ||
	result $J-lossless-ops FAIL "$bad"
# the tags: each echo on interface 0 starts with the setting that was selected
tags=$(awk '$1 == "RES" && $2 == "setintf" { split($4, a, "="); alt = a[2] }
	$1 == "RES" && $2 == "in" && $3 != "ep=0x84" { d = $NF; sub(/^data=/, "", d)
		printf "%s%s", sep, (substr(d, 1, 2) == sprintf("%02x", alt) ? "ok" : "BAD:" substr(d, 1, 2) "/" alt); sep = " " }
	BEGIN { alt = 0 }' $LAB_OUT/alt-lossless.txt)
case " $tags " in *BAD*|"  ") result $J-tags FAIL "echo tags: $tags";;
	*) result $J-tags PASS "every echo on interface 0 is tagged with the selected setting ($tags)";; esac
# the last one is the host's own: releasing the interface when usbhost-xfer exits
# puts it back to setting 0 (drivers/usb/core/driver.c usb_unbind_interface())
want="SET_INTERFACE interface=0 alt=1;SET_INTERFACE interface=0 alt=2;SET_INTERFACE interface=0 alt=1;SET_INTERFACE interface=0 alt=0;SET_INTERFACE interface=0 alt=3;SET_INTERFACE interface=0 alt=1;SET_INTERFACE interface=0 alt=0"
got=$(grep '^SET_INTERFACE' "$SIMREC" | cut -d' ' -f1-3 | paste -sd';')
[ "$got" = "$want" ] && result $J-set-interface PASS "the device saw the host's 7 SET_INTERFACE requests, in order" ||
	result $J-set-interface FAIL "the device saw: $got"
# what the host read on each IN endpoint == what the device sent there
for ep in 1 2 3 4; do
	host=$(awk -v e="$(printf 'ep=0x%02x' $(( ep | 0x80 )))" '$1 == "RES" && $2 == "in" && $3 == e {
		d = $NF; sub(/^data=/, "", d); if (d != "-") printf "%s", d }' $LAB_OUT/alt-lossless.txt)
	dev=$(awk -v e="ep=$ep" '$1 == "IN" && $2 == e { for (i = 3; i <= NF; i++) if ($i ~ /^data=/) {
		d = substr($i, 6); if (d != "-") printf "%s", d } }' "$SIMREC")
	if [ -n "$host" ] && [ "$host" = "$dev" ]; then
		result $J-in-ep$ep PASS "$(( ${#host} / 2 )) bytes: the host read exactly what the device sent"
	else
		result $J-in-ep$ep FAIL "host read $(( ${#host} / 2 )) bytes, the device sent $(( ${#dev} / 2 ))"
	fi
done
for pair in "1 1 512 tag" "2 2 512 tag" "3 3 512 tag" "4 4 512"; do
	# shellcheck disable=SC2086
	chk=$(rec_echo_check $pair)
	case $chk in "SAME "*"dropped=0 "*) result $J-echo-$(echo $pair | cut -d' ' -f1) PASS "$chk";;
		*) result $J-echo-$(echo $pair | cut -d' ' -f1) FAIL "$chk";; esac
done

# mid-stream: write on setting 1, switch to 2 before reading the echo
mark=$(wc -l < "$SIMREC")
# shellcheck disable=SC2046
x -t 3000 out,ep=0x02,len=300,seed=20 sleep,ms=300 setintf,intf=0,alt=2 $(xfer 2 0x03 0x83 40 21) \
	setintf,intf=0,alt=1 $(xfer 1 0x02 0x82 200 22) > $LAB_OUT/alt-mid.txt 2>&1
t2=$(awk '$1 == "RES" && $2 == "in" && $3 == "ep=0x83" { d = $NF; sub(/^data=/, "", d); print substr(d, 1, 2), length(d) / 2 }' $LAB_OUT/alt-mid.txt)
t1=$(awk '$1 == "RES" && $2 == "in" && $3 == "ep=0x82" { d = $NF; sub(/^data=/, "", d); print substr(d, 1, 2), length(d) / 2 }' $LAB_OUT/alt-mid.txt)
[ "$t2" = "02 41" ] && result $J-mid-new-setting PASS "after the switch the host reads setting 2's own echo (tag 02, 41 bytes); nothing of setting 1 leaked" ||
	result $J-mid-new-setting FAIL "on setting 2 the host read: '$t2' (want tag 02, 41 bytes); $(grep -v status=0 $LAB_OUT/alt-mid.txt | head -2 | tr '\n' ';')"
[ "$t1" = "01 201" ] && result $J-mid-back PASS "back on setting 1 the first echo is the new 200-byte one (tag 01, 201 bytes), not the 300 bytes from before the switch" ||
	result $J-mid-back FAIL "back on setting 1 the host read: '$t1' (want tag 01, 201 bytes)"
drops=$(tail -n +"$mark" "$SIMREC" | grep -c '^DROP ep=0x82')
log "device dropped $drops transfer(s) of setting 1 at the switch (usb_set_interface semantics)"
gadgetd_stop $J
sim_job_end
