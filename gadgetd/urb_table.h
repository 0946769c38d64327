/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * urb_table.h - the URBs gadgetd has sent to the server and not yet seen
 * answered, by seqnum. No I/O.
 *
 * Each CMD_SUBMIT and CMD_UNLINK gets a slot when it is queued; the slot is
 * freed when its RET_SUBMIT or RET_UNLINK has been handled. A RET_* whose
 * seqnum has no slot is a protocol violation by the server (the relay's
 * receive path judges it). Open addressing with linear probing, keyed by the
 * low bits of the seqnum: seqnums are handed out in order (client_seqnum()), so
 * slots rarely collide.
 */
#ifndef GADGETD_URB_TABLE_H
#define GADGETD_URB_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define URB_SLOTS 1024 /* power of two, > every URB that can be in flight */

/* What a URB was sent for: decides who handles its RET_SUBMIT. */
enum urb_kind {
	U_FREE,       /* the slot is empty */
	U_XFER,       /* bulk or interrupt data of an endpoint pump (pump.c) */
	U_CTRL,       /* a control request of the host, forwarded (ep0_proxy.c) */
	U_SETCONF,    /* SET_CONFIGURATION mirrored on the device */
	U_CLEARHALT,  /* CLEAR_FEATURE(ENDPOINT_HALT) after a device stall */
	U_UNLINK,     /* CMD_UNLINK of another slot's URB */
	U_RESET,      /* SET_FEATURE(PORT_RESET): the host reset the gadget */
	U_RA,         /* a Bulk-Only read-ahead's CBW, data, CSW or reset recovery (readahead.c) */
};

struct xfer;
struct rep;

struct urb_slot {
	enum urb_kind kind;
	uint32_t seqnum;
	uint8_t ep_addr;  /* the device's bEndpointAddress it went to (ep0: 0x00 or 0x80) */
	bool in;          /* IN: the RET_SUBMIT carries actual_length bytes */
	size_t len;       /* transfer_buffer_length in bytes */
	struct xfer *x;   /* U_XFER: the first transfer the URB carries */
	uint32_t target;  /* U_UNLINK: seqnum being unlinked */
	struct rep *ep;   /* U_CLEARHALT: whose halt */
	struct bot *bot;  /* U_RA: whose read-ahead */
	unsigned ra_part; /* U_RA: which part of it (enum ra_part) */
	bool unlinking;   /* a CMD_UNLINK for it was sent */
	uint64_t tx_end;  /* conn.tx_queued once its CMD_SUBMIT was queued: sent when tx_sent reaches it */
};

struct urb_table {
	struct urb_slot slot[URB_SLOTS];
};

/** urb_find() - the slot of @seqnum, or NULL when none is in use for it. */
struct urb_slot *urb_find(struct urb_table *t, uint32_t seqnum);

/**
 * urb_new() - take a free slot for @seqnum (from client_seqnum()), zeroed but
 * for @kind and @seqnum. Return: the slot, or NULL when all URB_SLOTS are in use.
 */
struct urb_slot *urb_new(struct urb_table *t, uint32_t seqnum, enum urb_kind kind);

/**
 * urb_free() - release @u. Other slots may move (the probe cluster after @u is
 * re-inserted): pointers to slots other than @u are stale afterwards; keep
 * seqnums, not pointers, across the call.
 */
void urb_free(struct urb_table *t, struct urb_slot *u);

#endif
