// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_usbip.c - unit tests for the USB/IP wire codec (gadgetd/usbip.c).
 *
 * Golden vectors are built from the byte layouts of
 * Documentation/usb/usbip_protocol.rst: the OP_* tables (offsets written as
 * literals below) and the HID capture in its EXAMPLE section (copied as hex).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "gadgetd/usbip.h"

/* usbip_protocol.rst, EXAMPLE: "captured from wire with HID payload" */
static const char ex_cmd_intr_in[] =
	"00000001 00000d05 0001000f 00000001 00000001 00000200 00000040 ffffffff "
	"00000000 00000004 00000000 00000000";
static const char ex_cmd_intr_out[] =
	"00000001 00000d06 0001000f 00000000 00000001 00000000 00000040 ffffffff "
	"00000000 00000004 00000000 00000000";
static const char ex_cmd_intr_out_data[] =
	"ffffffff860008a784ce5ae21237630000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000";
static const char ex_ret_intr_out[] =
	"00000003 00000d06 00000000 00000000 00000000 00000000 00000040 ffffffff "
	"00000000 00000000 00000000 00000000";
static const char ex_ret_intr_in[] =
	"00000003 00000d05 00000000 00000000 00000000 00000000 00000040 ffffffff "
	"00000000 00000000 00000000 00000000";
static const char ex_ret_intr_in_data[] =
	"ffffffff860011a784ce5ae2123763612891b102010000040000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000";

/*
 * Built from the CMD_UNLINK / RET_UNLINK tables (no capture in the document):
 * unlink seqnum 0xd05 with seqnum 0xd07; the reply status is -ECONNRESET.
 */
static const char vec_cmd_unlink[] =
	"00000002 00000d07 0001000f 00000000 00000000 00000d05 "
	"00000000 00000000 00000000 00000000 00000000 00000000";
static const char vec_ret_unlink[] =
	"00000004 00000d07 00000000 00000000 00000000 ffffff98 "
	"00000000 00000000 00000000 00000000 00000000 00000000";

/* A control IN: GET_DESCRIPTOR(CONFIGURATION), wLength 265, setup in USB order. */
static const char vec_cmd_ctrl[] =
	"00000001 00000001 00010002 00000001 00000000 00000200 00000109 00000000 "
	"00000000 00000000 80060002 00000901";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse hex digits, skipping spaces; returns the byte count. */
