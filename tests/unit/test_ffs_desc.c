// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ffs_desc.c - ffs_desc.c on configurations built by hand (no parser), with
 * an independent walker that reads each blob the way f_fs.c's
 * __ffs_data_got_descs() / ffs_do_descs() / __ffs_data_do_entity() do and
 * also applies dummy_hcd's dummy_enable() packet-size rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "functionfs/ffs_desc.h"

#define BLOB_CAP 8192

/* --- building configurations --- */

static struct usb_desc_config *cfg_new(void)
{
	struct usb_desc_config *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->bConfigurationValue = 1;
	c->bmAttributes = 0x80;
	return c;
}

static struct usb_desc_interface *add_intf(struct usb_desc_config *c, uint8_t num, uint8_t alt,
					   uint8_t cls, uint8_t sub, uint8_t proto, uint8_t istr)
{
	struct usb_desc_interface *in;

	assert_true(c->n_intf < USB_DESC_MAX_INTF);
	in = &c->intf[c->n_intf++];
	in->bInterfaceNumber = num;
	in->bAlternateSetting = alt;
	in->bInterfaceClass = cls;
	in->bInterfaceSubClass = sub;
	in->bInterfaceProtocol = proto;
	in->iInterface = istr;
	if (!alt)
		c->bNumInterfaces++;
	return in;
}

static struct usb_desc_endpoint *add_ep(struct usb_desc_interface *in, uint8_t addr, uint8_t attr,
					uint16_t mps, uint8_t interval)
{
	struct usb_desc_endpoint *ep;

	assert_true(in->n_ep < USB_DESC_MAX_EP);
	ep = &in->ep[in->n_ep++];
	ep->bLength = USB_DT_ENDPOINT_SIZE;
	ep->bEndpointAddress = addr;
	ep->bmAttributes = attr;
	ep->wMaxPacketSize = mps;
	ep->bInterval = interval;
	in->bNumEndpoints = in->n_ep;
	return ep;
}

static void ss_comp(struct usb_desc_endpoint *ep, uint8_t burst, uint8_t attr, uint16_t bpi)
{
	ep->has_ss_comp = true;
	ep->ss_bMaxBurst = burst;
	ep->ss_bmAttributes = attr;
	ep->ss_wBytesPerInterval = bpi;
}

/* Extras go to the configuration's pool; a run grows only while it is the last one. */
static void add_extra(struct usb_desc_config *c, struct usb_desc_extras *x, const uint8_t *d,
		      size_t len)
{
	assert_int_equal(d[0], len);
	assert_int_equal(usb_desc_extra_append(c, x, d), 0);
}

#define intf_extra(c, in, d) add_extra(c, &(in)->extra, d, sizeof(d))
#define ep_extra(c, ep, d) add_extra(c, &(ep)->extra, d, sizeof(d))
#define cfg_extra(c, d) add_extra(c, &(c)->extra, d, sizeof(d))
#define clear_extras(x) memset(&(x), 0, sizeof(x))

/* An IAD standing before the next interface added. */
static void add_iad(struct usb_desc_config *c, uint8_t first, uint8_t count, uint8_t cls,
		    uint8_t ifunc)
{
	struct usb_desc_iad *a;

	assert_true(c->n_iad < USB_DESC_MAX_IAD);
	a = &c->iad[c->n_iad++];
	a->bFirstInterface = first;
	a->bInterfaceCount = count;
	a->bFunctionClass = cls;
	a->iFunction = ifunc;
	a->before_intf = c->n_intf;
}

static const uint8_t hid_kbd[] = { 0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00 };

/* --- an independent reader, after f_fs.c --- */

struct walk {
	uint32_t flags;
	uint32_t count[FFS_SPEED_COUNT];
	unsigned int n_ep[FFS_SPEED_COUNT];
	uint8_t addr[FFS_SPEED_COUNT][32];
	uint8_t type[FFS_SPEED_COUNT][32];
	uint16_t wmps[FFS_SPEED_COUNT][32];
	uint8_t interval[FFS_SPEED_COUNT][32];
	uint8_t comp[32][6];		/* the SS companion after SS endpoint i */
	unsigned int intf_count[FFS_SPEED_COUNT];
	unsigned int max_str;
	size_t sect[FFS_SPEED_COUNT];	/* offset of each speed's first descriptor */
};

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void walk_ep(struct walk *w, int t, const uint8_t *p)
{
	unsigned int i = w->n_ep[t]++;
	uint16_t mps = le16(p + 4) & USB_ENDPOINT_MAXP_MASK;
	uint8_t type = p[3] & USB_ENDPOINT_XFERTYPE_MASK;

	assert_true(p[0] == USB_DT_ENDPOINT_SIZE || p[0] == USB_DT_ENDPOINT_AUDIO_SIZE);
	/* __entity_check_ENDPOINT() */
	assert_int_not_equal(p[2] & USB_ENDPOINT_NUMBER_MASK, 0);
	/* __ffs_data_do_entity(): eps_count >= FFS_MAX_EPS_COUNT (31) */
	assert_true(w->n_ep[t] < 31);
	w->addr[t][i] = p[2];
	w->type[t][i] = type;
	w->wmps[t][i] = le16(p + 4);
	w->interval[t][i] = p[6];

	/* dummy_enable() */
	if (type == USB_ENDPOINT_XFER_BULK) {
		if (t == FFS_SPEED_FS)
			assert_true(mps == 8 || mps == 16 || mps == 32 || mps == 64);
		else
			assert_int_equal(mps, t == FFS_SPEED_HS ? 512 : 1024);
	} else if (type == USB_ENDPOINT_XFER_INT) {
		assert_true(mps <= (t == FFS_SPEED_FS ? 64 : 1024));
		assert_true(mps > 0);
	} else {
		assert_int_equal(type, USB_ENDPOINT_XFER_ISOC);
		assert_true(mps <= (t == FFS_SPEED_FS ? 1023 : 1024));
	}
	if (t != FFS_SPEED_FS && type != USB_ENDPOINT_XFER_BULK)
		assert_true(p[6] >= 1 && p[6] <= 16);
	if (t == FFS_SPEED_FS && type == USB_ENDPOINT_XFER_INT)
		assert_true(p[6] >= 1);
	if (t != FFS_SPEED_HS)
		assert_int_equal(le16(p + 4) & ~USB_ENDPOINT_MAXP_MASK, 0);
}

