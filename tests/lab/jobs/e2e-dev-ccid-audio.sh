# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's usb-ccid smart-card reader (08e6:4433) through gadgetd: `lsusb -v` of
# the gadget matches the remote's, the CCID class descriptor (0x21) is
# byte-identical, and CCID exchanges over usbfs on the host side
# (tests/tools/dev-ccid.c) get the remote's answers:
#   no card     GetSlotStatus, GetParameters, IccPowerOn (fails: no ICC), as the
#               remote answered before it was exported (QEMU's reader answers
#               RDR_to_PC_Parameters with dwLength 0 and the data after it)
#   insertion   a ccid-card-emulated (certificates from an NSS database the job
#               makes) plugged in with HMP device_add while the host side waits:
#               RDR_to_PC_NotifySlotChange arrives on the interrupt endpoint
#   card        IccPowerOn gives the ATR, XfrBlock carries APDUs (SELECT, GET
#               RESPONSE), IccPowerOff; the same exchange is then run on the
#               remote itself (unbound from usbip-host) and must answer the same
# Then usb-audio (46f4:0002), which FunctionFS cannot carry (class-specific
# descriptors, alternate settings, isochronous endpoints): gadgetd must refuse it,
# name what is missing and leave ConfigFS empty.
#@qemu -device qemu-xhci,id=xhci
#@qemu -device usb-ccid,id=ccid,bus=xhci.0
#@qemu -audiodev none,id=a0 -device usb-audio,id=audio,audiodev=a0,bus=xhci.0
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
J=ccid
OPS="status params poweron status"
# power on, SELECT (the CAC applet of QEMU's emulated card), GET RESPONSE, power off
CARD_OPS="poweron apdu:00a4040007a0000000790100 apdu:00c000000d poweroff status"
need_gadgetd $J
need_tool $J dev-ccid lsusb certutil

make_nssdb() {  # make_nssdb DIR: an NSS database with certificates lab1..lab3 (and keys)
	local c
	rm -rf "$1"; mkdir -p "$1" || return 1
	certutil -N -d "sql:$1" --empty-password || return 1
	head -c 64 /dev/urandom > /tmp/noise
	for c in 1 2 3; do
		certutil -S -d "sql:$1" -n lab$c -s "CN=gadgetd lab $c" -x -t "CT,C,C" -k rsa -g 1024 \
			-z /tmp/noise -v 120 > /dev/null 2>&1 || return 1
	done
	sync
}
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
wait_for 20 server_dev 08e6:4433 >/dev/null || { result $J FAIL "no usb-ccid on the server side"; job_end; exit 1; }
R=$(server_dev 08e6:4433)
log "remote reader $R"
# the remote as it is: descriptors, class descriptor, answers (before usbip-host owns it)
lsusb_norm "$(busdev "$R")" > "$LAB_OUT/ccid.remote"
raw_class_descs "$R" 33 > /tmp/ccid-class.remote
# twice: QEMU's first IccPowerOn changes what GetParameters says afterwards, so
# the second run is what the gadget must match
# shellcheck disable=SC2086
"$DEVTOOLS/dev-ccid" "$(usbfs_node "$R")" $OPS > /dev/null 2>&1
# shellcheck disable=SC2086
"$DEVTOOLS/dev-ccid" "$(usbfs_node "$R")" $OPS > /tmp/ccid-x.remote 2>&1 ||
	{ result $J-exchange FAIL "the remote usb-ccid itself did not answer: $(tr '\n' ' ' < /tmp/ccid-x.remote)"; }
log "remote reader answered: $(grep -c answer /tmp/ccid-x.remote) answers"
export_busid "$R" || { result $J FAIL "cannot export the usb-ccid $R"; job_end; exit 1; }
AB=$(export_dev 46f4:0002) || result audio-refused FAIL "cannot export QEMU's usb-audio"
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }

