/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake_backend.h - a scripted gadget backend and USB/IP server for driving the
 * relay (gadgetd/relay_core.h) without a kernel: tests/unit/test_relay.c and
 * tests/fuzz/fuzz_relay_rx.c.
 *
 * The gadget side (struct gadget_backend_ops, gadgetd/backend.h):
 *   ep0_fd      an eventfd per instance, readable while events are queued
 *               (fake_event(), fake_setup());
 *   events()    pops them, and stops after a GB_EV_SETUP (the relay answers it
 *               before it reads more, backend.h);
 *   ep0_reply / ep0_stall / ep0_read   recorded (ep0_read hands out ep0_out);
 *   ep_desc     bEndpointAddress and the wMaxPacketSize in gmps[][] (by default
 *               the map's high-speed value);
 *   submit()    recorded in submission order as struct fake_io: reads the test
 *               completes later with data it chooses (fake_complete()), writes
 *               whose bytes are copied at submission;
 *   reap()      the completions queued so far, in order; completion_fd an
 *               eventfd readable while any wait;
 *   cancel()    a pending request completes with -ECONNRESET;
 *   start_io()  recorded;
 *   stop_io()   forgets every request: the relay frees its buffers next;
 *   ep_halt     recorded.
 * What the relay must never do is counted in misuse, with the last reason:
 * submit a request that is still in flight, or on an endpoint it has not
 * enabled, or outside start_io() .. stop_io().
 *
 * The server side: the relay's struct client has one end of an AF_UNIX
 * socketpair; the test reads the CMD_SUBMIT/CMD_UNLINK PDUs from the other
 * (fake_srv_read(), decoded with gadgetd's own codec) and answers with
 * fake_ret_submit()/fake_ret_unlink(). The signalfd is a pipe
 * (fake_signal() writes one struct signalfd_siginfo).
 */
#ifndef GADGETD_TESTS_FAKE_BACKEND_H
#define GADGETD_TESTS_FAKE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/backend.h"
#include "gadgetd/client.h"
#include "gadgetd/relay.h"
#include "gadgetd/usbip.h"

#define FAKE_MAX_EV 16

enum fake_io_state {
	FIO_PENDING, /* in the "kernel": not completed */
	FIO_QUEUED,  /* completed, not reaped yet */
	FIO_REAPED,  /* handed back to the relay */
	FIO_DROPPED, /* forgotten by stop_io() */
};

/* One submitted transfer, kept for the whole test in submission order. */
struct fake_io {
	struct ffs_req *req;
	unsigned inst, ep;
	bool in;          /* a write to the host */
	uint8_t *buf;     /* the relay's buffer */
	size_t len;       /* requested (read) or written (write) */
	uint8_t *data;    /* write: a copy of the bytes at submission */
	enum fake_io_state st;
	long res;
	bool cancelled;
};

/* One PDU the relay sent to the server. */
struct fake_pdu {
	struct usbip_header h;
	uint8_t *data; /* CMD_SUBMIT OUT: the payload */
	size_t len;
};

struct fake_reply {
	unsigned inst;
	struct usb_ctrlrequest setup;
	uint8_t data[4096];
	size_t len;
};

struct fake {
	struct gadget_backend gb;
	struct client client;
	int srv_fd;          /* the server's end of the socketpair */
	int sig_rd, sig_wr;  /* the relay's "signalfd" */
	int ep0_efd[GB_MAX_INST];
	int comp_efd;

	/* events */
	struct gb_event ev[GB_MAX_INST][FAKE_MAX_EV];
	unsigned ev_n[GB_MAX_INST];
	unsigned events_calls;

	/* ep0 */
	struct fake_reply *reply; /* every ep0_reply, in order */
	unsigned n_reply;
	unsigned n_stall;
	struct usb_ctrlrequest stall_setup; /* the last stalled request */
	uint8_t ep0_out[4096];    /* what ep0_read() hands out */
	size_t ep0_out_len;

	/* endpoints */
	unsigned gmps[GB_MAX_INST][FFS_MAX_EPS];
	bool ep_on[GB_MAX_INST][FFS_MAX_EPS];
	unsigned n_halt;
	struct { unsigned inst, ep; bool in; } halt[64];
	unsigned n_cancel;
	int submit_err;      /* != 0: submit() fails with it */
	bool started;        /* start_io() was called */
	unsigned io_max;     /* what it was asked to allow in flight */
	bool stopped;        /* stop_io() was called */

	struct fake_io **io; /* every submission */
	size_t n_io, cap_io;
	struct fake_io **q;  /* completions not reaped yet */
	size_t q_n, q_cap;

	unsigned misuse;
	const char *misuse_why;

	/* the server's view */
	struct usbip_rx srx;
	struct fake_pdu *pdu;
	size_t n_pdu, cap_pdu, next_pdu;
};

/* ---- maps ---- */

/** fake_ep() - endpoint @i of @m: remote @addr, @type (USB_ENDPOINT_XFER_*), sizes. */
void fake_ep(struct ffs_map *m, unsigned i, uint8_t addr, uint8_t type, unsigned intf,
	     uint16_t remote_mps, uint16_t hs_mps, uint8_t interval);
/** fake_intf() - interface @i of @m: device number @remote, class triple. */
void fake_intf(struct ffs_map *m, unsigned i, uint8_t remote, uint8_t cls, uint8_t sub,
	       uint8_t proto);

/* ---- set-up ---- */

/**
 * fake_new() - a backend presenting @n_inst instances (@maps[k], configuration
 * value @cfg[k]) and a client whose first seqnum is @seqnum. NULL on failure.
 */
struct fake *fake_new(unsigned n_inst, const struct ffs_map *const *maps, const uint8_t *cfg,
		      uint32_t seqnum);
/** fake_free() - close and free everything (destroy the relay first). */
void fake_free(struct fake *f);
/** fake_params() - relay_params for relay_create(). */
void fake_params(struct fake *f, struct relay_params *p);

/* ---- the gadget side ---- */

void fake_event(struct fake *f, unsigned inst, enum gb_event_type t);
/** fake_setup() - queue a GB_EV_SETUP (wValue, wIndex, wLength in host order). */
void fake_setup(struct fake *f, unsigned inst, uint8_t type, uint8_t req, uint16_t value,
		uint16_t index, uint16_t length);
/** fake_nth() - the @k-th submission ever on (@inst, @ep), or NULL. */
struct fake_io *fake_nth(struct fake *f, unsigned inst, unsigned ep, unsigned k);
/** fake_pending() - the @k-th request of (@inst, @ep) still in flight, or NULL. */
struct fake_io *fake_pending(struct fake *f, unsigned inst, unsigned ep, unsigned k);
/** fake_count() - submissions on (@inst, @ep) so far, and how many are in flight. */
unsigned fake_count(struct fake *f, unsigned inst, unsigned ep, unsigned *pending);
/**
 * fake_complete() - complete @io with @res; for a read, @data (@res bytes) is
 * copied into the relay's buffer first. Return: 0, or -1 if @io is not in flight.
 */
int fake_complete(struct fake *f, struct fake_io *io, long res, const void *data);
/** fake_complete_writes() - complete every write in flight on @inst, @ep with its length. */
unsigned fake_complete_writes(struct fake *f, unsigned inst, unsigned ep);
/** fake_take() - pop the oldest queued completion (the relay's reap, for a harness). */
struct fake_io *fake_take(struct fake *f);
/** fake_signal() - make the "signalfd" readable with one record. */
void fake_signal(struct fake *f, unsigned signo);

/* ---- the server side ---- */

/** fake_srv_read() - read and decode what the relay sent. Return: PDUs now waiting. */
size_t fake_srv_read(struct fake *f);
/** fake_srv_next() - the next PDU not looked at yet, or NULL. */
const struct fake_pdu *fake_srv_next(struct fake *f);
/** fake_ret_submit() - send RET_SUBMIT @seqnum; @data: the IN payload (@actual bytes) or NULL. */
void fake_ret_submit(struct fake *f, uint32_t seqnum, int status, int actual, const void *data);
/** fake_ret_unlink() - send RET_UNLINK @seqnum. */
void fake_ret_unlink(struct fake *f, uint32_t seqnum, int status);
/** fake_ret_encode() - the 48 header bytes of a RET_SUBMIT into @out. */
void fake_ret_encode(uint8_t out[USBIP_HDR_LEN], uint32_t command, uint32_t seqnum, int status,
		     int actual);

#endif
