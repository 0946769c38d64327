# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the per-device lab jobs (tests/lab/jobs/e2e-dev-*.sh), sourced
# after tests/lab/lib.sh inside the guest.
#
# Helper programs built by `make` from tests/tools/dev-*.c live in $DEVTOOLS.
DEVTOOLS=${DEVTOOLS:-${LAB_REPO:-/nonexistent}/build/tools}

# need_tool JOB NAME...: FAIL (never skip) when a helper program is missing
need_tool() {
	local j=$1 t; shift
	for t in "$@"; do
		case $t in
			*/*) [ -x "$t" ] && continue;;
			dev-*) [ -x "$DEVTOOLS/$t" ] && continue;;
			*) command -v "$t" >/dev/null && continue;;
		esac
		result "$j" FAIL "prerequisite $t is missing (make; scripts/deps.sh lab)"
		job_end; exit 1
	done
}

# server_dev_serial SERIAL: busid of the server-side device with that iSerial
# (QEMU's usb-storage and usb-bot share 46f4:0001 and the product string)
server_dev_serial() {
	local n
	for n in $(usb_devs); do
		on_virtual_hcd "$n" && continue
		[ "$(cat "/sys/bus/usb/devices/$n/serial" 2>/dev/null)" = "$1" ] || continue
		echo "$n"; return 0
	done
	return 1
}

# export_busid BUSID: bind an already known server-side device to usbip-host
export_busid() {
	usbip bind -b "$1" >&2 || return 1
	wait_for 10 bound_to_usbip "$1" || { echo "$1 is not bound to usbip-host" >&2; return 1; }
}

# usbip_available BUSID: exported and not imported by anyone (usbip_status 1)
usbip_available() { grep -qx 1 "/sys/bus/usb/devices/$1/usbip_status" 2>/dev/null; }

# dev_gadget_up J BUSID VID:PID [SECS]: gadgetd (-v, log in $LAB_OUT/gadgetd-J.log)
# imports BUSID onto dummy_udc.0; waits until the host side has enumerated it
# (interface 1.0 present). Sets G (sysfs name on dummy_hcd). 1 with a FAIL result.
dev_gadget_up() {
	local j=$1 b=$2 id=$3
	gadgetd_start "$j" --remote 127.0.0.1 --busid "$b" --udc dummy_udc.0 -v
	G=$(gadgetd_wait_gadget "$id" "${4:-60}") ||
		{ result "$j" FAIL "the gadget $id did not appear on dummy_hcd"; gadgetd_stop "$j"; return 1; }
	wait_for 10 test -e "/sys/bus/usb/devices/$G/$G:1.0" ||
		{ result "$j" FAIL "the host side did not configure the gadget $G"; gadgetd_stop "$j"; return 1; }
	log "gadget $G ($id) at $(cat "/sys/bus/usb/devices/$G/speed") Mb/s for $b"
}

# dev_gadget_down J [BUSID]: gadgetd_stop, then wait until the gadget is gone from dummy_hcd
# and the remote is available for import again
dev_gadget_down() {
	local j=$1 b=${2:-}
	gadgetd_stop "$j"
	wait_for 10 eval '! gadget_dev'
	[ -z "$b" ] || wait_for 10 usbip_available "$b"
}

# evdev_behind USBDEV rel|abs|key BIT: the eventN of USBDEV whose capability
# bitmap has BIT (REL_X = 0, ABS_X = 0, BTN_LEFT = 272)
evdev_behind() {
	local e dev caps w word
	dev=$(usb_real "$1")
	for e in /sys/class/input/event*; do
		[ -e "$e" ] || continue
		case $(readlink -f "$e/device") in "$dev"/*) ;; *) continue;; esac
		caps=$(cat "$e/device/capabilities/$2" 2>/dev/null) || continue
		# words are printed most significant first, 64 bits each
		w=$(( $3 / 64 ))
		word=$(echo "$caps" | awk -v w="$w" '{ i = NF - w; print (i >= 1 ? $i : "0") }')
		[ $(( 0x$word >> ($3 % 64) & 1 )) = 1 ] || continue
		[ -c "/dev/input/${e##*/}" ] || continue
		echo "${e##*/}"; return 0
	done
	return 1
}

# tty_behind USBDEV: the ttyUSBn of a USB serial converter, or the ttyACMn of a CDC-ACM device
tty_behind() {
	local t dev
	dev=$(usb_real "$1")
	for t in /sys/class/tty/ttyUSB* /sys/class/tty/ttyACM*; do
		[ -e "$t" ] || continue
		case $(readlink -f "$t/device") in "$dev"/*) ;; *) continue;; esac
		[ -c "/dev/${t##*/}" ] || continue
		echo "${t##*/}"; return 0
	done
	return 1
}

