// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gfs_desc.c - see gfs_desc.h.
 *
 * GadgetFS checks only the 9-byte header of each configuration blob
 * (is_valid_config(), "FIXME check lengths: walk to end") and the device
 * descriptor; the rest is served to the host as written. So what is refused
 * here is what would fail later, out of the kernel's sight: a configuration
 * the host cannot read whole (RBUF_SIZE), an endpoint no UDC enables, more
 * endpoints than the UDC has, an endpoint file two interfaces would need.
 * Line numbers: gfs_desc.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/usb/ch9.h>

#include "functionfs/desc_common.h"
#include "functionfs/gfs_desc.h"

/* The u32 tag before dev_config()'s descriptors (inode.c:1815|1845). */
#define GFS_TAG_DEVICE		0
/* The u32 tag before ep_config()'s descriptors (inode.c:733-766|748-781). */
#define GFS_TAG_ENDPOINT	1
/* bMaxPower at USB 2.0 speeds: 2 mA units, at most 500 mA. */
#define GFS_MAX_POWER		250

static unsigned int max_eps(const struct gfs_desc_opts *o)
{
	return o->max_eps && o->max_eps < GFS_MAX_EPS ? o->max_eps : GFS_MAX_EPS;
}

/* --- the configuration blob --- */

/*
 * A run of extras as the device sent them. After an endpoint (@of_ep), less
 * what only SuperSpeed knows: an SSP isochronous companion (0x31) follows the
 * SS companion, which is dropped (the parser keeps that one apart).
 */
static void put_extras(struct blob *b, const struct usb_desc_config *cfg,
		       const struct usb_desc_extras *x, bool of_ep)
{
	const uint8_t *d;

	usb_desc_for_each_extra(d, cfg, x)
		if (!of_ep || d[1] != USB_DT_SSP_ISOC_ENDPOINT_COMP)
			put_bytes(b, d, d[0]);
}

static void put_iad(struct blob *b, const struct usb_desc_iad *a)
{
	const uint8_t d[USB_DT_INTERFACE_ASSOCIATION_SIZE] = {
		USB_DT_INTERFACE_ASSOCIATION_SIZE, USB_DT_INTERFACE_ASSOCIATION,
		a->bFirstInterface, a->bInterfaceCount, a->bFunctionClass,
		a->bFunctionSubClass, a->bFunctionProtocol, a->iFunction,
	};

	put_bytes(b, d, sizeof(d));
}

static void put_intf(struct blob *b, const struct usb_desc_interface *in)
{
	const uint8_t d[USB_DT_INTERFACE_SIZE] = {
		USB_DT_INTERFACE_SIZE, USB_DT_INTERFACE,
		in->bInterfaceNumber, in->bAlternateSetting, n_ep(in),
		in->bInterfaceClass, in->bInterfaceSubClass, in->bInterfaceProtocol,
		in->iInterface,
	};

	put_bytes(b, d, sizeof(d));
}

/*
 * Everything after the 9-byte header, at speed @t, in the device's order.
 * @v: the values of each endpoint in order, or NULL to only count (the
 * length does not depend on them).
 */
static void put_body(struct blob *b, const struct usb_desc_config *cfg,
		     const struct desc_ep_vals *v, enum ffs_speed t)
{
	static const struct desc_ep_vals any;
	unsigned int i, j, k, e = 0;

	put_extras(b, cfg, &cfg->extra, false);
	for (i = 0; i <= n_intf(cfg); i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];

		for (k = 0; k < n_iad(cfg); k++)
			if (iad_before(cfg, k, i))
				put_iad(b, &cfg->iad[k]);
		if (i == n_intf(cfg))
			break;
		put_intf(b, in);
		put_extras(b, cfg, &in->extra, false);
		for (j = 0; j < n_ep(in); j++) {
			desc_put_ep(b, &in->ep[j], v ? &v[e++] : &any, t);
			put_extras(b, cfg, &in->ep[j].extra, true);
		}
	}
}

/* wTotalLength of the blob put_config() writes */
static size_t config_len(const struct usb_desc_config *cfg)
{
	struct blob count = { 0 };

	put_body(&count, cfg, NULL, FFS_SPEED_FS);
	return USB_DT_CONFIG_SIZE + count.len;
}

