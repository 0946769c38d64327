// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_relay_rx.c - the relay's receive path: what a hostile server sends
 * (RET_SUBMIT, RET_UNLINK, anything else) fed through usbip_rx_feed() with
 * relay_rx_ops (gadgetd/relay.c) into a relay
 * that has URBs of every kind in flight: bulk and interrupt IN and OUT,
 * Bulk-Only phases, a forwarded control request, SET_CONFIGURATION. The gadget
 * side is the fake backend of the unit tests (tests/unit/fake_backend.h);
 * nothing is done on a socket.
 *
 * Input:
 *   [0] bits 0-1  the set-up (below)
 *       bit 2     after each chunk the gadget side moves: every write in flight
 *                 completes, and the oldest read of each OUT endpoint with a
 *                 full request of data
 *       bit 3     after each chunk the OUT hold expires (pump_hold_expired())
 *       bit 4     after the first chunk the control request times out (ep0_timeout())
 *       bit 5     after the first chunk the host resets (DISABLE), after the
 *                 second it configures again (ENABLE)
 *       bit 6     what bit 2 completes fails with -EAGAIN instead (a disabled
 *                 endpoint: the relay parks it)
 *       bit 7     the control request is SET_INTERFACE(alternate setting 1) of
 *                 interface 1 (0 for Bulk-Only): the old setting's URBs are
 *                 unlinked first, which moves the control request's seqnum
 *   [1]           chunk size: the stream is fed this many bytes at a time (0: in one)
 *   the rest      the stream, as the server would send it
 *
 * Set-ups (seqnums start at 1; tests/fuzz/gen_corpus.c answers them):
 *   0  vendor interface, bulk IN 0x81 and OUT 0x02 at 512 bytes, interrupt IN
 *      0x83 (8 bytes) on interface 1, whose alternate setting 1 has interrupt
 *      IN 0x84 instead: 1 SET_CONFIGURATION, 2..17 bulk IN (512), 18..19
 *      interrupt IN (8), 20 bulk OUT (512), 21 bulk OUT (100), 22 control IN
 *      (vendor request, wLength 64); with bit 7: 22, 23 unlink 18, 19 and
 *      SET_INTERFACE is 24
 *   1  the same for a super-speed device on a high-speed gadget (1024/512,
 *      rule 6): bulk IN URBs of 1024, 20 bulk OUT of 1024 (two gadget packets)
 *   2  Bulk-Only: 1 SET_CONFIGURATION, 2 a CBW (31 bytes OUT) for 4096 bytes IN,
 *      3 GET_MAX_LUN; once 2 is answered the data-in URB is 4, then the CSW 5;
 *      with bit 7: 3 unlinks 2, SET_INTERFACE is 4
 *   3  Bulk-Only: 2 a CBW for 1024 bytes OUT, 3 the data (1024 OUT), 4
 *      GET_MAX_LUN; once 2 and 3 are answered the CSW is 5; with bit 7: 4 and
 *      5 unlink 2 and 3, SET_INTERFACE is 6
 *
 * Invariants, after every chunk: usbip_rx_feed() consumes the chunk or fails
 * with -EPROTO or -EMSGSIZE (what a hostile server can cause), nothing else;
 * the fake backend saw no misuse (a request submitted twice, I/O on an
 * endpoint the relay had not enabled); every data URB in the URB table points
 * to a transfer that waits for it, and, until the relay stops, every transfer
 * waiting for a URB has one in the table (else that ring would wait for
 * ever); a control request the host waits on has its URB. relay_destroy() then frees everything
 * (LeakSanitizer).

 *
 * The relay logs to stderr; that stdio stream points to /dev/null while the
 * relay runs (sanitizer and libFuzzer reports still reach file descriptor 2)
 * unless GADGETD_FUZZ_LOG is set, which also prints each chunk's result.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gadgetd/relay_core.h"
#include "gadgetd/usb_wire.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_backend.h"

/* fuzz.mk links one object per harness: the fake is compiled in here */
#include "tests/unit/fake_backend.c"

enum { SC_VENDOR, SC_SS_ON_HS, SC_BOT_IN, SC_BOT_OUT };

#define F_GADGET_IO 0x04
#define F_HOLD 0x08
#define F_CTRL_TIMEOUT 0x10
#define F_REENABLE 0x20
#define F_IO_FAILS 0x40
#define F_SET_INTERFACE 0x80

