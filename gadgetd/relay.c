// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * relay.c - the event loop, each instance's lifecycle, and the dispatch of the
 * backend's events and the server's replies to the modules that handle them
 * (relay_core.h lists them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "gadgetd/log.h"
#include "gadgetd/notify.h"
#include "gadgetd/readahead.h"
#include "gadgetd/relay.h"
#include "gadgetd/relay_core.h"
#include "gadgetd/status.h"
#include "gadgetd/usb_wire.h"

#define USB_PORT_FEAT_RESET 4
/* AIO requests in flight at most: data + ZLP per transfer of every ring (rule 2) */
#define RELAY_IO_MAX (2 * FFS_MAX_EPS * XFER_DEPTH_MAX)

static const char *ev_name(enum gb_event_type t)
{
	static const char *const n[] = { "BIND", "UNBIND", "ENABLE", "DISABLE", "SETUP",
					 "SUSPEND", "RESUME" };
	return (unsigned)t < sizeof(n) / sizeof(n[0]) ? n[t] : "UNKNOWN";
}

static const char *life_name(enum inst_life l)
{
	static const char *const n[] = { "bound", "enabled", "suspended", "disabled" };
	return (unsigned)l < sizeof(n) / sizeof(n[0]) ? n[l] : "?";
}

/* ---- what the modules share (relay_core.h) ---- */

struct urb_slot *relay_submit(struct relay *r, enum urb_kind kind, unsigned ep, bool in,
			      unsigned interval, const uint8_t *setup, const uint8_t *data,
			      size_t len, int *err)
{
	struct urb_slot *u = urb_new(&r->urbs, client_seqnum(r->conn.c), kind);

	if (!u) {
		*err = -ENOBUFS;
		return NULL;
	}
	u->in = in;
	u->ep_addr = (uint8_t)(ep | (in ? 0x80 : 0));
	u->len = len;
	*err = conn_submit(&r->conn, u->seqnum, ep, in, interval, setup, data, len);
	u->tx_end = r->conn.tx_queued;
	return *err ? NULL : u;
}

int relay_unlink(struct relay *r, struct urb_slot *target)
{
	uint32_t tseq = target->seqnum;
	struct urb_slot *u;

	target->unlinking = true;
	u = urb_new(&r->urbs, client_seqnum(r->conn.c), U_UNLINK);
	if (!u)
		return -ENOBUFS;
	u->target = tseq;
	return conn_unlink(&r->conn, u->seqnum, tseq);
}

int relay_remote_ctrl(struct relay *r, enum urb_kind kind, const uint8_t setup[8])
{
	int rr;

	return relay_submit(r, kind, 0, false, 0, setup, NULL, 0, &rr) ? 0 : rr;
}

void relay_ep0_poll(struct relay *r, bool on)
{
	unsigned k;

	for (k = 0; k < r->n_inst; k++) {
		struct epoll_event ev = { .events = on ? EPOLLIN : 0,
					  .data.u32 = TOK_EP0_BASE + k };

		epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->gb->ops->ep0_fd(r->gb, k), &ev);
	}
}

/* ---- instance lifecycle ---- */

static void set_life(struct inst *in_, enum inst_life l)
{
	if (in_->life != l)
		log_debug("configuration %u: %s -> %s", in_->cfgval, life_name(in_->life),
			  life_name(l));
	in_->life = l;
	if (inst_enabled(in_))
		status_host(in_->cfgval, l == LIFE_SUSPENDED);
	else
		status_host_off(in_->cfgval);
}

/*
 * Bus reset, disconnect or deconfiguration: stop reading ahead, drop what the
 * host can no longer expect, abandon the URBs in flight. The server answers an
 * unlink with RET_UNLINK (or the RET_SUBMIT that won the race); an abandoned URB
 * that completes with -ESHUTDOWN is then no sign of a lost device.
 */
