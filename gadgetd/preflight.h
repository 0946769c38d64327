/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * preflight.h - what gadgetd checks on this machine before it touches the
 * network, each with a message that says what to do:
 *
 *   UDC present     /sys/class/udc has one (or the --udc named); on a Raspberry
 *                   Pi without one: dtoverlay=dwc2
 *   privileges      root, or CAP_SYS_ADMIN (mounts) and CAP_DAC_OVERRIDE
 *                   (ConfigFS), and CAP_SETUID/CAP_SETGID for --user
 *   ConfigFS        mounted at /sys/kernel/config (not for --backend gadgetfs)
 *   libcomposite    loaded: /sys/kernel/config/usb_gadget exists (nothing loads
 *                   it on demand): `modprobe libcomposite`
 *   backend module  when the backend is known: usb_f_fs (FunctionFS) or
 *                   gadgetfs loaded, built in, or installed for this kernel
 *                   (the kernel loads both on demand: "usbfunc:ffs", "fs-gadgetfs");
 *                   with auto, one of the two
 *   UDC claimed     (not with -n) the UDC's lock, udc_claim.h: no other
 *                   gadgetd serves it; a dead one's gadget and mounts removed
 *   UDC free        no gadget bound to it, naming the one that is and how to
 *                   free it
 *
 * The backend is chosen per device after describing it (present.h): with
 * auto, ConfigFS and libcomposite are checked (FunctionFS comes first).
 * Nothing here calls libusbgx, which prints its own errors to stderr.
 */
#ifndef GADGETD_PREFLIGHT_H
#define GADGETD_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "gadgetd/session.h"

/**
 * preflight() - run the checks above. @o: the options (--udc, --user);
 * @backend: NULL or "auto", "functionfs", "gadgetfs". @all: go on after a
 * failure (gadgetd -n reports every one), else stop at the first. Each failure
 * is logged as an error. @udc: the UDC chosen, when one is. @err: the first
 * failure's message.
 * Return: 0, or the first failure's -errno: -ENODEV (no such UDC), -EINVAL
 * (several UDCs, none named), -EPERM (privileges), -ENOENT (ConfigFS not
 * mounted), -ENOPKG (a module missing or not loaded), -EBUSY (UDC in use,
 * or held by a live gadgetd), udc_claim()'s -errno.
 */
int preflight(const struct gd_opts *o, const char *backend, bool all, char *udc, size_t udclen,
	      char *err, size_t errlen);

/* ---- the pure parts, for the unit tests ---- */

/**
 * kmod_listed() - does @text (@len bytes of modules.dep or modules.builtin,
 * kmod's formats: "kernel/.../usb_f_fs.ko.xz: deps" or "kernel/.../name.ko")
 * name module @name? '-' and '_' are the same in module names.
 */
bool kmod_listed(const char *text, size_t len, const char *name);

/* Who holds a UDC (/sys/class/udc/UDC/function), for preflight_udc_busy_msg(). */
enum udc_holder {
	HOLDER_OTHER,    /* a name we cannot place */
	HOLDER_GADGETD,  /* a ConfigFS gadget "gadgetd.*": another gadgetd */
	HOLDER_CONFIGFS, /* another ConfigFS gadget */
	HOLDER_MODULE,   /* a legacy gadget module (g_multi, g_ether, ...) */
	HOLDER_GADGETFS, /* a GadgetFS program (maybe a gadgetd with that backend) */
};

/** preflight_udc_busy_msg() - "UDC x is in use by ...: what to do" into @buf. */
void preflight_udc_busy_msg(char *buf, size_t len, const char *udc, const char *who,
			    enum udc_holder kind);

/**
 * preflight_no_udc_msg() - "no UDC in /sys/class/udc: what to do" into @buf,
 * for a machine whose device-tree model is @model ("Raspberry Pi Zero W Rev 1.1";
 * NULL or "" when there is none).
 */
void preflight_no_udc_msg(char *buf, size_t len, const char *model);

#endif