/* the checks themselves are not what the fuzzer should explore */
#if defined(__clang__)
#define NOT_FUZZED __attribute__((no_sanitize("coverage")))
#else
#define NOT_FUZZED
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);

static bool trace;
static uint8_t pattern[BOT_IN_CHUNK];
/* the first step that failed while the relay ran quietly, checked after */
static const char *failed;
static long failed_rr;

static void note(long rr, const char *what)
{
	if (rr && !failed) {
		failed = what;
		failed_rr = rr;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 13 + 1);
	trace = getenv("GADGETD_FUZZ_LOG") != NULL;
	return 0;
}

/* The relay's log lines go nowhere while it runs (fuzz.h). */
static void quiet(bool on)
{
	fuzz_quiet(on);
}

/* Hand the fake's completions to the relay, as on_aio() does: the batch in, then a pump each. */
static void deliver(struct fake *f, struct relay *r)
{
	struct rep *touched[64];
	struct fake_io *io;
	unsigned n, i;

	do {
		for (n = 0; n < 64 && (io = fake_take(f));) {
			struct rep *e = pump_aio_done(r, io->req, io->res);

			for (i = 0; i < n && touched[i] != e; i++)
				;
			if (i == n)
				touched[n++] = e;
		}
		for (i = 0; i < n; i++)
			note(pump(r, touched[i]), "pump");
	} while (n);
}

static void host_sends(struct fake *f, struct relay *r, unsigned ep, const void *data, size_t n)
{
	note(fake_complete(f, fake_pending(f, 0, ep, 0), (long)n, data), "no read to complete");
	deliver(f, r);
}

static void cbw(uint8_t out[31], uint32_t len, bool in)
{
	memset(out, 0, 31);
	memcpy(out, "USBC", 4);
	out[4] = 0x21; /* dCBWTag */
	out[8] = (uint8_t)len;
	out[9] = (uint8_t)(len >> 8);
	out[10] = (uint8_t)(len >> 16);
	out[11] = (uint8_t)(len >> 24);
	out[12] = in ? 0x80 : 0;
	out[14] = 10;
	out[15] = in ? 0x28 : 0x2a; /* READ(10), WRITE(10) */
}

static struct relay *setup(struct fake **fp, struct ffs_map *m, unsigned sc, bool set_intf)
{
	static const uint8_t cfg[1] = { 1 };
	const struct ffs_map *maps[1] = { m };
	uint16_t rmps = sc == SC_SS_ON_HS ? 1024 : 512;
	bool bot = sc == SC_BOT_IN || sc == SC_BOT_OUT;
	struct relay_params p;
	struct relay *r;
	struct fake *f;
	uint8_t c[31];
	int err = 0;

	memset(m, 0, sizeof(*m));
	fake_ep(m, 0, 0x81, USB_ENDPOINT_XFER_BULK, 0, rmps, 512, 0);
	fake_ep(m, 1, 0x02, USB_ENDPOINT_XFER_BULK, 0, rmps, 512, 0);
	if (bot) {
		fake_intf(m, 0, 0, 8, 6, 0x50);
	} else {
		fake_intf(m, 0, 0, 0xff, 0, 0);
		fake_ep(m, 2, 0x83, USB_ENDPOINT_XFER_INT, 1, 8, 8, 4);
		fake_ep(m, 3, 0x84, USB_ENDPOINT_XFER_INT, 1, 8, 8, 4);
		m->ep[3].alt = 1;
		fake_intf(m, 1, 1, 3, 0, 0);
	}
	f = fake_new(1, maps, cfg, 1);
	if (!f)
		abort();
	fake_event(f, 0, GB_EV_ENABLE);
	fake_params(f, &p);
	r = relay_create(&p, &err);
	if (!r)
		abort();
	switch (sc) {
	case SC_VENDOR:
		host_sends(f, r, 1, pattern, 512);
		host_sends(f, r, 1, pattern, 100);
		break;
	case SC_SS_ON_HS:
		/* two gadget packets, one device packet (rule 6) */
		note(fake_complete(f, fake_pending(f, 0, 1, 0), 512, pattern), "no read");
		note(fake_complete(f, fake_pending(f, 0, 1, 0), 512, pattern), "no read");
		deliver(f, r);
		host_sends(f, r, 1, pattern, 100);
		break;
	case SC_BOT_IN:
		cbw(c, 4096, true);
		host_sends(f, r, 1, c, sizeof(c));
		break;
	case SC_BOT_OUT:
		cbw(c, 1024, false);
		host_sends(f, r, 1, c, sizeof(c));
		host_sends(f, r, 1, pattern, 1024);
		break;
	}
	if (set_intf)
		fake_setup(f, 0, 0x01, 0x0b, 1, bot ? 0 : 1, 0); /* SET_INTERFACE */
	else if (bot)
		fake_setup(f, 0, 0xa1, 0xfe, 0, 0, 1); /* GET_MAX_LUN */
	else
		fake_setup(f, 0, 0xc0, 0x33, 0, 0, 64);
	note(relay_ep0_resume(r, &r->inst[0]), "relay_ep0_resume");
	*fp = f;
	return r;
}

