// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_usb_desc.c - functionfs/usb_desc.c against real descriptor sets.
 *
 * The well-formed blobs are what real devices send, transcribed byte by byte:
 * QEMU's emulated usb-storage, usb-kbd and usb-net (hw/usb/dev-storage.c,
 * dev-hid.c, dev-network.c, serialised the way hw/usb/desc.c does: IAD groups,
 * then per interface its class descriptors, then per endpoint the endpoint,
 * its SS companion, its extras) and a Linux CDC-ACM gadget
 * (drivers/usb/gadget/function/f_acm.c). The malformed ones are those blobs
 * with one thing broken, so each failure is pinned to a single cause.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/usb_desc.h"

/* ------------------------------------------------------------------------ */
/* QEMU usb-storage (hw/usb/dev-storage.c), idVendor 0x46f4 = CRC16("QEMU").  */

static const uint8_t qemu_storage_dev_hs[] = {
	0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, /* bcdUSB 2.00, mps0 64 */
	0xf4, 0x46, 0x01, 0x00, 0x00, 0x00,             /* 46f4:0001, bcdDevice 0 */
	0x01, 0x02, 0x03, 0x01,                         /* strings 1/2/3, 1 config */
};

static const uint8_t qemu_storage_dev_ss[] = {
	0x12, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x09, /* bcdUSB 3.00, mps0 2^9 */
	0xf4, 0x46, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x02, 0x03, 0x01,
};

/* desc_device_full: "Full speed config (usb 1.1)" is string 4. */
static const uint8_t qemu_storage_cfg_fs[] = {
	0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x04, 0xc0, 0x00,
	0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00, /* MSC, SCSI, BBB */
	0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,             /* bulk IN 64 */
	0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,             /* bulk OUT 64 */
};

/* desc_device_high: string 5, bulk 512. */
static const uint8_t qemu_storage_cfg_hs[] = {
	0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x05, 0xc0, 0x00,
	0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x00, 0x02, 0x00,
};

/* desc_device_super: string 6, bulk 1024, companions with bMaxBurst 15. */
static const uint8_t qemu_storage_cfg_ss[] = {
	0x09, 0x02, 0x2c, 0x00, 0x01, 0x01, 0x06, 0xc0, 0x00,
	0x09, 0x04, 0x00, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x0f, 0x00, 0x00, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x0f, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* QEMU usb-kbd (hw/usb/dev-hid.c), usb_version=2.                           */

static const uint8_t qemu_kbd_dev_hs[] = {
	0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40,
	0x27, 0x06, 0x01, 0x00, 0x00, 0x00, /* 0627:0001 */
	0x01, 0x04, 0x0b, 0x01,             /* "QEMU", "QEMU USB Keyboard", "68284" */
};

/* desc_device_keyboard: "HID Keyboard" is string 8, remote wakeup, 100 mA. */
static const uint8_t qemu_kbd_cfg_fs[] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00, /* HID boot keyboard */
	0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00, /* HID 1.11, 1 report, 63 B */
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,             /* int IN 8, 10 ms */
};

/* desc_device_keyboard2: same, bInterval 7 (2^6 microframes = 8 ms). */
static const uint8_t qemu_kbd_cfg_hs[] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
	0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x07,
};

/* ------------------------------------------------------------------------ */
/* QEMU usb-net (hw/usb/dev-network.c): RNDIS (config 2) and CDC ECM (1).    */

static const uint8_t qemu_net_dev[] = {
	0x12, 0x01, 0x00, 0x02, 0x02, 0x00, 0x00, 0x40, /* bDeviceClass CDC */
	0x25, 0x05, 0xa2, 0xa4, 0x00, 0x00,             /* 0525:a4a2 */
	0x01, 0x02, 0x0a, 0x02,                         /* 2 configurations */
};

static const uint8_t qemu_net_cfg_rndis[] = {
	0x09, 0x02, 0x43, 0x00, 0x02, 0x02, 0x09, 0xc0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0xff, 0x06, /* CDC ACM, vendor proto */
	0x05, 0x24, 0x00, 0x10, 0x01,                         /* header, CDC 1.10 */
	0x05, 0x24, 0x01, 0x00, 0x01,                         /* call management */
	0x04, 0x24, 0x02, 0x00,                               /* ACM */
	0x05, 0x24, 0x06, 0x00, 0x01,                         /* union 0 -> 1 */
	0x07, 0x05, 0x81, 0x03, 0x10, 0x00, 0x20,             /* int IN 16, 32 ms */
	0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x04, /* CDC data */
	0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
};

