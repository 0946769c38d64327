/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend_gfs.h - the GadgetFS implementation of struct gadget_backend_ops
 * (backend.h) on gadgetfs.ko (drivers/usb/gadget/legacy/inode.c).
 *
 * One instance (b->inst[0]) presents one configuration, given as the ep0
 * configuration write (gfs_io.h gfs_blob_check()): the kernel answers
 * GET_DESCRIPTOR(DEVICE, CONFIG, OTHER_SPEED, QUALIFIER) from it byte for byte,
 * so class-specific descriptors and alternate settings reach the host unchanged.
 * Endpoints keep the device's addresses: endpoint i of the instance is the
 * GadgetFS file whose number and direction are those of eps[i].addr, and
 * remote_windex() returns wIndex as it is.
 *
 * Events (ops->events), from the GadgetFS events (include/uapi/linux/usb/gadgetfs.h):
 *   CONNECT (first SETUP after a bind or a reset)  GB_EV_BIND the first time, else
 *                                       nothing; the link speed is remembered for
 *                                       ep_desc() and the endpoint configuration
 *   DISCONNECT (= bus reset or disconnect) GB_EV_DISABLE if configured
 *   SUSPEND                             GB_EV_SUSPEND; the next SETUP after it is
 *                                       preceded by GB_EV_RESUME (GadgetFS has no
 *                                       resume event)
 *   SETUP SET_CONFIGURATION             acknowledged here (the kernel accepted it and
 *                                       userspace may not stall it, inode.c:1442-1457|
 *                                       1457-1472), then GB_EV_ENABLE (value != 0, after
 *                                       a GB_EV_DISABLE if already configured) or
 *                                       GB_EV_DISABLE (value 0, if configured)
 *   any other SETUP                     GB_EV_SETUP; answered with ep0_reply,
 *                                       ep0_read or ep0_stall before events() reads on
 *
 * Endpoints are enabled by the caller (ep_enable) after GB_EV_ENABLE or while
 * handling SET_INTERFACE: GadgetFS never enables or disables them itself
 * (inode.c:1422|1437). The endpoint files need root (default_perm 0600,
 * inode.c:1947-1953|1976-1982) unless gadgetfs.ko was loaded with default_uid/gid.
 *
 * Transfers (ops->submit, cancel, reap, ...) do not use Linux AIO, although
 * GadgetFS implements it: cancelling a GadgetFS iocb, or tearing down an AIO
 * context with one in flight, deadlocks the kernel (gfs_xfer.h says why). They
 * run as synchronous I/O in one worker thread per endpoint (gfs_xfer.c), set up
 * by ops->start_io in the relay's process and joined by ops->stop_io; b->aio is
 * not used.
 */
#ifndef GADGETD_BACKEND_GFS_H
#define GADGETD_BACKEND_GFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/backend.h"

#define GFS_MOUNT_DIR "/run/gadgetd/gadgetfs" /* RUN_DIR "/gadgetfs" */
#define GFS_MAX_FILES 48    /* endpoint files: dummy_hcd has 24, dwc3 up to 31 */
#define GFS_NAME_MAX 32     /* ep->name fits in ep_data.name[16]; ep0 is gadget->name */
#define GFS_EP_BUSY_MS 500 /* ep_enable() waits this long for a closed file's release */

/* One endpoint descriptor of the configuration, in every alternate setting. */
struct gfs_ep_spec {
	uint8_t addr;  /* bEndpointAddress, the device's own */
	uint8_t type;  /* USB_ENDPOINT_XFER_BULK, _INT or _ISOC */
	uint8_t intf;  /* bInterfaceNumber */
	uint8_t alt;   /* bAlternateSetting */
	/* the endpoint file's configuration write: u32 tag 1 (host byte order), then
	 * the 7-byte FS descriptor and optionally the 7-byte HS one (little-endian
	 * fields; audio's 9-byte form is refused by ep_config(), inode.c:746-748) */
	uint8_t cfg[4 + 7 + 7];
	size_t cfg_len; /* 11 (FS only) or 18 */
};

/*
 * Opens endpoint file @name of the GadgetFS mount and writes its configuration
 * @cfg (as gfs_ep_open() does): in the root process when the relay has none
 * of root's rights (privsep.h). Return: the fd or -errno; @tries: -EBUSY opens.
 */
typedef int (*gfs_ep_opener)(void *ctx, const char *name, const void *cfg, size_t len,
			     int busy_ms, unsigned *tries);

/* What the root half of backend_gfs_open() made: the mount, ep0 and the files. */
struct gfs_root {
	char udc[64];                /* "" when the caller named none */
	char ep0name[GFS_NAME_MAX];
	int ep0;                     /* -1 when not open */
	bool unmount;                /* we mounted it, or we opened its ep0 */
	unsigned n_files;
	char files[GFS_MAX_FILES][GFS_NAME_MAX]; /* endpoint files, ep0 excluded */
};

