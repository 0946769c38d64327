// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_usbip_rx.c - the USB/IP stream decoder (usbip_rx_feed() in gadgetd/usbip.c)
 * with a payload_len() that answers the way gadgetd's relay does (client side) or
 * the way a server's stub does (tests/sim/usbip-sim.c, Linux stub_rx.c).
 *
 * Input:
 *   [0]     bit 0     role: 0 = client (the stream comes from the server:
 *                     RET_SUBMIT, RET_UNLINK), 1 = server (the stream comes
 *                     from a client: CMD_SUBMIT, CMD_UNLINK)
 *           bits 1-3  max_payload = MAXP[bits]
 *           bits 4-7  message() returns -ECANCELED for message #k (0: never)
 *   [1]     bits 0-2  S, the number of split points
 *           bits 3-5  R: the bytes after the split points are fed R at a time
 *                     (0: all at once)
 *   S x LE16          the lengths of the first S chunks (a 0 is a zero-length
 *                     feed with a NULL pointer)
 *   client only, SLOTS x 7 bytes: the URBs gadgetd "sent":
 *           BE32 seqnum, kind (& 3: 0 none, 1 IN, 2 OUT, 3 CMD_UNLINK),
 *           BE16 requested length
 *   the rest          the byte stream
 *
 * Every chunk is fed from its own exactly sized heap copy, so a payload
 * handed out without a copy cannot be read past its chunk unnoticed.
 *
 * Invariants: consumed <= given (and == given on success); no payload_len()
 * answer larger than max_payload reaches message(); message() gets exactly the
 * header and length payload_len() was asked about and answered, in that order;
 * headers re-encode and decode to themselves; the same stream fed in one piece
 * to a fresh decoder gives the same messages, the same payload_len() calls and
 * the same first error. After an error the rest of the chunks is still fed
 * (the decoder promises to stay memory-safe), with the same checks.
 */
#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "gadgetd/usbip.h"
#include "tests/fuzz/fuzz.h"

#define SLOTS 8
#define SLOT_LEN 7

enum { K_NONE, K_IN, K_OUT, K_UNLINK };

static const size_t MAXP[8] = { 0, 1, 48, 64, 512, 4096, 16384, 65536 };

struct slot {
	uint32_t seqnum;
	uint8_t kind;
	uint16_t len;
};

