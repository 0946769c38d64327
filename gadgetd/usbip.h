/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usbip.h - the USB/IP wire codec: bytes <-> structs, no I/O.
 *
 * Follows Documentation/usb/usbip_protocol.rst and the Linux implementation
 * (tools/usb/usbip/src/usbip_network.h, drivers/usb/usbip/usbip_common.h).
 * Every multi-byte field on the wire is big-endian; the 8-byte setup packet is
 * copied verbatim (it stays in USB little-endian order). Structs here hold host
 * byte order. Nothing in this module allocates from a length read off the wire
 * without checking it against a caller-given limit first.
 */
#ifndef GADGETD_USBIP_H
#define GADGETD_USBIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define USBIP_PORT 3240
#define USBIP_VERSION 0x0111     /* what we send; Linux usbip-utils 2.0 */
#define USBIP_VERSION_OLD 0x0106 /* accepted in replies, with a log line */

#define USBIP_OP_COMMON_LEN 8      /* version, code, status */
#define USBIP_USB_DEVICE_LEN 312   /* struct usbip_usb_device on the wire */
#define USBIP_USB_INTERFACE_LEN 4  /* class, subclass, protocol, padding */
#define USBIP_REQ_IMPORT_LEN 40    /* op_common + busid[32] */
#define USBIP_HDR_LEN 48           /* every URB PDU header */
#define USBIP_BUSID_SIZE 32
#define USBIP_PATH_SIZE 256
#define USBIP_MAX_DEVLIST 1024     /* we refuse a devlist claiming more devices */
#define USBIP_MAX_INTERFACES 32    /* per device in a devlist reply */

/* op_common.code */
enum usbip_op_code {
	USBIP_OP_REQ_IMPORT = 0x8003,
	USBIP_OP_REP_IMPORT = 0x0003,
	USBIP_OP_REQ_DEVLIST = 0x8005,
	USBIP_OP_REP_DEVLIST = 0x0005,
};

/* op_common.status (tools/usb/usbip/libsrc/usbip_common.h) */
enum usbip_op_status {
	USBIP_ST_OK = 0,
	USBIP_ST_NA = 1,
	USBIP_ST_DEV_BUSY = 2,
	USBIP_ST_DEV_ERR = 3,
	USBIP_ST_NODEV = 4,
	USBIP_ST_ERROR = 5,
};

/* usbip_header_basic.command */
enum usbip_command {
	USBIP_CMD_SUBMIT = 1,
	USBIP_CMD_UNLINK = 2,
	USBIP_RET_SUBMIT = 3,
	USBIP_RET_UNLINK = 4,
};

#define USBIP_DIR_OUT 0
#define USBIP_DIR_IN 1

/* transfer_flags on the wire (include/uapi/linux/usbip.h) */
#define USBIP_URB_SHORT_NOT_OK 0x0001
#define USBIP_URB_ISO_ASAP 0x0002
#define USBIP_URB_NO_TRANSFER_DMA_MAP 0x0004
#define USBIP_URB_ZERO_PACKET 0x0040
#define USBIP_URB_NO_INTERRUPT 0x0080
#define USBIP_URB_FREE_BUFFER 0x0100
#define USBIP_URB_DIR_IN 0x0200

/* enum usb_device_speed values used in usbip_usb_device.speed */
enum usbip_speed {
	USBIP_SPEED_UNKNOWN = 0,
	USBIP_SPEED_LOW = 1,
	USBIP_SPEED_FULL = 2,
	USBIP_SPEED_HIGH = 3,
	USBIP_SPEED_WIRELESS = 4,
	USBIP_SPEED_SUPER = 5,
	USBIP_SPEED_SUPER_PLUS = 6,
};

struct usbip_op_common {
	uint16_t version;
	uint16_t code;
	uint32_t status;
};

/* struct usbip_usb_device: path and busid are NUL-terminated here. */
struct usbip_usb_device {
	char path[USBIP_PATH_SIZE + 1];
	char busid[USBIP_BUSID_SIZE + 1];
	uint32_t busnum;
	uint32_t devnum;
	uint32_t speed; /* enum usbip_speed */
	uint16_t idVendor;
	uint16_t idProduct;
	uint16_t bcdDevice;
	uint8_t bDeviceClass;
	uint8_t bDeviceSubClass;
	uint8_t bDeviceProtocol;
	uint8_t bConfigurationValue;
	uint8_t bNumConfigurations;
	uint8_t bNumInterfaces;
};

