/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h - tell the service manager how gadgetd is doing, through
 * sd_notify(3) (libsystemd): STATUS= lines a person reads in `systemctl
 * status`, READY=1 once the host has configured the device (Type=notify in
 * gadgetd@.service), STOPPING=1. Started without NOTIFY_SOCKET (not by
 * systemd), every call does nothing. The relay may run in an unprivileged
 * child (--user): the unit says NotifyAccess=all.
 */
#ifndef GADGETD_NOTIFY_H
#define GADGETD_NOTIFY_H

#include "gadgetd/log.h"

/** notify_status() - STATUS=@fmt...: what gadgetd is doing now, one line. */
void notify_status(const char *fmt, ...) GD_PRINTF(1, 2);
/** notify_ready() - READY=1 (once per process; later calls only set STATUS). */
void notify_ready(const char *fmt, ...) GD_PRINTF(1, 2);
/** notify_stopping() - STOPPING=1: the daemon is shutting down. */
void notify_stopping(void);

#endif
