// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usbip-sim - a simulated USB device behind the server side of USB/IP, for tests.
 *
 *   usbip-sim --listen 127.0.0.1:3241 --device FILE --record FILE [--busid 1-1]
 *
 * It answers OP_REQ_DEVLIST and OP_REQ_IMPORT like usbipd, then CMD_SUBMIT and
 * CMD_UNLINK on the imported connection like usbip-host, with the project's own
 * codec (gadgetd/usbip.h). Behind it sits an emulated host controller and a device
 * described by FILE (tests/sim/README.md), modelled at packet level:
 *
 *   IN URB of N bytes   filled with the device's queued packets (wMaxPacketSize
 *                       each at the device's speed); a short packet or a ZLP ends
 *                       it, as does a full buffer; with nothing queued it stays
 *                       pending (the device NAKs) until data comes or it is unlinked
 *   OUT URB of N bytes  N / mps full packets and one short packet (0 bytes: one ZLP;
 *                       URB_ZERO_PACKET adds a ZLP after a whole number of packets)
 *
 * Every URB and what the device saw of it goes to the record file, one line each
 * (format in tests/sim/README.md), flushed at once so a test can follow it live.
 * One thread, poll(); one imported connection at a time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/usbip.h"
#include "tests/sim/pattern.h"
#include "tests/sim/sim.h"

#define MAX_CONN 8
#define RX_MAX (1u << 20)

struct conn {
	int fd;
	bool imported;
	uint8_t op[USBIP_REQ_IMPORT_LEN];
	size_t op_have;
	struct usbip_rx rx;
	uint8_t *out;
	size_t out_len, out_cap;
	bool close_after_flush;
	bool sealed; /* --hostile: nothing more is sent (but a flood) */
	int flood;   /* --hostile: 1 endless bytes, 2 endless RET_UNLINKs */
	char peer[64];
};

/*
 * --hostile (tests/sim/README.md, "Hostile modes"): a server that breaks the
 * protocol on purpose. Server-level lies (op replies, descriptors) apply to every
 * connection; one URB-stream action fires once, at its trigger.
 */
enum h_act { HA_NONE, HA_TRUNC_HDR, HA_TRUNC_DATA, HA_COMMAND, HA_SEQNUM, HA_ACTUAL,
	     HA_FLOOD, HA_FLOOD_UNLINK, HA_SILENT };
enum h_when { HW_CTRL, HW_IMPORT, HW_VENDOR, HW_IN };
enum h_blen0 { HB_NONE, HB_DEVICE, HB_CONFIG, HB_STRING };

#define FLOOD_MAX_MS 60000
#define FLOOD_MAX_BYTES (16ull << 30)

struct hostile {
	long version;          /* op replies' version field, -1: USBIP_VERSION */
	const char *import_busid;
	long import_trunc;     /* OP_REP_IMPORT cut after this many bytes, -1: no */
	long long devlist_ndev;/* OP_REP_DEVLIST's device count, -1: the truth */
	long devlist_trunc;
	long wtotal;           /* configuration descriptors' wTotalLength, -1: the truth */
	enum h_blen0 blength0;
	bool string_odd;
	long devdesc_len;      /* GET_DESCRIPTOR(DEVICE) answered with this many bytes */
	/* the URB-stream action */
	enum h_act act;
	long long arg;
	bool arg_rel;          /* actual=+N: relative to the request */
	enum h_when when;
	unsigned when_n;       /* ctrl:N */
	bool fired, silent;
	uint32_t armed_seq;    /* the CMD_SUBMIT whose RET_SUBMIT is to be shaped */
	bool armed;
	unsigned nctrl;
	int64_t flood_t0;
	unsigned long long flood_sent;
	uint32_t flood_seq;
	const char *spec;      /* the action's --hostile text, for the record */
};

static struct {
	struct sim_dev d;
	FILE *rec;
	int lfd, sfd;
	struct conn conn[MAX_CONN];
	struct conn *imp;
	struct sim_urb *lost; /* URBs for endpoints the configuration lacks: never answered */
	int64_t t0;
	uint32_t devid;
	const char *close_why; /* set inside usbip_rx_feed(): close once it returns */
	bool stop;
	struct hostile h;
} S;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *errname(int status)
{
	static char b[16];

	switch (status) {
	case 0: return "0";
	case -EPIPE: return "-EPIPE";
	case -ECONNRESET: return "-ECONNRESET";
	case -ESHUTDOWN: return "-ESHUTDOWN";
	case -EOVERFLOW: return "-EOVERFLOW";
	case -EREMOTEIO: return "-EREMOTEIO";
	case -ENOENT: return "-ENOENT";
	case -EINVAL: return "-EINVAL";
	default:
		snprintf(b, sizeof(b), "%d", status);
		return b;
	}
}

/* One record line: KIND key=value ... t=SECONDS, flushed. */
__attribute__((format(printf, 1, 2)))
static void rec(const char *fmt, ...)
{
	va_list ap;
	int64_t t = now_ms() - S.t0;

	if (!S.rec)
		return;
	va_start(ap, fmt);
	vfprintf(S.rec, fmt, ap);
	va_end(ap);
	fprintf(S.rec, " t=%lld.%03lld\n", (long long)(t / 1000), (long long)(t % 1000));
	fflush(S.rec);
}

static char *hex(const uint8_t *p, size_t n)
{
	static const char x[] = "0123456789abcdef";
	char *s = malloc(2 * n + 2), *q = s;
	size_t i;

	if (!s)
		abort();
	if (!n)
		*q++ = '-';
	for (i = 0; i < n; i++) {
		*q++ = x[p[i] >> 4];
		*q++ = x[p[i] & 15];
	}
	*q = 0;
	return s;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

/* ---- output ---- */

static void conn_send(struct conn *c, const void *a, size_t alen, const void *b, size_t blen)
{
	if (c->fd < 0 || c->sealed)
		return;
	if (c->out_len + alen + blen > c->out_cap) {
		c->out_cap = (c->out_len + alen + blen) * 2;
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, a, alen);
	c->out_len += alen;
	if (blen) {
		memcpy(c->out + c->out_len, b, blen);
		c->out_len += blen;
	}
}

static void conn_close(struct conn *c, const char *why);

static void conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->fd >= 0 && c->out_len) {
		n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			conn_close(c, strerror(errno));
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
		if (c->flood)
			S.h.flood_sent += (unsigned long long)n;
	}
	if (c->fd >= 0 && !c->out_len && c->close_after_flush)
		conn_close(c, NULL);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* --hostile: the armed RET_SUBMIT, shaped as the action says. */
