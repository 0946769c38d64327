/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * present_probe.h - what the running kernel's FunctionFS accepts, learned by
 * trying it on a scratch instance rather than from the kernel's version: a
 * distribution kernel may carry a feature back or leave it out.
 */
#ifndef GADGETD_PRESENT_PROBE_H
#define GADGETD_PRESENT_PROBE_H

#include <stdbool.h>

#include "functionfs/ffs_desc.h"

/**
 * present_probe_dfu() - does this kernel's FunctionFS take a DFU functional
 * descriptor (DFU 1.1 section 4.1.3) after a class 0xfe subclass 1 interface?
 * 6.12's f_fs.c ffs_do_single_desc() does ("dfu functional descriptor"); 6.1's
 * answers the descriptors write with -EINVAL ("unknown descriptor"). The first
 * call creates a scratch ConfigFS gadget with one FunctionFS function (never
 * bound to a UDC), writes such descriptors to its ep0 and removes it again;
 * later calls return the cached answer.
 * Return: true if the descriptors were taken; false if refused, or if the
 * probe could not run (no ConfigFS, usb_f_fs not loaded: logged with -v).
 */
bool present_probe_dfu(void);

/**
 * present_ffs_opts() - the descriptor options FunctionFS is given on this
 * kernel (present_choose() and present_ffs() use the same): no isochronous
 * endpoints (dummy_hcd has none), FUNCTIONFS_ALL_CTRL_RECIP, and dfu_desc when
 * present_probe_dfu() has run and said yes. Never probes by itself.
 */
void present_ffs_opts(struct ffs_desc_opts *o);

#endif
