// SPDX-License-Identifier: GPL-2.0-or-later
/* ep0_proxy.c - see ep0_proxy.h. */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "gadgetd/ctrl_policy.h"
#include "gadgetd/log.h"
#include "gadgetd/relay_core.h"
#include "gadgetd/usb_wire.h"

#define BOT_RESET_REQUEST 0xff /* Bulk-Only Mass Storage Reset (BOT 3.1) */

int ep0_proxy_init(struct ep0_proxy *p)
{
	memset(p, 0, sizeof(*p));
	p->st = CTRL_IDLE;
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return p->tfd < 0 ? -errno : 0;
}

void ep0_proxy_free(struct ep0_proxy *p)
{
	if (p->tfd >= 0)
		close(p->tfd);
	p->tfd = -1;
}

bool ep0_busy(const struct ep0_proxy *p)
{
	return p->st == CTRL_WAIT_DEVICE;
}

static void arm(struct ep0_proxy *p, bool on)
{
	struct itimerspec its = { .it_value = { on ? CTRL_TIMEOUT_S : 0, 0 } };

	timerfd_settime(p->tfd, 0, &its, NULL);
}

static uint8_t current_alt(const struct inst *in_, unsigned intf)
{
	unsigned i;

	for (i = 0; i < in_->map->n_intf && i < FFS_MAX_INTF; i++)
		if (in_->map->intf_remote[i] == intf)
			return in_->cur_alt[i];
	return 0;
}

/* SET_INTERFACE ended: @ok, the device took it; else the old setting comes back. */
static int alt_switch_done(struct relay *r, bool ok)
{
	struct ep0_proxy *p = &r->ctrl;

	if (!p->alt_switch)
		return 0;
	p->alt_switch = false;
	return relay_alt_start(r, p->inst, p->intf, ok ? p->alt : p->old_alt);
}

static void stall(struct relay *r)
{
	struct ep0_proxy *p = &r->ctrl;

	r->gb->ops->ep0_stall(r->gb, p->inst->k, &p->setup);
}

int ep0_setup(struct relay *r, struct inst *in_, const struct usb_ctrlrequest *cr)
{
	struct ep0_proxy *p = &r->ctrl;
	uint16_t wvalue = __le16_to_cpu(cr->wValue), wlength = __le16_to_cpu(cr->wLength);
	uint16_t windex = r->gb->ops->remote_windex(r->gb, in_->k, cr);
	bool in = (cr->bRequestType & USB_DIR_IN) && wlength;
	uint8_t setup[USB_SETUP_LEN];
	struct urb_slot *u;
	ssize_t n;
	int rr;

	p->st = CTRL_IDLE; /* a new request: an abandoned one is no longer tracked */
	p->setup = *cr;
	p->inst = in_;
	log_debug("ep0: setup %02x %02x %04x %04x (remote %04x) %u", cr->bRequestType,
		  cr->bRequest, wvalue, __le16_to_cpu(cr->wIndex), windex, wlength);
	if (wlength > CTRL_BUF || ctrl_policy_denied(cr)) { /* allow.requests, ctrl_policy.h */
		stall(r);
		return 0;
	}
	usb_setup_pack(setup, cr->bRequestType, cr->bRequest, wvalue, windex, wlength);
	p->alt_switch = cr->bRequestType == (USB_DIR_OUT | USB_TYPE_STANDARD | USB_RECIP_INTERFACE) &&
			cr->bRequest == USB_REQ_SET_INTERFACE;
	if (p->alt_switch) {
		p->intf = (uint8_t)windex;
		p->alt = (uint8_t)wvalue;
		p->old_alt = current_alt(in_, windex);
		rr = relay_alt_stop(r, in_, windex);
		if (rr)
			return rr;
	}
	if (cr->bRequestType == (USB_DIR_OUT | USB_TYPE_CLASS | USB_RECIP_INTERFACE) &&
	    cr->bRequest == BOT_RESET_REQUEST && !wlength) {
		/* what the interface had at the device is void: drop it before the
		 * reset goes (the unlinks reach the server first) */
		rr = relay_bot_reset(r, in_, windex);
		if (rr)
			return rr;
	}
	if (!in && wlength) {
		/* OUT data stage: it must be read before it can be forwarded, and the UDC
		 * completes the status stage itself, so such a request cannot be stalled. */
		n = r->gb->ops->ep0_read(r->gb, in_->k, p->buf, wlength);
		if (n != wlength) {
			log_info("ep0: host data stage of %u bytes: %s", wlength,
				 n < 0 ? strerror((int)-n) : "short");
			return 0;
		}
	}
	u = relay_submit(r, U_CTRL, 0, in, 0, setup, in ? NULL : p->buf, wlength, &rr);
	if (!u)
		return rr;
	p->seqnum = u->seqnum;
	if (in || !wlength) {
		p->st = CTRL_WAIT_DEVICE;
		relay_ep0_poll(r, false); /* reply after RET_SUBMIT; no ep0 reads meanwhile */
		arm(p, true);
	}
	return 0;
}

int ep0_ret_submit(struct relay *r, uint32_t seqnum, int status, const uint8_t *data, size_t len)
{
	struct ep0_proxy *p = &r->ctrl;
	int rr;

	if (seqnum != p->seqnum || p->st != CTRL_WAIT_DEVICE) {
		if (p->st == CTRL_ABANDONED && seqnum == p->seqnum) {
			log_debug("ep0: the device answered seqnum %u after the host was given a "
				  "stall: dropped", seqnum);
			p->st = CTRL_IDLE;
		}
		return 0;
	}
	arm(p, false);
	rr = alt_switch_done(r, !status);
	if (rr)
		return rr;
	if (status) {
		stall(r);
	} else {
		rr = r->gb->ops->ep0_reply(r->gb, p->inst->k, &p->setup, data, len);
		if (rr == -ETIMEDOUT)
			log_info("ep0: the host did not take the reply to request %02x %02x within "
				 "%d ms (it gave up on it): dropped", p->setup.bRequestType,
				 p->setup.bRequest, EP0_HOST_MS);
		else if (rr && rr != -EIDRM && rr != -EL2HLT)
			log_debug("ep0: reply to the host: %s", strerror(-rr));
	}
	p->st = CTRL_IDLE;
	relay_ep0_poll(r, true);
	return relay_ep0_resume(r, p->inst);
}

int ep0_timeout(struct relay *r)
{
	struct ep0_proxy *p = &r->ctrl;
	struct urb_slot *u;
	uint64_t n;
	int rr;

	if (read(p->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	if (p->st != CTRL_WAIT_DEVICE)
		return 0;
	log_info("ep0: the device did not answer request %02x %02x within %d s: stalled",
		 p->setup.bRequestType, p->setup.bRequest, CTRL_TIMEOUT_S);
	u = urb_find(&r->urbs, p->seqnum);
	if (u && !u->unlinking) {
		rr = relay_unlink(r, u);
		if (rr)
			return rr;
	}
	p->st = CTRL_ABANDONED; /* a late RET_SUBMIT is then dropped */
	rr = alt_switch_done(r, false);
	if (rr)
		return rr;
	stall(r);
	relay_ep0_poll(r, true);
	return relay_ep0_resume(r, p->inst);
}
