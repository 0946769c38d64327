// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usbip.c - the USB/IP wire codec: bytes <-> structs, no I/O.
 *
 * Byte offsets follow Documentation/usb/usbip_protocol.rst. Fields are read
 * and written one at a time through the get/put helpers below; no packed
 * struct is ever laid over a buffer, so alignment and host byte order never
 * matter.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/usb_wire.h"
#include "gadgetd/usbip.h"

/* usbip_header_basic: five u32 */
#define HDR_BASIC_LEN 20

/* offsets in struct usbip_usb_device */
#define DEV_PATH 0x000
#define DEV_BUSID 0x100
#define DEV_BUSNUM 0x120
#define DEV_DEVNUM 0x124
#define DEV_SPEED 0x128
#define DEV_IDVENDOR 0x12c
#define DEV_IDPRODUCT 0x12e
#define DEV_BCDDEVICE 0x130
#define DEV_BDEVICECLASS 0x132
#define DEV_BDEVICESUBCLASS 0x133
#define DEV_BDEVICEPROTOCOL 0x134
#define DEV_BCONFIGURATIONVALUE 0x135
#define DEV_BNUMCONFIGURATIONS 0x136
#define DEV_BNUMINTERFACES 0x137

/*
 * A URB status is 0 or a -errno (Linux's urb->status, include/linux/usb.h); a
 * server may send anything. Whatever is not in [-4095, 0] becomes -EPROTO, so
 * no caller negates INT_MIN or looks up a meaningless errno.
 */
static int32_t urb_status(int32_t v)
{
	return v > 0 || v < -4095 ? -EPROTO : v;
}

/* Two's complement without relying on implementation-defined conversion. */
static inline int32_t get_be32s(const uint8_t *p)
{
	uint32_t v = get_be32(p);

	if (v <= INT32_MAX)
		return (int32_t)v;
	return -(int32_t)(~v) - 1;
}

static inline void put_be32s(uint8_t *p, int32_t v)
{
	put_be32(p, (uint32_t)v);
}

void usbip_op_common_encode(const struct usbip_op_common *in, uint8_t out[USBIP_OP_COMMON_LEN])
{
	put_be16(out + 0, in->version);
	put_be16(out + 2, in->code);
	put_be32(out + 4, in->status);
}

void usbip_op_common_decode(const uint8_t in[USBIP_OP_COMMON_LEN], struct usbip_op_common *out)
{
	out->version = get_be16(in + 0);
	out->code = get_be16(in + 2);
	out->status = get_be32(in + 4);
}

int usbip_req_import_encode(const char *busid, uint8_t out[USBIP_REQ_IMPORT_LEN])
{
	struct usbip_op_common op = {
		.version = USBIP_VERSION,
		.code = USBIP_OP_REQ_IMPORT,
		.status = 0,
	};
	size_t len;

	if (!busid)
		return -EINVAL;
	/* Both ends treat the field as a C string (SYSFS_BUS_ID_SIZE counts the NUL). */
	len = strnlen(busid, USBIP_BUSID_SIZE);
	if (len == 0 || len >= USBIP_BUSID_SIZE)
		return -EINVAL;

	usbip_op_common_encode(&op, out);
	memset(out + USBIP_OP_COMMON_LEN, 0, USBIP_BUSID_SIZE);
	memcpy(out + USBIP_OP_COMMON_LEN, busid, len);
	return USBIP_REQ_IMPORT_LEN;
}

/* Copy a NUL-terminated string field; -EPROTO if the NUL is missing. */
static int get_str(char *dst, const uint8_t *src, size_t field)
{
	const uint8_t *nul = memchr(src, '\0', field);

	if (!nul)
		return -EPROTO;
	memcpy(dst, src, (size_t)(nul - src) + 1);
	return 0;
}

/* Write a string NUL-padded to @field bytes, truncated so the NUL always fits. */
static void put_str(uint8_t *dst, const char *src, size_t field)
{
	size_t len = strnlen(src, field - 1);

	memcpy(dst, src, len);
	memset(dst + len, 0, field - len);
}

