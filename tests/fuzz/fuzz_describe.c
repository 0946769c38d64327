// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_describe.c - the describe phase (gadgetd/describe.c over gadgetd/client.c):
 * describe_device() reads a device's descriptors from a server that answers
 * each control request with what the input says, over a socketpair (the real
 * socket code of client_control(), not a mock).
 *
 * Input:
 *   [0]     the speed the import reported (enum usbip_speed, taken modulo 7)
 *   [1]     bConfigurationValue the import reported
 *   then replies, one per control request of the client, in order:
 *   [flags] bit 0  the reply's seqnum is the request's + 1
 *           bit 1  status INT_MIN (usbip_header_decode() clamps it)
 *           bit 2  command RET_UNLINK instead of RET_SUBMIT
 *           bit 3  actual_length is one more than the bytes that follow
 *   [status] a signed byte: 0, or -errno (-32: a stall)
 *   [len]   2 bytes, little-endian: actual_length, then that many bytes of data
 *   When the input ends the server closes the connection.
 *
 * The replies are written before describe_device() runs (the client asks one
 * thing at a time, seqnums 1, 2, ...); a thread drains what the client sends.
 * Checks, when describe_device() succeeds: every request was GET_DESCRIPTOR
 * (bmRequestType 0x80) on ep0, IN, seqnums 1, 2, ... with no gap; a string was
 * asked for only when the descriptors name one (and then only string 0 and the
 * named ones); every text is at most 126 bytes (USB_MAX_STRING_LEN); on failure
 * an error message is there; everything is freed (LeakSanitizer).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "functionfs/usb_desc.h"
#include "gadgetd/client.h"
#include "gadgetd/describe.h"
#include "gadgetd/usb_wire.h"
#include "gadgetd/usbip.h"
#include "tests/fuzz/fuzz.h"

#define STREAM_MAX (64 * 1024)

struct drain {
	int fd;
	uint8_t *buf;
	size_t len, cap;
};

static void *drain_run(void *arg)
{
	struct drain *d = arg;
	ssize_t n;

	for (;;) {
		if (d->len == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 4096;
			d->buf = realloc(d->buf, d->cap);
			FUZZ_CHECK(d->buf);
		}
		n = read(d->fd, d->buf + d->len, d->cap - d->len);
		if (n <= 0)
			break;
		d->len += (size_t)n;
	}
	return NULL;
}

/* The server's stream: the input's replies as RET_SUBMITs, seqnums 1, 2, ... */
static size_t build_stream(const uint8_t *p, size_t n, uint8_t *out)
{
	size_t o = 0;
	uint32_t seq = 1;

	while (n >= 4 && o + USBIP_HDR_LEN <= STREAM_MAX) {
		uint8_t flags = p[0];
		int32_t status = (int8_t)p[1];
		size_t len = (size_t)p[2] | (size_t)p[3] << 8;
		struct usbip_header h = { 0 };

		p += 4, n -= 4;
		if (len > n)
			len = n;
		if (o + USBIP_HDR_LEN + len > STREAM_MAX)
			len = STREAM_MAX - o - USBIP_HDR_LEN;
		h.command = flags & 4 ? USBIP_RET_UNLINK : USBIP_RET_SUBMIT;
		h.seqnum = seq + (flags & 1);
		h.direction = USBIP_DIR_IN;
		if (h.command == USBIP_RET_SUBMIT) {
			h.u.ret_submit.status = flags & 2 ? INT32_MIN : status;
			h.u.ret_submit.actual_length = (int32_t)(len + (flags & 8 ? 1 : 0));
		} else {
			h.u.ret_unlink.status = status;
		}
		usbip_header_encode(&h, out + o);
		o += USBIP_HDR_LEN;
		memcpy(out + o, p, len);
		o += len;
		p += len, n -= len;
		seq++;
	}
	return o;
}

