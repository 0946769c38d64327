# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's two mass-storage devices (both 46f4:0001 "QEMU USB HARDDRIVE", Bulk-Only)
# through gadgetd, as in e2e-storage-hs: the host side's disk reads as the image,
# takes a 16 MiB random pattern (O_DIRECT) and reads it back.
#   bot-hs      usb-bot + scsi-hd on usb-ehci (480 Mb/s), gadget at high speed
#   bot-ss      usb-bot + scsi-hd on qemu-xhci (5000 Mb/s), gadget at super speed
#   storage-ss  usb-storage on qemu-xhci (5000 Mb/s), gadget at super speed; the
#               image file holds the pattern after the VM exits (lab.sh checks)
# dummy_hcd is reloaded with is_super_speed=1 for the super-speed gadgets. The
# usb-bot disks are snapshots of the same image (writes stay in QEMU), so only
# usb-storage writes the image file, and it goes last.
#@qemu -device usb-ehci,id=ehci -device qemu-xhci,id=xhci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -drive if=none,id=bothsd,format=raw,file=@DISK@,snapshot=on,file.locking=off
#@qemu -drive if=none,id=botssd,format=raw,file=@DISK@,snapshot=on,file.locking=off
#@qemu -device usb-bot,id=boths,bus=ehci.0,serial=LABBOTHS -device scsi-hd,bus=boths.0,scsi-id=0,lun=0,drive=bothsd
#@qemu -device usb-bot,id=botss,bus=xhci.0,serial=LABBOTSS -device scsi-hd,bus=botss.0,scsi-id=0,lun=0,drive=botssd
#@qemu -device usb-storage,id=stickdev,bus=xhci.0,drive=stick,serial=LABSTKSS
#@timeout 420
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
J=storage
need_gadgetd $J
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
# export all three before the host side's usb-storage is loaded, so that it
# binds the gadget only
for s in LABBOTHS LABBOTSS LABSTKSS; do
	wait_for 20 server_dev_serial $s >/dev/null && export_busid "$(server_dev_serial $s)" ||
		result "$J-export-$s" FAIL "cannot export the QEMU disk with serial $s"
done
gadget_side_up || { result $J FAIL "gadget side did not come up"; job_end; exit 1; }
dev_storage bot-hs LABBOTHS 480 480 no
# super speed: the gadget side again, with dummy_hcd's SuperSpeed root hub
if modprobe -r dummy_hcd && modprobe dummy_hcd is_super_speed=1 &&
	wait_for 5 test -e /sys/class/udc/dummy_udc.0; then
	log "dummy_hcd reloaded: UDC dummy_udc.0 maximum_speed $(cat /sys/class/udc/dummy_udc.0/maximum_speed)"
	dev_storage bot-ss LABBOTSS 5000 5000 no
	dev_storage storage-ss LABSTKSS 5000 5000 yes
else
	result bot-ss FAIL "cannot reload dummy_hcd with is_super_speed=1"
	result storage-ss FAIL "cannot reload dummy_hcd with is_super_speed=1"
fi
job_end
