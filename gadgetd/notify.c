// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * notify.c - see notify.h. The protocol: sd_notify(3), through libsystemd,
 * or through notify_datagram() in a build without it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef GADGETD_NO_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "gadgetd/notify.h"
#include "gadgetd/text.h"

static bool ready_sent;

int notify_datagram(const char *socket_name, const char *state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct iovec iov = { .iov_base = (void *)state, .iov_len = strlen(state) };
	struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len;
	int fd, ret = 1;

	if (!socket_name || !*socket_name)
		return 0;
	len = strlen(socket_name);
	if ((socket_name[0] != '/' && socket_name[0] != '@') || len < 2 ||
	    len > sizeof(sa.sun_path) - (socket_name[0] == '/'))
		return -EINVAL;
	memcpy(sa.sun_path, socket_name, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract: the name is all len bytes */
	else
		len++; /* a path: its terminating NUL, as libsystemd sends it */
	mh.msg_namelen = offsetof(struct sockaddr_un, sun_path) + len;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* One datagram to the service manager; nothing happens outside systemd. */
static void notify_send(const char *state)
{
#ifdef GADGETD_NO_LIBSYSTEMD
	notify_datagram(getenv("NOTIFY_SOCKET"), state);
#else
	sd_notify(0, state);
#endif
}

__attribute__((format(printf, 2, 0)))
static void send_status(const char *prefix, const char *fmt, va_list ap)
{
	char raw[256], line[256], msg[sizeof(line) + 32];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix,
		 text_escape(line, sizeof(line), raw)); /* no "\nREADY=1" */
	notify_send(msg);
}

void notify_status(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_status("", fmt, ap);
	va_end(ap);
}

void notify_ready(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_status(ready_sent ? "" : "READY=1\n", fmt, ap);
	va_end(ap);
	ready_sent = true;
}

void notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=stopping");
}
