/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gfs_desc.h - from the descriptor model to what GadgetFS (gadgetfs.ko,
 * drivers/usb/gadget/legacy/inode.c) takes. No I/O.
 *
 * GadgetFS takes the whole device in one write() on its ep0 file: the
 * configuration descriptor set at full speed, optionally at high speed, and the
 * device descriptor (dev_config()). Everything after each configuration's
 * 9-byte header is opaque to the kernel, so class-specific descriptors (CDC,
 * audio, MIDI), IADs and alternate settings pass unchanged; the host reads the
 * blob back as it was written. Each endpoint file then takes its own write of
 * one FS and one HS endpoint descriptor (ep_config()) when userspace enables
 * it, for whichever alternate setting the host selects.
 *
 * Line numbers "inode.c:A|B" are drivers/usb/gadget/legacy/inode.c in Linux
 * 6.1.192 (A) and 6.12.117 (B), as in /work/shared/research/gadgetfs.md.
 */
#ifndef GADGETD_GFS_DESC_H
#define GADGETD_GFS_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/usb_desc.h"

/*
 * RBUF_SIZE (inode.c:113|120): every control transfer, GET_DESCRIPTOR(CONFIG)
 * included, is cut to 256 bytes without a short packet, so a configuration
 * descriptor set must be at most this long for the host to read it (§2.3).
 */
#define GFS_CTRL_MAX 256
/* Endpoint descriptors (all alternate settings) per configuration: ffs_map's size. */
#define GFS_MAX_EPS FFS_MAX_EPS
/* Interface numbers 0..GFS_MAX_INTF-1: ffs_map.intf_remote[] is indexed by them. */
#define GFS_MAX_INTF FFS_MAX_INTF
/* The endpoint file's configuration write: u32 tag 1, FS and HS descriptors (7 bytes each). */
#define GFS_EP_CONFIG_MAX (4 + 7 + 7)

struct gfs_desc_opts {
	bool udc_has_iso;	/* the UDC offers isochronous endpoints */
	unsigned max_eps;	/* endpoint files the UDC has; 0 = 30 (GFS_MAX_EPS, also the cap) */
	/*
	 * The UDC links at high speed whatever the blob says: it has no
	 * udc_set_speed (musb, gadgetfs.md §1.3), and a full-speed-only blob
	 * would fail every SETUP ("no high speed config??", inode.c:1354-1360).
	 * A full- or low-speed device then gets a high-speed part too, with
	 * wMaxPacketSize and bInterval derived for high speed.
	 */
	bool always_hs;
};

/* One endpoint descriptor of the configuration (every alternate setting has its own). */
struct gfs_ep {
	uint8_t bInterfaceNumber;	/* the device's own */
	uint8_t bAlternateSetting;
	uint8_t bEndpointAddress;	/* the device's own, also in the blob */
	uint8_t type;			/* USB_ENDPOINT_XFER_* */
	bool has_hs;			/* hs[] is used: the blob has a high-speed part */
	uint8_t fs[7];			/* ENDPOINT descriptor as in the FS blob (7-byte form) */
	uint8_t hs[7];			/* ENDPOINT descriptor as in the HS blob (7-byte form) */
};

/*
 * What the GadgetFS backend needs besides the ep0 write: every endpoint
 * descriptor in blob order (interface descriptor by interface descriptor, so
 * every alternate setting's endpoints; an address can appear once per
 * alternate setting), and the same as an ffs_map for the relay.
 */
struct gfs_layout {
	unsigned n_ep;
	struct gfs_ep ep[GFS_MAX_EPS];
	/*
	 * map.ep[i] describes ep[i] (intf_index = bInterfaceNumber, alt set);
	 * map.intf_remote[k] = k for k < map.n_intf = highest bInterfaceNumber + 1,
	 * since GadgetFS passes wIndex unchanged; class/subclass/protocol are those
	 * of alt 0 (of the first alternate setting when there is no alt 0; 0 for
	 * numbers the configuration does not use).
	 */
	struct ffs_map map;
	bool has_hs;			/* the ep0 write has an HS blob: GadgetFS links at HS */
	uint16_t wTotalLength;		/* of each configuration blob in the ep0 write */
	uint8_t bConfigurationValue;	/* as written: SET_CONFIGURATION must name it */
};

/**
 * gfs_desc_check() - can GadgetFS carry this configuration?
 * @cfg: the configuration at the device's own speed @speed (enum usb_desc_speed;
 *       LOW is shown at full speed, SUPER and above at high speed, since GadgetFS
 *       has no SuperSpeed path, inode.c:1869-1872|1899-1902; other values are
 *       taken as SuperSpeed, as ffs_speed_of() does). Neither is a refusal.
 * @o: may be NULL (no isochronous endpoints, 30 endpoints).
 * Refuses, in this order:
 *  - a configuration without interfaces (nothing to relay; a lying server);
 *  - a configuration blob over GFS_CTRL_MAX bytes (its wTotalLength as
 *    gfs_config_build() writes it: SS companions dropped), which the kernel's
 *    own GET_DESCRIPTOR(CONFIG) reply would cut short (RBUF_SIZE,
 *    inode.c:1339-1349|1354-1364);
 *  - a bInterfaceNumber of GFS_MAX_INTF or more (the map is indexed by it);
 *  - an interface and alternate setting described twice (the Linux host skips
 *    the second, drivers/usb/core/config.c usb_parse_configuration());
 *  - a control endpoint (a UDC has none besides ep0);
 *  - an isochronous endpoint when !@o->udc_has_iso;
 *  - an interrupt/isochronous wMaxPacketSize over 1024 bytes or with reserved
 *    bits (no UDC's ep_enable() takes it; as ffs_desc_check());
 *  - more than @o->max_eps endpoint descriptors counting every alternate setting;
 *  - one bEndpointAddress in two interfaces, or twice in one alternate setting:
 *    GadgetFS has one file per endpoint, which may be open once (ep_open(),
 *    inode.c:813-836|828-851). Alternate settings of one interface may share it.
 * @err: a sentence naming the thing, e.g. "interface 1 (Audio, alt 1) endpoint
 *       0x01 is isochronous: the UDC has no isochronous endpoints"; may be NULL.
 * Return: 0, -EOPNOTSUPP (refused), or -EINVAL if @cfg is NULL.
 */
