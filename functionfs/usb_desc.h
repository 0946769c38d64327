/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb_desc.h - a typed model of a remote device's descriptors. No I/O.
 *
 * Parses the bytes of GET_DESCRIPTOR(DEVICE), GET_DESCRIPTOR(CONFIGURATION) (the
 * whole wTotalLength) and GET_DESCRIPTOR(STRING) replies (USB 2.0 ch. 9.6, USB 3.2
 * ch. 9.6). Every descriptor is bounds-checked: a bLength below 2, past the end of
 * the buffer, or wrong for its type is an error that names the offset and type.
 * Descriptors the model does not interpret are kept as "extra" records (type,
 * length, raw bytes) on the interface or endpoint they follow, so a later stage can
 * decide whether FunctionFS can carry them.
 */
#ifndef GADGETD_USB_DESC_H
#define GADGETD_USB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_DESC_MAX_INTF 32   /* interface descriptors (all alt settings) per config */
#define USB_DESC_MAX_EP 32     /* endpoint descriptors per interface descriptor */
#define USB_DESC_MAX_EXTRA 16  /* extra descriptors kept per interface or endpoint */
#define USB_DESC_MAX_IAD 16
#define USB_DESC_MAX_STRINGS 256 /* string indices 0..255 */
#define USB_DESC_MAX_LANGS 8
/*
 * A buffer this size never makes usb_desc_parse_string() return -ENOSPC: a STRING
 * descriptor holds at most 126 UTF-16 units, each at most 3 bytes of UTF-8 (a
 * surrogate pair is 2 units -> 4 bytes, an unpaired one U+FFFD -> 3), plus the NUL.
 */
#define USB_DESC_STRING_UTF8_MAX (126 * 3 + 1)

/* Speeds, numerically equal to enum usb_device_speed / enum usbip_speed. */
enum usb_desc_speed {
	USB_DESC_SPEED_LOW = 1,
	USB_DESC_SPEED_FULL = 2,
	USB_DESC_SPEED_HIGH = 3,
	USB_DESC_SPEED_SUPER = 5,
	USB_DESC_SPEED_SUPER_PLUS = 6,
};

/* A descriptor the model keeps but does not interpret (class-specific etc.). */
struct usb_desc_extra {
	uint8_t bLength;
	uint8_t bDescriptorType;
	uint8_t data[255]; /* all bLength bytes, header included */
};

struct usb_desc_device {
	uint16_t bcdUSB;
	uint8_t bDeviceClass;
	uint8_t bDeviceSubClass;
	uint8_t bDeviceProtocol;
	uint8_t bMaxPacketSize0;
	uint16_t idVendor;
	uint16_t idProduct;
	uint16_t bcdDevice;
	uint8_t iManufacturer;
	uint8_t iProduct;
	uint8_t iSerialNumber;
	uint8_t bNumConfigurations;
};

struct usb_desc_endpoint {
	uint8_t bLength; /* 7, or 9 for audio-style endpoints */
	uint8_t bEndpointAddress;
	uint8_t bmAttributes;   /* bits 1:0 transfer type (USB_ENDPOINT_XFER_*) */
	uint16_t wMaxPacketSize; /* as on the wire: bits 12:11 = additional transactions (HS) */
	uint8_t bInterval;
	uint8_t bRefresh, bSynchAddress; /* only when bLength == 9 */
	bool has_ss_comp;       /* a SuperSpeed Endpoint Companion followed */
	uint8_t ss_bMaxBurst;
	uint8_t ss_bmAttributes;
	uint16_t ss_wBytesPerInterval;
	unsigned n_extra;       /* other descriptors after this endpoint (e.g. 0x25) */
	struct usb_desc_extra extra[USB_DESC_MAX_EXTRA];
};

