/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ffs_io.h - FunctionFS files: ep0 (descriptors, strings, events, control data
 * stage) and the endpoint files, with asynchronous I/O through libaio and one
 * eventfd for every completion (drivers/usb/gadget/function/f_fs.c:
 * ffs_epfile_read_iter/write_iter, ffs_epfile_async_io_complete; the kernel's
 * tools/usb/ffs-aio-example shows the same calls).
 */
#ifndef GADGETD_FFS_IO_H
#define GADGETD_FFS_IO_H

#include <libaio.h>
#include <linux/usb/functionfs.h>
#include <stdbool.h>
#include <stddef.h>

/* One asynchronous request on an endpoint file; aio_data points back to it. */
struct ffs_req {
	struct iocb iocb;
	void *owner; /* the caller's, e.g. the transfer this request belongs to */
	bool busy;   /* submitted, completion not reaped yet */
};

struct ffs_aio {
	io_context_t ctx;
	int efd;          /* eventfd: readable when completions wait */
	unsigned max;     /* io_setup size */
	unsigned inflight;
};

/**
 * ffs_aio_init() - an AIO context for up to @max requests and its eventfd.
 * Return: 0 or -errno (io_setup's -EAGAIN when aio-max-nr is exhausted).
 */
int ffs_aio_init(struct ffs_aio *a, unsigned max);

/** ffs_aio_destroy() - cancel nothing, just release (io_destroy waits for requests). */
void ffs_aio_destroy(struct ffs_aio *a);

/**
 * ffs_aio_read() / ffs_aio_write() - queue a read (OUT endpoint: data from the host)
 * or a write (IN endpoint: data to the host; @len 0 sends a ZLP) of @len bytes.
 * Return: 0 or -errno from io_submit (-ESHUTDOWN/-EAGAIN while disabled).
 */
int ffs_aio_read(struct ffs_aio *a, struct ffs_req *r, int fd, void *buf, size_t len);
int ffs_aio_write(struct ffs_aio *a, struct ffs_req *r, int fd, const void *buf, size_t len);

/**
 * ffs_aio_reap() - collect up to @max completions without blocking: @done[i] is the
 * request, @res[i] its result (bytes, 0 = ZLP for a read, or -errno such as
 * -ESHUTDOWN when the endpoint was disabled). Clears the eventfd first.
 * Return: number reaped, or -errno.
 */
int ffs_aio_reap(struct ffs_aio *a, struct ffs_req **done, long *res, unsigned max);

/** ffs_aio_kick() - make the eventfd readable again (completions left unreaped). */
void ffs_aio_kick(struct ffs_aio *a);

/** ffs_aio_cancel() - io_cancel @r (its completion is still reaped later). */
int ffs_aio_cancel(struct ffs_aio *a, struct ffs_req *r);

/**
 * ffs_ep0_open() - open DIR/ep0 and write the descriptor and strings blobs.
 * Return: the fd, or -errno (-EINVAL: FunctionFS rejected the descriptors).
 */
int ffs_ep0_open(const char *dir, const void *descs, size_t dlen, const void *strs,
		 size_t slen, bool *descs_rejected);

/**
 * ffs_ep_open() - open DIR/epN (N from 1), O_NONBLOCK: on a disabled endpoint I/O
 * fails with -EAGAIN instead of waiting for the next enable. Return: fd or -errno.
 */
int ffs_ep_open(const char *dir, unsigned n);

/**
 * ffs_ep0_events() - read up to @max events (non-blocking).
 * Return: the number read (0: none pending), or -errno.
 */
int ffs_ep0_events(int ep0, struct usb_functionfs_event *ev, unsigned max);

/**
 * ffs_ep_halt() - stall an endpoint: FunctionFS halts on I/O in the wrong direction
 * (f_fs.c ffs_epfile_io(): usb_ep_set_halt, returns -EBADMSG on success).
 * @in: the endpoint is IN (device to host). Return: 0 or -errno.
 */
int ffs_ep_halt(int fd, bool in);

/** ffs_ep_clear_halt() - FUNCTIONFS_CLEAR_HALT. Return: 0 or -errno. */
int ffs_ep_clear_halt(int fd);

/**
 * ffs_ep_desc() - the endpoint descriptor in force at the current link speed
 * (FUNCTIONFS_ENDPOINT_DESC; it carries the address the UDC assigned).
 * @addr: bEndpointAddress the host sees; @mps: wMaxPacketSize & 0x7ff in bytes.
 * Return: 0 or -errno.
 */
int ffs_ep_desc(int fd, unsigned *addr, unsigned *mps);

#endif