static const uint8_t qemu_net_cfg_cdc[] = {
	0x09, 0x02, 0x50, 0x00, 0x02, 0x01, 0x07, 0xc0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x06, 0x00, 0x05, /* CDC ECM control */
	0x05, 0x24, 0x00, 0x10, 0x01,                         /* header */
	0x05, 0x24, 0x06, 0x00, 0x01,                         /* union */
	0x0d, 0x24, 0x0f, 0x03, 0x00, 0x00, 0x00, 0x00,       /* ethernet, iMAC 3 */
	0xea, 0x05, 0x00, 0x00, 0x00,                         /* max segment 1514 */
	0x07, 0x05, 0x81, 0x03, 0x10, 0x00, 0x20,
	0x09, 0x04, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, /* data alt 0: no eps */
	0x09, 0x04, 0x01, 0x01, 0x02, 0x0a, 0x00, 0x00, 0x04, /* data alt 1 */
	0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00,
	0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/*
 * A Linux CDC-ACM gadget (configfs acm.GS0 alone, f_acm.c), as a host sees it:
 * bulk IN 0x81 / OUT 0x01 allocated first, notify 0x82; strings 5/6/7 are
 * the function's, 4 the configuration's.
 */
static const uint8_t linux_acm_cfg_hs[] = {
	0x09, 0x02, 0x4b, 0x00, 0x02, 0x01, 0x04, 0x80, 0xfa,
	0x08, 0x0b, 0x00, 0x02, 0x02, 0x02, 0x01, 0x07,       /* IAD 0..1, "CDC Serial" */
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x05,
	0x05, 0x24, 0x00, 0x10, 0x01,
	0x05, 0x24, 0x01, 0x00, 0x01,
	0x04, 0x24, 0x02, 0x02,                               /* USB_CDC_CAP_LINE */
	0x05, 0x24, 0x06, 0x00, 0x01,
	0x07, 0x05, 0x82, 0x03, 0x0a, 0x00, 0x09,             /* notify 10 B, 2^8 uframes */
	0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x06,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00,
	0x07, 0x05, 0x01, 0x02, 0x00, 0x02, 0x00,
};

/* acm_ss_function: the same bulk companion after all three endpoints. */
static const uint8_t linux_acm_cfg_ss[] = {
	0x09, 0x02, 0x5d, 0x00, 0x02, 0x01, 0x04, 0x80, 0xfa,
	0x08, 0x0b, 0x00, 0x02, 0x02, 0x02, 0x01, 0x07,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x05,
	0x05, 0x24, 0x00, 0x10, 0x01,
	0x05, 0x24, 0x01, 0x00, 0x01,
	0x04, 0x24, 0x02, 0x02,
	0x05, 0x24, 0x06, 0x00, 0x01,
	0x07, 0x05, 0x82, 0x03, 0x0a, 0x00, 0x09,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x06,
	0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x05, 0x01, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
};

/*
 * UAC1 speaker-style streaming interface: 9-byte isochronous endpoint
 * (bRefresh, bSynchAddress) followed by a CS_ENDPOINT, plus an OTG descriptor
 * before the first interface (it belongs to the configuration).
 */
static const uint8_t audio_cfg[] = {
	0x09, 0x02, 0x40, 0x00, 0x02, 0x01, 0x00, 0x80, 0x32,
	0x05, 0x09, 0x03, 0x00, 0x02,                         /* OTG: SRP|HNP */
	0x09, 0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, /* AudioControl */
	0x09, 0x24, 0x01, 0x00, 0x01, 0x09, 0x00, 0x01, 0x01, /* AC header */
	0x09, 0x04, 0x01, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, /* AudioStreaming alt 1 */
	0x07, 0x24, 0x01, 0x01, 0x01, 0x01, 0x00,             /* AS general */
	0x09, 0x05, 0x01, 0x09, 0xc0, 0x00, 0x01, 0x00, 0x00, /* iso OUT adaptive 192 */
	0x07, 0x25, 0x01, 0x00, 0x00, 0x00, 0x00,             /* AS iso endpoint */
};

/* ------------------------------------------------------------------------ */

struct ctx {
	struct usb_desc_config *cfg; /* ~54 KB: heap, not stack */
	struct usb_desc_err err;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->cfg = calloc(1, sizeof(*c->cfg));
	if (!c->cfg) {
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	free(c->cfg);
	free(c);
	return 0;
}

static void assert_msg_has(const char *msg, const char *want)
{
	if (!strstr(msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", msg, want);
}

/* The @k-th extra descriptor of the run @x, which must exist. */
static const uint8_t *xd(const struct usb_desc_config *cfg, const struct usb_desc_extras *x,
			 unsigned int k)
{
	const uint8_t *d = usb_desc_extra(cfg, x, k);

	assert_non_null(d);
	return d;
}

/* Parse @buf after copying it, so ASan sees reads past @len. */
static int parse_cfg(struct ctx *c, const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	memset(&c->err, 0, sizeof(c->err));
	ret = usb_desc_parse_config(copy, len, c->cfg, &c->err);
	free(copy);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Device descriptors                                                        */

static void test_device_storage_hs(void **state)
{
	struct usb_desc_device d;
	struct usb_desc_err err;

	(void)state;
	assert_int_equal(usb_desc_parse_device(qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs),
					       &d, &err), 0);
	assert_int_equal(d.bcdUSB, 0x0200);
	assert_int_equal(d.bDeviceClass, 0);
	assert_int_equal(d.bMaxPacketSize0, 64);
	assert_int_equal(d.idVendor, 0x46f4);
	assert_int_equal(d.idProduct, 0x0001);
	assert_int_equal(d.bcdDevice, 0);
	assert_int_equal(d.iManufacturer, 1);
	assert_int_equal(d.iProduct, 2);
	assert_int_equal(d.iSerialNumber, 3);
	assert_int_equal(d.bNumConfigurations, 1);
}

static void test_device_storage_ss(void **state)
{
	struct usb_desc_device d;

	(void)state;
	assert_int_equal(usb_desc_parse_device(qemu_storage_dev_ss, sizeof(qemu_storage_dev_ss),
					       &d, NULL), 0);
	assert_int_equal(d.bcdUSB, 0x0300);
	assert_int_equal(d.bMaxPacketSize0, 9);
}

static void test_device_kbd_net(void **state)
{
	struct usb_desc_device d;

	(void)state;
	assert_int_equal(usb_desc_parse_device(qemu_kbd_dev_hs, sizeof(qemu_kbd_dev_hs), &d, NULL), 0);
	assert_int_equal(d.idVendor, 0x0627);
	assert_int_equal(d.iProduct, 4);
	assert_int_equal(d.iSerialNumber, 11);
	assert_int_equal(usb_desc_parse_device(qemu_net_dev, sizeof(qemu_net_dev), &d, NULL), 0);
	assert_int_equal(d.bDeviceClass, 0x02);
	assert_int_equal(d.idVendor, 0x0525);
	assert_int_equal(d.idProduct, 0xa4a2);
	assert_int_equal(d.bNumConfigurations, 2);
}

static void test_device_malformed(void **state)
{
	struct usb_desc_device d;
	struct usb_desc_err err;
	uint8_t b[18];

	(void)state;
	assert_int_equal(usb_desc_parse_device(qemu_storage_dev_hs, 17, &d, &err), -EINVAL);
	assert_string_equal(err.msg, "device descriptor: 17 bytes, shorter than 18");

	memcpy(b, qemu_storage_dev_hs, sizeof(b));
	b[0] = 17;
	assert_int_equal(usb_desc_parse_device(b, sizeof(b), &d, &err), -EINVAL);
	assert_string_equal(err.msg, "device descriptor: bLength 17 (expected 18)");

	memcpy(b, qemu_storage_dev_hs, sizeof(b));
	b[1] = 0x02;
	assert_int_equal(usb_desc_parse_device(b, sizeof(b), &d, &err), -EINVAL);
	assert_string_equal(err.msg, "device descriptor: bDescriptorType is CONFIGURATION, not DEVICE");

	/* 9 is an exponent only at SuperSpeed. */
	memcpy(b, qemu_storage_dev_hs, sizeof(b));
	b[7] = 9;
	assert_int_equal(usb_desc_parse_device(b, sizeof(b), &d, &err), -EINVAL);
	assert_msg_has(err.msg, "bMaxPacketSize0 9");
	b[7] = 0;
	assert_int_equal(usb_desc_parse_device(b, sizeof(b), &d, NULL), -EINVAL);
	b[7] = 8;
	assert_int_equal(usb_desc_parse_device(b, sizeof(b), &d, NULL), 0);
}

/* ------------------------------------------------------------------------ */
/* Configurations: QEMU usb-storage                                          */

static void check_storage(const struct usb_desc_config *cfg, uint16_t mps)
{
	const struct usb_desc_interface *in = &cfg->intf[0];

	assert_int_equal(cfg->bNumInterfaces, 1);
	assert_int_equal(cfg->bConfigurationValue, 1);
	assert_int_equal(cfg->bmAttributes, 0xc0);
	assert_int_equal(cfg->bMaxPower, 0);
	assert_int_equal(cfg->extra.n, 0);
	assert_int_equal(cfg->n_iad, 0);
	assert_int_equal(cfg->n_intf, 1);
	assert_int_equal(in->bInterfaceNumber, 0);
	assert_int_equal(in->bAlternateSetting, 0);
	assert_int_equal(in->bNumEndpoints, 2);
	assert_int_equal(in->bInterfaceClass, 0x08);
	assert_int_equal(in->bInterfaceSubClass, 0x06);
	assert_int_equal(in->bInterfaceProtocol, 0x50);
	assert_int_equal(in->extra.n, 0);
	assert_int_equal(in->n_ep, 2);
	assert_int_equal(in->ep[0].bLength, 7);
	assert_int_equal(in->ep[0].bEndpointAddress, 0x81);
	assert_int_equal(in->ep[0].bmAttributes, 0x02);
	assert_int_equal(in->ep[0].wMaxPacketSize, mps);
	assert_int_equal(in->ep[0].bInterval, 0);
	assert_int_equal(in->ep[1].bEndpointAddress, 0x02);
	assert_int_equal(in->ep[1].wMaxPacketSize, mps);
	assert_string_equal(usb_desc_class_str(in->bInterfaceClass), "Mass Storage");
	assert_string_equal(usb_desc_xfer_str(in->ep[0].bmAttributes), "bulk");
}

static void test_storage_fs(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(parse_cfg(c, qemu_storage_cfg_fs, sizeof(qemu_storage_cfg_fs)), 0);
	assert_int_equal(c->cfg->wTotalLength, 32);
	assert_int_equal(c->cfg->iConfiguration, 4);
	check_storage(c->cfg, 64);
	assert_false(c->cfg->intf[0].ep[0].has_ss_comp);
}

static void test_storage_hs(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(parse_cfg(c, qemu_storage_cfg_hs, sizeof(qemu_storage_cfg_hs)), 0);
	assert_int_equal(c->cfg->iConfiguration, 5);
	check_storage(c->cfg, 512);
}

static void test_storage_ss(void **state)
{
	struct ctx *c = *state;
	const struct usb_desc_endpoint *ep = c->cfg->intf[0].ep;

	assert_int_equal(parse_cfg(c, qemu_storage_cfg_ss, sizeof(qemu_storage_cfg_ss)), 0);
	assert_int_equal(c->cfg->wTotalLength, 44);
	assert_int_equal(c->cfg->iConfiguration, 6);
	check_storage(c->cfg, 1024);
	for (int i = 0; i < 2; i++) {
		assert_true(ep[i].has_ss_comp);
		assert_int_equal(ep[i].ss_bMaxBurst, 15);
		assert_int_equal(ep[i].ss_bmAttributes, 0);
		assert_int_equal(ep[i].ss_wBytesPerInterval, 0);
		assert_int_equal(ep[i].extra.n, 0); /* the companion is not an extra */
	}
}

/* OTHER_SPEED_CONFIGURATION has the configuration's layout (USB 2.0 9.6.4). */
static void test_other_speed(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(qemu_storage_cfg_fs)];

	memcpy(b, qemu_storage_cfg_fs, sizeof(b));
	b[1] = 0x07;
	assert_int_equal(parse_cfg(c, b, sizeof(b)), 0);
	check_storage(c->cfg, 64);

	b[25] = 0; /* OUT endpoint bLength 0 */
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "other-speed configuration descriptor, offset 25: ENDPOINT descriptor has bLength 0 (minimum 2)");
}

/* ------------------------------------------------------------------------ */
/* QEMU usb-kbd                                                              */

static void test_kbd(void **state)
{
	struct ctx *c = *state;
	const struct usb_desc_interface *in = &c->cfg->intf[0];
	static const uint8_t hid[] = { 0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00 };

	assert_int_equal(parse_cfg(c, qemu_kbd_cfg_fs, sizeof(qemu_kbd_cfg_fs)), 0);
	assert_int_equal(c->cfg->iConfiguration, 8);
	assert_int_equal(c->cfg->bmAttributes, 0xa0);
	assert_int_equal(c->cfg->bMaxPower, 50);
	assert_int_equal(c->cfg->extra.n, 0);
	assert_int_equal(c->cfg->n_intf, 1);
	assert_int_equal(in->bInterfaceClass, 0x03);
	assert_int_equal(in->bInterfaceSubClass, 0x01);
	assert_int_equal(in->bInterfaceProtocol, 0x01);
	/* The HID descriptor sits between interface and endpoint: interface extra. */
	assert_int_equal(in->extra.n, 1);
	assert_int_equal(xd(c->cfg, &in->extra, 0)[0], 9);
	assert_int_equal(xd(c->cfg, &in->extra, 0)[1], 0x21);
	assert_memory_equal(xd(c->cfg, &in->extra, 0), hid, sizeof(hid));
	assert_int_equal(xd(c->cfg, &in->extra, 0)[5], 1); /* bNumDescriptors */
	assert_int_equal(in->n_ep, 1);
	assert_int_equal(in->ep[0].bEndpointAddress, 0x81);
	assert_int_equal(in->ep[0].bmAttributes, 0x03);
	assert_int_equal(in->ep[0].wMaxPacketSize, 8);
	assert_int_equal(in->ep[0].bInterval, 10);
	assert_int_equal(in->ep[0].extra.n, 0);
	assert_string_equal(usb_desc_xfer_str(in->ep[0].bmAttributes), "interrupt");
	assert_string_equal(usb_desc_type_str(xd(c->cfg, &in->extra, 0)[1]), "HID (0x21)");

	assert_int_equal(parse_cfg(c, qemu_kbd_cfg_hs, sizeof(qemu_kbd_cfg_hs)), 0);
	assert_int_equal(in->ep[0].bInterval, 7);
	assert_int_equal(in->extra.n, 1);
}

/* ------------------------------------------------------------------------ */
/* QEMU usb-net                                                              */

static void test_net_rndis(void **state)
{
	struct ctx *c = *state;
	const struct usb_desc_config *cfg = c->cfg;

	assert_int_equal(parse_cfg(c, qemu_net_cfg_rndis, sizeof(qemu_net_cfg_rndis)), 0);
	assert_int_equal(cfg->bConfigurationValue, 2);
	assert_int_equal(cfg->iConfiguration, 9);
	assert_int_equal(cfg->bMaxPower, 0x32);
	assert_int_equal(cfg->n_intf, 2);
	assert_int_equal(cfg->intf[0].bInterfaceProtocol, 0xff);
	assert_int_equal(cfg->intf[0].iInterface, 6);
	assert_int_equal(cfg->intf[0].extra.n, 4);
	assert_int_equal(xd(cfg, &cfg->intf[0].extra, 0)[0], 5);
	assert_int_equal(xd(cfg, &cfg->intf[0].extra, 2)[0], 4);
	assert_int_equal(xd(cfg, &cfg->intf[0].extra, 2)[2], 0x02); /* ACM subtype */
	assert_int_equal(xd(cfg, &cfg->intf[0].extra, 3)[2], 0x06); /* union */
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(xd(cfg, &cfg->intf[0].extra, i)[1], 0x24);
	assert_int_equal(cfg->intf[0].n_ep, 1);
	assert_int_equal(cfg->intf[0].ep[0].wMaxPacketSize, 16);
	assert_int_equal(cfg->intf[0].ep[0].bInterval, 32);
	assert_int_equal(cfg->intf[1].bInterfaceClass, 0x0a);
	assert_int_equal(cfg->intf[1].n_ep, 2);
	assert_int_equal(cfg->intf[1].ep[0].bEndpointAddress, 0x82);
	assert_int_equal(cfg->intf[1].ep[1].bEndpointAddress, 0x02);
}

static void test_net_cdc(void **state)
{
	struct ctx *c = *state;
	const struct usb_desc_config *cfg = c->cfg;
	static const uint8_t eth[] = {
		0x0d, 0x24, 0x0f, 0x03, 0x00, 0x00, 0x00, 0x00, 0xea, 0x05, 0x00, 0x00, 0x00,
	};

	assert_int_equal(parse_cfg(c, qemu_net_cfg_cdc, sizeof(qemu_net_cfg_cdc)), 0);
	assert_int_equal(cfg->wTotalLength, 80);
	assert_int_equal(cfg->bNumInterfaces, 2);
	assert_int_equal(cfg->bConfigurationValue, 1);
	assert_int_equal(cfg->n_iad, 0);
	/* Three interface descriptors: data interface 1 has alt settings 0 and 1. */
	assert_int_equal(cfg->n_intf, 3);
	assert_int_equal(cfg->intf[0].bInterfaceSubClass, 0x06);
	assert_int_equal(cfg->intf[0].extra.n, 3);
	assert_memory_equal(xd(cfg, &cfg->intf[0].extra, 2), eth, sizeof(eth));
	assert_int_equal(cfg->intf[0].n_ep, 1);
	assert_int_equal(cfg->intf[1].bInterfaceNumber, 1);
	assert_int_equal(cfg->intf[1].bAlternateSetting, 0);
	assert_int_equal(cfg->intf[1].bNumEndpoints, 0);
	assert_int_equal(cfg->intf[1].n_ep, 0);
	assert_int_equal(cfg->intf[2].bAlternateSetting, 1);
	assert_int_equal(cfg->intf[2].iInterface, 4);
	assert_int_equal(cfg->intf[2].n_ep, 2);
	assert_int_equal(cfg->intf[2].ep[0].wMaxPacketSize, 64);

	assert_ptr_equal(usb_desc_find_intf(cfg, 1, 1), &cfg->intf[2]);
	assert_ptr_equal(usb_desc_find_intf(cfg, 1, 0), &cfg->intf[1]);
	assert_ptr_equal(usb_desc_find_intf(cfg, 0, 0), &cfg->intf[0]);
	assert_null(usb_desc_find_intf(cfg, 2, 0));
	assert_null(usb_desc_find_intf(cfg, 0, 1));
}

/* ------------------------------------------------------------------------ */
/* Linux CDC-ACM gadget                                                      */

static void check_acm(const struct usb_desc_config *cfg)
{
	const struct usb_desc_iad *iad = &cfg->iad[0];

	assert_int_equal(cfg->bmAttributes, 0x80);
	assert_int_equal(cfg->bMaxPower, 0xfa);
	assert_int_equal(cfg->extra.n, 0); /* the IAD is not a config extra */
	assert_int_equal(cfg->n_iad, 1);
	assert_int_equal(iad->bFirstInterface, 0);
	assert_int_equal(iad->bInterfaceCount, 2);
	assert_int_equal(iad->bFunctionClass, 0x02);
	assert_int_equal(iad->bFunctionSubClass, 0x02);
	assert_int_equal(iad->bFunctionProtocol, 0x01);
	assert_int_equal(iad->iFunction, 7);
	assert_int_equal(iad->before_intf, 0);
	assert_int_equal(cfg->n_intf, 2);
	assert_int_equal(cfg->intf[0].extra.n, 4);
	assert_int_equal(xd(cfg, &cfg->intf[0].extra, 2)[3], 0x02); /* USB_CDC_CAP_LINE */
	assert_int_equal(cfg->intf[0].n_ep, 1);
	assert_int_equal(cfg->intf[0].ep[0].bEndpointAddress, 0x82);
	assert_int_equal(cfg->intf[0].ep[0].wMaxPacketSize, 10);
	assert_int_equal(cfg->intf[0].ep[0].bInterval, 9);
	assert_int_equal(cfg->intf[1].bInterfaceClass, 0x0a);
	assert_int_equal(cfg->intf[1].iInterface, 6);
	assert_int_equal(cfg->intf[1].extra.n, 0);
	assert_int_equal(cfg->intf[1].n_ep, 2);
	assert_int_equal(cfg->intf[1].ep[0].bEndpointAddress, 0x81);
	assert_int_equal(cfg->intf[1].ep[1].bEndpointAddress, 0x01);
}

static void test_acm_hs(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(parse_cfg(c, linux_acm_cfg_hs, sizeof(linux_acm_cfg_hs)), 0);
	check_acm(c->cfg);
	assert_int_equal(c->cfg->intf[1].ep[0].wMaxPacketSize, 512);
	assert_false(c->cfg->intf[0].ep[0].has_ss_comp);
}

static void test_acm_ss(void **state)
{
	struct ctx *c = *state;
	const struct usb_desc_config *cfg = c->cfg;

	assert_int_equal(parse_cfg(c, linux_acm_cfg_ss, sizeof(linux_acm_cfg_ss)), 0);
	check_acm(cfg);
	assert_int_equal(cfg->intf[1].ep[0].wMaxPacketSize, 1024);
	assert_true(cfg->intf[0].ep[0].has_ss_comp);
	assert_true(cfg->intf[1].ep[0].has_ss_comp);
	assert_true(cfg->intf[1].ep[1].has_ss_comp);
	assert_int_equal(cfg->intf[1].ep[1].ss_bMaxBurst, 0);
	assert_int_equal(cfg->intf[0].ep[0].extra.n, 0);
}

/* Two IADs; the second one's before_intf points at its first interface. */
static void test_two_iads(void **state)
{
	struct ctx *c = *state;
	uint8_t b[9 + 2 * (sizeof(linux_acm_cfg_hs) - 9)];
	size_t body = sizeof(linux_acm_cfg_hs) - 9;

	memcpy(b, linux_acm_cfg_hs, 9);
	memcpy(b + 9, linux_acm_cfg_hs + 9, body);
	memcpy(b + 9 + body, linux_acm_cfg_hs + 9, body);
	b[2] = sizeof(b) & 0xff;
	b[3] = sizeof(b) >> 8;
	b[4] = 4;
	b[9 + body + 2] = 2;      /* second IAD: interfaces 2..3 */
	b[9 + body + 8 + 2] = 2;  /* its control interface */
	b[9 + body + 8 + 9 + 19 + 7 + 2] = 3; /* its data interface */
	assert_int_equal(parse_cfg(c, b, sizeof(b)), 0);
	assert_int_equal(c->cfg->n_iad, 2);
	assert_int_equal(c->cfg->n_intf, 4);
	assert_int_equal(c->cfg->iad[1].bFirstInterface, 2);
	assert_int_equal(c->cfg->iad[1].before_intf, 2);
	assert_int_equal(c->cfg->intf[2].bInterfaceNumber, 2);
	assert_int_equal(c->cfg->intf[3].bInterfaceNumber, 3);
	/* The data endpoints of the first function did not swallow the IAD. */
	assert_int_equal(c->cfg->intf[1].ep[1].extra.n, 0);
}

/* ------------------------------------------------------------------------ */
/* Audio: 9-byte endpoints, CS_ENDPOINT, config-level extra                  */

static void test_audio(void **state)
{
	struct ctx *c = *state;
	const struct usb_desc_config *cfg = c->cfg;
	const struct usb_desc_endpoint *ep;

	assert_int_equal(parse_cfg(c, audio_cfg, sizeof(audio_cfg)), 0);
	assert_int_equal(cfg->extra.n, 1);
	assert_int_equal(xd(cfg, &cfg->extra, 0)[1], 0x09);
	assert_string_equal(usb_desc_type_str(xd(cfg, &cfg->extra, 0)[1]), "OTG");
	assert_int_equal(cfg->n_intf, 2);
	assert_int_equal(cfg->intf[0].extra.n, 1);
	assert_int_equal(cfg->intf[0].n_ep, 0);
	assert_int_equal(cfg->intf[1].bAlternateSetting, 1);
	assert_int_equal(cfg->intf[1].extra.n, 1);
	assert_int_equal(cfg->intf[1].n_ep, 1);
	ep = &cfg->intf[1].ep[0];
	assert_int_equal(ep->bLength, 9);
	assert_int_equal(ep->bEndpointAddress, 0x01);
	assert_int_equal(ep->bmAttributes, 0x09);
	assert_int_equal(ep->wMaxPacketSize, 192);
	assert_int_equal(ep->bInterval, 1);
	assert_int_equal(ep->bRefresh, 0);
	assert_int_equal(ep->bSynchAddress, 0);
	assert_int_equal(ep->extra.n, 1);
	assert_int_equal(xd(cfg, &ep->extra, 0)[1], 0x25);
	assert_int_equal(xd(cfg, &ep->extra, 0)[0], 7);
	assert_string_equal(usb_desc_xfer_str(ep->bmAttributes), "isochronous");
	assert_string_equal(usb_desc_class_str(cfg->intf[1].bInterfaceClass), "Audio");
}

/* ------------------------------------------------------------------------ */
/* Malformed configurations                                                  */

static void test_blength_0_and_1(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(qemu_storage_cfg_fs)];

	memcpy(b, qemu_storage_cfg_fs, sizeof(b));
	b[18] = 0;
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 18: ENDPOINT descriptor has bLength 0 (minimum 2)");
	b[18] = 1;
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 18: ENDPOINT descriptor has bLength 1 (minimum 2)");
	/* Without @err too. */
	assert_int_equal(usb_desc_parse_config(b, sizeof(b), c->cfg, NULL), -EINVAL);
}

static void test_past_end(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(qemu_kbd_cfg_fs)];

	/* Last endpoint claims 8 bytes where 7 are left. */
	memcpy(b, qemu_kbd_cfg_fs, sizeof(b));
	b[27] = 8;
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 27: ENDPOINT descriptor has bLength 8, past the end (7 bytes left)");

	/* A stray byte after the last descriptor. */
	{
		uint8_t t[sizeof(qemu_kbd_cfg_fs) + 1];

		memcpy(t, qemu_kbd_cfg_fs, sizeof(qemu_kbd_cfg_fs));
		t[sizeof(t) - 1] = 0x07;
		t[2] = sizeof(t);
		assert_int_equal(parse_cfg(c, t, sizeof(t)), -EINVAL);
		assert_string_equal(c->err.msg,
				    "configuration descriptor, offset 34: 1 byte left, too short for a descriptor header");
	}
}

