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
 *
 * What FunctionFS takes depends on the kernel: 6.12 also takes DFU functional
 * descriptors, learned by trying (present_probe.h) only for a device that has
 * one. Alternate settings stay GadgetFS's on every kernel: 6.12's f_fs answers
 * SET_INTERFACE for alt 1 and 2 itself (ffs_func_set_alt(): re-enables every
 * endpoint, queues FUNCTIONFS_ENABLE without the interface or the alt), so the
 * relay could never forward the host's choice to the device.
 */
#include <errno.h>
#include <linux/usb/functionfs.h>
#include <stdio.h>
#include <string.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/gfs_desc.h"
#include "gadgetd/present.h"
#include "gadgetd/present_probe.h"

/*
 * Can FunctionFS carry @cfg on this kernel? With what the kernel is known to
 * take first; if only a DFU functional descriptor stands in the way, the kernel
 * is asked (once) and @why says so.
 */
static int ffs_carries(const struct usb_desc_config *cfg, char *err, size_t errlen,
		       const char **why)
{
	struct ffs_desc_opts o;

	present_ffs_opts(&o);
	*why = "";
	if (!ffs_desc_check(cfg, &o, err, errlen))
		return 0;
	if (o.dfu_desc)
		return -EOPNOTSUPP;
	o.dfu_desc = true;
	if (ffs_desc_check(cfg, &o, NULL, 0) || !present_probe_dfu())
		return -EOPNOTSUPP;
	*why = " (this kernel's FunctionFS takes DFU functional descriptors)";
	return 0;
}

static const struct gfs_desc_opts gfs_opts = { .udc_has_iso = false };

int present_choose(const struct remote_desc *d, const char *want, int present_speed,
		   struct present_choice *c)
{
	bool try_ffs = !want || strcmp(want, "gadgetfs"), try_gfs = !want || strcmp(want, "functionfs");
	const struct usb_desc_config *active = d->cfg[d->active];
	char ffs_err[512] = "", gfs_err[512] = "", first_err[512] = "";
	const char *ffs_why;
	unsigned k;

	memset(c, 0, sizeof(*c));
	if (try_ffs) {
		if (!ffs_carries(active, ffs_err, sizeof(ffs_err), &ffs_why)) {
			c->kind = PRESENT_FUNCTIONFS;
			snprintf(c->why, sizeof(c->why), "%s%s", want && !strcmp(want, "functionfs") ?
				 "asked for" : "it carries the active configuration", ffs_why);
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
