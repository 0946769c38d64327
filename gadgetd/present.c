// SPDX-License-Identifier: GPL-2.0-or-later
/* present.c - see present.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "functionfs/ffs_io.h"
#include "gadgetd/backend_ffs.h"
#include "gadgetd/log.h"
#include "gadgetd/present.h"
#include "gadgetd/present_probe.h"
#include "gadgetd/privsep.h"

static const char *str_or(const char *a, const char *b)
{
	return a ? a : b;
}

/* Device-level attributes: the remote's, then the profile's overrides. */
static void fill_spec(struct gadget_spec *s, const struct remote_desc *d,
		      const struct gd_profile *p, const char *name)
{
	unsigned l;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->idVendor = p->has_idVendor ? p->idVendor : d->dev.idVendor;
	s->idProduct = p->has_idProduct ? p->idProduct : d->dev.idProduct;
	s->bcdDevice = p->has_bcdDevice ? p->bcdDevice : d->dev.bcdDevice;
	s->bDeviceClass = d->dev.bDeviceClass;
	s->bDeviceSubClass = d->dev.bDeviceSubClass;
	s->bDeviceProtocol = d->dev.bDeviceProtocol;
	s->n_lang = d->str.n_lang;
	if (s->n_lang > GADGET_MAX_LANGS)
		s->n_lang = GADGET_MAX_LANGS;
	if (!s->n_lang && (p->manufacturer || p->product || p->serial)) {
		s->n_lang = 1;
		s->langid[0] = 0x0409;
	}
	for (l = 0; l < s->n_lang; l++) {
		if (d->str.n_lang)
			s->langid[l] = d->str.langid[l];
		s->manufacturer[l] = str_or(p->manufacturer, d->dev.iManufacturer ?
					    d->str.text[l][d->dev.iManufacturer] : NULL);
		s->product[l] = str_or(p->product, d->dev.iProduct ? d->str.text[l][d->dev.iProduct] :
				       NULL);
		s->serial[l] = str_or(p->serial, d->dev.iSerialNumber ?
				      d->str.text[l][d->dev.iSerialNumber] : NULL);
	}
}

/* Configuration-level attributes of one configuration. */
static void fill_config(struct gadget_config *gc, const struct gadget_spec *s,
			const struct remote_desc *d, const struct usb_desc_config *cfg,
			const struct gd_profile *p)
{
	unsigned l;

	gc->bConfigurationValue = cfg->bConfigurationValue ? cfg->bConfigurationValue : 1;
	gc->bmAttributes = cfg->bmAttributes & 0x60;
	if (p->has_self_powered)
		gc->bmAttributes = (uint8_t)((gc->bmAttributes & ~0x40) | (p->self_powered ? 0x40 : 0));
	gc->MaxPower_mA = p->has_MaxPower ? p->MaxPower :
			  cfg->bMaxPower * (d->speed >= USB_DESC_SPEED_SUPER ? 8u : 2u);
	for (l = 0; l < s->n_lang; l++)
		gc->configuration[l] = cfg->iConfiguration ? d->str.text[l][cfg->iConfiguration] :
				       NULL;
}


/*
 * The configurations to present: every one FunctionFS can carry. The active one
 * must be among them, or the device is refused.
 * Return: the number built (>= 1), or -errno after logging why.
 */
static int build_configs(const struct gd_opts *o, const struct remote_desc *d, const char *name,
			 struct pcfg *pc)
{
	struct ffs_desc_opts fo;
	uint8_t str_map[FFS_MAX_STRINGS];
	char err[1024];
	unsigned k, n = 0, n_str;

	present_ffs_opts(&fo);
	for (k = 0; k < d->n_cfg; k++) {
		const struct usb_desc_config *cfg = d->cfg[k];
		struct pcfg *c = &pc[n];

		if (ffs_desc_check(cfg, &fo, err, sizeof(err))) {
			if (k == d->active) {
				log_warnx("busid %s (%04x:%04x) cannot be presented through FunctionFS: %s",
					  o->busid, d->dev.idVendor, d->dev.idProduct, err);
				return -EOPNOTSUPP;
			}
			log_info("configuration %u is left out: %s", cfg->bConfigurationValue, err);
			continue;
		}
		c->index = k;
		c->dlen = ffs_desc_build(cfg, d->speed, k == d->active ? d->other : NULL, &fo,
					 c->descs, sizeof(c->descs), &c->map, str_map, &n_str);
		if (c->dlen < 0)
			return log_warn_errno((int)c->dlen, "building the FunctionFS descriptors of "
					      "configuration %u", cfg->bConfigurationValue);
		c->slen = ffs_strings_build(&d->str, str_map, n_str, c->strs, sizeof(c->strs));
		if (c->slen < 0)
			return log_warn_errno((int)c->slen, "building the FunctionFS strings");
		snprintf(c->ffs_name, sizeof(c->ffs_name), "%s.%u", name, cfg->bConfigurationValue);
		snprintf(c->ffs_dir, sizeof(c->ffs_dir), RUN_DIR "/%s", c->ffs_name);
		n++;
	}
	return (int)n;
}