# usbfs_node USBDEV: /dev/bus/usb/BBB/DDD
usbfs_node() {
	printf '/dev/bus/usb/%03d/%03d\n' "$(cat "/sys/bus/usb/devices/$1/busnum")" \
		"$(cat "/sys/bus/usb/devices/$1/devnum")"
}

# host_side_only USBDEV CMD...: run CMD in a private mount namespace where only
# USBDEV's bus is left in /dev/bus/usb, so that libusb programs (libmtp) cannot
# open, claim or detach the server side's devices (bound to usbip-host)
host_side_only() {
	local bus d; bus=$(printf '%03d' "$(cat "/sys/bus/usb/devices/$1/busnum")"); shift
	local hide=
	for d in /dev/bus/usb/*; do
		[ "${d##*/}" = "$bus" ] || hide="$hide $d"
	done
	# shellcheck disable=SC2016 # expanded by the inner shell
	HIDE="$hide" unshare -m --propagation private sh -c \
		'for d in $HIDE; do mount -t tmpfs -o size=4k,mode=0 none "$d" || exit 99; done; exec "$@"' sh "$@"
}

# qmp_serial_connect TTY CHARDEV: connect a guest serial port to QEMU's QMP monitor.
# The job declares
#   -chardev socket,id=qmps,path=@OUT@/qmp.sock,server=on,wait=off
#   -mon chardev=qmps,mode=control
#   -chardev null,id=CHARDEV -device isa-serial,chardev=CHARDEV,index=1   (ttyS1)
# TTY is made raw without echo first, then CHARDEV is switched (HMP chardev-change)
# to a client of qmp.sock: a tty that echoed QMP's greeting back would start an
# endless exchange of parse errors. Then tests/tools/dev-qmp talks QMP on TTY.
qmp_serial_connect() {
	local out
	stty -F "$1" raw -echo -echoe -echok -echonl -ixon -ixoff -crtscts clocal 115200 || return 1
	out=$(qemu_monitor "chardev-change $2 socket,path=$LAB_CACHE/out/$LAB_NAME/qmp.sock") || return 1
	[ -z "$out" ] || { echo "chardev-change $2: $out" >&2; return 1; }
}

# qemu_mouse_index NAME: the index of a pointer handler in `info mice`
# ("Mouse #2: QEMU HID Tablet (absolute)")
qemu_mouse_index() {
	qemu_monitor "info mice" | sed -n "s/^[* ]*Mouse #\([0-9]*\): $1.*/\1/p" | head -1
}

# raw_class_descs USBDEV TYPE: the class-specific descriptors of that type in the
# device's configuration (sysfs descriptors), one per line as hex bytes
raw_class_descs() {
	od -An -tu1 -v "/sys/bus/usb/devices/$1/descriptors" 2>/dev/null | tr -s ' \n' '\n\n' | grep -v '^$' |
	awk -v t="$2" '{ b[n++] = $1 } END {
		for (i = 18; i + 1 < n && b[i] > 0; i += b[i]) {
			if (b[i + 1] != t) continue
			s = ""
			for (k = 0; k < b[i] && i + k < n; k++) s = s (k ? " " : "") sprintf("%02x", b[i + k])
			print s
		} }'
}

# expect_refusal NAME PATTERN BUSID: gadgetd must refuse BUSID: exit non-zero within
# 30 s, say PATTERN (case-insensitive), leave ConfigFS empty and the remote
# available for import again
expect_refusal() {
	local name=$1 pat=$2 b=$3 rc t0 dt glog=$LAB_OUT/gadgetd-$1.log
	GLOGS="${GLOGS:-} $glog"
	t0=$(date +%s%N)
	# shellcheck disable=SC2046 # one word or none
	timeout 30 "$GADGETD" $(gadgetd_logopt) --remote 127.0.0.1 --busid "$b" --udc dummy_udc.0 -v > "$glog" 2>&1; rc=$?
	dt=$(( ($(date +%s%N) - t0) / 1000000 ))
	wait_for 3 configfs_clean
	if [ $rc = 124 ]; then
		result "$name" FAIL "gadgetd did not exit within 30 s"
	elif [ $rc = 0 ]; then
		result "$name" FAIL "gadgetd exited 0"
	elif ! grep -qi -- "$pat" "$glog"; then
		result "$name" FAIL "gadgetd (status $rc) did not say '$pat'; it said: $(tail -3 "$glog" | tr '\n' ' ')"
	elif ! configfs_clean; then
		result "$name" FAIL "ConfigFS not empty: $(ls /sys/kernel/config/usb_gadget | tr '\n' ' ')"
	elif gadget_dev >/dev/null; then
		result "$name" FAIL "a gadget is on dummy_hcd after the refusal: $(gadget_dev)"
	elif ! wait_for 10 usbip_available "$b"; then
		result "$name" FAIL "$b usbip_status is $(cat "/sys/bus/usb/devices/$b/usbip_status"), not 1 (available)"
	else
		result "$name" PASS "status $rc in ${dt} ms, ConfigFS empty, $b released: $(grep -i -m1 -- "$pat" "$glog" | sed 's/^[^ ]* gadgetd: //')"
	fi
}

