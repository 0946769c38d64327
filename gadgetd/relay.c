// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * relay.c - the session's state machine and data paths.
 *
 *   FunctionFS event          -> what happens on the remote device
 *   ENABLE (SET_CONFIGURATION) -> CMD_SUBMIT SET_CONFIGURATION(bConfigurationValue),
 *                                then every endpoint starts (read-ahead on IN)
 *   DISABLE (reset, unconfig) -> AIO cancelled, IN URBs unlinked, data the host can
 *                                no longer expect dropped
 *   SETUP                     -> CMD_SUBMIT on ep0, wIndex mapped back to the remote's
 *                                interface / endpoint; the reply (or a stall) to the host
 *   UNBIND                    -> the session ends
 *
 * Data paths, per endpoint, a ring of transfers processed strictly in order:
 *   IN  (device -> host): URB IN at the remote -> RET_SUBMIT -> AIO write to epN
 *       -> the transfer is free again -> next URB. A 0-byte completion is written as
 *       a ZLP; a completion that was short for the remote but is a whole number of
 *       the gadget's packets is followed by a ZLP (packet sizes differ by speed).
 *   OUT (host -> device): AIO read from epN -> CMD_SUBMIT OUT with what arrived ->
 *       RET_SUBMIT -> free -> next read. A 0-byte read (host ZLP) becomes a 0-byte URB.
 * Request sizes follow the framing rules: one wMaxPacketSize per request (nothing can
 * park in a half-filled transfer), except on Bulk-Only mass-storage interfaces where
 * the CBW states the data-phase length and every IN phase ends with a 13-byte CSW.
 * A remote stall (-EPIPE) halts the gadget endpoint and clears the halt remotely.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "functionfs/ffs_io.h"
#include "gadgetd/log.h"
#include "gadgetd/relay.h"
#include "gadgetd/usbip.h"

#define XFER_DEPTH_MAX 16
#define BOT_CHUNK 16384          /* bytes per OUT request in a Bulk-Only data phase */
#define BOT_IN_CHUNK 65536       /* bytes per IN request in a Bulk-Only data phase */
#define BOT_CSW_LEN 13
#define URB_SLOTS 1024           /* power of two, > every transfer we can have in flight */
#define RX_MAX_PAYLOAD 65536
#define CTRL_BUF 4096            /* composite clamps ep0 data stages to 4096 */
#define HOLD_NS 2000000          /* how long half a remote packet may wait for the rest */
#define CTRL_TIMEOUT_S 4         /* a host gives a control transfer 5 s (usb_control_msg) */

#define USB_XFER_CONTROL 0
#define USB_XFER_ISOC 1
#define USB_XFER_BULK 2
#define USB_XFER_INT 3

/*
 * X_IDLE  free;  X_AIO  in the kernel (FunctionFS);  X_URB  at the remote;
 * X_READY  finished, waits its turn to go on;  X_STALL  IN: the device stalled here;
 * X_DONE  finished with nothing to pass on (unlinked, dropped): skipped in order.
 */
enum xfer_state { X_IDLE, X_AIO, X_URB, X_READY, X_STALL, X_DONE };

struct rep;

struct xfer {
	struct ffs_req req;  /* data to or from the host; req.owner = this transfer */
	struct ffs_req zreq; /* IN: the ZLP queued right behind the data */
	unsigned aio;        /* requests of this transfer in the kernel */
	struct rep *ep;
	enum xfer_state st;
	uint8_t *buf;
	size_t len;    /* requested */
	size_t actual; /* transferred */
	bool zlp_after;
	bool bot_cbw;  /* OUT: this transfer carried a CBW */
	bool bot_csw;  /* IN: this is the 13-byte CSW request */
	unsigned span; /* OUT: transfers (from this one on) carried by its URB */
	unsigned epoch; /* IN: the endpoint's stall epoch when the URB was submitted */
	uint32_t seqnum;
};

/* Bulk-Only Transport (USB MSC BOT 1.0 §5): what the last CBW announced. */
enum bot_state { BOT_CBW, BOT_DATA_OUT };

struct inst;

struct rep {
	struct inst *inst;
	unsigned idx;  /* FunctionFS file ep(idx+1) */
	int fd;
	const struct ffs_ep_info *info;
	bool in;       /* device -> host */
	unsigned num;  /* remote endpoint number */
	unsigned gmps; /* gadget wMaxPacketSize at the current link speed */
	unsigned rmps; /* remote wMaxPacketSize */
	unsigned depth, xsize;
	struct xfer x[XFER_DEPTH_MAX];
	unsigned start, finish; /* ring positions: next to start, next to finish */
	bool bot;
	struct rep *bot_peer;   /* the other bulk endpoint of the BOT interface */
	enum bot_state bot_st;  /* OUT: where the host is in the BOT protocol */
	bool bot_cbw_posted;
	size_t bot_out_left;    /* OUT: data bytes still to request from the host */
	size_t bot_out_unacked; /* OUT: data bytes the device has not acknowledged */
	bool bot_cbw_in;        /* OUT: the CBW in flight announced an IN data phase */
	uint32_t bot_cbw_len;   /* OUT: its dCBWDataTransferLength */
	size_t bot_in_plan;     /* IN: data-phase bytes still to request from the device */
	bool bot_in_csw;        /* IN: the CSW is to be requested next */
	bool inexact_logged;
	bool held;          /* OUT: a partial remote packet waits for its other half */
	unsigned epoch;     /* IN: +1 per stall handled; older URBs' stalls are stale */
	bool stalled;       /* IN: the device's halt is being cleared: no new URBs */
	bool parked;        /* FunctionFS said -EAGAIN: disabled; wait for ENABLE */
	bool hold_expired;  /* OUT: the wait is over, forward what there is */
};

/* The function of one configuration; at most one is enabled at a time. */
struct inst {
	unsigned k;   /* index in relay_params.inst[] */
	int ep0;
	const struct ffs_map *map;
	uint8_t cfgval;
	bool enabled;
	unsigned n_ep;
	struct rep ep[FFS_MAX_EPS];
};