static void hostile_ret_submit(struct usbip_header *h, uint32_t req_len, const uint8_t *data)
{
	struct conn *c = S.imp;
	uint8_t hb[USBIP_HDR_LEN], *d = NULL;
	uint32_t actual = (uint32_t)h->u.ret_submit.actual_length, n = data ? actual : 0;
	long long a;

	S.h.armed = false;
	switch (S.h.act) {
	case HA_TRUNC_HDR:
		usbip_header_encode(h, hb);
		conn_send(c, hb, (size_t)S.h.arg, NULL, 0);
		c->sealed = c->close_after_flush = true;
		rec("HOSTILE %s seq=%u: %lld of the %d header bytes, then close", S.h.spec, h->seqnum,
		    S.h.arg, USBIP_HDR_LEN);
		return;
	case HA_TRUNC_DATA:
		usbip_header_encode(h, hb);
		conn_send(c, hb, sizeof(hb), data, n / 2);
		c->sealed = c->close_after_flush = true;
		rec("HOSTILE %s seq=%u: header (actual_length %u) and %u data bytes, then close",
		    S.h.spec, h->seqnum, actual, n / 2);
		return;
	case HA_COMMAND:
		usbip_header_encode(h, hb);
		put_be32(hb, (uint32_t)S.h.arg);
		conn_send(c, hb, sizeof(hb), data, n);
		rec("HOSTILE %s seq=%u: the answer's command is %lld", S.h.spec, h->seqnum, S.h.arg);
		return;
	case HA_SEQNUM:
		rec("HOSTILE %s seq=%u: answered as seqnum %u", S.h.spec, h->seqnum,
		    h->seqnum + (uint32_t)S.h.arg);
		h->seqnum += (uint32_t)S.h.arg;
		usbip_header_encode(h, hb);
		conn_send(c, hb, sizeof(hb), data, n);
		return;
	case HA_ACTUAL:
		a = S.h.arg_rel ? (long long)req_len + S.h.arg : S.h.arg;
		h->u.ret_submit.actual_length = (int32_t)a;
		usbip_header_encode(h, hb);
		/* an IN answer carries as many bytes as it claims, while that is sane */
		if (data && a >= 0 && a <= (long long)req_len + 65536) {
			d = calloc(1, (size_t)a + 1);
			if (!d)
				abort();
			memcpy(d, data, n < a ? n : (size_t)a);
			if (a > n)
				sim_pattern_fill(d + n, (size_t)a - n, 0xbad);
			n = (uint32_t)a;
		}
		conn_send(c, hb, sizeof(hb), d ? d : data, n);
		free(d);
		rec("HOSTILE %s seq=%u: actual_length %d for a %u-byte request, %u data bytes",
		    S.h.spec, h->seqnum, (int32_t)a, req_len, n);
		return;
	default:
		return;
	}
}

static void send_ret_submit(uint32_t seqnum, int status, uint32_t actual, const uint8_t *data,
			    uint32_t req_len)
{
	struct usbip_header h = { 0 };
	uint8_t hb[USBIP_HDR_LEN];

	if (!S.imp)
		return;
	h.command = USBIP_RET_SUBMIT;
	h.seqnum = seqnum;
	h.u.ret_submit.status = status;
	h.u.ret_submit.actual_length = (int32_t)actual;
	if (S.h.armed && S.h.armed_seq == seqnum) {
		hostile_ret_submit(&h, req_len, data);
		return;
	}
	usbip_header_encode(&h, hb);
	conn_send(S.imp, hb, sizeof(hb), data, data ? actual : 0);
}

/* --hostile flood / flood-unlink: keep 64 KiB queued behind the socket. */
static void flood_fill(struct conn *c)
{
	static uint8_t blk[65536];
	struct usbip_header h = { 0 };
	size_t n = 0;

	if (c->out_len >= sizeof(blk))
		return;
	if (now_ms() - S.h.flood_t0 > FLOOD_MAX_MS || S.h.flood_sent > FLOOD_MAX_BYTES) {
		rec("HOSTILE flood ended by its limit after %llu bytes: closing", S.h.flood_sent);
		c->flood = 0;
		c->sealed = c->close_after_flush = true;
		return;
	}
	if (c->flood == 1) {
		memset(blk, (int)S.h.arg, sizeof(blk));
		n = sizeof(blk);
	} else {
		h.command = USBIP_RET_UNLINK;
		for (; n + USBIP_HDR_LEN <= sizeof(blk); n += USBIP_HDR_LEN) {
			h.seqnum = 0x7f000000u + S.h.flood_seq++;
			usbip_header_encode(&h, blk + n);
		}
	}
	if (c->out_len + n > c->out_cap) {
		c->out_cap = c->out_len + n;
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, blk, n);
	c->out_len += n;
}

/* --hostile flood, flood-unlink, silent: from now on the connection answers nothing. */
static void hostile_stream(struct conn *c, const char *at)
{
	S.h.fired = true;
	S.h.silent = true;
	c->sealed = true;
	if (S.h.act == HA_FLOOD || S.h.act == HA_FLOOD_UNLINK) {
		c->flood = S.h.act == HA_FLOOD ? 1 : 2;
		S.h.flood_t0 = now_ms();
		S.h.flood_sent = 0;
	}
	rec("HOSTILE %s starts %s", S.h.spec, at);
}

/* ---- the device's endpoints ---- */

static struct sim_cfg *cur_cfg(void)
{
	return S.d.cur >= 0 ? &S.d.cfg[S.d.cur] : NULL;
}

static struct sim_ep *find_ep(unsigned addr)
{
	struct sim_cfg *cf = cur_cfg();
	unsigned i, k;

	if (!cf)
		return NULL;
	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++)
			if (cf->intf[i].ep[k].addr == addr)
				return &cf->intf[i].ep[k];
	return NULL;
}

static void pk_add(struct sim_urb *u, uint32_t n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%s%u", u->pk_len ? "," : "", n);

	if (u->pk_len + (size_t)l + 1 > u->pk_cap) {
		u->pk_cap = (u->pk_len + (size_t)l + 1) * 2;
		u->packets = xrealloc(u->packets, u->pk_cap);
	}
	memcpy(u->packets + u->pk_len, b, (size_t)l + 1);
	u->pk_len += (size_t)l;
}

static void urb_free(struct sim_urb *u)
{
	free(u->buf);
	free(u->packets);
	free(u);
}

/* Complete the head URB of @e: RET_SUBMIT and a record line. */
static void urb_done(struct sim_ep *e, int status)
{
	struct sim_urb *u = e->uq;
	char *h;

	e->uq = u->next;
	if (!e->uq)
		e->uq_tail = NULL;
	if (u->in && !status && u->actual < u->len && (u->flags & USBIP_URB_SHORT_NOT_OK))
		status = -EREMOTEIO;
	send_ret_submit(u->seqnum, status, u->actual, u->in ? u->buf : NULL, u->len);
	h = hex(u->buf, u->actual);
	if (u->in)
		rec("IN ep=%u seq=%u urb_len=%u flags=0x%04x -> %u packets=%s status=%s cfg=%u data=%s",
		    u->ep, u->seqnum, u->len, u->flags, u->actual, u->pk_len ? u->packets : "-",
		    errname(status), cur_cfg() ? cur_cfg()->value : 0, h);
	else
		rec("OUT ep=%u seq=%u urb_len=%u flags=0x%04x -> %u packets=%s status=%s cfg=%u data=%s",
		    u->ep, u->seqnum, u->len, u->flags, u->actual, u->pk_len ? u->packets : "-",
		    errname(status), cur_cfg() ? cur_cfg()->value : 0, h);
	free(h);
	urb_free(u);
}

static void push_pkt(struct sim_ep *e, const uint8_t *data, size_t n, bool first, bool last)
{
	struct sim_pkt *p = malloc(sizeof(*p) + n);

	if (!p)
		abort();
	p->next = NULL;
	p->len = (uint32_t)n;
	p->first = first;
	p->last = last;
	if (n)
		memcpy(p->data, data, n);
	if (e->pq_tail)
		e->pq_tail->next = p;
	else
		e->pq = p;
	e->pq_tail = p;
}

/* A device-side transfer on IN endpoint @e: its packets, ready to be taken. A
 * whole number of packets ends with a ZLP only when @zlp; 0 bytes is one ZLP. */
static void enqueue_xfer(struct sim_ep *e, const uint8_t *data, size_t len, bool zlp)
{
	bool zlp_end = len == 0 || (len % e->mps == 0 && zlp);
	size_t off = 0, n;

	while (off < len) {
		n = len - off < e->mps ? len - off : e->mps;
		push_pkt(e, data + off, n, off == 0, off + n == len && !zlp_end);
		off += n;
	}
	if (zlp_end)
		push_pkt(e, NULL, 0, len == 0, true);
}

static void halt(struct sim_ep *e, const char *why)
{
	e->halted = true;
	rec("HALT ep=0x%02x reason=%s transfers=%u", e->addr, why, e->xfers);
}

