// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake_backend.c - see fake_backend.h.
 *
 * The Makefile links one object per unit test and fuzz.mk one per harness, so
 * tests/unit/test_relay.c and tests/fuzz/fuzz_relay_rx.c each #include this
 * file rather than link it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/fake_backend.h"

static struct fake *fk(struct gadget_backend *b)
{
	return b->priv;
}

static void efd_set(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

static void efd_clear(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		abort();
}

static void misuse(struct fake *f, const char *why)
{
	f->misuse++;
	f->misuse_why = why;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	p = realloc(p, c * elem);
	if (!p)
		abort();
	*cap = c;
	return p;
}

static void enqueue(struct fake *f, struct fake_io *io, long res)
{
	f->q = grow(f->q, &f->q_cap, f->q_n + 1, sizeof(*f->q));
	f->q[f->q_n++] = io;
	io->st = FIO_QUEUED;
	io->res = res;
	efd_set(f->comp_efd);
}

/* ---- the backend's operations ---- */

static int fk_ep0_fd(struct gadget_backend *b, unsigned inst)
{
	return fk(b)->ep0_efd[inst];
}

static int fk_events(struct gadget_backend *b, unsigned inst, struct gb_event *ev, unsigned max)
{
	struct fake *f = fk(b);
	unsigned n = 0;

	f->events_calls++;
	while (n < max && f->ev_n[inst]) {
		ev[n] = f->ev[inst][0];
		f->ev_n[inst]--;
		memmove(&f->ev[inst][0], &f->ev[inst][1], f->ev_n[inst] * sizeof(ev[0]));
		if (ev[n++].type == GB_EV_SETUP)
			break; /* answered before anything more is read */
	}
	if (!f->ev_n[inst])
		efd_clear(f->ep0_efd[inst]);
	return (int)n;
}

static int fk_ep0_reply(struct gadget_backend *b, unsigned inst,
			const struct usb_ctrlrequest *setup, const void *data, size_t len)
{
	struct fake *f = fk(b);
	struct fake_reply *rp;

	f->reply = realloc(f->reply, (f->n_reply + 1) * sizeof(*f->reply));
	if (!f->reply)
		abort();
	rp = &f->reply[f->n_reply++];
	rp->inst = inst;
	rp->setup = *setup;
	if (len > sizeof(rp->data) || len > __le16_to_cpu(setup->wLength))
		misuse(f, "ep0 reply longer than wLength");
	rp->len = len < sizeof(rp->data) ? len : sizeof(rp->data);
	if (rp->len)
		memcpy(rp->data, data, rp->len);
	return 0;
}

static ssize_t fk_ep0_read(struct gadget_backend *b, unsigned inst, void *buf, size_t len)
{
	struct fake *f = fk(b);
	size_t n = len < f->ep0_out_len ? len : f->ep0_out_len;

	memcpy(buf, f->ep0_out, n);
	return (ssize_t)n;
}

static uint16_t fk_remote_windex(struct gadget_backend *b, unsigned inst,
				 const struct usb_ctrlrequest *cr)
{
	const struct ffs_map *m = b->inst[inst].map;
	uint16_t w = __le16_to_cpu(cr->wIndex);

	/* FunctionFS's numbering: interface index -> the device's interface */
	if ((cr->bRequestType & USB_RECIP_MASK) == USB_RECIP_INTERFACE && w < m->n_intf)
		return m->intf_remote[w];
	return w;
}

static void fk_ep0_stall(struct gadget_backend *b, unsigned inst,
			 const struct usb_ctrlrequest *setup)
{
	struct fake *f = fk(b);

	f->n_stall++;
	f->stall_setup = *setup;
}

static int fk_ep_enable(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	fk(b)->ep_on[inst][ep] = true;
	return 0;
}

static void fk_ep_disable(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	fk(b)->ep_on[inst][ep] = false;
}

static int fk_ep_fd(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	return fk(b)->ep_on[inst][ep] ? 1000 + (int)ep : -1;
}

static int fk_ep_desc(struct gadget_backend *b, unsigned inst, unsigned ep, unsigned *addr,
		      unsigned *mps)
{
	*addr = (b->inst[inst].map->ep[ep].remote_addr & 0x80) | (ep + 1);
	*mps = fk(b)->gmps[inst][ep];
	return 0;
}

static int fk_ep_halt(struct gadget_backend *b, unsigned inst, unsigned ep, bool in)
{
	struct fake *f = fk(b);

	if (f->n_halt < sizeof(f->halt) / sizeof(f->halt[0])) {
		f->halt[f->n_halt].inst = inst;
		f->halt[f->n_halt].ep = ep;
		f->halt[f->n_halt].in = in;
	}
	f->n_halt++;
	return 0;
}

static int fk_ep_clear_halt(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	return 0;
}

static int fk_submit(struct gadget_backend *b, unsigned inst, unsigned ep, struct ffs_req *req,
		     void *buf, size_t len)
{
	struct fake *f = fk(b);
	struct fake_io *io;

	if (!f->started || f->stopped)
		misuse(f, "submit outside start_io() .. stop_io()");
	else if (!f->ep_on[inst][ep])
		misuse(f, "submit on an endpoint the relay has not enabled");
	else if (req->busy)
		misuse(f, "submit of a request still in flight");
	if (f->submit_err)
		return f->submit_err;
	io = calloc(1, sizeof(*io));
	if (!io)
		abort();
	io->req = req;
	io->inst = inst;
	io->ep = ep;
	io->in = b->inst[inst].map->ep[ep].remote_addr & 0x80;
	io->buf = buf;
	io->len = len;
	if (io->in) {
		io->data = malloc(len ? len : 1);
		if (!io->data)
			abort();
		memcpy(io->data, buf, len);
	}
	io->st = FIO_PENDING;
	req->busy = true;
	f->io = grow(f->io, &f->cap_io, f->n_io + 1, sizeof(*f->io));
	f->io[f->n_io++] = io;
	return 0;
}

static int fk_cancel(struct gadget_backend *b, struct ffs_req *req)
{
	struct fake *f = fk(b);
	size_t i;

	for (i = f->n_io; i-- > 0;) {
		if (f->io[i]->req == req && f->io[i]->st == FIO_PENDING) {
			f->io[i]->cancelled = true;
			f->n_cancel++;
			enqueue(f, f->io[i], -ECONNRESET);
			return 0;
		}
	}
	return 0; /* not in flight: nothing to cancel (ffs_aio_cancel) */
}

static int fk_reap(struct gadget_backend *b, struct ffs_req **done, long *res, unsigned max)
{
	struct fake *f = fk(b);
	struct fake_io *io;
	unsigned n = 0;

	while (n < max && (io = fake_take(f))) {
		done[n] = io->req;
		res[n++] = io->res;
	}
	return (int)n;
}

static int fk_completion_fd(struct gadget_backend *b)
{
	return fk(b)->comp_efd;
}

static void fk_kick(struct gadget_backend *b)
{
	if (fk(b)->q_n)
		efd_set(fk(b)->comp_efd);
}

static int fk_start_io(struct gadget_backend *b, unsigned max)
{
	struct fake *f = fk(b);

	f->started = true;
	f->io_max = max;
	return 0;
}

static void fk_stop_io(struct gadget_backend *b)
{
	struct fake *f = fk(b);
	size_t i;

	for (i = 0; i < f->n_io; i++) {
		if (f->io[i]->st == FIO_PENDING || f->io[i]->st == FIO_QUEUED) {
			f->io[i]->st = FIO_DROPPED;
			f->io[i]->req->busy = false;
		}
	}
	f->q_n = 0;
	f->stopped = true;
	efd_clear(f->comp_efd);
}

/* grouped as backend.h groups them */
static const struct gadget_backend_ops fake_ops = {
	.name = "fake",
	.ep0_fd = fk_ep0_fd, .events = fk_events, .ep0_reply = fk_ep0_reply,
	.ep0_read = fk_ep0_read, .remote_windex = fk_remote_windex, .ep0_stall = fk_ep0_stall,
	.ep_enable = fk_ep_enable, .ep_disable = fk_ep_disable, .ep_fd = fk_ep_fd,
	.ep_desc = fk_ep_desc, .ep_halt = fk_ep_halt, .ep_clear_halt = fk_ep_clear_halt,
	.submit = fk_submit, .cancel = fk_cancel, .reap = fk_reap,
	.completion_fd = fk_completion_fd, .kick = fk_kick,
	.start_io = fk_start_io, .stop_io = fk_stop_io,
};

/* ---- maps ---- */

void fake_ep(struct ffs_map *m, unsigned i, uint8_t addr, uint8_t type, unsigned intf,
	     uint16_t remote_mps, uint16_t hs_mps, uint8_t interval)
{
	struct ffs_ep_info *e = &m->ep[i];

	memset(e, 0, sizeof(*e));
	e->remote_addr = addr;
	e->type = type;
	e->intf_index = (uint8_t)intf;
	e->remote_mps = remote_mps;
	e->remote_interval = interval;
	e->mps[FFS_SPEED_FS] = hs_mps < 64 ? hs_mps : 64;
	e->mps[FFS_SPEED_HS] = hs_mps;
	e->mps[FFS_SPEED_SS] = type == USB_ENDPOINT_XFER_BULK ? 1024 : hs_mps;
	e->interval[FFS_SPEED_FS] = interval;
	e->interval[FFS_SPEED_HS] = interval;
	e->interval[FFS_SPEED_SS] = interval;
	if (m->n_ep <= i)
		m->n_ep = i + 1;
}

void fake_intf(struct ffs_map *m, unsigned i, uint8_t remote, uint8_t cls, uint8_t sub,
	       uint8_t proto)
{
	m->intf_remote[i] = remote;
	m->intf_class[i] = cls;
	m->intf_subclass[i] = sub;
	m->intf_protocol[i] = proto;
	if (m->n_intf <= i)
		m->n_intf = i + 1;
}

/* ---- set-up ---- */

struct fake *fake_new(unsigned n_inst, const struct ffs_map *const *maps, const uint8_t *cfg,
		      uint32_t seqnum)
{
	struct fake *f = calloc(1, sizeof(*f));
	int sv[2], pf[2];
	unsigned k, i;

	if (!f)
		return NULL;
	f->srv_fd = f->sig_rd = f->sig_wr = f->comp_efd = -1;
	for (k = 0; k < GB_MAX_INST; k++)
		f->ep0_efd[k] = -1;
	f->client.fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		goto fail;
	f->client.fd = sv[0];
	f->srv_fd = sv[1];
	if (pipe2(pf, O_NONBLOCK | O_CLOEXEC) < 0)
		goto fail;
	f->sig_rd = pf[0];
	f->sig_wr = pf[1];
	f->comp_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->comp_efd < 0)
		goto fail;
	strcpy(f->client.remote.host, "fake");
	strcpy(f->client.remote.port, "3240");
	strcpy(f->client.remote.name, "fake:3240");
	f->client.devid = 0x00010002;
	f->client.next_seqnum = seqnum;
	f->client.version = USBIP_VERSION;
	f->gb.ops = &fake_ops;
	f->gb.priv = f;
	f->gb.n_inst = n_inst;
	for (k = 0; k < n_inst; k++) {
		f->ep0_efd[k] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (f->ep0_efd[k] < 0)
			goto fail;
		f->gb.inst[k].map = maps[k];
		f->gb.inst[k].bConfigurationValue = cfg[k];
		for (i = 0; i < maps[k]->n_ep; i++)
			f->gmps[k][i] = maps[k]->ep[i].mps[FFS_SPEED_HS];
	}
	return f;
fail:
	fake_free(f);
	return NULL;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void fake_free(struct fake *f)
{
	size_t i;
	unsigned k;

	if (!f)
		return;
	close_fd(f->client.fd);
	close_fd(f->srv_fd);
	close_fd(f->sig_rd);
	close_fd(f->sig_wr);
	close_fd(f->comp_efd);
	for (k = 0; k < GB_MAX_INST; k++)
		close_fd(f->ep0_efd[k]);
	for (i = 0; i < f->n_io; i++) {
		free(f->io[i]->data);
		free(f->io[i]);
	}
	free(f->io);
	free(f->q);
	free(f->reply);
	for (i = 0; i < f->n_pdu; i++)
		free(f->pdu[i].data);
	free(f->pdu);
	usbip_rx_free(&f->srx);
	free(f);
}

void fake_params(struct fake *f, struct relay_params *p)
{
	memset(p, 0, sizeof(*p));
	p->client = &f->client;
	p->gb = &f->gb;
	p->sigfd = f->sig_rd;
}

/* ---- the gadget side ---- */

static struct gb_event *ev_push(struct fake *f, unsigned inst)
{
	if (f->ev_n[inst] >= FAKE_MAX_EV)
		abort();
	efd_set(f->ep0_efd[inst]);
	return &f->ev[inst][f->ev_n[inst]++];
}

void fake_event(struct fake *f, unsigned inst, enum gb_event_type t)
{
	struct gb_event *ev = ev_push(f, inst);

	memset(ev, 0, sizeof(*ev));
	ev->type = t;
}

void fake_setup(struct fake *f, unsigned inst, uint8_t type, uint8_t req, uint16_t value,
		uint16_t index, uint16_t length)
{
	struct gb_event *ev = ev_push(f, inst);

	memset(ev, 0, sizeof(*ev));
	ev->type = GB_EV_SETUP;
	ev->setup.bRequestType = type;
	ev->setup.bRequest = req;
	ev->setup.wValue = __cpu_to_le16(value);
	ev->setup.wIndex = __cpu_to_le16(index);
	ev->setup.wLength = __cpu_to_le16(length);
}

static struct fake_io *find_io(struct fake *f, unsigned inst, unsigned ep, unsigned k,
			       bool pending_only)
{
	size_t i;

	for (i = 0; i < f->n_io; i++) {
		struct fake_io *io = f->io[i];

		if (io->inst != inst || io->ep != ep || (pending_only && io->st != FIO_PENDING))
			continue;
		if (!k--)
			return io;
	}
	return NULL;
}

struct fake_io *fake_nth(struct fake *f, unsigned inst, unsigned ep, unsigned k)
{
	return find_io(f, inst, ep, k, false);
}

struct fake_io *fake_pending(struct fake *f, unsigned inst, unsigned ep, unsigned k)
{
	return find_io(f, inst, ep, k, true);
}

unsigned fake_count(struct fake *f, unsigned inst, unsigned ep, unsigned *pending)
{
	unsigned n = 0, p = 0;
	size_t i;

	for (i = 0; i < f->n_io; i++) {
		if (f->io[i]->inst != inst || f->io[i]->ep != ep)
			continue;
		n++;
		p += f->io[i]->st == FIO_PENDING;
	}
	if (pending)
		*pending = p;
	return n;
}

int fake_complete(struct fake *f, struct fake_io *io, long res, const void *data)
{
	if (!io || io->st != FIO_PENDING)
		return -1;
	if (!io->in && res > 0) {
		if (!data || (size_t)res > io->len)
			abort(); /* the test's mistake: no data, or more than the read asked for */
		memcpy(io->buf, data, (size_t)res);
	}
	enqueue(f, io, res);
	return 0;
}

unsigned fake_complete_writes(struct fake *f, unsigned inst, unsigned ep)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < f->n_io; i++) {
		struct fake_io *io = f->io[i];

		if (io->in && io->inst == inst && io->ep == ep && io->st == FIO_PENDING) {
			enqueue(f, io, (long)io->len);
			n++;
		}
	}
	return n;
}