int usbip_usb_device_decode(const uint8_t in[USBIP_USB_DEVICE_LEN], struct usbip_usb_device *out)
{
	struct usbip_usb_device d;

	memset(&d, 0, sizeof(d));
	if (get_str(d.path, in + DEV_PATH, USBIP_PATH_SIZE) ||
	    get_str(d.busid, in + DEV_BUSID, USBIP_BUSID_SIZE))
		return -EPROTO;

	d.busnum = get_be32(in + DEV_BUSNUM);
	d.devnum = get_be32(in + DEV_DEVNUM);
	d.speed = get_be32(in + DEV_SPEED);
	d.idVendor = get_be16(in + DEV_IDVENDOR);
	d.idProduct = get_be16(in + DEV_IDPRODUCT);
	d.bcdDevice = get_be16(in + DEV_BCDDEVICE);
	d.bDeviceClass = in[DEV_BDEVICECLASS];
	d.bDeviceSubClass = in[DEV_BDEVICESUBCLASS];
	d.bDeviceProtocol = in[DEV_BDEVICEPROTOCOL];
	d.bConfigurationValue = in[DEV_BCONFIGURATIONVALUE];
	d.bNumConfigurations = in[DEV_BNUMCONFIGURATIONS];
	d.bNumInterfaces = in[DEV_BNUMINTERFACES];

	/* @out is left untouched on error. */
	*out = d;
	return 0;
}

void usbip_usb_device_encode(const struct usbip_usb_device *in, uint8_t out[USBIP_USB_DEVICE_LEN])
{
	put_str(out + DEV_PATH, in->path, USBIP_PATH_SIZE);
	put_str(out + DEV_BUSID, in->busid, USBIP_BUSID_SIZE);
	put_be32(out + DEV_BUSNUM, in->busnum);
	put_be32(out + DEV_DEVNUM, in->devnum);
	put_be32(out + DEV_SPEED, in->speed);
	put_be16(out + DEV_IDVENDOR, in->idVendor);
	put_be16(out + DEV_IDPRODUCT, in->idProduct);
	put_be16(out + DEV_BCDDEVICE, in->bcdDevice);
	out[DEV_BDEVICECLASS] = in->bDeviceClass;
	out[DEV_BDEVICESUBCLASS] = in->bDeviceSubClass;
	out[DEV_BDEVICEPROTOCOL] = in->bDeviceProtocol;
	out[DEV_BCONFIGURATIONVALUE] = in->bConfigurationValue;
	out[DEV_BNUMCONFIGURATIONS] = in->bNumConfigurations;
	out[DEV_BNUMINTERFACES] = in->bNumInterfaces;
}

void usbip_usb_interface_decode(const uint8_t in[USBIP_USB_INTERFACE_LEN],
				struct usbip_usb_interface *out)
{
	out->bInterfaceClass = in[0];
	out->bInterfaceSubClass = in[1];
	out->bInterfaceProtocol = in[2];
}

void usbip_usb_interface_encode(const struct usbip_usb_interface *in,
				uint8_t out[USBIP_USB_INTERFACE_LEN])
{
	out[0] = in->bInterfaceClass;
	out[1] = in->bInterfaceSubClass;
	out[2] = in->bInterfaceProtocol;
	out[3] = 0;
}

void usbip_header_encode(const struct usbip_header *in, uint8_t out[USBIP_HDR_LEN])
{
	uint8_t *u = out + HDR_BASIC_LEN;

	put_be32(out + 0x00, in->command);
	put_be32(out + 0x04, in->seqnum);
	put_be32(out + 0x08, in->devid);
	put_be32(out + 0x0c, in->direction);
	put_be32(out + 0x10, in->ep);
	memset(u, 0, USBIP_HDR_LEN - HDR_BASIC_LEN);

	switch (in->command) {
	case USBIP_CMD_SUBMIT:
		put_be32(u + 0x00, in->u.cmd_submit.transfer_flags);
		put_be32s(u + 0x04, in->u.cmd_submit.transfer_buffer_length);
		put_be32s(u + 0x08, in->u.cmd_submit.start_frame);
		put_be32s(u + 0x0c, in->u.cmd_submit.number_of_packets);
		put_be32s(u + 0x10, in->u.cmd_submit.interval);
		memcpy(u + 0x14, in->u.cmd_submit.setup, 8);
		break;
	case USBIP_RET_SUBMIT:
		put_be32s(u + 0x00, in->u.ret_submit.status);
		put_be32s(u + 0x04, in->u.ret_submit.actual_length);
		put_be32s(u + 0x08, in->u.ret_submit.start_frame);
		put_be32s(u + 0x0c, in->u.ret_submit.number_of_packets);
		put_be32s(u + 0x10, in->u.ret_submit.error_count);
		break;
	case USBIP_CMD_UNLINK:
		put_be32(u + 0x00, in->u.cmd_unlink.seqnum);
		break;
	case USBIP_RET_UNLINK:
		put_be32s(u + 0x00, in->u.ret_unlink.status);
		break;
	default:
		break;
	}
}

