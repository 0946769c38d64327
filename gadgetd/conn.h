/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conn.h - the imported device's connection while the relay runs: the
 * transmit queue (CMD_SUBMIT and CMD_UNLINK, written when the socket takes
 * them) and the receive loop (RET_SUBMIT and RET_UNLINK, reassembled by the
 * codec in usbip.h and handed to the relay's callbacks).
 *
 * The socket is non-blocking and watched by the relay's epoll set; EPOLLOUT
 * is armed only while the transmit queue is not empty.
 */
#ifndef GADGETD_CONN_H
#define GADGETD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/client.h"
#include "gadgetd/usbip.h"

/* the largest RET_SUBMIT payload accepted: the largest IN request the relay
 * makes (BOT_IN_CHUNK in pump.h) */
#define CONN_RX_MAX_PAYLOAD 131072
/* The transmit queue: above CONN_TX_SOFT no new OUT data is read from the host
 * (back-pressure, pump.c); above CONN_TX_MAX the server is not reading and the
 * connection is given up. */
#define CONN_TX_SOFT (1u << 20)
#define CONN_TX_MAX (8u << 20)

struct conn {
	struct client *c;   /* fd, devid, next seqnum, the server's name */
	int epfd;           /* the relay's epoll set, for EPOLLOUT */
	uint32_t token;     /* the socket's epoll token in it */
	uint8_t *tx;        /* bytes queued, not yet taken by the socket */
	size_t tx_len, tx_cap;
	uint64_t tx_queued; /* bytes queued since the start */
	uint64_t tx_sent;   /* bytes the socket took since the start */
	bool tx_wait;       /* EPOLLOUT armed */
	struct usbip_rx rx; /* the PDU being reassembled */
};

/**
 * conn_init() - take over @c's socket for the relay. @epfd, @token: the epoll
 * set the socket is (or will be) registered in, with that token.
 * Return: 0 or -ENOMEM.
 */
int conn_init(struct conn *k, struct client *c, int epfd, uint32_t token);

/** conn_free() - release the queues (the socket stays with its client). */
void conn_free(struct conn *k);

/**
 * conn_submit() - queue the CMD_SUBMIT of one URB (usbip_cmd_submit()):
 * @seqnum from client_seqnum(); @ep 0..15; @in direction; @interval > 0 for
 * interrupt endpoints; @setup for ep 0 or NULL; @len transfer_buffer_length in
 * bytes. @data: the OUT payload (@len bytes), or NULL when the caller queues
 * it itself with conn_queue() (several buffers). Return: 0 or -ENOMEM.
 */
int conn_submit(struct conn *k, uint32_t seqnum, unsigned ep, bool in, unsigned interval,
		const uint8_t *setup, const uint8_t *data, size_t len);

/** conn_unlink() - queue CMD_UNLINK @seqnum of URB @target. Return: 0 or -ENOMEM. */
int conn_unlink(struct conn *k, uint32_t seqnum, uint32_t target);

/** conn_busy() - the transmit queue is over CONN_TX_SOFT: read no more from the host. */
static inline bool conn_busy(const struct conn *k)
{
	return k->tx_len > CONN_TX_SOFT;
}

/**
 * conn_queue() - queue @len raw bytes (an OUT payload). Return: 0, -ENOMEM, or
 * -ENOBUFS when the queue would pass CONN_TX_MAX (the server does not read).
 */
int conn_queue(struct conn *k, const void *buf, size_t len);

/**
 * conn_flush() - write what the socket takes now; arm or disarm EPOLLOUT.
 * Return: 0, or -errno of send() (the connection is broken).
 */
int conn_flush(struct conn *k);

/**
 * conn_receive() - handle the socket's epoll @events: flush on EPOLLOUT, and
 * read and decode on EPOLLIN, calling @ops for each PDU. At most 1 MiB per
 * call, so that a server that never stops sending cannot starve the rest of
 * the loop (epoll reports the remainder again). Stops early when *@stop is set.
 * Return: 0; -ECONNRESET when the server closed the connection; -EPROTO for a
 * malformed stream or one an op rejected; -errno of recv(); each logged.
 */
int conn_receive(struct conn *k, uint32_t events, const struct usbip_rx_ops *ops, void *arg,
		 const bool *stop);

#endif
