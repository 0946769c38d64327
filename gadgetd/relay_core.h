/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relay_core.h - what the relay's modules share; not for the rest of gadgetd
 * (relay.h is the public side).
 *
 *   relay.c      the event loop, the lifecycle of each instance, and the
 *                dispatch of backend events and of the server's replies
 *   pump.c       per-endpoint pumps: the framing rules (pump.h)
 *   bot.c        Bulk-Only mass storage phases (bot.h)
 *   ep0_proxy.c  control requests of the host, forwarded to the device
 *   conn.c       the socket: transmit queue and receive loop
 *   urb_table.c  seqnum -> what the URB was sent for
 *
 * One thread; nothing here blocks except where a comment says so.
 */
#ifndef GADGETD_RELAY_CORE_H
#define GADGETD_RELAY_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "gadgetd/backend.h"
#include "gadgetd/bot.h"
#include "gadgetd/conn.h"
#include "gadgetd/ep0_proxy.h"
#include "gadgetd/pump.h"
#include "gadgetd/relay.h"
#include "gadgetd/urb_table.h"

/* Epoll tokens of the relay's event loop. */
enum relay_token {
	TOK_SIGNAL = 0,     /* signalfd: SIGINT, SIGTERM */
	TOK_SOCKET = 1,     /* the server connection */
	TOK_AIO = 3,        /* the backend's completion eventfd */
	TOK_HOLD = 4,       /* timerfd: an OUT packet waits for its other half (rule 6) */
	TOK_CTRL = 5,       /* timerfd: a forwarded control request's deadline */
	TOK_EP0_BASE = 16,  /* + instance: that instance's ep0 */
};

/*
 * Where one transfer of an endpoint's ring is:
 * X_IDLE  free;  X_AIO  in the kernel (the backend);  X_URB  at the server;
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
	size_t len;     /* requested */
	size_t actual;  /* transferred */
	bool zlp_after; /* IN: a ZLP follows on the gadget side (rule 6) */
	bool bot_cbw;   /* OUT: this transfer carried a CBW */
	bool bot_cbw_read; /* OUT: this read was queued to wait for a CBW */
	bool bot_csw;   /* IN: this is the 13-byte CSW request */
	unsigned span;  /* OUT: transfers (from this one on) carried by its URB */
	unsigned epoch; /* IN: the endpoint's stall epoch when the URB was submitted */
	unsigned gen;   /* the endpoint's enable generation when its AIO was submitted */
	uint32_t seqnum;
};

struct inst;

/* One relayed endpoint: a gadget endpoint and the device endpoint behind it. */
struct rep {
	struct inst *inst;
	unsigned idx;  /* endpoint index in the instance's map (FunctionFS file ep(idx+1)) */
	const struct ffs_ep_info *info;
	bool in;       /* device -> host */
	unsigned num;  /* the device's endpoint number */
	unsigned gmps; /* gadget wMaxPacketSize at the current link speed */
	unsigned rmps; /* the device's wMaxPacketSize */
	unsigned depth, xsize;
	struct xfer x[XFER_DEPTH_MAX];
	unsigned start, finish; /* ring positions: next to start, next to finish */
	struct bot *bot;    /* Bulk-Only interface (rule 5), else NULL */
	bool active;        /* its alternate setting is the selected one */
	bool inexact_logged;
	bool held;          /* OUT: a partial device packet waits for its other half */
	bool hold_expired;  /* OUT: the wait is over, forward what there is */
	unsigned epoch;     /* IN: +1 per stall handled; older URBs' stalls are stale */
	bool stalled;       /* IN: the device's halt is being cleared: no new URBs */
	bool parked;        /* the backend said -EAGAIN: disabled; wait for ENABLE */
	unsigned gen;       /* +1 per enable: an -EAGAIN of AIO from before it is stale */
	bool dirty;         /* completions arrived: pump once the batch is taken in */
};

/* Lifecycle of an instance, checked against the backend's events. */
enum inst_life {
	LIFE_BOUND,     /* bound to the UDC, never configured yet */
	LIFE_ENABLED,   /* the host selected its configuration: data flows */
	LIFE_SUSPENDED, /* enabled, bus suspended */
	LIFE_DISABLED,  /* reset, disconnected or deconfigured */
};

