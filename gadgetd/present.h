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

/* The two ways to present a device (backend.h). */
enum present_backend {
	PRESENT_NONE,
	PRESENT_FUNCTIONFS, /* ConfigFS gadget + FunctionFS: present.c */
	PRESENT_GADGETFS,   /* GadgetFS, the whole UDC: present_gfs.c */
};

struct gfs_layout;
struct gfs_ep_spec;
struct psep_link;

/* A presented gadget, and how to undo it. */
struct presented {
	enum present_backend kind;
	bool made;               /* something the host or ConfigFS sees was built */
	char name[160];          /* "gadgetd.UDC" */
	struct gadget_spec spec; /* what ConfigFS is given */
	struct psep_link *link;  /* the root half (privsep.h), set by the caller */
	struct pcfg *pc;
	int n_pc;
	struct gadget_backend gb;
	/* GadgetFS */
	uint8_t *gfs_blob;         /* the ep0 configuration write */
	struct gfs_layout *lay;    /* its endpoints, every alternate setting */
	struct gfs_ep_spec *eps;
};

/*
 * The choice of backend for a device (present_choose()): FunctionFS when it
 * carries the active configuration (the device keeps the path it always had),
 * else GadgetFS when a configuration fits it, else neither.
 */
struct present_choice {
	enum present_backend kind;
	unsigned cfg_index;       /* GadgetFS: the configuration presented, in remote_desc.cfg[] */
	char why[1536];           /* the reason, for the log; or what each backend cannot carry */
};

/**
 * present_choose() - pick the backend for @d: @want is "auto" (or NULL),
 * "functionfs" or "gadgetfs" (the profile's backend key or --backend).
 * @present_speed: the gadget's link speed (enum usb_desc_speed).
 * Return: 0 with @c filled, or -EOPNOTSUPP with @c->why naming for each
 * backend allowed what it cannot carry.
 */
int present_choose(const struct remote_desc *d, const char *want, int present_speed,
		   struct present_choice *c);

/**
 * present_gfs() - present configuration @cfg_index of @d through GadgetFS on
 * @udc: the ep0 configuration write (functionfs/gfs_desc.h) with @prof's device
 * overrides, which the root half (@p->link, privsep.h) writes to GadgetFS
 * mounted under RUN_DIR, binding the UDC; it hands ep0 back, and opens the
 * endpoint files for the relay as the host selects them (backend_gfs.h).
 * Return: 0 (bound: @p->gb is ready for relay_run()), -EINTR when a signal came
 * first, or -errno; everything logged. Undo with present_undo() in every case.
 */
int present_gfs(struct presented *p, const struct gd_opts *o, const struct gd_profile *prof,
		const struct remote_desc *d, unsigned cfg_index, const char *udc, int sigfd);

/**
 * present_ffs() - build the FunctionFS descriptor and string blobs and the
 * gadget's attributes for device @d on @udc at @present_speed (enum
 * usb_desc_speed), with @prof's overrides; the root half (@p->link, privsep.h)
 * makes the ConfigFS gadget, writes the blobs, binds it and hands back ep0 and
 * the endpoint files, which become @p->gb. Everything is logged.
 * Return: 0 (bound: @p->gb is ready for relay_run()); -EINTR when a signal came
 * (@sigfd) before binding; -EOPNOTSUPP when FunctionFS cannot carry the active
 * configuration; -errno from ConfigFS or FunctionFS. Undo with present_undo() in
 * every case.
 */
int present_ffs(struct presented *p, const struct gd_opts *o, const struct gd_profile *prof,
		const struct remote_desc *d, const char *udc, int present_speed, int sigfd);

/**
 * present_undo() - this process's half: the backend and its copies of the
 * files, whichever backend presented it; safe on a zeroed or partial @p. The
 * root half (present_root_undo()) unbinds, unmounts and removes the rest.
 */
void present_undo(struct presented *p);
/** present_gfs_undo() - the GadgetFS half of present_undo(). */
void present_gfs_undo(struct presented *p);

#endif