enum urb_kind { U_FREE, U_XFER, U_CTRL, U_SETCONF, U_CLEARHALT, U_UNLINK, U_RESET };

struct urb_slot {
	enum urb_kind kind;
	uint32_t seqnum;
	bool in;
	size_t len;
	struct xfer *x;
	uint32_t target; /* U_UNLINK: seqnum being unlinked */
	struct rep *ep;  /* U_CLEARHALT: whose halt */
	bool unlinking;
};

struct relay {
	struct client *c;
	int epfd;
	struct ffs_aio aio;
	struct usbip_rx rx;
	uint8_t *tx;
	size_t tx_len, tx_cap;
	bool tx_wait; /* EPOLLOUT armed */
	struct urb_slot urb[URB_SLOTS];
	unsigned n_inst;
	struct inst inst[RELAY_MAX_CONFIGS];
	bool ep0_busy;  /* a SETUP is being forwarded: ep0s stay out of epoll */
	struct inst *ctrl_inst; /* whose SETUP it is */
	struct usb_ctrlrequest setup;
	uint32_t ctrl_seqnum;
	uint8_t ctrl_buf[CTRL_BUF];
	uint8_t setconf_val;
	bool was_enabled; /* an ENABLE has been seen: later ones follow a reset */
	int tfd;        /* timerfd for OUT holds */
	int ctfd;       /* timerfd: deadline of the forwarded SETUP */
	bool timer_armed;
	int result;
	bool stop;
};

static const char *ev_name(int t)
{
	static const char *const n[] = { "BIND", "UNBIND", "ENABLE", "DISABLE", "SETUP",
					 "SUSPEND", "RESUME" };
	return t >= 0 && t < 7 ? n[t] : "UNKNOWN";
}

/* ---- URB table and transmit queue ---- */

static struct urb_slot *urb_find(struct relay *r, uint32_t seqnum)
{
	unsigned i, k;

	for (i = 0; i < URB_SLOTS; i++) {
		k = (seqnum + i) & (URB_SLOTS - 1);
		if (r->urb[k].kind != U_FREE && r->urb[k].seqnum == seqnum)
			return &r->urb[k];
		if (r->urb[k].kind == U_FREE)
			return NULL;
	}
	return NULL;
}

static struct urb_slot *urb_new(struct relay *r, enum urb_kind kind)
{
	uint32_t s;
	unsigned i, k;

	s = client_seqnum(r->c);
	for (i = 0; i < URB_SLOTS; i++) {
		k = (s + i) & (URB_SLOTS - 1);
		if (r->urb[k].kind == U_FREE) {
			memset(&r->urb[k], 0, sizeof(r->urb[k]));
			r->urb[k].kind = kind;
			r->urb[k].seqnum = s;
			return &r->urb[k];
		}
	}
	return NULL;
}

/* Deleting from a linear-probing table: re-insert the cluster that follows. */
static void urb_free(struct relay *r, struct urb_slot *u)
{
	unsigned k = (unsigned)(u - r->urb), j;
	struct urb_slot tmp;

	u->kind = U_FREE;
	for (j = (k + 1) & (URB_SLOTS - 1); r->urb[j].kind != U_FREE; j = (j + 1) & (URB_SLOTS - 1)) {
		unsigned h = r->urb[j].seqnum & (URB_SLOTS - 1), i;

		tmp = r->urb[j];
		r->urb[j].kind = U_FREE;
		for (i = h; r->urb[i].kind != U_FREE; i = (i + 1) & (URB_SLOTS - 1))
			;
		r->urb[i] = tmp; /* transfers keep only the seqnum, so moving is safe */
	}
}

static int tx_flush(struct relay *r)
{
	ssize_t n;

	while (r->tx_len) {
		n = send(r->c->fd, r->tx, r->tx_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		memmove(r->tx, r->tx + n, r->tx_len - (size_t)n);
		r->tx_len -= (size_t)n;
	}
	if (!!r->tx_len != r->tx_wait) {
		struct epoll_event ev = { .events = EPOLLIN | (r->tx_len ? EPOLLOUT : 0),
					  .data.u32 = 1 };

		r->tx_wait = !!r->tx_len;
		epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->c->fd, &ev);
	}
	return 0;
}

static int tx_queue(struct relay *r, const void *a, size_t alen, const void *b, size_t blen)
{
	size_t need = r->tx_len + alen + blen;

	if (need > r->tx_cap) {
		size_t cap = r->tx_cap ? r->tx_cap : 65536;
		uint8_t *t;

		while (cap < need)
			cap *= 2;
		t = realloc(r->tx, cap);
		if (!t)
			return -ENOMEM;
		r->tx = t;
		r->tx_cap = cap;
	}
	memcpy(r->tx + r->tx_len, a, alen);
	r->tx_len += alen;
	if (blen) {
		memcpy(r->tx + r->tx_len, b, blen);
		r->tx_len += blen;
	}
	return 0;
}

/* Queue CMD_SUBMIT. @data: OUT payload (len bytes), or NULL: for IN, or when the
 * caller appends the OUT payload itself (several buffers, out_forward()). */
static int submit_urb(struct relay *r, struct urb_slot *u, unsigned ep, bool in, unsigned type,
		      unsigned interval, const uint8_t *setup, const uint8_t *data, size_t len)
{
	struct usbip_header h = { 0 };
	uint8_t hb[USBIP_HDR_LEN];

	h.command = USBIP_CMD_SUBMIT;
	h.seqnum = u->seqnum;
	h.devid = r->c->devid;
	h.direction = in ? USBIP_DIR_IN : USBIP_DIR_OUT;
	h.ep = ep;
	h.u.cmd_submit.transfer_flags = in ? USBIP_URB_DIR_IN : 0;
	h.u.cmd_submit.transfer_buffer_length = (int32_t)len;
	h.u.cmd_submit.number_of_packets = 0; /* never 0xffffffff: see usbip research A3 */
	/* interrupt URBs need interval > 0 (urb.c); units are the server's concern */
	h.u.cmd_submit.interval = type == USB_XFER_INT ? (int32_t)(interval ? interval : 1) : 0;
	if (setup)
		memcpy(h.u.cmd_submit.setup, setup, 8);
	u->in = in;
	u->len = len;
	usbip_header_encode(&h, hb);
	return tx_queue(r, hb, sizeof(hb), data, data && !in ? len : 0);
}

