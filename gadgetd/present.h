/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * present.h - the present stage: from the device's descriptors to a gadget the
 * host sees. Today through FunctionFS: every configuration FunctionFS can carry
 * becomes one FunctionFS instance of a ConfigFS gadget (gadget.h), whose files
 * are opened and written before the gadget is bound to the UDC; the result is a
 * FunctionFS gadget backend (backend_ffs.h) for the relay.
 */
#ifndef GADGETD_PRESENT_H
#define GADGETD_PRESENT_H

#include <sys/types.h>

#include "functionfs/ffs_desc.h"
#include "gadgetd/backend.h"
#include "gadgetd/describe.h"
#include "gadgetd/gadget.h"
#include "gadgetd/profile.h"
#include "gadgetd/session.h"

/* What is built for one presented configuration. */
struct pcfg {
	unsigned index; /* in remote_desc.cfg[] */
	uint8_t descs[16384], strs[16384];
	ssize_t dlen, slen;
	struct ffs_map map;
	char ffs_name[96], ffs_dir[160];
	int ep0;
	int ep_fd[FFS_MAX_EPS];
};

/* A presented gadget, and how to undo it. */
struct presented {
	char name[160];          /* "gadgetd.UDC" */
	struct gadget_spec spec; /* what ConfigFS was given */
	struct gadget *g;
	struct pcfg *pc;
	int n_pc;
	struct gadget_backend gb;
};

/**
 * present_ffs() - build and bind the gadget for device @d on @udc at
 * @present_speed (enum usb_desc_speed), with @prof's overrides; @o->user makes
 * the files the relay user's. Everything is logged.
 * Return: 0 (bound: @p->gb is ready for relay_run()); -EINTR when a signal came
 * (@sigfd) before binding; -EOPNOTSUPP when FunctionFS cannot carry the active
 * configuration; -errno from ConfigFS or FunctionFS. Undo with present_undo() in
 * every case.
 */
int present_ffs(struct presented *p, const struct gd_opts *o, const struct gd_profile *prof,
		const struct remote_desc *d, const char *udc, int present_speed, int sigfd);

/** present_undo() - unbind, close, remove from ConfigFS; safe on a zeroed or partial @p. */
void present_undo(struct presented *p);

#endif
