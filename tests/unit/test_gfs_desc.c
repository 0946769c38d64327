// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_gfs_desc.c - functionfs/gfs_desc.c on real descriptor sets, parsed with
 * usb_desc_parse_config() from their bytes: a Linux CDC-ACM gadget
 * (drivers/usb/gadget/function/f_acm.c) at full, high and super speed, QEMU's
 * usb-net (CDC-ECM), usb-storage, usb-kbd and a UAC1 speaker, and vendor
 * configurations with alternate settings. Every expected blob is written out
 * byte by byte as GadgetFS's dev_config() reads it: u32 tag 0, FS
 * configuration, HS configuration (high speed only), device descriptor.
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

#include "functionfs/gfs_desc.h"
#include "functionfs/usb_desc.h"

#define OUT_CAP 2048
#define TAG0 0x00, 0x00, 0x00, 0x00 /* u32 0 in any byte order */

/* descriptors by field: wMaxPacketSize little-endian */
#define EP(addr, attr, mps, interval) 0x07, 0x05, addr, attr, (mps) & 0xff, (mps) >> 8, interval
#define BULK(addr, mps) EP(addr, 0x02, mps, 0x00)
#define INTR(addr, mps, interval) EP(addr, 0x03, mps, interval)
#define SS_COMP(burst, bpi) 0x06, 0x30, burst, 0x00, (bpi) & 0xff, (bpi) >> 8
#define DEV(bcd_hi, cls, sub, proto, mps0, vid, pid, bcd, nconf)                    \
	0x12, 0x01, 0x00, bcd_hi, cls, sub, proto, mps0, (vid) & 0xff, (vid) >> 8,  \
	(pid) & 0xff, (pid) >> 8, (bcd) & 0xff, (bcd) >> 8, 0x01, 0x02, 0x03, nconf

/* Linux g_serial-like composite device: IAD class 0xef/2/1, 0525:a4a7 */
#define ACM_DEV(bcd_hi, mps0) DEV(bcd_hi, 0xef, 0x02, 0x01, mps0, 0x0525, 0xa4a7, 0x0100, 1)
static const uint8_t acm_dev[] = { ACM_DEV(0x02, 64) };
/* The same, as a SuperSpeed device: bcdUSB 3.00, bMaxPacketSize0 2^9 */
static const uint8_t acm_dev_ss[] = { ACM_DEV(0x03, 9) };

/* f_acm.c: IAD, CDC comm with 4 CS_INTERFACE, interrupt IN, CDC data */
#define ACM_HEAD(total, attr, power)                                                \
	0x09, 0x02, total, 0x00, 0x02, 0x01, 0x04, attr, power,                     \
	0x08, 0x0b, 0x00, 0x02, 0x02, 0x02, 0x01, 0x07,  /* IAD 0-1 CDC ACM */      \
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x05,                       \
	0x05, 0x24, 0x00, 0x10, 0x01,                    /* header 1.10 */          \
	0x05, 0x24, 0x01, 0x00, 0x01,                    /* call management */      \
	0x04, 0x24, 0x02, 0x02,                          /* ACM */                  \
	0x05, 0x24, 0x06, 0x00, 0x01                     /* union 0 -> 1 */
#define ACM_DATA_INTF 0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x06
/* notify: 10 bytes every 32 ms (2^(9-1) microframes) */
#define ACM_FS_EPS INTR(0x82, 10, 0x20), ACM_DATA_INTF, BULK(0x81, 64), BULK(0x01, 64)
#define ACM_HS_EPS INTR(0x82, 10, 0x09), ACM_DATA_INTF, BULK(0x81, 512), BULK(0x01, 512)

static const uint8_t acm_cfg_hs[] = { ACM_HEAD(0x4b, 0x80, 0xfa), ACM_HS_EPS };
static const uint8_t acm_cfg_fs[] = { ACM_HEAD(0x4b, 0xc0, 0x32), ACM_FS_EPS };
/* at super speed: a companion after each endpoint, bulk 1024 */
static const uint8_t acm_cfg_ss[] = {
	ACM_HEAD(0x5d, 0x80, 0xfa), INTR(0x82, 10, 0x09), SS_COMP(0, 10),
	ACM_DATA_INTF, BULK(0x81, 1024), SS_COMP(0, 0), BULK(0x01, 1024), SS_COMP(0, 0),
};

