// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-hc.c - usbip-sim's emulated host controller and the device's endpoints, at
 * packet level (tests/sim/README.md): IN URBs take the device's queued packets,
 * OUT URBs are cut into packets of the endpoint's wMaxPacketSize, a device-side
 * transfer ends at a short packet or a ZLP. Also the configuration and the
 * interfaces' alternate settings: which endpoints exist, and what happens to
 * their URBs and data when SET_CONFIGURATION or SET_INTERFACE changes them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/pattern.h"
#include "tests/sim/sim-srv.h"

struct sim_cfg *cur_cfg(void)
{
	return sim.d.cur >= 0 ? &sim.d.cfg[sim.d.cur] : NULL;
}

struct sim_ep *find_ep(unsigned addr)
{
	struct sim_cfg *cf = cur_cfg();
	struct sim_ep *e;
	unsigned i;

	for (i = 0; cf && i < cf->n_intf; i++)
		if (cf->intf[i].active && (e = sim_setting_ep(&cf->intf[i], addr)))
			return e;
	return NULL;
}

const struct sim_intf *idle_ep(unsigned addr)
{
	struct sim_cfg *cf = cur_cfg();
	unsigned i;

	for (i = 0; cf && i < cf->n_intf; i++)
		if (!cf->intf[i].active && sim_setting_ep(&cf->intf[i], addr))
			return &cf->intf[i];
	return NULL;
}

struct sim_intf *find_intf(unsigned number)
{
	struct sim_cfg *cf = cur_cfg();
	unsigned i;

	for (i = 0; cf && i < cf->n_intf; i++)
		if (cf->intf[i].active && cf->intf[i].number == number)
			return &cf->intf[i];
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

void urb_free(struct sim_urb *u)
{
	free(u->buf);
	free(u->packets);
	free(u);
}

/* Complete the head URB of @e: RET_SUBMIT and a record line. */
void urb_done(struct sim_ep *e, int status)
{
	struct sim_urb *u = e->uq;
	char *h;

	e->uq = u->next;
	if (!e->uq)
		e->uq_tail = NULL;
	if (u->in && !status && u->actual < u->len && (u->flags & USBIP_URB_SHORT_NOT_OK))
		status = -EREMOTEIO;
	h = hex(u->buf, u->actual);
	if (u->zombie && u->in) {
		/* --hostile unlink=pipe: the data of an unlinked URB is discarded */
		rec("DROP ep=0x%02x alt=%u bytes=%u packets=%s why=unlinked_urb_%u data=%s",
		    e->addr, e->alt, u->actual, u->pk_len ? u->packets : "-", u->seqnum, h);
		free(h);
		urb_free(u);
		return;
	}
	if (!u->zombie)
		send_ret_submit(u->seqnum, status, u->actual, u->in ? u->buf : NULL, u->len);
	rec("%s ep=%u seq=%u urb_len=%u flags=0x%04x -> %u packets=%s status=%s cfg=%u alt=%u "
	    "data=%s", u->in ? "IN" : "OUT", u->ep, u->seqnum, u->len, u->flags, u->actual,
	    u->pk_len ? u->packets : "-", errname(status), cur_cfg() ? cur_cfg()->value : 0,
	    e->alt, h);
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

void halt(struct sim_ep *e, const char *why)
{
	e->halted = true;
	rec("HALT ep=0x%02x reason=%s transfers=%u", e->addr, why, e->xfers);
}

static bool stall_due(struct sim_ep *e)
{
	return e->stall_after >= 0 && !e->stall_done && e->xfers >= (unsigned)e->stall_after;
}

void service_in(struct sim_ep *e)
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

void ep_send(struct sim_ep *e, const uint8_t *data, size_t len, bool zlp)
{
	enqueue_xfer(e, data, len, zlp);
	service_in(e);
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

/* @e's echo: @n bytes back on its echo endpoint, as one transfer (tagged with the
 * alternate setting when echo_alt), or, for echo_stream, as they came. */
static void echo(struct sim_ep *e, const uint8_t *data, size_t n)
{
	struct sim_ep *t = find_ep((unsigned)e->echo);
	uint8_t *b;

	if (!t) {
		rec("DROP ep=0x%02x alt=%u bytes=%zu packets=- why=echo_target_0x%02x_not_in_a_"
		    "current_setting", e->addr, e->alt, n, e->echo);
		return;
	}
	if (e->echo_stream) {
		ep_send(t, data, n, false);
		return;
	}
	if (!e->echo_alt) {
		ep_send(t, data, n, e->echo_zlp);
		return;
	}
	/* tagged: the alternate setting that received it, then the bytes */
	b = malloc(n + 1);
	if (!b)
		abort();
	b[0] = e->alt;
	if (n)
		memcpy(b + 1, data, n);
	ep_send(t, b, n + 1, e->echo_zlp);
	free(b);
}

static void end_out_xfer(struct sim_ep *e)
{
	e->xfers++;
	if (e->echo >= 0 && !e->echo_stream)
		echo(e, e->acc, e->acc_len);
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
	if (e->echo >= 0 && e->echo_stream) {
		if (n)
			echo(e, data, n); /* a byte stream: nothing kept, no transfer ends */
	} else {
		if (e->acc_len + n > e->acc_cap) {
			e->acc_cap = (e->acc_len + n) * 2 + 64;
			e->acc = xrealloc(e->acc, e->acc_cap);
		}
		if (n)
			memcpy(e->acc + e->acc_len, data, n);
		e->acc_len += n;
	}
	e->acc_active = true;
	pk_add(u, n);
	u->actual += n;
	if (n < e->mps)
		end_out_xfer(e);
	return true;
}

void service_out(struct sim_ep *e, int64_t now)
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

/* What the device holds for the host on @e (queued IN packets, an unfinished OUT
 * transfer) is lost: one DROP line, when there is any. */
static void ep_flush(struct sim_ep *e, const char *why)
{
	struct sim_pkt *p;
	struct sim_urb pk = { 0 };
	uint8_t *b = NULL;
	size_t n = 0;
	char *h;

	for (p = e->pq; p; p = p->next) {
		b = xrealloc(b, n + p->len);
		if (p->len)
			memcpy(b + n, p->data, p->len);
		n += p->len;
		pk_add(&pk, p->len);
	}
	if (!(e->addr & 0x80) && e->acc_active) {
		b = xrealloc(b, e->acc_len);
		memcpy(b, e->acc, e->acc_len);
		n = e->acc_len;
	}
	if (pk.pk_len || n) {
		h = hex(b, n);
		rec("DROP ep=0x%02x alt=%u bytes=%zu packets=%s why=%s data=%s", e->addr, e->alt, n,
		    pk.pk_len ? pk.packets : "-", why, h);
		free(h);
	}
	free(b);
	free(pk.packets);
}

/* Pending URBs of every endpoint end with @status (sent only when @send). */
void cfg_leave(int status, bool send, const char *why)
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
			if (why)
				ep_flush(e, why);
			ep_reset(e, now_ms());
		}
}

/* Configuration @idx (-1: none) is set: every interface at alternate setting 0. */
void cfg_enter(int idx)
{
	struct sim_cfg *cf;
	unsigned i, k;
	int64_t now = now_ms();

	sim.d.cur = idx;
	cf = cur_cfg();
	if (!cf)
		return;
	for (i = 0; i < cf->n_intf; i++) {
		cf->intf[i].active = cf->intf[i].alt == 0;
		acm_reset(&cf->intf[i]);
		for (k = 0; k < cf->intf[i].n_ep; k++)
			ep_reset(&cf->intf[i].ep[k], now);
	}
	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; cf->intf[i].active && k < cf->intf[i].n_ep; k++)
			release_due(&cf->intf[i].ep[k], now);
}

