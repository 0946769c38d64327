// SPDX-License-Identifier: GPL-2.0-or-later
/* client.c - see client.h. It calls connect() for TCP; transport.c for the rest. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/capture.h"
#include "gadgetd/client.h"
#include "gadgetd/transport.h"
#include "gadgetd/usb_wire.h"

static int cancel_fd = -1;
static unsigned dead_peer_s = 10;

void client_set_cancel_fd(int fd)
{
	cancel_fd = fd;
}

void client_set_dead_peer_timeout(unsigned seconds)
{
	dead_peer_s = seconds ? seconds : 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short events, long deadline)
{
	struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = cancel_fd, .events = POLLIN } };
	long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(p, cancel_fd >= 0 ? 2 : 1, (int)left);
		if (r > 0 && cancel_fd >= 0 && (p[1].revents & POLLIN))
			return -EINTR;
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int net_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const uint8_t *p = buf;
	long deadline = now_ms() + timeout_ms;
	ssize_t n;
	int r;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r)
			return r;
	}
	return 0;
}

int net_read_all(int fd, void *buf, size_t len, int timeout_ms)
{
	uint8_t *p = buf;
	long deadline = now_ms() + timeout_ms;
	ssize_t n;
	int r;

	while (len) {
		n = recv(fd, p, len, MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		r = wait_fd(fd, POLLIN, deadline);
		if (r)
			return r;
	}
	return 0;
}

/* @s is an IPv6 address, with or without a %scope (fe80::1%eth0). */
static bool is_ipv6_literal(const char *s)
{
	struct in6_addr a6;
	char tmp[INET6_ADDRSTRLEN];
	size_t n = strcspn(s, "%");

	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return inet_pton(AF_INET6, tmp, &a6) == 1;
}

int remote_parse(const char *s, struct remote *r, char *err, size_t errlen)
{
	const char *host = s, *port = NULL, *end;
	size_t hl;
	char *e;
	long pn;

	memset(r, 0, sizeof(*r));
	if (!s || !*s) {
		snprintf(err, errlen, "--remote: empty host");
		return -EINVAL;
	}
	if (!strncmp(s, "unix:", 5)) {
		if (!s[5] || strlen(s + 5) >= sizeof(r->path)) {
			snprintf(err, errlen, "--remote %.300s: the socket path must be 1..%zu bytes",
				 s, sizeof(r->path) - 1);
			return -EINVAL;
		}
		strcpy(r->path, s + 5);
		snprintf(r->name, sizeof(r->name), "unix:%s", r->path);
		return 0;
	}
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end) {
			snprintf(err, errlen, "--remote %s: missing ']'", s);
			return -EINVAL;
		}
		host = s + 1;
		hl = (size_t)(end - host);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1]) {
			snprintf(err, errlen, "--remote %s: expected ':PORT' after ']'", s);
			return -EINVAL;
		}
	} else {
		end = strrchr(s, ':');
		if (end && strchr(s, ':') != end) {
			/* several ':': a bare IPv6 address (no port), nothing else */
			if (!is_ipv6_literal(s)) {
				snprintf(err, errlen, "--remote %s: neither HOST:PORT nor an IPv6 "
					 "address (write [ADDRESS]:PORT for one with a port)", s);
				return -EINVAL;
			}
			end = NULL;
		}
		hl = end ? (size_t)(end - s) : strlen(s);
		if (end)
			port = end + 1;
	}
	if (hl == 0 || hl >= sizeof(r->host)) {
		snprintf(err, errlen, "--remote %s: bad host name", s);
		return -EINVAL;
	}
	memcpy(r->host, host, hl);
	if (port) {
		errno = 0;
		pn = strtol(port, &e, 10);
		if (!*port || *e || errno || pn < 1 || pn > 65535) {
			snprintf(err, errlen, "--remote %s: port '%s' is not a number in 1..65535", s, port);
			return -EINVAL;
		}
		snprintf(r->port, sizeof(r->port), "%ld", pn);
	} else {
		snprintf(r->port, sizeof(r->port), "%d", USBIP_PORT);
	}
	snprintf(r->name, sizeof(r->name), strchr(r->host, ':') ? "[%s]:%s" : "%s:%s", r->host,
		 r->port);
	return 0;
}