struct fake_io *fake_take(struct fake *f)
{
	struct fake_io *io;

	if (!f->q_n)
		return NULL;
	io = f->q[0];
	memmove(&f->q[0], &f->q[1], --f->q_n * sizeof(f->q[0]));
	io->st = FIO_REAPED;
	io->req->busy = false;
	if (!f->q_n)
		efd_clear(f->comp_efd);
	return io;
}

void fake_signal(struct fake *f, unsigned signo)
{
	struct signalfd_siginfo si;

	memset(&si, 0, sizeof(si));
	si.ssi_signo = signo;
	if (write(f->sig_wr, &si, sizeof(si)) != sizeof(si))
		abort();
}

/* ---- the server side ---- */

static ssize_t srv_payload_len(void *arg, const struct usbip_header *h)
{
	if (h->command == USBIP_CMD_UNLINK)
		return 0;
	if (h->command != USBIP_CMD_SUBMIT || h->u.cmd_submit.transfer_buffer_length < 0)
		return -EPROTO;
	return h->direction == USBIP_DIR_OUT ? h->u.cmd_submit.transfer_buffer_length : 0;
}

static int srv_message(void *arg, const struct usbip_header *h, const uint8_t *payload,
		       size_t len)
{
	struct fake *f = arg;
	struct fake_pdu *p;

	f->pdu = grow(f->pdu, &f->cap_pdu, f->n_pdu + 1, sizeof(*f->pdu));
	p = &f->pdu[f->n_pdu++];
	p->h = *h;
	p->len = len;
	p->data = malloc(len ? len : 1);
	if (!p->data)
		abort();
	memcpy(p->data, payload, len);
	return 0;
}