static bool stall_due(struct sim_ep *e)
{
	return e->stall_after >= 0 && !e->stall_done && e->xfers >= (unsigned)e->stall_after;
}

static void service_in(struct sim_ep *e)
{
	struct sim_urb *u;
	struct sim_pkt *p;

	while ((u = e->uq)) {
		if (!e->halted && stall_due(e) && (!e->pq || e->pq->first)) {
			e->stall_done = true;
			halt(e, "stall_after");
		}
		if (e->halted) {
			urb_done(e, -EPIPE);
			continue;
		}
		p = e->pq;
		if (!p)
			return; /* NAK: the URB waits */
		if (p->len > u->len - u->actual) {
			/* babble: the packet does not fit the buffer */
			e->pq = p->next;
			if (!e->pq)
				e->pq_tail = NULL;
			pk_add(u, p->len);
			if (p->last)
				e->xfers++;
			free(p);
			urb_done(e, -EOVERFLOW);
			continue;
		}
		memcpy(u->buf + u->actual, p->data, p->len);
		u->actual += p->len;
		pk_add(u, p->len);
		e->pq = p->next;
		if (!e->pq)
			e->pq_tail = NULL;
		if (p->last)
			e->xfers++;
		if (p->len < e->mps || u->actual == u->len)
			urb_done(e, 0);
		free(p);
	}
}

static void release_due(struct sim_ep *e, int64_t now)
{
	bool any = false;

	while (e->seq_next < e->n_seq && e->seq_due <= now) {
		const struct sim_in_entry *x = &e->seq[e->seq_next];
		uint8_t *b = malloc(x->len ? x->len : 1);

		if (!b)
			abort();
		sim_pattern_fill(b, x->len, e->seed + e->seq_next);
		enqueue_xfer(e, b, x->len, x->zlp);
		free(b);
		e->seq_next++;
		if (e->seq_next < e->n_seq)
			e->seq_due = now + e->seq[e->seq_next].delay_ms;
		any = true;
	}
	if (any)
		service_in(e);
}

static void end_out_xfer(struct sim_ep *e)
{
	struct sim_ep *t;

	e->xfers++;
	if (e->echo >= 0) {
		t = find_ep((unsigned)e->echo);
		if (t) {
			enqueue_xfer(t, e->acc, e->acc_len, e->echo_zlp);
			service_in(t);
		}
	}
	e->acc_len = 0;
	e->acc_active = false;
}

/* One packet from the host; false if the endpoint stalls it. */
static bool out_packet(struct sim_ep *e, struct sim_urb *u, const uint8_t *data, uint32_t n)
{
	if (!e->halted && !e->acc_active && stall_due(e)) {
		e->stall_done = true;
		halt(e, "stall_after");
	}
	if (e->halted)
		return false;
	if (e->acc_len + n > e->acc_cap) {
		e->acc_cap = (e->acc_len + n) * 2 + 64;
		e->acc = xrealloc(e->acc, e->acc_cap);
	}
	if (n)
		memcpy(e->acc + e->acc_len, data, n);
	e->acc_len += n;
	e->acc_active = true;
	pk_add(u, n);
	u->actual += n;
	if (n < e->mps)
		end_out_xfer(e);
	return true;
}

static void service_out(struct sim_ep *e, int64_t now)
{
	struct sim_urb *u;
	uint32_t off, n;
	bool ok;

	while ((u = e->uq) && u->due <= now) {
		ok = !e->halted;
		off = 0;
		if (ok) {
			do {
				n = u->len - off < e->mps ? u->len - off : e->mps;
				ok = out_packet(e, u, u->buf + off, n);
				off += n;
			} while (ok && off < u->len);
		}
		if (ok && u->len && u->len % e->mps == 0 && (u->flags & USBIP_URB_ZERO_PACKET))
			ok = out_packet(e, u, NULL, 0);
		urb_done(e, ok ? 0 : -EPIPE);
	}
}

static void ep_reset(struct sim_ep *e, int64_t now)
{
	struct sim_pkt *p;

	while ((p = e->pq)) {
		e->pq = p->next;
		free(p);
	}
	e->pq_tail = NULL;
	e->halted = e->stall_done = false;
	e->xfers = 0;
	e->seq_next = 0;
	e->seq_due = now + (e->n_seq ? e->seq[0].delay_ms : 0);
	e->out_last_due = 0;
	e->acc_len = 0;
	e->acc_active = false;
}

/* Pending URBs of every endpoint end with @status (sent only when @send). */
static void cfg_leave(int status, bool send)
{
	struct sim_cfg *cf = cur_cfg();
	unsigned i, k;

	if (!cf)
		return;
	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++) {
			struct sim_ep *e = &cf->intf[i].ep[k];

			while (e->uq) {
				if (send) {
					urb_done(e, status);
				} else {
					struct sim_urb *u = e->uq;

					e->uq = u->next;
					urb_free(u);
				}
			}
			e->uq_tail = NULL;
			ep_reset(e, now_ms());
		}
}

static void cfg_enter(int idx)
{
	struct sim_cfg *cf;
	unsigned i, k;
	int64_t now = now_ms();

	S.d.cur = idx;
	cf = cur_cfg();
	if (!cf)
		return;
	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++)
			ep_reset(&cf->intf[i].ep[k], now);
	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++)
			release_due(&cf->intf[i].ep[k], now);
}

static int cfg_index(unsigned value)
{
	unsigned i;

	for (i = 0; i < S.d.n_cfg; i++)
		if (S.d.cfg[i].value == value)
			return (int)i;
	return -1;
}

/* ---- ep0 ---- */

static const char *std_name(unsigned req)
{
	static const char *const n[] = { "GET_STATUS", "CLEAR_FEATURE", "2", "SET_FEATURE", "4",
					 "SET_ADDRESS", "GET_DESCRIPTOR", "SET_DESCRIPTOR",
					 "GET_CONFIGURATION", "SET_CONFIGURATION", "GET_INTERFACE",
					 "SET_INTERFACE", "SYNCH_FRAME" };
	return req < 13 ? n[req] : "unknown";
}

static struct sim_intf *find_intf(unsigned number)
{
	struct sim_cfg *cf = cur_cfg();
	unsigned i;

	for (i = 0; cf && i < cf->n_intf; i++)
		if (cf->intf[i].number == number)
			return &cf->intf[i];
	return NULL;
}

