// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_relay.c - the relay (gadgetd/relay.c, pump.c, bot.c, ep0_proxy.c,
 * conn.c) driven one relay_step() at a time between a fake gadget backend and
 * a fake USB/IP server (tests/unit/fake_backend.h). Each test checks what goes
 * on the wire (CMD_SUBMIT/CMD_UNLINK as the server decodes them) and what the
 * gadget side is asked to do (reads, writes, halts, ep0 replies), against the
 * framing rules of gadgetd/pump.h.
 *
 * Seqnums are predictable: the client's first is 1, and the relay takes them
 * in the order it queues URBs. ENABLE of the vendor map below gives
 * SET_CONFIGURATION = 1 and the 16 bulk IN URBs = 2..17.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gadgetd/log.h"
#include "gadgetd/readahead.h"
#include "gadgetd/relay_core.h"
#include "gadgetd/usb_wire.h"
#include "tests/unit/fake_backend.h"

/* one object per unit test in the Makefile: the fake is compiled in here */
#include "tests/unit/fake_backend.c"

#define BULK USB_ENDPOINT_XFER_BULK
#define INTR USB_ENDPOINT_XFER_INT
#define EP_IN 0  /* map index of the IN endpoint (remote 0x81) */
#define EP_OUT 1 /* map index of the OUT endpoint (remote 0x02) */

struct env {
	struct ffs_map map;
	struct fake *f;
	struct relay *r;
};

/* The relay goes first; it must not misuse the backend on its way out either. */
static int teardown(void **state)
{
	struct env *e = *state;
	int rc = 0;

	if (e) {
		relay_destroy(e->r);
		if (e->f && e->f->misuse) {
			print_error("the relay misused the backend: %s\n", e->f->misuse_why);
			rc = -1;
		}
		fake_free(e->f);
		free(e);
	}
	*state = NULL;
	return rc;
}

static struct env *env_new(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	*state = e;
	return e;
}

/* Bulk IN 0x81 + bulk OUT 0x02 on interface 0 (device interface @remote_intf). */
static void map_bulk(struct ffs_map *m, uint16_t rmps, uint16_t gmps, uint8_t cls,
		     uint8_t sub, uint8_t proto, uint8_t remote_intf)
{
	memset(m, 0, sizeof(*m));
	fake_ep(m, EP_IN, 0x81, BULK, 0, rmps, gmps, 0);
	fake_ep(m, EP_OUT, 0x02, BULK, 0, rmps, gmps, 0);
	fake_intf(m, 0, remote_intf, cls, sub, proto);
}

static void map_vendor(struct ffs_map *m, uint16_t rmps, uint16_t gmps)
{
	map_bulk(m, rmps, gmps, 0xff, 0, 0, 0);
}

/* The relay over @e->map, configuration 1, with ENABLE already queued; flushed. */
static void start(struct env *e)
{
	const struct ffs_map *maps[1] = { &e->map };
	const uint8_t cfg[1] = { 1 };
	struct relay_params p;
	int err = 0;

	e->f = fake_new(1, maps, cfg, 1);
	assert_non_null(e->f);
	fake_event(e->f, 0, GB_EV_ENABLE);
	fake_params(e->f, &p);
	e->r = relay_create(&p, &err);
	assert_int_equal(err, 0);
	assert_non_null(e->r);
	assert_int_equal(relay_step(e->r, 0), 0);
}

/* Let the relay handle everything that is ready. */
static void settle(struct env *e)
{
	for (int i = 0; i < 8; i++)
		assert_int_equal(relay_step(e->r, 0), 0);
	assert_int_equal(e->f->misuse, 0);
}

/* The first error relay_step() returns within a few steps, or 0. */
static int settle_rc(struct env *e)
{
	int rc = 0;

	for (int i = 0; i < 8 && !rc && !e->r->stop; i++)
		rc = relay_step(e->r, 0);
	return rc;
}

static const struct fake_pdu *next_pdu(struct env *e)
{
	const struct fake_pdu *p = fake_srv_next(e->f);

	assert_non_null(p);
	return p;
}

static void expect_no_pdu(struct env *e)
{
	const struct fake_pdu *p = fake_srv_next(e->f);

	if (p)
		fail_msg("unexpected PDU: %s seqnum %u ep %u len %d",
			 usbip_command_str(p->h.command), p->h.seqnum, p->h.ep,
			 p->h.u.cmd_submit.transfer_buffer_length);
}

/* The next PDU is CMD_SUBMIT @seqnum on @ep, direction @in, @len bytes. */
static const struct fake_pdu *expect_submit(struct env *e, uint32_t seqnum, unsigned ep, bool in,
					    int len)
{
	const struct fake_pdu *p = next_pdu(e);

	assert_int_equal(p->h.command, USBIP_CMD_SUBMIT);
	assert_int_equal(p->h.seqnum, seqnum);
	assert_int_equal(p->h.devid, 0x00010002);
	assert_int_equal(p->h.ep, ep);
	assert_int_equal(p->h.direction, in ? USBIP_DIR_IN : USBIP_DIR_OUT);
	assert_int_equal(!!(p->h.u.cmd_submit.transfer_flags & USBIP_URB_DIR_IN), in);
	assert_int_equal(p->h.u.cmd_submit.transfer_buffer_length, len);
	assert_int_equal(p->h.u.cmd_submit.number_of_packets, 0);
	assert_int_equal(p->len, in ? 0 : (size_t)len);
	return p;
}

/* The next PDU is a no-data control request @seqnum with setup @s. */
static void expect_ctrl(struct env *e, uint32_t seqnum, const uint8_t s[8])
{
	const struct fake_pdu *p = expect_submit(e, seqnum, 0, false, 0);

	assert_memory_equal(p->h.u.cmd_submit.setup, s, 8);
}

static void expect_unlink(struct env *e, uint32_t seqnum, uint32_t target)
{
	const struct fake_pdu *p = next_pdu(e);

	assert_int_equal(p->h.command, USBIP_CMD_UNLINK);
	assert_int_equal(p->h.seqnum, seqnum);
	assert_int_equal(p->h.u.cmd_unlink.seqnum, target);
}

static const uint8_t setconf1[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };

/* The next PDUs are bulk IN URBs @first..@last of @len bytes, and nothing else. */
static void expect_in_urbs(struct env *e, uint32_t first, uint32_t last, int len)
{
	for (uint32_t s = first; s <= last; s++)
		expect_submit(e, s, 1, true, len);
	expect_no_pdu(e);
}

/* ENABLE of a vendor map: SET_CONFIGURATION (1), bulk IN URBs 2..17 of @rmps. */
static void expect_enable(struct env *e, int rmps)
{
	expect_ctrl(e, 1, setconf1);
	expect_in_urbs(e, 2, 17, rmps);
}

/* A relay over the vendor map, enabled, its first URBs checked. */
static struct env *vendor(void **state, uint16_t rmps, uint16_t gmps)
{
	struct env *e = env_new(state);

	map_vendor(&e->map, rmps, gmps);
	start(e);
	expect_enable(e, rmps);
	return e;
}

/* Test data: pat(k) and pat(j) differ for k != j (below 256), up to 64 KiB long. */
static const uint8_t *pat(unsigned seed)
{
	static uint8_t pool[65536 + 256];

	if (!pool[1])
		for (size_t i = 0; i < sizeof(pool); i++)
			pool[i] = (uint8_t)(i * 7 + i / 256);
	return pool + seed;
}

