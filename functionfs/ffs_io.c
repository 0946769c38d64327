// SPDX-License-Identifier: GPL-2.0-or-later
/* ffs_io.c - see ffs_io.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/ch9.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "functionfs/ffs_io.h"

int ffs_aio_init(struct ffs_aio *a, unsigned max)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->efd < 0)
		return -errno;
	r = io_setup((int)max, &a->ctx);
	if (r < 0) {
		close(a->efd);
		a->efd = -1;
		return r;
	}
	a->max = max;
	return 0;
}

void ffs_aio_destroy(struct ffs_aio *a)
{
	if (a->ctx)
		io_destroy(a->ctx);
	if (a->efd >= 0)
		close(a->efd);
	a->ctx = 0;
	a->efd = -1;
}

static int submit(struct ffs_aio *a, struct ffs_req *r)
{
	struct iocb *cb = &r->iocb;
	int n;

	io_set_eventfd(cb, a->efd);
	cb->data = r;
	n = io_submit(a->ctx, 1, &cb);
	if (n != 1)
		return n < 0 ? n : -EAGAIN;
	r->busy = true;
	a->inflight++;
	return 0;
}

int ffs_aio_read(struct ffs_aio *a, struct ffs_req *r, int fd, void *buf, size_t len)
{
	io_prep_pread(&r->iocb, fd, buf, len, 0);
	return submit(a, r);
}

int ffs_aio_write(struct ffs_aio *a, struct ffs_req *r, int fd, const void *buf, size_t len)
{
	io_prep_pwrite(&r->iocb, fd, (void *)buf, len, 0);
	return submit(a, r);
}

int ffs_aio_reap(struct ffs_aio *a, struct ffs_req **done, long *res, unsigned max)
{
	struct io_event ev[64];
	struct timespec zero = { 0, 0 };
	uint64_t cnt;
	int n, i;

	if (read(a->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return -errno;
	if (max > 64)
		max = 64;
	n = io_getevents(a->ctx, 0, (long)max, ev, &zero);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		done[i] = ev[i].data;
		res[i] = (long)ev[i].res;
		done[i]->busy = false;
		a->inflight--;
	}
	return n;
}

void ffs_aio_kick(struct ffs_aio *a)
{
	uint64_t one = 1;

	if (write(a->efd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow here; nothing else can go wrong */
	}
}

int ffs_aio_cancel(struct ffs_aio *a, struct ffs_req *r)
{
	struct io_event ev;

	if (!r->busy)
		return 0;
	return io_cancel(a->ctx, &r->iocb, &ev);
}

int ffs_ep0_open(const char *dir, const void *descs, size_t dlen, const void *strs,
		 size_t slen, bool *descs_rejected)
{
	char p[512];
	int fd, r;

	*descs_rejected = false;
	snprintf(p, sizeof(p), "%s/ep0", dir);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, descs, dlen) != (ssize_t)dlen) {
		r = -errno;
		*descs_rejected = true;
		close(fd);
		return r ? r : -EIO;
	}
	if (write(fd, strs, slen) != (ssize_t)slen) {
		r = -errno;
		close(fd);
		return r ? r : -EIO;
	}
	/* events are read when epoll says so; never block the loop on ep0 */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int ffs_ep_open(const char *dir, unsigned n)
{
	char p[512];
	int fd;

	/* O_NONBLOCK: I/O, halts and FUNCTIONFS_ENDPOINT_DESC on a disabled endpoint
	 * would otherwise wait for it to be enabled again (f_fs.c ffs_epfile_wait_ep()),
	 * and the relay's only thread with them */
	snprintf(p, sizeof(p), "%s/ep%u", dir, n);
	fd = open(p, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int ffs_ep0_events(int ep0, struct usb_functionfs_event *ev, unsigned max)
{
	ssize_t n = read(ep0, ev, max * sizeof(*ev));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return (int)((size_t)n / sizeof(*ev));
}

int ffs_ep_halt(int fd, bool in)
{
	uint8_t b;
	ssize_t n;

	n = in ? read(fd, &b, 0) : write(fd, &b, 0);
	if (n < 0 && errno == EBADMSG)
		return 0;
	return n < 0 ? -errno : -EIO;
}

int ffs_ep_clear_halt(int fd)
{
	return ioctl(fd, FUNCTIONFS_CLEAR_HALT) < 0 ? -errno : 0;
}

int ffs_ep_desc(int fd, unsigned *addr, unsigned *mps)
{
	struct usb_endpoint_descriptor d;

	if (ioctl(fd, FUNCTIONFS_ENDPOINT_DESC, &d) < 0)
		return -errno;
	*addr = d.bEndpointAddress;
	*mps = __le16_to_cpu(d.wMaxPacketSize) & 0x7ff;
	return 0;
}
