# SPDX-License-Identifier: GPL-2.0-or-later
# --capture: a storage session through gadgetd written as a pcap file, read
# back with tshark (Wireshark's dissectors), as a user debugging a device would.
#   file       tshark reads it: link type USB with the usbmon header (220)
#   describe   the describe phase's GET_DESCRIPTOR requests are in it
#   scsi       the Bulk-Only traffic decodes as SCSI commands (usbms): INQUIRY,
#              READ CAPACITY, READ(10)
#   bytes      the sector data of the bulk IN completions is what the host's
#              USB stack received, to the byte (usbmon on dummy_hcd's bus, the
#              SCSI layer's own reads included; read-ahead off so that gadgetd
#              reads nothing the host did not ask for)
#   ids        bus and device numbers are the remote's (its devid)
#   rotate     with capture_max_mb = 1 the file is rotated: FILE.1 and FILE,
#              each about 1 MiB, both read by tshark
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0001
#@kernels 6.1
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
J=capture
need_gadgetd $J
command -v tshark >/dev/null || { result $J FAIL "tshark is not installed (scripts/deps.sh lab)"; exit 1; }
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
B=$(export_dev 46f4:0001) || { result $J FAIL "cannot export the usb-storage stick"; job_end; exit 1; }
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
# the remote's bus and device numbers, as usbipd exports them
RBUS=$(cat /sys/bus/usb/devices/$B/busnum) RDEV=$(cat /sys/bus/usb/devices/$B/devnum)

tsh() { tshark -r "$@" 2>/dev/null; }

# the host's view: usbmon on dummy_hcd's host bus, in text
modprobe usbmon
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
for u in /sys/bus/usb/devices/usb*; do
	case $(readlink -f "$u") in *dummy_hcd*) HBUS=$(cat "$u/busnum");; esac
done
[ -r /sys/kernel/debug/usb/usbmon/${HBUS:-x}u ] || { result $J FAIL "no usbmon for dummy_hcd's bus"; job_end; exit 1; }

# capture TAG FILE ARGS...: one session, the host reads 4 MiB; sets HOST_BYTES
# (sector data the host received: bulk IN completions of a multiple of 512
# bytes in usbmon) and READ_BYTES (what the block layer counts)
capture_session() {
	local tag=$1 file=$2 sd mon; shift 2
	rm -f "$file" "$file.1"
	cat /sys/kernel/debug/usb/usbmon/"$HBUS"u > /tmp/usbmon-$tag.txt & mon=$!
	gadgetd_start $J-$tag --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 --capture "$file" "$@"
	G=$(gadgetd_wait_gadget 46f4:0001 60) || { result $J-$tag FAIL "the gadget did not appear"; return 1; }
	wait_for 30 eval 'sd=$(block_behind $G)' || { result $J-$tag FAIL "no block device behind $G"; return 1; }
	timeout 120 dd if=/dev/$sd of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null
	sleep 1
	# field 3 of /sys/block/DEV/stat: sectors the host read, its own scans included
	READ_BYTES=$(( $(awk '{print $3}' /sys/block/$sd/stat) * 512 ))
	gadgetd_stop $J-$tag
	kill $mon; wait $mon 2>/dev/null
	HOST_BYTES=$(awk '$3 == "C" && $4 ~ /^Bi:/ && $6 > 0 && $6 % 512 == 0 {s += $6} END {print s + 0}' /tmp/usbmon-$tag.txt)
}

printf 'readahead = false;\n' > /tmp/capture.cfg
capture_session plain /tmp/usb.pcap -p /tmp/capture.cfg

# tshark is slow to start under TCG: each file is read as few times as it can be
enc=$(capinfos -E /tmp/usb.pcap 2>/dev/null | sed -n 's/^File encapsulation: *//p')
nrec=$(tsh /tmp/usb.pcap | wc -l)
if [ -s /tmp/usb.pcap ] && [ "$nrec" -gt 0 ] && [ "$enc" = 'USB packets with Linux header and padding' ]; then
	result $J-file PASS "tshark reads $nrec records, $(stat -c %s /tmp/usb.pcap) bytes; $enc"
else
	result $J-file FAIL "tshark cannot read /tmp/usb.pcap: $(capinfos /tmp/usb.pcap 2>&1 | tr '\n' ' ' | cut -c1-200)"
