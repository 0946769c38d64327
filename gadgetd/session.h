/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session.h - one session of gadgetd, as explicit stages:
 *
 *   import    connect to the server, OP_REQ_IMPORT the device (client.h)
 *   describe  read its descriptors and strings (describe.h); the allow policy
 *   present   build the gadget the host will see and bind it to the UDC
 *             (present.h: ConfigFS via gadget.h, FunctionFS files)
 *   relay     until a signal, the server or the device goes, or the host unbinds
 *             (relay.h)
 *
 * With --user everything from import on runs in an unprivileged process and
 * the root process only builds and removes the gadget (privsep.h).
 *   teardown  everything built is undone in reverse order, whatever stage failed
 *
 * Each transition is one log line.
 */
#ifndef GADGETD_SESSION_H
#define GADGETD_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

#include "gadgetd/log.h"
#include "gadgetd/match.h"
#include "gadgetd/profile.h"

#define RUN_DIR "/run/gadgetd"

/* What the command line (and the profile) asked for. */
struct gd_opts {
	const char *remote, *busid, *udc, *profile, *user;
	const char *backend; /* --backend: "auto", "functionfs", "gadgetfs"; NULL: the profile's */
	const char *capture; /* --capture FILE: pcap file of the relayed URBs (capture.h) */
	struct dev_match match; /* --device VID:PID[:SERIAL] or the profile's match: the
				 * busid is found on every connect (match.h); busid NULL */
	int list, check, verbose, use_syslog, once;
	enum log_time log_time;
	uid_t uid; /* --user: the relay's uid and gid */
	gid_t gid;
};

/* How a session ended. */
struct outcome {
	bool permanent; /* retrying cannot help: bad configuration, refused device */
	bool ran;       /* the gadget was up: start the backoff afresh */
};

/**
 * signal_pending() - a SIGINT/SIGTERM waits on @sigfd (the signals are blocked
 * from the start and only ever read from a signalfd: every wait watches it).
 */
bool signal_pending(int sigfd);

struct psep_link;

/**
 * session_network() - the stages that touch the network (import, describe,
 * present, relay) and the teardown of what they built, on @udc (chosen by the
 * local checks), asking the root half of presenting through @link
 * (privsep.h): in the unprivileged network process with --user.
 * Return: as session_run(), @oc filled.
 */
int session_network(const struct gd_opts *o, const struct gd_profile *prof, int sigfd,
		    const char *udc, struct psep_link *link, struct outcome *oc);

/**
 * session_run() - one session: import, describe, present, relay, teardown.
 * Return: 0 when stopped by a signal, else -errno with @oc saying whether a
 * retry can help. Everything it built is undone before it returns.
 */
int session_run(const struct gd_opts *o, const struct gd_profile *prof, int sigfd,
		struct outcome *oc);

#endif