/* The request for the root half (present_root.h): attributes and blobs, no paths. */
static void ffs_request(const struct presented *p, struct psep_msg *m)
{
	struct psep_present_ffs *f = &m->u.ffs;
	int k;

	memset(m, 0, sizeof(*m));
	m->type = PSEP_PRESENT_FFS;
	f->spec = p->spec;
	for (k = 0; k < p->n_pc; k++) {
		f->descs[k] = p->pc[k].descs;
		f->dlen[k] = (uint32_t)p->pc[k].dlen;
		f->strs[k] = p->pc[k].strs;
		f->slen[k] = (uint32_t)p->pc[k].slen;
		f->n_ep[k] = (uint8_t)p->pc[k].map.n_ep;
	}
}

/* The files the root opened, in ffs_request()'s order, become the backend's. */
static int attach(struct presented *p, const int *fds)
{
	struct ffs_inst_files files[GB_MAX_INST];
	struct gb_inst gi[GB_MAX_INST];
	unsigned i, n = 0;
	int k;

	for (k = 0; k < p->n_pc; k++) {
		struct pcfg *c = &p->pc[k];

		c->ep0 = fds[n++];
		for (i = 0; i < c->map.n_ep; i++) {
			c->ep_fd[i] = fds[n++];
			log_info("%s/ep%u: remote endpoint 0x%02x %s, wMaxPacketSize %u", c->ffs_name,
				 i + 1, c->map.ep[i].remote_addr, usb_desc_xfer_str(c->map.ep[i].type),
				 c->map.ep[i].remote_mps);
		}
		files[k].ep0 = c->ep0;
		files[k].ep_fd = c->ep_fd;
		gi[k].map = &c->map;
		gi[k].bConfigurationValue = p->spec.cfg[k].bConfigurationValue;
	}
	return backend_ffs_init(&p->gb, (unsigned)p->n_pc, files, gi);
}

int present_ffs(struct presented *p, const struct gd_opts *o, const struct gd_profile *prof,
		const struct remote_desc *d, const char *udc, int present_speed, int sigfd)
{
	int fds[PSEP_MAX_FDS];
	struct psep_msg m;
	unsigned i, n_fds = 0;
	int k, r;

	p->kind = PRESENT_FUNCTIONFS;
	snprintf(p->name, sizeof(p->name), "gadgetd.%s", udc);
	p->pc = calloc(DESCRIBE_MAX_CONFIGS, sizeof(*p->pc));
	if (!p->pc)
		return -ENOMEM;
	for (k = 0; k < DESCRIBE_MAX_CONFIGS; k++) {
		p->pc[k].ep0 = -1;
		for (i = 0; i < FFS_MAX_EPS; i++)
			p->pc[k].ep_fd[i] = -1;
	}
	r = build_configs(o, d, p->name, p->pc);
	if (r <= 0)
		return r ? r : -EOPNOTSUPP;
	p->n_pc = r;
	fill_spec(&p->spec, d, prof, p->name);
	p->spec.max_speed = present_speed;
	p->spec.n_cfg = (unsigned)p->n_pc;
	for (k = 0; k < p->n_pc; k++) {
		fill_config(&p->spec.cfg[k], &p->spec, d, d->cfg[p->pc[k].index], prof);
		n_fds += 1 + p->pc[k].map.n_ep;
	}
	if (p->n_pc > 1)
		log_info("presenting %d configurations", p->n_pc);
	if (signal_pending(sigfd))
		return -EINTR;
	ffs_request(p, &m);
	r = psep_call(p->link, &m, fds, n_fds);
	p->made = true; /* the root may have built part of it: teardown says so */
	if (r)
		return r == -EPROTO ? log_warn_errno(r, "presenting through the root process") : r;
	r = attach(p, fds);
	if (r)
		return log_warn_errno(r, "setting up the FunctionFS backend");
	return 0;
}

void present_undo(struct presented *p)
{
	unsigned i;
	int k;

	if (p->kind == PRESENT_GADGETFS) {
		present_gfs_undo(p);
		return;
	}
	backend_ffs_free(&p->gb);
	for (k = 0; p->pc && k < p->n_pc; k++) {
		for (i = 0; i < FFS_MAX_EPS; i++)
			if (p->pc[k].ep_fd[i] >= 0)
				close(p->pc[k].ep_fd[i]);
		if (p->pc[k].ep0 >= 0)
			close(p->pc[k].ep0);
	}
	free(p->pc);
	p->pc = NULL;
	p->n_pc = 0;
	p->kind = PRESENT_NONE;
}
