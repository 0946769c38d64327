# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for lab guest jobs (sourced by bash inside the guest; see scripts/lab.sh).
#
# The guest has no udev: drivers are loaded by hand and device nodes come from
# devtmpfs. Three roles share one kernel:
#   server side   QEMU's emulated USB devices on xhci/ehci, exported by usbip-host +
#                 usbipd on 127.0.0.1:3240
#   gadget side   gadgetd (USB/IP client) + ConfigFS/FunctionFS on dummy_udc.N
#   host side     dummy_hcd's host controller: the "machine the gadget is plugged
#                 into", with stock drivers (usb-storage, usbhid, evdev)
# A device "behind" a controller is found by the realpath of its sysfs node
# (…/dummy_hcd.0/usbN/… for the gadget as the host side sees it).
# Results are lines "RESULT <name>: PASS|FAIL <details>".

export LAB_OUT=${LAB_OUT:-/lab/out}
GADGETD=${GADGETD:-${LAB_REPO:-/nonexistent}/build/gadgetd}
LAB_FAILS=0

log() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }

# result NAME PASS|FAIL [DETAILS...]
result() {
	local name=$1 st=$2; shift 2
	[ "$st" = PASS ] || { st=FAIL; LAB_FAILS=$((LAB_FAILS + 1)); }
	echo "RESULT $name: $st${*:+ $*}"
}

# wait_for SECS CMD [ARGS...]: run CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	local end=$(( $(date +%s%N) / 1000000 + ${1%.*} * 1000 )); shift
	while :; do
		"$@" && return 0
		[ $(( $(date +%s%N) / 1000000 )) -ge $end ] && return 1
		sleep 0.1
	done
}

mods() {  # mods MODULE...: modprobe each; 1 if any failed
	local m rc=0
	for m in "$@"; do modprobe "$m" || { echo "modprobe $m failed" >&2; rc=1; }; done
	return $rc
}

# ------------------------------------------------------------ command channel
# qemu_monitor CMD: run a QEMU (HMP) monitor command on the host, print its output.
qemu_monitor() {
	local id
	id="$LAB_OUT/cmd/g.$$.$RANDOM.$(date +%s%N)"
	mkdir -p "$LAB_OUT/cmd"
	printf '%s\n' "$*" > "$id.tmp" && mv "$id.tmp" "$id.req" || return 1
	for _ in $(seq 300); do
		if [ -e "$id.rep" ]; then cat "$id.rep"; rm -f "$id.rep"; return 0; fi
		sleep 0.1
	done
	rm -f "$id.req"
	echo "qemu_monitor: no reply from the host for '$*'" >&2
	return 1
}

# ------------------------------------------------------------ finding devices
# usb_devs: real USB devices (no root hubs, no interfaces), as sysfs names
usb_devs() {
	local d n
	for d in /sys/bus/usb/devices/*; do
		n=${d##*/}
		case $n in usb*|*:*) continue;; esac
		echo "$n"
	done
}
usb_id() { echo "$(cat "/sys/bus/usb/devices/$1/idVendor" 2>/dev/null):$(cat "/sys/bus/usb/devices/$1/idProduct" 2>/dev/null)"; }
usb_real() { readlink -f "/sys/bus/usb/devices/$1"; }
on_virtual_hcd() { case $(usb_real "$1") in *dummy_hcd*|*vhci_hcd*) return 0;; esac; return 1; }

# server_dev VID:PID [PRODUCT-SUBSTRING]: busid of a server-side (physical/QEMU) device.
# usb-kbd, usb-mouse and usb-tablet share 0627:0001: tell them apart by product.
server_dev() {
	local n
	for n in $(usb_devs); do
		on_virtual_hcd "$n" && continue
		[ "$(usb_id "$n")" = "$1" ] || continue
		[ -z "${2:-}" ] || grep -qi -- "$2" "/sys/bus/usb/devices/$n/product" 2>/dev/null || continue
		echo "$n"; return 0
	done
	return 1
}

# gadget_dev [VID:PID]: the gadget as dummy_hcd's host side sees it (sysfs name)
gadget_dev() {
	local n
	for n in $(usb_devs); do
		case $(usb_real "$n") in *dummy_hcd*) ;; *) continue;; esac
		[ -z "${1:-}" ] || [ "$(usb_id "$n")" = "$1" ] || continue
		echo "$n"; return 0
	done
	return 1
}
# vhci_dev [VID:PID]: a device imported by the kernel's own USB/IP client
vhci_dev() {
	local n
	for n in $(usb_devs); do
		case $(usb_real "$n") in *vhci_hcd*) ;; *) continue;; esac
		[ -z "${1:-}" ] || [ "$(usb_id "$n")" = "$1" ] || continue
		echo "$n"; return 0
	done
	return 1
}