static bool urb_table_empty(struct relay *r)
{
	for (unsigned i = 0; i < URB_SLOTS; i++)
		if (r->urbs.slot[i].kind != U_FREE)
			return false;
	return true;
}

/* ---- ENABLE ---- */

static void test_enable_mirrors_setconf(void **state)
{
	struct env *e = vendor(state, 512, 512);
	static const uint8_t reset[8] = { 0x23, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00 };
	unsigned pending;

	/* rule 1 and 2: 16 packet-sized reads queued on the OUT endpoint */
	assert_int_equal(fake_count(e->f, 0, EP_OUT, &pending), 16);
	assert_int_equal(pending, 16);
	assert_int_equal(fake_pending(e->f, 0, EP_OUT, 0)->len, 512);
	assert_true(e->f->ep_on[0][EP_IN] && e->f->ep_on[0][EP_OUT]);
	fake_ret_submit(e->f, 1, 0, 0, NULL);
	settle(e);
	expect_no_pdu(e);

	/* a second ENABLE: the host reset or reconfigured the gadget */
	fake_event(e->f, 0, GB_EV_ENABLE);
	settle(e);
	for (uint32_t s = 18; s <= 33; s++)
		expect_unlink(e, s, s - 16);
	expect_ctrl(e, 34, reset); /* SET_FEATURE(PORT_RESET) before ... */
	expect_ctrl(e, 35, setconf1); /* ... SET_CONFIGURATION */
	expect_no_pdu(e); /* the IN ring waits for its unlinks */
	assert_int_equal(e->f->n_cancel, 16);
	/* the cancelled reads came back -ECONNRESET and were queued again */
	fake_count(e->f, 0, EP_OUT, &pending);
	assert_int_equal(pending, 16);

	for (uint32_t s = 18; s <= 33; s++)
		fake_ret_unlink(e->f, s, -ECONNRESET);
	fake_ret_submit(e->f, 34, 0, 0, NULL);
	fake_ret_submit(e->f, 35, 0, 0, NULL);
	settle(e);
	expect_in_urbs(e, 36, 51, 512);
}

static void test_interrupt_in(void **state)
{
	struct env *e = env_new(state);
	uint8_t rep[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct fake_pdu *p;
	struct fake_io *w;

	fake_ep(&e->map, 0, 0x83, INTR, 0, 8, 8, 10);
	fake_intf(&e->map, 0, 0, 3, 1, 1);
	start(e);
	expect_ctrl(e, 1, setconf1);
	/* two interrupt URBs, one packet each, with the endpoint's interval */
	for (uint32_t s = 2; s <= 3; s++) {
		p = expect_submit(e, s, 3, true, 8);
		assert_int_equal(p->h.u.cmd_submit.interval, 10);
	}
	expect_no_pdu(e);
	fake_ret_submit(e->f, 3, 0, 8, rep);
	fake_ret_submit(e->f, 2, 0, 4, rep);
	settle(e);
	w = fake_nth(e->f, 0, 0, 0);
	assert_non_null(w);
	assert_int_equal(w->len, 4);
	w = fake_nth(e->f, 0, 0, 1);
	assert_non_null(w);
	assert_int_equal(w->len, 8);
	assert_memory_equal(w->data, rep, 8);
	assert_int_equal(fake_complete_writes(e->f, 0, 0), 2);
	settle(e);
	expect_submit(e, 4, 3, true, 8);
	expect_submit(e, 5, 3, true, 8);
	expect_no_pdu(e);
}

/* ---- IN ---- */

static void test_in_order(void **state)
{
	struct env *e = vendor(state, 512, 512);
	const uint8_t *a = pat(0x22), *b = pat(0x33), *c = pat(0x44);
	struct fake_io *w;

	/* answered out of order: nothing reaches the host before seqnum 2 */
	fake_ret_submit(e->f, 4, 0, 100, c);
	settle(e);
	fake_ret_submit(e->f, 3, 0, 512, b);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 0);
	fake_ret_submit(e->f, 2, 0, 200, a);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 3);
	w = fake_nth(e->f, 0, EP_IN, 0);
	assert_int_equal(w->len, 200);
	assert_memory_equal(w->data, a, 200);
	w = fake_nth(e->f, 0, EP_IN, 1);
	assert_int_equal(w->len, 512);
	assert_memory_equal(w->data, b, 512);
	w = fake_nth(e->f, 0, EP_IN, 2);
	assert_int_equal(w->len, 100);
	assert_memory_equal(w->data, c, 100);
	expect_no_pdu(e); /* no new URB while the writes are in the UDC */

	/* the writes done, their transfers ask the device again */
	assert_int_equal(fake_complete_writes(e->f, 0, EP_IN), 3);
	settle(e);
	expect_in_urbs(e, 18, 20, 512);
}

static void test_in_zlp(void **state)
{
	struct env *e = vendor(state, 512, 512);

	/* rule 4: a 0-byte completion is a 0-byte write */
	fake_ret_submit(e->f, 2, 0, 0, NULL);
	/* a full packet that filled its request: no ZLP after it */
	fake_ret_submit(e->f, 3, 0, 512, pat(1));
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 2);
	assert_int_equal(fake_nth(e->f, 0, EP_IN, 0)->len, 0);
	assert_int_equal(fake_nth(e->f, 0, EP_IN, 1)->len, 512);
}

static void test_rule6_in_zlp(void **state)
{
	/* a super-speed device (1024) on a high-speed gadget (512) */
	struct env *e = vendor(state, 1024, 512);
	static const size_t want[] = { 512, 0, 1024, 700, 0, 1024 };
	const uint8_t *b = pat(9);
	unsigned i;

	fake_ret_submit(e->f, 2, 0, 512, b);  /* short for the device, whole for the gadget */
	fake_ret_submit(e->f, 3, 0, 1024, b); /* full: the transfer goes on */
	fake_ret_submit(e->f, 4, 0, 700, b);  /* short for both: no ZLP needed */
	fake_ret_submit(e->f, 5, 0, 0, NULL); /* a ZLP (rule 4) */
	fake_ret_submit(e->f, 6, 0, 1024, b);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(fake_nth(e->f, 0, EP_IN, i)->len, want[i]);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 0)->data, b, 512);
	/* the ZLP is queued right behind its data, on the same transfer */
	assert_ptr_equal(fake_nth(e->f, 0, EP_IN, 0)->buf, fake_nth(e->f, 0, EP_IN, 1)->buf);
	assert_ptr_not_equal(fake_nth(e->f, 0, EP_IN, 0)->req, fake_nth(e->f, 0, EP_IN, 1)->req);
	/* the transfer is free only when both are done */
	assert_int_equal(fake_complete(e->f, fake_nth(e->f, 0, EP_IN, 0), 512, NULL), 0);
	settle(e);
	expect_no_pdu(e);
	assert_int_equal(fake_complete(e->f, fake_nth(e->f, 0, EP_IN, 1), 0, NULL), 0);
	settle(e);
	expect_submit(e, 18, 1, true, 1024);
	expect_no_pdu(e);
}

/* ---- OUT ---- */

/*
 * Rule 3: a full packet and a short one that the gadget has already completed
 * may go as one URB. Either way the device must see 512 then 100 bytes, and the
 * short packet must end its URB.
 */