/* Standard requests; returns status, fills @in/@inlen for IN. */
static int std_request(const uint8_t *s, uint8_t *in, uint32_t *inlen)
{
	unsigned type = s[0], req = s[1], value = (unsigned)(s[2] | s[3] << 8);
	unsigned index = (unsigned)(s[4] | s[5] << 8), recip = type & 0x1f;
	struct sim_ep *e;
	struct sim_intf *f;
	int n, idx;

	switch (req) {
	case 0x00: /* GET_STATUS */
		if (!(type & 0x80))
			return -EPIPE;
		in[0] = in[1] = 0;
		*inlen = 2;
		if (recip == 0) {
			in[0] = cur_cfg() && (cur_cfg()->attributes & 0x40) ? 1 : 0;
			return 0;
		}
		if (recip == 1)
			return find_intf(index & 0xff) ? 0 : -EPIPE;
		if (recip == 2) {
			if ((index & 0x7f) == 0)
				return 0;
			e = find_ep(index & 0xff);
			if (!e)
				return -EPIPE;
			in[0] = e->halted;
			return 0;
		}
		return -EPIPE;
	case 0x01: /* CLEAR_FEATURE */
	case 0x03: /* SET_FEATURE */
		if (recip == 0)
			return 0; /* remote wakeup, test mode: accepted */
		if (recip != 2 || value != 0)
			return -EPIPE;
		if ((index & 0x7f) == 0)
			return 0;
		e = find_ep(index & 0xff);
		if (!e)
			return -EPIPE;
		if (req == 0x01) {
			rec("CLEAR_HALT ep=0x%02x halted=%d", e->addr, e->halted);
			e->halted = false;
			if (e->addr & 0x80)
				service_in(e);
			else
				service_out(e, now_ms());
		} else {
			rec("SET_HALT ep=0x%02x", e->addr);
			halt(e, "SET_FEATURE");
			if (e->addr & 0x80)
				service_in(e);
		}
		return 0;
	case 0x06: /* GET_DESCRIPTOR */
		if (type != 0x80)
			return -EPIPE;
		switch (value >> 8) {
		case 1:
			memcpy(in, S.d.devdesc, 18);
			*inlen = 18;
			if (S.h.blength0 == HB_DEVICE) {
				in[0] = 0;
				rec("HOSTILE blength0=device: device descriptor with bLength 0");
			}
			if (S.h.devdesc_len >= 0) {
				*inlen = (uint32_t)S.h.devdesc_len;
				rec("HOSTILE devdesc-len=%ld: %ld of the 18 bytes", S.h.devdesc_len,
				    S.h.devdesc_len);
			}
			return 0;
		case 2:
			if ((value & 0xff) >= S.d.n_cfg)
				return -EPIPE;
			memcpy(in, S.d.cfg[value & 0xff].desc, S.d.cfg[value & 0xff].desc_len);
			*inlen = (uint32_t)S.d.cfg[value & 0xff].desc_len;
			if (S.h.wtotal >= 0) {
				in[2] = (uint8_t)S.h.wtotal;
				in[3] = (uint8_t)(S.h.wtotal >> 8);
				rec("HOSTILE wtotal=%ld: configuration %u says wTotalLength %ld, has %u "
				    "bytes", S.h.wtotal, value & 0xff, S.h.wtotal, *inlen);
			}
			if (S.h.blength0 == HB_CONFIG) {
				uint32_t o;

				for (o = in[0]; o + 1 < *inlen && in[o]; o += in[o])
					if (in[o + 1] == 5) {
						in[o] = 0;
						rec("HOSTILE blength0=config: the ENDPOINT descriptor at "
						    "offset %u of configuration %u has bLength 0", o,
						    value & 0xff);
						break;
					}
			}
			return 0;
		case 3:
			n = sim_string_desc(&S.d, value & 0xff, in, 255);
			if (n < 0)
				return -EPIPE;
			*inlen = (uint32_t)n;
			if ((value & 0xff) && S.h.string_odd && n < 255) {
				in[n] = 0x21; /* a torn code unit */
				in[0] = (uint8_t)(n + 1);
				*inlen = (uint32_t)n + 1;
				rec("HOSTILE string-odd: string %u has bLength %u", value & 0xff, n + 1);
			}
			if ((value & 0xff) && S.h.blength0 == HB_STRING) {
				in[0] = 0;
				rec("HOSTILE blength0=string: string %u has bLength 0", value & 0xff);
			}
			return 0;
		case 6:
			n = sim_qualifier(&S.d, in);
			if (n < 0)
				return -EPIPE;
			*inlen = (uint32_t)n;
			return 0;
		case 7:
			if (S.d.speed != USBIP_SPEED_HIGH || (value & 0xff) >= S.d.n_cfg)
				return -EPIPE;
			memcpy(in, S.d.cfg[value & 0xff].other, S.d.cfg[value & 0xff].other_len);
			*inlen = (uint32_t)S.d.cfg[value & 0xff].other_len;
			return 0;
		case 15:
			n = sim_bos(&S.d, in, 4096);
			if (n < 0)
				return -EPIPE;
			*inlen = (uint32_t)n;
			return 0;
		}
		return -EPIPE;
	case 0x08: /* GET_CONFIGURATION */
		if (type != 0x80)
			return -EPIPE;
		in[0] = cur_cfg() ? cur_cfg()->value : 0;
		*inlen = 1;
		return 0;
	case 0x09: /* SET_CONFIGURATION */
		if (type != 0x00)
			return -EPIPE;
		idx = value ? cfg_index(value & 0xff) : -1;
		if (value && idx < 0)
			return -EPIPE;
		rec("SET_CONFIGURATION value=%u was=%u", value, cur_cfg() ? cur_cfg()->value : 0);
		cfg_leave(-ESHUTDOWN, true);
		cfg_enter(idx);
		return 0;
	case 0x0a: /* GET_INTERFACE */
		if (type != 0x81 || !find_intf(index & 0xff))
			return -EPIPE;
		in[0] = 0;
		*inlen = 1;
		return 0;
	case 0x0b: /* SET_INTERFACE */
		f = type == 0x01 ? find_intf(index & 0xff) : NULL;
		if (!f || value != 0)
			return -EPIPE;
		rec("SET_INTERFACE interface=%u alt=%u", f->number, value);
		for (n = 0; n < (int)f->n_ep; n++) {
			e = &f->ep[n];
			while (e->uq)
				urb_done(e, -ESHUTDOWN);
			ep_reset(e, now_ms());
			release_due(e, now_ms());
		}
		return 0;
	}
	return -EPIPE;
}

/* The device's answer to a control request. Returns status; @line: handler line. */
static int ctrl_request(const uint8_t *s, const uint8_t *out, uint32_t outlen, uint8_t *in,
			uint32_t *inlen, unsigned *line)
{
	unsigned type = s[0], req = s[1], value = (unsigned)(s[2] | s[3] << 8);
	unsigned index = (unsigned)(s[4] | s[5] << 8), wlength = (unsigned)(s[6] | s[7] << 8);
	const struct sim_ctrl *h;
	unsigned i, n;

	*inlen = 0;
	*line = 0;
	for (i = 0; i < S.d.n_ctrl; i++) {
		h = &S.d.ctrl[i];
		if (h->type != (int)type || h->request != (int)req ||
		    (h->value >= 0 && h->value != (int)value) ||
		    (h->index >= 0 && h->index != (int)index))
			continue;
		*line = h->line;
		switch (h->action) {
		case CA_PATTERN:
			n = h->length >= 0 && (unsigned)h->length < wlength ? (unsigned)h->length :
									      wlength;
			sim_pattern_fill(in, n, h->seed);
			*inlen = n;
			return 0;
		case CA_STORE:
			n = outlen < SIM_STORE ? outlen : SIM_STORE;
			memcpy(S.d.store, out, n);
			S.d.store_len = n;
			return 0;
		case CA_LOAD:
			n = S.d.store_len < wlength ? (unsigned)S.d.store_len : wlength;
			memcpy(in, S.d.store, n);
			*inlen = n;
			return 0;
		case CA_ACK:
			return 0;
		case CA_STALL:
			return -EPIPE;
		}
	}
	if ((type & 0x60) == 0)
		return std_request(s, in, inlen);
	return -EPIPE; /* no handler: the device stalls */
}

static void on_ctrl(const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	const uint8_t *s = h->u.cmd_submit.setup;
	unsigned wlength = (unsigned)(s[6] | s[7] << 8);
	bool in = s[0] & 0x80;
	static uint8_t reply[65536 + 256];
	uint32_t rlen = 0, tbl = (uint32_t)h->u.cmd_submit.transfer_buffer_length, actual;
	unsigned line;
	char warn[128] = "", *hx;
	int status;

	if (tbl != wlength)
		snprintf(warn, sizeof(warn), " warn=transfer_buffer_length_%u_not_wLength", tbl);
	else if (wlength && (h->direction == USBIP_DIR_IN) != in)
		snprintf(warn, sizeof(warn), " warn=direction_%u_not_setup", h->direction);
	status = ctrl_request(s, payload, (uint32_t)len, reply, &rlen, &line);
	if (in) {
		actual = status ? 0 : rlen < wlength ? rlen : wlength;
		if (actual > tbl)
			actual = tbl;
		send_ret_submit(h->seqnum, status, actual, reply, tbl);
		hx = hex(reply, actual);
	} else {
		actual = status ? 0 : (uint32_t)len;
		send_ret_submit(h->seqnum, status, actual, NULL, tbl);
		hx = hex(payload, len);
	}
	rec("CTRL seq=%u type=0x%02x req=0x%02x value=0x%04x index=0x%04x length=%u -> %u status=%s"
	    "%s%s handler=%u%s data=%s",
	    h->seqnum, s[0], s[1], s[2] | s[3] << 8, s[4] | s[5] << 8, wlength, actual,
	    errname(status), (s[0] & 0x60) ? "" : " std=", (s[0] & 0x60) ? "" : std_name(s[1]),
	    line, warn, hx);
	free(hx);
}