static int tcp_connect(const struct remote *r, int *out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int fd = -1, r_ = -ECONNREFUSED, one = 1, gai;
	long deadline;
	socklen_t sl;

	if (transport_wanted(r)) /* a unix socket or a proxy command: no TCP options */
		return transport_connect(r, out, err, errlen);
	gai = getaddrinfo(r->host, r->port, &hints, &res);
	if (gai) {
		snprintf(err, errlen, "cannot resolve %s: %s", r->host, gai_strerror(gai));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0) {
			r_ = -errno;
			continue;
		}
		deadline = now_ms() + CLIENT_TIMEOUT_MS;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			r_ = 0;
			break;
		}
		if (errno == EINPROGRESS) {
			r_ = wait_fd(fd, POLLOUT, deadline);
			if (!r_) {
				int soerr = 0;

				sl = sizeof(soerr);
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
				r_ = -soerr;
			}
			if (!r_)
				break;
		} else {
			r_ = -errno;
		}
		close(fd);
		fd = -1;
		if (r_ == -EINTR)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", r->name,
			 r_ == -EINTR ? "interrupted" : strerror(-r_));
		return r_;
	}
	/* Both Linux peers set TCP_NODELAY: every URB is a small message. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* USB/IP has no heartbeat: TCP must notice a dead server (research A7) */
	{
		int idle = (int)(dead_peer_s / 3 ? dead_peer_s / 3 : 1);
		int intvl = (int)(dead_peer_s / 6 ? dead_peer_s / 6 : 1), cnt = 3;
		unsigned int uto = dead_peer_s * 1000;

		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &uto, sizeof(uto));
	}
	*out = fd;
	return 0;
}

/* Read an op_common reply and judge it: is the peer a USB/IP server at all? */
static int read_op_reply(int fd, const struct remote *r, uint16_t want_code,
			 struct usbip_op_common *op, char *err, size_t errlen)
{
	uint8_t b[USBIP_OP_COMMON_LEN];
	int rr;

	/* the first byte alone: did anything answer at all? */
	rr = net_read_all(fd, b, 1, CLIENT_TIMEOUT_MS);
	if (rr == -ECONNRESET) {
		/* an SSH or socat tunnel whose far end is down, a server restarting (or
		 * one that refuses version 0x0111 this way): retried as a refused connect */
		snprintf(err, errlen,
			 "%s accepted the connection and closed it without a reply (a tunnel whose "
			 "far end is down, a server restarting, or one that rejects USB/IP version "
			 "0x%04x)", r->name, USBIP_VERSION);
		return -ECONNRESET;
	}
	if (!rr)
		rr = net_read_all(fd, b + 1, sizeof(b) - 1, CLIENT_TIMEOUT_MS);
	if (rr == -ECONNRESET) {
		snprintf(err, errlen,
			 "%s closed the connection without a USB/IP reply: it sent part of one "
			 "and closed; it does not speak USB/IP", r->name);
		return -EPROTO;
	}
	if (rr == -ETIMEDOUT) {
		/* a hung server or a link lost after connect: worth another try */
		snprintf(err, errlen, "%s sent no USB/IP reply within %d s", r->name,
			 CLIENT_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	if (rr) {
		snprintf(err, errlen, "reading the reply of %s: %s", r->name, strerror(-rr));
		return rr;
	}
	usbip_op_common_decode(b, op);
	if ((op->version != USBIP_VERSION && op->version != USBIP_VERSION_OLD) ||
	    op->code != want_code) {
		snprintf(err, errlen,
			 "%s does not speak USB/IP: its reply starts %02x %02x %02x %02x %02x %02x %02x %02x"
			 " (expected version 0x%04x, code 0x%04x)",
			 r->name, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], USBIP_VERSION,
			 want_code);
		return -EPROTO;
	}
	return 0;
}

int client_devlist(const struct remote *r, struct devlist_entry **out, unsigned *n, char *err,
		   size_t errlen)
{
	struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REQ_DEVLIST, 0 };
	uint8_t b[USBIP_USB_DEVICE_LEN];
	struct devlist_entry *list = NULL;
	uint32_t ndev, i, j;
	int fd, rr;