/* QEMU usb-net (hw/usb/dev-network.c), CDC-ECM configuration, full speed */
static const uint8_t net_dev[] = { DEV(0x02, 0x02, 0x00, 0x00, 64, 0x0525, 0xa4a2, 0x0000, 2) };
#define CDC_DATA_INTF(alt, n_eps) 0x09, 0x04, 0x01, alt, n_eps, 0x0a, 0x00, 0x00, 0x04
static const uint8_t net_cfg_ecm[] = {
	0x09, 0x02, 0x50, 0x00, 0x02, 0x01, 0x07, 0xc0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x06, 0x00, 0x05,
	0x05, 0x24, 0x00, 0x10, 0x01, 0x05, 0x24, 0x06, 0x00, 0x01, /* header, union */
	0x0d, 0x24, 0x0f, 0x03, 0x00, 0x00, 0x00, 0x00, 0xea, 0x05, 0x00, 0x00, 0x00, /* ECM */
	INTR(0x81, 16, 0x20),
	CDC_DATA_INTF(0, 0),                         /* data alt 0: no endpoints */
	CDC_DATA_INTF(1, 2), BULK(0x82, 64), BULK(0x02, 64), /* data alt 1: bulk pair */
};

/* QEMU usb-storage at full speed and super speed */
#define STORAGE_DEV(bcd_hi, mps0) DEV(bcd_hi, 0x00, 0x00, 0x00, mps0, 0x46f4, 0x0001, 0x0000, 1)
#define STORAGE_HEAD(total, icfg, power)                                            \
	0x09, 0x02, total, 0x00, 0x01, 0x01, icfg, 0xc0, power,                     \
	0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00
static const uint8_t storage_dev_ss[] = { STORAGE_DEV(0x03, 9) };
static const uint8_t storage_cfg_fs[] = {
	STORAGE_HEAD(0x20, 0x04, 0x00), BULK(0x81, 64), BULK(0x02, 64),
};
/* bMaxPower 25 x 8 mA */
static const uint8_t storage_cfg_ss[] = {
	STORAGE_HEAD(0x2c, 0x06, 0x19), BULK(0x81, 1024), SS_COMP(15, 0), BULK(0x02, 1024),
	SS_COMP(15, 0),
};

/* QEMU usb-kbd at high speed: remote wakeup in bmAttributes (0xa0), a HID descriptor */
#define KBD_HID 0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00
static const uint8_t kbd_cfg_hs[] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00, KBD_HID, INTR(0x81, 8, 0x07),
};

/*
 * UAC1 speaker: OTG descriptor, AS interface with no alt 0, a 9-byte
 * isochronous OUT endpoint (192 bytes every frame) and its CS_ENDPOINT
 */
#define AUDIO_INTF(num, alt, n_eps, sub) 0x09, 0x04, num, alt, n_eps, 0x01, sub, 0x00, 0x00
static const uint8_t audio_cfg[] = {
	0x09, 0x02, 0x40, 0x00, 0x02, 0x01, 0x00, 0x80, 0x32, 0x05, 0x09, 0x03, 0x00, 0x02,
	AUDIO_INTF(0, 0, 0, 0x01), 0x09, 0x24, 0x01, 0x00, 0x01, 0x09, 0x00, 0x01, 0x01,
	AUDIO_INTF(1, 1, 1, 0x02), 0x07, 0x24, 0x01, 0x01, 0x01, 0x01, 0x00,
	0x09, 0x05, 0x01, 0x09, 0xc0, 0x00, 0x01, 0x00, 0x00, 0x07, 0x25, 0x01, 0, 0, 0, 0,
};

/*
 * Vendor interface 0 at high speed with alt settings 0, 1, 2 using different
 * endpoints (offsets: alt 1 at 32, its endpoints at 41 and 48; alt 2 at 55,
 * its endpoint at 64).
 */
#define VENDOR_INTF(alt, n_eps) 0x09, 0x04, 0x00, alt, n_eps, 0xff, 0x00, 0x00, 0x00
#define VENDOR_HS                                                                   \
	0x09, 0x02, 0x47, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,                       \
	VENDOR_INTF(0, 2), BULK(0x81, 512), BULK(0x02, 512),                        \
	VENDOR_INTF(1, 2), BULK(0x81, 512), /* 0x81 again, in alt 1 */              \
	INTR(0x83, 64, 0x04),                /* 2^3 uframes */                      \
	VENDOR_INTF(2, 1), INTR(0x84, 0x1400, 0x01) /* 1024 x 3 per uframe */
static const uint8_t vendor_cfg_hs[] = { VENDOR_HS };

/* --- helpers --- */

struct run {
	struct usb_desc_config *cfg, *other;
	struct usb_desc_device dev;
	struct gfs_desc_opts o;
	uint8_t out[OUT_CAP];
	ssize_t len;
	struct gfs_layout lay;
	char err[256];
};

static struct usb_desc_config *parse(const uint8_t *b, size_t n)
{
	struct usb_desc_config *c = calloc(1, sizeof(*c));
	struct usb_desc_err e;

	assert_non_null(c);
	if (usb_desc_parse_config(b, n, c, &e))
		fail_msg("parse: %s", e.msg);
	return c;
}

