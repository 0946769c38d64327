// SPDX-License-Identifier: GPL-2.0-or-later
/* readahead.c - see readahead.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/log.h"
#include "gadgetd/readahead.h"
#include "gadgetd/relay_core.h"
#include "gadgetd/usb_wire.h"

#define BOT_RESET 0xff          /* Bulk-Only Mass Storage Reset (BOT 3.1) */
#define USB_REQ_CLEAR_FEATURE 0x01
#define USB_ENDPOINT_HALT 0

_Static_assert(RA_FETCH_BYTES / BOT_IN_CHUNK <= RA_PIECES_MAX, "read-ahead pieces");

int ra_attach(struct bot *b, struct rep *in, struct rep *out, uint8_t intf)
{
	struct bot_ra *ra;

	if (b->ra)
		return 0;
	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return -ENOMEM;
	ra_init(&ra->s);
	ra->in = in;
	ra->out = out;
	ra->intf = intf;
	b->ra = ra;
	return 0;
}

void ra_detach(struct bot *b)
{
	if (!b->ra)
		return;
	if (b->ra->s.n_fetch)
		log_info("read-ahead (interface %u): %lu READs of the host answered from %lu "
			 "read-aheads, %lu dropped unread", b->ra->intf, b->ra->s.n_served,
			 b->ra->s.n_fetch, b->ra->s.n_dropped);
	ra_free(&b->ra->s);
	free(b->ra);
	b->ra = NULL;
}

static bool rep_on(const struct rep *e)
{
	return inst_enabled(e->inst) && e->active && !e->stalled && !e->parked;
}

/* Nothing of the host's is at the device, nothing is queued on its bulk endpoints. */
static bool device_idle(const struct bot *b, const struct bot_ra *ra)
{
	return !ra->n_urbs && !ra->s.cmd && b->in_phase == BOT_IN_IDLE && !b->csw_queued &&
	       b->out_phase == BOT_OUT_CBW && !pump_urb_queued(ra->in) &&
	       !pump_urb_queued(ra->out) && rep_on(ra->in) && rep_on(ra->out);
}

static int ra_submit(struct relay *r, struct bot *b, unsigned part, struct rep *e,
		     const uint8_t *setup, const uint8_t *data, size_t len)
{
	struct bot_ra *ra = b->ra;
	struct urb_slot *u;
	int rr;

	u = relay_submit(r, U_RA, e ? e->num : 0, e ? e->in : false, 0, setup, data, len, &rr);
	if (!u)
		return rr;
	u->bot = b;
	u->ra_part = part;
	if (part != RA_PART_RECOVER)
		ra->seqnum[part] = u->seqnum;
	ra->n_urbs++;
	return 0;
}

/* Read ahead if the device is idle and the host reads in order. */
static int ra_kick(struct relay *r, struct bot *b)
{
	struct bot_ra *ra = b->ra;
	uint8_t cbw[BOT_CBW_LEN];
	size_t len;
	int rr;

	if (!ra || !device_idle(b, ra))
		return 0;
	rr = ra_plan(&ra->s, cbw, &len);
	if (rr <= 0) {
		if (rr == -ENOMEM && !ra->s.off) {
			log_warnx("read-ahead: no memory for its buffer: off");
			ra->s.off = true;
		}
		return 0;
	}
	ra->pieces = (unsigned)((len + BOT_IN_CHUNK - 1) / BOT_IN_CHUNK);
	ra->next_piece = 0;
	memset(ra->seqnum, 0, sizeof(ra->seqnum));
	log_debug("read-ahead: LUN %u, LBA %llu, %u blocks", cbw[13],
		   (unsigned long long)ra->s.f_lba, ra->s.f_blocks);
	return ra_submit(r, b, RA_PART_CBW, ra->out, NULL, cbw, BOT_CBW_LEN);
}

int ra_out_cbw(struct relay *r, struct rep *out, struct xfer *x)
{
	struct bot *b = out->bot;
	struct bot_ra *ra = b->ra;
	enum ra_verdict v;
	size_t n;
	int rr;

	if (!ra)
		return 0;
	if (ra->serving || (ra->n_urbs && !ra->s.busy))
		return 2; /* a reset recovery, or URBs of an abandoned read-ahead, are out */
	v = ra_host_cbw(&ra->s, x->buf, &n, ra->serve_csw);
	if (v == RA_WAIT)
		return 2;
	if (v == RA_FORWARD)
		return 0;
	ra->serving = true;
	ra->serve_left = n;
	log_debug("read-ahead: the host's READ of %zu bytes answered from it", n);
	rr = pump(r, ra->in);
	if (!rr)
		rr = ra_kick(r, b);
	return rr ? rr : 1;
}

