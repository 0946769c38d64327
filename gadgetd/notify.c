// SPDX-License-Identifier: GPL-2.0-or-later
/* notify.c - see notify.h. The protocol: sd_notify(3), libsystemd. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <systemd/sd-daemon.h>

#include "gadgetd/notify.h"
#include "gadgetd/text.h"

static bool ready_sent;

static void send_status(const char *prefix, const char *fmt, va_list ap)
{
	char raw[256], line[256];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	sd_notifyf(0, "%sSTATUS=%s", prefix, text_escape(line, sizeof(line), raw)); /* no "\nREADY=1" */
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
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