/**
 * gfs_root_open() - the half of backend_gfs_open() that needs root: check
 * @config (gfs_blob_check() with @bConfigurationValue) and that @udc is free,
 * mount GadgetFS at GFS_MOUNT_DIR, write @config to the UDC's ep0 file (the
 * UDC is bound and the device visible from then on) and list the endpoint
 * files. @err: a sentence on failure.
 * Return: 0 with @gr filled, or -errno as backend_gfs_open(); undone on failure.
 */
int gfs_root_open(struct gfs_root *gr, const char *udc, const uint8_t *config, size_t len,
		  uint8_t bConfigurationValue, char *err, size_t errlen);

/**
 * gfs_root_close() - undo gfs_root_open(): disconnect the UDC (soft_connect)
 * while GadgetFS still drives it, close ep0 (the host sees a disconnect) and
 * unmount. Every other holder of ep0 and of the endpoint files must have
 * closed them (the relay process exited). Safe on a zeroed @gr with ep0 -1.
 */
void gfs_root_close(struct gfs_root *gr);

/**
 * backend_gfs_attach() - @b as a GadgetFS backend over an ep0 opened by
 * gfs_root_open(), here or in the root process: @ep0 is its descriptor (taken
 * over: closed by backend_gfs_close()), @gr names the UDC, the ep0 file and
 * the endpoint files; @config, @map, @eps, @n_ep, @bConfigurationValue as for
 * backend_gfs_open(). Endpoint files are opened through @open_ep (NULL:
 * directly). Picks every endpoint's file and reads ep0 once (delegation).
 * Return: 0, or -errno with @err (-EINVAL: @config or @eps unusable, -ENOENT:
 * an endpoint has no file); on failure @ep0 is closed.
 */
int backend_gfs_attach(struct gadget_backend *b, const struct gfs_root *gr, int ep0,
		       const uint8_t *config, size_t len, const struct ffs_map *map,
		       const struct gfs_ep_spec *eps, unsigned n_ep, uint8_t bConfigurationValue,
		       gfs_ep_opener open_ep, void *ctx, char *err, size_t errlen);

/**
 * backend_gfs_open() - present a configuration through GadgetFS.
 * @b: filled in: ops, priv, n_inst = 1, inst[0].map = @map and
 *     inst[0].bConfigurationValue = @bConfigurationValue.
 * @udc: the UDC (a /sys/class/udc name such as dummy_udc.0, 20980000.usb), which
 *       must be free; NULL: whichever UDC GadgetFS takes (the first free one).
 * @config, @len: the ep0 configuration write: u32 tag 0, FS configuration,
 *       optional HS configuration, 18-byte device descriptor (gfs_blob_check()).
 * @map: the relay's view; map->ep[i] is eps[i] (same bEndpointAddress).
 * @eps, @n_ep: every endpoint descriptor of the configuration, all alt settings.
 *
 * Mounts GadgetFS at GFS_MOUNT_DIR (or reuses it when already mounted there),
 * finds the ep0 file (named after the UDC's gadget name: dummy_udc, musb-hdrc,
 * 20980000.usb, dwc3-gadget, ...), writes @config, which binds the UDC and makes
 * the device visible, checks that GadgetFS really bound @udc and created the
 * endpoint files, picks the file of every endpoint (same number and direction:
 * ep1in-bulk, ep1in, ep1, ...) and reads ep0 once, which turns on delegation of
 * control requests (inode.c:1009|1024): from then on strings, class and vendor
 * requests wait for events().
 * @err: on failure, a sentence (which UDC, which endpoint and what files exist).
 * Return: 0, or -errno (-ENODEV: no free UDC or gadgetfs.ko missing; -EBUSY:
 * UDC or ep0 in use; -EINVAL/-EMSGSIZE: @config or @eps unusable; -ENOENT: an
 * endpoint has no file). On failure everything is undone.
 */
int backend_gfs_open(struct gadget_backend *b, const char *udc, const uint8_t *config, size_t len,
		     const struct ffs_map *map, const struct gfs_ep_spec *eps, unsigned n_ep,
		     uint8_t bConfigurationValue, char *err, size_t errlen);

/**
 * backend_gfs_close() - close the endpoint files and ep0 (GadgetFS unbinds: the
 * host sees a disconnect, dev_release() inode.c:1186-1213|1201-1228), unmount and
 * remove the mount point. Safe on a half-opened or closed backend. Transfers
 * still in flight are interrupted first (as ops->stop_io).
 */
void backend_gfs_close(struct gadget_backend *b);

/**
 * backend_gfs_ep_spec() - fill @s from one endpoint's FS descriptor @fs and
 * optional HS descriptor @hs (7 bytes each as in the configuration; NULL: FS
 * only), with its interface number @intf and alternate setting @alt.
 * Return: 0, or -EINVAL when a descriptor is not a 7-byte endpoint descriptor
 * or the two disagree on address or type.
 */
int backend_gfs_ep_spec(struct gfs_ep_spec *s, const uint8_t *fs, const uint8_t *hs, uint8_t intf,
			uint8_t alt);

#endif
