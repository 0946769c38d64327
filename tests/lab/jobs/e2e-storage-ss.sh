# SPDX-License-Identifier: GPL-2.0-or-later
# A super-speed USB stick (QEMU usb-storage on qemu-xhci: 1024-byte bulk packets)
# through gadgetd onto a high-speed dummy_udc.0 (512-byte bulk): the remote runs at
# 5000 Mb/s, the gadget at 480, and the data survives both ways.
#@qemu -device qemu-xhci,id=xhci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=xhci.0,drive=stick,serial=LAB0002
#@timeout 300
. "$LAB_REPO/tests/lab/lib.sh"
e2e_storage storage-ss 5000 480
job_end
