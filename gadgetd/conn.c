// SPDX-License-Identifier: GPL-2.0-or-later
/* conn.c - see conn.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "gadgetd/capture.h"
#include "gadgetd/conn.h"
#include "gadgetd/log.h"

#define TX_INITIAL 65536
#define RX_CHUNK 65536
#define RX_CHUNKS_PER_CALL 16
#define RX_DIRECT_MIN 4096 /* payload bytes still wanted that are read in place */

int conn_init(struct conn *k, struct client *c, int epfd, uint32_t token)
{
	memset(k, 0, sizeof(*k));
	k->c = c;
	k->epfd = epfd;
	k->token = token;
	return usbip_rx_init(&k->rx, CONN_RX_MAX_PAYLOAD);
}

void conn_free(struct conn *k)
{
	usbip_rx_free(&k->rx);
	free(k->tx);
	k->tx = NULL;
	k->tx_len = k->tx_cap = 0;
}

static int queue_raw(struct conn *k, const void *buf, size_t len)
{
	size_t need = k->tx_len + len;

	if (!len)
		return 0;
	if (need > CONN_TX_MAX) {
		log_warnx("%s: %zu bytes wait to be sent and the server takes no more",
			  k->c->remote.name, k->tx_len);
		return -ENOBUFS;
	}
	if (need > k->tx_cap) {
		size_t cap = k->tx_cap ? k->tx_cap : TX_INITIAL;
		uint8_t *t;

		while (cap < need)
			cap *= 2;
		t = realloc(k->tx, cap);
		if (!t)
			return -ENOMEM;
		k->tx = t;
		k->tx_cap = cap;
	}
	memcpy(k->tx + k->tx_len, buf, len);
	k->tx_len += len;
	k->tx_queued += len;
	return 0;
}

int conn_queue(struct conn *k, const void *buf, size_t len)
{
	int r = queue_raw(k, buf, len);

	if (!r)
		capture_data(buf, len);
	return r;
}

int conn_submit(struct conn *k, uint32_t seqnum, unsigned ep, bool in, unsigned interval,
		const uint8_t *setup, const uint8_t *data, size_t len)
{
	struct usbip_header h;
	uint8_t hb[USBIP_HDR_LEN];
	int r;

	usbip_cmd_submit(&h, seqnum, k->c->devid, ep, in, interval, setup, (uint32_t)len);
	usbip_header_encode(&h, hb);
	log_hexdump("CMD_SUBMIT", hb, sizeof(hb));
	r = queue_raw(k, hb, sizeof(hb));
	if (!r && data && !in)
		r = queue_raw(k, data, len);
	if (!r)
		capture_submit(k->c->devid, seqnum, ep, in, interval, setup, data, len);
	return r;
}

int conn_unlink(struct conn *k, uint32_t seqnum, uint32_t target)
{
	struct usbip_header h = { 0 };
	uint8_t hb[USBIP_HDR_LEN];

	h.command = USBIP_CMD_UNLINK;
	h.seqnum = seqnum;
	h.devid = k->c->devid;
	h.u.cmd_unlink.seqnum = target;
	usbip_header_encode(&h, hb);
	log_hexdump("CMD_UNLINK", hb, sizeof(hb));
	capture_unlink(seqnum, target);
	return queue_raw(k, hb, sizeof(hb));
}

int conn_flush(struct conn *k)
{
	size_t done = 0;
	ssize_t n;

	while (done < k->tx_len) {
		n = send(k->c->fd, k->tx + done, k->tx_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		done += (size_t)n;
	}
	if (done) {
		memmove(k->tx, k->tx + done, k->tx_len - done);
		k->tx_len -= done;
		k->tx_sent += done;
	}
	if (!k->tx_len && k->tx_cap > 4 * TX_INITIAL) {
		/* a burst is over: give its memory back */
		free(k->tx);
		k->tx = NULL;
		k->tx_cap = 0;
	}
	if (!!k->tx_len != k->tx_wait) {
		struct epoll_event ev = { .events = EPOLLIN | (k->tx_len ? EPOLLOUT : 0),
					  .data.u32 = k->token };

		k->tx_wait = !!k->tx_len;
		epoll_ctl(k->epfd, EPOLL_CTL_MOD, k->c->fd, &ev);
	}
	return 0;
}

/* With a capture open, each PDU goes through here on its way to the relay. */
struct captured {
	const struct usbip_rx_ops *ops;
	void *arg;
};

static ssize_t cap_payload_len(void *arg, const struct usbip_header *h)
{
	const struct captured *c = arg;

	return c->ops->payload_len(c->arg, h);
}

static int cap_message(void *arg, const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	const struct captured *c = arg;

	if (h->command == USBIP_RET_SUBMIT)
		capture_complete(h->seqnum, h->u.ret_submit.status, len ? payload : NULL,
				 len ? len : (size_t)(h->u.ret_submit.actual_length > 0 ?
						      h->u.ret_submit.actual_length : 0));
	else if (h->command == USBIP_RET_UNLINK)
		capture_unlinked(h->seqnum, h->u.ret_unlink.status);
	return c->ops->message(c->arg, h, payload, len);
}

static const struct usbip_rx_ops cap_ops = { cap_payload_len, cap_message };

int conn_receive(struct conn *k, uint32_t events, const struct usbip_rx_ops *ops, void *arg,
		 const bool *stop)
{
	struct captured cd = { ops, arg };
	uint8_t buf[RX_CHUNK];
	ssize_t n, rr;
	unsigned i;

	if (events & EPOLLOUT) {
		rr = conn_flush(k);
		if (rr)
			return (int)rr;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	if (capture_active()) {
		ops = &cap_ops;
		arg = &cd;
	}
	for (i = 0; i < RX_CHUNKS_PER_CALL; i++) {
		uint8_t *dst;
		size_t room = usbip_rx_room(&k->rx, &dst);
		bool direct = room >= RX_DIRECT_MIN;

		/* the rest of a large payload goes straight into the decoder's buffer */
		n = direct ? recv(k->c->fd, dst, room, MSG_DONTWAIT) :
			     recv(k->c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0) {
			log_warnx("%s closed the connection", k->c->remote.name);
			return -ECONNRESET;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return log_warn_errno(-errno, "%s: connection lost", k->c->remote.name);
		}
		log_hexdump("received", direct ? dst : buf, (size_t)n);
		rr = direct ? usbip_rx_filled(&k->rx, (size_t)n, ops, arg) :
			      usbip_rx_feed(&k->rx, buf, (size_t)n, ops, arg);
		if (rr < 0)
			return rr == -EPROTO || rr == -EMSGSIZE ? -EPROTO : (int)rr;
		if (*stop)
			return 0;
	}
	return 0;
}
