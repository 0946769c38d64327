/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.h - what a running gadgetd is doing, for `gadgetd --status`.
 *
 * The daemon serves a unix stream socket, RUN_DIR/gadgetd-PID.sock (mode
 * 0666: anyone may read the status), from a thread of the root process with
 * its own poll loop: it answers at every stage, also while the session blocks
 * in connect() or a descriptor request. Each client gets the wire form of
 * status_fmt.h, then EOF; nothing it sends is read.
 *
 * Two writers, one reader:
 *  - the session and main loop (the root process) set the state and what is
 *    known of the server, the device and the backend, under a mutex; with
 *    --user the network process (privsep.h) sends its part as PSEP_STATUS
 *    messages, which the root process applies;
 *  - the relay (in this process, or with --user in the unprivileged network
 *    process, which cannot reach the socket) counts URBs and bytes per endpoint and
 *    says whether the host configured the device, in a shared anonymous
 *    mapping made before the child is forked, under a sequence lock: one
 *    writer at a time, readers retry while it writes. The child never takes
 *    the mutex (a fork may copy it locked).
 *
 * Every function is a no-op until status_start() succeeded: the unit tests,
 * the fuzz targets and `gadgetd -n` run the relay or the checks without it.
 *
 * States, in session order (session.h): "starting", "checking" (the local
 * checks), "importing" (connect, OP_REQ_IMPORT), "describing", "presenting",
 * "relaying", "tearing down", then "reconnecting" (the wait before the next
 * session) or "stopping".
 */
#ifndef GADGETD_STATUS_H
#define GADGETD_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "gadgetd/log.h"
#include "gadgetd/session.h"
#include "gadgetd/status_fmt.h"

#define STATUS_SOCK_FMT RUN_DIR "/gadgetd-%ld.sock"

/**
 * status_start() - make the shared mapping, bind RUN_DIR/gadgetd-PID.sock and
 * start the thread that answers on it (all signals blocked in it). @o: the
 * options, for the profile, busid and user; @server: "host:port".
 * Return: 0, or -errno (logged; gadgetd runs on without a status).
 */
int status_start(const struct gd_opts *o, const char *server);

/** status_stop() - stop the thread, close and remove the socket. Idempotent. */
void status_stop(void);

/**
 * status_forked() - in the forked network process (privsep.h): close the
 * socket's descriptors; from then on the state, device, backend and error
 * lines go to the root process as PSEP_STATUS messages on @link_fd
 * (psep_msg.h), control bytes replaced, and the relay's counters to the
 * shared mapping.
 */
void status_forked(int link_fd);

/** status_error() - @msg is the last error (log.h's error hook). */
void status_error(const char *msg);

/** status_state() - the session entered @state; @fmt...: a detail, or NULL. */
void status_state(const char *state, const char *fmt, ...) GD_PRINTF(2, 3);

/** status_udc() - the UDC the session chose. */
void status_udc(const char *udc);

/** status_busid() - the busid the session found for --device (match.h). */
void status_busid(const char *busid);

/**
 * status_device() - the imported device: @vid, @pid (idVendor, idProduct, host
 * byte order), @speed ("high"), its @manufacturer and @product strings (NULL:
 * none; both NULL for the same VID:PID keep the strings known, until describing).
 */
void status_device(unsigned vid, unsigned pid, const char *speed, const char *manufacturer,
		   const char *product);

/** status_backend() - "functionfs" or "gadgetfs": how the device is presented. */
void status_backend(const char *backend);

/** status_reconnect() - a session ended and another will begin: one more reconnect. */
void status_reconnect(void);

/** status_relay_begin() - a relay starts: no endpoints, no counts, host not configured. */
void status_relay_begin(void);

/** status_relay_end() - the relay ended: the host no longer has the device. */
void status_relay_end(void);

/* ---- from the relay (maybe the unprivileged child) ---- */

/**
 * status_ep_add() - the relay serves the device's endpoint @addr
 * (bEndpointAddress) of @type (USB_ENDPOINT_XFER_*). A known @addr is kept once.
 */
void status_ep_add(uint8_t addr, uint8_t type);

/**
 * status_urb() - the server answered a URB on endpoint @addr (bEndpointAddress;
 * ep0 either way is 0x00) with @bytes of actual_length.
 */
void status_urb(uint8_t addr, uint32_t bytes);

/**
 * status_host() - the host's configuration: @config its bConfigurationValue, 0
 * when not configured (reset, unconfigured, unplugged); @suspended bus suspend.
 */
void status_host(unsigned config, bool suspended);

/** status_host_off() - configuration @config is no longer selected (if it was). */
void status_host_off(unsigned config);

/** status_snapshot() - a consistent copy of everything above (what a client gets). */
void status_snapshot(struct gd_status *st);

/* ---- status_show.c: the client ---- */

/**
 * status_show() - `gadgetd --status [NAME]`: ask every RUN_DIR/gadgetd-*.sock
 * (or only the gadgetd status_matches() @name) and print a table per daemon,
 * or with @raw the wire form, blocks separated by an empty line. A socket no
 * process listens on (a daemon killed) is not shown: a note on stderr, and it
 * is removed when we may. Return: 0 when one was shown, 1 when none runs (or
 * matches).
 */
int status_show(const char *name, bool raw);

#endif
