/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend_gfs_int.h - the state of a GadgetFS backend, shared by backend_gfs.c
 * (the operations) and backend_gfs_open.c (open, attach, close). Not for other
 * modules.
 */
#ifndef GADGETD_BACKEND_GFS_INT_H
#define GADGETD_BACKEND_GFS_INT_H

#include <linux/usb/gadgetfs.h>
#include <stdbool.h>

#include "gadgetd/backend_gfs.h"
#include "gadgetd/gfs_io.h"

#define GFS_EVQ 16         /* translated events: at most 3 for each of 5 raw ones */
#define GFS_RAW 5          /* N_EVENT (inode.c:111|118): the kernel queues no more */

struct gfs_xfer;

struct gfs {
	char dir[sizeof(GFS_MOUNT_DIR)];
	char udc[64];                  /* "" when the caller named none */
	char ep0name[GFS_NAME_MAX];
	bool unmount;   /* ours to unmount: we mounted it, or we opened its ep0 */
	bool owns_udc;  /* close() disconnects the UDC first (not when the root process does) */
	gfs_ep_opener open_ep; /* NULL: gfs_ep_open() on dir */
	void *open_ctx;
	int ep0;
	unsigned n_ep;
	struct gfs_ep_spec spec[FFS_MAX_EPS];
	int file_of[FFS_MAX_EPS]; /* index into files[] */
	int fd[FFS_MAX_EPS];      /* -1 while disabled */
	unsigned n_files;
	char files[GFS_MAX_FILES][GFS_NAME_MAX]; /* endpoint files, ep0 excluded */

	int speed;      /* enum usb_device_speed of the last CONNECT; UNKNOWN after DISCONNECT */
	bool bound;     /* GB_EV_BIND was delivered */
	bool configured, suspended;
	bool pending;   /* a GB_EV_SETUP was read and is not answered yet */
	struct usb_ctrlrequest setup; /* that request, as the kernel reported it */
	bool stale;     /* gfs_ep0_refuse() answered a request whose SETUP event is queued */
	uint8_t out[GFS_EP0_MAX]; /* the OUT data stage of that request, taken early */
	ssize_t out_len;          /* its length, -1 while not taken */
	bool drain;     /* an OUT data stage timed out: take it before reading events */
	struct usb_gadgetfs_event raw[GFS_RAW];
	unsigned n_raw; /* events read by backend_gfs_open(), not translated yet */
	struct gb_event q[GFS_EVQ];
	unsigned q_head, q_len;

	struct gfs_xfer *x; /* transfers, between start_io and stop_io */
};

extern const struct gadget_backend_ops gfs_ops;

/** gfs_unbound() - GadgetFS no longer drives the UDC (it went away, or was unbound). */
bool gfs_unbound(const struct gfs *g);

#endif
