// SPDX-License-Identifier: GPL-2.0-or-later
/* gadget.c - see gadget.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <usbg/usbg.h>
#include <usbg/function/ffs.h>

#include "gadgetd/stderr_catch.h"
#include "gadgetd/gadget.h"

#define CONFIGFS "/sys/kernel/config"
#define UDC_CLASS "/sys/class/udc"

struct gadget {
	usbg_state *state;
	usbg_gadget *g;
	unsigned n_mounted;
	char ffs_dir[GADGET_MAX_CONFIGS][256];
	int bound;
};

/* libusbgx's enum usbg_error -> -errno, once, here. */
static int usbg_to_errno(int e)
{
	switch (e) {
	case USBG_SUCCESS:
		return 0;
	case USBG_ERROR_NO_MEM:
		return -ENOMEM;
	case USBG_ERROR_NO_ACCESS:
		return -EACCES;
	case USBG_ERROR_INVALID_PARAM:
		return -EINVAL;
	case USBG_ERROR_NOT_FOUND:
		return -ENOENT;
	case USBG_ERROR_IO:
		return -EIO;
	case USBG_ERROR_EXIST:
		return -EEXIST;
	case USBG_ERROR_NO_DEV:
		return -ENODEV;
	case USBG_ERROR_BUSY:
		return -EBUSY;
	case USBG_ERROR_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case USBG_ERROR_PATH_TOO_LONG:
		return -ENAMETOOLONG;
	default:
		return -EIO;
	}
}

static int list_udcs(char *out, size_t outlen, unsigned *count, char *first, size_t firstlen)
{
	struct dirent *de;
	size_t off = 0;
	DIR *d;

	*count = 0;
	out[0] = 0;
	d = opendir(UDC_CLASS);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (*count == 0)
			snprintf(first, firstlen, "%s", de->d_name);
		if (off < outlen)
			off += (size_t)snprintf(out + off, outlen - off, "%s%s", *count ? ", " : "",
						de->d_name);
		(*count)++;
	}
	closedir(d);
	return 0;
}

int gadget_pick_udc(const char *want, char *udc, size_t udclen, char *err, size_t errlen)
{
	char all[512], first[128] = "", path[512];
	unsigned n;
	int r;

	r = list_udcs(all, sizeof(all), &n, first, sizeof(first));
	if (r || n == 0) {
		snprintf(err, errlen,
			 "no UDC in %s: this machine has no USB device controller, or its driver"
			 " (dwc2, musb, dummy_hcd, ...) is not loaded",
			 UDC_CLASS);
		return -ENODEV;
	}
	if (want) {
		snprintf(path, sizeof(path), UDC_CLASS "/%s", want);
		if (strchr(want, '/') || access(path, F_OK)) {
			snprintf(err, errlen, "UDC %s does not exist (available: %s)", want, all);
			return -ENODEV;
		}
		snprintf(udc, udclen, "%s", want);
		return 0;
	}
	if (n > 1) {
		snprintf(err, errlen, "%u UDCs found (%s): choose one with --udc", n, all);
		return -EINVAL;
	}
	snprintf(udc, udclen, "%s", first);
	return 0;
}

int gadget_udc_busy(const char *udc, char *who, size_t wholen)
{
	char path[512], buf[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), UDC_CLASS "/%s/function", udc);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	snprintf(who, wholen, "%s", buf);
	return buf[0] != 0;
}

static const struct {
	const char *name;
	int speed;
} speeds[] = {
	/* longest first: "super-speed-plus" starts with "super-speed" */
	{ "super-speed-plus", 6 }, { "super-speed", 5 }, { "high-speed", 3 },
	{ "full-speed", 2 }, { "low-speed", 1 },
};

int gadget_udc_max_speed(const char *udc)
{
	char path[512], buf[64] = "";
	unsigned i;
	FILE *f;

	snprintf(path, sizeof(path), UDC_CLASS "/%s/maximum_speed", udc);
	f = fopen(path, "r");
	if (!f)
		return -ENODEV;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (!strncmp(buf, speeds[i].name, strlen(speeds[i].name)))
			return speeds[i].speed;
	return -EINVAL;
}

/* ConfigFS max_speed (configfs.c: gadget_dev_desc_max_speed_store); no libusbgx call
 * exists for it in 0.2, so it is written like the other attributes libusbgx writes. */
