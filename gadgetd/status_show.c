// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status_show.c - `gadgetd --status` (status.h): ask each running gadgetd on
 * its socket in RUN_DIR, print what it says.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/status.h"

#define ASK_TIMEOUT_MS 2000

/*
 * Read the wire form from the socket at @path into @buf. Return: the length,
 * -ECONNREFUSED (no process listens: a daemon that was killed), -ETIMEDOUT (it
 * does not answer), or another -errno.
 */
static int ask(const char *path, char *buf, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct pollfd p;
	size_t got = 0;
	ssize_t n;
	int fd, r = 0;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		r = errno == EAGAIN ? -ETIMEDOUT : -errno; /* EAGAIN: its backlog is full */
		close(fd);
		return r;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (got < len) {
		r = poll(&p, 1, ASK_TIMEOUT_MS);
		if (r <= 0) {
			r = r ? -errno : -ETIMEDOUT;
			break;
		}
		n = read(fd, buf + got, len - got);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	return r < 0 ? r : (int)got;
}

static int cmp_pid(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The pids of RUN_DIR/gadgetd-PID.sock, sorted. Return: how many (at most @max). */
static unsigned list_pids(long *pids, unsigned max)
{
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	d = opendir(RUN_DIR);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		long pid;
		int end = 0;

		if (sscanf(de->d_name, "gadgetd-%ld.sock%n", &pid, &end) == 1 && !de->d_name[end] &&
		    pid > 0)
			pids[n++] = pid;
	}
	closedir(d);
	qsort(pids, n, sizeof(pids[0]), cmp_pid);
	return n;
}

int status_show(const char *name, bool raw)
{
	static char buf[STATUS_WIRE_MAX], table[16384];
	struct gd_status st;
	char path[128];
	long pids[256];
	unsigned n, i, shown = 0;
	int len;

	n = list_pids(pids, sizeof(pids) / sizeof(pids[0]));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), STATUS_SOCK_FMT, pids[i]);
		len = ask(path, buf, sizeof(buf) - 1);
		if (len == -ECONNREFUSED) {
			/* nothing listens: its gadgetd was killed; clean up when we may */
			fprintf(stderr, "gadgetd: %s: left by gadgetd %ld, which is not running%s\n",
				path, pids[i], unlink(path) ? "" : " (removed)");
			continue;
		}
		if (len < 0) {
			if (len != -ENOENT) /* it exited while we looked */
				fprintf(stderr, "gadgetd: %s: gadgetd %ld does not answer: %s\n", path,
					pids[i], strerror(-len));
			continue;
		}
		if (status_decode(buf, (size_t)len, &st)) {
			fprintf(stderr, "gadgetd: %s: gadgetd %ld answered something else than a "
				"status\n", path, pids[i]);
			continue;
		}
		if (!status_matches(&st, name))
			continue;
		if (shown++)
			printf("\n");
		if (raw) {
			fwrite(buf, 1, (size_t)len, stdout);
		} else {
			status_table(&st, (int64_t)time(NULL), table, sizeof(table));
			fputs(table, stdout);
		}
	}
	if (shown)
		return 0;
	if (name && *name)
		printf("no running gadgetd matches '%s' (its pid, UDC, busid or profile)\n", name);
	else
		printf("no gadgetd is running\n");
	return 1;
}