static void test_out_full_and_short(void **state)
{
	struct env *e = vendor(state, 512, 512);
	const uint8_t *a = pat(0x10), *b = pat(0x20);
	uint8_t wire[612];
	const struct fake_pdu *p;
	size_t got = 0;
	unsigned urbs = 0;

	/* both completions are there before the relay reaps: one batch */
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 512, a), 0);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 100, b), 0);
	settle(e);
	while ((p = fake_srv_next(e->f))) {
		assert_int_equal(p->h.command, USBIP_CMD_SUBMIT);
		assert_int_equal(p->h.ep, 2);
		assert_int_equal(p->h.direction, USBIP_DIR_OUT);
		assert_in_range(got + p->len, 1, sizeof(wire));
		memcpy(wire + got, p->data, p->len);
		got += p->len;
		urbs++;
		/* a URB ends at its first short packet */
		assert_true(p->len % 512 == 0 || got == sizeof(wire));
	}
	assert_int_equal(got, sizeof(wire));
	assert_memory_equal(wire, a, 512);
	assert_memory_equal(wire + 512, b, 100);
	assert_int_equal(urbs, 1); /* reaped in one batch: one URB (rule 3) */
}

/*
 * Two full packets and the host's ZLP reaped in one batch: the full packets
 * may go as one URB (rule 3), but the ZLP must reach the device as a packet,
 * in a URB of its own (rule 4), or the device never sees the transfer end.
 */
static void test_out_zlp_batched(void **state)
{
	struct env *e = vendor(state, 512, 512);
	const uint8_t *a = pat(5);

	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 512, a), 0);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 512, a + 512), 0);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 0, NULL), 0);
	settle(e);
	assert_memory_equal(expect_submit(e, 18, 2, false, 1024)->data, a, 1024);
	expect_submit(e, 19, 2, false, 0);
	expect_no_pdu(e);
}

static void test_out_zlp(void **state)
{
	struct env *e = vendor(state, 512, 512);
	const uint8_t *a = pat(3);

	/* a full packet, then the host's ZLP ends its transfer (rule 4) */
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 512, a), 0);
	settle(e);
	assert_memory_equal(expect_submit(e, 18, 2, false, 512)->data, a, 512);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 0, NULL), 0);
	settle(e);
	expect_submit(e, 19, 2, false, 0);
	expect_no_pdu(e);
	/* acknowledged: the reads are queued again (ring of 16) */
	fake_ret_submit(e->f, 18, 0, 512, NULL);
	fake_ret_submit(e->f, 19, 0, 0, NULL);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_OUT, NULL), 18);
	assert_false(urb_table_empty(e->r)); /* the IN URBs are still out */
}

/* Rule 6, OUT: 512-byte gadget packets are paired into 1024-byte device packets. */
static void test_rule6_out_pairs(void **state)
{
	struct env *e = vendor(state, 1024, 512);
	const uint8_t *a = pat(0x51), *b = pat(0x52), *c = pat(0x53);
	const struct fake_pdu *p;
	int i;

	assert_int_equal(fake_pending(e->f, 0, EP_OUT, 0)->len, 512);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 512, a), 0);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 512, b), 0);
	settle(e);
	p = expect_submit(e, 18, 2, false, 1024);
	assert_memory_equal(p->data, a, 512);
	assert_memory_equal(p->data + 512, b, 512);
	expect_no_pdu(e);

	/* a lone full gadget packet waits HOLD_NS for its other half, then goes alone */
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 512, c), 0);
	assert_int_equal(relay_step(e->r, 0), 0); /* reaped: held (its timer fires later) */
	assert_int_equal(fake_srv_read(e->f), 0);
	for (i = 0; i < 50 && !fake_srv_read(e->f); i++)
		assert_int_equal(relay_step(e->r, 20), 0);
	p = expect_submit(e, 19, 2, false, 512);
	assert_memory_equal(p->data, c, 512);
	expect_no_pdu(e);
}

/* ---- stalls ---- */

static void test_in_stall(void **state)
{
	struct env *e = vendor(state, 512, 512);
	const uint8_t *b = pat(5);
	static const uint8_t clear[8] = { 0x02, 0x01, 0x00, 0x00, 0x81, 0x00, 0x00, 0x00 };

	fake_ret_submit(e->f, 2, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
	assert_int_equal(e->f->halt[0].ep, EP_IN);
	assert_true(e->f->halt[0].in);
	expect_ctrl(e, 18, clear); /* CLEAR_FEATURE(ENDPOINT_HALT) 0x81 */
	expect_no_pdu(e);
	/* URBs submitted before the halt was cleared: their stalls are stale */
	fake_ret_submit(e->f, 3, -EPIPE, 0, NULL);
	fake_ret_submit(e->f, 4, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
	expect_no_pdu(e); /* no new URBs while the device's halt is being cleared */
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 0);
	fake_ret_submit(e->f, 5, 0, 512, b);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 1);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 0)->data, b, 512);
	/* the halt is cleared: the free transfers ask again */
	fake_ret_submit(e->f, 18, 0, 0, NULL);
	settle(e);
	expect_in_urbs(e, 19, 21, 512);
}

/* A stall behind data still being written: the halt waits for the writes (in order). */
static void test_in_stall_after_data(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_ret_submit(e->f, 2, 0, 512, pat(8));
	fake_ret_submit(e->f, 3, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 1);
	assert_int_equal(e->f->n_halt, 0); /* the host has not had its data yet */
	assert_int_equal(fake_complete_writes(e->f, 0, EP_IN), 1);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
}

static void test_out_stall(void **state)
{
	struct env *e = vendor(state, 512, 512);
	static const uint8_t clear[8] = { 0x02, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00 };

	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 64, pat(7)), 0);
	settle(e);
	expect_submit(e, 18, 2, false, 64);
	fake_ret_submit(e->f, 18, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
	assert_int_equal(e->f->halt[0].ep, EP_OUT);
	assert_false(e->f->halt[0].in);
	expect_ctrl(e, 19, clear);
	expect_no_pdu(e);
}

/* ---- DISABLE ---- */

static void test_disable_unlinks(void **state)
{
	struct env *e = vendor(state, 512, 512);
	unsigned pending;

	fake_ret_submit(e->f, 1, 0, 0, NULL);
	fake_event(e->f, 0, GB_EV_DISABLE);
	settle(e);
	for (uint32_t s = 18; s <= 33; s++)
		expect_unlink(e, s, s - 16);
	expect_no_pdu(e);
	/* AIO cancelled, reaped, and not queued again */
	assert_int_equal(e->f->n_cancel, 16);
	assert_int_equal(fake_count(e->f, 0, EP_OUT, &pending), 16);
	assert_int_equal(pending, 0);
	assert_int_equal(e->f->q_n, 0);
	assert_false(e->f->ep_on[0][EP_IN]);
	assert_false(e->f->ep_on[0][EP_OUT]);

	/* the server answered URB 2 before it saw the unlink: its data is dropped */
	fake_ret_submit(e->f, 2, 0, 512, pat(2));
	fake_ret_unlink(e->f, 18, 0);
	for (uint32_t s = 19; s <= 33; s++)
		fake_ret_unlink(e->f, s, -ECONNRESET);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 0);
	expect_no_pdu(e);
	assert_true(urb_table_empty(e->r));
}

