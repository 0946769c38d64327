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
 * One thread, poll(); one imported connection at a time. This file is the network
 * side and the main loop; sim-srv.h lists the other parts.
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
#include "tests/sim/sim-srv.h"

struct sim_srv sim;

/* ---- output ---- */

void conn_send(struct conn *c, const void *a, size_t alen, const void *b, size_t blen)
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
			sim.h.flood_sent += (unsigned long long)n;
	}
	if (c->fd >= 0 && !c->out_len && c->close_after_flush)
		conn_close(c, NULL);
}

void send_ret_submit(uint32_t seqnum, int status, uint32_t actual, const uint8_t *data,
			    uint32_t req_len)
{
	struct usbip_header h = { 0 };
	uint8_t hb[USBIP_HDR_LEN];

	if (!sim.imp)
		return;
	h.command = USBIP_RET_SUBMIT;
	h.seqnum = seqnum;
	h.u.ret_submit.status = status;
	h.u.ret_submit.actual_length = (int32_t)actual;
	if (sim.h.armed && sim.h.armed_seq == seqnum) {
		hostile_ret_submit(&h, req_len, data);
		return;
	}
	usbip_header_encode(&h, hb);
	conn_send(sim.imp, hb, sizeof(hb), data, data ? actual : 0);
}

/* --hostile flood / flood-unlink: keep 64 KiB queued behind the socket. */

