// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend_gfs_open.c - opening and closing a GadgetFS backend (backend_gfs.h):
 * the root half (mount, ep0's configuration write, the endpoint files' names)
 * and the relay's half (picking the files, delegation, endpoint opens through
 * the root process with --user). Line references "inode.c:A|B" are
 * drivers/usb/gadget/legacy/inode.c in Linux 6.1.192 | 6.12.117.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gadgetd/backend_gfs.h"
#include "gadgetd/backend_gfs_int.h"
#include "gadgetd/gfs_io.h"
#include "gadgetd/gfs_xfer.h"
#include "gadgetd/log.h"

/* One 7-byte endpoint descriptor of @s at @d: address and type must agree. */
static bool desc_ok(const struct gfs_ep_spec *s, const uint8_t *d)
{
	return d[0] == 7 && d[1] == USB_DT_ENDPOINT && d[2] == s->addr && (d[3] & 3) == s->type;
}

static bool spec_ok(const struct gfs_ep_spec *s)
{
	uint32_t tag;

	memcpy(&tag, s->cfg, 4);
	return tag == 1 && (s->cfg_len == 11 || s->cfg_len == 18) && s->type != 0 &&
	       desc_ok(s, s->cfg + 4) && (s->cfg_len == 11 || desc_ok(s, s->cfg + 11));
}

int backend_gfs_ep_spec(struct gfs_ep_spec *s, const uint8_t *fs, const uint8_t *hs, uint8_t intf,
			uint8_t alt)
{
	uint32_t tag = 1;

	memset(s, 0, sizeof(*s));
	s->addr = fs[2];
	s->type = fs[3] & 3;
	s->intf = intf;
	s->alt = alt;
	memcpy(s->cfg, &tag, 4);
	memcpy(s->cfg + 4, fs, 7);
	s->cfg_len = 11;
	if (hs) {
		memcpy(s->cfg + 11, hs, 7);
		s->cfg_len = 18;
	}
	return spec_ok(s) ? 0 : -EINVAL;
}

static int check_specs(const struct ffs_map *map, const struct gfs_ep_spec *eps, unsigned n_ep,
		       bool has_hs, char *err, size_t errlen)
{
	unsigned i;

	if (!map || map->n_ep != n_ep || n_ep > FFS_MAX_EPS) {
		snprintf(err, errlen, "%u endpoint specs for a map of %u endpoints (at most %d)",
			 n_ep, map ? map->n_ep : 0, FFS_MAX_EPS);
		return -EINVAL;
	}
	for (i = 0; i < n_ep; i++) {
		if (!spec_ok(&eps[i]) || map->ep[i].remote_addr != eps[i].addr) {
			snprintf(err, errlen, "endpoint %u (0x%02x, interface %u alt %u): its "
				 "configuration write is not tag 1 + 7-byte endpoint descriptors of "
				 "that address and type, or the map says 0x%02x", i, eps[i].addr,
				 eps[i].intf, eps[i].alt, map->ep[i].remote_addr);
			return -EINVAL;
		}
		if (has_hs && eps[i].cfg_len != 18) {
			snprintf(err, errlen, "endpoint 0x%02x (interface %u alt %u) has no high-speed "
				 "descriptor, but the configuration has a high-speed version",
				 eps[i].addr, eps[i].intf, eps[i].alt);
			return -EINVAL;
		}
	}
	return 0;
}

