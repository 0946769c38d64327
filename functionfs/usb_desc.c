// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usb_desc.c - see usb_desc.h.
 *
 * Every byte read here came off the network from a usbipd we do not control,
 * so nothing is trusted: each descriptor's bLength is checked against what is
 * left of the buffer before any field of it is read, and each fixed array (the
 * extra pool included) is checked before it is appended to. No I/O, no logging,
 * no allocation: the caller decides what to say about an error from err->msg.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/usb/ch9.h>

#include "functionfs/usb_desc.h"

/* Class-defined types the kernel's ch9.h does not name (HID 1.11, 7.1). */
#define DT_HID 0x21
#define DT_HID_REPORT 0x22
#define DT_HID_PHYSICAL 0x23

#define DEVICE_DESC_SIZE 18
#define CONFIG_DESC_SIZE 9
#define INTF_DESC_SIZE 9
#define EP_DESC_SIZE 7
#define EP_AUDIO_DESC_SIZE 9
#define SS_COMP_DESC_SIZE 6
#define IAD_DESC_SIZE 8

/* Every run's offset and length fit its uint16_t fields; the model stays small. */
_Static_assert(USB_DESC_EXTRA_POOL <= UINT16_MAX, "extra pool offsets are 16-bit");
_Static_assert(USB_DESC_EXTRA_POOL >= USB_DESC_MAX_TOTAL - CONFIG_DESC_SIZE,
	       "an accepted configuration must never run out of extra pool");
_Static_assert(sizeof(struct usb_desc_config) < 65536,
	       "struct usb_desc_config is meant to be small");

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

