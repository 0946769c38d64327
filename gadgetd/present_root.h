/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * present_root.h - the half of the present stage that needs root: the
 * ConfigFS gadget and its FunctionFS mounts (gadget.h), or the GadgetFS mount
 * and its ep0 (backend_gfs.h gfs_root_open()), the UDC binding, and the
 * endpoint files. It answers the requests of psep_msg.h, in the root process
 * with --user (privsep.h) or in-process without it, the same way: it never
 * sees the server's bytes, only blobs and attributes the network side built,
 * which it checks again (psep_decode(), then FunctionFS and GadgetFS check
 * the blobs themselves). Everything it makes is root's: FunctionFS is mounted
 * without uid=/gid=, GadgetFS's files keep mode 0600, so no other process of
 * the relay's uid can open ep0 or an endpoint; the relay works on the
 * descriptors it is handed.
 */
#ifndef GADGETD_PRESENT_ROOT_H
#define GADGETD_PRESENT_ROOT_H

#include <stdbool.h>

#include "gadgetd/backend_gfs.h"
#include "gadgetd/gadget.h"
#include "gadgetd/psep_msg.h"

/* What the root half made for one session. */
struct present_root {
	char udc[128];
	char name[160];                          /* "gadgetd.UDC" */
	char ffs_name[GADGET_MAX_CONFIGS][96];   /* "gadgetd.UDC.N" */
	char ffs_dir[GADGET_MAX_CONFIGS][160];   /* RUN_DIR "/gadgetd.UDC.N" */
	struct gadget *g;
	unsigned n_cfg;
	int fd[GADGET_MAX_CONFIGS][1 + FFS_MAX_EPS]; /* ep0, ep1..epN; -1 */
	bool gfs_made;
	struct gfs_root gfs;
};

/** present_root_init() - an empty @rs for a session on @udc. */
void present_root_init(struct present_root *rs, const char *udc);

/**
 * present_root_handle() - carry out request @req (PSEP_PRESENT_FFS,
 * PSEP_PRESENT_GFS or PSEP_OPEN_EP, already decoded and checked) and fill
 * @reply (PSEP_REPLY: status 0 or -errno; for GadgetFS the ep0 file's name and
 * the endpoint files' names; for an endpoint open the -EBUSY retries).
 * @fds, @n_fds: the descriptors that go with the reply, the caller's to close:
 * PRESENT_FFS: per configuration in order, ep0 then ep1..epN (n_ep of it);
 * PRESENT_GFS: ep0; OPEN_EP: the endpoint file. @fds holds PSEP_MAX_FDS.
 * A second present in one session, an endpoint file GadgetFS did not list,
 * are refused (-EALREADY, -ENOENT). Everything is logged.
 * Return: @reply->status.
 */
int present_root_handle(struct present_root *rs, const struct psep_msg *req,
			struct psep_msg *reply, int *fds, unsigned *n_fds);

/**
 * present_root_undo() - unbind and remove what @rs made: the ConfigFS gadget
 * and its FunctionFS mounts, or GadgetFS (UDC disconnected, ep0 closed,
 * unmounted). The relay's copies of the files must be closed. Idempotent.
 */
void present_root_undo(struct present_root *rs);

/** present_root_made() - did @rs bind anything to the UDC (the host saw a device)? */
bool present_root_made(const struct present_root *rs);

#endif
