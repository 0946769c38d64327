// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen_corpus.c - writes the seed inputs of tests/fuzz/corpus/ (`make fuzz-corpus`):
 *
 *   usbip_rx/  the usbip_protocol.rst EXAMPLE capture (HID interrupt IN/OUT) and
 *              the CMD_UNLINK/RET_UNLINK/control vectors of tests/unit/test_usbip.c,
 *              for both roles, split and byte by byte, and the error paths;
 *   ffs_desc/  the real descriptor sets of tests/unit/test_usb_desc.c (QEMU
 *              usb-storage FS/HS/SS, usb-kbd, usb-net RNDIS/ECM, Linux CDC-ACM,
 *              UAC1, UVC) with their strings, plus configurations FunctionFS
 *              can carry that exercise IADs, HID/CCID, isochronous, SS bursts,
 *              audio-sized endpoints and two languages;
 *   relay_rx/  server streams that answer the URBs each set-up of
 *              fuzz_relay_rx.c has in flight: data, ZLPs, stalls, unlinks after
 *              a host reset, a timed-out control request, Bulk-Only phases, and
 *              what a server must not send;
 *   profile/   hand-written profiles, good and bad (the make target copies
 *              the example profiles of configs/ beside them).
 *
 * The input layouts are described at the top of each fuzz_*.c. Files that
 * `make fuzz-merge` or findings add to the corpus are left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

#define CAP 65536

struct buf {
	uint8_t b[CAP];
	size_t n;
};

static const char *root;