struct state {
	int server;
	size_t max_payload;
	struct slot slot[SLOTS];
	unsigned fail_at;        /* 1-based message number, 0 = never */
	/* the header payload_len() accepted, awaiting its message() */
	int expect_msg;
	struct usbip_header pend;
	size_t pend_len;
	/* what happened, for the one-piece comparison */
	uint64_t hash;
	size_t n_msgs, plen_calls;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static struct slot *slot_find(struct state *s, uint32_t seqnum)
{
	for (unsigned i = 0; i < SLOTS; i++)
		if (s->slot[i].kind != K_NONE && s->slot[i].seqnum == seqnum)
			return &s->slot[i];
	return NULL;
}

/* gadgetd/relay.c rx_payload_len() */
static ssize_t client_plen(struct state *s, const struct usbip_header *h)
{
	struct slot *u;

	switch (h->command) {
	case USBIP_RET_SUBMIT:
		u = slot_find(s, h->seqnum);
		if (!u || u->kind == K_UNLINK)
			return -EPROTO;
		if (h->u.ret_submit.actual_length < 0 ||
		    (size_t)h->u.ret_submit.actual_length > u->len)
			return -EPROTO;
		return u->kind == K_IN ? h->u.ret_submit.actual_length : 0;
	case USBIP_RET_UNLINK:
		return 0;
	default:
		return -EPROTO;
	}
}

/* a server's stub: OUT data, then the iso packet descriptors (stub_rx.c) */
static ssize_t server_plen(const struct usbip_header *h)
{
	ssize_t n = 0;

	switch (h->command) {
	case USBIP_CMD_SUBMIT:
		if (h->direction == USBIP_DIR_OUT) {
			if (h->u.cmd_submit.transfer_buffer_length < 0)
				return -EPROTO;
			n = h->u.cmd_submit.transfer_buffer_length;
		}
		if (h->u.cmd_submit.number_of_packets > 0 &&
		    h->u.cmd_submit.number_of_packets < 1024)
			n += 16 * (ssize_t)h->u.cmd_submit.number_of_packets;
		return n;
	case USBIP_CMD_UNLINK:
		return 0;
	default:
		return -EPROTO;
	}
}

static void check_header(const struct usbip_header *h)
{
	uint8_t raw[USBIP_HDR_LEN];
	struct usbip_header back;

	FUZZ_CHECK(h->command >= USBIP_CMD_SUBMIT && h->command <= USBIP_RET_UNLINK);
	FUZZ_CHECK(strcmp(usbip_command_str(h->command), "unknown") != 0);
	usbip_header_encode(h, raw);
	FUZZ_CHECK(usbip_header_decode(raw, &back) == 0);
	FUZZ_CHECK(memcmp(&back, h, sizeof(back)) == 0);
}

static ssize_t op_payload_len(void *arg, const struct usbip_header *h)
{
	struct state *s = arg;
	ssize_t n;

	/* a header accepted before must have been delivered first */
	FUZZ_CHECK(!s->expect_msg);
	check_header(h);
	s->plen_calls++;
	n = s->server ? server_plen(h) : client_plen(s, h);
	s->hash = fnv(s->hash, &n, sizeof(n));
	if (n >= 0 && (size_t)n <= s->max_payload) {
		s->expect_msg = 1;
		s->pend = *h;
		s->pend_len = (size_t)n;
	}
	return n;
}

static int op_message(void *arg, const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	struct state *s = arg;
	uint8_t raw[USBIP_HDR_LEN];

	FUZZ_CHECK(s->expect_msg);
	FUZZ_CHECK(memcmp(h, &s->pend, sizeof(*h)) == 0);
	FUZZ_CHECKF(len == s->pend_len, "len %zu, payload_len() said %zu", len, s->pend_len);
	FUZZ_CHECKF(len <= s->max_payload, "len %zu > max_payload %zu", len, s->max_payload);
	FUZZ_CHECK(payload != NULL);
	s->expect_msg = 0;
	check_header(h);
	if (s->server)
		FUZZ_CHECK(h->command == USBIP_CMD_SUBMIT || h->command == USBIP_CMD_UNLINK);
	else
		FUZZ_CHECK(h->command == USBIP_RET_SUBMIT || h->command == USBIP_RET_UNLINK);

	usbip_header_encode(h, raw);
	s->hash = fnv(s->hash, raw, sizeof(raw));
	s->hash = fnv(s->hash, &len, sizeof(len));
	s->hash = fnv(s->hash, payload, len); /* every byte read: ASan checks the range */
	s->n_msgs++;

	/* the relay forgets a URB once it is answered */
	if (!s->server) {
		struct slot *u = slot_find(s, h->seqnum);

		if (h->command == USBIP_RET_SUBMIT) {
			FUZZ_CHECK(u && u->kind != K_UNLINK);
			u->kind = K_NONE;
		} else if (u && u->kind == K_UNLINK) {
			u->kind = K_NONE;
		}
	}
	if (s->fail_at && s->n_msgs == s->fail_at)
		return -ECANCELED;
	return 0;
}

static const struct usbip_rx_ops ops = {
	.payload_len = op_payload_len,
	.message = op_message,
};

/* One usbip_rx_feed() from a private copy; returns its result. */
static ssize_t feed(struct usbip_rx *rx, struct state *s, const uint8_t *p, size_t n)
{
	uint8_t *copy = n ? fuzz_dup(p, n) : NULL;
	ssize_t r = usbip_rx_feed(rx, copy, n, &ops, s);

	FUZZ_CHECKF(r <= (ssize_t)n, "consumed %zd of %zu", r, n);
	FUZZ_CHECKF(r < 0 || r == (ssize_t)n, "returned %zd for %zu bytes", r, n);
	if (r < 0) {
		FUZZ_CHECK(r != -EINVAL); /* the arguments are always valid here */
		s->expect_msg = 0;     /* the decoder dropped the message */
	}
	free(copy);
	return r;
}

/* The codec pieces the stream's first bytes also happen to be. */
static void other_decoders(const uint8_t *p, size_t n)
{
	uint8_t raw[USBIP_USB_DEVICE_LEN];

	if (n >= USBIP_OP_COMMON_LEN) {
		struct usbip_op_common op;

		usbip_op_common_decode(p, &op);
		usbip_op_common_encode(&op, raw);
		FUZZ_CHECK(memcmp(raw, p, USBIP_OP_COMMON_LEN) == 0);
		FUZZ_CHECK(usbip_status_str(op.status) != NULL);
	}
	if (n >= USBIP_USB_DEVICE_LEN) {
		struct usbip_usb_device d, back;

		if (usbip_usb_device_decode(p, &d) == 0) {
			FUZZ_CHECK(memchr(d.path, '\0', sizeof(d.path)) != NULL);
			FUZZ_CHECK(strlen(d.path) < USBIP_PATH_SIZE);
			FUZZ_CHECK(strlen(d.busid) < USBIP_BUSID_SIZE);
			FUZZ_CHECK(usbip_speed_str(d.speed) != NULL);
			usbip_usb_device_encode(&d, raw);
			FUZZ_CHECK(usbip_usb_device_decode(raw, &back) == 0);
			FUZZ_CHECK(memcmp(&d, &back, sizeof(d)) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk[8], off, n_split, step, i;
	struct state s0, s, ref;
	const uint8_t *stream;
	size_t stream_len, pos;
	ssize_t first_err = 0, r;
	struct usbip_rx rx;

	if (size < 2)
		return 0;
	memset(&s0, 0, sizeof(s0));
	s0.server = data[0] & 1;
	s0.max_payload = MAXP[(data[0] >> 1) & 7];
	s0.fail_at = data[0] >> 4;
	s0.hash = 0xcbf29ce484222325ull;
	n_split = data[1] & 7;
	step = (data[1] >> 3) & 7;
	off = 2;
	if (size < off + 2 * n_split)
		return 0;
	for (i = 0; i < n_split; i++, off += 2)
		chunk[i] = (size_t)data[off] | (size_t)data[off + 1] << 8;
	if (!s0.server) {
		if (size < off + SLOTS * SLOT_LEN)
			return 0;
		for (i = 0; i < SLOTS; i++, off += SLOT_LEN) {
			const uint8_t *d = data + off;

			s0.slot[i].seqnum = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
					    (uint32_t)d[2] << 8 | d[3];
			s0.slot[i].kind = d[4] & 3;
			s0.slot[i].len = (uint16_t)(d[5] << 8 | d[6]);
		}
	}
	stream = data + off;
	stream_len = size - off;
	other_decoders(stream, stream_len);

	/* fed in chunks */
	s = s0;
	FUZZ_CHECK(usbip_rx_init(&rx, s.max_payload) == 0);
	for (pos = 0, i = 0; pos < stream_len || i < n_split; i++) {
		size_t c;

		if (i < n_split)
			c = chunk[i];
		else
			c = step ? step : stream_len - pos;
		if (c > stream_len - pos)
			c = stream_len - pos;
		r = feed(&rx, &s, stream + pos, c);
		pos += c;
		if (r < 0 && !first_err) {
			first_err = r;
			ref = s; /* what the one-piece run must match */
		}
	}
	if (!first_err)
		ref = s;
	usbip_rx_free(&rx);
	usbip_rx_free(&rx); /* twice is documented to be safe */

	/* the same bytes in one piece */
	s = s0;
	FUZZ_CHECK(usbip_rx_init(&rx, s.max_payload) == 0);
	r = stream_len ? feed(&rx, &s, stream, stream_len) : 0;
	FUZZ_CHECKF(r == (first_err ? first_err : (ssize_t)stream_len),
		    "one piece: %zd, in chunks: %zd", r, first_err);
	FUZZ_CHECKF(s.n_msgs == ref.n_msgs, "one piece: %zu messages, in chunks: %zu",
		    s.n_msgs, ref.n_msgs);
	FUZZ_CHECK(s.plen_calls == ref.plen_calls);
	FUZZ_CHECK(s.hash == ref.hash);
	usbip_rx_free(&rx);
	return 0;
}
