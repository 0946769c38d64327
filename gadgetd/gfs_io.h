/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gfs_io.h - the GadgetFS files (gadgetfs.ko, drivers/usb/gadget/legacy/inode.c):
 * mounting, the ep0 file (the configuration write, events, control replies) and
 * the endpoint files. Raw kernel-file operations with no state of their own; the
 * state machine on top is backend_gfs.c.
 *
 * Line references "inode.c:A|B" are Linux 6.1.192 | 6.12.117 (Debian), as in
 * the research memo gadgetfs.md. Every function returns 0 (or a count) or a
 * negative errno; nothing here logs.
 */
#ifndef GADGETD_GFS_IO_H
#define GADGETD_GFS_IO_H

#include <linux/usb/gadgetfs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gadgetd/backend_gfs.h"

#define GFS_EP0_MAX 256     /* RBUF_SIZE (inode.c:113|120): the largest control data stage */
#define GFS_DRIVER_FUNCTION "USB Gadget filesystem" /* gadgetfs_driver.function (driver_desc) */

/**
 * gfs_blob_check() - check the ep0 configuration write the way dev_config() will
 * (inode.c:1791-1902|1821-1932), and a little more: u32 tag 0 (host order), a
 * full-speed configuration, an optional high-speed one (byte [1] == 2), then
 * exactly an 18-byte device descriptor with bNumConfigurations 1. Each
 * configuration must have bmAttributes bit 7 set and the remote-wakeup bit 0x20
 * clear (is_valid_config(), inode.c:1778-1789|1808-1819), @cfg_value as its
 * bConfigurationValue, and wTotalLength <= GFS_EP0_MAX: GadgetFS clamps every IN
 * data stage to 256 bytes without a terminating short packet (inode.c:1339-1349),
 * so a longer configuration cannot be read by the host.
 * @has_hs: set when a high-speed configuration is present (may be NULL).
 * @err: a sentence saying what is wrong.
 * Return: 0, -EINVAL (malformed) or -EMSGSIZE (over 256 bytes or over 4 pages).
 */
int gfs_blob_check(const uint8_t *blob, size_t len, uint8_t cfg_value, bool *has_hs, char *err,
		   size_t errlen);

/**
 * gfs_udc_state() - what /sys/class/udc/@udc says: @gadget receives
 * USB_UDC_NAME from its uevent (gadget->name, which names the GadgetFS ep0 file;
 * udc/core.c usb_udc_uevent()), @function the bound driver's function ("" when
 * the UDC is free; GFS_DRIVER_FUNCTION once GadgetFS bound it). Either may be NULL.
 * Return: 0 or -errno (-ENOENT: no such UDC).
 */
int gfs_udc_state(const char *udc, char *gadget, size_t gadgetlen, char *function,
		  size_t functionlen);

/**
 * gfs_udc_disconnect() - "disconnect" into /sys/class/udc/@udc/soft_connect
 * (udc/core.c soft_connect_store(): usb_gadget_disconnect(), then
 * usb_gadget_udc_stop()): the UDC drops the link and gives back every request
 * still queued, while the gadget driver is still bound.
 * Return: 0 or -errno (-EOPNOTSUPP: no gadget driver bound).
 */
int gfs_udc_disconnect(const char *udc);

/**
 * gfs_mount() - mount GadgetFS at @dir (created, with its parent, mode 0755), or
 * reuse it when GadgetFS is already mounted there (@reused). GadgetFS has one
 * superblock system-wide (get_tree_single(), inode.c:2074-2077|2102-2105) and
 * chooses its UDC at the first mount: the first UDC without a driver
 * (inode.c:2019|2047). Mount options are not parsed.
 * @err: a sentence on failure (gadgetfs.ko not loaded, no free UDC, ...).
 * Return: 0, -ENODEV (no free UDC, or no "gadgetfs" in /proc/filesystems), or
 * another -errno from mkdir/mount.
 */
int gfs_mount(const char *dir, bool *reused, char *err, size_t errlen);

/**
 * gfs_find_ep0() - the ep0 file of a GadgetFS mount: the file named after the
 * UDC's gadget name @gadget (gfs_udc_state()); with @gadget "" the only file of
 * a fresh mount. @udc names the UDC in @err only.
 * Return: 0 (@ep0name filled), -ENODEV (GadgetFS serves another UDC), or -errno.
 */
