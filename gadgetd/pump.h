/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pump.h - per-endpoint pumps: bulk and interrupt data between a gadget
 * endpoint and the device's endpoint behind it, by the framing rules.
 *
 * Each endpoint has a ring of transfers, processed strictly in order:
 *   IN  (device -> host): URB IN at the device -> RET_SUBMIT -> AIO write to the
 *       gadget endpoint -> the transfer is free again -> next URB.
 *   OUT (host -> device): AIO read from the gadget endpoint -> CMD_SUBMIT OUT with
 *       what arrived -> RET_SUBMIT -> free -> next read.
 *
 * THE FRAMING RULES. A USB device and a USB host see only packets: full ones
 * (wMaxPacketSize), short ones, and zero-length packets (ZLP). A transfer ends
 * at a short packet, at a ZLP, or when the receiver's buffer is full. Neither
 * side tells gadgetd how long the other side's transfer will be, so the relay
 * is right when each side receives the same sequence of packets the other sent,
 * however they are grouped into requests and URBs; a short packet or a ZLP may
 * only ever be the last packet of a request or URB. The code cites these rules
 * by number:
 *
 *  Rule 1, packet-sized requests: every IN URB asked of the device and every
 *    read from the host is one wMaxPacketSize long, unless rule 5 proves a
 *    larger one safe. A larger request could stop half full while the other
 *    side waits for what is already in it, and neither side would move again.
 *  Rule 2, depth, not size: several requests in flight per endpoint (16 on
 *    bulk, 2 on interrupt, 4 on Bulk-Only) give the throughput.
 *  Rule 3, join only what has arrived: consecutive full packets that are
 *    already here, and at most one short packet or ZLP after them, may go as
 *    one URB. Never wait for more data to make a bigger one (rule 6 is the one
 *    bounded exception).
 *  Rule 4, carry the ends: a 0-byte completion from the device is written to
 *    the host as a ZLP; a 0-byte read from the host becomes a 0-byte OUT URB.
 *  Rule 5, class knowledge may make requests exact: a Bulk-Only CBW states the
 *    data phase's length and the CSW is 13 bytes (bot.h), so those requests are
 *    exactly as long as the class says; everything else falls back to rule 1.
 *  Rule 6, different packet sizes on the two links (a device faster than the
 *    UDC, e.g. super speed shown at high speed): IN, a completion short for the
 *    device but a whole number of the gadget's packets is followed by a ZLP on
 *    the gadget side; OUT, gadget packets are joined into whole device packets,
 *    and an odd trailing full packet waits HOLD_NS for its other half before it
 *    goes alone (logged as inexact).
 *
 * Stalls: a device stall (-EPIPE) halts the gadget endpoint in order, and the
 * halt is cleared on the device (CLEAR_FEATURE(ENDPOINT_HALT)) at once; URBs
 * submitted before that are stale and give the host no second stall.
 */
#ifndef GADGETD_PUMP_H
#define GADGETD_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "functionfs/ffs_io.h"

#define XFER_DEPTH_MAX 16    /* transfers in a bulk endpoint's ring (rule 2) */
#define BOT_CHUNK 131072     /* bytes per OUT request in a Bulk-Only data phase: a
				* Linux host's whole WRITE at high speed, one URB */
#define OUT_BUF 16384        /* buffer of an OUT transfer elsewhere (packets join, rule 3) */
#define BOT_IN_CHUNK 131072  /* bytes per IN request in a Bulk-Only data phase: a
				* Linux host's whole READ at high speed (240 sectors) */
#define HOLD_NS 2000000      /* how long half a device packet may wait for the rest */

struct relay;
struct rep;
struct inst;
struct bot;
struct urb_slot;
struct ffs_ep_info;

/**
 * pump_ep_init() - set up endpoint @idx of @in_ from its map entry @info:
 * ring depth and request size by type (rules 1, 2, 5), buffers.
 * @bot: the Bulk-Only state of its interface, or NULL. Return: 0 or -ENOMEM.
 */
int pump_ep_init(struct rep *e, struct inst *in_, unsigned idx, const struct ffs_ep_info *info,
		 struct bot *bot);
/** pump_ep_free() - release the buffers (after its AIO is reaped or cancelled). */
void pump_ep_free(struct rep *e);
/** pump_ep_start() - the endpoint was enabled: read its packet size at this link speed. */
void pump_ep_start(struct relay *r, struct rep *e);
/**
 * pump_ep_stop() - the endpoint was disabled (reset, disconnect, deconfiguration,
 * another alternate setting): cancel its AIO, unlink its URBs, drop what the
 * host can no longer expect. Return: 0 or -errno.
 */
int pump_ep_stop(struct relay *r, struct rep *e);
/** pump_ep_cancel_all() - cancel every AIO request of @e (teardown). */
void pump_ep_cancel_all(struct relay *r, struct rep *e);

/** pump() - pass finished transfers on, in order, then start new ones. Return: 0 or -errno. */
int pump(struct relay *r, struct rep *e);
/**
 * pump_aio_done() - an AIO request of a transfer completed with @res (bytes,
 * or -errno). Only the transfer's state changes: the caller pumps the endpoint
 * returned once all completions of a batch are in, so that packets that
 * arrived together can go as one URB (rule 3).
 * Return: the endpoint of the transfer.
 */
struct rep *pump_aio_done(struct relay *r, struct ffs_req *req, long res);
/**
 * pump_ret_submit() - the device answered data URB @u: @status (0 or -errno)
 * and, for IN, @len bytes of @payload. Frees @u. Return: 0 or -errno.
 */
int pump_ret_submit(struct relay *r, struct urb_slot *u, int status, const uint8_t *payload,
		    size_t len);
/** pump_unlinked() - data URB @t was unlinked before it completed. Frees @t. */
int pump_unlinked(struct relay *r, struct urb_slot *t);
/** pump_clear_halt_done() - the device's halt on @e is cleared: URBs may go again. */
int pump_clear_halt_done(struct relay *r, struct rep *e, int status);
/** pump_urb_queued() - whether a transfer of @e is at the device. */
bool pump_urb_queued(const struct rep *e);
/**
 * pump_bot_reset() - the host resets Bulk-Only interface @b (Bulk-Only Mass
 * Storage Reset, BOT 3.1), bulk endpoints @in and @out: its read-ahead is
 * dropped, the URBs of the command it gave up are unlinked, the data-phase
 * reads and writes it gave up are cancelled; a read that waits for a CBW stays.
 * Called before the reset is forwarded, so the unlinks reach the server first.
 * Return: 0 or -errno.
 */
int pump_bot_reset(struct relay *r, struct bot *b, struct rep *in, struct rep *out);
/** pump_hold_expired() - TOK_HOLD fired: held OUT packets go alone (rule 6). */
int pump_hold_expired(struct relay *r);

#endif