struct usb_desc_interface {
	uint8_t bInterfaceNumber;
	uint8_t bAlternateSetting;
	uint8_t bNumEndpoints;  /* as declared; n_ep is what was found */
	uint8_t bInterfaceClass;
	uint8_t bInterfaceSubClass;
	uint8_t bInterfaceProtocol;
	uint8_t iInterface;
	unsigned n_extra;       /* descriptors between this interface and its first endpoint */
	struct usb_desc_extra extra[USB_DESC_MAX_EXTRA];
	unsigned n_ep;
	struct usb_desc_endpoint ep[USB_DESC_MAX_EP];
};

struct usb_desc_iad {
	uint8_t bFirstInterface;
	uint8_t bInterfaceCount;
	uint8_t bFunctionClass;
	uint8_t bFunctionSubClass;
	uint8_t bFunctionProtocol;
	uint8_t iFunction;
	unsigned before_intf;   /* index into intf[] of the interface it precedes */
};

/*
 * About 4.4 MB (the fixed arrays nest): allocate it with calloc()/malloc(), never
 * on the stack.
 */
struct usb_desc_config {
	uint16_t wTotalLength;
	uint8_t bNumInterfaces;
	uint8_t bConfigurationValue;
	uint8_t iConfiguration;
	uint8_t bmAttributes;   /* 0x80 | 0x40 self-powered | 0x20 remote wakeup */
	uint8_t bMaxPower;      /* units of 2 mA (8 mA at SuperSpeed) */
	unsigned n_extra;       /* descriptors before the first interface (not IAD) */
	struct usb_desc_extra extra[USB_DESC_MAX_EXTRA];
	unsigned n_iad;
	struct usb_desc_iad iad[USB_DESC_MAX_IAD];
	unsigned n_intf;        /* interface descriptors in order, every alt setting */
	struct usb_desc_interface intf[USB_DESC_MAX_INTF];
};

/*
 * The strings of a device: per language, text by index (UTF-8, NULL = absent).
 * langid[] is filled by usb_desc_parse_langids(). The text[][] pointers are owned
 * by this struct but allocated by the CALLER: the parser never allocates. The daemon
 * converts each GET_DESCRIPTOR(STRING, i, langid[l]) reply with
 * usb_desc_parse_string() into a USB_DESC_STRING_UTF8_MAX buffer and stores
 * strdup(buffer) in text[l][i]; usb_desc_strings_free() then free()s every slot.
 * Zero-initialise the struct before use so unused slots are NULL.
 */
struct usb_desc_strings {
	unsigned n_lang;
	uint16_t langid[USB_DESC_MAX_LANGS];
	char *text[USB_DESC_MAX_LANGS][USB_DESC_MAX_STRINGS];
};

/* Where a parse failed, for messages like "configuration descriptor, offset 27: ..." */
struct usb_desc_err {
	char msg[160];
};

/**
 * usb_desc_parse_device() - parse an 18-byte DEVICE descriptor (USB 2.0 9.6.1).
 * @buf, @len: the GET_DESCRIPTOR reply; @len must be at least 18.
 * Return: 0, or -EINVAL with @err filled (short, bLength != 18, wrong type,
 * bMaxPacketSize0 not 8/16/32/64 or 9 for SuperSpeed's exponent).
 */
int usb_desc_parse_device(const uint8_t *buf, size_t len, struct usb_desc_device *out,
			  struct usb_desc_err *err);

/**
 * usb_desc_parse_config() - parse a whole CONFIGURATION (or OTHER_SPEED_CONFIGURATION)
 * descriptor set (USB 2.0 9.6.3-9.6.6, USB 3.2 9.6.7 for SS companions).
 * @buf, @len: wTotalLength bytes; a wTotalLength that disagrees with @len is an error.
 * Return: 0, or -EINVAL with @err naming the offset and the descriptor type
 * (bLength 0/1, descriptor past the end, interface/endpoint of wrong size, endpoint
 * before any interface, endpoint number 0, too many interfaces/endpoints/extras).
 *
 * Placement: an SS Endpoint Companion (0x30, bLength 6) fills the has_ss_comp
 * fields of the endpoint before it (a second one, or one not after an endpoint,
 * is an error). Any other non-standard descriptor (HID, CS_INTERFACE, CS_ENDPOINT,
 * 0x31, OTG, vendor...) becomes an extra of the last endpoint, else the last
 * interface, else the configuration. An IAD (bLength 8) records before_intf =
 * the index of the next interface; an endpoint between an IAD and that interface,
 * or an IAD with no interface after it, is an error; an extra there stays with
 * the previous endpoint/interface (as the Linux host does). bNumInterfaces and
 * bNumEndpoints are recorded, not enforced (real devices get them wrong).
 * @out is zeroed first; its contents are unspecified after an error. @err may be NULL.
 */