static int send_unlink(struct relay *r, struct urb_slot *target)
{
	struct usbip_header h = { 0 };
	uint8_t hb[USBIP_HDR_LEN];
	struct urb_slot *u;
	uint32_t tseq = target->seqnum;

	target->unlinking = true;
	u = urb_new(r, U_UNLINK);
	if (!u)
		return -ENOBUFS;
	u->target = tseq;
	h.command = USBIP_CMD_UNLINK;
	h.seqnum = u->seqnum;
	h.devid = r->c->devid;
	h.u.cmd_unlink.seqnum = tseq;
	usbip_header_encode(&h, hb);
	return tx_queue(r, hb, sizeof(hb), NULL, 0);
}

/* Standard requests we originate on the remote's ep0. */
static int remote_ctrl(struct relay *r, enum urb_kind kind, const uint8_t setup[8])
{
	struct urb_slot *u = urb_new(r, kind);

	if (!u)
		return -ENOBUFS;
	return submit_urb(r, u, 0, false, USB_XFER_CONTROL, 0, setup, NULL, 0);
}

static int clear_remote_halt(struct relay *r, struct rep *e)
{
	uint8_t addr = e->info->remote_addr;
	uint8_t s[8] = { 0x02, 0x01 /* CLEAR_FEATURE */, 0, 0 /* ENDPOINT_HALT */, addr, 0, 0, 0 };
	struct urb_slot *u = urb_new(r, U_CLEARHALT);

	if (!u)
		return -ENOBUFS;
	u->ep = e;
	return submit_urb(r, u, 0, false, USB_XFER_CONTROL, 0, s, NULL, 0);
}

/* ---- endpoint pumps ---- */

static size_t out_next_size(struct rep *e)
{
	size_t n;

	if (!e->bot)
		return e->gmps;
	if (e->bot_st == BOT_DATA_OUT && e->bot_out_left) {
		n = e->bot_out_left < e->xsize ? e->bot_out_left : e->xsize;
		e->bot_out_left -= n;
		if (!e->bot_out_left)
			e->bot_st = BOT_CBW;
		return n;
	}
	if (e->bot_cbw_posted)
		return 0; /* what follows the CBW depends on it */
	e->bot_cbw_posted = true;
	return e->gmps;
}

static int pump(struct relay *r, struct rep *e);