int usbip_header_decode(const uint8_t in[USBIP_HDR_LEN], struct usbip_header *out)
{
	const uint8_t *u = in + HDR_BASIC_LEN;
	struct usbip_header h;

	memset(&h, 0, sizeof(h));
	h.command = get_be32(in + 0x00);
	h.seqnum = get_be32(in + 0x04);
	h.devid = get_be32(in + 0x08);
	h.direction = get_be32(in + 0x0c);
	h.ep = get_be32(in + 0x10);

	/*
	 * Padding is not checked for zero: the Linux peers do not check it
	 * either, and a stricter reader would only buy interoperability bugs.
	 */
	switch (h.command) {
	case USBIP_CMD_SUBMIT:
		h.u.cmd_submit.transfer_flags = get_be32(u + 0x00);
		h.u.cmd_submit.transfer_buffer_length = get_be32s(u + 0x04);
		h.u.cmd_submit.start_frame = get_be32s(u + 0x08);
		h.u.cmd_submit.number_of_packets = get_be32s(u + 0x0c);
		h.u.cmd_submit.interval = get_be32s(u + 0x10);
		memcpy(h.u.cmd_submit.setup, u + 0x14, 8);
		break;
	case USBIP_RET_SUBMIT:
		h.u.ret_submit.status = urb_status(get_be32s(u + 0x00));
		h.u.ret_submit.actual_length = get_be32s(u + 0x04);
		h.u.ret_submit.start_frame = get_be32s(u + 0x08);
		h.u.ret_submit.number_of_packets = get_be32s(u + 0x0c);
		h.u.ret_submit.error_count = get_be32s(u + 0x10);
		break;
	case USBIP_CMD_UNLINK:
		h.u.cmd_unlink.seqnum = get_be32(u + 0x00);
		break;
	case USBIP_RET_UNLINK:
		h.u.ret_unlink.status = urb_status(get_be32s(u + 0x00));
		break;
	default:
		return -EPROTO;
	}

	*out = h;
	return 0;
}

const char *usbip_status_str(uint32_t status)
{
	switch (status) {
	case USBIP_ST_OK:
		return "ST_OK (success)";
	case USBIP_ST_NA:
		return "ST_NA (not available)";
	case USBIP_ST_DEV_BUSY:
		return "ST_DEV_BUSY (device busy, already imported)";
	case USBIP_ST_DEV_ERR:
		return "ST_DEV_ERR (device in error state)";
	case USBIP_ST_NODEV:
		return "ST_NODEV (device not found)";
	case USBIP_ST_ERROR:
		return "ST_ERROR (error)";
	default:
		return "unknown status";
	}
}

const char *usbip_speed_str(uint32_t speed)
{
	switch (speed) {
	case USBIP_SPEED_LOW:
		return "low";
	case USBIP_SPEED_FULL:
		return "full";
	case USBIP_SPEED_HIGH:
		return "high";
	case USBIP_SPEED_WIRELESS:
		return "wireless";
	case USBIP_SPEED_SUPER:
		return "super";
	case USBIP_SPEED_SUPER_PLUS:
		return "super-plus";
	default:
		return "unknown";
	}
}

const char *usbip_command_str(uint32_t command)
{
	switch (command) {
	case USBIP_CMD_SUBMIT:
		return "CMD_SUBMIT";
	case USBIP_CMD_UNLINK:
		return "CMD_UNLINK";
	case USBIP_RET_SUBMIT:
		return "RET_SUBMIT";
	case USBIP_RET_UNLINK:
		return "RET_UNLINK";
	default:
		return "unknown";
	}
}

static void rx_reset(struct usbip_rx *rx)
{
	rx->hdr_have = 0;
	rx->in_payload = 0;
	rx->payload_len = 0;
	rx->payload_have = 0;
}

int usbip_rx_init(struct usbip_rx *rx, size_t max_payload)
{
	memset(rx, 0, sizeof(*rx));
	/* malloc(0) may return NULL; keep a valid pointer for zero-length payloads. */
	rx->payload = malloc(max_payload ? max_payload : 1);
	if (!rx->payload)
		return -ENOMEM;
	rx->max_payload = max_payload;
	return 0;
}

void usbip_rx_free(struct usbip_rx *rx)
{
	free(rx->payload);
	rx->payload = NULL;
	rx->max_payload = 0;
	rx_reset(rx);
}