/* What the set-up must have in flight: the seed corpus answers these seqnums. */
NOT_FUZZED static void check_setup(struct relay *r, unsigned sc, bool set_intf)
{
	static const uint8_t kinds[2][4][25] = {
		{
			[SC_VENDOR] = { 0, U_SETCONF, [2 ... 21] = U_XFER, [22] = U_CTRL },
			[SC_SS_ON_HS] = { 0, U_SETCONF, [2 ... 21] = U_XFER, [22] = U_CTRL },
			[SC_BOT_IN] = { 0, U_SETCONF, U_XFER, U_CTRL },
			[SC_BOT_OUT] = { 0, U_SETCONF, U_XFER, U_XFER, U_CTRL },
		}, { /* SET_INTERFACE: the old setting's URBs unlinked first */
			[SC_VENDOR] = { 0, U_SETCONF, [2 ... 21] = U_XFER, U_UNLINK, U_UNLINK,
					U_CTRL },
			[SC_SS_ON_HS] = { 0, U_SETCONF, [2 ... 21] = U_XFER, U_UNLINK, U_UNLINK,
					  U_CTRL },
			[SC_BOT_IN] = { 0, U_SETCONF, U_XFER, U_UNLINK, U_CTRL },
			[SC_BOT_OUT] = { 0, U_SETCONF, U_XFER, U_XFER, U_UNLINK, U_UNLINK, U_CTRL },
		},
	};
	unsigned s;

	for (s = 1; s < 25; s++) {
		struct urb_slot *u = urb_find(&r->urbs, s);
		uint8_t want = kinds[set_intf][sc][s];

		if (!want) {
			FUZZ_CHECKF(!u, "set-up %u: seqnum %u is in flight", sc, s);
			continue;
		}
		FUZZ_CHECKF(u && u->kind == want, "set-up %u: seqnum %u is not a %u", sc, s,
			    want);
	}
	FUZZ_CHECK(r->ctrl.st == CTRL_WAIT_DEVICE);
}

NOT_FUZZED static void check_state(struct fake *f, struct relay *r)
{
	unsigned i, k, n, j;

	FUZZ_CHECKF(!f->misuse, "the relay misused the backend: %s", f->misuse_why);
	for (i = 0; i < URB_SLOTS; i++) {
		struct urb_slot *u = &r->urbs.slot[i];
		struct xfer *x = u->x;

		if (u->kind != U_XFER)
			continue;
		FUZZ_CHECKF(x != NULL, "data URB %u has no transfer", u->seqnum);
		FUZZ_CHECKF(x->seqnum == u->seqnum && x->st == X_URB,
			    "data URB %u: its transfer has seqnum %u, state %d", u->seqnum,
			    x->seqnum, x->st);
	}
	for (k = 0; k < r->n_inst; k++) {
		for (n = 0; n < r->inst[k].n_ep; n++) {
			struct rep *e = &r->inst[k].ep[n];

			FUZZ_CHECK(e->start < e->depth && e->finish < e->depth);
			for (j = 0; j < e->depth; j++) {
				struct xfer *x = &e->x[j];
				struct urb_slot *u;

				/* a stopped relay is torn down next: it leaves the URB
				 * that told it the device is gone to its transfer */
				if (x->st != X_URB || (!e->in && !x->span) || r->stop)
					continue;
				u = urb_find(&r->urbs, x->seqnum);
				FUZZ_CHECKF(u && u->kind == U_XFER && u->x == x,
					    "ep%u transfer %u waits for URB %u, which is not in "
					    "flight", n + 1, j, x->seqnum);
			}
		}
	}
	if (r->ctrl.st == CTRL_WAIT_DEVICE) {
		struct urb_slot *u = urb_find(&r->urbs, r->ctrl.seqnum);

		FUZZ_CHECKF(u && u->kind == U_CTRL, "the host waits on control URB %u, which is "
			    "not in flight", r->ctrl.seqnum);
	}
}