bool ra_in_fill(struct rep *in, struct xfer *x)
{
	struct bot_ra *ra = in->bot ? in->bot->ra : NULL;
	size_t n;

	if (!ra || !ra->serving)
		return false;
	if (ra->serve_left) {
		n = ra->serve_left < in->xsize ? ra->serve_left : in->xsize;
		ra_take(&ra->s, x->buf, n);
		ra->serve_left -= n;
		x->bot_csw = false;
	} else {
		n = BOT_CSW_LEN;
		memcpy(x->buf, ra->serve_csw, n);
		x->bot_csw = true;
		ra->serving = false;
	}
	x->len = x->actual = n;
	x->zlp_after = false; /* exactly the length the host asked for */
	x->epoch = in->epoch;
	x->st = X_READY;
	return true;
}

int ra_in_done(struct relay *r, struct rep *in, bool csw, const uint8_t *data, size_t len)
{
	struct bot *b = in->bot;

	if (!b->ra)
		return 0;
	if (!csw) {
		ra_host_data(&b->ra->s, data, len);
		return 0;
	}
	ra_host_csw(&b->ra->s, data, len);
	return ra_kick(r, b);
}

/* Unlink whatever of the read-ahead is still at the server. */
static int unlink_all(struct relay *r, struct bot_ra *ra)
{
	struct urb_slot *u;
	unsigned k;
	int rr;

	for (k = 0; k < sizeof(ra->seqnum) / sizeof(ra->seqnum[0]); k++) {
		if (!ra->seqnum[k])
			continue;
		u = urb_find(&r->urbs, ra->seqnum[k]);
		if (u && u->kind == U_RA && !u->unlinking) {
			rr = relay_unlink(r, u);
			if (rr)
				return rr;
		}
	}
	return 0;
}

static int fail(struct relay *r, struct bot_ra *ra, bool recover, const char *why)
{
	if (!ra->failed)
		log_info("read-ahead of %u blocks at LBA %llu: %s", ra->s.f_blocks,
			 (unsigned long long)ra->s.f_lba, why);
	ra->failed = true;
	ra->recover |= recover;
	return unlink_all(r, ra);
}

/* BOT 5.3.4: Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(ENDPOINT_HALT) on both. */
static int recover(struct relay *r, struct bot *b)
{
	struct bot_ra *ra = b->ra;
	uint8_t s[USB_SETUP_LEN];
	int rr;

	log_info("read-ahead: resetting the device's Bulk-Only state (interface %u)", ra->intf);
	ra->recovering = true;
	usb_setup_pack(s, 0x21, BOT_RESET, 0, ra->intf, 0);
	rr = ra_submit(r, b, RA_PART_RECOVER, NULL, s, NULL, 0);
	usb_setup_pack(s, 0x02, USB_REQ_CLEAR_FEATURE, USB_ENDPOINT_HALT,
		       ra->in->info->remote_addr, 0);
	if (!rr)
		rr = ra_submit(r, b, RA_PART_RECOVER, NULL, s, NULL, 0);
	usb_setup_pack(s, 0x02, USB_REQ_CLEAR_FEATURE, USB_ENDPOINT_HALT,
		       ra->out->info->remote_addr, 0);
	if (!rr)
		rr = ra_submit(r, b, RA_PART_RECOVER, NULL, s, NULL, 0);
	return rr;
}

/* The read-ahead's URBs are all back (or not): finish it, go on. */
static int settle(struct relay *r, struct bot *b)
{
	struct bot_ra *ra = b->ra;
	int rr;

	if (ra->n_urbs)
		return 0;
	if (ra->failed && ra->recover && !ra->recovering && !ra->abandoned)
		return recover(r, b);
	if (ra->failed || ra->recovering) {
		if (ra->s.busy)
			ra_fetch_end(&ra->s, NULL, 0);
		if (ra->s.off)
			log_info("read-ahead: off after %u failures", ra->s.failures);
	}
	ra->failed = ra->recover = ra->recovering = ra->abandoned = false;
	rr = pump(r, ra->out); /* a CBW of the host may be waiting */
	return rr ? rr : ra_kick(r, b);
}

