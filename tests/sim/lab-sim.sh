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

# sim_need_san JOB: sim_need, with GADGETD the ASan+UBSan build (make SANITIZE=1;
# GADGETD_SAN overrides), its reports on (a leak makes it exit 66); FAIL when it
# is missing or not built with the sanitizers (it would pass every "no report" check)
sim_need_san() {
	GADGETD=${GADGETD_SAN:-$LAB_REPO/build-san/gadgetd}
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=66}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
	[ -x "$GADGETD" ] || { result "$1" FAIL "$GADGETD is missing: run make SANITIZE=1"; exit 1; }
	ASAN_OPTIONS=help=1 "$GADGETD" --version 2>&1 | grep -q 'Available flags for AddressSanitizer' ||
		{ result "$1" FAIL "$GADGETD is not built with AddressSanitizer (make SANITIZE=1)"; exit 1; }
	sim_need "$1"
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

# sim_gfs_up JOB TAG DEVICE-FILE VIDPID [MODULE...]: a simulated device that
# FunctionFS cannot carry, through gadgetd, which must choose GadgetFS by
# itself: gadget side up, gadgetfs (and the host-side MODULEs) loaded, usbip-sim
# and gadgetd started, the gadget on dummy_hcd (sets G), RESULT JOB-backend.
# On a failure the job ends here.
sim_gfs_up() {
	local j=$1 tag=$2 dev=$3 vidpid=$4; shift 4
	sim_gadget_side_up || { result "$j" FAIL "gadget side did not come up"; job_end; exit 1; }
	mods gadgetfs "$@" || { result "$j" FAIL "cannot load gadgetfs $*"; job_end; exit 1; }
	sim_start "$tag" "$dev" || { result "$j" FAIL "usbip-sim did not start"; job_end; exit 1; }
	gadgetd_start "$tag" --remote 127.0.0.1:$SIM_PORT --busid 1-1 --udc dummy_udc.0 -v
	if ! G=$(gadgetd_wait_gadget "$vidpid" 30); then
		result "$j" FAIL "no gadget $vidpid on dummy_hcd: $(grep -a -m2 'error' "$GLOG" | sed 's/^[^ ]* gadgetd: //' | tr '\n' ' ')"
		gadgetd_stop "$j"; sim_job_end; exit 1
	fi
	if grep -aq 'backend GadgetFS' "$GLOG"; then
		result "$j-backend" PASS "$(grep -a -m1 'backend GadgetFS' "$GLOG" | sed 's/^[^ ]* gadgetd: info: //' | cut -c1-200)"
	else
		result "$j-backend" FAIL "gadgetd did not choose GadgetFS: $(grep -a -m1 'backend' "$GLOG")"
	fi
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

# rec_xfers DIR EP MPS [FROM [TO]]: the device-side transfers on endpoint EP (number,
# no direction bit) in direction DIR (IN or OUT) at wMaxPacketSize MPS, from the IN/OUT
# lines after record line FROM up to line TO: one line each, "ALT LEN HEX" (ALT the
# alternate setting of its first packet; HEX "-" when empty), a transfer ending at a
# packet shorter than MPS; an unfinished last one gets a fourth field "open", one
# the device discarded unfinished (its DROP line, SET_CONFIGURATION, a new import)
# "dropped". A packet the record has no bytes of (babble: -EOVERFLOW) is left out. For an
# echo_alt endpoint each IN transfer is "ALT" + the OUT transfer it echoes, so
#   rec_xfers OUT 2 512 | awk '{print $1, $3}'  and
#   rec_xfers IN 2 512 | awk '{print $1, substr($3, 3)}'
# give the same lines when nothing was lost or duplicated on alt setting $1.
rec_xfers() {
	local a=$2
	[ "$1" = IN ] && a=$(( a | 0x80 ))
	printf -v a 'ep=0x%02x' "$a"
	awk -v dir="$1" -v ep="ep=$2" -v mps="$3" -v from="${4:-0}" -v to="${5:-0}" -v drop="$a" '
	NR <= from || (to > 0 && NR > to) { next }
	($1 == "DROP" && $2 == drop) || $1 == "SET_CONFIGURATION" || $1 == "IMPORT" {
		if (open) print alt, length(x) / 2, x == "" ? "-" : x, "dropped"
		open = 0; next }
	$1 != dir || $2 != ep { next }
	{ delete f
	  for (i = 3; i <= NF; i++) { k = index($i, "="); if (k) f[substr($i, 1, k - 1)] = substr($i, k + 1) }
	  d = f["data"] == "-" ? "" : f["data"]; o = 1
	  if (f["packets"] == "-") next
	  n = split(f["packets"], P, ",")
	  for (i = 1; i <= n; i++) {
		if (o + 2 * P[i] - 1 > length(d)) continue
		if (!open) { alt = f["alt"]; x = ""; open = 1 }
		x = x substr(d, o, 2 * P[i]); o += 2 * P[i]
		if (P[i] + 0 < mps + 0) { print alt, length(x) / 2, x == "" ? "-" : x; open = 0 }
	  } }
	END { if (open) print alt, length(x) / 2, x == "" ? "-" : x, "open" }' "$SIMREC"
}

# rec_echo_check OUT IN MPS [tag|stream]: the echo on OUT endpoint OUT (number) -> IN
# endpoint IN (number), over the whole record: every byte the device received in a
# finished OUT transfer (with "tag": each transfer preceded by its alternate setting,
# as echo_alt sends it; with "stream": every byte at once, as echo_stream sends it)
# must have left on IN, in order, either delivered (IN lines) or discarded by a
# SET_INTERFACE/SET_CONFIGURATION (DROP lines of IN). Prints
# "SAME|DIFFER sent=N delivered=N dropped=N partial_out_dropped=N".
rec_echo_check() {
	local i o
	printf -v o 'ep=0x%02x' "$1"
	printf -v i 'ep=0x%02x' $(( $2 | 0x80 ))
	awk -v ep="ep=$1" -v iep="ep=$2" -v dout="$o" -v din="$i" -v mps="$3" -v mode="${4:-}" '
	function val(k,   j) { for (j = 3; j <= NF; j++) if (index($j, k "=") == 1) return substr($j, length(k) + 2); return "" }
	$1 == "OUT" && $2 == ep {
		d = val("data"); if (d == "-") d = ""; p = val("packets"); o = 1
		if (p == "-") next
		if (mode == "stream") { out = out d; next }
		n = split(p, P, ",")
		for (k = 1; k <= n; k++) {
			cur = cur substr(d, o, 2 * P[k]); o += 2 * P[k]
			if (P[k] + 0 < mps + 0) { out = out (mode == "tag" ? sprintf("%02x", val("alt")) : "") cur; cur = "" }
		}
		next }
	$1 == "DROP" && $2 == dout { pdrop += length(cur) / 2; cur = ""; next }
	($1 == "IN" && $2 == iep) || ($1 == "DROP" && $2 == din) {
		d = val("data"); if (d == "-") d = ""
		in_ = in_ d; if ($1 == "DROP") drop += length(d) / 2; else got += length(d) / 2 }
	END { printf "%s sent=%d delivered=%d dropped=%d partial_out_dropped=%d\n",
		out == in_ ? "SAME" : "DIFFER", length(out) / 2, got, drop, pdrop }' "$SIMREC"
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
