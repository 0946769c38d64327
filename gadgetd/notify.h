/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h - tell the service manager how gadgetd is doing, through
 * sd_notify(3) (libsystemd): STATUS= lines a person reads in `systemctl
 * status`, READY=1 once the host has configured the device (Type=notify in
 * gadgetd@.service), STOPPING=1. Started without NOTIFY_SOCKET (not by
 * systemd), every call does nothing. The relay may run in an unprivileged
 * child (--user): the unit says NotifyAccess=all.
 *
 * A build without libsystemd (GADGETD_NO_LIBSYSTEMD: the static ARMv6 build
 * of the armhf package, where Debian ships no libsystemd.a) speaks the same
 * datagram protocol through notify_datagram().
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

/**
 * notify_datagram() - send @state to the service manager's notification socket
 * @socket_name, the way sd_notify(3) does without libsystemd.
 * @socket_name: $NOTIFY_SOCKET: an absolute path of an AF_UNIX socket, or an
 *	abstract socket name written with a leading '@' (sent with a leading NUL,
 *	no terminating NUL in the address). NULL or "" means "not started by a
 *	service manager".
 * @state: newline-separated VAR=value assignments (READY=1, STATUS=...),
 *	sent as one SOCK_DGRAM datagram without its terminating NUL.
 *
 * Follows the protocol of sd_notify(3) ("NOTIFY_SOCKET") and systemd's
 * src/libsystemd/sd-daemon/sd-daemon.c (sd_pid_notify_with_fds()); no
 * credentials or file descriptors are passed.
 *
 * Return: 1 if sent, 0 if @socket_name is NULL or empty; -EINVAL for a name
 * that is neither an absolute path nor '@'-abstract or does not fit in
 * sun_path (also "vsock:..." names, which this build does not speak);
 * -errno of socket() or sendmsg() (-ENOENT no such socket, -ECONNREFUSED
 * nobody listens, -EMSGSIZE @state too long).
 */
int notify_datagram(const char *socket_name, const char *state);

#endif
