# SPDX-License-Identifier: GPL-2.0-or-later
# The host side does what hosts do to a USB device, to a gadgetd that runs its
# relay unprivileged (issue 4 part 5):
#   fault-user            --user: the relay process runs as a user made here, with
#                         CapEff 0 (and NoNewPrivs); the root parent keeps teardown
#   fault-host-rebind     usb-storage unbound from the interface and bound again
#   fault-host-suspend    runtime suspend (power/control auto, autosuspend 0 on the
#                         device and the SCSI devices under it), resumed by a read
#   fault-host-reset      USBDEVFS_RESET (usbreset BUS/DEV)
#   fault-host-deconfig   bConfigurationValue 0, then 1
#   fault-second          a second gadgetd on the same UDC refuses ("UDC ... is in
#                         use by another gadgetd (pid ...)", the UDC's lock, or
#                         "... by gadget ...", non-zero) and leaves the first alone
#   fault-host-read       after all that, the whole disk reads as the image
# After each host-side action gadgetd must still run and 2 MiB from the middle of
# the disk must read back as the image's. When one fails, gadgetd is restarted so
# that the next one is tested on a fresh gadget.
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001
#@timeout 330
. "$LAB_REPO/tests/lab/faultlib.sh"
J=fault-host
need_gadgetd $J
need_cmd $J usbreset useradd usbip
fault_setup $J
RUSER=gdrelay
id -u $RUSER >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $RUSER ||
	{ result fault-user FAIL "useradd $RUSER failed"; job_end; exit 1; }
RUID=$(id -u $RUSER)
GRUNS=0
start() {
	GRUNS=$((GRUNS + 1))
	gadgetd_start host$GRUNS --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --user $RUSER -v
	G=$(gadgetd_wait_gadget $STICK 60) && SD=$(disk_of "$G" 30)
}
start || { result $J FAIL "the gadget or its disk did not appear"; gadgetd_stop $J; job_end; exit 1; }
log "gadget $G, /dev/$SD"

# ---------------------------------------------------------------- --user
N=fault-user
kids=$(children "$GPID")
# shellcheck disable=SC2086 # a list of PIDs
set -- $kids
if [ $# != 1 ]; then
	result $N FAIL "expected one relay process under gadgetd $GPID, found: ${kids:-none}"
else
	R=$1
	ceff=$(proc_status "$R" CapEff) cprm=$(proc_status "$R" CapPrm) nnp=$(proc_status "$R" NoNewPrivs)
	puid=$(proc_status "$GPID" Uid)
	if [ "$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' "/proc/$R/status")" = "$RUID$RUID$RUID$RUID" ] &&
	   [ "$ceff" = 0000000000000000 ] && [ "$cprm" = 0000000000000000 ] && [ "$nnp" = 1 ] &&
	   grep -q "relay running as $RUSER" "$GLOG"; then
		result $N PASS "relay pid $R runs as $RUSER (uid $RUID real/effective/saved/fs), CapEff $ceff," \
			"CapPrm $cprm, NoNewPrivs $nnp; parent $GPID uid $puid keeps the teardown"
	else
		result $N FAIL "relay pid $R: Uid $(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$R/status")," \
			"CapEff $ceff, CapPrm $cprm, NoNewPrivs $nnp (want uid $RUID, caps 0, NoNewPrivs 1)"
	fi
fi