static struct run *run_new(const uint8_t *dev, const uint8_t *cfg, size_t clen)
{
	struct run *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	assert_int_equal(usb_desc_parse_device(dev, 18, &r->dev, NULL), 0);
	r->cfg = parse(cfg, clen);
	return r;
}

static void run_free(struct run *r)
{
	free(r->cfg);
	free(r->other);
	free(r);
}

/*
 * Check and build at @speed: both accept, the build is the expected bytes, one
 * byte less of room gives -ENOSPC, and a second build gives the same layout.
 */
static void build_expect(struct run *r, int speed, const uint8_t *want, size_t wlen)
{
	struct gfs_layout again;
	uint8_t *small;

	assert_int_equal(gfs_desc_check(r->cfg, speed, &r->o, r->err, sizeof(r->err)), 0);
	assert_string_equal(r->err, "");
	r->len = gfs_config_build(r->cfg, &r->dev, speed, r->other, &r->o, r->out, sizeof(r->out),
				  &r->lay);
	assert_int_equal(r->len, wlen);
	assert_memory_equal(r->out, want, wlen);
	assert_int_equal(r->lay.wTotalLength, r->out[6] | r->out[7] << 8);

	small = malloc(wlen);
	assert_non_null(small);
	assert_int_equal(gfs_config_build(r->cfg, &r->dev, speed, r->other, &r->o, small, wlen - 1,
					  &again), -ENOSPC);
	assert_int_equal(gfs_config_build(r->cfg, &r->dev, speed, r->other, &r->o, small, wlen,
					  &again), wlen);
	assert_memory_equal(small, want, wlen);
	assert_memory_equal(&again, &r->lay, sizeof(again));
	free(small);
}

static void refuse_expect(struct run *r, int speed, const char *what)
{
	assert_int_equal(gfs_desc_check(r->cfg, speed, &r->o, r->err, sizeof(r->err)), -EOPNOTSUPP);
	if (!strstr(r->err, what))
		fail_msg("\"%s\" not in \"%s\"", what, r->err);
	assert_int_equal(gfs_config_build(r->cfg, &r->dev, speed, r->other, &r->o, r->out,
					  sizeof(r->out), &r->lay), -EOPNOTSUPP);
}

static void expect_ep(const struct gfs_layout *lay, unsigned i, uint8_t intf, uint8_t alt,
		      const uint8_t fs[7], const uint8_t *hs)
{
	uint8_t w[GFS_EP_CONFIG_MAX];
	const struct ffs_ep_info *info = &lay->map.ep[i];

	assert_true(i < lay->n_ep);
	assert_int_equal(lay->ep[i].bInterfaceNumber, intf);
	assert_int_equal(lay->ep[i].bAlternateSetting, alt);
	assert_int_equal(lay->ep[i].bEndpointAddress, fs[2]);
	assert_int_equal(lay->ep[i].type, fs[3] & 3);
	assert_memory_equal(lay->ep[i].fs, fs, 7);
	assert_int_equal(info->remote_addr, fs[2]);
	assert_int_equal(info->type, fs[3] & 3);
	assert_int_equal(info->intf_index, intf);
	assert_int_equal(info->alt, alt);
	assert_int_equal(info->mps[FFS_SPEED_FS], (fs[4] | fs[5] << 8) & 0x7ff);
	assert_int_equal(info->interval[FFS_SPEED_FS], fs[6]);

	/* the endpoint file's configuration write: tag 1, FS, HS */
	assert_int_equal(gfs_ep_config(lay, i, w), hs ? 18 : 11);
	assert_int_equal(w[0] | w[1] | w[2] | w[3], 1);
	assert_memory_equal(w + 4, fs, 7);
	assert_int_equal(lay->ep[i].has_hs, hs != NULL);
	if (hs) {
		assert_memory_equal(lay->ep[i].hs, hs, 7);
		assert_memory_equal(w + 11, hs, 7);
		assert_int_equal(info->mps[FFS_SPEED_HS], (hs[4] | hs[5] << 8) & 0x7ff);
		assert_int_equal(info->interval[FFS_SPEED_HS], hs[6]);
	}
}

#define EP7(...) ((const uint8_t[7]){ 0x07, 0x05, __VA_ARGS__ })