static int piece_done(struct relay *r, struct bot *b, unsigned piece, size_t want, int status,
		      const uint8_t *payload, size_t len)
{
	struct bot_ra *ra = b->ra;

	if (status == -EPIPE)
		return fail(r, ra, true, "the device stalled its data: dropped");
	if (status || len != want)
		return fail(r, ra, true, "short or failed data: dropped");
	if (piece != ra->next_piece || !ra_fetch_data(&ra->s, payload, len))
		return fail(r, ra, true, "data out of order: dropped");
	/* the CSW once all the data is in (bot.h) */
	return ++ra->next_piece == ra->pieces ? ra_submit(r, b, RA_PART_CSW, ra->in, NULL, NULL,
							  BOT_CSW_LEN) : 0;
}

static int cbw_done(struct relay *r, struct bot *b, int status)
{
	struct bot_ra *ra = b->ra;
	size_t left = ra->s.f_len, n;
	unsigned k;
	int rr;

	if (status)
		return fail(r, ra, true, "the device refused the CBW: dropped");
	/* the data-in phase, all of it: every piece but the last is full, so a
	 * short one means the read-ahead failed, and the rest is unlinked */
	for (k = 0; left; k++, left -= n) {
		n = left < BOT_IN_CHUNK ? left : BOT_IN_CHUNK;
		rr = ra_submit(r, b, RA_PART_DATA + k, ra->in, NULL, NULL, n);
		if (rr)
			return rr;
	}
	return 0;
}

static int csw_done(struct relay *r, struct bot_ra *ra, int status, const uint8_t *payload,
		    size_t len)
{
	bool framed = !status && len == BOT_CSW_LEN && !memcmp(payload, "USBS", 4) &&
		      get_le32(payload + 4) == ra->s.tag && ra->next_piece == ra->pieces;

	if (!framed)
		return fail(r, ra, true, "no valid CSW: dropped");
	if (!ra_fetch_end(&ra->s, payload, len))
		log_info("read-ahead of %u blocks at LBA %llu: the device answered status %u, "
			 "residue %u: dropped", ra->s.f_blocks, (unsigned long long)ra->s.f_lba,
			 payload[12], get_le32(payload + 8));
	return 0;
}

int ra_ret_submit(struct relay *r, struct urb_slot *u, int status, const uint8_t *payload,
		  size_t len)
{
	/* What the slot says is read before it goes back to the table. */
	const unsigned part = u->ra_part;
	const size_t want = u->len;
	struct bot *b = u->bot;
	struct bot_ra *ra = b->ra;
	int rr = 0;

	urb_free(&r->urbs, u);
	ra->n_urbs--;
	if (part != RA_PART_RECOVER)
		ra->seqnum[part] = 0;
	if (!ra->abandoned && !ra->failed && !ra->recovering) {
		if (part == RA_PART_CBW)
			rr = cbw_done(r, b, status);
		else if (part == RA_PART_CSW)
			rr = csw_done(r, ra, status, payload, len);
		else if (part >= RA_PART_DATA)
			rr = piece_done(r, b, part - RA_PART_DATA, want, status, payload, len);
	} else if (part == RA_PART_RECOVER && status && !ra->abandoned) {
		log_info("read-ahead: reset recovery request failed: %s", strerror(-status));
	}
	return rr ? rr : settle(r, b);
}

int ra_unlinked(struct relay *r, struct urb_slot *u)
{
	return ra_ret_submit(r, u, -ECONNRESET, NULL, 0);
}

int ra_abort(struct relay *r, struct bot *b, bool forget_capacity)
{
	struct bot_ra *ra = b->ra;
	int rr;

	if (!ra)
		return 0;
	if (ra->s.busy || ra->n_urbs) {
		char parts[64] = "";
		size_t o = 0;
		unsigned k;

		for (k = 0; k < sizeof(ra->seqnum) / sizeof(ra->seqnum[0]) && o < sizeof(parts) - 8; k++)
			if (ra->seqnum[k])
				o += (size_t)snprintf(parts + o, sizeof(parts) - o, " %s%u",
						      k == RA_PART_CBW ? "CBW" : k == RA_PART_CSW ? "CSW" : "data",
						      k >= RA_PART_DATA ? k - RA_PART_DATA : 0);
		log_debug("read-ahead: abandoned (%u URBs at the server:%s; %zu of %zu bytes in)",
			  ra->n_urbs, parts, ra->s.f_got, ra->s.f_len);
	}
	rr = unlink_all(r, ra);
	ra->abandoned = ra->n_urbs > 0;
	ra->failed = ra->recover = ra->recovering = false;
	ra->serving = false;
	ra->serve_left = 0;
	ra_reset(&ra->s, forget_capacity);
	return rr;
}