static int inst_disable(struct relay *r, struct inst *in_)
{
	unsigned i;
	int rr;

	if (!inst_enabled(in_))
		return 0;
	set_life(in_, LIFE_DISABLED);
	for (i = 0; i < in_->n_ep; i++) {
		if (!in_->ep[i].active)
			continue;
		rr = pump_ep_stop(r, &in_->ep[i]);
		if (rr)
			return rr;
		r->gb->ops->ep_disable(r->gb, in_->k, i);
	}
	return 0;
}

static bool in_intf(const struct inst *in_, const struct rep *e, unsigned intf)
{
	unsigned k = e->info->intf_index;

	return k < in_->map->n_intf && in_->map->intf_remote[k] == intf;
}

int relay_alt_stop(struct relay *r, struct inst *in_, unsigned intf)
{
	unsigned i;
	int rr;

	for (i = 0; i < in_->n_ep; i++) {
		struct rep *e = &in_->ep[i];

		if (!e->active || !in_intf(in_, e, intf))
			continue;
		rr = inst_enabled(in_) ? pump_ep_stop(r, e) : 0;
		if (rr)
			return rr;
		e->active = false;
		r->gb->ops->ep_disable(r->gb, in_->k, i);
	}
	return 0;
}

static int ep_go(struct relay *r, struct inst *in_, unsigned i)
{
	struct rep *e = &in_->ep[i];
	int rr;

	e->active = true;
	rr = r->gb->ops->ep_enable(r->gb, in_->k, i);
	if (rr)
		return log_warn_errno(rr, "enabling endpoint %u (remote 0x%02x)", i + 1,
				      e->info->remote_addr);
	pump_ep_start(r, e);
	return 0;
}

int relay_alt_start(struct relay *r, struct inst *in_, unsigned intf, unsigned alt)
{
	unsigned i;
	int rr;

	for (i = 0; i < in_->map->n_intf && i < FFS_MAX_INTF; i++)
		if (in_->map->intf_remote[i] == intf)
			in_->cur_alt[i] = (uint8_t)alt;
	if (!inst_enabled(in_))
		return 0;
	for (i = 0; i < in_->n_ep; i++) {
		if (!in_intf(in_, &in_->ep[i], intf) || in_->ep[i].info->alt != alt)
			continue;
		rr = ep_go(r, in_, i);
		if (rr)
			return rr;
	}
	log_info("interface %u: alternate setting %u", intf, alt);
	for (i = 0; i < in_->n_ep; i++) {
		if (!in_intf(in_, &in_->ep[i], intf))
			continue;
		rr = pump(r, &in_->ep[i]);
		if (rr)
			return rr;
	}
	return 0;
}

static int inst_enable(struct relay *r, struct inst *in_)
{
	uint8_t s[USB_SETUP_LEN];
	unsigned i;
	int rr;

	notify_ready("relaying: the host configured the device (configuration %u); server %s",
		     in_->cfgval, r->conn.c->remote.name);
	/* the backend keeps only the newest of DISABLE/ENABLE: an ENABLE while
	 * enabled is a new SET_CONFIGURATION (or SET_INTERFACE) by the host */
	rr = inst_disable(r, in_);
	if (rr)
		return rr;
	if (r->was_enabled) {
		/*
		 * The host reset, reconfigured or replugged the gadget: the backends
		 * show all three as DISABLE/ENABLE. Reset the device too, so that it
		 * forgets a half-done transfer (a mass-storage device mid-command
		 * would stall the host's next CBW): usbip-host turns SET_FEATURE
		 * (PORT_RESET) with bRequestType USB_RT_PORT into usb_reset_device()
		 * (drivers/usb/usbip/stub_rx.c, tweak_reset_device_cmd()).
		 */
		usb_setup_pack(s, USB_TYPE_CLASS | USB_RECIP_OTHER, USB_REQ_SET_FEATURE,
			       USB_PORT_FEAT_RESET, 0, 0);
		rr = relay_remote_ctrl(r, U_RESET, s);
		if (rr)
			return rr;
	}
	r->was_enabled = true;
	usb_setup_pack(s, 0, USB_REQ_SET_CONFIGURATION, in_->cfgval, 0, 0);
	rr = relay_remote_ctrl(r, U_SETCONF, s);
	if (rr)
		return rr;
	r->setconf_val = in_->cfgval;
	set_life(in_, LIFE_ENABLED);
	memset(in_->cur_alt, 0, sizeof(in_->cur_alt));
	for (i = 0; i < in_->n_ep; i++) {
		in_->ep[i].active = false;
		if (in_->ep[i].info->alt != 0)
			continue;
		rr = ep_go(r, in_, i);
		if (rr)
			return rr;
	}
	for (i = 0; i < in_->n_ep; i++) {
		rr = pump(r, &in_->ep[i]);
		if (rr)
			return rr;
	}
	return 0;
}