struct usbip_usb_interface {
	uint8_t bInterfaceClass;
	uint8_t bInterfaceSubClass;
	uint8_t bInterfaceProtocol;
};

/* A URB PDU header in host byte order. */
struct usbip_header {
	uint32_t command;   /* enum usbip_command */
	uint32_t seqnum;
	uint32_t devid;     /* (busnum << 16) | devnum */
	uint32_t direction; /* USBIP_DIR_* */
	uint32_t ep;        /* endpoint number 0..15, no direction bit */
	union {
		struct {
			uint32_t transfer_flags;
			int32_t transfer_buffer_length;
			int32_t start_frame;
			int32_t number_of_packets; /* 0 for non-isochronous */
			int32_t interval;
			uint8_t setup[8]; /* USB byte order */
		} cmd_submit;
		struct {
			int32_t status; /* 0 or -errno of the server's URB */
			int32_t actual_length;
			int32_t start_frame;
			int32_t number_of_packets;
			int32_t error_count;
		} ret_submit;
		struct {
			uint32_t seqnum; /* the CMD_SUBMIT to unlink */
		} cmd_unlink;
		struct {
			int32_t status;
		} ret_unlink;
	} u;
};

/**
 * usbip_op_common_encode() - write an 8-byte op_common header.
 * @in: fields in host byte order. @out: 8 bytes, big-endian on return.
 * Follows usbip_protocol.rst "OP_REQ_DEVLIST" / "OP_REQ_IMPORT".
 */
void usbip_op_common_encode(const struct usbip_op_common *in, uint8_t out[USBIP_OP_COMMON_LEN]);

/**
 * usbip_op_common_decode() - read an 8-byte op_common header.
 * Does not judge version or code: the caller compares them with what it asked.
 */
void usbip_op_common_decode(const uint8_t in[USBIP_OP_COMMON_LEN], struct usbip_op_common *out);

/**
 * usbip_req_import_encode() - build OP_REQ_IMPORT (op_common + busid[32]).
 * @busid: NUL-terminated, at most 31 characters.
 * Return: USBIP_REQ_IMPORT_LEN, or -EINVAL if @busid is empty or too long.
 */
int usbip_req_import_encode(const char *busid, uint8_t out[USBIP_REQ_IMPORT_LEN]);

/**
 * usbip_usb_device_decode() - parse the 312-byte struct usbip_usb_device.
 * Return: 0, or -EPROTO if path or busid is not NUL-terminated within its field.
 */
int usbip_usb_device_decode(const uint8_t in[USBIP_USB_DEVICE_LEN], struct usbip_usb_device *out);

/** usbip_usb_device_encode() - the inverse of usbip_usb_device_decode(). */
void usbip_usb_device_encode(const struct usbip_usb_device *in, uint8_t out[USBIP_USB_DEVICE_LEN]);

/** usbip_usb_interface_decode() - parse one 4-byte interface entry of OP_REP_DEVLIST. */
void usbip_usb_interface_decode(const uint8_t in[USBIP_USB_INTERFACE_LEN], struct usbip_usb_interface *out);

/** usbip_usb_interface_encode() - the inverse; the padding byte is written 0. */
void usbip_usb_interface_encode(const struct usbip_usb_interface *in, uint8_t out[USBIP_USB_INTERFACE_LEN]);

/**
 * usbip_header_encode() - write a 48-byte URB PDU header (CMD_SUBMIT, RET_SUBMIT,
 * CMD_UNLINK or RET_UNLINK). Unused bytes of the 28-byte union are written 0.
 */
void usbip_header_encode(const struct usbip_header *in, uint8_t out[USBIP_HDR_LEN]);

