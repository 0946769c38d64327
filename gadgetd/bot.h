/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bot.h - Bulk-Only mass storage (USB MSC BOT 1.0) knowledge of the relay: the
 * class rule of the framing rules (pump.h, rule 5). No I/O.
 *
 * The host's CBW says how long the data phase is and in which direction, and
 * the CSW is always 13 bytes, so the relay can size its requests exactly and
 * still never park data in a half-filled transfer. One struct bot per Bulk-Only
 * interface tracks where the current command is, from both endpoints' points
 * of view:
 *
 *   OUT endpoint (host -> device):  BOT_OUT_CBW -> BOT_OUT_DATA -> BOT_OUT_CBW
 *     A 31-byte read waits for each CBW. For a data-out phase the host's data
 *     is then read in requests of at most the endpoint's chunk, exactly as
 *     long as dCBWDataTransferLength.
 *   IN endpoint (device -> host):   BOT_IN_IDLE -> BOT_IN_DATA -> BOT_IN_CSW -> BOT_IN_IDLE
 *     Nothing is asked of the device before a command needs it (some devices
 *     stall an IN token that comes before a command: QEMU's usb-storage does).
 *     Once the device took the CBW (or all of a data-out phase), the data-in
 *     phase is requested as one request of up to the endpoint's chunk (a
 *     Linux host's whole READ at high speed), and the 13-byte CSW once it is
 *     complete. A longer data-in phase is requested a piece at a time, each
 *     once the one before it is complete: a piece that ends short would
 *     otherwise leave the next piece to catch the CSW. The CSW is never queued
 *     behind the data: QEMU's usb-storage on xHCI then loses it (the lab saw a
 *     READ hang until the host's 30 s timeout), and a host never does it.
 *     A stall of the data-in phase is followed by the CSW (BOT 6.7.2); a
 *     stalled CSW is requested again, as the host retries.
 */
#ifndef GADGETD_BOT_H
#define GADGETD_BOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOT_CBW_LEN 31
#define BOT_CSW_LEN 13

enum bot_out_phase {
	BOT_OUT_CBW,  /* the next host transfer is a CBW */
	BOT_OUT_DATA, /* the host sends the data-out phase */
};

enum bot_in_phase {
	BOT_IN_IDLE,  /* nothing to ask of the device */
	BOT_IN_DATA,  /* the data-in phase is being requested */
	BOT_IN_CSW,   /* the CSW is to be requested next */
};

struct bot_ra;

struct bot {
	struct bot_ra *ra;      /* its read-ahead (readahead.h), or NULL */
	enum bot_out_phase out_phase;
	bool cbw_posted;        /* OUT: the read that waits for the CBW is queued */
	bool cmd_in;            /* the current command has a data-in phase */
	uint32_t cmd_len;       /* its dCBWDataTransferLength */
	size_t out_left;        /* BOT_OUT_DATA: bytes still to request from the host */
	size_t out_unacked;     /* BOT_OUT_DATA: bytes the device has not acknowledged */
	enum bot_in_phase in_phase;
	size_t in_left;         /* BOT_IN_DATA: bytes still to request from the device */
	bool csw_queued;        /* a CSW request is at the device */
};

/**
 * bot_reset() - no command in progress (the interface was enabled again, or
 * the host reset the device). Its read-ahead stays attached; @cbw_posted: a
 * read that waits for a CBW is still queued.
 */
void bot_reset(struct bot *b, bool cbw_posted);

/** bot_is_cbw() - @buf (@n bytes) is a Command Block Wrapper (BOT 5.1: 31 bytes, "USBC"). */
bool bot_is_cbw(const uint8_t *buf, size_t n);

/**
 * bot_cbw() - the host sent a CBW (@cbw, 31 bytes): size what follows on both
 * endpoints. dCBWDataTransferLength is little-endian at offset 8 (BOT 5.1).
 */
void bot_cbw(struct bot *b, const uint8_t *cbw);

/**
 * bot_out_size() - the length of the next read from the host on the OUT
 * endpoint, at most @chunk bytes (a data-out request) or @mps (the read that
 * waits for a CBW: *@cbw_read is set), or 0 when nothing may be read yet (the
 * CBW read is queued and what follows depends on it).
 */
size_t bot_out_size(struct bot *b, size_t chunk, size_t mps, bool *cbw_read);

/**
 * bot_out_unposted() - the read that waits for a CBW could not be queued, or
 * ended (with a CBW, with something else, or with an error): the next read may
 * wait for a CBW again.
 */
void bot_out_unposted(struct bot *b);

/**
 * bot_out_stalled() - the device stalled the data-out phase: the host clears
 * the halt and reads the CSW (BOT 6.7.3), then sends the next CBW, so the
 * data-out phase is over (bot_out_acked() with the stall's status has asked
 * for the CSW).
 */
void bot_out_stalled(struct bot *b);

/**
 * bot_out_acked() - the device acknowledged an OUT transfer of @actual bytes
 * with @status (0 or a -errno URB status); @was_cbw: it carried the CBW.
 * Plans the IN side: the data-in phase and the CSW.
 */
void bot_out_acked(struct bot *b, bool was_cbw, size_t actual, int status);

/**
 * bot_in_size() - the length of the next request to the device on the IN
 * endpoint, at most @chunk bytes; *@csw is set when it is the CSW.
 * Return: 0 when nothing is to be asked yet.
 */
size_t bot_in_size(struct bot *b, size_t chunk, bool *csw);

/** bot_in_short() - a data-in request ended short: the CSW comes next. */
void bot_in_short(struct bot *b);

/** bot_in_stalled() - the device stalled a data-in request: the CSW comes next (BOT 6.7.2). */
void bot_in_stalled(struct bot *b);

/**
 * bot_csw_done() - the CSW request ended. @got_csw: it brought the CSW (it
 * went to the host). Otherwise it failed (a stall) and the CSW is requested
 * again once the device's halt is cleared (BOT 6.7.2).
 */
void bot_csw_done(struct bot *b, bool got_csw);

#endif
