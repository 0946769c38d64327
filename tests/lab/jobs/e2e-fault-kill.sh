# SPDX-License-Identifier: GPL-2.0-or-later
# SIGKILL (an OOM kill, systemd's stop timeout) skips gadgetd's teardown; the next
# gadgetd must still start (issue 9 §4). The ASan/UBSan gadgetd, the QEMU
# usb-storage stick through the real usbipd. Each kill-* case: SIGKILL at a stage,
# what it left is logged, then gadgetd is started again and, within 15 s, the host
# side sees the stick with its disk again (the time is the figure printed), the
# whole disk reads as the image, and the log names what was removed:
#   fault-kill-describe     while it reads the descriptors (from a server that
#                           answers the import and no URB), then restarted
#                           against the real usbipd
#   fault-kill-present      as soon as the gadget is in ConfigFS (the result
#                           names the stage the kill landed in)
#   fault-kill-relay        relaying, the host side configured, its disk there
#   fault-kill-transfer     during a whole-disk read
#   fault-kill-user         --user: the root parent killed while relaying; its
#                           unprivileged relay child must not outlive it
#   fault-kill-gadgetfs     --backend gadgetfs, relaying
# And:
#   fault-kill-lock         a second gadgetd on the same UDC is refused with a
#                           message naming the UDC and the first one's pid; the
#                           first one goes on working
#   fault-kill-other-gadget a gadget of another name in ConfigFS is left alone
#   fault-kill-sighup       SIGHUP: exit 0, ConfigFS empty, no mount left
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001
#@timeout 560
. "$LAB_REPO/tests/lab/faultlib.sh"
J=fault-kill
GADGETD=$GADGETD_SAN
RUSER=gadgetd-test
need_cmd $J "$GADGETD" usbip useradd socat
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
# libusbgx's own leak when it parses a gadget it finds in ConfigFS (the file says)
export LSAN_OPTIONS=suppressions=$LAB_REPO/tests/lab/lsan-libusbgx.supp
fault_setup $J
mods gadgetfs || { result $J FAIL "cannot load gadgetfs"; job_end; exit 1; }
id -u $RUSER >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $RUSER ||
	{ result $J FAIL "useradd $RUSER failed"; job_end; exit 1; }
GA=(--remote 127.0.0.1 --busid "$B" --udc dummy_udc.0)
cat > /tmp/kill.cfg <<EOF2
retry = { min = 1; max = 1; };
EOF2

# leftovers: the ConfigFS gadgets and the mounts under /run/gadgetd, one line
leftovers() {
	echo "ConfigFS: [$(ls /sys/kernel/config/usb_gadget | tr '\n' ' ' | sed 's/ $//')]," \
	     "mounts: [$(awk '$5 ~ "^/run/gadgetd/" { printf "%s%s", s, $5; s = " " }' /proc/self/mountinfo)]"
}
# kill9: SIGKILL gadgetd ($GPID) and its children now; sets LEFT
kill9() {
	local kids
	kids=$(children "$GPID")
	kill -KILL "$GPID"; wait "$GPID" 2>/dev/null; GPID=
	KIDS=$kids
	LEFT="at stage $(grep -a 'session:' "$GLOG" | tail -1 | sed 's/.*session: //'): $(leftovers)"
	log "SIGKILL $LEFT"
}
# busy_until SECS CMD...: run CMD without pause until it succeeds (a stage lasts
# little); 1 after SECS
busy_until() { local end=$(( $(now_ms) + $1 * 1000 )); shift; until "$@"; do [ "$(now_ms)" -lt $end ] || return 1; done; }
# presented: the stick is on the host side with its disk
presented() { local g; g=$(gadget_dev $STICK) && block_behind "$g" >/dev/null; }
# restart NAME WHAT ARGS...: gadgetd again (ARGS), presented within 15 s, the
# disk reads as the image
restart() {
	local n=$1 what=$2 T dt removed; shift 2
	wait_for 10 gadget_gone
	T=$(now_ms)
	gadgetd_start "$n" "${GA[@]}" --profile /tmp/kill.cfg "$@" -v
	if ! wait_for 15 presented; then
		result "$n" FAIL "$what; left $LEFT; not presented again within 15 s: $(grep -a -E 'error|warn|removed' "$GLOG" | tail -3 | short | tr '\n' ' ')"
		return 1
	fi
	dt=$(( $(now_ms) - T ))
	removed=$(grep -a 'removed what a gadgetd that is gone left behind' "$GLOG" |
		  sed 's/.*left behind: //' | tr '\n' ';' | sed 's/;$//')
	log "$n: restart to presented: $(secs $dt) s"
	if disk_check 10; then
		result "$n" PASS "$what; left $LEFT; restarted: presented in $(secs $dt) s, removed: ${removed:-nothing}; $DISK_MSG"
	else
		result "$n" FAIL "$what; left $LEFT; presented in $(secs $dt) s but $DISK_MSG"
	fi
}
# stop_clean NAME: SIGTERM the running gadgetd, quietly (between cases)
stop_clean() {
	[ -n "${GPID:-}" ] || return 0
	kill -TERM "$GPID"; gadgetd_exit_within 10 || { kill -KILL "$GPID"; wait "$GPID"; GPID=; }
}