/**
 * usbip_cmd_submit() - fill @h as the CMD_SUBMIT of one non-isochronous URB, the
 * one encoder of the project's URBs (describe phase and relay alike).
 * @ep: endpoint number 0..15; @in: device to host (direction and URB_DIR_IN);
 * @interval: > 0 only for interrupt endpoints, in the server's units (0 tells a
 * server that guesses the transfer type, such as usbipd-win, that it is bulk);
 * @setup: the 8-byte setup packet for ep 0 (USB byte order), else NULL;
 * @len: transfer_buffer_length in bytes. number_of_packets is 0, never
 * 0xffffffff (see the usbip research, A3). All fields host byte order;
 * usbip_header_encode() writes them big-endian.
 */
void usbip_cmd_submit(struct usbip_header *h, uint32_t seqnum, uint32_t devid, unsigned ep,
		      bool in, unsigned interval, const uint8_t *setup, uint32_t len);

/**
 * usbip_header_decode() - parse a 48-byte URB PDU header. The status of a
 * RET_SUBMIT or RET_UNLINK outside [-4095, 0] (not a -errno) becomes -EPROTO.
 * Return: 0, or -EPROTO if the command is not one of enum usbip_command.
 */
int usbip_header_decode(const uint8_t in[USBIP_HDR_LEN], struct usbip_header *out);

/** usbip_status_str() - "ST_NODEV (device not found)" style text for an op status. */
const char *usbip_status_str(uint32_t status);

/** usbip_speed_str() - "high", "super", ... for enum usbip_speed; "unknown" otherwise. */
const char *usbip_speed_str(uint32_t speed);

/** usbip_command_str() - "CMD_SUBMIT", ... or "unknown". */
const char *usbip_command_str(uint32_t command);

/*
 * Stream reassembly of URB PDUs (both directions of the protocol).
 *
 * The length of the payload that follows a header is not in the header alone: a
 * RET_SUBMIT carries actual_length bytes only when the CMD_SUBMIT it answers was IN,
 * and RET_SUBMIT's direction field is 0. So the owner answers payload_len() for each
 * header; the decoder then collects that many bytes and calls message().
 */
struct usbip_rx_ops {
	/* Payload bytes that follow @h, or -errno to reject the stream. */
	ssize_t (*payload_len)(void *arg, const struct usbip_header *h);
	/* One complete PDU; @payload is valid only during the call. <0 stops. */
	int (*message)(void *arg, const struct usbip_header *h, const uint8_t *payload, size_t len);
};

struct usbip_rx {
	uint8_t hdr[USBIP_HDR_LEN];
	size_t hdr_have;
	struct usbip_header h;
	int in_payload;        /* header complete, collecting payload */
	uint8_t *payload;      /* max_payload bytes, owned */
	size_t payload_len;
	size_t payload_have;
	size_t max_payload;
};

/**
 * usbip_rx_init() - set up a decoder whose payloads may be up to @max_payload bytes.
 * Return: 0 or -ENOMEM.
 */
int usbip_rx_init(struct usbip_rx *rx, size_t max_payload);

/** usbip_rx_free() - release the decoder's buffer. Safe on a zeroed struct. */
void usbip_rx_free(struct usbip_rx *rx);

/**
 * usbip_rx_feed() - consume @n bytes of the stream, in chunks of any size.
 * Calls @ops->message once per complete PDU, in order.
 * Return: @n on success; -EPROTO for a bad header; -EMSGSIZE if payload_len()
 * exceeds max_payload; or the first negative value returned by an op.
 */
ssize_t usbip_rx_feed(struct usbip_rx *rx, const uint8_t *p, size_t n,
		      const struct usbip_rx_ops *ops, void *arg);

/**
 * usbip_rx_room() - where the rest of the payload being collected goes, so a
 * caller can read the stream straight into it (no copy): *@dst and the number
 * of bytes still wanted; 0 when no payload is being collected (then feed the
 * stream to usbip_rx_feed()).
 */
size_t usbip_rx_room(const struct usbip_rx *rx, uint8_t **dst);

/**
 * usbip_rx_filled() - @n bytes (at most usbip_rx_room()) were written at the
 * place usbip_rx_room() gave; a payload that is complete is delivered.
 * Return: @n, -EINVAL when @n is more than the room, or the op's negative value.
 */
ssize_t usbip_rx_filled(struct usbip_rx *rx, size_t n, const struct usbip_rx_ops *ops, void *arg);

#endif
