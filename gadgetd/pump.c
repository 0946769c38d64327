// SPDX-License-Identifier: GPL-2.0-or-later
/* pump.c - per-endpoint pumps by the framing rules; see pump.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "gadgetd/log.h"
#include "gadgetd/readahead.h"
#include "gadgetd/relay_core.h"
#include "gadgetd/usb_wire.h"

#define USB_XFER_BULK 2
#define USB_XFER_INT 3

static bool ep_on(const struct rep *e)
{
	return inst_enabled(e->inst) && e->active;
}

/* interrupt URBs need interval > 0 (urb.c); units are the server's concern */
static unsigned ep_interval(const struct rep *e)
{
	if (e->info->type != USB_XFER_INT)
		return 0;
	return e->info->remote_interval ? e->info->remote_interval : 1;
}

static int submit_aio(struct relay *r, struct rep *e, struct ffs_req *req, void *buf, size_t len)
{
	((struct xfer *)req->owner)->gen = e->gen;
	return r->gb->ops->submit(r->gb, e->inst->k, e->idx, req, buf, len);
}

/* The data URB of transfer @x (the first of those it carries): @len bytes, IN or OUT. */
static struct urb_slot *submit_xfer(struct relay *r, struct rep *e, struct xfer *x, size_t len,
				    int *err)
{
	struct urb_slot *u = relay_submit(r, U_XFER, e->num, e->in, ep_interval(e), NULL, NULL,
					  len, err);

	if (u) {
		u->x = x;
		x->seqnum = u->seqnum;
	}
	return u;
}

static int clear_device_halt(struct relay *r, struct rep *e)
{
	uint8_t s[USB_SETUP_LEN];
	struct urb_slot *u;
	int rr;

	usb_setup_pack(s, USB_RECIP_ENDPOINT, USB_REQ_CLEAR_FEATURE, USB_ENDPOINT_HALT,
		       e->info->remote_addr, 0);
	u = relay_submit(r, U_CLEARHALT, 0, false, 0, s, NULL, 0, &rr);
	if (!u)
		return rr;
	u->ep = e;
	return 0;
}

_Static_assert(BOT_IN_CHUNK <= CONN_RX_MAX_PAYLOAD, "a Bulk-Only data-in request must fit a RET_SUBMIT");

/* The next read from the host: one packet (rule 1), or what the CBW says (rule 5). */
static size_t out_next_size(struct rep *e, bool *cbw_read)
{
	*cbw_read = false;
	if (!e->bot)
		return e->gmps;
	return bot_out_size(e->bot, e->xsize, e->gmps, cbw_read);
}

bool pump_urb_queued(const struct rep *e)
{
	unsigned k;

	for (k = 0; k < e->depth; k++)
		if (e->x[k].st == X_URB)
			return true;
	return false;
}

static int ep_fill(struct relay *r, struct rep *e, bool *filled)
{
	struct xfer *x;
	size_t n;
	bool csw, cbw_read;
	int rr;

	while (ep_on(e) && !e->parked) {
		x = &e->x[e->start];
		if (x->st != X_IDLE)
			break;
		if (e->in) {
			if (e->stalled)
				break; /* until the device's halt is cleared */
			n = e->xsize;
			x->bot_csw = false;
			if (e->bot) {
				/* Bulk-Only: only what a command needs, each request once
				 * the one before is done (bot.h) */
				if (e->bot->ra && ra_in_fill(e, x)) {
					/* answered from what was read ahead */
					*filled = true;
					e->start = (e->start + 1) % e->depth;
					continue;
				}
				if (pump_urb_queued(e))
					break;
				n = bot_in_size(e->bot, e->xsize, &csw);
				if (!n)
					break;
				x->bot_csw = csw;
			}
			if (!submit_xfer(r, e, x, n, &rr))
				return rr;
			x->epoch = e->epoch;
			x->len = n;
			x->actual = 0;
			x->zlp_after = false;
			x->st = X_URB;
		} else {
			if (conn_busy(&r->conn)) {
				/* back-pressure: the server is behind; read from the
				 * host again once the queue has drained (relay_step()) */
				if (!r->tx_throttled && !r->tx_throttle_told)
					log_info("the server takes data slower than the host sends "
						 "it: %zu bytes wait to be sent, reading from the "
						 "host paused until they are", r->conn.tx_len);
				else if (!r->tx_throttled)
					log_debug("back-pressure: %zu bytes wait to be sent",
						  r->conn.tx_len);
				r->tx_throttled = r->tx_throttle_told = true;
				break;
			}
			n = out_next_size(e, &cbw_read);
			if (!n)
				break;
			x->len = n;
			x->bot_cbw_read = cbw_read;
			rr = submit_aio(r, e, &x->req, x->buf, n);
			if (rr) {
				if (cbw_read)
					bot_out_unposted(e->bot);
				log_debug("ep%u: read not queued: %s", e->idx + 1, strerror(-rr));
				break;
			}
			x->st = X_AIO;
		}
		e->start = (e->start + 1) % e->depth;
	}
	return 0;
}