static void expect_acm_layout(const struct gfs_layout *lay, bool hs)
{
	assert_int_equal(lay->n_ep, 3);
	assert_int_equal(lay->map.n_ep, 3);
	assert_int_equal(lay->has_hs, hs);
	assert_int_equal(lay->bConfigurationValue, 1);
	expect_ep(lay, 0, 0, 0, EP7(0x82, 0x03, 0x0a, 0x00, 0x20),
		  hs ? EP7(0x82, 0x03, 0x0a, 0x00, 0x09) : NULL);
	expect_ep(lay, 1, 1, 0, EP7(0x81, 0x02, 0x40, 0x00, 0x00),
		  hs ? EP7(0x81, 0x02, 0x00, 0x02, 0x00) : NULL);
	expect_ep(lay, 2, 1, 0, EP7(0x01, 0x02, 0x40, 0x00, 0x00),
		  hs ? EP7(0x01, 0x02, 0x00, 0x02, 0x00) : NULL);
	/* GadgetFS keeps the device's interface numbers: identity map */
	assert_int_equal(lay->map.n_intf, 2);
	assert_int_equal(lay->map.intf_remote[0], 0);
	assert_int_equal(lay->map.intf_remote[1], 1);
	assert_int_equal(lay->map.intf_class[0], 0x02);
	assert_int_equal(lay->map.intf_subclass[0], 0x02);
	assert_int_equal(lay->map.intf_protocol[0], 0x01);
	assert_int_equal(lay->map.intf_class[1], 0x0a);
}

/* --- tests --- */

/*
 * CDC-ACM. An HS device: FS blob derived (bulk 64, 2^(9-1) uframes = 32 ms),
 * HS blob as sent. A FS device: the FS blob only, so GadgetFS links at full
 * speed. An SS device is shown at high speed: companions dropped, bulk 512,
 * bcdUSB 0x0200, bMaxPacketSize0 64, bMaxPower 250 x 8 mA capped at 500 mA;
 * that is exactly the high-speed device's write.
 */
static void test_acm(void **state)
{
	static const uint8_t want_hs[] = {
		TAG0, ACM_HEAD(0x4b, 0x80, 0xfa), ACM_FS_EPS, ACM_HEAD(0x4b, 0x80, 0xfa), ACM_HS_EPS,
		ACM_DEV(0x02, 64),
	};
	static const uint8_t want_fs[] = {
		TAG0, ACM_HEAD(0x4b, 0xc0, 0x32), ACM_FS_EPS, ACM_DEV(0x02, 64),
	};
	static const struct {
		const uint8_t *dev, *cfg;
		size_t clen;
		int speed;
		const uint8_t *want;
		size_t wlen;
	} c[] = {
		{ acm_dev, acm_cfg_hs, sizeof(acm_cfg_hs), USB_DESC_SPEED_HIGH, want_hs, sizeof(want_hs) },
		{ acm_dev, acm_cfg_fs, sizeof(acm_cfg_fs), USB_DESC_SPEED_FULL, want_fs, sizeof(want_fs) },
		{ acm_dev_ss, acm_cfg_ss, sizeof(acm_cfg_ss), USB_DESC_SPEED_SUPER, want_hs,
		  sizeof(want_hs) },
		{ acm_dev_ss, acm_cfg_ss, sizeof(acm_cfg_ss), USB_DESC_SPEED_SUPER_PLUS, want_hs,
		  sizeof(want_hs) },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct run *r = run_new(c[i].dev, c[i].cfg, c[i].clen);

		build_expect(r, c[i].speed, c[i].want, c[i].wlen);
		assert_int_equal(r->lay.wTotalLength, 0x4b);
		expect_acm_layout(&r->lay, c[i].speed != USB_DESC_SPEED_FULL);
		assert_int_equal(r->lay.map.ep[1].remote_mps, c[i].cfg == acm_cfg_ss ? 1024 :
				 c[i].speed == USB_DESC_SPEED_FULL ? 64 : 512);
		run_free(r);
	}
}

/*
 * Storage. SS: bMaxPower 25 x 8 mA = 200 mA is 100 x 2 mA; 44 bytes become
 * 32. FS: one configuration blob, 11-byte endpoint writes.
 */
static void test_storage(void **state)
{
	static const uint8_t want_ss[] = {
		TAG0,
		STORAGE_HEAD(0x20, 0x06, 0x64), BULK(0x81, 64), BULK(0x02, 64),
		STORAGE_HEAD(0x20, 0x06, 0x64), BULK(0x81, 512), BULK(0x02, 512),
		STORAGE_DEV(0x02, 64),
	};
	static const uint8_t want_fs[] = {
		TAG0, STORAGE_HEAD(0x20, 0x04, 0x00), BULK(0x81, 64), BULK(0x02, 64),
		STORAGE_DEV(0x02, 64),
	};
	struct run *r = run_new(storage_dev_ss, storage_cfg_ss, sizeof(storage_cfg_ss));

	(void)state;
	build_expect(r, USB_DESC_SPEED_SUPER, want_ss, sizeof(want_ss));
	assert_int_equal(r->lay.wTotalLength, 32);
	run_free(r);

	r = run_new(storage_dev_ss, storage_cfg_fs, sizeof(storage_cfg_fs));
	build_expect(r, USB_DESC_SPEED_FULL, want_fs, sizeof(want_fs));
	assert_false(r->lay.has_hs);
	expect_ep(&r->lay, 0, 0, 0, EP7(0x81, 0x02, 0x40, 0x00, 0x00), NULL);
	expect_ep(&r->lay, 1, 0, 0, EP7(0x02, 0x02, 0x40, 0x00, 0x00), NULL);
	run_free(r);
}

