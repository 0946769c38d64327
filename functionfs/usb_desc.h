/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb_desc.h - a typed model of a remote device's descriptors. No I/O.
 *
 * Parses the bytes of GET_DESCRIPTOR(DEVICE), GET_DESCRIPTOR(CONFIGURATION) (the
 * whole wTotalLength) and GET_DESCRIPTOR(STRING) replies (USB 2.0 ch. 9.6, USB 3.2
 * ch. 9.6). Every descriptor is bounds-checked: a bLength below 2, past the end of
 * the buffer, or wrong for its type is an error that names the offset and type.
 * Descriptors the model does not interpret are kept verbatim as "extras" of the
 * interface or endpoint they follow, so a later stage can decide whether
 * FunctionFS can carry them. Their bytes live in one pool per configuration
 * (usb_desc_config.extra_pool); an owner holds only a run {n, off, len} into it,
 * read back with usb_desc_extra() / usb_desc_for_each_extra(). That keeps the
 * model at about 54 KB instead of megabytes of mostly empty 255-byte slots.
 */
#ifndef GADGETD_USB_DESC_H
#define GADGETD_USB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_DESC_MAX_INTF 32   /* interface descriptors (all alt settings) per config */
#define USB_DESC_MAX_EP 32     /* endpoint descriptors per interface descriptor */
#define USB_DESC_MAX_IAD 16
/*
 * The largest wTotalLength usb_desc_parse_config() accepts. USB allows 65535;
 * real configurations are far smaller (a UVC webcam with many formats or a
 * multichannel UAC2 interface is a few KB), and FunctionFS refuses the
 * class-specific descriptors that make a configuration big anyway. Refusing
 * past this bound keeps struct usb_desc_config under 64 KB.
 */
#define USB_DESC_MAX_TOTAL 32768
/*
 * Bytes of extra descriptors a configuration can hold: everything after the
 * 9-byte configuration header could be extras, so an accepted configuration
 * never runs out of pool. There is no limit on the number of extras per
 * interface or endpoint other than this.
 */
#define USB_DESC_EXTRA_POOL (USB_DESC_MAX_TOTAL - 9)
#define USB_DESC_MAX_STRINGS 256 /* string indices 0..255 */
#define USB_DESC_MAX_LANGS 8
/*
 * A buffer this size never makes usb_desc_parse_string() return -ENOSPC: a STRING
 * descriptor holds at most 126 UTF-16 units, each at most 3 bytes of UTF-8 (a
 * surrogate pair is 2 units -> 4 bytes, an unpaired one U+FFFD -> 3), plus the NUL.
 */
#define USB_DESC_STRING_UTF8_MAX (126 * 3 + 1)
/* USB_MAX_STRING_LEN (include/linux/usb/gadget.h): the longest string a gadget carries, in UTF-8 bytes. */
#define USB_DESC_GADGET_STRING_MAX 126

/* Speeds, numerically equal to enum usb_device_speed / enum usbip_speed. */
enum usb_desc_speed {
	USB_DESC_SPEED_LOW = 1,
	USB_DESC_SPEED_FULL = 2,
	USB_DESC_SPEED_HIGH = 3,
	USB_DESC_SPEED_SUPER = 5,
	USB_DESC_SPEED_SUPER_PLUS = 6,
};

/*
 * Descriptors the model keeps but does not interpret (HID, CS_INTERFACE,
 * CS_ENDPOINT, vendor...), in wire order: @len bytes of the owning
 * configuration's extra_pool from @off, holding @n whole descriptors (each
 * starting with its bLength and bDescriptorType). An empty run is all zero.
 */
struct usb_desc_extras {
	uint16_t n;   /* descriptors */
	uint16_t off; /* first byte in usb_desc_config.extra_pool */
	uint16_t len; /* bytes: the sum of their bLength */
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
	uint8_t bInterval;
	uint16_t wMaxPacketSize; /* as on the wire: bits 12:11 = additional transactions (HS) */
	uint8_t bRefresh, bSynchAddress; /* only when bLength == 9 */
	bool has_ss_comp;       /* a SuperSpeed Endpoint Companion followed */
	uint8_t ss_bMaxBurst;
	uint8_t ss_bmAttributes;
	uint16_t ss_wBytesPerInterval;
	struct usb_desc_extras extra; /* other descriptors after this endpoint (e.g. 0x25) */
};

