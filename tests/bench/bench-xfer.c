// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-xfer - timed transfers for `make bench` (tests/bench/bench-job.sh), on a
 * device the host side sees through usbdevfs (a gadget on dummy_hcd or a device
 * on vhci_hcd: the node is given, nothing is looked up), and key events on evdev.
 *
 *   bench-xfer NODE in  EP SIZE DEPTH SECS MAXBYTES   bulk IN URBs of SIZE bytes,
 *   bench-xfer NODE out EP SIZE DEPTH SECS MAXBYTES   DEPTH in flight, resubmitted
 *       until SECS seconds have passed or MAXBYTES bytes were submitted; prints
 *       "RES dir=in ep=0x81 size=N depth=D xfers=K bytes=B secs=S mbps=X status=0"
 *       (mbps: 10^6 bytes per second, from the first submission to the last reap)
 *   bench-xfer NODE zlp EP                            one 0-byte OUT URB (ends the
 *       device-side transfer that full-size OUT URBs leave open)
 *   bench-xfer NODE ctrl TYPE REQ LEN COUNT           COUNT control transfers one
 *       after another (an IN TYPE reads LEN bytes); prints "RES ctrl n=COUNT ok=K
 *       mean_ms= median_ms= min_ms= p95_ms= max_ms= status="
 *   bench-xfer evdev NODE SECS COUNT                  reads /dev/input/eventN with
 *       CLOCK_MONOTONIC stamps; prints "READY", then "KEY code=C value=V t=SEC.NSEC"
 *       for each EV_KEY event until COUNT of them or SECS seconds
 *
 * NODE is /dev/bus/usb/BBB/DDD; interface 0 is claimed. EP is an address (0x81) or
 * #N, the N-th endpoint descriptor (from 1) of the device's first configuration:
 * FunctionFS numbers the gadget's endpoints itself, so only the order is the device's. An URB that does not
 * complete in 10 s ends the run with status=ETIMEDOUT (what was done is reported).
 * Exit status 0 when the run completed, 1 on an error, 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <linux/usbdevice_fs.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 32
#define STUCK_MS 10000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "0", or the errno's name (EPIPE for a stall, ETIMEDOUT, ...) */
static const char *ename(int e)
{
	static char b[16];
	const char *n = e ? strerrorname_np(e) : "0";

	if (n)
		return n;
	snprintf(b, sizeof(b), "E%d", e);
	return b;
}