static size_t hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s) {
		int hi, lo;

		if (*s == ' ') {
			s++;
			continue;
		}
		hi = hexval(s[0]);
		lo = hexval(s[1]);
		assert_true(hi >= 0 && lo >= 0);
		assert_true(n < max);
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

static uint32_t test_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void decode_hex_hdr(const char *s, uint8_t raw[USBIP_HDR_LEN], struct usbip_header *h)
{
	assert_int_equal(hex(s, raw, USBIP_HDR_LEN), USBIP_HDR_LEN);
	assert_int_equal(usbip_header_decode(raw, h), 0);
}

static void assert_reencodes(const struct usbip_header *h, const uint8_t raw[USBIP_HDR_LEN])
{
	uint8_t out[USBIP_HDR_LEN];

	memset(out, 0xa5, sizeof(out));
	usbip_header_encode(h, out);
	assert_memory_equal(out, raw, USBIP_HDR_LEN);
}

/* ---- OP_* messages ---------------------------------------------------- */

static void test_op_req_devlist_golden(void **state)
{
	static const uint8_t want[8] = { 0x01, 0x11, 0x80, 0x05, 0, 0, 0, 0 };
	struct usbip_op_common op = {
		.version = USBIP_VERSION, .code = USBIP_OP_REQ_DEVLIST, .status = 0,
	};
	struct usbip_op_common back;
	uint8_t out[USBIP_OP_COMMON_LEN];

	(void)state;
	usbip_op_common_encode(&op, out);
	assert_memory_equal(out, want, sizeof(want));
	usbip_op_common_decode(want, &back);
	assert_int_equal(back.version, 0x0111);
	assert_int_equal(back.code, 0x8005);
	assert_int_equal(back.status, 0);
}

static void test_op_common_status_and_old_version(void **state)
{
	/* OP_REP_IMPORT failure: only the 8-byte header, status ST_NODEV, v1.0.6 */
	static const uint8_t in[8] = { 0x01, 0x06, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04 };
	struct usbip_op_common op;
	uint8_t out[USBIP_OP_COMMON_LEN];

	(void)state;
	usbip_op_common_decode(in, &op);
	assert_int_equal(op.version, USBIP_VERSION_OLD);
	assert_int_equal(op.code, USBIP_OP_REP_IMPORT);
	assert_int_equal(op.status, USBIP_ST_NODEV);
	assert_string_equal(usbip_status_str(op.status), "ST_NODEV (device not found)");
	usbip_op_common_encode(&op, out);
	assert_memory_equal(out, in, sizeof(in));
}

/*
 * OP_REP_DEVLIST with one device and two interfaces, laid out with the
 * offsets of the table in usbip_protocol.rst (0x0C path, 0x10C busid, ...).
 */
#define DEVLIST_LEN (0x0c + 0x138 + 2 * 4)

static void build_rep_devlist(uint8_t *b)
{
	static const char path[] = "/sys/devices/pci0000:00/0000:00:1d.1/usb3/3-2";

	memset(b, 0, DEVLIST_LEN);
	memcpy(b + 0x00, "\x01\x11", 2);             /* version */
	memcpy(b + 0x02, "\x00\x05", 2);             /* OP_REP_DEVLIST */
	memcpy(b + 0x04, "\x00\x00\x00\x00", 4);     /* status */
	memcpy(b + 0x08, "\x00\x00\x00\x01", 4);     /* n devices */
	memcpy(b + 0x0c, path, sizeof(path) - 1);   /* path[256] */
	memcpy(b + 0x10c, "3-2", 3);                 /* busid[32] */
	memcpy(b + 0x12c, "\x00\x00\x00\x03", 4);    /* busnum */
	memcpy(b + 0x130, "\x00\x00\x00\x02", 4);    /* devnum */
	memcpy(b + 0x134, "\x00\x00\x00\x03", 4);    /* speed: high */
	memcpy(b + 0x138, "\x04\x6d", 2);            /* idVendor */
	memcpy(b + 0x13a, "\xc5\x2b", 2);            /* idProduct */
	memcpy(b + 0x13c, "\x12\x11", 2);            /* bcdDevice */
	b[0x13e] = 0x00;                             /* bDeviceClass */
	b[0x13f] = 0x00;                             /* bDeviceSubClass */
	b[0x140] = 0x00;                             /* bDeviceProtocol */
	b[0x141] = 0x01;                             /* bConfigurationValue */
	b[0x142] = 0x01;                             /* bNumConfigurations */
	b[0x143] = 0x02;                             /* bNumInterfaces */
	memcpy(b + 0x144, "\x03\x01\x02\x00", 4);    /* HID boot mouse */
	memcpy(b + 0x148, "\x03\x00\x00\x00", 4);    /* HID */
}

static void test_op_rep_devlist_golden(void **state)
{
	uint8_t in[DEVLIST_LEN], out[DEVLIST_LEN];
	struct usbip_op_common op;
	struct usbip_usb_device dev;
	struct usbip_usb_interface intf[2];
	uint32_t ndev, i;
	size_t off;

	(void)state;
	build_rep_devlist(in);

	usbip_op_common_decode(in, &op);
	assert_int_equal(op.version, USBIP_VERSION);
	assert_int_equal(op.code, USBIP_OP_REP_DEVLIST);
	assert_int_equal(op.status, USBIP_ST_OK);
	ndev = test_be32(in + 8);
	assert_int_equal(ndev, 1);

	off = 0x0c;
	assert_int_equal(usbip_usb_device_decode(in + off, &dev), 0);
	assert_string_equal(dev.path, "/sys/devices/pci0000:00/0000:00:1d.1/usb3/3-2");
	assert_string_equal(dev.busid, "3-2");
	assert_int_equal(dev.busnum, 3);
	assert_int_equal(dev.devnum, 2);
	assert_int_equal(dev.speed, USBIP_SPEED_HIGH);
	assert_string_equal(usbip_speed_str(dev.speed), "high");
	assert_int_equal(dev.idVendor, 0x046d);
	assert_int_equal(dev.idProduct, 0xc52b);
	assert_int_equal(dev.bcdDevice, 0x1211);
	assert_int_equal(dev.bDeviceClass, 0);
	assert_int_equal(dev.bDeviceSubClass, 0);
	assert_int_equal(dev.bDeviceProtocol, 0);
	assert_int_equal(dev.bConfigurationValue, 1);
	assert_int_equal(dev.bNumConfigurations, 1);
	assert_int_equal(dev.bNumInterfaces, 2);
	off += USBIP_USB_DEVICE_LEN;
	assert_int_equal(off, 0x144);
	for (i = 0; i < dev.bNumInterfaces; i++) {
		usbip_usb_interface_decode(in + off, &intf[i]);
		off += USBIP_USB_INTERFACE_LEN;
	}
	assert_int_equal(off, DEVLIST_LEN);
	assert_int_equal(intf[0].bInterfaceClass, 3);
	assert_int_equal(intf[0].bInterfaceSubClass, 1);
	assert_int_equal(intf[0].bInterfaceProtocol, 2);
	assert_int_equal(intf[1].bInterfaceClass, 3);
	assert_int_equal(intf[1].bInterfaceSubClass, 0);
	assert_int_equal(intf[1].bInterfaceProtocol, 0);

	/* Re-encode the whole reply and compare byte for byte. */
	memset(out, 0xa5, sizeof(out));
	usbip_op_common_encode(&op, out);
	memcpy(out + 8, "\x00\x00\x00\x01", 4);
	usbip_usb_device_encode(&dev, out + 0x0c);
	usbip_usb_interface_encode(&intf[0], out + 0x144);
	usbip_usb_interface_encode(&intf[1], out + 0x148);
	assert_memory_equal(out, in, DEVLIST_LEN);
}

static void test_interface_padding_written_zero(void **state)
{
	static const uint8_t in[4] = { 0xff, 0x42, 0x01, 0x7e };
	struct usbip_usb_interface intf;
	uint8_t out[4];

	(void)state;
	usbip_usb_interface_decode(in, &intf);
	assert_int_equal(intf.bInterfaceClass, 0xff);
	assert_int_equal(intf.bInterfaceSubClass, 0x42);
	assert_int_equal(intf.bInterfaceProtocol, 0x01);
	usbip_usb_interface_encode(&intf, out);
	assert_memory_equal(out, "\xff\x42\x01\x00", 4);
}

static void test_op_req_import_golden(void **state)
{
	uint8_t want[USBIP_REQ_IMPORT_LEN], out[USBIP_REQ_IMPORT_LEN];
	struct usbip_op_common op;

	(void)state;
	/* rst table: version, 0x8003, status 0, busid[32] zero-filled */
	memset(want, 0, sizeof(want));
	memcpy(want, "\x01\x11\x80\x03\x00\x00\x00\x00", 8);
	memcpy(want + 8, "1-1.2", 5);

	memset(out, 0xa5, sizeof(out));
	assert_int_equal(usbip_req_import_encode("1-1.2", out), USBIP_REQ_IMPORT_LEN);
	assert_memory_equal(out, want, sizeof(want));
	usbip_op_common_decode(out, &op);
	assert_int_equal(op.code, USBIP_OP_REQ_IMPORT);

	/* usbipd-win's busids: "hub-port", 1..99 each (issue 9 section 6) */
	for (const char *const *b = (const char *const[]){ "1-1", "99-99", "3-12", NULL }; *b; b++) {
		memset(out, 0xa5, sizeof(out));
		assert_int_equal(usbip_req_import_encode(*b, out), USBIP_REQ_IMPORT_LEN);
		assert_string_equal((const char *)out + 8, *b);
		assert_int_equal(out[8 + USBIP_BUSID_SIZE - 1], 0);
	}
}

static void test_op_req_import_rejects(void **state)
{
	char busid[USBIP_BUSID_SIZE + 8];
	uint8_t out[USBIP_REQ_IMPORT_LEN];

	(void)state;
	assert_int_equal(usbip_req_import_encode("", out), -EINVAL);
	assert_int_equal(usbip_req_import_encode(NULL, out), -EINVAL);

	memset(busid, 'x', USBIP_BUSID_SIZE);
	busid[USBIP_BUSID_SIZE] = '\0';          /* 32 chars: no room for NUL */
	assert_int_equal(usbip_req_import_encode(busid, out), -EINVAL);
	busid[USBIP_BUSID_SIZE] = 'x';
	busid[USBIP_BUSID_SIZE + 4] = '\0';      /* longer still */
	assert_int_equal(usbip_req_import_encode(busid, out), -EINVAL);

	busid[USBIP_BUSID_SIZE - 1] = '\0';      /* 31 chars: the maximum */
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(usbip_req_import_encode(busid, out), USBIP_REQ_IMPORT_LEN);
	assert_memory_equal(out + 8, busid, USBIP_BUSID_SIZE - 1);
	assert_int_equal(out[USBIP_REQ_IMPORT_LEN - 1], 0);
}

/* OP_REP_IMPORT (success): the rst table puts busid at 0x108, busnum at 0x128, ... */
#define REP_IMPORT_LEN (USBIP_OP_COMMON_LEN + USBIP_USB_DEVICE_LEN)

static void test_op_rep_import_golden(void **state)
{
	static const char path[] = "/sys/devices/platform/soc/20980000.usb/usb1/1-1/1-1.2";
	uint8_t in[REP_IMPORT_LEN], out[REP_IMPORT_LEN];
	struct usbip_op_common op;
	struct usbip_usb_device dev;

	(void)state;
	assert_int_equal(REP_IMPORT_LEN, 320);
	memset(in, 0, sizeof(in));
	memcpy(in + 0x000, "\x01\x11\x00\x03\x00\x00\x00\x00", 8);
	memcpy(in + 0x008, path, sizeof(path) - 1);
	memcpy(in + 0x108, "1-1.2", 5);
	memcpy(in + 0x128, "\x00\x00\x00\x01", 4);   /* busnum 1 */
	memcpy(in + 0x12c, "\x00\x00\x00\x0f", 4);   /* devnum 15 */
	memcpy(in + 0x130, "\x00\x00\x00\x05", 4);   /* speed: super */
	memcpy(in + 0x134, "\x0b\x95", 2);           /* idVendor */
	memcpy(in + 0x136, "\x17\x90", 2);           /* idProduct */
	memcpy(in + 0x138, "\x01\x00", 2);           /* bcdDevice */
	in[0x13a] = 0xff;                            /* bDeviceClass */
	in[0x13b] = 0xff;                            /* bDeviceSubClass */
	in[0x13c] = 0x00;                            /* bDeviceProtocol */
	in[0x13d] = 0x01;                            /* bConfigurationValue */
	in[0x13e] = 0x02;                            /* bNumConfigurations */
	in[0x13f] = 0x01;                            /* bNumInterfaces */

	usbip_op_common_decode(in, &op);
	assert_int_equal(op.code, USBIP_OP_REP_IMPORT);
	assert_int_equal(op.status, USBIP_ST_OK);
	assert_int_equal(usbip_usb_device_decode(in + 8, &dev), 0);
	assert_string_equal(dev.path, path);
	assert_string_equal(dev.busid, "1-1.2");
	assert_int_equal(dev.busnum, 1);
	assert_int_equal(dev.devnum, 15);
	assert_int_equal((dev.busnum << 16) | dev.devnum, 0x0001000f);
	assert_int_equal(dev.speed, USBIP_SPEED_SUPER);
	assert_int_equal(dev.idVendor, 0x0b95);
	assert_int_equal(dev.idProduct, 0x1790);
	assert_int_equal(dev.bcdDevice, 0x0100);
	assert_int_equal(dev.bDeviceClass, 0xff);
	assert_int_equal(dev.bDeviceSubClass, 0xff);
	assert_int_equal(dev.bDeviceProtocol, 0);
	assert_int_equal(dev.bConfigurationValue, 1);
	assert_int_equal(dev.bNumConfigurations, 2);
	assert_int_equal(dev.bNumInterfaces, 1);

	memset(out, 0xa5, sizeof(out));
	usbip_op_common_encode(&op, out);
	usbip_usb_device_encode(&dev, out + 8);
	assert_memory_equal(out, in, sizeof(in));
}

static void test_usb_device_rejects_unterminated(void **state)
{
	uint8_t in[USBIP_USB_DEVICE_LEN];
	struct usbip_usb_device dev;

	(void)state;
	memset(in, 0, sizeof(in));
	memset(in + 0x100, 'b', USBIP_BUSID_SIZE);   /* busid: 32 bytes, no NUL */
	memset(&dev, 0x5a, sizeof(dev));
	assert_int_equal(usbip_usb_device_decode(in, &dev), -EPROTO);
	assert_int_equal(dev.busnum, 0x5a5a5a5a);    /* untouched on error */

	in[0x100 + USBIP_BUSID_SIZE - 1] = '\0';     /* 31 chars + NUL is fine */
	assert_int_equal(usbip_usb_device_decode(in, &dev), 0);
	assert_int_equal(strlen(dev.busid), USBIP_BUSID_SIZE - 1);

	memset(in, 'p', USBIP_PATH_SIZE);            /* path: 256 bytes, no NUL */
	assert_int_equal(usbip_usb_device_decode(in, &dev), -EPROTO);
	in[USBIP_PATH_SIZE - 1] = '\0';
	assert_int_equal(usbip_usb_device_decode(in, &dev), 0);
	assert_int_equal(strlen(dev.path), USBIP_PATH_SIZE - 1);
}

static void test_usb_device_roundtrip(void **state)
{
	struct usbip_usb_device a, b;
	uint8_t w1[USBIP_USB_DEVICE_LEN], w2[USBIP_USB_DEVICE_LEN];

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(a.path, 'p', USBIP_PATH_SIZE - 1);
	memset(a.busid, 'b', USBIP_BUSID_SIZE - 1);
	a.busnum = 0xfedcba98;
	a.devnum = 0x01234567;
	a.speed = USBIP_SPEED_SUPER_PLUS;
	a.idVendor = 0xabcd;
	a.idProduct = 0x1234;
	a.bcdDevice = 0x8001;
	a.bDeviceClass = 0xef;
	a.bDeviceSubClass = 0x02;
	a.bDeviceProtocol = 0x01;
	a.bConfigurationValue = 0x80;
	a.bNumConfigurations = 0xff;
	a.bNumInterfaces = 0x20;

	usbip_usb_device_encode(&a, w1);
	assert_int_equal(test_be32(w1 + 0x120), 0xfedcba98);
	assert_int_equal(usbip_usb_device_decode(w1, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	usbip_usb_device_encode(&b, w2);
	assert_memory_equal(w1, w2, sizeof(w1));

	/* An over-long path (all 256 chars) is cut so the NUL fits on the wire. */
	memset(a.path, 'q', USBIP_PATH_SIZE);
	a.path[USBIP_PATH_SIZE] = '\0';
	usbip_usb_device_encode(&a, w1);
	assert_int_equal(w1[USBIP_PATH_SIZE - 1], 0);
	assert_int_equal(usbip_usb_device_decode(w1, &b), 0);
	assert_int_equal(strlen(b.path), USBIP_PATH_SIZE - 1);
}

/* ---- URB PDU headers -------------------------------------------------- */

static void test_cmd_submit_golden(void **state)
{
	uint8_t raw[USBIP_HDR_LEN];
	struct usbip_header h;

	(void)state;
	decode_hex_hdr(ex_cmd_intr_in, raw, &h);
	assert_int_equal(h.command, USBIP_CMD_SUBMIT);
	assert_string_equal(usbip_command_str(h.command), "CMD_SUBMIT");
	assert_int_equal(h.seqnum, 0xd05);
	assert_int_equal(h.devid, 0x0001000f);
	assert_int_equal(h.direction, USBIP_DIR_IN);
	assert_int_equal(h.ep, 1);
	assert_int_equal(h.u.cmd_submit.transfer_flags, USBIP_URB_DIR_IN);
	assert_int_equal(h.u.cmd_submit.transfer_buffer_length, 64);
	assert_int_equal(h.u.cmd_submit.start_frame, -1);
	assert_int_equal(h.u.cmd_submit.number_of_packets, 0);
	assert_int_equal(h.u.cmd_submit.interval, 4);
	assert_memory_equal(h.u.cmd_submit.setup, "\0\0\0\0\0\0\0\0", 8);
	assert_reencodes(&h, raw);

	decode_hex_hdr(ex_cmd_intr_out, raw, &h);
	assert_int_equal(h.seqnum, 0xd06);
	assert_int_equal(h.direction, USBIP_DIR_OUT);
	assert_int_equal(h.ep, 1);
	assert_int_equal(h.u.cmd_submit.transfer_flags, 0);
	assert_int_equal(h.u.cmd_submit.transfer_buffer_length, 64);
	assert_reencodes(&h, raw);
}

static void test_cmd_submit_setup_verbatim(void **state)
{
	static const uint8_t setup[8] = { 0x80, 0x06, 0x00, 0x02, 0x00, 0x00, 0x09, 0x01 };
	static const uint8_t odd[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
	uint8_t raw[USBIP_HDR_LEN];
	struct usbip_header h;

	(void)state;
	decode_hex_hdr(vec_cmd_ctrl, raw, &h);
	assert_int_equal(h.ep, 0);
	assert_int_equal(h.devid, 0x00010002);
	assert_int_equal(h.u.cmd_submit.transfer_buffer_length, 265);
	/* Setup stays in USB (little-endian) order: wValue 0x0200, wLength 0x0109. */
	assert_memory_equal(h.u.cmd_submit.setup, setup, 8);
	assert_int_equal(h.u.cmd_submit.setup[2] | h.u.cmd_submit.setup[3] << 8, 0x0200);
	assert_int_equal(h.u.cmd_submit.setup[6] | h.u.cmd_submit.setup[7] << 8, 265);
	assert_reencodes(&h, raw);
	assert_memory_equal(raw + 0x28, setup, 8);

	/* Every byte position is carried, none swapped. */
	memcpy(h.u.cmd_submit.setup, odd, 8);
	usbip_header_encode(&h, raw);
	assert_memory_equal(raw + 0x28, odd, 8);
	memset(&h, 0, sizeof(h));
	assert_int_equal(usbip_header_decode(raw, &h), 0);
	assert_memory_equal(h.u.cmd_submit.setup, odd, 8);
}

static void test_ret_submit_golden(void **state)
{
	uint8_t raw[USBIP_HDR_LEN];
	struct usbip_header h;

	(void)state;
	decode_hex_hdr(ex_ret_intr_in, raw, &h);
	assert_int_equal(h.command, USBIP_RET_SUBMIT);
	assert_string_equal(usbip_command_str(h.command), "RET_SUBMIT");
	assert_int_equal(h.seqnum, 0xd05);
	assert_int_equal(h.devid, 0);
	assert_int_equal(h.direction, 0);
	assert_int_equal(h.ep, 0);
	assert_int_equal(h.u.ret_submit.status, 0);
	assert_int_equal(h.u.ret_submit.actual_length, 64);
	assert_int_equal(h.u.ret_submit.start_frame, -1);
	assert_int_equal(h.u.ret_submit.number_of_packets, 0);
	assert_int_equal(h.u.ret_submit.error_count, 0);
	assert_reencodes(&h, raw);

	decode_hex_hdr(ex_ret_intr_out, raw, &h);
	assert_int_equal(h.seqnum, 0xd06);
	assert_int_equal(h.u.ret_submit.actual_length, 64);
	assert_reencodes(&h, raw);
}

static void test_ret_submit_negative_status(void **state)
{
	struct usbip_header h, back;
	uint8_t raw[USBIP_HDR_LEN];

	(void)state;
	memset(&h, 0, sizeof(h));
	h.command = USBIP_RET_SUBMIT;
	h.seqnum = 7;
	h.u.ret_submit.status = -EPIPE;              /* stall */
	h.u.ret_submit.actual_length = 3;
	h.u.ret_submit.error_count = 2;
	usbip_header_encode(&h, raw);
	assert_memory_equal(raw + 0x14, "\xff\xff\xff\xe0\x00\x00\x00\x03", 8);
	assert_memory_equal(raw + 0x24, "\x00\x00\x00\x02", 4);
	assert_int_equal(usbip_header_decode(raw, &back), 0);
	assert_int_equal(back.u.ret_submit.status, -EPIPE);
	assert_int_equal(back.u.ret_submit.actual_length, 3);
	assert_int_equal(back.u.ret_submit.error_count, 2);
}

/* A server's status that is no -errno (positive, INT_MIN, -5000) reads as -EPROTO. */
static void test_ret_status_clamped(void **state)
{
	static const int32_t odd[] = { INT32_MIN, -4096, -5000, 1, INT32_MAX };
	struct usbip_header h, back;
	uint8_t raw[USBIP_HDR_LEN];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		memset(&h, 0, sizeof(h));
		h.command = i % 2 ? USBIP_RET_UNLINK : USBIP_RET_SUBMIT;
		h.u.ret_submit.status = odd[i]; /* the same offset in both */
		usbip_header_encode(&h, raw);
		assert_int_equal(usbip_header_decode(raw, &back), 0);
		assert_int_equal(i % 2 ? back.u.ret_unlink.status : back.u.ret_submit.status,
				 -EPROTO);
	}
	h.u.ret_submit.status = -4095;
	h.command = USBIP_RET_SUBMIT;
	usbip_header_encode(&h, raw);
	assert_int_equal(usbip_header_decode(raw, &back), 0);
	assert_int_equal(back.u.ret_submit.status, -4095);
}

static void test_cmd_unlink_golden(void **state)
{
	uint8_t raw[USBIP_HDR_LEN];
	struct usbip_header h;

	(void)state;
	decode_hex_hdr(vec_cmd_unlink, raw, &h);
	assert_int_equal(h.command, USBIP_CMD_UNLINK);
	assert_string_equal(usbip_command_str(h.command), "CMD_UNLINK");
	assert_int_equal(h.seqnum, 0xd07);
	assert_int_equal(h.devid, 0x0001000f);
	assert_int_equal(h.direction, 0);
	assert_int_equal(h.ep, 0);
	assert_int_equal(h.u.cmd_unlink.seqnum, 0xd05);
	assert_reencodes(&h, raw);
}

static void test_ret_unlink_golden(void **state)
{
	uint8_t raw[USBIP_HDR_LEN];
	struct usbip_header h;

	(void)state;
	decode_hex_hdr(vec_ret_unlink, raw, &h);
	assert_int_equal(h.command, USBIP_RET_UNLINK);
	assert_string_equal(usbip_command_str(h.command), "RET_UNLINK");
	assert_int_equal(h.seqnum, 0xd07);
	assert_int_equal(h.u.ret_unlink.status, -ECONNRESET);
	assert_reencodes(&h, raw);
}

static void test_header_encode_zeroes_unused(void **state)
{
	static const uint8_t zero[28];
	struct usbip_header h;
	uint8_t raw[USBIP_HDR_LEN];

	(void)state;
	/* Stale bytes in the union must not leak into padding. */
	memset(&h, 0xee, sizeof(h));
	h.command = USBIP_CMD_UNLINK;
	h.u.cmd_unlink.seqnum = 5;
	memset(raw, 0xa5, sizeof(raw));
	usbip_header_encode(&h, raw);
	assert_memory_equal(raw + 0x14, "\x00\x00\x00\x05", 4);
	assert_memory_equal(raw + 0x18, zero, 24);

	memset(&h, 0xee, sizeof(h));
	h.command = USBIP_RET_UNLINK;
	h.u.ret_unlink.status = 0;
	usbip_header_encode(&h, raw);
	assert_memory_equal(raw + 0x14, zero, 28);

	memset(&h, 0xee, sizeof(h));
	h.command = USBIP_RET_SUBMIT;
	usbip_header_encode(&h, raw);
	assert_memory_equal(raw + 0x28, zero, 8);
}

static void test_header_decode_rejects_unknown(void **state)
{
	static const uint32_t bad[] = { 0, 5, 0x80000001, 0x01000000, 0xffffffff };
	uint8_t raw[USBIP_HDR_LEN];
	struct usbip_header h;
	size_t i;

	(void)state;
	hex(ex_cmd_intr_in, raw, sizeof(raw));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw[0] = (uint8_t)(bad[i] >> 24);
		raw[1] = (uint8_t)(bad[i] >> 16);
		raw[2] = (uint8_t)(bad[i] >> 8);
		raw[3] = (uint8_t)bad[i];
		memset(&h, 0x5a, sizeof(h));
		assert_int_equal(usbip_header_decode(raw, &h), -EPROTO);
		assert_int_equal(h.seqnum, 0x5a5a5a5a);
		assert_string_equal(usbip_command_str(bad[i]), "unknown");
	}
}

static void test_number_of_packets_roundtrip(void **state)
{
	static const int32_t vals[] = { 0, 1, 1024, -1, INT32_MAX, INT32_MIN };
	struct usbip_header h, back;
	uint8_t raw[USBIP_HDR_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		memset(&h, 0, sizeof(h));
		h.command = USBIP_CMD_SUBMIT;
		h.u.cmd_submit.number_of_packets = vals[i];
		usbip_header_encode(&h, raw);
		assert_int_equal(usbip_header_decode(raw, &back), 0);
		assert_int_equal(back.u.cmd_submit.number_of_packets, vals[i]);

		h.command = USBIP_RET_SUBMIT;
		h.u.ret_submit.number_of_packets = vals[i];
		usbip_header_encode(&h, raw);
		assert_int_equal(usbip_header_decode(raw, &back), 0);
		assert_int_equal(back.u.ret_submit.number_of_packets, vals[i]);
	}

	/* Non-ISO is sent as 0 (what Linux vhci sends) ... */
	memset(&h, 0, sizeof(h));
	h.command = USBIP_CMD_SUBMIT;
	h.u.cmd_submit.number_of_packets = 0;
	usbip_header_encode(&h, raw);
	assert_memory_equal(raw + 0x20, "\x00\x00\x00\x00", 4);

	/* ... and the documented 0xffffffff from other peers reads as -1. */
	memcpy(raw + 0x20, "\xff\xff\xff\xff", 4);
	assert_int_equal(usbip_header_decode(raw, &back), 0);
	assert_int_equal(back.u.cmd_submit.number_of_packets, -1);
	h.command = USBIP_RET_SUBMIT;
	usbip_header_encode(&h, raw);
	memcpy(raw + 0x20, "\xff\xff\xff\xff", 4);
	assert_int_equal(usbip_header_decode(raw, &back), 0);
	assert_int_equal(back.u.ret_submit.number_of_packets, -1);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(usbip_status_str(USBIP_ST_OK), "ST_OK (success)");
	assert_string_equal(usbip_status_str(USBIP_ST_NA), "ST_NA (not available)");
	assert_string_equal(usbip_status_str(USBIP_ST_DEV_BUSY),
			    "ST_DEV_BUSY (device busy, already imported)");
	assert_string_equal(usbip_status_str(USBIP_ST_DEV_ERR),
			    "ST_DEV_ERR (device in error state)");
	assert_string_equal(usbip_status_str(USBIP_ST_NODEV), "ST_NODEV (device not found)");
	assert_string_equal(usbip_status_str(USBIP_ST_ERROR), "ST_ERROR (error)");
	assert_string_equal(usbip_status_str(6), "unknown status");
	assert_string_equal(usbip_status_str(0xffffffff), "unknown status");

	assert_string_equal(usbip_speed_str(USBIP_SPEED_UNKNOWN), "unknown");
	assert_string_equal(usbip_speed_str(USBIP_SPEED_LOW), "low");
	assert_string_equal(usbip_speed_str(USBIP_SPEED_FULL), "full");
	assert_string_equal(usbip_speed_str(USBIP_SPEED_HIGH), "high");
	assert_string_equal(usbip_speed_str(USBIP_SPEED_WIRELESS), "wireless");
	assert_string_equal(usbip_speed_str(USBIP_SPEED_SUPER), "super");
	assert_string_equal(usbip_speed_str(USBIP_SPEED_SUPER_PLUS), "super-plus");
	assert_string_equal(usbip_speed_str(7), "unknown");
}

/* ---- stream reassembly ------------------------------------------------ */

#define REC_MAX 16
#define REC_PAYLOAD 128

struct rec_msg {
	uint8_t hdr[USBIP_HDR_LEN]; /* re-encoded, so comparisons ignore padding */
	uint32_t command;
	uint8_t payload[REC_PAYLOAD];
	size_t len;
};

struct rec {
	struct rec_msg msgs[REC_MAX];
	size_t n;
	size_t plen_calls;
	size_t fail_at;       /* message() returns fail_ret for message #fail_at (1-based) */
	int fail_ret;
	int force_plen;       /* payload_len() returns plen_value instead of the rule */
	ssize_t plen_value;
};

/*
 * The owner's rule: CMD_SUBMIT OUT carries transfer_buffer_length bytes; a
 * RET_SUBMIT carries actual_length bytes only if it answers an IN submit.
 * In the test stream, seqnum 0xd05 was the IN one.
 */
static ssize_t rec_payload_len(void *arg, const struct usbip_header *h)
{
	struct rec *r = arg;

	r->plen_calls++;
	if (r->force_plen)
		return r->plen_value;
	switch (h->command) {
	case USBIP_CMD_SUBMIT:
		if (h->direction == USBIP_DIR_IN)
			return 0;
		if (h->u.cmd_submit.transfer_buffer_length < 0)
			return -EPROTO;
		return h->u.cmd_submit.transfer_buffer_length;
	case USBIP_RET_SUBMIT:
		if (h->seqnum != 0xd05)
			return 0;
		if (h->u.ret_submit.actual_length < 0)
			return -EPROTO;
		return h->u.ret_submit.actual_length;
	default:
		return 0;
	}
}

static int rec_message(void *arg, const struct usbip_header *h, const uint8_t *payload,
		       size_t len)
{
	struct rec *r = arg;
	struct rec_msg *m;

	assert_true(r->n < REC_MAX);
	assert_true(len <= REC_PAYLOAD);
	assert_non_null(payload);
	m = &r->msgs[r->n++];
	usbip_header_encode(h, m->hdr);
	m->command = h->command;
	memcpy(m->payload, payload, len);
	m->len = len;
	if (r->fail_at && r->n == r->fail_at)
		return r->fail_ret;
	return 0;
}

static const struct usbip_rx_ops rec_ops = {
	.payload_len = rec_payload_len,
	.message = rec_message,
};

static void assert_rec_equal(const struct rec *a, const struct rec *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_memory_equal(a->msgs[i].hdr, b->msgs[i].hdr, USBIP_HDR_LEN);
		assert_int_equal(a->msgs[i].len, b->msgs[i].len);
		assert_memory_equal(a->msgs[i].payload, b->msgs[i].payload, a->msgs[i].len);
	}
}

#define STREAM_MAX 1024

/* Seven PDUs, both directions, payloads of 0, 64 and 3 bytes. */
static size_t build_stream(uint8_t *s)
{
	static const char *const parts[] = {
		ex_cmd_intr_in,
		ex_cmd_intr_out, ex_cmd_intr_out_data,
		ex_ret_intr_out,
		ex_ret_intr_in, ex_ret_intr_in_data,
		vec_cmd_unlink,
		vec_ret_unlink,
		/* CMD_SUBMIT bulk OUT ep 2, 3 bytes "abc" */
		"00000001 00000d08 0001000f 00000000 00000002 00000000 00000003 00000000 "
		"00000000 00000000 00000000 00000000 616263",
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		n += hex(parts[i], s + n, STREAM_MAX - n);
	return n;
}

static void feed_ok(struct usbip_rx *rx, const uint8_t *p, size_t n, struct rec *r)
{
	assert_int_equal(usbip_rx_feed(rx, p, n, &rec_ops, r), (ssize_t)n);
}

/* Payloads read in place (usbip_rx_room(), usbip_rx_filled()), a few bytes at a
 * time, give the same messages as the stream fed whole. */
static void test_rx_in_place(void **state)
{
	uint8_t s[STREAM_MAX], *dst;
	struct usbip_rx rx;
	struct rec whole, parts;
	size_t n, off = 0, room, k;

	(void)state;
	n = build_stream(s);
	memset(&whole, 0, sizeof(whole));
	memset(&parts, 0, sizeof(parts));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	feed_ok(&rx, s, n, &whole);
	while (off < n) {
		room = usbip_rx_room(&rx, &dst);
		if (!room) {
			feed_ok(&rx, s + off, 1, &parts);
			off++;
			continue;
		}
		k = room < 5 ? room : 5;
		assert_true(off + k <= n);
		memcpy(dst, s + off, k);
		assert_int_equal(usbip_rx_filled(&rx, k, &rec_ops, &parts), (ssize_t)k);
		off += k;
	}
	assert_rec_equal(&whole, &parts);
	/* no more than the room */
	assert_int_equal(usbip_rx_room(&rx, &dst), 0);
	assert_int_equal(usbip_rx_filled(&rx, 1, &rec_ops, &parts), -EINVAL);
	usbip_rx_free(&rx);
}

static void test_rx_whole_stream(void **state)
{
	static const uint32_t cmds[] = {
		USBIP_CMD_SUBMIT, USBIP_CMD_SUBMIT, USBIP_RET_SUBMIT, USBIP_RET_SUBMIT,
		USBIP_CMD_UNLINK, USBIP_RET_UNLINK, USBIP_CMD_SUBMIT,
	};
	static const size_t lens[] = { 0, 64, 0, 64, 0, 0, 3 };
	uint8_t s[STREAM_MAX], data[64];
	struct usbip_rx rx;
	struct rec r;
	size_t n, i;

	(void)state;
	n = build_stream(s);
	assert_int_equal(n, 7 * USBIP_HDR_LEN + 64 + 64 + 3);
	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	feed_ok(&rx, s, n, &r);
	assert_int_equal(r.n, 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(r.msgs[i].command, cmds[i]);
		assert_int_equal(r.msgs[i].len, lens[i]);
	}
	hex(ex_cmd_intr_out_data, data, sizeof(data));
	assert_memory_equal(r.msgs[1].payload, data, 64);
	hex(ex_ret_intr_in_data, data, sizeof(data));
	assert_memory_equal(r.msgs[3].payload, data, 64);
	assert_memory_equal(r.msgs[6].payload, "abc", 3);
	/* Every header went through re-encoding unchanged. */
	assert_memory_equal(r.msgs[0].hdr, s, USBIP_HDR_LEN);
	usbip_rx_free(&rx);
}

static void test_rx_every_split_point(void **state)
{
	uint8_t s[STREAM_MAX];
	struct usbip_rx rx;
	struct rec ref, r;
	size_t n, k;

	(void)state;
	n = build_stream(s);
	memset(&ref, 0, sizeof(ref));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	feed_ok(&rx, s, n, &ref);
	usbip_rx_free(&rx);

	for (k = 0; k <= n; k++) {
		memset(&r, 0, sizeof(r));
		assert_int_equal(usbip_rx_init(&rx, 64), 0);
		feed_ok(&rx, s, k, &r);
		feed_ok(&rx, s + k, n - k, &r);
		assert_rec_equal(&ref, &r);
		usbip_rx_free(&rx);
	}
}

static void test_rx_byte_by_byte(void **state)
{
	uint8_t s[STREAM_MAX];
	struct usbip_rx rx;
	struct rec ref, r;
	size_t n, k;

	(void)state;
	n = build_stream(s);
	memset(&ref, 0, sizeof(ref));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	feed_ok(&rx, s, n, &ref);
	usbip_rx_free(&rx);

	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	for (k = 0; k < n; k++) {
		uint8_t b = s[k];   /* a private copy: payload must not alias the caller's buffer */

		feed_ok(&rx, &b, 1, &r);
	}
	assert_rec_equal(&ref, &r);
	usbip_rx_free(&rx);
}

static void test_rx_random_chunks(void **state)
{
	uint8_t s[STREAM_MAX];
	struct usbip_rx rx;
	struct rec ref, r;
	uint32_t seed = 12345;
	size_t n, off;
	int round;

	(void)state;
	n = build_stream(s);
	memset(&ref, 0, sizeof(ref));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	feed_ok(&rx, s, n, &ref);
	usbip_rx_free(&rx);

	for (round = 0; round < 200; round++) {
		memset(&r, 0, sizeof(r));
		assert_int_equal(usbip_rx_init(&rx, 64), 0);
		for (off = 0; off < n;) {
			size_t c;

			/* xorshift32; masks keep clang's unsigned-shift check quiet */
			seed ^= (seed & 0x7ffffu) << 13;
			seed ^= seed >> 17;
			seed ^= (seed & 0x7ffffffu) << 5;
			c = seed % 120;                     /* 0..119, zero-length feeds too */
			if (c > n - off)
				c = n - off;
			feed_ok(&rx, s + off, c, &r);
			off += c;
		}
		assert_rec_equal(&ref, &r);
		usbip_rx_free(&rx);
	}
}

static void test_rx_empty_payload_delivered_at_header_end(void **state)
{
	uint8_t s[USBIP_HDR_LEN];
	struct usbip_rx rx;
	struct rec r;

	(void)state;
	hex(ex_cmd_intr_in, s, sizeof(s));
	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_init(&rx, 0), 0);
	assert_int_equal(usbip_rx_feed(&rx, s, 0, &rec_ops, &r), 0);
	feed_ok(&rx, s, USBIP_HDR_LEN - 1, &r);
	assert_int_equal(r.n, 0);
	feed_ok(&rx, s + USBIP_HDR_LEN - 1, 1, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.msgs[0].len, 0);
	usbip_rx_free(&rx);
}

static void test_rx_payload_too_large(void **state)
{
	uint8_t s[STREAM_MAX];
	struct usbip_rx rx;
	struct rec r;
	size_t n, k;

	(void)state;
	n = build_stream(s);

	/* The 2nd PDU wants 64 bytes; allow 63. The 1st is still delivered. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_init(&rx, 63), 0);
	assert_int_equal(usbip_rx_feed(&rx, s, n, &rec_ops, &r), -EMSGSIZE);
	assert_int_equal(r.n, 1);
	usbip_rx_free(&rx);

	/* Byte by byte: fails exactly on the last header byte of PDU 2. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_init(&rx, 63), 0);
	for (k = 0; k < 2 * USBIP_HDR_LEN - 1; k++)
		feed_ok(&rx, s + k, 1, &r);
	assert_int_equal(usbip_rx_feed(&rx, s + k, 1, &rec_ops, &r), -EMSGSIZE);
	assert_int_equal(r.n, 1);
	usbip_rx_free(&rx);

	/* An absurd length from the owner never reaches memcpy. */
	memset(&r, 0, sizeof(r));
	r.force_plen = 1;
	r.plen_value = SSIZE_MAX;
	assert_int_equal(usbip_rx_init(&rx, 16), 0);
	assert_int_equal(usbip_rx_feed(&rx, s, n, &rec_ops, &r), -EMSGSIZE);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.plen_calls, 1);
	usbip_rx_free(&rx);

	/* Exactly max_payload is fine. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	feed_ok(&rx, s, n, &r);
	assert_int_equal(r.n, 7);
	usbip_rx_free(&rx);
}

static void test_rx_payload_len_error_propagates(void **state)
{
	uint8_t s[STREAM_MAX];
	struct usbip_rx rx;
	struct rec r;
	size_t n;

	(void)state;
	n = build_stream(s);
	memset(&r, 0, sizeof(r));
	r.force_plen = 1;
	r.plen_value = -EBADMSG;
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	assert_int_equal(usbip_rx_feed(&rx, s, n, &rec_ops, &r), -EBADMSG);
	assert_int_equal(r.n, 0);
	usbip_rx_free(&rx);
}

static void test_rx_message_error_stops(void **state)
{
	uint8_t s[STREAM_MAX];
	struct usbip_rx rx;
	struct rec r;
	size_t n;

	(void)state;
	n = build_stream(s);
	memset(&r, 0, sizeof(r));
	r.fail_at = 2;
	r.fail_ret = -EINTR;
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	assert_int_equal(usbip_rx_feed(&rx, s, n, &rec_ops, &r), -EINTR);
	assert_int_equal(r.n, 2);            /* nothing after the failing message */
	assert_int_equal(r.plen_calls, 2);
	usbip_rx_free(&rx);

	/* Same when the failing message is completed by a later chunk. */
	memset(&r, 0, sizeof(r));
	r.fail_at = 2;
	r.fail_ret = -EINTR;
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	feed_ok(&rx, s, USBIP_HDR_LEN + 10, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(usbip_rx_feed(&rx, s + USBIP_HDR_LEN + 10, n - USBIP_HDR_LEN - 10,
				       &rec_ops, &r), -EINTR);
	assert_int_equal(r.n, 2);
	usbip_rx_free(&rx);
}

static void test_rx_bad_header(void **state)
{
	uint8_t s[2 * USBIP_HDR_LEN];
	struct usbip_rx rx;
	struct rec r;

	(void)state;
	hex(ex_cmd_intr_in, s, USBIP_HDR_LEN);
	hex(ex_cmd_intr_in, s + USBIP_HDR_LEN, USBIP_HDR_LEN);
	s[USBIP_HDR_LEN + 3] = 9;            /* command 9 */
	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_init(&rx, 64), 0);
	assert_int_equal(usbip_rx_feed(&rx, s, sizeof(s), &rec_ops, &r), -EPROTO);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.plen_calls, 1);   /* not asked about the bad header */
	usbip_rx_free(&rx);
}