struct usb_desc_interface {
	uint8_t bInterfaceNumber;
	uint8_t bAlternateSetting;
	uint8_t bNumEndpoints;  /* as declared; n_ep is what was found */
	uint8_t bInterfaceClass;
	uint8_t bInterfaceSubClass;
	uint8_t bInterfaceProtocol;
	uint8_t iInterface;
	struct usb_desc_extras extra; /* between this interface and its first endpoint */
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
 * About 54 KB (21 KB of interfaces and endpoints, 32 KB of extra pool):
 * allocate it with calloc()/malloc(), not on the stack. Plain data without
 * pointers: a memcpy() of it is a complete copy.
 */
struct usb_desc_config {
	uint16_t wTotalLength;
	uint8_t bNumInterfaces;
	uint8_t bConfigurationValue;
	uint8_t iConfiguration;
	uint8_t bmAttributes;   /* 0x80 | 0x40 self-powered | 0x20 remote wakeup */
	uint8_t bMaxPower;      /* units of 2 mA (8 mA at SuperSpeed) */
	struct usb_desc_extras extra; /* descriptors before the first interface (not IAD) */
	unsigned n_iad;
	struct usb_desc_iad iad[USB_DESC_MAX_IAD];
	unsigned n_intf;        /* interface descriptors in order, every alt setting */
	struct usb_desc_interface intf[USB_DESC_MAX_INTF];
	uint16_t extra_used;    /* bytes of extra_pool in use, from 0 */
	uint8_t extra_pool[USB_DESC_EXTRA_POOL]; /* every run's bytes (usb_desc_extras) */
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
 * before any interface, endpoint number 0, too many interfaces/endpoints/IADs), or
 * naming wTotalLength when it is above USB_DESC_MAX_TOTAL.
 *
 * Placement: an SS Endpoint Companion (0x30, bLength 6) fills the has_ss_comp
 * fields of the endpoint before it (a second one, or one not after an endpoint,
 * is an error). Any other non-standard descriptor (HID, CS_INTERFACE, CS_ENDPOINT,
 * 0x31, OTG, vendor...) becomes an extra of the last endpoint, else the last
 * interface, else the configuration; there is no limit on how many (a UVC or
 * UAC control interface often has dozens). An IAD (bLength 8) records before_intf =
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
 * usb_desc_utf8_cut() - the length of @s cut to at most @max bytes at a UTF-8
 * character boundary: strlen(@s) when that is <= @max, else @max less the bytes
 * of a character the cut would split (no continuation byte 0b10xxxxxx starts
 * what is cut off). A gadget carries USB_DESC_GADGET_STRING_MAX bytes: ConfigFS
 * refuses more with -EOVERFLOW (drivers/usb/gadget/configfs.c usb_string_copy()),
 * usb_gadget_get_string() cuts in the middle of a sequence and utf8s_to_utf16s()
 * then stops at it.
 */
size_t usb_desc_utf8_cut(const char *s, size_t max);

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
 * usb_desc_extra() - the @k-th descriptor (from 0) of the run @x of @cfg.
 * Return: its bytes in @cfg->extra_pool (d[0] bLength, d[1] bDescriptorType, all
 * bLength of them readable), or NULL when @k >= @x->n or the run is inconsistent
 * (past the pool, a bLength below 2 or past the run): a bad model cannot overrun.
 */
const uint8_t *usb_desc_extra(const struct usb_desc_config *cfg, const struct usb_desc_extras *x,
			      unsigned int k);

/**
 * usb_desc_extra_next() - the descriptor after @prev (a pointer this run returned)
 * in the run @x of @cfg, or the first one when @prev is NULL; NULL after the run's
 * @x->len bytes or where it is inconsistent. For a run the parser or
 * usb_desc_extra_append() made, that is exactly @x->n descriptors.
 */
const uint8_t *usb_desc_extra_next(const struct usb_desc_config *cfg,
				   const struct usb_desc_extras *x, const uint8_t *prev);

/* for each extra descriptor @d (const uint8_t *) of the run @x of @cfg, in order */
#define usb_desc_for_each_extra(d, cfg, x) \
	for ((d) = usb_desc_extra_next((cfg), (x), NULL); (d); \
	     (d) = usb_desc_extra_next((cfg), (x), (d)))

/**
 * usb_desc_extra_append() - append the descriptor @d (d[0] bytes) to the run @x of
 * @cfg (@x is &cfg->extra, &intf->extra or &ep->extra). The parser uses it; so can
 * code that builds a model by hand. An empty run starts at the end of the pool;
 * a non-empty one can grow only if it is the last run appended to.
 * Return: 0, -EINVAL (bLength below 2, or @x is not at the end of the pool) or
 * -ENOSPC (the pool is full; cannot happen while parsing, see USB_DESC_EXTRA_POOL).
 */
int usb_desc_extra_append(struct usb_desc_config *cfg, struct usb_desc_extras *x,
			  const uint8_t *d);

/**
 * usb_desc_find_intf() - the interface descriptor of @cfg with bInterfaceNumber
 * @number and bAlternateSetting @alt, or NULL.
 */
const struct usb_desc_interface *usb_desc_find_intf(const struct usb_desc_config *cfg,
						    uint8_t number, uint8_t alt);

#endif
