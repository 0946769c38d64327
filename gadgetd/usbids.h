/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usbids.h - vendor and product names from the usb.ids database (Debian package
 * usb.ids, /usr/share/misc/usb.ids), as usbip list and lsusb print them.
 */
#ifndef GADGETD_USBIDS_H
#define GADGETD_USBIDS_H

#include <stddef.h>
#include <stdint.h>

/**
 * usbids_name() - "Vendor : Product" for @vid:@pid (either part "unknown ..." when
 * the database lacks it; the whole database may be missing).
 * @out: NUL-terminated on return, at most @outlen bytes.
 */
void usbids_name(uint16_t vid, uint16_t pid, char *out, size_t outlen);

#endif