static void walk_blob(const uint8_t *b, size_t len, struct walk *w)
{
	size_t off;
	int t;

	memset(w, 0, sizeof(*w));
	assert_true(len >= 12);
	assert_int_equal(le32(b), FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	assert_int_equal(le32(b + 4), len);
	w->flags = le32(b + 8);
	assert_int_equal(w->flags & 7, 7);
	assert_int_equal(w->flags & ~0xffu, 0); /* else -ENOSYS */
	assert_int_equal(w->flags & FUNCTIONFS_HAS_MS_OS_DESC, 0);
	off = 12;
	if (w->flags & FUNCTIONFS_EVENTFD)
		off += 4;
	for (t = 0; t < FFS_SPEED_COUNT; t++, off += 4) {
		assert_true(off + 4 <= len);
		w->count[t] = le32(b + off);
	}

	for (t = 0; t < FFS_SPEED_COUNT; t++) {
		int current_class = -1, current_subclass = -1;
		unsigned int d;

		w->sect[t] = off;
		for (d = 0; d < w->count[t]; d++) {
			const uint8_t *p = b + off;
			uint8_t bl;

			assert_true(off + 2 <= len);
			bl = p[0];
			assert_true(bl >= 2);
			assert_true(off + bl <= len);
			switch (p[1]) {
			case USB_DT_INTERFACE:
				assert_int_equal(bl, USB_DT_INTERFACE_SIZE);
				if (p[2] >= w->intf_count[t])
					w->intf_count[t] = p[2] + 1;
				if (p[8] > w->max_str)
					w->max_str = p[8];
				current_class = p[5];
				current_subclass = p[6];
				break;
			case USB_DT_ENDPOINT:
				walk_ep(w, t, p);
				if (t == FFS_SPEED_SS) {
					/* config_ep_by_speed_and_alt(): companion right after */
					assert_true(d + 1 < w->count[t]);
					assert_true(off + bl + USB_DT_SS_EP_COMP_SIZE <= len);
					assert_int_equal(p[bl], USB_DT_SS_EP_COMP_SIZE);
					assert_int_equal(p[bl + 1], USB_DT_SS_ENDPOINT_COMP);
					memcpy(w->comp[w->n_ep[t] - 1], p + bl, 6);
				}
				break;
			case USB_TYPE_CLASS | 0x01:
				if (current_class == USB_CLASS_HID)
					assert_int_equal(bl, 9);
				else if (current_class == USB_CLASS_CSCID)
					assert_int_equal(bl, 54);
				else if (current_class == USB_CLASS_APP_SPEC && current_subclass == 1)
					assert_int_equal(bl, 9); /* DFU, 6.12 */
				else
					fail_msg("0x21 descriptor under class %d", current_class);
				break;
			case USB_DT_INTERFACE_ASSOCIATION:
				assert_int_equal(bl, USB_DT_INTERFACE_ASSOCIATION_SIZE);
				if (p[7] > w->max_str)
					w->max_str = p[7];
				break;
			case USB_DT_SS_ENDPOINT_COMP:
				assert_int_equal(bl, USB_DT_SS_EP_COMP_SIZE);
				/* gadgetd writes companions at SS only, after an endpoint */
				assert_int_equal(t, FFS_SPEED_SS);
				assert_true(d > 0);
				assert_true((p[-7] == USB_DT_ENDPOINT_SIZE && p[-6] == USB_DT_ENDPOINT) ||
					    (p[-9] == USB_DT_ENDPOINT_AUDIO_SIZE &&
					     p[-8] == USB_DT_ENDPOINT));
				break;
			default:
				fail_msg("descriptor type 0x%02x at offset %zu", p[1], off);
			}
			off += bl;
		}
	}
	/* __ffs_data_got_descs(): everything consumed, something there */
	assert_int_equal(off, len);
	assert_true(w->count[0] + w->count[1] + w->count[2] > 0);
	for (t = 1; t < FFS_SPEED_COUNT; t++) {
		assert_int_equal(w->n_ep[t], w->n_ep[0]);
		assert_memory_equal(w->addr[t], w->addr[0], w->n_ep[0]);
		assert_int_equal(w->intf_count[t], w->intf_count[0]);
	}
}

struct built {
	uint8_t blob[BLOB_CAP];
	ssize_t len;
	struct ffs_map map;
	uint8_t str_map[FFS_MAX_STRINGS];
	unsigned int n_str;
	struct walk w;
};

/* Build, walk, and check that the map describes what the blob says. */
static struct built *build(const struct usb_desc_config *c, int speed,
			   const struct usb_desc_config *other, const struct ffs_desc_opts *o)
{
	struct built *r = calloc(1, sizeof(*r));
	char err[256];
	unsigned int i;
	int t;

	assert_non_null(r);
	assert_int_equal(ffs_desc_check(c, o, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	r->len = ffs_desc_build(c, speed, other, o, r->blob, sizeof(r->blob), &r->map, r->str_map,
				&r->n_str);
	assert_true(r->len > 0);
	walk_blob(r->blob, r->len, &r->w);

	/* __ffs_data_got_strings(): str_count >= the highest index used */
	assert_true(r->w.max_str <= r->n_str);
	for (i = 0; i < r->n_str; i++)
		assert_int_not_equal(r->str_map[i], 0);
	assert_int_equal(r->map.n_ep, r->w.n_ep[0]);
	assert_int_equal(r->map.n_intf, r->w.intf_count[0]);
	for (i = 0; i < r->map.n_ep; i++) {
		const struct ffs_ep_info *e = &r->map.ep[i];

		assert_int_equal(e->remote_addr, r->w.addr[0][i]);
		assert_int_equal(e->type, r->w.type[0][i]);
		assert_true(e->intf_index < r->map.n_intf);
		for (t = 0; t < FFS_SPEED_COUNT; t++) {
			assert_int_equal(e->mps[t], r->w.wmps[t][i] & USB_ENDPOINT_MAXP_MASK);
			assert_int_equal(e->interval[t], r->w.interval[t][i]);
		}
	}
	return r;
}

/* --- descriptor blobs --- */

static void test_mass_storage_hs(void **state)
{
	static const uint8_t want[] = {
		0x03, 0x00, 0x00, 0x00, 0x69, 0x00, 0x00, 0x00, /* magic v2, length 105 */
		0x07, 0x00, 0x00, 0x00,				/* HAS_FS|HS|SS */
		0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
		/* FS */
		0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x01,
		0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,
		0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
		/* HS: the remote's own */
		0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x01,
		0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00,
		0x07, 0x05, 0x02, 0x02, 0x00, 0x02, 0x01,
		/* SS */
		0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x01,
		0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00,
		0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
		0x07, 0x05, 0x02, 0x02, 0x00, 0x04, 0x00,
		0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	};
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, 0x08, 0x06, 0x50, 5);
	struct built *r;
	uint8_t small[sizeof(want)];
	struct ffs_map map;

	(void)state;
	add_ep(in, 0x81, USB_ENDPOINT_XFER_BULK, 512, 0);
	add_ep(in, 0x02, USB_ENDPOINT_XFER_BULK, 512, 1);
	r = build(c, USB_DESC_SPEED_HIGH, NULL, NULL);

	assert_int_equal(r->len, sizeof(want));
	assert_memory_equal(r->blob, want, sizeof(want));
	assert_int_equal(r->n_str, 1);
	assert_int_equal(r->str_map[0], 5);

	assert_int_equal(r->map.n_intf, 1);
	assert_int_equal(r->map.intf_remote[0], 0);
	assert_int_equal(r->map.intf_class[0], 0x08);
	assert_int_equal(r->map.intf_subclass[0], 0x06);
	assert_int_equal(r->map.intf_protocol[0], 0x50);
	assert_int_equal(r->map.n_ep, 2);
	assert_int_equal(r->map.ep[0].remote_addr, 0x81);
	assert_int_equal(r->map.ep[0].type, USB_ENDPOINT_XFER_BULK);
	assert_int_equal(r->map.ep[0].intf_index, 0);
	assert_int_equal(r->map.ep[0].remote_mps, 512);
	assert_int_equal(r->map.ep[0].mps[FFS_SPEED_FS], 64);
	assert_int_equal(r->map.ep[0].mps[FFS_SPEED_HS], 512);
	assert_int_equal(r->map.ep[0].mps[FFS_SPEED_SS], 1024);
	assert_int_equal(r->map.ep[1].remote_addr, 0x02);
	assert_int_equal(r->map.ep[1].remote_interval, 1);
	assert_int_equal(r->map.ep[1].interval[FFS_SPEED_FS], 0);
	assert_int_equal(r->map.ep[1].interval[FFS_SPEED_HS], 1);
	assert_int_equal(r->map.ep[1].interval[FFS_SPEED_SS], 0);

	/* one byte short, or no buffer at all */
	assert_int_equal(ffs_desc_build(c, USB_DESC_SPEED_HIGH, NULL, NULL, small,
					sizeof(small) - 1, &map, NULL, NULL), -ENOSPC);
	assert_int_equal(ffs_desc_build(c, USB_DESC_SPEED_HIGH, NULL, NULL, NULL, 0, NULL, NULL,
					NULL), -ENOSPC);
	assert_int_equal(ffs_desc_build(c, USB_DESC_SPEED_HIGH, NULL, NULL, small, sizeof(small),
					NULL, NULL, NULL), sizeof(want));
	assert_memory_equal(small, want, sizeof(want));
	free(r);
	free(c);
}

static void test_keyboard_fs(void **state)
{
	static const uint8_t want[] = {
		0x03, 0x00, 0x00, 0x00, 0x69, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
		0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
		/* FS: the remote's own, 10 ms */
		0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
		0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
		0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,
		/* HS: 2^(7-1) = 64 microframes = 8 ms <= 10 ms */
		0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
		0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
		0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x07,
		/* SS: wBytesPerInterval = wMaxPacketSize */
		0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
		0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
		0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x07,
		0x06, 0x30, 0x00, 0x00, 0x08, 0x00,
	};
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, USB_CLASS_HID, 1, 1, 0);
	struct built *r;

	(void)state;
	intf_extra(c, in, hid_kbd);
	add_ep(in, 0x81, USB_ENDPOINT_XFER_INT, 8, 10);
	r = build(c, USB_DESC_SPEED_FULL, NULL, NULL);
	assert_int_equal(r->len, sizeof(want));
	assert_memory_equal(r->blob, want, sizeof(want));
	assert_int_equal(r->n_str, 0);
	assert_int_equal(r->map.ep[0].remote_mps, 8);
	assert_int_equal(r->map.ep[0].remote_interval, 10);
	assert_int_equal(r->map.ep[0].interval[FFS_SPEED_HS], 7);
	free(r);

	/* a low-speed keyboard is shown the same way */
	r = build(c, USB_DESC_SPEED_LOW, NULL, NULL);
	assert_memory_equal(r->blob, want, sizeof(want));
	free(r);
	free(c);
}

/*
 * Keyboard and mouse: each interface's HID descriptor comes from its own run of
 * the configuration's extra pool and lands right after its own interface.
 */
static void test_two_hid_interfaces(void **state)
{
	static const uint8_t hid_mouse[] = { 0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x34, 0x00 };
	static const uint8_t want_fs[] = {
		0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
		0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
		0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,
		0x09, 0x04, 0x01, 0x00, 0x01, 0x03, 0x01, 0x02, 0x00,
		0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x34, 0x00,
		0x07, 0x05, 0x82, 0x03, 0x04, 0x00, 0x0a,
	};
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *kbd = add_intf(c, 0, 0, USB_CLASS_HID, 1, 1, 0);
	struct usb_desc_interface *mouse;
	struct built *r;

	(void)state;
	intf_extra(c, kbd, hid_kbd);
	add_ep(kbd, 0x81, USB_ENDPOINT_XFER_INT, 8, 10);
	mouse = add_intf(c, 1, 0, USB_CLASS_HID, 1, 2, 0);
	intf_extra(c, mouse, hid_mouse);
	add_ep(mouse, 0x82, USB_ENDPOINT_XFER_INT, 4, 10);
	assert_int_equal(mouse->extra.off, sizeof(hid_kbd));
	r = build(c, USB_DESC_SPEED_FULL, NULL, NULL);
	/* header 12, counts 12, then the FS section: 3 + 3 descriptors */
	assert_int_equal(le32(r->blob + 12), 6);
	assert_memory_equal(r->blob + 24, want_fs, sizeof(want_fs));
	assert_int_equal(r->map.n_intf, 2);
	assert_int_equal(r->map.n_ep, 2);
	free(r);
	free(c);
}

static void test_ss_remote_burst(void **state)
{
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, 0xff, 0, 0, 0);
	static const uint8_t comp_bulk[] = { 0x06, 0x30, 0x0f, 0x00, 0x00, 0x00 };
	static const uint8_t comp_int[] = { 0x06, 0x30, 0x00, 0x00, 0x40, 0x00 };
	struct built *r;

	(void)state;
	ss_comp(add_ep(in, 0x81, USB_ENDPOINT_XFER_BULK, 1024, 0), 15, 0, 0);
	ss_comp(add_ep(in, 0x01, USB_ENDPOINT_XFER_BULK, 1024, 0), 15, 0, 0);
	/* SS interrupt: 2^(4-1) = 8 microframes = 1 ms */
	ss_comp(add_ep(in, 0x82, USB_ENDPOINT_XFER_INT, 64, 4), 0, 0, 64);
	r = build(c, USB_DESC_SPEED_SUPER, NULL, NULL);
	assert_int_equal(r->w.count[FFS_SPEED_FS], 4);
	assert_int_equal(r->w.count[FFS_SPEED_SS], 7);
	assert_int_equal(r->w.wmps[FFS_SPEED_SS][0], 1024);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][0], 512);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][0], 64);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][1], 512);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][1], 64);
	assert_memory_equal(r->w.comp[0], comp_bulk, 6);
	assert_memory_equal(r->w.comp[1], comp_bulk, 6);
	assert_memory_equal(r->w.comp[2], comp_int, 6);
	assert_int_equal(r->w.interval[FFS_SPEED_SS][2], 4);
	assert_int_equal(r->w.interval[FFS_SPEED_HS][2], 4);
	assert_int_equal(r->w.interval[FFS_SPEED_FS][2], 1);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][2], 64);
	assert_int_equal(r->map.ep[0].remote_mps, 1024);
	free(r);

	/* the same endpoints from a SuperSpeed+ remote */
	r = build(c, USB_DESC_SPEED_SUPER_PLUS, NULL, NULL);
	assert_memory_equal(r->w.comp[0], comp_bulk, 6);
	free(r);
	free(c);
}