/*
 * A UDC that always links at high speed (musb: no udc_set_speed): a full-speed
 * device gets a high-speed part too, bulk 512, and its endpoint writes are 18
 * bytes.
 */
static void test_always_hs(void **state)
{
	static const uint8_t want[] = {
		TAG0, STORAGE_HEAD(0x20, 0x04, 0x00), BULK(0x81, 64), BULK(0x02, 64),
		STORAGE_HEAD(0x20, 0x04, 0x00), BULK(0x81, 512), BULK(0x02, 512),
		STORAGE_DEV(0x02, 64),
	};
	struct run *r = run_new(storage_dev_ss, storage_cfg_fs, sizeof(storage_cfg_fs));
	uint8_t w[GFS_EP_CONFIG_MAX];

	(void)state;
	r->o.always_hs = true;
	build_expect(r, USB_DESC_SPEED_FULL, want, sizeof(want));
	assert_true(r->lay.has_hs);
	assert_int_equal(gfs_ep_config(&r->lay, 0, w), 18);
	expect_ep(&r->lay, 0, 0, 0, EP7(0x81, 0x02, 0x40, 0x00, 0x00),
		  EP7(0x81, 0x02, 0x00, 0x02, 0x00));
	run_free(r);
}

/* CDC-ECM: data interface alt 0 without endpoints, alt 1 with the bulk pair. */
static void test_ecm_alt_settings(void **state)
{
	uint8_t want[4 + sizeof(net_cfg_ecm) + 18] = { TAG0 };
	struct run *r = run_new(net_dev, net_cfg_ecm, sizeof(net_cfg_ecm));

	(void)state;
	memcpy(want + 4, net_cfg_ecm, sizeof(net_cfg_ecm));
	memcpy(want + 4 + sizeof(net_cfg_ecm), net_dev, 17);
	want[sizeof(want) - 1] = 1; /* bNumConfigurations */
	build_expect(r, USB_DESC_SPEED_FULL, want, sizeof(want));

	assert_int_equal(r->lay.n_ep, 3);
	expect_ep(&r->lay, 0, 0, 0, EP7(0x81, 0x03, 0x10, 0x00, 0x20), NULL);
	expect_ep(&r->lay, 1, 1, 1, EP7(0x82, 0x02, 0x40, 0x00, 0x00), NULL);
	expect_ep(&r->lay, 2, 1, 1, EP7(0x02, 0x02, 0x40, 0x00, 0x00), NULL);
	assert_int_equal(r->lay.map.n_intf, 2);
	assert_int_equal(r->lay.map.intf_class[0], 0x02);
	assert_int_equal(r->lay.map.intf_subclass[0], 0x06);
	assert_int_equal(r->lay.map.intf_class[1], 0x0a);
	run_free(r);
}

/*
 * Alternate settings 0, 1, 2 of one vendor interface: every endpoint descriptor
 * is listed with its alt; 0x81 in alt 0 and alt 1 is fine. Alt 2's
 * high-bandwidth interrupt endpoint (1024 x 3) keeps bits 12:11 at HS only.
 */
static void test_vendor_alt_settings(void **state)
{
	static const uint8_t want[] = {
		TAG0,
		0x09, 0x02, 0x47, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
		VENDOR_INTF(0, 2), BULK(0x81, 64), BULK(0x02, 64),
		VENDOR_INTF(1, 2), BULK(0x81, 64), INTR(0x83, 64, 0x01), /* 1 ms */
		VENDOR_INTF(2, 1), INTR(0x84, 64, 0x01),                  /* capped at 64 */
		VENDOR_HS,
		ACM_DEV(0x02, 64),
	};
	struct run *r = run_new(acm_dev, vendor_cfg_hs, sizeof(vendor_cfg_hs));

	(void)state;
	assert_memory_equal(want + 4 + 71, vendor_cfg_hs, 71);
	build_expect(r, USB_DESC_SPEED_HIGH, want, sizeof(want));

	assert_int_equal(r->lay.n_ep, 5);
	expect_ep(&r->lay, 0, 0, 0, EP7(0x81, 0x02, 0x40, 0x00, 0x00), EP7(0x81, 0x02, 0x00, 0x02, 0x00));
	expect_ep(&r->lay, 1, 0, 0, EP7(0x02, 0x02, 0x40, 0x00, 0x00), EP7(0x02, 0x02, 0x00, 0x02, 0x00));
	expect_ep(&r->lay, 2, 0, 1, EP7(0x81, 0x02, 0x40, 0x00, 0x00), EP7(0x81, 0x02, 0x00, 0x02, 0x00));
	expect_ep(&r->lay, 3, 0, 1, EP7(0x83, 0x03, 0x40, 0x00, 0x01), EP7(0x83, 0x03, 0x40, 0x00, 0x04));
	expect_ep(&r->lay, 4, 0, 2, EP7(0x84, 0x03, 0x40, 0x00, 0x01), EP7(0x84, 0x03, 0x00, 0x14, 0x01));
	assert_int_equal(r->lay.map.ep[4].mps[FFS_SPEED_HS], 1024);
	assert_int_equal(r->lay.map.ep[4].remote_mps, 1024);
	assert_int_equal(r->lay.map.n_intf, 1);
	assert_int_equal(r->lay.map.intf_class[0], 0xff);
	run_free(r);
}