static uint8_t config_value(const struct usb_desc_config *cfg)
{
	return cfg->bConfigurationValue ? cfg->bConfigurationValue : 1;
}

/*
 * is_valid_config() (inode.c:1778-1789|1808-1819): type 2, bLength 9,
 * bConfigurationValue != 0, USB_CONFIG_ATT_ONE set, USB_CONFIG_ATT_WAKEUP
 * clear (GadgetFS has no remote wakeup). bMaxPower is in 8 mA units at
 * SuperSpeed (USB 3.2 9.6.3), 2 mA units at the high speed shown.
 */
static void put_config(struct blob *b, const struct usb_desc_config *cfg, int speed,
		       const struct desc_ep_vals *v, enum ffs_speed t)
{
	unsigned int power = cfg->bMaxPower;

	if (speed >= USB_DESC_SPEED_SUPER) {
		power *= 4;
		if (power > GFS_MAX_POWER)
			power = GFS_MAX_POWER;
	}
	put_u8(b, USB_DT_CONFIG_SIZE);
	put_u8(b, USB_DT_CONFIG);
	put_le16(b, config_len(cfg));
	put_u8(b, cfg->bNumInterfaces);
	put_u8(b, config_value(cfg));
	put_u8(b, cfg->iConfiguration);
	put_u8(b, (cfg->bmAttributes | USB_CONFIG_ATT_ONE) & ~USB_CONFIG_ATT_WAKEUP);
	put_u8(b, power);
	put_body(b, cfg, v, t);
}

/*
 * dev_config() wants exactly 18 bytes, bLength 18, type 1 and
 * bNumConfigurations 1 (inode.c:1858-1864|1888-1894); it sets bcdUSB 0x0200
 * itself (inode.c:1865|1895) and answers with ep0's own bMaxPacketSize0
 * (inode.c:1388|1403). A SuperSpeed device's bMaxPacketSize0 is an exponent.
 */
static void put_device(struct blob *b, const struct usb_desc_device *dev)
{
	uint8_t mps0 = dev->bMaxPacketSize0;

	if (mps0 != 8 && mps0 != 16 && mps0 != 32 && mps0 != 64)
		mps0 = 64;
	put_u8(b, USB_DT_DEVICE_SIZE);
	put_u8(b, USB_DT_DEVICE);
	put_le16(b, 0x0200);
	put_u8(b, dev->bDeviceClass);
	put_u8(b, dev->bDeviceSubClass);
	put_u8(b, dev->bDeviceProtocol);
	put_u8(b, mps0);
	put_le16(b, dev->idVendor);
	put_le16(b, dev->idProduct);
	put_le16(b, dev->bcdDevice);
	put_u8(b, dev->iManufacturer);
	put_u8(b, dev->iProduct);
	put_u8(b, dev->iSerialNumber);
	put_u8(b, 1);
}

/* --- gfs_desc_check() --- */

struct check_state {
	unsigned int n_ep, max_eps;
	uint16_t owner[256];	/* bEndpointAddress -> bInterfaceNumber + 1 */
	uint8_t alt_seen[GFS_MAX_INTF][256 / 8]; /* bAlternateSetting bitmap per interface */
};

static int check_ep(const struct usb_desc_interface *in, unsigned int j, const char *who,
		    const struct gfs_desc_opts *o, struct check_state *st, char *err,
		    size_t errlen)
{
	const struct usb_desc_endpoint *ep = &in->ep[j];
	uint8_t a = ep->bEndpointAddress;
	unsigned int k;
	int ret;

	ret = desc_check_ep(ep, who, o->udc_has_iso, err, errlen);
	if (ret)
		return ret;
	/* one endpoint file per UDC endpoint, each enabled for one descriptor */
	if (++st->n_ep > st->max_eps)
		return desc_refuse(err, errlen,
				   "%s endpoint 0x%02x is endpoint %u of the configuration, counting every alternate setting: at most %u are carried",
				   who, a, st->n_ep, st->max_eps);
	for (k = 0; k < j; k++)
		if (in->ep[k].bEndpointAddress == a)
			return desc_refuse(err, errlen,
					   "%s has endpoint 0x%02x twice: an alternate setting names each endpoint once",
					   who, a);
	/* ep_open() (inode.c:813-836|828-851): each endpoint file opens once */
	if (st->owner[a] && st->owner[a] != in->bInterfaceNumber + 1)
		return desc_refuse(err, errlen,
				   "%s endpoint 0x%02x is also an endpoint of interface %u: GadgetFS has one file per endpoint, for one interface at a time",
				   who, a, st->owner[a] - 1);
	st->owner[a] = in->bInterfaceNumber + 1;
	return 0;
}

