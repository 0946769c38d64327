// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend_aio.c - the asynchronous endpoint I/O that FunctionFS and GadgetFS
 * share: Linux native AIO (io_submit) on the endpoint files, one eventfd for
 * every completion. See backend.h.
 */
#include <errno.h>

#include "gadgetd/backend.h"

int gb_aio_init(struct gadget_backend *b, unsigned max)
{
	return ffs_aio_init(&b->aio, max);
}

void gb_aio_destroy(struct gadget_backend *b)
{
	if (b->aio.ctx)
		ffs_aio_destroy(&b->aio);
}

int gb_aio_submit(struct gadget_backend *b, unsigned inst, unsigned ep, struct ffs_req *req,
		  void *buf, size_t len)
{
	int fd = b->ops->ep_fd(b, inst, ep);

	if (fd < 0)
		return -ESHUTDOWN;
	if (b->inst[inst].map->ep[ep].remote_addr & 0x80)
		return ffs_aio_write(&b->aio, req, fd, buf, len);
	return ffs_aio_read(&b->aio, req, fd, buf, len);
}

int gb_aio_cancel(struct gadget_backend *b, struct ffs_req *req)
{
	return ffs_aio_cancel(&b->aio, req);
}

int gb_aio_reap(struct gadget_backend *b, struct ffs_req **done, long *res, unsigned max)
{
	return ffs_aio_reap(&b->aio, done, res, max);
}

int gb_aio_completion_fd(struct gadget_backend *b)
{
	return b->aio.efd;
}

void gb_aio_kick(struct gadget_backend *b)
{
	ffs_aio_kick(&b->aio);
}
