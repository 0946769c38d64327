# SPDX-License-Identifier: GPL-2.0-or-later
# The same high-speed USB stick (QEMU usb-storage on usb-ehci) through each
# backend in turn, in one boot: FunctionFS (the automatic choice) and GadgetFS
# (--backend gadgetfs). Through each the whole disk reads as what it holds (the
# image; then the image with the first backend's pattern) and a 4 MiB pattern
# written with O_DIRECT reads back; both backends' read and write throughput are
# printed (figures, not asserted: the lab runs under TCG).
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0001
#@timeout 420
. "$LAB_REPO/tests/lab/lib.sh"
J=gfs-storage
need_gadgetd $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
B=$(export_dev 46f4:0001) || { result $J FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
mods gadgetfs || { result $J FAIL "cannot load gadgetfs"; job_end; exit 1; }

# mbps BYTES MS: MB/s with one decimal
mbps() { echo "$1 $2" | awk '{ printf "%.1f", $2 ? $1 / 1048576 / ($2 / 1000) : 0 }'; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# differ DEV IMAGE: the 1 MiB blocks in which DEV differs from IMAGE
differ() {
	local i out=
	for i in $(seq 0 15); do
		[ "$(dd if="$1" bs=1M skip=$i count=1 iflag=direct 2>/dev/null | sha256sum)" = \
		  "$(dd if="$2" bs=1M skip=$i count=1 2>/dev/null | sha256sum)" ] || out="$out $i"
	done
	echo "${out:- none}"
}

# run BACKEND: the stick through gadgetd with --backend BACKEND
run() {
	local be=$1 name=$J-$1 G SD got t0 rd wr P
	gadgetd_start "$name" --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --backend "$be" -v
	if ! G=$(gadgetd_wait_gadget 46f4:0001 60) || ! wait_for 30 eval 'SD=$(block_behind $G)'; then
		result "$name" FAIL "no disk behind the gadget: $(grep -a -m2 error "$GLOG" | tr '\n' ' ')"
		gadgetd_stop "$name"; return 1
	fi
	grep -aqi "backend $be" "$GLOG" && result "$name-backend" PASS "$(grep -ai -m1 "backend $be" "$GLOG" | sed 's/^[^ ]* gadgetd: info: //' | cut -c1-160)" ||
		result "$name-backend" FAIL "gadgetd did not run the $be backend: $(grep -a -m1 'backend' "$GLOG")"
	t0=$(date +%s%N)
	got=$(timeout 120 dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
	rd=$(ms_since "$t0")
	if [ "$got" = "$(sha256sum < /tmp/expect | cut -c1-64)" ]; then
		result "$name-read" PASS "16 MiB in $rd ms ($(mbps 16777216 "$rd") MB/s), sha256 = what the disk holds ($EXPECT)"
	else
		result "$name-read" FAIL "/dev/$SD sha256 $got is not what the disk holds ($EXPECT); MiB that differ: $(differ /dev/$SD /tmp/expect)"
	fi
	head -c 4M /dev/urandom > /tmp/pattern
	P=$(sha256sum < /tmp/pattern | cut -c1-64)
	t0=$(date +%s%N)
	if timeout 120 dd if=/tmp/pattern of=/dev/$SD bs=1M oflag=direct conv=fsync 2>/tmp/dd.err; then
		wr=$(ms_since "$t0")
		got=$(timeout 120 dd if=/dev/$SD bs=1M count=4 iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
		[ "$got" = "$P" ] && result "$name-write" PASS "4 MiB in $wr ms ($(mbps 4194304 "$wr") MB/s), read back intact" ||
			result "$name-write" FAIL "read back $got != written $P"
		# what the next backend must read: this pattern, then the image
		{ cat /tmp/pattern; dd if="$LAB_IMG" bs=1M skip=4 2>/dev/null; } > /tmp/expect
		EXPECT="the image with $be's 4 MiB pattern at its start"
	else
		result "$name-write" FAIL "dd to /dev/$SD failed: $(tail -1 /tmp/dd.err)"
	fi
	gadgetd_stop "$name"
	wait_for 10 eval '! gadget_dev 46f4:0001 >/dev/null'
}
cp "$LAB_IMG" /tmp/expect
EXPECT="the image"
run functionfs
run gadgetfs
job_end