int gfs_find_ep0(const char *dir, const char *gadget, const char *udc, char *ep0name, size_t n,
		 char *err, size_t errlen);

/**
 * gfs_ep_files() - after the configuration write: check that GadgetFS bound
 * @udc (its function attribute says GFS_DRIVER_FUNCTION; @udc "" skips this) and
 * list the endpoint files (every file but @ep0name) into @files.
 * Return: the number of endpoint files, or -ENODEV with @err saying what is wrong.
 */
int gfs_ep_files(const char *dir, const char *udc, const char *ep0name,
		 char (*files)[GFS_NAME_MAX], unsigned max, char *err, size_t errlen);

/**
 * gfs_umount() - unmount @dir (lazily when busy: a file is still open) and
 * remove the directory. Errors are ignored.
 */
void gfs_umount(const char *dir);

/**
 * gfs_list() - the names of the files in the GadgetFS directory @dir, in
 * directory order, at most @max of them.
 * Return: the number of names, or -errno.
 */
int gfs_list(const char *dir, char (*names)[GFS_NAME_MAX], unsigned max);

/**
 * gfs_ep0_open() - open @path (the ep0 file: only one open at a time,
 * gadget_dev_open() inode.c:1904-1920|1934-1950) and write the configuration
 * blob in one write(). The write binds GadgetFS to a UDC
 * (usb_gadget_register_driver(), inode.c:1874|1904), but it also succeeds when no
 * UDC could be bound (gadgetfs.md 1.2): check the endpoint files afterwards.
 * The fd is left blocking; the caller sets O_NONBLOCK for event reads.
 * @rejected: set when the write (not the open) failed.
 * Return: the fd, or -errno (-EBUSY: ep0 is open elsewhere; -EINVAL: the blob
 * was refused).
 */
int gfs_ep0_open(const char *path, const void *blob, size_t len, bool *rejected);

/**
 * gfs_ep0_events() - read up to @max queued events from non-blocking @ep0.
 * The kernel returns events up to and including the first SETUP and the fd is
 * then in SETUP state until that request is answered (inode.c:1004-1047|1019-1062).
 * The first read also turns on delegation of control requests to userspace
 * (usermode_setup, inode.c:1009|1024).
 * Return: the number read (0: none), -EIDRM (a SETUP being answered was
 * superseded or the bus disconnected: the flag is now consumed), or -errno.
 */
int gfs_ep0_events(int ep0, struct usb_gadgetfs_event *ev, unsigned max);

/**
 * gfs_ep0_ack() - complete the status stage of the current OUT request without
 * data (SET_CONFIGURATION, SET_INTERFACE, class no-data requests): read(ep0,
 * NULL, 0) (inode.c:937-961|952-976).
 * Return: 0, -EIDRM (superseded), or -errno.
 */
int gfs_ep0_ack(int ep0);

/**
 * gfs_ep0_in() - the data stage of the current IN request: write(ep0, data, len).
 * The kernel truncates @len to wLength and adds a ZLP when shorter
 * (inode.c:1134-1157|1149-1172); it returns once queued.
 * Return: bytes queued, -EIDRM, or -errno.
 */
ssize_t gfs_ep0_in(int ep0, const void *data, size_t len);

/**
 * gfs_ep0_stall() - stall the current request by an I/O call in the wrong
 * direction (inode.c:931-935|946-950 for IN, 1160-1165|1175-1180 for OUT without
 * data). @in: bRequestType bit 7. An OUT request with a data stage cannot be
 * stalled (inode.c:1506-1507|1521-1522): -ESRCH.
 * Return: 0 (stalled), -EIDRM, -ESRCH, or -errno.
 */
int gfs_ep0_stall(int ep0, bool in);

/**
 * gfs_ep0_out_data() - read the OUT data stage of the current request from
 * non-blocking @ep0, waiting up to @timeout_ms for it (the kernel queued the
 * request at SETUP time, inode.c:1489-1508|1504-1523; poll() reports nothing for
 * it, inode.c:1215-1245|1230-1260). At most @len bytes; the rest is dropped.
 * Return: bytes read, -ETIMEDOUT (still in SETUP state), -EIO (the transfer
 * failed), -ECANCELED (superseded), -EIDRM, or -errno.
 */