/* One interrupt IN endpoint at @speed with @b; return the bInterval written at @t. */
static uint8_t int_interval(int speed, uint8_t b, enum ffs_speed t)
{
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, 0xff, 0, 0, 0);
	struct built *r;
	uint8_t v;

	add_ep(in, 0x81, USB_ENDPOINT_XFER_INT, 8, b);
	r = build(c, speed, NULL, NULL);
	v = r->w.interval[t][0];
	free(r);
	free(c);
	return v;
}

static void test_interrupt_intervals(void **state)
{
	/* FS ms -> HS exponent: largest b with 2^(b-1) <= ms * 8 */
	static const uint8_t ms_to_b[][2] = {
		{ 1, 4 }, { 2, 5 }, { 3, 5 }, { 4, 6 }, { 8, 7 }, { 10, 7 },
		{ 16, 8 }, { 32, 9 }, { 255, 11 }, { 0, 4 },
	};
	/* HS exponent -> FS ms: 2^(b-1) / 8 clamped to 1..255 */
	static const uint8_t b_to_ms[][2] = {
		{ 1, 1 }, { 4, 1 }, { 5, 2 }, { 7, 8 }, { 8, 16 }, { 11, 128 },
		{ 12, 255 }, { 16, 255 }, { 0, 1 }, { 200, 255 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(ms_to_b) / sizeof(ms_to_b[0]); i++) {
		assert_int_equal(int_interval(USB_DESC_SPEED_FULL, ms_to_b[i][0], FFS_SPEED_HS),
				 ms_to_b[i][1]);
		assert_int_equal(int_interval(USB_DESC_SPEED_FULL, ms_to_b[i][0], FFS_SPEED_SS),
				 ms_to_b[i][1]);
	}
	for (i = 0; i < sizeof(b_to_ms) / sizeof(b_to_ms[0]); i++) {
		assert_int_equal(int_interval(USB_DESC_SPEED_HIGH, b_to_ms[i][0], FFS_SPEED_FS),
				 b_to_ms[i][1]);
		assert_int_equal(int_interval(USB_DESC_SPEED_SUPER, b_to_ms[i][0], FFS_SPEED_FS),
				 b_to_ms[i][1]);
	}
	/* HS and SS share the exponent form; out-of-range values are clamped */
	assert_int_equal(int_interval(USB_DESC_SPEED_HIGH, 9, FFS_SPEED_SS), 9);
	assert_int_equal(int_interval(USB_DESC_SPEED_SUPER, 9, FFS_SPEED_HS), 9);
}

static void test_hs_high_bandwidth_interrupt(void **state)
{
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, 0xff, 0, 0, 0);
	struct built *r;

	(void)state;
	/* 1024 bytes, 3 transactions per microframe */
	add_ep(in, 0x81, USB_ENDPOINT_XFER_INT, 0x1400, 1);
	r = build(c, USB_DESC_SPEED_HIGH, NULL, NULL);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][0], 0x1400);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][0], 64);
	assert_int_equal(r->w.wmps[FFS_SPEED_SS][0], 1024);
	assert_int_equal(le16(r->w.comp[0] + 4), 1024);
	assert_int_equal(r->map.ep[0].remote_mps, 1024);
	assert_int_equal(r->map.ep[0].mps[FFS_SPEED_HS], 1024);
	free(r);

	/* a SuperSpeed remote's bits 12:11 are not a multiplier: not carried to HS */
	c->intf[0].ep[0].wMaxPacketSize = 1024;
	ss_comp(&c->intf[0].ep[0], 2, 0, 3072);
	r = build(c, USB_DESC_SPEED_SUPER, NULL, NULL);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][0], 1024);
	assert_int_equal(r->w.comp[0][2], 2);
	assert_int_equal(le16(r->w.comp[0] + 4), 3072);
	free(r);
	free(c);
}