int gfs_desc_check(const struct usb_desc_config *cfg, int speed, const struct gfs_desc_opts *o,
		   char *err, size_t errlen);

/**
 * gfs_config_build() - the bytes of GadgetFS's single ep0 configuration write
 * (dev_config(), inode.c:1791-1902|1821-1932; gadgetfs.md §1.2).
 * @cfg: the configuration at the device's own speed @speed (see gfs_desc_check()).
 * @dev: the device descriptor.
 * @other: optional OTHER_SPEED_CONFIGURATION; gives the other speed's
 *         wMaxPacketSize/bInterval when @speed is HIGH or FULL and it has the
 *         same shape (as ffs_desc_build()), else they are derived. May be NULL.
 * @o: may be NULL (defaults as gfs_desc_check()).
 * @lay: filled on success; may be NULL.
 *
 * Layout, in this order:
 *  - u32 tag 0, host byte order (inode.c:1815|1845);
 *  - the full-speed configuration descriptor set, wTotalLength bytes;
 *  - the high-speed one, when @speed is HIGH or faster (GadgetFS then links at
 *    high speed); a FULL or LOW device gets the FS blob only, so the UDC links
 *    at full speed (inode.c:1843-1853|1873-1883, §1.3);
 *  - the 18-byte device descriptor: bcdUSB 0x0200 (the kernel writes it anyway,
 *    inode.c:1865|1895), bMaxPacketSize0 kept when 8/16/32/64 else 64 (the
 *    kernel answers with ep0's own, inode.c:1388|1403), bNumConfigurations 1
 *    (required, inode.c:1858-1864|1888-1894), the rest the device's.
 * Each configuration blob is little-endian, in the device's wire order: the
 * 9-byte header (bmAttributes with bit 7 set and remote wakeup 0x20 cleared,
 * as is_valid_config() wants, inode.c:1778-1789|1808-1819; bConfigurationValue
 * kept, 1 if 0; bMaxPower from 8 mA to 2 mA units for a SuperSpeed device,
 * capped at 250), the configuration's extras, then per interface descriptor
 * the IADs before it, the interface (device's numbers and string indices,
 * bNumEndpoints = the endpoints found), its extras (CS_INTERFACE, HID, ...),
 * and per endpoint the ENDPOINT descriptor (7 bytes, or 9 keeping bRefresh and
 * bSynchAddress) and its extras (CS_ENDPOINT, ...). SuperSpeed endpoint
 * companions (0x30) and SuperSpeedPlus isochronous companions (0x31) are
 * dropped. Only wMaxPacketSize and bInterval differ between the FS and HS
 * blobs: taken from the device for its own speed (and @other), derived for the
 * other one (bulk 64 FS / 512 HS, interrupt at most 64 bytes at FS, bInterval
 * frames <-> 2^(n-1) microframes; desc_derive_ep()), as ffs_desc_build() does.
 * Return: bytes written, -EOPNOTSUPP if gfs_desc_check() refuses, -ENOSPC if
 * @outlen is too small (nothing useful in @out), -EINVAL if @cfg or @dev is NULL.
 */
ssize_t gfs_config_build(const struct usb_desc_config *cfg, const struct usb_desc_device *dev,
			 int speed, const struct usb_desc_config *other,
			 const struct gfs_desc_opts *o, uint8_t *out, size_t outlen,
			 struct gfs_layout *lay);

/**
 * gfs_ep_config() - the first write() to endpoint file @lay->ep[@i], which
 * configures and enables it (ep_config(), inode.c:721-811|736-826; §3.2):
 * u32 tag 1 in host byte order, the FS ENDPOINT descriptor, and the HS one when
 * the configuration has a high-speed part. Always the 7-byte form (ep_config()
 * refuses 9-byte audio endpoints, inode.c:746-748|761-763). The kernel picks
 * the one of the current link speed, so write it after CONNECT.
 * An endpoint whose wMaxPacketSize is 0 at the link speed cannot be enabled
 * (usb_ep_enable() refuses it); leave it unconfigured.
 * Return: 18 or 11 bytes written to @out, or 0 if @lay is NULL or @i >= n_ep.
 */
size_t gfs_ep_config(const struct gfs_layout *lay, unsigned i, uint8_t out[GFS_EP_CONFIG_MAX]);

#endif
