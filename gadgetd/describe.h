/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * describe.h - read an imported device's descriptors through USB/IP control
 * transfers: DEVICE, every CONFIGURATION (whole wTotalLength), string 0 and every
 * string index the descriptors name (each language), and for a high-speed device
 * DEVICE_QUALIFIER and OTHER_SPEED_CONFIGURATION (USB 2.0 9.4.3, 9.6.2, 9.6.4).
 */
#ifndef GADGETD_DESCRIBE_H
#define GADGETD_DESCRIBE_H

#include <stdbool.h>

#include "functionfs/usb_desc.h"
#include "gadgetd/client.h"

#define DESCRIBE_MAX_CONFIGS 8

struct remote_desc {
	int speed;                          /* enum usb_desc_speed */
	struct usb_desc_device dev;
	unsigned n_cfg;
	struct usb_desc_config *cfg[DESCRIBE_MAX_CONFIGS]; /* index order */
	unsigned active;                    /* index of the active configuration in cfg[] */
	struct usb_desc_config *other;      /* OTHER_SPEED of the active one, or NULL */
	struct usb_desc_strings str;
};

/**
 * describe_device() - read everything above from @c into @d.
 * Return: 0, or -errno with @err naming the descriptor (a device that stalls
 * GET_DESCRIPTOR(CONFIGURATION), a descriptor that does not parse, ...). Stalled
 * string or other-speed requests are not errors: the item is left absent.
 */
int describe_device(struct client *c, struct remote_desc *d, char *err, size_t errlen);

/** describe_free() - release what describe_device() allocated. */
void describe_free(struct remote_desc *d);

#endif
