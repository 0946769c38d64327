/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udc_claim.h - one gadgetd per UDC, and what a killed one left behind.
 *
 * A gadgetd holds an exclusive flock(2) on RUN_DIR/UDC.lock for its whole
 * life. The lock belongs to the open file, so the privilege-separated relay
 * child (privsep.c), which inherits the descriptor, holds it too, and the
 * kernel drops it when the last of them exits, SIGKILL and OOM kills included.
 * The file holds the pid of the gadgetd that took it, for the message of the
 * next one.
 *
 * Taking a free lock means no gadgetd serves the UDC: anything under gadgetd's
 * own names for it is a dead one's (a SIGKILL skips the teardown) and is
 * removed, each removal logged: the FunctionFS mounts RUN_DIR/gadgetd.UDC.N,
 * the ConfigFS gadget gadgetd.UDC (configurations, functions, strings), and an
 * unused GadgetFS mount at RUN_DIR/gadgetfs. Gadgets and mounts of other
 * names are never touched.
 */
#ifndef GADGETD_UDC_CLAIM_H
#define GADGETD_UDC_CLAIM_H

#include <stddef.h>

/**
 * udc_claim() - take the lock of @udc (a /sys/class/udc name) for this
 * process's life and remove what a dead gadgetd left for it. Calling it again
 * for the same UDC does nothing; for another UDC the first lock is let go.
 * Return: 0; -EBUSY when a live gadgetd holds the UDC, or a stale FunctionFS
 * mount is still in use; -errno when RUN_DIR or the lock file cannot be made,
 * or the stale gadget cannot be removed; @err says which and what.
 */
int udc_claim(const char *udc, char *err, size_t errlen);

#endif
