# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's usb-mouse and usb-tablet (both 0627:0001, told apart by product) through
# gadgetd, one after the other: the host side of dummy_hcd binds usbhid, reads the
# remote's report descriptor, and input injected into QEMU arrives on the gadget's
# evdev node: HMP mouse_move / mouse_button as REL_X/REL_Y and BTN_LEFT for the
# mouse; absolute motion (QMP input-send-event: HMP has no absolute motion) as
# ABS_X/ABS_Y and HMP mouse_button as BTN_LEFT for the tablet.
# The QMP monitor is reached from the guest through ttyS1 (qmp_serial_connect in
# tests/lab/devlib.sh, tests/tools/dev-qmp.c).
#@qemu -device qemu-xhci,id=xhci
#@qemu -device usb-mouse,id=mouse,bus=xhci.0 -device usb-tablet,id=tablet,bus=xhci.0
#@qemu -chardev socket,id=qmps,path=@OUT@/qmp.sock,server=on,wait=off -mon chardev=qmps,mode=control
#@qemu -chardev null,id=qmpc -device isa-serial,chardev=qmpc,index=1
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
J=hid
need_gadgetd $J
need_tool $J dev-qmp evtest
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
mods usbhid hid_generic evdev

# remote_rdesc NAME PRODUCT: the remote's report descriptor, read while the server
# side's usbhid owns it, into /tmp/NAME.remote; prints the busid
remote_rdesc() {
	# shellcheck disable=SC2034 # used inside eval
	local R RH prod=$2
	wait_for 20 eval 'R=$(server_dev 0627:0001 "$prod") && RH=$(hid_behind $R) && test -s $RH/report_descriptor' ||
		return 1
	cat "$RH/report_descriptor" > "/tmp/$1.remote"
	echo "$R"
}
MB=$(remote_rdesc mouse Mouse) || result hid-mouse-rdesc FAIL "cannot read the remote usb-mouse's report descriptor"
TB=$(remote_rdesc tablet Tablet) || result hid-tablet-rdesc FAIL "cannot read the remote usb-tablet's report descriptor"
[ -n "$MB" ] && { export_busid "$MB" || { result hid-mouse FAIL "cannot export the usb-mouse $MB"; MB=; }; }
[ -n "$TB" ] && { export_busid "$TB" || { result hid-tablet FAIL "cannot export the usb-tablet $TB"; TB=; }; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
qmp_serial_connect /dev/ttyS1 qmpc || result hid-tablet-motion FAIL "cannot connect ttyS1 to QEMU's QMP monitor"

# check_rdesc NAME: the host side's report descriptor of the gadget $G = the remote's
check_rdesc() {
	local GH
	if ! wait_for 20 eval 'GH=$(hid_behind $G) && test -s $GH/report_descriptor'; then
		result "hid-$1-rdesc" FAIL "usbhid did not bind to the gadget $G on the host side"; return 1
	fi
	cat "$GH/report_descriptor" > "/tmp/$1.gadget"
	if cmp -s "/tmp/$1.remote" "/tmp/$1.gadget"; then
		result "hid-$1-rdesc" PASS "host side read the remote's report descriptor ($(stat -c %s "/tmp/$1.gadget") bytes)"
	else
		result "hid-$1-rdesc" FAIL "report descriptors differ (remote, then host side): $(od -An -tx1 "/tmp/$1.remote" | tr -d '\n') / $(od -An -tx1 "/tmp/$1.gadget" | tr -d '\n')"
	fi
}

# evtest_start NODE LOG: evtest in the background (EVPID), once it is reading
evtest_start() {
	timeout 60 evtest "/dev/input/$1" > "$2" 2>&1 & EVPID=$!
	wait_for 5 grep -q '^Testing' "$2"
}
evtest_stop() { [ -n "${EVPID:-}" ] && { kill "$EVPID" 2>/dev/null; wait "$EVPID" 2>/dev/null; }; EVPID=; }
ev_seen() { grep -q "($1), value $2\$" "$3"; }  # ev_seen CODE VALUE LOG

# select_pointer NAME: make QEMU's input layer route buttons (and motion) to NAME
select_pointer() {
	local i; i=$(qemu_mouse_index "$1")
	[ -n "$i" ] || { echo "no '$1' in info mice: $(qemu_monitor 'info mice' | tr '\n' ' ')" >&2; return 1; }
	qemu_monitor "mouse_set $i" >/dev/null
}

# click J LOG: mouse_button 1 then 0 must give BTN_LEFT 1 then 0
click() {
	qemu_monitor "mouse_button 1" >/dev/null
	sleep 0.3
	qemu_monitor "mouse_button 0" >/dev/null
	if wait_for 10 ev_seen BTN_LEFT 0 "$2" && ev_seen BTN_LEFT 1 "$2"; then
		result "$1-click" PASS "mouse_button 1, 0 -> BTN_LEFT press and release on /dev/input/$EV"
	else
		result "$1-click" FAIL "no BTN_LEFT press and release on /dev/input/$EV: $(grep -c 'type 1 (EV_KEY)' "$2") key events"
		tail -5 "$2"
	fi
}

# ---- usb-mouse: relative motion
if [ -n "$MB" ] && dev_gadget_up hid-mouse "$MB" 0627:0001; then
	check_rdesc mouse
	if wait_for 20 eval 'EV=$(evdev_behind $G rel 0)'; then
		log "host side mouse: /dev/input/$EV ($(cat /sys/class/input/$EV/device/name))"
		evtest_start "$EV" /tmp/mouse.ev
		select_pointer "QEMU HID Mouse"
		qemu_monitor "mouse_move 10 -7" >/dev/null
		if wait_for 10 ev_seen REL_Y -7 /tmp/mouse.ev && ev_seen REL_X 10 /tmp/mouse.ev; then
			result hid-mouse-motion PASS "mouse_move 10 -7 -> REL_X 10, REL_Y -7 on /dev/input/$EV"
		else
			result hid-mouse-motion FAIL "no REL_X 10 / REL_Y -7 on /dev/input/$EV: $(grep 'EV_REL' /tmp/mouse.ev | head -4 | tr '\n' ' ')"
		fi
		click hid-mouse /tmp/mouse.ev
		evtest_stop
	else
		result hid-mouse-motion FAIL "no relative pointer event node behind the gadget $G"
	fi
	dev_gadget_down hid-mouse "$MB"
fi

# ---- usb-tablet: absolute motion
if [ -n "$TB" ] && dev_gadget_up hid-tablet "$TB" 0627:0001; then
	check_rdesc tablet
	if wait_for 20 eval 'EV=$(evdev_behind $G abs 0)'; then
		log "host side tablet: /dev/input/$EV ($(cat /sys/class/input/$EV/device/name))"
		evtest_start "$EV" /tmp/tablet.ev
		select_pointer "QEMU HID Tablet"
		"$DEVTOOLS/dev-qmp" /dev/ttyS1 \
			'{"execute":"input-send-event","arguments":{"events":[{"type":"abs","data":{"axis":"x","value":10000}},{"type":"abs","data":{"axis":"y","value":20000}}]}}' \
			> /tmp/qmp.out 2>&1 || log "dev-qmp: $(cat /tmp/qmp.out)"
		if wait_for 10 ev_seen ABS_Y 20000 /tmp/tablet.ev && ev_seen ABS_X 10000 /tmp/tablet.ev; then
			result hid-tablet-motion PASS "input-send-event abs x=10000 y=20000 -> ABS_X 10000, ABS_Y 20000 on /dev/input/$EV"
		else
			result hid-tablet-motion FAIL "no ABS_X 10000 / ABS_Y 20000 on /dev/input/$EV (QMP: $(tr '\n' ' ' < /tmp/qmp.out)): $(grep 'EV_ABS' /tmp/tablet.ev | tail -4 | tr '\n' ' ')"
		fi
		click hid-tablet /tmp/tablet.ev
		evtest_stop
	else
		result hid-tablet-motion FAIL "no absolute pointer event node behind the gadget $G"
	fi
	dev_gadget_down hid-tablet "$TB"
fi
job_end