static void arm_hold_timer(struct relay *r)
{
	struct itimerspec its = { .it_value = { 0, HOLD_NS } };

	if (r->hold_armed)
		return;
	timerfd_settime(r->hold_tfd, 0, &its, NULL);
	r->hold_armed = true;
}

/*
 * Forward host data that has arrived, joined (rule 3): full packets and at most
 * one final short packet or ZLP per URB. When the device's packets are larger
 * than the gadget's (rule 6), a URB must hold whole device packets, or the
 * device sees a short packet where the host sent none: an odd trailing full
 * packet waits HOLD_NS for its other half, then goes alone.
 * Return: 1 if held, 0 if a URB was queued, -errno.
 */
static int out_forward(struct relay *r, struct rep *e)
{
	unsigned i = e->finish, n = 0, max = e->bot ? 1 : e->depth, k;
	struct xfer *first = &e->x[e->finish], *y;
	struct urb_slot *u;
	size_t total = 0;
	bool ended = false;
	int rr = 0;

	while (n < max) {
		y = &e->x[i];
		if (y->st != X_READY)
			break;
		/* a ZLP after whole device packets ends the transfer: it must reach the
		 * device as a packet, so it goes as a URB of its own (rule 4; a flag
		 * such as URB_ZERO_PACKET is not honoured by every server) */
		if (!y->actual && n && total % e->rmps == 0)
			break;
		total += y->actual;
		n++;
		i = (i + 1) % e->depth;
		if (y->actual < e->gmps) {
			ended = true;
			break;
		}
		if (e->rmps > e->gmps && total % e->rmps == 0)
			break;
	}
	if (!ended && e->rmps > e->gmps && total % e->rmps && !e->bot) {
		if (!e->hold_expired) {
			e->held = true;
			arm_hold_timer(r);
			return 1;
		}
		if (!e->inexact_logged) {
			log_info("ep%u: the host sent %zu bytes, not a whole %u-byte packet of the "
				 "device: forwarded as a short packet", e->idx + 1, total, e->rmps);
			e->inexact_logged = true;
		}
	}
	e->held = false;
	if (first->bot_cbw && e->bot->ra) {
		rr = ra_out_cbw(r, e, first);
		if (rr < 0 || rr == 2)
			return rr < 0 ? rr : 1; /* held until the read-ahead has ended */
		if (rr == 1) {
			/* answered from what was read ahead: nothing goes to the device */
			first->bot_cbw = false;
			first->st = X_IDLE;
			e->finish = (e->finish + 1) % e->depth;
			return 0;
		}
	}
	u = submit_xfer(r, e, first, total, &rr);
	if (!u)
		return rr;
	first->span = n;
	for (k = 0, i = e->finish; !rr && k < n; k++, i = (i + 1) % e->depth) {
		rr = conn_queue(&r->conn, e->x[i].buf, e->x[i].actual);
		e->x[i].st = X_URB;
		if (k)
			e->x[i].span = 0; /* only the first transfer of a URB names it */
	}
	u->tx_end = r->conn.tx_queued; /* its payload, queued behind the header */
	e->finish = i;
	return rr;
}