static void test_total_length_lies(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(qemu_storage_cfg_fs)];

	/* Header says 32, only 31 arrived. */
	assert_int_equal(parse_cfg(c, qemu_storage_cfg_fs, 31), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor: wTotalLength is 32 but 31 bytes were given");
	/* Header says 25, 32 arrived: the last endpoint would be silently lost. */
	memcpy(b, qemu_storage_cfg_fs, sizeof(b));
	b[2] = 25;
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor: wTotalLength is 25 but 32 bytes were given");
	/* Header says more than 255: the high byte counts. */
	b[2] = 32;
	b[3] = 1;
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_msg_has(c->err.msg, "wTotalLength is 288");
}

static void test_header(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(qemu_storage_cfg_fs)];

	assert_int_equal(parse_cfg(c, qemu_storage_cfg_fs, 8), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor: 8 bytes, shorter than its 9-byte header");
	assert_int_equal(parse_cfg(c, qemu_storage_cfg_fs, 0), -EINVAL);

	memcpy(b, qemu_storage_cfg_fs, sizeof(b));
	b[0] = 10;
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 0: CONFIGURATION descriptor has bLength 10 (expected 9)");

	/* A device descriptor handed in by mistake. */
	assert_int_equal(parse_cfg(c, qemu_storage_dev_hs, sizeof(qemu_storage_dev_hs)), -EINVAL);
	assert_msg_has(c->err.msg, "bDescriptorType is DEVICE, not CONFIGURATION");
}