/* ---- what the server must not do ---- */

static void test_unknown_seqnum(void **state)
{
	struct env *e = vendor(state, 512, 512);

	/* an unlink nobody asked for is ignored (as vhci does) */
	fake_ret_unlink(e->f, 777, 0);
	assert_int_equal(settle_rc(e), 0);
	fake_ret_submit(e->f, 999, 0, 0, NULL);
	assert_int_equal(settle_rc(e), -EPROTO);
}

static void test_ret_submit_for_unlink(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_event(e->f, 0, GB_EV_DISABLE);
	settle(e);
	expect_unlink(e, 18, 2);
	/* 18 is a CMD_UNLINK: a RET_SUBMIT for it is a protocol violation */
	fake_ret_submit(e->f, 18, 0, 0, NULL);
	assert_int_equal(settle_rc(e), -EPROTO);
}

static void test_actual_too_long(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_ret_submit(e->f, 2, 0, 513, pat(0));
	assert_int_equal(settle_rc(e), -EPROTO);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 0);
}

static void test_actual_negative(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_ret_submit(e->f, 2, 0, -1, NULL);
	assert_int_equal(settle_rc(e), -EPROTO);
}

static void test_out_actual_too_long(void **state)
{
	struct env *e = vendor(state, 512, 512);
	const uint8_t *a = pat(1);

	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 64, a), 0);
	settle(e);
	expect_submit(e, 18, 2, false, 64);
	fake_ret_submit(e->f, 18, 0, 65, NULL);
	assert_int_equal(settle_rc(e), -EPROTO);
}

/*
 * A RET_SUBMIT status that is no errno, INT_MIN: the relay must take it as an
 * error, not negate it into a signed overflow (strerror(-status)), which UBSan
 * (make asan) aborts on. The codec makes it -EPROTO (found by fuzz_relay_rx).
 */
static void test_status_int_min(void **state)
{
	struct env *e;

	e = vendor(state, 512, 512);
	fake_ret_submit(e->f, 1, INT32_MIN, 0, NULL); /* SET_CONFIGURATION */
	fake_ret_submit(e->f, 2, INT32_MIN, 0, NULL); /* bulk IN */
	settle(e);
	fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 8, pat(4));
	settle(e);
	fake_srv_read(e->f);
	fake_ret_submit(e->f, 18, INT32_MIN, 0, NULL); /* bulk OUT */
	settle(e);
}

/* ---- Bulk-Only mass storage (rule 5) ---- */

static void cbw(uint8_t out[31], uint32_t len, bool in)
{
	memset(out, 0, 31);
	memcpy(out, "USBC", 4);
	put_le16(out + 4, 0x1234); /* dCBWTag */
	out[8] = (uint8_t)len;
	out[9] = (uint8_t)(len >> 8);
	out[10] = (uint8_t)(len >> 16);
	out[11] = (uint8_t)(len >> 24);
	out[12] = in ? 0x80 : 0x00;
	out[14] = 10;   /* bCBWCBLength */
	out[15] = in ? 0x28 : 0x2a; /* READ(10) / WRITE(10) */
}

static void start_bot(struct env *e)
{
	map_bulk(&e->map, 512, 512, 8, 6, 0x50, 0);
	start(e);
	expect_ctrl(e, 1, setconf1);
	expect_no_pdu(e); /* nothing is asked of the device before a command */
	/* one CBW-sized read waits on the OUT endpoint */
	assert_int_equal(fake_count(e->f, 0, EP_OUT, NULL), 1);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 0);
}

static void test_bot_data_in(void **state)
{
	struct env *e = env_new(state);
	const uint8_t *data = pat(0x77);
	uint8_t c[31], csw[13] = { 'U', 'S', 'B', 'S', 0x34, 0x12 };
	const struct fake_pdu *p;
	struct fake_io *rd;

	start_bot(e);
	cbw(c, 4096, true);
	rd = fake_pending(e->f, 0, EP_OUT, 0);
	assert_int_equal(rd->len, 512);
	assert_int_equal(fake_complete(e->f, rd, 31, c), 0);
	settle(e);
	p = expect_submit(e, 2, 2, false, 31);
	assert_memory_equal(p->data, c, 31);
	expect_no_pdu(e); /* the data-in phase waits until the device took the CBW */

	fake_ret_submit(e->f, 2, 0, 31, NULL);
	settle(e);
	expect_submit(e, 3, 1, true, 4096); /* exactly the CBW's length */
	expect_no_pdu(e);
	fake_ret_submit(e->f, 3, 0, 4096, data);
	settle(e);
	expect_submit(e, 4, 1, true, 13); /* the CSW once the data is in, never behind it */
	expect_no_pdu(e);
	fake_ret_submit(e->f, 4, 0, 13, csw);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 2);
	assert_int_equal(fake_nth(e->f, 0, EP_IN, 0)->len, 4096);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 0)->data, data, 4096);
	assert_int_equal(fake_nth(e->f, 0, EP_IN, 1)->len, 13);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 1)->data, csw, 13);
	fake_complete_writes(e->f, 0, EP_IN);
	settle(e);
	expect_no_pdu(e); /* the command is over: nothing more is asked */
}

/* The host's CBW for @len bytes in, taken by the device: the requests it makes. */
static void bot_read_cmd(struct env *e, uint32_t len, uint32_t cbw_seq)
{
	uint8_t c[31];

	cbw(c, len, true);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	expect_submit(e, cbw_seq, 2, false, 31);
	fake_ret_submit(e->f, cbw_seq, 0, 31, NULL);
	settle(e);
}

/*
 * A data-in phase shorter than the CBW announced (INQUIRY with a large
 * allocation length): the short packet ends the data request, the CSW lands
 * in the CSW request, and nothing else is asked of the device.
 */
static void test_bot_data_in_short(void **state)
{
	struct env *e = env_new(state);
	uint8_t csw[13] = { 'U', 'S', 'B', 'S', 0x34, 0x12, 0, 0, 0xdc, 0 };

	start_bot(e);
	bot_read_cmd(e, 255, 2);
	expect_submit(e, 3, 1, true, 255);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 3, 0, 36, pat(0x11));
	settle(e);
	expect_submit(e, 4, 1, true, 13);
	fake_ret_submit(e->f, 4, 0, 13, csw);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 2);
	assert_int_equal(fake_nth(e->f, 0, EP_IN, 0)->len, 36);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 0)->data, pat(0x11), 36);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 1)->data, csw, 13);
	fake_complete_writes(e->f, 0, EP_IN);
	settle(e);
	expect_no_pdu(e);
}

/*
 * A data-in phase longer than one request: a piece at a time, each once the
 * one before is complete, then the CSW.
 */
static void test_bot_data_in_long(void **state)
{
	struct env *e = env_new(state);
	enum { LEN = 2 * BOT_IN_CHUNK + 1000 };
	uint8_t csw[13] = { 'U', 'S', 'B', 'S' };
	static uint8_t data[BOT_IN_CHUNK];

	start_bot(e);
	bot_read_cmd(e, LEN, 2);
	expect_submit(e, 3, 1, true, BOT_IN_CHUNK);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 3, 0, BOT_IN_CHUNK, data);
	settle(e);
	expect_submit(e, 4, 1, true, BOT_IN_CHUNK);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 4, 0, BOT_IN_CHUNK, data);
	settle(e);
	expect_submit(e, 5, 1, true, 1000);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 5, 0, 1000, data);
	settle(e);
	expect_submit(e, 6, 1, true, 13);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 6, 0, 13, csw);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 4);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 3)->data, csw, 13);
}

