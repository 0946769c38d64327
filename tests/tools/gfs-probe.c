// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gfs-probe - the GadgetFS backend (gadgetd/backend_gfs.c) against the real
 * kernel, without USB/IP: a hand-built device answered here.
 *
 *   gfs-probe [-u UDC] [-f] [-d DIR] [-t SECS] [-v]
 *
 * Presents 1209:0001 (pid.codes test PID), one configuration of three interfaces:
 *   0  CDC ACM control (2/2/1): Header, Call Management, ACM, Union; interrupt IN 0x85
 *   1  CDC data (0x0a): bulk IN 0x81, bulk OUT 0x02 - OUT is echoed to IN
 *   2  vendor (0xff), alt 0 no endpoints; alt 1 bulk IN 0x86 + bulk OUT 0x07 (echo);
 *      alt 2 interrupt IN 0x8a + bulk OUT 0x07 (echo to the interrupt endpoint)
 * at high and full speed (-f: the full-speed configuration only).
 *
 * Control requests answered here: GET_DESCRIPTOR(STRING) 0-4, SET_INTERFACE and
 * GET_INTERFACE (endpoints of the alt setting enabled, the others disabled),
 * CDC SET/GET_LINE_CODING and SET_CONTROL_LINE_STATE, and vendor requests to
 * interface 2 (bRequestType 0x41 / 0xc1):
 *   0x41 0x01 wValue=EP   halt endpoint EP (ops->ep_halt)
 *   0x41 0x02 wValue=EP   clear its halt (ops->ep_clear_halt)
 *   0x41 0x03 + data      store up to 256 bytes (ops->ep0_read)
 *   0xc1 0x04             return what 0x03 stored
 *   0xc1 0x05 wValue=S    return wLength bytes of test pattern S (tests/sim/pattern.h)
 *   0xc1 0x06 wValue=MS   sleep MS milliseconds, then return 4 bytes (a host that
 *                         gave up meanwhile makes the reply fail -EIDRM)
 * Anything else is stalled. -d DIR writes DIR/device.bin, DIR/config-fs.bin and
 * DIR/config-hs.bin (what the host must read). Events and requests are printed
 * as "PROBE ..." lines on stdout; -v adds the backend's debug log on stderr.
 * Exit status 0 after SIGTERM/SIGINT or -t SECS, 1 when the backend cannot open.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "gadgetd/backend_gfs.h"
#include "gadgetd/log.h"
#include "tests/sim/pattern.h"

#define N_EP 7

/* Endpoint i: interface, alt, address, type, FS mps/interval, HS mps/interval. */
static const struct {
	uint8_t intf, alt, addr, type;
	uint16_t fs_mps;
	uint8_t fs_int;
	uint16_t hs_mps;
	uint8_t hs_int;
} EP[N_EP] = {
	{ 0, 0, 0x85, 3, 16, 16, 16, 9 },  /* ACM notification */
	{ 1, 0, 0x81, 2, 64, 0, 512, 0 },  /* data IN */
	{ 1, 0, 0x02, 2, 64, 0, 512, 0 },  /* data OUT */
	{ 2, 1, 0x86, 2, 64, 0, 512, 0 },
	{ 2, 1, 0x07, 2, 64, 0, 512, 0 },
	{ 2, 2, 0x8a, 3, 64, 1, 64, 4 },
	{ 2, 2, 0x07, 2, 64, 0, 512, 0 },
};

static const char *const STR[] = { NULL, "gadgetd", "GadgetFS probe", "GFS0001",
				   "gfs-probe vendor interface" };

struct echo {
	int out, in; /* endpoint indices */
	bool on;
	struct ffs_req rd, wr;
	size_t len;  /* bytes of the write in flight */
	bool zlp;    /* the write in flight is the ZLP after a full last packet */
	uint8_t buf[4096];
};

static struct {
	struct gadget_backend b;
	struct ffs_map map;
	bool enabled[N_EP];
	uint8_t alt[3];
	struct echo echo[3]; /* interface 1; interface 2 alt 1; interface 2 alt 2 */
	uint8_t line_coding[7];
	uint8_t vbuf[256];
	size_t vlen;
	int verbose;
} P = { .line_coding = { 0x80, 0x25, 0, 0, 0, 0, 8 } };

static const struct gadget_backend_ops *ops(void)
{
	return P.b.ops;
}