static void on_submit(const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	bool in = h->direction == USBIP_DIR_IN;
	struct sim_ep *e;
	struct sim_urb *u;
	int32_t tbl = h->u.cmd_submit.transfer_buffer_length;

	if (S.h.silent) {
		rec("HOSTILE %s: CMD_SUBMIT seq=%u ep=%u not answered", S.h.spec, h->seqnum, h->ep);
		return;
	}
	if (h->devid != S.devid) {
		rec("ERROR seq=%u devid 0x%08x is not the imported 0x%08x: closing", h->seqnum,
		    h->devid, S.devid);
		S.close_why = "devid mismatch";
		return;
	}
	if (h->ep == 0)
		S.h.nctrl++;
	if (S.h.act && !S.h.fired &&
	    ((S.h.when == HW_CTRL && h->ep == 0 && S.h.nctrl == S.h.when_n) ||
	     (S.h.when == HW_VENDOR && h->ep == 0 && (h->u.cmd_submit.setup[0] & 0x60)) ||
	     (S.h.when == HW_IN && h->ep != 0 && in))) {
		char at[64];

		snprintf(at, sizeof(at), "at CMD_SUBMIT seq=%u ep=%u", h->seqnum, h->ep);
		if (S.h.act >= HA_FLOOD) {
			hostile_stream(S.imp, at);
			return;
		}
		S.h.fired = S.h.armed = true;
		S.h.armed_seq = h->seqnum;
		if (h->ep != 0) {
			/* answered at once: a full buffer of pattern data */
			uint32_t n = (uint32_t)(tbl > 0 && tbl <= (int32_t)RX_MAX ? tbl : 0);
			uint8_t *b = malloc(n + 1);

			if (!b)
				abort();
			sim_pattern_fill(b, n, 0xbad);
			send_ret_submit(h->seqnum, 0, n, b, n);
			free(b);
			return;
		}
	}
	if (h->ep == 0) {
		on_ctrl(h, payload, len);
		return;
	}
	if (tbl < 0 || (uint32_t)tbl > RX_MAX) {
		rec("ERROR seq=%u transfer_buffer_length %d: closing", h->seqnum, tbl);
		S.close_why = "bad length";
		return;
	}
	if (h->u.cmd_submit.number_of_packets != 0)
		rec("WARN seq=%u ep=%u number_of_packets=%d on a non-isochronous URB", h->seqnum,
		    h->ep, h->u.cmd_submit.number_of_packets);
	if (!!(h->u.cmd_submit.transfer_flags & USBIP_URB_DIR_IN) != in)
		rec("WARN seq=%u ep=%u transfer_flags 0x%x disagree with direction %u", h->seqnum,
		    h->ep, h->u.cmd_submit.transfer_flags, h->direction);
	u = calloc(1, sizeof(*u));
	if (!u)
		abort();
	u->seqnum = h->seqnum;
	u->ep = (uint8_t)h->ep;
	u->in = in;
	u->flags = h->u.cmd_submit.transfer_flags;
	u->len = (uint32_t)tbl;
	u->interval = h->u.cmd_submit.interval;
	u->buf = malloc(u->len ? u->len : 1);
	if (!u->buf)
		abort();
	if (!in)
		memcpy(u->buf, payload, len < u->len ? len : u->len);
	e = find_ep(h->ep | (in ? 0x80 : 0));
	if (!e) {
		/* usbip-host answers nothing for an endpoint the configuration lacks */
		rec("ERROR seq=%u %s ep=%u: no such endpoint in configuration %u: the URB stays "
		    "pending", h->seqnum, in ? "IN" : "OUT", h->ep, cur_cfg() ? cur_cfg()->value : 0);
		u->next = S.lost;
		S.lost = u;
		return;
	}
	if (e->type == SIM_XFER_INT && h->u.cmd_submit.interval <= 0)
		rec("WARN seq=%u ep=%u interrupt URB with interval %d", h->seqnum, h->ep,
		    h->u.cmd_submit.interval);
	if (!in) {
		int64_t now = now_ms();

		u->due = (e->out_last_due > now ? e->out_last_due : now) + e->delay_ms;
		e->out_last_due = u->due;
	}
	if (e->uq_tail)
		e->uq_tail->next = u;
	else
		e->uq = u;
	e->uq_tail = u;
	if (in)
		service_in(e);
	else
		service_out(e, now_ms());
}

static bool unlink_from(struct sim_urb **head, struct sim_urb **tail, uint32_t target,
			struct sim_urb **out)
{
	struct sim_urb *u, *prev = NULL;

	for (u = *head; u; prev = u, u = u->next) {
		if (u->seqnum != target)
			continue;
		if (prev)
			prev->next = u->next;
		else
			*head = u->next;
		if (tail && *tail == u)
			*tail = prev;
		*out = u;
		return true;
	}
	return false;
}

static void on_unlink(const struct usbip_header *h)
{
	struct usbip_header r = { 0 };
	uint8_t hb[USBIP_HDR_LEN];
	struct sim_cfg *cf = cur_cfg();
	struct sim_urb *u = NULL;
	uint32_t target = h->u.cmd_unlink.seqnum;
	unsigned i, k;
	bool found = false;

	if (S.h.silent) {
		rec("HOSTILE %s: CMD_UNLINK seq=%u target=%u not answered", S.h.spec, h->seqnum,
		    target);
		return;
	}
	for (i = 0; cf && i < cf->n_intf && !found; i++)
		for (k = 0; k < cf->intf[i].n_ep && !found; k++)
			found = unlink_from(&cf->intf[i].ep[k].uq, &cf->intf[i].ep[k].uq_tail, target,
					    &u);
	if (!found)
		found = unlink_from(&S.lost, NULL, target, &u);
	r.command = USBIP_RET_UNLINK;
	r.seqnum = h->seqnum;
	r.u.ret_unlink.status = found ? -ECONNRESET : 0;
	usbip_header_encode(&r, hb);
	conn_send(S.imp, hb, sizeof(hb), NULL, 0);
	if (found) {
		rec("UNLINK seq=%u target=%u -> -ECONNRESET %s ep=%u urb_len=%u lost=%u packets=%s",
		    h->seqnum, target, u->in ? "IN" : "OUT", u->ep, u->len, u->actual,
		    u->pk_len ? u->packets : "-");
		urb_free(u);
	} else {
		rec("UNLINK seq=%u target=%u -> 0 (not pending)", h->seqnum, target);
	}
}

static ssize_t rx_payload_len(void *arg, const struct usbip_header *h)
{
	ssize_t n = 0;

	switch (h->command) {
	case USBIP_CMD_SUBMIT:
		if (h->direction == USBIP_DIR_OUT) {
			if (h->u.cmd_submit.transfer_buffer_length < 0 ||
			    (uint32_t)h->u.cmd_submit.transfer_buffer_length > RX_MAX)
				return -EMSGSIZE;
			n = h->u.cmd_submit.transfer_buffer_length;
		}
		if (h->u.cmd_submit.number_of_packets > 0 &&
		    h->u.cmd_submit.number_of_packets < 1024)
			n += 16 * h->u.cmd_submit.number_of_packets; /* iso descriptors */
		return n;
	case USBIP_CMD_UNLINK:
		return 0;
	default:
		rec("ERROR unexpected %s from the client", usbip_command_str(h->command));
		return -EPROTO;
	}
}