int gfs_root_open(struct gfs_root *gr, const char *udc, const uint8_t *config, size_t len,
		  uint8_t bConfigurationValue, char *err, size_t errlen)
{
	char gadget[64] = "", fn[128] = "", path[PATH_MAX];
	bool has_hs, reused, rejected;
	int r;

	err[0] = 0;
	memset(gr, 0, sizeof(*gr));
	gr->ep0 = -1;
	r = gfs_blob_check(config, len, bConfigurationValue, &has_hs, err, errlen);
	if (r)
		return r;
	if (udc && gfs_udc_state(udc, gadget, sizeof(gadget), fn, sizeof(fn))) {
		snprintf(err, errlen, "there is no UDC %s in /sys/class/udc", udc);
		return -ENODEV;
	}
	if (fn[0]) {
		snprintf(err, errlen, "UDC %s is in use by '%s'", udc, fn);
		return -EBUSY;
	}
	snprintf(gr->udc, sizeof(gr->udc), "%s", udc ? udc : "");
	r = gfs_mount(GFS_MOUNT_DIR, &reused, err, errlen);
	if (r)
		return r;
	gr->unmount = !reused;
	if (reused)
		log_debug("gadgetfs: reusing the mount at %s", GFS_MOUNT_DIR);
	r = gfs_find_ep0(GFS_MOUNT_DIR, gadget, gr->udc, gr->ep0name, sizeof(gr->ep0name), err,
			 errlen);
	if (r)
		goto fail;
	snprintf(path, sizeof(path), "%s/%s", GFS_MOUNT_DIR, gr->ep0name);
	r = gfs_ep0_open(path, config, len, &rejected);
	if (r < 0) {
		snprintf(err, errlen, rejected ? "GadgetFS refused the configuration write to %s: %s"
				      : "cannot open %s: %s", path,
			 r == -EBUSY ? "it is open elsewhere (another GadgetFS user)" : strerror(-r));
		goto fail;
	}
	gr->ep0 = r;
	gr->unmount = true;
	r = gfs_ep_files(GFS_MOUNT_DIR, gr->udc, gr->ep0name, gr->files, GFS_MAX_FILES, err,
			 errlen);
	if (r < 0)
		goto fail;
	gr->n_files = (unsigned)r;
	return 0;
fail:
	gfs_root_close(gr);
	return r;
}

void gfs_root_close(struct gfs_root *gr)
{
	/* an ep0 reply the host never took is still queued: GadgetFS's unbind frees it
	 * and the UDC's stop then completes it, a NULL dereference in ep0_complete()
	 * (Linux 6.1, dummy_hcd). Disconnecting first gives it back while bound. */
	if (gr->ep0 >= 0) {
		char fn[128] = "";

		if (gr->udc[0] && !gfs_udc_state(gr->udc, NULL, 0, fn, sizeof(fn)) &&
		    !strcmp(fn, GFS_DRIVER_FUNCTION))
			gfs_udc_disconnect(gr->udc);
		close(gr->ep0); /* dev_release(): unregisters, the host sees a disconnect */
	}
	gr->ep0 = -1;
	if (gr->unmount)
		gfs_umount(GFS_MOUNT_DIR);
	gr->unmount = false;
}

