// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dev-qmp - send QMP commands to QEMU over a guest serial port (lab helper).
 *
 *   dev-qmp TTY JSON-COMMAND...
 *
 * The lab job wires a guest 16550 (ttySn) to a QMP monitor: the monitor listens
 * on a socket chardev, and the serial port's chardev is switched to a client of
 * that socket once the tty is raw (qmp_serial_connect in tests/lab/devlib.sh).
 * This lets a job do what HMP cannot, such as input-send-event with absolute
 * axes for usb-tablet. Each JSON-COMMAND is a QMP object without "id" (e.g.
 * '{"execute":"input-send-event","arguments":{...}}'); dev-qmp negotiates
 * capabilities (an error there means it was done before and is ignored), adds
 * an id to each command, prints each reply line and exits 0 when every command
 * got {"return": ...}, 1 on an error reply, 2 on a timeout (5 s per command).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char line[65536];
static size_t line_len;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int reply_id(const char *l)
{
	const char *p = strstr(l, "\"id\":");

	if (!p)
		return -1;
	p += 5;
	while (*p == ' ')
		p++;
	return atoi(p);
}

/* Read reply lines until one carries "id": ID; 0 return, 1 error, 2 timeout. */
static int wait_reply(int fd, int id, int quiet)
{
	long long end = now_ms() + 5000;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - now_ms();
		char c;
		ssize_t r;

		if (left <= 0)
			return 2;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		r = read(fd, &c, 1);
		if (r <= 0) {
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			return 2;
		}
		if (c != '\n') {
			if (c != '\r' && line_len < sizeof(line) - 1)
				line[line_len++] = c;
			continue;
		}
		line[line_len] = '\0';
		line_len = 0;
		if (reply_id(line) != id)
			continue; /* greeting leftovers, events, other replies */
		if (!quiet)
			printf("%s\n", line);
		return strstr(line, "\"return\"") ? 0 : 1;
	}
}

int main(int argc, char **argv)
{
	struct termios t;
	char buf[65536];
	int fd, i, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: dev-qmp TTY JSON-COMMAND...\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "dev-qmp: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetspeed(&t, B115200);
		t.c_cflag |= CLOCAL | CREAD;
		t.c_cflag &= ~CRTSCTS;
		tcsetattr(fd, TCSANOW, &t);
	}
	tcflush(fd, TCIOFLUSH);
	/* a fresh line first: whatever a killed earlier run left half-sent ends here */
	static const char caps[] = "\n{\"execute\":\"qmp_capabilities\",\"id\":1}\n";

	if (write_all(fd, caps, strlen(caps)) < 0) {
		fprintf(stderr, "dev-qmp: write %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (wait_reply(fd, 1, 1) == 2) {
		fprintf(stderr, "dev-qmp: no QMP reply on %s\n", argv[1]);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		const char *cmd = argv[i];
		size_t n = strlen(cmd);
		int r;

		while (n && (cmd[n - 1] == ' ' || cmd[n - 1] == '\n'))
			n--;
		if (!n || cmd[n - 1] != '}' || n + 32 > sizeof(buf)) {
			fprintf(stderr, "dev-qmp: not a JSON object: %s\n", cmd);
			return 2;
		}
		snprintf(buf, sizeof(buf), "%.*s,\"id\":%d}\n", (int)(n - 1), cmd, i);
		if (write_all(fd, buf, strlen(buf)) < 0) {
			fprintf(stderr, "dev-qmp: write %s: %s\n", argv[1], strerror(errno));
			return 2;
		}
		r = wait_reply(fd, i, 0);
		if (r == 2) {
			fprintf(stderr, "dev-qmp: no reply to %s\n", cmd);
			return 2;
		}
		if (r)
			rc = 1;
	}
	return rc;
}