static int rx_message(void *arg, const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	if (h->command == USBIP_CMD_UNLINK)
		on_unlink(h);
	else if (h->direction == USBIP_DIR_OUT)
		on_submit(h, payload, (size_t)h->u.cmd_submit.transfer_buffer_length);
	else
		on_submit(h, payload, 0);
	return S.close_why ? -ECONNRESET : 0;
}

static const struct usbip_rx_ops rx_ops = { rx_payload_len, rx_message };

/* ---- connections ---- */

static void fill_udev(struct usbip_usb_device *u)
{
	const struct sim_cfg *cf = cur_cfg();

	memset(u, 0, sizeof(*u));
	snprintf(u->path, sizeof(u->path), "%s", S.d.path);
	snprintf(u->busid, sizeof(u->busid), "%s", S.d.busid);
	u->busnum = S.d.busnum;
	u->devnum = S.d.devnum;
	u->speed = S.d.speed;
	u->idVendor = S.d.idVendor;
	u->idProduct = S.d.idProduct;
	u->bcdDevice = S.d.bcdDevice;
	u->bDeviceClass = S.d.cls;
	u->bDeviceSubClass = S.d.sub;
	u->bDeviceProtocol = S.d.proto;
	u->bConfigurationValue = cf ? cf->value : 0;
	u->bNumConfigurations = (uint8_t)S.d.n_cfg;
	u->bNumInterfaces = cf ? (uint8_t)cf->n_intf : 0;
}

static void conn_close(struct conn *c, const char *why)
{
	struct sim_urb *u;
	unsigned n = 0;

	if (c->fd < 0)
		return;
	if (c->flood)
		rec("HOSTILE flood stopped: %llu bytes sent in %lld ms (%s)", S.h.flood_sent,
		    (long long)(now_ms() - S.h.flood_t0), why ? why : "closed");
	c->flood = 0;
	c->sealed = false;
	if (c == S.imp) {
		struct sim_cfg *cf = cur_cfg();
		unsigned i, k;

		for (i = 0; cf && i < cf->n_intf; i++)
			for (k = 0; k < cf->intf[i].n_ep; k++)
				for (u = cf->intf[i].ep[k].uq; u; u = u->next)
					n++;
		for (u = S.lost; u; u = u->next)
			n++;
		while ((u = S.lost)) {
			S.lost = u->next;
			urb_free(u);
		}
		S.imp = NULL;
		S.h.silent = false;
		S.h.armed = false;
		cfg_leave(0, false);
		rec("DISCONNECT peer=%s pending=%u%s%s", c->peer, n, why ? " why=" : "",
		    why ? why : "");
		/* back to how the server hands it out: configured with the active value */
		cfg_enter(cfg_index(S.d.active));
	}
	close(c->fd);
	c->fd = -1;
	usbip_rx_free(&c->rx);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_cap = 0;
}

static void on_op(struct conn *c)
{
	struct usbip_op_common op, rep = { USBIP_VERSION, 0, USBIP_ST_OK };
	uint8_t cnt[4] = { 0, 0, 0, 1 };
	uint8_t b[USBIP_USB_DEVICE_LEN], ob[USBIP_OP_COMMON_LEN];
	struct usbip_usb_device ud;
	char busid[USBIP_BUSID_SIZE + 1];

	usbip_op_common_decode(c->op, &op);
	if (S.h.version >= 0)
		rep.version = (uint16_t)S.h.version;
	if (op.code == USBIP_OP_REQ_DEVLIST) {
		struct sim_cfg *cf = cur_cfg() ? cur_cfg() : &S.d.cfg[cfg_index(S.d.active)];
		unsigned i;

		rec("DEVLIST peer=%s version=0x%04x", c->peer, op.version);
		rep.code = USBIP_OP_REP_DEVLIST;
		usbip_op_common_encode(&rep, ob);
		if (S.h.devlist_ndev >= 0) {
			put_be32(cnt, (uint32_t)S.h.devlist_ndev);
			rec("HOSTILE devlist-ndev=%lld: OP_REP_DEVLIST claims %u devices, has 1",
			    S.h.devlist_ndev, (uint32_t)S.h.devlist_ndev);
		}
		if (S.h.version >= 0)
			rec("HOSTILE version=0x%04lx in OP_REP_DEVLIST", S.h.version);
		conn_send(c, ob, sizeof(ob), cnt, 4);
		fill_udev(&ud);
		usbip_usb_device_encode(&ud, b);
		conn_send(c, b, USBIP_USB_DEVICE_LEN, NULL, 0);
		for (i = 0; i < cf->n_intf; i++) {
			struct usbip_usb_interface ui = { cf->intf[i].cls, cf->intf[i].sub,
							  cf->intf[i].proto };

			usbip_usb_interface_encode(&ui, b);
			conn_send(c, b, USBIP_USB_INTERFACE_LEN, NULL, 0);
		}
		if (S.h.devlist_trunc >= 0 && c->out_len > (size_t)S.h.devlist_trunc) {
			rec("HOSTILE devlist-trunc=%ld: OP_REP_DEVLIST cut at %ld of %zu bytes",
			    S.h.devlist_trunc, S.h.devlist_trunc, c->out_len);
			c->out_len = (size_t)S.h.devlist_trunc;
			c->sealed = true;
		}
		c->close_after_flush = true;
		return;
	}
	if (op.code != USBIP_OP_REQ_IMPORT) {
		rec("ERROR peer=%s unknown operation 0x%04x version 0x%04x: closing", c->peer,
		    op.code, op.version);
		conn_close(c, "unknown operation");
		return;
	}
	if (c->op_have < USBIP_REQ_IMPORT_LEN)
		return; /* the busid is still coming */
	memcpy(busid, c->op + 8, USBIP_BUSID_SIZE);
	busid[USBIP_BUSID_SIZE] = 0;
	rep.code = USBIP_OP_REP_IMPORT;
	if (S.imp && S.imp != c) {
		/* the previous client may be gone with its EOF not yet read */
		char x;
		ssize_t r = recv(S.imp->fd, &x, 1, MSG_PEEK | MSG_DONTWAIT);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			conn_close(S.imp, "closed by the client");
	}
	if (strcmp(busid, S.d.busid))
		rep.status = USBIP_ST_NODEV;
	else if (S.imp)
		rep.status = USBIP_ST_DEV_BUSY;
	usbip_op_common_encode(&rep, ob);
	conn_send(c, ob, sizeof(ob), NULL, 0);
	if (S.h.version >= 0)
		rec("HOSTILE version=0x%04lx in OP_REP_IMPORT", S.h.version);
	if (rep.status) {
		rec("IMPORT peer=%s busid=%s version=0x%04x -> %s", c->peer, busid, op.version,
		    usbip_status_str(rep.status));
		c->close_after_flush = true;
		return;
	}
	/* a fresh device: configured with the active value, endpoint programs restarted */
	cfg_leave(0, false);
	cfg_enter(cfg_index(S.d.active));
	fill_udev(&ud);
	if (S.h.import_busid) {
		snprintf(ud.busid, sizeof(ud.busid), "%s", S.h.import_busid);
		rec("HOSTILE import-busid=%s: OP_REP_IMPORT for %s names device %s", ud.busid, busid,
		    ud.busid);
	}
	usbip_usb_device_encode(&ud, b);
	conn_send(c, b, USBIP_USB_DEVICE_LEN, NULL, 0);
	if (S.h.import_trunc >= 0) {
		rec("HOSTILE import-trunc=%ld: OP_REP_IMPORT cut at %ld of %zu bytes, then close",
		    S.h.import_trunc, S.h.import_trunc, c->out_len);
		if (c->out_len > (size_t)S.h.import_trunc)
			c->out_len = (size_t)S.h.import_trunc;
		c->sealed = c->close_after_flush = true;
		return;
	}
	if (usbip_rx_init(&c->rx, RX_MAX + 65536))
		abort();
	c->imported = true;
	S.imp = c;
	rec("IMPORT peer=%s busid=%s version=0x%04x -> ok devid=0x%08x speed=%s cfg=%u", c->peer,
	    busid, op.version, S.devid, sim_speed_name(S.d.speed), ud.bConfigurationValue);
	S.h.nctrl = 0;
	if (S.h.act && S.h.when == HW_IMPORT && !S.h.fired)
		hostile_stream(c, "after OP_REP_IMPORT");
}