int gfs_desc_check(const struct usb_desc_config *cfg, int speed, const struct gfs_desc_opts *o,
		   char *err, size_t errlen)
{
	static const struct gfs_desc_opts none;
	struct check_state st;
	unsigned int i, j;
	size_t total;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!cfg)
		return -EINVAL;
	if (!o)
		o = &none;
	memset(&st, 0, sizeof(st));
	st.max_eps = max_eps(o);

	/* a configuration with nothing in it: a lying server, nothing to relay */
	if (!n_intf(cfg))
		return desc_refuse(err, errlen,
				   "the configuration has no interfaces: there is nothing to present");
	/* RBUF_SIZE cuts the kernel's own GET_DESCRIPTOR(CONFIG) reply (§2.3) */
	total = config_len(cfg);
	if (total > GFS_CTRL_MAX)
		return desc_refuse(err, errlen,
				   "the configuration is %zu bytes long (wTotalLength, as GadgetFS would carry it): GadgetFS answers control transfers of at most %d bytes (RBUF_SIZE), so the host could not read it",
				   total, GFS_CTRL_MAX);

	for (i = 0; i < n_intf(cfg); i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];
		uint8_t alt = in->bAlternateSetting;
		char who[96];

		snprintf(who, sizeof(who), "interface %u (%s, alt %u)", in->bInterfaceNumber,
			 usb_desc_class_str(in->bInterfaceClass), in->bAlternateSetting);
		if (in->bInterfaceNumber >= GFS_MAX_INTF)
			return desc_refuse(err, errlen,
					   "%s has a number above %d: gadgetd relays interfaces 0 to %d only",
					   who, GFS_MAX_INTF - 1, GFS_MAX_INTF - 1);
		/* the host keeps the first and skips the others (usb_parse_configuration()) */
		if (st.alt_seen[in->bInterfaceNumber][alt / 8] & (1u << (alt % 8)))
			return desc_refuse(err, errlen,
					   "%s is described twice: the host would use only the first",
					   who);
		st.alt_seen[in->bInterfaceNumber][alt / 8] |= 1u << (alt % 8);
		for (j = 0; j < n_ep(in); j++) {
			ret = check_ep(in, j, who, o, &st, err, errlen);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* --- gfs_config_build() --- */

/* The 7-byte form ep_config() takes (inode.c:746-748|761-763), from the blob's values. */
static void ep_desc7(uint8_t d[USB_DT_ENDPOINT_SIZE], const struct usb_desc_endpoint *ep,
		     const struct desc_ep_vals *v, enum ffs_speed t)
{
	struct blob b = { .buf = d, .cap = USB_DT_ENDPOINT_SIZE };
	struct usb_desc_endpoint short_ep = *ep;

	short_ep.bLength = USB_DT_ENDPOINT_SIZE;
	desc_put_ep(&b, &short_ep, v, t);
}

/* The interface map: identity, with alt 0's class (else the first alt's). */
static void map_interfaces(const struct usb_desc_config *cfg, struct ffs_map *map)
{
	unsigned int i, k;

	for (i = 0; i < n_intf(cfg); i++)
		if (cfg->intf[i].bInterfaceNumber >= map->n_intf)
			map->n_intf = cfg->intf[i].bInterfaceNumber + 1u;
	for (k = 0; k < map->n_intf; k++) {
		const struct usb_desc_interface *in = usb_desc_find_intf(cfg, k, 0);

		for (i = 0; !in && i < n_intf(cfg); i++)
			if (cfg->intf[i].bInterfaceNumber == k)
				in = &cfg->intf[i];
		map->intf_remote[k] = k;
		if (!in)
			continue;
		map->intf_class[k] = in->bInterfaceClass;
		map->intf_subclass[k] = in->bInterfaceSubClass;
		map->intf_protocol[k] = in->bInterfaceProtocol;
	}
}

/* Per endpoint descriptor (gfs_desc_check() bounded them): values and layout. */
static void plan(const struct usb_desc_config *cfg, int speed,
		 const struct usb_desc_config *other, const struct gfs_desc_opts *o,
		 struct desc_ep_vals *v, struct gfs_layout *lay)
{
	enum ffs_speed rs = ffs_speed_of(speed), os = FFS_SPEED_FS;
	unsigned int i, j;

	other = desc_other_view(cfg, speed, other, &os);
	lay->has_hs = rs != FFS_SPEED_FS || (o && o->always_hs);
	lay->wTotalLength = config_len(cfg);
	lay->bConfigurationValue = config_value(cfg);
	map_interfaces(cfg, &lay->map);

	for (i = 0; i < n_intf(cfg); i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];

		for (j = 0; j < n_ep(in); j++) {
			const struct usb_desc_endpoint *ep = &in->ep[j];
			unsigned int e = lay->n_ep++;
			struct ffs_ep_info *info = &lay->map.ep[e];
			struct gfs_ep *g = &lay->ep[e];

			desc_derive_ep(ep, rs, other ? &other->intf[i].ep[j] : NULL, os, &v[e]);
			desc_map_ep(info, ep, &v[e]);
			info->intf_index = in->bInterfaceNumber;
			info->alt = in->bAlternateSetting;

			g->bInterfaceNumber = in->bInterfaceNumber;
			g->bAlternateSetting = in->bAlternateSetting;
			g->bEndpointAddress = ep->bEndpointAddress;
			g->type = xfer(ep);
			g->has_hs = lay->has_hs;
			ep_desc7(g->fs, ep, &v[e], FFS_SPEED_FS);
			if (g->has_hs)
				ep_desc7(g->hs, ep, &v[e], FFS_SPEED_HS);
		}
	}
	lay->map.n_ep = lay->n_ep;
}

