# SPDX-License-Identifier: GPL-2.0-or-later
# --user, the way to run gadgetd (issue 9 §1): privilege separation from the
# first byte, checked as an administrator would, with the account `gadgetd`:
#   privsep-socket        the process holding the TCP connection to the server
#                         (ss -tnp) runs as gadgetd, not root; the root gadgetd
#                         holds no connection
#   privsep-limits        that process: no capability in any set (CapEff, CapPrm,
#                         CapInh, CapBnd, CapAmb 0), NoNewPrivs 1, a seccomp
#                         filter (Seccomp 2), groups only its own
#   privsep-ep0           FunctionFS is mounted root's: ep0 and ep1 belong to root
#                         and the gadgetd account cannot open them
#   privsep-read          the disk reads byte-identical to the image
#   privsep-write         a 4 MiB pattern written with O_DIRECT reads back (the
#                         disk's first 4 MiB are put back after)
#   privsep-teardown      SIGTERM: exit 0, ConfigFS empty, no process of gadgetd left
#   privsep-gfs-*         the same through GadgetFS (--backend gadgetfs): the socket,
#                         the endpoint files root's (mode 0600) and not openable by
#                         gadgetd, which gets them from the root process; read, write
#   privsep-stuck         the network process stopped (SIGSTOP), then SIGTERM to
#                         gadgetd: it is killed with its process group (SIGKILL)
#                         within gadgetd's bound, gadgetd exits 0 with ConfigFS empty
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001
#@timeout 420
. "$LAB_REPO/tests/lab/faultlib.sh"
J=privsep
need_gadgetd $J
need_cmd $J usbip usbipd ss setpriv useradd stat pgrep
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
B=$(export_dev $STICK) || { result $J FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
mods gadgetfs || { result $J FAIL "cannot load gadgetfs"; job_end; exit 1; }
RUSER=gadgetd
id -u $RUSER >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin $RUSER ||
	{ result $J FAIL "useradd $RUSER failed"; job_end; exit 1; }
RUID=$(id -u $RUSER) RGID=$(id -g $RUSER)

# as_user CMD...: CMD as the gadgetd account, its own group only
as_user() { setpriv --reuid="$RUID" --regid="$RGID" --clear-groups "$@"; }
# conn_pids: the pids holding a TCP connection to the server's port 3240
conn_pids() { ss -tnpH state established "( dport = :3240 )" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }

# check_socket NAME: the connection's holder is the gadgetd account, not root
check_socket() {
	local name=$1 pids p uids='' bad=''
	wait_for 10 eval '[ -n "$(conn_pids)" ]'
	pids=$(conn_pids)
	for p in $pids; do
		uids="$uids $p:$(proc_status "$p" Uid)"
		[ "$(proc_status "$p" Uid)" = "$RUID" ] && [ "$p" != "$GPID" ] || bad="$bad $p"
	done
	if [ -n "$pids" ] && [ -z "$bad" ] && [ "$(proc_status "$GPID" Uid)" = 0 ]; then
		NETPID=$(echo "$pids" | head -1)
		result "$name" PASS "ss -tnp: the connection to :3240 is held by pid$uids (uid $RUID = $RUSER); gadgetd $GPID (root) holds none"
	else
		NETPID=$(echo "$pids" | head -1)
		result "$name" FAIL "connection holders (pid:uid):${uids:- none}; wrong:${bad:- none}; root gadgetd $GPID; ss: $(ss -tnpH state established | tr '\n' ' ' | cut -c1-300)"
	fi
}

# check_limits NAME PID
check_limits() {
	local name=$1 p=$2 k v got='' bad=''
	for k in CapEff CapPrm CapInh CapBnd CapAmb NoNewPrivs Seccomp Groups; do
		v=$(awk -v k="$k:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$p/status" 2>/dev/null)
		got="$got $k=$v"
		case $k in
		Cap*) [ "$v" = 0000000000000000 ] || bad="$bad $k" ;;
		NoNewPrivs) [ "$v" = 1 ] || bad="$bad $k" ;;
		Seccomp) [ "$v" = 2 ] || bad="$bad $k" ;;
		Groups) [ "$(echo $v)" = "$RGID" ] || bad="$bad $k" ;;
		esac
	done
	[ -z "$bad" ] && result "$name" PASS "pid $p:$got" || result "$name" FAIL "pid $p:$got (wrong:$bad)"
}