/* An OTHER_SPEED_CONFIGURATION of the same shape gives the FS values. */
static void test_other_speed(void **state)
{
	uint8_t fs_view[sizeof(acm_cfg_fs)];
	struct run *r = run_new(acm_dev, acm_cfg_hs, sizeof(acm_cfg_hs));

	(void)state;
	memcpy(fs_view, acm_cfg_fs, sizeof(fs_view));
	fs_view[1] = 0x07;
	fs_view[61 + 4] = 0x20; /* bulk IN 32 at FS */
	fs_view[45 + 6] = 0x10; /* notify every 16 ms */
	r->other = parse(fs_view, sizeof(fs_view));
	r->len = gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, r->other, NULL, r->out,
				  sizeof(r->out), &r->lay);
	assert_int_equal(r->len, 4 + 75 + 75 + 18);
	expect_ep(&r->lay, 0, 0, 0, EP7(0x82, 0x03, 0x0a, 0x00, 0x10), EP7(0x82, 0x03, 0x0a, 0x00, 0x09));
	expect_ep(&r->lay, 1, 1, 0, EP7(0x81, 0x02, 0x20, 0x00, 0x00), EP7(0x81, 0x02, 0x00, 0x02, 0x00));
	assert_memory_equal(r->out + 4 + 45, EP7(0x82, 0x03, 0x0a, 0x00, 0x10), 7);
	/* a different shape is ignored: derived values */
	fs_view[61 + 2] = 0x85;
	free(r->other);
	r->other = parse(fs_view, sizeof(fs_view));
	assert_true(gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, r->other, NULL, r->out,
				     sizeof(r->out), &r->lay) > 0);
	expect_acm_layout(&r->lay, true);
	run_free(r);
}

/* is_valid_config(): bit 7 set, remote wakeup clear; bConfigurationValue != 0. */
static void test_config_header(void **state)
{
	uint8_t c[sizeof(kbd_cfg_hs)];
	struct run *r;

	(void)state;
	memcpy(c, kbd_cfg_hs, sizeof(c));
	c[5] = 0;    /* bConfigurationValue */
	c[7] = 0x20; /* remote wakeup, bit 7 missing */
	r = run_new(acm_dev, c, sizeof(c));
	r->len = gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, NULL, NULL, r->out,
				  sizeof(r->out), &r->lay);
	assert_int_equal(r->len, 4 + 2 * 34 + 18);
	assert_int_equal(r->out[4 + 5], 1);
	assert_int_equal(r->out[4 + 7], 0x80);
	assert_int_equal(r->out[4 + 34 + 5], 1);
	assert_int_equal(r->out[4 + 34 + 7], 0x80);
	assert_int_equal(r->lay.bConfigurationValue, 1);
	/* the HID descriptor follows its interface unchanged */
	assert_memory_equal(r->out + 4 + 34 + 18, kbd_cfg_hs + 18, 9);
	run_free(r);

	r = run_new(acm_dev, kbd_cfg_hs, sizeof(kbd_cfg_hs));
	r->len = gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_LOW, NULL, NULL, r->out,
				  sizeof(r->out), &r->lay);
	assert_int_equal(r->len, 4 + 34 + 18); /* LOW: shown at full speed */
	assert_int_equal(r->out[4 + 7], 0x80);
	assert_int_equal(r->out[4 + 5], 1);
	run_free(r);
}

