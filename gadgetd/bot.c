// SPDX-License-Identifier: GPL-2.0-or-later
/* bot.c - see bot.h. */
#include <string.h>

#include "gadgetd/bot.h"
#include "gadgetd/usb_wire.h"

#define CBW_DATA_LEN 8  /* dCBWDataTransferLength */
#define CBW_FLAGS 12    /* bmCBWFlags: bit 7 = data in */

void bot_reset(struct bot *b, bool cbw_posted)
{
	struct bot_ra *ra = b->ra;

	memset(b, 0, sizeof(*b));
	b->ra = ra;
	b->cbw_posted = cbw_posted;
	b->out_phase = BOT_OUT_CBW;
	b->in_phase = BOT_IN_IDLE;
}

bool bot_is_cbw(const uint8_t *buf, size_t n)
{
	return n == BOT_CBW_LEN && !memcmp(buf, "USBC", 4);
}

void bot_cbw(struct bot *b, const uint8_t *cbw)
{
	uint32_t len = get_le32(cbw + CBW_DATA_LEN);

	b->cbw_posted = false;
	b->cmd_in = cbw[CBW_FLAGS] & 0x80;
	b->cmd_len = len;
	if (b->cmd_in || !len) {
		b->out_phase = BOT_OUT_CBW;
		b->out_left = 0;
		b->out_unacked = 0;
	} else {
		b->out_phase = BOT_OUT_DATA;
		b->out_left = len;
		b->out_unacked = len;
	}
}

size_t bot_out_size(struct bot *b, size_t chunk, size_t mps, bool *cbw_read)
{
	size_t n;

	*cbw_read = false;
	if (b->out_phase == BOT_OUT_DATA && b->out_left) {
		n = b->out_left < chunk ? b->out_left : chunk;
		b->out_left -= n;
		if (!b->out_left)
			b->out_phase = BOT_OUT_CBW;
		return n;
	}
	if (b->cbw_posted)
		return 0; /* what follows the CBW depends on it */
	b->cbw_posted = true;
	*cbw_read = true;
	return mps;
}

void bot_out_unposted(struct bot *b)
{
	b->cbw_posted = false;
}

void bot_out_stalled(struct bot *b)
{
	b->out_phase = BOT_OUT_CBW;
	b->out_left = 0;
	b->out_unacked = 0;
}

static void plan_in(struct bot *b, size_t data)
{
	b->in_left = data;
	b->in_phase = data ? BOT_IN_DATA : BOT_IN_CSW;
}

void bot_out_acked(struct bot *b, bool was_cbw, size_t actual, int status)
{
	if (was_cbw) {
		if (status)
			return; /* the host will recover with a reset */
		if (b->cmd_in && b->cmd_len)
			plan_in(b, b->cmd_len);
		else if (!b->cmd_len)
			plan_in(b, 0);
		return;
	}
	if (b->out_unacked) {
		b->out_unacked = actual < b->out_unacked ? b->out_unacked - actual : 0;
		if (!b->out_unacked || status)
			plan_in(b, 0);
	}
}

size_t bot_in_size(struct bot *b, size_t chunk, bool *csw)
{
	size_t n;

	*csw = false;
	switch (b->in_phase) {
	case BOT_IN_DATA:
		n = b->in_left < chunk ? b->in_left : chunk;
		b->in_left -= n;
		if (!b->in_left)
			b->in_phase = BOT_IN_CSW;
		return n;
	case BOT_IN_CSW:
		b->in_phase = BOT_IN_IDLE;
		b->csw_queued = true;
		*csw = true;
		return BOT_CSW_LEN;
	default:
		return 0;
	}
}

void bot_in_short(struct bot *b)
{
	if (b->in_phase == BOT_IN_DATA)
		plan_in(b, 0);
}

void bot_in_stalled(struct bot *b)
{
	plan_in(b, 0);
}

void bot_csw_done(struct bot *b, bool got_csw)
{
	b->csw_queued = false;
	if (!got_csw)
		plan_in(b, 0);
}