static void on_readable(struct conn *c)
{
	uint8_t buf[65536];
	ssize_t n, r;
	size_t off;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0) {
			conn_close(c, "closed by the client");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(c, strerror(errno));
			return;
		}
		off = 0;
		while (!c->imported && off < (size_t)n && !c->close_after_flush && c->fd >= 0) {
			size_t want = c->op_have < USBIP_OP_COMMON_LEN ? USBIP_OP_COMMON_LEN :
									 USBIP_REQ_IMPORT_LEN;
			size_t take = want - c->op_have;

			if (take > (size_t)n - off)
				take = (size_t)n - off;
			memcpy(c->op + c->op_have, buf + off, take);
			c->op_have += take;
			off += take;
			if (c->op_have >= USBIP_OP_COMMON_LEN)
				on_op(c);
			if (c->fd >= 0 && !c->imported && c->op_have == USBIP_REQ_IMPORT_LEN &&
			    !c->close_after_flush)
				break;
		}
		if (c->fd < 0)
			return;
		if (c->imported && off < (size_t)n) {
			r = usbip_rx_feed(&c->rx, buf + off, (size_t)n - off, &rx_ops, NULL);
			if (r < 0) {
				if (!S.close_why)
					rec("ERROR peer=%s bad USB/IP stream (%s): closing", c->peer,
					    strerror((int)-r));
				conn_close(c, S.close_why ? S.close_why : "protocol error");
				S.close_why = NULL;
				return;
			}
		}
	}
}

static int listen_on(const char *spec)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, one = 1;

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (!*host)
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static int hostile_parse(const char *spec);
static const char *hostile_file;

static void hostile_reset(void)
{
	free((char *)S.h.spec);
	free((char *)S.h.import_busid);
	memset(&S.h, 0, sizeof(S.h));
	S.h.version = S.h.import_trunc = S.h.devlist_trunc = S.h.wtotal = S.h.devdesc_len = -1;
	S.h.devlist_ndev = -1;
}

/* --hostile-file FILE: the specs in FILE replace the current ones, afresh for every
 * connection (one usbip-sim for many cases). A word case=NAME only names the case. */
static void hostile_load(void)
{
	char buf[1024], *tok, *save = NULL;
	size_t n;
	FILE *f;

	if (!hostile_file)
		return;
	hostile_reset();
	f = fopen(hostile_file, "r");
	if (!f) {
		rec("CASE - (%s: %s)", hostile_file, strerror(errno));
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (tok = buf; *tok; tok++)
		if (*tok == '\n' || *tok == '\t')
			*tok = ' ';
	while (n && buf[n - 1] == ' ')
		buf[--n] = 0;
	rec("CASE %s", buf);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "case=", 5))
			continue;
		if (hostile_parse(tok))
			rec("ERROR --hostile-file %s: '%s' is not a hostile mode", hostile_file, tok);
	}
}

static void on_accept(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, one = 1, i;
	char ip[32];

	fd = accept4(S.lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CONN && S.conn[i].fd >= 0; i++)
		;
	if (i == MAX_CONN) {
		rec("ERROR too many connections: refusing one");
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&S.conn[i], 0, sizeof(S.conn[i]));
	S.conn[i].fd = fd;
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
	snprintf(S.conn[i].peer, sizeof(S.conn[i].peer), "%s:%u", ip, ntohs(sa.sin_port));
	rec("CONNECT peer=%s", S.conn[i].peer);
	hostile_load();
}

