# SPDX-License-Identifier: GPL-2.0-or-later
# Transfer fidelity through gadgetd (sourced by tests/lab/jobs/e2e-fidelity-*.sh):
# the packet sequence that reaches one side must be the one the other side sent
# (/work/shared/design/relay-framing.md), for bulk and interrupt, both directions,
# lengths 0, 1, mps-1, mps, mps+1, 4*mps, with and without a ZLP.
#
#   OUT  usbhost-xfer sends LEN pattern bytes (USBDEVFS_URB_ZERO_PACKET for "z");
#        usbip-sim's record must show exactly those bytes, as the packets a host
#        controller at the device's speed sends: the host's packets at the same
#        speed; re-cut into the device's larger packets for a super-speed device on
#        a high-speed gadget, where the transfer must end where the host ended it.
#   IN   the simulated device sends a fixed sequence of transfers (LEN[z]); the
#        host reads each with one URB: a large one when the device ended its
#        transfer (short packet or ZLP), exactly LEN when it did not. Each URB must
#        return exactly that transfer: same bytes, ended at the same place.
# Every case prints "CASE name: PASS|FAIL ..."; each group gives one RESULT line.

. "$LAB_REPO/tests/sim/lab-sim.sh"

# out_expect LEN ZLP GMPS DMPS: EXP = the packets the device should see
out_expect() {
	local len=$1 zlp=$2 g=$3 d=$4
	if [ "$g" = "$d" ]; then pk "$len" "$g" "$zlp"; EXP=$PK; return; fi
	[ "$len" = 0 ] && { EXP=0; return; }
	pk "$len" "$d"; EXP=$PK
	# the host ended its transfer (short packet or ZLP): the device sees the end
	# at the same byte; a trailing short packet (for the device) ends it by itself
	if [ $(( len % d )) = 0 ] && { [ -n "$zlp" ] || [ $(( len % g )) != 0 ]; }; then EXP=$EXP,0; fi
}

# fidelity_run TAG SIM-SPEED GADGET-MBPS [DUMMY_HCD OPTIONS...]
fidelity_run() {
	local tag=$1 sspeed=$2 gmbps=$3 J d g imps big lens l z seq seqi i k res
	shift 3
	J=fidelity-$tag
	VIDPID=1209:5154
	sim_need "$J"
	case $sspeed in full) d=64;; high) d=512;; super) d=1024;; esac
	case $gmbps in 12) g=64;; 480) g=512;; *) g=1024;; esac
	imps=$([ "$sspeed" = full ] && echo 64 || echo 256)
	big=$(( 8 * (d > g ? d : g) ))
	# lengths around the gadget's and the device's packet size
	lens=$(printf '%s\n' 0 1 $((g - 1)) $g $((g + 1)) $((4 * g)) $((d - 1)) $d $((d + 1)) $((3 * g)) $((4 * d)) |
		awk '!s[$1]++' | tr '\n' ' ')
	ilens=$(printf '%s\n' 0 1 $((imps - 1)) $imps $((imps + 1)) $((4 * imps)) | tr '\n' ' ')
	CASES_B=(); CASES_I=(); seq=; seqi=
	for l in $lens; do for z in "" z; do CASES_B+=("$l$z"); seq="$seq $l$z"; done; done
	for l in $ilens; do for z in "" z; do CASES_I+=("$l$z"); seqi="$seqi $l$z"; done; done
	cat > /tmp/fidelity.cfg <<-EOF
	speed = "$sspeed";
	device = { idVendor = 0x1209; idProduct = 0x5154; manufacturer = "gadgetd tests";
	           product = "fidelity $tag"; };
	configurations = ( { value = 1; interfaces = ( { number = 0; endpoints = (
	    { address = 0x01; },
	    { address = 0x81; in = "$seq w300:1"; },
	    { address = 0x02; type = "interrupt"; mps = $imps; },
	    { address = 0x82; type = "interrupt"; mps = $imps; in = "$seqi w300:1"; }
	); } ); } );
	EOF
	sim_gadget_side_up "$@" || { result "$J" FAIL "gadget side (dummy_hcd $*) did not come up"; return 1; }
	sim_start "$J" /tmp/fidelity.cfg || { result "$J" FAIL "usbip-sim did not start"; return 1; }
	sim_gadget "$J" $VIDPID || { result "$J" FAIL "the gadget did not appear on dummy_hcd"; gadgetd_stop "$J"; return 1; }
	res=$(x eps)
	log "host side: $res"
	case $res in
	*"endpoints=#1:if0:0x"*":bulk:$g,#2:if0:0x"*":bulk:$g,#3:if0:0x"*":interrupt:$imps,#4:if0:0x"*":interrupt:$imps speed=$gmbps")
		result "$J-speed" PASS "$sspeed-speed device (bulk $d) shown at $gmbps Mb/s, bulk $g, interrupt $imps";;
	*)	result "$J-speed" FAIL "expected the gadget at $gmbps Mb/s with bulk $g, interrupt $imps: $res";;
	esac

	fid_in "$J-bulk-in" '#2' $((0x81 << 8)) "$d" "$big" "${CASES_B[@]}"
	fid_in "$J-interrupt-in" '#4' $((0x82 << 8)) "$imps" $((8 * imps)) "${CASES_I[@]}"
	fid_out "$J-bulk-out" '#1' 1 "$g" "$d" "${CASES_B[@]}"
	fid_out "$J-interrupt-out" '#3' 2 "$imps" "$imps" "${CASES_I[@]}"
	if grep -Eq '^(ERROR|WARN)' "$SIMREC"; then
		result "$J-protocol" FAIL "usbip-sim: $(grep -E '^(ERROR|WARN)' "$SIMREC" | sort | uniq -c | head -3 | cut -c1-140 | tr '\n' ';')"
	else
		result "$J-protocol" PASS "no protocol errors or warnings at the device"
	fi
	gadgetd_stop "$J"
}