static void on_submit(const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	bool in = h->direction == USBIP_DIR_IN;
	struct sim_ep *e;
	struct sim_urb *u;
	int32_t tbl = h->u.cmd_submit.transfer_buffer_length;

	if (sim.h.silent) {
		rec("HOSTILE %s: CMD_SUBMIT seq=%u ep=%u not answered", sim.h.spec, h->seqnum, h->ep);
		return;
	}
	if (h->devid != sim.devid) {
		rec("ERROR seq=%u devid 0x%08x is not the imported 0x%08x: closing", h->seqnum,
		    h->devid, sim.devid);
		sim.close_why = "devid mismatch";
		return;
	}
	if (h->ep == 0)
		sim.h.nctrl++;
	if (sim.h.act && !sim.h.fired &&
	    ((sim.h.when == HW_CTRL && h->ep == 0 && sim.h.nctrl == sim.h.when_n) ||
	     (sim.h.when == HW_VENDOR && h->ep == 0 && (h->u.cmd_submit.setup[0] & 0x60)) ||
	     (sim.h.when == HW_IN && h->ep != 0 && in))) {
		char at[64];

		snprintf(at, sizeof(at), "at CMD_SUBMIT seq=%u ep=%u", h->seqnum, h->ep);
		if (sim.h.act >= HA_FLOOD) {
			hostile_stream(sim.imp, at);
			return;
		}
		sim.h.fired = sim.h.armed = true;
		sim.h.armed_seq = h->seqnum;
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
		sim.close_why = "bad length";
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
		/* usbip-host answers nothing for an endpoint the configuration (or the
		 * interface's current alternate setting) lacks */
		const struct sim_intf *f = idle_ep(h->ep | (in ? 0x80 : 0));
		const struct sim_intf *now = f ? find_intf(f->number) : NULL;

		if (f)
			rec("ERROR seq=%u %s ep=%u: endpoint of interface %u alt %u, not its "
			    "current alt %u: the URB stays pending", h->seqnum, in ? "IN" : "OUT",
			    h->ep, f->number, f->alt, now ? now->alt : 0);
		else
			rec("ERROR seq=%u %s ep=%u: no such endpoint in configuration %u: the URB "
			    "stays pending", h->seqnum, in ? "IN" : "OUT", h->ep,
			    cur_cfg() ? cur_cfg()->value : 0);
		u->next = sim.lost;
		sim.lost = u;
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

	if (sim.h.silent) {
		rec("HOSTILE %s: CMD_UNLINK seq=%u target=%u not answered", sim.h.spec, h->seqnum,
		    target);
		return;
	}
	if (hostile_unlink(h))
		return;
	for (i = 0; cf && i < cf->n_intf && !found; i++)
		for (k = 0; k < cf->intf[i].n_ep && !found; k++)
			found = unlink_from(&cf->intf[i].ep[k].uq, &cf->intf[i].ep[k].uq_tail, target,
					    &u);
	if (!found)
		found = unlink_from(&sim.lost, NULL, target, &u);
	r.command = USBIP_RET_UNLINK;
	r.seqnum = h->seqnum;
	r.u.ret_unlink.status = found ? -ECONNRESET : 0;
	usbip_header_encode(&r, hb);
	conn_send(sim.imp, hb, sizeof(hb), NULL, 0);
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
	return sim.close_why ? -ECONNRESET : 0;
}

static const struct usbip_rx_ops rx_ops = { rx_payload_len, rx_message };

/* ---- connections ---- */

static void fill_udev(struct usbip_usb_device *u)
{
	const struct sim_cfg *cf = cur_cfg();

	memset(u, 0, sizeof(*u));
	snprintf(u->path, sizeof(u->path), "%s", sim.d.path);
	snprintf(u->busid, sizeof(u->busid), "%s", sim.d.busid);
	u->busnum = sim.d.busnum;
	u->devnum = sim.d.devnum;
	u->speed = sim.d.speed;
	u->idVendor = sim.d.idVendor;
	u->idProduct = sim.d.idProduct;
	u->bcdDevice = sim.d.bcdDevice;
	u->bDeviceClass = sim.d.cls;
	u->bDeviceSubClass = sim.d.sub;
	u->bDeviceProtocol = sim.d.proto;
	u->bConfigurationValue = cf ? cf->value : 0;
	u->bNumConfigurations = (uint8_t)sim.d.n_cfg;
	u->bNumInterfaces = cf ? (uint8_t)cf->n_num : 0;
}

static void conn_close(struct conn *c, const char *why)
{
	struct sim_urb *u;
	unsigned n = 0;

	if (c->fd < 0)
		return;
	if (c->flood)
		rec("HOSTILE flood stopped: %llu bytes sent in %lld ms (%s)", sim.h.flood_sent,
		    (long long)(now_ms() - sim.h.flood_t0), why ? why : "closed");
	hostile_trickle_end(c, why);
	c->flood = 0;
	c->sealed = false;
	if (c == sim.imp) {
		struct sim_cfg *cf = cur_cfg();
		unsigned i, k;

		for (i = 0; cf && i < cf->n_intf; i++)
			for (k = 0; k < cf->intf[i].n_ep; k++)
				for (u = cf->intf[i].ep[k].uq; u; u = u->next)
					n++;
		for (u = sim.lost; u; u = u->next)
			n++;
		while ((u = sim.lost)) {
			sim.lost = u->next;
			urb_free(u);
		}
		sim.imp = NULL;
		sim.h.silent = false;
		sim.h.armed = false;
		cfg_leave(0, false, NULL);
		rec("DISCONNECT peer=%s pending=%u%s%s", c->peer, n, why ? " why=" : "",
		    why ? why : "");
		/* back to how the server hands it out: configured with the active value */
		cfg_enter(cfg_index(sim.d.active));
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
	if (sim.h.version >= 0)
		rep.version = (uint16_t)sim.h.version;
	if (op.code == USBIP_OP_REQ_DEVLIST) {
		struct sim_cfg *cf = cur_cfg() ? cur_cfg() : &sim.d.cfg[cfg_index(sim.d.active)];
		unsigned i;

		rec("DEVLIST peer=%s version=0x%04x", c->peer, op.version);
		rep.code = USBIP_OP_REP_DEVLIST;
		usbip_op_common_encode(&rep, ob);
		if (sim.h.devlist_ndev >= 0) {
			put_be32(cnt, (uint32_t)sim.h.devlist_ndev);
			rec("HOSTILE devlist-ndev=%lld: OP_REP_DEVLIST claims %u devices, has 1",
			    sim.h.devlist_ndev, (uint32_t)sim.h.devlist_ndev);
		}
		if (sim.h.version >= 0)
			rec("HOSTILE version=0x%04lx in OP_REP_DEVLIST", sim.h.version);
		conn_send(c, ob, sizeof(ob), cnt, 4);
		fill_udev(&ud);
		usbip_usb_device_encode(&ud, b);
		conn_send(c, b, USBIP_USB_DEVICE_LEN, NULL, 0);
		for (i = 0; i < cf->n_intf; i++) {
			struct usbip_usb_interface ui = { cf->intf[i].cls, cf->intf[i].sub,
							  cf->intf[i].proto };

			/* usbipd: each interface's current setting */
			if (cf == cur_cfg() ? !cf->intf[i].active : cf->intf[i].alt != 0)
				continue;
			usbip_usb_interface_encode(&ui, b);
			conn_send(c, b, USBIP_USB_INTERFACE_LEN, NULL, 0);
		}
		if (sim.h.devlist_trunc >= 0 && c->out_len > (size_t)sim.h.devlist_trunc) {
			rec("HOSTILE devlist-trunc=%ld: OP_REP_DEVLIST cut at %ld of %zu bytes",
			    sim.h.devlist_trunc, sim.h.devlist_trunc, c->out_len);
			c->out_len = (size_t)sim.h.devlist_trunc;
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
	if (sim.imp && sim.imp != c) {
		/* the previous client may be gone with its EOF not yet read */
		char x;
		ssize_t r = recv(sim.imp->fd, &x, 1, MSG_PEEK | MSG_DONTWAIT);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			conn_close(sim.imp, "closed by the client");
	}
	if (strcmp(busid, sim.d.busid))
		rep.status = USBIP_ST_NODEV;
	else if (sim.imp)
		rep.status = USBIP_ST_DEV_BUSY;
	usbip_op_common_encode(&rep, ob);
	conn_send(c, ob, sizeof(ob), NULL, 0);
	if (sim.h.version >= 0)
		rec("HOSTILE version=0x%04lx in OP_REP_IMPORT", sim.h.version);
	if (rep.status) {
		rec("IMPORT peer=%s busid=%s version=0x%04x -> %s", c->peer, busid, op.version,
		    usbip_status_str(rep.status));
		c->close_after_flush = true;
		return;
	}
	/* a fresh device: configured with the active value, endpoint programs restarted */
	cfg_leave(0, false, NULL);
	cfg_enter(cfg_index(sim.d.active));
	fill_udev(&ud);
	if (sim.h.import_busid) {
		snprintf(ud.busid, sizeof(ud.busid), "%s", sim.h.import_busid);
		rec("HOSTILE import-busid=%s: OP_REP_IMPORT for %s names device %s", ud.busid, busid,
		    ud.busid);
	}
	usbip_usb_device_encode(&ud, b);
	conn_send(c, b, USBIP_USB_DEVICE_LEN, NULL, 0);
	if (sim.h.import_trunc >= 0) {
		rec("HOSTILE import-trunc=%ld: OP_REP_IMPORT cut at %ld of %zu bytes, then close",
		    sim.h.import_trunc, sim.h.import_trunc, c->out_len);
		if (c->out_len > (size_t)sim.h.import_trunc)
			c->out_len = (size_t)sim.h.import_trunc;
		c->sealed = c->close_after_flush = true;
		return;
	}
	if (usbip_rx_init(&c->rx, RX_MAX + 65536))
		abort();
	c->imported = true;
	sim.imp = c;
	rec("IMPORT peer=%s busid=%s version=0x%04x -> ok devid=0x%08x speed=%s cfg=%u", c->peer,
	    busid, op.version, sim.devid, sim_speed_name(sim.d.speed), ud.bConfigurationValue);
	sim.h.nctrl = 0;
	hostile_trickle_start(c);
	if (sim.h.act && sim.h.when == HW_IMPORT && !sim.h.fired)
		hostile_stream(c, "after OP_REP_IMPORT");
}

static void on_readable(struct conn *c)
{
	uint8_t buf[65536];
	long long b;
	ssize_t n, r;
	size_t off;

	for (;;) {
		if (!(b = hostile_trickle_budget(c)))
			return; /* trickle=N: poll() comes back within TRICKLE_TICK_MS */
		n = recv(c->fd, buf, b > 0 && b < (long long)sizeof(buf) ? (size_t)b : sizeof(buf),
			 MSG_DONTWAIT);
		if (n == 0) {
			conn_close(c, "closed by the client");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(c, strerror(errno));
			return;
		}
		hostile_trickle_took(c, (size_t)n);
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
				if (!sim.close_why)
					rec("ERROR peer=%s bad USB/IP stream (%s): closing", c->peer,
					    strerror((int)-r));
				conn_close(c, sim.close_why ? sim.close_why : "protocol error");
				sim.close_why = NULL;
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


static void on_accept(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, one = 1, i;
	char ip[32];

	fd = accept4(sim.lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CONN && sim.conn[i].fd >= 0; i++)
		;
	if (i == MAX_CONN) {
		rec("ERROR too many connections: refusing one");
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sim.conn[i], 0, sizeof(sim.conn[i]));
	sim.conn[i].fd = fd;
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
	snprintf(sim.conn[i].peer, sizeof(sim.conn[i].peer), "%s:%u", ip, ntohs(sa.sin_port));
	rec("CONNECT peer=%s", sim.conn[i].peer);
	hostile_load();
	if (sim.h.accept_close) {
		rec("HOSTILE accept-close: peer=%s closed without a reply", sim.conn[i].peer);
		close(fd);
		sim.conn[i].fd = -1;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: usbip-sim --device FILE [--listen [HOST]:PORT] [--record FILE] "
		   "[--busid BUSID] [--control FIFO] [--hostile SPEC]... [--hostile-file FILE]\n"
		   "A simulated USB device behind a USB/IP server (tests/sim/README.md).\n"
		   "  -d, --device FILE     device description (libconfig)\n"
		   "  -l, --listen H:P      address to listen on (default 127.0.0.1:3240)\n"
		   "  -r, --record FILE     record every URB here (default: none)\n"
		   "  -b, --busid BUSID     exported busid (default: the file's, else 1-1)\n"
		   "  -c, --check           check the device file, print its descriptors, exit\n"
		   "  -C, --control FIFO    read commands from FIFO (made if absent; see\n"
		   "                        tests/sim/README.md, \"Triggers\")\n"
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
		{ "control", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL, *listen_spec = "127.0.0.1:3240", *recf = NULL, *busid = NULL;
	const char *ctl = NULL;
	char err[512];
	struct pollfd pf[MAX_CONN + 3];
	struct conn *pc[MAX_CONN + 3];
	sigset_t ss;
	int o, check = 0, i, n, np, timeout, ctl_at = -1;

	hostile_reset();
	sim.ctlfd = -1;
	while ((o = getopt_long(argc, argv, "d:l:r:b:chH:F:C:", lo, NULL)) != -1) {
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
		case 'F': sim.hostile_file = optarg; break;
		case 'C': ctl = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (!dev || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (sim_dev_load(dev, &sim.d, err, sizeof(err))) {
		fprintf(stderr, "usbip-sim: %s\n", err);
		return 1;
	}
	if (busid) {
		if (!*busid || strlen(busid) > 31) {
			fprintf(stderr, "usbip-sim: --busid must be 1..31 characters\n");
			return 2;
		}
		snprintf(sim.d.busid, sizeof(sim.d.busid), "%s", busid);
		snprintf(sim.d.path, sizeof(sim.d.path), "/sys/devices/usbip-sim/usb%u/%s",
			 sim.d.busnum, busid); /* as sim_dev_load() makes it */
	}
	sim.devid = sim.d.busnum << 16 | (sim.d.devnum & 0xffff);
	if (check) {
		sim_dev_print(&sim.d, stdout);
		return 0;
	}
	sim.t0 = now_ms();
	if (recf) {
		sim.rec = fopen(recf, "w");
		if (!sim.rec) {
			fprintf(stderr, "usbip-sim: %s: %s\n", recf, strerror(errno));
			return 1;
		}
	}
	sim.lfd = listen_on(listen_spec);
	if (sim.lfd < 0) {
		fprintf(stderr, "usbip-sim: cannot listen on %s: %s\n", listen_spec,
			strerror(sim.lfd == -EINVAL ? EINVAL : -sim.lfd));
		return 1;
	}
	if (ctl && (n = ctl_open(ctl)) < 0) {
		fprintf(stderr, "usbip-sim: --control %s: %s\n", ctl,
			n == -EEXIST ? "exists and is not a FIFO" : strerror(-n));
		return 1;
	}
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGUSR1);
	sigaddset(&ss, SIGUSR2);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	sim.sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	for (i = 0; i < MAX_CONN; i++)
		sim.conn[i].fd = -1;
	sim.d.cur = -1;
	cfg_enter(cfg_index(sim.d.active));
	rec("READY listen=%s busid=%s speed=%s device=%s devid=0x%08x%s%s", listen_spec,
	    sim.d.busid, sim_speed_name(sim.d.speed), dev, sim.devid, ctl ? " control=" : "",
	    ctl ? ctl : "");
	printf("usbip-sim: ready on %s busid %s speed %s devid 0x%08x (%s)\n", listen_spec,
	       sim.d.busid, sim_speed_name(sim.d.speed), sim.devid, dev);
	fflush(stdout);
	while (!sim.stop) {
		timeout = run_timers();
		for (i = 0; i < MAX_CONN; i++) {
			if (sim.conn[i].fd >= 0)
				conn_flush(&sim.conn[i]);
			/* a flood keeps bytes queued, so that poll() waits for POLLOUT */
			if (sim.conn[i].fd >= 0 && sim.conn[i].flood)
				flood_fill(&sim.conn[i]);
		}
		np = 0;
		pf[np].fd = sim.sfd;
		pf[np].events = POLLIN;
		pc[np++] = NULL;
		pf[np].fd = sim.lfd;
		pf[np].events = POLLIN;
		pc[np++] = NULL;
		if (sim.ctlfd >= 0) {
			ctl_at = np;
			pf[np].fd = sim.ctlfd;
			pf[np].events = POLLIN;
			pc[np++] = NULL;
		}
		for (i = 0; i < MAX_CONN; i++) {
			if (sim.conn[i].fd < 0)
				continue;
			pf[np].fd = sim.conn[i].fd;
			pf[np].events = (short)((sim.conn[i].close_after_flush ||
						 !hostile_trickle_budget(&sim.conn[i]) ? 0 : POLLIN) |
						(sim.conn[i].out_len ? POLLOUT : 0));
			pc[np++] = &sim.conn[i];
		}
		if (sim.h.trickle && (timeout < 0 || timeout > TRICKLE_TICK_MS))
			timeout = TRICKLE_TICK_MS;
		n = poll(pf, (nfds_t)np, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("usbip-sim: poll");
			return 1;
		}
		if (pf[0].revents) {
			struct signalfd_siginfo si;

			if (read(sim.sfd, &si, sizeof(si)) != sizeof(si)) {
			} else if (si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2) {
				ctl_signal(si.ssi_signo);
			} else {
				rec("STOP signal=%u", si.ssi_signo);
				sim.stop = true;
			}
		}
		if (pf[1].revents & POLLIN)
			on_accept();
		if (ctl_at >= 0 && (pf[ctl_at].revents & POLLIN))
			ctl_readable();
		for (i = 2; i < np; i++) {
			struct conn *c = pc[i];

			if (!c || c->fd < 0 || c->fd != pf[i].fd)
				continue;
			if (pf[i].revents & POLLOUT)
				conn_flush(c);
			if (c->fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				on_readable(c);
		}
	}
	for (i = 0; i < MAX_CONN; i++)
		if (sim.conn[i].fd >= 0)
			conn_close(&sim.conn[i], "stopping");
	if (sim.rec)
		fclose(sim.rec);
	return 0;
}