# ---------------------------------------------------------------- describe
# a server that answers the import and no URB holds gadgetd in describe
mute_importer 3996 "$B" 46f4 0001 || log "the mute importer did not start"
gadgetd_start kill-describe --remote 127.0.0.1:3996 --busid "$B" --udc dummy_udc.0 -v
if wait_for 20 grep -aq "session: import -> describe" "$GLOG"; then
	sleep 0.5
	kill9
	kill "$MUTE_PID" 2>/dev/null
	restart $J-describe "SIGKILL while reading the descriptors (a server that answers no URB)"
else
	result $J-describe FAIL "never reached describe: $(tail -2 "$GLOG" | short | tr '\n' ' ')"; kill9
fi
kill "$MUTE_PID" 2>/dev/null
stop_clean

# ---------------------------------------------------------------- present
wait_for 10 gadget_gone
gadgetd_start kill-present "${GA[@]}" -v
if busy_until 30 test -d /sys/kernel/config/usb_gadget/gadgetd.dummy_udc.0; then
	kill9
	restart $J-present "SIGKILL with the gadget just in ConfigFS"
else
	result $J-present FAIL "the gadget never appeared in ConfigFS"; kill9
fi

# ---------------------------------------------------------------- relay (the restarted one is relaying)
if presented; then
	kill9
	restart $J-relay "SIGKILL while relaying, the host side configured"
else
	result $J-relay FAIL "not relaying before the kill"
fi

# ---------------------------------------------------------------- lock: a second one on the same UDC
N=$J-lock
FIRST=$GPID FLOG=$GLOG
gadgetd_start kill-lock "${GA[@]}" -v
SECOND=$GPID
if gadgetd_exit_within 15; then
	msg=$(grep -a -m1 "UDC dummy_udc.0 is in use by another gadgetd" "$GLOG" | short)
	GPID=$FIRST GLOG=$FLOG
	if [ "$GRC" = 1 ] && case $msg in *"pid $FIRST,"*) true;; *) false;; esac && presented && disk_check 10; then
		result $N PASS "second gadgetd: status 1, \"$msg\"; the first one still works: $DISK_MSG"
	else
		result $N FAIL "second gadgetd: status $GRC, said: ${msg:-$(tail -2 "$LAB_OUT/gadgetd-kill-lock.log" | short | tr '\n' ' ')}; first one presented: $(presented && echo yes || echo no)"
	fi
else
	kill -KILL "$SECOND"; wait "$SECOND"
	GPID=$FIRST GLOG=$FLOG
	result $N FAIL "the second gadgetd on the same UDC kept running"
fi