static void test_other_speed(void **state)
{
	struct usb_desc_config *hs = cfg_new(), *fs = cfg_new(), *bad = cfg_new();
	struct usb_desc_interface *in;
	struct built *r;

	(void)state;
	in = add_intf(hs, 0, 0, 0xff, 0, 0, 0);
	add_ep(in, 0x81, USB_ENDPOINT_XFER_INT, 64, 4);
	add_ep(in, 0x02, USB_ENDPOINT_XFER_BULK, 512, 0);
	in = add_intf(fs, 0, 0, 0xff, 0, 0, 0);
	add_ep(in, 0x81, USB_ENDPOINT_XFER_INT, 16, 2);
	add_ep(in, 0x02, USB_ENDPOINT_XFER_BULK, 32, 0);
	in = add_intf(bad, 0, 0, 0xff, 0, 0, 0);
	add_ep(in, 0x83, USB_ENDPOINT_XFER_INT, 16, 2);
	add_ep(in, 0x02, USB_ENDPOINT_XFER_BULK, 32, 0);

	/* a high-speed device's FS view gives the FS values */
	r = build(hs, USB_DESC_SPEED_HIGH, fs, NULL);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][0], 16);
	assert_int_equal(r->w.interval[FFS_SPEED_FS][0], 2);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][1], 32);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][0], 64);
	assert_int_equal(r->w.interval[FFS_SPEED_HS][0], 4);
	free(r);

	/* a different shape is ignored: derived values */
	r = build(hs, USB_DESC_SPEED_HIGH, bad, NULL);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][0], 64);
	assert_int_equal(r->w.interval[FFS_SPEED_FS][0], 1);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][1], 64);
	free(r);

	/* a full-speed dual-speed device's HS view gives the HS values */
	r = build(fs, USB_DESC_SPEED_FULL, hs, NULL);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][0], 16);
	assert_int_equal(r->w.interval[FFS_SPEED_FS][0], 2);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][1], 32);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][0], 64);
	assert_int_equal(r->w.interval[FFS_SPEED_HS][0], 4);
	assert_int_equal(r->w.interval[FFS_SPEED_SS][0], int_interval(USB_DESC_SPEED_FULL, 2,
								    FFS_SPEED_SS));
	free(r);

	/* a SuperSpeed remote has no other-speed view */
	r = build(hs, USB_DESC_SPEED_SUPER, fs, NULL);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][0], 64);
	free(r);
	free(hs);
	free(fs);
	free(bad);
}