static int set_max_speed(const char *gadget, int speed)
{
	char path[512];
	const char *name = NULL;
	unsigned i;
	FILE *f;
	int r = 0;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].speed == speed)
			name = speeds[i].name;
	if (!name)
		return -EINVAL;
	snprintf(path, sizeof(path), CONFIGFS "/usb_gadget/%s/max_speed", gadget);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs(name, f) < 0)
		r = -EIO;
	if (fclose(f))
		r = -errno;
	return r;
}

static int set_strings(usbg_gadget *ug, const struct gadget_spec *s)
{
	unsigned l;
	int r;

	for (l = 0; l < s->n_lang; l++) {
		struct usbg_gadget_strs gs = {
			.manufacturer = (char *)(s->manufacturer[l] ? s->manufacturer[l] : ""),
			.product = (char *)(s->product[l] ? s->product[l] : ""),
			.serial = (char *)(s->serial[l] ? s->serial[l] : ""),
		};

		r = usbg_set_gadget_strs(ug, s->langid[l], &gs);
		if (r)
			return r;
	}
	return 0;
}

/* One configuration with its FunctionFS function; @step names what failed. */
static int add_config(struct gadget *g, const struct gadget_spec *s,
		      const struct gadget_config *gc, const char **step)
{
	usbg_function *f;
	usbg_config *c;
	unsigned l;
	int r;

	*step = "create a FunctionFS function";
	r = usbg_create_function(g->g, USBG_F_FFS, gc->ffs_name, NULL, &f);
	if (r)
		return r;
	*step = "create a configuration";
	r = usbg_create_config(g->g, gc->bConfigurationValue, "c", NULL, NULL, &c);
	if (r)
		return r;
	*step = "set the configuration attributes";
	r = usbg_set_config_bm_attrs(c, gc->bmAttributes | 0x80);
	if (r)
		return r;
	/* ConfigFS's MaxPower attribute is in mA (configfs.c: gadget_config_desc_MaxPower). */
	r = usbg_set_config_max_power(c, (int)gc->MaxPower_mA);
	if (r)
		return r;
	*step = "set the configuration strings";
	for (l = 0; l < s->n_lang; l++) {
		struct usbg_config_strs cs = {
			.configuration = (char *)(gc->configuration[l] ? gc->configuration[l] : ""),
		};

		r = usbg_set_config_strs(c, s->langid[l], &cs);
		if (r)
			return r;
	}
	*step = "add the function to the configuration";
	return usbg_add_config_function(c, "ffs", f);
}