static void put(struct buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	if (b->n + n > CAP)
		abort();
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put_u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_le16(struct buf *b, uint16_t v)
{
	put_u8(b, (uint8_t)v);
	put_u8(b, (uint8_t)(v >> 8));
}

static void put_be16(struct buf *b, uint16_t v)
{
	put_u8(b, (uint8_t)(v >> 8));
	put_u8(b, (uint8_t)v);
}

static void put_be32(struct buf *b, uint32_t v)
{
	put_be16(b, (uint16_t)(v >> 16));
	put_be16(b, (uint16_t)v);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* hex digits, spaces ignored */
static void put_hex(struct buf *b, const char *s)
{
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (hexval(s[0]) < 0 || hexval(s[1]) < 0)
			abort();
		put_u8(b, (uint8_t)(hexval(s[0]) << 4 | hexval(s[1])));
		s += 2;
	}
}

static void write_seed(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, target);
	if (mkdir(path, 0777) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ======================= usbip_rx ======================= */

/* usbip_protocol.rst, EXAMPLE (as in tests/unit/test_usbip.c) */
static const char ex_cmd_intr_in[] =
	"00000001 00000d05 0001000f 00000001 00000001 00000200 00000040 ffffffff "
	"00000000 00000004 00000000 00000000";
static const char ex_cmd_intr_out[] =
	"00000001 00000d06 0001000f 00000000 00000001 00000000 00000040 ffffffff "
	"00000000 00000004 00000000 00000000";
static const char ex_cmd_intr_out_data[] =
	"ffffffff860008a784ce5ae21237630000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000";
static const char ex_ret_intr_out[] =
	"00000003 00000d06 00000000 00000000 00000000 00000000 00000040 ffffffff "
	"00000000 00000000 00000000 00000000";
static const char ex_ret_intr_in[] =
	"00000003 00000d05 00000000 00000000 00000000 00000000 00000040 ffffffff "
	"00000000 00000000 00000000 00000000";
static const char ex_ret_intr_in_data[] =
	"ffffffff860011a784ce5ae2123763612891b102010000040000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000";
static const char vec_cmd_unlink[] =
	"00000002 00000d07 0001000f 00000000 00000000 00000d05 "
	"00000000 00000000 00000000 00000000 00000000 00000000";
static const char vec_ret_unlink[] =
	"00000004 00000d07 00000000 00000000 00000000 ffffff98 "
	"00000000 00000000 00000000 00000000 00000000 00000000";
static const char vec_cmd_ctrl[] =
	"00000001 00000001 00010002 00000001 00000000 00000200 00000109 00000000 "
	"00000000 00000000 80060002 00000901";
static const char vec_cmd_bulk_abc[] =
	"00000001 00000d08 0001000f 00000000 00000002 00000000 00000003 00000000 "
	"00000000 00000000 00000000 00000000 616263";

enum { ROLE_CLIENT = 0, ROLE_SERVER = 1 };
enum { K_NONE, K_IN, K_OUT, K_UNLINK };

struct slot {
	uint32_t seq;
	uint8_t kind;
	uint16_t len;
};

/* max: index into MAXP (0, 1, 48, 64, 512, 4096, 16384, 65536) */
static void rx_prefix(struct buf *b, int role, unsigned max, unsigned fail_at, unsigned step,
		      const uint16_t *chunks, unsigned n_chunks, const struct slot *slots,
		      unsigned n_slots)
{
	unsigned i;

	b->n = 0;
	put_u8(b, (uint8_t)(role | max << 1 | fail_at << 4));
	put_u8(b, (uint8_t)(n_chunks | step << 3));
	for (i = 0; i < n_chunks; i++)
		put_le16(b, chunks[i]);
	if (role == ROLE_CLIENT) {
		for (i = 0; i < 8; i++) {
			struct slot s = i < n_slots ? slots[i] : (struct slot){ 0, K_NONE, 0 };

			put_be32(b, s.seq);
			put_u8(b, s.kind);
			put_be16(b, s.len);
		}
	}
}

/* a RET_SUBMIT header, status 0 */
static void ret_submit(struct buf *b, uint32_t seq, int32_t status, int32_t actual)
{
	put_be32(b, 3);
	put_be32(b, seq);
	put_be32(b, 0);
	put_be32(b, 0);
	put_be32(b, 0);
	put_be32(b, (uint32_t)status);
	put_be32(b, (uint32_t)actual);
	put_be32(b, 0xffffffff);
	put_be32(b, 0);
	put_be32(b, 0);
	put_be32(b, 0);
	put_be32(b, 0);
}

static void cmd_submit(struct buf *b, uint32_t seq, uint32_t dir, uint32_t ep, int32_t len,
		       int32_t npackets)
{
	put_be32(b, 1);
	put_be32(b, seq);
	put_be32(b, 0x0001000f);
	put_be32(b, dir);
	put_be32(b, ep);
	put_be32(b, dir ? 0x200 : 0);
	put_be32(b, (uint32_t)len);
	put_be32(b, npackets ? 0 : 0xffffffff);
	put_be32(b, (uint32_t)npackets);
	put_be32(b, npackets ? 1 : 4);
	put_be32(b, 0);
	put_be32(b, 0);
}

static void gen_usbip(void)
{
	static const struct slot hid[] = {
		{ 0xd05, K_IN, 64 }, { 0xd06, K_OUT, 64 }, { 0xd07, K_UNLINK, 0 },
	};
	static const uint16_t split2[] = { 30, 60 };
	static const uint16_t split3[] = { 47, 1, 100 };
	static const uint16_t split0[] = { 0, 48, 0 };
	struct buf *b = calloc(1, sizeof(*b));
	size_t i;

	if (!b)
		abort();

	/* client: the server's answers to the capture's URBs, and an unlink */
	rx_prefix(b, ROLE_CLIENT, 7, 0, 0, split2, 2, hid, 3);
	put_hex(b, ex_ret_intr_out);
	put_hex(b, ex_ret_intr_in);
	put_hex(b, ex_ret_intr_in_data);
	put_hex(b, vec_ret_unlink);
	write_seed("usbip_rx", "client-hid-capture", b->b, b->n);

	rx_prefix(b, ROLE_CLIENT, 7, 0, 1, NULL, 0, hid, 3);
	put_hex(b, ex_ret_intr_in);
	put_hex(b, ex_ret_intr_in_data);
	put_hex(b, ex_ret_intr_out);
	write_seed("usbip_rx", "client-byte-by-byte", b->b, b->n);

	rx_prefix(b, ROLE_CLIENT, 7, 0, 5, split0, 3, hid, 3);
	put_hex(b, ex_ret_intr_in);
	put_hex(b, ex_ret_intr_in_data);
	write_seed("usbip_rx", "client-zero-length-feeds", b->b, b->n);

	rx_prefix(b, ROLE_CLIENT, 7, 1, 0, NULL, 0, hid, 3);
	put_hex(b, ex_ret_intr_in);
	put_hex(b, ex_ret_intr_in_data);
	put_hex(b, ex_ret_intr_out);
	write_seed("usbip_rx", "client-message-fails", b->b, b->n);

	/* answered twice: the second is for a forgotten seqnum */
	rx_prefix(b, ROLE_CLIENT, 7, 0, 0, NULL, 0, hid, 3);
	put_hex(b, ex_ret_intr_out);
	put_hex(b, ex_ret_intr_out);
	write_seed("usbip_rx", "client-answered-twice", b->b, b->n);

	/* actual_length above the requested length */
	{
		static const struct slot s[] = { { 0xd05, K_IN, 16 } };

		rx_prefix(b, ROLE_CLIENT, 7, 0, 0, NULL, 0, s, 1);
		put_hex(b, ex_ret_intr_in);
		put_hex(b, ex_ret_intr_in_data);
		write_seed("usbip_rx", "client-actual-too-long", b->b, b->n);
	}
	/* a RET_SUBMIT for the seqnum of a CMD_UNLINK; a CMD_SUBMIT from the server */
	rx_prefix(b, ROLE_CLIENT, 7, 0, 0, NULL, 0, hid, 3);
	ret_submit(b, 0xd07, 0, 0);
	write_seed("usbip_rx", "client-ret-for-unlink", b->b, b->n);
	rx_prefix(b, ROLE_CLIENT, 7, 0, 0, NULL, 0, hid, 3);
	put_hex(b, ex_cmd_intr_in);
	write_seed("usbip_rx", "client-gets-cmd", b->b, b->n);

	/* control IN: GET_DESCRIPTOR(CONFIGURATION) answered with 32 bytes, status -EPIPE next */
	{
		static const struct slot s[] = { { 1, K_IN, 265 }, { 2, K_IN, 9 }, { 3, K_OUT, 0 } };
		static const uint8_t cfg[32] = {
			0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x05, 0xc0, 0x00,
			0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00,
			0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00,
			0x07, 0x05, 0x02, 0x02, 0x00, 0x02, 0x00,
		};

		rx_prefix(b, ROLE_CLIENT, 5, 0, 0, NULL, 0, s, 3);
		ret_submit(b, 1, 0, 32);
		put(b, cfg, sizeof(cfg));
		ret_submit(b, 2, -32, 0);
		ret_submit(b, 3, 0, 0);
		write_seed("usbip_rx", "client-control", b->b, b->n);

		/* the same with max_payload 16: -EMSGSIZE */
		b->b[0] = (uint8_t)(ROLE_CLIENT | 2 << 1);
		write_seed("usbip_rx", "client-emsgsize", b->b, b->n);
	}

	/* server: the capture's CMD_SUBMITs, an unlink, a control IN, a bulk OUT */
	rx_prefix(b, ROLE_SERVER, 7, 0, 0, split3, 3, NULL, 0);
	put_hex(b, ex_cmd_intr_in);
	put_hex(b, ex_cmd_intr_out);
	put_hex(b, ex_cmd_intr_out_data);
	put_hex(b, vec_cmd_unlink);
	put_hex(b, vec_cmd_ctrl);
	put_hex(b, vec_cmd_bulk_abc);
	write_seed("usbip_rx", "server-hid-capture", b->b, b->n);

	rx_prefix(b, ROLE_SERVER, 3, 0, 3, NULL, 0, NULL, 0);
	put_hex(b, ex_cmd_intr_out);
	put_hex(b, ex_cmd_intr_out_data);
	put_hex(b, vec_cmd_bulk_abc);
	write_seed("usbip_rx", "server-3-at-a-time", b->b, b->n);

	/* the whole test_usbip.c stream: a RET_SUBMIT from a client is refused */
	rx_prefix(b, ROLE_SERVER, 7, 0, 0, NULL, 0, NULL, 0);
	put_hex(b, ex_cmd_intr_in);
	put_hex(b, ex_cmd_intr_out);
	put_hex(b, ex_cmd_intr_out_data);
	put_hex(b, ex_ret_intr_out);
	put_hex(b, ex_ret_intr_in);
	put_hex(b, ex_ret_intr_in_data);
	put_hex(b, vec_cmd_unlink);
	put_hex(b, vec_ret_unlink);
	put_hex(b, vec_cmd_bulk_abc);
	write_seed("usbip_rx", "server-mixed-stream", b->b, b->n);

	/* isochronous OUT: 8 bytes of data, then 2 packet descriptors */
	rx_prefix(b, ROLE_SERVER, 5, 0, 0, NULL, 0, NULL, 0);
	cmd_submit(b, 0x10, 0, 3, 8, 2);
	put_hex(b, "0102030405060708");
	put_hex(b, "00000000 00000004 00000004 00000000");
	put_hex(b, "00000004 00000004 00000004 00000000");
	cmd_submit(b, 0x11, 1, 3, 1024, 8); /* iso IN: only descriptors follow */
	for (i = 0; i < 8; i++)
		put_hex(b, "00000000 00000080 00000000 00000000");
	write_seed("usbip_rx", "server-iso", b->b, b->n);

	/* transfer_buffer_length -1; an unknown command */
	rx_prefix(b, ROLE_SERVER, 7, 0, 0, NULL, 0, NULL, 0);
	cmd_submit(b, 0x12, 0, 2, -1, 0);
	write_seed("usbip_rx", "server-negative-length", b->b, b->n);
	rx_prefix(b, ROLE_SERVER, 7, 0, 0, NULL, 0, NULL, 0);
	put_hex(b, ex_cmd_intr_in);
	put_hex(b, "00000009 00000d05");
	for (i = 0; i < 40; i++)
		put_u8(b, 0);
	write_seed("usbip_rx", "server-unknown-command", b->b, b->n);

	/* OP_REP_IMPORT (rst table): not a URB stream, but the device decoder sees it */
	rx_prefix(b, ROLE_SERVER, 7, 0, 0, NULL, 0, NULL, 0);
	{
		static const char path[] = "/sys/devices/platform/soc/20980000.usb/usb1/1-1/1-1.2";
		uint8_t r[320];

		memset(r, 0, sizeof(r));
		memcpy(r + 0x000, "\x01\x11\x00\x03\x00\x00\x00\x00", 8);
		memcpy(r + 0x008, path, sizeof(path) - 1);
		memcpy(r + 0x108, "1-1.2", 5);
		memcpy(r + 0x128, "\x00\x00\x00\x01\x00\x00\x00\x0f\x00\x00\x00\x05", 12);
		memcpy(r + 0x134, "\x0b\x95\x17\x90\x01\x00\xff\xff\x00\x01\x02\x01", 12);
		/* the device entry first, so that it is decoded */
		put(b, r + 8, 312);
		put(b, r, 8);
	}
	write_seed("usbip_rx", "server-op-rep-import", b->b, b->n);
	free(b);
}

/* ======================= relay_rx ======================= */

/*
 * Streams that answer the URBs each set-up of fuzz_relay_rx.c has in flight
 * (seqnums listed there), and the URBs the answers make the relay send next.
 */
enum {
	RS_VENDOR = 0, RS_SS_ON_HS = 1, RS_BOT_IN = 2, RS_BOT_OUT = 3,
	RF_GADGET_IO = 0x04, RF_HOLD = 0x08, RF_CTRL_TIMEOUT = 0x10, RF_REENABLE = 0x20,
	RF_IO_FAILS = 0x40, RF_SET_INTERFACE = 0x80,
};

/*
 * One seed: set-up and flags (byte 0), chunk size (byte 1), then the stream,
 * written as a script of PDUs separated by spaces:
 *   sN     RET_SUBMIT N, status 0, no data      sN:A   the same, actual_length A
 *   iN:A   RET_SUBMIT N of an IN URB: A bytes   eN     RET_SUBMIT N, status -EPIPE
 *   gN     RET_SUBMIT N, status -ESHUTDOWN      cN     RET_SUBMIT N: a 13-byte CSW
 *   uN     RET_UNLINK N, -ECONNRESET
 *   uN-M   RET_UNLINK N..M, -ECONNRESET         vN     RET_UNLINK N, status 0
 *   x      a CMD_SUBMIT, which a server never sends
 */
struct relay_seed {
	const char *name;
	unsigned flags, step;
	const char *script;
};

static const struct relay_seed relay_seeds[] = {
	/* every URB of the set-up answered: data, a short packet, a ZLP, OUT acks */
	{ "vendor-answers", RS_VENDOR | RF_GADGET_IO, 0,
	  "s1 i2:512 i3:100 i4:0 i18:8 s20:512 s21:100 i22:10" },
	/* out of order, fed 100 bytes at a time */
	{ "vendor-out-of-order", RS_VENDOR | RF_GADGET_IO, 100, "i5:500 i4:400 i3:300 i2:200 i19:3" },
	/* IN stall (CLEAR_FEATURE is 23), a stale one, an OUT stall (24) */
	{ "vendor-stalls", RS_VENDOR | RF_GADGET_IO, 0, "e2 e3 e20 s23 s24 i4:512" },
	/*
	 * The control request is answered first (ep0 is not read while it waits),
	 * then the host resets: 20 URBs unlinked (23..42); after the second PDU it
	 * configures again: PORT_RESET 43, SET_CONFIGURATION 44; the bulk IN
	 * transfer freed by the first RET_UNLINK asks again (45). URB 3 was
	 * answered before the server saw its unlink (24).
	 */
	{ "vendor-reset", RS_VENDOR | RF_GADGET_IO | RF_REENABLE, 48,
	  "s22 s1 u23 i3:512 v24 u25-42 s43 s44 i45:512" },
	/* the control request times out (unlinked as 23); its late answer is dropped */
	{ "vendor-ctrl-timeout", RS_VENDOR | RF_CTRL_TIMEOUT, 48, "s1 i22:8 v23" },
	/* rule 6: 1024-byte device packets, 512-byte gadget packets */
	{ "ss-on-hs", RS_SS_ON_HS | RF_GADGET_IO | RF_HOLD, 0,
	  "i2:512 i3:1024 i4:0 i5:700 s20:1024 s21:100 i22:64" },
	/* Bulk-Only data-in: CBW taken, 4096 bytes, the CSW; GET_MAX_LUN */
	{ "bot-data-in", RS_BOT_IN | RF_GADGET_IO, 0, "s2:31 i4:4096 c5 i3:1" },
	/* the device stalls the data-in phase: CLEAR_FEATURE 5, then the CSW 6 */
	{ "bot-data-in-stall", RS_BOT_IN | RF_GADGET_IO, 0, "s2:31 e4 s5 c6" },
	/* Bulk-Only data-out: CBW and data taken, the CSW (5) */
	{ "bot-data-out", RS_BOT_OUT | RF_GADGET_IO, 0, "s2:31 s3:1024 c5 i4:1" },
	/*
	 * SET_INTERFACE(1, alternate setting 1): 22 and 23 unlinked the old
	 * setting's interrupt URBs; accepted, the new setting's endpoint 0x84
	 * asks (25, 26); stalled, the old one's asks again once its URBs are back
	 */
	{ "vendor-set-interface", RS_VENDOR | RF_GADGET_IO | RF_SET_INTERFACE, 0,
	  "u22 u23 s24 i25:8 s1" },
	{ "vendor-set-interface-stalled", RS_VENDOR | RF_GADGET_IO | RF_SET_INTERFACE, 0,
	  "e24 i18:8 v22 u23 i25:4" },
	{ "bot-set-interface", RS_BOT_IN | RF_GADGET_IO | RF_SET_INTERFACE, 0, "u3 s4" },
	/* the device is gone: the relay stops */
	{ "vendor-device-gone", RS_VENDOR, 0, "s1 g2" },
	/* what a server must not send; 23 is the reset's first CMD_UNLINK */
	{ "error-unknown-seqnum", RS_VENDOR, 0, "s999" },
	{ "error-actual-too-long", RS_VENDOR, 0, "i2:513" },
	{ "error-ret-for-unlink", RS_VENDOR | RF_REENABLE, 48, "s22 s23" },
	{ "error-cmd-from-server", RS_BOT_OUT, 0, "x" },
};

static void relay_pdu(struct buf *b, const char *t)
{
	static const uint8_t csw[13] = { 'U', 'S', 'B', 'S', 0x21 };
	unsigned long n = strtoul(t + 1, NULL, 10), a = 0, m = n;
	const char *colon = strpbrk(t, ":-");

	if (colon)
		a = m = strtoul(colon + 1, NULL, 10);
	switch (t[0]) {
	case 's':
		ret_submit(b, (uint32_t)n, 0, (int32_t)a);
		break;
	case 'i':
		ret_submit(b, (uint32_t)n, 0, (int32_t)a);
		while (a--)
			put_u8(b, (uint8_t)(n + a));
		break;
	case 'e':
	case 'g':
		ret_submit(b, (uint32_t)n, t[0] == 'e' ? -32 : -108, 0);
		break;
	case 'c':
		ret_submit(b, (uint32_t)n, 0, sizeof(csw));
		put(b, csw, sizeof(csw));
		break;
	case 'u':
	case 'v':
		for (; n <= m; n++) {
			ret_submit(b, (uint32_t)n, t[0] == 'u' ? -104 : 0, 0);
			b->b[b->n - 45] = 4;              /* command RET_UNLINK */
			memset(b->b + b->n - 20, 0, 4); /* no start_frame */
		}
		break;
	case 'x':
		put_hex(b, ex_cmd_intr_in);
		break;
	default:
		abort();
	}
}

static void gen_relay(void)
{
	struct buf *b = calloc(1, sizeof(*b));
	char tok[32];

	if (!b)
		abort();
	for (size_t i = 0; i < sizeof(relay_seeds) / sizeof(relay_seeds[0]); i++) {
		const struct relay_seed *sd = &relay_seeds[i];
		const char *p = sd->script;

		b->n = 0;
		put_u8(b, (uint8_t)sd->flags);
		put_u8(b, (uint8_t)sd->step);
		while (*p) {
			size_t k = strcspn(p, " ");

			if (k >= sizeof(tok))
				abort();
			memcpy(tok, p, k);
			tok[k] = 0;
			relay_pdu(b, tok);
			p += k + (p[k] == ' ');
		}
		write_seed("relay_rx", sd->name, b->b, b->n);
	}
	free(b);
}

/* ======================= ffs_desc ======================= */

#define SEP "\xfe\xfdGD"

enum {
	SP_LOW = 0, SP_FULL = 1, SP_HIGH = 2, SP_SUPER = 3, SP_SUPER_PLUS = 4,
	O_ISO = 0x08, O_EVENTFD = 0x10, O_RECIP = 0x20, O_FIXUP = 0x40, O_PROBE = 0x80,
};

static const uint8_t qemu_storage_dev_hs[] = {
	0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0xf4, 0x46, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x02, 0x03, 0x01,
};
static const uint8_t qemu_storage_dev_ss[] = {
	0x12, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x09, 0xf4, 0x46, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x02, 0x03, 0x01,
};
static const uint8_t qemu_storage_cfg_fs[] = {
	0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x04, 0xc0, 0x00,
	0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00,
	0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
};
static const uint8_t qemu_storage_cfg_hs[] = {
	0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x05, 0xc0, 0x00,
	0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x00, 0x02, 0x00,
};
static const uint8_t qemu_storage_cfg_ss[] = {
	0x09, 0x02, 0x2c, 0x00, 0x01, 0x01, 0x06, 0xc0, 0x00,
	0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x0f, 0x00, 0x00, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x0f, 0x00, 0x00, 0x00,
};
static const uint8_t qemu_kbd_dev_hs[] = {
	0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x27, 0x06, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x04, 0x0b, 0x01,
};
static const uint8_t qemu_kbd_cfg_fs[] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
	0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,
};
static const uint8_t qemu_kbd_cfg_hs[] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
	0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x07,
};
static const uint8_t qemu_net_dev[] = {
	0x12, 0x01, 0x00, 0x02, 0x02, 0x00, 0x00, 0x40, 0x25, 0x05, 0xa2, 0xa4, 0x00, 0x00,
	0x01, 0x02, 0x0a, 0x02,
};
static const uint8_t qemu_net_cfg_rndis[] = {
	0x09, 0x02, 0x43, 0x00, 0x02, 0x02, 0x09, 0xc0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0xff, 0x06,
	0x05, 0x24, 0x00, 0x10, 0x01,
	0x05, 0x24, 0x01, 0x00, 0x01,
	0x04, 0x24, 0x02, 0x00,
	0x05, 0x24, 0x06, 0x00, 0x01,
	0x07, 0x05, 0x81, 0x03, 0x10, 0x00, 0x20,
	0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x04,
	0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
};
static const uint8_t qemu_net_cfg_cdc[] = {
	0x09, 0x02, 0x50, 0x00, 0x02, 0x01, 0x07, 0xc0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x06, 0x00, 0x05,
	0x05, 0x24, 0x00, 0x10, 0x01,
	0x05, 0x24, 0x06, 0x00, 0x01,
	0x0d, 0x24, 0x0f, 0x03, 0x00, 0x00, 0x00, 0x00, 0xea, 0x05, 0x00, 0x00, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x10, 0x00, 0x20,
	0x09, 0x04, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00,
	0x09, 0x04, 0x01, 0x01, 0x02, 0x0a, 0x00, 0x00, 0x04,
	0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
};
static const uint8_t linux_acm_cfg_hs[] = {
	0x09, 0x02, 0x4b, 0x00, 0x02, 0x01, 0x04, 0x80, 0xfa,
	0x08, 0x0b, 0x00, 0x02, 0x02, 0x02, 0x01, 0x07,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x05,
	0x05, 0x24, 0x00, 0x10, 0x01,
	0x05, 0x24, 0x01, 0x00, 0x01,
	0x04, 0x24, 0x02, 0x02,
	0x05, 0x24, 0x06, 0x00, 0x01,
	0x07, 0x05, 0x82, 0x03, 0x0a, 0x00, 0x09,
	0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x06,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00,
	0x07, 0x05, 0x01, 0x02, 0x00, 0x02, 0x00,
};
static const uint8_t linux_acm_cfg_ss[] = {
	0x09, 0x02, 0x5d, 0x00, 0x02, 0x01, 0x04, 0x80, 0xfa,
	0x08, 0x0b, 0x00, 0x02, 0x02, 0x02, 0x01, 0x07,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x05,
	0x05, 0x24, 0x00, 0x10, 0x01,
	0x05, 0x24, 0x01, 0x00, 0x01,
	0x04, 0x24, 0x02, 0x02,
	0x05, 0x24, 0x06, 0x00, 0x01,
	0x07, 0x05, 0x82, 0x03, 0x0a, 0x00, 0x09,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x06,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x05, 0x01, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t audio_cfg[] = {
	0x09, 0x02, 0x40, 0x00, 0x02, 0x01, 0x00, 0x80, 0x32,
	0x05, 0x09, 0x03, 0x00, 0x02,
	0x09, 0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,
	0x09, 0x24, 0x01, 0x00, 0x01, 0x09, 0x00, 0x01, 0x01,
	0x09, 0x04, 0x01, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00,
	0x07, 0x24, 0x01, 0x01, 0x01, 0x01, 0x00,
	0x09, 0x05, 0x01, 0x09, 0xc0, 0x00, 0x01, 0x00, 0x00,
	0x07, 0x25, 0x01, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t langid_en[] = { 0x04, 0x03, 0x09, 0x04 };
static const uint8_t langid_en_de[] = { 0x06, 0x03, 0x09, 0x04, 0x07, 0x04 };

/* A section separator, then a section. */
static void sect(struct buf *b, const void *p, size_t n)
{
	put(b, SEP, 4);
	put(b, p, n);
}

/* a STRING section: [index][language slot][descriptor of @s as UTF-16, ASCII only] */
static void str_sect(struct buf *b, uint8_t idx, uint8_t lang, const char *s)
{
	size_t n = strlen(s), i;

	put(b, SEP, 4);
	put_u8(b, idx);
	put_u8(b, lang);
	put_u8(b, (uint8_t)(2 + 2 * n));
	put_u8(b, 0x03);
	for (i = 0; i < n; i++)
		put_le16(b, (uint8_t)s[i]);
}

/* a STRING section of raw UTF-16 units */
static void str_units(struct buf *b, uint8_t idx, uint8_t lang, const uint16_t *u, size_t n)
{
	size_t i;

	put(b, SEP, 4);
	put_u8(b, idx);
	put_u8(b, lang);
	put_u8(b, (uint8_t)(2 + 2 * n));
	put_u8(b, 0x03);
	for (i = 0; i < n; i++)
		put_le16(b, u[i]);
}

/* device, configuration, other speed (NULL: none), LANGIDs (NULL: none) */
static void ffs_head(struct buf *b, uint8_t opt, const uint8_t *dev, size_t dlen,
		     const uint8_t *cfg, size_t clen, const uint8_t *other, size_t olen,
		     const uint8_t *langs, size_t llen)
{
	b->n = 0;
	put_u8(b, opt);
	put(b, dev, dlen);
	sect(b, cfg, clen);
	sect(b, other, other ? olen : 0);
	if (langs)
		sect(b, langs, llen);
}

/* the other-speed view: the same bytes with bDescriptorType 7 */
static const uint8_t *other_speed(const uint8_t *cfg, size_t n)
{
	static uint8_t o[1024];

	memcpy(o, cfg, n);
	o[1] = 0x07;
	return o;
}

static void qemu_strings(struct buf *b)
{
	str_sect(b, 1, 0, "QEMU");
	str_sect(b, 2, 0, "QEMU USB HARDDRIVE");
	str_sect(b, 3, 0, "1-0000:00:01.2-1");
	str_sect(b, 4, 0, "Full speed config (usb 1.1)");
	str_sect(b, 5, 0, "High speed config (usb 2.0)");
	str_sect(b, 6, 0, "Super speed config (usb 3.0)");
}

/* configuration builder */
struct cb {
	uint8_t b[CAP];
	size_t n;
};

static void cb_start(struct cb *c, uint8_t n_intf)
{
	static const uint8_t h[9] = { 0x09, 0x02, 0, 0, 0, 0x01, 0x00, 0x80, 0x32 };

	memcpy(c->b, h, 9);
	c->b[4] = n_intf;
	c->n = 9;
}

static void cb_add(struct cb *c, const uint8_t *d)
{
	memcpy(c->b + c->n, d, d[0]);
	c->n += d[0];
	c->b[2] = (uint8_t)c->n;
	c->b[3] = (uint8_t)(c->n >> 8);
}

#define D(...) ((const uint8_t[]){ __VA_ARGS__ })

static void gen_ffs(void)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct cb *c = calloc(1, sizeof(*c));
	unsigned i;

	if (!b || !c)
		abort();

	/* QEMU usb-storage at each speed; HS with its FS other-speed view */
	ffs_head(b, SP_HIGH | O_RECIP | O_PROBE, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs),
		 qemu_storage_cfg_hs, sizeof(qemu_storage_cfg_hs),
		 other_speed(qemu_storage_cfg_fs, sizeof(qemu_storage_cfg_fs)),
		 sizeof(qemu_storage_cfg_fs), langid_en, sizeof(langid_en));
	qemu_strings(b);
	write_seed("ffs_desc", "qemu-storage-hs", b->b, b->n);

	ffs_head(b, SP_SUPER | O_RECIP, qemu_storage_dev_ss, sizeof(qemu_storage_dev_ss),
		 qemu_storage_cfg_ss, sizeof(qemu_storage_cfg_ss), NULL, 0, langid_en,
		 sizeof(langid_en));
	qemu_strings(b);
	write_seed("ffs_desc", "qemu-storage-ss", b->b, b->n);

	ffs_head(b, SP_FULL | O_RECIP | O_EVENTFD, qemu_storage_dev_hs,
		 sizeof(qemu_storage_dev_hs), qemu_storage_cfg_fs, sizeof(qemu_storage_cfg_fs),
		 NULL, 0, langid_en, sizeof(langid_en));
	write_seed("ffs_desc", "qemu-storage-fs", b->b, b->n);

	/* QEMU usb-kbd: HID descriptor */
	ffs_head(b, SP_HIGH | O_RECIP | O_PROBE, qemu_kbd_dev_hs, sizeof(qemu_kbd_dev_hs),
		 qemu_kbd_cfg_hs, sizeof(qemu_kbd_cfg_hs),
		 other_speed(qemu_kbd_cfg_fs, sizeof(qemu_kbd_cfg_fs)), sizeof(qemu_kbd_cfg_fs),
		 langid_en, sizeof(langid_en));
	str_sect(b, 1, 0, "QEMU");
	str_sect(b, 4, 0, "QEMU USB Keyboard");
	str_sect(b, 0x0b, 0, "68284");
	str_sect(b, 8, 0, "HID Keyboard");
	write_seed("ffs_desc", "qemu-kbd-hs", b->b, b->n);

	ffs_head(b, SP_LOW | O_RECIP, qemu_kbd_dev_hs, sizeof(qemu_kbd_dev_hs), qemu_kbd_cfg_fs,
		 sizeof(qemu_kbd_cfg_fs), NULL, 0, NULL, 0);
	write_seed("ffs_desc", "qemu-kbd-ls", b->b, b->n);

	/* refused: CDC, UAC1, UVC */
	ffs_head(b, SP_HIGH | O_RECIP, qemu_net_dev, sizeof(qemu_net_dev), qemu_net_cfg_rndis,
		 sizeof(qemu_net_cfg_rndis), NULL, 0, langid_en, sizeof(langid_en));
	write_seed("ffs_desc", "qemu-net-rndis", b->b, b->n);
	ffs_head(b, SP_HIGH | O_RECIP | O_PROBE, qemu_net_dev, sizeof(qemu_net_dev),
		 qemu_net_cfg_cdc, sizeof(qemu_net_cfg_cdc), NULL, 0, langid_en,
		 sizeof(langid_en));
	write_seed("ffs_desc", "qemu-net-ecm", b->b, b->n);
	ffs_head(b, SP_HIGH | O_RECIP, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs),
		 linux_acm_cfg_hs, sizeof(linux_acm_cfg_hs), NULL, 0, langid_en,
		 sizeof(langid_en));
	write_seed("ffs_desc", "linux-acm-hs", b->b, b->n);
	ffs_head(b, SP_SUPER | O_RECIP, qemu_storage_dev_ss, sizeof(qemu_storage_dev_ss),
		 linux_acm_cfg_ss, sizeof(linux_acm_cfg_ss), NULL, 0, langid_en,
		 sizeof(langid_en));
	write_seed("ffs_desc", "linux-acm-ss", b->b, b->n);
	ffs_head(b, SP_FULL | O_ISO, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs), audio_cfg,
		 sizeof(audio_cfg), NULL, 0, NULL, 0);
	write_seed("ffs_desc", "uac1-speaker", b->b, b->n);

	/* UVC with 40 CS_INTERFACE descriptors (test_usb_desc.c build_uvc()) */
	cb_start(c, 2);
	cb_add(c, D(0x08, 0x0b, 0x00, 0x02, 0x0e, 0x03, 0x00, 0x02));
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x01, 0x0e, 0x01, 0x00, 0x02));
	cb_add(c, D(0x0d, 0x24, 0x01, 0x00, 0x01, 0x00, 0x00, 0x80, 0x8d, 0x5b, 0x00, 0x01, 0x01));
	cb_add(c, D(0x12, 0x24, 0x02, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		    0x00, 0x03, 0x0e, 0x00, 0x00));
	for (i = 0; i < 37; i++) {
		uint8_t xu[27] = { 27, 0x24, 0x06 };

		xu[3] = (uint8_t)(0x02 + i);
		memset(xu + 4, 0xa0 + (int)i, 16);
		xu[20] = 8;
		xu[21] = 1;
		xu[22] = 0x01;
		xu[23] = 2;
		xu[24] = 0xff;
		cb_add(c, xu);
	}
	cb_add(c, D(0x09, 0x24, 0x03, 0x30, 0x01, 0x01, 0x00, 0x01, 0x00));
	cb_add(c, D(0x07, 0x05, 0x83, 0x03, 0x10, 0x00, 0x06));
	cb_add(c, D(0x05, 0x25, 0x03, 0x10, 0x00));
	cb_add(c, D(0x09, 0x04, 0x01, 0x00, 0x00, 0x0e, 0x02, 0x00, 0x00));
	cb_add(c, D(0x0e, 0x24, 0x01, 0x01, 0x19, 0x00, 0x81, 0x00, 0x30, 0x00, 0x00, 0x00, 0x01,
		    0x00));
	cb_add(c, D(0x0b, 0x24, 0x06, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00));
	cb_add(c, D(0x09, 0x04, 0x01, 0x01, 0x01, 0x0e, 0x02, 0x00, 0x00));
	cb_add(c, D(0x07, 0x05, 0x81, 0x05, 0x00, 0x14, 0x01));
	ffs_head(b, SP_HIGH | O_RECIP | O_ISO, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs),
		 c->b, c->n, NULL, 0, langid_en, sizeof(langid_en));
	str_sect(b, 2, 0, "Video Control");
	write_seed("ffs_desc", "uvc-camera", b->b, b->n);

	/* carried: an IAD over two vendor interfaces, a third one, strings in two languages */
	cb_start(c, 3);
	cb_add(c, D(0x08, 0x0b, 0x00, 0x02, 0xff, 0x00, 0x00, 0x01));
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x01));
	cb_add(c, D(0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00));
	cb_add(c, D(0x09, 0x04, 0x01, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02));
	cb_add(c, D(0x07, 0x05, 0x02, 0x02, 0x00, 0x02, 0x00));
	cb_add(c, D(0x09, 0x04, 0x02, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02));
	cb_add(c, D(0x07, 0x05, 0x83, 0x03, 0x40, 0x00, 0x04));
	ffs_head(b, SP_HIGH | O_RECIP | O_PROBE, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs),
		 c->b, c->n, NULL, 0, langid_en_de, sizeof(langid_en_de));
	str_sect(b, 1, 0, "Vendor function");
	str_sect(b, 2, 0, "Data");
	str_sect(b, 1, 1, "Herstellerfunktion");
	str_sect(b, 2, 1, "Daten");
	write_seed("ffs_desc", "iad-two-languages", b->b, b->n);

	/* the same at full speed from an FS device, and with IAD after the last interface */
	b->b[0] = SP_FULL | O_RECIP;
	write_seed("ffs_desc", "iad-two-languages-fs", b->b, b->n);

	/* strings: surrogate pair, unpaired surrogates, NUL padding, a 126-unit text of
	 * 3-byte characters (cut at a character boundary in the blob) */
	cb_start(c, 2);
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x05));
	cb_add(c, D(0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00));
	cb_add(c, D(0x09, 0x04, 0x01, 0x00, 0x01, 0xff, 0x00, 0x00, 0x06));
	cb_add(c, D(0x07, 0x05, 0x01, 0x02, 0x40, 0x00, 0x00));
	ffs_head(b, SP_FULL | O_PROBE, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs), c->b,
		 c->n, NULL, 0, langid_en, sizeof(langid_en));
	{
		static const uint16_t pair[] = { 'A', 0xd83d, 0xde00, 0xd800, 'B', 0xdc00, 0x00e9,
						 0x0000, 0x0000 };
		uint16_t long3[126];

		for (i = 0; i < 126; i++)
			long3[i] = (uint16_t)(0x4e00 + i);
		str_units(b, 5, 0, pair, sizeof(pair) / 2);
		str_units(b, 6, 0, long3, 126);
	}
	write_seed("ffs_desc", "strings-unicode", b->b, b->n);

	/* carried: a CCID interface (54-byte class descriptor) and a HID one */
	cb_start(c, 2);
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x03, 0x0b, 0x00, 0x00, 0x00));
	{
		uint8_t ccid[54] = { 54, 0x21, 0x10, 0x01, 0x00, 0x07, 0x03 };

		cb_add(c, ccid);
	}
	cb_add(c, D(0x07, 0x05, 0x01, 0x02, 0x00, 0x02, 0x00));
	cb_add(c, D(0x07, 0x05, 0x82, 0x02, 0x00, 0x02, 0x00));
	cb_add(c, D(0x07, 0x05, 0x83, 0x03, 0x08, 0x00, 0x10));
	cb_add(c, D(0x09, 0x04, 0x01, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00));
	cb_add(c, D(0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x34, 0x00));
	cb_add(c, D(0x07, 0x05, 0x84, 0x03, 0x40, 0x00, 0x01));
	ffs_head(b, SP_HIGH | O_RECIP, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs), c->b, c->n,
		 NULL, 0, NULL, 0);
	write_seed("ffs_desc", "ccid-and-hid", b->b, b->n);

	/* carried on a UDC with isochronous endpoints: high-bandwidth iso, an audio-sized one */
	cb_start(c, 1);
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x03, 0xff, 0x00, 0x00, 0x00));
	cb_add(c, D(0x07, 0x05, 0x81, 0x05, 0x00, 0x14, 0x01));
	cb_add(c, D(0x09, 0x05, 0x02, 0x09, 0x00, 0x02, 0x04, 0x00, 0x00));
	cb_add(c, D(0x07, 0x05, 0x83, 0x03, 0x00, 0x0c, 0x01));
	ffs_head(b, SP_HIGH | O_ISO | O_RECIP | O_PROBE, qemu_storage_dev_hs,
		 sizeof(qemu_storage_dev_hs), c->b, c->n, NULL, 0, NULL, 0);
	write_seed("ffs_desc", "iso-high-bandwidth", b->b, b->n);
	b->b[0] = SP_FULL | O_ISO;
	write_seed("ffs_desc", "iso-high-bandwidth-fs", b->b, b->n);

	/* SuperSpeed with bursts, streams and a periodic companion */
	cb_start(c, 1);
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x03, 0x08, 0x06, 0x62, 0x00));
	cb_add(c, D(0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00));
	cb_add(c, D(0x06, 0x30, 0x0f, 0x05, 0x00, 0x00));
	cb_add(c, D(0x07, 0x05, 0x02, 0x02, 0x00, 0x04, 0x00));
	cb_add(c, D(0x06, 0x30, 0x0f, 0x05, 0x00, 0x00));
	cb_add(c, D(0x07, 0x05, 0x83, 0x03, 0x00, 0x04, 0x04));
	cb_add(c, D(0x06, 0x30, 0x02, 0x00, 0x00, 0x0c));
	ffs_head(b, SP_SUPER_PLUS | O_RECIP | O_PROBE, qemu_storage_dev_ss,
		 sizeof(qemu_storage_dev_ss), c->b, c->n, NULL, 0, NULL, 0);
	write_seed("ffs_desc", "ss-bursts", b->b, b->n);

	/* refused: 31 endpoints over 16 interfaces; 17 interfaces */
	cb_start(c, 16);
	for (i = 0; i < 16; i++) {
		cb_add(c, D(0x09, 0x04, (uint8_t)i, 0x00, 0x02, 0xff, 0x00, 0x00, 0x00));
		cb_add(c, D(0x07, 0x05, (uint8_t)(0x81 + i % 15), 0x02, 0x40, 0x00, 0x00));
		if (i < 15)
			cb_add(c, D(0x07, 0x05, (uint8_t)(0x01 + i), 0x02, 0x40, 0x00, 0x00));
	}
	ffs_head(b, SP_FULL, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs), c->b, c->n, NULL,
		 0, NULL, 0);
	write_seed("ffs_desc", "many-endpoints", b->b, b->n);

	/* malformed: bLength 0, wTotalLength off by one (fixed up with O_FIXUP) */
	{
		uint8_t m[sizeof(qemu_storage_cfg_hs)];

		memcpy(m, qemu_storage_cfg_hs, sizeof(m));
		m[18] = 0;
		ffs_head(b, SP_HIGH, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs), m,
			 sizeof(m), NULL, 0, NULL, 0);
		write_seed("ffs_desc", "blength-0", b->b, b->n);
		memcpy(m, qemu_storage_cfg_hs, sizeof(m));
		m[2]++;
		ffs_head(b, SP_HIGH, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs), m,
			 sizeof(m), NULL, 0, NULL, 0);
		write_seed("ffs_desc", "total-length-lies", b->b, b->n);
		b->b[0] |= O_FIXUP;
		write_seed("ffs_desc", "total-length-fixup", b->b, b->n);
	}

	/*
	 * Findings (tests/fuzz/README, id periodic-mps): a periodic endpoint's
	 * wMaxPacketSize is written at HS/SS as the remote said it, past 1024 bytes
	 * or with reserved bits, which a UDC refuses when the host enables it.
	 */
	{
		uint8_t m[sizeof(qemu_kbd_cfg_hs)];

		memcpy(m, qemu_kbd_cfg_hs, sizeof(m));
		m[27 + 4] = 0x40; /* interrupt IN: 0x0440 = 1088 bytes */
		m[27 + 5] = 0x04;
		ffs_head(b, SP_HIGH | O_RECIP, qemu_kbd_dev_hs, sizeof(qemu_kbd_dev_hs), m,
			 sizeof(m), NULL, 0, NULL, 0);
		write_seed("ffs_desc", "finding-periodic-mps-hs", b->b, b->n);
	}
	cb_start(c, 1);
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00));
	cb_add(c, D(0x07, 0x05, 0x81, 0x03, 0xff, 0x07, 0x04)); /* 2047 bytes */
	cb_add(c, D(0x06, 0x30, 0x00, 0x00, 0xff, 0x07));
	ffs_head(b, SP_SUPER | O_RECIP, qemu_storage_dev_ss, sizeof(qemu_storage_dev_ss), c->b,
		 c->n, NULL, 0, NULL, 0);
	write_seed("ffs_desc", "finding-periodic-mps-from-ss", b->b, b->n);
	cb_start(c, 1);
	cb_add(c, D(0x09, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00));
	cb_add(c, D(0x07, 0x05, 0x81, 0x05, 0x00, 0x1c, 0x01)); /* 1024 x 4: reserved */
	ffs_head(b, SP_HIGH | O_RECIP | O_ISO, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs),
		 c->b, c->n, NULL, 0, NULL, 0);
	write_seed("ffs_desc", "finding-periodic-mps-reserved-mult", b->b, b->n);

	free(c);
	free(b);
}

