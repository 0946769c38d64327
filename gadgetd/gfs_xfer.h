/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gfs_xfer.h - endpoint transfers on GadgetFS files without Linux AIO: one
 * worker thread per endpoint doing synchronous read()/write(), completions
 * collected on an eventfd, cancellation by a signal to the worker.
 *
 * Why not AIO (io_submit), which GadgetFS implements (ep_aio(), inode.c:522-572|
 * 536-588): an iocb can never be cancelled or torn down safely.
 *  - io_cancel() holds ctx->ctx_lock while it calls ep_aio_cancel()
 *    (fs/aio.c:2175-2184, 6.12 :2209-2218), which calls usb_ep_dequeue(); UDCs
 *    give the request back inside dequeue (dummy_hcd dummy_dequeue(), dwc2, musb,
 *    dwc3 for requests not started), ep_aio_complete() completes the iocb at once
 *    when no data arrived (inode.c:498-504|511-518), and aio_complete_rw() takes
 *    ctx->ctx_lock again to unlink it (fs/aio.c:1449-1464, 6.12 :1492-1507):
 *    the CPU spins forever with interrupts off. io_destroy() and process exit
 *    cancel every iocb the same way (free_ioctx_users(), fs/aio.c:655-673).
 *  - ep_aio() holds dev->lock across usb_ep_queue() and ep_aio_complete() takes
 *    it (inode.c:543-563 and 490, 6.12 :558-578 and 503): a UDC that completes a
 *    request inside queue() deadlocks the same way; dummy_hcd does so for every
 *    IN request of at most 64 bytes (its emulated FIFO, dummy_hcd.c:749-769).
 * The synchronous path (ep_io(), inode.c:330-373|337-380) takes no lock in its
 * completion, and a signal makes it dequeue the request and return -EINTR.
 * GadgetFS holds the file's mutex for the whole transfer, so one transfer per
 * endpoint file is in progress at a time: requests queue in the worker, in order.
 *
 * All functions are called from one thread (the relay's). The signal
 * SIGRTMIN + 5 is used for the workers; the caller must not use it.
 */
#ifndef GADGETD_GFS_XFER_H
#define GADGETD_GFS_XFER_H

#include <stdbool.h>
#include <stddef.h>

#include "functionfs/ffs_io.h"

struct gfs_xfer;

/**
 * gfs_xfer_start() - the eventfd, the completion ring and the signal handler for
 * @n_ep endpoints and up to @max requests in flight; workers start at their
 * endpoint's first submit. Return: 0 or -errno.
 */
int gfs_xfer_start(struct gfs_xfer **xp, unsigned n_ep, unsigned max);

/**
 * gfs_xfer_stop() - complete what is queued with -ESHUTDOWN, interrupt transfers
 * in progress, join the workers and free @x. Afterwards no buffer of a request is
 * touched. Unreaped completions are dropped. @x may be NULL.
 */
void gfs_xfer_stop(struct gfs_xfer *x);

/**
 * gfs_xfer_set_fd() - the endpoint file of @ep (-1: disabled). Setting -1
 * completes queued requests with -ESHUTDOWN and interrupts one in progress
 * (-ECONNRESET); when it returns no worker uses the old fd, so closing it
 * releases the file at once.
 */
void gfs_xfer_set_fd(struct gfs_xfer *x, unsigned ep, int fd);

/**
 * gfs_xfer_submit() - queue a read of up to @len bytes (@in false: OUT endpoint)
 * or a write of @len bytes (@in true, @len 0: a ZLP) on @ep. @req->busy is set
 * until reaped; @req->iocb holds the buffer, length and direction.
 * Return: 0, -ESHUTDOWN (no fd), -EAGAIN (@max requests in flight), -EINVAL, or
 * -errno from pthread_create().
 */
int gfs_xfer_submit(struct gfs_xfer *x, unsigned ep, bool in, struct ffs_req *req, void *buf,
		    size_t len);

/**
 * gfs_xfer_cancel() - a queued @req completes with -ECONNRESET at once; one in
 * progress is interrupted (the kernel dequeues it; it completes with
 * -ECONNRESET, or with its result if it finished first). Waits until the worker
 * left the transfer (normally well under a millisecond; at most 2 s).
 * Return: 0.
 */
int gfs_xfer_cancel(struct gfs_xfer *x, struct ffs_req *req);

/**
 * gfs_xfer_reap() - up to @max completions, without blocking: @done[i], @res[i]
 * bytes or -errno (-ESHUTDOWN after a reset or disconnect, -ECONNRESET when
 * cancelled). Clears the eventfd first. Return: the number reaped.
 */
int gfs_xfer_reap(struct gfs_xfer *x, struct ffs_req **done, long *res, unsigned max);

/** gfs_xfer_fd() - the eventfd, readable while completions wait. */
int gfs_xfer_fd(const struct gfs_xfer *x);

/** gfs_xfer_kick() - make the eventfd readable again. */
void gfs_xfer_kick(struct gfs_xfer *x);

/**
 * gfs_xfer_exclusive() - run @fn(fd, @arg) on @ep's file while its worker is
 * paused: a synchronous halt or ioctl needs the file's mutex, which a transfer
 * in progress holds. Such a transfer is interrupted and queued again at the
 * head (a multi-packet transfer loses what had moved: ep_io() reports only
 * -EINTR). Return: what @fn returned.
 */
int gfs_xfer_exclusive(struct gfs_xfer *x, unsigned ep, int (*fn)(int fd, void *arg), void *arg);

#endif