static int ep_fill(struct relay *r, struct rep *e)
{
	struct xfer *x;
	struct urb_slot *u;
	size_t n;
	int rr;

	while (e->inst->enabled && !e->parked) {
		x = &e->x[e->start];
		if (x->st != X_IDLE)
			break;
		if (e->in) {
			if (e->stalled)
				break; /* until the device's halt is cleared */
			n = e->xsize;
			x->bot_csw = false;
			if (e->bot) {
				/* Bulk-Only: ask the device only for what the CBW announced, one
				 * request at a time; some devices stall an IN token that comes
				 * before a command (QEMU's usb-storage does). */
				if (x != &e->x[e->finish] || e->x[e->finish].st != X_IDLE)
					break;
				if (e->bot_in_plan) {
					n = e->bot_in_plan < e->xsize ? e->bot_in_plan : e->xsize;
					e->bot_in_plan -= n;
				} else if (e->bot_in_csw) {
					n = BOT_CSW_LEN;
					e->bot_in_csw = false;
					x->bot_csw = true;
				} else {
					break;
				}
			}
			u = urb_new(r, U_XFER);
			if (!u)
				return -ENOBUFS;
			u->x = x;
			x->seqnum = u->seqnum;
			x->epoch = e->epoch;
			x->len = n;
			x->actual = 0;
			x->zlp_after = false;
			rr = submit_urb(r, u, e->num, true, e->info->type, e->info->remote_interval,
					NULL, NULL, x->len);
			if (rr)
				return rr;
			x->st = X_URB;
		} else {
			n = out_next_size(e);
			if (!n)
				break;
			x->len = n;
			rr = ffs_aio_read(&r->aio, &x->req, e->fd, x->buf, n);
			if (rr) {
				if (e->bot)
					e->bot_cbw_posted = false;
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

	if (r->timer_armed)
		return;
	timerfd_settime(r->tfd, 0, &its, NULL);
	r->timer_armed = true;
}

/*
 * Forward host data that has arrived, joined (rule 3: only what is there): full
 * packets and at most one final short packet or ZLP per URB. When the remote's
 * packets are larger than the gadget's (rule 6), a URB must hold whole remote
 * packets, or the device sees a short packet where the host sent none: an odd
 * trailing full packet waits HOLD_NS for its other half, then goes alone.
 * Return: 1 if held, 0 if a URB was queued, -errno.
 */
static int out_forward(struct relay *r, struct rep *e)
{
	unsigned i = e->finish, n = 0, max = e->bot ? 1 : e->depth, k;
	struct xfer *first = &e->x[e->finish], *y;
	struct urb_slot *u;
	size_t total = 0;
	bool ended = false;
	int rr;

	while (n < max) {
		y = &e->x[i];
		if (y->st != X_READY)
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
	u = urb_new(r, U_XFER);
	if (!u)
		return -ENOBUFS;
	u->x = first;
	first->seqnum = u->seqnum;
	first->span = n;
	rr = submit_urb(r, u, e->num, false, e->info->type, e->info->remote_interval, NULL, NULL,
			total);
	for (k = 0, i = e->finish; !rr && k < n; k++, i = (i + 1) % e->depth) {
		rr = tx_queue(r, e->x[i].buf, e->x[i].actual, NULL, 0);
		e->x[i].st = X_URB;
		if (k)
			e->x[i].span = 0; /* only the first transfer of a URB names it */
	}
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
			if (!e->inst->enabled) {
				x->st = X_IDLE;
			} else {
				/* the ZLP goes to the UDC right behind its data: the next
				 * transfer's write must not get between them */
				rr = ffs_aio_write(&r->aio, &x->req, e->fd, x->buf, x->actual);
				x->aio = rr ? 0 : 1;
				if (!rr && x->zlp_after &&
				    !ffs_aio_write(&r->aio, &x->zreq, e->fd, x->buf, 0))
					x->aio++;
				if (rr)
					log_debug("ep%u: write not queued: %s", e->idx + 1, strerror(-rr));
				x->st = x->aio ? X_AIO : X_IDLE;
			}
		} else if (e->in && x->st == X_STALL) {
			for (i = 0; i < e->depth; i++)
				if (e->x[i].st == X_AIO)
					return 0; /* the UDC refuses to halt with writes queued */
			rr = ffs_ep_halt(e->fd, true);
			log_info("ep%u (remote 0x%02x): device stalled, gadget endpoint halted%s",
				 e->idx + 1, e->info->remote_addr, rr ? " (halt failed)" : "");
			x->st = X_IDLE;
		} else if (x->st == X_DONE) {
			x->st = X_IDLE;
		} else if (!e->in && x->st == X_READY) {
			if (e->inst->enabled) {
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

static int pump(struct relay *r, struct rep *e)
{
	int rr = ep_drain(r, e);

	return rr ? rr : ep_fill(r, e);
}

/* A CBW just read from the host: size what follows on both bulk endpoints. */
static void bot_saw_out(struct rep *e, const uint8_t *b, size_t n)
{
	uint32_t len;

	if (n != 31 || memcmp(b, "USBC", 4))
		return;
	len = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
	e->bot_cbw_posted = false;
	e->bot_cbw_in = b[12] & 0x80;
	e->bot_cbw_len = len;
	if (e->bot_cbw_in || !len) {
		e->bot_st = BOT_CBW;
		e->bot_out_left = 0;
		e->bot_out_unacked = 0;
	} else {
		e->bot_st = BOT_DATA_OUT;
		e->bot_out_left = len;
		e->bot_out_unacked = len;
	}
}

/* The device acknowledged an OUT transfer: plan the IN side of the command. */
static void bot_out_acked(struct rep *e, struct xfer *x, int status)
{
	struct rep *in = e->bot_peer;

	if (!in)
		return;
	if (x->bot_cbw) {
		if (status)
			return; /* the host will recover with a reset */
		if (e->bot_cbw_in && e->bot_cbw_len) {
			in->bot_in_plan = e->bot_cbw_len;
			in->bot_in_csw = true;
		} else if (!e->bot_cbw_len) {
			in->bot_in_csw = true;
		}
		return;
	}
	if (e->bot_out_unacked) {
		e->bot_out_unacked = x->actual < e->bot_out_unacked ? e->bot_out_unacked - x->actual : 0;
		if (!e->bot_out_unacked || status)
			in->bot_in_csw = true;
	}
}

/* Whether an IN completion needs a ZLP after it on the gadget side (rule 6). */
static bool in_needs_zlp(struct rep *e, struct xfer *x)
{
	bool remote_short = x->actual < x->len && (x->actual % e->rmps || x->actual == 0);
	bool gadget_full = x->actual && x->actual % e->gmps == 0;

	if (e->bot) {
		/* requests are exactly what the host expects: short means the host
		 * expects more, and must see the end of the data phase */
		if (x->actual < x->len && !x->bot_csw)
			e->bot_in_plan = 0;
		return x->actual < x->len && gadget_full;
	}
	if (remote_short && gadget_full && e->rmps != e->gmps && !e->inexact_logged) {
		log_info("ep%u: remote packet size %u differs from the gadget's %u: ends of IN "
			 "transfers are marked with a ZLP", e->idx + 1, e->rmps, e->gmps);
		e->inexact_logged = true;
	}
	return remote_short && gadget_full;
}

static int on_aio(struct relay *r)
{
	struct ffs_req *done[64];
	long res[64];
	int n, i, rr;

	/* a few rounds, then epoll again: ep0 and the socket get their turn */
	for (unsigned round = 0; round < 8; round++) {
		n = ffs_aio_reap(&r->aio, done, res, 64);
		if (n <= 0)
			return n;
		for (i = 0; i < n; i++) {
			struct xfer *x = done[i]->owner;
			struct rep *e = x->ep;

			/* the endpoint is disabled (O_NONBLOCK): the DISABLE event is on
			 * its way; resubmitting now would spin */
			if (res[i] == -EAGAIN)
				e->parked = true;
			if (e->in) {
				if (x->aio && --x->aio)
					continue; /* its ZLP is still queued */
				x->st = X_IDLE;
			} else if (res[i] < 0) {
				if (e->bot)
					e->bot_cbw_posted = false;
				x->st = X_DONE;
				/* cancelled (DISABLE) reads end -ECONNRESET or -ESHUTDOWN */
				if (res[i] != -ESHUTDOWN && res[i] != -ECANCELED && res[i] != -EINTR &&
				    res[i] != -ECONNRESET && res[i] != -EAGAIN)
					log_info("ep%u: read from the host failed: %s", e->idx + 1,
						 strerror((int)-res[i]));
			} else {
				x->actual = (size_t)res[i];
				x->bot_cbw = false;
				if (e->bot && x->actual == 31 && !memcmp(x->buf, "USBC", 4) &&
				    e->bot_st == BOT_CBW) {
					bot_saw_out(e, x->buf, x->actual);
					x->bot_cbw = true;
				}
				x->st = X_READY;
			}
			if (res[i] < 0 && res[i] != -ESHUTDOWN && res[i] != -ECANCELED && e->in)
				log_debug("ep%u: write to the host: %s", e->idx + 1,
					  strerror((int)-res[i]));
			rr = pump(r, e);
			if (rr)
				return rr;
		}
	}
	ffs_aio_kick(&r->aio); /* completions may be left: the eventfd was read */
	return 0;
}

/* ---- ep0 ---- */

/* While a SETUP is forwarded, no ep0 is read: a read would be taken as its data stage. */
static void ep0_poll(struct relay *r, bool on)
{
	unsigned k;

	for (k = 0; k < r->n_inst; k++) {
		struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u32 = 16 + k };

		epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->inst[k].ep0, &ev);
	}
	r->ep0_busy = !on;
}

static void ep0_stall(struct relay *r)
{
	uint8_t b;
	ssize_t n;

	/* the direction opposite to the data stage stalls (f_fs.c ffs_ep0_read/write) */
	if (r->setup.bRequestType & USB_DIR_IN)
		n = read(r->ctrl_inst->ep0, &b, 0);
	else
		n = write(r->ctrl_inst->ep0, &b, 0);
	(void)n;
}

static void ep0_ack_or_data(struct relay *r, const uint8_t *data, size_t len)
{
	ssize_t n;

	if (r->setup.bRequestType & USB_DIR_IN)
		n = write(r->ctrl_inst->ep0, data, len);
	else
		n = read(r->ctrl_inst->ep0, NULL, 0);
	if (n < 0 && errno != EIDRM && errno != EL2HLT)
		log_debug("ep0: reply to the host: %s", strerror(errno));
}

static int on_setup(struct relay *r, struct inst *in_, const struct usb_ctrlrequest *cr)
{
	const struct ffs_map *m = in_->map;
	uint16_t wvalue = __le16_to_cpu(cr->wValue), windex = __le16_to_cpu(cr->wIndex);
	uint16_t wlength = __le16_to_cpu(cr->wLength);
	bool in = (cr->bRequestType & USB_DIR_IN) && wlength;
	uint8_t setup[8];
	struct urb_slot *u;
	ssize_t n;

	r->setup = *cr;
	r->ctrl_inst = in_;
	switch (cr->bRequestType & USB_RECIP_MASK) {
	case USB_RECIP_INTERFACE:
		if (windex < m->n_intf)
			windex = m->intf_remote[windex];
		break;
	case USB_RECIP_ENDPOINT:
		if (windex >= 1 && windex <= m->n_ep)
			windex = m->ep[windex - 1].remote_addr;
		break;
	}
	log_debug("ep0: setup %02x %02x %04x %04x (remote %04x) %u", cr->bRequestType,
		  cr->bRequest, wvalue, __le16_to_cpu(cr->wIndex), windex, wlength);
	if (wlength > CTRL_BUF) {
		ep0_stall(r);
		return 0;
	}
	setup[0] = cr->bRequestType;
	setup[1] = cr->bRequest;
	setup[2] = (uint8_t)wvalue;
	setup[3] = (uint8_t)(wvalue >> 8);
	setup[4] = (uint8_t)windex;
	setup[5] = (uint8_t)(windex >> 8);
	setup[6] = (uint8_t)wlength;
	setup[7] = (uint8_t)(wlength >> 8);
	if (!in && wlength) {
		/* OUT data stage: it must be read before it can be forwarded, and the UDC
		 * completes the status stage itself, so such a request cannot be stalled. */
		n = read(in_->ep0, r->ctrl_buf, wlength);
		if (n != wlength) {
			log_info("ep0: host data stage of %u bytes: %s", wlength,
				 n < 0 ? strerror(errno) : "short");
			return 0;
		}
	}
	u = urb_new(r, U_CTRL);
	if (!u)
		return -ENOBUFS;
	r->ctrl_seqnum = u->seqnum;
	if (in || !wlength) {
		struct itimerspec its = { .it_value = { CTRL_TIMEOUT_S, 0 } };

		ep0_poll(r, false); /* reply after RET_SUBMIT; no ep0 reads meanwhile */
		timerfd_settime(r->ctfd, 0, &its, NULL);
	}
	return submit_urb(r, u, 0, in, USB_XFER_CONTROL, 0, setup, in ? NULL : r->ctrl_buf, wlength);
}

static void ep_start(struct inst *in_)
{
	unsigned i, addr, mps;
	struct rep *e;

	for (i = 0; i < in_->n_ep; i++) {
		e = &in_->ep[i];
		if (ffs_ep_desc(e->fd, &addr, &mps) == 0) {
			e->gmps = mps ? mps : 64;
			log_info("ep%u: host sees 0x%02x (wMaxPacketSize %u) for remote 0x%02x (%u)",
				 i + 1, addr, mps, e->info->remote_addr, e->rmps);
		}
		if (!e->bot && !e->in)
			e->xsize = e->gmps;
		e->parked = false;
		e->bot_st = BOT_CBW;
		e->bot_cbw_posted = false;
		e->bot_out_left = e->bot_out_unacked = 0;
		e->bot_in_plan = 0;
		e->bot_in_csw = false;
	}
}

/*
 * Bus reset, disconnect or deconfiguration (FUNCTIONFS_DISABLE): stop reading ahead,
 * drop what the host can no longer expect, abandon the URBs in flight. The server
 * answers an unlink with RET_UNLINK (or the RET_SUBMIT that won the race); an
 * abandoned URB that completes with -ESHUTDOWN is then no sign of a lost device.
 */
static int inst_disable(struct relay *r, struct inst *in_)
{
	unsigned i, k;
	int rr;

	if (!in_->enabled)
		return 0;
	in_->enabled = false;
	for (i = 0; i < in_->n_ep; i++) {
		struct rep *e = &in_->ep[i];

		e->held = false;
		for (k = 0; k < e->depth; k++) {
			struct xfer *x = &e->x[k];

			if (x->st == X_AIO) {
				ffs_aio_cancel(&r->aio, &x->req);
				ffs_aio_cancel(&r->aio, &x->zreq);
			}
			if (x->st == X_URB && (e->in || x->span)) {
				struct urb_slot *u = urb_find(r, x->seqnum);

				if (u && !u->unlinking) {
					rr = send_unlink(r, u);
					if (rr)
						return rr;
				}
			}
			if (x->st == X_READY || x->st == X_STALL)
				x->st = X_DONE;
		}
		e->stalled = false;
	}
	return 0;
}

static int on_event(struct relay *r, struct inst *in_, const struct usb_functionfs_event *ev)
{
	unsigned i;
	int rr;

	if (r->n_inst > 1)
		log_info("FunctionFS event %s (configuration %u)", ev_name(ev->type), in_->cfgval);
	else
		log_info("FunctionFS event %s", ev_name(ev->type));
	switch (ev->type) {
	case FUNCTIONFS_ENABLE:
		/* FunctionFS keeps only the newest of DISABLE/ENABLE: an ENABLE while
		 * enabled is a new SET_CONFIGURATION (or SET_INTERFACE) by the host */
		rr = inst_disable(r, in_);
		if (rr)
			return rr;
		if (r->was_enabled) {
			/*
			 * The host reset, reconfigured or replugged the gadget: FunctionFS
			 * shows all three as DISABLE/ENABLE. Reset the device too, so that
			 * it forgets a half-done transfer (a mass-storage device mid-command
			 * would stall the host's next CBW): usbip-host turns SET_FEATURE
			 * (PORT_RESET) with bRequestType USB_RT_PORT into usb_reset_device()
			 * (drivers/usb/usbip/stub_rx.c, tweak_reset_device_cmd()).
			 */
			uint8_t s[8] = { 0x23, 0x03, 4 /* USB_PORT_FEAT_RESET */, 0, 0, 0, 0, 0 };

			rr = remote_ctrl(r, U_RESET, s);
			if (rr)
				return rr;
		}
		r->was_enabled = true;
		{
			uint8_t s[8] = { 0x00, 0x09, in_->cfgval, 0, 0, 0, 0, 0 };

			rr = remote_ctrl(r, U_SETCONF, s);
			if (rr)
				return rr;
			r->setconf_val = in_->cfgval;
		}
		in_->enabled = true;
		ep_start(in_);
		for (i = 0; i < in_->n_ep; i++) {
			rr = pump(r, &in_->ep[i]);
			if (rr)
				return rr;
		}
		return 0;
	case FUNCTIONFS_DISABLE:
		return inst_disable(r, in_);
	case FUNCTIONFS_SETUP:
		return on_setup(r, in_, &ev->u.setup);
	case FUNCTIONFS_UNBIND:
		log_info("the gadget was unbound from its UDC");
		r->stop = true;
		r->result = -ENODEV;
		return 0;
	default:
		return 0;
	}
}

static int on_ep0(struct relay *r, struct inst *in_)
{
	struct usb_functionfs_event ev[4];
	int n, i, rr;

	while (!r->ep0_busy) {
		n = ffs_ep0_events(in_->ep0, ev, 4);
		if (n <= 0)
			return n == -EINTR ? 0 : n;
		for (i = 0; i < n; i++) {
			rr = on_event(r, in_, &ev[i]);
			if (rr)
				return rr;
		}
	}
	return 0;
}

/* ---- socket ---- */

static ssize_t rx_payload_len(void *arg, const struct usbip_header *h)
{
	struct relay *r = arg;
	struct urb_slot *u;

	switch (h->command) {
	case USBIP_RET_SUBMIT:
		u = urb_find(r, h->seqnum);
		if (!u || u->kind == U_UNLINK) {
			log_warnx("%s: RET_SUBMIT for unknown seqnum %u", r->c->remote.name, h->seqnum);
			return -EPROTO;
		}
		if (h->u.ret_submit.actual_length < 0 ||
		    (size_t)h->u.ret_submit.actual_length > u->len) {
			log_warnx("%s: RET_SUBMIT seqnum %u: actual_length %d exceeds the %zu bytes "
				  "requested", r->c->remote.name, h->seqnum,
				  h->u.ret_submit.actual_length, u->len);
			return -EPROTO;
		}
		return u->in ? h->u.ret_submit.actual_length : 0;
	case USBIP_RET_UNLINK:
		return 0;
	default:
		log_warnx("%s: unexpected %s from the server", r->c->remote.name,
			  usbip_command_str(h->command));
		return -EPROTO;
	}
}

static int on_ret_xfer(struct relay *r, struct urb_slot *u, const struct usbip_header *h,
		       const uint8_t *payload, size_t len)
{
	struct xfer *x = u->x;
	struct rep *e = x->ep;
	int status = h->u.ret_submit.status;
	bool unlinking = u->unlinking;

	urb_free(r, u);
	if (status == -ESHUTDOWN || status == -ENODEV || status == -EPROTO) {
		if (!unlinking && e->inst->enabled && status != -EPROTO) {
			log_warnx("ep%u (remote 0x%02x): the device is gone (%s)", e->idx + 1,
				  e->info->remote_addr, strerror(-status));
			r->stop = true;
			r->result = -ENODEV;
			return 0;
		}
	}
	if (e->in) {
		if (unlinking || !e->inst->enabled || status == -ECONNRESET || status == -ENOENT) {
			x->st = X_DONE;
		} else if (status == -EPIPE && x->epoch != e->epoch) {
			/* submitted before the halt was cleared on the device: the host
			 * sees the first stall only */
			x->st = X_DONE;
		} else if (status == -EPIPE) {
			int rr;

			/* halt the gadget endpoint in order (ep_drain), clear the device's
			 * at once; no new URBs until that is done */
			x->st = X_STALL;
			e->epoch++;
			e->stalled = true;
			rr = clear_remote_halt(r, e);
			if (rr)
				return rr;
			if (e->bot && !x->bot_csw) {
				e->bot_in_plan = 0;
				e->bot_in_csw = true; /* after the halt is cleared, BOT 6.7.2 */
			}
		} else {
			if (len)
				memcpy(x->buf, payload, len);
			x->actual = len;
			if (status && status != -EREMOTEIO)
				log_info("ep%u: IN URB status %s", e->idx + 1, strerror(-status));
			x->zlp_after = in_needs_zlp(e, x);
			x->st = X_READY;
		}
	} else {
		unsigned k, i = (unsigned)(x - e->x);

		for (k = 0; k < (x->span ? x->span : 1); k++, i = (i + 1) % e->depth)
			e->x[i].st = X_IDLE;
		if (e->bot && !unlinking) {
			bot_out_acked(e, x, status);
			if (e->bot_peer) {
				int rr = pump(r, e->bot_peer);

				if (rr)
					return rr;
			}
		}
		if (status == -EPIPE && e->inst->enabled) {
			log_info("ep%u (remote 0x%02x): device stalled an OUT transfer", e->idx + 1,
				 e->info->remote_addr);
			ffs_ep_halt(e->fd, false);
			clear_remote_halt(r, e);
		} else if (status && status != -ECONNRESET) {
			log_info("ep%u: OUT URB status %s", e->idx + 1, strerror(-status));
		}
	}
	return pump(r, e);
}

static int rx_message(void *arg, const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	struct relay *r = arg;
	struct urb_slot *u, *t;
	int status;

	if (h->command == USBIP_RET_UNLINK) {
		u = urb_find(r, h->seqnum);
		if (!u || u->kind != U_UNLINK)
			return 0; /* vhci, too, ignores an unlink it does not track */
		{
			uint32_t target = u->target;

			urb_free(r, u); /* may move other slots: look the target up after */
			t = urb_find(r, target);
		}
		if (t && t->kind == U_XFER) {
			/* unlinked before completion: no RET_SUBMIT will come */
			struct xfer *x = t->x;
			struct rep *e = x->ep;
			unsigned k, i = (unsigned)(x - e->x);

			for (k = 0; k < (!e->in && x->span ? x->span : 1); k++, i = (i + 1) % e->depth)
				e->x[i].st = e->in ? X_DONE : X_IDLE;
			urb_free(r, t);
			return pump(r, e);
		}
		if (t)
			urb_free(r, t); /* e.g. a control request that timed out */
		return 0;
	}
	u = urb_find(r, h->seqnum); /* rx_payload_len() already checked it exists */
	if (!u)
		return -EPROTO;
	status = h->u.ret_submit.status;
	switch (u->kind) {
	case U_XFER:
		return on_ret_xfer(r, u, h, payload, len);
	case U_CTRL:
		urb_free(r, u);
		if (h->seqnum == r->ctrl_seqnum && r->ep0_busy) {
			struct itimerspec off = { { 0, 0 }, { 0, 0 } };

			timerfd_settime(r->ctfd, 0, &off, NULL);
			if (status)
				ep0_stall(r);
			else
				ep0_ack_or_data(r, payload, len);
			ep0_poll(r, true);
			return on_ep0(r, r->ctrl_inst);
		}
		return 0;
	case U_SETCONF:
		urb_free(r, u);
		if (status)
			log_warnx("the device refused SET_CONFIGURATION(%u): %s",
				  r->setconf_val, strerror(-status));
		return 0;
	case U_CLEARHALT: {
		struct rep *e = u->ep;

		urb_free(r, u);
		if (status)
			log_info("clearing a halt on the device failed: %s", strerror(-status));
		if (!e)
			return 0;
		e->stalled = false;
		return pump(r, e);
	}
	default:
		urb_free(r, u);
		return 0;
	}
}

static const struct usbip_rx_ops rx_ops = {
	.payload_len = rx_payload_len,
	.message = rx_message,
};

static int on_socket(struct relay *r, uint32_t events)
{
	uint8_t buf[65536];
	ssize_t n;
	int rr;

	if (events & EPOLLOUT) {
		rr = tx_flush(r);
		if (rr)
			return rr;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	/* at most 1 MiB per wakeup: a server that never stops sending must not
	 * starve ep0, the timers and the signals (epoll reports the rest again) */
	for (unsigned k = 0; k < 16; k++) {
		n = recv(r->c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0) {
			log_warnx("%s closed the connection", r->c->remote.name);
			return -ECONNRESET;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return log_warn_errno(-errno, "%s: connection lost", r->c->remote.name);
		}
		rr = (int)usbip_rx_feed(&r->rx, buf, (size_t)n, &rx_ops, r);
		if (rr < 0)
			return rr == -EPROTO || rr == -EMSGSIZE ? -EPROTO : rr;
		if (r->stop)
			return 0;
	}
	return 0;
}

static int on_timer(struct relay *r)
{
	uint64_t n;
	unsigned i;
	int rr;

	if (read(r->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	r->timer_armed = false;
	for (i = 0; i < r->n_inst * FFS_MAX_EPS; i++) {
		struct inst *in_ = &r->inst[i / FFS_MAX_EPS];
		struct rep *e = &in_->ep[i % FFS_MAX_EPS];

		if (i % FFS_MAX_EPS >= in_->n_ep)
			continue;

		if (!e->held)
			continue;
		e->hold_expired = true;
		rr = pump(r, e);
		e->hold_expired = false;
		if (rr)
			return rr;
	}
	return 0;
}

/* The device did not answer a forwarded SETUP in time: stall it for the host. */
static int on_ctrl_timeout(struct relay *r)
{
	struct urb_slot *u;
	uint64_t n;

	if (read(r->ctfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	if (!r->ep0_busy)
		return 0;
	log_info("ep0: the device did not answer request %02x %02x within %d s: stalled",
		 r->setup.bRequestType, r->setup.bRequest, CTRL_TIMEOUT_S);
	u = urb_find(r, r->ctrl_seqnum);
	if (u && !u->unlinking) {
		int rr = send_unlink(r, u);

		if (rr)
			return rr;
	}
	r->ctrl_seqnum = 0; /* a late RET_SUBMIT is then dropped */
	ep0_stall(r);
	ep0_poll(r, true);
	return on_ep0(r, r->ctrl_inst);
}

/* ---- set-up and the loop ---- */

static int setup_eps(struct inst *in_, const struct relay_inst *pi)
{
	const struct ffs_map *m = pi->map;
	unsigned i, k;

	in_->n_ep = m->n_ep;
	for (i = 0; i < m->n_ep; i++) {
		struct rep *e = &in_->ep[i];
		const struct ffs_ep_info *in = &m->ep[i];
		uint8_t cls = m->intf_class[in->intf_index];
		uint8_t sub = m->intf_subclass[in->intf_index];
		uint8_t proto = m->intf_protocol[in->intf_index];

		e->inst = in_;
		e->idx = i;
		e->fd = pi->ep_fd[i];
		e->info = in;
		e->in = in->remote_addr & 0x80;
		e->num = in->remote_addr & 0x0f;
		e->rmps = in->remote_mps ? in->remote_mps : 64;
		e->gmps = in->mps[FFS_SPEED_HS] ? in->mps[FFS_SPEED_HS] : 64;
		/* Bulk-Only mass storage: class 8, SCSI transparent, protocol 0x50 */
		e->bot = in->type == USB_XFER_BULK && cls == 8 && sub == 6 && proto == 0x50;
		if (in->type == USB_XFER_INT) {
			e->depth = 2;
			e->xsize = e->rmps;
		} else if (e->bot) {
			e->depth = 8;
			e->xsize = e->in ? BOT_IN_CHUNK : BOT_CHUNK;
		} else {
			e->depth = XFER_DEPTH_MAX;
			e->xsize = e->in ? e->rmps : e->gmps;
		}
		for (k = 0; k < e->depth; k++) {
			e->x[k].ep = e;
			e->x[k].req.owner = &e->x[k];
			e->x[k].zreq.owner = &e->x[k];
			e->x[k].buf = malloc(e->bot && e->in ? BOT_IN_CHUNK :
					     e->bot || !e->in ? BOT_CHUNK : e->rmps);
			if (!e->x[k].buf)
				return -ENOMEM;
		}
	}
	for (i = 0; i < in_->n_ep; i++)
		for (k = 0; k < in_->n_ep; k++)
			if (in_->ep[i].bot && in_->ep[k].bot && in_->ep[i].in != in_->ep[k].in &&
			    in_->ep[i].info->intf_index == in_->ep[k].info->intf_index)
				in_->ep[i].bot_peer = &in_->ep[k];
	return 0;
}

int relay_run(const struct relay_params *p)
{
	struct relay *r;
	struct epoll_event ev, evs[8];
	unsigned i, k;
	int n, rr = 0;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->c = p->client;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	r->ctfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	rr = r->epfd < 0 || r->tfd < 0 || r->ctfd < 0 ? -errno : 0;
	if (!rr)
		rr = ffs_aio_init(&r->aio, 2 * FFS_MAX_EPS * XFER_DEPTH_MAX); /* data + ZLP */
	if (!rr)
		rr = usbip_rx_init(&r->rx, RX_MAX_PAYLOAD);
	r->n_inst = p->n_inst;
	for (i = 0; !rr && i < p->n_inst; i++) {
		r->inst[i].k = i;
		r->inst[i].ep0 = p->inst[i].ep0;
		r->inst[i].map = p->inst[i].map;
		r->inst[i].cfgval = p->inst[i].bConfigurationValue;
		rr = setup_eps(&r->inst[i], &p->inst[i]);
	}
	if (rr) {
		log_warn_errno(rr, "cannot start the relay");
		goto out;
	}
	ev.events = EPOLLIN;
	ev.data.u32 = 0;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, p->sigfd, &ev);
	ev.data.u32 = 1;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->c->fd, &ev);
	for (i = 0; i < r->n_inst; i++) {
		ev.data.u32 = 16 + i;
		epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->inst[i].ep0, &ev);
	}
	ev.data.u32 = 3;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->aio.efd, &ev);
	ev.data.u32 = 4;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->tfd, &ev);
	ev.data.u32 = 5;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->ctfd, &ev);
	for (i = 0; !rr && i < r->n_inst; i++)
		rr = on_ep0(r, &r->inst[i]); /* BIND and perhaps ENABLE are already queued */
	while (!rr && !r->stop) {
		rr = tx_flush(r);
		if (rr)
			break;
		n = epoll_wait(r->epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rr = -errno;
			break;
		}
		for (i = 0; i < (unsigned)n && !rr && !r->stop; i++) {
			switch (evs[i].data.u32) {
			case 0: {
				struct signalfd_siginfo si;

				if (read(p->sigfd, &si, sizeof(si)) == sizeof(si)) {
					log_info("signal %u: stopping", si.ssi_signo);
					r->stop = true;
					r->result = 0;
				}
				break;
			}
			case 1:
				rr = on_socket(r, evs[i].events);
				break;
			case 3:
				rr = on_aio(r);
				break;
			case 4:
				rr = on_timer(r);
				break;
			case 5:
				rr = on_ctrl_timeout(r);
				break;
			default:
				if (evs[i].data.u32 >= 16 && evs[i].data.u32 < 16 + r->n_inst)
					rr = on_ep0(r, &r->inst[evs[i].data.u32 - 16]);
				break;
			}
		}
	}
	if (!rr)
		rr = r->result;
	else if (rr != -ECONNRESET && rr != -EPROTO)
		log_warn_errno(rr, "relay stopped");
out:
	/* outstanding AIO must be cancelled before buffers go */
	for (i = 0; i < r->n_inst * FFS_MAX_EPS; i++) {
		struct rep *e = &r->inst[i / FFS_MAX_EPS].ep[i % FFS_MAX_EPS];

		for (k = 0; k < e->depth; k++)
			if (e->x[k].st == X_AIO) {
				ffs_aio_cancel(&r->aio, &e->x[k].req);
				ffs_aio_cancel(&r->aio, &e->x[k].zreq);
			}
	}
	if (r->aio.ctx)
		ffs_aio_destroy(&r->aio);
	for (i = 0; i < r->n_inst * FFS_MAX_EPS; i++) {
		struct rep *e = &r->inst[i / FFS_MAX_EPS].ep[i % FFS_MAX_EPS];

		for (k = 0; k < e->depth; k++)
			free(e->x[k].buf);
	}
	usbip_rx_free(&r->rx);
	free(r->tx);
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->tfd >= 0)
		close(r->tfd);
	if (r->ctfd >= 0)
		close(r->ctfd);
	free(r);
	return rr;
}