# ---------------------------------------------------------------- host-side actions
WANT=$(dd if="$LAB_IMG" bs=1M skip=7 count=2 2>/dev/null | sha256sum | cut -c1-64)
quick_read() {  # 2 MiB from the middle of the disk, as the image has them
	local g sd got
	g=$(gadgetd_wait_gadget $STICK 20 2>/dev/null) || { QMSG="no gadget on the host side"; return 1; }
	sd=$(disk_of "$g" 20) || { QMSG="no disk behind the gadget $g"; return 1; }
	got=$(timeout 20 dd if="/dev/$sd" bs=1M skip=7 count=2 iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
	[ "$got" = "$WANT" ] && { QMSG="2 MiB of /dev/$sd read as the image"; return 0; }
	QMSG="2 MiB of /dev/$sd did not read back (sha256 $got), dmesg: $(dmesg | grep -E 'reset|offline|error' | tail -1 | cut -c1-90)"
	return 1
}
# check NAME WHAT: gadgetd alive and the disk readable after the action WHAT
check() {
	local n=$1 what=$2 ev
	ev=$(tail -n +$(( MK + 1 )) "$GLOG" | sed -n 's/.*FunctionFS event \([A-Z]*\).*/\1/p' | tr '\n' ' ')
	if ! pid_alive "$GPID"; then
		wait "$GPID"; result "$n" FAIL "$what: gadgetd exited (status $?)"; GPID=
	elif quick_read; then
		result "$n" PASS "$what; gadgetd saw: ${ev:-nothing}; $QMSG"
		return 0
	else
		result "$n" FAIL "$what; gadgetd saw: ${ev:-nothing}; $QMSG"
	fi
	log "restarting gadgetd for the next case"
	[ -n "$GPID" ] && gadgetd_stop "$n"
	start || { result $J FAIL "gadgetd did not come back"; job_end; exit 1; }
}
dev() { echo "/sys/bus/usb/devices/$G"; }

N=fault-host-rebind MK=$(log_mark)
G=$(gadget_dev $STICK)
echo "$G:1.0" > /sys/bus/usb/drivers/usb-storage/unbind
gone_ok=no; wait_for 10 eval '! block_behind $G >/dev/null' && gone_ok=yes
echo "$G:1.0" > /sys/bus/usb/drivers/usb-storage/bind
check $N "usb-storage unbound (disk gone: $gone_ok) and bound again"

N=fault-host-suspend MK=$(log_mark)
G=$(gadget_dev $STICK)
find "$(dev)/" -name autosuspend_delay_ms | while read -r f; do echo 0 > "$f"; done 2>/dev/null
find "$(dev)/" -path '*/power/control' | while read -r f; do echo auto > "$f"; done 2>/dev/null
T=$(now_ms)
if wait_for 20 grep -qx suspended "$(dev)/power/runtime_status"; then
	what="runtime-suspended after $(secs $(( $(now_ms) - T ))) s, resumed by the read"
	if check $N "$what"; then
		st=$(cat "$(dev)/power/runtime_status")
		log "after the read: $st, suspended for $(cat "$(dev)/power/runtime_suspended_time") ms in all"
	fi
else
	result $N FAIL "the gadget did not runtime-suspend within 20 s ($(cat "$(dev)/power/runtime_status"))"
fi
find "$(dev)/" -path '*/power/control' | while read -r f; do echo on > "$f"; done 2>/dev/null

N=fault-host-reset MK=$(log_mark)
G=$(gadget_dev $STICK)
out=$(usbreset "$(printf '%03d/%03d' "$(cat "$(dev)/busnum")" "$(cat "$(dev)/devnum")")" 2>&1 | tr '\n' ' ')
check $N "usbreset: $out"

N=fault-host-deconfig MK=$(log_mark)
G=$(gadget_dev $STICK)
echo 0 > "$(dev)/bConfigurationValue"
c0=$(cat "$(dev)/bConfigurationValue")
echo 1 > "$(dev)/bConfigurationValue"
check $N "bConfigurationValue 0 (read back '$c0'), then 1 ($(cat "$(dev)/bConfigurationValue"))"

# ---------------------------------------------------------------- a second gadgetd
N=fault-second
G=$(gadget_dev $STICK)
devnum=$(cat "$(dev)/devnum")
SLOG=$LAB_OUT/gadgetd-second.log
GLOGS="$GLOGS $SLOG"
T=$(now_ms)
# shellcheck disable=SC2046
timeout 30 "$GADGETD" $(gadgetd_logopt) --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -v > "$SLOG" 2>&1
rc=$?; dt=$(( $(now_ms) - T ))
msg=$(grep -m1 -E "is in use by (gadget|another gadgetd)" "$SLOG" | short)
if [ $rc != 0 ] && [ $rc != 124 ] && [ -n "$msg" ] && pid_alive "$GPID" &&
   [ "$(gadget_dev $STICK)" = "$G" ] && [ "$(cat "$(dev)/devnum")" = "$devnum" ] &&
   [ "$(cat /sys/class/udc/dummy_udc.0/function 2>/dev/null)" = gadgetd.dummy_udc.0 ]; then
	result $N PASS "status $rc in $(secs $dt) s: $msg; the first gadget stays ($G, device $devnum, UDC still bound)"
else
	result $N FAIL "status $rc in $(secs $dt) s, said: $(tail -2 "$SLOG" | short | tr '\n' ' '); first alive:" \
		"$(pid_alive "$GPID" && echo yes || echo no), gadget now $(gadget_dev $STICK) (was $G/$devnum)"
fi

N=fault-host-read
if disk_check 30; then result $N PASS "$DISK_MSG"; else result $N FAIL "$DISK_MSG"; fi
gadgetd_stop $J
job_end
