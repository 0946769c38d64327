/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relay.h - the running session: one thread, one epoll loop over a signalfd, the
 * USB/IP socket, FunctionFS ep0 and the AIO eventfd. It owns the state machine
 * that turns FunctionFS events and endpoint I/O into USB/IP URBs and back, by the
 * framing rules of the project's design (packet-granular requests, ZLPs carried,
 * class knowledge for Bulk-Only mass storage).
 */
#ifndef GADGETD_RELAY_H
#define GADGETD_RELAY_H

#include "functionfs/ffs_desc.h"
#include "gadgetd/client.h"

#define RELAY_MAX_CONFIGS 8

/* One FunctionFS instance: the function of one configuration. */
struct relay_inst {
	int ep0;                     /* FunctionFS ep0, descriptors already written */
	const int *ep_fd;            /* map->n_ep endpoint files, ep1.. in order */
	const struct ffs_map *map;
	uint8_t bConfigurationValue; /* mirrored on the remote at FUNCTIONFS_ENABLE */
};

struct relay_params {
	struct client *client;      /* imported device; the relay takes the socket over */
	unsigned n_inst;            /* one per configuration presented */
	struct relay_inst inst[RELAY_MAX_CONFIGS];
	int sigfd;                  /* signalfd for SIGINT/SIGTERM */
};

/**
 * relay_run() - relay until a signal or the end of the connection.
 * Return: 0 after SIGINT/SIGTERM; -ECONNRESET when the server closed the connection,
 * -EPROTO for a protocol violation by the server, -ENODEV when the device went away,
 * -errno for local failures. The reason is logged.
 */
int relay_run(const struct relay_params *p);

#endif