/*
 * The device stalls the data-in phase (BOT 6.7.2): the host gets the stall,
 * the device's halt is cleared, and then the CSW is asked for, once.
 */
static void test_bot_data_in_stalled(void **state)
{
	struct env *e = env_new(state);
	static const uint8_t clear[8] = { 0x02, 0x01, 0x00, 0x00, 0x81, 0x00, 0x00, 0x00 };
	uint8_t csw[13] = { 'U', 'S', 'B', 'S', 0x34, 0x12, 0, 0, 0, 0x10, 0, 0, 1 };

	start_bot(e);
	bot_read_cmd(e, 4096, 2);
	expect_submit(e, 3, 1, true, 4096);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 3, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
	assert_true(e->f->halt[0].in);
	expect_ctrl(e, 4, clear);
	expect_no_pdu(e); /* not before the device's halt is cleared */
	fake_ret_submit(e->f, 4, 0, 0, NULL);
	settle(e);
	expect_submit(e, 5, 1, true, 13);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 5, 0, 13, csw);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 1);
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 0)->data, csw, 13);
	fake_complete_writes(e->f, 0, EP_IN);
	settle(e);
	expect_no_pdu(e);
}

/* The device stalls the CSW: the host clears the halt and reads it again (BOT 6.7.2). */
static void test_bot_csw_stalled(void **state)
{
	struct env *e = env_new(state);
	static const uint8_t clear[8] = { 0x02, 0x01, 0x00, 0x00, 0x81, 0x00, 0x00, 0x00 };
	uint8_t csw[13] = { 'U', 'S', 'B', 'S' };

	start_bot(e);
	bot_read_cmd(e, 512, 2);
	expect_submit(e, 3, 1, true, 512);
	fake_ret_submit(e->f, 3, 0, 512, pat(3));
	settle(e);
	expect_submit(e, 4, 1, true, 13);
	fake_ret_submit(e->f, 4, -EPIPE, 0, NULL);
	settle(e);
	fake_complete_writes(e->f, 0, EP_IN);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
	expect_ctrl(e, 5, clear);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 5, 0, 0, NULL);
	settle(e);
	expect_submit(e, 6, 1, true, 13);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 6, 0, 13, csw);
	settle(e);
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), 2); /* the data, then the CSW */
	assert_memory_equal(fake_nth(e->f, 0, EP_IN, 1)->data, csw, 13);
}

/* ---- Bulk-Only read-ahead (readahead.h, scsi_ra.h) ---- */

#define RA_DISK_BLOCKS 8192 /* 4 MiB of 512-byte blocks */

static void cbw_cmd(uint8_t c[31], uint32_t tag, uint32_t len, const uint8_t *cdb, unsigned n)
{
	memset(c, 0, 31);
	memcpy(c, "USBC", 4);
	put_le32(c + 4, tag);
	put_le32(c + 8, len);
	c[12] = 0x80;
	c[14] = (uint8_t)n;
	memcpy(c + 15, cdb, n);
}

static void cbw_read10(uint8_t c[31], uint32_t tag, uint32_t lba, uint16_t blocks)
{
	uint8_t cdb[10] = { 0x28 };

	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, blocks);
	cbw_cmd(c, tag, blocks * 512u, cdb, 10);
}

/* The next PDU, whatever its seqnum: CMD_SUBMIT on @ep, @in, @len bytes. */
static const struct fake_pdu *expect_any_submit(struct env *e, unsigned ep, bool in, int len)
{
	const struct fake_pdu *p = next_pdu(e);

	assert_int_equal(p->h.command, USBIP_CMD_SUBMIT);
	assert_int_equal(p->h.ep, ep);
	assert_int_equal(p->h.direction, in ? USBIP_DIR_IN : USBIP_DIR_OUT);
	assert_int_equal(p->h.u.cmd_submit.transfer_buffer_length, len);
	return p;
}

/* A data-in command of the host that goes through to the device and succeeds. */
static void ra_host_cmd(struct env *e, const uint8_t c[31], const uint8_t *data, uint32_t len)
{
	uint8_t csw[13] = { 'U', 'S', 'B', 'S' };
	uint32_t sc, sd, ss;

	memcpy(csw + 4, c + 4, 4);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	sc = expect_any_submit(e, 2, false, 31)->h.seqnum;
	expect_no_pdu(e);
	fake_ret_submit(e->f, sc, 0, 31, NULL);
	settle(e);
	sd = expect_any_submit(e, 1, true, (int)len)->h.seqnum;
	expect_no_pdu(e);
	fake_ret_submit(e->f, sd, 0, (int)len, data);
	settle(e);
	ss = expect_any_submit(e, 1, true, 13)->h.seqnum;
	fake_ret_submit(e->f, ss, 0, 13, csw);
	settle(e);
	fake_complete_writes(e->f, 0, EP_IN);
	settle(e);
}

/* READ CAPACITY(10), then READs of blocks 0..7 and 8..15: the stream read-ahead needs. */
static void ra_stream(struct env *e)
{
	uint8_t c[31], cdb[10] = { 0x25 }, cap[8];
	static uint8_t blocks[4096];

	start_bot(e);
	put_be32(cap, RA_DISK_BLOCKS - 1);
	put_be32(cap + 4, 512);
	cbw_cmd(c, 1, 8, cdb, 10);
	ra_host_cmd(e, c, cap, 8);
	expect_no_pdu(e);
	cbw_read10(c, 2, 0, 8);
	ra_host_cmd(e, c, blocks, 4096);
	expect_no_pdu(e); /* one READ is no stream yet */
	cbw_read10(c, 3, 8, 8);
	ra_host_cmd(e, c, blocks, 4096);
}

/* The read-ahead the relay asked for: its CBW, taken by the device, and its data requests. */
static void ra_expect_fetch(struct env *e, uint32_t lba, uint32_t *seq_data)
{
	const struct fake_pdu *p = expect_any_submit(e, 2, false, 31);
	unsigned k;

	assert_memory_equal(p->data, "USBC", 4);
	assert_int_equal(p->data[15], 0x28);
	assert_int_equal(get_be32(p->data + 17), lba);
	assert_int_equal(get_be16(p->data + 22), RA_FETCH_BYTES / 512);
	assert_int_equal(get_le32(p->data + 8), RA_FETCH_BYTES);
	expect_no_pdu(e); /* nothing is asked on IN before the device took the CBW */
	fake_ret_submit(e->f, p->h.seqnum, 0, 31, NULL);
	settle(e);
	for (k = 0; k < RA_FETCH_BYTES / BOT_IN_CHUNK; k++)
		seq_data[k] = expect_any_submit(e, 1, true, BOT_IN_CHUNK)->h.seqnum;
	expect_no_pdu(e); /* the CSW once the data is in */
}