# dev_storage J SERIAL RSPEED GSPEED HOSTCHECK: the QEMU mass-storage device
# (usb-storage or usb-bot + scsi-hd, 46f4:0001) with iSerial SERIAL, on the server
# side, exported (if it is not yet) and imported by gadgetd onto dummy_udc.0 (dummy_hcd must be
# up with the wanted speed). The host side's disk must read as the image, take a
# fresh random pattern (O_DIRECT) and read it back. HOSTCHECK=yes: the disk is
# @DISK@, and lab.sh checks after the VM exits that the image file holds the pattern.
dev_storage() {
	local J=$1 serial=$2 rspeed=$3 gspeed=$4 hc=$5 B G SD got P s
	wait_for 20 server_dev_serial "$serial" >/dev/null ||
		{ result "$J" FAIL "no server-side device with serial $serial"; return 1; }
	B=$(server_dev_serial "$serial")
	bound_to_usbip "$B" || export_busid "$B" || { result "$J" FAIL "cannot export $B (serial $serial)"; return 1; }
	s="$(cat "/sys/bus/usb/devices/$B/speed") Mb/s, bulk $(bulk_mps "$B") bytes"
	[ "$s" = "$rspeed Mb/s, bulk $(speed_mps "$rspeed") bytes" ] && result "$J-remote-speed" PASS "remote $B at $s" ||
		result "$J-remote-speed" FAIL "remote $B at $s, expected $rspeed Mb/s, bulk $(speed_mps "$rspeed")"
	dev_gadget_up "$J" "$B" 46f4:0001 || return 1
	s="$(cat "/sys/bus/usb/devices/$G/speed") Mb/s, bulk $(bulk_mps "$G") bytes"
	[ "$s" = "$gspeed Mb/s, bulk $(speed_mps "$gspeed") bytes" ] && result "$J-gadget-speed" PASS "gadget $G at $s" ||
		result "$J-gadget-speed" FAIL "gadget $G at $s, expected $gspeed Mb/s, bulk $(speed_mps "$gspeed")"
	if ! wait_for 30 eval 'SD=$(block_behind $G)'; then
		result "$J-read" FAIL "no block device behind the gadget $G"
		dev_gadget_down "$J" "$B"; return 1
	fi
	log "host side sees /dev/$SD ($(cat /sys/block/$SD/size) sectors)"
	got=$(timeout 120 dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
	[ "$got" = "$LAB_IMG_SHA256" ] && result "$J-read" PASS "/dev/$SD sha256 = image $got" ||
		result "$J-read" FAIL "/dev/$SD sha256 $got != image $LAB_IMG_SHA256"
	head -c 16M /dev/urandom > /tmp/pattern
	P=$(sha256sum < /tmp/pattern | cut -c1-64)
	[ "$hc" = yes ] && echo "$J-host-image sha256 disk.img $P" >> "$LAB_OUT/host-checks"
	if timeout 120 dd if=/tmp/pattern of=/dev/$SD bs=1M oflag=direct conv=fsync 2>/tmp/dd.err; then
		sync; echo 3 > /proc/sys/vm/drop_caches; blockdev --flushbufs /dev/$SD
		got=$(timeout 120 dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
		[ "$got" = "$P" ] && result "$J-write" PASS "16 MiB pattern written and read back (O_DIRECT) $P" ||
			result "$J-write" FAIL "read back $got != written $P"
	else
		result "$J-write" FAIL "dd to /dev/$SD failed: $(tail -1 /tmp/dd.err)"
	fi
	dev_gadget_down "$J" "$B"
}