static void test_intf_blength(void **state)
{
	struct ctx *c = *state;
	uint8_t b[9 + 9 + 9 + 7];

	/* The keyboard with its endpoint replaced by a 7-byte "interface". */
	memcpy(b, qemu_kbd_cfg_fs, 27);
	memcpy(b + 27, (const uint8_t[]){ 0x07, 0x04, 0x01, 0x00, 0x00, 0x03, 0x00 }, 7);
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 27: INTERFACE descriptor has bLength 7 (expected 9)");
}

static void test_ep_before_intf(void **state)
{
	struct ctx *c = *state;
	static const uint8_t b[] = {
		0x09, 0x02, 0x17, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
		0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,
		0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,
	};

	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 9: ENDPOINT descriptor 0x81 before any INTERFACE descriptor");
}

static void test_ep_bad(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(qemu_storage_cfg_fs)];

	memcpy(b, qemu_storage_cfg_fs, sizeof(b));
	b[20] = 0x80; /* IN endpoint number 0 */
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_msg_has(c->err.msg, "offset 18: ENDPOINT descriptor 0x80 has endpoint number 0");

	/* Endpoint bLength 8: neither the standard 7 nor audio 9. */
	{
		static const uint8_t e8[] = {
			0x09, 0x02, 0x1a, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
			0x09, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00,
			0x08, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00, 0x00,
		};

		assert_int_equal(parse_cfg(c, e8, sizeof(e8)), -EINVAL);
		assert_string_equal(c->err.msg,
				    "configuration descriptor, offset 18: ENDPOINT descriptor has bLength 8 (expected 7 or 9)");
	}
}

static void test_ss_comp_bad(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(qemu_storage_cfg_ss)];

	memcpy(b, qemu_storage_cfg_ss, sizeof(b));
	b[25] = 5; /* companion bLength 5; the stray byte then reads as bLength 0 */
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 25: SS_ENDPOINT_COMPANION (0x30) descriptor has bLength 5 (expected 6)");

	/* A companion right after the interface. */
	{
		static const uint8_t nc[] = {
			0x09, 0x02, 0x18, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
			0x09, 0x04, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
			0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
		};

		assert_int_equal(parse_cfg(c, nc, sizeof(nc)), -EINVAL);
		assert_string_equal(c->err.msg,
				    "configuration descriptor, offset 18: SS_ENDPOINT_COMPANION (0x30) descriptor not after an ENDPOINT descriptor");
	}
	/* Two companions for one endpoint. */
	{
		uint8_t two[sizeof(qemu_storage_cfg_ss) + 6];

		memcpy(two, qemu_storage_cfg_ss, 31);
		memcpy(two + 31, qemu_storage_cfg_ss + 25, 6);
		memcpy(two + 37, qemu_storage_cfg_ss + 31, sizeof(qemu_storage_cfg_ss) - 31);
		two[2] = sizeof(two);
		assert_int_equal(parse_cfg(c, two, sizeof(two)), -EINVAL);
		assert_string_equal(c->err.msg,
				    "configuration descriptor, offset 31: second SS_ENDPOINT_COMPANION (0x30) descriptor for endpoint 0x81");
	}
}