static void test_isochronous(void **state)
{
	struct ffs_desc_opts o = { .udc_has_iso = true };
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, 0xff, 0, 0, 0);
	struct usb_desc_endpoint *ep;
	struct built *r;

	(void)state;
	/* audio-style 9-byte endpoint: every frame, 1023 bytes */
	ep = add_ep(in, 0x83, USB_ENDPOINT_XFER_ISOC | USB_ENDPOINT_SYNC_ASYNC, 1023, 1);
	ep->bLength = USB_DT_ENDPOINT_AUDIO_SIZE;
	ep->bSynchAddress = 0x04;
	r = build(c, USB_DESC_SPEED_FULL, NULL, &o);
	assert_int_equal(r->w.interval[FFS_SPEED_FS][0], 1);
	assert_int_equal(r->w.interval[FFS_SPEED_HS][0], 4); /* 8 microframes */
	assert_int_equal(r->w.interval[FFS_SPEED_SS][0], 4);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][0], 1023);
	assert_int_equal(le16(r->w.comp[0] + 4), 1023);
	/* bRefresh, bSynchAddress kept */
	assert_int_equal(r->blob[r->w.sect[FFS_SPEED_HS] + 9], 9);
	assert_int_equal(r->blob[r->w.sect[FFS_SPEED_HS] + 9 + 8], 0x04);
	free(r);

	/* high-bandwidth HS iso: 3 x 1024 every microframe */
	ep->bLength = USB_DT_ENDPOINT_SIZE;
	ep->wMaxPacketSize = 0x1400;
	ep->bInterval = 1;
	r = build(c, USB_DESC_SPEED_HIGH, NULL, &o);
	assert_int_equal(r->w.wmps[FFS_SPEED_HS][0], 0x1400);
	assert_int_equal(r->w.wmps[FFS_SPEED_FS][0], 1023);
	assert_int_equal(r->w.interval[FFS_SPEED_FS][0], 1);
	assert_int_equal(r->w.wmps[FFS_SPEED_SS][0], 1024);
	free(r);

	/* every 32 microframes = every 4 frames */
	ep->bInterval = 6;
	r = build(c, USB_DESC_SPEED_HIGH, NULL, &o);
	assert_int_equal(r->w.interval[FFS_SPEED_FS][0], 3);
	assert_int_equal(r->w.interval[FFS_SPEED_SS][0], 6);
	free(r);
	free(c);
}

static void test_iad_and_strings(void **state)
{
	static const uint8_t iad[] = { 0x08, 0x0b, 0x00, 0x02, 0xff, 0x00, 0x00, 0x01 };
	static const uint8_t i0[] = { 0x09, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x01 };
	static const uint8_t i1[] = { 0x09, 0x04, 0x01, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02 };
	static const uint8_t i2[] = { 0x09, 0x04, 0x02, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02 };
	struct usb_desc_config *c = cfg_new();
	struct built *r;
	const uint8_t *p;

	(void)state;
	/* remote interfaces 2, 3 (one function) and 5: FunctionFS sees 0, 1, 2 */
	add_iad(c, 2, 2, 0xff, 4);
	add_ep(add_intf(c, 2, 0, 0xff, 0, 0, 4), 0x81, USB_ENDPOINT_XFER_INT, 16, 8);
	add_ep(add_intf(c, 3, 0, 0xff, 0, 0, 7), 0x02, USB_ENDPOINT_XFER_BULK, 512, 0);
	add_ep(add_intf(c, 5, 0, 0x0a, 0, 0, 7), 0x83, USB_ENDPOINT_XFER_BULK, 512, 0);
	r = build(c, USB_DESC_SPEED_HIGH, NULL, NULL);

	assert_int_equal(r->n_str, 2);
	assert_int_equal(r->str_map[0], 4);
	assert_int_equal(r->str_map[1], 7);
	assert_int_equal(r->map.n_intf, 3);
	assert_int_equal(r->map.intf_remote[0], 2);
	assert_int_equal(r->map.intf_remote[1], 3);
	assert_int_equal(r->map.intf_remote[2], 5);
	assert_int_equal(r->map.intf_class[2], 0x0a);
	assert_int_equal(r->map.ep[0].intf_index, 0);
	assert_int_equal(r->map.ep[1].intf_index, 1);
	assert_int_equal(r->map.ep[2].intf_index, 2);
	assert_int_equal(r->w.count[FFS_SPEED_FS], 7);
	assert_int_equal(r->w.count[FFS_SPEED_SS], 10);

	p = r->blob + r->w.sect[FFS_SPEED_HS];
	assert_memory_equal(p, iad, sizeof(iad));
	assert_memory_equal(p + 8, i0, sizeof(i0));
	assert_memory_equal(p + 8 + 9 + 7, i1, sizeof(i1));
	assert_memory_equal(p + 8 + 2 * (9 + 7), i2, sizeof(i2));
	p = r->blob + r->w.sect[FFS_SPEED_SS];
	assert_memory_equal(p, iad, sizeof(iad));
	free(r);
	free(c);
}