static void ep_desc(uint8_t *d, unsigned i, bool hs)
{
	uint16_t mps = hs ? EP[i].hs_mps : EP[i].fs_mps;

	d[0] = 7;
	d[1] = 5;
	d[2] = EP[i].addr;
	d[3] = EP[i].type;
	d[4] = (uint8_t)mps;
	d[5] = (uint8_t)(mps >> 8);
	d[6] = hs ? EP[i].hs_int : EP[i].fs_int;
}

/* The configuration at one speed; returns its length. */
static size_t build_config(uint8_t *c, bool hs)
{
	static const uint8_t if0[] = { 9, 4, 0, 0, 1, 2, 2, 1, 0,
				       5, 0x24, 0x00, 0x10, 0x01, /* Header 1.10 */
				       5, 0x24, 0x01, 0x00, 0x01, /* Call Management */
				       4, 0x24, 0x02, 0x02,       /* ACM: line coding, state */
				       5, 0x24, 0x06, 0x00, 0x01 }; /* Union 0 -> 1 */
	static const uint8_t if1[] = { 9, 4, 1, 0, 2, 0x0a, 0, 0, 0 };
	static const uint8_t if2[3][9] = { { 9, 4, 2, 0, 0, 0xff, 0, 0, 4 },
					   { 9, 4, 2, 1, 2, 0xff, 0, 0, 4 },
					   { 9, 4, 2, 2, 2, 0xff, 0, 0, 4 } };
	size_t n = 9;
	unsigned i, a;

	memcpy(c + n, if0, sizeof(if0));
	n += sizeof(if0);
	ep_desc(c + n, 0, hs);
	n += 7;
	memcpy(c + n, if1, sizeof(if1));
	n += sizeof(if1);
	for (i = 1; i <= 2; i++, n += 7)
		ep_desc(c + n, i, hs);
	for (a = 0; a < 3; a++) {
		memcpy(c + n, if2[a], 9);
		n += 9;
		for (i = 0; i < N_EP; i++)
			if (EP[i].intf == 2 && EP[i].alt == a) {
				ep_desc(c + n, i, hs);
				n += 7;
			}
	}
	c[0] = 9;
	c[1] = 2;
	c[2] = (uint8_t)n;
	c[3] = (uint8_t)(n >> 8);
	c[4] = 3;    /* bNumInterfaces */
	c[5] = 1;    /* bConfigurationValue */
	c[6] = 0;
	c[7] = 0x80; /* bus powered, no remote wakeup (GadgetFS refuses it) */
	c[8] = 50;   /* 100 mA */
	return n;
}