static void test_iad_bad(void **state)
{
	struct ctx *c = *state;
	uint8_t b[sizeof(linux_acm_cfg_hs)];

	memcpy(b, linux_acm_cfg_hs, sizeof(b));
	b[9] = 7;  /* IAD bLength 7; the next byte (bInterfaceClass 2...) */
	assert_int_equal(parse_cfg(c, b, sizeof(b)), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 9: INTERFACE_ASSOCIATION descriptor has bLength 7 (expected 8)");

	/* An IAD as the last descriptor: before_intf would index past intf[]. */
	{
		uint8_t t[sizeof(qemu_storage_cfg_fs) + 8];

		memcpy(t, qemu_storage_cfg_fs, sizeof(qemu_storage_cfg_fs));
		memcpy(t + sizeof(qemu_storage_cfg_fs), linux_acm_cfg_hs + 9, 8);
		t[2] = sizeof(t);
		assert_int_equal(parse_cfg(c, t, sizeof(t)), -EINVAL);
		assert_string_equal(c->err.msg,
				    "configuration descriptor, offset 32: INTERFACE_ASSOCIATION descriptor is not followed by an INTERFACE descriptor");
	}
	/* An endpoint between an IAD and its interface. */
	{
		static const uint8_t t[] = {
			0x09, 0x02, 0x2a, 0x00, 0x02, 0x01, 0x00, 0x80, 0x32,
			0x09, 0x04, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
			0x08, 0x0b, 0x01, 0x01, 0xff, 0x00, 0x00, 0x00,
			0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,
			0x09, 0x04, 0x01, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00,
		};

		assert_int_equal(parse_cfg(c, t, sizeof(t)), -EINVAL);
		assert_msg_has(c->err.msg,
			       "offset 26: ENDPOINT descriptor 0x81 between an INTERFACE_ASSOCIATION and its first INTERFACE");
	}
}

/* Builds a configuration of @n interfaces, each with @eps endpoints and @cs CS_INTERFACEs. */
static size_t build_cfg(uint8_t *b, size_t cap, unsigned int n, unsigned int eps, unsigned int cs)
{
	size_t o = 9;

	for (unsigned int i = 0; i < n; i++) {
		assert_true(o + 9 + cs * 5 + eps * 7 <= cap);
		memcpy(b + o, (const uint8_t[]){ 0x09, 0x04, (uint8_t)i, 0x00, (uint8_t)eps,
						 0xff, 0x00, 0x00, 0x00 }, 9);
		o += 9;
		for (unsigned int k = 0; k < cs; k++, o += 5)
			memcpy(b + o, (const uint8_t[]){ 0x05, 0x24, 0x00, 0x10, 0x01 }, 5);
		for (unsigned int e = 0; e < eps; e++, o += 7)
			memcpy(b + o, (const uint8_t[]){ 0x07, 0x05, (uint8_t)(0x80 | ((e % 15) + 1)),
							 0x02, 0x40, 0x00, 0x00 }, 7);
	}
	memcpy(b, (const uint8_t[]){ 0x09, 0x02, (uint8_t)o, (uint8_t)(o >> 8), (uint8_t)n,
				     0x01, 0x00, 0x80, 0x32 }, 9);
	return o;
}

static void test_too_many(void **state)
{
	struct ctx *c = *state;
	uint8_t b[1024];
	size_t len;

	len = build_cfg(b, sizeof(b), USB_DESC_MAX_INTF, 0, 0);
	assert_int_equal(parse_cfg(c, b, len), 0);
	assert_int_equal(c->cfg->n_intf, USB_DESC_MAX_INTF);

	len = build_cfg(b, sizeof(b), USB_DESC_MAX_INTF + 1, 0, 0);
	assert_int_equal(parse_cfg(c, b, len), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor, offset 297: more than 32 INTERFACE descriptors");

	len = build_cfg(b, sizeof(b), 1, USB_DESC_MAX_EP, 0);
	assert_int_equal(parse_cfg(c, b, len), 0);
	assert_int_equal(c->cfg->intf[0].n_ep, USB_DESC_MAX_EP);
	len = build_cfg(b, sizeof(b), 1, USB_DESC_MAX_EP + 1, 0);
	assert_int_equal(parse_cfg(c, b, len), -EINVAL);
	assert_msg_has(c->err.msg, "interface 0 alt 0 has more than 32 ENDPOINT descriptors");

	/* Extras have no count limit, only the pool's bytes: 190 on one interface. */
	len = build_cfg(b, sizeof(b), 1, 1, 190);
	assert_int_equal(parse_cfg(c, b, len), 0);
	assert_int_equal(c->cfg->intf[0].extra.n, 190);
	assert_int_equal(c->cfg->intf[0].extra.len, 190 * 5);
	assert_int_equal(c->cfg->intf[0].n_ep, 1);
}

/* Vendor descriptors before any interface are the configuration's. */
static void test_vendor_extra(void **state)
{
	struct ctx *c = *state;
	static const uint8_t b[] = {
		0x09, 0x02, 0x1d, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
		0x04, 0x41, 0xaa, 0xbb,                               /* vendor type 0x41 */
		0x09, 0x04, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
		0x07, 0x42, 0x01, 0x02, 0x03, 0x04, 0x05,             /* vendor, interface */
	};

	assert_int_equal(parse_cfg(c, b, sizeof(b)), 0);
	assert_int_equal(c->cfg->extra.n, 1);
	assert_int_equal(xd(c->cfg, &c->cfg->extra, 0)[1], 0x41);
	assert_memory_equal(xd(c->cfg, &c->cfg->extra, 0), b + 9, 4);
	assert_int_equal(c->cfg->intf[0].extra.n, 1);
	assert_int_equal(xd(c->cfg, &c->cfg->intf[0].extra, 0)[0], 7);
	assert_string_equal(usb_desc_type_str(0x41), "type 0x41");
}

/* ------------------------------------------------------------------------ */
/* The model's size and its extra pool                                       */

/* One per configuration, plus the other-speed one: it must stay small. */
static void test_config_size(void **state)
{
	(void)state;
	print_message("sizeof(struct usb_desc_config) = %zu\n", sizeof(struct usb_desc_config));
	assert_true(sizeof(struct usb_desc_config) < 65536);
	assert_true(sizeof(((struct usb_desc_config *)NULL)->extra_pool) >=
		    USB_DESC_MAX_TOTAL - 9);
}

static size_t put(uint8_t *b, size_t o, const uint8_t *d)
{
	memcpy(b + o, d, d[0]);
	return o + d[0];
}

/*
 * A UVC camera the way real ones look (UVC 1.1 ch. 3): an IAD, a VideoControl
 * interface with 40 CS_INTERFACE descriptors (header, camera terminal, 37
 * extension units, output terminal), its interrupt endpoint with a CS_ENDPOINT,
 * and a VideoStreaming interface with alt 0 and an isochronous alt 1.
 */
static size_t build_uvc(uint8_t *b, size_t cap)
{
	static const uint8_t iad[] = { 0x08, 0x0b, 0x00, 0x02, 0x0e, 0x03, 0x00, 0x02 };
	static const uint8_t vc[] = { 0x09, 0x04, 0x00, 0x00, 0x01, 0x0e, 0x01, 0x00, 0x02 };
	static const uint8_t vc_hdr[] = { 0x0d, 0x24, 0x01, 0x00, 0x01, 0x00, 0x00,
					  0x80, 0x8d, 0x5b, 0x00, 0x01, 0x01 };
	static const uint8_t camera[] = { 0x12, 0x24, 0x02, 0x01, 0x01, 0x02, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
					  0x0e, 0x00, 0x00 };
	static const uint8_t out_term[] = { 0x09, 0x24, 0x03, 0x30, 0x01, 0x01, 0x00, 0x01, 0x00 };
	static const uint8_t int_ep[] = { 0x07, 0x05, 0x83, 0x03, 0x10, 0x00, 0x06 };
	static const uint8_t cs_ep[] = { 0x05, 0x25, 0x03, 0x10, 0x00 };
	static const uint8_t vs0[] = { 0x09, 0x04, 0x01, 0x00, 0x00, 0x0e, 0x02, 0x00, 0x00 };
	static const uint8_t vs_hdr[] = { 0x0e, 0x24, 0x01, 0x01, 0x19, 0x00, 0x81, 0x00,
					  0x30, 0x00, 0x00, 0x00, 0x01, 0x00 };
	static const uint8_t mjpeg[] = { 0x0b, 0x24, 0x06, 0x01, 0x01, 0x01, 0x01, 0x00,
					 0x00, 0x00, 0x00 };
	static const uint8_t vs1[] = { 0x09, 0x04, 0x01, 0x01, 0x01, 0x0e, 0x02, 0x00, 0x00 };
	static const uint8_t iso_ep[] = { 0x07, 0x05, 0x81, 0x05, 0x00, 0x14, 0x01 };
	uint8_t xu[27] = { 27, 0x24, 0x06 };
	size_t o = 9;

	assert_true(cap >= 2048);
	o = put(b, o, iad);
	o = put(b, o, vc);
	o = put(b, o, vc_hdr);
	o = put(b, o, camera);
	for (unsigned int i = 0; i < 37; i++) {
		xu[3] = (uint8_t)(0x02 + i);  /* bUnitID */
		memset(xu + 4, 0xa0 + i, 16); /* guidExtensionCode */
		xu[20] = 8;                   /* bNumControls */
		xu[21] = 1;                   /* bNrInPins */
		xu[22] = 0x01;                /* baSourceID: the camera */
		xu[23] = 2;                   /* bControlSize */
		xu[24] = 0xff;
		xu[25] = 0x00;
		xu[26] = 0;                   /* iExtension */
		o = put(b, o, xu);
	}
	o = put(b, o, out_term);
	o = put(b, o, int_ep);
	o = put(b, o, cs_ep);
	o = put(b, o, vs0);
	o = put(b, o, vs_hdr);
	o = put(b, o, mjpeg);
	o = put(b, o, vs1);
	o = put(b, o, iso_ep);
	memcpy(b, (const uint8_t[]){ 0x09, 0x02, (uint8_t)o, (uint8_t)(o >> 8), 0x02, 0x01,
				     0x00, 0x80, 0xfa }, 9);
	return o;
}

static void test_uvc_40_cs_interface(void **state)
{
	struct ctx *c = *state;
	const struct usb_desc_config *cfg = c->cfg;
	const struct usb_desc_interface *vc = &cfg->intf[0];
	struct ffs_desc_opts o = { .udc_has_iso = true };
	uint8_t b[2048];
	const uint8_t *d;
	unsigned int k = 0;
	size_t len, bytes = 0;
	char err[256], want[256];

	len = build_uvc(b, sizeof(b));
	assert_int_equal(parse_cfg(c, b, len), 0);
	assert_int_equal(cfg->n_iad, 1);
	assert_int_equal(cfg->n_intf, 3);
	assert_int_equal(cfg->extra.n, 0);
	assert_int_equal(vc->bInterfaceClass, 0x0e);
	assert_int_equal(vc->extra.n, 40);
	/* in wire order, every byte kept */
	assert_memory_equal(xd(cfg, &vc->extra, 0), b + 9 + 8 + 9, 13);
	assert_int_equal(xd(cfg, &vc->extra, 1)[2], 0x02);  /* VC_INPUT_TERMINAL */
	assert_int_equal(xd(cfg, &vc->extra, 38)[3], 0x26); /* the last unit's bUnitID */
	assert_int_equal(xd(cfg, &vc->extra, 38)[19], 0xa0 + 36);
	assert_int_equal(xd(cfg, &vc->extra, 39)[2], 0x03); /* VC_OUTPUT_TERMINAL */
	assert_null(usb_desc_extra(cfg, &vc->extra, 40));
	usb_desc_for_each_extra(d, cfg, &vc->extra) {
		assert_int_equal(d[1], 0x24);
		bytes += d[0];
		k++;
	}
	assert_int_equal(k, 40);
	assert_int_equal(bytes, vc->extra.len);
	assert_memory_equal(cfg->extra_pool + vc->extra.off, b + 9 + 8 + 9, bytes);
	/* the endpoint's CS_ENDPOINT and VideoStreaming's descriptors are their own */
	assert_int_equal(vc->n_ep, 1);
	assert_int_equal(vc->ep[0].bEndpointAddress, 0x83);
	assert_int_equal(vc->ep[0].extra.n, 1);
	assert_int_equal(xd(cfg, &vc->ep[0].extra, 0)[1], 0x25);
	assert_int_equal(cfg->intf[1].extra.n, 2);
	assert_int_equal(xd(cfg, &cfg->intf[1].extra, 1)[2], 0x06); /* VS_FORMAT_MJPEG */
	assert_int_equal(cfg->intf[2].bAlternateSetting, 1);
	assert_int_equal(cfg->intf[2].extra.n, 0);
	assert_int_equal(cfg->intf[2].ep[0].wMaxPacketSize, 0x1400);

	/* FunctionFS cannot carry it, and says why in terms of the first one. */
	snprintf(want, sizeof(want),
		 "interface 0 (Video, alt 0) has a CS_INTERFACE (0x24) descriptor: FunctionFS accepts only interface, endpoint, IAD, SuperSpeed companion, and HID/CCID class descriptors");
	assert_int_equal(ffs_desc_check(cfg, &o, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, want);
	assert_int_equal(ffs_desc_build(cfg, USB_DESC_SPEED_HIGH, NULL, &o, b, sizeof(b), NULL,
					NULL, NULL), -EOPNOTSUPP);
}

/* The largest accepted configuration fills the pool exactly; one byte more is refused. */
static void test_total_max(void **state)
{
	struct ctx *c = *state;
	const size_t max = USB_DESC_MAX_TOTAL;
	uint8_t *b = malloc(max + 1);
	size_t o, n;
	const uint8_t *d;
	unsigned int k = 0;

	assert_non_null(b);
	/* all of it vendor descriptors before the first interface: 128 x 255 + 119 */
	for (o = 9; o < max; o += n) {
		n = max - o > 255 ? 255 : max - o;
		b[o] = (uint8_t)n;
		b[o + 1] = 0x41;
		memset(b + o + 2, (int)(o & 0xff), n - 2);
	}
	memcpy(b, (const uint8_t[]){ 0x09, 0x02, (uint8_t)max, (uint8_t)(max >> 8), 0x00, 0x01,
				     0x00, 0x80, 0x32 }, 9);
	assert_int_equal(parse_cfg(c, b, max), 0);
	assert_int_equal(c->cfg->wTotalLength, max);
	assert_int_equal(c->cfg->extra.n, 129);
	assert_int_equal(c->cfg->extra.off, 0);
	assert_int_equal(c->cfg->extra.len, max - 9);
	assert_int_equal(c->cfg->extra_used, USB_DESC_EXTRA_POOL);
	assert_memory_equal(c->cfg->extra_pool, b + 9, max - 9);
	usb_desc_for_each_extra(d, c->cfg, &c->cfg->extra)
		k++;
	assert_int_equal(k, 129);
	assert_int_equal(xd(c->cfg, &c->cfg->extra, 128)[0], 119);

	/* the same behind an interface */
	b[9] = 0x09;
	b[10] = 0x04;
	memset(b + 11, 0, 7);
	b[18] = 246;
	b[19] = 0x24;
	assert_int_equal(parse_cfg(c, b, max), 0);
	assert_int_equal(c->cfg->extra.n, 0);
	assert_int_equal(c->cfg->n_intf, 1);
	assert_int_equal(c->cfg->intf[0].extra.n, 129);
	assert_int_equal(c->cfg->intf[0].extra.len, max - 18);

	b[max] = 0;
	b[2] = (uint8_t)(max + 1);
	b[3] = (uint8_t)((max + 1) >> 8);
	assert_int_equal(parse_cfg(c, b, max + 1), -EINVAL);
	assert_string_equal(c->err.msg,
			    "configuration descriptor: wTotalLength is 32769, more than the 32768 bytes supported");
	free(b);
}

/* Building a model by hand: runs are contiguous, bounded, and read back safely. */
static void test_extra_append(void **state)
{
	struct ctx *c = *state;
	struct usb_desc_config *cfg = c->cfg;
	struct usb_desc_interface *in = &cfg->intf[0];
	static const uint8_t a[] = { 0x04, 0x41, 0x01, 0x02 };
	static const uint8_t h[] = { 0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00 };
	struct usb_desc_extras bad;
	uint8_t big[255] = { 255, 0x41 };
	const uint8_t *d;

	memset(cfg, 0, sizeof(*cfg));
	cfg->n_intf = 1;
	assert_null(usb_desc_extra(cfg, &cfg->extra, 0));
	assert_null(usb_desc_extra_next(cfg, &cfg->extra, NULL));
	assert_int_equal(usb_desc_extra_append(cfg, &cfg->extra, a), 0);
	assert_int_equal(usb_desc_extra_append(cfg, &cfg->extra, a), 0);
	assert_int_equal(usb_desc_extra_append(cfg, &in->extra, h), 0);
	assert_int_equal(cfg->extra.n, 2);
	assert_int_equal(cfg->extra.len, 8);
	assert_int_equal(in->extra.off, 8);
	assert_int_equal(in->extra.len, 9);
	assert_int_equal(cfg->extra_used, 17);
	assert_memory_equal(xd(cfg, &in->extra, 0), h, sizeof(h));
	/* only the last run can grow; a torn descriptor is refused */
	assert_int_equal(usb_desc_extra_append(cfg, &cfg->extra, a), -EINVAL);
	assert_int_equal(usb_desc_extra_append(cfg, &in->ep[0].extra, (const uint8_t[]){ 1, 0x41 }),
			 -EINVAL);
	assert_int_equal(cfg->extra.n, 2);
	assert_int_equal(cfg->extra_used, 17);
	/* a cleared run starts over at the end of the pool */
	memset(&cfg->extra, 0, sizeof(cfg->extra));
	assert_int_equal(usb_desc_extra_append(cfg, &cfg->extra, a), 0);
	assert_int_equal(cfg->extra.off, 17);
	assert_int_equal(xd(cfg, &cfg->extra, 0)[1], 0x41);

	/* inconsistent runs read as ending early, never past the pool or the run */
	bad = (struct usb_desc_extras){ .n = 1, .off = USB_DESC_EXTRA_POOL - 1, .len = 2 };
	assert_null(usb_desc_extra(cfg, &bad, 0));
	assert_null(usb_desc_extra_next(cfg, &bad, NULL));
	bad = (struct usb_desc_extras){ .n = 3, .off = 8, .len = 9 };
	assert_non_null(usb_desc_extra(cfg, &bad, 0));
	assert_null(usb_desc_extra(cfg, &bad, 1));
	bad = (struct usb_desc_extras){ .n = 1, .off = 8, .len = 8 }; /* HID cut short */
	assert_null(usb_desc_extra(cfg, &bad, 0));
	bad = (struct usb_desc_extras){ .n = 1, .off = 30, .len = 4 }; /* zeroes: bLength 0 */
	assert_null(usb_desc_extra(cfg, &bad, 0));
	d = usb_desc_extra_next(cfg, &in->extra, NULL);
	assert_non_null(d);
	assert_null(usb_desc_extra_next(cfg, &in->extra, d));

	/* the pool fills up: -ENOSPC and nothing changes */
	while (cfg->extra_used + sizeof(big) <= USB_DESC_EXTRA_POOL)
		assert_int_equal(usb_desc_extra_append(cfg, &in->ep[1].extra, big), 0);
	assert_int_equal(usb_desc_extra_append(cfg, &in->ep[1].extra, big), -ENOSPC);
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(usb_desc_extra_append(cfg, &bad, big), -ENOSPC);
	assert_int_equal(bad.n, 0);
	assert_int_equal(bad.len, 0);
	assert_true(cfg->extra_used <= USB_DESC_EXTRA_POOL);
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */

static void test_langids(void **state)
{
	struct usb_desc_strings s;
	struct usb_desc_err err;
	static const uint8_t en[] = { 0x04, 0x03, 0x09, 0x04 };
	static const uint8_t many[] = {
		0x16, 0x03, 0x09, 0x04, 0x07, 0x04, 0x0c, 0x04, 0x10, 0x04, 0x11, 0x04,
		0x04, 0x08, 0x19, 0x04, 0x0a, 0x0c, 0x13, 0x04, 0x16, 0x04,
	};

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(usb_desc_parse_langids(en, sizeof(en), &s, &err), 0);
	assert_int_equal(s.n_lang, 1);
	assert_int_equal(s.langid[0], 0x0409);

	/* Ten languages: the first eight are kept. */
	assert_int_equal(usb_desc_parse_langids(many, sizeof(many), &s, &err), 0);
	assert_int_equal(s.n_lang, USB_DESC_MAX_LANGS);
	assert_int_equal(s.langid[1], 0x0407);
	assert_int_equal(s.langid[7], 0x0c0a);

	assert_int_equal(usb_desc_parse_langids((const uint8_t[]){ 0x02, 0x03 }, 2, &s, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "string descriptor 0: no LANGID");
	assert_int_equal(usb_desc_parse_langids((const uint8_t[]){ 0x03, 0x03, 0x09 }, 3, &s, &err),
			 -EINVAL);
	assert_msg_has(err.msg, "bLength 3 is not an even number");
	assert_int_equal(usb_desc_parse_langids(en, 3, &s, &err), -EINVAL);
	assert_msg_has(err.msg, "past the end");
	assert_int_equal(usb_desc_parse_langids((const uint8_t[]){ 0x04, 0x01, 0x09, 0x04 }, 4,
						&s, NULL), -EINVAL);
	assert_int_equal(usb_desc_parse_langids(en, 1, &s, NULL), -EINVAL);
}

/* "QEMU" as QEMU's usb_desc_string() sends it. */
static void test_string_ascii(void **state)
{
	static const uint8_t qemu[] = { 0x0a, 0x03, 'Q', 0, 'E', 0, 'M', 0, 'U', 0 };
	char out[USB_DESC_STRING_UTF8_MAX];

	(void)state;
	assert_int_equal(usb_desc_parse_string(qemu, sizeof(qemu), out, sizeof(out), NULL), 4);
	assert_string_equal(out, "QEMU");
	/* An empty string. */
	assert_int_equal(usb_desc_parse_string((const uint8_t[]){ 0x02, 0x03 }, 2, out,
					       sizeof(out), NULL), 0);
	assert_string_equal(out, "");
	/* A longer reply than bLength (the rest is not the string's). */
	{
		static const uint8_t pad[] = { 0x04, 0x03, 'A', 0, 'B', 0 };

		assert_int_equal(usb_desc_parse_string(pad, sizeof(pad), out, sizeof(out), NULL), 1);
		assert_string_equal(out, "A");
	}
	/* Trailing NUL padding ends the text. */
	{
		static const uint8_t nul[] = { 0x0a, 0x03, 'A', 0, 'B', 0, 0, 0, 'C', 0 };

		assert_int_equal(usb_desc_parse_string(nul, sizeof(nul), out, sizeof(out), NULL), 2);
		assert_string_equal(out, "AB");
	}
}

static void test_string_bmp(void **state)
{
	/* "é€" : U+00E9 (2 bytes of UTF-8), U+20AC (3 bytes). */
	static const uint8_t s[] = { 0x06, 0x03, 0xe9, 0x00, 0xac, 0x20 };
	char out[16];

	(void)state;
	assert_int_equal(usb_desc_parse_string(s, sizeof(s), out, sizeof(out), NULL), 5);
	assert_string_equal(out, "\xc3\xa9\xe2\x82\xac");
}

static void test_string_surrogates(void **state)
{
	char out[32];
	/* "a😀b": U+1F600 = D83D DE00. */
	static const uint8_t emoji[] = { 0x0a, 0x03, 'a', 0, 0x3d, 0xd8, 0x00, 0xde, 'b', 0 };
	static const uint8_t hi_end[] = { 0x04, 0x03, 0x3d, 0xd8 };
	static const uint8_t hi_a[] = { 0x06, 0x03, 0x3d, 0xd8, 'A', 0 };
	static const uint8_t lo[] = { 0x04, 0x03, 0x00, 0xde };
	static const uint8_t swapped[] = { 0x06, 0x03, 0x00, 0xde, 0x3d, 0xd8 };
	static const uint8_t hi_hi_lo[] = { 0x08, 0x03, 0x3d, 0xd8, 0x3d, 0xd8, 0x00, 0xde };

	(void)state;
	assert_int_equal(usb_desc_parse_string(emoji, sizeof(emoji), out, sizeof(out), NULL), 6);
	assert_string_equal(out, "a\xf0\x9f\x98\x80" "b");
	assert_string_equal(out, "a😀b");

	/* Unpaired: each becomes U+FFFD (EF BF BD); what follows survives. */
	assert_int_equal(usb_desc_parse_string(hi_end, sizeof(hi_end), out, sizeof(out), NULL), 3);
	assert_string_equal(out, "\xef\xbf\xbd");
	assert_int_equal(usb_desc_parse_string(hi_a, sizeof(hi_a), out, sizeof(out), NULL), 4);
	assert_string_equal(out, "\xef\xbf\xbd" "A");
	assert_int_equal(usb_desc_parse_string(lo, sizeof(lo), out, sizeof(out), NULL), 3);
	assert_string_equal(out, "\xef\xbf\xbd");
	assert_int_equal(usb_desc_parse_string(swapped, sizeof(swapped), out, sizeof(out), NULL), 6);
	assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbd");
	/* A lone high surrogate, then a proper pair. */
	assert_int_equal(usb_desc_parse_string(hi_hi_lo, sizeof(hi_hi_lo), out, sizeof(out), NULL), 7);
	assert_string_equal(out, "\xef\xbf\xbd\xf0\x9f\x98\x80");
}

static void test_string_malformed(void **state)
{
	char out[32];
	struct usb_desc_err err;
	static const uint8_t qemu[] = { 0x0a, 0x03, 'Q', 0, 'E', 0, 'M', 0, 'U', 0 };
	uint8_t b[sizeof(qemu)];

	(void)state;
	/* Truncated: bLength 10, 6 bytes arrived. */
	assert_int_equal(usb_desc_parse_string(qemu, 6, out, sizeof(out), &err), -EINVAL);
	assert_string_equal(err.msg, "string descriptor: bLength 10, past the end (6 bytes)");
	/* Odd bLength: a torn UTF-16 unit. */
	memcpy(b, qemu, sizeof(b));
	b[0] = 5;
	assert_int_equal(usb_desc_parse_string(b, sizeof(b), out, sizeof(out), &err), -EINVAL);
	assert_string_equal(err.msg, "string descriptor: bLength 5 is not an even number >= 2");
	b[0] = 0;
	assert_int_equal(usb_desc_parse_string(b, sizeof(b), out, sizeof(out), &err), -EINVAL);
	b[0] = 1;
	assert_int_equal(usb_desc_parse_string(b, sizeof(b), out, sizeof(out), NULL), -EINVAL);
	/* Wrong type. */
	memcpy(b, qemu, sizeof(b));
	b[1] = 0x04;
	assert_int_equal(usb_desc_parse_string(b, sizeof(b), out, sizeof(out), &err), -EINVAL);
	assert_string_equal(err.msg, "string descriptor: bDescriptorType is INTERFACE, not STRING");
	/* Less than a header. */
	assert_int_equal(usb_desc_parse_string(qemu, 1, out, sizeof(out), &err), -EINVAL);
	assert_int_equal(usb_desc_parse_string(qemu, 0, out, sizeof(out), NULL), -EINVAL);
}

static void test_string_nospace(void **state)
{
	static const uint8_t qemu[] = { 0x0a, 0x03, 'Q', 0, 'E', 0, 'M', 0, 'U', 0 };
	static const uint8_t emoji[] = { 0x08, 0x03, 'a', 0, 0x3d, 0xd8, 0x00, 0xde };
	char out[8];
	struct usb_desc_err err;

	(void)state;
	assert_int_equal(usb_desc_parse_string(qemu, sizeof(qemu), out, 5, &err), 4);
	assert_int_equal(usb_desc_parse_string(qemu, sizeof(qemu), out, 4, &err), -ENOSPC);
	assert_string_equal(out, "QEM");
	assert_int_equal(usb_desc_parse_string(qemu, sizeof(qemu), out, 1, &err), -ENOSPC);
	assert_string_equal(out, "");
	assert_int_equal(usb_desc_parse_string(qemu, sizeof(qemu), out, 0, &err), -ENOSPC);
	/* Never half a character. */
	assert_int_equal(usb_desc_parse_string(emoji, sizeof(emoji), out, 5, &err), -ENOSPC);
	assert_string_equal(out, "a");
	assert_int_equal(usb_desc_parse_string(emoji, sizeof(emoji), out, 6, &err), 5);
}

/* The longest descriptor at 3 bytes a unit fills USB_DESC_STRING_UTF8_MAX exactly. */
static void test_string_max(void **state)
{
	uint8_t b[254];
	char out[USB_DESC_STRING_UTF8_MAX];

	(void)state;
	b[0] = 254;
	b[1] = 0x03;
	for (size_t i = 2; i < sizeof(b); i += 2) {
		b[i] = 0xac; /* U+20AC */
		b[i + 1] = 0x20;
	}
	assert_int_equal(usb_desc_parse_string(b, sizeof(b), out, sizeof(out), NULL), 378);
	assert_int_equal(strlen(out), 378);
	for (size_t i = 2; i < sizeof(b); i += 2) {
		b[i] = 0x00; /* unpaired low surrogates -> U+FFFD each */
		b[i + 1] = 0xdc;
	}
	assert_int_equal(usb_desc_parse_string(b, sizeof(b), out, sizeof(out), NULL), 378);
}

static void test_strings_free(void **state)
{
	struct usb_desc_strings s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.n_lang = 1;
	s.langid[0] = 0x0409;
	s.text[0][1] = strdup("QEMU");
	s.text[0][2] = strdup("QEMU USB HARDDRIVE");
	/* Beyond n_lang: freed too (LeakSanitizer would say otherwise). */
	s.text[3][255] = strdup("x");
	usb_desc_strings_free(&s);
	assert_int_equal(s.n_lang, 0);
	assert_int_equal(s.langid[0], 0);
	assert_null(s.text[0][1]);
	assert_null(s.text[3][255]);
	usb_desc_strings_free(&s); /* idempotent */
	usb_desc_strings_free(NULL);
}

static void test_string_indices(void **state)
{
	struct ctx *c = *state;
	struct usb_desc_device d;
	uint8_t used[USB_DESC_MAX_STRINGS / 8];

	assert_int_equal(usb_desc_parse_device(qemu_net_dev, sizeof(qemu_net_dev), &d, NULL), 0);
	assert_int_equal(parse_cfg(c, qemu_net_cfg_cdc, sizeof(qemu_net_cfg_cdc)), 0);
	memset(used, 0xff, sizeof(used));
	usb_desc_string_indices(&d, c->cfg, used);
	/* 1 manufacturer, 2 product, 10 serial, 7 config, 5 control, 4 data. */
	assert_int_equal(used[0], (1 << 1) | (1 << 2) | (1 << 4) | (1 << 5) | (1 << 7));
	assert_int_equal(used[1], 1 << 2);
	for (size_t i = 2; i < sizeof(used); i++)
		assert_int_equal(used[i], 0);

	/* iFunction counts; no device. */
	assert_int_equal(parse_cfg(c, linux_acm_cfg_hs, sizeof(linux_acm_cfg_hs)), 0);
	usb_desc_string_indices(NULL, c->cfg, used);
	assert_int_equal(used[0], (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7));

	/* Index 0 ("no string") never appears. */
	assert_int_equal(parse_cfg(c, qemu_kbd_cfg_fs, sizeof(qemu_kbd_cfg_fs)), 0);
	usb_desc_string_indices(NULL, c->cfg, used);
	assert_int_equal(used[0], 0);
	assert_int_equal(used[1], 1 << 0);
}

/* ------------------------------------------------------------------------ */
/* Names                                                                     */

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(usb_desc_type_str(0x01), "DEVICE");
	assert_string_equal(usb_desc_type_str(0x02), "CONFIGURATION");
	assert_string_equal(usb_desc_type_str(0x04), "INTERFACE");
	assert_string_equal(usb_desc_type_str(0x07), "OTHER_SPEED_CONFIGURATION");
	assert_string_equal(usb_desc_type_str(0x0b), "INTERFACE_ASSOCIATION");
	assert_string_equal(usb_desc_type_str(0x0f), "BOS");
	assert_string_equal(usb_desc_type_str(0x10), "DEVICE_CAPABILITY");
	assert_string_equal(usb_desc_type_str(0x22), "REPORT (0x22)");
	assert_string_equal(usb_desc_type_str(0x23), "PHYSICAL (0x23)");
	assert_string_equal(usb_desc_type_str(0x24), "CS_INTERFACE (0x24)");
	assert_string_equal(usb_desc_type_str(0x25), "CS_ENDPOINT (0x25)");
	assert_string_equal(usb_desc_type_str(0x30), "SS_ENDPOINT_COMPANION (0x30)");
	assert_string_equal(usb_desc_type_str(0x31), "SSP_ISOC_ENDPOINT_COMPANION (0x31)");
	assert_string_equal(usb_desc_type_str(0x00), "type 0x00");
	assert_string_equal(usb_desc_type_str(0xff), "type 0xff");
	assert_string_equal(usb_desc_type_str(0x9a), "type 0x9a");

	assert_string_equal(usb_desc_class_str(0x00), "(defined at interface level)");
	assert_string_equal(usb_desc_class_str(0x02), "CDC Communications");
	assert_string_equal(usb_desc_class_str(0x03), "HID");
	assert_string_equal(usb_desc_class_str(0x0a), "CDC Data");
	assert_string_equal(usb_desc_class_str(0x0b), "Smart Card");
	assert_string_equal(usb_desc_class_str(0x0e), "Video");
	assert_string_equal(usb_desc_class_str(0x10), "Audio/Video");
	assert_string_equal(usb_desc_class_str(0x12), "USB Type-C Bridge");
	assert_string_equal(usb_desc_class_str(0xdc), "Diagnostic");
	assert_string_equal(usb_desc_class_str(0xe0), "Wireless Controller");
	assert_string_equal(usb_desc_class_str(0xef), "Miscellaneous");
	assert_string_equal(usb_desc_class_str(0xfe), "Application Specific");
	assert_string_equal(usb_desc_class_str(0xff), "Vendor Specific");
	assert_string_equal(usb_desc_class_str(0x04), "class 0x04");

	assert_string_equal(usb_desc_xfer_str(0x00), "control");
	assert_string_equal(usb_desc_xfer_str(0x0d), "isochronous"); /* sync bits ignored */
}

/*
 * Every 1- and 2-byte mutation of a real configuration either parses or
 * fails cleanly, under ASan, with a message that names an offset.
 */
static void test_mutations(void **state)
{
	struct ctx *c = *state;
	const uint8_t *src = linux_acm_cfg_ss;
	const size_t n = sizeof(linux_acm_cfg_ss);
	static const uint8_t vals[] = { 0x00, 0x01, 0x02, 0x05, 0x06, 0x07, 0x08, 0x09,
					0x0b, 0x24, 0x30, 0x80, 0xff };
	uint8_t b[sizeof(linux_acm_cfg_ss)];

	for (size_t i = 0; i < n; i++) {
		for (size_t v = 0; v < sizeof(vals); v++) {
			int ret;

			memcpy(b, src, n);
			b[i] = vals[v];
			ret = parse_cfg(c, b, n);
			assert_true(ret == 0 || ret == -EINVAL);
			if (ret)
				assert_true(strlen(c->err.msg) > 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_storage_hs),
		cmocka_unit_test(test_device_storage_ss),
		cmocka_unit_test(test_device_kbd_net),
		cmocka_unit_test(test_device_malformed),
		cmocka_unit_test_setup_teardown(test_storage_fs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_hs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_ss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_speed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kbd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_rndis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_cdc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acm_hs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acm_ss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_iads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blength_0_and_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_length_lies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intf_blength, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ep_before_intf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ep_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ss_comp_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iad_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_extra, setup, teardown),
		cmocka_unit_test(test_config_size),
		cmocka_unit_test_setup_teardown(test_uvc_40_cs_interface, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extra_append, setup, teardown),
		cmocka_unit_test(test_langids),
		cmocka_unit_test(test_string_ascii),
		cmocka_unit_test(test_string_bmp),
		cmocka_unit_test(test_string_surrogates),
		cmocka_unit_test(test_string_malformed),
		cmocka_unit_test(test_string_nospace),
		cmocka_unit_test(test_string_max),
		cmocka_unit_test(test_strings_free),
		cmocka_unit_test_setup_teardown(test_string_indices, setup, teardown),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