static int on_event(struct relay *r, struct inst *in_, const struct gb_event *ev)
{
	/* a SETUP comes with every control request: detail, not a state change */
	void (*say)(const char *, ...) = ev->type == GB_EV_SETUP ? log_debug : log_info;

	if (r->n_inst > 1)
		say("%s event %s (configuration %u)", r->gb->ops->name, ev_name(ev->type),
		    in_->cfgval);
	else
		say("%s event %s", r->gb->ops->name, ev_name(ev->type));
	switch (ev->type) {
	case GB_EV_ENABLE:
		return inst_enable(r, in_);
	case GB_EV_DISABLE:
		return inst_disable(r, in_);
	case GB_EV_SETUP:
		return ep0_setup(r, in_, &ev->setup);
	case GB_EV_SUSPEND:
		if (in_->life == LIFE_ENABLED)
			set_life(in_, LIFE_SUSPENDED);
		return 0;
	case GB_EV_RESUME:
		if (in_->life == LIFE_SUSPENDED)
			set_life(in_, LIFE_ENABLED);
		return 0;
	case GB_EV_UNBIND:
		log_info("the gadget was unbound from its UDC");
		r->stop = true;
		r->result = -ENODEV;
		return 0;
	default:
		return 0;
	}
}

int relay_ep0_resume(struct relay *r, struct inst *in_)
{
	struct gb_event ev[4];
	int n, i, rr;

	while (!ep0_busy(&r->ctrl)) {
		n = r->gb->ops->events(r->gb, in_->k, ev, 4);
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

/* ---- the server's replies ---- */

/* How many payload bytes follow a header: judged against the URB table. */
static ssize_t rx_payload_len(void *arg, const struct usbip_header *h)
{
	struct relay *r = arg;
	struct urb_slot *u;

	switch (h->command) {
	case USBIP_RET_SUBMIT:
		u = urb_find(&r->urbs, h->seqnum);
		if (!u || u->kind == U_UNLINK) {
			log_warnx("%s: RET_SUBMIT for unknown seqnum %u", r->conn.c->remote.name,
				  h->seqnum);
			return -EPROTO;
		}
		if (u->tx_end > r->conn.tx_sent) {
			log_warnx("%s: RET_SUBMIT for seqnum %u, whose CMD_SUBMIT is not sent yet",
				  r->conn.c->remote.name, h->seqnum);
			return -EPROTO;
		}
		if (h->u.ret_submit.actual_length < 0 ||
		    (size_t)h->u.ret_submit.actual_length > u->len) {
			log_warnx("%s: RET_SUBMIT seqnum %u: actual_length %d exceeds the %zu bytes "
				  "requested", r->conn.c->remote.name, h->seqnum,
				  h->u.ret_submit.actual_length, u->len);
			return -EPROTO;
		}
		return u->in ? h->u.ret_submit.actual_length : 0;
	case USBIP_RET_UNLINK:
		return 0;
	default:
		log_warnx("%s: unexpected %s from the server", r->conn.c->remote.name,
			  usbip_command_str(h->command));
		return -EPROTO;
	}
}

static int on_ret_unlink(struct relay *r, const struct usbip_header *h)
{
	struct urb_slot *u = urb_find(&r->urbs, h->seqnum), *t;
	uint32_t target;

	if (!u || u->kind != U_UNLINK)
		return 0; /* vhci, too, ignores an unlink it does not track */
	target = u->target;
	urb_free(&r->urbs, u); /* may move other slots: look the target up after */
	t = urb_find(&r->urbs, target);
	if (t && t->kind == U_XFER)
		return pump_unlinked(r, t);
	if (t && t->kind == U_RA)
		return ra_unlinked(r, t);
	if (t)
		urb_free(&r->urbs, t); /* e.g. a control request that timed out */
	return 0;
}

static int rx_message(void *arg, const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	struct relay *r = arg;
	struct urb_slot *u;
	struct rep *e;
	uint32_t seqnum = h->seqnum;
	int status;

	if (h->command == USBIP_RET_UNLINK)
		return on_ret_unlink(r, h);
	u = urb_find(&r->urbs, seqnum); /* rx_payload_len() already checked it exists */
	if (!u)
		return -EPROTO;
	status = h->u.ret_submit.status;
	status_urb(u->ep_addr, (uint32_t)h->u.ret_submit.actual_length); /* checked >= 0 */
	switch (u->kind) {
	case U_XFER:
		return pump_ret_submit(r, u, status, payload, len);
	case U_CTRL:
		urb_free(&r->urbs, u);
		return ep0_ret_submit(r, seqnum, status, payload, len);
	case U_SETCONF:
		urb_free(&r->urbs, u);
		if (status)
			log_warnx("the device refused SET_CONFIGURATION(%u): %s", r->setconf_val,
				  strerror(-status));
		return 0;
	case U_RA:
		return ra_ret_submit(r, u, status, payload, len);
	case U_CLEARHALT:
		e = u->ep;
		urb_free(&r->urbs, u);
		return e ? pump_clear_halt_done(r, e, status) : 0;
	default:
		urb_free(&r->urbs, u);
		return 0;
	}
}

const struct usbip_rx_ops relay_rx_ops = {
	.payload_len = rx_payload_len,
	.message = rx_message,
};

/* ---- completions ---- */

static int on_aio(struct relay *r)
{
	struct ffs_req *done[64];
	struct rep *touched[64], *e;
	long res[64];
	int n, i, k, rr;

	/* a few rounds, then epoll again: ep0 and the socket get their turn */
	for (unsigned round = 0; round < 8; round++) {
		n = r->gb->ops->reap(r->gb, done, res, 64);
		if (n <= 0)
			return n;
		/* take the whole batch in, then pump each endpoint once (rule 3) */
		for (i = 0, k = 0; i < n; i++) {
			e = pump_aio_done(r, done[i], res[i]);
			if (!e->dirty) {
				e->dirty = true;
				touched[k++] = e;
			}
		}
		for (i = 0, rr = 0; i < k; i++) {
			touched[i]->dirty = false;
			if (!rr)
				rr = pump(r, touched[i]);
		}
		if (rr)
			return rr;
	}
	r->gb->ops->kick(r->gb); /* completions may be left: the eventfd was read */
	return 0;
}

/* ---- set-up, the loop, teardown ---- */

static bool is_bot(const struct ffs_map *m, unsigned intf)
{
	/* Bulk-Only mass storage: class 8, SCSI transparent, protocol 0x50 */
	return m->intf_class[intf] == 8 && m->intf_subclass[intf] == 6 &&
	       m->intf_protocol[intf] == 0x50;
}

/* The bulk endpoint of @in_ in direction @in that serves Bulk-Only interface @b. */
static struct rep *bot_ep(struct inst *in_, const struct bot *b, bool in)
{
	unsigned i;

	for (i = 0; i < in_->n_ep; i++)
		if (in_->ep[i].bot == b && in_->ep[i].in == in)
			return &in_->ep[i];
	return NULL;
}

/* Read-ahead for each Bulk-Only interface with both bulk endpoints in alternate setting 0. */
static int bots_attach(struct inst *in_)
{
	unsigned intf;
	int rr;

	for (intf = 0; intf < in_->map->n_intf && intf < FFS_MAX_INTF; intf++) {
		struct bot *b = &in_->bots[intf];
		struct rep *bin = bot_ep(in_, b, true), *bout = bot_ep(in_, b, false);

		if (!bin || !bout || !bin->active || !bout->active)
			continue;
		rr = ra_attach(b, bin, bout, in_->map->intf_remote[intf]);
		if (rr)
			return rr;
	}
	return 0;
}

int relay_bot_reset(struct relay *r, struct inst *in_, unsigned intf)
{
	unsigned k;

	for (k = 0; k < in_->map->n_intf && k < FFS_MAX_INTF; k++) {
		struct bot *b = &in_->bots[k];

		if (in_->map->intf_remote[k] != intf || !inst_enabled(in_))
			continue;
		if (!bot_ep(in_, b, true) || !bot_ep(in_, b, false))
			continue;
		log_debug("interface %u: Bulk-Only Mass Storage Reset from the host", intf);
		return pump_bot_reset(r, b, bot_ep(in_, b, true), bot_ep(in_, b, false));
	}
	return 0;
}

static int inst_init(struct relay *r, unsigned k, bool readahead)
{
	struct inst *in_ = &r->inst[k];
	const struct ffs_map *m = r->gb->inst[k].map;
	unsigned i;
	int rr;

	in_->k = k;
	in_->map = m;
	in_->cfgval = r->gb->inst[k].bConfigurationValue;
	in_->life = LIFE_BOUND;
	in_->n_ep = m->n_ep;
	for (i = 0; i < m->n_ep; i++) {
		unsigned intf = m->ep[i].intf_index;
		struct bot *b = intf < FFS_MAX_INTF && is_bot(m, intf) ? &in_->bots[intf] : NULL;

		rr = pump_ep_init(&in_->ep[i], in_, i, &m->ep[i], b);
		if (rr)
			return rr;
		status_ep_add(m->ep[i].remote_addr, m->ep[i].type);
	}
	return readahead ? bots_attach(in_) : 0;
}

static int add_fd(struct relay *r, int fd, uint32_t token)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = token };

	return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int relay_init(struct relay *r, const struct relay_params *p)
{
	unsigned i;
	int rr;

	r->gb = p->gb;
	r->epfd = -1;
	r->sigfd = p->sigfd;
	r->hold_tfd = -1;
	r->ctrl.tfd = -1;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		return -errno;
	r->hold_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->hold_tfd < 0)
		return -errno;
	rr = r->gb->ops->start_io(r->gb, RELAY_IO_MAX);
	r->io_started = !rr;
	if (!rr)
		rr = ep0_proxy_init(&r->ctrl);
	if (!rr)
		rr = conn_init(&r->conn, p->client, r->epfd, TOK_SOCKET);
	r->n_inst = p->gb->n_inst;
	for (i = 0; !rr && i < r->n_inst; i++)
		rr = inst_init(r, i, !p->no_readahead);
	if (!rr)
		rr = add_fd(r, p->sigfd, TOK_SIGNAL);
	if (!rr)
		rr = add_fd(r, p->client->fd, TOK_SOCKET);
	for (i = 0; !rr && i < r->n_inst; i++)
		rr = add_fd(r, r->gb->ops->ep0_fd(r->gb, i), TOK_EP0_BASE + i);
	if (!rr)
		rr = add_fd(r, r->gb->ops->completion_fd(r->gb), TOK_AIO);
	if (!rr)
		rr = add_fd(r, r->hold_tfd, TOK_HOLD);
	if (!rr)
		rr = add_fd(r, r->ctrl.tfd, TOK_CTRL);
	return rr;
}