/* In order: hand finished transfers to the other side. */
static int ep_drain(struct relay *r, struct rep *e)
{
	struct xfer *x;
	unsigned i;
	int rr;

	for (;;) {
		x = &e->x[e->finish];
		if (e->in && x->st == X_READY) {
			if (!ep_on(e)) {
				x->st = X_IDLE;
			} else {
				/* the ZLP goes to the UDC right behind its data (rule 6):
				 * the next transfer's write must not get between them */
				rr = submit_aio(r, e, &x->req, x->buf, x->actual);
				x->aio = rr ? 0 : 1;
				if (!rr && x->zlp_after && !submit_aio(r, e, &x->zreq, x->buf, 0))
					x->aio++;
				if (rr)
					log_debug("ep%u: write not queued: %s", e->idx + 1, strerror(-rr));
				x->st = x->aio ? X_AIO : X_IDLE;
			}
		} else if (e->in && x->st == X_STALL) {
			for (i = 0; i < e->depth; i++)
				if (e->x[i].st == X_AIO)
					return 0; /* the UDC refuses to halt with writes queued */
			rr = r->gb->ops->ep_halt(r->gb, e->inst->k, e->idx, true);
			log_info("ep%u (remote 0x%02x): device stalled, gadget endpoint halted%s",
				 e->idx + 1, e->info->remote_addr, rr ? " (halt failed)" : "");
			x->st = X_IDLE;
		} else if (x->st == X_DONE) {
			x->st = X_IDLE;
		} else if (!e->in && x->st == X_READY) {
			if (ep_on(e)) {
				rr = out_forward(r, e);
				if (rr)
					return rr < 0 ? rr : 0;
				continue; /* out_forward() moved e->finish */
			}
			x->st = X_IDLE;
		} else {
			return 0;
		}
		e->finish = (e->finish + 1) % e->depth;
	}
}

int pump(struct relay *r, struct rep *e)
{
	bool filled = false;
	int rr = ep_drain(r, e);

	if (!rr)
		rr = ep_fill(r, e, &filled);
	/* transfers filled without a URB are ready at once */
	return rr || !filled ? rr : ep_drain(r, e);
}

/* Whether an IN completion needs a ZLP after it on the gadget side (rule 6). */
static bool in_needs_zlp(struct rep *e, struct xfer *x)
{
	bool remote_short = x->actual < x->len && (x->actual % e->rmps || x->actual == 0);
	bool gadget_full = x->actual && x->actual % e->gmps == 0;

	if (e->bot) {
		/* requests are exactly what the host expects (rule 5): short means
		 * the host expects more, and must see the end of the data phase */
		if (x->actual < x->len && !x->bot_csw)
			bot_in_short(e->bot);
		return x->actual < x->len && gadget_full;
	}
	if (remote_short && gadget_full && e->rmps != e->gmps && !e->inexact_logged) {
		log_info("ep%u: remote packet size %u differs from the gadget's %u: ends of IN "
			 "transfers are marked with a ZLP", e->idx + 1, e->rmps, e->gmps);
		e->inexact_logged = true;
	}
	return remote_short && gadget_full;
}

static bool aio_cancelled(long res)
{
	/* cancelled (DISABLE) requests end -ECONNRESET or -ESHUTDOWN */
	return res == -ESHUTDOWN || res == -ECANCELED || res == -EINTR || res == -ECONNRESET ||
	       res == -EAGAIN;
}

struct rep *pump_aio_done(struct relay *r, struct ffs_req *req, long res)
{
	struct xfer *x = req->owner;
	struct rep *e = x->ep;