/* UAC1: refused without isochronous endpoints; else carried byte for byte. */
static void test_isochronous(void **state)
{
	uint8_t want[4 + sizeof(audio_cfg) + 18] = { TAG0 };
	struct run *r = run_new(net_dev, audio_cfg, sizeof(audio_cfg));

	(void)state;
	refuse_expect(r, USB_DESC_SPEED_FULL,
		      "interface 1 (Audio, alt 1) endpoint 0x01 is isochronous");
	r->o.udc_has_iso = true;
	memcpy(want + 4, audio_cfg, sizeof(audio_cfg));
	memcpy(want + 4 + sizeof(audio_cfg), net_dev, 17);
	want[sizeof(want) - 1] = 1;
	build_expect(r, USB_DESC_SPEED_FULL, want, sizeof(want));
	/* the endpoint file takes the 7-byte form */
	expect_ep(&r->lay, 0, 1, 1, EP7(0x01, 0x09, 0xc0, 0x00, 0x01), NULL);
	/* no alt 0: the class of the first alt */
	assert_int_equal(r->lay.map.intf_class[1], 0x01);
	assert_int_equal(r->lay.map.intf_subclass[1], 0x02);
	run_free(r);
}

/* A configuration @n bytes long: one interface, CS_INTERFACE filler, @tail (@n_eps endpoints). */
static struct run *run_sized(size_t n, const uint8_t *tail, size_t tlen, uint8_t n_eps)
{
	static const uint8_t head[] = {
		0x09, 0x02, 0, 0, 0x01, 0x01, 0x00, 0x80, 0x32,
		0x09, 0x04, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
	};
	uint8_t *c = calloc(1, n);
	size_t off = sizeof(head);
	struct run *r;

	assert_non_null(c);
	memcpy(c, head, off);
	c[2] = n & 0xff;
	c[3] = n >> 8;
	while (off < n - tlen) {
		size_t k = n - tlen - off > 255 ? 200 : n - tlen - off;

		c[off] = k;
		c[off + 1] = 0x24;
		off += k;
	}
	if (tlen)
		memcpy(c + off, tail, tlen);
	c[13] = n_eps;
	r = run_new(acm_dev, c, n);
	free(c);
	return r;
}

/* RBUF_SIZE: 256 bytes are carried, 257 and 300 are refused with their size. */
static void test_ctrl_max(void **state)
{
	static const uint8_t two_ss[] = {
		0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00, 0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
		0x08, 0x31, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, /* SSP iso companion */
		0x07, 0x05, 0x02, 0x02, 0x00, 0x04, 0x00, 0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	};
	struct run *r;

	static const uint8_t empty_cfg[] = { 0x09, 0x02, 0x09, 0x00, 0x00, 0x01, 0x00, 0x80, 0x32 };

	(void)state;
	/* a configuration without interfaces (a server that lies about wTotalLength) */
	r = run_new(acm_dev, empty_cfg, sizeof(empty_cfg));
	refuse_expect(r, USB_DESC_SPEED_HIGH, "has no interfaces");
	run_free(r);

	r = run_sized(300, NULL, 0, 0);
	refuse_expect(r, USB_DESC_SPEED_HIGH, "is 300 bytes long");
	assert_non_null(strstr(r->err, "at most 256 bytes"));
	run_free(r);

	r = run_sized(GFS_CTRL_MAX + 1, NULL, 0, 0);
	refuse_expect(r, USB_DESC_SPEED_FULL, "is 257 bytes long");
	run_free(r);

	r = run_sized(GFS_CTRL_MAX, NULL, 0, 0);
	r->len = gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, NULL, NULL, r->out,
				  sizeof(r->out), &r->lay);
	assert_int_equal(r->len, 4 + 2 * 256 + 18);
	assert_int_equal(r->lay.wTotalLength, 256);
	run_free(r);

	/* 276 bytes at super speed, 256 without the companions (0x30 and 0x31) */
	r = run_sized(GFS_CTRL_MAX + 20, two_ss, sizeof(two_ss), 2);
	assert_int_equal(gfs_desc_check(r->cfg, USB_DESC_SPEED_SUPER, NULL, r->err,
					sizeof(r->err)), 0);
	r->len = gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_SUPER, NULL, NULL, r->out,
				  sizeof(r->out), &r->lay);
	assert_int_equal(r->len, 4 + 2 * 256 + 18);
	assert_memory_equal(r->out + 4 + 256 + 256 - 14, EP7(0x81, 0x02, 0x00, 0x02, 0x00), 7);
	assert_memory_equal(r->out + 4 + 256 + 256 - 7, EP7(0x02, 0x02, 0x00, 0x02, 0x00), 7);
	run_free(r);
}

