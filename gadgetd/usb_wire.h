/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb_wire.h - byte order on the two wires, and the 8-byte setup packet.
 *
 * USB is little-endian (USB 2.0 §8.1: multi-byte fields least significant byte
 * first); USB/IP headers are big-endian, "network byte order"
 * (Documentation/usb/usbip_protocol.rst). Every module that reads or writes
 * those bytes uses these helpers instead of open-coded shifts.
 */
#ifndef GADGETD_USB_WIRE_H
#define GADGETD_USB_WIRE_H

#include <stdint.h>

/** get_le16() - the little-endian 16-bit value at @p (USB descriptors, setup packets). */
static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

/** get_le32() - the little-endian 32-bit value at @p (CBW/CSW fields). */
static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/** put_le16() - store @v at @p, little-endian. */
static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/** put_le32() - store @v at @p, little-endian (CBW/CSW fields). */
static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/** get_be16() - the big-endian 16-bit value at @p (USB/IP). */
static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

/** get_be32() - the big-endian 32-bit value at @p (USB/IP). */
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/** get_be64() - the big-endian 64-bit value at @p (SCSI CDBs and data). */
static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/** put_be16() - store @v at @p, big-endian. */
static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/** put_be32() - store @v at @p, big-endian. */
static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/** put_be64() - store @v at @p, big-endian (SCSI CDBs). */
static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* Offsets in the setup packet (USB 2.0 §9.3, Table 9-2). */
#define USB_SETUP_LEN 8
#define USB_SETUP_WVALUE 2
#define USB_SETUP_WINDEX 4
#define USB_SETUP_WLENGTH 6

/**
 * usb_setup_pack() - the 8 bytes of a setup packet (USB 2.0 §9.3). @wValue,
 * @wIndex and @wLength are in host byte order; they are written little-endian.
 */
static inline void usb_setup_pack(uint8_t out[USB_SETUP_LEN], uint8_t bmRequestType,
				  uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
				  uint16_t wLength)
{
	out[0] = bmRequestType;
	out[1] = bRequest;
	put_le16(out + USB_SETUP_WVALUE, wValue);
	put_le16(out + USB_SETUP_WINDEX, wIndex);
	put_le16(out + USB_SETUP_WLENGTH, wLength);
}

/** usb_setup_wlength() - wLength of a packed setup packet, host byte order. */
static inline uint16_t usb_setup_wlength(const uint8_t setup[USB_SETUP_LEN])
{
	return get_le16(setup + USB_SETUP_WLENGTH);
}

#endif
