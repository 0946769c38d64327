/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gadget.h - the gadget in ConfigFS, through libusbgx: one gadget, one
 * configuration, one FunctionFS function, its mount, and the UDC binding.
 * The only module that includes <usbg/usbg.h>. libusbgx errors become -errno here.
 * Kernel side: drivers/usb/gadget/configfs.c, Documentation/usb/gadget_configfs.rst.
 */
#ifndef GADGETD_GADGET_H
#define GADGETD_GADGET_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define GADGET_MAX_LANGS 8
#define GADGET_MAX_CONFIGS 8

/* One configuration, holding one FunctionFS function. */
struct gadget_config {
	uint8_t bConfigurationValue; /* 1..255, unique */
	uint8_t bmAttributes;        /* 0x80 | 0x40 self-powered | 0x20 remote wakeup */
	unsigned MaxPower_mA;
	const char *configuration[GADGET_MAX_LANGS]; /* iConfiguration text per language */
	const char *ffs_name;        /* FunctionFS instance name (the mount's source) */
	const char *ffs_dir;         /* where to mount it (created if missing) */
};

/* What the host will see at device and configuration level. */
struct gadget_spec {
	const char *name; /* ConfigFS directory and FunctionFS instance name */
	uint16_t idVendor, idProduct, bcdDevice;
	uint8_t bDeviceClass, bDeviceSubClass, bDeviceProtocol;
	unsigned n_lang;
	uint16_t langid[GADGET_MAX_LANGS];
	const char *manufacturer[GADGET_MAX_LANGS]; /* NULL: no string */
	const char *product[GADGET_MAX_LANGS];
	const char *serial[GADGET_MAX_LANGS];
	unsigned n_cfg;              /* in the order the host will index them */
	struct gadget_config cfg[GADGET_MAX_CONFIGS];
	int max_speed;               /* enum usb_desc_speed cap for the link, 0 = the UDC's */
	bool set_owner;              /* mount FunctionFS with uid=, gid= */
	uid_t uid;
	gid_t gid;
};

struct gadget;

/**
 * gadget_udc_busy() - is a gadget driver bound to @udc already? Reads
 * /sys/class/udc/UDC/function (udc/core.c function_show: the bound driver's name,
 * a ConfigFS gadget's name or a legacy gadget module's).
 * Return: 1 with @who filled, 0 if free, -errno if it cannot be read.
 */
int gadget_udc_busy(const char *udc, char *who, size_t wholen);

/**
 * gadget_udc_max_speed() - the fastest speed @udc can link at, from
 * /sys/class/udc/UDC/maximum_speed (drivers/usb/gadget/udc/core.c).
 * Return: an enum usb_desc_speed value (2 full, 3 high, 5 super, 6 super-plus),
 * or -errno (-ENODEV: no such UDC, -EINVAL: a value we do not know).
 */
int gadget_udc_max_speed(const char *udc);

/**
 * gadget_pick_udc() - choose the UDC: @want if given (it must exist in
 * /sys/class/udc), else the only one there.
 * Return: 0 with @udc filled; -ENODEV ("UDC x does not exist (available: ...)",
 * or "no UDC in /sys/class/udc"), -EINVAL (several and none named), with @err.
 */
int gadget_pick_udc(const char *want, char *udc, size_t udclen, char *err, size_t errlen);

/**
 * gadget_create() - create the gadget @s->name with device attributes, strings, and
 * each configuration of @s holding a FunctionFS function, mounted at its ffs_dir.
 * Not yet bound to a UDC.
 * Return: 0, -EEXIST (a gadget of that name exists: another gadgetd?), -ENOENT
 * (ConfigFS or libcomposite missing), -errno; @err filled. On error nothing is left
 * in ConfigFS.
 */
int gadget_create(const struct gadget_spec *s, struct gadget **g, char *err, size_t errlen);

/**
 * gadget_bind() - write @udc into the gadget's UDC attribute (the host sees a device).
 * FunctionFS descriptors must be written first. Return: 0, -EBUSY (UDC in use), -errno.
 */
int gadget_bind(struct gadget *g, const char *udc, char *err, size_t errlen);

/** gadget_unbind() - detach from the UDC (the host sees a disconnect). Idempotent. */
void gadget_unbind(struct gadget *g);

/**
 * gadget_destroy() - unbind, unmount every FunctionFS (its files must be closed), and
 * remove the gadget from ConfigFS. NULL is a no-op.
 */
void gadget_destroy(struct gadget *g);

/**
 * gadget_remove_stale() - remove the ConfigFS gadget @name (unbound first if it
 * is bound), with its configurations, functions and strings: what a gadgetd
 * killed before its teardown leaves. Its FunctionFS mounts must be gone first.
 * Return: 1 removed, 0 no such gadget, or -errno with @err filled.
 */
int gadget_remove_stale(const char *name, char *err, size_t errlen);

#endif