static void test_flags(void **state)
{
	struct ffs_desc_opts o = { .extra_flags = FUNCTIONFS_ALL_CTRL_RECIP };
	struct usb_desc_config *c = cfg_new();
	uint8_t buf[256];
	struct built *r;

	(void)state;
	add_ep(add_intf(c, 0, 0, 0xff, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_BULK, 512, 0);
	r = build(c, USB_DESC_SPEED_HIGH, NULL, &o);
	assert_int_equal(r->w.flags, 7 | FUNCTIONFS_ALL_CTRL_RECIP);
	free(r);

	/* the eventfd number sits between the flags and the counts */
	o.extra_flags = FUNCTIONFS_EVENTFD;
	o.eventfd = 9;
	r = build(c, USB_DESC_SPEED_HIGH, NULL, &o);
	assert_int_equal(r->w.flags, 7 | FUNCTIONFS_EVENTFD);
	assert_int_equal(le32(r->blob + 12), 9);
	assert_int_equal(le32(r->blob + 16), 2);
	free(r);

	o.extra_flags = FUNCTIONFS_HAS_MS_OS_DESC;
	assert_int_equal(ffs_desc_build(c, USB_DESC_SPEED_HIGH, NULL, &o, buf, sizeof(buf), NULL,
					NULL, NULL), -EINVAL);
	free(c);
}

static void test_limits_accepted(void **state)
{
	static uint8_t ccid[54] = { 54, 0x21 };
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in;
	struct built *r;
	unsigned int k;

	(void)state;
	/* 15 interfaces x 2 endpoints = 30 endpoint files, the most f_fs takes */
	for (k = 0; k < 15; k++) {
		in = add_intf(c, k, 0, 0xff, 0, 0, 0);
		add_ep(in, 0x81 + k, USB_ENDPOINT_XFER_BULK, 512, 0);
		add_ep(in, 0x01 + k, USB_ENDPOINT_XFER_BULK, 512, 0);
	}
	in = add_intf(c, 15, 0, USB_CLASS_CSCID, 0, 0, 0);
	intf_extra(c, in, ccid);
	r = build(c, USB_DESC_SPEED_HIGH, NULL, NULL);
	assert_int_equal(r->map.n_ep, 30);
	assert_int_equal(r->map.n_intf, 16);
	assert_int_equal(r->map.ep[29].remote_addr, 0x0f);
	assert_int_equal(r->map.ep[29].intf_index, 14);
	free(r);
	free(c);
}

/* --- refusals --- */

static void expect_refusal(const struct usb_desc_config *c, const struct ffs_desc_opts *o,
			   const char *const *parts)
{
	uint8_t buf[BLOB_CAP];
	char err[256];

	assert_int_equal(ffs_desc_check(c, o, err, sizeof(err)), -EOPNOTSUPP);
	for (; *parts; parts++)
		if (!strstr(err, *parts))
			fail_msg("\"%s\" not in \"%s\"", *parts, err);
	assert_int_equal(ffs_desc_build(c, USB_DESC_SPEED_HIGH, NULL, o, buf, sizeof(buf), NULL,
					NULL, NULL), -EOPNOTSUPP);
	/* no buffer for the message is fine */
	assert_int_equal(ffs_desc_check(c, o, NULL, 0), -EOPNOTSUPP);
}

static void test_refuse_cdc(void **state)
{
	static const uint8_t header[] = { 0x05, 0x24, 0x00, 0x10, 0x01 };
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, USB_CLASS_COMM, 2, 1, 0);
	char want[256], err[256], tiny[12];
	const char *parts[] = { "interface 0 (", usb_desc_type_str(0x24), NULL };

	(void)state;
	intf_extra(c, in, header);
	add_ep(in, 0x83, USB_ENDPOINT_XFER_INT, 16, 9);
	add_ep(add_intf(c, 1, 0, USB_CLASS_CDC_DATA, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_BULK, 512, 0);
	expect_refusal(c, NULL, parts);

	snprintf(want, sizeof(want),
		 "interface 0 (%s, alt 0) has a %s descriptor: FunctionFS accepts only interface, endpoint, IAD, SuperSpeed companion, and HID/CCID class descriptors",
		 usb_desc_class_str(USB_CLASS_COMM), usb_desc_type_str(0x24));
	assert_int_equal(ffs_desc_check(c, NULL, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, want);
	/* a short buffer gets a terminated prefix */
	assert_int_equal(ffs_desc_check(c, NULL, tiny, sizeof(tiny)), -EOPNOTSUPP);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	free(c);
}

static void test_refuse_alt(void **state)
{
	struct usb_desc_config *c = cfg_new();
	const char *parts[] = { "interface 1 (", "alt 1)",
				"FunctionFS on this kernel cannot switch alternate settings", NULL };

	(void)state;
	add_ep(add_intf(c, 0, 0, 0xff, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_BULK, 512, 0);
	add_intf(c, 1, 0, 0xff, 0, 0, 0);
	add_ep(add_intf(c, 1, 1, 0xff, 0, 0, 0), 0x82, USB_ENDPOINT_XFER_BULK, 512, 0);
	expect_refusal(c, NULL, parts);
	free(c);
}

/*
 * A DFU run-time interface (DFU 1.1 section 4.1.3): 6.12's ffs_do_single_desc()
 * takes its 9-byte functional descriptor, 6.1's refuses it; without dfu_desc it is
 * refused naming the kernel, with it the bytes reach every speed unchanged.
 */
static void test_dfu_functional(void **state)
{
	static const uint8_t dfu[] = { 0x09, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x04, 0x10, 0x01 };
	static const uint8_t short_dfu[] = { 0x07, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x04 };
	struct ffs_desc_opts o = { .dfu_desc = true };
	const char *parts[] = { "interface 1 (", "DFU functional descriptor", "6.12", NULL };
	const char *parts_len[] = { "interface 0 (", "7-byte DFU functional descriptor", NULL };
	struct usb_desc_config *c = cfg_new(), *c2 = cfg_new();
	struct built *r;
	unsigned int n = 0;
	const uint8_t *p;

	(void)state;
	add_ep(add_intf(c, 0, 0, 0xff, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_BULK, 512, 0);
	intf_extra(c, add_intf(c, 1, 0, USB_CLASS_APP_SPEC, 1, 1, 0), dfu);
	expect_refusal(c, NULL, parts);
	r = build(c, USB_DESC_SPEED_HIGH, NULL, &o);
	for (p = r->blob; (p = memmem(p, (size_t)(r->blob + r->len - p), dfu, sizeof(dfu))); p++)
		n++;
	assert_int_equal(n, 3); /* full, high and super speed */
	free(r);

	intf_extra(c2, add_intf(c2, 0, 0, USB_CLASS_APP_SPEC, 1, 1, 0), short_dfu);
	expect_refusal(c2, &o, parts_len);
	free(c2);
	free(c);
}

static void test_refuse_iso_without_udc_iso(void **state)
{
	struct ffs_desc_opts o = { .udc_has_iso = false };
	struct usb_desc_config *c = cfg_new();
	const char *parts[] = { "interface 1 (", "0x83", "isochronous", NULL };
	char err[256];

	(void)state;
	add_ep(add_intf(c, 0, 0, 0xff, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_BULK, 512, 0);
	add_ep(add_intf(c, 1, 0, 0xff, 0, 0, 0), 0x83, USB_ENDPOINT_XFER_ISOC, 1024, 1);
	expect_refusal(c, &o, parts);
	expect_refusal(c, NULL, parts);
	o.udc_has_iso = true;
	assert_int_equal(ffs_desc_check(c, &o, err, sizeof(err)), 0);
	free(c);
}

/* Fuzzer finding "periodic-mps": more than 1024 bytes or reserved bits are refused. */
static void test_refuse_periodic_mps(void **state)
{
	static const uint16_t bad[] = { 0x0440, 0x07ff, 0x1c00, 0x2008 };
	const char *parts[] = { "interface 0 (", "0x81", "wMaxPacketSize", "1024", NULL };
	struct ffs_desc_opts o = { .udc_has_iso = true };
	char err[256];
	unsigned k;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct usb_desc_config *c = cfg_new();

		add_ep(add_intf(c, 0, 0, 3, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_INT, bad[k], 4);
		expect_refusal(c, &o, parts);
		free(c);
	}
	{
		/* 1024 bytes with 2 additional transactions is valid high bandwidth */
		struct usb_desc_config *c = cfg_new();

		add_ep(add_intf(c, 0, 0, 3, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_INT, 0x1400, 4);
		assert_int_equal(ffs_desc_check(c, &o, err, sizeof(err)), 0);
		free(c);
	}
}

static void test_refuse_31_endpoints(void **state)
{
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in;
	const char *parts[] = { "interface 15 (", "endpoint 31", "at most 30", NULL };
	unsigned int k;

	(void)state;
	for (k = 0; k < 15; k++) {
		in = add_intf(c, k, 0, 0xff, 0, 0, 0);
		add_ep(in, 0x81 + k, USB_ENDPOINT_XFER_BULK, 512, 0);
		add_ep(in, 0x01 + k, USB_ENDPOINT_XFER_BULK, 512, 0);
	}
	/* a 31st address can only be a repeat or have reserved bits; the count wins */
	add_ep(add_intf(c, 15, 0, 0xff, 0, 0, 0), 0x91, USB_ENDPOINT_XFER_BULK, 512, 0);
	expect_refusal(c, NULL, parts);
	free(c);
}

static void test_refuse_17_interfaces(void **state)
{
	struct usb_desc_config *c = cfg_new();
	const char *parts[] = { "interface 16 (", "at most 16", NULL };
	unsigned int k;

	(void)state;
	for (k = 0; k < 17; k++)
		add_intf(c, k, 0, 0xff, 0, 0, 0);
	expect_refusal(c, NULL, parts);
	free(c);
}

static void test_refuse_hid_two_descriptors(void **state)
{
	static const uint8_t hid2[] = { 0x0c, 0x21, 0x11, 0x01, 0x00, 0x02, 0x22, 0x3f, 0x00,
					0x23, 0x10, 0x00 };
	static const uint8_t hid9_2[] = { 0x09, 0x21, 0x11, 0x01, 0x00, 0x02, 0x22, 0x3f, 0x00 };
	static const uint8_t hid10[] = { 0x0a, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00, 0 };
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, USB_CLASS_HID, 0, 0, 0);
	char want[256], err[256];
	const char *parts[] = { "interface 0 (", "10-byte HID", NULL };

	(void)state;
	intf_extra(c, in, hid2);
	add_ep(in, 0x81, USB_ENDPOINT_XFER_INT, 8, 10);
	snprintf(want, sizeof(want),
		 "interface 0 (%s, alt 0) has a HID descriptor naming 2 class descriptors: FunctionFS accepts only 1",
		 usb_desc_class_str(USB_CLASS_HID));
	assert_int_equal(ffs_desc_check(c, NULL, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, want);

	/* a 9-byte descriptor claiming 2 is as wrong */
	clear_extras(in->extra);
	intf_extra(c, in, hid9_2);
	assert_int_equal(ffs_desc_check(c, NULL, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, want);

	/* one class descriptor but a padded length: ffs_do_single_desc() inv_length */
	clear_extras(in->extra);
	intf_extra(c, in, hid10);
	expect_refusal(c, NULL, parts);
	free(c);
}

static void test_refuse_class_desc_elsewhere(void **state)
{
	static uint8_t ccid53[53] = { 53, 0x21 };
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_interface *in = add_intf(c, 0, 0, 0xff, 0, 0, 0);
	const char *vendor[] = { "interface 0 (", usb_desc_type_str(0x21), NULL };
	const char *cc[] = { "interface 0 (", "53-byte", "54-byte CCID", NULL };

	(void)state;
	/* 0x21 under a vendor-specific interface */
	intf_extra(c, in, hid_kbd);
	expect_refusal(c, NULL, vendor);
	clear_extras(in->extra);
	in->bInterfaceClass = USB_CLASS_CSCID;
	intf_extra(c, in, ccid53);
	expect_refusal(c, NULL, cc);
	free(c);
}

static void test_refuse_duplicate_address(void **state)
{
	struct usb_desc_config *c = cfg_new();
	const char *parts[] = { "interface 1 (", "endpoint 0x81", "interface 0", NULL };

	(void)state;
	add_ep(add_intf(c, 0, 0, 0xff, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_BULK, 512, 0);
	add_ep(add_intf(c, 1, 0, 0xff, 0, 0, 0), 0x81, USB_ENDPOINT_XFER_INT, 8, 4);
	expect_refusal(c, NULL, parts);
	free(c);
}

static void test_refuse_endpoint_and_config_extras(void **state)
{
	static const uint8_t cs_ep[] = { 0x07, 0x25, 0x01, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t vendor[] = { 0x04, 0x41, 0x00, 0x00 };
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_endpoint *ep;
	const char *ep_parts[] = { "interface 0 (", "endpoint 0x81", usb_desc_type_str(0x25), NULL };
	const char *cfg_parts[] = { "configuration", usb_desc_type_str(0x41), NULL };
	const char *empty[] = { "no interfaces", NULL };

	(void)state;
	expect_refusal(c, NULL, empty);
	ep = add_ep(add_intf(c, 0, 0, USB_CLASS_AUDIO, 3, 0, 0), 0x81, USB_ENDPOINT_XFER_BULK,
		    512, 0);
	ep_extra(c, ep, cs_ep);
	expect_refusal(c, NULL, ep_parts);
	clear_extras(ep->extra);
	cfg_extra(c, vendor);
	expect_refusal(c, NULL, cfg_parts);
	free(c);
}

static void test_refuse_ep0_and_control(void **state)
{
	struct usb_desc_config *c = cfg_new();
	struct usb_desc_endpoint *ep;
	const char *zero[] = { "interface 0 (", "0x80", NULL };
	const char *ctrl[] = { "interface 0 (", "0x01", "control", NULL };

	(void)state;
	ep = add_ep(add_intf(c, 0, 0, 0xff, 0, 0, 0), 0x80, USB_ENDPOINT_XFER_BULK, 512, 0);
	expect_refusal(c, NULL, zero);
	ep->bEndpointAddress = 0x01;
	ep->bmAttributes = USB_ENDPOINT_XFER_CONTROL;
	expect_refusal(c, NULL, ctrl);
	free(c);
}

/* --- strings --- */

static struct usb_desc_strings *strings_new(void)
{
	struct usb_desc_strings *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

static void test_strings_two_by_one(void **state)
{
	static const uint8_t want[] = {
		0x02, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x00, /* magic, length 26 */
		0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* 2 strings, 1 language */
		0x09, 0x04, 'F', 'o', 'o', 0x00, 'B', 'a', 'r', 0x00,
	};
	struct usb_desc_strings *s = strings_new();
	char foo[] = "Foo", bar[] = "Bar";
	const uint8_t map[] = { 4, 7 };
	uint8_t buf[64];

	(void)state;
	s->n_lang = 1;
	s->langid[0] = 0x0409;
	s->text[0][4] = foo;
	s->text[0][7] = bar;
	assert_int_equal(ffs_strings_build(s, map, 2, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(ffs_strings_build(s, map, 2, buf, sizeof(want) - 1), -ENOSPC);
	assert_int_equal(ffs_strings_build(s, map, 2, NULL, 0), -ENOSPC);
	free(s);
}

static void test_strings_languages(void **state)
{
	static const uint8_t two_lang[] = {
		0x02, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, /* length 28 */
		0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
		0x09, 0x04, 'A', 0x00, 0x00,		/* string 7 missing in en-US */
		0x07, 0x04, 'B', 0x00, 'C', 'D', 0x00,
	};
	static const uint8_t no_lang[] = {
		0x02, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x09, 0x04, 0x00, 0x00,
	};
	static const uint8_t none[] = {
		0x02, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct usb_desc_strings *s = strings_new();
	char a[] = "A", b[] = "B", cd[] = "CD";
	const uint8_t map[] = { 4, 7 };
	uint8_t buf[64];

	(void)state;
	s->n_lang = 2;
	s->langid[0] = 0x0409;
	s->langid[1] = 0x0407;
	s->text[0][4] = a;
	s->text[1][4] = b;
	s->text[1][7] = cd;
	assert_int_equal(ffs_strings_build(s, map, 2, buf, sizeof(buf)), sizeof(two_lang));
	assert_memory_equal(buf, two_lang, sizeof(two_lang));

	/* no strings used: header only, even with languages */
	assert_int_equal(ffs_strings_build(s, map, 0, buf, sizeof(buf)), sizeof(none));
	assert_memory_equal(buf, none, sizeof(none));
	assert_int_equal(ffs_strings_build(NULL, NULL, 0, buf, sizeof(buf)), sizeof(none));
	assert_memory_equal(buf, none, sizeof(none));

	/* strings used but no language list: en-US with empty texts */
	s->n_lang = 0;
	assert_int_equal(ffs_strings_build(s, map, 2, buf, sizeof(buf)), sizeof(no_lang));
	assert_memory_equal(buf, no_lang, sizeof(no_lang));
	assert_int_equal(ffs_strings_build(NULL, map, 2, buf, sizeof(buf)), sizeof(no_lang));
	assert_memory_equal(buf, no_lang, sizeof(no_lang));
	free(s);
}

/* The one string written for @text, as it appears in the blob. */
static size_t one_string(char *text, uint8_t *buf, size_t cap)
{
	struct usb_desc_strings *s = strings_new();
	const uint8_t map[] = { 1 };
	ssize_t n;

	s->n_lang = 1;
	s->langid[0] = 0x0409;
	s->text[0][1] = text;
	n = ffs_strings_build(s, map, 1, buf, cap);
	free(s);
	assert_true(n > 18);
	assert_int_equal(le32(buf + 4), n);
	assert_int_equal(buf[n - 1], 0);
	return n - 18 - 1; /* header, langid, NUL */
}

static void test_strings_utf8_truncation(void **state)
{
	char text[300];
	uint8_t buf[400];

	(void)state;
	/* exactly 126 bytes: kept */
	memset(text, 'a', 126);
	text[126] = '\0';
	assert_int_equal(one_string(text, buf, sizeof(buf)), 126);

	/* 200 ASCII bytes: cut at 126 */
	memset(text, 'a', 200);
	text[200] = '\0';
	assert_int_equal(one_string(text, buf, sizeof(buf)), 126);
	assert_memory_equal(buf + 18, text, 126);

	/* 125 + "é" (2 bytes) straddles 126: the whole character goes */
	memset(text, 'a', 125);
	strcpy(text + 125, "\xc3\xa9");
	assert_int_equal(one_string(text, buf, sizeof(buf)), 125);

	/* 124 + "é" ends exactly at 126: kept */
	memset(text, 'a', 124);
	strcpy(text + 124, "\xc3\xa9zz");
	assert_int_equal(one_string(text, buf, sizeof(buf)), 126);
	assert_memory_equal(buf + 18 + 124, "\xc3\xa9", 2);

	/* 124 + "€" (3 bytes) and 123 + U+1F600 (4 bytes): cut before them */
	memset(text, 'a', 124);
	strcpy(text + 124, "\xe2\x82\xac");
	assert_int_equal(one_string(text, buf, sizeof(buf)), 124);
	memset(text, 'a', 123);
	strcpy(text + 123, "\xf0\x9f\x98\x80");
	assert_int_equal(one_string(text, buf, sizeof(buf)), 123);
	memset(text, 'a', 122);
	strcpy(text + 122, "\xf0\x9f\x98\x80!");
	assert_int_equal(one_string(text, buf, sizeof(buf)), 126);
}

static void test_speed_of(void **state)
{
	(void)state;
	assert_int_equal(ffs_speed_of(USB_DESC_SPEED_LOW), FFS_SPEED_FS);
	assert_int_equal(ffs_speed_of(USB_DESC_SPEED_FULL), FFS_SPEED_FS);
	assert_int_equal(ffs_speed_of(USB_DESC_SPEED_HIGH), FFS_SPEED_HS);
	assert_int_equal(ffs_speed_of(USB_DESC_SPEED_SUPER), FFS_SPEED_SS);
	assert_int_equal(ffs_speed_of(USB_DESC_SPEED_SUPER_PLUS), FFS_SPEED_SS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mass_storage_hs),
		cmocka_unit_test(test_keyboard_fs),
		cmocka_unit_test(test_two_hid_interfaces),
		cmocka_unit_test(test_ss_remote_burst),
		cmocka_unit_test(test_interrupt_intervals),
		cmocka_unit_test(test_hs_high_bandwidth_interrupt),
		cmocka_unit_test(test_other_speed),
		cmocka_unit_test(test_isochronous),
		cmocka_unit_test(test_iad_and_strings),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_refuse_cdc),
		cmocka_unit_test(test_refuse_alt),
		cmocka_unit_test(test_dfu_functional),
		cmocka_unit_test(test_refuse_iso_without_udc_iso),
		cmocka_unit_test(test_refuse_periodic_mps),
		cmocka_unit_test(test_refuse_31_endpoints),
		cmocka_unit_test(test_refuse_17_interfaces),
		cmocka_unit_test(test_refuse_hid_two_descriptors),
		cmocka_unit_test(test_refuse_class_desc_elsewhere),
		cmocka_unit_test(test_refuse_duplicate_address),
		cmocka_unit_test(test_refuse_endpoint_and_config_extras),
		cmocka_unit_test(test_refuse_ep0_and_control),
		cmocka_unit_test(test_strings_two_by_one),
		cmocka_unit_test(test_strings_languages),
		cmocka_unit_test(test_strings_utf8_truncation),
		cmocka_unit_test(test_speed_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
