// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * present_gfs.c - the present stage through GadgetFS (present.h): one
 * configuration written to GadgetFS's ep0 as the device has it, class-specific
 * descriptors and alternate settings included (functionfs/gfs_desc.h), with
 * the profile's device overrides, on a UDC that GadgetFS takes whole
 * (backend_gfs.h). No ConfigFS gadget is made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "functionfs/gfs_desc.h"
#include "gadgetd/backend_gfs.h"
#include "gadgetd/log.h"
#include "gadgetd/present.h"
#include "gadgetd/privsep.h"

#define GFS_BLOB_MAX (4 + 2 * GFS_CTRL_MAX + 18)

/* The device descriptor the host sees: the device's, then the profile's overrides. */
static void device_overrides(struct usb_desc_device *dev, const struct gd_profile *prof)
{
	if (prof->has_idVendor)
		dev->idVendor = prof->idVendor;
	if (prof->has_idProduct)
		dev->idProduct = prof->idProduct;
	if (prof->has_bcdDevice)
		dev->bcdDevice = prof->bcdDevice;
}

/*
 * UDCs that link at high speed whatever the gadget driver asks: they have no
 * udc_set_speed, so GadgetFS's full-speed cap does not reach them
 * (drivers/usb/musb; gadgetfs.md §1.3).
 */
static bool udc_always_hs(const char *udc)
{
	return !strncmp(udc, "musb", 4);
}

static int build(struct presented *p, const struct gd_profile *prof, const struct remote_desc *d,
		 unsigned idx, const char *udc, ssize_t *len)
{
	struct gfs_desc_opts go = { .udc_has_iso = false, .always_hs = udc_always_hs(udc) };
	struct usb_desc_device dev = d->dev;
	unsigned i;
	int r;

	p->gfs_blob = malloc(GFS_BLOB_MAX);
	p->lay = calloc(1, sizeof(*p->lay));
	p->eps = calloc(GFS_MAX_EPS, sizeof(*p->eps));
	if (!p->gfs_blob || !p->lay || !p->eps)
		return -ENOMEM;
	device_overrides(&dev, prof);
	*len = gfs_config_build(d->cfg[idx], &dev, d->speed, idx == d->active ? d->other : NULL,
				&go, p->gfs_blob, GFS_BLOB_MAX, p->lay);
	if (*len < 0)
		return log_warn_errno((int)*len, "building the GadgetFS configuration %u",
				      d->cfg[idx]->bConfigurationValue);
	for (i = 0; i < p->lay->n_ep; i++) {
		const struct gfs_ep *e = &p->lay->ep[i];

		r = backend_gfs_ep_spec(&p->eps[i], e->fs, e->has_hs ? e->hs : NULL,
					e->bInterfaceNumber, e->bAlternateSetting);
		if (r)
			return log_warn_errno(r, "endpoint 0x%02x of interface %u, alt %u",
					      e->bEndpointAddress, e->bInterfaceNumber,
					      e->bAlternateSetting);
	}
	return 0;
}

/* The root half (present_root.h) writes the configuration and hands ep0 back
 * with the names of the ep0 file and the endpoint files, into @gr. */
static int gfs_request(struct presented *p, ssize_t len, struct gfs_root *gr, int *ep0)
{
	struct psep_msg m = { .type = PSEP_PRESENT_GFS };
	const struct psep_reply *rp = &p->link->reply.u.reply;
	unsigned i;
	int r;

	m.u.gfs = (struct psep_present_gfs){ .bConfigurationValue = p->lay->bConfigurationValue,
					     .blob = p->gfs_blob, .len = (uint32_t)len };
	r = psep_call(p->link, &m, ep0, 1);
	if (r)
		return r;
	if (rp->n_names < 1) {
		close(*ep0);
		return -EPROTO;
	}
	memset(gr, 0, sizeof(*gr));
	gr->ep0 = -1;
	snprintf(gr->ep0name, sizeof(gr->ep0name), "%s", rp->names[0]);
	for (i = 1; i < rp->n_names && i <= GFS_MAX_FILES; i++)
		snprintf(gr->files[gr->n_files++], GFS_NAME_MAX, "%s", rp->names[i]);
	return 0;
}

int present_gfs(struct presented *p, const struct gd_opts *o, const struct gd_profile *prof,
		const struct remote_desc *d, unsigned cfg_index, const char *udc, int sigfd)
{
	struct gfs_root gr;
	char err[1024];
	ssize_t len;
	int r, ep0;

	p->kind = PRESENT_GADGETFS;
	snprintf(p->name, sizeof(p->name), "GadgetFS on %s", udc);
	r = build(p, prof, d, cfg_index, udc, &len);
	if (r)
		return r;
	if (udc_always_hs(udc) && d->speed < USB_DESC_SPEED_HIGH)
		log_info("UDC %s links at high speed only: the %s-speed device is shown at high "
			 "speed, and where its packets are smaller than the gadget's the ends of "
			 "IN transfers may differ", udc, d->speed == USB_DESC_SPEED_LOW ? "low" :
			 "full");
	if (prof->manufacturer || prof->product || prof->serial)
		log_info("GadgetFS: the device's own strings are shown (the manufacturer, product "
			 "and serial overrides apply to FunctionFS only)");
	if (signal_pending(sigfd))
		return -EINTR;
	r = gfs_request(p, len, &gr, &ep0);
	p->made = true; /* the root may have built part of it: teardown says so */
	if (r)
		return r == -EPROTO ? log_warn_errno(r, "presenting through the root process") : r;
	snprintf(gr.udc, sizeof(gr.udc), "%s", udc);
	r = backend_gfs_attach(&p->gb, &gr, ep0, p->gfs_blob, (size_t)len, &p->lay->map, p->eps,
			       p->lay->n_ep, p->lay->bConfigurationValue, psep_open_ep, p->link,
			       err, sizeof(err));
	if (r) {
		log_warnx("GadgetFS: %s", err);
		return r;
	}
	log_info("GadgetFS bound to UDC %s: %04x:%04x is plugged into the host", udc,
		 prof->has_idVendor ? prof->idVendor : d->dev.idVendor,
		 prof->has_idProduct ? prof->idProduct : d->dev.idProduct);
	return 0;
}

void present_gfs_undo(struct presented *p)
{
	backend_gfs_close(&p->gb);
	gb_aio_destroy(&p->gb);
	free(p->gfs_blob);
	free(p->lay);
	free(p->eps);
	p->gfs_blob = NULL;
	p->lay = NULL;
	p->eps = NULL;
	p->kind = PRESENT_NONE;
}