	/* the endpoint is disabled (O_NONBLOCK): the DISABLE event is on its way;
	 * resubmitting now would spin */
	if (res == -EAGAIN && x->gen == e->gen)
		e->parked = true; /* (one from before the last ENABLE says nothing now) */
	(void)r;
	if (e->in) {
		if (x->aio && --x->aio)
			return e; /* its ZLP is still queued */
		x->st = X_IDLE;
		if (res < 0 && res != -ESHUTDOWN && res != -ECANCELED)
			log_debug("ep%u: write to the host: %s", e->idx + 1, strerror((int)-res));
		return e;
	}
	/* the read that waited for a CBW is over, whatever it got (a short packet,
	 * a ZLP or an error must not leave the endpoint waiting for nothing) */
	if (x->bot_cbw_read && e->bot)
		bot_out_unposted(e->bot);
	x->bot_cbw = false;
	if (res < 0) {
		x->st = X_DONE;
		if (!aio_cancelled(res))
			log_info("ep%u: read from the host failed: %s", e->idx + 1,
				 strerror((int)-res));
		return e;
	}
	x->actual = (size_t)res;
	if (x->bot_cbw_read && e->bot && bot_is_cbw(x->buf, x->actual)) {
		bot_cbw(e->bot, x->buf);
		x->bot_cbw = true;
	}
	x->st = X_READY;
	return e;
}

/* The other endpoint of a Bulk-Only interface. */
static struct rep *bot_peer(struct rep *e)
{
	unsigned i;

	for (i = 0; i < e->inst->n_ep; i++)
		if (e->inst->ep[i].bot == e->bot && e->inst->ep[i].in != e->in)
			return &e->inst->ep[i];
	return NULL;
}

static int in_ret_submit(struct relay *r, struct rep *e, struct xfer *x, int status,
			 bool unlinking, const uint8_t *payload, size_t len)
{
	int rr;

	if (unlinking || !ep_on(e) || status == -ECONNRESET || status == -ENOENT) {
		x->st = X_DONE;
		if (e->bot && x->bot_csw)
			bot_csw_done(e->bot, true); /* nothing to ask again for */
	} else if (status == -EPIPE && x->epoch != e->epoch) {
		/* submitted before the halt was cleared on the device: the host
		 * sees the first stall only */
		x->st = X_DONE;
		if (e->bot && x->bot_csw)
			bot_csw_done(e->bot, false); /* failed with the data phase's stall */
	} else if (status == -EPIPE) {
		/* halt the gadget endpoint in order (ep_drain), clear the device's
		 * at once; no new URBs until that is done */
		x->st = X_STALL;
		e->epoch++;
		e->stalled = true;
		rr = clear_device_halt(r, e);
		if (rr)
			return rr;
		/* the CSW after the halt is cleared, BOT 6.7.2 */
		if (e->bot && x->bot_csw)
			bot_csw_done(e->bot, false);
		else if (e->bot)
			bot_in_stalled(e->bot);
	} else {
		if (e->bot && x->bot_csw)
			bot_csw_done(e->bot, true);
		if (len)
			memcpy(x->buf, payload, len);
		x->actual = len;
		if (status && status != -EREMOTEIO)
			log_info("ep%u: IN URB status %s", e->idx + 1, strerror(-status));
		x->zlp_after = in_needs_zlp(e, x);
		x->st = X_READY;
		if (e->bot && e->bot->ra)
			return ra_in_done(r, e, x->bot_csw, payload, len);
	}
	return 0;
}

/*
 * The device stalled a Bulk-Only data-out phase: the gadget endpoint is halted,
 * so the host sends nothing until it has cleared the halt and read the CSW.
 * The reads queued for the rest of the data phase are cancelled (they hold
 * nothing), and the next read waits for a CBW; a read that already waits for
 * one stays.
 */
static void bot_stalled_out(struct relay *r, struct rep *e)
{
	unsigned k;

	bot_out_stalled(e->bot);
	for (k = 0; k < e->depth; k++)
		if (e->x[k].st == X_AIO && !e->x[k].bot_cbw_read)
			r->gb->ops->cancel(r->gb, &e->x[k].req);
}