/* ======================= profile ======================= */

static void prof(const char *name, const char *text)
{
	write_seed("profile", name, text, strlen(text));
}

static void gen_profile(void)
{
	prof("all-keys.cfg",
	     "# every key\n"
	     "remote = \"[fe80::1%eth0]:3240\";\n"
	     "busid = \"1-1.2\";\n"
	     "udc = \"dummy_udc.0\";\n"
	     "device = {\n"
	     "  idVendor = 0x046d;  idProduct = 50475;  bcdDevice = 0x0110;\n"
	     "  serial = \"GD-\\\"quoted\\\"-\\\\-0001\";\n"
	     "  manufacturer = \"Gr\\xc3\\xbc\xc3\\x9fe \xe2\x82\xac \xf0\x9f\x98\x80\";\n"
	     "  product = \"Lab keyboard\" \" (via gadgetd)\";\n"
	     "  MaxPower = 500;\n"
	     "  self_powered = true;\n"
	     "};\n");
	prof("empty.cfg", "");
	prof("comments.cfg",
	     "// c++\n/* c\n   block */ # shell\nbusid = \"2-1\"; /* after */\n"
	     "device : { MaxPower = 0; self_powered = FALSE; }\n");
	prof("int64.cfg", "device = { idVendor = 0x1234L; bcdDevice = 65535; };\n");
	prof("int-overflow.cfg", "device = { idVendor = 0x100001234; };\n");
	prof("int-overflow-dec.cfg", "device = { idProduct = 4294967297; };\n");
	prof("out-of-range.cfg", "device = { idVendor = 70000; MaxPower = 501; };\n");
	prof("negative.cfg", "device = { bcdDevice = -1; };\n");
	prof("float.cfg", "device = { idVendor = 1.5e3; };\n");
	prof("unknown-key.cfg", "remote = \"a\";\nbusid2 = \"1-1\";\n");
	prof("unknown-device-key.cfg", "device = { vendor = 1; };\n");
	prof("busid-too-long.cfg", "busid = \"12345678901234567890123456789012\";\n");
	prof("empty-string.cfg", "udc = \"\";\n");
	prof("control-char.cfg", "device = { serial = \"a\\x01b\"; };\n");
	prof("bad-utf8.cfg", "device = { product = \"\xff\xfe\"; };\n");
	prof("c1-control.cfg", "device = { product = \"\xc2\x85\"; };\n");
	prof("overlong-utf8.cfg", "device = { product = \"\xc0\xaf \xe0\x80\xaf\"; };\n");
	prof("surrogate-utf8.cfg", "device = { product = \"\xed\xa0\x80\"; };\n");
	prof("wrong-types.cfg",
	     "busid = 5;\ndevice = { idVendor = \"0x1234\"; self_powered = 1; };\n");
	prof("device-not-group.cfg", "device = 5;\n");
	prof("device-list.cfg", "device = ( { idVendor = 1; } );\nbusid = [ \"1-1\" ];\n");
	prof("duplicate.cfg", "busid = \"1-1\";\nbusid = \"1-2\";\n");
	prof("include.cfg", "@include \"/etc/passwd\"\nbusid = \"1-1\";\n");
	prof("syntax-error.cfg", "busid = \"1-1\"\ndevice = {\n");
	prof("unterminated-string.cfg", "busid = \"1-1;\n");
	prof("string-then-error.cfg", "product = \"abc\" \"def\" = ;\n");
	/* found by fuzz_profile: libconfig 1.5 leaks the string token (lsan.supp) */
	prof("libconfig-leak.cfg", "bbidProduct-1\";\nbusid = \"1-2;\n");
	prof("long-string.cfg",
	     "device = { product = \"0123456789012345678901234567890123456789012345678901234567"
	     "890123456789012345678901234567890123456789012345678901234567890123456789\"; };\n");
	prof("nested.cfg", "device = { inner = { idVendor = 1; }; };\n");

	/* reconnection, privilege and allow policy keys */
	prof("policy.cfg",
	     "dead_peer_timeout = 15;\n"
	     "retry = { min = 2; max = 60; };\n"
	     "user = \"gadgetd\";\n"
	     "allow = {\n"
	     "  devices = [ \"1d6b:0104\", \"046D:*\" ];\n"
	     "  classes = ( 3, 8, \"0xff\", \"0x9\" );\n"
	     "};\n");
	{
		/* the same, with profile_allows() queries after the NUL */
		static const char q[] =
			"allow = { devices = [ \"046d:*\", \"1d6b:0104\" ]; classes = [ 3 ]; };\n"
			"\0"
			"\x04\x6d\xc3\x1c\x01\x03"       /* 046d:c31c HID: allowed */
			"\x04\x6d\xc3\x1c\x02\x03\x08"   /* HID + storage: refused */
			"\x1d\x6b\x01\x05\x00"           /* wrong product: refused */
			"\x1d\x6b\x01\x04\x00";          /* no interfaces: allowed */

		write_seed("profile", "allow-queries", q, sizeof(q) - 1);
	}
	prof("allow-empty-lists.cfg", "allow = { devices = [ ]; classes = ( ); };\n");
	prof("allow-empty-group.cfg", "allow = { };\n");
	prof("allow-too-many.cfg",
	     "allow = { classes = [ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,"
	     " 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 ]; };\n");
	prof("allow-bad-entries.cfg",
	     "allow = { devices = [ \"46d:c31c\", \"046d-*\", \"046d:c31\" ]; "
	     "classes = ( 256, \"0x100\", \"3\", { a = 1; } ); };\n");
	prof("allow-requests.cfg",
	     "allow = { requests = [ \"!vendor/device:0x02\", \"class/other:3\", \"*/interface\","
	     " \"!reserved/31:255\", \"Standard/*\" ]; };\n");
	prof("allow-requests-bad.cfg",
	     "allow = { requests = ( \"vendor/hub\", \"vendor\", \"x/device\", \"class/other:256\", 3 ); };\n");
	prof("retry-min-above-max.cfg", "retry = { max = 5; min = 6; };\n");
	prof("retry-out-of-range.cfg", "retry = { min = 0; };\ndead_peer_timeout = 3601;\n");
	prof("user-bad.cfg", "user = \"Root\";\n");
	prof("user-too-long.cfg", "user = \"abcdefghijklmnopqrstuvwxyz0123456\";\n");
}