/*
 * SET_INTERFACE, as usb_set_interface() on a Linux server: the endpoints of the
 * interface's current setting are disabled (pending URBs end with -ESHUTDOWN, what
 * the device held for the host is lost: DROP lines), then those of the new setting
 * start afresh (halt cleared, IN sequences from their first entry). The same
 * setting again resets its endpoints the same way.
 */
int set_interface(unsigned number, unsigned alt)
{
	struct sim_cfg *cf = cur_cfg();
	struct sim_intf *old = find_intf(number), *f = NULL;
	struct sim_urb *u;
	unsigned i, k, n = 0;
	int64_t now = now_ms();

	for (i = 0; cf && i < cf->n_intf; i++)
		if (cf->intf[i].number == number && cf->intf[i].alt == alt)
			f = &cf->intf[i];
	if (!old || !f)
		return -EPIPE;
	for (k = 0; k < old->n_ep; k++)
		for (u = old->ep[k].uq; u; u = u->next)
			n++;
	rec("SET_INTERFACE interface=%u alt=%u was=%u pending=%u", number, alt, old->alt, n);
	for (k = 0; k < old->n_ep; k++) {
		struct sim_ep *e = &old->ep[k];

		while (e->uq)
			urb_done(e, -ESHUTDOWN);
		ep_flush(e, "SET_INTERFACE");
		ep_reset(e, now);
	}
	old->active = false;
	f->active = true;
	for (k = 0; k < f->n_ep; k++)
		ep_reset(&f->ep[k], now);
	for (k = 0; k < f->n_ep; k++)
		release_due(&f->ep[k], now);
	return 0;
}

int cfg_index(unsigned value)
{
	unsigned i;

	for (i = 0; i < sim.d.n_cfg; i++)
		if (sim.d.cfg[i].value == value)
			return (int)i;
	return -1;
}

/* Timers: sequence entries that are due, delayed OUT URBs. Returns ms to the next. */
int run_timers(void)
{
	struct sim_cfg *cf = cur_cfg();
	int64_t now = now_ms(), next = -1;
	unsigned i, k;

	for (i = 0; cf && i < cf->n_intf; i++)
		for (k = 0; cf->intf[i].active && k < cf->intf[i].n_ep; k++) {
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