static int open_dev(const char *node)
{
	unsigned intf = 0;
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("RES error msg=open_%s:_%s\n", node, strerror(errno));
		return -1;
	}
	if (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &intf) < 0) {
		printf("RES error msg=claim_interface_0:_%s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* EP argument: an address, or #N (see the top); 0x100 when there is no such endpoint. */
static unsigned ep_arg(int fd, const char *a)
{
	unsigned char d[8192];
	ssize_t n;
	size_t off, end;
	unsigned want, k = 0;

	if (a[0] != '#')
		return (unsigned)strtoul(a, NULL, 0);
	want = (unsigned)atoi(a + 1);
	if (lseek(fd, 0, SEEK_SET) < 0 || (n = read(fd, d, sizeof(d))) < 18 + 9)
		return 0x100;
	off = d[0];
	if (d[off + 1] != 2)
		return 0x100;
	end = off + (size_t)(d[off + 2] | d[off + 3] << 8);
	if (end > (size_t)n)
		end = (size_t)n;
	for (; off + 2 <= end && d[off] >= 2; off += d[off])
		if (d[off + 1] == 5 && d[off] >= 7 && off + 7 <= end && ++k == want)
			return d[off + 2];
	return 0x100;
}

/* Reap one URB, waiting at most STUCK_MS; NULL (and errno) when none came. */
static struct usbdevfs_urb *reap(int fd)
{
	struct usbdevfs_urb *done = NULL;
	struct pollfd pf = { .fd = fd, .events = POLLOUT };
	double end = now_s() + STUCK_MS / 1000.0;
	int left;

	for (;;) {
		if (ioctl(fd, USBDEVFS_REAPURBNDELAY, &done) == 0)
			return done;
		if (errno != EAGAIN)
			return NULL;
		left = (int)((end - now_s()) * 1000);
		if (left <= 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		poll(&pf, 1, left);
	}
}

static int bulk(int fd, int in, unsigned ep, size_t size, unsigned depth, double secs,
		unsigned long long maxbytes)
{
	static struct usbdevfs_urb u[MAX_DEPTH];
	unsigned char *buf[MAX_DEPTH];
	unsigned long long submitted = 0, bytes = 0, xfers = 0;
	unsigned i, inflight = 0;
	double t0, t1, stop;
	int st = 0;

	for (i = 0; i < depth; i++) {
		buf[i] = malloc(size ? size : 1);
		if (!buf[i])
			return 1;
		memset(buf[i], 0x5a, size);
	}
	t0 = t1 = now_s();
	stop = t0 + secs;
	for (i = 0; i < depth && submitted < maxbytes; i++) {
		memset(&u[i], 0, sizeof(u[i]));
		u[i].type = USBDEVFS_URB_TYPE_BULK;
		u[i].endpoint = (unsigned char)(in ? ep | 0x80 : ep & 0x7f);
		u[i].buffer = buf[i];
		u[i].buffer_length = (int)size;
		if (ioctl(fd, USBDEVFS_SUBMITURB, &u[i]) < 0) {
			st = errno;
			break;
		}
		submitted += size;
		inflight++;
	}
	while (inflight) {
		struct usbdevfs_urb *d = reap(fd);

		if (!d) {
			if (!st)
				st = errno;
			for (i = 0; i < depth; i++)
				ioctl(fd, USBDEVFS_DISCARDURB, &u[i]);
			while (inflight && (d = reap(fd)))
				inflight--;
			break;
		}
		inflight--;
		t1 = now_s();
		if (d->status < 0) {
			if (!st)
				st = -d->status;
			continue;
		}
		bytes += (unsigned long long)d->actual_length;
		xfers++;
		if (!st && t1 < stop && submitted < maxbytes) {
			d->status = 0;
			d->actual_length = 0;
			if (ioctl(fd, USBDEVFS_SUBMITURB, d) < 0) {
				st = errno;
				continue;
			}
			submitted += size;
			inflight++;
		}
	}
	printf("RES dir=%s ep=0x%02x size=%zu depth=%u xfers=%llu bytes=%llu secs=%.3f mbps=%.3f "
	       "status=%s\n", in ? "in" : "out", in ? ep | 0x80 : ep & 0x7f, size, depth, xfers,
	       bytes, t1 - t0, t1 > t0 ? (double)bytes / (t1 - t0) / 1e6 : 0.0, ename(st));
	for (i = 0; i < depth; i++)
		free(buf[i]);
	return st ? 1 : 0;
}

static int zlp(int fd, unsigned ep)
{
	struct usbdevfs_bulktransfer b = { .ep = ep & 0x7f, .len = 0, .timeout = 5000,
					   .data = NULL };
	int r = ioctl(fd, USBDEVFS_BULK, &b);

	printf("RES zlp ep=0x%02x status=%s\n", ep & 0x7f, ename(r < 0 ? errno : 0));
	return r < 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int ctrl(int fd, unsigned type, unsigned req, unsigned len, unsigned count)
{
	unsigned char buf[4096];
	double *t = calloc(count ? count : 1, sizeof(*t)), sum = 0;
	unsigned i, ok = 0;
	int st = 0;

	if (!t || len > sizeof(buf))
		return 2;
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < count; i++) {
		struct usbdevfs_ctrltransfer c = {
			.bRequestType = (uint8_t)type, .bRequest = (uint8_t)req,
			.wValue = 0, .wIndex = 0, .wLength = (uint16_t)len,
			.timeout = 5000, .data = buf,
		};
		double a = now_s();
		int r = ioctl(fd, USBDEVFS_CONTROL, &c);

		if (r < 0) {
			st = errno;
			break;
		}
		t[ok] = (now_s() - a) * 1000;
		sum += t[ok++];
	}
	qsort(t, ok, sizeof(*t), cmp_d);
	if (ok)
		printf("RES ctrl n=%u ok=%u mean_ms=%.3f median_ms=%.3f min_ms=%.3f p95_ms=%.3f "
		       "max_ms=%.3f status=%s\n", count, ok, sum / ok, t[ok / 2], t[0],
		       t[(ok * 95) / 100 < ok ? (ok * 95) / 100 : ok - 1], t[ok - 1], ename(st));
	else
		printf("RES ctrl n=%u ok=0 status=%s\n", count, ename(st));
	free(t);
	return st ? 1 : 0;
}

static int evdev(const char *node, double secs, unsigned count)
{
	int clk = CLOCK_MONOTONIC, fd = open(node, O_RDONLY | O_CLOEXEC);
	double end = now_s() + secs;
	unsigned n = 0;

	if (fd < 0 || ioctl(fd, EVIOCSCLOCKID, &clk) < 0) {
		printf("RES error msg=evdev_%s:_%s\n", node, strerror(errno));
		return 1;
	}
	printf("READY\n");
	while (n < count) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		struct input_event ev[64];
		int left = (int)((end - now_s()) * 1000);
		ssize_t r;
		size_t i;

		if (left <= 0)
			break;
		if (poll(&pf, 1, left) <= 0)
			continue;
		r = read(fd, ev, sizeof(ev));
		if (r < 0)
			break;
		for (i = 0; i < (size_t)r / sizeof(ev[0]); i++) {
			if (ev[i].type != EV_KEY)
				continue;
			printf("KEY code=%u value=%d t=%ld.%06ld\n", ev[i].code, ev[i].value,
			       (long)ev[i].input_event_sec, (long)ev[i].input_event_usec);
			n++;
		}
	}
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-xfer NODE in|out EP SIZE DEPTH SECS MAXBYTES\n"
			"       bench-xfer NODE zlp EP\n"
			"       bench-xfer NODE ctrl TYPE REQ LEN COUNT\n"
			"       bench-xfer evdev NODE SECS COUNT\n");
}

int main(int argc, char **argv)
{
	unsigned ep;
	int fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "evdev"))
		return evdev(argv[2], atof(argv[3]), (unsigned)atoi(argv[4]));
	if (argc < 3) {
		usage();
		return 2;
	}
	if ((!strcmp(argv[2], "in") || !strcmp(argv[2], "out")) && argc == 8) {
		size_t size = strtoul(argv[4], NULL, 0);
		unsigned depth = (unsigned)atoi(argv[5]);

		if (size > (1u << 20) || depth < 1 || depth > MAX_DEPTH) {
			usage();
			return 2;
		}
		fd = open_dev(argv[1]);
		if (fd < 0)
			return 1;
		ep = ep_arg(fd, argv[3]);
		if (ep > 0xff) {
			printf("RES error msg=no_endpoint_%s\n", argv[3]);
			close(fd);
			return 1;
		}
		r = bulk(fd, argv[2][0] == 'i', ep, size, depth, atof(argv[6]),
			 strtoull(argv[7], NULL, 0));
	} else if (!strcmp(argv[2], "zlp") && argc == 4) {
		fd = open_dev(argv[1]);
		if (fd < 0)
			return 1;
		ep = ep_arg(fd, argv[3]);
		r = ep > 0xff ? 1 : zlp(fd, ep);
	} else if (!strcmp(argv[2], "ctrl") && argc == 7) {
		fd = open_dev(argv[1]);
		if (fd < 0)
			return 1;
		r = ctrl(fd, (unsigned)strtoul(argv[3], NULL, 0), (unsigned)strtoul(argv[4], NULL, 0),
			 (unsigned)strtoul(argv[5], NULL, 0), (unsigned)atoi(argv[6]));
	} else {
		usage();
		return 2;
	}
	close(fd);
	return r;
}
