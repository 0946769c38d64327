// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend_gfs.c - struct gadget_backend_ops on GadgetFS; see backend_gfs.h.
 * The raw file operations are in gfs_io.c. Line references "inode.c:A|B" are
 * drivers/usb/gadget/legacy/inode.c in Linux 6.1.192 | 6.12.117.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gadgetd/backend_gfs.h"
#include "gadgetd/backend_gfs_int.h"
#include "gadgetd/gfs_io.h"
#include "gadgetd/gfs_xfer.h"
#include "gadgetd/log.h"

/* The OUT data stage: a host sends it right after its SETUP; waited for on the
 * relay's thread, so bounded as every ep0 stage is (backend.h) */
#define GFS_OUT_DATA_MS EP0_HOST_MS



static unsigned le16(const uint8_t *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

/* ---- events ---- */

static void push(struct gfs *g, enum gb_event_type t, const struct usb_ctrlrequest *s)
{
	struct gb_event *e;

	if (g->q_len == GFS_EVQ)
		return; /* cannot happen: the queue is refilled only when empty */
	e = &g->q[(g->q_head + g->q_len++) % GFS_EVQ];
	memset(e, 0, sizeof(*e));
	e->type = t;
	if (s)
		e->setup = *s;
}

/*
 * After -EIDRM (inode.c:922-926, 1127-1129|937-941, 1142-1144): the request being
 * answered was superseded by a newer SETUP, or the bus disconnected. After a
 * disconnect the events are readable (EPOLLIN). After a newer SETUP the fd is in
 * SETUP state for that request, whose event cannot be read before it is
 * answered: refuse it blind (gfs_ep0_refuse()); its event is then dropped when
 * it is read (g->stale). poll() itself consumes a pending abort as EPOLLHUP
 * (inode.c:1229-1233|1244-1248), hence the loop.
 */
static void resync(struct gfs *g)
{
	struct pollfd pfd = { .fd = g->ep0, .events = POLLIN | POLLOUT };
	int i, r;

	for (i = 0; i < 4; i++) {
		if (poll(&pfd, 1, 0) < 0)
			return;
		if (pfd.revents & POLLHUP)
			continue;
		if (pfd.revents & POLLIN)
			return; /* not in SETUP state: events wait */
		r = gfs_ep0_refuse(g->ep0);
		if (r > 0) {
			g->stale = true;
			log_debug("gadgetfs: a control request superseded the one being answered; "
				  "it was refused");
		}
		return;
	}
}

/* GadgetFS no longer drives the UDC (it went away, or was unbound). */
bool gfs_unbound(const struct gfs *g)
{
	char fn[128] = "";

	return g->udc[0] && (gfs_udc_state(g->udc, NULL, 0, fn, sizeof(fn)) ||
			     strcmp(fn, GFS_DRIVER_FUNCTION));
}

static void on_setup(struct gfs *g, const struct usb_ctrlrequest *s)
{
	bool in = s->bRequestType & USB_DIR_IN, stale = g->stale;
	int r = 0;

	if (g->suspended) {
		g->suspended = false;
		push(g, GB_EV_RESUME, NULL);
	}
	g->stale = false;
	if (stale && gfs_ep0_stall(g->ep0, in) == -ESRCH)
		gfs_ep0_ack(g->ep0); /* answered already: leave SETUP state, drop it */
	if (s->bRequestType == 0 && s->bRequest == USB_REQ_SET_CONFIGURATION) {
		/* the kernel checked the value and set the state (inode.c:1415-1459|
		 * 1430-1474); userspace may not stall it, only acknowledge it */
		if (!stale)
			r = gfs_ep0_ack(g->ep0);
		if (g->configured)
			push(g, GB_EV_DISABLE, NULL);
		g->configured = (le16toh(s->wValue) & 0xff) != 0;
		if (g->configured)
			push(g, GB_EV_ENABLE, NULL);
		if (r == -EIDRM)
			resync(g);
		else if (r)
			log_debug("gadgetfs: SET_CONFIGURATION status stage: %s", strerror(-r));
	} else if (!stale) {
		/* An OUT data stage is taken at once when it is there: the UDC completed
		 * the host's transfer already, and the host's next SETUP would make the
		 * read fail EIDRM and the data lost (inode.c:922-926|937-941) */
		g->out_len = -1;
		r = !in && s->wLength ? (int)gfs_ep0_out_data(g->ep0, g->out, sizeof(g->out), 0) : 0;
		if (r == -EIDRM || (r < 0 && r != -ETIMEDOUT)) {
			log_debug("gadgetfs: the data stage of request %02x %02x: %s", s->bRequestType,
				  s->bRequest, strerror(-r));
			if (r == -EIDRM)
				resync(g); /* superseded already: only the newer one matters */
			return;
		}
		if (!in && s->wLength && r >= 0)
			g->out_len = r;
		g->pending = true;
		g->setup = *s;
		push(g, GB_EV_SETUP, s);
	}
}

static void translate(struct gfs *g, const struct usb_gadgetfs_event *e)
{
	switch (e->type) {
	case GADGETFS_CONNECT: /* at the first SETUP after bind or reset (inode.c:1353-1367) */
		g->speed = e->u.speed;
		if (!g->bound) {
			g->bound = true;
			push(g, GB_EV_BIND, NULL);
		}
		break;
	case GADGETFS_DISCONNECT: /* .reset and .disconnect (inode.c:1742-1743|1772-1773) */
		g->speed = USB_SPEED_UNKNOWN;
		g->suspended = false;
		if (g->configured) {
			g->configured = false;
			push(g, GB_EV_DISABLE, NULL);
		}
		if (gfs_unbound(g))
			push(g, GB_EV_UNBIND, NULL);
		break;
	case GADGETFS_SUSPEND:
		if (!g->suspended) {
			g->suspended = true;
			push(g, GB_EV_SUSPEND, NULL);
		}
		break;
	case GADGETFS_SETUP:
		on_setup(g, &e->u.setup);
		break;
	default: /* NOP is never sent (inode.c:1109-1110) */
		break;
	}
}

/* An OUT data stage that timed out in ep0_read(): take it once it is there. */
static bool drained(struct gfs *g)
{
	uint8_t b[GFS_EP0_MAX];
	ssize_t n = gfs_ep0_out_data(g->ep0, b, sizeof(b), 0);

	if (n == -ETIMEDOUT)
		return false;
	g->drain = false;
	if (n == -EIDRM)
		resync(g);
	return true;
}

/**
 * gfs_events() - ops->events: translate GadgetFS events (backend_gfs.h).
 * Reads only while no SETUP is waiting for its answer: in SETUP state every ep0
 * read acts on the request (inode.c:927-1001|942-1016).
 * Return: the number of events, or -errno from read().
 */
static int gfs_events(struct gadget_backend *b, unsigned inst, struct gb_event *ev, unsigned max)
{
	struct gfs *g = b->priv;
	struct usb_gadgetfs_event raw[GFS_RAW];
	unsigned n = 0;
	int r, i;

	while (n < max) {
		if (g->q_len) {
			ev[n] = g->q[g->q_head];
			g->q_head = (g->q_head + 1) % GFS_EVQ;
			g->q_len--;
			if (ev[n++].type == GB_EV_SETUP)
				break;
			continue;
		}
		if (g->pending || (g->drain && !drained(g)))
			break;
		if (g->n_raw) {
			r = (int)g->n_raw;
			memcpy(raw, g->raw, sizeof(raw));
			g->n_raw = 0;
		} else {
			r = gfs_ep0_events(g->ep0, raw, GFS_RAW);
		}
		if (r == -EIDRM) {
			resync(g);
			continue;
		}
		if (r <= 0) {
			if (r < 0 && r != -EINTR && !n)
				return r;
			break;
		}
		for (i = 0; i < r; i++)
			translate(g, &raw[i]);
	}
	return (int)n;
}

/* ---- ep0 ---- */

static int gfs_ep0_fd(struct gadget_backend *b, unsigned inst)
{
	return ((struct gfs *)b->priv)->ep0;
}

/* Take the OUT data stage of the current request (it cannot be stalled). */
static ssize_t take_out_data(struct gfs *g, void *buf, size_t len)
{
	ssize_t n = g->out_len;

	if (n >= 0) {
		n = (size_t)n < len ? n : (ssize_t)len;
		memcpy(buf, g->out, (size_t)n);
		g->out_len = -1;
		return n;
	}
	n = gfs_ep0_out_data(g->ep0, buf, len, GFS_OUT_DATA_MS);
	if (n == -ETIMEDOUT)
		g->drain = true;
	return n;
}

/**
 * gfs_ep0_reply() - ops->ep0_reply: IN: write(ep0, data, len), which the kernel
 * cuts to wLength (at most 256) with a ZLP when shorter (inode.c:1134-1157|
 * 1149-1172); OUT without data: the status stage, read(ep0, NULL, 0)
 * (inode.c:937-961|952-976). For OUT with data the UDC completed the status stage
 * when ep0_read() took the data: nothing to do (the data is taken if it was not).
 * Return: 0, -EIDRM (superseded or disconnected), or -errno.
 */
static int gfs_ep0_reply(struct gadget_backend *b, unsigned inst,
			 const struct usb_ctrlrequest *setup, const void *data, size_t len)
{
	struct gfs *g = b->priv;
	uint8_t scratch[GFS_EP0_MAX];
	ssize_t n;
	int r;

	if (!g->pending)
		return 0;
	g->pending = false;
	if (g->setup.bRequestType & USB_DIR_IN) {
		n = gfs_ep0_in(g->ep0, data, len);
		r = n < 0 ? (int)n : 0;
	} else if (g->setup.wLength) {
		n = take_out_data(g, scratch, sizeof(scratch));
		r = n < 0 ? (int)n : 0;
	} else {
		r = gfs_ep0_ack(g->ep0);
	}
	if (r == -EIDRM)
		resync(g);
	return r;
}

/**
 * gfs_ep0_read() - ops->ep0_read: the OUT data stage, up to @len bytes. The
 * kernel queued it at SETUP time and poll() does not report it, so this waits
 * up to EP0_HOST_MS (inode.c:963-998|978-1013).
 * Return: bytes read, -EIO (transfer failed), -ECANCELED/-EIDRM (superseded),
 * -ETIMEDOUT, or -EINVAL when no OUT request with data is waiting.
 */
static ssize_t gfs_ep0_read(struct gadget_backend *b, unsigned inst, void *buf, size_t len)
{
	struct gfs *g = b->priv;
	ssize_t n;

	if (!g->pending || (g->setup.bRequestType & USB_DIR_IN) || !g->setup.wLength)
		return -EINVAL;
	g->pending = false;
	n = take_out_data(g, buf, len);
	if (n == -EIDRM)
		resync(g);
	return n;
}

/**
 * gfs_remote_windex() - ops->remote_windex: GadgetFS presents the device's own
 * interface and endpoint numbers, so wIndex as it is (host byte order).
 */
static uint16_t gfs_remote_windex(struct gadget_backend *b, unsigned inst,
				  const struct usb_ctrlrequest *setup)
{
	return le16toh(setup->wIndex);
}

/**
 * gfs_ep0_stall_op() - ops->ep0_stall: IN: read(ep0, &b, 0); OUT without data:
 * write(ep0, &b, 0) (gfs_ep0_stall()). An OUT request with data cannot be
 * stalled (the UDC acknowledged the data already, inode.c:1506-1507|1521-1522):
 * its data is taken and dropped.
 */
static void gfs_ep0_stall_op(struct gadget_backend *b, unsigned inst,
			     const struct usb_ctrlrequest *setup)
{
	struct gfs *g = b->priv;
	uint8_t scratch[GFS_EP0_MAX];
	bool in = g->setup.bRequestType & USB_DIR_IN;
	int r;

	if (!g->pending)
		return;
	g->pending = false;
	if (!in && g->setup.wLength) {
		log_debug("gadgetfs: an OUT control request with data cannot be stalled");
		r = (int)take_out_data(g, scratch, sizeof(scratch));
	} else {
		r = gfs_ep0_stall(g->ep0, in);
	}
	if (r == -EIDRM)
		resync(g);
}

/* ---- endpoints ---- */

/* The descriptor of @s in force at link speed @speed (FS for LOW/FULL). */
static const uint8_t *ep_desc_at(const struct gfs_ep_spec *s, int speed)
{
	return s->cfg + 4 + (speed == USB_SPEED_HIGH && s->cfg_len == 18 ? 7 : 0);
}

/**
 * gfs_ep_enable() - ops->ep_enable: open the endpoint's file and write its
 * configuration (tag 1, FS, HS); the kernel enables it with the descriptor of the
 * current link speed (ep_config(), inode.c:721-811|736-826). Several alternate
 * settings may use one file: the file must have been released by the endpoint
 * that used it before (ep_disable()); a release that is still under way (the
 * file is open elsewhere, or a deferred fput) is waited for up to GFS_EP_BUSY_MS.
 * Return: 0 (also when already enabled), -ENOTCONN (no link speed yet: before
 * CONNECT or after DISCONNECT), -EINVAL (no descriptor for this speed, or
 * wMaxPacketSize 0: usb_ep_enable() refuses it), -EBUSY (the file is held by
 * another endpoint of the instance or still released), or -errno from the file.
 */
static int gfs_ep_enable(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	struct gfs *g = b->priv;
	const struct gfs_ep_spec *s;
	unsigned i, tries;
	int fd;

	if (ep >= g->n_ep)
		return -EINVAL;
	s = &g->spec[ep];
	if (g->fd[ep] >= 0)
		return 0;
	if (g->speed != USB_SPEED_LOW && g->speed != USB_SPEED_FULL && g->speed != USB_SPEED_HIGH)
		return -ENOTCONN;
	if ((g->speed == USB_SPEED_HIGH && s->cfg_len != 18) || !le16(ep_desc_at(s, g->speed) + 4))
		return -EINVAL;
	for (i = 0; i < g->n_ep; i++)
		if (i != ep && g->file_of[i] == g->file_of[ep] && g->fd[i] >= 0)
			return -EBUSY;
	fd = g->open_ep ? g->open_ep(g->open_ctx, g->files[g->file_of[ep]], s->cfg, s->cfg_len,
				     GFS_EP_BUSY_MS, &tries)
			: gfs_ep_open(g->dir, g->files[g->file_of[ep]], s->cfg, s->cfg_len,
				      GFS_EP_BUSY_MS, &tries);
	if (tries)
		log_debug("gadgetfs: %s: %u opens failed EBUSY before the previous fd was released",
			  g->files[g->file_of[ep]], tries);
	if (fd < 0)
		return fd;
	g->fd[ep] = fd;
	if (g->x)
		gfs_xfer_set_fd(g->x, ep, fd);
	return 0;
}

/**
 * gfs_ep_disable() - ops->ep_disable: what is still queued on @ep completes with
 * -ESHUTDOWN, a transfer in progress is interrupted (gfs_xfer_set_fd()), then
 * the file is closed; ep_release() disables the endpoint (inode.c:375-395|
 * 382-402) at once, so the file can be opened again right away.
 */
static void gfs_ep_disable(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	struct gfs *g = b->priv;

	if (ep < g->n_ep && g->fd[ep] >= 0) {
		if (g->x)
			gfs_xfer_set_fd(g->x, ep, -1);
		close(g->fd[ep]);
		g->fd[ep] = -1;
	}
}

static int gfs_ep_fd(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	struct gfs *g = b->priv;

	return ep < g->n_ep ? g->fd[ep] : -1;
}

/**
 * gfs_ep_desc() - ops->ep_desc: bEndpointAddress and wMaxPacketSize & 0x7ff
 * (bytes) from the spec's FS or HS descriptor, by the speed of the last CONNECT.
 * Return: 0, -EINVAL (no such endpoint), -ENOTCONN (no link speed yet).
 */
static int gfs_ep_desc(struct gadget_backend *b, unsigned inst, unsigned ep, unsigned *addr,
		       unsigned *mps)
{
	struct gfs *g = b->priv;
	const uint8_t *d;

	if (ep >= g->n_ep)
		return -EINVAL;
	if (g->speed == USB_SPEED_UNKNOWN)
		return -ENOTCONN;
	d = ep_desc_at(&g->spec[ep], g->speed);
	*addr = d[2];
	*mps = le16(d + 4) & 0x7ff;
	return 0;
}

static int halt_in(int fd, void *arg)
{
	return ffs_ep_halt(fd, true);
}

static int halt_out(int fd, void *arg)
{
	return ffs_ep_halt(fd, false);
}

static int clear_halt(int fd, void *arg)
{
	return gfs_ep_clear_halt(fd);
}

/* Run @fn on @ep's file with its worker paused: both need the file's mutex. */
static int on_file(struct gfs *g, unsigned ep, int (*fn)(int fd, void *arg))
{
	if (ep >= g->n_ep || g->fd[ep] < 0)
		return -ESHUTDOWN;
	return g->x ? gfs_xfer_exclusive(g->x, ep, fn, NULL) : fn(g->fd[ep], NULL);
}

/**
 * gfs_ep_halt() - ops->ep_halt: a synchronous I/O call in the wrong direction
 * halts the endpoint and fails EBADMSG (inode.c:586-600|602-616, 648-662|
 * 664-678; ffs_ep_halt() does the same calls). GadgetFS ignores what
 * usb_ep_set_halt() returned, so a halt the UDC refused (dummy_hcd: an IN
 * endpoint with requests queued, -EAGAIN) still reads as success. A transfer in
 * progress on @ep is interrupted and queued again behind the halt.
 * Return: 0, -ESHUTDOWN (not enabled), or -errno.
 */
static int gfs_ep_halt(struct gadget_backend *b, unsigned inst, unsigned ep, bool in)
{
	return on_file(b->priv, ep, in ? halt_in : halt_out);
}

/**
 * gfs_ep_clear_halt_op() - ops->ep_clear_halt: GADGETFS_CLEAR_HALT, which needs
 * the file's mutex too (ep_ioctl() -> get_ready_ep()). Return: 0 or -errno.
 */
static int gfs_ep_clear_halt_op(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	return on_file(b->priv, ep, clear_halt);
}

/* ---- transfers: gfs_xfer.c (worker threads, synchronous I/O); no Linux AIO ---- */

/**
 * gfs_start_io() - ops->start_io: the transfer engine for up to @max requests
 * in flight, in the relay's process (its threads are not inherited by fork()).
 * Endpoints already enabled are handed over. Return: 0 or -errno.
 */
static int gfs_start_io(struct gadget_backend *b, unsigned max)
{
	struct gfs *g = b->priv;
	unsigned i;
	int r;

	if (g->x)
		return 0;
	r = gfs_xfer_start(&g->x, g->n_ep, max);
	for (i = 0; !r && i < g->n_ep; i++)
		if (g->fd[i] >= 0)
			gfs_xfer_set_fd(g->x, i, g->fd[i]);
	return r;
}

/** gfs_stop_io() - ops->stop_io: interrupt what is left, join the workers. */
static void gfs_stop_io(struct gadget_backend *b)
{
	struct gfs *g = b->priv;

	gfs_xfer_stop(g->x);
	g->x = NULL;
}

/**
 * gfs_submit() - ops->submit: queue on @ep's worker; the direction is the
 * endpoint's. Return: 0, -ESHUTDOWN (not enabled, or no start_io yet), -EAGAIN.
 */
static int gfs_submit(struct gadget_backend *b, unsigned inst, unsigned ep, struct ffs_req *req,
		      void *buf, size_t len)
{
	struct gfs *g = b->priv;

	if (!g->x || ep >= g->n_ep)
		return -ESHUTDOWN;
	return gfs_xfer_submit(g->x, ep, g->spec[ep].addr & 0x80, req, buf, len);
}

/** gfs_cancel() - ops->cancel (gfs_xfer_cancel()). Return: 0. */
static int gfs_cancel(struct gadget_backend *b, struct ffs_req *req)
{
	struct gfs *g = b->priv;

	return g->x ? gfs_xfer_cancel(g->x, req) : 0;
}

static int gfs_reap(struct gadget_backend *b, struct ffs_req **done, long *res, unsigned max)
{
	struct gfs *g = b->priv;

	return g->x ? gfs_xfer_reap(g->x, done, res, max) : 0;
}

static int gfs_completion_fd(struct gadget_backend *b)
{
	struct gfs *g = b->priv;

	return g->x ? gfs_xfer_fd(g->x) : -1;
}

static void gfs_kick(struct gadget_backend *b)
{
	struct gfs *g = b->priv;

	if (g->x)
		gfs_xfer_kick(g->x);
}

const struct gadget_backend_ops gfs_ops = {
	.name = "GadgetFS",
	.ep0_fd = gfs_ep0_fd,
	.events = gfs_events,
	.ep0_reply = gfs_ep0_reply,
	.ep0_read = gfs_ep0_read,
	.remote_windex = gfs_remote_windex,
	.ep0_stall = gfs_ep0_stall_op,
	.ep_enable = gfs_ep_enable,
	.ep_disable = gfs_ep_disable,
	.ep_fd = gfs_ep_fd,
	.ep_desc = gfs_ep_desc,
	.ep_halt = gfs_ep_halt,
	.ep_clear_halt = gfs_ep_clear_halt_op,
	.submit = gfs_submit,
	.cancel = gfs_cancel,
	.reap = gfs_reap,
	.completion_fd = gfs_completion_fd,
	.kick = gfs_kick,
	.start_io = gfs_start_io,
	.stop_io = gfs_stop_io,
};