/* The read-ahead's data comes back (@data for each piece): then its CSW is asked for. */
static void ra_fetch_data_in(struct env *e, const uint32_t *sd, const uint8_t *data,
			     uint32_t *seq_csw)
{
	unsigned k;

	for (k = 0; k < RA_FETCH_BYTES / BOT_IN_CHUNK; k++) {
		fake_ret_submit(e->f, sd[k], 0, BOT_IN_CHUNK, data);
		settle(e); /* the socket holds less than all of it */
	}
	*seq_csw = expect_any_submit(e, 1, true, 13)->h.seqnum;
	expect_no_pdu(e);
}

/*
 * Two READs in order: the blocks after them are read ahead, and the host's next
 * READ is answered from them without the device; its CSW carries the host's tag.
 */
static void test_ra_serves_next_read(void **state)
{
	struct env *e = env_new(state);
	static uint8_t data[BOT_IN_CHUNK];
	uint32_t sd[RA_FETCH_BYTES / BOT_IN_CHUNK], ss;
	uint8_t c[31], csw[13] = { 'U', 'S', 'B', 'S' };
	const struct fake_io *w;
	unsigned k, n0;

	ra_stream(e);
	ra_expect_fetch(e, 16, sd);
	/* the host's next READ comes while the read-ahead is at the device: it waits */
	cbw_read10(c, 0x77, 16, 8);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	expect_no_pdu(e);
	for (k = 0; k < BOT_IN_CHUNK; k++)
		data[k] = (uint8_t)(k / 512 + 16);
	ra_fetch_data_in(e, sd, data, &ss);
	put_le32(csw + 4, RA_TAG_BASE); /* the first read-ahead of the session */
	n0 = fake_count(e->f, 0, EP_IN, NULL);
	fake_ret_submit(e->f, ss, 0, 13, csw);
	settle(e);
	/* answered: the 8 blocks, then a CSW with the host's tag, status 0 */
	assert_int_equal(fake_count(e->f, 0, EP_IN, NULL), n0 + 2);
	w = fake_nth(e->f, 0, EP_IN, n0);
	assert_int_equal(w->len, 4096);
	assert_memory_equal(w->data, data, 4096);
	w = fake_nth(e->f, 0, EP_IN, n0 + 1);
	assert_int_equal(w->len, 13);
	assert_memory_equal(w->data, "USBS", 4);
	assert_int_equal(get_le32(w->data + 4), 0x77);
	assert_int_equal(get_le32(w->data + 8), 0);
	assert_int_equal(w->data[12], 0);
	/* and the next read-ahead goes at once, behind the first */
	ra_expect_fetch(e, 16 + RA_FETCH_BYTES / 512, sd);
}

/* A WRITE while a read-ahead is at the device waits for it, then goes; what was read is dropped. */
static void test_ra_write_waits_and_drops(void **state)
{
	struct env *e = env_new(state);
	static uint8_t data[BOT_IN_CHUNK];
	uint32_t sd[RA_FETCH_BYTES / BOT_IN_CHUNK], ss;
	uint8_t c[31], csw[13] = { 'U', 'S', 'B', 'S' }, cdb[10] = { 0x2a };

	ra_stream(e);
	ra_expect_fetch(e, 16, sd);
	put_be32(cdb + 2, 16);
	put_be16(cdb + 7, 8);
	cbw_cmd(c, 0x78, 4096, cdb, 10);
	c[12] = 0; /* data out */
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	expect_no_pdu(e); /* held: the device is busy with the read-ahead */
	ra_fetch_data_in(e, sd, data, &ss);
	put_le32(csw + 4, RA_TAG_BASE);
	fake_ret_submit(e->f, ss, 0, 13, csw);
	settle(e);
	/* now the WRITE's CBW goes to the device */
	assert_memory_equal(expect_any_submit(e, 2, false, 31)->data, c, 31);
	assert_int_equal(e->r->inst[0].bots[0].ra->s.have, 0);
}

/*
 * The device stalls a read-ahead's data: the rest is unlinked, and gadgetd
 * resets the device's Bulk-Only state as a host would (BOT 5.3.4) before the
 * host's command goes.
 */
static void test_ra_stall_recovers(void **state)
{
	struct env *e = env_new(state);
	static const uint8_t reset[8] = { 0x21, 0xff, 0, 0, 0, 0, 0, 0 };
	static const uint8_t clear_in[8] = { 0x02, 0x01, 0, 0, 0x81, 0, 0, 0 };
	static const uint8_t clear_out[8] = { 0x02, 0x01, 0, 0, 0x02, 0, 0, 0 };
	uint32_t sd[RA_FETCH_BYTES / BOT_IN_CHUNK], s1, s2, s3;
	const struct fake_pdu *p;
	uint8_t c[31];
	unsigned k, unlinks = 0;

	ra_stream(e);
	ra_expect_fetch(e, 16, sd);
	cbw_read10(c, 0x79, 16, 8);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	fake_ret_submit(e->f, sd[0], -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_halt, 0); /* the host never sees the read-ahead's stall */
	while ((p = fake_srv_next(e->f))) {
		assert_int_equal(p->h.command, USBIP_CMD_UNLINK);
		unlinks++;
		fake_ret_unlink(e->f, p->h.seqnum, -ECONNRESET);
	}
	assert_int_equal(unlinks, RA_FETCH_BYTES / BOT_IN_CHUNK - 1); /* the other pieces */
	settle(e);
	p = next_pdu(e);
	s1 = p->h.seqnum;
	assert_memory_equal(p->h.u.cmd_submit.setup, reset, 8);
	p = next_pdu(e);
	s2 = p->h.seqnum;
	assert_memory_equal(p->h.u.cmd_submit.setup, clear_in, 8);
	p = next_pdu(e);
	s3 = p->h.seqnum;
	assert_memory_equal(p->h.u.cmd_submit.setup, clear_out, 8);
	expect_no_pdu(e);
	fake_ret_submit(e->f, s1, 0, 0, NULL);
	fake_ret_submit(e->f, s2, 0, 0, NULL);
	fake_ret_submit(e->f, s3, 0, 0, NULL);
	settle(e);
	/* the host's READ goes to the device as it is */
	assert_memory_equal(expect_any_submit(e, 2, false, 31)->data, c, 31);
	(void)k;
}

/* The host resets the device (Bulk-Only Mass Storage Reset) with a read-ahead at it. */
static void test_ra_host_reset(void **state)
{
	struct env *e = env_new(state);
	static const uint8_t reset[8] = { 0x21, 0xff, 0, 0, 0, 0, 0, 0 };
	uint32_t sd[RA_FETCH_BYTES / BOT_IN_CHUNK];
	const struct fake_pdu *p;
	unsigned unlinks = 0;

	ra_stream(e);
	ra_expect_fetch(e, 16, sd);
	fake_setup(e->f, 0, 0x21, 0xff, 0, 0, 0);
	settle(e);
	/* every URB of the read-ahead is unlinked before the reset goes */
	for (;;) {
		p = next_pdu(e);
		if (p->h.command != USBIP_CMD_UNLINK)
			break;
		unlinks++;
	}
	assert_int_equal(unlinks, RA_FETCH_BYTES / BOT_IN_CHUNK);
	assert_memory_equal(p->h.u.cmd_submit.setup, reset, 8);
	assert_null(e->r->inst[0].bots[0].ra->s.busy ? e->r : NULL);
}

/*
 * A server that answers seqnums blindly, without reading what they carry (a
 * trickle reader would let the transmit queue grow without bound): a
 * RET_SUBMIT for a CMD_SUBMIT still in the queue is a protocol error.
 */