/* Timers: sequence entries that are due, delayed OUT URBs. Returns ms to the next. */
static int run_timers(void)
{
	struct sim_cfg *cf = cur_cfg();
	int64_t now = now_ms(), next = -1;
	unsigned i, k;

	for (i = 0; cf && i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++) {
			struct sim_ep *e = &cf->intf[i].ep[k];

			if (e->addr & 0x80) {
				release_due(e, now);
				if (e->seq_next < e->n_seq && (next < 0 || e->seq_due < next))
					next = e->seq_due;
			} else {
				service_out(e, now);
				if (e->uq && (next < 0 || e->uq->due < next))
					next = e->uq->due;
			}
		}
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/* A number in [lo, hi] (base 0: 0x.. works); false when it is not one. */
static bool hnum(const char *v, long long lo, long long hi, long long *out)
{
	char *e;

	if (!v || !*v)
		return false;
	errno = 0;
	*out = strtoll(v, &e, 0);
	return !errno && !*e && *out >= lo && *out <= hi;
}

/* --hostile KEY[=VALUE][@WHEN] (tests/sim/README.md, "Hostile modes") */
static int hostile_parse(const char *spec)
{
	static const char *const acts[] = { "", "trunc-hdr", "trunc-data", "command", "seqnum",
					    "actual", "flood", "flood-unlink", "silent" };
	char key[64], *val, *when;
	long long n;
	unsigned i;

	if (strlen(spec) >= sizeof(key))
		goto bad;
	snprintf(key, sizeof(key), "%s", spec);
	when = strchr(key, '@');
	if (when)
		*when++ = 0;
	val = strchr(key, '=');
	if (val)
		*val++ = 0;
	for (i = 1; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(key, acts[i]))
			break;
	if (i < sizeof(acts) / sizeof(acts[0])) {
		if (S.h.act) {
			fprintf(stderr, "usbip-sim: --hostile %s: only one URB-stream action at a time\n",
				spec);
			return -1;
		}
		S.h.act = (enum h_act)i;
		S.h.spec = strdup(spec);
		switch (S.h.act) {
		case HA_TRUNC_HDR:
			S.h.arg = 20;
			if (val && !hnum(val, 0, USBIP_HDR_LEN - 1, &S.h.arg))
				goto bad;
			break;
		case HA_COMMAND:
			if (!hnum(val, 0, 0xffffffffll, &S.h.arg))
				goto bad;
			break;
		case HA_SEQNUM:
			S.h.arg = 0x1000;
			if (val && !hnum(val, 1, 0xffffffffll, &S.h.arg))
				goto bad;
			break;
		case HA_ACTUAL:
			if (!val)
				goto bad;
			S.h.arg_rel = *val == '+';
			if (!hnum(val, -0x80000000ll, 0x7fffffffll, &S.h.arg))
				goto bad;
			break;
		case HA_FLOOD:
			if (val && !hnum(val, 0, 255, &S.h.arg))
				goto bad;
			break;
		default:
			if (val)
				goto bad;
			break;
		}
		S.h.when = HW_CTRL;
		S.h.when_n = 1;
		if (!when)
			return 0;
		if (!strcmp(when, "import") && S.h.act >= HA_FLOOD)
			S.h.when = HW_IMPORT;
		else if (!strcmp(when, "vendor"))
			S.h.when = HW_VENDOR;
		else if (!strcmp(when, "in"))
			S.h.when = HW_IN;
		else if (!strncmp(when, "ctrl:", 5) && hnum(when + 5, 1, 1000000, &n))
			S.h.when_n = (unsigned)n;
		else
			goto bad;
		return 0;
	}
	if (when)
		goto bad;
	if (!strcmp(key, "version") && hnum(val, 0, 0xffff, &n))
		S.h.version = (long)n;
	else if (!strcmp(key, "import-busid") && val && *val && strlen(val) < USBIP_BUSID_SIZE)
		S.h.import_busid = strdup(val);
	else if (!strcmp(key, "import-trunc") && hnum(val, 0, USBIP_OP_COMMON_LEN +
						       USBIP_USB_DEVICE_LEN - 1, &n))
		S.h.import_trunc = (long)n;
	else if (!strcmp(key, "devlist-ndev") && hnum(val, 0, 0xffffffffll, &n))
		S.h.devlist_ndev = n;
	else if (!strcmp(key, "devlist-trunc") && hnum(val, 0, 100000, &n))
		S.h.devlist_trunc = (long)n;
	else if (!strcmp(key, "wtotal") && hnum(val, 0, 0xffff, &n))
		S.h.wtotal = (long)n;
	else if (!strcmp(key, "devdesc-len") && hnum(val, 0, 18, &n))
		S.h.devdesc_len = (long)n;
	else if (!strcmp(key, "string-odd") && !val)
		S.h.string_odd = true;
	else if (!strcmp(key, "blength0") && val && !strcmp(val, "device"))
		S.h.blength0 = HB_DEVICE;
	else if (!strcmp(key, "blength0") && val && !strcmp(val, "config"))
		S.h.blength0 = HB_CONFIG;
	else if (!strcmp(key, "blength0") && val && !strcmp(val, "string"))
		S.h.blength0 = HB_STRING;
	else
		goto bad;
	return 0;
bad:
	fprintf(stderr, "usbip-sim: --hostile %s: not a hostile mode (see tests/sim/README.md)\n",
		spec);
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: usbip-sim --device FILE [--listen [HOST]:PORT] [--record FILE] "
		   "[--busid BUSID] [--hostile SPEC]... [--hostile-file FILE]\n"
		   "A simulated USB device behind a USB/IP server (tests/sim/README.md).\n"
		   "  -d, --device FILE     device description (libconfig)\n"
		   "  -l, --listen H:P      address to listen on (default 127.0.0.1:3240)\n"
		   "  -r, --record FILE     record every URB here (default: none)\n"
		   "  -b, --busid BUSID     exported busid (default: the file's, else 1-1)\n"
		   "  -c, --check           check the device file, print its descriptors, exit\n"
		   "  -H, --hostile SPEC    break the protocol on purpose (repeatable; SPEC in\n"
		   "                        tests/sim/README.md, \"Hostile modes\")\n"
		   "  -F, --hostile-file F  the SPECs in file F, read again for every connection\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' }, { "listen", required_argument, NULL, 'l' },
		{ "record", required_argument, NULL, 'r' }, { "busid", required_argument, NULL, 'b' },
		{ "check", no_argument, NULL, 'c' },        { "help", no_argument, NULL, 'h' },
		{ "hostile", required_argument, NULL, 'H' },
		{ "hostile-file", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL, *listen_spec = "127.0.0.1:3240", *recf = NULL, *busid = NULL;
	char err[512];
	struct pollfd pf[MAX_CONN + 2];
	struct conn *pc[MAX_CONN + 2];
	sigset_t ss;
	int o, check = 0, i, n, np, timeout;
	unsigned k;

	hostile_reset();
	while ((o = getopt_long(argc, argv, "d:l:r:b:chH:F:", lo, NULL)) != -1) {
		switch (o) {
		case 'd': dev = optarg; break;
		case 'l': listen_spec = optarg; break;
		case 'r': recf = optarg; break;
		case 'b': busid = optarg; break;
		case 'c': check = 1; break;
		case 'h': usage(stdout); return 0;
		case 'H':
			if (hostile_parse(optarg))
				return 2;
			break;
		case 'F': hostile_file = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (!dev || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (sim_dev_load(dev, &S.d, err, sizeof(err))) {
		fprintf(stderr, "usbip-sim: %s\n", err);
		return 1;
	}
	if (busid) {
		if (!*busid || strlen(busid) > 31) {
			fprintf(stderr, "usbip-sim: --busid must be 1..31 characters\n");
			return 2;
		}
		snprintf(S.d.busid, sizeof(S.d.busid), "%s", busid);
	}
	S.devid = S.d.busnum << 16 | (S.d.devnum & 0xffff);
	if (check) {
		char *h = hex(S.d.devdesc, 18);

		printf("device %s\n", h);
		free(h);
		for (k = 0; k < S.d.n_cfg; k++) {
			h = hex(S.d.cfg[k].desc, S.d.cfg[k].desc_len);
			printf("config %u %s\n", S.d.cfg[k].value, h);
			free(h);
		}
		return 0;
	}
	S.t0 = now_ms();
	if (recf) {
		S.rec = fopen(recf, "w");
		if (!S.rec) {
			fprintf(stderr, "usbip-sim: %s: %s\n", recf, strerror(errno));
			return 1;
		}
	}
	S.lfd = listen_on(listen_spec);
	if (S.lfd < 0) {
		fprintf(stderr, "usbip-sim: cannot listen on %s: %s\n", listen_spec,
			strerror(S.lfd == -EINVAL ? EINVAL : -S.lfd));
		return 1;
	}
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	S.sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	for (i = 0; i < MAX_CONN; i++)
		S.conn[i].fd = -1;
	S.d.cur = -1;
	cfg_enter(cfg_index(S.d.active));
	rec("READY listen=%s busid=%s speed=%s device=%s devid=0x%08x", listen_spec, S.d.busid,
	    sim_speed_name(S.d.speed), dev, S.devid);
	printf("usbip-sim: ready on %s busid %s speed %s devid 0x%08x (%s)\n", listen_spec,
	       S.d.busid, sim_speed_name(S.d.speed), S.devid, dev);
	fflush(stdout);
	while (!S.stop) {
		timeout = run_timers();
		for (i = 0; i < MAX_CONN; i++) {
			if (S.conn[i].fd >= 0)
				conn_flush(&S.conn[i]);
			/* a flood keeps bytes queued, so that poll() waits for POLLOUT */
			if (S.conn[i].fd >= 0 && S.conn[i].flood)
				flood_fill(&S.conn[i]);
		}
		np = 0;
		pf[np].fd = S.sfd;
		pf[np].events = POLLIN;
		pc[np++] = NULL;
		pf[np].fd = S.lfd;
		pf[np].events = POLLIN;
		pc[np++] = NULL;
		for (i = 0; i < MAX_CONN; i++) {
			if (S.conn[i].fd < 0)
				continue;
			pf[np].fd = S.conn[i].fd;
			pf[np].events = (short)((S.conn[i].close_after_flush ? 0 : POLLIN) |
						(S.conn[i].out_len ? POLLOUT : 0));
			pc[np++] = &S.conn[i];
		}
		n = poll(pf, (nfds_t)np, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("usbip-sim: poll");
			return 1;
		}
		if (pf[0].revents) {
			struct signalfd_siginfo si;

			if (read(S.sfd, &si, sizeof(si)) == sizeof(si)) {
				rec("STOP signal=%u", si.ssi_signo);
				S.stop = true;
			}
		}
		if (pf[1].revents & POLLIN)
			on_accept();
		for (i = 2; i < np; i++) {
			struct conn *c = pc[i];

			if (c->fd < 0 || c->fd != pf[i].fd)
				continue;
			if (pf[i].revents & POLLOUT)
				conn_flush(c);
			if (c->fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				on_readable(c);
		}
	}
	for (i = 0; i < MAX_CONN; i++)
		if (S.conn[i].fd >= 0)
			conn_close(&S.conn[i], "stopping");
	if (S.rec)
		fclose(S.rec);
	return 0;
}
