/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ffs_desc.h - from the descriptor model to what FunctionFS takes. No I/O.
 *
 * Builds the FunctionFS v2 descriptor blob (FUNCTIONFS_DESCRIPTORS_MAGIC_V2,
 * include/uapi/linux/usb/functionfs.h) for full, high and super speed, deriving the
 * speeds the remote device did not describe, and the strings blob
 * (FUNCTIONFS_STRINGS_MAGIC). Refuses, before anything is bound, what FunctionFS
 * cannot carry (drivers/usb/gadget/function/f_fs.c: ffs_do_single_desc(),
 * __ffs_data_do_entity(), FFS_MAX_EPS_COUNT), with a sentence that names the
 * interface, its class and the descriptor type.
 */
#ifndef GADGETD_FFS_DESC_H
#define GADGETD_FFS_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "functionfs/usb_desc.h"

#define FFS_MAX_EPS 30 /* FFS_MAX_EPS_COUNT - 1 (u_fs.h; the check is >=) */
#define FFS_MAX_INTF 16 /* MAX_CONFIG_INTERFACES in 6.1 */

/* Gadget link speeds a blob is built for: index into per-speed arrays. */
enum ffs_speed {
	FFS_SPEED_FS = 0,
	FFS_SPEED_HS = 1,
	FFS_SPEED_SS = 2,
	FFS_SPEED_COUNT
};

/* One FunctionFS endpoint file (epN, N = index + 1) and the remote endpoint behind it. */
struct ffs_ep_info {
	uint8_t remote_addr;   /* bEndpointAddress on the remote device */
	uint8_t type;          /* USB_ENDPOINT_XFER_* */
	uint8_t intf_index;    /* index into ffs_map.intf_remote[] */
	uint8_t alt;           /* bAlternateSetting of its interface (0 on FunctionFS) */
	uint16_t remote_mps;   /* wMaxPacketSize & 0x7ff at the remote's own speed */
	uint8_t remote_interval; /* bInterval at the remote's own speed */
	uint16_t mps[FFS_SPEED_COUNT];     /* wMaxPacketSize & 0x7ff written per speed */
	uint8_t interval[FFS_SPEED_COUNT]; /* bInterval written per speed */
};

/* How FunctionFS's numbering maps back to the remote device's. */
struct ffs_map {
	unsigned n_ep;
	struct ffs_ep_info ep[FFS_MAX_EPS];
	unsigned n_intf;                   /* FunctionFS interface index -> remote number */
	uint8_t intf_remote[FFS_MAX_INTF];
	uint8_t intf_class[FFS_MAX_INTF];
	uint8_t intf_subclass[FFS_MAX_INTF];
	uint8_t intf_protocol[FFS_MAX_INTF];
};

struct ffs_desc_opts {
	bool udc_has_iso;   /* the UDC offers isochronous endpoints */
	uint32_t extra_flags; /* e.g. FUNCTIONFS_ALL_CTRL_RECIP, ORed into the header */
	int eventfd;        /* written after the flags when extra_flags has FUNCTIONFS_EVENTFD */
	bool dfu_desc;      /* the kernel's f_fs takes DFU functional descriptors (6.12;
			     * ffs_do_single_desc(); gadgetd/present_probe.h) */
};

/**
 * ffs_desc_check() - can FunctionFS carry this configuration?
 * Refuses: class-specific descriptors other than a HID descriptor with
 * bNumDescriptors == 1 (HID class), a 54-byte CCID descriptor (class 0x0b) or,
 * with @o->dfu_desc, a 9-byte DFU functional descriptor (class 0xfe subclass 1);
 * any other descriptor type FunctionFS rejects (0x24, 0x25, vendor types, ...);
 * an alternate setting other than 0; isochronous endpoints when !@o->udc_has_iso;
 * more than FFS_MAX_EPS endpoints or FFS_MAX_INTF interfaces; the same
 * bEndpointAddress twice.
 * @err: a sentence such as "interface 1 (Audio, alt 0) has a CS_INTERFACE (0x24)
 * descriptor: FunctionFS accepts only interface, endpoint, ... descriptors".
 * Return: 0 or -EOPNOTSUPP.
 */
int ffs_desc_check(const struct usb_desc_config *cfg, const struct ffs_desc_opts *o,
		   char *err, size_t errlen);

/**
 * ffs_desc_build() - the FunctionFS v2 descriptor blob for FS, HS and SS.
 * @cfg: the configuration at the remote's own speed @speed (enum usb_desc_speed).
 * @other: optional OTHER_SPEED_CONFIGURATION of a high-speed device (its FS view;
 *         used for FS values when structurally identical), or NULL.
 * Speeds not described are derived: bulk wMaxPacketSize 64/512/1024; interrupt
 * wMaxPacketSize capped at 64 for FS; bInterval converted between frames (FS/LS,
 * interrupt) and 2^(bInterval-1) microframes (HS/SS); SS endpoint companions added
 * (bMaxBurst 0, wBytesPerInterval = wMaxPacketSize for periodic endpoints).
 * iInterface/iFunction are renumbered 1..k in order of first use; @str_map[k-1]
 * receives the remote index of new string k (the caller sizes it FFS_MAX_STRINGS).
 * @map: filled with the endpoint-file and interface mapping.
 * Interfaces are written as 0..n-1 in order of first appearance (IAD bFirstInterface
 * rewritten to match), so the wIndex of an interface-recipient SETUP event from
 * FunctionFS (ffs_func_revmap_intf()) indexes @map->intf_remote[] directly.
 * @other is used only when @speed is HIGH (it gives FS values) or FULL (it gives HS
 * values). @map, @str_map and @n_str may be NULL; @o may be NULL (all defaults).
 * Return: blob length (little-endian, ready to write to ep0), -ENOSPC if @outlen
 * is too small (or more than FFS_MAX_STRINGS strings), -EOPNOTSUPP if
 * ffs_desc_check() would refuse, -EINVAL if @o->extra_flags has
 * FUNCTIONFS_HAS_MS_OS_DESC (no OS-descriptor section is built).
 */
#define FFS_MAX_STRINGS 64
ssize_t ffs_desc_build(const struct usb_desc_config *cfg, int speed,
		       const struct usb_desc_config *other, const struct ffs_desc_opts *o,
		       uint8_t *out, size_t outlen, struct ffs_map *map,
		       uint8_t str_map[FFS_MAX_STRINGS], unsigned *n_str);

/**
 * ffs_strings_build() - the FunctionFS strings blob: for each language of @s, the
 * @n_str strings named by @str_map (remote indices), UTF-8, NUL-terminated, at most
 * 126 bytes each (USB_MAX_STRING_LEN). A missing text is written as "".
 * With @n_str == 0 the blob has str_count = lang_count = 0.
 * Return: blob length, or -ENOSPC.
 */
ssize_t ffs_strings_build(const struct usb_desc_strings *s, const uint8_t *str_map,
			  unsigned n_str, uint8_t *out, size_t outlen);

/** ffs_speed_of() - the ffs_speed of a usb_desc_speed (LOW/FULL -> FS, HIGH -> HS, else SS). */
enum ffs_speed ffs_speed_of(int usb_speed);

#endif