static void test_ret_for_unsent_cmd(void **state)
{
	struct env *e = env_new(state);
	static uint8_t data[BOT_CHUNK];
	int small = 4096;
	uint8_t c[31];

	start_bot(e);
	setsockopt(e->r->conn.c->fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	cbw(c, BOT_CHUNK, false);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), BOT_CHUNK, data), 0);
	settle(e);
	/* seqnum 3 carries 128 KiB: the socket has not taken all of it */
	assert_true(e->r->conn.tx_len > 0);
	fake_ret_submit(e->f, 3, 0, BOT_CHUNK, NULL);
	assert_int_equal(settle_rc(e), -EPROTO);
}

static void test_bot_data_out(void **state)
{
	struct env *e = env_new(state);
	enum { LEN = BOT_CHUNK + 3616 };
	static uint8_t data[LEN];
	uint8_t c[31];
	const struct fake_pdu *p;
	struct fake_io *r1, *r2;

	for (size_t i = 0; i < LEN; i++)
		data[i] = (uint8_t)(i * 13 + i / 512);
	start_bot(e);
	cbw(c, LEN, false);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	expect_submit(e, 2, 2, false, 31);
	expect_no_pdu(e);
	/* the data-out phase is read in requests that add up to exactly LEN */
	r1 = fake_pending(e->f, 0, EP_OUT, 0);
	r2 = fake_pending(e->f, 0, EP_OUT, 1);
	assert_non_null(r1);
	assert_non_null(r2);
	assert_int_equal(r1->len, BOT_CHUNK);
	assert_int_equal(r2->len, LEN - BOT_CHUNK);
	assert_int_equal(fake_complete(e->f, r1, BOT_CHUNK, data), 0);
	assert_int_equal(fake_complete(e->f, r2, LEN - BOT_CHUNK, data + BOT_CHUNK), 0);
	settle(e);
	p = expect_submit(e, 3, 2, false, BOT_CHUNK);
	assert_memory_equal(p->data, data, BOT_CHUNK);
	p = expect_submit(e, 4, 2, false, LEN - BOT_CHUNK);
	assert_memory_equal(p->data, data + BOT_CHUNK, LEN - BOT_CHUNK);
	expect_no_pdu(e);
	/* the CSW is asked for once the device acknowledged all of the data */
	fake_ret_submit(e->f, 2, 0, 31, NULL);
	fake_ret_submit(e->f, 3, 0, BOT_CHUNK, NULL);
	settle(e);
	expect_no_pdu(e);
	fake_ret_submit(e->f, 4, 0, LEN - BOT_CHUNK, NULL);
	settle(e);
	expect_submit(e, 5, 1, true, 13);
	expect_no_pdu(e);
}

/*
 * The device stalls a long data-out phase (BOT 6.7.3: it may refuse data it
 * does not want). The host clears the halt, reads the CSW, and sends its next
 * CBW: that CBW must be recognised, so that the data-in phase of the next
 * command is asked of the device.
 */
static void test_bot_data_out_stalled(void **state)
{
	struct env *e = env_new(state);
	static uint8_t data[BOT_CHUNK];
	enum { LEN = 200000 };
	uint8_t c[31], csw[13] = { 'U', 'S', 'B', 'S' };
	const struct fake_pdu *p;
	uint32_t cbw_seq, seq;
	unsigned in_urbs = 0;

	start_bot(e);
	cbw(c, LEN, false);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	expect_submit(e, 2, 2, false, 31);
	fake_ret_submit(e->f, 2, 0, 31, NULL);
	settle(e);
	assert_int_equal(fake_pending(e->f, 0, EP_OUT, 0)->len, BOT_CHUNK);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), BOT_CHUNK, data), 0);
	settle(e);
	p = expect_submit(e, 3, 2, false, BOT_CHUNK);
	/* the device refuses the data: stall */
	fake_ret_submit(e->f, 3, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_halt, 1);
	assert_false(e->f->halt[0].in);
	/* CLEAR_FEATURE(HALT) on the device and the CSW request, in some order */
	seq = 0;
	while ((p = fake_srv_next(e->f))) {
		if (p->h.ep == 1 && p->h.direction == USBIP_DIR_IN) {
			assert_int_equal(p->h.u.cmd_submit.transfer_buffer_length, 13);
			seq = p->h.seqnum;
		} else {
			fake_ret_submit(e->f, p->h.seqnum, 0, 0, NULL);
		}
	}
	assert_int_not_equal(seq, 0);
	fake_ret_submit(e->f, seq, 0, 13, csw);
	settle(e);
	fake_complete_writes(e->f, 0, EP_IN);
	settle(e);
	/* the host's next command, READ(10) of 4096 bytes: it lands in the next read */
	cbw(c, 4096, true);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 31, c), 0);
	settle(e);
	cbw_seq = 0;
	while ((p = fake_srv_next(e->f)))
		if (p->h.ep == 2 && p->len == 31 && !memcmp(p->data, c, 31))
			cbw_seq = p->h.seqnum;
	assert_int_not_equal(cbw_seq, 0);
	fake_ret_submit(e->f, cbw_seq, 0, 31, NULL);
	settle(e);
	while ((p = fake_srv_next(e->f)))
		if (p->h.ep == 1 && p->h.direction == USBIP_DIR_IN &&
		    p->h.u.cmd_submit.transfer_buffer_length == 4096)
			in_urbs++;
	/* the next CBW was read as a CBW: its data-in phase is asked of the device */
	assert_int_equal(in_urbs, 1);
}

/*
 * What the host sends where a CBW is due is not one (BOT 6.6.1: the device
 * stalls, the host does a reset recovery through ep0 and the UDC). The OUT
 * endpoint must go on reading, or the host's next CBW is never read.
 */
static void test_bot_not_a_cbw(void **state)
{
	struct env *e = env_new(state);
	unsigned pending;

	start_bot(e);
	assert_int_equal(fake_complete(e->f, fake_pending(e->f, 0, EP_OUT, 0), 13, pat(0x60)), 0);
	settle(e);
	expect_submit(e, 2, 2, false, 13); /* forwarded as it is */
	expect_no_pdu(e);
	fake_ret_submit(e->f, 2, -EPIPE, 0, NULL);
	settle(e);
	fake_count(e->f, 0, EP_OUT, &pending);
	assert_int_equal(pending, 1); /* a read waits for the host's next CBW */
}

/* ---- ep0 ---- */

