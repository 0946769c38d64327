# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the fault-injection lab jobs (tests/lab/jobs/e2e-fault-*.sh):
# timing, the host side's disk, gadgetd's log, a black-holed link (nftables),
# stand-in servers that hang, and process inspection. Sourced by bash inside the
# guest; it sources tests/lab/lib.sh.
# Globals set here for the jobs: B, DISK_*, HANG_PID, MUTE_PID, READ_PID, GRC, LSAN_MSG.
# shellcheck disable=SC2034
. "$LAB_REPO/tests/lab/lib.sh"

STICK=46f4:0001                                   # QEMU usb-storage
GADGETD_SAN=${GADGETD_SAN:-$LAB_REPO/build-san/gadgetd}  # make SANITIZE=1

# now_ms: the guest's uptime in ms, the clock of dmesg and of gadgetd's log
# ("[12.345] gadgetd: ...": CLOCK_MONOTONIC), so their stamps compare with it
now_ms() { local u _; read -r u _ < /proc/uptime; u=${u/./}; echo $(( 10#$u * 10 )); }
# dmesg_at SINCE_MS PATTERN: the time (ms) of the first kernel message after
# SINCE_MS that matches PATTERN (extended regexp)
dmesg_at() {
	dmesg | awk -v t="$1" -v pat="$2" '
	{ s = $0; sub(/^\[ */, "", s); ts = s + 0; sub(/^[^]]*\] /, "", s) }
	ts * 1000 >= t && s ~ pat { printf "%d\n", ts * 1000; exit }'
}
# log_at SINCE_MS PATTERN: the same for gadgetd's log ($GLOG, "[S.mmm] gadgetd: ")
log_at() {
	awk -v t="$1" -v pat="$2" '
	match($0, /^\[[0-9]+\.[0-9]+\] gadgetd: /) { ts = substr($0, 2, index($0, "]") - 2) + 0
		if (ts * 1000 >= t && tolower($0) ~ tolower(pat)) { printf "%d\n", ts * 1000; exit } }' "$GLOG"
}
# secs MS: milliseconds as seconds with two decimals ("1234" -> "1.23")
secs() { local m=$1 s=; [ "$m" -lt 0 ] && { s=-; m=$(( -m )); }; printf '%s%d.%02d' "$s" $(( m / 1000 )) $(( (m % 1000) / 10 )); }

# need_cmd JOB CMD...: FAIL (never skip) when a prerequisite is missing
need_cmd() {
	local j=$1 c; shift
	for c in "$@"; do
		case $c in
			/*) [ -x "$c" ] && continue;;
			*) command -v "$c" >/dev/null && continue;;
		esac
		result "$j" FAIL "prerequisite $c is missing (make, make SANITIZE=1, scripts/deps.sh lab)"
		job_end; exit 1
	done
}

# fault_setup JOB: server side, the stick exported (sets B), gadget side up
fault_setup() {
	server_up || { result "$1" FAIL "usbip server side did not come up"; job_end; exit 1; }
	B=$(export_dev $STICK) || { result "$1" FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
	gadget_side_up || { result "$1" FAIL "gadget side (dummy_hcd, configfs) did not come up"; job_end; exit 1; }
}

# ------------------------------------------------------------ the host side
gadget_gone() { ! gadget_dev "${1:-$STICK}" >/dev/null; }
gadget_there() { gadget_dev "${1:-$STICK}" >/dev/null; }

# disk_of G [SECS]: the block device behind gadget G, once it has media
disk_of() {
	local _disk_sd=
	_disk_g=$1
	wait_for "${2:-30}" eval '_disk_sd=$(block_behind "$_disk_g")' || return 1
	echo "$_disk_sd"
}

# disk_sha SD: sha256 of the whole disk, read with O_DIRECT
disk_sha() {
	timeout 120 dd if="/dev/$1" bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64
}

# disk_check [SECS]: wait for the gadget and its disk, read the whole disk.
# 0 when it is byte-identical to the image. Sets DISK_MSG (what was seen) and
# DISK_G / DISK_SD / DISK_MS (read time).
disk_check() {
	local t0 got
	DISK_G='' DISK_SD='' DISK_MS=''
	DISK_G=$(gadgetd_wait_gadget $STICK "${1:-30}" 2>/dev/null) ||
		{ DISK_MSG="the gadget is not on the host side"; return 1; }
	DISK_SD=$(disk_of "$DISK_G" 30) ||
		{ DISK_MSG="no block device behind the gadget $DISK_G"; return 1; }
	t0=$(now_ms)
	got=$(disk_sha "$DISK_SD")
	DISK_MS=$(( $(now_ms) - t0 ))
	if [ "$got" = "$LAB_IMG_SHA256" ]; then
		DISK_MSG="/dev/$DISK_SD ($DISK_G) reads as the image in $(secs $DISK_MS) s"
		return 0
	fi
	DISK_MSG="/dev/$DISK_SD ($DISK_G) sha256 $got != image $LAB_IMG_SHA256"
	return 1
}

# ------------------------------------------------------------ gadgetd's log
# log_mark: the current length of $GLOG in lines (for log_since)
log_mark() { wc -l < "$GLOG" 2>/dev/null || echo 0; }
# log_since MARK PATTERN: the first line matching PATTERN (extended regexp,
# any case) written after MARK
log_since() { tail -n +$(( $1 + 1 )) "$GLOG" 2>/dev/null | grep -aiE -m1 -- "$2"; }
# log_wait SECS MARK PATTERN: wait for such a line; prints it
log_wait() {
	local secs=$1 mark=$2 pat=$3
	wait_for "$secs" log_since "$mark" "$pat" >/dev/null || return 1
	log_since "$mark" "$pat"
}
# without the timestamp/prefix clutter, for RESULT details
short() { sed -e 's/^[^ ]* gadgetd: //' | cut -c1-160; }

# sanitizer_report LOG: the first line of an ASan/LSan/UBSan report, if any
sanitizer_report() { grep -aE -m1 'Sanitizer|runtime error:' "$1" | cut -c1-160; }

# lsan_control: 0 when LeakSanitizer works here at all: a program built with
# -fsanitize=address that leaks must be reported (sets LSAN_MSG)
lsan_control() {
	printf '#include <stdlib.h>\nvoid *p;\nint main(void) { p = malloc(33); p = 0; return 0; }\n' > /tmp/lsan-control.c
	cc -O0 -fsanitize=address /tmp/lsan-control.c -o /tmp/lsan-control 2>/tmp/lsan-control.err ||
		{ LSAN_MSG="cannot build the control program: $(head -1 /tmp/lsan-control.err)"; return 1; }
	LSAN_MSG=$(/tmp/lsan-control 2>&1 | grep -m1 -E 'LeakSanitizer|33 byte')
	case $LSAN_MSG in *"detected memory leaks"*) return 0;; esac
	LSAN_MSG="a leaking ASan program was not reported (${LSAN_MSG:-no output})"
	return 1
}

# ------------------------------------------------------------ the link
# blackhole_prepare: the nftables table and chain (loads the modules), so that
# blackhole_on is one quick nft run
blackhole_prepare() {
	nft -f - <<-EOF
	table inet gdfault {
		chain input { type filter hook input priority -200; policy accept; }
	}
	EOF
}
# blackhole_on PORT: drop every packet to or from TCP PORT in both directions, so
# neither end's TCP hears anything: a pulled cable, not a refused port. Loopback
# traffic passes the input hook too.
blackhole_on() {
	nft -f - <<-EOF
	add rule inet gdfault input tcp dport $1 drop
	add rule inet gdfault input tcp sport $1 drop
	EOF
}
blackhole_off() { nft flush chain inet gdfault input; }

# tcp_conns PORT: established TCP connections with PORT at either end (ss lines)
tcp_conns() { ss -tnoH state established "( sport = :$1 or dport = :$1 )" 2>/dev/null; }

# hang_listener PORT: accepts connections and never answers (sets HANG_PID)
hang_listener() {
	socat TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork SYSTEM:'sleep 600' 2>/dev/null &
	HANG_PID=$!
	wait_for 5 tcp_listening "$1"
}

# mute_importer PORT BUSID VID PID: a USB/IP server that answers OP_REQ_IMPORT for
# BUSID (a high-speed VID:PID device) and then never answers a URB, so gadgetd
# hangs reading the descriptors (sets MUTE_PID)
mute_importer() {
	local f=/tmp/mute-import.$1 v=$3 p=$4
	{
		printf '\x01\x11\x00\x03\x00\x00\x00\x00'                 # OP_REP_IMPORT, ST_OK
		printf '%s' "/sys/devices/mute/$2" | head -c 256; head -c $(( 256 - ${#2} - 18 )) /dev/zero
		printf '%s' "$2"; head -c $(( 32 - ${#2} )) /dev/zero
		printf '\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03'   # busnum 1, devnum 2, high speed
		printf "\\x${v:0:2}\\x${v:2:2}\\x${p:0:2}\\x${p:2:2}\\x01\\x00"  # idVendor, idProduct, bcdDevice
		printf '\x00\x00\x00\x01\x01\x01'                         # class 0, config 1 of 1, 1 interface
	} > "$f"
	[ "$(stat -c %s "$f")" = 320 ] || { echo "mute_importer: reply is $(stat -c %s "$f") bytes" >&2; return 1; }
	socat TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork \
		SYSTEM:"head -c 40 >/dev/null; cat $f; sleep 600" 2>/dev/null &
	MUTE_PID=$!
	wait_for 5 tcp_listening "$1"
}

# ------------------------------------------------------------ processes
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
fd_list() { ls -l "/proc/$1/fd" 2>/dev/null | awk 'NR > 1 { print $NF }' | sed 's/[0-9]\+/N/g' | sort | uniq -c | tr -s ' \n' ' '; }
# children PID: the PIDs of PID's child processes
children() { cat "/proc/$1/task/"*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$'; }
proc_status() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }  # proc_status PID Uid|CapEff|...

# gadgetd_exit_within SECS: wait for gadgetd ($GPID) to exit; sets GRC (124: it
# did not)
gadgetd_exit_within() {
	GRC=124
	wait_for "$1" eval '! pid_alive $GPID' || return 1
	wait "$GPID"; GRC=$?
	GPID=
	return 0
}

# ------------------------------------------------------------ more of the host side
# bg_read SD: read the whole disk in the background (sets READ_PID; the exit
# status lands in /tmp/bg_read.rc); read_started [BYTES]: it has read that much
bg_read() {
	rm -f /tmp/bg_read.rc
	( dd if="/dev/$1" of=/dev/null bs=64k iflag=direct 2>/tmp/bg_read.err; echo $? > /tmp/bg_read.rc ) &
	READ_PID=$!
}
read_started() {
	local p rc
	p=$(pgrep -P "$READ_PID" -x dd) || return 1
	rc=$(awk '$1 == "rchar:" { print $2 }' "/proc/$p/io" 2>/dev/null)
	[ "${rc:-0}" -ge "${1:-1048576}" ]
}
# bg_read_rc: the background read's exit status once it ended ("" while it runs)
bg_read_rc() { cat /tmp/bg_read.rc 2>/dev/null; }

# kernel_trouble SINCE_MS: kernel oopses, BUGs and warnings since then
kernel_trouble() { dmesg | awk -v t="$1" '{ s = $0; sub(/^\[ */, "", s) } s * 1000 >= t' |
	grep -E -m3 'BUG:|WARNING:|Oops|general protection|Call Trace|segfault|KASAN'; }

# backoff_since MARK: the "retrying in N s" delays logged since MARK, in order
backoff_since() { tail -n +$(( $1 + 1 )) "$GLOG" | sed -n 's/.*retrying in \([0-9]*\) s.*/\1/p' | tr '\n' ' ' | sed 's/ $//'; }