if dev_gadget_up $J "$R" 08e6:4433; then
	lsusb_norm "$(busdev "$G")" > "$LAB_OUT/ccid.gadget"
	n=$(wc -l < "$LAB_OUT/ccid.remote")
	if [ "$n" -lt 10 ]; then
		result $J-lsusb FAIL "could not read the remote's descriptors with lsusb ($n fields)"
	elif diff -u "$LAB_OUT/ccid.remote" "$LAB_OUT/ccid.gadget" > "$LAB_OUT/ccid.diff"; then
		result $J-lsusb PASS "$n descriptor fields equal (remote $R, gadget $G)"
	else
		result $J-lsusb FAIL "lsusb -v differs (- remote $R, + gadget $G): $(grep '^[-+][^-+]' "$LAB_OUT/ccid.diff" | tr '\n' ' ')"
	fi
	raw_class_descs "$G" 33 > /tmp/ccid-class.gadget
	if [ ! -s /tmp/ccid-class.remote ]; then
		result $J-class-desc FAIL "the remote has no CCID class descriptor"
	elif cmp -s /tmp/ccid-class.remote /tmp/ccid-class.gadget; then
		result $J-class-desc PASS "CCID class descriptor identical ($(wc -w < /tmp/ccid-class.gadget) bytes)"
	else
		result $J-class-desc FAIL "CCID class descriptor differs: remote $(cat /tmp/ccid-class.remote) / gadget $(cat /tmp/ccid-class.gadget)"
	fi
	# shellcheck disable=SC2086
	if ! timeout 30 "$DEVTOOLS/dev-ccid" "$(usbfs_node "$G")" $OPS > /tmp/ccid-x.gadget 2>&1; then
		result $J-exchange FAIL "$(tr '\n' ';' < /tmp/ccid-x.gadget)"
	elif grep -v '^reader:' /tmp/ccid-x.remote > /tmp/ccid-a.remote; grep -v '^reader:' /tmp/ccid-x.gadget > /tmp/ccid-a.gadget
		! cmp -s /tmp/ccid-a.remote /tmp/ccid-a.gadget; then
		result $J-exchange FAIL "answers differ from the remote's: remote: $(grep -v '^reader:' /tmp/ccid-x.remote | tr '\n' ';') gadget: $(grep -v '^reader:' /tmp/ccid-x.gadget | tr '\n' ';')"
	else
		result $J-exchange PASS "$(grep -c answer /tmp/ccid-x.gadget) answers as the remote's: $(grep -v '^reader:' /tmp/ccid-x.gadget | sed 's/: answer / -> /; s/ seq [0-9]* slot 0//' | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
	fi
	# a card is inserted: the reader tells the host side on its interrupt endpoint
	log "making the NSS database of the emulated card"
	if make_nssdb "$LAB_OUT/nssdb"; then
		log "inserting the card"
		timeout 30 "$DEVTOOLS/dev-ccid" "$(usbfs_node "$G")" notify:20 > /tmp/ccid-notify 2>&1 & NP=$!
		sleep 1
		out=$(qemu_monitor "device_add ccid-card-emulated,id=card,backend=certificates,db=sql:$LAB_CACHE/out/$LAB_NAME/nssdb,cert1=lab1,cert2=lab2,cert3=lab3")
		wait $NP; rc=$?
		if [ -n "$out" ]; then
			result $J-insert FAIL "device_add ccid-card-emulated: $out"
		elif [ $rc = 0 ] && grep -q 'card present, changed' /tmp/ccid-notify; then
			result $J-insert PASS "$(grep '^notify' /tmp/ccid-notify)"
		else
			result $J-insert FAIL "no NotifySlotChange on the host side (status $rc): $(tr '\n' ' ' < /tmp/ccid-notify)"
		fi
		# shellcheck disable=SC2086
		timeout 30 "$DEVTOOLS/dev-ccid" "$(usbfs_node "$G")" $CARD_OPS > /tmp/ccid-card.gadget 2>&1; rc=$?
		if [ $rc = 0 ] && grep -q '^IccPowerOn: .*command ok.* data 3b' /tmp/ccid-card.gadget &&
			grep -q '^XfrBlock: .*command ok.* 90 00$' /tmp/ccid-card.gadget; then
			CARD_OK=1
		else
			result $J-card FAIL "$(tr '\n' ';' < /tmp/ccid-card.gadget)"
		fi
	else
		result $J-insert FAIL "cannot make the NSS database for ccid-card-emulated (certutil)"
	fi
	dev_gadget_down $J "$R"
	# the same card exchange on the remote itself
	if [ -n "${CARD_OK:-}" ]; then
		usbip unbind -b "$R" >/dev/null 2>&1
		wait_for 10 eval '! bound_to_usbip $R'
		# shellcheck disable=SC2086
		"$DEVTOOLS/dev-ccid" "$(usbfs_node "$R")" $CARD_OPS > /tmp/ccid-card.remote 2>&1
		grep -v '^reader:' /tmp/ccid-card.remote > /tmp/ccid-c.remote
		grep -v '^reader:' /tmp/ccid-card.gadget > /tmp/ccid-c.gadget
		if cmp -s /tmp/ccid-c.remote /tmp/ccid-c.gadget; then
			result $J-card PASS "$(grep -c answer /tmp/ccid-c.gadget) answers as the remote's: $(sed 's/: answer / -> /; s/ seq [0-9]* slot 0//; s/ICC present and active, //; s/ICC present, inactive, //' /tmp/ccid-c.gadget | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
		else
			result $J-card FAIL "answers differ: remote: $(tr '\n' ';' < /tmp/ccid-c.remote) gadget: $(tr '\n' ';' < /tmp/ccid-c.gadget)"
		fi
	fi
fi

[ -n "$AB" ] && expect_refusal audio-refused "CS_INTERFACE" "$AB"
job_end