static int out_ret_submit(struct relay *r, struct rep *e, struct xfer *x, int status,
			  bool unlinking)
{
	unsigned k, i = (unsigned)(x - e->x);
	struct rep *peer;
	int rr;

	for (k = 0; k < (x->span ? x->span : 1); k++, i = (i + 1) % e->depth)
		e->x[i].st = X_IDLE;
	if (e->bot && !unlinking) {
		bot_out_acked(e->bot, x->bot_cbw, x->actual, status);
		peer = bot_peer(e);
		if (peer) {
			rr = pump(r, peer);
			if (rr)
				return rr;
		}
	}
	if (status == -EPIPE && ep_on(e)) {
		log_info("ep%u (remote 0x%02x): device stalled an OUT transfer", e->idx + 1,
			 e->info->remote_addr);
		r->gb->ops->ep_halt(r->gb, e->inst->k, e->idx, false);
		clear_device_halt(r, e);
		if (e->bot && !unlinking && !x->bot_cbw)
			bot_stalled_out(r, e);
	} else if (status && status != -ECONNRESET) {
		log_info("ep%u: OUT URB status %s", e->idx + 1, strerror(-status));
	}
	return 0;
}

int pump_ret_submit(struct relay *r, struct urb_slot *u, int status, const uint8_t *payload,
		    size_t len)
{
	struct xfer *x = u->x;
	struct rep *e = x->ep;
	bool unlinking = u->unlinking;
	int rr;

	urb_free(&r->urbs, u);
	if (status == -ESHUTDOWN || status == -ENODEV) {
		if (!unlinking && ep_on(e)) {
			log_warnx("ep%u (remote 0x%02x): the device is gone (%s)", e->idx + 1,
				  e->info->remote_addr, strerror(-status));
			r->stop = true;
			r->result = -ENODEV;
			return 0;
		}
	}
	if (e->in)
		rr = in_ret_submit(r, e, x, status, unlinking, payload, len);
	else
		rr = out_ret_submit(r, e, x, status, unlinking);
	return rr ? rr : pump(r, e);
}

int pump_unlinked(struct relay *r, struct urb_slot *t)
{
	/* unlinked before completion: no RET_SUBMIT will come */
	struct xfer *x = t->x;
	struct rep *e = x->ep;
	unsigned k, i = (unsigned)(x - e->x);

	for (k = 0; k < (!e->in && x->span ? x->span : 1); k++, i = (i + 1) % e->depth)
		e->x[i].st = e->in ? X_DONE : X_IDLE;
	urb_free(&r->urbs, t);
	return pump(r, e);
}

int pump_clear_halt_done(struct relay *r, struct rep *e, int status)
{
	if (status)
		log_info("clearing a halt on the device failed: %s", strerror(-status));
	e->stalled = false;
	return pump(r, e);
}