/* What the client sent: only GET_DESCRIPTORs, seqnums in order; the strings asked for. */
static void check_requests(const struct drain *d, uint8_t strings[USB_DESC_MAX_STRINGS / 8],
			   bool *asked_string)
{
	size_t o = 0;
	uint32_t want = 1;

	memset(strings, 0, USB_DESC_MAX_STRINGS / 8);
	*asked_string = false;
	while (o + USBIP_HDR_LEN <= d->len) {
		struct usbip_header h;
		const uint8_t *s;

		FUZZ_CHECK(!usbip_header_decode(d->buf + o, &h));
		FUZZ_CHECK(h.command == USBIP_CMD_SUBMIT);
		FUZZ_CHECKF(h.seqnum == want, "seqnum %u, want %u", h.seqnum, want);
		FUZZ_CHECK(h.direction == USBIP_DIR_IN && h.ep == 0);
		s = h.u.cmd_submit.setup;
		FUZZ_CHECKF(s[0] == 0x80 && s[1] == 0x06, "request %02x %02x", s[0], s[1]);
		if (s[3] == 0x03) {
			*asked_string = true;
			strings[s[2] / 8] |= (uint8_t)(1u << (s[2] % 8));
		}
		o += USBIP_HDR_LEN;
		want++;
	}
	FUZZ_CHECK(o == d->len); /* no OUT data stage, nothing torn */
}

static void check_model(const struct remote_desc *rd, const struct drain *d)
{
	uint8_t used[USB_DESC_MAX_STRINGS / 8] = { 0 }, asked[USB_DESC_MAX_STRINGS / 8];
	bool any = false, asked_string;
	unsigned i, k, l;

	check_requests(d, asked, &asked_string);
	for (k = 0; k < rd->n_cfg; k++) {
		uint8_t u2[USB_DESC_MAX_STRINGS / 8];

		usb_desc_string_indices(&rd->dev, rd->cfg[k], u2);
		for (i = 0; i < sizeof(used); i++)
			used[i] |= u2[i];
	}
	for (i = 0; i < sizeof(used); i++)
		any |= used[i] != 0;
	/* Linux asks for no string of a device that names none (issue 9 section 6) */
	FUZZ_CHECKF(any || !asked_string, "a string was asked of a device that names none");
	for (i = 1; i < USB_DESC_MAX_STRINGS; i++)
		FUZZ_CHECKF(!(asked[i / 8] & (1u << (i % 8))) || (used[i / 8] & (1u << (i % 8))),
			    "string %u was asked for, no descriptor names it", i);
	for (l = 0; l < USB_DESC_MAX_LANGS; l++)
		for (i = 0; i < USB_DESC_MAX_STRINGS; i++)
			FUZZ_CHECK(!rd->str.text[l][i] ||
				   strlen(rd->str.text[l][i]) <= USB_DESC_GADGET_STRING_MAX);
	FUZZ_CHECK(rd->n_cfg >= 1 && rd->n_cfg <= DESCRIBE_MAX_CONFIGS);
	FUZZ_CHECK(rd->active < rd->n_cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t stream[STREAM_MAX];
	struct client c = { 0 };
	struct remote_desc rd;
	struct drain d = { 0 };
	pthread_t th;
	char err[512] = "";
	size_t n;
	int sv[2], r;

	if (size < 2)
		return 0;
	FUZZ_CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	n = build_stream(data + 2, size - 2, stream);
	/* the whole stream at once: 64 KiB fit an AF_UNIX socket's default buffer */
	FUZZ_CHECK(!n || send(sv[1], stream, n, MSG_DONTWAIT) == (ssize_t)n);
	FUZZ_CHECK(!shutdown(sv[1], SHUT_WR));
	d.fd = sv[1];
	FUZZ_CHECK(!pthread_create(&th, NULL, drain_run, &d));

	c.fd = sv[0];
	c.next_seqnum = 1;
	c.devid = 0x00010002;
	c.udev.speed = data[0] % 7;
	c.udev.bConfigurationValue = data[1];
	snprintf(c.remote.name, sizeof(c.remote.name), "fuzz:3240");
	fuzz_quiet(1);
	r = describe_device(&c, &rd, err, sizeof(err));
	fuzz_quiet(0);
	client_close(&c); /* the drain sees EOF */
	FUZZ_CHECK(!pthread_join(th, NULL));
	close(sv[1]);
	if (r == 0) {
		check_model(&rd, &d);
		describe_free(&rd);
	} else {
		FUZZ_CHECKF(r < 0 && err[0], "describe_device() returned %d, message '%s'", r, err);
	}
	free(d.buf);
	return 0;
}
