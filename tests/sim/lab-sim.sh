# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for lab jobs that put gadgetd in front of usbip-sim (sourced after
# tests/lab/lib.sh, inside the guest). The simulated device listens on
# 127.0.0.1:3241 (usbipd, if a job also runs it, keeps 3240); gadgetd imports it
# onto dummy_udc.0; usbhost-xfer drives the gadget from dummy_hcd's host side.
# See tests/sim/README.md for the device file and the record format.

SIM=${SIM:-$LAB_REPO/build/tools/usbip-sim}
XFER=${XFER:-$LAB_REPO/build/tools/usbhost-xfer}
SIM_PORT=3241

# sim_need JOB: FAIL (never skip) when a binary is missing
sim_need() {
	local b
	need_gadgetd "$1"
	for b in "$SIM" "$XFER"; do
		[ -x "$b" ] || { result "$1" FAIL "$b is missing: run make"; exit 1; }
	done
}

# sim_gadget_side_up [DUMMY_HCD OPTIONS...]: like lib.sh's gadget_side_up, without
# the host side's class drivers (usb-storage, usbhid, ...): the simulated devices
# are vendor-specific and only usbdevfs talks to them (saves seconds under TCG)
sim_gadget_side_up() {
	mods libcomposite usb_f_fs || return 1
	modprobe dummy_hcd "$@" || return 1
	mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config || return 1
	wait_for 5 test -e /sys/class/udc/dummy_udc.0 || { echo "no dummy_udc.0" >&2; return 1; }
}

# sim_start TAG DEVICE-FILE [USBIP-SIM OPTIONS...]: usbip-sim in the background
# (e.g. --hostile SPEC); sets SIMPID and SIMREC
sim_start() {
	SIMREC=$LAB_OUT/sim-$1.rec
	"$SIM" --listen 127.0.0.1:$SIM_PORT --device "$2" --record "$SIMREC" "${@:3}" > "$LAB_OUT/sim-$1.log" 2>&1 &
	SIMPID=$!
	SIMLOGS="${SIMLOGS:-} $LAB_OUT/sim-$1.log"
	wait_for 10 grep -q 'ready on' "$LAB_OUT/sim-$1.log" || {
		echo "usbip-sim did not start:" >&2; cat "$LAB_OUT/sim-$1.log" >&2; return 1; }
}

sim_stop() {
	[ -n "${SIMPID:-}" ] || return 0
	kill -TERM "$SIMPID" 2>/dev/null
	wait "$SIMPID" 2>/dev/null
	SIMPID=
}

# sim_gadget TAG VID:PID: gadgetd on the simulated device; sets GPID, GLOG, G (sysfs name)
sim_gadget() {
	gadgetd_start "$1" --remote 127.0.0.1:$SIM_PORT --busid 1-1 --udc dummy_udc.0 -v
	G=$(gadgetd_wait_gadget "$2" 30) || return 1
	# the host side configures it (usb_choose_configuration: the first one)
	wait_for 10 eval 'test "$(cat /sys/bus/usb/devices/$G/bConfigurationValue 2>/dev/null)" != ""'
}

# x ARGS...: usbhost-xfer on the gadget ($VIDPID)
x() { "$XFER" -d "$VIDPID" -w 5 "$@"; }

# getf LINE KEY: FV = the value of KEY=... in a RES or record line (1 if absent).
# No subshell: forks are slow under TCG, and the jobs check hundreds of fields.
getf() {
	local l=" $1 "
	FV=
	case $l in *" $2="*) l=${l#* "$2"=}; FV=${l%% *};; *) return 1;; esac
}
# field LINE KEY: the same, printed
field() { getf "$@" && echo "$FV"; }
# The guest has no /dev/fd: no "< <(...)"; use lines VAR CMD... (an array, via a here-string)
lines() { local __v=$1; shift; mapfile -t "$__v" <<< "$("$@")"; }

# rec_lines: number of lines in the record so far
rec_lines() { wc -l < "$SIMREC"; }

# rec_since N [GREP-ERE]: record lines after line N (matching the ERE)
rec_since() { tail -n +$(( $1 + 1 )) "$SIMREC" | grep -E "${2:-.}"; }

# pk LEN MPS [zlp]: PK = the packet sequence of LEN bytes at MPS, as a device sends
# it or a host controller splits an OUT URB ("512,512,1"; 0 bytes: "0")
pk() {
	local len=$1 mps=$2 s= n=0
	if [ "$len" = 0 ]; then PK=0; return; fi
	while [ "$len" -gt 0 ]; do
		n=$(( len < mps ? len : mps ))
		s=$s${s:+,}$n
		len=$(( len - n ))
	done
	[ "$n" = "$mps" ] && [ -n "${3:-}" ] && s=$s,0
	PK=$s
}

# rec_slices EP LINE...: for the OUT URBs on EP between consecutive record line
# numbers (LINE1 < l <= LINE2, ...), one line each: "PACKETS DATA[ status: SEQ:STATUS...]"
rec_slices() {
	local ep=$1; shift
	awk -v b="$*" -v ep="ep=$ep" '
	BEGIN { n = split(b, B, " "); c = 1 }
	{ while (c < n && NR > B[c + 1]) c++ }
	NR <= B[1] || NR > B[n] || $1 != "OUT" || $2 != ep { next }
	{ delete f
	  for (i = 3; i <= NF; i++) { k = index($i, "="); if (k) f[substr($i, 1, k - 1)] = substr($i, k + 1) }
	  if (f["status"] != "0") S[c] = S[c] " " f["seq"] ":" f["status"]
	  if (f["packets"] != "-") P[c] = P[c] (P[c] == "" ? "" : ",") f["packets"]
	  if (f["data"] != "-") D[c] = D[c] f["data"] }
	END { for (i = 1; i < n; i++)
		printf "%s %s%s\n", P[i] == "" ? "-" : P[i], D[i] == "" ? "-" : D[i], S[i] == "" ? "" : " status:" S[i] }' "$SIMREC"
}

sim_job_end() {
	local f
	sim_stop
	if [ "$LAB_FAILS" != 0 ]; then
		for f in ${SIMLOGS:-}; do echo "---- $f"; tail -n 5 "$f"; done
		[ -n "${SIMREC:-}" ] && { echo "---- tail of $SIMREC (data cut)"; tail -n 25 "$SIMREC" | cut -c1-220; }
	fi
	job_end
}
