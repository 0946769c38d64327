/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desc_common.h - what the FunctionFS (ffs_desc.c) and GadgetFS (gfs_desc.c)
 * descriptor builders share. No I/O. Internal to functionfs/: the daemon uses
 * ffs_desc.h and gfs_desc.h.
 *
 *  - a bounded little-endian writer (struct blob) that counts what it would
 *    write, so one pass both sizes and fills a buffer;
 *  - the model's counts, clamped to its arrays, so a bad model cannot overrun;
 *  - the per-speed endpoint values: wMaxPacketSize and bInterval at full, high
 *    and super speed, taken from the device where it described that speed
 *    (its own descriptors, or an OTHER_SPEED_CONFIGURATION of the same shape)
 *    and derived otherwise (USB 2.0 9.6.6, USB 3.2 9.6.6-9.6.7);
 *  - the refusal sentence (-EOPNOTSUPP) both checks give.
 */
#ifndef GADGETD_DESC_COMMON_H
#define GADGETD_DESC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/usb/ch9.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/usb_desc.h"

/* --- little-endian output with a running length (written only while it fits) --- */

struct blob {
	uint8_t *buf;
	size_t cap;	/* bytes of @buf; 0 to only count */
	size_t len;	/* bytes written so far, or that would have been */
};

static inline void put_u8(struct blob *b, uint8_t v)
{
	if (b->len < b->cap)
		b->buf[b->len] = v;
	b->len++;
}

static inline void put_le16(struct blob *b, uint16_t v)
{
	put_u8(b, v & 0xff);
	put_u8(b, v >> 8);
}

static inline void put_le32(struct blob *b, uint32_t v)
{
	put_le16(b, v & 0xffff);
	put_le16(b, v >> 16);
}

static inline void put_bytes(struct blob *b, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n--)
		put_u8(b, *s++);
}

/* Overwrite a LE32 already reserved at @at (a header's length and counts). */
static inline void set_le32(struct blob *b, size_t at, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (at + i < b->cap)
			b->buf[at + i] = (v >> (8 * i)) & 0xff;
}

/* --- the model's counts, clamped to its arrays so a bad model cannot overrun --- */

static inline unsigned int n_intf(const struct usb_desc_config *c)
{
	return c->n_intf < USB_DESC_MAX_INTF ? c->n_intf : USB_DESC_MAX_INTF;
}

static inline unsigned int n_iad(const struct usb_desc_config *c)
{
	return c->n_iad < USB_DESC_MAX_IAD ? c->n_iad : USB_DESC_MAX_IAD;
}

static inline unsigned int n_ep(const struct usb_desc_interface *in)
{
	return in->n_ep < USB_DESC_MAX_EP ? in->n_ep : USB_DESC_MAX_EP;
}

/* USB_ENDPOINT_XFER_* of @ep */
static inline uint8_t xfer(const struct usb_desc_endpoint *ep)
{
	return ep->bmAttributes & USB_ENDPOINT_XFERTYPE_MASK;
}

/*
 * Does IAD @k of @cfg stand before interface descriptor @i (i == n_intf(cfg):
 * after the last one, where an IAD naming no later interface is written)?
 */
static inline bool iad_before(const struct usb_desc_config *cfg, unsigned int k, unsigned int i)
{
	unsigned int at = cfg->iad[k].before_intf;

	return at == i || (i == n_intf(cfg) && at > i);
}

/* --- refusals --- */

/**
 * desc_refuse() - write a refusal sentence into @err (when @err && @errlen;
 * vsnprintf() semantics, so always NUL-terminated, cut to @errlen).
 * Return: -EOPNOTSUPP.
 */
__attribute__((format(printf, 3, 4)))
int desc_refuse(char *err, size_t errlen, const char *fmt, ...);