static const struct usbip_rx_ops srv_ops = {
	.payload_len = srv_payload_len,
	.message = srv_message,
};

size_t fake_srv_read(struct fake *f)
{
	uint8_t buf[65536];
	ssize_t n;

	if (!f->srx.payload && usbip_rx_init(&f->srx, 1 << 20))
		abort();
	while ((n = recv(f->srv_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (usbip_rx_feed(&f->srx, buf, (size_t)n, &srv_ops, f) != n)
			misuse(f, "the relay sent a malformed stream");
	return f->n_pdu - f->next_pdu;
}

const struct fake_pdu *fake_srv_next(struct fake *f)
{
	fake_srv_read(f);
	return f->next_pdu < f->n_pdu ? &f->pdu[f->next_pdu++] : NULL;
}

static void send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w <= 0)
			abort();
		b += w;
		n -= (size_t)w;
	}
}

void fake_ret_encode(uint8_t out[USBIP_HDR_LEN], uint32_t command, uint32_t seqnum, int status,
		     int actual)
{
	struct usbip_header h;

	memset(&h, 0, sizeof(h));
	h.command = command;
	h.seqnum = seqnum;
	if (command == USBIP_RET_UNLINK) {
		h.u.ret_unlink.status = status;
	} else {
		h.u.ret_submit.status = status;
		h.u.ret_submit.actual_length = actual;
		h.u.ret_submit.start_frame = -1;
	}
	usbip_header_encode(&h, out);
}

void fake_ret_submit(struct fake *f, uint32_t seqnum, int status, int actual, const void *data)
{
	uint8_t hb[USBIP_HDR_LEN];

	fake_ret_encode(hb, USBIP_RET_SUBMIT, seqnum, status, actual);
	send_all(f->srv_fd, hb, sizeof(hb));
	if (data && actual > 0)
		send_all(f->srv_fd, data, (size_t)actual);
}

void fake_ret_unlink(struct fake *f, uint32_t seqnum, int status)
{
	uint8_t hb[USBIP_HDR_LEN];

	fake_ret_encode(hb, USBIP_RET_UNLINK, seqnum, status, 0);
	send_all(f->srv_fd, hb, sizeof(hb));
}