int backend_gfs_attach(struct gadget_backend *b, const struct gfs_root *gr, int ep0,
		       const uint8_t *config, size_t len, const struct ffs_map *map,
		       const struct gfs_ep_spec *eps, unsigned n_ep, uint8_t bConfigurationValue,
		       gfs_ep_opener open_ep, void *ctx, char *err, size_t errlen)
{
	bool has_hs;
	struct gfs *g;
	int r;

	err[0] = 0;
	b->priv = NULL;
	b->n_inst = 0;
	r = gfs_blob_check(config, len, bConfigurationValue, &has_hs, err, errlen);
	if (!r)
		r = check_specs(map, eps, n_ep, has_hs, err, errlen);
	g = r ? NULL : calloc(1, sizeof(*g));
	if (!g) {
		if (!r)
			snprintf(err, errlen, "out of memory");
		close(ep0);
		return r ? r : -ENOMEM;
	}
	g->ep0 = ep0;
	g->out_len = -1;
	g->n_ep = n_ep;
	g->open_ep = open_ep;
	g->open_ctx = ctx;
	snprintf(g->dir, sizeof(g->dir), "%s", GFS_MOUNT_DIR);
	snprintf(g->udc, sizeof(g->udc), "%s", gr->udc);
	snprintf(g->ep0name, sizeof(g->ep0name), "%s", gr->ep0name);
	g->n_files = gr->n_files < GFS_MAX_FILES ? gr->n_files : GFS_MAX_FILES;
	memcpy(g->files, gr->files, sizeof(g->files));
	b->ops = &gfs_ops;
	b->priv = g;
	memcpy(g->spec, eps, n_ep * sizeof(*eps));
	for (unsigned i = 0; i < n_ep; i++)
		g->fd[i] = -1;
	r = gfs_ep_pick(g->files, g->n_files, eps, n_ep, !strcmp(g->ep0name, "dummy_udc"),
			g->file_of, err, errlen);
	if (r)
		goto fail;
	/* the first read turns on delegation (usermode_setup, inode.c:1009|1024);
	 * whatever it returns is kept for events() */
	fcntl(g->ep0, F_SETFL, fcntl(g->ep0, F_GETFL) | O_NONBLOCK);
	r = gfs_ep0_events(g->ep0, g->raw, GFS_RAW);
	if (r < 0 && r != -EIDRM) {
		snprintf(err, errlen, "the first read of %s/%s failed: %s", g->dir, g->ep0name,
			 strerror(-r));
		goto fail;
	}
	g->n_raw = r > 0 ? (unsigned)r : 0;
	b->n_inst = 1;
	b->inst[0].map = map;
	b->inst[0].bConfigurationValue = bConfigurationValue;
	log_debug("gadgetfs: %s/%s bound %s, %u endpoint files for %u endpoints", g->dir,
		  g->ep0name, g->udc[0] ? g->udc : "a UDC", g->n_files, n_ep);
	return 0;
fail:
	backend_gfs_close(b);
	return r;
}

int backend_gfs_open(struct gadget_backend *b, const char *udc, const uint8_t *config, size_t len,
		     const struct ffs_map *map, const struct gfs_ep_spec *eps, unsigned n_ep,
		     uint8_t bConfigurationValue, char *err, size_t errlen)
{
	struct gfs_root gr;
	struct gfs *g;
	int r;

	b->priv = NULL;
	b->n_inst = 0;
	r = gfs_root_open(&gr, udc, config, len, bConfigurationValue, err, errlen);
	if (r)
		return r;
	/* this process is root: closing disconnects the UDC and unmounts */
	r = backend_gfs_attach(b, &gr, gr.ep0, config, len, map, eps, n_ep, bConfigurationValue,
			       NULL, NULL, err, errlen);
	gr.ep0 = -1; /* attach took it over, and closed it on failure */
	if (r) {
		gfs_root_close(&gr);
		return r;
	}
	g = b->priv;
	g->owns_udc = true;
	g->unmount = gr.unmount;
	return 0;
}

void backend_gfs_close(struct gadget_backend *b)
{
	struct gfs *g = b->priv;
	unsigned i;

	if (!g || b->ops != &gfs_ops)
		return;
	gfs_xfer_stop(g->x); /* no worker may be in a transfer on a file closed here */
	for (i = 0; i < g->n_ep; i++)
		if (g->fd[i] >= 0)
			close(g->fd[i]);
	/* an ep0 reply the host never took is still queued: GadgetFS's unbind frees it
	 * and the UDC's stop then completes it, a NULL dereference in ep0_complete()
	 * (Linux 6.1, dummy_hcd). Disconnecting first gives it back while bound. With
	 * --user the root process does it (gfs_root_close()), holding ep0 till then. */
	if (g->owns_udc && g->ep0 >= 0 && !gfs_unbound(g))
		gfs_udc_disconnect(g->udc);
	if (g->ep0 >= 0)
		close(g->ep0); /* dev_release(): unregisters, the host sees a disconnect */
	if (g->unmount)
		gfs_umount(g->dir);
	free(g);
	b->priv = NULL;
	b->n_inst = 0;
}