static void relay_free(struct relay *r)
{
	unsigned k, i;

	/* outstanding AIO must be cancelled before the buffers go */
	for (k = 0; k < r->n_inst; k++)
		for (i = 0; i < r->inst[k].n_ep; i++)
			pump_ep_cancel_all(r, &r->inst[k].ep[i]);
	if (r->io_started)
		r->gb->ops->stop_io(r->gb);
	for (k = 0; k < r->n_inst; k++) {
		for (i = 0; i < r->inst[k].n_ep; i++)
			pump_ep_free(&r->inst[k].ep[i]);
		for (i = 0; i < FFS_MAX_INTF; i++)
			ra_detach(&r->inst[k].bots[i]);
	}
	conn_free(&r->conn);
	ep0_proxy_free(&r->ctrl);
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->hold_tfd >= 0)
		close(r->hold_tfd);
}

static int on_signal(struct relay *r)
{
	struct signalfd_siginfo si;

	if (read(r->sigfd, &si, sizeof(si)) == sizeof(si)) {
		log_info("signal %u: stopping", si.ssi_signo);
		r->stop = true;
		r->result = 0;
	}
	return 0;
}

static int dispatch(struct relay *r, const struct epoll_event *ev)
{
	uint32_t t = ev->data.u32;

	switch ((enum relay_token)t) {
	case TOK_SIGNAL:
		return on_signal(r);
	case TOK_SOCKET:
		return conn_receive(&r->conn, ev->events, &relay_rx_ops, r, &r->stop);
	case TOK_AIO:
		return on_aio(r);
	case TOK_HOLD:
		return pump_hold_expired(r);
	case TOK_CTRL:
		return ep0_timeout(r);
	default:
		if (t >= TOK_EP0_BASE && t < TOK_EP0_BASE + r->n_inst)
			return relay_ep0_resume(r, &r->inst[t - TOK_EP0_BASE]);
		return 0;
	}
}

