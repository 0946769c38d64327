/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relay.h - the running session: one thread, one epoll loop over a signalfd,
 * the USB/IP socket, the gadget backend's ep0 files and its AIO completions.
 * It turns the backend's events and endpoint I/O into USB/IP URBs and back, by
 * the framing rules (pump.h), with class knowledge for Bulk-Only mass storage
 * (bot.h) and a proxy for control requests (ep0_proxy.h).
 *
 *   backend event              -> what happens on the device
 *   ENABLE (SET_CONFIGURATION) -> CMD_SUBMIT SET_CONFIGURATION(bConfigurationValue)
 *                                 (after a device reset if it was enabled before),
 *                                 then every endpoint starts (read-ahead on IN)
 *   DISABLE (reset, unconfig)  -> AIO cancelled, IN URBs unlinked, data the host can
 *                                 no longer expect dropped
 *   SETUP                      -> CMD_SUBMIT on ep0 (ep0_proxy.h)
 *   UNBIND                     -> the session ends
 */
#ifndef GADGETD_RELAY_H
#define GADGETD_RELAY_H

#include "gadgetd/backend.h"
#include "gadgetd/client.h"

#define RELAY_MAX_CONFIGS GB_MAX_INST

struct relay_params {
	struct client *client;      /* imported device; the relay takes the socket over */
	struct gadget_backend *gb;  /* the gadget, presented and bound */
	int sigfd;                  /* signalfd for SIGINT/SIGTERM */
	bool no_readahead;          /* no Bulk-Only read-ahead (profile: readahead = false) */
};

/**
 * relay_run() - relay until a signal or the end of the connection.
 * Return: 0 after SIGINT/SIGTERM; -ECONNRESET when the server closed the connection,
 * -EPROTO for a protocol violation by the server, -ENODEV when the device went away
 * or the gadget was unbound, -errno for local failures. The reason is logged.
 */
int relay_run(const struct relay_params *p);

#endif