ssize_t gfs_config_build(const struct usb_desc_config *cfg, const struct usb_desc_device *dev,
			 int speed, const struct usb_desc_config *other,
			 const struct gfs_desc_opts *o, uint8_t *out, size_t outlen,
			 struct gfs_layout *lay)
{
	struct blob b = { .buf = out, .cap = out ? outlen : 0 };
	struct desc_ep_vals v[GFS_MAX_EPS];
	const uint32_t tag = GFS_TAG_DEVICE;
	struct gfs_layout l;
	int ret;

	if (!cfg || !dev)
		return -EINVAL;
	ret = gfs_desc_check(cfg, speed, o, NULL, 0);
	if (ret)
		return ret;

	memset(&l, 0, sizeof(l));
	memset(v, 0, sizeof(v));
	plan(cfg, speed, other, o, v, &l);

	put_bytes(&b, &tag, sizeof(tag)); /* host order */
	put_config(&b, cfg, speed, v, FFS_SPEED_FS);
	/* recognised by byte [1] == USB_DT_CONFIG after the FS one (inode.c:1843-1853|1873-1883) */
	if (l.has_hs)
		put_config(&b, cfg, speed, v, FFS_SPEED_HS);
	put_device(&b, dev);

	if (b.len > b.cap)
		return -ENOSPC;
	if (lay)
		*lay = l;
	return b.len;
}

size_t gfs_ep_config(const struct gfs_layout *lay, unsigned i, uint8_t out[GFS_EP_CONFIG_MAX])
{
	const uint32_t tag = GFS_TAG_ENDPOINT;
	const struct gfs_ep *g;
	size_t n = 0;

	if (!lay || i >= lay->n_ep || i >= GFS_MAX_EPS)
		return 0;
	g = &lay->ep[i];
	memcpy(out + n, &tag, sizeof(tag)); /* host order */
	n += sizeof(tag);
	memcpy(out + n, g->fs, sizeof(g->fs));
	n += sizeof(g->fs);
	if (g->has_hs) {
		memcpy(out + n, g->hs, sizeof(g->hs));
		n += sizeof(g->hs);
	}
	return n;
}