static void test_ep0_proxy(void **state)
{
	struct env *e = env_new(state);
	static const uint8_t fwd[8] = { 0xc1, 0x42, 0x34, 0x12, 0x03, 0x00, 0x40, 0x00 };
	static const uint8_t fwd2[8] = { 0x41, 0x43, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00 };
	uint8_t answer[10] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
	const struct fake_pdu *p;
	unsigned calls;

	/* the device's interface 3 is FunctionFS's interface 0 */
	map_bulk(&e->map, 512, 512, 0xff, 0, 0, 3);
	start(e);
	expect_enable(e, 512);

	fake_setup(e->f, 0, 0xc1, 0x42, 0x1234, 0, 64); /* vendor, interface, IN */
	settle(e);
	p = expect_submit(e, 18, 0, true, 64);
	assert_memory_equal(p->h.u.cmd_submit.setup, fwd, 8);
	expect_no_pdu(e);

	/* while the device has not answered, ep0 is not read */
	calls = e->f->events_calls;
	fake_setup(e->f, 0, 0x41, 0x43, 1, 0, 0);
	settle(e);
	assert_int_equal(e->f->events_calls, calls);
	assert_int_equal(e->f->ev_n[0], 1);
	expect_no_pdu(e);

	fake_ret_submit(e->f, 18, 0, sizeof(answer), answer);
	settle(e);
	assert_int_equal(e->f->n_reply, 1);
	assert_int_equal(e->f->reply[0].len, sizeof(answer));
	assert_memory_equal(e->f->reply[0].data, answer, sizeof(answer));
	assert_int_equal(e->f->reply[0].setup.bRequest, 0x42);
	assert_int_equal(e->f->n_stall, 0);
	/* then the waiting request is read and forwarded */
	assert_int_equal(e->f->ev_n[0], 0);
	expect_ctrl(e, 19, fwd2);
	expect_no_pdu(e);
	/* the device stalls it: so does the gadget */
	fake_ret_submit(e->f, 19, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_stall, 1);
	assert_int_equal(e->f->stall_setup.bRequest, 0x43);
	assert_int_equal(e->f->n_reply, 1);
}

static void test_ep0_stalled_in(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_setup(e->f, 0, 0xa1, 0xfe, 0, 0, 1); /* GET_MAX_LUN */
	settle(e);
	expect_submit(e, 18, 0, true, 1);
	fake_ret_submit(e->f, 18, -EPIPE, 0, NULL);
	settle(e);
	assert_int_equal(e->f->n_stall, 1);
	assert_int_equal(e->f->stall_setup.bRequest, 0xfe);
	assert_int_equal(e->f->n_reply, 0);
	/* a request too long for ep0's buffer is stalled without asking the device */
	fake_setup(e->f, 0, 0xc0, 0x01, 0, 0, CTRL_BUF + 1);
	settle(e);
	assert_int_equal(e->f->n_stall, 2);
	expect_no_pdu(e);
}

static void test_ep0_out_data(void **state)
{
	struct env *e = vendor(state, 512, 512);
	static const uint8_t fwd[8] = { 0x40, 0x05, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00 };
	const struct fake_pdu *p;

	memcpy(e->f->ep0_out, "\x01\x02\x03\x04", 4);
	e->f->ep0_out_len = 4;
	fake_setup(e->f, 0, 0x40, 0x05, 0, 0, 4); /* vendor OUT with a data stage */
	fake_setup(e->f, 0, 0x40, 0x06, 0, 0, 0);
	settle(e);
	/* forwarded with its data, without waiting: the next one goes too */
	p = expect_submit(e, 18, 0, false, 4);
	assert_memory_equal(p->h.u.cmd_submit.setup, fwd, 8);
	assert_memory_equal(p->data, "\x01\x02\x03\x04", 4);
	p = expect_submit(e, 19, 0, false, 0);
	assert_int_equal(p->h.u.cmd_submit.setup[1], 0x06);
	expect_no_pdu(e);
}

/* The device does not answer in time: the host gets a stall, the URB is unlinked. */
static void test_ep0_timeout(void **state)
{
	struct env *e = vendor(state, 512, 512);
	const struct fake_pdu *p;

	fake_setup(e->f, 0, 0xc0, 0x01, 0, 0, 8);
	settle(e);
	expect_submit(e, 18, 0, true, 8);
	fake_setup(e->f, 0, 0xc0, 0x02, 0, 0, 8); /* waits: ep0 is not read */
	settle(e);
	expect_no_pdu(e);
	/* what TOK_CTRL does after CTRL_TIMEOUT_S */
	assert_int_equal(ep0_timeout(e->r), 0);
	assert_int_equal(relay_step(e->r, 0), 0);
	assert_int_equal(e->f->n_stall, 1);
	assert_int_equal(e->f->stall_setup.bRequest, 0x01);
	expect_unlink(e, 19, 18);
	/* ep0 is read again: the waiting request goes */
	p = expect_submit(e, 20, 0, true, 8);
	assert_int_equal(p->h.u.cmd_submit.setup[1], 0x02);
	/* the late answer to the first is dropped; the second's reaches the host */
	fake_ret_submit(e->f, 18, 0, 8, "late....");
	fake_ret_unlink(e->f, 19, 0);
	fake_ret_submit(e->f, 20, 0, 8, "answer..");
	settle(e);
	assert_int_equal(e->f->n_reply, 1);
	assert_int_equal(e->f->reply[0].setup.bRequest, 0x02);
	assert_memory_equal(e->f->reply[0].data, "answer..", 8);
	assert_int_equal(e->f->n_stall, 1);
}

/* ---- the end ---- */

static void test_signal_stops(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_signal(e->f, SIGTERM);
	assert_int_equal(relay_step(e->r, 1000), 0);
	assert_true(e->r->stop);
	assert_int_equal(e->r->result, 0);
}

static void test_unbind_stops(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_event(e->f, 0, GB_EV_UNBIND);
	assert_int_equal(settle_rc(e), 0);
	assert_true(e->r->stop);
	assert_int_equal(e->r->result, -ENODEV);
}

static void test_server_closes(void **state)
{
	struct env *e = vendor(state, 512, 512);

	close(e->f->srv_fd);
	e->f->srv_fd = -1;
	assert_int_equal(settle_rc(e), -ECONNRESET);
}

static void test_device_gone(void **state)
{
	struct env *e = vendor(state, 512, 512);

	fake_ret_submit(e->f, 2, -ESHUTDOWN, 0, NULL);
	assert_int_equal(settle_rc(e), 0);
	assert_true(e->r->stop);
	assert_int_equal(e->r->result, -ENODEV);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_enable_mirrors_setconf),
		T(test_interrupt_in),
		T(test_in_order),
		T(test_in_zlp),
		T(test_rule6_in_zlp),
		T(test_out_full_and_short),
		T(test_out_zlp_batched),
		T(test_out_zlp),
		T(test_rule6_out_pairs),
		T(test_in_stall),
		T(test_in_stall_after_data),
		T(test_out_stall),
		T(test_disable_unlinks),
		T(test_unknown_seqnum),
		T(test_ret_submit_for_unlink),
		T(test_actual_too_long),
		T(test_ret_for_unsent_cmd),
		T(test_actual_negative),
		T(test_out_actual_too_long),
		T(test_status_int_min),
		T(test_bot_data_in),
		T(test_bot_data_in_short),
		T(test_bot_data_in_long),
		T(test_bot_data_in_stalled),
		T(test_bot_csw_stalled),
		T(test_bot_data_out),
		T(test_ra_serves_next_read),
		T(test_ra_write_waits_and_drops),
		T(test_ra_stall_recovers),
		T(test_ra_host_reset),
		T(test_bot_data_out_stalled),
		T(test_bot_not_a_cbw),
		T(test_ep0_proxy),
		T(test_ep0_stalled_in),
		T(test_ep0_out_data),
		T(test_ep0_timeout),
		T(test_signal_stops),
		T(test_unbind_stops),
		T(test_server_closes),
		T(test_device_gone),
	};

	log_init(0, 0, LOG_TIME_NONE, "test_relay");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
