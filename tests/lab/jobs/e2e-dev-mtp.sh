# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's usb-mtp (Media Transfer Protocol, read-only) through gadgetd: the job
# writes a few files into its results directory, which is a directory of the
# machine that runs QEMU, and plugs in (HMP device_add) a usb-mtp that serves it.
# On dummy_hcd's host side, libmtp's tools (mtp-files, mtp-getfile) list the
# files with their sizes and read each one back byte-identical.
# libmtp claims every MTP device it finds and may detach its driver, so its tools
# run where only the host side's USB bus is visible (host_side_only, devlib.sh):
# the server side's usb-mtp is bound to usbip-host and must stay so.
# The usb-mtp sits on usb-ehci: QEMU's usb-mtp NAKs a bulk IN until its answer
# is ready and does not wake the host controller then; QEMU's EHCI polls again,
# but its xHCI waits for the next doorbell, so the IN transfers gadgetd queues
# ahead (as it must for any device) would wait forever behind a qemu-xhci.
#@qemu -device usb-ehci,id=ehci
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
J=mtp
need_gadgetd $J
need_tool $J mtp-files mtp-getfile unshare
# the files QEMU will serve
D=$LAB_OUT/mtp
mkdir -p "$D"
echo "gadgetd lab: a small text file served by QEMU's usb-mtp" > "$D/hello.txt"
head -c 1048576 /dev/urandom > "$D/random-1MiB.bin"
head -c 70001 /dev/urandom > "$D/odd-size.bin"   # not a multiple of any packet size
FILES="hello.txt random-1MiB.bin odd-size.bin"
sync
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
out=$(qemu_monitor "device_add usb-mtp,id=mtp,bus=ehci.0,rootdir=$LAB_CACHE/out/$LAB_NAME/mtp,readonly=on,desc=gadgetd-lab")
[ -z "$out" ] || { result $J FAIL "device_add usb-mtp: $out"; job_end; exit 1; }
B=$(export_dev 46f4:0004) || { result $J FAIL "cannot export QEMU's usb-mtp"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
dev_gadget_up $J "$B" 46f4:0004 || { job_end; exit 1; }

host_side_only "$G" timeout 60 mtp-files > /tmp/mtp-files.out 2>&1; rc=$?
# "File ID: 3" / "   Filename: hello.txt" / "   File size 57 (0x...) bytes"
awk '/^File ID:/ { id = $3 } /^ *Filename:/ { n = $2 } /^ *File size/ { print id, n, $3 }' \
	/tmp/mtp-files.out > /tmp/mtp-list
missing='' wrong=''
for f in $FILES; do
	l=$(awk -v f="$f" '$2 == f' /tmp/mtp-list)
	if [ -z "$l" ]; then missing="$missing $f"
	elif [ "$(echo "$l" | cut -d' ' -f3)" != "$(stat -c %s "$D/$f")" ]; then wrong="$wrong $f($(echo "$l" | cut -d' ' -f3) != $(stat -c %s "$D/$f"))"; fi
done
if [ $rc = 0 ] && [ -z "$missing$wrong" ]; then
	result $J-list PASS "mtp-files lists $(wc -l < /tmp/mtp-list) files with the right sizes: $(tr '\n' ' ' < /tmp/mtp-list)"
else
	result $J-list FAIL "mtp-files (status $rc): missing:${missing:- none}, wrong size:${wrong:- none}; it said: $(grep -v '^ *$' /tmp/mtp-files.out | tail -6 | tr '\n' ' ')"
fi
for f in $FILES; do
	id=$(awk -v f="$f" '$2 == f { print $1 }' /tmp/mtp-list)
	[ -n "$id" ] || { result "$J-get-$f" FAIL "not listed by mtp-files"; continue; }
	rm -f "/tmp/got-$f"
	t0=$(date +%s%N)
	host_side_only "$G" timeout 120 mtp-getfile "$id" "/tmp/got-$f" > /tmp/mtp-get.out 2>&1; rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	want=$(sha256sum < "$D/$f" | cut -c1-64)
	got=$(sha256sum < "/tmp/got-$f" 2>/dev/null | cut -c1-64)
	if [ "$got" = "$want" ]; then
		result "$J-get-$f" PASS "mtp-getfile $id: $(stat -c %s "/tmp/got-$f") bytes identical in $ms ms (sha256 $got)"
	else
		result "$J-get-$f" FAIL "mtp-getfile $id (status $rc): $(stat -c %s "/tmp/got-$f" 2>/dev/null || echo no) bytes, sha256 ${got:-none} != $want; it said: $(grep -v '^ *$' /tmp/mtp-get.out | tail -4 | tr '\n' ' ')"
	fi
done
dev_gadget_down $J "$B"
job_end