/**
 * desc_periodic_mps_bad() - is @ep an interrupt or isochronous endpoint whose
 * wMaxPacketSize no UDC enables: more than 1024 bytes, reserved bits 15:13 set,
 * or 3 additional transactions (bits 12:11 = 3)? USB 2.0 9.6.6; a UDC's
 * ep_enable() refuses it (dummy_hcd's dummy_enable(): -EINVAL).
 * False for bulk and control endpoints.
 */
bool desc_periodic_mps_bad(const struct usb_desc_endpoint *ep);

/**
 * desc_check_ep() - the endpoint rules both FunctionFS and GadgetFS need:
 * refuses a control endpoint (a UDC has none besides ep0), an isochronous one
 * when !@udc_has_iso, and desc_periodic_mps_bad().
 * @who: "interface 1 (Audio, alt 1)", the start of the sentence.
 * Return: 0, or -EOPNOTSUPP with @err "@who endpoint 0x81 is ...".
 */
int desc_check_ep(const struct usb_desc_endpoint *ep, const char *who, bool udc_has_iso,
		  char *err, size_t errlen);

/* --- endpoint values per speed --- */

/* One endpoint's values, per gadget speed (enum ffs_speed). */
struct desc_ep_vals {
	uint16_t wmps[FFS_SPEED_COUNT];	/* wMaxPacketSize as written, bits 12:11 where kept */
	uint8_t interval[FFS_SPEED_COUNT];	/* bInterval as written */
	uint8_t burst, ss_attr;		/* the SS companion's bMaxBurst, bmAttributes */
	uint16_t bpi;			/* and wBytesPerInterval */
};

/**
 * desc_other_view() - the OTHER_SPEED_CONFIGURATION @other, when it may give
 * the values of the speed the device was not running at: @speed is HIGH (it
 * then describes FS) or FULL (it then describes HS), and it has the same
 * interfaces, alternate settings and endpoints in the same order as @cfg, with
 * valid periodic packet sizes (fuzzer finding "other-speed-mps").
 * @os: set to the speed @other describes when it is used.
 * Return: @other, or NULL (derive instead).
 */
const struct usb_desc_config *desc_other_view(const struct usb_desc_config *cfg, int speed,
					      const struct usb_desc_config *other,
					      enum ffs_speed *os);

/**
 * desc_derive_ep() - @ep's wMaxPacketSize and bInterval at FS, HS and SS.
 * @ep: the endpoint at the device's own speed @rs.
 * @oep: the same endpoint in the other-speed view (speed @os), or NULL.
 * Where neither describes a speed: bulk 64 (FS; the device's FS size when it is
 * 8/16/32/64) / 512 (HS) / 1024 (SS); interrupt capped at 64 bytes at FS;
 * isochronous capped at 1023 bytes at FS; periodic bInterval converted
 * between frames and 2^(bInterval-1) (micro)frames, and always made valid
 * (interrupt FS 1..255, else 1..16). Additional transactions (bits 12:11) are
 * kept at HS only. SS companion values come from @ep at SS, else one packet
 * per service interval.
 */
void desc_derive_ep(const struct usb_desc_endpoint *ep, enum ffs_speed rs,
		    const struct usb_desc_endpoint *oep, enum ffs_speed os,
		    struct desc_ep_vals *v);

/**
 * desc_map_ep() - the remote and per-speed fields of @info from @ep and its
 * values @v: remote_addr, type, remote_mps, remote_interval, mps[], interval[].
 * intf_index and alt are the caller's.
 */
void desc_map_ep(struct ffs_ep_info *info, const struct usb_desc_endpoint *ep,
		 const struct desc_ep_vals *v);

/**
 * desc_put_ep() - @ep as an ENDPOINT descriptor at speed @t with the values
 * @v: 7 bytes, or 9 with bRefresh and bSynchAddress when the device's was 9
 * (audio-style, USB Audio 1.0 4.6.1.1).
 */
void desc_put_ep(struct blob *b, const struct usb_desc_endpoint *ep,
		 const struct desc_ep_vals *v, enum ffs_speed t);

#endif