static void save(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

/* ---- echo: bulk OUT to IN through the backend's transfers ---- */

static void echo_read(struct echo *e)
{
	int r = ops()->submit(&P.b, 0, (unsigned)e->out, &e->rd, e->buf, sizeof(e->buf));

	if (r) {
		printf("PROBE error submit read ep 0x%02x: %s\n", EP[e->out].addr, strerror(-r));
		e->on = false;
	}
}

static void echo_write(struct echo *e, size_t len)
{
	int r = ops()->submit(&P.b, 0, (unsigned)e->in, &e->wr, e->buf, len);

	if (r) {
		printf("PROBE error submit write ep 0x%02x: %s\n", EP[e->in].addr, strerror(-r));
		e->on = false;
	}
}

static void on_done(struct ffs_req *req, long res)
{
	struct echo *e = req->owner;
	unsigned addr, mps;

	if (!e || !e->on)
		return;
	if (res < 0) {
		printf("PROBE xfer ep 0x%02x: %s\n", EP[req == &e->rd ? e->out : e->in].addr,
		       strerror((int)-res));
		e->on = false;
		return;
	}
	if (P.verbose > 1)
		printf("PROBE %s ep 0x%02x: %ld bytes\n", req == &e->rd ? "read" : "wrote",
		       EP[req == &e->rd ? e->out : e->in].addr, res);
	if (req == &e->rd) {
		if (!res) {
			echo_read(e);
			return;
		}
		e->len = (size_t)res;
		e->zlp = false;
		echo_write(e, e->len);
		return;
	}
	if (!e->zlp && !ops()->ep_desc(&P.b, 0, (unsigned)e->in, &addr, &mps) && mps &&
	    e->len % mps == 0) {
		e->zlp = true; /* the host's larger read ends only on a short packet */
		echo_write(e, 0);
		return;
	}
	echo_read(e);
}

static void reap(void)
{
	struct ffs_req *done[16];
	long res[16];
	int n, i;

	while ((n = ops()->reap(&P.b, done, res, 16)) > 0)
		for (i = 0; i < n; i++)
			on_done(done[i], res[i]);
}

/* Until @e's requests are reaped (cancelled ones complete soon), at most 1 s. */
static void echo_idle(struct echo *e)
{
	struct pollfd pfd = { .fd = ops()->completion_fd(&P.b), .events = POLLIN };
	int i;

	for (i = 0; i < 100 && (e->rd.busy || e->wr.busy); i++) {
		poll(&pfd, 1, 10);
		reap();
	}
}

static void echo_start(struct echo *e)
{
	echo_idle(e);
	e->rd.owner = e->wr.owner = e;
	e->on = true;
	echo_read(e);
}

static void echo_stop(struct echo *e)
{
	e->on = false;
	if (e->rd.busy)
		ops()->cancel(&P.b, &e->rd);
	if (e->wr.busy)
		ops()->cancel(&P.b, &e->wr);
}

/* ---- endpoints of an alternate setting ---- */

static struct echo *echo_of(unsigned intf, unsigned alt)
{
	if (intf == 1 && alt == 0)
		return &P.echo[0];
	if (intf == 2 && alt)
		return &P.echo[alt];
	return NULL;
}

static void alt_off(unsigned intf)
{
	struct echo *e = echo_of(intf, P.alt[intf]);
	unsigned i;

	if (e)
		echo_stop(e);
	for (i = 0; i < N_EP; i++)
		if (EP[i].intf == intf && P.enabled[i]) {
			ops()->ep_disable(&P.b, 0, i);
			P.enabled[i] = false;
		}
}

static int alt_on(unsigned intf, unsigned alt)
{
	struct echo *e = echo_of(intf, alt);
	unsigned i;
	int r;

	P.alt[intf] = (uint8_t)alt;
	for (i = 0; i < N_EP; i++) {
		if (EP[i].intf != intf || EP[i].alt != alt)
			continue;
		r = ops()->ep_enable(&P.b, 0, i);
		if (r) {
			printf("PROBE error enable ep 0x%02x (interface %u alt %u): %s\n",
			       EP[i].addr, intf, alt, strerror(-r));
			return r;
		}
		P.enabled[i] = true;
	}
	if (e)
		echo_start(e);
	printf("PROBE alt interface=%u alt=%u\n", intf, alt);
	return 0;
}

/* ---- control requests ---- */

static void reply(const struct usb_ctrlrequest *s, const void *d, size_t n)
{
	int r = ops()->ep0_reply(&P.b, 0, s, d, n);

	if (r)
		printf("PROBE error reply: %s\n", strerror(-r));
}

static bool string_desc(const struct usb_ctrlrequest *s)
{
	unsigned idx = le16toh(s->wValue) & 0xff, i;
	uint8_t d[64] = { 4, 3, 0x09, 0x04 };
	const char *t;

	if (idx >= sizeof(STR) / sizeof(STR[0]))
		return false;
	if (idx) {
		t = STR[idx];
		for (i = 0; t[i] && 2 + 2 * i + 1 < sizeof(d); i++) {
			d[2 + 2 * i] = (uint8_t)t[i];
			d[3 + 2 * i] = 0;
		}
		d[0] = (uint8_t)(2 + 2 * i);
		d[1] = 3;
	}
	reply(s, d, d[0]);
	return true;
}

static int ep_index(unsigned addr)
{
	unsigned i;

	for (i = 0; i < N_EP; i++)
		if (EP[i].addr == addr && P.enabled[i])
			return (int)i;
	return -1;
}

static bool vendor(const struct usb_ctrlrequest *s)
{
	unsigned v = le16toh(s->wValue), len = le16toh(s->wLength);
	uint8_t buf[256];
	ssize_t n;
	int i, r;

	switch (s->bRequestType << 8 | s->bRequest) {
	case 0x4101:
	case 0x4102:
		i = ep_index(v);
		if (i < 0)
			return false;
		r = s->bRequest == 1 ? ops()->ep_halt(&P.b, 0, (unsigned)i, (v & 0x80) != 0)
				     : ops()->ep_clear_halt(&P.b, 0, (unsigned)i);
		printf("PROBE %s ep 0x%02x: %s\n", s->bRequest == 1 ? "halt" : "clear-halt", v,
		       r ? strerror(-r) : "ok");
		if (r)
			return false;
		reply(s, NULL, 0);
		return true;
	case 0x4103:
		n = ops()->ep0_read(&P.b, 0, P.vbuf, len);
		printf("PROBE ep0-read %u: %zd\n", len, n);
		P.vlen = n > 0 ? (size_t)n : 0;
		return true; /* the UDC completed the status stage */
	case 0xc104:
		reply(s, P.vbuf, P.vlen);
		return true;
	case 0xc106:
		usleep(v * 1000);
		memset(buf, 0x5a, 4);
		r = ops()->ep0_reply(&P.b, 0, s, buf, 4);
		printf("PROBE late reply: %s\n", r ? strerror(-r) : "ok");
		return true;
	case 0xc105:
		sim_pattern_fill(buf, sizeof(buf), v);
		printf("PROBE pattern wLength=%u\n", len);
		reply(s, buf, len < sizeof(buf) ? len : sizeof(buf));
		return true;
	default:
		return false;
	}
}

static bool setup(const struct usb_ctrlrequest *s)
{
	unsigned v = le16toh(s->wValue), ix = le16toh(s->wIndex);
	uint8_t b;
	ssize_t n;

	switch (s->bRequestType << 8 | s->bRequest) {
	case 0x8006:
		return (v >> 8) == 3 && string_desc(s);
	case 0x010b: /* SET_INTERFACE */
		if (ix > 2 || (ix < 2 && v) || v > 2)
			return false;
		alt_off(ix);
		if (alt_on(ix, v))
			return false;
		reply(s, NULL, 0);
		return true;
	case 0x810a: /* GET_INTERFACE */
		if (ix > 2)
			return false;
		b = P.alt[ix];
		reply(s, &b, 1);
		return true;
	case 0x2120: /* SET_LINE_CODING */
		n = ops()->ep0_read(&P.b, 0, P.line_coding, sizeof(P.line_coding));
		printf("PROBE line-coding %zd bytes: %u baud\n", n,
		       P.line_coding[0] | P.line_coding[1] << 8 | P.line_coding[2] << 16 |
			       (unsigned)P.line_coding[3] << 24);
		return true;
	case 0xa121: /* GET_LINE_CODING */
		reply(s, P.line_coding, sizeof(P.line_coding));
		return true;
	case 0x2122: /* SET_CONTROL_LINE_STATE */
		printf("PROBE control-line-state 0x%04x\n", v);
		reply(s, NULL, 0);
		return true;
	default:
		return ix == 2 && (s->bRequestType & 0x7f) == 0x41 && vendor(s);
	}
}

static void configure(bool on)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		alt_off(i);
	memset(P.alt, 0, sizeof(P.alt));
	if (on)
		for (i = 0; i < 3; i++)
			alt_on(i, 0);
}