/* The other refusals, each naming what it refuses. */
static void test_refusals(void **state)
{
	static const uint8_t bulk_pair[] = {
		0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00, 0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
	};
	/* vendor_cfg_hs with byte @at set to @v (and @at2 to @v2) */
	static const struct {
		unsigned at;
		uint8_t v;
		unsigned at2;
		uint8_t v2;
		const char *what;
	} p[] = {
		/* 0x81 in alt 1 of a second interface: one endpoint file, two users */
		{ 32 + 2, 1, 0, 0,
		  "interface 1 (Vendor Specific, alt 1) endpoint 0x81 is also an endpoint of interface 0" },
		/* twice in one alt setting */
		{ 48 + 2, 0x81, 0, 0, "(Vendor Specific, alt 1) has endpoint 0x81 twice" },
		/* an alt setting described twice (fuzzer finding duplicate-alt) */
		{ 55 + 3, 1, 0, 0, "interface 0 (Vendor Specific, alt 1) is described twice" },
		/* a periodic wMaxPacketSize over 1024, and 3 additional transactions */
		{ 48 + 4, 0x01, 48 + 5, 0x04, "endpoint 0x83 has wMaxPacketSize 0x0401" },
		{ 64 + 5, 0x1c, 0, 0, "endpoint 0x84 has wMaxPacketSize 0x1c00" },
		/* a control endpoint */
		{ 18 + 3, 0x00, 0, 0, "endpoint 0x81 is a control endpoint" },
		/* an interface number the map cannot index */
		{ 55 + 2, GFS_MAX_INTF, 0, 0,
		  "interface 16 (Vendor Specific, alt 2) has a number above 15" },
	};
	uint8_t c[sizeof(vendor_cfg_hs)];
	struct run *r;
	unsigned i;

	(void)state;
	/* endpoints across alt settings count: 5 here */
	r = run_new(acm_dev, vendor_cfg_hs, sizeof(vendor_cfg_hs));
	r->o.max_eps = 4;
	refuse_expect(r, USB_DESC_SPEED_HIGH,
		      "interface 0 (Vendor Specific, alt 2) endpoint 0x84 is endpoint 5 of the configuration, counting every alternate setting: at most 4");
	r->o.max_eps = 5;
	assert_int_equal(gfs_desc_check(r->cfg, USB_DESC_SPEED_HIGH, &r->o, NULL, 0), 0);
	run_free(r);

	r = run_sized(9 + 9 + 14, bulk_pair, sizeof(bulk_pair), 2);
	r->o.max_eps = 1;
	refuse_expect(r, USB_DESC_SPEED_FULL, "endpoint 0x02 is endpoint 2");
	run_free(r);

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		memcpy(c, vendor_cfg_hs, sizeof(c));
		c[p[i].at] = p[i].v;
		if (p[i].at2)
			c[p[i].at2] = p[i].v2;
		r = run_new(acm_dev, c, sizeof(c));
		refuse_expect(r, USB_DESC_SPEED_HIGH, p[i].what);
		run_free(r);
	}
}

/* Arguments and small buffers. */
static void test_arguments(void **state)
{
	struct run *r = run_new(acm_dev, acm_cfg_hs, sizeof(acm_cfg_hs));
	uint8_t w[GFS_EP_CONFIG_MAX];
	char e[8];

	(void)state;
	assert_int_equal(gfs_desc_check(NULL, USB_DESC_SPEED_HIGH, NULL, NULL, 0), -EINVAL);
	assert_int_equal(gfs_config_build(NULL, &r->dev, USB_DESC_SPEED_HIGH, NULL, NULL, r->out,
					  sizeof(r->out), NULL), -EINVAL);
	assert_int_equal(gfs_config_build(r->cfg, NULL, USB_DESC_SPEED_HIGH, NULL, NULL, r->out,
					  sizeof(r->out), NULL), -EINVAL);
	assert_int_equal(gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, NULL, NULL, NULL,
					  0, NULL), -ENOSPC);
	assert_int_equal(gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, NULL, NULL, r->out,
					  sizeof(r->out), NULL), 4 + 75 + 75 + 18);
	/* a layout is only written on success */
	memset(&r->lay, 0x5a, sizeof(r->lay));
	assert_int_equal(gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, NULL, NULL, r->out,
					  10, &r->lay), -ENOSPC);
	assert_int_equal(r->lay.n_ep, 0x5a5a5a5a);
	assert_true(gfs_config_build(r->cfg, &r->dev, USB_DESC_SPEED_HIGH, NULL, NULL, r->out,
				     sizeof(r->out), &r->lay) > 0);
	assert_int_equal(gfs_ep_config(&r->lay, 3, w), 0);
	assert_int_equal(gfs_ep_config(NULL, 0, w), 0);

	/* a short error buffer holds the start of the sentence */
	r->o.max_eps = 1;
	assert_int_equal(gfs_desc_check(r->cfg, USB_DESC_SPEED_HIGH, &r->o, e, sizeof(e)),
			 -EOPNOTSUPP);
	assert_string_equal(e, "interfa");
	run_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acm),
		cmocka_unit_test(test_storage),
		cmocka_unit_test(test_always_hs),
		cmocka_unit_test(test_ecm_alt_settings),
		cmocka_unit_test(test_vendor_alt_settings),
		cmocka_unit_test(test_other_speed),
		cmocka_unit_test(test_config_header),
		cmocka_unit_test(test_isochronous),
		cmocka_unit_test(test_ctrl_max),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