# ---------------------------------------------------------------- transfer
N=$J-transfer
if G=$(gadget_dev $STICK) && SD=$(block_behind "$G"); then
	bg_read "$SD"
	if wait_for 30 read_started 2097152; then
		kill9
		wait_for 20 test -n "$(bg_read_rc)"
		restart $N "SIGKILL during a whole-disk read (it ended with status $(bg_read_rc))"
	else
		result $N FAIL "the read did not start"
	fi
else
	result $N FAIL "no gadget or disk for the transfer case"
fi
stop_clean

# ---------------------------------------------------------------- --user: the parent killed
N=$J-user
wait_for 10 gadget_gone
gadgetd_start kill-user "${GA[@]}" --user $RUSER -v
if wait_for 40 presented; then
	kill9
	sleep 1
	alive=
	for k in $KIDS; do pid_alive "$k" && alive="$alive $k"; done
	if [ -n "$alive" ]; then
		result $N FAIL "the relay child outlived its killed parent:$alive"
		for k in $alive; do kill -KILL "$k"; done
	else
		restart $N "SIGKILL to the root parent while relaying as $RUSER (its child${KIDS:+ $KIDS} went with it)" --user $RUSER
	fi
else
	result $N FAIL "not presented with --user: $(tail -2 "$GLOG" | short | tr '\n' ' ')"; kill9
fi
stop_clean

# ---------------------------------------------------------------- GadgetFS
N=$J-gadgetfs
wait_for 10 gadget_gone
gadgetd_start kill-gfs "${GA[@]}" --backend gadgetfs -v
if wait_for 40 presented; then
	kill9
	restart $N "SIGKILL while relaying through GadgetFS" --backend gadgetfs
else
	result $N FAIL "not presented through GadgetFS: $(tail -2 "$GLOG" | short | tr '\n' ' ')"; kill9
fi
stop_clean

# ---------------------------------------------------------------- another's gadget is left alone
N=$J-other-gadget
wait_for 10 gadget_gone
O=/sys/kernel/config/usb_gadget/someone-else
mkdir -p $O/strings/0x409 $O/configs/c.1/strings/0x409 && echo 0x1d6b > $O/idVendor &&
	echo other > $O/strings/0x409/product && echo one > $O/configs/c.1/strings/0x409/configuration
gadgetd_start kill-other "${GA[@]}" --profile /tmp/kill.cfg -v
if wait_for 30 presented && [ -d $O/configs/c.1 ]; then
	result $N PASS "gadget someone-else (not gadgetd's name) still in ConfigFS while gadgetd runs"
else
	result $N FAIL "presented: $(presented && echo yes || echo no), someone-else: $(ls $O 2>&1 | head -1)"
fi

# ---------------------------------------------------------------- SIGHUP
N=$J-sighup
if [ -n "${GPID:-}" ] && pid_alive "$GPID"; then
	T=$(now_ms)
	kill -HUP "$GPID"
	gadgetd_exit_within 10 || { kill -KILL "$GPID"; wait "$GPID"; GPID=; }
	dt=$(( $(now_ms) - T ))
	wait_for 3 eval '[ "$(ls /sys/kernel/config/usb_gadget)" = someone-else ]'
	left=$(leftovers); rep=$(sanitizer_report "$GLOG")
	if [ "$GRC" = 0 ] && [ "$left" = "ConfigFS: [someone-else], mounts: []" ] && [ -z "$rep" ] && wait_for 10 gadget_gone; then
		result $N PASS "exit 0 $(secs $dt) s after SIGHUP, the gadget unplugged and removed, $left"
	else
		result $N FAIL "status $GRC $(secs $dt) s after SIGHUP; $left${rep:+; $rep}"
	fi
else
	result $N FAIL "no gadgetd running for the SIGHUP case"
fi
rmdir $O/configs/c.1/strings/0x409 $O/configs/c.1 $O/strings/0x409 $O 2>/dev/null
for f in $LAB_OUT/gadgetd-kill-*.log $LAB_OUT/gadgetd-fault-kill-*.log; do
	rep=$(sanitizer_report "$f")
	[ -z "$rep" ] || result $J-sanitizer FAIL "$f: $rep"
done
job_end