static void on_ep0(void)
{
	static const char *const name[] = { "BIND", "UNBIND", "ENABLE", "DISABLE",
					    "SETUP", "SUSPEND", "RESUME" };
	struct gb_event ev[8];
	const struct usb_ctrlrequest *s;
	int n, i;

	while ((n = ops()->events(&P.b, 0, ev, 8)) > 0) {
		for (i = 0; i < n; i++) {
			printf("PROBE event %s\n", name[ev[i].type]);
			if (ev[i].type == GB_EV_ENABLE || ev[i].type == GB_EV_DISABLE)
				configure(ev[i].type == GB_EV_ENABLE);
			if (ev[i].type != GB_EV_SETUP)
				continue;
			s = &ev[i].setup;
			printf("PROBE setup %02x %02x %04x %04x %u (remote wIndex %04x)\n",
			       s->bRequestType, s->bRequest, le16toh(s->wValue), le16toh(s->wIndex),
			       le16toh(s->wLength), ops()->remote_windex(&P.b, 0, s));
			if (!setup(s)) {
				printf("PROBE stall\n");
				ops()->ep0_stall(&P.b, 0, s);
			}
		}
	}
	if (n < 0)
		printf("PROBE error events: %s\n", strerror(-n));
}

static int open_backend(const char *udc, bool fs_only, const char *dir)
{
	static const uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x09, 0x12, 0x01, 0x00,
					 0x00, 0x01, 1, 2, 3, 1 };
	struct gfs_ep_spec spec[N_EP];
	uint8_t blob[4 + 2 * 256 + 18] = { 0 }, fs[7], hs[7];
	char err[512];
	size_t n = 4, fl, hl;
	unsigned i;
	int r;

	fl = build_config(blob + n, false);
	n += fl;
	if (dir)
		save(dir, "config-fs.bin", blob + 4, fl);
	if (!fs_only) {
		hl = build_config(blob + n, true);
		if (dir)
			save(dir, "config-hs.bin", blob + n, hl);
		n += hl;
	}
	memcpy(blob + n, dev, sizeof(dev));
	n += sizeof(dev);
	if (dir)
		save(dir, "device.bin", dev, sizeof(dev));
	P.map.n_ep = N_EP;
	for (i = 0; i < N_EP; i++) {
		ep_desc(fs, i, false);
		ep_desc(hs, i, true);
		if (backend_gfs_ep_spec(&spec[i], fs, fs_only ? NULL : hs, EP[i].intf, EP[i].alt))
			return 1;
		P.map.ep[i].remote_addr = EP[i].addr;
		P.map.ep[i].type = EP[i].type;
		P.map.ep[i].alt = EP[i].alt;
		P.map.ep[i].intf_index = EP[i].intf;
	}
	P.echo[0] = (struct echo){ .out = 2, .in = 1 };
	P.echo[1] = (struct echo){ .out = 4, .in = 3 };
	P.echo[2] = (struct echo){ .out = 6, .in = 5 };
	r = backend_gfs_open(&P.b, udc, blob, n, &P.map, spec, N_EP, 1, err, sizeof(err));
	if (r) {
		printf("PROBE open failed: %s (%s)\n", err, strerror(-r));
		return 1;
	}
	r = ops()->start_io(&P.b, 32);
	if (r) {
		printf("PROBE start_io: %s\n", strerror(-r));
		backend_gfs_close(&P.b);
		return 1;
	}
	printf("PROBE ready %s, %zu-byte configuration write\n", fs_only ? "fs" : "fs+hs", n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *udc = "dummy_udc.0", *dir = NULL;
	struct epoll_event ev[4];
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	bool fs_only = false, stop = false;
	int o, verbose = 0, secs = 0, efd, sfd, tfd, n, i, fd;
	sigset_t ss;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt(argc, argv, "u:fd:t:v")) != -1) {
		switch (o) {
		case 'u': udc = optarg; break;
		case 'f': fs_only = true; break;
		case 'd': dir = optarg; break;
		case 't': secs = atoi(optarg); break;
		case 'v': P.verbose = ++verbose; break;
		default:
			fprintf(stderr, "usage: gfs-probe [-u UDC] [-f] [-d DIR] [-t SECS] [-v]\n");
			return 2;
		}
	}
	log_init(0, verbose ? LOG_V_DETAIL : LOG_V_DEFAULT, LOG_TIME_MONO, "gfs-probe");
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	efd = epoll_create1(EPOLL_CLOEXEC);
	if (open_backend(udc, fs_only, dir))
		return 1;
	its.it_value.tv_sec = secs;
	timerfd_settime(tfd, 0, &its, NULL);
	fd = ops()->ep0_fd(&P.b, 0);
	epoll_ctl(efd, EPOLL_CTL_ADD, fd, &(struct epoll_event){ .events = EPOLLIN, .data.fd = fd });
	fd = ops()->completion_fd(&P.b);
	epoll_ctl(efd, EPOLL_CTL_ADD, fd, &(struct epoll_event){ .events = EPOLLIN, .data.fd = fd });
	epoll_ctl(efd, EPOLL_CTL_ADD, sfd, &(struct epoll_event){ .events = EPOLLIN, .data.fd = sfd });
	epoll_ctl(efd, EPOLL_CTL_ADD, tfd, &(struct epoll_event){ .events = EPOLLIN, .data.fd = tfd });
	on_ep0(); /* what the first read found */
	while (!stop) {
		n = epoll_wait(efd, ev, 4, -1);
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == sfd || ev[i].data.fd == tfd)
				stop = true;
			else if (ev[i].data.fd == ops()->ep0_fd(&P.b, 0))
				on_ep0();
			else
				reap();
		}
	}
	configure(false);
	for (i = 0; i < 3; i++)
		echo_idle(&P.echo[i]);
	ops()->stop_io(&P.b);
	backend_gfs_close(&P.b);
	printf("PROBE closed\n");
	return 0;
}