int gadget_create(const struct gadget_spec *s, struct gadget **out, char *err, size_t errlen)
{
	struct usbg_gadget_attrs ga = {
		.bcdUSB = 0x0200, /* composite overwrites it on the wire anyway */
		.bDeviceClass = s->bDeviceClass,
		.bDeviceSubClass = s->bDeviceSubClass,
		.bDeviceProtocol = s->bDeviceProtocol,
		.bMaxPacketSize0 = 64,
		.idVendor = s->idVendor,
		.idProduct = s->idProduct,
		.bcdDevice = s->bcdDevice,
	};
	struct stderr_catch cap;
	struct gadget *g;
	const char *step;
	unsigned k;
	int r;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	stderr_catch_begin(&cap); /* libusbgx prints its own errors: ours say it (stderr_catch.h) */
	r = usbg_init(CONFIGFS, &g->state);
	stderr_catch_end(&cap, "libusbgx");
	if (r) {
		snprintf(err, errlen,
			 "cannot open ConfigFS at %s: %s (is configfs mounted and libcomposite loaded?)",
			 CONFIGFS, usbg_strerror(r));
		free(g);
		return usbg_to_errno(r) ? usbg_to_errno(r) : -ENOENT;
	}
	step = "create the gadget";
	r = usbg_create_gadget(g->state, s->name, &ga, NULL, &g->g);
	if (r == USBG_ERROR_EXIST) {
		snprintf(err, errlen,
			 "a gadget named %s already exists in ConfigFS (another gadgetd running?)",
			 s->name);
		usbg_cleanup(g->state);
		free(g);
		return -EEXIST;
	}
	if (r)
		goto fail;
	if (s->max_speed) {
		r = set_max_speed(s->name, s->max_speed);
		if (r) {
			snprintf(err, errlen, "ConfigFS: cannot set max_speed of %s: %s", s->name,
				 strerror(-r));
			gadget_destroy(g);
			return r;
		}
	}
	step = "set the strings";
	r = set_strings(g->g, s);
	if (r)
		goto fail;
	for (k = 0; k < s->n_cfg && k < GADGET_MAX_CONFIGS; k++) {
		r = add_config(g, s, &s->cfg[k], &step);
		if (r)
			goto fail;
	}
	for (k = 0; k < s->n_cfg && k < GADGET_MAX_CONFIGS; k++) {
		const struct gadget_config *gc = &s->cfg[k];

		mkdir(gc->ffs_dir, 0755);
		char opts[64] = "";

		/* the unprivileged relay may reopen nothing, but the files are its */
		if (s->set_owner)
			snprintf(opts, sizeof(opts), "uid=%u,gid=%u", (unsigned)s->uid,
				 (unsigned)s->gid);
		if (mount(gc->ffs_name, gc->ffs_dir, "functionfs", 0, opts[0] ? opts : NULL)) {
			r = -errno;
			snprintf(err, errlen, "cannot mount FunctionFS %s at %s: %s", gc->ffs_name,
				 gc->ffs_dir, strerror(errno));
			gadget_destroy(g);
			return r;
		}
		snprintf(g->ffs_dir[g->n_mounted++], sizeof(g->ffs_dir[0]), "%s", gc->ffs_dir);
	}
	*out = g;
	return 0;
fail:
	snprintf(err, errlen, "ConfigFS: cannot %s for %s: %s", step, s->name, usbg_strerror(r));
	r = usbg_to_errno(r);
	gadget_destroy(g);
	return r;
}

int gadget_bind(struct gadget *g, const char *udc, char *err, size_t errlen)
{
	usbg_udc *u = usbg_get_udc(g->state, udc);
	int r;

	if (!u) {
		snprintf(err, errlen, "UDC %s does not exist", udc);
		return -ENODEV;
	}
	r = usbg_enable_gadget(g->g, u);
	if (r) {
		snprintf(err, errlen, "cannot bind the gadget to UDC %s: %s%s", udc, usbg_strerror(r),
			 r == USBG_ERROR_BUSY ? " (another gadget is using it)" : "");
		return usbg_to_errno(r);
	}
	g->bound = 1;
	return 0;
}

void gadget_unbind(struct gadget *g)
{
	if (g && g->bound) {
		usbg_disable_gadget(g->g);
		g->bound = 0;
	}
}

void gadget_destroy(struct gadget *g)
{
	if (!g)
		return;
	gadget_unbind(g);
	while (g->n_mounted) {
		const char *dir = g->ffs_dir[--g->n_mounted];

		if (umount2(dir, 0))
			umount2(dir, MNT_DETACH);
		rmdir(dir);
	}
	if (g->g) {
		/* a bound gadget (e.g. left by a crash of ours) must be unbound first */
		usbg_disable_gadget(g->g);
		usbg_rm_gadget(g->g, USBG_RM_RECURSE);
	}
	usbg_cleanup(g->state);
	free(g);
}

int gadget_remove_stale(const char *name, char *err, size_t errlen)
{
	usbg_state *st;
	usbg_gadget *g;
	int r;

	r = usbg_init(CONFIGFS, &st);
	if (r == USBG_ERROR_NOT_FOUND)
		return 0; /* no ConfigFS, no gadget */
	if (r) {
		snprintf(err, errlen, "cannot open ConfigFS at %s: %s", CONFIGFS, usbg_strerror(r));
		return usbg_to_errno(r);
	}
	g = usbg_get_gadget(st, name);
	if (!g) {
		usbg_cleanup(st);
		return 0;
	}
	usbg_disable_gadget(g); /* no-op when unbound */
	r = usbg_rm_gadget(g, USBG_RM_RECURSE);
	if (r)
		snprintf(err, errlen, "ConfigFS: cannot remove the stale gadget %s: %s", name,
			 usbg_strerror(r));
	usbg_cleanup(st);
	return r ? usbg_to_errno(r) : 1;
}