int pump_hold_expired(struct relay *r)
{
	uint64_t n;
	unsigned k, i;
	int rr;

	if (read(r->hold_tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	r->hold_armed = false;
	for (k = 0; k < r->n_inst; k++) {
		for (i = 0; i < r->inst[k].n_ep; i++) {
			struct rep *e = &r->inst[k].ep[i];

			if (!e->held)
				continue;
			e->hold_expired = true;
			rr = pump(r, e);
			e->hold_expired = false;
			if (rr)
				return rr;
		}
	}
	return 0;
}

int pump_ep_init(struct rep *e, struct inst *in_, unsigned idx, const struct ffs_ep_info *info,
		 struct bot *bot)
{
	unsigned k;
	size_t bufsize;

	e->inst = in_;
	e->idx = idx;
	e->info = info;
	e->in = info->remote_addr & 0x80;
	e->num = info->remote_addr & 0x0f;
	e->rmps = info->remote_mps ? info->remote_mps : 64;
	e->gmps = info->mps[FFS_SPEED_HS] ? info->mps[FFS_SPEED_HS] : 64;
	e->bot = info->type == USB_XFER_BULK ? bot : NULL;
	e->active = info->alt == 0;
	if (info->type == USB_XFER_INT) {
		e->depth = 2;
		e->xsize = e->rmps;
	} else if (e->bot) {
		e->depth = 4; /* exact requests (bot.h): a CBW, a data phase, its CSW */
		e->xsize = e->in ? BOT_IN_CHUNK : BOT_CHUNK;
	} else {
		e->depth = XFER_DEPTH_MAX;
		e->xsize = e->in ? e->rmps : e->gmps;
	}
	if (e->bot)
		bufsize = e->in ? BOT_IN_CHUNK : BOT_CHUNK;
	else
		bufsize = e->in ? e->rmps : OUT_BUF;
	for (k = 0; k < e->depth; k++) {
		e->x[k].ep = e;
		e->x[k].req.owner = &e->x[k];
		e->x[k].zreq.owner = &e->x[k];
		e->x[k].buf = malloc(bufsize);
		if (!e->x[k].buf)
			return -ENOMEM;
	}
	return 0;
}

void pump_ep_free(struct rep *e)
{
	unsigned k;

	for (k = 0; k < e->depth; k++) {
		free(e->x[k].buf);
		e->x[k].buf = NULL;
	}
}

void pump_ep_start(struct relay *r, struct rep *e)
{
	unsigned addr, mps;

	if (r->gb->ops->ep_desc(r->gb, e->inst->k, e->idx, &addr, &mps) == 0) {
		e->gmps = mps ? mps : 64;
		log_info("ep%u: host sees 0x%02x (wMaxPacketSize %u) for remote 0x%02x (%u)",
			 e->idx + 1, addr, mps, e->info->remote_addr, e->rmps);
	}
	if (!e->bot && !e->in)
		e->xsize = e->gmps;
	e->parked = false;
	e->gen++;
	if (e->bot)
		bot_reset(e->bot, false);
}

void pump_ep_cancel_all(struct relay *r, struct rep *e)
{
	unsigned k;

	for (k = 0; k < e->depth; k++) {
		if (e->x[k].st != X_AIO)
			continue;
		r->gb->ops->cancel(r->gb, &e->x[k].req);
		r->gb->ops->cancel(r->gb, &e->x[k].zreq);
	}
}

int pump_ep_stop(struct relay *r, struct rep *e)
{
	unsigned k;
	int rr;

	e->held = false;
	if (e->bot && e->in) {
		rr = ra_abort(r, e->bot, true);
		if (rr)
			return rr;
	}
	for (k = 0; k < e->depth; k++) {
		struct xfer *x = &e->x[k];

		if (x->st == X_AIO) {
			r->gb->ops->cancel(r->gb, &x->req);
			r->gb->ops->cancel(r->gb, &x->zreq);
		}
		if (x->st == X_URB && (e->in || x->span)) {
			struct urb_slot *u = urb_find(&r->urbs, x->seqnum);

			if (u && !u->unlinking) {
				rr = relay_unlink(r, u);
				if (rr)
					return rr;
			}
		}
		if (x->st == X_READY || x->st == X_STALL)
			x->st = X_DONE;
	}
	e->stalled = false;
	return 0;
}

int pump_bot_reset(struct relay *r, struct bot *b, struct rep *in, struct rep *out)
{
	struct rep *eps[2] = { in, out };
	bool cbw_posted = false;
	unsigned i, k;
	int rr;

	rr = ra_abort(r, b, false);
	for (i = 0; !rr && i < 2; i++) {
		struct rep *e = eps[i];

		if (!e)
			continue;
		for (k = 0; !rr && k < e->depth; k++) {
			struct xfer *x = &e->x[k];

			if (x->st == X_URB && (e->in || x->span)) {
				struct urb_slot *u = urb_find(&r->urbs, x->seqnum);

				if (u && !u->unlinking)
					rr = relay_unlink(r, u);
			} else if (x->st == X_AIO && x->bot_cbw_read && !e->in) {
				cbw_posted = true; /* it waits for the host's next CBW */
			} else if (x->st == X_AIO) {
				/* a data phase the host gave up: its next CBW must not
				 * land in a data-out read, nor old data reach it */
				r->gb->ops->cancel(r->gb, &x->req);
				r->gb->ops->cancel(r->gb, &x->zreq);
			} else if (x->st == X_READY || x->st == X_STALL) {
				x->st = X_DONE;
			}
		}
	}
	bot_reset(b, cbw_posted);
	return rr;
}