# block_behind USBDEV: the sd* disk of a USB device (sysfs name), with media
block_behind() {
	local s dev
	dev=$(usb_real "$1")
	for s in /sys/block/sd*; do
		[ -e "$s" ] || continue
		case $(readlink -f "$s") in "$dev"/*) ;; *) continue;; esac
		[ "$(cat "$s/size")" -gt 0 ] 2>/dev/null || continue
		[ -b "/dev/${s##*/}" ] || continue
		echo "${s##*/}"; return 0
	done
	return 1
}

# event_behind USBDEV: the evdev node (eventN) of a keyboard on a USB device
event_behind() {
	local e dev caps
	dev=$(usb_real "$1")
	for e in /sys/class/input/event*; do
		[ -e "$e" ] || continue
		case $(readlink -f "$e/device") in "$dev"/*) ;; *) continue;; esac
		caps=$(cat "$e/device/capabilities/key" 2>/dev/null)
		# KEY_A is code 30: bit 30 of the last (lowest) word
		[ -n "$caps" ] && [ $(( 0x${caps##* } >> 30 & 1 )) = 1 ] || continue
		[ -c "/dev/input/${e##*/}" ] || continue
		echo "${e##*/}"; return 0
	done
	return 1
}

# hid_behind USBDEV: the /sys/bus/hid/devices entry of a USB HID device
hid_behind() {
	local h dev
	dev=$(usb_real "$1")
	for h in /sys/bus/hid/devices/*; do
		[ -e "$h" ] || continue
		case $(readlink -f "$h") in "$dev"/*) echo "$(readlink -f "$h")"; return 0;; esac
	done
	return 1
}

# ------------------------------------------------------------ bringing sides up
tcp_listening() {  # tcp_listening PORT
	local hex; hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" {f=1} END {exit !f}' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# server_up: host controllers, usbip-host, usbipd on 127.0.0.1:3240
server_up() {
	mods xhci_pci ehci_pci usbip_core usbip_host || return 1
	pgrep -x usbipd >/dev/null || usbipd -D || return 1
	wait_for 10 tcp_listening 3240 || { echo "usbipd is not listening" >&2; return 1; }
}

# export_dev VID:PID [PRODUCT]: wait for the QEMU device, bind it to usbip-host,
# print its busid
export_dev() {
	local b
	wait_for 20 server_dev "$@" >/dev/null || { echo "no server-side device $*" >&2; return 1; }
	b=$(server_dev "$@")
	usbip bind -b "$b" >&2 || return 1
	wait_for 10 bound_to_usbip "$b" || { echo "$b is not bound to usbip-host" >&2; return 1; }
	echo "$b"
}
bound_to_usbip() { [ "$(basename "$(readlink -f "/sys/bus/usb/devices/$1/driver")")" = usbip-host ]; }

# gadget_side_up [DUMMY_HCD OPTIONS...]: libcomposite, usb_f_fs, dummy_hcd, configfs,
# and the host side's stock drivers
gadget_side_up() {
	mods libcomposite usb_f_fs || return 1
	modprobe dummy_hcd "$@" || return 1
	mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config || return 1
	wait_for 5 test -e /sys/class/udc/dummy_udc.0 || { echo "no dummy_udc.0" >&2; return 1; }
	host_drivers
}
host_drivers() { mods usb_storage sd_mod usbhid hid_generic evdev; }

configfs_clean() { [ -z "$(ls -A /sys/kernel/config/usb_gadget 2>/dev/null)" ]; }

# ------------------------------------------------------------ gadgetd
# need_gadgetd JOB: FAIL (never skip) when the binary is missing
need_gadgetd() {
	[ -x "$GADGETD" ] && return 0
	result "$1" FAIL "gadgetd binary $GADGETD is missing: run make"
	exit 1
}

pid_alive() {  # running and not a zombie
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# gadgetd logs to stderr; the lab keeps its log in $LAB_OUT/gadgetd-*.log with
# CLOCK_MONOTONIC stamps ("[12.345] gadgetd: info: ..."), the clock of dmesg
gadgetd_logopt() {
	echo --log-time=mono
}

# gadgetd_start TAG ARGS...: gadgetd in the background, log in $LAB_OUT/gadgetd-TAG.log;
# sets GPID and GLOG
gadgetd_start() {
	local tag=$1; shift
	GLOG=$LAB_OUT/gadgetd-$tag.log
	log "gadgetd $*"
	# shellcheck disable=SC2046 # one word or none
	"$GADGETD" $(gadgetd_logopt) "$@" > "$GLOG" 2>&1 &
	GPID=$!
	GLOGS="${GLOGS:-} $GLOG"
}

# gadgetd_wait_gadget VID:PID [SECS]: wait for the gadget on dummy_hcd's host side;
# prints its sysfs name. Fails early when gadgetd exits.
gadgetd_wait_gadget() {
	local end=$(( $(date +%s) + ${2:-30} ))
	while [ "$(date +%s)" -lt $end ]; do
		gadget_dev "$1" && return 0
		pid_alive "$GPID" || { echo "gadgetd exited before the gadget appeared" >&2; return 1; }
		sleep 0.1
	done
	echo "no gadget $1 on dummy_hcd after ${2:-30}s" >&2
	return 1
}

# gadgetd_stop NAME [any]: SIGTERM; RESULT NAME-teardown: exit status 0 and ConfigFS
# empty (with "any": other gadgetds still run, so only the exit status is checked)
gadgetd_stop() {
	local name=$1 others=${2:-} rc
	[ -n "${GPID:-}" ] || return 0
	if ! pid_alive "$GPID"; then
		wait "$GPID"; rc=$?
		result "$name-teardown" FAIL "gadgetd had already exited (status $rc)"
		GPID=; return 1
	fi
	kill -TERM "$GPID"
	for _ in $(seq 100); do pid_alive "$GPID" || break; sleep 0.1; done
	if pid_alive "$GPID"; then
		kill -KILL "$GPID"; wait "$GPID" 2>/dev/null
		result "$name-teardown" FAIL "gadgetd did not exit within 10 s of SIGTERM"
		GPID=; return 1
	fi
	wait "$GPID"; rc=$?
	GPID=
	[ -n "$others" ] || wait_for 3 configfs_clean
	if [ $rc != 0 ]; then result "$name-teardown" FAIL "gadgetd exited with status $rc on SIGTERM"
	elif [ -n "$others" ]; then result "$name-teardown" PASS "exit 0 on SIGTERM"
	elif ! configfs_clean; then result "$name-teardown" FAIL "ConfigFS not empty: $(ls /sys/kernel/config/usb_gadget | tr '\n' ' ')"
	elif mountpoint -q /run/gadgetd/gadgetfs; then result "$name-teardown" FAIL "GadgetFS is still mounted at /run/gadgetd/gadgetfs"
	else result "$name-teardown" PASS "exit 0 on SIGTERM, ConfigFS empty"; fi
}

# job_end: on any FAIL, show the tails of gadgetd's logs and of the kernel log
job_end() {
	local f
	[ -n "${GPID:-}" ] && pid_alive "$GPID" && kill -KILL "$GPID" 2>/dev/null
	[ "$LAB_FAILS" = 0 ] && return 0
	for f in ${GLOGS:-}; do
		echo "---- tail of $f"
		tail -n 40 "$f"
	done
	echo "---- dmesg tail"
	dmesg | tail -n 30
	return 1
}

# ------------------------------------------------------------ descriptors
# lsusb_norm BUS:DEV: the descriptor fields that must survive the trip through
# gadgetd, one per line (string indices dropped, endpoint numbers dropped)
lsusb_norm() {
	lsusb -v -s "$1" 2>/dev/null | awk '
	function txt(   s) { s = $0; sub(/^ *[A-Za-z]+ +[0-9]+ ?/, "", s); return s }
	/^Device Descriptor:/          { l = "dev"; next }
	/^ *Configuration Descriptor:/ { c++; l = "cfg" c; next }
	/^ *Interface Descriptor:/     { i++; e = 0; l = "cfg" c ".if" i; next }
	/^ *Endpoint Descriptor:/      { e++; l = "cfg" c ".if" i ".ep" e; next }
	/^(Device Qualifier|Device Status|Binary Object Store)/ { l = "stop"; next }
	/^ *[A-Za-z][A-Za-z ]*Descriptor:/ { l = "other"; next }
	l == "stop" || l == "other" { next }
	l == "dev" && $1 ~ /^(idVendor|idProduct|bcdDevice|bDeviceClass|bDeviceSubClass|bDeviceProtocol|bNumConfigurations)$/ { print l, $1, $2 }
	l == "dev" && $1 ~ /^(iManufacturer|iProduct|iSerial)$/ { print l, $1, txt() }
	l ~ /^cfg[0-9]+$/ && $1 ~ /^(bNumInterfaces|bConfigurationValue|bmAttributes|MaxPower)$/ { print l, $1, $2 }
	l ~ /if[0-9]+$/ && $1 ~ /^(bAlternateSetting|bNumEndpoints|bInterfaceClass|bInterfaceSubClass|bInterfaceProtocol)$/ { print l, $1, $2 }
	l ~ /if[0-9]+$/ && $1 == "iInterface" { print l, $1, txt() }
	l ~ /ep[0-9]+$/ && $1 == "bEndpointAddress" { print l, "direction", $NF }
	l ~ /ep[0-9]+$/ && $1 == "Transfer" { print l, "TransferType", $3 }
	l ~ /ep[0-9]+$/ && $1 == "wMaxPacketSize" { print l, $1, $2 }
	'
}
busdev() {  # busdev USBDEV: BUS:DEV for lsusb -s
	echo "$(cat "/sys/bus/usb/devices/$1/busnum"):$(cat "/sys/bus/usb/devices/$1/devnum")"
}

# bulk_mps USBDEV: wMaxPacketSize of the first bulk endpoint, from the raw
# descriptors in sysfs (also readable while the device is bound to usbip-host)
bulk_mps() {
	od -An -tu1 -v "/sys/bus/usb/devices/$1/descriptors" 2>/dev/null | tr -s ' \n' '\n\n' | grep -v '^$' |
	awk '{ b[n++] = $1 } END {
		for (i = 18; i + 1 < n && b[i] > 0; i += b[i])
			if (b[i + 1] == 5 && b[i] >= 7 && b[i + 3] % 4 == 2) { print b[i + 4] + 256 * b[i + 5]; exit }
		print "none" }'
}
speed_mps() { case $1 in 5000|10000|20000) echo 1024;; 480) echo 512;; *) echo 64;; esac; }

# ------------------------------------------------------------ shared flows
# e2e_storage J REMOTE-SPEED GADGET-SPEED [DUMMY_HCD OPTIONS]: the QEMU usb-storage
# stick (46f4:0001, @DISK@) exported, imported by gadgetd onto dummy_udc.0; the
# host side's disk must read as the image, take a fresh random pattern written
# with O_DIRECT and read it back; after the VM exits lab.sh checks that the QEMU
# disk image file holds the pattern (RESULT J-host-image).
e2e_storage() {
	local J=$1 rspeed=$2 gspeed=$3 B G SD got P s; shift 3
	need_gadgetd "$J"
	server_up || { result "$J" FAIL "usbip server side did not come up"; return 1; }
	B=$(export_dev 46f4:0001) || { result "$J" FAIL "cannot export the usb-storage stick"; return 1; }
	s="$(cat "/sys/bus/usb/devices/$B/speed") Mb/s, bulk $(bulk_mps "$B") bytes"
	[ "$s" = "$rspeed Mb/s, bulk $(speed_mps "$rspeed") bytes" ] && result "$J-remote-speed" PASS "remote $B at $s" ||
		result "$J-remote-speed" FAIL "remote $B at $s, expected $rspeed Mb/s, bulk $(speed_mps "$rspeed")"
	gadget_side_up "$@" || { result "$J" FAIL "gadget side (dummy_hcd, configfs) did not come up"; return 1; }
	gadgetd_start "$J" --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -v
	G=$(gadgetd_wait_gadget 46f4:0001 60) ||
		{ result "$J" FAIL "the gadget did not appear on dummy_hcd"; gadgetd_stop "$J"; return 1; }
	wait_for 10 test -e "/sys/bus/usb/devices/$G/$G:1.0"
	s="$(cat "/sys/bus/usb/devices/$G/speed") Mb/s, bulk $(bulk_mps "$G") bytes"
	[ "$s" = "$gspeed Mb/s, bulk $(speed_mps "$gspeed") bytes" ] && result "$J-gadget-speed" PASS "gadget $G at $s" ||
		result "$J-gadget-speed" FAIL "gadget $G at $s, expected $gspeed Mb/s, bulk $(speed_mps "$gspeed")"
	wait_for 30 eval 'SD=$(block_behind $G)' ||
		{ result "$J-read" FAIL "no block device behind the gadget $G"; gadgetd_stop "$J"; return 1; }
	log "host side sees /dev/$SD ($(cat /sys/block/$SD/size) sectors)"
	got=$(timeout 120 dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
	[ "$got" = "$LAB_IMG_SHA256" ] && result "$J-read" PASS "/dev/$SD sha256 = image $got" ||
		result "$J-read" FAIL "/dev/$SD sha256 $got != image $LAB_IMG_SHA256"
	head -c 16M /dev/urandom > /tmp/pattern
	P=$(sha256sum < /tmp/pattern | cut -c1-64)
	echo "$J-host-image sha256 disk.img $P" >> "$LAB_OUT/host-checks"
	echo "$P" > "$LAB_OUT/pattern.sha256"
	if timeout 120 dd if=/tmp/pattern of=/dev/$SD bs=1M oflag=direct conv=fsync 2>/tmp/dd.err; then
		sync; echo 3 > /proc/sys/vm/drop_caches; blockdev --flushbufs /dev/$SD
		got=$(timeout 120 dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
		[ "$got" = "$P" ] && result "$J-write" PASS "16 MiB pattern written and read back (O_DIRECT) $P" ||
			result "$J-write" FAIL "read back $got != written $P"
	else
		result "$J-write" FAIL "dd to /dev/$SD failed: $(tail -1 /tmp/dd.err)"
	fi
	gadgetd_stop "$J"
}