int usb_desc_parse_config(const uint8_t *buf, size_t len, struct usb_desc_config *out,
			  struct usb_desc_err *err);

/**
 * usb_desc_parse_langids() - parse string descriptor 0 (USB 2.0 9.6.7) into
 * @s->langid[] (at most USB_DESC_MAX_LANGS are kept; more are ignored).
 * Return: 0, or -EINVAL (odd bLength, bLength past @len, wrong type, no language).
 * Only langid[] and n_lang are written. @err may be NULL.
 */
int usb_desc_parse_langids(const uint8_t *buf, size_t len, struct usb_desc_strings *s,
			   struct usb_desc_err *err);

/**
 * usb_desc_parse_string() - convert a STRING descriptor's UTF-16LE text to UTF-8.
 * @out: NUL-terminated on success; @outlen at least 1. Unpaired surrogates become U+FFFD.
 * Return: bytes written (excluding NUL), or -EINVAL (bLength < 2, odd, past @len,
 * wrong type) or -ENOSPC if @outlen is too small.
 * Conversion stops at a U+0000 unit (devices NUL-pad fixed buffers). On -ENOSPC
 * @out holds the whole characters that fit, NUL-terminated (if @outlen >= 1).
 * Size @out USB_DESC_STRING_UTF8_MAX and -ENOSPC cannot happen. @err may be NULL.
 */
int usb_desc_parse_string(const uint8_t *buf, size_t len, char *out, size_t outlen,
			  struct usb_desc_err *err);

/**
 * usb_desc_strings_free() - free() every text[][] slot of @s (all of them, not only
 * the first n_lang) and zero @s, langids included. @s may be NULL.
 */
void usb_desc_strings_free(struct usb_desc_strings *s);

/**
 * usb_desc_string_indices() - the string indices a device and configuration name
 * (iManufacturer, iProduct, iSerialNumber, iConfiguration, iInterface, iFunction),
 * as a bitmap: bit i of @used[i / 8] set. Index 0 is never set.
 * @used is cleared first; @dev or @cfg may be NULL.
 */
void usb_desc_string_indices(const struct usb_desc_device *dev, const struct usb_desc_config *cfg,
			     uint8_t used[USB_DESC_MAX_STRINGS / 8]);

/**
 * usb_desc_type_str() - "INTERFACE", "CS_INTERFACE (0x24)", ... for a bDescriptorType.
 * Never NULL; static storage, thread-safe. Unnamed types give "type 0x41".
 */
const char *usb_desc_type_str(uint8_t type);

/**
 * usb_desc_class_str() - "HID", "Mass Storage", "CDC Data", ... for a class code
 * (usb.org base class list; 0 is "(defined at interface level)").
 * Never NULL; static storage, thread-safe. Unlisted codes give "class 0x42".
 */
const char *usb_desc_class_str(uint8_t cls);

/** usb_desc_xfer_str() - "control", "isochronous", "bulk", "interrupt" for bmAttributes & 3. */
const char *usb_desc_xfer_str(uint8_t bmAttributes);

/**
 * usb_desc_find_intf() - the interface descriptor of @cfg with bInterfaceNumber
 * @number and bAlternateSetting @alt, or NULL.
 */
const struct usb_desc_interface *usb_desc_find_intf(const struct usb_desc_config *cfg,
						    uint8_t number, uint8_t alt);

#endif