# check_files NAME FILE...: root's, mode 0600, and the gadgetd account cannot open them
check_files() {
	local name=$1 f own='' bad=''; shift
	for f in "$@"; do
		own="$own $(basename "$f"):$(stat -c '%U:%a' "$f" 2>&1)"
		[ "$(stat -c '%u %a' "$f" 2>/dev/null)" = "0 600" ] || bad="$bad $f(owner)"
		as_user sh -c "exec 3<>'$f'" 2>/dev/null && bad="$bad $f(opened)"
	done
	[ $# -gt 0 ] && [ -z "$bad" ] && result "$name" PASS "$own; $RUSER gets EACCES on each" ||
		result "$name" FAIL "$own; wrong:${bad:- no files}"
}

# check_storage NAME: read byte-identical, write 4 MiB and read it back, put it back
check_storage() {
	local name=$1 P got
	if disk_check 60; then result "$name-read" PASS "$DISK_MSG"
	else result "$name-read" FAIL "$DISK_MSG"; return 1; fi
	head -c 4M /dev/urandom > /tmp/pattern
	P=$(sha256sum < /tmp/pattern | cut -c1-64)
	if timeout 120 dd if=/tmp/pattern of=/dev/$DISK_SD bs=1M oflag=direct conv=fsync 2>/tmp/dd.err; then
		got=$(timeout 120 dd if=/dev/$DISK_SD bs=1M count=4 iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
		[ "$got" = "$P" ] && result "$name-write" PASS "4 MiB written with O_DIRECT read back intact" ||
			result "$name-write" FAIL "read back $got != written $P"
	else
		result "$name-write" FAIL "dd to /dev/$DISK_SD failed: $(tail -1 /tmp/dd.err)"
	fi
	timeout 120 dd if="$LAB_IMG" of=/dev/$DISK_SD bs=1M count=4 oflag=direct conv=fsync 2>/dev/null
}

# no_user_procs NAME: nothing of the gadgetd account runs any more
no_user_procs() {
	local left
	wait_for 5 eval '[ -z "$(pgrep -u $RUID)" ]'
	left=$(pgrep -u "$RUID" | tr '\n' ' ')
	[ -z "$left" ] && result "$1" PASS "no process of $RUSER left" || result "$1" FAIL "processes of $RUSER left: $left"
}

# ---------------------------------------------------------------- FunctionFS
gadgetd_start privsep --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --user $RUSER -v
if G=$(gadgetd_wait_gadget $STICK 60); then
	check_socket privsep-socket
	check_limits privsep-limits "$NETPID"
	check_files privsep-ep0 /run/gadgetd/gadgetd.dummy_udc.0.1/ep0 /run/gadgetd/gadgetd.dummy_udc.0.1/ep1
	check_storage privsep
else
	result privsep FAIL "no gadget with --user: $(tail -3 "$GLOG" | short | tr '\n' ' ')"
fi
gadgetd_stop privsep
no_user_procs privsep-nothing-left

# ---------------------------------------------------------------- GadgetFS
wait_for 10 gadget_gone
gadgetd_start privsep-gfs --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --backend gadgetfs --user $RUSER -v
if G=$(gadgetd_wait_gadget $STICK 60); then
	check_socket privsep-gfs-socket
	check_files privsep-gfs-files /run/gadgetd/gadgetfs/*
	check_storage privsep-gfs
else
	result privsep-gfs FAIL "no GadgetFS gadget with --user: $(tail -3 "$GLOG" | short | tr '\n' ' ')"
fi
gadgetd_stop privsep-gfs
no_user_procs privsep-gfs-nothing-left

# ---------------------------------------------------------------- a stuck network process
wait_for 10 gadget_gone
gadgetd_start privsep-stuck --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --user $RUSER -v
if gadgetd_wait_gadget $STICK 60 >/dev/null && wait_for 10 eval '[ -n "$(conn_pids)" ]'; then
	NETPID=$(conn_pids | head -1)
	kill -STOP "$NETPID"
	t0=$(now_ms)
	kill -TERM "$GPID"
	for _ in $(seq 100); do pid_alive "$GPID" || break; sleep 0.1; done
	ms=$(( $(now_ms) - t0 ))
	if pid_alive "$GPID"; then
		kill -KILL "$GPID" "$NETPID"; wait "$GPID" 2>/dev/null
		result privsep-stuck FAIL "gadgetd did not exit within 10 s of SIGTERM with its network process stopped"
	else
		wait "$GPID"; rc=$?
		wait_for 3 configfs_clean
		if [ $rc = 0 ] && configfs_clean && ! pid_alive "$NETPID" && grep -aq "did not stop within" "$GLOG"; then
			result privsep-stuck PASS "exit 0 in $(secs $ms) s: $(grep -a -m1 'did not stop within' "$GLOG" | short); ConfigFS empty"
		else
			result privsep-stuck FAIL "exit $rc in $(secs $ms) s; network process $NETPID alive: $(pid_alive "$NETPID" && echo yes || echo no); ConfigFS: $(ls /sys/kernel/config/usb_gadget | tr '\n' ' '); log: $(tail -2 "$GLOG" | short | tr '\n' ' ')"
		fi
	fi
	GPID=
else
	result privsep-stuck FAIL "no gadget with --user: $(tail -3 "$GLOG" | short | tr '\n' ' ')"
	gadgetd_stop privsep-stuck
fi
job_end
