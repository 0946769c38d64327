/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readahead.h - the relay's side of Bulk-Only read-ahead (what and when:
 * scsi_ra.h): the URBs of a read-ahead command, answering the host's READ from
 * what was read ahead, and getting the device back to a known state when a
 * read-ahead goes wrong.
 *
 * A read-ahead is one Bulk-Only command of gadgetd's own, sent only while the
 * device is idle (no command of the host at it, nothing queued on either bulk
 * endpoint): the CBW, and once the device took it, the data-in phase in
 * requests of at most BOT_IN_CHUNK bytes, all queued at once, and the CSW once
 * they are all in.
 * If it fails in a way that leaves the device's Bulk-Only state unknown (a
 * stalled or short data phase, a stalled CBW, no valid CSW), the URBs still
 * queued are unlinked and gadgetd does what a host does (BOT 5.3.4 reset
 * recovery): Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(ENDPOINT_HALT)
 * on both bulk endpoints. The host's command waits until that is over.
 */
#ifndef GADGETD_READAHEAD_H
#define GADGETD_READAHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/scsi_ra.h"

#define RA_PIECES_MAX (RA_FETCH_BYTES / 65536) /* data-in requests of one read-ahead, at most */

struct relay;
struct rep;
struct xfer;
struct bot;
struct urb_slot;

/* URB parts of a read-ahead (urb_slot.ra_part). */
enum ra_part {
	RA_PART_CBW,
	RA_PART_CSW,
	RA_PART_RECOVER, /* reset recovery: the reset and the two CLEAR_FEATUREs */
	RA_PART_DATA,    /* + piece index */
};

struct bot_ra {
	struct scsi_ra s;
	struct rep *in, *out;   /* the interface's bulk endpoints */
	uint8_t intf;           /* the device's bInterfaceNumber (for the reset) */
	uint32_t seqnum[RA_PART_DATA + RA_PIECES_MAX]; /* by part: URBs at the server (0: none) */
	unsigned n_urbs;        /* URBs of the read-ahead still at the server */
	unsigned pieces, next_piece;
	bool failed;            /* drop it once its URBs are back */
	bool recover;           /* ... and reset the device's Bulk-Only state first */
	bool recovering;        /* the reset recovery's URBs are at the server */
	bool abandoned;         /* reset or disabled meanwhile: only count the URBs back */
	/* the host's READ being answered from the blocks read ahead */
	bool serving;
	size_t serve_left;
	uint8_t serve_csw[13];
};

/**
 * ra_attach() - give Bulk-Only interface @b read-ahead between its bulk
 * endpoints @in and @out (device interface number @intf). Return: 0 or -ENOMEM.
 */
int ra_attach(struct bot *b, struct rep *in, struct rep *out, uint8_t intf);
/** ra_detach() - free @b's read-ahead. */
void ra_detach(struct bot *b);

/**
 * ra_out_cbw() - the host's CBW in OUT transfer @x is next to go to the
 * device. Return: 0 forward it, 1 answered from what was read ahead (the
 * transfer is free), 2 hold it (a read-ahead is at the device; the OUT
 * endpoint is pumped again when it has ended), -errno.
 */
int ra_out_cbw(struct relay *r, struct rep *out, struct xfer *x);
/**
 * ra_in_fill() - IN transfer @x of @in is free: if a READ is being answered
 * from what was read ahead, fill it with the next data (at most the
 * endpoint's chunk) or the CSW, ready to be written to the host.
 * Return: true when @x was filled.
 */
bool ra_in_fill(struct rep *in, struct xfer *x);
/**
 * ra_in_done() - an IN transfer of the host's command came back from the
 * device: @len bytes at @data; @csw: it was the CSW request. Snoops READ
 * CAPACITY and READ, and reads ahead once the command is over.
 * Return: 0 or -errno.
 */
int ra_in_done(struct relay *r, struct rep *in, bool csw, const uint8_t *data, size_t len);
/** ra_ret_submit() - the server answered read-ahead URB @u (freed here). Return: 0 or -errno. */
int ra_ret_submit(struct relay *r, struct urb_slot *u, int status, const uint8_t *payload,
		  size_t len);
/** ra_unlinked() - read-ahead URB @u was unlinked before it completed (freed here). */
int ra_unlinked(struct relay *r, struct urb_slot *u);
/**
 * ra_abort() - the host reset the device or the endpoints stop: unlink the
 * read-ahead's URBs, forget what was read ahead (and, @forget_capacity, the
 * capacities). Return: 0 or -errno.
 */
int ra_abort(struct relay *r, struct bot *b, bool forget_capacity);

#endif
