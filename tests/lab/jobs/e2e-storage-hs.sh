# SPDX-License-Identifier: GPL-2.0-or-later
# A high-speed USB stick (QEMU usb-storage on usb-ehci) through gadgetd onto
# dummy_udc.0 (high speed): the host side's disk reads as the image, takes a write
# (O_DIRECT, read back), and the QEMU image file holds the pattern afterwards.
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0001
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
e2e_storage storage-hs 480 480
job_end