# fid_in NAME HOSTEP SEED DEVICE-MPS BIG CASE...: read the device's IN sequence
fid_in() {
	local name=$1 ep=$2 seed=$3 mps=$4 big=$5 c l z k=0 ops=() out want fails= n=0 first=
	shift 5
	for c in "$@"; do
		l=${c%z}; z=${c#"$l"}
		if [ "$l" = 0 ] || [ $(( l % mps )) != 0 ] || [ -n "$z" ]; then
			ops+=("in,ep=$ep,len=$big,expect=$(( seed + k ))")
		else
			ops+=("in,ep=$ep,len=$l,expect=$(( seed + k ))")
		fi
		k=$(( k + 1 ))
	done
	ops+=("in,ep=$ep,len=$big,expect=$(( seed + k ))")   # the delayed 1-byte transfer
	lines out x -t 2000 "${ops[@]}"
	k=0
	for c in "$@" "w300:1"; do
		l=${c%z}; l=${l#w300:}
		want="status=0 actual=$l match=1"
		getf "${out[k]}" status; got="status=$FV"
		getf "${out[k]}" actual; got="$got actual=$FV"
		getf "${out[k]}" match; got="$got match=$FV"
		getf "${out[k]}" len
		if [ "$got" = "$want" ]; then
			echo "CASE $name $c: PASS host URB len=$FV -> $l"
		else
			echo "CASE $name $c: FAIL host URB len=$FV: $got, want $want"
			fails="$fails $c(${got#status=})"
			[ -n "$first" ] || first=$c
		fi
		k=$(( k + 1 )); n=$(( n + 1 ))
	done
	if [ -z "$fails" ]; then
		result "$name" PASS "$n device transfers (${*}, delayed 1) each arrived as one host URB, bytes and ends equal"
	else
		result "$name" FAIL "cases (got actual/status):$fails; first failure $first (later cases read on from there)"
	fi
}

# fid_out NAME HOSTEP DEVEP GMPS DMPS CASE...: host OUT transfers vs the device's
# record. After each transfer usbhost-xfer waits (sync) until the record shows the
# packets expected so far, so every case is over at the device before the next
# starts; the record is then cut at those points, one slice per case.
fid_out() {
	local name=$1 ep=$2 dep=$3 g=$4 d=$5 c l z n=0 B=0 P=0 t i ops=() exp=() bounds why fails=
	local out got sent
	shift 5
	ops+=("sync,file=$SIMREC,ep=$dep,bytes=0,packets=0")
	for c in "$@"; do
		l=${c%z}; z=${c#"$l"}
		out_expect "$l" "$z" "$g" "$d"
		exp+=("$EXP")
		t=${EXP//[^,]/}
		B=$(( B + l )); P=$(( P + ${#t} + 1 ))
		ops+=("out,ep=$ep,len=$l,${z:+zlp,}seed=$(( 0x5000 + n )),hex"
		      "sync,file=$SIMREC,ep=$dep,bytes=$B,packets=$P,timeout=1500")
		n=$(( n + 1 ))
	done
	ops+=("sleep,ms=100" "sync,file=$SIMREC,ep=$dep,bytes=0,packets=0")
	lines out x -t 2000 "${ops[@]}"
	bounds=
	for (( i = 0; i <= n; i++ )); do
		getf "${out[2 * i]}" line
		[ $i = $n ] && getf "${out[2 * n + 1]}" line   # the last case ends at the final sync
		bounds="$bounds $FV"
	done
	lines got rec_slices "$dep" $bounds
	i=0
	for c in "$@"; do
		l=${c%z}
		getf "${out[2 * i + 1]}" data; sent=$FV
		getf "${out[2 * i + 1]}" status
		why=
		if [ "$FV" != 0 ] || ! getf "${out[2 * i + 1]}" actual || [ "$FV" != "$l" ]; then
			why=" (host: ${out[2 * i + 1]#RES })"
		elif [ "${got[i]}" != "${exp[i]} $sent" ]; then
			case ${got[i]} in *" status:"*) why=" (URB status:${got[i]#* status:})";; esac
			t=${got[i]#* }; t=${t%% *}
			[ "$t" = "$sent" ] || why="$why (bytes differ)"
		fi
		if [ -z "$why" ]; then
			echo "CASE $name $c: PASS device packets ${exp[i]}"
		else
			echo "CASE $name $c: FAIL device packets ${got[i]%% *}, want ${exp[i]}$why"
			fails="$fails $c(${got[i]%% *})"
		fi
		i=$(( i + 1 ))
	done
	if [ -z "$fails" ]; then
		result "$name" PASS "$n host transfers ($*) reached the device with the same bytes and packet ends"
	else
		result "$name" FAIL "cases (device packets seen):$fails"
	fi
}
