/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend_ffs.h - the FunctionFS gadget backend (backend.h): one FunctionFS
 * instance per presented configuration, whose ep0 and endpoint files
 * session.c opened (functionfs/ffs_io.h) before the gadget was bound.
 */
#ifndef GADGETD_BACKEND_FFS_H
#define GADGETD_BACKEND_FFS_H

#include "gadgetd/backend.h"

/* The open files of one FunctionFS instance. */
struct ffs_inst_files {
	int ep0;         /* descriptors and strings already written */
	const int *ep_fd; /* map->n_ep endpoint files, ep1.. in order, O_NONBLOCK */
};

/**
 * backend_ffs_init() - @b as a FunctionFS backend over @n_inst instances:
 * @files[k] the open files and @inst[k] the map and bConfigurationValue of
 * instance k. The files stay the caller's (closed after backend_ffs_free()).
 * Return: 0, -EINVAL (@n_inst over GB_MAX_INST) or -ENOMEM.
 */
int backend_ffs_init(struct gadget_backend *b, unsigned n_inst, const struct ffs_inst_files *files,
		     const struct gb_inst *inst);

/** backend_ffs_free() - release what backend_ffs_init() set up. Safe on a zeroed @b. */
void backend_ffs_free(struct gadget_backend *b);

#endif
