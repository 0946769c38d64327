/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client.h - the USB/IP client's blocking phase: TCP connect, OP_REQ_DEVLIST,
 * OP_REQ_IMPORT, and synchronous control transfers on ep0 while the device's
 * descriptors are read (before the relay's event loop takes the socket).
 *
 * Follows tools/usb/usbip/src/usbip_network.c and usbip_attach.c (the reference
 * client) and Documentation/usb/usbip_protocol.rst. Every wait has a deadline.
 * Errors are returned as -errno with a sentence in @err that names the server and
 * what went wrong; nothing is logged here.
 */
#ifndef GADGETD_CLIENT_H
#define GADGETD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/usbip.h"

#define CLIENT_TIMEOUT_MS 10000

struct remote {
	char host[256];
	char port[8];
	char path[108]; /* unix:PATH: the socket's path (sun_path); "" for TCP */
	char name[272]; /* "host:port" or "unix:PATH" for messages */
};

struct devlist_entry {
	struct usbip_usb_device udev;
	unsigned n_intf;
	struct usbip_usb_interface intf[USBIP_MAX_INTERFACES];
};

/* One imported device: the socket and what the server said of it. */
struct client {
	int fd;
	struct remote remote;
	struct usbip_usb_device udev;
	uint32_t devid;       /* (busnum << 16) | devnum */
	uint32_t next_seqnum; /* starts at 1, never 0 */
	uint16_t version;     /* the version the server answered with */
	bool broken;          /* a request failed on the connection, not on the device */
};

/**
 * client_set_cancel_fd() - every blocking wait of this module also watches @fd and
 * ends with -EINTR once it is readable (gadgetd passes its signalfd, so SIGTERM is
 * obeyed while connecting or importing). -1: no such fd.
 */
void client_set_cancel_fd(int fd);

/**
 * client_set_dead_peer_timeout() - @seconds (>= 1): a server silent that long is
 * declared dead, through TCP keepalive (idle @seconds/3, interval @seconds/6, 3
 * probes) and TCP_USER_TIMEOUT (@seconds * 1000 ms, tcp(7)), on every socket
 * connected after the call. The relay then sees -ETIMEDOUT.
 */
void client_set_dead_peer_timeout(unsigned seconds);

/**
 * remote_parse() - "HOST", "HOST:PORT", "[V6ADDR]:PORT" -> @r (port default 3240);
 * "unix:PATH" -> @r->path (a stream socket, see transport.h), host and port empty.
 * Return: 0 or -EINVAL (empty host, bad port, empty or too long PATH) with @err filled.
 */
int remote_parse(const char *s, struct remote *r, char *err, size_t errlen);

/**
 * client_devlist() - OP_REQ_DEVLIST on a connection of its own.
 * @out: malloc'd array of *@n entries (free()), NULL when none.
 * Return: 0, or -ECONNREFUSED/-ETIMEDOUT/-EHOSTUNREACH/... (connect), -EPROTO (not
 * USB/IP, or a reply that does not add up), with @err filled.
 */
int client_devlist(const struct remote *r, struct devlist_entry **out, unsigned *n, char *err,
		   size_t errlen);

/**
 * client_import() - OP_REQ_IMPORT @busid; on success @c holds the socket (TCP_NODELAY,
 * SO_KEEPALIVE) that will carry URBs, and the device's busnum/devnum/speed.
 * Return: 0; -ENODEV for ST_NODEV (the message lists the exported busids),
 * -EBUSY for ST_DEV_BUSY, -EIO for other statuses, -EPROTO for a peer that does
 * not speak USB/IP, or a connect error; @err filled. No socket is left open on error.
 */
int client_import(const struct remote *r, const char *busid, struct client *c, char *err,
		  size_t errlen);

/** client_seqnum() - the next seqnum: 1, 2, ... 0xffffffff, 1 (0 is never used). */
uint32_t client_seqnum(struct client *c);

/**
 * client_control() - one synchronous control transfer on ep0 (CMD_SUBMIT, RET_SUBMIT).
 * @setup: the 8-byte setup packet, USB byte order; its wLength is the buffer length.
 * @data: IN: receives up to wLength bytes; OUT: wLength bytes sent.
 * Return: bytes transferred (actual_length), the URB's negative status (e.g. -EPIPE
 * for a stall), or -EPROTO/-ETIMEDOUT/-ECONNRESET for the connection, with @err.
 * Only for the describe phase: it expects no other URB to be in flight.
 * A failure of the connection (not of the URB) also sets @c->broken.
 */
int client_control(struct client *c, const uint8_t setup[8], uint8_t *data, char *err,
		   size_t errlen);

/** client_close() - close the socket (the server then frees the device). */
void client_close(struct client *c);

/**
 * net_write_all() / net_read_all() - blocking I/O with a deadline of @timeout_ms.
 * Return: 0, -ETIMEDOUT, -ECONNRESET (EOF while reading), or -errno.
 */
int net_write_all(int fd, const void *buf, size_t len, int timeout_ms);
int net_read_all(int fd, void *buf, size_t len, int timeout_ms);

#endif