/* The gadget side moves: writes done, one read per OUT endpoint filled. */
static void gadget_io(struct fake *f, struct relay *r, bool fail)
{
	unsigned n;

	for (n = 0; n < r->inst[0].n_ep; n++) {
		struct fake_io *io;

		if (r->inst[0].ep[n].in) {
			while ((io = fake_pending(f, 0, n, 0)))
				fake_complete(f, io, fail ? -EAGAIN : (long)io->len, NULL);
		} else if ((io = fake_pending(f, 0, n, 0))) {
			size_t len = io->len < sizeof(pattern) ? io->len : sizeof(pattern);

			fake_complete(f, io, fail ? -EAGAIN : (long)len, pattern);
		}
	}
	deliver(f, r);
}

static void between(struct fake *f, struct relay *r, unsigned flags, size_t chunk)
{
	if ((flags & F_CTRL_TIMEOUT) && chunk == 0)
		note(ep0_timeout(r), "ep0_timeout");
	if ((flags & F_REENABLE) && chunk < 2) {
		fake_event(f, 0, chunk == 0 ? GB_EV_DISABLE : GB_EV_ENABLE);
		note(relay_ep0_resume(r, &r->inst[0]), "relay_ep0_resume");
	}
	if (flags & F_GADGET_IO)
		gadget_io(f, r, flags & F_IO_FAILS);
	if (flags & F_HOLD)
		note(pump_hold_expired(r), "pump_hold_expired");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned sc, flags;
	size_t step, pos, c, chunk;
	struct ffs_map *m;
	struct relay *r;
	struct fake *f;
	ssize_t rr = 0;

	if (size < 2)
		return 0;
	sc = data[0] & 3;
	flags = data[0];
	step = data[1];
	data += 2;
	size -= 2;
	m = calloc(1, sizeof(*m));
	FUZZ_CHECK(m != NULL);

	failed = NULL;
	quiet(true);
	r = setup(&f, m, sc, flags & F_SET_INTERFACE);
	quiet(false);
	FUZZ_CHECKF(!failed, "set-up: %s: %ld", failed, failed_rr);
	check_setup(r, sc, flags & F_SET_INTERFACE);
	check_state(f, r);

	for (pos = 0, chunk = 0; pos < size && !r->stop; pos += c, chunk++) {
		uint8_t *copy;

		c = step && step < size - pos ? step : size - pos;
		copy = fuzz_dup(data + pos, c);
		/* the server has read every CMD queued so far (nothing is sent on a
		 * socket here); a RET for a CMD not sent is judged in the unit tests */
		r->conn.tx_sent = r->conn.tx_queued;
		quiet(true);
		rr = usbip_rx_feed(&r->conn.rx, copy, c, &relay_rx_ops, r);
		quiet(false);
		free(copy);
		if (trace)
			fprintf(stderr, "fuzz_relay_rx: chunk %zu (%zu bytes at %zu): %zd%s\n", chunk,
				c, pos, rr, r->stop ? ", stopped" : "");
		check_state(f, r);
		if (rr < 0) {
			/* the relay stops here; what a server can cause, nothing else */
			FUZZ_CHECKF(rr == -EPROTO || rr == -EMSGSIZE, "usbip_rx_feed: %zd", rr);
			break;
		}
		FUZZ_CHECKF((size_t)rr == c, "usbip_rx_feed consumed %zd of %zu", rr, c);
		quiet(true);
		between(f, r, flags, chunk);
		quiet(false);
		FUZZ_CHECKF(!failed, "%s: %ld", failed, failed_rr);
		check_state(f, r);
	}

	quiet(true);
	relay_destroy(r);
	quiet(false);
	FUZZ_CHECKF(!f->misuse, "the relay misused the backend: %s", f->misuse_why);
	fake_free(f);
	free(m);
	return 0;
}
