// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * present_choose.c - which kernel interface presents a device (present.h).
 *
 * FunctionFS first: it carries several configurations, SuperSpeed, and
 * composites, and today's devices keep the path they always had. GadgetFS
 * takes the configuration descriptor as an opaque blob, so it carries what
 * FunctionFS refuses (class-specific descriptors, alternate settings), within
 * its own limits: one configuration, high speed at most, 256 bytes per control
 * transfer (functionfs/gfs_desc.h).
 */
#include <errno.h>
#include <linux/usb/functionfs.h>
#include <stdio.h>
#include <string.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/gfs_desc.h"
#include "gadgetd/present.h"

/* What FunctionFS is asked to take (present.c builds with the same options). */
static const struct ffs_desc_opts ffs_opts = {
	.udc_has_iso = false,
	.extra_flags = FUNCTIONFS_ALL_CTRL_RECIP,
};

static const struct gfs_desc_opts gfs_opts = { .udc_has_iso = false };

int present_choose(const struct remote_desc *d, const char *want, int present_speed,
		   struct present_choice *c)
{
	bool try_ffs = !want || strcmp(want, "gadgetfs"), try_gfs = !want || strcmp(want, "functionfs");
	const struct usb_desc_config *active = d->cfg[d->active];
	char ffs_err[512] = "", gfs_err[512] = "", first_err[512] = "";
	unsigned k;

	memset(c, 0, sizeof(*c));
	if (try_ffs) {
		if (!ffs_desc_check(active, &ffs_opts, ffs_err, sizeof(ffs_err))) {
			c->kind = PRESENT_FUNCTIONFS;
			snprintf(c->why, sizeof(c->why), "%s", want && !strcmp(want, "functionfs") ?
				 "asked for" : "it carries the active configuration");
			return 0;
		}
	}
	if (try_gfs) {
		for (k = 0; k < d->n_cfg; k++) {
			unsigned i = k == 0 ? d->active : (k <= d->active ? k - 1 : k);
			char *e = i == d->active ? gfs_err : first_err;

			if (gfs_desc_check(d->cfg[i], d->speed, &gfs_opts, e, 512))
				continue;
			c->kind = PRESENT_GADGETFS;
			c->cfg_index = i;
			snprintf(c->why, sizeof(c->why), "%s%s%s; configuration %u%s%s",
				 want ? "asked for" : "FunctionFS cannot carry it: ",
				 want ? "" : ffs_err, present_speed > USB_DESC_SPEED_HIGH ?
				 " (shown at high speed)" : "",
				 d->cfg[i]->bConfigurationValue,
				 i == d->active ? "" : ", not the active one, which GadgetFS cannot carry: ",
				 i == d->active ? "" : gfs_err);
			return 0;
		}
	}
	snprintf(c->why, sizeof(c->why), "%s%s%s%s%s", try_ffs ? "FunctionFS: " : "",
		 try_ffs ? ffs_err : "", try_ffs && try_gfs ? "; " : "",
		 try_gfs ? "GadgetFS: " : "", try_gfs ? gfs_err : "");
	return -EOPNOTSUPP;
}
