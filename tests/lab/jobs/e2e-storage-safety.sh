# SPDX-License-Identifier: GPL-2.0-or-later
# Bulk-Only storage through gadgetd with read-ahead on (the default): the
# commands where answering early or from blocks read ahead could go wrong, each
# followed by a byte-for-byte check of the disk from the host side.
#   readahead        a sequential read reads as the image, and gadgetd says READs
#                    were answered from read-ahead
#   past-end         READ(10) of the block after the last: an error with
#                    "out of range" sense, and nothing else changes
#   inquiry          INQUIRY with allocation length 255 (the answer is shorter)
#   request-sense    REQUEST SENSE with allocation length 252
#   reset            sg_reset --device (Bulk-Only Mass Storage Reset) while a
#                    sequential read, read-ahead included, is running
#   write-read       blocks read ahead are written, and read at once: the read
#                    returns what was written
#   disk             the whole disk, byte for byte, is the image with that write
#   notify           what systemd would hear (sd_notify on NOTIFY_SOCKET): STATUS
#                    lines, READY=1 once the host configured the device, STOPPING=1
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0001
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
J=safety
need_gadgetd $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
B=$(export_dev 46f4:0001) || { result $J FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
socat -u UNIX-RECV:/tmp/notify.sock OPEN:/tmp/notify.log,creat,append & NOTIFY_PID=$!
wait_for 5 test -S /tmp/notify.sock
NOTIFY_SOCKET=/tmp/notify.sock gadgetd_start $J --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -v
G=$(gadgetd_wait_gadget 46f4:0001 60) || { result $J FAIL "the gadget did not appear"; job_end; exit 1; }
if wait_for 10 grep -q 'READY=1' /tmp/notify.log &&
	grep -q 'STATUS=relaying: the host configured the device' /tmp/notify.log &&
	grep -q "STATUS=presenting 46f4:0001 ($B from 127.0.0.1:3240)" /tmp/notify.log; then
	result $J-notify-ready PASS "READY=1 with the host's configuration; STATUS lines: $(grep -o 'STATUS=' /tmp/notify.log | wc -l)"
else
	result $J-notify-ready FAIL "NOTIFY_SOCKET received: $(tr '\n' '|' < /tmp/notify.log)"
fi
wait_for 30 eval 'SD=$(block_behind $G)' || { result $J FAIL "no block device behind $G"; job_end; exit 1; }
SECTORS=$(cat /sys/block/$SD/size)
log "host side sees /dev/$SD ($SECTORS sectors)"

# the image as the host reads it at first: the reference for every later check
if timeout 120 dd if=/dev/$SD of=/tmp/img bs=1M iflag=direct 2>/dev/null &&
	[ "$(sha256sum < /tmp/img | cut -c1-64)" = "$LAB_IMG_SHA256" ]; then
	result $J-readahead-read PASS "/dev/$SD reads as the image ($LAB_IMG_SHA256)"
else
	result $J-readahead-read FAIL "/dev/$SD does not read as the image"
fi

disk_is() {  # disk_is NAME FILE: the whole disk, byte for byte, is FILE
	local got
	got=$(timeout 120 dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
	[ "$got" = "$(sha256sum < "$2" | cut -c1-64)" ] && result "$J-$1" PASS "disk byte for byte as expected ($got)" ||
		result "$J-$1" FAIL "disk sha256 $got, expected $(sha256sum < "$2" | cut -c1-64)"
}

# READ(10) of LBA = capacity: CHECK CONDITION, sense ILLEGAL REQUEST / LBA out of range
L=$(printf '%08x' "$SECTORS")
out=$(timeout 30 sg_raw -r 512 /dev/$SD 28 00 ${L:0:2} ${L:2:2} ${L:4:2} ${L:6:2} 00 00 01 00 2>&1); rc=$?
if [ $rc != 0 ] && echo "$out" | grep -qi "out of range"; then
	result $J-past-end PASS "READ(10) of LBA $SECTORS: sg_raw status $rc, $(echo "$out" | grep -i 'out of range' | head -1 | sed 's/^ *//')"
else
	result $J-past-end FAIL "READ(10) of LBA $SECTORS: sg_raw status $rc: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"
fi
disk_is past-end-disk /tmp/img

out=$(timeout 30 sg_raw -r 255 -o /tmp/inq /dev/$SD 12 00 00 00 ff 00 2>&1); rc=$?
n=$(stat -c %s /tmp/inq 2>/dev/null || echo 0)
if [ $rc = 0 ] && [ "$n" -ge 36 ] && [ "$n" -le 255 ] && [ "$(dd if=/tmp/inq bs=1 skip=8 count=4 2>/dev/null)" = QEMU ]; then
	result $J-inquiry PASS "INQUIRY, allocation length 255: $n bytes, vendor QEMU, status good"
else
	result $J-inquiry FAIL "INQUIRY, allocation length 255: sg_raw status $rc, $n bytes: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"
fi
out=$(timeout 30 sg_raw -r 252 -o /tmp/sense /dev/$SD 03 00 00 00 fc 00 2>&1); rc=$?
n=$(stat -c %s /tmp/sense 2>/dev/null || echo 0)
code=$(od -An -tx1 -N1 /tmp/sense 2>/dev/null | tr -d ' ')
if [ $rc = 0 ] && [ "$n" -ge 8 ] && { [ "$code" = 70 ] || [ "$code" = 72 ]; }; then
	result $J-request-sense PASS "REQUEST SENSE, allocation length 252: $n bytes, response code 0x$code, status good"
else
	result $J-request-sense FAIL "REQUEST SENSE, allocation length 252: sg_raw status $rc, $n bytes, code $code: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"
fi
disk_is sense-disk /tmp/img

# a device reset from the host in the middle of a sequential read
(timeout 120 dd if=/dev/$SD bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64 > /tmp/reset.sha) &
DD=$!
sleep 0.5
resets0=$(grep -c "Bulk-Only Mass Storage Reset from the host" "$GLOG")
out=$(timeout 60 sg_reset --device /dev/$SD 2>&1); rc=$?
wait $DD
resets=$(( $(grep -c "Bulk-Only Mass Storage Reset from the host" "$GLOG") - resets0 ))
if [ $rc = 0 ] && [ "$resets" -ge 1 ] && [ "$(cat /tmp/reset.sha)" = "$LAB_IMG_SHA256" ]; then
	result $J-reset PASS "sg_reset --device during a sequential read: $resets Bulk-Only reset(s) relayed, $(grep -c 'read-ahead: abandoned' "$GLOG") read-ahead(s) abandoned; the read still matches the image"
else
	result $J-reset FAIL "sg_reset status $rc ($out), resets relayed $resets, read sha256 $(cat /tmp/reset.sha)"
fi
disk_is reset-disk /tmp/img

# read 4 MiB in order (read-ahead then holds the blocks after them), write
# those blocks, read them at once: what was written comes back
head -c 1M /dev/urandom > /tmp/p1
timeout 60 dd if=/dev/$SD of=/dev/null bs=1M count=4 iflag=direct 2>/dev/null
timeout 60 dd if=/tmp/p1 of=/dev/$SD bs=1M seek=4 oflag=direct conv=notrunc 2>/dev/null
if timeout 60 dd if=/dev/$SD bs=1M skip=4 count=1 iflag=direct 2>/dev/null | cmp -s - /tmp/p1; then
	result $J-write-read PASS "blocks 8192..10239 read ahead, written, read back at once: what was written"
else
	result $J-write-read FAIL "blocks 8192..10239 read back differ from what was written"
fi
dd if=/tmp/p1 of=/tmp/img bs=1M seek=4 conv=notrunc 2>/dev/null
disk_is write-read-disk /tmp/img

gadgetd_stop $J
sleep 0.3
kill $NOTIFY_PID 2>/dev/null
grep -q 'STOPPING=1' /tmp/notify.log && result $J-notify-stopping PASS "STOPPING=1 on SIGTERM" ||
	result $J-notify-stopping FAIL "no STOPPING=1: $(tail -3 /tmp/notify.log | tr '\n' '|')"
if grep -q "READs of the host answered from" "$GLOG" &&
	[ "$(grep -o '[0-9]* READs of the host answered' "$GLOG" | tail -1 | cut -d' ' -f1)" -gt 0 ]; then
	result $J-readahead PASS "$(grep -o 'read-ahead (interface.*' "$GLOG" | tail -1)"
else
	result $J-readahead FAIL "gadgetd answered no READ from read-ahead"
fi
job_end