struct relay *relay_create(const struct relay_params *p, int *err)
{
	struct relay *r = calloc(1, sizeof(*r));
	unsigned i;

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = relay_init(r, p);
	if (*err) {
		log_warn_errno(*err, "cannot start the relay");
		relay_destroy(r);
		return NULL;
	}
	for (i = 0; !*err && i < r->n_inst; i++)
		*err = relay_ep0_resume(r, &r->inst[i]); /* BIND and perhaps ENABLE are queued */
	if (*err) {
		relay_destroy(r);
		return NULL;
	}
	return r;
}

void relay_destroy(struct relay *r)
{
	if (!r)
		return;
	relay_free(r);
	free(r);
}

/* The transmit queue drained below CONN_TX_SOFT: read from the host again. */
static int resume_out(struct relay *r)
{
	unsigned k, i;
	int rr;

	r->tx_throttled = false;
	for (k = 0; k < r->n_inst; k++) {
		if (!inst_enabled(&r->inst[k]))
			continue;
		for (i = 0; i < r->inst[k].n_ep; i++) {
			struct rep *e = &r->inst[k].ep[i];

			if (e->in || !e->active)
				continue;
			rr = pump(r, e);
			if (rr)
				return rr;
		}
	}
	return 0;
}

int relay_step(struct relay *r, int timeout_ms)
{
	struct epoll_event evs[8];
	unsigned i;
	int n, rr;

	rr = conn_flush(&r->conn);
	if (rr)
		return rr;
	n = epoll_wait(r->epfd, evs, 8, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < (unsigned)n && !rr && !r->stop; i++)
		rr = dispatch(r, &evs[i]);
	if (!rr)
		rr = conn_flush(&r->conn);
	if (!rr && r->tx_throttled && !conn_busy(&r->conn))
		rr = resume_out(r);
	return rr;
}

int relay_run(const struct relay_params *p)
{
	struct relay *r;
	int rr;

	r = relay_create(p, &rr);
	if (!r)
		return rr;
	while (!rr && !r->stop)
		rr = relay_step(r, -1);
	if (!rr)
		rr = r->result;
	else if (rr != -ECONNRESET && rr != -EPROTO)
		log_warn_errno(rr, "relay stopped");
	relay_destroy(r);
	return rr;
}