/* Take header bytes; once all 48 are in, decode and size the payload. */
static ssize_t rx_header(struct usbip_rx *rx, const uint8_t *p, size_t n,
			 const struct usbip_rx_ops *ops, void *arg)
{
	size_t take = USBIP_HDR_LEN - rx->hdr_have;
	ssize_t plen;
	int err;

	if (take > n)
		take = n;
	memcpy(rx->hdr + rx->hdr_have, p, take);
	rx->hdr_have += take;
	if (rx->hdr_have < USBIP_HDR_LEN)
		return (ssize_t)take;

	err = usbip_header_decode(rx->hdr, &rx->h);
	if (err)
		return err;
	plen = ops->payload_len(arg, &rx->h);
	if (plen < 0)
		return plen;
	if ((size_t)plen > rx->max_payload)
		return -EMSGSIZE;
	rx->in_payload = 1;
	rx->payload_len = (size_t)plen;
	rx->payload_have = 0;
	return (ssize_t)take;
}

/*
 * After any negative return the position in the stream is lost (the caller is
 * not told how many bytes were consumed), so the connection must be dropped.
 * The decoder is reset to expect a header, which keeps it memory-safe if it is
 * fed again anyway.
 */
ssize_t usbip_rx_feed(struct usbip_rx *rx, const uint8_t *p, size_t n,
		      const struct usbip_rx_ops *ops, void *arg)
{
	size_t off = 0;

	if (n > SSIZE_MAX || (n && !p) || !ops || !ops->payload_len || !ops->message ||
	    !rx->payload)
		return -EINVAL;
	if (n == 0)
		return 0;

	for (;;) {
		const uint8_t *msg;
		size_t want, avail, len;
		int ret;

		if (!rx->in_payload) {
			ssize_t used;

			if (off == n)
				break;
			used = rx_header(rx, p + off, n - off, ops, arg);
			if (used < 0) {
				rx_reset(rx);
				return used;
			}
			off += (size_t)used;
			if (!rx->in_payload)
				break;
			/* An empty payload is delivered now, not on the next call. */
		}

		len = rx->payload_len;
		want = len - rx->payload_have;
		avail = n - off;
		if (rx->payload_have == 0 && avail >= want) {
			/* The whole payload is in this chunk: pass it without a copy. */
			msg = want ? p + off : rx->payload;
			off += want;
		} else {
			size_t take = want < avail ? want : avail;

			memcpy(rx->payload + rx->payload_have, p + off, take);
			rx->payload_have += take;
			off += take;
			if (rx->payload_have < len)
				break;
			msg = rx->payload;
		}

		rx_reset(rx);
		ret = ops->message(arg, &rx->h, msg, len);
		if (ret < 0)
			return ret;
	}
	return (ssize_t)n;
}

size_t usbip_rx_room(const struct usbip_rx *rx, uint8_t **dst)
{
	if (!rx->in_payload || !rx->payload)
		return 0;
	*dst = rx->payload + rx->payload_have;
	return rx->payload_len - rx->payload_have;
}

ssize_t usbip_rx_filled(struct usbip_rx *rx, size_t n, const struct usbip_rx_ops *ops, void *arg)
{
	size_t len = rx->payload_len;
	int ret;

	if (!rx->in_payload || n > len - rx->payload_have || n > SSIZE_MAX || !ops ||
	    !ops->message)
		return -EINVAL;
	rx->payload_have += n;
	if (rx->payload_have < len)
		return (ssize_t)n;
	rx_reset(rx);
	ret = ops->message(arg, &rx->h, rx->payload, len);
	return ret < 0 ? ret : (ssize_t)n;
}

void usbip_cmd_submit(struct usbip_header *h, uint32_t seqnum, uint32_t devid, unsigned ep,
		      bool in, unsigned interval, const uint8_t *setup, uint32_t len)
{
	memset(h, 0, sizeof(*h));
	h->command = USBIP_CMD_SUBMIT;
	h->seqnum = seqnum;
	h->devid = devid;
	h->direction = in ? USBIP_DIR_IN : USBIP_DIR_OUT;
	h->ep = ep;
	h->u.cmd_submit.transfer_flags = in ? USBIP_URB_DIR_IN : 0;
	h->u.cmd_submit.transfer_buffer_length = (int32_t)len;
	h->u.cmd_submit.number_of_packets = 0;
	h->u.cmd_submit.interval = (int32_t)interval;
	if (setup)
		memcpy(h->u.cmd_submit.setup, setup, 8);
}