/* What the backend presents for one configuration; at most one is enabled. */
struct inst {
	unsigned k;   /* index in the backend's instances */
	const struct ffs_map *map;
	uint8_t cfgval;
	enum inst_life life;
	unsigned n_ep;
	struct rep ep[FFS_MAX_EPS];
	struct bot bots[FFS_MAX_INTF]; /* by interface index, for Bulk-Only interfaces */
	uint8_t cur_alt[FFS_MAX_INTF]; /* by interface index: the selected alternate setting */
};

struct relay {
	struct conn conn;
	struct urb_table urbs;
	struct gadget_backend *gb;
	int epfd;
	int sigfd;
	unsigned n_inst;
	struct inst inst[GB_MAX_INST];
	struct ep0_proxy ctrl;
	uint8_t setconf_val;
	bool was_enabled;  /* an ENABLE has been seen: later ones follow a reset */
	bool io_started;   /* the backend's start_io() succeeded */
	int hold_tfd;      /* timerfd for OUT holds (TOK_HOLD) */
	bool hold_armed;
	bool tx_throttled; /* OUT reads held back: the transmit queue is over CONN_TX_SOFT */
	bool tx_throttle_told; /* the first hold-back was logged (info), later ones at debug */
	int result;
	bool stop;
};

/** inst_enabled() - the host has selected @in_'s configuration (suspended or not). */
static inline bool inst_enabled(const struct inst *in_)
{
	return in_->life == LIFE_ENABLED || in_->life == LIFE_SUSPENDED;
}

/* relay.c: a relay driven one step at a time (relay_run() is these in a loop;
 * the unit tests and the fuzz target drive them themselves) */
/** relay_create() - set up the relay of @p and read the events already queued. NULL: *@err. */
struct relay *relay_create(const struct relay_params *p, int *err);
/** relay_destroy() - cancel and wait for the endpoint I/O, free everything. NULL is fine. */
void relay_destroy(struct relay *r);
/**
 * relay_step() - flush, wait up to @timeout_ms (-1: for ever) for events,
 * handle them, flush. Return: 0 or -errno (the relay must stop); r->stop and
 * r->result say whether it ended normally.
 */
int relay_step(struct relay *r, int timeout_ms);
/** relay_rx_ops - the receive path: RET_SUBMIT/RET_UNLINK judged against the URB table. */
extern const struct usbip_rx_ops relay_rx_ops;

/** relay_submit() - queue a CMD_SUBMIT for a new slot of @kind; NULL: -ENOBUFS/-ENOMEM in *@err. */
struct urb_slot *relay_submit(struct relay *r, enum urb_kind kind, unsigned ep, bool in,
			      unsigned interval, const uint8_t *setup, const uint8_t *data,
			      size_t len, int *err);
/** relay_unlink() - queue CMD_UNLINK of @target's URB. Return: 0 or -errno. */
int relay_unlink(struct relay *r, struct urb_slot *target);
/** relay_remote_ctrl() - a standard no-data request gadgetd itself sends the device. */
int relay_remote_ctrl(struct relay *r, enum urb_kind kind, const uint8_t setup[8]);
/** relay_ep0_resume() - read ep0 events again (after a control request is answered). */
int relay_ep0_resume(struct relay *r, struct inst *in_);
/**
 * relay_alt_stop() - SET_INTERFACE is on its way: stop the endpoints of the
 * selected alternate setting of interface @intf (the device's number): AIO
 * cancelled, URBs unlinked, the backend's endpoints disabled. Return: 0 or -errno.
 */
int relay_alt_stop(struct relay *r, struct inst *in_, unsigned intf);
/**
 * relay_alt_start() - alternate setting @alt of interface @intf is selected:
 * enable its endpoints and start their pumps. Return: 0 or -errno.
 */
int relay_alt_start(struct relay *r, struct inst *in_, unsigned intf, unsigned alt);
/**
 * relay_bot_reset() - the host sends Bulk-Only Mass Storage Reset to interface
 * @intf (the device's number) of @in_: drop what the interface had at the
 * device (pump_bot_reset()). A no-op for other interfaces. Return: 0 or -errno.
 */
int relay_bot_reset(struct relay *r, struct inst *in_, unsigned intf);
/** relay_ep0_poll() - watch (or stop watching) every instance's ep0. */
void relay_ep0_poll(struct relay *r, bool on);

#endif