/* --- describe: a server's replies to describe_device(), fuzz_describe.c --- */

/* One reply: flags, status, then actual_length bytes of @hex. */
static void dreply(struct buf *b, uint8_t flags, int8_t status, const char *hex)
{
	struct buf d = { .n = 0 };

	put_hex(&d, hex);
	put_u8(b, flags);
	put_u8(b, (uint8_t)status);
	put_le16(b, (uint16_t)d.n);
	put(b, d.b, d.n);
}

/* A string descriptor of @s (UTF-8, BMP only) as one reply. */
static void dstring(struct buf *b, const char *s)
{
	struct buf d = { .n = 0 };
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;

	put_u8(&d, 0);
	put_u8(&d, 3);
	while (*p) {
		if (*p < 0x80)
			cp = *p++;
		else if ((*p & 0xe0) == 0xc0)
			cp = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu), p += 2;
		else
			cp = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu), p += 3;
		put_le16(&d, (uint16_t)cp);
	}
	d.b[0] = (uint8_t)d.n;
	put_u8(b, 0);
	put_u8(b, 0);
	put_le16(b, (uint16_t)d.n);
	put(b, d.b, d.n);
}

/* A vendor device: DEV (18 bytes, hex), one configuration of one interface with bulk 0x81/0x02. */
#define D_CFG_HDR(istr) "09 02 20 00 01 01 " istr " 80 32"
#define D_CFG(istr, iintf, mps) D_CFG_HDR(istr) " 09 04 00 00 02 ff 00 00 " iintf \
	" 07 05 81 02 " mps " 00 07 05 02 02 " mps " 00"

