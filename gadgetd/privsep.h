/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privsep.h - --user: privilege separation as OpenBSD's daemons do it.
 *
 * Each session forks, after the local checks (preflight.h), an unprivileged
 * network process: it drops to the user at once (sandbox.h) and does
 * everything that touches the network: connect, import, describe, parse,
 * choose the backend, build the descriptor blobs, relay. The root process
 * keeps ConfigFS, the FunctionFS and GadgetFS mounts and the UDC: it never
 * holds the server's socket and never parses what the server sent. The two
 * talk over a socketpair in psep_msg.h's messages; the root answers a present
 * request by building the gadget (present_root.h) and handing the endpoint
 * files over with SCM_RIGHTS, a GadgetFS endpoint open in the same way, and
 * takes status updates for `gadgetd --status`. Once relaying, the network
 * process confines itself with a seccomp allow-list (sandbox.h).
 *
 * The root process passes SIGINT/SIGTERM/SIGHUP on as SIGTERM; a network
 * process that has not exited PSEP_STOP_MS later is killed with its whole
 * process group (SIGKILL). Then the root tears the gadget down. The network
 * process dies with the root (PR_SET_PDEATHSIG), which it must: it shares the
 * UDC's lock (udc_claim.h).
 *
 * Without --user the same requests are answered in-process (struct psep_link
 * with fd -1), so both ways build the gadget with the same code.
 */
#ifndef GADGETD_PRIVSEP_H
#define GADGETD_PRIVSEP_H

#include "gadgetd/psep_msg.h"
#include "gadgetd/session.h"

#define PSEP_STOP_MS 3000 /* from SIGTERM to SIGKILL of the network process */

struct present_root;

/* The way to the root half of presenting. */
struct psep_link {
	int fd;                   /* the socketpair; -1: in this process, through @root */
	struct present_root *root;
	uint8_t *buf;             /* PSEP_MSG_MAX: the last reply, which @reply points into */
	struct psep_msg reply;
};

/**
 * psep_call() - send request @req (PSEP_PRESENT_FFS, PSEP_PRESENT_GFS or
 * PSEP_OPEN_EP) and wait for the reply (@l->reply) with its descriptors:
 * exactly @want_fds of them on success (into @fds), none on failure.
 * Return: the reply's status (0 or -errno from the root), -EPROTO when the
 * reply is not a well-formed PSEP_REPLY or has another number of descriptors,
 * -ECONNRESET when the root process is gone, -errno of the socket.
 */
int psep_call(struct psep_link *l, const struct psep_msg *req, int *fds, unsigned want_fds);

/**
 * psep_open_ep() - a gfs_ep_opener (backend_gfs.h) through @ctx, a struct
 * psep_link: the root opens GadgetFS endpoint file @name and writes @cfg.
 * Return: the fd, or -errno.
 */
int psep_open_ep(void *ctx, const char *name, const void *cfg, size_t len, int busy_ms,
		 unsigned *tries);

/**
 * privsep_session() - one session with --user (@o->uid, @o->gid): fork the
 * network process, which runs session_network() on @udc (chosen by the local
 * checks) and exits with its outcome; serve its requests until it exits, stop
 * it on a signal (@sigfd), then undo what was presented.
 * Return: as session_run(), @oc filled; -EIO when the network process died
 * otherwise than by exiting (a seccomp violation: SIGSYS).
 */
int privsep_session(const char *udc, const struct gd_opts *o, const struct gd_profile *prof,
		    int sigfd, struct outcome *oc);

#endif