ssize_t gfs_ep0_out_data(int ep0, void *buf, size_t len, int timeout_ms);

/**
 * gfs_ep0_refuse() - after -EIDRM the fd may be in SETUP state for a newer
 * request whose event cannot be read first (every ep0 read or write acts on it,
 * inode.c:908-1076|923-1091). Answer that unknown request negatively without
 * knowing it: a 1-byte read stalls an IN request, consumes OUT data, or fails
 * -EAGAIN for an OUT request without data, which a 0-byte write then stalls;
 * SET_CONFIGURATION (not stallable) is acknowledged. Outside SETUP state the read
 * fails -EINVAL and nothing is done.
 * Return: 1 when a request was answered (its SETUP event is still queued and
 * will be read next), 0 when there was none, or -errno.
 */
int gfs_ep0_refuse(int ep0);

/**
 * gfs_ep_file_fits() - can endpoint file @name carry bEndpointAddress @addr of
 * transfer type @type (USB_ENDPOINT_XFER_*)? Names are "ep<N><in|out>[-<bulk|int|
 * iso>]" (dummy_hcd, dwc2, dwc3, musb), "ep<N>" (musb shared FIFO, either
 * direction) or dummy_hcd's generic "ep-a<out>", "ep-b<in>", ... On real UDCs N
 * must be the address's number: the hardware routes the host's tokens by its own
 * endpoint number, and musb refuses another (musb_gadget.c:941); the
 * configuration blob keeps the device's numbers, so nothing is renumbered.
 * @any_number: the UDC routes by the descriptor's address instead (dummy_hcd:
 * find_endpoint(), dummy_hcd.c:1606-1626), so a file of another number, or a
 * generic one, of the right direction and type will do.
 * Return: 4 exact number and direction, 3 exact number (no direction in the
 * name), 2 a generic file, 1 another number (both only with @any_number), 0 none.
 */
int gfs_ep_file_fits(const char *name, uint8_t addr, uint8_t type, bool any_number);

/**
 * gfs_ep_pick() - the file of every endpoint: for eps[i], @file_of[i] receives
 * the index in @files of the best free file (gfs_ep_file_fits()); files of the
 * exact number are given out first. The alternate settings of one interface
 * share the file of an address; endpoints that can be enabled together may not.
 * @any_number: as for gfs_ep_file_fits().
 * @err: which endpoint has no file (and the files that exist), or which two
 * would share one.
 * Return: 0, -ENOENT (no file) or -EBUSY (a file for two endpoints at once).
 */
int gfs_ep_pick(const char (*files)[GFS_NAME_MAX], unsigned n_files,
		const struct gfs_ep_spec *eps, unsigned n_ep, bool any_number, int *file_of,
		char *err, size_t errlen);

/**
 * gfs_ep_open() - open endpoint file @dir/@name (O_RDWR | O_CLOEXEC, blocking:
 * O_NONBLOCK does not make GadgetFS endpoint I/O non-blocking, get_ready_ep()
 * inode.c:290-328|297-335) and write its configuration @cfg (u32 tag 1, FS
 * descriptor, optional HS descriptor: ep_config() inode.c:721-811|736-826); the
 * kernel enables the endpoint with the descriptor of the current link speed.
 * An endpoint file can be open once (ep_open() inode.c:813-836|828-851): until
 * the previous file is released (ep_release(), when its last reference goes:
 * a thread still in a transfer on it, an iocb in flight, a deferred fput),
 * open() fails -EBUSY, so it is retried for up to @busy_ms milliseconds.
 * @busy_tries: set to the number of opens that failed -EBUSY, about 1 ms apart
 * (may be NULL).
 * Return: the fd, or -errno (-EBUSY, -EINVAL: descriptor refused or link speed
 * unknown, -ENODEV/-ENOENT: unbound).
 */
int gfs_ep_open(const char *dir, const char *name, const void *cfg, size_t len, int busy_ms,
		unsigned *busy_tries);

/**
 * gfs_ep_clear_halt() - GADGETFS_CLEAR_HALT: usb_ep_clear_halt(), which clears
 * the halt and resets the data toggle (ep_ioctl(), inode.c:397-425|404-432).
 * Return: 0 or -errno.
 */
int gfs_ep_clear_halt(int fd);

#endif