static void test_rx_init_free(void **state)
{
	struct usbip_rx rx;
	struct rec r;
	uint8_t b = 0;

	(void)state;
	memset(&rx, 0, sizeof(rx));
	usbip_rx_free(&rx);                  /* zeroed: safe */
	assert_int_equal(usbip_rx_init(&rx, 4096), 0);
	assert_non_null(rx.payload);
	assert_int_equal(rx.max_payload, 4096);
	usbip_rx_free(&rx);
	assert_null(rx.payload);
	usbip_rx_free(&rx);                  /* twice: safe */
	memset(&r, 0, sizeof(r));
	assert_int_equal(usbip_rx_feed(&rx, &b, 1, &rec_ops, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_req_devlist_golden),
		cmocka_unit_test(test_op_common_status_and_old_version),
		cmocka_unit_test(test_op_rep_devlist_golden),
		cmocka_unit_test(test_interface_padding_written_zero),
		cmocka_unit_test(test_op_req_import_golden),
		cmocka_unit_test(test_op_req_import_rejects),
		cmocka_unit_test(test_op_rep_import_golden),
		cmocka_unit_test(test_usb_device_rejects_unterminated),
		cmocka_unit_test(test_usb_device_roundtrip),
		cmocka_unit_test(test_cmd_submit_golden),
		cmocka_unit_test(test_cmd_submit_setup_verbatim),
		cmocka_unit_test(test_ret_submit_golden),
		cmocka_unit_test(test_ret_submit_negative_status),
		cmocka_unit_test(test_ret_status_clamped),
		cmocka_unit_test(test_cmd_unlink_golden),
		cmocka_unit_test(test_ret_unlink_golden),
		cmocka_unit_test(test_header_encode_zeroes_unused),
		cmocka_unit_test(test_header_decode_rejects_unknown),
		cmocka_unit_test(test_number_of_packets_roundtrip),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_rx_whole_stream),
		cmocka_unit_test(test_rx_every_split_point),
		cmocka_unit_test(test_rx_byte_by_byte),
		cmocka_unit_test(test_rx_random_chunks),
		cmocka_unit_test(test_rx_empty_payload_delivered_at_header_end),
		cmocka_unit_test(test_rx_payload_too_large),
		cmocka_unit_test(test_rx_payload_len_error_propagates),
		cmocka_unit_test(test_rx_message_error_stops),
		cmocka_unit_test(test_rx_bad_header),
		cmocka_unit_test(test_rx_init_free),
		cmocka_unit_test(test_rx_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