fi

gd=$(tsh /tmp/usb.pcap -Y 'usb.setup.bRequest == 6')
n=$(grep -c 'GET DESCRIPTOR Request' <<< "$gd")
kinds=$(grep -o 'GET DESCRIPTOR Request [A-Z]*' <<< "$gd" | sort -u | awk '{print $4}' | tr '\n' ' ')
case "$kinds" in
*DEVICE*CONFIGURATION*|*CONFIGURATION*DEVICE*)
	result $J-describe PASS "$n GET_DESCRIPTOR requests: $kinds";;
*) result $J-describe FAIL "GET_DESCRIPTOR requests: $n ($kinds)";;
esac

cmds=$(tsh /tmp/usb.pcap -Y usbms | grep -o 'SCSI: [A-Za-z ]*([0-9]*)\|SCSI: [A-Z][A-Za-z ]*' | sed 's/ *$//' | sort | uniq -c | sort -rn | awk '{c=$1; $1=""; printf "%s x%s,", substr($0,2), c}')
if echo "$cmds" | grep -q 'Inquiry' && echo "$cmds" | grep -q 'Read Capacity' && echo "$cmds" | grep -q 'Read(10)'; then
	result $J-scsi PASS "usbms decodes: $cmds"
else
	result $J-scsi FAIL "usbms decodes: ${cmds:-nothing}"
fi

# bulk IN completions that carry sector data (a multiple of 512 bytes: not a
# CSW, INQUIRY or READ CAPACITY answer)
# (one read for this and the ids below: tshark prints urb_type as 'C' with its
# quotes, transfer_type as 0x03 for bulk, the direction as 1 for IN)
tsh /tmp/usb.pcap -T fields -E separator=, -e usb.urb_type -e usb.transfer_type \
	-e usb.endpoint_address.direction -e usb.urb_len -e usb.bus_id -e usb.device_address > /tmp/usb.fields
got=$(awk -F, -v c="'C'" '$1 == c && $2 == "0x03" && $3 == 1 && $4 > 0 && $4 % 512 == 0 {s += $4} END {print s + 0}' /tmp/usb.fields)
if [ "$got" = "$HOST_BYTES" ] && [ "$got" -ge "$READ_BYTES" ] && [ "$got" -gt 4000000 ]; then
	result $J-bytes PASS "sector data in the capture: $got bytes = what the host received (usbmon on bus $HBUS; the block layer counted $READ_BYTES, the rest is the SCSI layer's own reads)"
else
	result $J-bytes FAIL "sector data in the capture: $got bytes; the host received $HOST_BYTES (usbmon bus $HBUS), its block layer counted $READ_BYTES"
fi

ids=$(awk -F, '{print $5 ":" $6}' /tmp/usb.fields | sort -u | tr '\n' ' ')
[ "$ids" = "$RBUS:$RDEV " ] && result $J-ids PASS "every record is bus $RBUS device $RDEV, the remote's $B" ||
	result $J-ids FAIL "bus:device in the capture: $ids; the remote's $B is $RBUS:$RDEV"

# rotation: 1 MiB files while the host reads 4 MiB
printf 'readahead = false;\ncapture_max_mb = 1;\n' > /tmp/capture-rot.cfg
capture_session rotate /tmp/rot.pcap -p /tmp/capture-rot.cfg
s0=$(stat -c %s /tmp/rot.pcap 2>/dev/null || echo 0) s1=$(stat -c %s /tmp/rot.pcap.1 2>/dev/null || echo 0)
n0=$(tsh /tmp/rot.pcap | wc -l) n1=$(tsh /tmp/rot.pcap.1 | wc -l)
if [ "$s1" -ge 1048576 ] && [ "$s1" -lt 1310720 ] && [ "$s0" -gt 0 ] && [ "$s0" -lt 1310720 ] && [ "$n0" -gt 0 ] && [ "$n1" -gt 0 ]; then
	result $J-rotate PASS "rot.pcap.1 $s1 bytes ($n1 records), rot.pcap $s0 bytes ($n0 records)"
else
	result $J-rotate FAIL "rot.pcap.1 $s1 bytes ($n1 records), rot.pcap $s0 bytes ($n0 records)"
fi
job_end