__attribute__((format(printf, 2, 3)))
static void set_err(struct usb_desc_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/*
 * "configuration descriptor, offset 27: ..." - the offset is what makes a
 * report about a 400-byte UVC configuration actionable.
 */
__attribute__((format(printf, 4, 5)))
static void set_err_at(struct usb_desc_err *err, const char *what, size_t off,
		       const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return;
	n = snprintf(err->msg, sizeof(err->msg), "%s, offset %zu: ", what, off);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

int usb_desc_parse_device(const uint8_t *buf, size_t len, struct usb_desc_device *out,
			  struct usb_desc_err *err)
{
	uint8_t mps0;
	uint16_t bcd;

	if (len < DEVICE_DESC_SIZE) {
		set_err(err, "device descriptor: %zu bytes, shorter than %d", len,
			DEVICE_DESC_SIZE);
		return -EINVAL;
	}
	if (buf[0] != DEVICE_DESC_SIZE) {
		set_err(err, "device descriptor: bLength %u (expected %d)", buf[0],
			DEVICE_DESC_SIZE);
		return -EINVAL;
	}
	if (buf[1] != USB_DT_DEVICE) {
		set_err(err, "device descriptor: bDescriptorType is %s, not DEVICE",
			usb_desc_type_str(buf[1]));
		return -EINVAL;
	}
	bcd = get_le16(buf + 2);
	mps0 = buf[7];
	/*
	 * At SuperSpeed bMaxPacketSize0 is an exponent (9 = 512 bytes); a USB 3
	 * device enumerated at high speed reports 64 and a bcdUSB of 0x0210, so
	 * 9 is only believable next to bcdUSB >= 3.0.
	 */
	if (!(mps0 == 8 || mps0 == 16 || mps0 == 32 || mps0 == 64 ||
	      (mps0 == 9 && bcd >= 0x0300))) {
		set_err(err,
			"device descriptor: bMaxPacketSize0 %u is not 8, 16, 32 or 64 (or 9 with bcdUSB >= 3.0)",
			mps0);
		return -EINVAL;
	}

	memset(out, 0, sizeof(*out));
	out->bcdUSB = bcd;
	out->bDeviceClass = buf[4];
	out->bDeviceSubClass = buf[5];
	out->bDeviceProtocol = buf[6];
	out->bMaxPacketSize0 = mps0;
	out->idVendor = get_le16(buf + 8);
	out->idProduct = get_le16(buf + 10);
	out->bcdDevice = get_le16(buf + 12);
	out->iManufacturer = buf[14];
	out->iProduct = buf[15];
	out->iSerialNumber = buf[16];
	out->bNumConfigurations = buf[17];
	return 0;
}

/* Where the parser is in the configuration: decides who owns an "extra". */
struct cfg_state {
	const char *what;                 /* error prefix */
	struct usb_desc_config *cfg;
	struct usb_desc_interface *intf;  /* last INTERFACE, or NULL */
	struct usb_desc_endpoint *ep;     /* last ENDPOINT of @intf, or NULL */
	bool after_iad;                   /* an IAD came after @intf/@ep */
	size_t iad_off[USB_DESC_MAX_IAD]; /* for "IAD not followed by an interface" */
};

/*
 * One descriptor at @off (bLength already checked against the buffer).
 * Returns 0 or -EINVAL with @err filled.
 */
static int parse_one(struct cfg_state *st, const uint8_t *d, size_t off,
		     struct usb_desc_err *err)
{
	struct usb_desc_config *cfg = st->cfg;
	const uint8_t len = d[0], type = d[1];

	switch (type) {
	case USB_DT_INTERFACE: {
		struct usb_desc_interface *in;

		if (len != INTF_DESC_SIZE) {
			set_err_at(err, st->what, off,
				   "INTERFACE descriptor has bLength %u (expected %d)",
				   len, INTF_DESC_SIZE);
			return -EINVAL;
		}
		if (cfg->n_intf >= USB_DESC_MAX_INTF) {
			set_err_at(err, st->what, off,
				   "more than %d INTERFACE descriptors", USB_DESC_MAX_INTF);
			return -EINVAL;
		}
		in = &cfg->intf[cfg->n_intf++];
		in->bInterfaceNumber = d[2];
		in->bAlternateSetting = d[3];
		in->bNumEndpoints = d[4];
		in->bInterfaceClass = d[5];
		in->bInterfaceSubClass = d[6];
		in->bInterfaceProtocol = d[7];
		in->iInterface = d[8];
		st->intf = in;
		st->ep = NULL;
		st->after_iad = false;
		return 0;
	}
	case USB_DT_ENDPOINT: {
		struct usb_desc_interface *in = st->intf;
		struct usb_desc_endpoint *ep;

		if (len != EP_DESC_SIZE && len != EP_AUDIO_DESC_SIZE) {
			set_err_at(err, st->what, off,
				   "ENDPOINT descriptor has bLength %u (expected %d or %d)",
				   len, EP_DESC_SIZE, EP_AUDIO_DESC_SIZE);
			return -EINVAL;
		}
		if (!in) {
			set_err_at(err, st->what, off,
				   "ENDPOINT descriptor 0x%02x before any INTERFACE descriptor",
				   d[2]);
			return -EINVAL;
		}
		/* An IAD opens a new function: its endpoints need their own interface. */
		if (st->after_iad) {
			set_err_at(err, st->what, off,
				   "ENDPOINT descriptor 0x%02x between an INTERFACE_ASSOCIATION and its first INTERFACE",
				   d[2]);
			return -EINVAL;
		}
		if ((d[2] & USB_ENDPOINT_NUMBER_MASK) == 0) {
			set_err_at(err, st->what, off,
				   "ENDPOINT descriptor 0x%02x has endpoint number 0 (the control pipe is never described)",
				   d[2]);
			return -EINVAL;
		}
		if (in->n_ep >= USB_DESC_MAX_EP) {
			set_err_at(err, st->what, off,
				   "interface %u alt %u has more than %d ENDPOINT descriptors",
				   in->bInterfaceNumber, in->bAlternateSetting, USB_DESC_MAX_EP);
			return -EINVAL;
		}
		ep = &in->ep[in->n_ep++];
		ep->bLength = len;
		ep->bEndpointAddress = d[2];
		ep->bmAttributes = d[3];
		ep->wMaxPacketSize = get_le16(d + 4);
		ep->bInterval = d[6];
		if (len == EP_AUDIO_DESC_SIZE) {
			ep->bRefresh = d[7];
			ep->bSynchAddress = d[8];
		}
		st->ep = ep;
		return 0;
	}
	case USB_DT_SS_ENDPOINT_COMP: {
		struct usb_desc_endpoint *ep = st->ep;

		if (len != SS_COMP_DESC_SIZE) {
			set_err_at(err, st->what, off,
				   "%s descriptor has bLength %u (expected %d)",
				   usb_desc_type_str(type), len, SS_COMP_DESC_SIZE);
			return -EINVAL;
		}
		if (!ep || st->after_iad) {
			set_err_at(err, st->what, off, "%s descriptor not after an ENDPOINT descriptor",
				   usb_desc_type_str(type));
			return -EINVAL;
		}
		if (ep->has_ss_comp) {
			set_err_at(err, st->what, off,
				   "second %s descriptor for endpoint 0x%02x",
				   usb_desc_type_str(type), ep->bEndpointAddress);
			return -EINVAL;
		}
		ep->has_ss_comp = true;
		ep->ss_bMaxBurst = d[2];
		ep->ss_bmAttributes = d[3];
		ep->ss_wBytesPerInterval = get_le16(d + 4);
		return 0;
	}
	case USB_DT_INTERFACE_ASSOCIATION: {
		struct usb_desc_iad *iad;

		if (len != IAD_DESC_SIZE) {
			set_err_at(err, st->what, off,
				   "INTERFACE_ASSOCIATION descriptor has bLength %u (expected %d)",
				   len, IAD_DESC_SIZE);
			return -EINVAL;
		}
		if (cfg->n_iad >= USB_DESC_MAX_IAD) {
			set_err_at(err, st->what, off,
				   "more than %d INTERFACE_ASSOCIATION descriptors",
				   USB_DESC_MAX_IAD);
			return -EINVAL;
		}
		st->iad_off[cfg->n_iad] = off;
		iad = &cfg->iad[cfg->n_iad++];
		iad->bFirstInterface = d[2];
		iad->bInterfaceCount = d[3];
		iad->bFunctionClass = d[4];
		iad->bFunctionSubClass = d[5];
		iad->bFunctionProtocol = d[6];
		iad->iFunction = d[7];
		iad->before_intf = cfg->n_intf;
		st->after_iad = true;
		return 0;
	}
	default:
		break;
	}

	/*
	 * Everything else is kept verbatim on the innermost open owner: the last
	 * endpoint (CS_ENDPOINT, SSP isoc companion), else the last interface
	 * (HID, CS_INTERFACE), else the configuration itself (OTG, vendor).
	 * A descriptor between an IAD and the next interface stays with what came
	 * before the IAD, as the Linux host's usb_parse_configuration() does.
	 * An owner never gets extras again once the next interface or endpoint
	 * has started, so each owner's run stays contiguous in the pool.
	 */
	{
		struct usb_desc_extras *x;

		if (st->ep)
			x = &st->ep->extra;
		else if (st->intf)
			x = &st->intf->extra;
		else
			x = &cfg->extra;
		/* Not reached with wTotalLength <= USB_DESC_MAX_TOTAL; never overrun. */
		if (usb_desc_extra_append(cfg, x, d)) {
			set_err_at(err, st->what, off,
				   "%s descriptor does not fit: more than %d bytes of extra descriptors",
				   usb_desc_type_str(type), USB_DESC_EXTRA_POOL);
			return -EINVAL;
		}
	}
	return 0;
}

int usb_desc_parse_config(const uint8_t *buf, size_t len, struct usb_desc_config *out,
			  struct usb_desc_err *err)
{
	struct cfg_state st;
	uint16_t total;
	size_t off;
	unsigned int i;
	int ret;

	memset(&st, 0, sizeof(st));
	st.what = "configuration descriptor";
	if (len >= 2 && buf[1] == USB_DT_OTHER_SPEED_CONFIG)
		st.what = "other-speed configuration descriptor";

	if (len < CONFIG_DESC_SIZE) {
		set_err(err, "%s: %zu bytes, shorter than its %d-byte header", st.what, len,
			CONFIG_DESC_SIZE);
		return -EINVAL;
	}
	if (buf[1] != USB_DT_CONFIG && buf[1] != USB_DT_OTHER_SPEED_CONFIG) {
		set_err_at(err, st.what, 0,
			   "bDescriptorType is %s, not CONFIGURATION or OTHER_SPEED_CONFIGURATION",
			   usb_desc_type_str(buf[1]));
		return -EINVAL;
	}
	if (buf[0] != CONFIG_DESC_SIZE) {
		set_err_at(err, st.what, 0, "%s descriptor has bLength %u (expected %d)",
			   usb_desc_type_str(buf[1]), buf[0], CONFIG_DESC_SIZE);
		return -EINVAL;
	}
	/*
	 * The caller read exactly wTotalLength bytes; if the device then returned
	 * fewer (or the header lies), a silently truncated walk would drop
	 * interfaces, so disagreement is an error either way.
	 */
	total = get_le16(buf + 2);
	if (total != len) {
		set_err(err, "%s: wTotalLength is %u but %zu bytes were given", st.what,
			total, len);
		return -EINVAL;
	}
	/* The bound that sizes extra_pool (usb_desc.h): past it, say so plainly. */
	if (total > USB_DESC_MAX_TOTAL) {
		set_err(err, "%s: wTotalLength is %u, more than the %d bytes supported",
			st.what, total, USB_DESC_MAX_TOTAL);
		return -EINVAL;
	}

	memset(out, 0, sizeof(*out));
	out->wTotalLength = total;
	out->bNumInterfaces = buf[4];
	out->bConfigurationValue = buf[5];
	out->iConfiguration = buf[6];
	out->bmAttributes = buf[7];
	out->bMaxPower = buf[8];
	st.cfg = out;

	for (off = CONFIG_DESC_SIZE; off < len; off += buf[off]) {
		const uint8_t *d = buf + off;
		size_t left = len - off;

		if (left < 2) {
			set_err_at(err, st.what, off,
				   "%zu byte left, too short for a descriptor header", left);
			return -EINVAL;
		}
		/* bLength 0 would loop forever, 1 cannot even hold the type. */
		if (d[0] < 2) {
			set_err_at(err, st.what, off, "%s descriptor has bLength %u (minimum 2)",
				   usb_desc_type_str(d[1]), d[0]);
			return -EINVAL;
		}
		if (d[0] > left) {
			set_err_at(err, st.what, off,
				   "%s descriptor has bLength %u, past the end (%zu bytes left)",
				   usb_desc_type_str(d[1]), d[0], left);
			return -EINVAL;
		}
		ret = parse_one(&st, d, off, err);
		if (ret < 0)
			return ret;
	}

	/* An IAD must precede interfaces: iad[].before_intf indexes intf[]. */
	for (i = 0; i < out->n_iad; i++) {
		if (out->iad[i].before_intf >= out->n_intf) {
			set_err_at(err, st.what, st.iad_off[i],
				   "INTERFACE_ASSOCIATION descriptor is not followed by an INTERFACE descriptor");
			return -EINVAL;
		}
	}
	return 0;
}

int usb_desc_parse_langids(const uint8_t *buf, size_t len, struct usb_desc_strings *s,
			   struct usb_desc_err *err)
{
	unsigned int i, n;

	if (len < 2) {
		set_err(err, "string descriptor 0: %zu bytes, shorter than its header", len);
		return -EINVAL;
	}
	if (buf[1] != USB_DT_STRING) {
		set_err(err, "string descriptor 0: bDescriptorType is %s, not STRING",
			usb_desc_type_str(buf[1]));
		return -EINVAL;
	}
	if (buf[0] < 2 || buf[0] & 1) {
		set_err(err, "string descriptor 0: bLength %u is not an even number >= 2",
			buf[0]);
		return -EINVAL;
	}
	if (buf[0] > len) {
		set_err(err, "string descriptor 0: bLength %u, past the end (%zu bytes)",
			buf[0], len);
		return -EINVAL;
	}
	n = (buf[0] - 2u) / 2;
	if (n == 0) {
		/* Without a LANGID no other string may be requested (USB 2.0 9.6.7). */
		set_err(err, "string descriptor 0: no LANGID");
		return -EINVAL;
	}
	if (n > USB_DESC_MAX_LANGS)
		n = USB_DESC_MAX_LANGS;
	for (i = 0; i < n; i++)
		s->langid[i] = get_le16(buf + 2 + 2 * i);
	s->n_lang = n;
	return 0;
}

size_t usb_desc_utf8_cut(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n <= max)
		return n;
	n = max;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* Bytes of @cp in UTF-8 (@cp <= 0x10ffff, not a surrogate). */
static size_t utf8_len(uint32_t cp)
{
	if (cp < 0x80)
		return 1;
	if (cp < 0x800)
		return 2;
	if (cp < 0x10000)
		return 3;
	return 4;
}

static void utf8_put(char *p, uint32_t cp)
{
	unsigned char *u = (unsigned char *)p;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
	}
}

int usb_desc_parse_string(const uint8_t *buf, size_t len, char *out, size_t outlen,
			  struct usb_desc_err *err)
{
	size_t i, n, o = 0;

	if (len < 2) {
		set_err(err, "string descriptor: %zu bytes, shorter than its header", len);
		return -EINVAL;
	}
	if (buf[1] != USB_DT_STRING) {
		set_err(err, "string descriptor: bDescriptorType is %s, not STRING",
			usb_desc_type_str(buf[1]));
		return -EINVAL;
	}
	/* UTF-16 code units are 2 bytes: an odd length means a torn descriptor. */
	if (buf[0] < 2 || buf[0] & 1) {
		set_err(err, "string descriptor: bLength %u is not an even number >= 2",
			buf[0]);
		return -EINVAL;
	}
	if (buf[0] > len) {
		set_err(err, "string descriptor: bLength %u, past the end (%zu bytes)",
			buf[0], len);
		return -EINVAL;
	}
	if (outlen < 1) {
		set_err(err, "string descriptor: no room for the text");
		return -ENOSPC;
	}

	n = (buf[0] - 2u) / 2;
	for (i = 0; i < n; i++) {
		uint32_t cp = get_le16(buf + 2 + 2 * i);

		/*
		 * Devices pad fixed-size string buffers with NULs, and a C string
		 * cannot carry U+0000 anyway: stop there, as Linux's
		 * utf16s_to_utf8s() does.
		 */
		if (cp == 0)
			break;
		if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
			uint32_t lo = get_le16(buf + 2 + 2 * (i + 1));

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		/* Whatever surrogate is still unpaired cannot be encoded in UTF-8. */
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		if (o + utf8_len(cp) + 1 > outlen) {
			out[o] = '\0';
			set_err(err, "string descriptor: text longer than %zu bytes of UTF-8",
				outlen - 1);
			return -ENOSPC;
		}
		utf8_put(out + o, cp);
		o += utf8_len(cp);
	}
	out[o] = '\0';
	return (int)o;
}

void usb_desc_strings_free(struct usb_desc_strings *s)
{
	unsigned int l, i;

	if (!s)
		return;
	/* All slots, not just n_lang: a caller may have filled before failing. */
	for (l = 0; l < USB_DESC_MAX_LANGS; l++)
		for (i = 0; i < USB_DESC_MAX_STRINGS; i++)
			free(s->text[l][i]);
	memset(s, 0, sizeof(*s));
}

static void mark(uint8_t used[USB_DESC_MAX_STRINGS / 8], uint8_t idx)
{
	if (idx)
		used[idx / 8] |= (uint8_t)(1u << (idx % 8));
}

void usb_desc_string_indices(const struct usb_desc_device *dev, const struct usb_desc_config *cfg,
			     uint8_t used[USB_DESC_MAX_STRINGS / 8])
{
	unsigned int i;

	memset(used, 0, USB_DESC_MAX_STRINGS / 8);
	if (dev) {
		mark(used, dev->iManufacturer);
		mark(used, dev->iProduct);
		mark(used, dev->iSerialNumber);
	}
	if (!cfg)
		return;
	mark(used, cfg->iConfiguration);
	for (i = 0; i < cfg->n_intf && i < USB_DESC_MAX_INTF; i++)
		mark(used, cfg->intf[i].iInterface);
	for (i = 0; i < cfg->n_iad && i < USB_DESC_MAX_IAD; i++)
		mark(used, cfg->iad[i].iFunction);
}

/*
 * Names for codes nobody registered, built at compile time so that the
 * *_str() functions stay thread-safe without a static scratch buffer.
 */
#define HEX16(p, h) \
	p #h "0", p #h "1", p #h "2", p #h "3", p #h "4", p #h "5", p #h "6", p #h "7", \
	p #h "8", p #h "9", p #h "a", p #h "b", p #h "c", p #h "d", p #h "e", p #h "f"
#define HEX256(p) \
	HEX16(p, 0), HEX16(p, 1), HEX16(p, 2), HEX16(p, 3), \
	HEX16(p, 4), HEX16(p, 5), HEX16(p, 6), HEX16(p, 7), \
	HEX16(p, 8), HEX16(p, 9), HEX16(p, a), HEX16(p, b), \
	HEX16(p, c), HEX16(p, d), HEX16(p, e), HEX16(p, f)

static const char unknown_type[256][sizeof("type 0x00")] = { HEX256("type 0x") };
static const char unknown_class[256][sizeof("class 0x00")] = { HEX256("class 0x") };

const char *usb_desc_type_str(uint8_t type)
{
	switch (type) {
	case USB_DT_DEVICE:			return "DEVICE";
	case USB_DT_CONFIG:			return "CONFIGURATION";
	case USB_DT_STRING:			return "STRING";
	case USB_DT_INTERFACE:			return "INTERFACE";
	case USB_DT_ENDPOINT:			return "ENDPOINT";
	case USB_DT_DEVICE_QUALIFIER:		return "DEVICE_QUALIFIER";
	case USB_DT_OTHER_SPEED_CONFIG:		return "OTHER_SPEED_CONFIGURATION";
	case USB_DT_INTERFACE_POWER:		return "INTERFACE_POWER";
	case USB_DT_OTG:			return "OTG";
	case USB_DT_DEBUG:			return "DEBUG";
	case USB_DT_INTERFACE_ASSOCIATION:	return "INTERFACE_ASSOCIATION";
	case USB_DT_BOS:			return "BOS";
	case USB_DT_DEVICE_CAPABILITY:		return "DEVICE_CAPABILITY";
	case DT_HID:				return "HID (0x21)";
	case DT_HID_REPORT:			return "REPORT (0x22)";
	case DT_HID_PHYSICAL:			return "PHYSICAL (0x23)";
	case USB_DT_CS_INTERFACE:		return "CS_INTERFACE (0x24)";
	case USB_DT_CS_ENDPOINT:		return "CS_ENDPOINT (0x25)";
	case USB_DT_SS_ENDPOINT_COMP:		return "SS_ENDPOINT_COMPANION (0x30)";
	case USB_DT_SSP_ISOC_ENDPOINT_COMP:	return "SSP_ISOC_ENDPOINT_COMPANION (0x31)";
	default:				return unknown_type[type];
	}
}

/* Base class codes as listed at usb.org/defined-class-codes. */
const char *usb_desc_class_str(uint8_t cls)
{
	switch (cls) {
	case 0x00: return "(defined at interface level)";
	case 0x01: return "Audio";
	case 0x02: return "CDC Communications";
	case 0x03: return "HID";
	case 0x05: return "Physical";
	case 0x06: return "Image";
	case 0x07: return "Printer";
	case 0x08: return "Mass Storage";
	case 0x09: return "Hub";
	case 0x0a: return "CDC Data";
	case 0x0b: return "Smart Card";
	case 0x0d: return "Content Security";
	case 0x0e: return "Video";
	case 0x0f: return "Personal Healthcare";
	case 0x10: return "Audio/Video";
	case 0x11: return "Billboard";
	case 0x12: return "USB Type-C Bridge";
	case 0x13: return "Bulk Display";
	case 0x14: return "MCTP";
	case 0x3c: return "I3C";
	case 0xdc: return "Diagnostic";
	case 0xe0: return "Wireless Controller";
	case 0xef: return "Miscellaneous";
	case 0xfe: return "Application Specific";
	case 0xff: return "Vendor Specific";
	default:   return unknown_class[cls];
	}
}

const char *usb_desc_xfer_str(uint8_t bmAttributes)
{
	static const char *const names[4] = { "control", "isochronous", "bulk", "interrupt" };

	return names[bmAttributes & USB_ENDPOINT_XFERTYPE_MASK];
}

/*
 * Where the run @x lies in the pool, or NULL if it does not (a model built by
 * hand, or damaged, must not make a reader overrun).
 */
static const uint8_t *run_start(const struct usb_desc_config *cfg, const struct usb_desc_extras *x)
{
	if (!x->n || !x->len || (size_t)x->off + x->len > sizeof(cfg->extra_pool))
		return NULL;
	return cfg->extra_pool + x->off;
}

/* The descriptor at @p of the run @x, if it is whole and inside the run. */
static const uint8_t *run_at(const struct usb_desc_config *cfg, const struct usb_desc_extras *x,
			     const uint8_t *p)
{
	const uint8_t *end = cfg->extra_pool + x->off + x->len;

	if (p >= end || end - p < 2 || p[0] < 2 || p[0] > end - p)
		return NULL;
	return p;
}

const uint8_t *usb_desc_extra(const struct usb_desc_config *cfg, const struct usb_desc_extras *x,
			      unsigned int k)
{
	const uint8_t *p = run_start(cfg, x);

	if (!p || k >= x->n)
		return NULL;
	for (;;) {
		p = run_at(cfg, x, p);
		if (!p || !k--)
			return p;
		p += p[0];
	}
}

const uint8_t *usb_desc_extra_next(const struct usb_desc_config *cfg,
				   const struct usb_desc_extras *x, const uint8_t *prev)
{
	const uint8_t *start = run_start(cfg, x);

	if (!start)
		return NULL;
	if (!prev)
		return run_at(cfg, x, start);
	/* @prev came from this run, so it is whole and prev + prev[0] <= its end */
	return run_at(cfg, x, prev + prev[0]);
}

int usb_desc_extra_append(struct usb_desc_config *cfg, struct usb_desc_extras *x,
			  const uint8_t *d)
{
	const unsigned int len = d[0], used = cfg->extra_used;

	if (len < 2)
		return -EINVAL;
	/* a run is contiguous: only the last one appended to can grow */
	if (x->n && (unsigned int)x->off + x->len != used)
		return -EINVAL;
	if (used > sizeof(cfg->extra_pool) || len > sizeof(cfg->extra_pool) - used)
		return -ENOSPC;
	if (!x->n) {
		x->off = used;
		x->len = 0;
	}
	memcpy(cfg->extra_pool + used, d, len);
	cfg->extra_used = used + len;
	x->len += len;
	x->n++;
	return 0;
}

const struct usb_desc_interface *usb_desc_find_intf(const struct usb_desc_config *cfg,
						    uint8_t number, uint8_t alt)
{
	unsigned int i;

	for (i = 0; i < cfg->n_intf && i < USB_DESC_MAX_INTF; i++)
		if (cfg->intf[i].bInterfaceNumber == number &&
		    cfg->intf[i].bAlternateSetting == alt)
			return &cfg->intf[i];
	return NULL;
}
