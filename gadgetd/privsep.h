/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privsep.h - --user: the relay in a child process that has given up root.
 */
#ifndef GADGETD_PRIVSEP_H
#define GADGETD_PRIVSEP_H

#include "gadgetd/relay.h"
#include "gadgetd/session.h"

/**
 * relay_unprivileged() - run relay_run(@rp) in a child as @o->uid/@o->gid, with
 * no capabilities and no way back (PR_SET_NO_NEW_PRIVS). It inherits the open
 * socket and gadget files, which is all it needs. The parent stays root only to
 * tear the gadget down, and passes SIGINT/SIGTERM (read from @sigfd) on.
 * Return: relay_run()'s result carried through the exit status (0 after a
 * signal), or -EIO when the child died otherwise.
 */
int relay_unprivileged(const struct relay_params *rp, const struct gd_opts *o, int sigfd);

#endif