	*out = NULL;
	*n = 0;
	rr = tcp_connect(r, &fd, err, errlen);
	if (rr)
		return rr;
	usbip_op_common_encode(&op, b);
	rr = net_write_all(fd, b, USBIP_OP_COMMON_LEN, CLIENT_TIMEOUT_MS);
	if (rr) {
		snprintf(err, errlen, "sending OP_REQ_DEVLIST to %s: %s", r->name, strerror(-rr));
		goto out;
	}
	rr = read_op_reply(fd, r, USBIP_OP_REP_DEVLIST, &op, err, errlen);
	if (rr)
		goto out;
	if (op.status != USBIP_ST_OK) {
		snprintf(err, errlen, "%s refused OP_REQ_DEVLIST: %s", r->name,
			 usbip_status_str(op.status));
		rr = -EIO;
		goto out;
	}
	rr = net_read_all(fd, b, 4, CLIENT_TIMEOUT_MS);
	if (rr)
		goto short_reply;
	ndev = get_be32(b);
	if (ndev > USBIP_MAX_DEVLIST) {
		snprintf(err, errlen, "%s claims %u exported devices (more than %d): refusing",
			 r->name, ndev, USBIP_MAX_DEVLIST);
		rr = -EPROTO;
		goto out;
	}
	if (ndev) {
		list = calloc(ndev, sizeof(*list));
		if (!list) {
			rr = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < ndev; i++) {
		rr = net_read_all(fd, b, USBIP_USB_DEVICE_LEN, CLIENT_TIMEOUT_MS);
		if (rr)
			goto short_reply;
		if (usbip_usb_device_decode(b, &list[i].udev)) {
			snprintf(err, errlen, "%s sent a device entry whose busid or path is not terminated",
				 r->name);
			rr = -EPROTO;
			goto out;
		}
		if (list[i].udev.bNumInterfaces > USBIP_MAX_INTERFACES) {
			snprintf(err, errlen, "%s: device %s claims %u interfaces", r->name,
				 list[i].udev.busid, list[i].udev.bNumInterfaces);
			rr = -EPROTO;
			goto out;
		}
		list[i].n_intf = list[i].udev.bNumInterfaces;
		for (j = 0; j < list[i].n_intf; j++) {
			rr = net_read_all(fd, b, USBIP_USB_INTERFACE_LEN, CLIENT_TIMEOUT_MS);
			if (rr)
				goto short_reply;
			usbip_usb_interface_decode(b, &list[i].intf[j]);
		}
	}
	*out = list;
	*n = ndev;
	list = NULL;
	rr = 0;
	goto out;
short_reply:
	snprintf(err, errlen, "%s: OP_REP_DEVLIST ended early: %s", r->name, strerror(-rr));
	rr = -EPROTO;
out:
	free(list);
	transport_close(fd);
	return rr;
}

int client_import(const struct remote *r, const char *busid, struct client *c, char *err,
		  size_t errlen)
{
	struct usbip_op_common op;
	uint8_t b[USBIP_USB_DEVICE_LEN];
	int fd = -1, rr;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (usbip_req_import_encode(busid, b) < 0) {
		snprintf(err, errlen, "busid '%s' is not a valid busid (1..31 characters)", busid);
		return -EINVAL;
	}
	rr = tcp_connect(r, &fd, err, errlen);
	if (rr)
		return rr;
	rr = net_write_all(fd, b, USBIP_REQ_IMPORT_LEN, CLIENT_TIMEOUT_MS);
	if (rr) {
		snprintf(err, errlen, "sending OP_REQ_IMPORT to %s: %s", r->name, strerror(-rr));
		goto fail;
	}
	rr = read_op_reply(fd, r, USBIP_OP_REP_IMPORT, &op, err, errlen);
	if (rr)
		goto fail;
	if (op.status != USBIP_ST_OK) {
		transport_close(fd);
		fd = -1;
		if (op.status == USBIP_ST_NODEV) {
			struct devlist_entry *l;
			unsigned n, i;
			char ids[256] = "", e2[256];
			size_t off = 0;

			if (client_devlist(r, &l, &n, e2, sizeof(e2)) == 0) {
				for (i = 0; i < n && off < sizeof(ids) - 40; i++)
					off += (size_t)snprintf(ids + off, sizeof(ids) - off, "%s%s",
								i ? ", " : "", l[i].udev.busid);
				free(l);
				if (!n)
					snprintf(ids, sizeof(ids), "none");
			} else {
				snprintf(ids, sizeof(ids), "the list could not be read");
			}
			snprintf(err, errlen, "busid %s is not exported by %s (exported: %s)", busid,
				 r->name, ids);
			return -ENODEV;
		}
		if (op.status == USBIP_ST_DEV_BUSY) {
			snprintf(err, errlen,
				 "busid %s on %s is busy: another client has imported it", busid,
				 r->name);
			return -EBUSY;
		}
		snprintf(err, errlen, "%s refused to export busid %s: %s", r->name, busid,
			 usbip_status_str(op.status));
		return -EIO;
	}
	rr = net_read_all(fd, b, USBIP_USB_DEVICE_LEN, CLIENT_TIMEOUT_MS);
	if (rr || usbip_usb_device_decode(b, &c->udev)) {
		snprintf(err, errlen, "%s: OP_REP_IMPORT for %s is truncated or malformed", r->name,
			 busid);
		rr = -EPROTO;
		goto fail;
	}
	if (strcmp(c->udev.busid, busid)) {
		snprintf(err, errlen, "%s answered the import of %s with device %s", r->name, busid,
			 c->udev.busid);
		rr = -EPROTO;
		goto fail;
	}
	c->fd = fd;
	c->remote = *r;
	c->devid = c->udev.busnum << 16 | (c->udev.devnum & 0xffff);
	c->next_seqnum = 1;
	c->version = op.version;
	return 0;
fail:
	transport_close(fd);
	return rr;
}

uint32_t client_seqnum(struct client *c)
{
	uint32_t s = c->next_seqnum++;

	if (c->next_seqnum == 0)
		c->next_seqnum = 1;
	return s;
}

static int do_control(struct client *c, const uint8_t setup[8], uint8_t *data, bool *urb_status,
		      char *err, size_t errlen)
{
	uint16_t wlength = usb_setup_wlength(setup);
	int in = (setup[0] & 0x80) && wlength;
	struct usbip_header h;
	uint8_t hb[USBIP_HDR_LEN];
	uint32_t seqnum, command;
	int rr, actual;

	seqnum = client_seqnum(c);
	usbip_cmd_submit(&h, seqnum, c->devid, 0, in, 0, setup, wlength);
	usbip_header_encode(&h, hb);
	rr = net_write_all(c->fd, hb, sizeof(hb), CLIENT_TIMEOUT_MS);
	if (!rr && !in && wlength)
		rr = net_write_all(c->fd, data, wlength, CLIENT_TIMEOUT_MS);
	if (rr) {
		snprintf(err, errlen, "sending a control request to %s: %s", c->remote.name,
			 strerror(-rr));
		return rr;
	}
	capture_submit(c->devid, seqnum, 0, in, 0, setup, in ? NULL : data, wlength);
	rr = net_read_all(c->fd, hb, sizeof(hb), CLIENT_TIMEOUT_MS);
	if (rr) {
		snprintf(err, errlen, "waiting for the reply to a control request from %s: %s",
			 c->remote.name, rr == -ECONNRESET ? "connection closed" : strerror(-rr));
		return rr;
	}
	command = get_be32(hb);
	if (usbip_header_decode(hb, &h) || h.command != USBIP_RET_SUBMIT) {
		snprintf(err, errlen, "%s answered a control request with an unknown PDU (command %u)",
			 c->remote.name, command);
		return -EPROTO;
	}
	/* nothing else is in flight now: any other seqnum is a broken server */
	if (h.seqnum != seqnum) {
		snprintf(err, errlen,
			 "%s answered control request seqnum %u with RET_SUBMIT for seqnum %u",
			 c->remote.name, seqnum, h.seqnum);
		return -EPROTO;
	}
	actual = h.u.ret_submit.actual_length;
	if (actual < 0 || (uint32_t)actual > (in ? wlength : 0xffffffffu)) {
		snprintf(err, errlen, "%s returned actual_length %d for a %u-byte control request",
			 c->remote.name, actual, wlength);
		return -EPROTO;
	}
	if (in && actual) {
		rr = net_read_all(c->fd, data, (size_t)actual, CLIENT_TIMEOUT_MS);
		if (rr) {
			snprintf(err, errlen, "%s: control reply data truncated", c->remote.name);
			return -EPROTO;
		}
	}
	capture_complete(seqnum, h.u.ret_submit.status, in ? data : NULL, (size_t)actual);
	*urb_status = true;
	if (h.u.ret_submit.status) {
		snprintf(err, errlen, "control request %02x %02x failed on the device: %s",
			 setup[0], setup[1], strerror(-h.u.ret_submit.status));
		return h.u.ret_submit.status < 0 ? h.u.ret_submit.status : -EIO;
	}
	return in ? actual : 0;
}

int client_control(struct client *c, const uint8_t setup[8], uint8_t *data, char *err,
		   size_t errlen)
{
	bool urb_status = false;
	int r = do_control(c, setup, data, &urb_status, err, errlen);

	if (r < 0 && !urb_status)
		c->broken = true;
	return r;
}

void client_close(struct client *c)
{
	transport_close(c->fd);
	c->fd = -1;
}
