// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dev-serial - move random bytes both ways between two serial ports (lab helper).
 *
 *   dev-serial TTY-A TTY-B BAUD BYTES
 *   dev-serial TTY - BAUD BYTES       loopback: what is written to TTY comes back on it
 *   dev-serial --modem TTY BITS       wait up to 5 s for the modem input lines BITS
 *                                     (TIOCMGET: a hex mask of TIOCM_CD 0x40, TIOCM_DSR
 *                                     0x100, ...) while the port is open
 *
 * Both ports are made raw, 8N1, no flow control, at BAUD. Then BYTES random
 * bytes are written to TTY-A and must be read, identical and in order, from
 * TTY-B; then the same from TTY-B to TTY-A. Writing and reading overlap, so
 * BYTES may exceed every buffer on the way. A direction fails after 10 s
 * without progress. Prints one line per direction; exit 0 when both arrive
 * intact, 1 otherwise, 2 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define IDLE_MS 10000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static speed_t baud_const(long b)
{
	static const struct { long b; speed_t s; } t[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
		{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
		{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
		{ 921600, B921600 }, { 1000000, B1000000 }, { 3000000, B3000000 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].b == b)
			return t[i].s;
	return 0;
}

static int open_tty(const char *path, speed_t sp)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		fprintf(stderr, "dev-serial: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (tcgetattr(fd, &t) < 0) {
		fprintf(stderr, "dev-serial: %s: tcgetattr: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	cfmakeraw(&t);
	t.c_cflag &= ~(CRTSCTS | CSTOPB | PARENB | CSIZE);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_iflag &= ~(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, sp);
	cfsetospeed(&t, sp);
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		fprintf(stderr, "dev-serial: %s: tcsetattr: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* drain whatever is pending on fd (stale bytes from an earlier run) */
static void drain(int fd)
{
	char b[4096];
	long long end = now_ms() + 300;

	tcflush(fd, TCIOFLUSH);
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (read(fd, b, sizeof(b)) <= 0)
			break;
		end = now_ms() + 300;
	}
}

/* one direction: BYTES from wfd to rfd; 0 when they arrive intact */
static int run(const char *wname, int wfd, const char *rname, int rfd, long baud, size_t n)
{
	unsigned char *out = malloc(n), *in = malloc(n);
	size_t wr = 0, rd = 0, i;
	long long t0 = now_ms(), last = t0, dt;
	int ret = 1;

	if (!out || !in) {
		fprintf(stderr, "dev-serial: out of memory\n");
		exit(2);
	}
	for (i = 0; i < n; i += 256)
		if (getrandom(out + i, n - i < 256 ? n - i : 256, 0) < 0)
			exit(2);
	while (rd < n) {
		struct pollfd p[2] = { { .fd = rfd, .events = POLLIN },
				       { .fd = wfd, .events = wr < n ? POLLOUT : 0 } };
		ssize_t r;

		if (now_ms() - last > IDLE_MS)
			break;
		if (poll(p, 2, 200) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLOUT) {
			r = write(wfd, out + wr, n - wr > 512 ? 512 : n - wr);
			if (r > 0) {
				wr += (size_t)r;
				last = now_ms();
			} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "dev-serial: write %s: %s\n", wname, strerror(errno));
				break;
			}
		}
		if (p[0].revents & POLLIN) {
			r = read(rfd, in + rd, n - rd);
			if (r > 0) {
				rd += (size_t)r;
				last = now_ms();
			} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "dev-serial: read %s: %s\n", rname, strerror(errno));
				break;
			}
		}
	}
	dt = now_ms() - t0;
	/* anything beyond what was sent is an error too */
	if (rd == n) {
		char extra[64];
		struct pollfd p = { .fd = rfd, .events = POLLIN };
		ssize_t r = 0;

		if (poll(&p, 1, 300) > 0)
			r = read(rfd, extra, sizeof(extra));
		if (r > 0) {
			printf("%ld baud %s -> %s: %zu bytes arrived intact, then %zd unexpected bytes\n",
			       baud, wname, rname, n, r);
			goto out;
		}
	}
	for (i = 0; i < rd && in[i] == out[i]; i++)
		;
	if (rd == n && i == n) {
		printf("%ld baud %s -> %s: %zu bytes intact in %lld ms\n", baud, wname, rname, n, dt);
		ret = 0;
	} else if (i < rd) {
		size_t k;

		printf("%ld baud %s -> %s: %zu of %zu bytes written, %zu read, first difference at byte %zu:",
		       baud, wname, rname, wr, n, rd, i);
		printf(" sent");
		for (k = i; k < i + 8 && k < n; k++)
			printf(" %02x", out[k]);
		printf(", got");
		for (k = i; k < i + 8 && k < rd; k++)
			printf(" %02x", in[k]);
		printf("\n");
	} else {
		printf("%ld baud %s -> %s: %zu of %zu bytes written, only %zu read (the first %zu intact), no progress for %d s\n",
		       baud, wname, rname, wr, n, rd, rd, IDLE_MS / 1000);
	}
out:
	free(out);
	free(in);
	return ret;
}

/* --modem: the port's modem input lines, as a host program sees them */
static int modem(const char *path, const char *bits)
{
	int want = (int)strtol(bits, NULL, 16), got = 0, fd = open_tty(path, B115200);
	long long end = now_ms() + 5000;

	if (fd < 0)
		return 2;
	while (now_ms() < end) {
		if (ioctl(fd, TIOCMGET, &got) < 0) {
			fprintf(stderr, "dev-serial: %s: TIOCMGET: %s\n", path, strerror(errno));
			close(fd);
			return 2;
		}
		if ((got & want) == want)
			break;
		usleep(50000);
	}
	printf("%s modem lines 0x%03x: DTR=%d RTS=%d DCD=%d DSR=%d RI=%d CTS=%d\n", path, got,
	       !!(got & TIOCM_DTR), !!(got & TIOCM_RTS), !!(got & TIOCM_CD), !!(got & TIOCM_DSR),
	       !!(got & TIOCM_RI), !!(got & TIOCM_CTS));
	close(fd);
	return (got & want) == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	long baud;
	size_t n;
	speed_t sp;
	int a, b, rc;

	if (argc == 4 && !strcmp(argv[1], "--modem"))
		return modem(argv[2], argv[3]);
	if (argc != 5) {
		fprintf(stderr, "usage: dev-serial TTY-A TTY-B|- BAUD BYTES | --modem TTY BITS\n");
		return 2;
	}
	baud = strtol(argv[3], NULL, 10);
	n = strtoul(argv[4], NULL, 10);
	sp = baud_const(baud);
	if (!sp || !n) {
		fprintf(stderr, "dev-serial: unsupported baud rate %s or byte count %s\n", argv[3], argv[4]);
		return 2;
	}
	a = open_tty(argv[1], sp);
	if (a >= 0 && !strcmp(argv[2], "-")) { /* loopback */
		drain(a);
		rc = run(argv[1], a, argv[1], a, baud, n);
		close(a);
		return rc;
	}
	b = open_tty(argv[2], sp);
	if (a < 0 || b < 0)
		return 2;
	drain(a);
	drain(b);
	rc = run(argv[1], a, argv[2], b, baud, n);
	rc |= run(argv[2], b, argv[1], a, baud, n);
	close(a);
	close(b);
	return rc;
}