/* Speed, bConfigurationValue 1, then the replies with device @dev and its configuration. */
static void dhead(struct buf *b, uint8_t speed, const char *dev, const char *hdr, const char *cfg)
{
	b->n = 0;
	put_u8(b, speed);
	put_u8(b, 1);
	dreply(b, 0, 0, dev);
	dreply(b, 0, 0, hdr);
	dreply(b, 0, 0, cfg);
}

static void gen_describe(void)
{
	static const char *const no_str_dev = "12 01 00 02 00 00 00 40 09 12 01 00 00 01 00 00 00 01";
	static const char *const str_dev = "12 01 00 02 00 00 00 40 09 12 02 00 00 01 01 02 03 01";
	char big[256];
	struct buf *b = malloc(sizeof(*b));
	unsigned i;

	if (!b)
		abort();
	/* high speed, no string anywhere: device, configuration, qualifier, other speed */
	dhead(b, 3, no_str_dev, D_CFG_HDR("00"), D_CFG("00", "00", "00 02"));
	dreply(b, 0, 0, "0a 06 00 02 00 00 00 40 01 00");
	dreply(b, 0, 0, "09 07 20 00 01 01 00 80 32");
	dreply(b, 0, 0, "09 07 20 00 01 01 00 80 32 09 04 00 00 02 ff 00 00 00 07 05 81 02 40 00 00 07 05 02 02 40 00 00");
	write_seed("describe", "no-strings-hs", b->b, b->n);
	/* the same device at full speed, and a server that would answer strings anyway */
	dhead(b, 2, no_str_dev, D_CFG_HDR("00"), D_CFG("00", "00", "40 00"));
	dreply(b, 0, 0, "04 03 09 04");
	dstring(b, "never asked for");
	write_seed("describe", "no-strings-fs", b->b, b->n);
	/* full speed, four strings, one of 200 bytes of UTF-8 (100 x U+00FC) */
	for (i = 0; i < 100; i++)
		memcpy(big + 2 * i, "\xc3\xbc", 2);
	big[200] = '\0';
	dhead(b, 2, str_dev, D_CFG_HDR("05"), D_CFG("05", "04", "40 00"));
	dreply(b, 0, 0, "06 03 09 04 07 04");   /* two languages */
	for (i = 0; i < 2; i++) {
		dstring(b, "gadgetd tests");
		dstring(b, big);
		dstring(b, "SER\x1b[2J");
		dstring(b, "interface");
		dstring(b, "config \xe2\x82\xac");
	}
	write_seed("describe", "strings-two-languages", b->b, b->n);
	/* strings named, string 0 stalled; then a string stalled, one malformed */
	dhead(b, 2, str_dev, D_CFG_HDR("00"), D_CFG("00", "00", "40 00"));
	dreply(b, 0, -32, "");
	write_seed("describe", "string0-stalled", b->b, b->n);
	dhead(b, 2, str_dev, D_CFG_HDR("00"), D_CFG("00", "00", "40 00"));
	dreply(b, 0, 0, "04 03 09 04");
	dreply(b, 0, -32, "");
	dreply(b, 0, 0, "05 03 41 00 42");
	dreply(b, 0, 0, "00 03");
	write_seed("describe", "strings-stalled-malformed", b->b, b->n);
	/* what a hostile server does to the first reply */
	for (i = 0; i < 5; i++) {
		static const char *const names[] = { "int-min-status", "wrong-seqnum", "ret-unlink",
						     "actual-plus-one", "closed-after-device" };
		static const uint8_t flags[] = { 2, 1, 4, 8, 0 };

		b->n = 0;
		put_u8(b, 3);
		put_u8(b, 1);
		dreply(b, flags[i], 0, str_dev);
		if (i < 4)
			dreply(b, 0, 0, D_CFG_HDR("00"));
		write_seed("describe", names[i], b->b, b->n);
	}
	free(b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	root = argv[1];
	if (mkdir(root, 0777) && errno != EEXIST) {
		perror(root);
		return 1;
	}
	gen_usbip();
	gen_relay();
	gen_ffs();
	gen_profile();
	gen_describe();
	return 0;
}
